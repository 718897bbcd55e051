//! Histories as JSON lines and CSV: the same reports as the `.scenario` originals, and every
//! malformed row a diagnostic with its code, a span on the right line and a help line.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use terms::ast::LiteralKind;
use terms::source::SourceFile;

fn read(path: &Path) -> SourceFile {
    let relative = path.strip_prefix(common::root()).unwrap_or(path);
    terms::read_source_as(path, &relative.display().to_string())
        .unwrap_or_else(|f| panic!("{}", f.render()))
}

fn contract(vendor: &str) -> SourceFile {
    read(
        &common::root()
            .join("contracts")
            .join(format!("{vendor}.terms")),
    )
}

fn report(contract: &SourceFile, scenario: &SourceFile) -> terms::report::Report {
    terms::run(contract, scenario, None).unwrap_or_else(|f| panic!("{}", f.render()))
}

/// `tests/histories/<vendor>/<case>.{jsonl,csv}` give the report of
/// `tests/scenarios/<vendor>/<case>.scenario`, byte for byte, in JSON and in text.
#[test]
fn bundled_histories_give_the_reports_of_their_scenarios() {
    let root = common::root().join("tests/histories");
    let mut compared = 0;
    for vendor in std::fs::read_dir(&root).unwrap() {
        let vendor = vendor.unwrap().path();
        let name = vendor.file_name().unwrap().to_str().unwrap().to_string();
        let contract = contract(&name);
        for entry in std::fs::read_dir(&vendor).unwrap() {
            let path = entry.unwrap().path();
            let stem = path.file_stem().unwrap().to_str().unwrap();
            let original = common::root()
                .join("tests/scenarios")
                .join(&name)
                .join(format!("{stem}.scenario"));
            let expected = report(&contract, &read(&original));
            let got = report(&contract, &read(&path));
            assert_eq!(got.to_json(), expected.to_json(), "{}", path.display());
            assert_eq!(got.to_text(), expected.to_text(), "{}", path.display());
            compared += 1;
        }
    }
    assert!(compared >= 6, "{compared} histories compared");
}

/// The text a literal of a parsed scenario was written as; text fields without quotes.
fn written(source: &str, value: &terms::ast::Literal) -> String {
    match &value.kind {
        LiteralKind::Text(t) => t.clone(),
        _ => source[value.span.start..value.span.end].to_string(),
    }
}

/// A scenario rewritten as JSON lines: a header, then one object per event.
fn to_jsonl(source: &str) -> String {
    let s = terms::syntax::parse_scenario(source).unwrap();
    let mut header = serde_json::Map::new();
    header.insert("scenario".into(), s.title.value.clone().into());
    if let Some(c) = &s.contract {
        header.insert("contract".into(), c.name.clone().into());
    }
    if let Some((d, _)) = s.as_of {
        header.insert("as_of".into(), d.to_string().into());
    }
    let facts: serde_json::Map<String, serde_json::Value> = s
        .facts
        .iter()
        .map(|f| (f.name.name.clone(), written(source, &f.value).into()))
        .collect();
    header.insert("facts".into(), facts.into());
    let mut out = serde_json::Value::Object(header).to_string();
    out.push('\n');
    for e in &s.events {
        let mut o = serde_json::Map::new();
        o.insert("id".into(), e.id.name.clone().into());
        o.insert("kind".into(), e.kind.name.clone().into());
        o.insert(
            "on".into(),
            source[e.at_span.start..e.at_span.end].to_string().into(),
        );
        if let Some(by) = &e.by {
            o.insert("by".into(), by.name.clone().into());
        }
        if let Some(via) = &e.via {
            o.insert("via".into(), via.name.clone().into());
        }
        if let Some((_, span)) = &e.received {
            o.insert(
                "received".into(),
                source[span.start..span.end].to_string().into(),
            );
        }
        for (name, value) in &e.fields {
            // Booleans and plain numbers as JSON's own, everything else as written.
            let json = match &value.kind {
                LiteralKind::Bool(b) => serde_json::Value::Bool(*b),
                LiteralKind::Number(_) => {
                    serde_json::from_str(&source[value.span.start..value.span.end]).unwrap()
                }
                _ => written(source, value).into(),
            };
            o.insert(name.name.clone(), json);
        }
        out.push_str(&serde_json::Value::Object(o).to_string());
        out.push('\n');
    }
    out
}

/// A scenario rewritten as CSV: `#` header lines, a header row, one row per event.
fn to_csv(source: &str) -> String {
    let s = terms::syntax::parse_scenario(source).unwrap();
    let mut out = format!("# scenario \"{}\"\n", s.title.value.replace('"', "\\\""));
    if let Some(c) = &s.contract {
        out.push_str(&format!("# contract {}\n", c.name));
    }
    if let Some((d, _)) = s.as_of {
        out.push_str(&format!("# as of {d}\n"));
    }
    for f in &s.facts {
        out.push_str(&format!(
            "# fact {} = {}\n",
            f.name.name,
            &source[f.value.span.start..f.value.span.end]
        ));
    }
    let mut columns: Vec<String> = ["id", "kind", "on", "by", "via", "received"]
        .map(String::from)
        .to_vec();
    for e in &s.events {
        for (name, _) in &e.fields {
            if !columns.contains(&name.name) {
                columns.push(name.name.clone());
            }
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&columns).unwrap();
    for e in &s.events {
        let row: Vec<String> = columns
            .iter()
            .map(|c| match c.as_str() {
                "id" => e.id.name.clone(),
                "kind" => e.kind.name.clone(),
                "on" => source[e.at_span.start..e.at_span.end].to_string(),
                "by" => e.by.as_ref().map(|b| b.name.clone()).unwrap_or_default(),
                "via" => e.via.as_ref().map(|b| b.name.clone()).unwrap_or_default(),
                "received" => e
                    .received
                    .as_ref()
                    .map(|(_, span)| source[span.start..span.end].to_string())
                    .unwrap_or_default(),
                field => e
                    .fields
                    .iter()
                    .find(|(n, _)| n.name == field)
                    .map(|(_, v)| written(source, v))
                    .unwrap_or_default(),
            })
            .collect();
        w.write_record(&row).unwrap();
    }
    out.push_str(&String::from_utf8(w.into_inner().unwrap()).unwrap());
    out
}

/// Every bundled scenario, rewritten as JSON lines and as CSV, gives the same report.
#[test]
fn every_bundled_scenario_as_jsonl_and_csv_gives_the_same_report() {
    let mut compared = 0;
    let scenarios = common::root().join("tests/scenarios");
    for vendor in std::fs::read_dir(&scenarios).unwrap() {
        let vendor = vendor.unwrap().path();
        let contract = contract(vendor.file_name().unwrap().to_str().unwrap());
        for path in terms::scenario_paths(&vendor).unwrap() {
            let original = read(&path);
            let expected = report(&contract, &original).to_json();
            let jsonl = SourceFile::new("converted.jsonl", to_jsonl(&original.text));
            let csv = SourceFile::new("converted.csv", to_csv(&original.text));
            for converted in [jsonl, csv] {
                let got = terms::run(&contract, &converted, None).unwrap_or_else(|f| {
                    panic!("{} as {}:\n{}", path.display(), converted.name, f.render())
                });
                assert_eq!(
                    got.to_json(),
                    expected,
                    "{} as {}:\n{}",
                    path.display(),
                    converted.name,
                    converted.text
                );
            }
            compared += 1;
        }
    }
    assert!(compared >= 25, "{compared} scenarios compared");
}

#[test]
fn the_cli_evaluates_jsonl_and_csv_like_the_scenario() {
    let eval = |file: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_terms"))
            .args(["eval", "contracts/qualifio.terms", file, "--format", "json"])
            .current_dir(common::root())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let original = eval("tests/scenarios/qualifio/qf-4.scenario");
    assert_eq!(eval("tests/histories/qualifio/qf-4.jsonl"), original);
    assert_eq!(eval("tests/histories/qualifio/qf-4.csv"), original);
    // `check --contract` reads the formats too.
    let out = Command::new(env!("CARGO_BIN_EXE_terms"))
        .args([
            "check",
            "--contract",
            "contracts/qualifio.terms",
            "tests/histories/qualifio/qf-2.csv",
        ])
        .current_dir(common::root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("qf-2.csv: ok"));
}

/// Each malformed history: the code it must report and the line (1-based) its span starts
/// on. All are evaluated against ikanbi.
const MALFORMED: [(&str, &str, usize); 15] = [
    ("jsonl/not_json.jsonl", "terms::syntax::jsonl", 3),
    (
        "jsonl/thousands_separator.jsonl",
        "terms::syntax::unexpected",
        2,
    ),
    ("jsonl/missing_kind.jsonl", "terms::syntax::jsonl", 3),
    ("jsonl/unknown_header_key.jsonl", "terms::syntax::jsonl", 1),
    (
        "jsonl/impossible_date.jsonl",
        "terms::syntax::invalid_date",
        2,
    ),
    ("jsonl/nested_value.jsonl", "terms::syntax::jsonl", 2),
    (
        "jsonl/unknown_reference.jsonl",
        "terms::scenario::unknown_reference",
        3,
    ),
    ("jsonl/duplicate_key.jsonl", "terms::syntax::jsonl", 2),
    ("csv/wrong_cell_count.csv", "terms::syntax::csv", 5),
    ("csv/no_id_column.csv", "terms::syntax::csv", 3),
    ("csv/bad_header_line.csv", "terms::syntax::unexpected", 2),
    (
        "csv/thousands_separator.csv",
        "terms::syntax::unexpected",
        5,
    ),
    ("csv/unknown_party.csv", "terms::scenario::unknown_party", 5),
    ("csv/duplicate_column.csv", "terms::syntax::csv", 3),
    ("csv/bad_id.csv", "terms::syntax::unexpected", 4),
];

#[test]
fn malformed_histories_give_their_code_on_the_right_line() {
    let contract = contract("ikanbi");
    for (name, code, line) in MALFORMED {
        let path = common::root().join("tests/invalid").join(name);
        let file = read(&path);
        let failure = terms::run(&contract, &file, None).expect_err(name);
        let diagnostics = &failure.files[0].diagnostics;
        let found = diagnostics
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("{name}: expected {code}, got {:?}", failure.codes()));
        assert_eq!(
            file.line_col(found.span.start).0,
            line,
            "{name}: {code} on the wrong line\n{}",
            failure.render()
        );
        for d in diagnostics {
            assert!(!d.help.is_empty(), "{name}: {} has no help line", d.code);
            assert!(!d.label.is_empty(), "{name}: {} has no label", d.code);
        }
        let rendered = failure.render();
        assert!(rendered.contains("help:"), "{rendered}");
        assert!(
            rendered.contains(&format!("{name}:{line}:")),
            "{name}: the label is not on line {line}\n{rendered}"
        );
    }
}

#[test]
fn malformed_histories_render_as_pinned() {
    let contract = contract("ikanbi");
    insta::glob!("invalid/{jsonl,csv}/*.{jsonl,csv}", |path| {
        let failure = terms::run(&contract, &read(path), None).expect_err("malformed");
        insta::assert_snapshot!(failure.render());
    });
}

#[test]
fn every_malformed_history_is_listed() {
    let mut listed: Vec<&str> = MALFORMED.iter().map(|(n, _, _)| *n).collect();
    listed.sort_unstable();
    let mut found = Vec::new();
    for dir in ["jsonl", "csv"] {
        for entry in std::fs::read_dir(common::root().join("tests/invalid").join(dir)).unwrap() {
            let name = entry.unwrap().file_name().to_str().unwrap().to_string();
            found.push(format!("{dir}/{name}"));
        }
    }
    found.sort_unstable();
    assert_eq!(found, listed);
}

/// Spans point into the JSON-lines text: an unknown field is labelled at its key, an
/// escaped string at the whole string.
#[test]
fn spans_point_at_the_key_and_the_value() {
    let contract = contract("ikanbi");
    let text = "{\"as_of\": \"2025-05-31\"}\n{\"id\": \"I\", \"kind\": \"invoice\", \"on\": \"2025-03-03\", \"amount\": \"EUR 1.00\", \"colour\": \"blue\"}\n";
    let file = SourceFile::new("h.jsonl", text);
    let failure = terms::run(&contract, &file, None).unwrap_err();
    let d = &failure.files[0].diagnostics[0];
    assert_eq!(d.code, "terms::scenario::unknown_field");
    assert_eq!(&text[d.span.start..d.span.end], "colour");
    let text = "{\"id\": \"I\", \"kind\": \"invoice\", \"on\": \"2025-03-03\", \"amount\": \"EUR 1,00\"}\n";
    let file = SourceFile::new("h.jsonl", text);
    let failure = terms::run(&contract, &file, None).unwrap_err();
    let d = &failure.files[0].diagnostics[0];
    assert_eq!(d.code, "terms::syntax::unexpected");
    assert_eq!(&text[d.span.start..d.span.end], ",");
    // With an escape, the text read is not the file's: the whole string is labelled.
    let text = "{\"id\": \"I\", \"kind\": \"invoice\", \"on\": \"2025-03-0\\u0033\", \"amount\": \"EUR 1\\u002c00\"}\n";
    let file = SourceFile::new("h.jsonl", text);
    let failure = terms::run(&contract, &file, None).unwrap_err();
    let d = &failure.files[0].diagnostics[0];
    assert_eq!(d.code, "terms::syntax::unexpected");
    assert_eq!(&text[d.span.start..d.span.end], "\"EUR 1\\u002c00\"");
}

/// Hostile input never panics and always gives a diagnostic with a help line.
#[test]
fn odd_input_gives_diagnostics_not_panics() {
    let contract = contract("ikanbi");
    let cases = [
        "",
        "\n\n",
        "[1, 2]",
        "{",
        "{}",
        "{\"id\": 1, \"kind\": true, \"on\": null}",
        "{\"id\": \"a\", \"kind\": \"invoice\", \"on\": \"2025-03-03\", \"amount\": 1e400}",
        "{\"id\": \"a\", \"kind\": \"invoice\", \"on\": \"2025-03-03T25:00\"}",
        "{\"facts\": []}",
        "{\"facts\": {\"annual_price\": [1]}}",
        "{\"as_of\": \"2025-05-31T10:00\"}",
        "{\"\\u0069d\": \"a\", \"kind\": \"invoice\", \"on\": \"2025-03-03\", \"amount\": \"x\"}",
        "{\"id\": \"é\", \"kind\": \"invoice\", \"on\": \"2025-03-03\"}",
    ];
    for case in cases {
        let file = SourceFile::new("odd.jsonl", case);
        match terms::run(&contract, &file, None) {
            Ok(_) => {}
            Err(f) => {
                assert!(!f.is_internal(), "{case}: {}", f.render());
                for d in &f.files[0].diagnostics {
                    assert!(!d.help.is_empty(), "{case}: {}", d.code);
                }
                let _ = f.render();
            }
        }
    }
    let csv_cases = [
        "",
        "# scenario \"x\"\n",
        "id,kind,on\n\"unterminated,invoice,2025-03-03\n",
        "id,kind,on\na,invoice,2025-03-03,extra\n",
        "id,kind,on,,\na,invoice,2025-03-03,,\n",
        "# as of\nid,kind,on\n",
        "id,kind,on,amount\r\na,invoice,2025-03-03,\"EUR \"\"1\"\"\"\r\n",
        "\u{feff}id,kind,on\n",
    ];
    for case in csv_cases {
        let file = SourceFile::new("odd.csv", case);
        if let Err(f) = terms::run(&contract, &file, None) {
            assert!(!f.is_internal(), "{case}: {}", f.render());
            for d in &f.files[0].diagnostics {
                assert!(!d.help.is_empty(), "{case}: {}", d.code);
            }
            let _ = f.render();
        }
    }
}

//! The invalid-input corpus: every file under `tests/invalid/` must be rejected with the
//! diagnostic codes its `// expect:` header names (all of them, in one run), and its
//! rendered diagnostics are pinned by a snapshot.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

use std::path::Path;

use terms::source::SourceFile;

/// The codes a corpus file expects: its `// expect:` header, or a fixed code for files that
/// cannot carry a header (empty, not UTF-8).
fn expected(path: &Path, text: &str) -> Vec<String> {
    if let Some(line) = text.lines().find_map(|l| l.strip_prefix("// expect:")) {
        return line.split_whitespace().map(str::to_string).collect();
    }
    match path.file_name().and_then(|n| n.to_str()) {
        Some("empty.terms") => vec![String::from("terms::syntax::unexpected")],
        Some("not_utf8.scenario") => vec![String::from("terms::io::not_utf8")],
        Some("empty.scenario") => vec![String::from("terms::syntax::unexpected")],
        other => panic!("{other:?} has no `// expect:` header"),
    }
}

/// Reads a corpus file under a stable, relative name.
fn load(path: &Path) -> Result<SourceFile, terms::Failure> {
    let relative = path.strip_prefix(common::root()).unwrap_or(path);
    terms::read_source_as(path, &relative.display().to_string())
}

fn check_failure(path: &Path, text: &str, failure: &terms::Failure) {
    let codes = failure.codes();
    for code in expected(path, text) {
        assert!(
            codes.contains(&code.as_str()),
            "{}: expected {code}, got {codes:?}",
            path.display()
        );
    }
    for file in &failure.files {
        for d in &file.diagnostics {
            assert!(
                !d.help.is_empty(),
                "{}: {} has no help line",
                path.display(),
                d.code
            );
            assert!(
                !d.label.is_empty(),
                "{}: {} has no label",
                path.display(),
                d.code
            );
        }
    }
}

#[test]
fn invalid_contracts_are_rejected_with_their_codes() {
    insta::glob!("invalid/contract/*.terms", |path| {
        let text = String::from_utf8_lossy(&std::fs::read(path).expect("corpus file")).into_owned();
        let failure = match load(path) {
            Ok(file) => terms::load_contract(&file).expect_err("the contract must be rejected"),
            Err(failure) => failure,
        };
        check_failure(path, &text, &failure);
        insta::assert_snapshot!(failure.render());
    });
}

#[test]
fn invalid_scenarios_are_rejected_with_their_codes() {
    let contract_path = common::root().join("contracts/qualifio.terms");
    let contract = load(&contract_path).expect("contract");
    insta::glob!("invalid/scenario/*.scenario", |path| {
        let text = String::from_utf8_lossy(&std::fs::read(path).expect("corpus file")).into_owned();
        let failure = match load(path) {
            Ok(file) => {
                terms::run(&contract, &file, None).expect_err("the scenario must be rejected")
            }
            Err(failure) => failure,
        };
        check_failure(path, &text, &failure);
        insta::assert_snapshot!(failure.render());
    });
}

#[test]
fn lint_warnings_are_reported_without_stopping_the_check() {
    insta::glob!("lint/*.terms", |path| {
        let text = std::fs::read_to_string(path).expect("lint file");
        let file = load(path).expect("readable");
        let (_, warnings) =
            terms::load_contract(&file).unwrap_or_else(|f| panic!("{}", f.render()));
        let codes: Vec<&str> = warnings.iter().map(|w| w.code).collect();
        for code in expected(path, &text) {
            assert!(
                codes.contains(&code.as_str()),
                "{}: expected {code}, got {codes:?}",
                path.display()
            );
        }
        assert!(warnings.iter().all(|w| !w.is_error() && !w.help.is_empty()));
        insta::assert_snapshot!(terms::diagnostic::FileDiagnostics::new(&file, warnings).render());
    });
}

/// Inputs too large to keep in the repository, made at test time.
#[test]
fn generated_inputs_fail_cleanly() {
    // Over the 1 MiB limit: a contract whose second line is a 1 MB comment.
    let big = format!("contract big\n// {}\n", "x".repeat(1 << 20));
    let failure = terms::load_contract(&SourceFile::new("big.terms", big)).expect_err("too large");
    assert_eq!(failure.codes(), ["terms::syntax::too_large"]);
    insta::assert_snapshot!("too_large", failure.render());

    // A 900 kB line of nested `not`s: rejected, no stack overflow.
    let nots = format!(
        "contract deep\nparty a\ncurrency EUR\nlet x = {}true\n",
        "not ".repeat(200_000)
    );
    let failure = terms::load_contract(&SourceFile::new("nots.terms", nots)).expect_err("too deep");
    assert!(
        failure
            .codes()
            .iter()
            .all(|c| c.starts_with("terms::syntax::")),
        "{:?}",
        failure.codes()
    );

    // A 900 kB chain of additions: rejected by the depth limit.
    let sum = format!(
        "contract sum\nparty a\ncurrency EUR\nlet x = 1{}\n",
        " + 1".repeat(200_000)
    );
    let failure = terms::load_contract(&SourceFile::new("sum.terms", sum)).expect_err("too deep");
    assert_eq!(failure.codes(), ["terms::syntax::too_deep"]);

    // A file that does not exist.
    let failure = terms::read_source_as(Path::new("no/such/file.terms"), "no/such/file.terms")
        .expect_err("missing");
    assert_eq!(failure.codes(), ["terms::io::unreadable"]);
    insta::assert_snapshot!("unreadable", failure.render());
}

/// Parses a generated contract; its diagnostic codes, or none when it checks.
fn codes_of(name: &str, text: String) -> Vec<&'static str> {
    match terms::load_contract(&SourceFile::new(name, text)) {
        Ok(_) => Vec::new(),
        Err(failure) => failure.codes(),
    }
}

/// Each limit of the parser holds at exactly its stated value and refuses one more.
#[test]
fn limits_hold_at_their_value_and_refuse_one_more() {
    let head = "contract limits\nparty a\ncurrency EUR\n";
    let deep = |n: usize| format!("{head}let x = {}1{}\n", "(".repeat(n), ")".repeat(n));
    assert_eq!(codes_of("b.terms", deep(64)), Vec::<&str>::new());
    assert_eq!(codes_of("b.terms", deep(65)), ["terms::syntax::too_deep"]);

    let ifs = |n: usize| format!("{head}let x = {}1\n", "if true then 1 else ".repeat(n));
    assert_eq!(codes_of("i.terms", ifs(64)), Vec::<&str>::new());
    assert_eq!(codes_of("i.terms", ifs(65)), ["terms::syntax::too_deep"]);

    // 128 operations: 128 additions, then 128 `not`s.
    let sum = |n: usize| format!("{head}let x = 1{}\n", " + 1".repeat(n));
    assert_eq!(codes_of("s.terms", sum(128)), Vec::<&str>::new());
    assert_eq!(codes_of("s.terms", sum(129)), ["terms::syntax::too_deep"]);
    let nots = |n: usize| format!("{head}let x = {}true\n", "not ".repeat(n));
    assert_eq!(codes_of("n.terms", nots(128)), Vec::<&str>::new());
    assert_eq!(codes_of("n.terms", nots(129)), ["terms::syntax::too_deep"]);

    // 28 significant digits are held exactly (29 when the number is small enough); a
    // digit that would be rounded away is refused.
    let number = |n: &str| format!("{head}param p: number = {n}\n");
    let max = format!("1.{}1", "0".repeat(26));
    assert_eq!(codes_of("d.terms", number(&max)), Vec::<&str>::new());
    let exact = format!("1.{}1", "0".repeat(27));
    assert_eq!(codes_of("d.terms", number(&exact)), Vec::<&str>::new());
    let over = format!("1.{}1", "0".repeat(28));
    assert_eq!(
        codes_of("d.terms", number(&over)),
        ["terms::syntax::bad_number"]
    );
    // Trailing zeros are not digits that need holding.
    let zeros = format!("1.5{}", "0".repeat(40));
    assert_eq!(codes_of("d.terms", number(&zeros)), Vec::<&str>::new());
}

/// Ways around the limits: an escaped backslash before a closing quote, and the word
/// `article` as a field name, must not stop the counting. Before, both aborted the process.
#[test]
fn limits_cannot_be_walked_around() {
    let head = "contract limits\nparty a\ncurrency EUR\n";
    let brackets = format!(
        "{head}param t: text = \"\\\\\"\nlet x = {}1{}\n",
        "(".repeat(3000),
        ")".repeat(3000)
    );
    let failure =
        terms::load_contract(&SourceFile::new("b.terms", brackets)).expect_err("too deep");
    assert_eq!(failure.codes(), ["terms::syntax::too_deep"]);
    let rendered = failure.render();
    assert!(rendered.contains("b.terms:5:73]"), "{rendered}");

    let mut ifs = format!("{head}event sale {{ article: number }}\nlet x = ");
    for i in 0..3000 {
        if i % 50 == 0 {
            ifs.push_str("if s.article > 0 then 1 else ");
        } else {
            ifs.push_str("if true then 1 else ");
        }
    }
    ifs.push_str("1\n");
    let failure = terms::load_contract(&SourceFile::new("i.terms", ifs)).expect_err("too deep");
    assert_eq!(failure.codes(), ["terms::syntax::too_deep"]);
}

/// Work in the front end stays near-linear on hostile input.
#[test]
fn hostile_inputs_are_reported_quickly() {
    let head = "contract big\nparty a\ncurrency EUR\n";
    // Two 100 kB names: no quadratic edit distance for a suggestion.
    let started = std::time::Instant::now();
    let names = format!(
        "{head}param {}: number = 1\nlet y = {}\n",
        "a".repeat(100_000),
        "b".repeat(100_000)
    );
    let failure = terms::load_contract(&SourceFile::new("n.terms", names)).expect_err("unknown");
    assert_eq!(failure.codes(), ["terms::check::unknown_name"]);
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());

    // 30,000 diagnostics in a 600 kB file: no copy of the file, no count of lines from its
    // start, per diagnostic.
    let started = std::time::Instant::now();
    let mut many = String::from(head);
    for i in 0..30_000 {
        many.push_str(&format!("let v{i} = zz\n"));
    }
    let failure =
        terms::load_contract(&SourceFile::new("m.terms", many)).expect_err("unknown names");
    let rendered = failure.render();
    assert_eq!(
        rendered.matches("terms::check::unknown_name").count(),
        30_000
    );
    assert!(rendered.contains("m.terms:30003:14]"));
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());

    // A diagnostic on a 1 MB line shows a window of it, at the right line and column.
    let long = format!("{head}let y = zz // {}\n", "x".repeat(1_000_000));
    let failure = terms::load_contract(&SourceFile::new("l.terms", long)).expect_err("unknown");
    let rendered = failure.render();
    assert!(rendered.len() < 2_000, "{} bytes", rendered.len());
    assert!(rendered.contains("l.terms:4:9]"), "{rendered}");
    let far = format!("{head}let y = 1 + {}zz\n", "0 + ".repeat(100));
    let failure = terms::load_contract(&SourceFile::new("f.terms", far)).expect_err("unknown");
    assert!(failure.render().contains("f.terms:4:413]"));
}

/// A UTF-8 byte-order mark at the start of a contract or a scenario is not an error, and
/// spans after it stay right.
#[test]
fn a_byte_order_mark_is_accepted() {
    let root = common::root();
    let contract = std::fs::read_to_string(root.join("contracts/qualifio.terms")).unwrap();
    let contract = SourceFile::new("qualifio.terms", format!("\u{feff}{contract}"));
    terms::load_contract(&contract).unwrap_or_else(|f| panic!("{}", f.render()));

    let scenario_path = root.join("tests/invalid/scenario/wrong_type.scenario");
    let scenario = std::fs::read_to_string(&scenario_path).unwrap();
    let with_bom = SourceFile::new("wrong_type.scenario", format!("\u{feff}{scenario}"));
    let failure = terms::run(&contract, &with_bom, None).expect_err("wrong type");
    assert!(failure.codes().contains(&"terms::scenario::type_mismatch"));
    assert!(failure.render().contains("wrong_type.scenario:5:46]"));

    let mut found = Vec::new();
    for vendor in std::fs::read_dir(root.join("tests/scenarios")).unwrap() {
        for case in std::fs::read_dir(vendor.unwrap().path()).unwrap() {
            let path = case.unwrap().path();
            if path.extension().is_some_and(|e| e == "scenario") {
                found.push(path);
            }
        }
    }
    let path = found.first().expect("a scenario");
    let contract = terms::read_source(&common::contract_of(path)).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let scenario = SourceFile::new("bom.scenario", format!("\u{feff}{text}"));
    terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));

    let broken = SourceFile::new(
        "bom.terms",
        "\u{feff}contract x\nparty a\ncurrency EUR\nlet y = zz\n",
    );
    let failure = terms::load_contract(&broken).expect_err("unknown name");
    assert!(failure.render().contains("bom.terms:4:9]"));
}

/// Long chains of definitions are ordered and checked without recursion per declaration.
#[test]
fn long_chains_are_checked_without_recursion() {
    let head = "contract chain\nparty a\nparty b\ncurrency EUR\n";
    // 15,000 `let`s, each defined by the next.
    let n = 15_000;
    let mut lets = String::from(head);
    for i in 0..n {
        lets.push_str(&format!("let l{i} = l{} + 1\n", i + 1));
    }
    lets.push_str(&format!(
        "let l{n} = 1\ncharge f article \"1\" {{\n  a owes b EUR 1.00 * l0\n}}\n"
    ));
    let (checked, warnings) = terms::load_contract(&SourceFile::new("lets.terms", lets))
        .unwrap_or_else(|f| panic!("{}", f.render()));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(checked.values.len(), n + 1);
    // Evaluated in dependency order: the last defined first.
    let first = checked.order.iter().find_map(|step| match step {
        terms::check::Evaluation::Value(id) => checked.values.get(*id),
        terms::check::Evaluation::Clause(_) => None,
    });
    assert_eq!(first.map(|d| d.name.as_str()), Some("l15000"));

    // The same chain closed into a cycle: one diagnostic, where it closes.
    let mut cyclic = String::from(head);
    for i in 0..n {
        cyclic.push_str(&format!("let l{i} = l{} + 1\n", (i + 1) % n));
    }
    let failure =
        terms::load_contract(&SourceFile::new("cycle.terms", cyclic)).expect_err("a cycle");
    assert_eq!(failure.codes(), ["terms::check::cyclic_definition"]);
    let rendered = failure.render();
    assert!(
        rendered.contains(
            "`l0` depends on itself: `l0` → `l1` → `l2` → … → `l14998` → `l14999` → `l0`"
        ),
        "{rendered}"
    );
    assert!(rendered.contains("cycle.terms:15004:"), "{rendered}");

    // 3,000 obligations chained by `when met(…)`.
    let m = 3_000;
    let mut chain = String::from(head);
    chain.push_str("obligation o0 article \"1\" {\n  a must \"act\"\n  by 2025-01-01\n}\n");
    for i in 1..m {
        chain.push_str(&format!(
            "obligation o{i} article \"1\" {{\n  a must \"act\"\n  by 2025-01-01\n  when met(o{})\n}}\n",
            i - 1
        ));
    }
    let contract = SourceFile::new("chain.terms", chain);
    let (checked, _) = terms::load_contract(&contract).unwrap_or_else(|f| panic!("{}", f.render()));
    assert_eq!(checked.clauses.len(), m);
    // Evaluated in the checker's order: each `met()` reads a memoised result.
    let report = terms::run(
        &contract,
        &SourceFile::new("s.scenario", "scenario \"s\"\nas of 2025-06-01\n"),
        None,
    )
    .unwrap_or_else(|f| panic!("{}", f.render()));
    assert_eq!(report.outcome.violations.len(), 1);
}

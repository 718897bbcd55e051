//! `terms fmt`: over every bundled contract and scenario, formatting is idempotent, keeps
//! the syntax tree (spans aside) and every comment in order; generated expressions print
//! with brackets that keep their parse; the command's exit codes.
//!
//! Trees are compared through their `Debug` rendering with every `Span { start: …, end: … }`
//! replaced by `Span`. Every AST type derives `Debug`, so the comparison covers every field
//! of every node without a hand-written walk that could forget one, and `Debug` of a
//! `Decimal` shows its scale (`75.00` is not `75`), so a literal printed with other digits
//! is caught too.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use proptest::prelude::*;
use terms::fmt::{format, Kind};

/// A tree's `Debug` text with the spans taken out (written here, not taken from the
/// library, so the test does not trust the code it tests).
fn strip_spans(debug: &str) -> String {
    let mut out = String::new();
    let mut rest = debug;
    while let Some(at) = rest.find("Span { start: ") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}').unwrap();
        out.push_str("Span");
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    out
}

fn tree(kind: Kind, text: &str) -> Result<String, terms::diagnostic::Diagnostic> {
    Ok(match kind {
        // A library file (`library NAME`) is formatted as a contract is.
        Kind::Contract => match terms::syntax::parse_contract(text) {
            Ok(contract) => strip_spans(&format!("{contract:?}")),
            Err(e) => match terms::syntax::parse_library(text) {
                Ok(library) => strip_spans(&format!("{library:?}")),
                // A deal file (`deal NAME … extends …`) too.
                Err(_) => strip_spans(&format!(
                    "{:?}",
                    terms::syntax::parse_deal(text).map_err(|_| e)?
                )),
            },
        },
        Kind::Scenario => {
            let (ast, layout) = terms::syntax::parse_scenario_layout(text)?;
            // The tree keeps facts and events apart: the order of the lines is in the layout.
            let order: Vec<String> = layout
                .lines
                .iter()
                .map(|(line, _)| format!("{line:?}"))
                .collect();
            strip_spans(&format!("{ast:?} {order:?}"))
        }
    })
}

/// The comments of a source text, by a scan of its own: `//` outside a string literal.
fn comments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut in_string = false;
        let mut escaped = false;
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        for (i, &(at, c)) in chars.iter().enumerate() {
            if in_string {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_string = false,
                    _ => {}
                }
            } else if c == '"' {
                in_string = true;
            } else if c == '/' && chars.get(i + 1).is_some_and(|n| n.1 == '/') {
                out.push(line[at..].trim_end().to_string());
                break;
            }
        }
    }
    out
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "terms" || e == "scenario")
        {
            out.push(path);
        }
    }
}

/// Formats `text` and checks the three properties; returns the output.
fn check_formatting(name: &str, kind: Kind, text: &str) -> String {
    let original = tree(kind, text).unwrap();
    let once = format(kind, text).unwrap_or_else(|d| panic!("{name}: {d:?}"));
    let twice = format(kind, &once).unwrap_or_else(|d| panic!("{name} formatted: {d:?}"));
    assert_eq!(once, twice, "{name}: formatting is not idempotent");
    assert_eq!(
        original,
        tree(kind, &once).unwrap(),
        "{name}: the formatted file parses to another tree:\n{once}"
    );
    // Every comment, in order: each is found on a line after the previous one's.
    let lines: Vec<&str> = once.lines().collect();
    let mut at = 0;
    for comment in comments(text) {
        let found = lines[at..]
            .iter()
            .position(|l| l.trim_end().ends_with(comment.as_str()))
            .unwrap_or_else(|| panic!("{name}: comment {comment:?} lost or moved:\n{once}"));
        at += found + 1;
    }
    assert_eq!(comments(text).len(), comments(&once).len(), "{name}");
    assert!(once.ends_with('\n') && !once.ends_with("\n\n"), "{name}");
    assert!(!once.starts_with('\n'), "{name}");
    assert!(
        once.lines().all(|l| l == l.trim_end()),
        "{name}: trailing whitespace"
    );
    once
}

#[test]
fn every_bundled_file_formats_idempotently_keeping_its_tree_and_comments() {
    let root = common::root();
    let mut paths = Vec::new();
    for dir in ["contracts", "lib", "tests", "examples"] {
        sources(&root.join(dir), &mut paths);
    }
    paths.sort();
    let (mut formatted, mut skipped) = (0, 0);
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            skipped += 1; // not UTF-8 (an invalid-input case)
            continue;
        };
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        let kind = terms::fmt::kind_of(&name, &text).unwrap();
        if tree(kind, &text).is_err() {
            skipped += 1; // an invalid-input case that does not parse
            continue;
        }
        check_formatting(&name, kind, &text);
        formatted += 1;
    }
    assert!(formatted >= 80, "formatted {formatted}, skipped {skipped}");
}

#[test]
fn the_bundled_contracts_and_scenarios_are_in_the_canonical_layout() {
    let root = common::root();
    let mut paths = Vec::new();
    sources(&root.join("contracts"), &mut paths);
    sources(&root.join("lib"), &mut paths);
    sources(&root.join("tests/scenarios"), &mut paths);
    sources(&root.join("examples"), &mut paths);
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let kind = terms::fmt::kind_of(&path.display().to_string(), &text).unwrap();
        let once = format(kind, &text).unwrap();
        assert!(once == text, "{}: run `terms fmt` on it", path.display());
    }
}

const MESSY: &str = "// head comment\r
\r
\r
contract  demo   \"A \\\"quoted\\\" // title\"  // after the header\r
party vendor // the seller\r
party   client\r
currency EUR\r
calendar belgium hours 09:00 to 18:00 closed 2025-12-24,2025-12-31\r
event invoice {amount:money,\r
  // which invoice\r
  direct_debit : bool ? }\r
event payment{ amount: money, invoice: invoice? } // trailing\r
event maintenance planned {}\r
param rate : percent=12.50%\r
param price: money = (EUR   75.00)\r
let x = ((1 + 2)) * (3 - (4 - 5)) / -(6)\r
\r
\r
// before the clause\r
obligation pay article \"4.5\" { // on the brace\r
  for each invoice inv where not (inv.direct_debit) and (inv.amount > EUR 0.00)\r
  client must \"pay \\\\ the // invoice\"\r
  within 30  days of inv   // of, not after\r
\r
  fulfilled by payment\r
  // before the end\r
}\r
penalty sla article \"3.6.1\" {\r
  for each invoice a\r
  vendor owes client EUR 2000.00 * band a.amount { below EUR 10.00 => 10%, // low\r
    // middle\r
    below EUR 20.00 => 5%, otherwise => if rate > 5% then 1% else 0% }\r
}\r
term t article \"5\" {\r
  starts 2025-01-01 lasts 1 year renews automatically for 1 years\r
  notice termination by client via email or registered_letter at least 3 working days before end\r
}\r
// the end\r
";

const TIDY: &str = r#"// head comment

contract demo "A \"quoted\" // title" // after the header
party vendor // the seller
party client
currency EUR
calendar belgium hours 09:00 to 18:00 closed 2025-12-24, 2025-12-31
event invoice {
  amount: money,
  // which invoice
  direct_debit: bool?,
}
event payment { amount: money, invoice: invoice? } // trailing
event maintenance planned { }
param rate: percent = 12.50%
param price: money = EUR 75.00
let x = (1 + 2) * (3 - (4 - 5)) / -6

// before the clause
obligation pay article "4.5" { // on the brace
  for each invoice inv where not inv.direct_debit and inv.amount > EUR 0.00
  client must "pay \\ the // invoice"
  within 30 days of inv // of, not after

  fulfilled by payment
  // before the end
}
penalty sla article "3.6.1" {
  for each invoice a
  vendor owes client EUR 2000.00 * band a.amount {
    below EUR 10.00 => 10%, // low
    // middle
    below EUR 20.00 => 5%,
    otherwise => if rate > 5% then 1% else 0%,
  }
}
term t article "5" {
  starts 2025-01-01
  lasts 1 year
  renews automatically for 1 years
  notice termination by client via email or registered_letter at least 3 working days before end
}
// the end
"#;

#[test]
fn a_messy_contract_gets_the_canonical_layout() {
    let out = check_formatting("messy", Kind::Contract, MESSY);
    assert_eq!(out, TIDY);
}

#[test]
fn a_messy_scenario_gets_the_canonical_layout() {
    let messy = "\n\n// title next\nscenario   \"S // 1\"\ncontract  qualifio // which\n\n\n\
        fact licence_price=EUR 24000.00\nas of 2025-07-01\nevent i1 : invoice on 2025-01-15{amount:EUR 5000.00}\n\
        event r1: reminder on 2025-02-20T10:00 by vendor via email received 2025-02-21 {\n  invoice: i1, // which\n}\n\
        event x: termination on 2025-03-01 { }\nfact licence_months = 12 // last\n";
    let tidy = "// title next\nscenario \"S // 1\"\ncontract qualifio // which\n\n\
        fact licence_price = EUR 24000.00\nas of 2025-07-01\nevent i1: invoice on 2025-01-15 { amount: EUR 5000.00 }\n\
        event r1: reminder on 2025-02-20T10:00 by vendor via email received 2025-02-21 {\n  invoice: i1, // which\n}\n\
        event x: termination on 2025-03-01\nfact licence_months = 12 // last\n";
    assert_eq!(check_formatting("messy", Kind::Scenario, messy), tidy);
}

/// `let x = SOURCE` formatted, the expression only.
fn printed(source: &str) -> String {
    let text = format!("contract t\nlet x = {source}\n");
    let out = check_formatting(source, Kind::Contract, &text);
    out.trim_start_matches("contract t\nlet x = ")
        .trim_end()
        .to_string()
}

#[test]
fn brackets_are_kept_only_where_the_parse_needs_them() {
    for (source, expected) in [
        ("(a + b) * c", "(a + b) * c"),
        ("a + (b * c)", "a + b * c"),
        ("(a - b) - c", "a - b - c"),
        ("a - (b - c)", "a - (b - c)"),
        ("a / (b * c)", "a / (b * c)"),
        ("(a < b) == (c > d)", "(a < b) == (c > d)"),
        ("(a + b) < c", "a + b < c"),
        ("not (a and b)", "not (a and b)"),
        ("not (a < b)", "not a < b"),
        ("(not a) and b", "not a and b"),
        ("a or (b and c)", "a or b and c"),
        ("(a or b) and c", "(a or b) and c"),
        ("a == (not b)", "a == (not b)"),
        ("-(a * b)", "-(a * b)"),
        ("(-a) * b", "-a * b"),
        ("-(-a)", "--a"),
        ("(-a).f", "(-a).f"),
        ("-(a.f)", "-a.f"),
        ("(if a then b else c) + 1", "(if a then b else c) + 1"),
        ("1 + (if a then b else c)", "1 + (if a then b else c)"),
        (
            "if (if a then b else c) then d else e",
            "if if a then b else c then d else e",
        ),
        ("max((a), (b + c))", "max(a, b + c)"),
        ("(6 months before c).x", "(6 months before c).x"),
        ("6 months before (c.x)", "6 months before c.x"),
        ("6 months before (c + 1 day)", "6 months before (c + 1 day)"),
        (
            "(band (a + b) { otherwise => 1 }).x",
            "band a + b {\n  otherwise => 1,\n}.x",
        ),
        ("(EUR 5.00) * (12.50%)", "EUR 5.00 * 12.50%"),
        ("((((a))))", "a"),
    ] {
        assert_eq!(printed(source), expected, "{source}");
    }
}

/// A random expression, written with a bracket around every operation so that it parses
/// whatever the nesting: the printer must drop the brackets it does not need and keep the
/// tree.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        Just("inv.amount".to_string()),
        Just("1".to_string()),
        Just("2.50".to_string()),
        Just("EUR 5.00".to_string()),
        Just("12%".to_string()),
        Just("3 days".to_string()),
        Just("15 business days".to_string()),
        Just("2025-01-31".to_string()),
        Just("2025-01-31T09:30".to_string()),
        Just("\"t \\\" x\"".to_string()),
        Just("true".to_string()),
    ];
    leaf.prop_recursive(5, 40, 3, |inner| {
        let op = prop_oneof![
            Just("+"),
            Just("-"),
            Just("*"),
            Just("/"),
            Just("and"),
            Just("or"),
            Just("<"),
            Just("<="),
            Just("=="),
            Just("!="),
            Just(">="),
            Just(">")
        ];
        prop_oneof![
            (inner.clone(), op, inner.clone()).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            inner.clone().prop_map(|a| format!("(not {a})")),
            inner.clone().prop_map(|a| format!("(-{a})")),
            inner.clone().prop_map(|a| format!("({a}).f")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, t, e)| format!("(if {c} then {t} else {e})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("max({a}, {b})")),
            inner.clone().prop_map(|a| format!("count()  + sum({a})")),
            inner.clone().prop_map(|a| format!("(2 months before {a})")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(s, t, v)| {
                format!("(band {s} {{ below {t} => {v}, otherwise => 0 }})")
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_expressions_print_to_the_same_tree(source in expression()) {
        // check_formatting asserts idempotence and the tree.
        printed(&source);
    }
}

/// The runs of whitespace of a source text outside strings and comments, as byte ranges,
/// each with whether a comment touches it (directly before or after).
fn whitespace_runs(text: &str) -> Vec<(usize, usize, bool)> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let (mut i, mut in_string, mut comment_end) = (0, false, usize::MAX);
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
        } else if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            comment_end = i;
        } else if b.is_ascii_whitespace() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let touches = start == comment_end || text[i..].starts_with("//");
            // The spaces inside `EUR 5.00`, `30 days`, `3 business days` are part of the
            // literal: they are never touched.
            let word = text[..start]
                .rsplit(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .unwrap_or("");
            let in_literal = word.ends_with(|c: char| c.is_ascii_digit())
                || (word.len() == 3 && word.chars().all(|c| c.is_ascii_uppercase()))
                || word == "business"
                || word == "working";
            if !in_literal {
                runs.push((start, i, touches));
            }
        } else {
            i += 1;
        }
    }
    runs
}

/// The bundled contracts and scenarios, as (name, kind, text).
fn bundled() -> Vec<(String, Kind, String)> {
    let root = common::root();
    let mut paths = Vec::new();
    sources(&root.join("contracts"), &mut paths);
    sources(&root.join("tests/scenarios"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.display().to_string();
            let kind = terms::fmt::kind_of(&name, &text).unwrap();
            (name, kind, text)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A comment put at any place between two words, where the file still parses, is
    /// kept, in order, and the tree does not change.
    #[test]
    fn comments_anywhere_are_kept(file in 0usize..1000, picks in prop::collection::vec(0usize..100_000, 1..12)) {
        let files = bundled();
        let (name, kind, text) = &files[file % files.len()];
        let runs = whitespace_runs(text);
        let mut at: Vec<usize> = picks.iter().map(|p| runs[p % runs.len()].0).collect();
        at.sort_unstable();
        at.dedup();
        let mut out = String::new();
        let mut last = 0;
        for (k, &pos) in at.iter().enumerate() {
            out.push_str(&text[last..pos]);
            out.push_str(&format!(" // inserted {k}\n"));
            last = pos;
        }
        out.push_str(&text[last..]);
        prop_assert!(tree(*kind, &out).is_ok(), "{out}");
        check_formatting(name, *kind, &out);
    }

    /// Other whitespace between words (spaces, tabs, line breaks, but no new blank line and
    /// none next to a comment) gives the same formatted file.
    #[test]
    fn the_layout_does_not_depend_on_the_whitespace_written(file in 0usize..1000, seed in prop::collection::vec(0usize..6, 64)) {
        let files = bundled();
        let (name, kind, text) = &files[file % files.len()];
        let mut out = String::new();
        let mut last = 0;
        for (k, (start, end, touches)) in whitespace_runs(text).into_iter().enumerate() {
            out.push_str(&text[last..start]);
            let run = &text[start..end];
            let blank = run.matches('\n').count() > 1;
            if touches || blank {
                out.push_str(run);
            } else {
                out.push_str([" ", "\n", "  \t ", "\n      ", " \r\n", "   "][seed[k % seed.len()]]);
            }
            last = end;
        }
        out.push_str(&text[last..]);
        prop_assert!(tree(*kind, &out).is_ok(), "{out}");
        let canonical = format(*kind, text).unwrap();
        prop_assert_eq!(check_formatting(name, *kind, &out), canonical);
    }
}

// ---------------------------------------------------------------- the command

fn terms(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_terms"))
        .args(args)
        .current_dir(common::root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A fresh folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("terms-fmt-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn check_passes_on_a_canonical_file() {
    let (code, out, err) = terms(
        &[
            "fmt",
            "--check",
            "contracts/qualifio.terms",
            "tests/scenarios/qualifio/qf-2.scenario",
        ],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "");
}

#[test]
fn check_fails_on_a_messy_file_without_touching_it_and_fmt_rewrites_it() {
    let dir = scratch("rewrite");
    let path = dir.join("messy.terms");
    std::fs::write(&path, MESSY).unwrap();
    let p = path.to_str().unwrap();

    let (code, out, err) = terms(&["fmt", "--check", p], None);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("messy.terms: would be reformatted"), "{out}");
    assert!(out.contains("-contract  demo"), "{out}");
    assert!(out.contains("+contract demo"), "{out}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), MESSY);

    let (code, out, err) = terms(&["fmt", p], None);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), TIDY);
    // Nothing else was left in the folder.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);

    let (code, _, err) = terms(&["fmt", "--check", p], None);
    assert_eq!(code, 0, "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn rewriting_keeps_a_link_a_link_and_the_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("link");
    let target = dir.join("messy.terms");
    std::fs::write(&target, MESSY).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.join("link.terms");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let (code, _, err) = terms(&["fmt", link.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), TIDY);
    let mode = std::fs::metadata(&target).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_invalid_file_exits_two_with_a_diagnostic_and_is_left_alone() {
    let dir = scratch("invalid");
    let path = dir.join("broken.terms");
    let broken = "contract x\nparty a\nobligation o article \"1\" {\n";
    std::fs::write(&path, broken).unwrap();
    for check in [true, false] {
        let mut args = vec!["fmt"];
        if check {
            args.push("--check");
        }
        args.push(path.to_str().unwrap());
        let (code, _, err) = terms(&args, None);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("terms::syntax::unexpected"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn histories_are_refused() {
    let (code, _, err) = terms(&["fmt", "tests/histories/ecom/ec-1.jsonl"], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("terms::cli::fmt_unsupported"), "{err}");
}

#[test]
fn the_refusal_of_a_history_is_a_diagnostic_with_help() {
    let file = terms::source::SourceFile::new("ec-1.csv", "");
    let kind = terms::fmt::kind_of("ec-1.csv", "");
    let failure = terms::Failure::in_file(&file, vec![kind.unwrap_err()]);
    insta::assert_snapshot!(failure.render());
}

#[test]
fn standard_input_is_formatted_to_standard_output() {
    let (code, out, err) = terms(&["fmt", "-"], Some(MESSY));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, TIDY);
    let (code, out, _) = terms(&["fmt", "--check", "-"], Some(MESSY));
    assert_eq!(code, 1);
    assert!(out.contains("<stdin>: would be reformatted"), "{out}");
    let (code, out, _) = terms(&["fmt", "-"], Some("scenario \"s\"   as of 2025-01-01"));
    assert_eq!(code, 0);
    assert_eq!(out, "scenario \"s\"\nas of 2025-01-01\n");
}

/// Formatting every bundled contract against parsing it, in one run
/// (`cargo test --release --test fmt -- --ignored --nocapture`).
#[test]
#[ignore]
fn formatting_speed_against_parsing() {
    let mut texts = Vec::new();
    for vendor in ["clientcom", "deardigital", "ecom", "ikanbi", "qualifio"] {
        let path = common::root().join(format!("contracts/{vendor}.terms"));
        texts.push(std::fs::read_to_string(path).unwrap());
    }
    let rounds = 50;
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        for t in &texts {
            terms::syntax::parse_contract(t).unwrap();
        }
    }
    let parse = start.elapsed();
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        for t in &texts {
            terms::fmt::format_contract(t).unwrap();
        }
    }
    let fmt = start.elapsed();
    println!(
        "parse {:?} per round, format {:?} per round, ratio {:.2}",
        parse / rounds,
        fmt / rounds,
        fmt.as_secs_f64() / parse.as_secs_f64()
    );
}

/// The declarations of issue 9's libraries: `use`, `channel … counts as`, a library header,
/// holidays with substitution rules, each printed on its line.
#[test]
fn libraries_channels_and_substitutions_get_the_canonical_layout() {
    let messy = "library  post   \"Post\"\nuse   belgium\nuse \"x.terms\"\nchannel courier\n  \"by courier\"   counts   as\n registered_letter\ncalendar nl {\nholiday koningsdag on 04-27  moves to previous saturday if sunday\n holiday x on 12-25 moves to next monday if saturday or sunday moves to next tuesday if monday\n}\n";
    assert_eq!(
        format(Kind::Contract, messy).unwrap(),
        "library post \"Post\"\nuse belgium\nuse \"x.terms\"\nchannel courier \"by courier\" counts as registered_letter\ncalendar nl {\n  holiday koningsdag on 04-27 moves to previous saturday if sunday\n  holiday x on 12-25 moves to next monday if saturday or sunday moves to next tuesday if monday\n}\n"
    );
}

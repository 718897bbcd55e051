//! `terms eval CONTRACT --batch DIR|-`: one JSON line per history, in order, each the report
//! `eval --format json` prints plus where it came from; invalid inputs give diagnostic lines
//! and exit status 2.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

fn terms(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_terms"))
        .args(args)
        .current_dir(common::root())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        let input = input.to_string();
        std::thread::spawn(move || pipe.write_all(input.as_bytes()));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A batch line without its `input` key, and that key.
fn split(line: &str) -> (Value, Value) {
    let mut v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let input = v.as_object_mut().unwrap().remove("input").unwrap();
    (v, input)
}

fn eval_json(contract: &str, scenario: &str) -> Value {
    let (code, out, err) = terms(&["eval", contract, scenario, "--format", "json"], None);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn a_folder_gives_one_line_per_file_in_order_equal_to_eval() {
    for vendor in ["ikanbi", "qualifio"] {
        let contract = format!("contracts/{vendor}.terms");
        let folder = format!("tests/scenarios/{vendor}");
        let (code, out, err) = terms(&["eval", &contract, "--batch", &folder], None);
        assert_eq!(code, 0, "{err}");
        let mut files: Vec<String> = std::fs::read_dir(common::root().join(&folder))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_str().unwrap().to_string())
            .filter(|n| n.ends_with(".scenario"))
            .map(|n| format!("{folder}/{n}"))
            .collect();
        files.sort();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), files.len(), "{out}");
        for (line, file) in lines.iter().zip(&files) {
            let (report, input) = split(line);
            assert_eq!(input["file"], file.as_str());
            assert!(input.get("line").is_none());
            assert_eq!(report, eval_json(&contract, file), "{file}");
        }
    }
}

#[test]
fn a_folder_of_mixed_formats_reads_each_by_its_extension() {
    let (code, out, err) = terms(
        &[
            "eval",
            "contracts/qualifio.terms",
            "--batch",
            "tests/histories/qualifio",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let inputs: Vec<String> = out
        .lines()
        .map(|l| split(l).1["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        inputs,
        [
            "tests/histories/qualifio/qf-2.csv",
            "tests/histories/qualifio/qf-4.csv",
            "tests/histories/qualifio/qf-4.jsonl",
        ]
    );
    let qf4 = eval_json(
        "contracts/qualifio.terms",
        "tests/scenarios/qualifio/qf-4.scenario",
    );
    for line in out.lines().skip(1) {
        assert_eq!(split(line).0, qf4);
    }
}

/// One whole history per line of standard input.
const STDIN: &str = r#"{"scenario": "IK-1 late payment", "contract": "ikanbi", "as_of": "2025-05-31", "events": [{"id": "INV-1", "kind": "invoice", "on": "2025-03-03", "amount": "EUR 2000.00"}, {"id": "PAY-1", "kind": "payment", "on": "2025-05-12", "by": "client", "amount": "EUR 2000.00", "invoice": "INV-1"}]}

{"scenario": "IK-6 liability cap", "contract": "ikanbi", "as_of": "2025-09-30", "facts": {"annual_price": "EUR 24000.00"}, "events": [{"id": "claim-1", "kind": "claim", "on": "2025-09-01", "by": "client", "amount": "EUR 50000.00", "wilful_misconduct": false, "gross_negligence": false}, {"id": "claim-2", "kind": "claim", "on": "2025-09-01", "by": "client", "amount": "EUR 50000.00", "wilful_misconduct": false, "gross_negligence": true}]}
"#;

#[test]
fn standard_input_gives_one_line_per_history() {
    let (code, out, err) = terms(
        &["eval", "contracts/ikanbi.terms", "--batch", "-"],
        Some(STDIN),
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    let (first, input) = split(lines[0]);
    assert_eq!(input, serde_json::json!({"file": "-", "line": 1}));
    assert_eq!(
        first,
        eval_json(
            "contracts/ikanbi.terms",
            "tests/scenarios/ikanbi/ik-1.scenario"
        )
    );
    let (second, input) = split(lines[1]);
    assert_eq!(input, serde_json::json!({"file": "-", "line": 3}));
    assert_eq!(
        second,
        eval_json(
            "contracts/ikanbi.terms",
            "tests/scenarios/ikanbi/ik-6.scenario"
        )
    );
    // Piped: no progress bar on standard error.
    assert!(err.is_empty(), "{err}");
}

#[test]
fn an_invalid_input_gives_a_diagnostic_line_and_exit_two() {
    let input = format!(
        "{}\n{{\"as_of\": \"2025-05-31\", \"events\": [{{\"id\": \"I\", \"kind\": \"invoice\", \"on\": \"2025-03-03\", \"amount\": \"EUR 1,00\"}}]}}\nnot json\n{}",
        STDIN.lines().next().unwrap(),
        STDIN.lines().nth(2).unwrap()
    );
    let (code, out, err) = terms(
        &["eval", "contracts/ikanbi.terms", "--batch", "-"],
        Some(&input),
    );
    assert_eq!(code, 2, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0]["obligations"].is_array());
    assert!(lines[3]["obligations"].is_array());
    let bad = &lines[1];
    assert_eq!(bad["input"]["line"], 2);
    let d = &bad["diagnostics"][0];
    assert_eq!(d["code"], "terms::syntax::unexpected");
    assert_eq!(d["line"], 2);
    assert!(d["column"].as_u64().unwrap() > 1);
    assert!(!d["help"].as_str().unwrap().is_empty());
    assert_eq!(lines[2]["diagnostics"][0]["code"], "terms::syntax::jsonl");
    assert_eq!(lines[2]["diagnostics"][0]["line"], 3);
    // The diagnostics are also rendered for a person on standard error.
    assert!(err.contains("terms::syntax::jsonl"), "{err}");
    assert!(err.contains("help:"), "{err}");
}

#[test]
fn an_invalid_file_in_a_folder_does_not_stop_the_batch() {
    let dir = std::env::temp_dir().join(format!("terms-batch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::copy(
        common::root().join("tests/scenarios/ikanbi/ik-1.scenario"),
        dir.join("a.scenario"),
    )
    .unwrap();
    std::fs::copy(
        common::root().join("tests/invalid/csv/wrong_cell_count.csv"),
        dir.join("b.csv"),
    )
    .unwrap();
    std::fs::copy(
        common::root().join("tests/histories/ikanbi/ik-1.jsonl"),
        dir.join("sub/c.jsonl"),
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "not a history").unwrap();
    let (code, out, err) = terms(
        &[
            "eval",
            "contracts/ikanbi.terms",
            "--batch",
            dir.to_str().unwrap(),
        ],
        None,
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 2, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0]["input"]["file"]
        .as_str()
        .unwrap()
        .ends_with("a.scenario"));
    assert_eq!(lines[1]["diagnostics"][0]["code"], "terms::syntax::csv");
    assert_eq!(lines[1]["diagnostics"][0]["line"], 5);
    assert!(lines[1]["diagnostics"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with("b.csv"));
    assert_eq!(lines[0]["totals"], lines[2]["totals"]);
    assert!(err.contains("terms::syntax::csv"), "{err}");
}

#[test]
fn batch_usage_errors() {
    // An invalid contract stops before any input is read.
    let (code, out, err) = terms(
        &[
            "eval",
            "tests/invalid/contract/unknown_party.terms",
            "--batch",
            "tests/scenarios/ikanbi",
        ],
        None,
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("terms::check::unknown_party"), "{err}");
    // A folder that does not exist.
    let (code, _, err) = terms(
        &["eval", "contracts/ikanbi.terms", "--batch", "tests/nowhere"],
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("terms::io::unreadable"), "{err}");
    // --batch prints JSON only; a scenario and --batch together are refused.
    let (code, _, _) = terms(
        &[
            "eval",
            "contracts/ikanbi.terms",
            "--batch",
            "-",
            "--format",
            "text",
        ],
        Some(""),
    );
    assert_eq!(code, 2);
    let (code, _, _) = terms(
        &[
            "eval",
            "contracts/ikanbi.terms",
            "tests/scenarios/ikanbi/ik-1.scenario",
            "--batch",
            "-",
        ],
        Some(""),
    );
    assert_eq!(code, 2);
    // Empty standard input: nothing to do, nothing wrong.
    let (code, out, _) = terms(
        &["eval", "contracts/ikanbi.terms", "--batch", "-"],
        Some(""),
    );
    assert_eq!(code, 0);
    assert!(out.is_empty());
}

/// Many inputs, more than one window: order is kept.
#[test]
fn order_is_kept_across_windows() {
    let line = STDIN.lines().next().unwrap();
    let n = terms::batch::window() * 3 + 5;
    let input: String = (0..n).map(|_| format!("{line}\n")).collect();
    let (code, out, err) = terms(
        &["eval", "contracts/ikanbi.terms", "--batch", "-"],
        Some(&input),
    );
    assert_eq!(code, 0, "{err}");
    let numbers: Vec<u64> = out
        .lines()
        .map(|l| split(l).1["line"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, (1..=n as u64).collect::<Vec<_>>());
}

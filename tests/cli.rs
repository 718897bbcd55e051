//! The `terms` binary as a user runs it.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

use std::process::Command;

fn terms(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_terms"))
        .args(args)
        .current_dir(common::root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_passes_on_the_bundled_contracts() {
    let (code, out, err) = terms(&["check", "contracts/qualifio.terms", "contracts/ecom.terms"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("contracts/qualifio.terms: ok"));
    assert!(out.contains("contracts/ecom.terms: ok"));
}

/// `terms check` checks library files too (told by their `library` header), with the
/// libraries they use; a cycle of `use` is exit 2 with the diagnostic in the closing file.
#[test]
fn check_passes_on_the_shipped_libraries() {
    let (code, out, err) = terms(&[
        "check",
        "lib/belgium.terms",
        "lib/netherlands.terms",
        "tests/libraries/post.terms",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("lib/netherlands.terms: ok"), "{out}");
    let (code, _, err) = terms(&["check", "tests/libraries/cycle_a.terms"]);
    assert_eq!(code, 2);
    assert!(err.contains("terms::check::library_cycle"), "{err}");
    assert!(err.contains("tests/libraries/cycle_b.terms:3:5"), "{err}");
}

#[test]
fn eval_with_violations_exits_zero_and_json_has_the_stated_shape() {
    let (code, out, err) = terms(&[
        "eval",
        "contracts/qualifio.terms",
        "tests/scenarios/qualifio/qf-2.scenario",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in ["obligations", "violations", "rights", "amounts", "dates"] {
        assert!(json[key].is_array(), "{key}");
    }
    let amounts = json["amounts"].as_array().unwrap();
    assert_eq!(amounts[0]["clause"], "3.6.1");
    assert_eq!(amounts[0]["amount"], "100.00");
    assert_eq!(amounts[1]["amount"], "200.00");
}

#[test]
fn as_of_overrides_the_scenario_date() {
    // As of 2025-02-14 the invoice is due that very day: still pending, no violation.
    let (code, out, _) = terms(&[
        "eval",
        "contracts/qualifio.terms",
        "tests/scenarios/qualifio/qf-3.scenario",
        "--as-of",
        "2025-02-14",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["obligations"][0]["status"], "pending");
    assert_eq!(json["violations"].as_array().unwrap().len(), 0);
}

#[test]
fn invalid_input_exits_two_with_a_diagnostic() {
    let (code, out, err) = terms(&["check", "tests/invalid/contract/unknown_party.terms"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("terms::check::unknown_party"), "{err}");
    let (code, _, err) = terms(&[
        "eval",
        "contracts/qualifio.terms",
        "tests/invalid/scenario/duplicate_id.scenario",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("terms::scenario::duplicate_id"), "{err}");
    let (code, _, err) = terms(&["eval", "contracts/qualifio.terms", "no/such/file.scenario"]);
    assert_eq!(code, 2);
    assert!(err.contains("terms::io::unreadable"), "{err}");
}

#[test]
fn check_scenarios_against_a_contract() {
    let (code, out, err) = terms(&[
        "check",
        "--contract",
        "contracts/ecom.terms",
        "tests/scenarios/ecom/ec-1.scenario",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ec-1.scenario: ok"));
}

#[test]
fn explain_writes_out_the_derivation_of_one_entry() {
    let (code, out, err) = terms(&[
        "explain",
        "contracts/ikanbi.terms",
        "tests/scenarios/ikanbi/ik-1.scenario",
        "late_interest",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("days(delay) = 40"), "{out}");
    assert!(out.contains("= 26.30"), "{out}");
    assert!(
        !out.contains("fixed_compensation"),
        "only the entry asked for: {out}"
    );
}

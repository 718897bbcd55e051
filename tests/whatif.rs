//! `terms eval --what-if` and `terms explain --what-if`: acts added for one run, and what
//! they change, on the bundled contracts; values computed by hand.

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

/// QF-3: an invoice of EUR 5,000.00 of 2025-01-15, due 2025-02-14, unpaid as of 2025-04-10.
/// What if the customer had paid on 2025-03-01? The obligation is met late (2025-02-14 →
/// 2025-03-01 = 15 days), the outstanding invoice disappears, the suspension right closes.
#[test]
fn a_payment_added_to_an_unpaid_invoice() {
    let (code, out, err) = terms(&[
        "eval",
        "contracts/qualifio.terms",
        "tests/scenarios/qualifio/qf-3.scenario",
        "--what-if",
        "payment on 2025-03-01 by customer { amount: EUR 5000.00, invoice: inv-1 }",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("WHAT IF\n"), "{out}");
    assert!(
        out.contains("  as of      2025-04-10, with and without the added acts\n"),
        "{out}"
    );
    assert!(out.contains("violated (done 2025-03-01)"), "{out}");
    assert!(out.contains("late done 2025-03-01, 15 days late"), "{out}");
    insta::assert_snapshot!("qf3_payment", out);
}

/// EC-1 without its payment: an invoice of EUR 600.00 of 2025-01-10, due 2025-01-24. Paid
/// 2025-03-30 (as EC-1): 3 started months → interest 600.00 × 3 × 1% = 18.00, compensation
/// max(20% × 600.00, 150.00) = 150.00. Unpaid as of 2025-04-01, the interest runs to the
/// evaluation point: 2025-01-24 → 2025-04-01 is also 3 started months, 18.00; the payment
/// changes the violation and the outstanding invoice, not the amounts.
#[test]
fn a_payment_stops_the_interest_at_its_date() {
    let (code, out, err) = terms(&[
        "eval",
        "contracts/ecom.terms",
        "tests/whatif/ec-unpaid.scenario",
        "--what-if",
        "pay-1: payment on 2025-03-30 by client { amount: EUR 600.00, invoice: inv-1 }",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let what_if = &json["what_if"];
    assert_eq!(what_if["acts"][0]["id"], "pay-1");
    assert_eq!(what_if["as_of"], "2025-04-01");
    assert!(what_if["moved_from"].is_null());
    let totals = &json["totals"][0];
    assert_eq!(totals["amount"], "168.00");
    let changes = what_if["changes"].as_array().unwrap();
    let outstanding = changes
        .iter()
        .find(|c| c["section"] == "outstanding")
        .unwrap();
    assert_eq!(outstanding["change"], "disappears");
    assert_eq!(outstanding["before"], "EUR 600.00");

    // Paid on 2025-05-15 instead, after the scenario's 2025-04-01: both runs are as of
    // 2025-05-15. Unpaid, 2025-01-24 → 2025-05-15 is 4 started months: interest
    // 600.00 × 4 × 1% = 24.00 either way, so no amount changes.
    let (code, out, err) = terms(&[
        "eval",
        "contracts/ecom.terms",
        "tests/whatif/ec-unpaid.scenario",
        "--what-if",
        "payment on 2025-05-15 by client { amount: EUR 600.00, invoice: inv-1 }",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("  as of      2025-05-15 (the day of the latest added act, after the scenario's 2025-04-01), with and without the added acts\n"), "{out}");
    assert!(out.contains("EUR        24.00"), "{out}");
    assert!(!out.contains("§11 amount"), "{out}");
    insta::assert_snapshot!("ec_unpaid_paid_later", out);
}

/// QF-1 without its acts is a subscription from 2024-10-01 for 12 months, renewed tacitly,
/// notice by registered letter at least 3 months before the end: deadline 2025-06-30. A
/// notice by email is rejected (wrong channel); one by registered letter on 2025-06-01 is
/// effective and the term ends 2025-09-30 instead of renewing until 2026-09-30.
#[test]
fn a_termination_by_email_is_ineffective_by_letter_it_ends_the_term() {
    let (code, out, err) = terms(&[
        "eval",
        "contracts/qualifio.terms",
        "tests/whatif/qf-subscription.scenario",
        "--what-if",
        "termination on 2025-06-01 by customer via email",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("  appears    §5.1 notice notice via email [what-if-1]: ineffective: sent by email: only registered_letter counts\n"),
        "{out}"
    );
    // The term still renews until 2026-09-30; the report lists the passed deadline
    // 2025-06-30 (2025-09-30 − 3 months) once a notice was given for that period.
    assert!(
        out.contains("2026-09-30 period 2025-10-01 … 2026-09-30"),
        "{out}"
    );
    assert!(
        out.contains("  appears    §5.1 date termination deadline: 2025-06-30 "),
        "{out}"
    );
    assert!(!out.contains("term ends"), "{out}");
    insta::assert_snapshot!("qf_email_termination", out);

    let (code, out, err) = terms(&[
        "eval",
        "contracts/qualifio.terms",
        "tests/whatif/qf-subscription.scenario",
        "--what-if",
        "termination on 2025-06-01 by customer via registered_letter",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("  appears    §5.1 date term ends: 2025-09-30 (ended by notice `what-if-1`; period 2024-10-01 … 2025-09-30)\n"),
        "{out}"
    );
    assert!(
        out.contains("  disappears §5.1 date renewed until: 2026-09-30"),
        "{out}"
    );
    insta::assert_snapshot!("qf_letter_termination", out);
}

/// Several acts, `;` between them or one `--what-if` each; `explain` shows the same block.
#[test]
fn several_acts_and_explain() {
    let (code, out, err) = terms(&[
        "explain",
        "contracts/qualifio.terms",
        "tests/whatif/qf-subscription.scenario",
        "what-if-2",
        "--what-if",
        "termination on 2025-05-02 by customer via email; termination on 2025-06-01 by customer via registered_letter",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("WHAT IF\n  added      [what-if-1] termination on 2025-05-02 by customer via email\n  added      [what-if-2] termination on 2025-06-01 by customer via registered_letter\n"), "{out}");
    assert!(out.contains("term ends"), "{out}");
}

/// A bad act is a diagnostic in the `--what-if` source; an act after an explicit `--as-of`
/// is refused; nothing is printed on standard output.
#[test]
fn bad_acts_are_diagnostics_in_the_what_if_source() {
    let (code, out, err) = terms(&[
        "eval",
        "contracts/qualifio.terms",
        "tests/whatif/qf-subscription.scenario",
        "--what-if",
        "termination on 2025-06-01 by custome via registered_letter",
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("terms::scenario::unknown_party"), "{err}");
    assert!(err.contains("--what-if:1:30"), "{err}");

    let (code, _, err) = terms(&[
        "eval",
        "contracts/qualifio.terms",
        "tests/whatif/qf-subscription.scenario",
        "--what-if",
        "termination 2025-06-01",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("terms::syntax::unexpected"), "{err}");
    assert!(err.contains("--what-if:1:1"), "{err}");

    let (code, _, err) = terms(&[
        "eval",
        "contracts/qualifio.terms",
        "tests/whatif/qf-subscription.scenario",
        "--as-of",
        "2025-05-01",
        "--what-if",
        "termination on 2025-06-01 by customer via registered_letter",
    ]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("after_as_of", err);
}

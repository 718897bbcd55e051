//! `terms compare`: one scenario shape against several bundled contracts, side by side;
//! amounts and dates computed by hand.

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

const LATE: [&str; 7] = [
    "compare",
    "contracts/ecom.terms",
    "contracts/ikanbi.terms",
    "contracts/deardigital.terms",
    "contracts/leasewise.terms",
    "--scenario",
    "tests/compare/late-invoice.toml",
];

/// An invoice of EUR 1,000.00 of 2025-03-03 paid 45 days late:
/// - Ecom 10–11: due 2025-03-17, paid 2025-05-01; 2 started months → interest
///   1,000.00 × 2 × 1% = 20.00; compensation max(20% × 1,000.00, 150.00) = 200.00; 220.00.
/// - iKanbi 4.5: due 2025-04-02, paid 2025-05-17; interest 1,000.00 × 12% × 45 / 365 =
///   14.79; compensation max(15% × 1,000.00, 75.00) = 150.00; 164.79.
/// - Dear Digital E.7: due 2025-04-02, paid 2025-05-17; 6 complete weeks → late fee
///   1,000.00 × 2% × 6 = 120.00.
/// - Leasewise: no `invoice` kind, not applicable.
#[test]
fn a_late_invoice_across_vendors() {
    let (code, out, err) = terms(&LATE);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("pay the invoice [inv]       §10 late, 45 days  §4.5 late, 45 days  §E.7 late, 45 days  n/a\n"),
        "{out}"
    );
    assert!(
        out.contains("interest                    EUR 20.00 §11      EUR 14.79 §4.5      -                   n/a\n"),
        "{out}"
    );
    assert!(
        out.contains("total owed by the customer  EUR 220.00         EUR 164.79          EUR 120.00          n/a\n"),
        "{out}"
    );
    assert!(
        out.contains("  leasewise: the contract declares no event kind `invoice` (terms::scenario::unknown_event_kind)\n"),
        "{out}"
    );
    insta::assert_snapshot!("late_invoice", out);
}

#[test]
fn the_json_has_a_column_per_contract_and_cells_per_row() {
    let mut args = LATE.to_vec();
    args.extend(["--format", "json"]);
    let (code, out, err) = terms(&args);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["as_of"], "2025-06-30");
    let contracts = json["contracts"].as_array().unwrap();
    assert_eq!(contracts.len(), 4);
    assert_eq!(contracts[0]["contract"], "ecom");
    assert_eq!(contracts[0]["applicable"], true);
    assert_eq!(contracts[0]["report"]["totals"][0]["amount"], "220.00");
    assert_eq!(contracts[3]["applicable"], false);
    assert_eq!(
        contracts[3]["reason"]["code"],
        "terms::scenario::unknown_event_kind"
    );
    assert!(contracts[3]["report"].is_null());
    let rows = json["rows"].as_array().unwrap();
    let compensation = rows.iter().find(|r| r["label"] == "compensation").unwrap();
    assert_eq!(compensation["section"], "amount");
    assert_eq!(compensation["cells"][0]["text"], "EUR 200.00 §11");
    assert_eq!(compensation["cells"][1]["articles"][0], "4.5");
    assert!(compensation["cells"][2].is_null());
}

/// Leaving on 2025-07-01 by registered letter:
/// - Qualifio 5.1: subscription from 2024-10-01 for 12 months; the deadline was 2025-06-30
///   (2025-09-30 − 3 months), so the notice is late and the term renews until 2026-09-30.
/// - Ecom 14: only email counts, the letter is ineffective; deadline 2025-12-16.
/// - Dear Digital M.9: the notice period ends 2025-09-30; fees for August and September
///   remain due: 2 × 2,500.00 = 5,000.00.
/// - iKanbi: no termination notice kind, not applicable.
#[test]
fn leaving_as_soon_as_possible_across_vendors() {
    let (code, out, err) = terms(&[
        "compare",
        "contracts/qualifio.terms",
        "contracts/ecom.terms",
        "contracts/deardigital.terms",
        "contracts/ikanbi.terms",
        "--scenario",
        "tests/compare/leave-now.toml",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "§5.1 ineffective: counts on posting (2025-07-01), after the deadline 2025-06-30"
        ),
        "{out}"
    );
    assert!(
        out.contains("§14 ineffective: sent by registered_letter: only email counts"),
        "{out}"
    );
    assert!(out.contains("EUR 5,000.00 §M.9"), "{out}");
    assert!(out.contains("§M.9 2025-09-30"), "{out}");
    assert!(out.contains("§5.1 2026-09-30"), "{out}");
    insta::assert_snapshot!("leave_now", out);
}

/// A shape that is not valid TOML, or whose events do not parse, is a diagnostic in the
/// shape file (exit 2).
#[test]
fn a_bad_shape_is_a_diagnostic() {
    let dir = std::env::temp_dir().join(format!("terms-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.toml");
    std::fs::write(
        &path,
        "title = \"bad\"\nas_of = \"2025-06-30\"\nevents = \"\"\"\nevent inv: invoice 2025-03-03\n\"\"\"\n",
    )
    .unwrap();
    let (code, out, err) = terms(&[
        "compare",
        "contracts/ecom.terms",
        "--scenario",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("terms::syntax::unexpected"), "{err}");
    assert!(err.contains("bad.toml:4:"), "{err}");

    std::fs::write(
        &path,
        "title = \"bad\"\nas_of = \"2025-06-30\"\nevent = \"\"\n",
    )
    .unwrap();
    let (code, _, err) = terms(&[
        "compare",
        "contracts/ecom.terms",
        "--scenario",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    let err = err.replace(path.to_str().unwrap(), "bad.toml");
    insta::assert_snapshot!("bad_shape", err);
    std::fs::remove_dir_all(&dir).unwrap();
}

//! `contracts/leasewise.terms`, an equipment lease written for this project: state over time
//! (the balance after each payment, arrears that stop at zero), late interest, early
//! termination with a buy-out, the lessor's right after two unpaid instalments. Each
//! scenario's values are computed by hand in its header and here.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use terms::eval::{ObligationStatus, RightStatus};
use terms::report::Report;

fn eval(case: &str) -> Report {
    common::eval("leasewise", case)
}

fn eval_as_of(case: &str, as_of: &str) -> Report {
    let contract = terms::read_source(&common::root().join("contracts/leasewise.terms")).unwrap();
    let scenario = terms::read_source(
        &common::root().join(format!("tests/scenarios/leasewise/{case}.scenario")),
    )
    .unwrap();
    let as_of = chrono::NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap();
    terms::run(&contract, &scenario, Some(as_of.into()))
        .unwrap_or_else(|f| panic!("{}", f.render()))
}

/// A state's entries: (event, value) after each step, then (None, value) as of the date.
fn state(r: &Report, clause: &str) -> Vec<(Option<String>, String)> {
    r.outcome
        .values
        .iter()
        .filter(|v| v.source.clause_id == clause)
        .map(|v| (v.source.event.clone(), v.value.clone()))
        .collect()
}

fn steps(pairs: &[(&str, &str)], last: &str) -> Vec<(Option<String>, String)> {
    pairs
        .iter()
        .map(|(e, v)| (Some(e.to_string()), v.to_string()))
        .chain([(None, last.to_string())])
        .collect()
}

fn amounts(r: &Report, clause: &str) -> Vec<String> {
    r.outcome
        .amounts
        .iter()
        .filter(|a| a.source.clause_id == clause)
        .map(|a| a.amount.to_string())
        .collect()
}

fn total(r: &Report, debtor: &str) -> String {
    r.outcome
        .totals
        .iter()
        .find(|t| t.debtor == debtor)
        .map_or_else(String::new, |t| t.amount.to_string())
}

#[test]
fn lw1_the_balance_after_each_payment() {
    let r = eval("lw-1");
    // 10,000.00 × 1.005 = 10,050.00; − 1,000.00 = 9,050.00; × 1.005 = 9,095.25;
    // − 1,000.00 = 8,095.25; × 1.005 = 8,135.72625 → 8,135.73; − 1,000.00 = 7,135.73.
    assert_eq!(
        state(&r, "balance"),
        steps(
            &[
                ("i-02", "10,050.00"),
                ("p-02", "9,050.00"),
                ("i-03", "9,095.25"),
                ("p-03", "8,095.25"),
                ("i-04", "8,135.73"),
                ("p-04", "7,135.73"),
            ],
            "7,135.73"
        )
    );
    // The rounding is explicit: the exact 8,135.72625, then to the cent.
    let april = r
        .outcome
        .values
        .iter()
        .find(|v| v.source.clause_id == "balance" && v.source.event.as_deref() == Some("i-04"))
        .unwrap();
    assert_eq!(april.steps.len(), 2);
    assert_eq!(april.steps[0].result, "8135.72625");
    assert_eq!(april.steps[1].what, "rounding");
    assert_eq!(april.ty, "money");
    // Arrears: each instalment, then its payment.
    assert_eq!(
        state(&r, "arrears"),
        steps(
            &[
                ("i-02", "1,000.00"),
                ("p-02", "0.00"),
                ("i-03", "1,000.00"),
                ("p-03", "0.00"),
                ("i-04", "1,000.00"),
                ("p-04", "0.00"),
            ],
            "0.00"
        )
    );
    assert!(r
        .outcome
        .obligations
        .iter()
        .all(|o| o.status == ObligationStatus::Met));
    assert!(r.outcome.amounts.is_empty());
    assert!(r
        .outcome
        .rights
        .iter()
        .all(|x| x.source.clause_id != "terminate_for_default"));
}

#[test]
fn lw1_as_of_a_day_only_the_steps_so_far() {
    // As of 2025-03-04 the March instalment has not fallen due: two steps, 9,050.00.
    let r = eval_as_of("lw-1", "2025-03-04");
    assert_eq!(
        state(&r, "balance"),
        steps(&[("i-02", "10,050.00"), ("p-02", "9,050.00")], "9,050.00")
    );
    // Before any event, the state is its start.
    let r = eval_as_of("lw-1", "2025-01-31");
    assert_eq!(state(&r, "balance"), steps(&[], "10,000.00"));
}

#[test]
fn lw2_a_late_instalment() {
    let r = eval("lw-2");
    // 1,000.00 unpaid for 20 days: 20,000.00 × 8% / 365 = 4.3835… → 4.38.
    assert_eq!(amounts(&r, "late_interest"), ["4.38"]);
    assert_eq!(amounts(&r, "collection_costs"), ["25.00"]);
    // 4.38 + 25.00.
    assert_eq!(total(&r, "lessee"), "29.38");
    // The balance is LW-1's: interest on the balance falls on the due days.
    let balance = state(&r, "balance");
    assert_eq!(balance.last().unwrap().1, "7,135.73");
    assert_eq!(
        balance.get(3),
        Some(&(Some(String::from("p-03")), String::from("8,095.25")))
    );
    // The arrears hold the March instalment from 2025-03-05 to its payment on 2025-03-25.
    let r = eval_as_of("lw-2", "2025-03-20");
    assert_eq!(state(&r, "arrears").last().unwrap().1, "1,000.00");
}

#[test]
fn lw3_two_unpaid_instalments_open_the_lessors_right() {
    let r = eval("lw-3");
    // Arrears 1,000.00, 0.00, 1,000.00, 2,000.00.
    assert_eq!(
        state(&r, "arrears"),
        steps(
            &[
                ("i-02", "1,000.00"),
                ("p-02", "0.00"),
                ("i-03", "1,000.00"),
                ("i-04", "2,000.00"),
            ],
            "2,000.00"
        )
    );
    // 6,000.00 × 1.005 = 6,030.00; − 1,000.00 = 5,030.00; × 1.005 = 5,055.15;
    // × 1.005 = 5,080.42575 → 5,080.43.
    assert_eq!(state(&r, "balance").last().unwrap().1, "5,080.43");
    let default: Vec<_> = r
        .outcome
        .rights
        .iter()
        .filter(|x| x.source.clause_id == "terminate_for_default")
        .collect();
    // Only for i-04: 1,000.00 in arrears before it (none before i-03).
    assert_eq!(default.len(), 1);
    assert_eq!(default[0].source.event.as_deref(), Some("i-04"));
    assert_eq!(default[0].status, RightStatus::Open);
    assert_eq!(
        default[0].from.map(|d| d.to_string()).as_deref(),
        Some("2025-04-06")
    );
    // 46 days on 1,000.00: 3,680.00 / 365 = 10.0821… → 10.08; 15 days: 1,200.00 / 365 =
    // 3.2876… → 3.29.
    assert_eq!(amounts(&r, "late_interest"), ["10.08", "3.29"]);
    assert_eq!(amounts(&r, "collection_costs"), ["25.00", "25.00"]);
    // 10.08 + 3.29 + 25.00 + 25.00.
    assert_eq!(total(&r, "lessee"), "63.37");
}

#[test]
fn lw4_early_termination_buys_out_the_balance() {
    let r = eval("lw-4");
    // The balance on the day of the letter, 2025-04-15: 8,095.25 (the later payment does not
    // change what was owed that day).
    assert_eq!(amounts(&r, "buy_out"), ["8095.25"]);
    // 3% × 8,095.25 = 242.8575 → 242.86.
    assert_eq!(amounts(&r, "termination_fee"), ["242.86"]);
    // 8,095.25 + 242.86.
    assert_eq!(total(&r, "lessee"), "8338.11");
    // The payment of 8,338.11 on 2025-04-20: max(8,095.25 − 8,338.11, 0.00) = 0.00.
    assert_eq!(
        state(&r, "balance"),
        steps(
            &[
                ("i-02", "10,050.00"),
                ("p-02", "9,050.00"),
                ("i-03", "9,095.25"),
                ("p-03", "8,095.25"),
                ("p-end", "0.00"),
            ],
            "0.00"
        )
    );
    assert_eq!(state(&r, "arrears").last().unwrap().1, "0.00");
    let early = r
        .outcome
        .rights
        .iter()
        .find(|x| x.source.clause_id == "terminate_early")
        .unwrap();
    assert_eq!(early.status, RightStatus::Exercised);
}

#[test]
fn explain_shows_how_a_state_was_reached() {
    let contract = common::root().join("contracts/leasewise.terms");
    let scenario = common::root().join("tests/scenarios/leasewise/lw-4.scenario");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_terms"))
        .args(["explain"])
        .arg(&contract)
        .arg(&scenario)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("§6.1 balance [p-end]"), "{text}");
    assert!(text.contains("max(balance - p.amount, EUR 0.00)"), "{text}");
    assert!(text.contains("balance = 8,095.25"), "{text}");
    assert!(
        text.contains("balance after 5 steps in date order"),
        "{text}"
    );
}

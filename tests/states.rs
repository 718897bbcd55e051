//! `state` clauses and `charged` (issue 9, state over time), on small contracts whose values
//! are computed by hand: the first step whose `where` holds, counters in a unit, a state read
//! by another state at an event, planned events after the evaluation date, the two-date form
//! of `charged`.
#![allow(clippy::unwrap_used, clippy::panic)]

use terms::report::Report;
use terms::source::SourceFile;

const CONTRACT: &str = r#"contract counters
party vendor
party client
currency EUR
unit GB "gigabytes"
event delivery { gb: GB }
event payment { amount: money }
event visit planned { }
event claim { amount: money }
param opening: money = EUR 100.00

// Steps of one kind: the first whose `where` holds.
state credit article "1" {
  starts opening
  on payment p where p.amount > EUR 50.00 => credit + p.amount * 2
  on payment p => credit + p.amount
  on visit v => credit - EUR 10.00
}

// A quantity that never falls below zero.
state stock article "2" {
  starts 0 GB
  on delivery d where d.gb > 0 GB => stock + d.gb
  on delivery d => max(stock + d.gb, 0 GB)
}

// A state read at an event by another state: the credit just before each delivery.
state credit_at_deliveries article "3" {
  starts EUR 0.00
  on delivery d => credit_at_deliveries + state_before(credit, d)
}

charge refund article "4" {
  for each claim c
  vendor owes client min(c.amount, EUR 100.00 - charged(refund, 30 days before c))
}

value refunded article "5" {
  is charged(refund, 2025-01-01, 2025-12-31)
}
"#;

fn run(events: &str, as_of: &str) -> Report {
    let contract = SourceFile::new("counters.terms", CONTRACT.to_string());
    let scenario = SourceFile::new(
        "counters.scenario",
        format!("scenario \"counters\"\nas of {as_of}\n{events}"),
    );
    terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()))
}

fn values(r: &Report, clause: &str) -> Vec<(Option<String>, String)> {
    r.outcome
        .values
        .iter()
        .filter(|v| v.source.clause_id == clause)
        .map(|v| (v.source.event.clone(), v.value.clone()))
        .collect()
}

fn at(e: &str, v: &str) -> (Option<String>, String) {
    (Some(e.to_string()), v.to_string())
}

fn last(v: &str) -> (Option<String>, String) {
    (None, v.to_string())
}

const EVENTS: &str = "\
event p1: payment on 2025-01-10 { amount: EUR 60.00 }
event p2: payment on 2025-01-20 { amount: EUR 20.00 }
event d1: delivery on 2025-01-15 { gb: 40 GB }
event d2: delivery on 2025-01-25 { gb: -70 GB }
event d3: delivery on 2025-02-01 { gb: 5 GB }
event v1: visit on 2025-01-30
event v2: visit on 2025-03-30
";

#[test]
fn the_first_step_whose_condition_holds_applies() {
    let r = run(EVENTS, "2025-02-28");
    // p1: 60.00 > 50.00: 100.00 + 60.00 × 2 = 220.00; p2: 220.00 + 20.00 = 240.00;
    // v1: 240.00 − 10.00 = 230.00. v2 (2025-03-30, planned) is after the evaluation date:
    // known, but not a step yet.
    assert_eq!(
        values(&r, "credit"),
        [
            at("p1", "220.00"),
            at("p2", "240.00"),
            at("v1", "230.00"),
            last("230.00")
        ]
    );
    // As of 2025-03-31 the visit has happened: 220.00.
    let r = run(EVENTS, "2025-03-31");
    assert_eq!(values(&r, "credit").last().unwrap().1, "220.00");
}

#[test]
fn a_counter_in_a_unit_stops_at_zero() {
    let r = run(EVENTS, "2025-02-28");
    // d1: 0 + 40 = 40 GB; d2: max(40 − 70, 0) = 0 GB; d3: 0 + 5 = 5 GB.
    assert_eq!(
        values(&r, "stock"),
        [
            at("d1", "40 GB"),
            at("d2", "0 GB"),
            at("d3", "5 GB"),
            last("5 GB")
        ]
    );
    let entry = r
        .outcome
        .values
        .iter()
        .find(|v| v.source.clause_id == "stock")
        .unwrap();
    assert_eq!(entry.ty, "quantity");
}

#[test]
fn a_state_reads_another_at_an_event() {
    let r = run(EVENTS, "2025-02-28");
    // Before d1 (01-15): 220.00; before d2 (01-25): 240.00; before d3 (02-01): 230.00.
    // 220.00, 460.00, 690.00.
    assert_eq!(
        values(&r, "credit_at_deliveries"),
        [
            at("d1", "220.00"),
            at("d2", "460.00"),
            at("d3", "690.00"),
            last("690.00")
        ]
    );
}

#[test]
fn a_charge_capped_by_its_own_earlier_amounts() {
    let events = "\
event c1: claim on 2025-03-01 { amount: EUR 70.00 }
event c2: claim on 2025-03-20 { amount: EUR 70.00 }
event c3: claim on 2025-04-15 { amount: EUR 70.00 }
";
    let r = run(events, "2025-04-30");
    // c1: nothing before, min(70.00, 100.00) = 70.00; c2: 30 days before 03-20 are
    // 02-18 … 03-19, holding 70.00: min(70.00, 30.00) = 30.00; c3: 03-16 … 04-14 holds c2's
    // 30.00 (c1 of 03-01 is outside): min(70.00, 70.00) = 70.00.
    let refunds: Vec<String> = r
        .outcome
        .amounts
        .iter()
        .map(|a| a.amount.to_string())
        .collect();
    assert_eq!(refunds, ["70.00", "30.00", "70.00"]);
    // The two-date form: after 2025-01-01, up to and including 2025-12-31: 170.00.
    assert_eq!(values(&r, "refunded"), [last("170.00")]);
}

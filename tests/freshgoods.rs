//! The sale-of-goods contract, `contracts/freshgoods.terms` (terms written for this project,
//! not one of the five vendors): a delivery window, a late-delivery penalty per started day
//! with a cap, inspection and rejection, a cold chain checked by temperature readings
//! (negative ones for frozen goods), payment after acceptance with late interest. Each
//! scenario's values, computed by hand in its header and beside each assertion.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use terms::eval::{ObligationStatus, RightStatus};
use terms::report::Report;

fn eval(case: &str) -> Report {
    let contract = terms::read_source(&common::root().join("contracts/freshgoods.terms")).unwrap();
    let scenario = terms::read_source(
        &common::root().join(format!("tests/scenarios/freshgoods/{case}.scenario")),
    )
    .unwrap();
    terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()))
}

/// (event, amount) of a clause's amounts.
fn amounts(r: &Report, clause: &str) -> Vec<(String, String)> {
    r.outcome
        .amounts
        .iter()
        .filter(|a| a.source.clause_id == clause)
        .map(|a| {
            (
                a.source.event.clone().unwrap_or_default(),
                a.amount.to_string(),
            )
        })
        .collect()
}

/// (event, value) of a value clause.
fn values(r: &Report, clause: &str) -> Vec<(String, String)> {
    r.outcome
        .values
        .iter()
        .filter(|v| v.source.clause_id == clause)
        .map(|v| (v.source.event.clone().unwrap_or_default(), v.value.clone()))
        .collect()
}

/// (event, date) of a date clause.
fn dates(r: &Report, clause: &str) -> Vec<(String, String)> {
    r.outcome
        .dates
        .iter()
        .filter(|d| d.source.clause_id == clause)
        .map(|d| {
            (
                d.source.event.clone().unwrap_or_default(),
                d.date.to_string(),
            )
        })
        .collect()
}

/// (event, due, status) of an obligation's instances.
fn obligations(r: &Report, clause: &str) -> Vec<(String, String, ObligationStatus)> {
    r.outcome
        .obligations
        .iter()
        .filter(|o| o.source.clause_id == clause)
        .map(|o| {
            (
                o.source.event.clone().unwrap_or_default(),
                o.due.map(|d| d.to_string()).unwrap_or_default(),
                o.status,
            )
        })
        .collect()
}

/// (event, from, until, status) of a right's instances.
fn rights(r: &Report, clause: &str) -> Vec<(String, String, String, RightStatus)> {
    r.outcome
        .rights
        .iter()
        .filter(|x| x.source.clause_id == clause)
        .map(|x| {
            (
                x.source.event.clone().unwrap_or_default(),
                x.from.map(|d| d.to_string()).unwrap_or_default(),
                x.until.map(|d| d.to_string()).unwrap_or_default(),
                x.status,
            )
        })
        .collect()
}

fn total(r: &Report, debtor: &str) -> String {
    r.outcome
        .totals
        .iter()
        .find(|t| t.debtor == debtor)
        .map_or_else(String::new, |t| t.amount.to_string())
}

fn s(x: &str) -> String {
    x.to_string()
}

#[test]
fn fg1_on_time_accepted_and_paid() {
    let r = eval("fg-1");
    // Delivered 2025-03-10T10:00, within the window 2025-03-10 … 2025-03-12.
    assert_eq!(
        obligations(&r, "deliver"),
        [(s("o1"), s("2025-03-12"), ObligationStatus::Met)]
    );
    assert!(amounts(&r, "late_delivery").is_empty());
    // Monday 2025-03-10T10:00 + 3 business days (Tue 11, Wed 12, Thu 13): the window closes
    // at the end of Thursday 2025-03-13, whatever the delivery's hour.
    assert_eq!(
        rights(&r, "reject_goods"),
        [(
            s("o1"),
            s("2025-03-10T10:00"),
            s("2025-03-13"),
            RightStatus::Lapsed
        )]
    );
    assert_eq!(dates(&r, "accepted"), [(s("o1"), s("2025-03-13"))]);
    // 3.8, 4.6 and 5.1 °C: none above 7 °C.
    assert_eq!(values(&r, "readings_above_limit"), [(s("o1"), s("0"))]);
    assert!(rights(&r, "reject_broken_cold_chain").is_empty());
    // Accepted on 2025-03-13 (`day_of`: the day, not the hour of delivery) + 30 days =
    // 2025-04-12, the whole day; paid 2025-04-10.
    assert_eq!(
        obligations(&r, "pay_price"),
        [(s("o1"), s("2025-04-12"), ObligationStatus::Met)]
    );
    assert!(r.outcome.amounts.is_empty());
    assert!(r.outcome.violations.is_empty());
}

#[test]
fn fg2_late_deliveries_a_penalty_per_started_day_and_its_cap() {
    let r = eval("fg-2");
    // o1: the window ends at the end of 2025-03-12; delivered 2025-03-14T02:00: 1 day 2 hours
    // late, 2 started days: 4,800.00 × 0.5% × 2 = 48.00.
    // o2: window ends 2025-03-05, delivered 2025-03-28: 23 days: 2,000.00 × 0.5% × 23 =
    // 230.00 > the cap 2,000.00 × 10% = 200.00.
    assert_eq!(
        amounts(&r, "late_delivery"),
        [(s("o2"), s("200.00")), (s("o1"), s("48.00"))]
    );
    let o1 = r
        .outcome
        .amounts
        .iter()
        .find(|a| a.source.event.as_deref() == Some("o1"))
        .unwrap();
    assert!(
        o1.computation
            .contains("days(delay) counts = 1 day 2 hours (2025-03-13T00:00 → 2025-03-14T02:00) as 2: a started day counts in full, by the clause's `delay counted in started periods`"),
        "{}",
        o1.computation
    );
    // The violations keep today's reading: calendar days late.
    let late: Vec<(Option<&str>, Option<i64>)> = r
        .outcome
        .violations
        .iter()
        .filter(|v| v.source.clause_id == "deliver")
        .map(|v| (v.source.event.as_deref(), v.days_late))
        .collect();
    assert_eq!(late, [(Some("o2"), Some(23)), (Some("o1"), Some(2))]);
    // o1: Friday 2025-03-14T02:00 + 3 business days (Mon 17, Tue 18, Wed 19), + 30 days;
    // paid 2025-04-15, in time. o2: Friday 2025-03-28 + 3 business days (Mon 31, Tue 1,
    // Wed 2) = 2025-04-02, + 30 days = 2025-05-02; paid 2025-05-12.
    assert_eq!(
        obligations(&r, "pay_price"),
        [
            (s("o2"), s("2025-05-02"), ObligationStatus::Violated),
            (s("o1"), s("2025-04-18"), ObligationStatus::Met)
        ]
    );
    // 2,000.00 × 10 days × 12% / 365 = 6.5753… → 6.58.
    assert_eq!(amounts(&r, "late_interest"), [(s("o2"), s("6.58"))]);
    assert_eq!(amounts(&r, "recovery_costs"), [(s("o2"), s("40.00"))]);
    // 48.00 + 200.00; 6.58 + 40.00.
    assert_eq!(total(&r, "seller"), "248.00");
    assert_eq!(total(&r, "buyer"), "46.58");
}

#[test]
fn fg3_a_broken_cold_chain_and_a_rejection() {
    let r = eval("fg-3");
    // 7.4 °C at 06:30 is the one reading above 7 °C between the dispatch (04:00) and the
    // delivery (09:00): 9.0 at 03:00 is before the dispatch, 8.0 at 09:15 after the delivery.
    assert_eq!(values(&r, "readings_above_limit"), [(s("o1"), s("1"))]);
    // Tuesday 2025-06-03T09:00 + 3 business days (Wed 4, Thu 5, Fri 6); rejected by email on
    // 2025-06-04.
    let window = (
        s("o1"),
        s("2025-06-03T09:00"),
        s("2025-06-06"),
        RightStatus::Exercised,
    );
    assert_eq!(rights(&r, "reject_broken_cold_chain"), vec![window.clone()]);
    assert_eq!(rights(&r, "reject_goods"), vec![window]);
    // Rejected goods are neither accepted nor paid.
    assert!(dates(&r, "accepted").is_empty());
    assert!(obligations(&r, "pay_price").is_empty());
    assert_eq!(
        obligations(&r, "deliver"),
        [(s("o1"), s("2025-06-04"), ObligationStatus::Met)]
    );
    assert!(r.outcome.amounts.is_empty());
}

#[test]
fn fg4_frozen_goods_at_minus_eighteen_and_an_early_delivery() {
    let r = eval("fg-4");
    // o1 delivered 2025-11-04T15:00, before the window opens on 2025-11-05: the Buyer may
    // refuse until 24 hours later, and does not. The delivery meets 5.1 (by 2025-11-07).
    assert_eq!(
        rights(&r, "refuse_early_delivery"),
        [(
            s("d1"),
            s("2025-11-04T15:00"),
            s("2025-11-05T15:00"),
            RightStatus::Lapsed
        )]
    );
    assert!(amounts(&r, "late_delivery").is_empty());
    // o1: −18.5, −17.0, −16.2 °C, none above −15 °C; o2: −18.0 and −12.5 °C, one above.
    assert_eq!(
        values(&r, "readings_above_limit"),
        [(s("o1"), s("0")), (s("o2"), s("1"))]
    );
    // Wednesday 2025-11-12T11:00 + 3 business days: Thu 13, Fri 14, Mon 17.
    assert_eq!(
        rights(&r, "reject_broken_cold_chain"),
        [(
            s("o2"),
            s("2025-11-12T11:00"),
            s("2025-11-17"),
            RightStatus::Lapsed
        )]
    );
    // o1 deemed accepted Tuesday 2025-11-04T15:00 + 3 business days (Wed 5, Thu 6, Fri 7);
    // o2 accepted in writing on 2025-11-13, before its inspection period ends.
    assert_eq!(
        dates(&r, "accepted"),
        [(s("o1"), s("2025-11-07")), (s("o2"), s("2025-11-13"))]
    );
    assert_eq!(
        obligations(&r, "pay_price"),
        [
            (s("o1"), s("2025-12-07"), ObligationStatus::Met),
            (s("o2"), s("2025-12-13"), ObligationStatus::Violated)
        ]
    );
    // o2 unpaid from 2025-12-13 to 2025-12-31: 18 days × 1,500.00 × 12% / 365 = 8.8767… → 8.88.
    assert_eq!(amounts(&r, "late_interest"), [(s("o2"), s("8.88"))]);
    assert_eq!(amounts(&r, "recovery_costs"), [(s("o2"), s("40.00"))]);
    // 8.88 + 40.00.
    assert_eq!(total(&r, "buyer"), "48.88");
    assert_eq!(total(&r, "seller"), "");
}

//! The sixth contract, `contracts/cloudmeter.terms` (terms written for this project, not one
//! of the five vendors): each scenario's values, computed by hand in its header, asserted.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use terms::eval::{ObligationStatus, RightStatus};
use terms::report::Report;

fn eval(case: &str) -> Report {
    let contract = terms::read_source(&common::root().join("contracts/cloudmeter.terms")).unwrap();
    let scenario = terms::read_source(
        &common::root().join(format!("tests/scenarios/cloudmeter/{case}.scenario")),
    )
    .unwrap();
    terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()))
}

fn amounts(r: &Report, clause: &str) -> Vec<String> {
    r.outcome
        .amounts
        .iter()
        .filter(|a| a.source.clause_id == clause)
        .map(|a| a.amount.to_string())
        .collect()
}

fn values(r: &Report, clause: &str) -> Vec<String> {
    r.outcome
        .values
        .iter()
        .filter(|v| v.source.clause_id == clause)
        .map(|v| v.value.clone())
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
fn cm1_a_month_over_the_allowance() {
    let r = eval("cm-1");
    assert_eq!(values(&r, "monthly_usage"), ["1840 GB"]);
    assert_eq!(values(&r, "heavy_days"), ["3"]);
    assert_eq!(amounts(&r, "monthly_base_fee"), ["400.00"]);
    // 1,000 GB × 0.08 + 340 GB × 0.05.
    assert_eq!(amounts(&r, "overage"), ["97.00"]);
    assert_eq!(r.outcome.amounts[1].kind, "overage");
    let pay = &r.outcome.obligations[0];
    assert_eq!(pay.status, ObligationStatus::Met);
    assert_eq!(
        pay.due.map(|d| d.to_string()).as_deref(),
        Some("2025-05-01")
    );
    assert!(amounts(&r, "service_credit").is_empty());
    assert_eq!(values(&r, "uptime"), ["99.95%"]);
    assert_eq!(total(&r, "customer"), "497.00");
}

#[test]
fn cm2_three_months_below_the_target() {
    let r = eval("cm-2");
    assert_eq!(amounts(&r, "service_credit"), ["40.00", "100.00", "20.00"]);
    assert_eq!(total(&r, "provider"), "160.00");
    // June's invoice unpaid on 2025-07-01: the recovery cost.
    assert_eq!(amounts(&r, "recovery_cost"), ["40.00"]);
    assert_eq!(total(&r, "customer"), "440.00");
    assert_eq!(values(&r, "monthly_usage"), ["0 GB"]);
    let right = &r.outcome.rights[0];
    assert_eq!(right.source.event.as_deref(), Some("a5"));
    assert_eq!(
        right.until.map(|d| d.to_string()).as_deref(),
        Some("2025-07-30")
    );
    assert_eq!(right.status, RightStatus::Exercised);
}

#[test]
fn cm3_a_missing_month_breaks_the_run() {
    let r = eval("cm-3");
    assert_eq!(amounts(&r, "service_credit"), ["40.00", "100.00", "40.00"]);
    assert_eq!(total(&r, "provider"), "180.00");
    assert!(r.outcome.rights.is_empty(), "{:#?}", r.outcome.rights);
}

/// Issue 9: a request the contract refuses is a `rejected` entry with the article and the
/// reason. A termination by email (5.3 requires a registered letter), then one by registered
/// letter after the 60 days: both refused, the right lapses.
#[test]
fn refused_requests_are_rejected_entries() {
    let contract = terms::read_source(&common::root().join("contracts/cloudmeter.terms")).unwrap();
    let scenario = terms::source::SourceFile::new(
        "refused.scenario",
        "scenario \"refused\"\ncontract cloudmeter\nas of 2025-09-30\n\
         event a3: availability on 2025-03-31 { uptime: 99.2% }\n\
         event a4: availability on 2025-04-30 { uptime: 98.5% }\n\
         event a5: availability on 2025-05-31 { uptime: 99.85% }\n\
         event t1: termination_notice on 2025-06-20 by customer via email { availability: a5 }\n\
         event t2: termination_notice on 2025-08-05 by customer via registered_letter { availability: a5 }\n"
            .to_string(),
    );
    let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    let rejected: Vec<(&str, &str, &str, String)> = r
        .outcome
        .rejected
        .iter()
        .map(|x| {
            (
                x.source.clause.as_str(),
                x.source.event.as_deref().unwrap_or(""),
                x.act.as_str(),
                x.reason.clone(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        [
            (
                "5.3",
                "a5",
                "t1",
                String::from("sent by email; the contract requires registered_letter")
            ),
            (
                "5.3",
                "a5",
                "t2",
                String::from("on 2025-08-05, after the window closed on 2025-07-30")
            ),
        ]
    );
    assert_eq!(r.outcome.rights[0].status, RightStatus::Lapsed);
    let text = r.to_text();
    assert!(text.contains("REJECTED"), "{text}");
}

#[test]
fn cm4_the_twelve_month_cap_on_service_credits() {
    let r = eval("cm-4");
    // January 25% × 400.00 = 100.00 (room 200.00); February 100.00 (room 200.00 − 100.00);
    // March 10% × 400.00 = 40.00, but 200.00 − 200.00 leaves 0.00; April meets the target;
    // February 2026: 2025-02-28 … 2026-02-27 holds 100.00 + 0.00, room 100.00 → 100.00.
    assert_eq!(
        amounts(&r, "service_credit"),
        ["100.00", "100.00", "0.00", "100.00"]
    );
    let march = r
        .outcome
        .amounts
        .iter()
        .find(|a| a.source.event.as_deref() == Some("a-2503"))
        .unwrap();
    assert!(
        march
            .computation
            .contains("charged(service_credit, 12 months before a) = 200.00"),
        "{}",
        march.computation
    );
    let next_year = r
        .outcome
        .amounts
        .iter()
        .find(|a| a.source.event.as_deref() == Some("a-2602"))
        .unwrap();
    assert!(
        next_year
            .computation
            .contains("12 months before a = 2025-02-28 … 2026-02-27"),
        "{}",
        next_year.computation
    );
    assert!(next_year
        .computation
        .contains("charged(service_credit, 12 months before a) = 100.00"));
    // 100.00 + 100.00 + 0.00 + 100.00.
    assert_eq!(total(&r, "provider"), "300.00");
    // January, February and March below the target: the right, not exercised by 2025-05-30.
    let right = &r.outcome.rights[0];
    assert_eq!(right.source.event.as_deref(), Some("a-2503"));
    assert_eq!(right.status, RightStatus::Lapsed);
}

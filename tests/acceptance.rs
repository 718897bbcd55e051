//! The acceptance cases of `shared/acceptance.md`, each asserting its exact values.
//! Snapshots of the same reports live in `snapshots.rs`; these assertions say what the
//! reports must contain, whatever the rendering.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

use common::eval;
use terms::eval::{ObligationStatus, RightStatus, ViolationKind};
use terms::money::format_amount;
use terms::report::Report;

fn amount(report: &Report, clause_id: &str, event: &str) -> String {
    let found: Vec<_> = report
        .outcome
        .amounts
        .iter()
        .filter(|a| a.source.clause_id == clause_id && a.source.event.as_deref() == Some(event))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one `{clause_id}` amount for `{event}`: {found:#?}"
    );
    format_amount(found[0].amount)
}

fn total(report: &Report, debtor: &str, creditor: &str) -> String {
    let t = report
        .outcome
        .totals
        .iter()
        .find(|t| t.debtor == debtor && t.creditor == creditor)
        .expect("a total");
    format_amount(t.amount)
}

fn date(report: &Report, name: &str) -> Vec<String> {
    report
        .outcome
        .dates
        .iter()
        .filter(|d| d.name == name)
        .map(|d| d.date.to_string())
        .collect()
}

fn obligation<'r>(
    report: &'r Report,
    clause_id: &str,
    event: &str,
) -> &'r terms::eval::ObligationEntry {
    report
        .outcome
        .obligations
        .iter()
        .find(|o| o.source.clause_id == clause_id && o.source.event.as_deref() == Some(event))
        .unwrap_or_else(|| panic!("obligation `{clause_id}` for `{event}`"))
}

fn violation<'r>(
    report: &'r Report,
    clause_id: &str,
    event: &str,
) -> &'r terms::eval::ViolationEntry {
    report
        .outcome
        .violations
        .iter()
        .find(|o| o.source.clause_id == clause_id && o.source.event.as_deref() == Some(event))
        .unwrap_or_else(|| panic!("violation `{clause_id}` for `{event}`"))
}

fn right<'r>(report: &'r Report, clause_id: &str, event: &str) -> &'r terms::eval::RightEntry {
    report
        .outcome
        .rights
        .iter()
        .find(|o| o.source.clause_id == clause_id && o.source.event.as_deref() == Some(event))
        .unwrap_or_else(|| panic!("right `{clause_id}` for `{event}`"))
}

// ---------------------------------------------------------------- Qualifio

#[test]
fn qf_1_termination_by_email_is_ineffective_and_the_letter_is_late() {
    let r = eval("qualifio", "qf-1");
    let notices = &r.outcome.notices;
    assert_eq!(notices.len(), 2);
    let email = notices
        .iter()
        .find(|n| n.source.event.as_deref() == Some("t1"))
        .expect("t1");
    assert!(!email.effective);
    assert!(
        email.reason.contains("only registered_letter counts"),
        "{}",
        email.reason
    );
    assert_eq!(email.deadline.to_string(), "2025-06-30");
    let letter = notices
        .iter()
        .find(|n| n.source.event.as_deref() == Some("t2"))
        .expect("t2");
    assert!(!letter.effective);
    assert_eq!(letter.deadline.to_string(), "2025-06-30");
    // 17.4: the registered letter counts on the date of posting, not of receipt.
    assert_eq!(
        letter.counts_on.map(|m| m.to_string()).as_deref(),
        Some("2025-07-01")
    );
    assert_eq!(
        date(&r, "termination deadline"),
        ["2025-06-30", "2026-06-30"]
    );
    assert_eq!(date(&r, "renewed"), ["2025-10-01"]);
    assert_eq!(date(&r, "renewed until"), ["2026-09-30"]);
    assert!(r.outcome.dates.iter().all(|d| d.name != "term ends"));
}

#[test]
fn qf_2_sla_penalties_from_the_second_consecutive_month() {
    let r = eval("qualifio", "qf-2");
    let penalties: Vec<_> = r
        .outcome
        .amounts
        .iter()
        .filter(|a| a.source.clause_id == "front_office_sla")
        .collect();
    assert_eq!(
        penalties.len(),
        2,
        "March (the first month below target) has no penalty"
    );
    assert_eq!(amount(&r, "front_office_sla", "av-2025-04"), "100.00");
    assert_eq!(amount(&r, "front_office_sla", "av-2025-05"), "200.00");
    assert_eq!(total(&r, "vendor", "customer"), "300.00");
    assert!(penalties.iter().all(|p| p.source.clause == "3.6.1"));
}

#[test]
fn qf_3_non_payment_opens_suspension_after_the_third_reminder() {
    let r = eval("qualifio", "qf-3");
    let pay = obligation(&r, "pay_invoice", "inv-1");
    assert_eq!(
        pay.due.map(|m| m.to_string()).as_deref(),
        Some("2025-02-14")
    );
    assert_eq!(pay.status, ObligationStatus::Violated);
    let v = violation(&r, "pay_invoice", "inv-1");
    assert_eq!(v.party, "customer");
    assert_eq!(v.kind, ViolationKind::NotDone);
    let suspend = right(&r, "suspend_access", "inv-1");
    assert_eq!(suspend.party, "vendor");
    assert_eq!(
        suspend.from.map(|m| m.to_string()).as_deref(),
        Some("2025-04-04")
    );
    assert_eq!(suspend.status, RightStatus::Open);
    assert_eq!(suspend.source.clause, "4.2");
}

#[test]
fn qf_4_helpdesk_answer_counts_business_minutes_only() {
    let r = eval("qualifio", "qf-4");
    let answer = obligation(&r, "first_answer_medium", "req-1");
    assert_eq!(
        answer.due.map(|m| m.to_string()).as_deref(),
        Some("2025-03-17T10:00")
    );
    let v = violation(&r, "first_answer_medium", "req-1");
    assert_eq!(v.party, "vendor");
    assert_eq!(v.kind, ViolationKind::Late);
    assert_eq!(v.minutes_late, Some(30));
}

#[test]
fn qf_5_storage_is_sold_in_blocks_of_10_gb() {
    let r = eval("qualifio", "qf-5");
    assert_eq!(amount(&r, "extra_storage", "may-2025"), "10.00");
    assert_eq!(r.outcome.amounts.len(), 1);
}

#[test]
fn qf_6_studio_changes_from_the_fourth_are_billed_by_the_hour() {
    let r = eval("qualifio", "qf-6");
    assert_eq!(amount(&r, "extra_changes", "c4"), "180.00");
    assert_eq!(amount(&r, "extra_changes", "c5"), "240.00");
    assert_eq!(
        r.outcome.amounts.len(),
        2,
        "the first three changes are included"
    );
    assert_eq!(total(&r, "customer", "vendor"), "420.00");
}

#[test]
fn qf_7_presumed_validation_skips_easter_monday() {
    let r = eval("qualifio", "qf-7");
    assert_eq!(date(&r, "campaign_presumed_validated"), ["2025-04-23"]);
}

// ---------------------------------------------------------------- Ecom

#[test]
fn ec_1_late_payment_interest_per_started_month_and_minimum_compensation() {
    let r = eval("ecom", "ec-1");
    let pay = obligation(&r, "pay_invoice", "inv-1");
    assert_eq!(
        pay.due.map(|m| m.to_string()).as_deref(),
        Some("2025-01-24")
    );
    assert_eq!(pay.status, ObligationStatus::Violated);
    assert_eq!(amount(&r, "late_interest", "inv-1"), "18.00");
    assert_eq!(amount(&r, "fixed_compensation", "inv-1"), "150.00");
    assert_eq!(total(&r, "client", "ecom"), "168.00");
    let interest = r
        .outcome
        .amounts
        .iter()
        .find(|a| a.source.clause_id == "late_interest")
        .expect("interest");
    assert!(
        interest.computation.contains("started_months(delay) = 3"),
        "{}",
        interest.computation
    );
}

#[test]
fn ec_2_late_termination_renews_the_term() {
    let r = eval("ecom", "ec-2");
    let notice = r.outcome.notices.first().expect("a notice");
    assert_eq!(notice.deadline.to_string(), "2025-12-16");
    assert!(!notice.effective);
    assert_eq!(
        date(&r, "termination deadline"),
        ["2025-12-16", "2026-12-16"]
    );
    assert_eq!(date(&r, "renewed until"), ["2026-12-31"]);
    let renewal = r
        .outcome
        .obligations
        .iter()
        .find(|o| o.source.clause_id == "subscription")
        .expect("renewal invoice");
    assert_eq!(renewal.party, "client");
    assert_eq!(
        renewal.due.map(|m| m.to_string()).as_deref(),
        Some("2026-01-01")
    );
    assert_eq!(renewal.source.clause, "14");
}

#[test]
fn ec_3_demo_ends_15_calendar_days_after_registration() {
    let r = eval("ecom", "ec-3");
    assert_eq!(date(&r, "demo_ends"), ["2025-02-16"]);
}

#[test]
fn ec_4_partial_payment_is_allocated_in_the_stated_order() {
    let r = eval("ecom", "ec-4");
    let applied: Vec<(String, String)> = r
        .outcome
        .allocations
        .iter()
        .map(|a| (a.debt.clone(), format_amount(a.applied)))
        .collect();
    let expected = [
        ("costs", "40.00"),
        ("compensation", "150.00"),
        ("interest", "30.00"),
        ("A", "80.00"),
    ];
    assert_eq!(
        applied,
        expected.map(|(d, a)| (d.to_string(), a.to_string()))
    );
    let owed: Vec<(String, String)> = r
        .outcome
        .outstanding
        .iter()
        .map(|o| (o.debt.clone(), format_amount(o.amount)))
        .collect();
    assert_eq!(
        owed,
        [("A", "920.00"), ("B", "500.00")].map(|(d, a)| (d.to_string(), a.to_string()))
    );
    let still_owed: rust_decimal::Decimal = r.outcome.outstanding.iter().map(|o| o.amount).sum();
    assert_eq!(format_amount(still_owed), "1420.00");
}

// ---------------------------------------------------------------- iKanbi

#[test]
fn ik_1_late_payment_interest_actual_365_and_compensation() {
    let r = eval("ikanbi", "ik-1");
    let pay = obligation(&r, "pay_invoice", "INV-1");
    assert_eq!(
        pay.due.map(|m| m.to_string()).as_deref(),
        Some("2025-04-02")
    );
    assert_eq!(violation(&r, "pay_invoice", "INV-1").days_late, Some(40));
    assert_eq!(amount(&r, "late_interest", "INV-1"), "26.30");
    assert_eq!(amount(&r, "fixed_compensation", "INV-1"), "300.00");
    assert_eq!(total(&r, "client", "provider"), "326.30");
    assert!(
        r.outcome
            .amounts
            .iter()
            .all(|a| a.source.clause_id != "unpaid_principal"),
        "paid in full"
    );
}

#[test]
fn ik_2_unpaid_small_invoice_minimum_compensation() {
    let r = eval("ikanbi", "ik-2");
    let pay = obligation(&r, "pay_invoice", "INV-2");
    assert_eq!(
        pay.due.map(|m| m.to_string()).as_deref(),
        Some("2025-04-02")
    );
    let v = violation(&r, "pay_invoice", "INV-2");
    assert_eq!(v.kind, ViolationKind::NotDone);
    assert_eq!(v.days_late, Some(28));
    assert_eq!(amount(&r, "late_interest", "INV-2"), "3.68");
    assert_eq!(amount(&r, "fixed_compensation", "INV-2"), "75.00");
    assert_eq!(amount(&r, "unpaid_principal", "INV-2"), "400.00");
    assert_eq!(total(&r, "client", "provider"), "478.68");
}

#[test]
fn ik_3_maintenance_notice_counts_belgian_business_days() {
    let r = eval("ikanbi", "ik-3");
    let notice = obligation(&r, "announce_maintenance", "mnt-1");
    assert_eq!(
        notice.due.map(|m| m.to_string()).as_deref(),
        Some("2025-04-23")
    );
    let v = violation(&r, "announce_maintenance", "mnt-1");
    assert_eq!(v.party, "provider");
    assert_eq!(v.kind, ViolationKind::Late);
}

#[test]
fn ik_4_incident_report_within_48_hours() {
    let r = eval("ikanbi", "ik-4");
    let report = obligation(&r, "report_incident", "inc-1");
    assert_eq!(
        report.due.map(|m| m.to_string()).as_deref(),
        Some("2025-06-12T14:00")
    );
    let v = violation(&r, "report_incident", "inc-1");
    assert_eq!(v.party, "client");
    assert_eq!(v.minutes_late, Some(120));
}

#[test]
fn ik_5_indexation_formula() {
    let r = eval("ikanbi", "ik-5");
    assert_eq!(amount(&r, "indexed_price", "idx-2025"), "1040.00");
}

#[test]
fn ik_6_liability_cap_unless_gross_negligence() {
    let r = eval("ikanbi", "ik-6");
    assert_eq!(amount(&r, "liability", "claim-1"), "24000.00");
    assert_eq!(amount(&r, "liability", "claim-2"), "50000.00");
}

// ---------------------------------------------------------------- ClientCom

#[test]
fn cc_1_interest_per_started_month_after_notice_of_default() {
    let r = eval("clientcom", "cc-1");
    assert_eq!(amount(&r, "late_interest", "inv-1"), "30.00");
    assert_eq!(amount(&r, "extrajudicial_costs", "inv-1"), "75.00");
}

#[test]
fn cc_2_cancellation_at_the_end_of_the_month_and_data_export() {
    let r = eval("clientcom", "cc-2");
    assert_eq!(date(&r, "agreement_ends"), ["2025-03-31"]);
    assert_eq!(date(&r, "data_available_until"), ["2025-05-31"]);
}

#[test]
fn cc_3_late_announcement_and_increase_above_the_index() {
    let r = eval("clientcom", "cc-3");
    let announce = obligation(&r, "announce_price_increase", "inc-2025");
    assert_eq!(
        announce.due.map(|m| m.to_string()).as_deref(),
        Some("2025-06-01")
    );
    let v = violation(&r, "announce_price_increase", "inc-2025");
    assert_eq!(v.party, "clientcom");
    let refuse = right(&r, "refuse_price_increase", "inc-2025");
    assert_eq!(refuse.party, "user");
    assert_eq!(refuse.status, RightStatus::Open);
}

// ---------------------------------------------------------------- Dear Digital

#[test]
fn dd_1_late_fee_per_complete_week_and_pause() {
    let r = eval("deardigital", "dd-1");
    assert_eq!(violation(&r, "pay_invoice", "inv-1").days_late, Some(20));
    assert_eq!(amount(&r, "late_fee", "inv-1"), "120.00");
    let pause = right(&r, "pause_services", "inv-1");
    assert_eq!(
        pause.from.map(|m| m.to_string()).as_deref(),
        Some("2025-07-16")
    );
}

#[test]
fn dd_2_notice_period_from_the_end_of_the_month() {
    let r = eval("deardigital", "dd-2");
    assert_eq!(date(&r, "notice_period_ends"), ["2025-05-31"]);
    assert_eq!(amount(&r, "notice_period_fees", "notice-1"), "5000.00");
}

#[test]
fn dd_3_liability_cap_for_recurring_services() {
    let r = eval("deardigital", "dd-3");
    assert_eq!(amount(&r, "liability", "claim-1"), "1500.00");
}

#[test]
fn dd_4_hiring_limitation_and_fine() {
    let r = eval("deardigital", "dd-4");
    let v = violation(&r, "no_hiring_of_key_staff", "end-1");
    assert_eq!(v.party, "client");
    assert_eq!(v.kind, ViolationKind::ProhibitedAct);
    assert_eq!(v.due.map(|m| m.to_string()).as_deref(), Some("2026-01-31"));
    assert_eq!(amount(&r, "hiring_fine", "hire-1"), "48000.00");
}

//! Regression tests for answers that were once silently wrong (issue 7). Each test states the
//! right answer and the reading behind it; each failed before its fix.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use terms::report::Report;
use terms::source::SourceFile;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn money(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Evaluates a scenario text against a bundled contract.
fn eval_text(vendor: &str, scenario: &str, as_of: Option<&str>) -> Report {
    let contract = terms::read_source(&common::root().join(format!("contracts/{vendor}.terms")))
        .unwrap_or_else(|f| panic!("{}", f.render()));
    let scenario = SourceFile::new("s.scenario", scenario.to_string());
    terms::run(&contract, &scenario, as_of.map(|d| date(d).into()))
        .unwrap_or_else(|f| panic!("{}", f.render()))
}

/// Evaluates a bundled scenario as of another date.
fn eval_as_of(vendor: &str, case: &str, as_of: &str) -> Report {
    let path = common::root().join(format!("tests/scenarios/{vendor}/{case}.scenario"));
    eval_text(vendor, &std::fs::read_to_string(path).unwrap(), Some(as_of))
}

fn obligation_of<'r>(r: &'r Report, clause_id: &str) -> &'r terms::eval::ObligationEntry {
    r.outcome
        .obligations
        .iter()
        .find(|o| o.source.clause_id == clause_id)
        .unwrap()
}

fn amount_of<'r>(r: &'r Report, clause_id: &str) -> Vec<&'r terms::eval::AmountEntry> {
    r.outcome
        .amounts
        .iter()
        .filter(|a| a.source.clause_id == clause_id)
        .collect()
}

// ------------------------------------------------------------ 1. acts after the as-of date

#[test]
fn a_notice_after_the_evaluation_date_charges_nothing() {
    // cc-1's notice of default is dated 2025-02-15: as of 2025-02-14 it has not been sent.
    let r = eval_as_of("clientcom", "cc-1", "2025-02-14");
    assert!(r.outcome.amounts.is_empty(), "{:#?}", r.outcome.amounts);
}

#[test]
fn a_hire_after_the_evaluation_date_is_no_breach_yet() {
    // dd-4's hire is dated 2025-08-01: as of 2025-07-01 the restriction is pending, no fine.
    let r = eval_as_of("deardigital", "dd-4", "2025-07-01");
    assert!(r.outcome.amounts.is_empty(), "{:#?}", r.outcome.amounts);
    assert!(r.outcome.violations.is_empty());
}

#[test]
fn nothing_is_billed_before_anything_happened() {
    for vendor in ["clientcom", "deardigital", "ecom", "ikanbi", "qualifio"] {
        let r = eval_as_of(vendor, "rules", "1990-01-01");
        assert!(
            r.outcome.amounts.is_empty(),
            "{vendor}: {:#?}",
            r.outcome.amounts
        );
        assert!(r.outcome.violations.is_empty(), "{vendor}");
        assert!(r.outcome.allocations.is_empty(), "{vendor}");
    }
}

// ------------------------------------------------------------ 2. settlement

const ECOM_HEAD: &str = "scenario \"settlement\"\ncontract ecom\nas of 2025-04-30\n";

#[test]
fn money_the_allocation_applies_to_an_invoice_pays_it() {
    // A payment that names no invoice, applied in full to A by the article-10 allocation,
    // pays A: no violation, no interest, no compensation, no suspension.
    let r = eval_text(
        "ecom",
        &format!(
            "{ECOM_HEAD}event A: invoice on 2025-01-01 {{ amount: EUR 1000.00, direct_debit: false }}\n\
             event pay: payment on 2025-01-10 by client {{ amount: EUR 1000.00 }}\n"
        ),
        None,
    );
    let pay = obligation_of(&r, "pay_invoice");
    assert_eq!(pay.status.word(), "met");
    assert!(r.outcome.violations.is_empty());
    assert!(r.outcome.amounts.is_empty(), "{:#?}", r.outcome.amounts);
    assert!(r
        .outcome
        .rights
        .iter()
        .all(|x| x.source.clause_id != "suspend_access" || x.status.word() != "open"));
}

#[test]
fn an_invoice_paid_in_parts_is_met_when_the_last_part_arrives() {
    // 600.00 on 2025-01-10, 400.00 on 2025-02-20: paid in full on 2025-02-20, 36 days after
    // the due date 2025-01-15. Interest 1% per started month runs only on what is unpaid:
    // 2 started months on 400.00 = 8.00; fixed compensation max(20% × 1,000.00, 150.00) =
    // 200.00.
    let r = eval_text(
        "ecom",
        &format!(
            "{ECOM_HEAD}event A: invoice on 2025-01-01 {{ amount: EUR 1000.00, direct_debit: false }}\n\
             event p1: payment on 2025-01-10 by client {{ amount: EUR 600.00 }}\n\
             event p2: payment on 2025-02-20 by client {{ amount: EUR 400.00 }}\n"
        ),
        None,
    );
    let pay = obligation_of(&r, "pay_invoice");
    assert_eq!(pay.met_on.unwrap().to_string(), "2025-02-20");
    assert_eq!(r.outcome.violations[0].days_late, Some(36));
    assert_eq!(amount_of(&r, "late_interest")[0].amount, money("8.00"));
    assert_eq!(
        amount_of(&r, "fixed_compensation")[0].amount,
        money("200.00")
    );
}

// ------------------------------------------------------------ 3. windows

#[test]
fn the_six_months_before_an_event_start_on_its_first_day_and_stop_the_day_before() {
    // ClientCom 11.3: "the amount paid in the six months before the damaging event" of
    // 2025-08-01 is 2025-02-01 … 2025-07-31: the payment of 2025-02-01 counts, the one on
    // the event's day and the one of 2025-01-31 do not.
    let r = eval_text(
        "clientcom",
        "scenario \"window\"\ncontract clientcom\nas of 2025-08-31\n\
         event p-before: payment on 2025-01-31 by user { amount: EUR 1.00 }\n\
         event p-first: payment on 2025-02-01 by user { amount: EUR 10.00 }\n\
         event p-last: payment on 2025-07-31 by user { amount: EUR 100.00 }\n\
         event p-same: payment on 2025-08-01 by user { amount: EUR 1000.00 }\n\
         event c: claim on 2025-08-01 { amount: EUR 5000.00 }\n",
        None,
    );
    assert_eq!(
        amount_of(&r, "liability_uninsured")[0].amount,
        money("110.00")
    );
}

// ------------------------------------------------------------ 5. order in time

#[test]
fn a_result_owed_by_a_date_is_not_violated_before_it() {
    let contract = SourceFile::new(
        "result.terms",
        "contract result\nparty vendor\nparty client\ncurrency EUR\n\
         event order { }\nevent delivery { order: order }\n\
         obligation deliver article \"1\" {\n  for each order o\n  vendor must \"deliver\"\n  \
         by o + 10 days\n  requires count(delivery) >= 1\n}\n"
            .to_string(),
    );
    let scenario = |as_of: &str| {
        SourceFile::new(
            "s.scenario",
            format!(
                "scenario \"r\"\ncontract result\nas of {as_of}\nevent o: order on 2025-03-01\n"
            ),
        )
    };
    let status = |as_of: &str| {
        let r = terms::run(&contract, &scenario(as_of), None)
            .unwrap_or_else(|f| panic!("{}", f.render()));
        (
            r.outcome.obligations[0].status.word(),
            r.outcome.violations.len(),
        )
    };
    assert_eq!(status("2025-03-05"), ("pending", 0));
    assert_eq!(status("2025-03-11"), ("pending", 0));
    assert_eq!(status("2025-03-12"), ("violated", 1));
}

// ------------------------------------------------------------ 4. consecutive periods

#[test]
fn a_month_without_a_report_breaks_a_run_of_consecutive_months() {
    // Qualifio 3.6.1: shortfalls in March and May with no April report are not two
    // consecutive months: no penalty for May. With April's shortfall reported, May's is the
    // third consecutive month and is charged (10% of 1,000.00 below 95%).
    let run = |april: bool| {
        let mut s = String::from(
            "scenario \"streak\"\ncontract qualifio\nas of 2025-07-31\nfact licence_price = EUR 12000.00\nfact licence_months = 12\n\
             event m3: availability on 2025-03-31 { front_office: 98.00%, back_office: 99.00% }\n\
             event n3: shortfall_notice on 2025-04-05 by customer via letter { month: m3 }\n\
             event m5: availability on 2025-05-31 { front_office: 94.00%, back_office: 99.00% }\n\
             event n5: shortfall_notice on 2025-06-05 by customer via letter { month: m5 }\n",
        );
        if april {
            s.push_str(
                "event m4: availability on 2025-04-30 { front_office: 98.00%, back_office: 99.00% }\n\
                 event n4: shortfall_notice on 2025-05-05 by customer via letter { month: m4 }\n",
            );
        }
        let r = eval_text("qualifio", &s, None);
        amount_of(&r, "front_office_sla")
            .iter()
            .map(|a| (a.source.event.clone().unwrap_or_default(), a.amount))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(false), vec![]);
    assert_eq!(
        run(true),
        vec![
            (String::from("m4"), money("20.00")),
            (String::from("m5"), money("100.00"))
        ]
    );
}

#[test]
fn a_notice_of_default_after_payment_puts_no_one_in_default() {
    // ClientCom 5.3/5.4: invoice due 2025-01-15, paid late on 2025-02-10; a notice of
    // default sent on 2025-02-20, after payment, owes neither interest nor costs. Sent on
    // 2025-02-01, before payment, it owes 2% × 1 started month on 500.00 = 10.00 and 15% =
    // 75.00.
    let run = |notice: &str| {
        let r = eval_text(
            "clientcom",
            &format!(
                "scenario \"default\"\ncontract clientcom\nas of 2025-03-31\n\
                 event inv: invoice on 2025-01-01 {{ amount: EUR 500.00, due: 2025-01-15 }}\n\
                 event pay: payment on 2025-02-10 by user {{ amount: EUR 500.00, invoice: inv }}\n\
                 event nd: default_notice on {notice} by clientcom via registered_letter {{ invoice: inv }}\n"
            ),
            None,
        );
        r.outcome
            .amounts
            .iter()
            .map(|a| (a.source.clause_id.clone(), a.amount))
            .collect::<Vec<_>>()
    };
    assert_eq!(run("2025-02-20"), vec![]);
    assert_eq!(
        run("2025-02-01"),
        vec![
            (String::from("late_interest"), money("10.00")),
            (String::from("extrajudicial_costs"), money("75.00"))
        ]
    );
}

#[test]
fn an_act_before_a_right_opens_does_not_exercise_it() {
    let contract = SourceFile::new(
        "right.terms",
        "contract rights\nparty vendor\nparty client\ncurrency EUR\n\
         event fault { }\nevent termination { fault: fault }\n\
         right terminate article \"9\" {\n  for each fault b\n  client may \"terminate\"\n  \
         opens after 14 days following b\n  within 2 months after b\n  exercised by termination\n}\n"
            .to_string(),
    );
    let run = |termination: &str| {
        let scenario = SourceFile::new(
            "s.scenario",
            format!(
                "scenario \"r\"\ncontract rights\nas of 2025-06-30\nevent b: fault on 2025-03-01\n\
                 event t: termination on {termination} by client {{ fault: b }}\n"
            ),
        );
        let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
        r.outcome.rights[0].status.word()
    };
    // Opens 2025-03-16 (the day after 2025-03-01 + 14 days); the window ends 2025-05-01.
    assert_eq!(run("2025-03-10"), "lapsed");
    assert_eq!(run("2025-03-16"), "exercised");
    assert_eq!(run("2025-05-02"), "lapsed");
}

// ------------------------------------------------------------ 6. a late notice

#[test]
fn a_late_notice_on_a_fixed_term_renews_it_and_starts_no_notice_period() {
    // Dear Digital M.9: a fixed term 2025-01-01 … 2025-12-31 must be ended by written notice
    // by 2025-11-30. A notice of 2025-12-15 is late: the term renews to 2026-12-31, and no
    // two-month notice period (and no fee for it) follows from the late notice.
    let r = eval_text(
        "deardigital",
        "scenario \"late\"\ncontract deardigital\nas of 2025-12-31\n\
         fact monthly_fee = EUR 2500.00\nfact term_start = 2025-01-01\nfact term_length = 12 months\n\
         event stop: termination_notice on 2025-12-15 by client via letter\n",
        None,
    );
    assert!(amount_of(&r, "notice_period_fees").is_empty());
    let dates: Vec<(String, String)> = r
        .outcome
        .dates
        .iter()
        .map(|d| (d.name.clone(), d.date.to_string()))
        .collect();
    assert!(
        dates.contains(&(String::from("renewed"), String::from("2026-01-01"))),
        "{dates:?}"
    );
    assert!(
        !dates
            .iter()
            .any(|(n, _)| n == "notice_period_ends" || n == "term ends"),
        "{dates:?}"
    );
    assert!(!r.outcome.notices[0].effective);
}

// ------------------------------------------------------------ 7. checker and evaluator agree

#[test]
fn a_total_of_numbers_is_a_number_even_when_no_event_matches() {
    // `total(delivery, units) < 10` with no delivery: 0 units, so the shortfall fee applies.
    let contract = SourceFile::new(
        "numbers.terms",
        "contract numbers\nparty vendor\nparty client\ncurrency EUR\n\
         event order { }\nevent delivery { order: order, units: number }\n\
         fee shortfall article \"4\" {\n  for each order o\n  when total(delivery, units) < 10\n  \
         vendor owes client EUR 50.00\n}\n\
         fee yearly article \"5\" {\n  for each order o\n  when sum(delivery, units, 12 months before o) < 1\n  \
         vendor owes client EUR 5.00\n}\n"
            .to_string(),
    );
    let scenario = SourceFile::new(
        "s.scenario",
        "scenario \"n\"\ncontract numbers\nas of 2025-06-30\nevent o: order on 2025-03-01\n"
            .to_string(),
    );
    let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    let amounts: Vec<Decimal> = r.outcome.amounts.iter().map(|a| a.amount).collect();
    assert_eq!(amounts, vec![money("50.00"), money("5.00")]);
}

#[test]
fn a_prohibition_binds_only_its_party() {
    // Dear Digital R.1 with two ended services of opposite parties: the client's hire of the
    // provider's developer breaches the client's restriction only; the provider's is intact.
    let r = eval_text(
        "deardigital",
        "scenario \"hire\"\ncontract deardigital\nas of 2025-08-31\n\
         event end-1: service_end on 2025-01-31 { employer: provider, restricted: client }\n\
         event end-2: service_end on 2025-02-28 { employer: client, restricted: provider }\n\
         event hire-1: hire on 2025-08-01 by client { specialist: end-1, employer: provider, monthly_salary: EUR 4000.00 }\n",
        None,
    );
    let violated: Vec<(String, String)> = r
        .outcome
        .violations
        .iter()
        .map(|v| (v.party.clone(), v.source.event.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        violated,
        vec![(String::from("client"), String::from("end-1"))]
    );
}

// ------------------------------------------------------------ 8. lines that were misread

#[test]
fn a_renewal_in_days_or_weeks_renews_for_days_or_weeks() {
    let renewed = |renews: &str| {
        let contract = SourceFile::new(
            "renewal.terms",
            format!(
                "contract renewal\nparty vendor\nparty client\ncurrency EUR\nevent stop {{ }}\n\
                 term subscription article \"2\" {{\n  starts 2025-01-01\n  lasts 1 year\n  \
                 renews automatically for {renews}\n  \
                 notice stop by client at least 10 days before end\n}}\n"
            ),
        );
        let scenario = SourceFile::new(
            "s.scenario",
            "scenario \"r\"\ncontract renewal\nas of 2026-03-15\n".to_string(),
        );
        let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
        r.outcome
            .dates
            .iter()
            .filter(|d| d.name == "renewed" || d.name == "renewed until")
            .map(|d| format!("{} {}", d.name, d.date))
            .collect::<Vec<_>>()
    };
    // 2025-01-01 … 2025-12-31, then 30-day periods: 2026-01-01 … 2026-01-30,
    // 2026-01-31 … 2026-03-01, 2026-03-02 … 2026-03-31.
    assert_eq!(
        renewed("30 days"),
        [
            "renewed 2026-01-01",
            "renewed 2026-01-31",
            "renewed 2026-03-02",
            "renewed until 2026-03-31"
        ]
    );
    // Two-week periods from 2026-01-01: the one holding 2026-03-15 is 2026-03-12 … 2026-03-25.
    let weeks = renewed("2 weeks");
    assert_eq!(
        weeks.last().map(String::as_str),
        Some("renewed until 2026-03-25"),
        "{weeks:?}"
    );
}

#[test]
fn a_fact_that_replaces_a_contract_price_is_shown_on_the_report() {
    // Qualifio fixes the studio rate; a scenario that gives another one is not silent.
    let r = eval_text(
        "qualifio",
        "scenario \"override\"\ncontract qualifio\nas of 2025-03-31\nfact studio_rate = EUR 0.01\n",
        None,
    );
    assert_eq!(r.overrides.len(), 1);
    assert_eq!(r.overrides[0].param, "studio_rate");
    assert!(
        r.to_text().contains("override  studio_rate = 0.01"),
        "{}",
        r.to_text()
    );
    assert!(r.to_json().contains("\"overrides\""));
}

// ------------------------------------------------------------ found in review

/// Evaluates a contract text and a scenario text.
fn eval_both(contract: &str, scenario: &str) -> Report {
    let contract = SourceFile::new("c.terms", contract.to_string());
    let scenario = SourceFile::new("s.scenario", scenario.to_string());
    terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()))
}

#[test]
fn a_negative_payment_pays_nothing_and_adds_no_interest() {
    // iKanbi 4.5: 2,000.00 due 2025-04-02, unpaid as of 2025-06-01 (60 days): 12% a year on
    // 2,000.00, not on 2,500.00 because of a payment of −500.00: 39.45.
    let r = eval_text(
        "ikanbi",
        "scenario \"neg\"\ncontract ikanbi\nas of 2025-06-01\n\
         event inv-1: invoice on 2025-03-03 { amount: EUR 2000.00 }\n\
         event p1: payment on 2025-04-12 by client { amount: EUR -500.00, invoice: inv-1 }\n",
        None,
    );
    assert_eq!(amount_of(&r, "late_interest")[0].amount, money("39.45"));
}

#[test]
fn a_payment_counted_on_receipt_completes_the_debt_when_received() {
    // Notices (and payments) count on receipt: 400.00 received 2025-01-25 and 600.00 sent
    // 2025-01-20 but received 2025-03-01: paid in full on 2025-03-01, 29 days late; interest
    // 12% a year on the 600.00 still unpaid for those 29 days: 5.72.
    let r = eval_both(
        "contract r1\nparty vendor\nparty client\ncurrency EUR\nnotices count on receipt\n\
         event invoice { amount: money }\nevent payment { amount: money, invoice: invoice? }\n\
         obligation pay_invoice article \"1\" {\n  for each invoice inv\n  client must \"pay\"\n  \
         within 30 days after inv\n  fulfilled by payment\n}\n\
         interest late_interest article \"2\" {\n  on breach of pay_invoice\n  \
         client owes vendor unpaid_days(delay) * 12% / 365\n}\n",
        "scenario \"receipt order\"\nas of 2025-03-31\n\
         event inv: invoice on 2025-01-01 { amount: EUR 1000.00 }\n\
         event p1: payment on 2025-01-20 by client via letter received 2025-03-01 { amount: EUR 600.00, invoice: inv }\n\
         event p2: payment on 2025-01-25 by client via email received 2025-01-25 { amount: EUR 400.00, invoice: inv }\n",
    );
    assert_eq!(
        obligation_of(&r, "pay_invoice").met_on.unwrap().to_string(),
        "2025-03-01"
    );
    assert_eq!(amount_of(&r, "late_interest")[0].amount, money("5.72"));
}

#[test]
fn a_termination_deemed_received_after_the_evaluation_date_does_not_count_yet() {
    let contract = "contract t1\nparty vendor\nparty client\ncurrency EUR\ncalendar belgium\n\
        notices via letter count on receipt deemed 3 business days after posting\n\
        event termination { }\n\
        term subscription article \"1\" {\n  starts 2024-01-01\n  lasts 1 year\n  \
        renews automatically for 1 year\n  \
        notice termination by client via letter at least 1 month before end\n}\n";
    let scenario = |as_of: &str| {
        format!(
            "scenario \"deemed\"\nas of {as_of}\n\
             event n1: termination on 2024-11-25 by client via letter\n"
        )
    };
    // Posted Monday 2024-11-25, deemed received Thursday 2024-11-28.
    let before = eval_both(contract, &scenario("2024-11-26"));
    assert!(before.outcome.notices.is_empty());
    assert!(!before.outcome.dates.iter().any(|d| d.name == "term ends"));
    let after = eval_both(contract, &scenario("2024-11-28"));
    assert!(after.outcome.notices[0].effective);
    assert!(after
        .outcome
        .dates
        .iter()
        .any(|d| d.name == "term ends" && d.date.to_string() == "2024-12-31"));
}

#[test]
fn the_months_before_an_event_at_a_time_of_day_are_whole_days() {
    // ClientCom 11.3 with the claim at 10:00: still 2025-02-01 … 2025-07-31, cap 110.00.
    let r = eval_text(
        "clientcom",
        "scenario \"window\"\ncontract clientcom\nas of 2025-08-31\n\
         event p-before: payment on 2025-01-31 by user { amount: EUR 1.00 }\n\
         event p-first: payment on 2025-02-01 by user { amount: EUR 10.00 }\n\
         event p-last: payment on 2025-07-31 by user { amount: EUR 100.00 }\n\
         event p-same: payment on 2025-08-01 by user { amount: EUR 1000.00 }\n\
         event c: claim on 2025-08-01T10:00 { amount: EUR 5000.00 }\n",
        None,
    );
    assert_eq!(
        amount_of(&r, "liability_uninsured")[0].amount,
        money("110.00")
    );
}

#[test]
fn only_the_debtor_s_payments_pay_its_debts() {
    // Ecom 10: a payment made by Ecom is no payment of the client's invoice.
    let r = eval_text(
        "ecom",
        &format!(
            "{ECOM_HEAD}event A: invoice on 2025-01-01 {{ amount: EUR 1000.00, direct_debit: false }}\n\
             event r1: payment on 2025-01-10 by ecom {{ amount: EUR 1000.00 }}\n"
        ),
        None,
    );
    assert_eq!(obligation_of(&r, "pay_invoice").status.word(), "violated");
    assert!(r.outcome.allocations.is_empty());
}

#[test]
fn a_prohibited_act_that_names_no_instance_breaches_every_instance() {
    let r = eval_both(
        "contract p1\nparty provider\nparty client\ncurrency EUR\n\
         event service_end { }\nevent hire { specialist: service_end? }\n\
         obligation no_hiring article \"R.1\" {\n  for each service_end s\n  \
         client must not \"hire the other party's key staff\"\n  until s + 12 months\n  \
         breached by hire\n}\n",
        "scenario \"hire without naming\"\nas of 2025-12-31\n\
         event end-1: service_end on 2025-01-31\nevent h1: hire on 2025-03-01 by client\n",
    );
    assert_eq!(r.outcome.violations.len(), 1);
}

// ------------------------------------------------------------ 7. the resolved core

/// A clause `on breach of` a clause that is itself `on breach of` an obligation kept per
/// invoice is kept per invoice too. Before the resolved core, the third link read the
/// invoice variable as a name with no value, and its obligation silently never arose.
#[test]
fn a_chain_of_breaches_keeps_the_event() {
    let contract = SourceFile::new(
        "chain.terms",
        r#"contract chain
party vendor
party client
currency EUR
event invoice { amount: money }
event payment { invoice: invoice, amount: money }
event cure { invoice: invoice }
event escalation { invoice: invoice }
obligation pay article "1" {
  for each invoice inv
  client must "pay"
  within 30 days after inv
  fulfilled by payment
}
obligation cure_it article "2" {
  on breach of pay
  client must "cure"
  within 10 days after due(pay)
  fulfilled by cure
}
obligation escalate article "3" {
  on breach of cure_it
  vendor must "escalate"
  within 5 days after due(cure_it)
  fulfilled by escalation
}
"#
        .to_string(),
    );
    let scenario = SourceFile::new(
        "chain.scenario",
        "scenario \"unpaid\"\nas of 2025-06-30\nevent i1: invoice on 2025-03-03 { amount: EUR 100.00 }\n"
            .to_string(),
    );
    let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    let due = |id: &str| obligation_of(&r, id).due.map(|d| d.to_string());
    assert_eq!(due("pay").as_deref(), Some("2025-04-02"));
    assert_eq!(due("cure_it").as_deref(), Some("2025-04-12"));
    assert_eq!(due("escalate").as_deref(), Some("2025-04-17"));
    assert_eq!(
        obligation_of(&r, "escalate").source.event.as_deref(),
        Some("i1")
    );
}

/// Ecom 10: an invoice collected by direct debit is not a debt that transfers pay. Before the
/// allocation could filter its debts, a transfer naming invoice B was applied to the older
/// direct-debit invoice A, and B was reported unpaid with interest and compensation.
#[test]
fn a_transfer_does_not_pay_a_direct_debit_invoice() {
    let r = eval_text(
        "ecom",
        "scenario \"direct debit beside a transfer\"\ncontract ecom\nas of 2025-06-30\n\
         event a: invoice on 2025-01-10 { amount: EUR 1000.00, direct_debit: true }\n\
         event b: invoice on 2025-02-10 { amount: EUR 600.00, direct_debit: false }\n\
         event p: payment on 2025-02-20 by client { amount: EUR 600.00, invoice: b }\n",
        None,
    );
    assert!(r.outcome.amounts.is_empty(), "{:#?}", r.outcome.amounts);
    let pay_b = r
        .outcome
        .obligations
        .iter()
        .find(|o| o.source.clause_id == "pay_invoice" && o.source.event.as_deref() == Some("b"))
        .unwrap();
    assert_eq!(pay_b.status, terms::eval::ObligationStatus::Met);
    assert_eq!(
        pay_b.met_on.map(|m| m.to_string()).as_deref(),
        Some("2025-02-20")
    );
    // The payment went to b, the only debt the allocation queues.
    assert_eq!(r.outcome.allocations.len(), 1);
    assert_eq!(r.outcome.allocations[0].debt, "b");
    assert_eq!(r.outcome.allocations[0].applied, money("600.00"));
}

/// iKanbi 4.5: what remains unpaid of a late invoice is what fulfilment counts as paid. With
/// `total(payment, amount)` a payment of −500.00 raised the unpaid principal of a
/// 2,000.00 invoice to 2,500.00, while the same payment paid nothing towards the obligation.
#[test]
fn a_negative_payment_does_not_raise_the_unpaid_principal() {
    let r = eval_text(
        "ikanbi",
        "scenario \"negative payment\"\ncontract ikanbi\nas of 2025-05-31\n\
         event i: invoice on 2025-03-03 { amount: EUR 2000.00 }\n\
         event p1: payment on 2025-03-10 by client { amount: EUR -500.00, invoice: i }\n\
         event p2: payment on 2025-03-20 by client { amount: EUR 800.00, invoice: i }\n",
        None,
    );
    let unpaid = amount_of(&r, "unpaid_principal");
    assert_eq!(unpaid.len(), 1, "{unpaid:#?}");
    assert_eq!(unpaid[0].amount, money("1200.00"));
}

/// Hours are measured as a clock measures them. A notification due 2025-03-29T12:00 (48
/// hours after a breach) and sent 2025-03-30T12:00 local, across the change to summer
/// time, is 23 hours late, not 24; `hours(delay)` agrees.
#[test]
fn lateness_in_hours_counts_elapsed_time_across_a_clock_change() {
    let contract = SourceFile::new(
        "dst.terms",
        r#"contract dst
party vendor
party client
currency EUR
timezone "Europe/Brussels"
event incident { }
event notification { incident: incident }
obligation notify article "1" {
  for each incident b
  vendor must "notify the breach"
  within 48 hours after b
  fulfilled by notification
}
penalty late_notice article "2" {
  on breach of notify
  vendor owes client EUR 10.00 * hours(delay)
}
"#
        .to_string(),
    );
    let scenario = SourceFile::new(
        "dst.scenario",
        "scenario \"across the clock change\"\nas of 2025-04-30\n\
         event b: incident on 2025-03-27T12:00\n\
         event n: notification on 2025-03-30T12:00 { incident: b }\n"
            .to_string(),
    );
    let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    let v = &r.outcome.violations[0];
    assert_eq!(v.minutes_late, Some(23 * 60));
    assert_eq!(amount_of(&r, "late_notice")[0].amount, money("230.00"));
}

/// A contract whose allocation pays its own computed charges first: compensation, then
/// interest as computed on each payment's day, then the invoices.
const COMPUTED_CHARGES: &str = r#"contract lender
party seller
party buyer
currency EUR
param rate: percent = 1%
event invoice { amount: money }
event payment { amount: money, invoice: invoice? }
obligation pay article "1" {
  for each invoice inv
  buyer must "pay the invoice"
  within 14 days after inv
  fulfilled by payment
}
interest late_interest article "2" {
  on breach of pay
  buyer owes seller unpaid_started_months(delay) * rate
}
compensation fixed article "2" {
  on breach of pay
  buyer owes seller EUR 40.00
}
allocation payments article "3" {
  buyer pays seller by payment
  order fixed, late_interest, invoice oldest first
}
"#;

fn computed_charges(events: &str) -> Report {
    let contract = SourceFile::new("lender.terms", COMPUTED_CHARGES.to_string());
    let scenario = SourceFile::new(
        "lender.scenario",
        format!(
            "scenario \"charges as debts\"\nas of 2025-04-30\n\
             event A: invoice on 2025-01-01 {{ amount: EUR 1000.00 }}\n{events}"
        ),
    );
    terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()))
}

/// Issue 7: the contract's own computed charges are debts in its allocation order. A payment
/// of 300.00 on 2025-03-10 pays the compensation (40.00), then the interest owed that day
/// (2 started months on 1,000.00 at 1% = 20.00), then 240.00 of the invoice. As of
/// 2025-04-30 the interest is 4 started months, two on 1,000.00 and two on 760.00: 35.20,
/// of which 15.20 is still owed.
#[test]
fn computed_charges_are_debts_paid_as_of_each_payment() {
    let r = computed_charges("event p1: payment on 2025-03-10 by buyer { amount: EUR 300.00 }\n");
    let applied: Vec<(&str, &str, Decimal, Decimal)> = r
        .outcome
        .allocations
        .iter()
        .map(|a| {
            (
                a.debt.as_str(),
                a.debt_kind.as_str(),
                a.applied,
                a.remaining,
            )
        })
        .collect();
    assert_eq!(
        applied,
        [
            ("A", "fixed", money("40.00"), money("0.00")),
            ("A", "late_interest", money("20.00"), money("0.00")),
            ("A", "invoice", money("240.00"), money("760.00")),
        ]
    );
    assert_eq!(amount_of(&r, "late_interest")[0].amount, money("35.20"));
    assert_eq!(amount_of(&r, "fixed")[0].amount, money("40.00"));
    let outstanding: Vec<(&str, &str, Decimal)> = r
        .outcome
        .outstanding
        .iter()
        .map(|o| (o.debt.as_str(), o.debt_kind.as_str(), o.amount))
        .collect();
    assert_eq!(
        outstanding,
        [
            ("A", "late_interest", money("15.20")),
            ("A", "invoice", money("760.00")),
        ]
    );
}

/// A second payment of 800.00 on 2025-04-20 pays the interest owed that day (35.20, of
/// which 15.20 is left), then the 760.00 left of the invoice: the invoice is paid off, late,
/// that day, and nothing remains.
#[test]
fn computed_charges_paid_off_leave_nothing_outstanding() {
    let r = computed_charges(
        "event p1: payment on 2025-03-10 by buyer { amount: EUR 300.00 }\n\
         event p2: payment on 2025-04-20 by buyer { amount: EUR 800.00 }\n",
    );
    let second: Vec<(&str, Decimal)> = r
        .outcome
        .allocations
        .iter()
        .filter(|a| a.payment == "p2")
        .map(|a| (a.debt_kind.as_str(), a.applied))
        .collect();
    assert_eq!(
        second,
        [
            ("late_interest", money("15.20")),
            ("invoice", money("760.00"))
        ]
    );
    assert!(
        r.outcome.outstanding.is_empty(),
        "{:#?}",
        r.outcome.outstanding
    );
    assert_eq!(amount_of(&r, "late_interest")[0].amount, money("35.20"));
    let pay = obligation_of(&r, "pay");
    assert_eq!(
        pay.met_on.map(|m| m.to_string()).as_deref(),
        Some("2025-04-20")
    );
}

//! The evaluation instant (issue 9): `as of 2025-03-10T10:00` in a scenario and
//! `--as-of` with a time, what exists and what has passed at that instant, and the rule for a
//! date alone (the end of that day), with values computed by hand and a property over many
//! instants: evaluating as of an instant equals evaluating the history cut at that instant.
#![allow(clippy::unwrap_used, clippy::panic)]

use proptest::prelude::*;
use terms::report::Report;
use terms::source::SourceFile;

/// A support desk: each request is answered within 4 hours; EUR 10.00 per whole hour late.
const CONTRACT: &str = r#"contract support "Support desk"
party customer
party provider
currency EUR
timezone "Europe/Brussels"
event request { }
event reply { request: request }
obligation answer article "1" {
  for each request r
  provider must "answer the request"
  within 4 hours after r
  fulfilled by reply
}
charge late_answer article "2" {
  label "penalty"
  on breach of answer
  provider owes customer EUR 10.00 * hours(delay)
}
"#;

fn run(scenario: &str, as_of: Option<&str>) -> Report {
    let contract = SourceFile::new("support.terms", CONTRACT.to_string());
    let scenario = SourceFile::new("support.scenario", scenario.to_string());
    let as_of = as_of.map(|t| terms::syntax::parse_as_of(t).unwrap());
    terms::run(&contract, &scenario, as_of).unwrap_or_else(|f| panic!("{}", f.render()))
}

fn status(r: &Report) -> String {
    serde_json::to_value(r.outcome.obligations[0].status)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

const ONE_REQUEST: &str = "scenario \"one request\"\ncontract support\nas of 2025-03-10T10:00\n\
    event q1: request on 2025-03-10T08:00\n\
    event a1: reply on 2025-03-10T11:00 { request: q1 }\n";

#[test]
fn an_instant_in_the_scenario_sees_only_what_happened_by_then() {
    // As of 10:00 the reply at 11:00 has not happened and the deadline (12:00) has not passed.
    let r = run(ONE_REQUEST, None);
    assert_eq!(r.as_of, "2025-03-10T10:00");
    assert_eq!(status(&r), "pending");
    assert!(r.outcome.violations.is_empty());
    // As of 11:30 it has: met.
    let r = run(ONE_REQUEST, Some("2025-03-10T11:30"));
    assert_eq!(r.as_of, "2025-03-10T11:30");
    assert_eq!(status(&r), "met");
}

#[test]
fn a_deadline_passes_at_its_instant() {
    let unanswered = "scenario \"unanswered\"\ncontract support\n\
        event q1: request on 2025-03-10T08:00\n";
    // Due 12:00. At 12:00 exactly it has not passed; at 12:01 it has.
    assert_eq!(
        status(&run(unanswered, Some("2025-03-10T12:00"))),
        "pending"
    );
    let r = run(unanswered, Some("2025-03-10T12:01"));
    assert_eq!(status(&r), "violated");
    // 1 minute late: 0 whole hours, EUR 0.00.
    assert!(r.outcome.amounts[0].amount.is_zero());
    // As of 15:30: 3 h 30 min late, 3 whole hours × EUR 10.00 = EUR 30.00.
    let r = run(unanswered, Some("2025-03-10T15:30"));
    assert!(
        r.outcome.violations[0]
            .detail
            .contains("overdue 3 hours 30 minutes as of 2025-03-10T15:30"),
        "{}",
        r.outcome.violations[0].detail
    );
    assert_eq!(r.outcome.amounts[0].amount.to_string(), "30.00");
}

#[test]
fn a_date_alone_is_the_end_of_that_day() {
    let unanswered = "scenario \"unanswered\"\ncontract support\n\
        event q1: request on 2025-03-10T08:00\n";
    // As of 2025-03-10: the whole day has elapsed, so a deadline at 12:00 that day is 12 hours
    // behind (to midnight): 12 × EUR 10.00 = EUR 120.00. (0.2 before this fix measured to the
    // start of the day and reported 0 minutes and EUR 0.00.)
    let r = run(unanswered, Some("2025-03-10"));
    assert_eq!(status(&r), "violated");
    assert!(
        r.outcome.violations[0]
            .detail
            .contains("overdue 12 hours as of 2025-03-10"),
        "{}",
        r.outcome.violations[0].detail
    );
    assert_eq!(r.outcome.amounts[0].amount.to_string(), "120.00");
    // As of 2025-03-11: 36 hours, EUR 360.00.
    let r = run(unanswered, Some("2025-03-11"));
    assert_eq!(r.outcome.amounts[0].amount.to_string(), "360.00");
    // A reply dated by its day only, on the as-of day, has happened as of any instant that day.
    let by_day = "scenario \"by day\"\ncontract support\n\
        event q1: request on 2025-03-10T08:00\n\
        event a1: reply on 2025-03-10 { request: q1 }\n";
    assert_ne!(status(&run(by_day, Some("2025-03-10T09:00"))), "violated");
}

#[test]
fn an_instant_with_an_offset_is_placed_in_the_contract_zone() {
    // 09:30 UTC is 10:30 in Brussels (winter time): the reply at 11:00 local has not happened.
    let r = run(ONE_REQUEST, Some("2025-03-10T09:30:00Z"));
    assert_eq!(r.as_of, "2025-03-10T10:30");
    assert_eq!(status(&r), "pending");
    // 10:30 UTC is 11:30 local: met. The same in the scenario's own line.
    let with_line = ONE_REQUEST.replace("as of 2025-03-10T10:00", "as of 2025-03-10T10:30Z");
    let r = run(&with_line, None);
    assert_eq!(r.as_of, "2025-03-10T11:30");
    assert_eq!(status(&r), "met");
    // In summer time Brussels is UTC+2.
    let summer = "scenario \"summer\"\ncontract support\nas of 2025-07-01T06:00:00-02:00\n";
    assert_eq!(run(summer, None).as_of, "2025-07-01T10:00");
}

#[test]
fn an_as_of_time_the_clocks_skip_is_refused() {
    let contract = SourceFile::new("support.terms", CONTRACT.to_string());
    let scenario = SourceFile::new(
        "skipped.scenario",
        "scenario \"skipped\"\ncontract support\nas of 2025-03-30T02:30\n".to_string(),
    );
    let failure = terms::run(&contract, &scenario, None).expect_err("02:30 does not exist");
    assert_eq!(failure.codes(), ["terms::scenario::nonexistent_time"]);
}

/// One history: requests at `requests` minutes after 2025-03-10T08:00, each answered after
/// its own delay (minutes) or never.
fn history(requests: &[(u32, Option<u32>)], cut: Option<u32>) -> String {
    let at = |minutes: u32| {
        let t = chrono::NaiveDate::from_ymd_opt(2025, 3, 10)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap()
            + chrono::Duration::minutes(i64::from(minutes));
        t.format("%Y-%m-%dT%H:%M").to_string()
    };
    let mut s = String::from("scenario \"property\"\ncontract support\n");
    for (i, (start, reply)) in requests.iter().enumerate() {
        if cut.is_none_or(|c| *start <= c) {
            s.push_str(&format!("event q{i}: request on {}\n", at(*start)));
        }
        if let Some(after) = reply {
            let when = start + after;
            if cut.is_none_or(|c| when <= c) {
                s.push_str(&format!(
                    "event a{i}: reply on {} {{ request: q{i} }}\n",
                    at(when)
                ));
            }
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Evaluating as of an instant gives the same report as evaluating, as of that instant,
    /// the history with every event after it removed.
    #[test]
    fn as_of_an_instant_equals_the_history_cut_there(
        requests in proptest::collection::vec((0u32..3000, proptest::option::of(0u32..600)), 0..6),
        cut in 0u32..3600,
    ) {
        let start = chrono::NaiveDate::from_ymd_opt(2025, 3, 10).unwrap().and_hms_opt(8, 0, 0).unwrap();
        let instant = (start + chrono::Duration::minutes(i64::from(cut))).format("%Y-%m-%dT%H:%M").to_string();
        let full = run(&history(&requests, None), Some(&instant));
        let cut_history = run(&history(&requests, Some(cut)), Some(&instant));
        prop_assert_eq!(full.to_json(), cut_history.to_json());
    }
}

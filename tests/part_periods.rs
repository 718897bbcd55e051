//! Part periods of a delay (issue 9): `started_days`, `complete_days`, `started_hours`,
//! `complete_hours`, and the clause line `delay counted in started|whole periods` that makes
//! `days(delay)` and `hours(delay)` count them. Properties over many (due, act) pairs, and
//! hand-computed cases across both clock changes of 2025 in Europe/Brussels (summer time
//! from 2025-03-30 02:00 → 03:00, winter time from 2025-10-26 03:00 → 02:00).
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use terms::calendar::{delay_end, Calendar, Moment, PeriodUnit};

fn day(s: &str) -> Moment {
    Moment::Date(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
}

fn at(s: &str) -> Moment {
    Moment::DateTime(NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap())
}

/// (complete, started) days and (complete, started) hours.
fn counts(from: Moment, to: Moment) -> ((i64, i64), (i64, i64)) {
    let c = Calendar::default();
    let d = c.part_periods(from, to, PeriodUnit::Days).unwrap();
    let h = c.part_periods(from, to, PeriodUnit::Hours).unwrap();
    ((d.complete, d.started), (h.complete, h.started))
}

#[test]
fn a_whole_day_deadline_passes_at_the_end_of_its_day() {
    // Due by 2025-03-10 (it passes at 2025-03-11T00:00), delivered 2025-03-12T09:00: 1 day
    // 9 hours late: 1 complete day, 2 started; 33 hours.
    assert_eq!(
        counts(day("2025-03-10"), at("2025-03-12T09:00")),
        ((1, 2), (33, 33))
    );
    // Delivered at the stroke of midnight ending 2025-03-11: exactly 1 day, 24 hours.
    assert_eq!(
        counts(day("2025-03-10"), at("2025-03-12T00:00")),
        ((1, 1), (24, 24))
    );
    // Delivered during the due day itself: not late.
    assert_eq!(
        counts(day("2025-03-10"), at("2025-03-10T23:59")),
        ((0, 0), (0, 0))
    );
    // Two whole days (an act known only by its day counts its day, as `days(delay)` does):
    // 2025-03-10 → 2025-03-12 is 2 days, 48 hours.
    assert_eq!(
        counts(day("2025-03-10"), day("2025-03-12")),
        ((2, 2), (48, 48))
    );
    // A date-time deadline and an act a minute later: 0 complete, 1 started of each.
    assert_eq!(
        counts(at("2025-03-10T12:00"), at("2025-03-10T12:01")),
        ((0, 1), (0, 1))
    );
}

#[test]
fn across_the_change_to_summer_time() {
    // 2025-03-29T12:00 → 2025-03-30T12:00: one calendar day of the clock, but 23 hours
    // elapsed (02:00 became 03:00).
    assert_eq!(
        counts(at("2025-03-29T12:00"), at("2025-03-30T12:00")),
        ((1, 1), (23, 23))
    );
    // Due by 2025-03-29 (passes 2025-03-30T00:00), done 2025-03-31T01:30: 1 day 1 h 30 of
    // the clock → days 1 complete, 2 started; elapsed 25 h 30 − 1 h = 24 h 30 → hours 24
    // complete, 25 started.
    assert_eq!(
        counts(day("2025-03-29"), at("2025-03-31T01:30")),
        ((1, 2), (24, 25))
    );
    // Whole days 2025-03-29 → 2025-03-30: 1 day, 23 hours (the day of the change).
    assert_eq!(
        counts(day("2025-03-29"), day("2025-03-30")),
        ((1, 1), (23, 23))
    );
}

#[test]
fn across_the_change_to_winter_time() {
    // Due by 2025-10-25 (passes 2025-10-26T00:00), done 2025-10-27T01:30: 1 day 1 h 30 of
    // the clock → 1 complete day, 2 started; elapsed 25 h 30 + 1 h = 26 h 30 → 26 complete
    // hours, 27 started.
    assert_eq!(
        counts(day("2025-10-25"), at("2025-10-27T01:30")),
        ((1, 2), (26, 27))
    );
    // 01:00 → 04:00 on 2025-10-26: three hours on the clock, four elapsed.
    assert_eq!(
        counts(at("2025-10-26T01:00"), at("2025-10-26T04:00")),
        ((0, 1), (4, 4))
    );
    // 2025-10-25T12:00 → 2025-10-26T12:00: one day, 25 hours.
    assert_eq!(
        counts(at("2025-10-25T12:00"), at("2025-10-26T12:00")),
        ((1, 1), (25, 25))
    );
}

/// Any moment of 2025 in Brussels: a whole day, or a date-time to the second.
fn moment() -> impl Strategy<Value = Moment> {
    (0u64..365, 0u32..86_400, any::<bool>(), 0u32..4).prop_map(|(d, secs, whole, round)| {
        let date = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(d);
        if whole {
            return Moment::Date(date);
        }
        // Often on the hour or the minute, so whole periods come up.
        let secs = match round {
            0 => secs / 3600 * 3600,
            1 => secs / 60 * 60,
            _ => secs,
        };
        Moment::DateTime(
            date.and_hms_opt(secs / 3600, secs / 60 % 60, secs % 60)
                .unwrap(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn started_and_complete_agree(from in moment(), to in moment()) {
        let c = Calendar::default();
        let (a, b) = (delay_end(from).unwrap(), delay_end(to).unwrap());
        for unit in [PeriodUnit::Days, PeriodUnit::Hours] {
            let p = c.part_periods(from, to, unit).unwrap();
            prop_assert!(p.started >= p.complete);
            prop_assert!(p.started - p.complete == 0 || p.started - p.complete == 1);
            prop_assert!(p.complete >= 0);
            // Equal exactly when the delay is a whole number of periods.
            let whole = if b <= a {
                true
            } else {
                match unit {
                    PeriodUnit::Days => a.time() == b.time(),
                    PeriodUnit::Hours => c.seconds_between(a, b) % 3600 == 0,
                }
            };
            prop_assert_eq!(p.started == p.complete, whole, "{:?} {:?} {:?}", from, to, unit);
        }
        // Complete days by walking: the largest n with from + n days <= to.
        let days = c.part_periods(from, to, PeriodUnit::Days).unwrap();
        let mut n = 0i64;
        while a + chrono::Days::new((n + 1) as u64) <= b {
            n += 1;
        }
        prop_assert_eq!(days.complete, n);
        // Whole-day ends: both counts are today's `days(delay)`.
        if let (Moment::Date(x), Moment::Date(y)) = (from, to) {
            let calendar_days = terms::calendar::days_between(x, y);
            prop_assert_eq!(days.complete, calendar_days);
            prop_assert_eq!(days.started, calendar_days);
        }
        // Hours: whole hours of elapsed seconds, rounded down and up.
        let hours = c.part_periods(from, to, PeriodUnit::Hours).unwrap();
        let secs = if b <= a { 0 } else { c.seconds_between(a, b) };
        prop_assert_eq!(hours.complete, secs / 3600);
        prop_assert_eq!(hours.started, (secs + 3599) / 3600);
    }
}

// ---------------------------------------------------------------- the clause line

const CONTRACT: &str = r#"contract supplier
party supplier
party buyer
currency EUR
timezone "Europe/Brussels"
event order { due: date }
event delivery { order: order }

obligation deliver article "5.1" {
  for each order o
  supplier must "deliver the goods"
  by o.due
  fulfilled by delivery
}

value as_today article "5.2" {
  on breach of deliver
  is days(delay) * 1000 + hours(delay)
}

value started article "5.3" {
  on breach of deliver
  delay counted in started periods
  is days(delay) * 1000 + hours(delay)
}

value whole article "5.4" {
  on breach of deliver
  delay counted in whole periods
  is days(delay) * 1000 + hours(delay)
}

value spelled_out article "5.5" {
  on breach of deliver
  is started_days(delay) * 1000 + complete_hours(delay)
}
"#;

fn run(events: &str) -> Vec<(String, String)> {
    let contract = terms::source::SourceFile::new("supplier.terms", CONTRACT.to_string());
    let scenario = terms::source::SourceFile::new(
        "s.scenario",
        format!("scenario \"s\"\nas of 2025-12-31\n{events}"),
    );
    let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    r.outcome
        .values
        .iter()
        .map(|v| (v.source.clause_id.clone(), v.value.clone()))
        .collect()
}

#[test]
fn the_line_changes_what_days_and_hours_mean_in_its_clause() {
    let values = run("event o1: order on 2025-03-01 { due: 2025-03-10 }\n\
         event d1: delivery on 2025-03-12T09:30 { order: o1 }\n");
    let s = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        values,
        [
            // Without the line: calendar days from the due day to the act's day,
            // 2025-03-10 → 2025-03-12 = 2; whole hours from the end of the due day (0.1 counted
            // from its start, 24 hours too many), 2025-03-11T00:00 → 2025-03-12T09:30 = 33 h 30
            // → 33. 2 × 1000 + 33.
            s("as_today", "2033"),
            // Started: 1 day 9 h 30 late (from 2025-03-11T00:00) → 2 days; 33 h 30 → 34 hours.
            s("started", "2034"),
            // Whole: 1 day, 33 hours.
            s("whole", "1033"),
            // started_days = 2, complete_hours = 33.
            s("spelled_out", "2033"),
        ]
    );
    // Not delivered: the delay runs from the end of 2025-03-10 to the end of the evaluation
    // day 2025-12-31: 21 days in March, then 30 + 31 + 30 + 31 + 31 + 30 + 31 + 30 + 31 = 296
    // days, whole; 296 × 24 = 7104 hours (the change forward on 2025-03-30 takes an hour, the
    // change back on 2025-10-26 gives it back), whole. 296 × 1000 + 7104 = 303104.
    let values = run("event o1: order on 2025-03-01 { due: 2025-03-10 }\n");
    assert_eq!(values[1], s("started", "303104"));
    assert_eq!(values[2], s("whole", "303104"));
}

#[test]
fn the_line_needs_on_breach_of() {
    let contract = terms::source::SourceFile::new(
        "c.terms",
        "contract c\nparty a\nparty b\ncurrency EUR\nevent order { }\n\
         value v article \"1\" {\n  for each order o\n  delay counted in whole periods\n  is 1\n}\n"
            .to_string(),
    );
    let failure = terms::load_contract(&contract).err().unwrap();
    let text = failure.render();
    assert!(text.contains("terms::check::misplaced_item"), "{text}");
    assert!(text.contains("needs a delay"), "{text}");
}

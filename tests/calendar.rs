//! The calendar module against an independent table, and its invariants by property tests.
//!
//! The Belgian legal public holidays for 2020–2035 below are the ten days of the Royal Decree
//! of 18 April 1974 (art. 1), as listed each year by the FPS Employment, Labour and Social
//! Dialogue ("Jours fériés / Feestdagen", https://emploi.belgique.be/fr/themes/reglementation-du-travail/jours-feries).
//! The Easter-dependent days (Easter Monday, Ascension, Whit Monday) were computed from Easter
//! Sundays checked against a second implementation (python-dateutil's `easter`), not from
//! this crate's computus.

#![allow(clippy::panic, clippy::unwrap_used)]

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use terms::ast::{Duration, Unit};
use terms::calendar::{self, Calendar, Moment};
use terms::source::Span;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const HOLIDAYS: [(i32, [&str; 10]); 16] = [
    (
        2020,
        [
            "2020-01-01",
            "2020-04-13",
            "2020-05-01",
            "2020-05-21",
            "2020-06-01",
            "2020-07-21",
            "2020-08-15",
            "2020-11-01",
            "2020-11-11",
            "2020-12-25",
        ],
    ),
    (
        2021,
        [
            "2021-01-01",
            "2021-04-05",
            "2021-05-01",
            "2021-05-13",
            "2021-05-24",
            "2021-07-21",
            "2021-08-15",
            "2021-11-01",
            "2021-11-11",
            "2021-12-25",
        ],
    ),
    (
        2022,
        [
            "2022-01-01",
            "2022-04-18",
            "2022-05-01",
            "2022-05-26",
            "2022-06-06",
            "2022-07-21",
            "2022-08-15",
            "2022-11-01",
            "2022-11-11",
            "2022-12-25",
        ],
    ),
    (
        2023,
        [
            "2023-01-01",
            "2023-04-10",
            "2023-05-01",
            "2023-05-18",
            "2023-05-29",
            "2023-07-21",
            "2023-08-15",
            "2023-11-01",
            "2023-11-11",
            "2023-12-25",
        ],
    ),
    (
        2024,
        [
            "2024-01-01",
            "2024-04-01",
            "2024-05-01",
            "2024-05-09",
            "2024-05-20",
            "2024-07-21",
            "2024-08-15",
            "2024-11-01",
            "2024-11-11",
            "2024-12-25",
        ],
    ),
    (
        2025,
        [
            "2025-01-01",
            "2025-04-21",
            "2025-05-01",
            "2025-05-29",
            "2025-06-09",
            "2025-07-21",
            "2025-08-15",
            "2025-11-01",
            "2025-11-11",
            "2025-12-25",
        ],
    ),
    (
        2026,
        [
            "2026-01-01",
            "2026-04-06",
            "2026-05-01",
            "2026-05-14",
            "2026-05-25",
            "2026-07-21",
            "2026-08-15",
            "2026-11-01",
            "2026-11-11",
            "2026-12-25",
        ],
    ),
    (
        2027,
        [
            "2027-01-01",
            "2027-03-29",
            "2027-05-01",
            "2027-05-06",
            "2027-05-17",
            "2027-07-21",
            "2027-08-15",
            "2027-11-01",
            "2027-11-11",
            "2027-12-25",
        ],
    ),
    (
        2028,
        [
            "2028-01-01",
            "2028-04-17",
            "2028-05-01",
            "2028-05-25",
            "2028-06-05",
            "2028-07-21",
            "2028-08-15",
            "2028-11-01",
            "2028-11-11",
            "2028-12-25",
        ],
    ),
    (
        2029,
        [
            "2029-01-01",
            "2029-04-02",
            "2029-05-01",
            "2029-05-10",
            "2029-05-21",
            "2029-07-21",
            "2029-08-15",
            "2029-11-01",
            "2029-11-11",
            "2029-12-25",
        ],
    ),
    (
        2030,
        [
            "2030-01-01",
            "2030-04-22",
            "2030-05-01",
            "2030-05-30",
            "2030-06-10",
            "2030-07-21",
            "2030-08-15",
            "2030-11-01",
            "2030-11-11",
            "2030-12-25",
        ],
    ),
    (
        2031,
        [
            "2031-01-01",
            "2031-04-14",
            "2031-05-01",
            "2031-05-22",
            "2031-06-02",
            "2031-07-21",
            "2031-08-15",
            "2031-11-01",
            "2031-11-11",
            "2031-12-25",
        ],
    ),
    (
        2032,
        [
            "2032-01-01",
            "2032-03-29",
            "2032-05-01",
            "2032-05-06",
            "2032-05-17",
            "2032-07-21",
            "2032-08-15",
            "2032-11-01",
            "2032-11-11",
            "2032-12-25",
        ],
    ),
    (
        2033,
        [
            "2033-01-01",
            "2033-04-18",
            "2033-05-01",
            "2033-05-26",
            "2033-06-06",
            "2033-07-21",
            "2033-08-15",
            "2033-11-01",
            "2033-11-11",
            "2033-12-25",
        ],
    ),
    (
        2034,
        [
            "2034-01-01",
            "2034-04-10",
            "2034-05-01",
            "2034-05-18",
            "2034-05-29",
            "2034-07-21",
            "2034-08-15",
            "2034-11-01",
            "2034-11-11",
            "2034-12-25",
        ],
    ),
    (
        2035,
        [
            "2035-01-01",
            "2035-03-26",
            "2035-05-01",
            "2035-05-03",
            "2035-05-14",
            "2035-07-21",
            "2035-08-15",
            "2035-11-01",
            "2035-11-11",
            "2035-12-25",
        ],
    ),
];

#[test]
fn belgian_public_holidays_2020_2035_match_the_official_table() {
    for (year, days) in HOLIDAYS {
        let computed: Vec<String> = calendar::belgian_holidays(year)
            .iter()
            .map(|(day, _)| day.format("%Y-%m-%d").to_string())
            .collect();
        assert_eq!(computed, days, "{year}");
        let cal = Calendar::default();
        for day in days {
            assert!(!cal.is_business_day(d(day)), "{day} is a holiday");
        }
    }
}

/// `lib/belgium.terms` declares the same ten days: the calendar every contract's `calendar
/// belgium` (and the default calendar) now reads, against the official table.
#[test]
fn the_belgium_library_matches_the_official_table() {
    let contract = terms::source::SourceFile::new(
        "be.terms",
        "contract be\nuse belgium\nparty a\ncurrency EUR\ncalendar belgium\n",
    );
    let (checked, _) = terms::load_contract(&contract).unwrap();
    for (year, days) in HOLIDAYS {
        let declared: Vec<String> = checked
            .calendar
            .holidays_of(year)
            .iter()
            .map(|day| day.format("%Y-%m-%d").to_string())
            .collect();
        assert_eq!(declared, days, "{year}");
    }
}

#[test]
fn known_business_day_counts() {
    let cal = Calendar::default();
    // IK-3: 15 business days before 2025-05-15, skipping Labour Day.
    assert_eq!(
        cal.add_business_days(d("2025-05-15"), 15, false).unwrap(),
        d("2025-04-23")
    );
    // QF-7: 3 working days after Thursday 2025-04-17, skipping Easter Monday.
    assert_eq!(
        cal.add_business_days(d("2025-04-17"), 3, true).unwrap(),
        d("2025-04-23")
    );
    // A deadline on Saturday 2025-11-01 (All Saints' Day) rolls to Monday 2025-11-03.
    assert_eq!(cal.roll_forward(d("2025-11-01")).unwrap(), d("2025-11-03"));
}

#[test]
fn business_minutes_run_only_in_business_hours() {
    let cal = Calendar::default();
    let start = Moment::DateTime(
        NaiveDateTime::parse_from_str("2025-03-14T17:00", "%Y-%m-%dT%H:%M").unwrap(),
    );
    let two_hours = Duration {
        count: 120,
        unit: Unit::Minutes,
        business: true,
        span: Span::default(),
    };
    let due = cal.shift(start, &two_hours, true).unwrap().moment;
    assert_eq!(due.to_string(), "2025-03-17T10:00");
}

#[test]
fn elapsed_hours_cross_a_clock_change() {
    let cal = Calendar::default();
    // Brussels moves to summer time on 2025-03-30 at 02:00: 48 elapsed hours from Friday
    // 2025-03-28 14:00 end at 15:00 local time on Sunday.
    let start = Moment::DateTime(
        NaiveDateTime::parse_from_str("2025-03-28T14:00", "%Y-%m-%dT%H:%M").unwrap(),
    );
    let hours = Duration {
        count: 48,
        unit: Unit::Hours,
        business: false,
        span: Span::default(),
    };
    assert_eq!(
        cal.shift(start, &hours, true).unwrap().moment.to_string(),
        "2025-03-30T15:00"
    );
}

#[test]
fn month_ends_clamp_and_say_so() {
    let cal = Calendar::default();
    let one_month = Duration {
        count: 1,
        unit: Unit::Months,
        business: false,
        span: Span::default(),
    };
    let shifted = cal
        .shift(Moment::Date(d("2025-01-31")), &one_month, true)
        .unwrap();
    assert_eq!(shifted.moment, Moment::Date(d("2025-02-28")));
    assert!(shifted.clamped);
    let leap = cal
        .shift(Moment::Date(d("2024-01-31")), &one_month, true)
        .unwrap();
    assert_eq!(leap.moment, Moment::Date(d("2024-02-29")));
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (2000i32..2100, 1u32..=12, 1u32..=31).prop_map(|(y, m, day)| {
        (0..4)
            .find_map(|back| NaiveDate::from_ymd_opt(y, m, day - back.min(day - 1)))
            .unwrap()
    })
}

proptest! {
    #[test]
    fn adding_then_subtracting_business_days_returns_to_a_business_day(date in any_date(), n in 0u32..400) {
        let cal = Calendar::default();
        let start = cal.roll_forward(date).unwrap();
        let there = cal.add_business_days(start, n, true).unwrap();
        prop_assert!(n == 0 || cal.is_business_day(there));
        prop_assert_eq!(cal.add_business_days(there, n, false).unwrap(), start);
    }

    #[test]
    fn business_days_are_monotonic(a in any_date(), b in any_date(), n in 0u32..200) {
        let cal = Calendar::default();
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(cal.add_business_days(lo, n, true).unwrap() <= cal.add_business_days(hi, n, true).unwrap());
        prop_assert!(cal.add_business_days(lo, n, true).unwrap() >= lo);
    }

    #[test]
    fn adding_months_clamps_to_the_month_end(date in any_date(), n in 0u32..240) {
        let moved = calendar::add_months(date, n, true).unwrap();
        let months = (moved.year() - date.year()) * 12 + moved.month() as i32 - date.month() as i32;
        prop_assert_eq!(months, n as i32);
        prop_assert!(moved.day() <= date.day());
        if moved.day() < date.day() {
            prop_assert_eq!(moved, calendar::end_of_month(moved).unwrap());
        }
    }

    #[test]
    fn started_months_cover_the_delay_and_exceed_complete_months_by_at_most_one(a in any_date(), days in 0i64..2000) {
        let b = calendar::add_days(a, days, true).unwrap();
        let started = calendar::started_months(a, b).unwrap();
        let complete = calendar::complete_months(a, b).unwrap();
        prop_assert!(started >= complete && started - complete <= 1);
        prop_assert!(calendar::add_months(a, started, true).unwrap() >= b);
        prop_assert!(calendar::add_months(a, complete, true).unwrap() <= b);
        prop_assert_eq!(calendar::complete_weeks(a, b), days / 7);
    }

    #[test]
    fn rolling_forward_lands_on_the_first_business_day(date in any_date()) {
        let cal = Calendar::default();
        let rolled = cal.roll_forward(date).unwrap();
        prop_assert!(rolled >= date && cal.is_business_day(rolled));
        prop_assert_eq!(cal.roll_forward(rolled).unwrap(), rolled);
        let mut day = date;
        while day < rolled {
            prop_assert!(!cal.is_business_day(day));
            day = calendar::add_days(day, 1, true).unwrap();
        }
    }
}

#[test]
fn business_hours_follow_the_contract() {
    let cal = Calendar {
        opens: chrono::NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
        closes: chrono::NaiveTime::from_hms_opt(17, 30, 0).unwrap(),
        ..Calendar::default()
    };
    let start = Moment::DateTime(
        NaiveDateTime::parse_from_str("2025-03-14T17:00", "%Y-%m-%dT%H:%M").unwrap(),
    );
    let hour = Duration {
        count: 60,
        unit: Unit::Minutes,
        business: true,
        span: Span::default(),
    };
    assert_eq!(
        cal.shift(start, &hour, true).unwrap().moment.to_string(),
        "2025-03-17T09:00"
    );
}

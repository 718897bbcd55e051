//! Issue 9, "beyond the five vendors": declared channels, libraries (`use`), Belgium shipped as
//! a library, the Netherlands' calendar and holiday substitution rules. Every date is worked
//! out by hand in the comment beside it, and every weekday checked with chrono.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use chrono::{Datelike, NaiveDate, Weekday};
use terms::eval::ObligationStatus;
use terms::source::SourceFile;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn contract(text: &str) -> SourceFile {
    SourceFile::new("demo.terms", text.to_string())
}

fn load(text: &str) -> terms::check::Checked {
    terms::load_contract(&contract(text))
        .unwrap_or_else(|f| panic!("{}", f.render()))
        .0
}

fn calendar_of(text: &str) -> terms::calendar::Calendar {
    load(text).calendar
}

/// A contract whose notice must be given in writing, with its own channels.
const WRITTEN_NOTICE: &str = r#"contract demo
party vendor
party client
currency EUR
channel registered_letter "registered letter" counts as letter
channel letter counts as written
channel email counts as written
channel written "any written form"
channel fax
event incident { }
event report { incident: incident }
obligation report_incident article "9" {
  for each incident i
  client must "report the incident"
  via written
  within 10 days after i
  fulfilled by report
}
"#;

fn status_with(via: &str) -> (ObligationStatus, usize) {
    let scenario = SourceFile::new(
        "s.scenario",
        format!(
            "scenario \"s\"\nas of 2025-03-31\nevent i1: incident on 2025-03-03\n\
             event r1: report on 2025-03-05 by client via {via} {{ incident: i1 }}\n"
        ),
    );
    let r = terms::run(&contract(WRITTEN_NOTICE), &scenario, None)
        .unwrap_or_else(|f| panic!("{}", f.render()));
    (r.outcome.obligations[0].status, r.outcome.rejected.len())
}

/// `counts as` is transitive: a registered letter is a letter, and a letter is written; a fax
/// counts as nothing else, so it does not meet a requirement of `written`.
#[test]
fn declared_channels_count_as_others_transitively() {
    // Incident 2025-03-03 + 10 days = due 2025-03-13; reported 2025-03-05, in time.
    assert_eq!(status_with("registered_letter"), (ObligationStatus::Met, 0));
    assert_eq!(status_with("email"), (ObligationStatus::Met, 0));
    assert_eq!(status_with("written"), (ObligationStatus::Met, 0));
    // A fax is refused: as of 2025-03-31 nothing valid came by 2025-03-13.
    assert_eq!(status_with("fax"), (ObligationStatus::Violated, 1));
    let c = load(WRITTEN_NOTICE);
    let id = |n: &str| c.channels.id(n).unwrap();
    assert!(c.channels.satisfies(id("registered_letter"), id("written")));
    assert!(!c.channels.satisfies(id("written"), id("letter")));
    assert!(!c.channels.satisfies(id("email"), id("letter")));
}

/// A contract that declares channels has only those: `phone` is one of the six standard
/// channels, but not this contract's.
#[test]
fn a_contract_with_its_own_channels_has_only_those() {
    let scenario = SourceFile::new(
        "s.scenario",
        "scenario \"s\"\nas of 2025-03-31\nevent i1: incident on 2025-03-03\n\
         event r1: report on 2025-03-05 by client via phone { incident: i1 }\n",
    );
    let failure = terms::run(&contract(WRITTEN_NOTICE), &scenario, None).unwrap_err();
    assert_eq!(failure.codes(), ["terms::scenario::unknown_channel"]);
    let text = failure.render();
    assert!(
        text.contains("channels are: registered_letter, letter, email, written, fax"),
        "{text}"
    );
    let in_contract = WRITTEN_NOTICE.replace("via written", "via phone");
    let failure = terms::load_contract(&contract(&in_contract)).unwrap_err();
    assert_eq!(failure.codes(), ["terms::check::unknown_channel"]);
}

/// Without any `channel`, a contract has the six channels of 0.1 and their relation.
#[test]
fn a_contract_without_channels_has_the_standard_six() {
    let c = load("contract demo\nparty a\ncurrency EUR\n");
    assert_eq!(
        c.channels.names(),
        [
            "registered_letter",
            "letter",
            "email",
            "written",
            "platform",
            "phone"
        ]
    );
    let with_belgium = load("contract demo\nuse belgium\nparty a\ncurrency EUR\n");
    assert_eq!(with_belgium.channels, c.channels);
    // A contract's own channel on top of a library's counts as the library's.
    let fax =
        load("contract demo\nuse belgium\nchannel fax counts as written\nparty a\ncurrency EUR\n");
    let id = |n: &str| fax.channels.id(n).unwrap();
    assert_eq!(fax.channels.names().len(), 7);
    assert!(fax.channels.satisfies(id("fax"), id("written")));
    assert!(!fax.channels.satisfies(id("fax"), id("letter")));
    // Without a channel of its own, `use netherlands` keeps the standard six.
    let dutch = load("contract demo\nuse netherlands\nparty a\ncurrency EUR\n");
    assert_eq!(dutch.channels, c.channels);
}

/// `use belgium` changes nothing for a contract that already had Belgium's calendar and the
/// standard channels: the five vendors' reports are the same with it.
#[test]
fn use_belgium_changes_no_bundled_report() {
    let root = common::root();
    for vendor in [
        "ikanbi",
        "clientcom",
        "ecom",
        "deardigital",
        "qualifio",
        "cloudmeter",
    ] {
        let path = root.join(format!("contracts/{vendor}.terms"));
        let text = std::fs::read_to_string(&path).unwrap();
        let header_end = text.find("\nvendor ").unwrap();
        let with_use = format!(
            "{}\nuse belgium{}",
            &text[..header_end],
            &text[header_end..]
        );
        let plain = SourceFile::new(format!("{vendor}.terms"), text.clone());
        let used = SourceFile::new(format!("{vendor}.terms"), with_use);
        let folder = root.join(format!("tests/scenarios/{vendor}"));
        let mut scenarios: Vec<_> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "scenario"))
            .collect();
        scenarios.sort();
        assert!(!scenarios.is_empty(), "{vendor}");
        for scenario in scenarios {
            let s = terms::read_scenario(&scenario).unwrap();
            let a = terms::run(&plain, &s, None).unwrap_or_else(|f| panic!("{}", f.render()));
            let b = terms::run(&used, &s, None).unwrap_or_else(|f| panic!("{}", f.render()));
            assert_eq!(a.to_json(), b.to_json(), "{}", scenario.display());
        }
    }
}

/// A library file next to the contract: `courier` counts as `registered_letter` (declared by
/// `belgium`, which the library uses), so as `letter` and `written`. `belgium` is used by both
/// the contract and the library, and loaded once.
#[test]
fn a_library_file_next_to_the_contract() {
    let dir = common::root().join("tests/libraries");
    let text = r#"contract demo
use belgium
use "post.terms"
party vendor
party client
currency EUR
calendar belgium
unit sheets
event shipment { printed: pages, packed: sheets }
event delivery { shipment: shipment }
obligation deliver article "3" {
  for each shipment s
  vendor must "deliver the shipment"
  via letter
  within 5 business days after s
  fulfilled by delivery
}
"#;
    let file =
        SourceFile::new("tests/libraries/demo.terms", text).with_path(&dir.join("demo.terms"));
    let scenario = SourceFile::new(
        "s.scenario",
        "scenario \"s\"\nas of 2025-05-31\n\
         event s1: shipment on 2025-04-28 { printed: 120 pages, packed: 30 sheets }\n\
         event d1: delivery on 2025-05-06 by vendor via courier { shipment: s1 }\n",
    );
    let r = terms::run(&file, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    // Monday 2025-04-28 + 5 business days in Belgium: Tue 29 (1), Wed 30 (2), Thu 1 May is
    // Labour Day, Fri 2 (3), Mon 5 (4), Tue 6 (5) → due 2025-05-06; the courier came that day.
    let o = &r.outcome.obligations[0];
    assert_eq!(o.due.map(|m| m.date()), Some(d("2025-05-06")));
    assert_eq!(o.status, ObligationStatus::Met);
    // The same text without a path: the relative `use` means nothing.
    let failure = terms::load_contract(&SourceFile::new("demo.terms", text)).unwrap_err();
    assert_eq!(failure.codes(), ["terms::check::missing_library"]);
    assert!(failure.render().contains("not read from a folder"));
}

/// Belgium's holidays as the library declares them are the built-in computation for
/// 2020–2035, with `use belgium`, without it and by default (tests/calendar.rs compares
/// the library with the official table).
#[test]
fn the_belgium_library_declares_the_ten_legal_holidays() {
    let library =
        calendar_of("contract demo\nuse belgium\nparty a\ncurrency EUR\ncalendar belgium\n");
    let computed = terms::calendar::Calendar::default();
    let without_use = calendar_of("contract demo\nparty a\ncurrency EUR\ncalendar belgium\n");
    let by_default = calendar_of("contract demo\nparty a\ncurrency EUR\n");
    for year in 2020..=2035 {
        assert_eq!(
            library.holidays_of(year),
            computed.holidays_of(year),
            "{year}"
        );
        assert_eq!(
            without_use.holidays_of(year),
            computed.holidays_of(year),
            "{year}"
        );
        assert_eq!(
            by_default.holidays_of(year),
            computed.holidays_of(year),
            "{year}"
        );
    }
}

const DUTCH: &str = "contract demo\nuse netherlands\nparty a\ncurrency EUR\ncalendar netherlands\n";

/// King's Day: 27 April, kept on Saturday 26 April when 27 April is a Sunday.
#[test]
fn kings_day_moves_to_saturday_when_27_april_is_a_sunday() {
    let nl = calendar_of(DUTCH);
    assert_eq!(d("2025-04-27").weekday(), Weekday::Sun);
    assert_eq!(d("2025-04-26").weekday(), Weekday::Sat);
    assert!(nl.is_holiday(d("2025-04-26")));
    assert!(!nl.is_holiday(d("2025-04-27")));
    assert_eq!(d("2026-04-27").weekday(), Weekday::Mon);
    assert!(nl.is_holiday(d("2026-04-27")));
    assert!(!nl.is_holiday(d("2026-04-26")));
    // 2031-04-27 is a Sunday too: King's Day 2031 is Saturday 26 April.
    assert_eq!(d("2031-04-27").weekday(), Weekday::Sun);
    assert!(nl.is_holiday(d("2031-04-26")));
    // Easter 2025-04-20: Good Friday 04-18, Easter Monday 04-21, Ascension 05-29, Whit Monday
    // 06-09; King's Day moved to 04-26.
    let expected: Vec<NaiveDate> = [
        "2025-01-01",
        "2025-04-18",
        "2025-04-21",
        "2025-04-26",
        "2025-05-05",
        "2025-05-29",
        "2025-06-09",
        "2025-12-25",
        "2025-12-26",
    ]
    .iter()
    .map(|s| d(s))
    .collect();
    assert_eq!(nl.holidays_of(2025), expected);
}

/// Business days across Dutch holidays, counted by hand.
#[test]
fn business_days_across_dutch_holidays() {
    let nl = calendar_of(DUTCH);
    let be = calendar_of("contract demo\nparty a\ncurrency EUR\ncalendar belgium\n");
    // Thursday 2025-04-17 + 3 business days: Fri 18 is Good Friday, Mon 21 Easter Monday;
    // Tue 22 (1), Wed 23 (2), Thu 24 (3) → 2025-04-24. In Belgium Good Friday is worked:
    // Fri 18 (1), Tue 22 (2), Wed 23 (3) → 2025-04-23.
    assert_eq!(
        nl.add_business_days(d("2025-04-17"), 3, true),
        Ok(d("2025-04-24"))
    );
    assert_eq!(
        be.add_business_days(d("2025-04-17"), 3, true),
        Ok(d("2025-04-23"))
    );
    // After Friday 2025-04-25 up to Friday 2025-05-09: 10 weekdays (28, 29, 30 April, 1, 2,
    // 5–9 May) less Liberation Day, Monday 5 May: 9. King's Day fell on Saturday 26 April and
    // 1 May is not a Dutch holiday. In Belgium: 10 less Labour Day (1 May) = 9 as well, but
    // not the same days.
    assert_eq!(
        nl.business_days_between(d("2025-04-25"), d("2025-05-09")),
        9
    );
    assert!(nl.is_business_day(d("2025-05-01")));
    assert!(!be.is_business_day(d("2025-05-01")));
    // After Friday 2026-04-24 up to Thursday 2026-04-30: Mon 27 is King's Day; Tue 28, Wed 29,
    // Thu 30 → 3.
    assert_eq!(
        nl.business_days_between(d("2026-04-24"), d("2026-04-30")),
        3
    );
    // Christmas week 2025: Thu 25 and Fri 26 December are holidays; after Wednesday 24 up to
    // Wednesday 31: Mon 29, Tue 30, Wed 31 → 3 (Belgium: 26 December is worked → 4).
    assert_eq!(
        nl.business_days_between(d("2025-12-24"), d("2025-12-31")),
        3
    );
    assert_eq!(
        be.business_days_between(d("2025-12-24"), d("2025-12-31")),
        4
    );
}

/// A deadline in business days in a contract that uses the Dutch calendar, evaluated.
#[test]
fn a_dutch_contract_counts_its_deadline_in_dutch_business_days() {
    let text = r#"contract demo
use netherlands
party vendor
party client
currency EUR
calendar netherlands
event order { }
event delivery { order: order }
obligation deliver article "4" {
  for each order o
  vendor must "deliver"
  within 5 business days after o
  fulfilled by delivery
}
"#;
    let scenario = SourceFile::new(
        "s.scenario",
        "scenario \"s\"\nas of 2025-05-31\nevent o1: order on 2025-04-24\n\
         event d1: delivery on 2025-05-02 { order: o1 }\n",
    );
    let r =
        terms::run(&contract(text), &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    // Thursday 2025-04-24 + 5: Fri 25 (1), [Sat 26 King's Day, Sun 27], Mon 28 (2), Tue 29 (3),
    // Wed 30 (4), Thu 1 May (5) → due 2025-05-01; delivered Friday 2 May: 1 day late.
    let o = &r.outcome.obligations[0];
    assert_eq!(o.due.map(|m| m.date()), Some(d("2025-05-01")));
    assert_eq!(o.status, ObligationStatus::Violated);
    assert_eq!(r.outcome.violations[0].days_late, Some(1));
}

/// UK-style rules: a holiday on a weekend is kept on the next weekday that is free, so two
/// rules per day (`library holidays` in tests/libraries/holidays.terms).
#[test]
fn substitution_rules_in_the_english_style() {
    let dir = common::root().join("tests/libraries");
    let text = "contract demo\nuse \"holidays.terms\"\nparty a\ncurrency EUR\ncalendar england\n";
    let file = SourceFile::new("demo.terms", text).with_path(&dir.join("demo.terms"));
    let en = terms::load_contract(&file)
        .unwrap_or_else(|f| panic!("{}", f.render()))
        .0
        .calendar;
    // 2021: Christmas on Saturday 25 → Monday 27; Boxing Day on Sunday 26 → Tuesday 28.
    assert_eq!(d("2021-12-25").weekday(), Weekday::Sat);
    assert!(en.is_holiday(d("2021-12-27")) && en.is_holiday(d("2021-12-28")));
    // 2022: Christmas on Sunday 25 → Tuesday 27; Boxing Day on Monday 26 stays.
    assert_eq!(d("2022-12-25").weekday(), Weekday::Sun);
    assert!(en.is_holiday(d("2022-12-26")) && en.is_holiday(d("2022-12-27")));
    // 2020: Christmas on Friday 25 stays; Boxing Day on Saturday 26 → Monday 28.
    assert!(en.is_holiday(d("2020-12-25")) && en.is_holiday(d("2020-12-28")));
    // New Year 2022 on a Saturday → Monday 3 January 2022 (a year's holidays include it).
    assert_eq!(d("2022-01-01").weekday(), Weekday::Sat);
    assert!(en.holidays_of(2022).contains(&d("2022-01-03")));
    // After Friday 2021-12-24 up to Friday 2021-12-31: Mon 27 and Tue 28 are kept holidays;
    // Wed 29, Thu 30, Fri 31 → 3.
    assert_eq!(
        en.business_days_between(d("2021-12-24"), d("2021-12-31")),
        3
    );
}

/// A substituted day that crosses New Year belongs to the year it falls in.
#[test]
fn a_moved_holiday_may_fall_in_the_previous_year() {
    let cal = calendar_of(
        "contract demo\nparty a\ncurrency EUR\ncalendar x {\n  holiday new_year on 01-01 moves to previous friday if saturday\n}\n",
    );
    // 2022-01-01 is a Saturday: kept on Friday 2021-12-31.
    assert_eq!(cal.holidays_of(2021), [d("2021-01-01"), d("2021-12-31")]);
    assert_eq!(cal.holidays_of(2022), Vec::<NaiveDate>::new());
    assert!(!cal.is_business_day(d("2021-12-31")));
    assert_eq!(
        cal.business_days_between(d("2021-12-30"), d("2022-01-03")),
        1
    );
}

/// A library holds no clause, and a `use` names a library that exists.
#[test]
fn what_a_library_refuses() {
    let failure = terms::load_contract(&contract(
        "contract demo\nuse netherland\nparty a\ncurrency EUR\n",
    ))
    .unwrap_err();
    assert_eq!(failure.codes(), ["terms::check::missing_library"]);
    assert!(failure.render().contains("did you mean `netherlands`?"));
    // A library file is named relative to the contract's folder, never absolutely.
    let dir = common::root().join("tests/libraries");
    let file = SourceFile::new(
        "demo.terms",
        "contract demo\nuse \"/etc/hostname\"\nparty a\ncurrency EUR\n",
    )
    .with_path(&dir.join("demo.terms"));
    let failure = terms::load_contract(&file).unwrap_err();
    assert_eq!(failure.codes(), ["terms::check::missing_library"]);
    assert!(failure.render().contains("is an absolute path"));
    // A calendar name the libraries declare only once `use`d.
    let failure = terms::load_contract(&contract(
        "contract demo\nparty a\ncurrency EUR\ncalendar netherlands\n",
    ))
    .unwrap_err();
    assert_eq!(failure.codes(), ["terms::check::unknown_calendar"]);
}

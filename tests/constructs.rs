//! Constructs for contracts beyond the five vendors (issue 9), each with values computed by
//! hand: names that were keywords, labelled charges, aggregates over a window, rounding to a
//! stated unit, powers.
#![allow(clippy::unwrap_used, clippy::panic)]

use terms::source::SourceFile;

#[test]
fn line_keywords_may_be_names() {
    let contract = SourceFile::new(
        "names.terms",
        r#"contract names
party vendor
party client
currency EUR
param interest: percent = 2%
let penalty = EUR 100.00
event breach { }
event notice { breach: breach, amount: money }
obligation notify article "1" {
  for each breach b
  vendor must "notify the breach"
  within 2 days after b
  fulfilled by notice
}
penalty late_notice article "2" {
  on breach of notify
  vendor owes client penalty + interest * penalty * days(delay)
}
"#
        .to_string(),
    );
    let scenario = SourceFile::new(
        "names.scenario",
        "scenario \"names\"\nas of 2025-03-31\n\
         event b1: breach on 2025-03-03\n\
         event n1: notice on 2025-03-08 { breach: b1, amount: EUR 0.00 }\n"
            .to_string(),
    );
    let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    // Due 2025-03-05, notified 2025-03-08: 3 days late; 100.00 + 2% × 100.00 × 3 = 106.00.
    assert_eq!(r.outcome.violations[0].days_late, Some(3));
    assert_eq!(r.outcome.amounts[0].amount.to_string(), "106.00");
}

#[test]
fn words_inside_a_line_stay_reserved() {
    for word in [
        "and", "or", "not", "before", "after", "by", "via", "must", "where",
    ] {
        let contract = SourceFile::new(
            "reserved.terms",
            format!("contract r\nparty a\ncurrency EUR\nparam {word}: number = 1\n"),
        );
        let failure = terms::load_contract(&contract).expect_err(word);
        assert_eq!(failure.codes(), ["terms::syntax::unexpected"], "{word}");
        assert!(failure.render().contains("is a keyword"), "{word}");
    }
}

#[test]
fn a_charge_names_its_amount_with_a_label() {
    let contract = SourceFile::new(
        "label.terms",
        r#"contract label
party vendor
party client
currency EUR
event outage { hours: number }
charge outage_credit article "7.2" {
  for each outage o
  label "service credit"
  vendor owes client EUR 10.00 * o.hours
}
"#
        .to_string(),
    );
    let scenario = SourceFile::new(
        "label.scenario",
        "scenario \"outage\"\nas of 2025-03-31\nevent o1: outage on 2025-03-03 { hours: 3 }\n"
            .to_string(),
    );
    let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    assert_eq!(r.outcome.amounts[0].kind, "service credit");
    assert_eq!(r.outcome.amounts[0].amount.to_string(), "30.00");
    assert!(r.to_text().contains("service credit"));
}

const METER: &str = r#"contract meter
party provider
party client
currency EUR
unit GB "gigabytes"
unit celsius "°C"
event usage { gb: GB, price: money }
event reading { temperature: celsius }
event bill { }
charge metered article "4" {
  for each bill b
  label "usage"
  client owes provider sum(usage, usage.gb * usage.price, 1 month before b)
}
charge volume_discount article "5" {
  for each bill b
  when count_in(usage, 1 month before b, usage.gb > 10 GB) >= 2
  label "volume discount"
  provider owes client round(sum(usage, usage.gb * usage.price, 1 month before b) * 5%, EUR 1.00)
}
charge heat article "6" {
  for each bill b
  label "heat surcharge"
  client owes provider EUR 1.00 * max_in(reading, reading.temperature, 1 month before b)
    + EUR 0.10 * min_in(reading, reading.temperature, 1 month before b)
}
value march_usage article "4" {
  for each bill b
  is sum(usage, usage.gb, 1 month before b)
}
value heavy_usages article "5" {
  for each bill b
  is count_in(usage, 1 month before b, usage.gb > 10 GB)
}
value discount_rate article "5" {
  is 5%
}
charge compounded article "7" {
  for each bill b
  label "compounded"
  client owes provider round(EUR 1000.00 * pow(1.01, 12), EUR 0.05)
}
"#;

fn meter(events: &str) -> Result<terms::report::Report, terms::Failure> {
    let contract = SourceFile::new("meter.terms", METER.to_string());
    let scenario = SourceFile::new(
        "meter.scenario",
        format!("scenario \"March\"\nas of 2025-04-01\n{events}"),
    );
    terms::run(&contract, &scenario, None)
}

fn amount(r: &terms::report::Report, clause: &str) -> String {
    r.outcome
        .amounts
        .iter()
        .find(|a| a.source.clause_id == clause)
        .map_or_else(|| String::from("none"), |a| a.amount.to_string())
}

#[test]
fn aggregates_over_a_window_round_and_raise() {
    let r = meter(
        "event u0: usage on 2025-02-20 { gb: 100, price: EUR 1.00 }\n\
         event u1: usage on 2025-03-05 { gb: 12 GB, price: EUR 0.50 }\n\
         event u2: usage on 2025-03-20 { gb: 15, price: EUR 0.40 }\n\
         event u3: usage on 2025-03-25 { gb: 4, price: EUR 0.50 }\n\
         event t0: reading on 2025-02-10 { temperature: 30 }\n\
         event t1: reading on 2025-03-10 { temperature: 21.5 }\n\
         event t2: reading on 2025-03-15 { temperature: 23.25 }\n\
         event b1: bill on 2025-04-01\n",
    )
    .unwrap_or_else(|f| panic!("{}", f.render()));
    // March only (the month before 2025-04-01): 12 × 0.50 + 15 × 0.40 + 4 × 0.50.
    assert_eq!(amount(&r, "metered"), "14.00");
    // Two usages above 10 GB: 5% of 14.00 = 0.70, rounded to the euro.
    assert_eq!(amount(&r, "volume_discount"), "1.00");
    assert_eq!(r.outcome.amounts[1].kind, "volume discount");
    // 23.25 the warmest, 21.5 the coolest: 23.25 + 2.15.
    assert_eq!(amount(&r, "heat"), "25.40");
    // 1,000.00 × 1.01^12 = 1,126.825030131969720661201, to the nearest 0.05.
    assert_eq!(amount(&r, "compounded"), "1126.85");
    // Values the report shows with their article, typed.
    let values: Vec<(&str, &str, &str, &str)> = r
        .outcome
        .values
        .iter()
        .map(|v| {
            (
                v.name.as_str(),
                v.source.clause.as_str(),
                v.value.as_str(),
                v.ty.as_str(),
            )
        })
        .collect();
    assert_eq!(
        values,
        [
            ("march_usage", "4", "31 GB", "quantity"),
            ("heavy_usages", "5", "2", "number"),
            ("discount_rate", "5", "5%", "percent"),
        ]
    );
    let text = r.to_text();
    assert!(text.contains("VALUES"), "{text}");
    assert!(r.to_json().contains("\"values\""));
}

#[test]
fn an_aggregate_with_no_event_in_its_window() {
    let r = meter(
        "event u1: usage on 2025-03-05 { gb: 12, price: EUR 0.50 }\n\
         event b1: bill on 2025-04-01\n",
    )
    .unwrap_or_else(|f| panic!("{}", f.render()));
    assert_eq!(amount(&r, "metered"), "6.00");
    // One usage above 10 GB: no discount.
    assert_eq!(amount(&r, "volume_discount"), "none");
    // No reading: no maximum, so no surcharge (it is not 0.00).
    assert_eq!(amount(&r, "heat"), "none");
}

#[test]
fn pow_takes_a_whole_exponent() {
    let contract = SourceFile::new(
        "pow.terms",
        "contract p\nparty a\nparty b\ncurrency EUR\nparam n: number\n\
         fee f article \"1\" {\n  a owes b EUR 100.00 * pow(1.01, n)\n}\n"
            .to_string(),
    );
    let scenario = SourceFile::new(
        "pow.scenario",
        "scenario \"half\"\nas of 2025-04-01\nfact n = 1.5\n".to_string(),
    );
    let failure = terms::run(&contract, &scenario, None).expect_err("a fractional exponent");
    assert_eq!(failure.codes(), ["terms::eval::bad_exponent"]);
    insta::assert_snapshot!(failure.render());
}

#[test]
fn quantities_of_different_units_do_not_add_up() {
    let contract = SourceFile::new(
        "units.terms",
        "contract u\nparty a\nparty b\ncurrency EUR\nunit GB\nunit hour\n\
         event usage { gb: GB, support: hour }\n\
         value total article \"1\" {\n  for each usage x\n  is x.gb + x.support\n}\n"
            .to_string(),
    );
    let failure = terms::load_contract(&contract).expect_err("GB + hours");
    assert_eq!(failure.codes(), ["terms::check::type_mismatch"]);
    assert!(
        failure.render().contains("a quantity in GB"),
        "{}",
        failure.render()
    );

    let unknown = SourceFile::new(
        "unknown_unit.terms",
        "contract u\nparty a\nparty b\ncurrency EUR\nunit GB\nlet cap = 10 TB\n\
         value c article \"1\" {\n  is cap\n}\n"
            .to_string(),
    );
    let failure = terms::load_contract(&unknown).expect_err("TB is not declared");
    assert_eq!(failure.codes(), ["terms::check::unknown_unit"]);
    insta::assert_snapshot!(failure.render());
}

#[test]
fn a_scenario_gives_a_quantity_in_its_unit() {
    let failure = meter(
        "event u1: usage on 2025-03-05 { gb: 12 MB, price: EUR 0.50 }\n\
         event b1: bill on 2025-04-01\n",
    )
    .expect_err("MB is not GB");
    assert_eq!(failure.codes(), ["terms::scenario::type_mismatch"]);
}

/// Issue 9: scenario times with seconds and a UTC offset (RFC 3339) are instants, placed in
/// the contract's time zone.
#[test]
fn times_with_an_offset_are_placed_in_the_contract_zone() {
    let contract = SourceFile::new(
        "zone.terms",
        r#"contract zone
party vendor
party client
currency EUR
timezone "Europe/Brussels"
event incident { }
event notification { incident: incident }
obligation notify article "1" {
  for each incident i
  vendor must "notify the incident"
  within 48 hours after i
  fulfilled by notification
}
"#
        .to_string(),
    );
    let scenario = SourceFile::new(
        "zone.scenario",
        "scenario \"offsets\"\nas of 2025-03-31\n\
         event i1: incident on 2025-01-11T16:34:00-05:00\n\
         event n1: notification on 2025-01-13T21:00:00Z { incident: i1 }\n\
         event i2: incident on 2025-03-01T08:00:00Z\n\
         event n2: notification on 2025-03-03T10:30:45+01:00 { incident: i2 }\n"
            .to_string(),
    );
    let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    let due: Vec<String> = r
        .outcome
        .obligations
        .iter()
        .map(|o| o.due.map(|d| d.to_string()).unwrap_or_default())
        .collect();
    // 16:34 at −05:00 is 22:34 in Brussels (+01:00 in January); 08:00 UTC is 09:00.
    assert_eq!(due, ["2025-01-13T22:34", "2025-03-03T09:00"]);
    assert_eq!(
        r.outcome.obligations[0].status,
        terms::eval::ObligationStatus::Met
    );
    // Notified at 10:30:45 local: 90 minutes (and 45 seconds) late.
    assert_eq!(r.outcome.violations.len(), 1);
    assert_eq!(r.outcome.violations[0].minutes_late, Some(90));
    assert_eq!(
        r.outcome.obligations[1]
            .met_on
            .map(|m| m.to_string())
            .as_deref(),
        Some("2025-03-03T10:30:45")
    );
}

/// Issue 9: the time between any two moments, not only a delay: calendar days, business days
/// (Easter Monday 2025-04-21 is a Belgian holiday, Good Friday is not), and hours as a clock
/// measures them (the night of 2025-03-30 has 23 hours).
#[test]
fn the_time_between_two_moments() {
    let contract = SourceFile::new(
        "between.terms",
        r#"contract between
party supplier
party buyer
currency EUR
timezone "Europe/Brussels"
calendar belgium
event order { }
event delivery { order: order }
value lead_days article "1" {
  for each delivery d
  is days_between(d.order, d)
}
value lead_business_days article "1" {
  for each delivery d
  is business_days_between(d.order, d)
}
value lead_hours article "1" {
  for each delivery d
  is hours_between(d.order, d)
}
"#
        .to_string(),
    );
    let scenario = SourceFile::new(
        "between.scenario",
        "scenario \"lead times\"\nas of 2025-04-30\n\
         event o1: order on 2025-03-29T10:00\n\
         event d1: delivery on 2025-03-31T10:00 { order: o1 }\n\
         event o2: order on 2025-04-17T10:00\n\
         event d2: delivery on 2025-04-23T10:00 { order: o2 }\n"
            .to_string(),
    );
    let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    let of = |name: &str| -> Vec<String> {
        r.outcome
            .values
            .iter()
            .filter(|v| v.name == name)
            .map(|v| v.value.clone())
            .collect()
    };
    assert_eq!(of("lead_days"), ["2", "6"]);
    // After 03-29 up to 03-31: Monday 31 only; after 04-17 up to 04-23: 18, 22, 23.
    assert_eq!(of("lead_business_days"), ["1", "3"]);
    assert_eq!(of("lead_hours"), ["47", "144"]);
}

const BELGIUM_DECLARED: &str = r#"calendar belgian_rules {
  holiday new_year on 01-01
  holiday easter_monday on easter + 1 day
  holiday labour_day on 05-01
  holiday ascension on easter + 39 days
  holiday whit_monday on easter + 50 days
  holiday national_day on 07-21
  holiday assumption on 08-15
  holiday all_saints on 11-01
  holiday armistice on 11-11
  holiday christmas on 12-25
}"#;

fn calendar_of(declaration: &str) -> terms::calendar::Calendar {
    let contract = SourceFile::new(
        "cal.terms",
        format!("contract cal\nparty a\nparty b\ncurrency EUR\n{declaration}\n"),
    );
    let (checked, _) = terms::load_contract(&contract).unwrap_or_else(|f| panic!("{}", f.render()));
    checked.calendar
}

/// Issue 9: a contract declares its own holidays (fixed days and days from Easter). The
/// Belgian holidays declared this way are the built-in `calendar belgium`, year by year.
#[test]
fn a_declared_calendar_equals_the_built_in_one() {
    let declared = calendar_of(BELGIUM_DECLARED);
    let built_in = calendar_of("calendar belgium");
    for year in 2020..=2035 {
        assert_eq!(
            declared.holidays_of(year),
            built_in.holidays_of(year),
            "{year}"
        );
        assert_eq!(declared.holidays_of(year).len(), 10, "{year}");
    }
}

/// France: 11 holidays, none substituted; Bastille Day 2025 is a Monday, Ascension 2025-05-29
/// a Thursday, Victory Day 2025-05-08 a Thursday.
#[test]
fn a_second_country_s_calendar() {
    let france = calendar_of(
        r#"calendar france {
  holiday jour_de_l_an on 01-01
  holiday lundi_de_paques on easter + 1 day
  holiday fete_du_travail on 05-01
  holiday victoire on 05-08
  holiday ascension on easter + 39 days
  holiday lundi_de_pentecote on easter + 50 days
  holiday fete_nationale on 07-14
  holiday assomption on 08-15
  holiday toussaint on 11-01
  holiday armistice on 11-11
  holiday noel on 12-25
}"#,
    );
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(france.holidays_of(2025).len(), 11);
    assert!(france.is_holiday(d("2025-07-14")));
    assert!(france.is_holiday(d("2025-05-29")));
    assert!(
        !france.is_holiday(d("2025-07-21")),
        "Belgium's national day"
    );
    // Business days after Friday 2025-07-11 up to Tuesday 07-15: Monday 14 is a holiday.
    assert_eq!(
        france.business_days_between(d("2025-07-11"), d("2025-07-15")),
        1
    );
    // May 2025: 22 weekdays, less 1, 8 and 29 May: 19 business days after 30 April.
    assert_eq!(
        france.business_days_between(d("2025-04-30"), d("2025-05-31")),
        19
    );
}

#[test]
fn a_declared_calendar_is_formatted_and_read_back() {
    let text = format!("contract cal\nparty a\nparty b\ncurrency EUR\n{BELGIUM_DECLARED}\n");
    let file = SourceFile::new("cal.terms", text.clone());
    let formatted = terms::format_source(&file).unwrap_or_else(|f| panic!("{}", f.render()));
    assert_eq!(formatted, text);
}

/// A grace period given as a number: `grace * 1 day`.
const GRACE: &str = r#"contract grace
party vendor
party client
currency EUR
timezone "Europe/Brussels"
param grace: number
event invoice { amount: money }
event payment { invoice: invoice, amount: money }
event request { }
event reply { request: request }
obligation pay article "1" {
  for each invoice i
  client must "pay the invoice"
  by i + grace * 1 day
  fulfilled by payment
}
value response_time article "2" {
  for each reply r
  is seconds_between(r.request, r)
}
"#;

#[test]
fn a_duration_from_a_number_and_seconds_between() {
    let contract = SourceFile::new("grace.terms", GRACE.to_string());
    let scenario = SourceFile::new(
        "grace.scenario",
        "scenario \"grace\"\nas of 2025-03-31\nfact grace = 10\n\
         event i1: invoice on 2025-03-01 { amount: EUR 100.00 }\n\
         event p1: payment on 2025-03-13 { invoice: i1, amount: EUR 100.00 }\n\
         event q1: request on 2025-03-10T08:00:00\n\
         event a1: reply on 2025-03-10T08:01:30 { request: q1 }\n\
         event q2: request on 2025-03-30T01:59:30\n\
         event a2: reply on 2025-03-30T03:00:15 { request: q2 }\n"
            .to_string(),
    );
    let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    // 2025-03-01 + 10 × 1 day = 2025-03-11; paid 2025-03-13: 2 days late.
    assert_eq!(
        r.outcome.obligations[0].due.unwrap().to_string(),
        "2025-03-11"
    );
    assert_eq!(r.outcome.violations[0].days_late, Some(2));
    // 08:00:00 → 08:01:30 is 90 seconds; 01:59:30 winter time (00:59:30 UTC) → 03:00:15
    // summer time (01:00:15 UTC) is 45 seconds, across the clock change.
    let values: Vec<&str> = r.outcome.values.iter().map(|v| v.value.as_str()).collect();
    assert_eq!(values, ["90", "45"]);
}

#[test]
fn a_duration_needs_a_whole_number_of_periods() {
    let contract = SourceFile::new("grace.terms", GRACE.to_string());
    let scenario = SourceFile::new(
        "half.scenario",
        "scenario \"half\"\nas of 2025-03-31\nfact grace = 2.5\n\
         event i1: invoice on 2025-03-01 { amount: EUR 100.00 }\n"
            .to_string(),
    );
    let failure = terms::run(&contract, &scenario, None).expect_err("2.5 days");
    assert_eq!(failure.codes(), ["terms::eval::bad_duration"]);
    insta::assert_snapshot!(failure.render());
}

#[test]
fn an_order_outside_the_term_is_rejected_not_obliged() {
    let contract = SourceFile::new(
        "supply.terms",
        r#"contract supply
party supplier
party buyer
currency EUR
event order { }
event delivery { order: order }
term agreement article "2" {
  starts 2025-01-01
  lasts 12 months
}
obligation deliver article "4" {
  for each order o
  during agreement
  supplier must "deliver the order"
  within 10 days after o
  fulfilled by delivery
}
"#
        .to_string(),
    );
    let scenario = SourceFile::new(
        "orders.scenario",
        "scenario \"orders\"\nas of 2026-02-01\n\
         event o1: order on 2024-12-20\n\
         event o2: order on 2025-06-01\n\
         event d2: delivery on 2025-06-05 { order: o2 }\n\
         event o3: order on 2026-01-05\n"
            .to_string(),
    );
    let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    // The agreement runs 2025-01-01 … 2025-12-31: only o2 is an obligation (met on the 5th).
    let obliged: Vec<_> = r
        .outcome
        .obligations
        .iter()
        .map(|o| o.source.event.clone().unwrap())
        .collect();
    assert_eq!(obliged, ["o2"]);
    assert!(r.outcome.violations.is_empty());
    let rejected: Vec<(&str, &str)> = r
        .outcome
        .rejected
        .iter()
        .map(|x| (x.act.as_str(), x.reason.as_str()))
        .collect();
    assert_eq!(
        rejected,
        [
            ("o1", "before `agreement` (article 2) began on 2025-01-01"),
            ("o3", "after `agreement` (article 2) ended on 2025-12-31"),
        ]
    );
    assert_eq!(r.outcome.rejected[0].source.clause, "4");
}

#[test]
fn during_names_a_term_of_a_clause_kept_per_event() {
    let contract = SourceFile::new(
        "bad.terms",
        "contract b\nparty a\nparty b\ncurrency EUR\nevent order { }\n\
         obligation o article \"1\" {\n  for each order x\n  during agrement\n  a must \"deliver\"\n  within 1 day after x\n}\n"
            .to_string(),
    );
    let failure = terms::load_contract(&contract).expect_err("no such term");
    assert_eq!(failure.codes(), ["terms::check::unknown_clause"]);
}

/// "Within 30 days after d", d at a time of day: the last permitted day is d + 30, whole.
#[test]
fn a_deadline_in_days_is_a_whole_day_whatever_the_hour() {
    let contract = SourceFile::new(
        "w.terms",
        "contract w\nparty a\nparty b\ncurrency EUR\nevent delivery { }\n\
         event payment { delivery: delivery }\n\
         obligation pay article \"1\" {\n  for each delivery d\n  a must \"pay\"\n  \
         within 30 days after d\n  fulfilled by payment\n}\n\
         obligation answer article \"2\" {\n  for each delivery d\n  b must \"answer\"\n  \
         within 48 hours after d\n  fulfilled by payment\n}\n"
            .to_string(),
    );
    let scenario = SourceFile::new(
        "w.scenario",
        "scenario \"w\"\nas of 2025-05-31\nevent d1: delivery on 2025-03-13T10:00\n\
         event p1: payment on 2025-04-12T15:00 { delivery: d1 }\n"
            .to_string(),
    );
    let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    // 2025-03-13 + 30 days = 2025-04-12, the whole day: paid at 15:00 that day, in time.
    let pay = &r.outcome.obligations[0];
    assert_eq!(pay.due.unwrap().to_string(), "2025-04-12");
    assert_eq!(pay.status, terms::eval::ObligationStatus::Met);
    // 48 hours count from the hour: due 2025-03-15T10:00, answered a month late.
    let answer = &r.outcome.obligations[1];
    assert_eq!(answer.due.unwrap().to_string(), "2025-03-15T10:00");
    assert_eq!(r.outcome.violations.len(), 1);
}

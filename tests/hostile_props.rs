//! Hostile shapes (issue 8), generated: long chains of `let`s and `param`s, nesting near the
//! limits, many names, huge and negative numbers, extreme dates, many events on one day.
//! Whatever the shape, the pipeline must end (within a time limit) with a report, or with
//! diagnostics that each have a `terms::` code, a label and a help line; it must never panic.

#![allow(clippy::panic, clippy::unwrap_used)]

#[path = "common/generated.rs"]
mod generated;

use std::fmt::Write as _;
use std::time::Duration;

use proptest::prelude::*;
use terms::source::SourceFile;

/// How long one case may take, even in a debug build on a busy machine.
const LIMIT: Duration = Duration::from_secs(60);

/// What a run ended with, reduced to what the properties look at.
#[derive(Debug)]
enum Ended {
    Report { text: String, json: String },
    Diagnostics(Vec<(&'static str, String, String)>),
}

fn diagnostics(failure: &terms::Failure) -> Vec<(&'static str, String, String)> {
    // Rendering must not panic either.
    assert!(!failure.render().is_empty());
    failure
        .files
        .iter()
        .flat_map(|f| &f.diagnostics)
        .map(|d| (d.code, d.label.clone(), d.help.clone()))
        .collect()
}

/// Runs the whole pipeline on a thread; fails the test if it takes longer than [`LIMIT`]
/// (evaluation must terminate) or panics.
fn run(contract: String, scenario: String) -> Ended {
    let (send, receive) = std::sync::mpsc::channel();
    let worker = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let contract = SourceFile::new("hostile.terms", contract);
            let scenario = SourceFile::new("hostile.scenario", scenario);
            let ended = match terms::load_contract(&contract) {
                Err(failure) => Ended::Diagnostics(diagnostics(&failure)),
                Ok((_, warnings)) => {
                    let warnings: Vec<_> = warnings
                        .iter()
                        .map(|d| (d.code, d.label.clone(), d.help.clone()))
                        .collect();
                    check_diagnostics(&warnings);
                    match terms::run(&contract, &scenario, None) {
                        Ok(report) => Ended::Report {
                            text: report.to_text(),
                            json: report.to_json(),
                        },
                        Err(failure) => Ended::Diagnostics(diagnostics(&failure)),
                    }
                }
            };
            let _ = send.send(ended);
        })
        .unwrap();
    match receive.recv_timeout(LIMIT) {
        Ok(ended) => {
            worker.join().unwrap();
            ended
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            // The worker panicked: join to show its message.
            match worker.join() {
                Err(panic) => std::panic::resume_unwind(panic),
                Ok(()) => panic!("the worker ended without a result"),
            }
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("the pipeline did not end within {LIMIT:?}")
        }
    }
}

fn check_diagnostics(diagnostics: &[(&'static str, String, String)]) {
    for (code, label, help) in diagnostics {
        assert!(code.starts_with("terms::"), "code {code}");
        // An internal inconsistency between the checker and the evaluator is a bug.
        assert!(!code.ends_with("::internal"), "{code}: {label}");
        assert!(!help.is_empty(), "{code} has no help");
        assert!(!label.is_empty(), "{code} has no label");
    }
}

/// The property every hostile case has: a report, or well-formed diagnostics.
fn well_ended(contract: String, scenario: String) -> Ended {
    let ended = run(contract, scenario);
    match &ended {
        Ended::Report { text, json } => {
            assert!(!text.is_empty());
            assert!(serde_json::from_str::<serde_json::Value>(json).is_ok());
        }
        Ended::Diagnostics(ds) => {
            assert!(!ds.is_empty(), "a failure without diagnostics");
            check_diagnostics(ds);
        }
    }
    ended
}

const HEAD: &str = "contract hostile
party vendor
party client
currency EUR
event invoice { amount: money }
event payment { amount: money, invoice: invoice? }
";

/// A fee per invoice that owes `formula` (which may use `inv`).
fn fee(formula: &str) -> String {
    format!("fee f article \"1\" {{\n  for each invoice inv\n  client owes vendor {formula}\n}}\n")
}

fn scenario_with(as_of: &str, events: &str) -> String {
    format!("scenario \"hostile\"\nas of {as_of}\n{events}")
}

fn one_invoice() -> String {
    scenario_with(
        "2025-12-31",
        "event i1: invoice on 2025-01-10 { amount: EUR 100.00 }\n",
    )
}

// ---------------------------------------------------------------- shapes

/// Long chains of `let`s and `param`s: each refers to the one before (or after), sometimes
/// twice; sometimes the chain closes into a cycle.
fn chain() -> impl Strategy<Value = String> {
    (0u8..5, 1usize..100, any::<bool>())
        .prop_map(|(shape, n, cycle)| chain_contract(shape, n, cycle))
}

/// The contract [`chain`] generates: a chain of `n` of the given shape.
fn chain_contract(shape: u8, n: usize, cycle: bool) -> String {
    let mut text = String::from(HEAD);
    let last = match shape {
        // let l_i = l_(i-1) + l_(i-1): doubles, overflows past about 96.
        0 => {
            let _ = writeln!(text, "let l0 = EUR 1.00");
            for i in 1..n {
                let _ = writeln!(text, "let l{i} = l{} + l{}", i - 1, i - 1);
            }
            format!("l{}", n - 1)
        }
        // Written backwards: each refers to one declared further down.
        1 => {
            for i in 0..n.saturating_sub(1) {
                let _ = writeln!(text, "let l{i} = l{} + EUR 0.01", i + 1);
            }
            let _ = writeln!(text, "let l{} = EUR 1.00", n - 1);
            String::from("l0")
        }
        // param p_i = p_(i-1) + EUR 1.00
        2 => {
            let _ = writeln!(text, "param p0: money = EUR 1.00");
            for i in 1..n {
                let _ = writeln!(text, "param p{i}: money = p{} + EUR 1.00", i - 1);
            }
            format!("p{}", n - 1)
        }
        // Lets over a param the scenario does not give.
        3 => {
            let _ = writeln!(text, "param given_later: money");
            let _ = writeln!(text, "let l0 = given_later");
            for i in 1..n {
                let _ = writeln!(text, "let l{i} = max(l{}, inv_free)", i - 1);
            }
            let _ = writeln!(text, "let inv_free = EUR 2.00");
            format!("l{}", n - 1)
        }
        // Percentages multiplied down a chain: rounding stays exact or is diagnosed.
        _ => {
            let _ = writeln!(text, "let l0 = 99.99%");
            for i in 1..n {
                let _ = writeln!(text, "let l{i} = l{} * 99.99%", i - 1);
            }
            format!("EUR 1000000.00 * l{}", n - 1)
        }
    };
    if cycle {
        let _ = writeln!(text, "let l_cycle_a = l_cycle_b\nlet l_cycle_b = l_cycle_a");
    }
    text.push_str(&fee(&format!("inv.amount + {last}")));
    text
}

// Chains longer than the property's go deeper than evaluation's recursion can: these are
// the bugs (issue 8) the property's lengths stay clear of.

#[test]
fn a_chain_of_20000_params_does_not_overflow_the_stack() {
    let contract = chain_contract(2, 20_000, false);
    assert!(contract.len() < 1 << 20);
    well_ended(contract, one_invoice());
}

#[test]
fn a_chain_of_failing_lets_does_not_overflow_the_stack() {
    // Lets over a missing fact, and doubling lets that overflow from the 97th on.
    for shape in [3, 0] {
        let contract = chain_contract(shape, 20_000, false);
        assert!(contract.len() < 1 << 20);
        well_ended(contract, one_invoice());
    }
}

/// Nesting near each limit: brackets (64), `if`s (64), operations (128), prefix operators,
/// calls, bands, and a mix.
fn nesting() -> impl Strategy<Value = String> {
    (0u8..8, 0usize..12).prop_map(|(shape, off)| {
        let expr = match shape {
            0 => format!("{}inv.amount{}", "(".repeat(58 + off), ")".repeat(58 + off)),
            1 => format!(
                "{}inv.amount",
                "if true then EUR 1.00 else ".repeat(58 + off)
            ),
            2 => format!("inv.amount{}", " + EUR 0.01".repeat(122 + off)),
            3 => format!("{}inv.amount", "- ".repeat(122 + off * 20)),
            4 => format!(
                "EUR 1.00 * (if {}true then 1 else 0)",
                "not ".repeat(1000 * off + 1)
            ),
            5 => format!(
                "{}inv.amount{}",
                "max(EUR 1.00, ".repeat(58 + off),
                ")".repeat(58 + off)
            ),
            6 => format!(
                "inv.amount * band inv.amount {{ {} otherwise => 1% }}",
                (0..(10 * off + 1))
                    .map(|i| format!("below EUR {i}.00 => {}%, ", i % 100))
                    .collect::<String>()
            ),
            _ => format!(
                "{}inv.amount{}",
                "(EUR 1.00 + max(EUR 0.00, ".repeat(29 + off),
                "))".repeat(29 + off)
            ),
        };
        format!("{HEAD}{}", fee(&expr))
    })
}

/// Many names: parameters and lets with generated names (keywords, duplicates and near
/// misses included), and a formula that uses some of them and some undeclared names.
fn many_names() -> impl Strategy<Value = String> {
    (
        prop::collection::vec("[a-z][a-z0-9_]{0,12}", 1..600),
        prop::collection::vec("[a-z][a-z0-9_]{0,12}", 0..50),
        any::<bool>(),
    )
        .prop_map(|(names, used, as_params)| {
            let mut text = String::from(HEAD);
            for (i, name) in names.iter().enumerate() {
                if as_params {
                    let _ = writeln!(text, "param {name}: money = EUR {i}.00");
                } else {
                    let _ = writeln!(text, "let {name} = EUR {i}.00");
                }
            }
            let uses: Vec<&str> = names
                .iter()
                .step_by(7)
                .chain(&used)
                .map(String::as_str)
                .take(100)
                .collect();
            text.push_str(&fee(&format!("max(inv.amount, {})", uses.join(", "))));
            text
        })
}

/// Numbers at the edges of what a `Decimal` holds: near its maximum, 28 significant digits,
/// tiny fractions, negative amounts; and a few that are too large or too precise.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "79228162514264337593543950336",
            "7922816251426433759354395033.5",
            "9999999999999999999999999999",
            "1234567890123456789012345678",
            "0.0000000000000000000000000001",
            "0.00000000000000000000000000001",
            "-0.01",
            "-1",
            "0",
            "-0.00",
            "0.005",
            "0.015",
            "-0.005",
        ])
        .prop_map(String::from),
        ("-?[1-9][0-9]{0,27}", "[0-9]{0,2}").prop_map(|(int, frac)| if frac.is_empty() {
            int
        } else {
            format!("{int}.{frac}")
        }),
    ]
}

/// A contract that does arithmetic on amounts: rates, products, sums, an allocation.
fn arithmetic_contract(param: &str, rate: &str) -> String {
    format!(
        "{HEAD}event cost {{ amount: money }}
param big: money = EUR {param}
param rate: percent = {rate}%
obligation pay article \"1\" {{
  for each invoice inv
  client must \"pay the invoice\"
  within 30 days after inv
  fulfilled by payment
}}
interest late article \"2\" {{
  on breach of pay
  client owes vendor inv.amount * rate * days(delay) / 365
}}
compensation fixed article \"3\" {{
  on breach of pay
  client owes vendor max(rate * inv.amount, big, inv.amount - total(payment, amount))
}}
fee total article \"4\" {{
  for each invoice inv
  client owes vendor sum(invoice, amount, inv - 1 year, inv) + big * 2 - inv.amount / 3
}}
allocation payments article \"5\" {{
  client pays vendor by payment
  order cost, invoice oldest first
}}
"
    )
}

fn money_scenario(amounts: &[String]) -> String {
    let mut events = String::new();
    for (i, amount) in amounts.iter().enumerate() {
        let _ = match i % 3 {
            0 => writeln!(
                events,
                "event i{i}: invoice on 2025-01-{:02} {{ amount: EUR {amount} }}",
                1 + i % 28
            ),
            1 => writeln!(
                events,
                "event p{i}: payment on 2025-03-{:02} by client {{ amount: EUR {amount}, invoice: i{} }}",
                1 + i % 28,
                i - 1
            ),
            _ => writeln!(
                events,
                "event c{i}: cost on 2025-02-{:02} {{ amount: EUR {amount} }}",
                1 + i % 28
            ),
        };
    }
    scenario_with("2025-12-31", &events)
}

/// Dates at the edges of the calendar (1900–2199), 29 Februaries real and not, and a few
/// outside the range.
fn date() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "1900-01-01",
        "1900-02-28",
        "1900-02-29",
        "1899-12-31",
        "2000-02-29",
        "2024-02-29",
        "2023-02-29",
        "2100-02-29",
        "2196-02-29",
        "2199-12-31",
        "2200-01-01",
        "2025-01-31",
        "2025-12-31",
        "0000-01-01",
        "9999-12-31",
        "2025-13-01",
        "2025-00-10",
    ])
}

fn time_of_day() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "", "", "T00:00", "T23:59", "T24:00", "T02:30", "T12:61",
    ])
}

/// A contract whose deadlines and periods reach far: years, months from the 31st, business
/// days, a term renewed daily.
fn date_contract(duration: &str) -> String {
    format!(
        "{HEAD}calendar belgium
deadlines roll forward
event termination {{ }}
param start: date
obligation pay article \"1\" {{
  for each invoice inv
  client must \"pay the invoice\"
  within {duration} after inv
  fulfilled by payment
}}
interest late article \"2\" {{
  on breach of pay
  client owes vendor inv.amount * 1% * started_months(delay) + EUR 0.01 * days(delay)
}}
date far article \"3\" {{
  for each invoice inv
  is end_of_month(inv + {duration})
}}
right suspend article \"4\" {{
  for each invoice inv
  vendor may \"suspend\"
  opens after {duration} following due(pay)
  while pay unmet
}}
term t article \"5\" {{
  starts start
  lasts 1 month
  renews tacitly for 1 month
  notice termination by client via email at least 1 day before end
}}
date ends article \"6\" {{
  is end_of(t) + {duration}
}}
"
    )
}

fn duration() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "0 days",
        "1 day",
        "1 month",
        "12 months",
        "300 years",
        "4294967295 days",
        "100000 business days",
        "48 hours",
        "1 year",
    ])
}

// ---------------------------------------------------------------- properties

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn long_chains_of_lets_and_params_end_well(contract in chain()) {
        well_ended(contract, one_invoice());
    }

    #[test]
    fn nesting_near_the_limits_ends_well(contract in nesting()) {
        well_ended(contract, one_invoice());
    }

    #[test]
    fn many_names_end_well(contract in many_names()) {
        well_ended(contract, one_invoice());
    }

    #[test]
    fn huge_and_negative_numbers_end_well(
        param in number(),
        rate in number(),
        amounts in prop::collection::vec(number(), 1..12),
    ) {
        well_ended(arithmetic_contract(&param, &rate), money_scenario(&amounts));
    }

    #[test]
    fn extreme_dates_end_well(
        duration in duration(),
        start in date(),
        as_of in date(),
        events in prop::collection::vec((date(), time_of_day(), date(), any::<bool>()), 0..6),
    ) {
        let mut text = format!("fact start = {start}\n");
        for (i, (day, time, paid, notice)) in events.iter().enumerate() {
            let _ = writeln!(text, "event i{i}: invoice on {day}{time} {{ amount: EUR 100.00 }}");
            let _ = writeln!(text, "event p{i}: payment on {paid} by client {{ amount: EUR 100.00, invoice: i{i} }}");
            if *notice {
                let _ = writeln!(text, "event t{i}: termination on {paid}{time} by client via email");
            }
        }
        well_ended(date_contract(duration), scenario_with(as_of, &text));
    }

    #[test]
    fn many_events_on_one_day_end_well(
        day in date(),
        n in 0usize..250,
        with_streak in any::<bool>(),
    ) {
        let mut contract = arithmetic_contract("1.00", "12");
        contract.push_str("event report { uptime: percent }\n");
        if with_streak {
            contract.push_str("penalty sla article \"9\" {\n  for each report r where r.uptime < 99%\n  when streak(r.uptime < 99%) >= 2 and count_in(report, r - 1 day, r) > 1\n  vendor owes client EUR 1.00 * rank(r)\n}\n");
        }
        let mut events = String::new();
        for i in 0..n {
            let _ = writeln!(events, "event i{i}: invoice on {day} {{ amount: EUR {i}.01 }}");
            if i % 2 == 0 {
                let _ = writeln!(events, "event p{i}: payment on {day} by client {{ amount: EUR 1.00, invoice: i{i} }}");
            }
            if with_streak {
                let _ = writeln!(events, "event r{i}: report on {day} {{ uptime: {}% }}", 95 + i % 5);
            }
        }
        well_ended(contract, scenario_with("2199-12-31", &events));
    }
}

/// A scenario for the generated contract with amounts that may be negative, zero, tiny or
/// near the largest `Decimal`.
fn extreme_scenario(events: &[(u8, u32, String, Option<usize>)], as_of: u32) -> String {
    let day = |offset: u32| {
        chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
            .unwrap()
            .checked_add_days(chrono::Days::new(u64::from(offset)))
            .unwrap()
    };
    let mut out = format!(
        "scenario \"generated\"\ncontract generated\nas of {}\nfact start = 2024-01-01\n",
        day(as_of)
    );
    let mut invoices = 0;
    for (i, (kind, offset, amount, refers)) in events.iter().enumerate() {
        let date = day(*offset);
        let _ = match kind % 4 {
            0 => {
                invoices += 1;
                writeln!(out, "event inv{}: invoice on {date} {{ amount: EUR {amount} }}", invoices - 1)
            }
            1 => match refers.filter(|r| *r < invoices) {
                Some(r) => writeln!(out, "event p{i}: payment on {date} by client {{ amount: EUR {amount}, invoice: inv{r} }}"),
                None => writeln!(out, "event p{i}: payment on {date} by client {{ amount: EUR {amount} }}"),
            },
            2 => writeln!(out, "event c{i}: cost on {date} {{ amount: EUR {amount} }}"),
            _ => writeln!(out, "event t{i}: termination on {date} by client via email"),
        };
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_generated_contract_with_extreme_amounts_ends_well_and_deterministically(
        t in generated::terms_strategy(),
        events in prop::collection::vec((any::<u8>(), 0u32..900, number(), prop::option::of(0usize..6)), 0..20),
        as_of in 0u32..1200,
    ) {
        let contract = generated::contract(&t);
        let scenario = extreme_scenario(&events, as_of);
        let first = well_ended(contract.clone(), scenario.clone());
        let second = run(contract, scenario);
        match (first, second) {
            (Ended::Report { text: a, json: b }, Ended::Report { text: c, json: d }) => {
                prop_assert_eq!(a, c);
                prop_assert_eq!(b, d);
            }
            (Ended::Diagnostics(a), Ended::Diagnostics(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "{:?} then {:?}", a, b),
        }
    }
}

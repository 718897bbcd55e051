//! Evaluation stays bounded whatever the input (issue 8): each value is computed once,
//! chains of clauses do not recurse, arithmetic on input never panics, scans are
//! logarithmic, and a budget of steps and text stops what would still run away.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::sync::mpsc;
use std::time::Duration;

use rust_decimal::Decimal;
use terms::eval::Limits;
use terms::source::SourceFile;

const HEAD: &str = "contract limits\nparty a\nparty b\ncurrency EUR\n";

fn files(contract: &str, scenario: &str) -> (SourceFile, SourceFile) {
    (
        SourceFile::new("limits.terms", contract.to_string()),
        SourceFile::new(
            "limits.scenario",
            format!("scenario \"s\"\nas of 2025-06-01\n{scenario}"),
        ),
    )
}

/// Runs with limits on another thread; fails if it takes longer than `seconds`.
fn run_within(
    seconds: u64,
    contract: &str,
    scenario: &str,
    limits: Limits,
) -> Result<terms::report::Report, terms::Failure> {
    let (contract, scenario) = files(contract, scenario);
    let (send, receive) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let _ = send.send(terms::run_with(&contract, &scenario, None, limits));
        })
        .unwrap();
    receive
        .recv_timeout(Duration::from_secs(seconds))
        .unwrap_or_else(|_| panic!("evaluation took more than {seconds} s"))
}

fn amount(report: &terms::report::Report) -> Decimal {
    report.outcome.amounts.first().expect("an amount").amount
}

/// `p1 = p0 + p0` … `p30`: each value once, and each use records the name's value, not
/// its definition's inputs.
#[test]
fn a_doubling_chain_is_evaluated_once() {
    for keyword in ["param", "let"] {
        let mut contract = String::from(HEAD);
        let ty = if keyword == "param" { ": money" } else { "" };
        contract.push_str(&format!("{keyword} p0{ty} = EUR 1.00\n"));
        for i in 1..=30 {
            contract.push_str(&format!("{keyword} p{i}{ty} = p{} + p{}\n", i - 1, i - 1));
        }
        contract.push_str("fee f article \"1\" {\n  a owes b p30 + p29\n}\n");
        let limits = Limits {
            max_steps: 1_000,
            ..Limits::default()
        };
        let report =
            run_within(20, &contract, "", limits).unwrap_or_else(|f| panic!("{}", f.render()));
        assert_eq!(amount(&report), Decimal::from(3u64 << 29));
        let computation = &report.outcome.amounts[0].computation;
        assert!(computation.len() < 200, "{computation}");
        assert!(!computation.contains("p28"), "{computation}");
    }
}

/// A `let` that needs a missing fact fails once; every use reports that failure.
#[test]
fn a_failed_let_is_recorded_once() {
    let mut contract = String::from(HEAD);
    contract.push_str("param price: money\nlet x0 = price + EUR 1.00\n");
    for i in 1..=30 {
        contract.push_str(&format!("let x{i} = x{} + x{}\n", i - 1, i - 1));
    }
    for i in 0..200 {
        contract.push_str(&format!("fee f{i} article \"1\" {{\n  a owes b x30\n}}\n"));
    }
    let limits = Limits {
        max_steps: 2_000,
        ..Limits::default()
    };
    let report = run_within(20, &contract, "", limits).unwrap_or_else(|f| panic!("{}", f.render()));
    assert_eq!(report.outcome.unevaluated.len(), 200);
    assert!(
        report.outcome.unevaluated[0].reason.contains("`price`"),
        "{:?}",
        report.outcome.unevaluated[0]
    );
}

/// 3,000 obligations chained by `when met(…)`, and 3,000 by `on breach of`: evaluated in
/// the checker's order, each link reads a memoised result.
#[test]
fn chains_of_clauses_do_not_recurse() {
    let m = 3_000;
    let mut contract = String::from(HEAD);
    contract.push_str("obligation o0 article \"1\" {\n  a must \"act\"\n  by 2025-01-01\n}\n");
    for i in 1..m {
        contract.push_str(&format!(
            "obligation o{i} article \"1\" {{\n  a must \"act\"\n  by 2025-01-01\n  when met(o{})\n}}\n",
            i - 1
        ));
        contract.push_str(&format!(
            "obligation b{i} article \"1\" {{\n  on breach of {}\n  a must \"pay\"\n  by 2025-02-01\n}}\n",
            if i == 1 { String::from("o0") } else { format!("b{}", i - 1) }
        ));
    }
    let (contract, scenario) = files(&contract, "");
    // On the test's own thread (2 MiB of stack in debug builds).
    let report =
        terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    assert_eq!(report.outcome.violations.len(), m);
}

fn near_max_scenario(n: usize) -> String {
    let max = Decimal::MAX;
    let mut s = String::new();
    for i in 0..n {
        let amount = if i % 3 == 0 { -max } else { max };
        s.push_str(&format!(
            "event i{i}: invoice on 2025-01-{:02} {{ amount: EUR {amount} }}\n",
            i % 28 + 1
        ));
        s.push_str(&format!(
            "event p{i}: payment on 2025-02-{:02} {{ amount: EUR {max}, invoice: i{i} }}\n",
            i % 28 + 1
        ));
    }
    s
}

/// Amounts at the limit of exact decimals through `sum`, `total`, charges, totals and
/// allocations: an overflow is a diagnostic, never a panic.
#[test]
fn amounts_near_the_decimal_limit_never_panic() {
    let kinds =
        "event invoice { amount: money }\nevent payment { amount: money, invoice: invoice? }\n";
    let formulas = [
        // Prefix sums 0, −MAX, 0, MAX: the window of the 2nd and 3rd is MAX − (−MAX).
        "sum(invoice, amount, i.date - 2 days, i.date)",
        "sum(invoice, amount, i.date - 3 days, i.date)",
        "sum(invoice, amount, i.date - 40 days, i.date)",
        "sum(invoice, amount, i.date - 1 days, i.date) * 2",
        "total(payment, amount)",
        "i.amount + i.amount",
        "i.amount - EUR 1.00",
        "i.amount * 1.5",
        "i.amount * 150%",
    ];
    for formula in formulas {
        for n in [1usize, 2, 3, 7] {
            let contract = format!(
                "{HEAD}{kinds}fee f article \"1\" {{\n  for each invoice i\n  a owes b {formula}\n}}\nallocation alloc article \"2\" {{\n  a pays b by payment\n  order invoice oldest first\n}}\n"
            );
            let result = run_within(20, &contract, &near_max_scenario(n), Limits::default());
            if let Err(f) = result {
                assert_eq!(
                    f.codes(),
                    ["terms::eval::overflow"],
                    "{formula}: {}",
                    f.render()
                );
            }
        }
    }
}

/// A prohibition per event over as many acts: one binary search per instance, not a scan.
#[test]
fn a_prohibition_does_not_scan_every_act_per_instance() {
    let n = 30_000;
    let contract = format!(
        "{HEAD}event service_end {{ }}\nevent hire {{ end: service_end? }}\nobligation no_hiring article \"R.1\" {{\n  for each service_end s\n  a must not \"hire\"\n  until s + 12 months\n  breached by hire\n}}\n"
    );
    let mut scenario = String::new();
    for i in 0..n {
        scenario.push_str(&format!("event h{i}: hire on 2020-01-{:02}\n", i % 28 + 1));
        scenario.push_str(&format!(
            "event e{i}: service_end on 2024-03-{:02}\n",
            i % 28 + 1
        ));
    }
    let report = run_within(60, &contract, &scenario, Limits::default())
        .unwrap_or_else(|f| panic!("{}", f.render()));
    assert_eq!(report.outcome.obligations.len(), n);
    assert!(report.outcome.violations.is_empty());
}

/// Acts deemed received a huge number of business days after sending: no walk, day by
/// day, to the last supported year per act.
#[test]
fn a_huge_deemed_receipt_is_not_walked_day_by_day() {
    let n = 2_000;
    let contract = format!(
        "{HEAD}notices via letter count on receipt deemed 4000000 business days after posting\nevent invoice {{ }}\nevent reply {{ invoice: invoice }}\nobligation answer article \"1\" {{\n  for each invoice inv\n  a must \"reply\"\n  within 30 days after inv\n  via letter\n  fulfilled by reply\n}}\n"
    );
    let mut scenario = String::new();
    for i in 0..n {
        let day = i % 28 + 1;
        scenario.push_str(&format!("event i{i}: invoice on 2025-01-{day:02}\n"));
        scenario.push_str(&format!(
            "event r{i}: reply on 2025-01-{day:02} by a via letter {{ invoice: i{i} }}\n"
        ));
    }
    let report = run_within(30, &contract, &scenario, Limits::default())
        .unwrap_or_else(|f| panic!("{}", f.render()));
    assert_eq!(report.outcome.obligations.len(), n);
}

/// A budget of steps stops a runaway evaluation with a diagnostic at the clause.
#[test]
fn the_step_budget_is_a_diagnostic() {
    let contract = format!(
        "{HEAD}event invoice {{ amount: money }}\nfee late article \"7.2\" {{\n  for each invoice i\n  a owes b i.amount * 1%\n}}\n"
    );
    let mut scenario = String::new();
    for i in 0..100 {
        scenario.push_str(&format!(
            "event i{i}: invoice on 2025-01-{:02} {{ amount: EUR 100.00 }}\n",
            i % 28 + 1
        ));
    }
    let limits = Limits {
        max_steps: 50,
        ..Limits::default()
    };
    let failure = run_within(20, &contract, &scenario, limits).expect_err("over budget");
    assert_eq!(failure.codes(), ["terms::eval::budget_exceeded"]);
    insta::assert_snapshot!("step_budget", failure.render());

    // A budget of text stops it too.
    let limits = Limits {
        max_text: 1_000,
        ..Limits::default()
    };
    let failure = run_within(20, &contract, &scenario, limits).expect_err("over budget");
    assert_eq!(failure.codes(), ["terms::eval::budget_exceeded"]);
    insta::assert_snapshot!("text_budget", failure.render());
}

/// A formula of hundreds of kilobytes, repeated per event, hits the text budget instead of
/// exhausting memory.
#[test]
fn a_huge_formula_per_event_is_bounded() {
    // Wide, not deep: a call with many arguments.
    let mut formula = String::from("max(i.amount");
    while formula.len() < 400_000 {
        formula.push_str(",\n    EUR 0.00");
    }
    formula.push(')');
    let contract = format!(
        "{HEAD}event invoice {{ amount: money }}\nfee f article \"1\" {{\n  for each invoice i\n  a owes b {formula}\n}}\n"
    );
    let mut scenario = String::new();
    for i in 0..2_000 {
        scenario.push_str(&format!(
            "event i{i}: invoice on 2025-01-{:02} {{ amount: EUR 100.00 }}\n",
            i % 28 + 1
        ));
    }
    let limits = Limits {
        max_text: 64 << 20,
        ..Limits::default()
    };
    let failure = run_within(120, &contract, &scenario, limits).expect_err("over budget");
    assert_eq!(failure.codes(), ["terms::eval::budget_exceeded"]);
}

/// A term is followed through at most 10,000 renewals, exactly: the 10,000th is reported,
/// the 10,001st is `terms::eval::horizon`.
#[test]
fn renewals_stop_at_exactly_ten_thousand() {
    let contract = SourceFile::new(
        "r.terms",
        "contract r\nparty a\nparty b\ncurrency EUR\nevent stop { }\n\
         term t article \"1\" {\n  starts 1950-01-01\n  lasts 1 day\n  renews automatically for 1 day\n  \
         notice stop by a at least 0 days before end\n}\n"
            .to_string(),
    );
    let run = |as_of: &str| {
        let scenario = SourceFile::new(
            "r.scenario",
            format!("scenario \"r\"\ncontract r\nas of {as_of}\n"),
        );
        terms::run(&contract, &scenario, None)
    };
    // 1950-01-01 + 10,000 days = 1977-05-19.
    let at_limit = run("1977-05-19").unwrap_or_else(|f| panic!("{}", f.render()));
    assert!(at_limit
        .outcome
        .dates
        .iter()
        .any(|d| d.name == "renewed until" && d.date.to_string() == "1977-05-19"));
    let over = run("1977-05-20").expect_err("one renewal too many");
    assert_eq!(over.codes(), ["terms::eval::horizon"]);
}

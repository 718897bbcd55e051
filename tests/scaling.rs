//! Scaling (issue 8): each stage's time must grow linearly with its input. Every test doubles
//! its input three times and fails when one doubling more than multiplies the time by
//! [`MAX_RATIO`]. Times are compared as ratios within one process (the minimum of several
//! repetitions), never against absolute limits, so a slower or busier machine still passes.
//!
//! Debug builds are too slow and too noisy to measure: there each test runs its smallest
//! input once and skips the timing. `.ci/run` runs `cargo test --release --test scaling`.
//!
//! The tests take a lock so that they never run at the same time as each other: parallel
//! tests would measure each other.

#![allow(clippy::panic, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use terms::check::Checked;
use terms::scenario::Scenario;
use terms::source::SourceFile;

// ---------------------------------------------------------------- the harness

/// The most one doubling of the input may multiply the time by.
const MAX_RATIO: f64 = 2.5;
/// How many times the input is doubled.
const DOUBLINGS: u32 = 3;
/// Repetitions per size; the minimum is kept.
const REPS: usize = 5;
/// A run longer than this is not repeated (it is long enough to be measured once).
const LONG_RUN: Duration = Duration::from_secs(1);
/// A ratio above this is super-linear beyond noise: no further attempt.
const CLEARLY_SUPERLINEAR: f64 = 6.0;
/// Attempts before a ratio above [`MAX_RATIO`] fails the test (other builds share the machine).
const ATTEMPTS: usize = 4;

fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The peak resident memory of this process while `f` runs, in bytes (Linux: the peak is
/// reset through `/proc/self/clear_refs` first). `None` where that is not available.
fn peak_bytes<R>(f: impl FnOnce() -> R) -> (R, Option<usize>) {
    let hwm = || -> Option<usize> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    };
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = hwm();
    let r = f();
    let peak = match (reset, before, hwm()) {
        (true, Some(before), Some(after)) => Some(after.saturating_sub(before)),
        _ => None,
    };
    (r, peak)
}

fn min_time(work: &mut dyn FnMut()) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..REPS {
        let start = Instant::now();
        work();
        let took = start.elapsed();
        best = best.min(took);
        if took > LONG_RUN {
            break;
        }
    }
    best
}

fn is_release() -> bool {
    !cfg!(debug_assertions)
}

/// Runs `work` on inputs of size `base`, 2·`base`, 4·`base`, 8·`base` (each made by `make`,
/// untimed) and fails if the time grows more than [`MAX_RATIO`] per doubling over the range
/// (or any one doubling more than [`CLEARLY_SUPERLINEAR`]).
/// In a debug build, runs a quarter of the smallest input once, untimed.
fn assert_linear<T>(what: &str, base: usize, make: impl Fn(usize) -> T, work: impl Fn(&T)) {
    if !is_release() {
        work(&make((base / 4).max(1)));
        eprintln!("{what}: timing skipped in a debug build (cargo test --release --test scaling)");
        return;
    }
    let inputs: Vec<T> = (0..=DOUBLINGS).map(|k| make(base << k)).collect();
    work(&inputs[0]); // warm-up
                      // The fastest run of each size over every attempt so far: the least disturbed estimate.
    let mut best = vec![Duration::MAX; inputs.len()];
    let mut last = String::new();
    for _attempt in 0..ATTEMPTS {
        for (input, best) in inputs.iter().zip(&mut best) {
            *best = (*best).min(min_time(&mut || work(input)));
        }
        let ratios: Vec<f64> = best
            .windows(2)
            .map(|w| w[1].as_secs_f64() / w[0].as_secs_f64().max(1e-9))
            .collect();
        last = format!(
            "{what}: n = {base}·2^k, times {best:?}, ratios per doubling {}",
            ratios
                .iter()
                .map(|r| format!("{r:.2}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        eprintln!("{last}");
        // The growth per doubling over the whole range (the geometric mean of the ratios):
        // one disturbed measurement on a shared machine cannot fail the test alone, while a
        // quadratic stage (4 per doubling) still fails clearly.
        let first = best[0].as_secs_f64().max(1e-9);
        let last_time = best.last().map_or(0.0, Duration::as_secs_f64);
        let overall = (last_time / first).powf(1.0 / f64::from(DOUBLINGS));
        if overall <= MAX_RATIO && ratios.iter().all(|r| *r <= CLEARLY_SUPERLINEAR) {
            return;
        }
        if ratios.iter().any(|r| *r > CLEARLY_SUPERLINEAR) {
            break;
        }
    }
    panic!("super-linear: {last}");
}

/// Runs `f` on a thread with the main thread's stack size; fails if it takes over `limit`.
/// (The thread is left behind on failure: the test process ends with the test run.)
fn within<R: Send + 'static>(limit: Duration, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let _ = send.send(f());
        })
        .unwrap();
    match receive.recv_timeout(limit) {
        Ok(r) => r,
        Err(_) => panic!("did not finish within {limit:?}"),
    }
}

// ---------------------------------------------------------------- inputs

const HEAD: &str = "contract big
party vendor
party client
currency EUR
event invoice { amount: money }
event payment { amount: money, invoice: invoice? }
event reminder { invoice: invoice }
event availability { uptime: percent }
";

fn file(name: &str, text: String) -> SourceFile {
    SourceFile::new(name, text)
}

fn load(contract: &SourceFile) -> Checked {
    match terms::load_contract(contract) {
        Ok((checked, _)) => checked,
        Err(f) => panic!("{}", f.render()),
    }
}

fn load_scenario(contract: &Checked, scenario: &SourceFile) -> Scenario {
    terms::load_scenario(contract, scenario).unwrap_or_else(|f| panic!("{}", f.render()))
}

fn day(offset: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1)
        .unwrap()
        .checked_add_days(Days::new(offset as u64))
        .unwrap()
}

/// A contract with one clause of each kind over invoices, payments, reminders and
/// availability reports, using most built-in functions.
fn rich_contract() -> String {
    format!(
        r#"{HEAD}
param rate: percent = 1%
let minimum = EUR 40.00

obligation pay article "1" {{
  for each invoice inv
  client must "pay the invoice"
  within 30 days after inv
  fulfilled by payment
}}

interest late article "2" {{
  on breach of pay
  client owes vendor inv.amount * rate * started_months(delay)
}}

compensation fixed article "3" {{
  on breach of pay
  when count_in(invoice, inv - 12 months, inv) <= 1000000
  client owes vendor max(10% * inv.amount, minimum)
}}

right suspend article "4" {{
  for each invoice inv
  vendor may "suspend access"
  opens after 14 days following due(pay)
  while pay unmet
}}

fee reminders article "5" {{
  for each invoice inv
  when count(reminder) >= 1 and rank(inv) >= 1 and given(last_before(invoice, inv))
  client owes vendor EUR 5.00 * count(reminder) + total(payment, amount) * 0% + sum(invoice, amount, inv - 30 days, inv) * 0%
}}

date window_ends article "6" {{
  for each invoice inv
  is end_of_month(inv + 15 days)
}}

penalty sla article "7" {{
  for each availability a where a.uptime < 99%
  when streak(a.uptime < 99%) >= 2
  vendor owes client EUR 100.00
}}

allocation payments article "8" {{
  client pays vendor by payment
  order invoice oldest first
}}
"#
    )
}

/// `n` invoices, most paid (some late, some in parts), reminders and availability reports.
fn rich_scenario(n: usize) -> String {
    let mut out = format!(
        "scenario \"big\"\nas of {}\n",
        day(n / 3 + 90).format("%Y-%m-%d")
    );
    for i in 0..n {
        let d = day(i / 3);
        let _ = writeln!(
            out,
            "event inv{i}: invoice on {d} {{ amount: EUR {}.50 }}",
            100 + i % 900
        );
        match i % 4 {
            0 => {
                let _ = writeln!(
                    out,
                    "event p{i}: payment on {} by client {{ amount: EUR {}.50, invoice: inv{i} }}",
                    day(i / 3 + 10),
                    100 + i % 900
                );
            }
            1 => {
                let _ = writeln!(
                    out,
                    "event p{i}: payment on {} by client {{ amount: EUR 50.00, invoice: inv{i} }}",
                    day(i / 3 + 40)
                );
                let _ = writeln!(
                    out,
                    "event r{i}: reminder on {} by vendor via email {{ invoice: inv{i} }}",
                    day(i / 3 + 35)
                );
            }
            2 => {
                let _ = writeln!(
                    out,
                    "event p{i}: payment on {} by client {{ amount: EUR 75.00 }}",
                    day(i / 3 + 50)
                );
            }
            _ => {}
        }
        let _ = writeln!(
            out,
            "event a{i}: availability on {d} {{ uptime: {}% }}",
            97 + i % 4
        );
    }
    out
}

fn small_scenario_head(as_of: &str) -> String {
    format!("scenario \"s\"\nas of {as_of}\n")
}

// ---------------------------------------------------------------- one test per stage

#[test]
fn contract_parse_and_check_is_linear_in_clauses_params_and_lets() {
    let _lock = serial();
    let make = |n: usize| {
        let mut text = String::from(HEAD);
        for i in 0..n {
            let _ = write!(
                text,
                r#"
param rate_{i}: percent = {}%
let extra_{i} = EUR 1.00 * {i} + minimum_{i}
let minimum_{i} = EUR 40.00
obligation pay_{i} article "{i}.1" {{
  for each invoice inv where inv.amount > EUR {i}.00
  client must "pay the invoice"
  within 30 days after inv
  fulfilled by payment
}}
interest late_{i} article "{i}.2" {{
  on breach of pay_{i}
  client owes vendor inv.amount * rate_{i} * days(delay) / 365 + extra_{i}
}}
"#,
                i % 20
            );
        }
        file("big.terms", text)
    };
    assert_linear("contract parse+check", 300, make, |c| {
        load(c);
    });
}

#[test]
fn scenario_parse_and_check_is_linear_in_events() {
    let _lock = serial();
    let contract = load(&file("big.terms", rich_contract()));
    let make = |n: usize| file("big.scenario", rich_scenario(n));
    assert_linear("scenario parse+check", 2000, make, |s| {
        load_scenario(&contract, s);
    });
}

fn evaluate(contract: &Checked, scenario: &Scenario) -> terms::eval::Outcome {
    let as_of = scenario.as_of.unwrap();
    terms::eval::evaluate(contract, scenario, as_of, terms::eval::Limits::default())
        .unwrap_or_else(|d| panic!("{d:?}"))
}

#[test]
fn evaluation_is_linear_in_events() {
    let _lock = serial();
    let contract = load(&file("big.terms", rich_contract()));
    let make = |n: usize| load_scenario(&contract, &file("big.scenario", rich_scenario(n)));
    assert_linear("evaluation over events", 500, make, |s| {
        evaluate(&contract, s);
    });
}

#[test]
fn evaluation_is_linear_in_clause_instances() {
    let _lock = serial();
    let make = |n: usize| {
        let mut text = String::from(HEAD);
        for i in 0..n {
            let _ = write!(
                text,
                r#"
obligation pay_{i} article "{i}.1" {{
  for each invoice inv
  client must "pay the invoice"
  within {} days after inv
  fulfilled by payment
}}
interest late_{i} article "{i}.2" {{
  on breach of pay_{i}
  client owes vendor inv.amount * 1% * started_months(delay)
}}
right suspend_{i} article "{i}.3" {{
  for each invoice inv
  vendor may "suspend access"
  opens after 14 days following due(pay_{i})
  while pay_{i} unmet
}}
"#,
                10 + i % 30
            );
        }
        let contract = load(&file("big.terms", text));
        let scenario = load_scenario(&contract, &file("big.scenario", rich_scenario(40)));
        (contract, scenario)
    };
    assert_linear("evaluation over clause instances", 60, make, |(c, s)| {
        evaluate(c, s);
    });
}

#[test]
fn report_rendering_is_linear_in_entries() {
    let _lock = serial();
    let contract = file("big.terms", rich_contract());
    let make = |n: usize| {
        terms::run(&contract, &file("big.scenario", rich_scenario(n)), None)
            .unwrap_or_else(|f| panic!("{}", f.render()))
    };
    assert_linear("report text", 1000, make, |r| {
        assert!(!r.to_text().is_empty());
    });
    assert_linear("report JSON", 1000, make, |r| {
        assert!(!r.to_json().is_empty());
    });
}

// ---------------------------------------------------------------- issue 8's super-linear paths

#[test]
fn did_you_mean_over_two_long_names_is_linear() {
    let _lock = serial();
    // A declared name and a use one letter away from it, each n bytes long (up to 400 kB).
    let make = |n: usize| {
        let declared = "a".repeat(n);
        let used = format!("{}b", "a".repeat(n - 1));
        file(
            "names.terms",
            format!("{HEAD}let {declared} = 1\nlet y = {used}\n"),
        )
    };
    assert_linear("did-you-mean, n-byte names", 50_000, make, |c| {
        let failure = terms::load_contract(c).err().unwrap();
        assert!(!failure.render().is_empty());
    });
}

#[test]
fn thousands_of_diagnostics_are_linear_to_find_and_render() {
    let _lock = serial();
    let make = |n: usize| {
        let mut text = String::from(HEAD);
        for i in 0..n {
            let _ = writeln!(text, "let x_{i} = unknown_{i} + 1");
        }
        file("many.terms", text)
    };
    assert_linear("n unknown names: check + render", 1000, make, |c| {
        let failure = terms::load_contract(c).err().unwrap();
        assert!(!failure.render().is_empty());
    });
}

/// `o_0` for each invoice; `o_i` on breach of `o_{i-1}`; nothing is ever cured.
fn breach_chain(n: usize) -> String {
    let mut text = format!(
        "{HEAD}event cure {{ invoice: invoice }}\nobligation o_0 article \"0\" {{\n  for each invoice inv\n  client must \"pay\"\n  within 10 days after inv\n  fulfilled by payment\n}}\n"
    );
    for i in 1..n {
        let _ = write!(
            text,
            "obligation o_{i} article \"{i}\" {{\n  on breach of o_{}\n  client must \"cure {i}\"\n  within 10 days after due(o_{})\n  fulfilled by cure\n}}\n",
            i - 1,
            i - 1
        );
    }
    text
}

fn invoices(n: usize, as_of: &str) -> String {
    let mut out = small_scenario_head(as_of);
    for i in 0..n {
        let _ = writeln!(
            out,
            "event inv{i}: invoice on {} {{ amount: EUR 100.00 }}",
            day(i)
        );
    }
    out
}

#[test]
fn on_breach_of_chains_are_linear() {
    let _lock = serial();
    let make = |n: usize| {
        let contract = file("chain.terms", breach_chain(n));
        let scenario = file("chain.scenario", invoices(4, "2010-01-01"));
        (contract, scenario)
    };
    assert_linear(
        "`on breach of` chain of n obligations",
        100,
        make,
        |(c, s)| {
            terms::run(c, s, None).unwrap_or_else(|f| panic!("{}", f.render()));
        },
    );
}

#[test]
fn a_long_on_breach_of_chain_does_not_overflow_the_stack() {
    let _lock = serial();
    // About 1 MiB of obligations, each waiting on the one before.
    let contract = file("chain.terms", breach_chain(7000));
    assert!(contract.text.len() < 1 << 20);
    let scenario = file("chain.scenario", invoices(2, "2010-01-01"));
    within(Duration::from_secs(120), move || {
        if let Err(f) = terms::run(&contract, &scenario, None) {
            // A diagnostic is fine; a crash is not.
            assert!(!f.render().is_empty());
        }
    });
}

#[test]
fn a_failed_let_used_many_times_is_checked_once() {
    let _lock = serial();
    // A let of n arguments with a type error, used n times.
    let make = |n: usize| {
        let mut text = format!(
            "{HEAD}let bad = max({}EUR 1.00) + 2025-01-01\n",
            "EUR 1.00, ".repeat(n)
        );
        for i in 0..n {
            let _ = writeln!(text, "let use_{i} = bad + bad");
        }
        file("bad.terms", text)
    };
    let counts = |c: &SourceFile| terms::load_contract(c).err().unwrap().codes().len();
    if is_release() {
        let (small, large) = (counts(&make(100)), counts(&make(800)));
        assert_eq!(small, large, "diagnostics cascade from the failed let");
    }
    assert_linear("a failed let, n uses (check)", 800, make, |c| {
        assert!(!terms::load_contract(c).err().unwrap().render().is_empty());
    });
}

#[test]
fn a_let_that_fails_at_evaluation_used_many_times_is_linear() {
    let _lock = serial();
    // `f` has no value and the scenario gives none: the let fails when first needed.
    let make = |n: usize| {
        let mut text = format!(
            "{HEAD}param f: money\nlet bad = max({}f)\n",
            "EUR 1.00, ".repeat(n)
        );
        for i in 0..n {
            let _ = write!(
                text,
                "fee fee_{i} article \"{i}\" {{\n  for each invoice inv\n  client owes vendor bad + inv.amount\n}}\n"
            );
        }
        let contract = load(&file("bad.terms", text));
        let scenario = load_scenario(&contract, &file("s.scenario", invoices(10, "2001-01-01")));
        (contract, scenario)
    };
    assert_linear(
        "a let failing at evaluation, n uses",
        300,
        make,
        |(c, s)| {
            let as_of = s.as_of.unwrap();
            let failed = terms::eval::evaluate(c, s, as_of, terms::eval::Limits::default());
            assert!(failed.is_err());
        },
    );
}

#[test]
fn end_of_used_many_times_is_linear() {
    let _lock = serial();
    // A monthly term ended by a notice after n months; n clauses ask when it ended.
    let make = |n: usize| {
        let mut text = format!(
            "{HEAD}event termination {{ }}\nterm t article \"T\" {{\n  starts 1900-01-01\n  lasts 1 month\n  renews tacitly for 1 month\n  notice termination by client via email at least 1 day before end\n}}\n"
        );
        for i in 0..n {
            let _ = write!(
                text,
                "date d_{i} article \"{i}\" {{\n  for each invoice inv\n  is max(end_of(t), inv + {i} days)\n}}\n"
            );
        }
        let contract = load(&file("end.terms", text));
        let mut scenario = invoices(1, "2199-01-01");
        let stop =
            NaiveDate::from_ymd_opt(1900 + (n / 12) as i32, 1 + (n % 12) as u32, 15).unwrap();
        let _ = writeln!(
            scenario,
            "event stop: termination on {stop} by client via email"
        );
        let scenario = load_scenario(&contract, &file("end.scenario", scenario));
        (contract, scenario)
    };
    assert_linear(
        "end_of() in n clauses of an n-month term",
        200,
        make,
        |(c, s)| {
            evaluate(c, s);
        },
    );
}

#[test]
fn a_prohibition_with_many_hires_is_linear() {
    let _lock = serial();
    let contract = load(&file(
        "hire.terms",
        format!(
            "{HEAD}event service_end {{ }}\nevent hire {{ end: service_end }}\nobligation no_hiring article \"R\" {{\n  for each service_end s\n  client must not \"hire the key staff\"\n  until s + 12 months\n  breached by hire\n}}\n"
        ),
    ));
    let make = |n: usize| {
        let mut text = small_scenario_head("2199-01-01");
        for i in 0..20 {
            let _ = writeln!(text, "event end{i}: service_end on {}", day(i * 365));
        }
        for i in 0..n {
            let _ = writeln!(
                text,
                "event h{i}: hire on {} by client {{ end: end{} }}",
                day(i % 7300),
                i % 20
            );
        }
        load_scenario(&contract, &file("hire.scenario", text))
    };
    assert_linear("prohibition, n hires", 10_000, make, |s| {
        evaluate(&contract, s);
    });
}

#[test]
fn deemed_receipt_with_many_notices_is_linear() {
    let _lock = serial();
    let contract = load(&file(
        "deemed.terms",
        format!(
            "{HEAD}calendar belgium\nnotices via registered_letter count on receipt deemed 3 days after posting\nevent notice {{ invoice: invoice }}\nobligation notify article \"N\" {{\n  for each invoice inv\n  client must \"notify\"\n  via registered_letter\n  within 10 days after inv\n  fulfilled by notice\n}}\n"
        ),
    ));
    let make = |n: usize| {
        let mut text = small_scenario_head("2199-01-01");
        for i in 0..n {
            let _ = writeln!(
                text,
                "event inv{i}: invoice on {} {{ amount: EUR 1.00 }}",
                day(i / 4)
            );
            let _ = writeln!(
                text,
                "event n{i}: notice on {} by client via registered_letter {{ invoice: inv{i} }}",
                day(i / 4 + i % 12)
            );
        }
        load_scenario(&contract, &file("deemed.scenario", text))
    };
    assert_linear("deemed receipt, n notices", 1000, make, |s| {
        evaluate(&contract, s);
    });
}

/// `param p0 = 0`, `param p_i = p_{i-1} + p_{i-1}`, and a fee that uses the last one.
fn param_chain(n: usize) -> String {
    let mut text = format!("{HEAD}param p0: number = 0\n");
    for i in 1..=n {
        let _ = writeln!(text, "param p{i}: number = p{} + p{}", i - 1, i - 1);
    }
    let _ = write!(
        text,
        "fee f article \"1\" {{\n  for each invoice inv\n  client owes vendor inv.amount * p{n}\n}}\n"
    );
    text
}

#[test]
fn a_chain_of_doubling_params_is_fast_and_small() {
    let _lock = serial();
    let contract = file("chain.terms", param_chain(30));
    let scenario = file("chain.scenario", invoices(3, "2001-01-01"));
    let ((), peak) = peak_bytes(|| {
        within(Duration::from_secs(20), move || {
            terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
        });
    });
    if let Some(peak) = peak {
        assert!(peak < 64 << 20, "n = 30 used {peak} more bytes");
    }
    let make = |n: usize| {
        (
            file("chain.terms", param_chain(n)),
            file("chain.scenario", invoices(3, "2001-01-01")),
        )
    };
    assert_linear("param chain of n doublings", 100, make, |(c, s)| {
        terms::run(c, s, None).unwrap_or_else(|f| panic!("{}", f.render()));
    });
}

/// A fee whose formula is `max(inv.amount * 2, …)` with `args` arguments.
fn huge_formula(args: usize) -> String {
    format!(
        "{HEAD}fee f article \"1\" {{\n  for each invoice inv\n  client owes vendor max({}inv.amount)\n}}\n",
        "inv.amount * 2, ".repeat(args)
    )
}

#[test]
fn a_900_kb_formula_is_linear_in_its_size_and_in_events() {
    let _lock = serial();
    // 16 bytes an argument: 57,000 arguments are over 900 kB.
    let make = |n: usize| {
        (
            file("huge.terms", huge_formula(n)),
            file("huge.scenario", invoices(4, "2001-01-01")),
        )
    };
    assert_linear("formula of n arguments, 4 events", 7000, make, |(c, s)| {
        terms::run(c, s, None).unwrap_or_else(|f| panic!("{}", f.render()));
    });
    let args = if is_release() { 57_000 } else { 100 };
    let contract = load(&file("huge.terms", huge_formula(args)));
    assert!(huge_formula(57_000).len() > 900_000);
    let make =
        |n: usize| load_scenario(&contract, &file("huge.scenario", invoices(n, "2001-01-01")));
    assert_linear("900 kB formula over n events", 4, make, |s| {
        evaluate(&contract, s);
    });
}

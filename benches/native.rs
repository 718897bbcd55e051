//! The interpreter against hand-written Rust (`benches/handwritten/mod.rs`) on the same inputs:
//! Ecom articles 10–11 (allocation, late interest, fixed compensation) and Qualifio 3.6.1
//! and 10 (shortfall notice, SLA penalty with the consecutive-month streak, liability cap).
//!
//! For each input, three benches: the interpreter on the bundled contract (every clause of
//! it), the interpreter on the contract cut down to the clause set, and the native code.
//! Each evaluates as of the scenario's date, from an already checked contract and scenario
//! (`terms::eval::evaluate`, the cut at the evaluation date included) or from plain structs
//! converted once (the native code, which also cuts at the evaluation date). Before timing,
//! the three answers are compared to the cent (`tests/native_reference.rs` does so on many
//! more histories). The end of the run prints interpreter / native for each.
//!
//! `cargo bench --bench native [-- --warm-up-time 1 --measurement-time 2]`

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;
#[path = "handwritten/mod.rs"]
mod native;

use std::hint::black_box;

use common::{load, scenario, Ratios};
use criterion::{BenchmarkId, Criterion, Throughput};
use terms::check::Checked;
use terms::generate::Format;
use terms::scenario::Scenario;
use terms::source::SourceFile;

struct Case {
    name: String,
    file: SourceFile,
}

fn bundled(vendor: &str, case: &str) -> Case {
    let path = common::root()
        .join("tests/scenarios")
        .join(vendor)
        .join(format!("{case}.scenario"));
    Case {
        name: case.to_string(),
        file: terms::read_source(&path).unwrap(),
    }
}

fn generated(vendor: &str, accounts: usize, months: u32) -> Case {
    Case {
        name: format!("{accounts}x{months}"),
        file: common::generated(vendor, accounts, months, Format::Scenario),
    }
}

type Answer = fn(&Checked, &Scenario, chrono::NaiveDate) -> Result<native::Amounts, String>;

/// The three benches of one vendor's clause set, over its inputs.
fn clause_set(
    c: &mut Criterion,
    ratios: &Ratios,
    vendor: &str,
    clauses: &[&str],
    cases: &[Case],
    answer: Answer,
    mut time_native: impl FnMut(&Checked, &Scenario) -> Box<dyn FnMut() -> usize>,
) {
    let text = common::contract_file(vendor);
    let full = load(&text);
    let set = load(&SourceFile::new(
        format!("{vendor}-set.terms"),
        native::clause_set(&text.text, clauses),
    ));
    let mut group = c.benchmark_group(format!("native/{vendor}"));
    for case in cases {
        let s_full = scenario(&full, &case.file);
        let s_set = scenario(&set, &case.file);
        let as_of = s_full.as_of.unwrap().date();
        // The ratio means something only if the answers are the same.
        let expected = answer(&full, &s_full, as_of).unwrap();
        assert_eq!(
            native::interpreted(&full, &s_full, as_of, clauses).unwrap(),
            expected,
            "{vendor} {}: the interpreter and the native code differ",
            case.name
        );
        assert_eq!(
            native::interpreted(&set, &s_set, as_of, clauses).unwrap(),
            expected,
            "{vendor} {}: the clause set and the native code differ",
            case.name
        );
        let events = s_full.events.len() as u64;
        group.throughput(Throughput::Elements(events.max(1)));
        let key = |what: &str| format!("{vendor}/{}/{what}", case.name);
        let limits = terms::eval::Limits::default();
        group.bench_function(BenchmarkId::new("interpreter", &case.name), |b| {
            ratios.bench(b, &key("interpreter"), || {
                terms::eval::evaluate(&full, &s_full, as_of, limits).unwrap()
            })
        });
        group.bench_function(BenchmarkId::new("clause-set", &case.name), |b| {
            ratios.bench(b, &key("clause-set"), || {
                terms::eval::evaluate(&set, &s_set, as_of, limits).unwrap()
            })
        });
        let mut run = time_native(&full, &s_full);
        group.bench_function(BenchmarkId::new("native", &case.name), |b| {
            ratios.bench(b, &key("native"), &mut run)
        });
        let label = format!(
            "{vendor} {} ({events} events, {} amounts)",
            case.name,
            expected.len()
        );
        if let (Some(i), Some(s), Some(n)) = (
            ratios.ratio(&key("interpreter"), &key("native")),
            ratios.ratio(&key("clause-set"), &key("native")),
            ratios.best(&key("native")),
        ) {
            ratios.note(format!(
                "{label}: interpreter / native: ratio = {i:.1} (bundled contract), {s:.1} (clause set alone); native {}",
                common::shown(n)
            ));
        }
    }
    group.finish();
}

fn ecom(c: &mut Criterion, ratios: &Ratios) {
    let cases = [
        bundled("ecom", "ec-1"),
        bundled("ecom", "ec-4"),
        generated("ecom", 10, 12),
        generated("ecom", 100, 12),
        generated("ecom", 1, 240),
    ];
    clause_set(
        c,
        ratios,
        "ecom",
        &native::ECOM_CLAUSES,
        &cases,
        native::ecom_amounts,
        |contract, s| {
            let input = native::ecom::input(contract, s).unwrap();
            Box::new(move || {
                let out = native::ecom::evaluate(black_box(&input), None);
                out.interest.len() + out.outstanding.len()
            })
        },
    );
}

fn qualifio(c: &mut Criterion, ratios: &Ratios) {
    let cases = [
        bundled("qualifio", "qf-2"),
        generated("qualifio", 1, 12),
        generated("qualifio", 1, 1200),
        generated("qualifio", 10, 120),
    ];
    clause_set(
        c,
        ratios,
        "qualifio",
        &native::QUALIFIO_CLAUSES,
        &cases,
        native::qualifio_amounts,
        |contract, s| {
            let input = native::qualifio::input(contract, s).unwrap();
            Box::new(move || {
                let out = native::qualifio::evaluate(black_box(&input), None).unwrap();
                out.penalties.len() + out.liability.len()
            })
        },
    );
}

fn main() {
    let ratios = Ratios::default();
    let mut c = Criterion::default().configure_from_args();
    ecom(&mut c, &ratios);
    qualifio(&mut c, &ratios);
    c.final_summary();
    ratios.print("native");
}

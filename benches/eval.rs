//! Evaluation latency and batch throughput.
//!
//! - `acceptance/eval/<case>`: one evaluation of each acceptance case (every
//!   `tests/scenarios/<vendor>/*.scenario` but `rules.scenario`) from a contract and a
//!   scenario checked once: `terms::eval::evaluate`, the lowest-level public function that
//!   evaluates (the cut at the evaluation date included, no report).
//!   `acceptance/pipeline/<case>`: the whole pipeline from text to the text report, as
//!   `terms eval` runs it without I/O: `terms::run(…)?.to_text()`. The end of the run prints
//!   pipeline / eval per case, and the range of each.
//! - `batch/eval/<vendor>`: a generated history of 100 accounts × 12 months per bundled
//!   contract, evaluated (`Throughput::Elements`: events per second), with 10 accounts for
//!   the per-event ratio (linearity); `batch/as_of/<vendor>` the cut at the evaluation date
//!   alone (`Scenario::as_of`, the first thing `evaluate` does), and
//!   `batch/report/<vendor>` evaluation plus the JSON report (`evaluate_checked` and
//!   `to_json`, what `terms eval --batch` does per history). The end of the run prints the
//!   share of each.
//!
//! `cargo bench --bench eval [-- --warm-up-time 1 --measurement-time 2]`

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{load, scenario, shown, Ratios};
use criterion::{BenchmarkId, Criterion, Throughput};
use terms::generate::Format;

/// (case, eval, pipeline, pipeline / eval).
type Row = (String, std::time::Duration, std::time::Duration, f64);

fn acceptance(c: &mut Criterion, ratios: &Ratios) {
    let limits = terms::eval::Limits::default();
    let mut group = c.benchmark_group("acceptance");
    let mut rows: Vec<Row> = Vec::new();
    for (vendor, case, file) in common::acceptance_cases() {
        let contract_file = common::contract_file(vendor);
        let contract = load(&contract_file);
        let s = scenario(&contract, &file);
        let as_of = s.as_of.unwrap();
        group.bench_function(BenchmarkId::new("eval", &case), |b| {
            ratios.bench(b, &format!("eval/{case}"), || {
                terms::eval::evaluate(&contract, &s, as_of, limits).unwrap()
            })
        });
        group.bench_function(BenchmarkId::new("pipeline", &case), |b| {
            ratios.bench(b, &format!("pipeline/{case}"), || {
                terms::run(&contract_file, &file, None).unwrap().to_text()
            })
        });
        if let (Some(e), Some(p)) = (
            ratios.best(&format!("eval/{case}")),
            ratios.best(&format!("pipeline/{case}")),
        ) {
            let r = p.as_secs_f64() / e.as_secs_f64().max(1e-12);
            ratios.note(format!(
                "{case}: eval {}, pipeline {}: pipeline / eval: ratio = {r:.1}",
                shown(e),
                shown(p)
            ));
            rows.push((case, e, p, r));
        }
    }
    group.finish();
    let range = |f: &dyn Fn(&Row) -> f64| {
        let values: Vec<f64> = rows.iter().map(f).collect();
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(0.0, f64::max);
        (lo, hi)
    };
    if !rows.is_empty() {
        let (elo, ehi) = range(&|r| r.1.as_secs_f64());
        let (plo, phi) = range(&|r| r.2.as_secs_f64());
        let (rlo, rhi) = range(&|r| r.3);
        let d = std::time::Duration::from_secs_f64;
        ratios.note(format!(
            "acceptance cases ({}): eval {} … {}; pipeline {} … {}; pipeline / eval: ratio = {rlo:.1} … {rhi:.1}",
            rows.len(),
            shown(d(elo)),
            shown(d(ehi)),
            shown(d(plo)),
            shown(d(phi)),
        ));
    }
}

fn batch(c: &mut Criterion, ratios: &Ratios) {
    let limits = terms::eval::Limits::default();
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    for vendor in common::VENDORS {
        let contract_file = common::contract_file(vendor);
        let contract = load(&contract_file);
        let mut events = std::collections::BTreeMap::new();
        for accounts in [10, 100] {
            let file = common::generated(vendor, accounts, 12, Format::Scenario);
            let s = scenario(&contract, &file);
            let as_of = s.as_of.unwrap();
            let n = s.events.len();
            events.insert(accounts, n);
            group.throughput(Throughput::Elements(n as u64));
            let id = format!("{vendor}-{accounts}x12");
            group.bench_function(BenchmarkId::new("eval", &id), |b| {
                ratios.bench(b, &format!("eval/{id}"), || {
                    terms::eval::evaluate(&contract, &s, as_of, limits).unwrap()
                })
            });
            if accounts == 100 {
                group.bench_function(BenchmarkId::new("as_of", &id), |b| {
                    ratios.bench(b, &format!("as_of/{id}"), || s.as_of(&contract, as_of))
                });
                group.bench_function(BenchmarkId::new("report", &id), |b| {
                    ratios.bench(b, &format!("report/{id}"), || {
                        terms::evaluate_checked(&contract, &contract_file, &s, &file, None)
                            .unwrap()
                            .to_json()
                    })
                });
            }
        }
        let key = |what: &str, accounts: usize| format!("{what}/{vendor}-{accounts}x12");
        let Some(best) = ratios.best(&key("eval", 100)) else {
            continue;
        };
        let n = events.get(&100).copied().unwrap_or(0);
        let per_event = |accounts: usize| {
            ratios
                .best(&key("eval", accounts))
                .map(|d| d.as_secs_f64() / events.get(&accounts).copied().unwrap_or(1) as f64)
        };
        let linear = match (per_event(100), per_event(10)) {
            (Some(a), Some(b)) => a / b,
            _ => f64::NAN,
        };
        let share = |what: &str| {
            ratios
                .ratio(&key(what, 100), &key("eval", 100))
                .unwrap_or(f64::NAN)
        };
        ratios.note(format!(
            "{vendor} 100 accounts × 12 months ({n} events): eval {}, {:.0} events/s; per event, 100 vs 10 accounts: ratio = {linear:.2}; as_of cut / eval: ratio = {:.2}; eval + JSON report / eval: ratio = {:.2}",
            shown(best),
            n as f64 / best.as_secs_f64().max(1e-12),
            share("as_of"),
            share("report"),
        ));
    }
    group.finish();
}

fn main() {
    let ratios = Ratios::default();
    let mut c = Criterion::default().configure_from_args();
    acceptance(&mut c, &ratios);
    batch(&mut c, &ratios);
    c.final_summary();
    ratios.print("eval");
}

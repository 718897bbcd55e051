//! Parse and check throughput, in MB/s (criterion's `Throughput::Bytes`):
//!
//! - `parse/contract/<vendor>`: the syntax alone (`terms::syntax::parse_contract`);
//!   `parse_check/contract/<vendor>`: parse and check (`terms::load_contract`), for the five
//!   bundled contracts. The end of the run prints parse+check / parse (what checking adds),
//!   and parse / `contract/thread_64MiB` (starting and joining a thread with a 64 MiB stack,
//!   which the contract parser does each time).
//! - `parse_check/scenario/<vendor>-<format>/<accounts>`: a generated history (12 months of
//!   10, 100 and 1,000 accounts) in each of the three formats, parsed and checked against
//!   the contract (`terms::load_scenario`); `parse/scenario/…` the parse alone at the
//!   largest size. The end of the run prints each format's time per byte against
//!   `.scenario`'s, the largest size's against the smallest's (linearity), and
//!   parse+check / parse.
//!
//! `cargo bench --bench parse [-- --warm-up-time 1 --measurement-time 2]`

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{load, Ratios};
use criterion::{BenchmarkId, Criterion, Throughput};
use terms::generate::Format;

const FORMATS: [(Format, &str); 3] = [
    (Format::Scenario, "scenario"),
    (Format::JsonLines, "jsonl"),
    (Format::Csv, "csv"),
];
const SIZES: [usize; 3] = [10, 100, 1000];
const SCENARIO_VENDORS: [&str; 2] = ["ecom", "qualifio"];

fn contracts(c: &mut Criterion, ratios: &Ratios) {
    let mut group = c.benchmark_group("contract");
    // The contract parser runs on a thread of its own with a 64 MiB stack: what that costs.
    group.bench_function("thread_64MiB", |b| {
        ratios.bench(b, "thread", || {
            std::thread::Builder::new()
                .stack_size(64 << 20)
                .spawn(|| 0u8)
                .unwrap()
                .join()
                .unwrap()
        })
    });
    for vendor in common::VENDORS {
        let file = common::contract_file(vendor);
        group.throughput(Throughput::Bytes(file.text.len() as u64));
        group.bench_function(BenchmarkId::new("parse", vendor), |b| {
            ratios.bench(b, &format!("parse/{vendor}"), || {
                terms::syntax::parse_contract(&file.text).unwrap()
            })
        });
        group.bench_function(BenchmarkId::new("parse_check", vendor), |b| {
            ratios.bench(b, &format!("parse_check/{vendor}"), || {
                terms::load_contract(&file).unwrap()
            })
        });
        if let Some(best) = ratios.best(&format!("parse_check/{vendor}")) {
            let r = ratios
                .ratio(&format!("parse_check/{vendor}"), &format!("parse/{vendor}"))
                .unwrap_or(f64::NAN);
            ratios.note(format!(
                "contract {vendor} ({} bytes): parse+check {:.2} MB/s; parse+check / parse: ratio = {r:.2}; parse / starting the parser's thread: ratio = {:.1}",
                file.text.len(),
                common::mb_per_s(file.text.len(), best),
                ratios
                    .ratio(&format!("parse/{vendor}"), "thread")
                    .unwrap_or(f64::NAN)
            ));
        }
    }
    group.finish();
}

fn scenarios(c: &mut Criterion, ratios: &Ratios) {
    for vendor in SCENARIO_VENDORS {
        let contract = load(&common::contract_file(vendor));
        let mut group = c.benchmark_group(format!("scenario/{vendor}"));
        group.sample_size(10);
        let mut bytes = std::collections::BTreeMap::new();
        for (format, ext) in FORMATS {
            for accounts in SIZES {
                let file = common::generated(vendor, accounts, 12, format);
                let len = file.text.len();
                bytes.insert((ext, accounts), len);
                group.throughput(Throughput::Bytes(len as u64));
                let key = format!("{vendor}/{ext}/{accounts}");
                group.bench_function(
                    BenchmarkId::new(format!("parse_check/{ext}"), accounts),
                    |b| {
                        ratios.bench(b, &format!("parse_check/{key}"), || {
                            terms::load_scenario(&contract, &file).unwrap()
                        })
                    },
                );
                if accounts == SIZES[SIZES.len() - 1] {
                    group.bench_function(BenchmarkId::new(format!("parse/{ext}"), accounts), |b| {
                        ratios.bench(b, &format!("parse/{key}"), || {
                            terms::parse_scenario_file(Some(&contract), &file).unwrap()
                        })
                    });
                }
            }
        }
        group.finish();
        // Per byte: each format against `.scenario`, the largest size against the smallest.
        let per_byte = |ext: &str, accounts: usize| {
            let best = ratios.best(&format!("parse_check/{vendor}/{ext}/{accounts}"))?;
            Some(best.as_secs_f64() / bytes.get(&(ext, accounts)).copied()? as f64)
        };
        let (small, large) = (SIZES[0], SIZES[SIZES.len() - 1]);
        for (_, ext) in FORMATS {
            let (Some(s), Some(l)) = (per_byte(ext, small), per_byte(ext, large)) else {
                continue;
            };
            let mb = 1e-6 / l;
            let against = per_byte("scenario", large).map_or(f64::NAN, |x| l / x);
            let check = ratios
                .ratio(
                    &format!("parse_check/{vendor}/{ext}/{large}"),
                    &format!("parse/{vendor}/{ext}/{large}"),
                )
                .unwrap_or(f64::NAN);
            ratios.note(format!(
                "scenario {vendor} .{ext}, {large} accounts × 12 months ({} bytes): {mb:.2} MB/s; per byte vs .scenario: ratio = {against:.2}; {large} vs {small} accounts per byte: ratio = {:.2}; parse+check / parse: ratio = {check:.2}",
                bytes.get(&(ext, large)).copied().unwrap_or(0),
                l / s,
            ));
        }
    }
}

fn main() {
    let ratios = Ratios::default();
    let mut c = Criterion::default().configure_from_args();
    contracts(&mut c, &ratios);
    scenarios(&mut c, &ratios);
    c.final_summary();
    ratios.print("parse");
}

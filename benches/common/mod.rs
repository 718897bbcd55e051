//! What the benches share: the bundled inputs, generated histories, and the ratios each
//! bench binary prints at its end, computed from criterion's own samples of the same run.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::Bencher;
use terms::check::Checked;
use terms::generate::{Format, Options};
use terms::scenario::Scenario;
use terms::source::SourceFile;

pub const VENDORS: [&str; 5] = ["clientcom", "deardigital", "ecom", "ikanbi", "qualifio"];

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn contract_file(vendor: &str) -> SourceFile {
    let path = root().join("contracts").join(format!("{vendor}.terms"));
    terms::read_source(&path).unwrap_or_else(|f| panic!("{}", f.render()))
}

pub fn load(file: &SourceFile) -> Checked {
    terms::load_contract(file)
        .unwrap_or_else(|f| panic!("{}", f.render()))
        .0
}

pub fn scenario(contract: &Checked, file: &SourceFile) -> Scenario {
    terms::load_scenario(contract, file).unwrap_or_else(|f| panic!("{}", f.render()))
}

/// The acceptance cases: every `tests/scenarios/<vendor>/*.scenario` but `rules.scenario`,
/// as (vendor, case, file), sorted.
pub fn acceptance_cases() -> Vec<(&'static str, String, SourceFile)> {
    let mut out = Vec::new();
    for vendor in VENDORS {
        let folder = root().join("tests/scenarios").join(vendor);
        for path in terms::scenario_paths(&folder).unwrap_or_else(|f| panic!("{}", f.render())) {
            let case = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            if case == "rules" {
                continue;
            }
            let file = terms::read_source(&path).unwrap_or_else(|f| panic!("{}", f.render()));
            out.push((vendor, case, file));
        }
    }
    out
}

/// A generated history (`terms generate`), named with its format's extension.
pub fn generated(vendor: &str, accounts: usize, months: u32, format: Format) -> SourceFile {
    let text = terms::generate::generate(
        vendor,
        Options {
            accounts,
            months,
            seed: 1,
            format,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let ext = match format {
        Format::Scenario => "scenario",
        Format::JsonLines => "jsonl",
        Format::Csv => "csv",
    };
    SourceFile::new(format!("{vendor}-{accounts}x{months}.{ext}"), text)
}

/// Whether criterion measures (`cargo bench`) rather than runs each bench once
/// (`cargo test --benches`).
pub fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// The best time per iteration of each bench, from criterion's samples (warm-up included):
/// noise on a shared machine only ever adds time, so the minimum is the least disturbed
/// estimate, and two benches of one run are compared by their minimums.
#[derive(Default)]
pub struct Ratios {
    best: RefCell<BTreeMap<String, Duration>>,
    lines: RefCell<Vec<String>>,
}

impl Ratios {
    /// Times `f` for criterion (through `iter_custom`) and keeps its best time per
    /// iteration under `key`.
    pub fn bench<R>(&self, b: &mut Bencher, key: &str, mut f: impl FnMut() -> R) {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                std::hint::black_box(f());
            }
            let took = start.elapsed();
            let per = took / u32::try_from(iters.max(1)).unwrap_or(u32::MAX);
            let mut best = self.best.borrow_mut();
            let slot = best.entry(key.to_string()).or_insert(Duration::MAX);
            *slot = (*slot).min(per);
            took
        });
    }

    /// The best time per iteration of a bench, if it ran (a filter may leave it out).
    pub fn best(&self, key: &str) -> Option<Duration> {
        self.best.borrow().get(key).copied()
    }

    /// `a / b`, if both ran.
    pub fn ratio(&self, a: &str, b: &str) -> Option<f64> {
        let (a, b) = (self.best(a)?, self.best(b)?);
        Some(a.as_secs_f64() / b.as_secs_f64().max(1e-12))
    }

    /// Adds a line to the summary.
    pub fn note(&self, line: impl Into<String>) {
        self.lines.borrow_mut().push(line.into());
    }

    /// Adds `label: ratio = x` to the summary, when both benches ran.
    pub fn note_ratio(&self, label: &str, a: &str, b: &str) -> Option<f64> {
        let r = self.ratio(a, b)?;
        self.note(format!("{label}: ratio = {r:.2}"));
        Some(r)
    }

    /// Prints the summary on standard error (and to `target/criterion/<name>-ratios.txt`
    /// when criterion measured).
    pub fn print(&self, name: &str) {
        let mut text = format!(
            "\n== {name}: ratios measured in this run ({}, best time per iteration; {} cores) ==\n",
            if measuring() {
                "criterion samples"
            } else {
                "one run each, test mode: not a measurement"
            },
            std::thread::available_parallelism().map_or(1, usize::from),
        );
        for line in self.lines.borrow().iter() {
            text.push_str(line);
            text.push('\n');
        }
        eprint!("{text}");
        if measuring() {
            let dir = std::env::var_os("CARGO_TARGET_DIR")
                .map_or_else(|| root().join("target"), PathBuf::from)
                .join("criterion");
            if std::fs::create_dir_all(&dir).is_ok() {
                let _ = std::fs::write(dir.join(format!("{name}-ratios.txt")), text);
            }
        }
    }
}

/// A duration for people: `12.3 µs`.
pub fn shown(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else if s >= 1e-6 {
        format!("{:.1} µs", s * 1e6)
    } else {
        format!("{:.0} ns", s * 1e9)
    }
}

/// Megabytes (10^6 bytes) per second.
pub fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64().max(1e-12) / 1e6
}

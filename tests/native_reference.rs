//! The native reference (issue 10): the hand-written Rust of `benches/handwritten/mod.rs`, against
//! which `benches/native.rs` measures the interpreter, gives the interpreter's amounts to the
//! cent, on every bundled Ecom and Qualifio scenario and on a few hundred generated
//! histories (some perturbed: payments that name no invoice, collection costs, damages and
//! interest already due, payments by the other party, months without an availability
//! report, notices by a channel that does not count, claims). That is what makes the
//! bench's ratio a ratio of two computations of the same thing.
//!
//! The interpreter runs twice: on the bundled contract, and on the contract cut down to the
//! clause set (`native::clause_set`), which is what the bench also times.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;
#[path = "../benches/handwritten/mod.rs"]
mod native;

use chrono::{Days, NaiveDate};
use native::Amounts;
use terms::check::Checked;
use terms::generate::{generate, Format, Options};
use terms::scenario::Scenario;
use terms::source::SourceFile;

struct Vendor {
    name: &'static str,
    full: Checked,
    set: Checked,
}

fn vendor(name: &'static str, clauses: &[&str]) -> Vendor {
    let path = common::root()
        .join("contracts")
        .join(format!("{name}.terms"));
    let text = std::fs::read_to_string(path).unwrap();
    let load = |file: SourceFile| {
        terms::load_contract(&file)
            .unwrap_or_else(|f| panic!("{}", f.render()))
            .0
    };
    let set = native::clause_set(&text, clauses);
    Vendor {
        name,
        full: load(SourceFile::new(format!("{name}.terms"), text)),
        set: load(SourceFile::new(format!("{name}-set.terms"), set)),
    }
}

fn scenario(contract: &Checked, name: &str, text: &str) -> Scenario {
    let file = SourceFile::new(name, text);
    terms::load_scenario(contract, &file).unwrap_or_else(|f| panic!("{name}: {}", f.render()))
}

fn interpreted(contract: &Checked, s: &Scenario, as_of: NaiveDate, clauses: &[&str]) -> Amounts {
    native::interpreted(contract, s, as_of, clauses).unwrap()
}

fn ecom_native(contract: &Checked, s: &Scenario, as_of: NaiveDate) -> Amounts {
    native::ecom_amounts(contract, s, as_of).unwrap()
}

fn qualifio_native(contract: &Checked, s: &Scenario, as_of: NaiveDate) -> Amounts {
    native::qualifio_amounts(contract, s, as_of).unwrap()
}

type Native = fn(&Checked, &Scenario, NaiveDate) -> Amounts;

/// Compares the three answers (bundled contract, clause set, native) on one history as of
/// the given dates; returns how many amounts were compared.
fn compare(
    v: &Vendor,
    clauses: &[&str],
    native: Native,
    name: &str,
    text: &str,
    dates: &[NaiveDate],
) -> usize {
    let full = scenario(&v.full, name, text);
    let set = scenario(&v.set, name, text);
    let mut compared = 0;
    for &as_of in dates {
        let expected = native(&v.full, &full, as_of);
        let by_contract = interpreted(&v.full, &full, as_of, clauses);
        let by_set = interpreted(&v.set, &set, as_of, clauses);
        assert_eq!(
            by_contract, expected,
            "{} {name} as of {as_of}: the interpreter (left) and the native code (right) differ",
            v.name
        );
        assert_eq!(
            by_set, expected,
            "{} {name} as of {as_of}: the clause set alone (left) and the native code (right) differ",
            v.name
        );
        compared += expected.len();
    }
    compared
}

/// SplitMix64, for the perturbations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn day(&mut self, months: u32) -> NaiveDate {
        let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let days = u64::from(months) * 30;
        start.checked_add_days(Days::new(self.below(days))).unwrap()
    }
    fn cents(&mut self, low: u64, high: u64) -> String {
        let c = low * 100 + self.below((high - low) * 100);
        format!("EUR {}.{:02}", c / 100, c % 100)
    }
}

/// A few as-of dates for a history of `months` months: its own, and days inside it.
fn dates(own: NaiveDate, months: u32, rng: &mut Rng) -> Vec<NaiveDate> {
    let mut out = vec![own];
    for _ in 0..2 {
        out.push(rng.day(months + 1));
    }
    out
}

fn as_of_of(text: &str) -> NaiveDate {
    let line = text.lines().find(|l| l.starts_with("as of ")).unwrap();
    NaiveDate::parse_from_str(line.trim_start_matches("as of ").trim(), "%Y-%m-%d").unwrap()
}

/// An Ecom history with some payments naming no invoice, debts of the three kinds the
/// allocation serves before invoices, more payments (some by Ecom, which pay nothing) and
/// zero or negative payments.
fn perturb_ecom(text: &str, months: u32, rng: &mut Rng) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.contains(": payment on ") && rng.chance(40) {
            if let Some(at) = line.find(", invoice: ") {
                out.push_str(&line[..at]);
                out.push_str(" }\n");
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    for k in 0..rng.below(6) {
        let kind = ["collection_cost", "damages_due", "interest_due"][k as usize % 3];
        let amount = rng.cents(1, 300);
        let on = rng.day(months);
        out.push_str(&format!(
            "event x-debt-{k}: {kind} on {on} {{ amount: {amount} }}\n"
        ));
    }
    for k in 0..rng.below(8) {
        let by = ["client", "client", "client", "ecom"][rng.below(4) as usize];
        let amount = match rng.below(10) {
            0 => String::from("EUR 0.00"),
            1 => String::from("EUR -50.00"),
            _ => rng.cents(1, 2500),
        };
        let on = rng.day(months);
        out.push_str(&format!(
            "event x-pay-{k}: payment on {on} by {by} {{ amount: {amount} }}\n"
        ));
    }
    out
}

/// A Qualifio history with some months' availability reports removed (with their
/// notices), some notices by a channel that does not count or sent late, and claims.
fn perturb_qualifio(text: &str, months: u32, rng: &mut Rng) -> String {
    let mut dropped: Vec<String> = Vec::new();
    let mut out = String::new();
    for line in text.lines() {
        if let Some(id) = line
            .strip_prefix("event ")
            .and_then(|l| l.split_once(": availability on "))
            .map(|(id, _)| id.to_string())
        {
            if rng.chance(8) {
                dropped.push(id);
                continue;
            }
        }
        if dropped
            .iter()
            .any(|id| line.ends_with(&format!("{{ month: {id} }}")))
        {
            continue;
        }
        if line.contains(": shortfall_notice on ") && rng.chance(10) {
            out.push_str(&line.replace(" via written ", " via platform "));
            out.push('\n');
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    for k in 0..rng.below(4) {
        let amount = rng.cents(100, 60000);
        let on = rng.day(months);
        out.push_str(&format!(
            "event x-claim-{k}: claim on {on} by customer {{ amount: {amount} }}\n"
        ));
    }
    out
}

fn bundled(v: &Vendor, clauses: &[&str], native: Native) -> usize {
    let folder = common::root().join("tests/scenarios").join(v.name);
    let mut compared = 0;
    let mut files = 0;
    for path in terms::scenario_paths(&folder).unwrap() {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        let mut dates = vec![as_of_of(&text)];
        // Also as of a few days around the acceptance dates.
        for d in [20, 45, 70] {
            dates.push(dates[0].checked_sub_days(Days::new(d)).unwrap());
        }
        compared += compare(v, clauses, native, &name, &text, &dates);
        files += 1;
    }
    assert!(
        files >= 5,
        "{}: the bundled scenarios were not found",
        v.name
    );
    compared
}

fn generated(
    v: &Vendor,
    clauses: &[&str],
    native: Native,
    perturb: fn(&str, u32, &mut Rng) -> String,
    seeds: u64,
) -> usize {
    let mut compared = 0;
    for seed in 0..seeds {
        let mut rng = Rng(seed ^ 0x5eed);
        // Mostly one customer (a contract is with one customer, and Qualifio's streak reads
        // every report of a month), sometimes several.
        let accounts = if rng.chance(75) {
            1
        } else {
            2 + rng.below(3) as usize
        };
        let months = 3 + rng.below(30) as u32;
        let options = Options {
            accounts,
            months,
            seed,
            format: Format::Scenario,
        };
        let mut text = generate(v.name, options).unwrap();
        if seed % 3 != 0 {
            text = perturb(&text, months, &mut rng);
        }
        let dates = dates(as_of_of(&text), months, &mut rng);
        let name = format!("generated {} seed {seed}", v.name);
        compared += compare(v, clauses, native, &name, &text, &dates);
    }
    compared
}

#[test]
fn ecom_native_and_interpreter_agree_on_the_bundled_scenarios() {
    let v = vendor("ecom", &native::ECOM_CLAUSES);
    let n = bundled(&v, &native::ECOM_CLAUSES, ecom_native);
    assert!(n >= 4, "only {n} amounts compared");
}

#[test]
fn qualifio_native_and_interpreter_agree_on_the_bundled_scenarios() {
    let v = vendor("qualifio", &native::QUALIFIO_CLAUSES);
    let n = bundled(&v, &native::QUALIFIO_CLAUSES, qualifio_native);
    assert!(n >= 3, "only {n} amounts compared");
}

#[test]
fn ecom_native_and_interpreter_agree_on_generated_histories() {
    let v = vendor("ecom", &native::ECOM_CLAUSES);
    let n = generated(&v, &native::ECOM_CLAUSES, ecom_native, perturb_ecom, 120);
    assert!(n > 1000, "only {n} amounts compared");
}

#[test]
fn qualifio_native_and_interpreter_agree_on_generated_histories() {
    let v = vendor("qualifio", &native::QUALIFIO_CLAUSES);
    let n = generated(
        &v,
        &native::QUALIFIO_CLAUSES,
        qualifio_native,
        perturb_qualifio,
        120,
    );
    assert!(n > 300, "only {n} amounts compared");
}

#[test]
fn the_clause_sets_keep_exactly_the_named_clauses() {
    for (name, clauses) in [
        ("ecom", &native::ECOM_CLAUSES[..]),
        ("qualifio", &native::QUALIFIO_CLAUSES[..]),
    ] {
        let v = vendor(name, clauses);
        let mut ids: Vec<&str> = v.set.clauses.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        let mut expected = clauses.to_vec();
        expected.sort_unstable();
        assert_eq!(ids, expected, "{name}");
        assert!(v.full.clauses.len() > clauses.len());
    }
}

//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::panic)]

use std::path::{Path, PathBuf};

use terms::report::Report;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Evaluates `tests/scenarios/<vendor>/<case>.scenario` against `contracts/<vendor>.terms`.
pub fn eval(vendor: &str, case: &str) -> Report {
    let contract = root().join("contracts").join(format!("{vendor}.terms"));
    let scenario = root()
        .join("tests/scenarios")
        .join(vendor)
        .join(format!("{case}.scenario"));
    eval_files(&contract, &scenario)
}

/// The contract a scenario under `tests/scenarios/<vendor>/` is written for.
pub fn contract_of(scenario: &Path) -> PathBuf {
    let vendor = scenario
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    root().join("contracts").join(format!("{vendor}.terms"))
}

pub fn eval_files(contract: &Path, scenario: &Path) -> Report {
    let contract = terms::read_source(contract).unwrap_or_else(|f| panic!("{}", f.render()));
    let scenario = terms::read_source(scenario).unwrap_or_else(|f| panic!("{}", f.render()));
    terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()))
}

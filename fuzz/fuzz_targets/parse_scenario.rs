//! Any text as a scenario against the Qualifio contract: parse, check, evaluate and render
//! must return a report or diagnostics, never panic or hang. The contract is checked once.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use terms::check::Checked;
use terms::source::SourceFile;

const CONTRACT: &str = include_str!("../../contracts/qualifio.terms");

fn contract() -> Option<&'static Checked> {
    static CHECKED: OnceLock<Option<Checked>> = OnceLock::new();
    CHECKED
        .get_or_init(|| {
            terms::load_contract(&SourceFile::new("qualifio.terms", CONTRACT))
                .ok()
                .map(|(c, _)| c)
        })
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let (Ok(text), Some(contract)) = (std::str::from_utf8(data), contract()) else {
        return;
    };
    let file = SourceFile::new("fuzz.scenario", text);
    match terms::load_scenario(contract, &file) {
        Ok(scenario) => {
            let as_of = scenario
                .as_of
                .unwrap_or(terms::calendar::AsOf::EndOfDay(Default::default()));
            if terms::calendar::in_range(as_of.date()) {
                let limits = terms::eval::Limits {
                    explain: true,
                    ..terms::eval::Limits::default()
                };
                if let Ok(outcome) = terms::eval::evaluate(contract, &scenario, as_of, limits) {
                    let report = terms::report::Report::new(contract, &scenario, as_of, outcome);
                    let _ = report.to_text();
                    let _ = report.to_explanation(None);
                    let _ = report.to_json();
                }
            }
        }
        Err(failure) => {
            let rendered = failure.render();
            assert!(!failure.is_internal(), "{rendered}");
        }
    }
});

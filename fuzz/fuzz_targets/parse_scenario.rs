//! Any text as a scenario against the Qualifio contract: parse, check and evaluate must
//! return a report or diagnostics, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use terms::source::SourceFile;

const CONTRACT: &str = include_str!("../../contracts/qualifio.terms");

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let contract = SourceFile::new("qualifio.terms", CONTRACT);
        let scenario = SourceFile::new("fuzz.scenario", text);
        match terms::run(&contract, &scenario, None) {
            Ok(report) => {
                let _ = report.to_text();
                let _ = report.to_json();
            }
            Err(failure) => {
                let _ = failure.render();
            }
        }
    }
});

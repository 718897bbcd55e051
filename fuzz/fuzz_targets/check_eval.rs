//! A contract and a scenario, separated by a NUL byte: the whole pipeline must return a
//! report or diagnostics, never panic or hang.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use terms::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Some(split) = data.iter().position(|b| *b == 0) else {
        return;
    };
    let (Ok(contract), Ok(scenario)) = (
        std::str::from_utf8(&data[..split]),
        std::str::from_utf8(&data[split + 1..]),
    ) else {
        return;
    };
    let contract = SourceFile::new("fuzz.terms", contract);
    let scenario = SourceFile::new("fuzz.scenario", scenario);
    let as_of = NaiveDate::from_ymd_opt(2025, 12, 31);
    match terms::run(&contract, &scenario, as_of.map(Into::into)) {
        Ok(report) => {
            let _ = report.to_json();
        }
        Err(failure) => {
            let rendered = failure.render();
            assert!(!failure.is_internal(), "{rendered}");
        }
    }
});

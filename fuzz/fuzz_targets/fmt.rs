//! Any bytes formatted as a contract and as a scenario: `terms fmt` returns the file in the
//! canonical layout or the parser's diagnostics, never an internal error (its own check that
//! the output has the same tree and comments), and formatting the output changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use terms::fmt::{format, Kind};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for kind in [Kind::Contract, Kind::Scenario] {
        match format(kind, text) {
            Ok(once) => {
                let twice = format(kind, &once);
                assert_eq!(twice.as_deref(), Ok(once.as_str()), "not idempotent");
            }
            Err(d) => assert!(!d.code.ends_with("::internal"), "{d:?}"),
        }
    }
});

//! Any text as a contract: parse and check must return diagnostics, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use terms::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let file = SourceFile::new("fuzz.terms", text);
        if let Err(failure) = terms::load_contract(&file) {
            let rendered = failure.render();
            assert!(!failure.is_internal(), "{rendered}");
        }
    }
});

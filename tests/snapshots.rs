//! Snapshots of the text and JSON reports of every scenario under `tests/scenarios/`.
//! The acceptance values themselves are asserted in `acceptance.rs`.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

#[test]
fn reports() {
    insta::glob!("scenarios/*/*.scenario", |path| {
        let vendor = path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .expect("vendor folder");
        let contract = common::root()
            .join("contracts")
            .join(format!("{vendor}.terms"));
        let report = common::eval_files(&contract, path);
        insta::assert_snapshot!("text", report.to_text());
        insta::assert_snapshot!("json", report.to_json());
    });
}

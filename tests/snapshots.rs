//! Snapshots of the text and JSON reports of every scenario under `tests/scenarios/`.
//! The acceptance values themselves are asserted in `acceptance.rs`.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

#[test]
fn reports() {
    insta::glob!("scenarios/*/*.scenario", |path| {
        let report = common::eval_files(&common::contract_of(path), path);
        insta::assert_snapshot!("text", report.to_text());
        insta::assert_snapshot!("json", report.to_json());
    });
}

/// `terms explain` on every scenario: each entry's derivation and what did not fire.
#[test]
fn explanations() {
    insta::glob!("scenarios/*/*.scenario", |path| {
        let contract = terms::read_source(&common::contract_of(path)).unwrap();
        let scenario = terms::read_source(path).unwrap();
        let limits = terms::eval::Limits {
            explain: true,
            ..terms::eval::Limits::default()
        };
        let report = terms::run_with(&contract, &scenario, None, limits)
            .unwrap_or_else(|f| panic!("{}", f.render()));
        let text = report.to_explanation(None);
        // Every entry of the report is explained.
        for amount in &report.outcome.amounts {
            assert!(
                text.contains(&format!("{} [", amount.source.clause_id)),
                "{}",
                amount.source.clause_id
            );
        }
        insta::assert_snapshot!(text);
    });
}

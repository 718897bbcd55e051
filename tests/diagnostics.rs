//! The invalid-input corpus: every file under `tests/invalid/` must be rejected with the
//! diagnostic codes its `// expect:` header names (all of them, in one run), and its
//! rendered diagnostics are pinned by a snapshot.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

use std::path::Path;

use terms::source::SourceFile;

/// The codes a corpus file expects: its `// expect:` header, or a fixed code for files that
/// cannot carry a header (empty, not UTF-8).
fn expected(path: &Path, text: &str) -> Vec<String> {
    if let Some(line) = text.lines().find_map(|l| l.strip_prefix("// expect:")) {
        return line.split_whitespace().map(str::to_string).collect();
    }
    match path.file_name().and_then(|n| n.to_str()) {
        Some("empty.terms") => vec![String::from("terms::syntax::unexpected")],
        Some("not_utf8.scenario") => vec![String::from("terms::io::not_utf8")],
        Some("empty.scenario") => vec![String::from("terms::syntax::unexpected")],
        other => panic!("{other:?} has no `// expect:` header"),
    }
}

/// Reads a corpus file under a stable, relative name.
fn load(path: &Path) -> Result<SourceFile, terms::Failure> {
    let relative = path.strip_prefix(common::root()).unwrap_or(path);
    terms::read_source_as(path, &relative.display().to_string())
}

fn check_failure(path: &Path, text: &str, failure: &terms::Failure) {
    let codes = failure.codes();
    for code in expected(path, text) {
        assert!(
            codes.contains(&code.as_str()),
            "{}: expected {code}, got {codes:?}",
            path.display()
        );
    }
    for file in &failure.files {
        for d in &file.diagnostics {
            assert!(
                !d.help.is_empty(),
                "{}: {} has no help line",
                path.display(),
                d.code
            );
            assert!(
                !d.label.is_empty(),
                "{}: {} has no label",
                path.display(),
                d.code
            );
        }
    }
}

#[test]
fn invalid_contracts_are_rejected_with_their_codes() {
    insta::glob!("invalid/contract/*.terms", |path| {
        let text = String::from_utf8_lossy(&std::fs::read(path).expect("corpus file")).into_owned();
        let failure = match load(path) {
            Ok(file) => terms::load_contract(&file).expect_err("the contract must be rejected"),
            Err(failure) => failure,
        };
        check_failure(path, &text, &failure);
        insta::assert_snapshot!(failure.render());
    });
}

#[test]
fn invalid_scenarios_are_rejected_with_their_codes() {
    let contract_path = common::root().join("contracts/qualifio.terms");
    let contract = load(&contract_path).expect("contract");
    insta::glob!("invalid/scenario/*.scenario", |path| {
        let text = String::from_utf8_lossy(&std::fs::read(path).expect("corpus file")).into_owned();
        let failure = match load(path) {
            Ok(file) => {
                terms::run(&contract, &file, None).expect_err("the scenario must be rejected")
            }
            Err(failure) => failure,
        };
        check_failure(path, &text, &failure);
        insta::assert_snapshot!(failure.render());
    });
}

#[test]
fn lint_warnings_are_reported_without_stopping_the_check() {
    insta::glob!("lint/*.terms", |path| {
        let text = std::fs::read_to_string(path).expect("lint file");
        let file = load(path).expect("readable");
        let (_, warnings) =
            terms::load_contract(&file).unwrap_or_else(|f| panic!("{}", f.render()));
        let codes: Vec<&str> = warnings.iter().map(|w| w.code).collect();
        for code in expected(path, &text) {
            assert!(
                codes.contains(&code.as_str()),
                "{}: expected {code}, got {codes:?}",
                path.display()
            );
        }
        assert!(warnings.iter().all(|w| !w.is_error() && !w.help.is_empty()));
        insta::assert_snapshot!(terms::diagnostic::FileDiagnostics::new(&file, warnings).render());
    });
}

/// Inputs too large to keep in the repository, made at test time.
#[test]
fn generated_inputs_fail_cleanly() {
    // Over the 1 MiB limit: a contract whose second line is a 1 MB comment.
    let big = format!("contract big\n// {}\n", "x".repeat(1 << 20));
    let failure = terms::load_contract(&SourceFile::new("big.terms", big)).expect_err("too large");
    assert_eq!(failure.codes(), ["terms::syntax::too_large"]);
    insta::assert_snapshot!("too_large", failure.render());

    // A 900 kB line of nested `not`s: rejected, no stack overflow.
    let nots = format!(
        "contract deep\nparty a\ncurrency EUR\nlet x = {}true\n",
        "not ".repeat(200_000)
    );
    let failure = terms::load_contract(&SourceFile::new("nots.terms", nots)).expect_err("too deep");
    assert!(
        failure
            .codes()
            .iter()
            .all(|c| c.starts_with("terms::syntax::")),
        "{:?}",
        failure.codes()
    );

    // A 900 kB chain of additions: rejected by the depth limit.
    let sum = format!(
        "contract sum\nparty a\ncurrency EUR\nlet x = 1{}\n",
        " + 1".repeat(200_000)
    );
    let failure = terms::load_contract(&SourceFile::new("sum.terms", sum)).expect_err("too deep");
    assert_eq!(failure.codes(), ["terms::syntax::too_deep"]);

    // A file that does not exist.
    let failure = terms::read_source_as(Path::new("no/such/file.terms"), "no/such/file.terms")
        .expect_err("missing");
    assert_eq!(failure.codes(), ["terms::io::unreadable"]);
    insta::assert_snapshot!("unreadable", failure.render());
}

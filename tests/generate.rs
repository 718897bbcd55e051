//! `terms generate`: a history for every bundled contract, the same for the same seed, that
//! checks and evaluates, and gives the same report in the three formats.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

use std::process::Command;

use terms::generate::{generate, Format, Options, CONTRACTS};
use terms::source::SourceFile;

fn options(seed: u64, format: Format) -> Options {
    Options {
        accounts: 3,
        months: 14,
        seed,
        format,
    }
}

#[test]
fn a_seed_gives_the_same_history() {
    for contract in CONTRACTS {
        for format in [Format::Scenario, Format::JsonLines, Format::Csv] {
            let a = generate(contract, options(42, format)).unwrap();
            let b = generate(contract, options(42, format)).unwrap();
            assert_eq!(a, b, "{contract}");
            let c = generate(contract, options(43, format)).unwrap();
            assert_ne!(a, c, "{contract}: another seed, another history");
        }
    }
}

#[test]
fn every_bundled_contract_gets_a_history_that_evaluates_the_same_in_every_format() {
    for contract in CONTRACTS {
        let path = common::root()
            .join("contracts")
            .join(format!("{contract}.terms"));
        let contract_file = terms::read_source(&path).unwrap();
        let mut reports = Vec::new();
        for (format, ext) in [
            (Format::Scenario, "scenario"),
            (Format::JsonLines, "jsonl"),
            (Format::Csv, "csv"),
        ] {
            let text = generate(contract, options(7, format)).unwrap();
            let file = SourceFile::new(format!("generated.{ext}"), text);
            let report = terms::run(&contract_file, &file, None)
                .unwrap_or_else(|f| panic!("{contract} {ext}:\n{}", f.render()));
            reports.push(report.to_json());
            let o = report.outcome;
            assert!(
                !o.obligations.is_empty() && !o.amounts.is_empty(),
                "{contract}: a generated history exercises the contract"
            );
        }
        assert_eq!(reports[0], reports[1], "{contract}: jsonl");
        assert_eq!(reports[0], reports[2], "{contract}: csv");
    }
}

#[test]
fn the_history_grows_with_accounts_and_months() {
    let count = |accounts, months| {
        let o = Options {
            accounts,
            months,
            seed: 1,
            format: Format::JsonLines,
        };
        generate("ikanbi", o).unwrap().lines().count()
    };
    assert!(count(10, 12) > count(5, 12));
    assert!(count(5, 24) > count(5, 12));
    assert!(generate(
        "other",
        Options {
            accounts: 1,
            months: 1,
            seed: 0,
            format: Format::Scenario
        }
    )
    .is_err());
}

#[test]
fn the_hidden_command_writes_the_same_history_for_a_seed() {
    let run = |seed: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_terms"))
            .args([
                "generate",
                "contracts/ecom.terms",
                "--accounts",
                "2",
                "--months",
                "6",
                "--seed",
                seed,
                "--format",
                "csv",
            ])
            .current_dir(common::root())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(run("5"), run("5"));
    assert_ne!(run("5"), run("6"));
    assert!(run("5").starts_with("# scenario \"generated: ecom"));
    // Hidden: not in the help.
    let help = Command::new(env!("CARGO_BIN_EXE_terms"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&help.stdout).contains("generate"));
}

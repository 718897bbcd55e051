//! The `terms` command line: `check` contracts, `eval` a contract against a scenario.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use terms::diagnostic::FileDiagnostics;

/// A language and interpreter for the rules in commercial contracts.
#[derive(Parser)]
#[command(name = "terms", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check contracts (and, with --contract, scenarios) and report every problem.
    Check {
        /// `.terms` contract files, or scenario files when --contract is given.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Check the files as scenarios against this contract.
        #[arg(long)]
        contract: Option<PathBuf>,
    },
    /// Evaluate a contract against a scenario and print the report.
    Eval {
        contract: PathBuf,
        scenario: PathBuf,
        /// The evaluation date (YYYY-MM-DD); defaults to the scenario's `as of`.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Explain every entry of the report step by step, and why rules did not fire.
    Explain {
        contract: PathBuf,
        scenario: PathBuf,
        /// Only the entries of this clause id, article or event id.
        entry: Option<String>,
        #[arg(long, value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Show which clauses of a contract the scenarios in a folder exercise.
    Coverage {
        contract: PathBuf,
        /// A folder searched recursively for `.scenario` files.
        scenarios: PathBuf,
        /// Exit with status 1 when some clause is exercised by no scenario.
        #[arg(long)]
        require_all: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date as YYYY-MM-DD"))
}

/// Exit code for invalid input (violations are results, not failures).
const INVALID: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            files,
            contract: None,
        } => {
            let mut ok = true;
            for path in files {
                match terms::read_source(&path)
                    .and_then(|f| terms::load_contract(&f).map(|(_, w)| (f, w)))
                {
                    Ok((file, warnings)) => {
                        if !warnings.is_empty() {
                            eprint!("{}", FileDiagnostics::new(&file, warnings).render());
                        }
                        println!("{}: ok", path.display());
                    }
                    Err(failure) => {
                        eprint!("{}", failure.render());
                        ok = false;
                    }
                }
            }
            exit(ok)
        }
        Command::Check {
            files,
            contract: Some(contract_path),
        } => {
            let contract =
                match terms::read_source(&contract_path).and_then(|f| terms::load_contract(&f)) {
                    Ok((c, _)) => c,
                    Err(failure) => {
                        eprint!("{}", failure.render());
                        return ExitCode::from(INVALID);
                    }
                };
            let mut ok = true;
            for path in files {
                match terms::read_source(&path).and_then(|f| terms::load_scenario(&contract, &f)) {
                    Ok(_) => println!("{}: ok", path.display()),
                    Err(failure) => {
                        eprint!("{}", failure.render());
                        ok = false;
                    }
                }
            }
            exit(ok)
        }
        Command::Explain {
            contract,
            scenario,
            entry,
            as_of,
            format,
        } => {
            let files = terms::read_source(&contract)
                .and_then(|c| terms::read_source(&scenario).map(|s| (c, s)));
            let limits = terms::eval::Limits {
                explain: true,
                ..terms::eval::Limits::default()
            };
            match files.and_then(|(c, s)| terms::run_with(&c, &s, as_of, limits)) {
                Ok(report) => {
                    match format {
                        Format::Text => print!("{}", report.to_explanation(entry.as_deref())),
                        Format::Json => println!("{}", report.to_json()),
                    }
                    ExitCode::SUCCESS
                }
                Err(failure) => {
                    eprint!("{}", failure.render());
                    ExitCode::from(INVALID)
                }
            }
        }
        Command::Coverage {
            contract,
            scenarios,
            require_all,
        } => coverage(&contract, &scenarios, require_all),
        Command::Eval {
            contract,
            scenario,
            as_of,
            format,
        } => {
            let files = terms::read_source(&contract)
                .and_then(|c| terms::read_source(&scenario).map(|s| (c, s)));
            let result = files.and_then(|(c, s)| terms::run(&c, &s, as_of));
            match result {
                Ok(report) => {
                    match format {
                        Format::Text => print!("{}", report.to_text()),
                        Format::Json => println!("{}", report.to_json()),
                    }
                    ExitCode::SUCCESS
                }
                Err(failure) => {
                    eprint!("{}", failure.render());
                    ExitCode::from(INVALID)
                }
            }
        }
    }
}

fn coverage(contract: &Path, folder: &Path, require_all: bool) -> ExitCode {
    let mut paths = Vec::new();
    collect_scenarios(folder, &mut paths);
    paths.sort();
    let files: Result<Vec<_>, _> = paths.iter().map(|p| terms::read_source(p)).collect();
    let result = files
        .and_then(|files| terms::read_source(contract).and_then(|c| terms::coverage(&c, &files)));
    let coverage = match result {
        Ok(c) => c,
        Err(failure) => {
            eprint!("{}", failure.render());
            return ExitCode::from(INVALID);
        }
    };
    let width = coverage
        .clauses
        .iter()
        .map(|(id, _, _)| id.len())
        .max()
        .unwrap_or(0);
    for (id, article, n) in &coverage.clauses {
        let mark = if *n == 0 { "  NOT EXERCISED" } else { "" };
        println!(
            "§{article:<16} {id:<width$} {n:>3} scenario{}{mark}",
            if *n == 1 { "" } else { "s" }
        );
    }
    let missing = coverage.unexercised();
    println!(
        "{}: {} of {} clauses exercised by {} scenarios",
        coverage.contract,
        coverage.clauses.len() - missing.len(),
        coverage.clauses.len(),
        coverage.scenarios
    );
    if require_all && !missing.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Every `.scenario` file below a folder.
fn collect_scenarios(folder: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_scenarios(&path, out);
        } else if path.extension().is_some_and(|e| e == "scenario") {
            out.push(path);
        }
    }
}

fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(INVALID)
    }
}

//! terms: a language and interpreter for the rules in commercial contracts.
//!
//! The pipeline, one module per stage:
//! source text → [`syntax`] (pest) → [`ast`] (spanned) → [`check`] (a [`check::Checked`]
//! contract) → [`scenario`] (a checked [`scenario::Scenario`]) → [`eval`] (an
//! [`eval::Outcome`]) → [`report`] (text or JSON).
//!
//! ```
//! use terms::source::SourceFile;
//! let contract = SourceFile::new("demo.terms", r#"
//!     contract demo
//!     party vendor
//!     party client
//!     currency EUR
//!     event invoice { amount: money }
//!     event payment { invoice: invoice, amount: money }
//!     obligation pay article "4.5" {
//!         for each invoice inv
//!         client must "pay the invoice"
//!         within 30 days after inv
//!         fulfilled by payment
//!     }
//! "#);
//! let scenario = SourceFile::new("demo.scenario", r#"
//!     scenario "late payment"
//!     as of 2025-05-31
//!     event i1: invoice on 2025-03-03 { amount: EUR 2000.00 }
//!     event p1: payment on 2025-05-12 { invoice: i1, amount: EUR 2000.00 }
//! "#);
//! let report = terms::run(&contract, &scenario, None).expect("valid input");
//! assert_eq!(report.outcome.violations[0].days_late, Some(40));
//! ```

pub mod ast;
pub mod calendar;
pub mod check;
pub mod diagnostic;
pub mod eval;
pub mod money;
pub mod report;
pub mod scenario;
pub mod source;
pub mod syntax;
pub mod value;

use chrono::NaiveDate;

use check::Checked;
use diagnostic::{Diagnostic, FileDiagnostics};
use report::Report;
use scenario::Scenario;
use source::{SourceFile, Span};

/// Why a run produced no report: the diagnostics of each file that had errors.
#[derive(Debug)]
pub struct Failure {
    pub files: Vec<FileDiagnostics>,
}

impl Failure {
    fn one(file: &SourceFile, diagnostics: Vec<Diagnostic>) -> Failure {
        Failure {
            files: vec![FileDiagnostics::new(file, diagnostics)],
        }
    }

    /// Every diagnostic rendered, file by file.
    pub fn render(&self) -> String {
        self.files.iter().map(FileDiagnostics::render).collect()
    }

    /// Every code, in order (for tests).
    pub fn codes(&self) -> Vec<&'static str> {
        self.files
            .iter()
            .flat_map(|f| f.diagnostics.iter().map(|d| d.code))
            .collect()
    }
}

/// Parses and checks a contract. On success, also returns its warnings.
pub fn load_contract(file: &SourceFile) -> Result<(Checked, Vec<Diagnostic>), Failure> {
    let ast = syntax::parse_contract(&file.text).map_err(|d| Failure::one(file, vec![d]))?;
    let result = check::check(&ast, &file.text);
    match result.checked {
        Some(checked) => Ok((checked, result.diagnostics)),
        None => Err(Failure::one(file, result.diagnostics)),
    }
}

/// Parses a scenario and checks it against a contract.
pub fn load_scenario(contract: &Checked, file: &SourceFile) -> Result<Scenario, Failure> {
    let ast = syntax::parse_scenario(&file.text).map_err(|d| Failure::one(file, vec![d]))?;
    scenario::check_scenario(contract, &ast).map_err(|ds| Failure::one(file, ds))
}

/// The whole pipeline: contract and scenario text to a report, as of the given date or
/// the scenario's own `as of`.
pub fn run(
    contract_file: &SourceFile,
    scenario_file: &SourceFile,
    as_of: Option<NaiveDate>,
) -> Result<Report, Failure> {
    run_with(contract_file, scenario_file, as_of, eval::Limits::default())
}

/// [`run`] with explicit limits and options (`explain` records what did not fire).
pub fn run_with(
    contract_file: &SourceFile,
    scenario_file: &SourceFile,
    as_of: Option<NaiveDate>,
    limits: eval::Limits,
) -> Result<Report, Failure> {
    let (contract, _warnings) = load_contract(contract_file)?;
    let scenario = load_scenario(&contract, scenario_file)?;
    let Some(as_of) = as_of.or(scenario.as_of) else {
        return Err(Failure::one(
            scenario_file,
            vec![Diagnostic::error(
                "terms::scenario::missing_as_of",
                Span::new(0, 0),
                "the scenario has no evaluation date",
            )
            .label("scenario starts here")
            .help("add `as of YYYY-MM-DD` to the scenario, or pass `--as-of YYYY-MM-DD`")],
        ));
    };
    if !calendar::in_range(as_of) {
        return Err(Failure::one(
            scenario_file,
            vec![Diagnostic::error(
                "terms::scenario::missing_as_of",
                Span::new(0, 0),
                format!("the evaluation date {as_of} is outside the supported years"),
            )
            .label("scenario starts here")
            .help(format!(
                "evaluate as of a date in {}–{}",
                calendar::FIRST_YEAR,
                calendar::LAST_YEAR
            ))],
        ));
    }
    let outcome = eval::evaluate(&contract, &scenario, as_of, limits)
        .map_err(|d| Failure::one(contract_file, vec![d]))?;
    Ok(Report::new(&contract, &scenario, as_of, outcome))
}

/// How often each clause of a contract produced an entry across a set of scenarios.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub contract: String,
    /// Scenarios evaluated (those written for this contract).
    pub scenarios: usize,
    /// Each clause, in contract order: (id, article, scenarios in which it produced an entry).
    pub clauses: Vec<(String, String, usize)>,
}

impl Coverage {
    /// The clauses no scenario exercises.
    pub fn unexercised(&self) -> Vec<&str> {
        self.clauses
            .iter()
            .filter(|(_, _, n)| *n == 0)
            .map(|(id, _, _)| id.as_str())
            .collect()
    }
}

/// Evaluates every scenario written for this contract (its `contract` line names it) and
/// counts, per clause, the scenarios in which the clause produced at least one entry.
pub fn coverage(
    contract_file: &SourceFile,
    scenario_files: &[SourceFile],
) -> Result<Coverage, Failure> {
    let (contract, _) = load_contract(contract_file)?;
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    let mut scenarios = 0;
    for file in scenario_files {
        let ast = syntax::parse_scenario(&file.text).map_err(|d| Failure::one(file, vec![d]))?;
        if ast
            .contract
            .as_ref()
            .is_some_and(|c| c.name != contract.name)
        {
            continue;
        }
        let report = run(contract_file, file, None)?;
        scenarios += 1;
        let o = &report.outcome;
        let used: std::collections::BTreeSet<&str> = o
            .obligations
            .iter()
            .map(|e| &e.source)
            .chain(o.violations.iter().map(|e| &e.source))
            .chain(o.rights.iter().map(|e| &e.source))
            .chain(o.amounts.iter().map(|e| &e.source))
            .chain(o.dates.iter().map(|e| &e.source))
            .chain(o.notices.iter().map(|e| &e.source))
            .chain(o.allocations.iter().map(|e| &e.source))
            .chain(o.outstanding.iter().map(|e| &e.source))
            .map(|s| s.clause_id.as_str())
            .collect();
        for clause in &contract.clauses {
            if used.contains(clause.id.as_str()) {
                *counts.entry(clause.id.as_str()).or_default() += 1;
            }
        }
    }
    Ok(Coverage {
        contract: contract.name.clone(),
        scenarios,
        clauses: contract
            .clauses
            .iter()
            .map(|c| {
                (
                    c.id.clone(),
                    c.article.clone(),
                    counts.get(c.id.as_str()).copied().unwrap_or(0),
                )
            })
            .collect(),
    })
}

/// Reads a file as a source: non-UTF-8 bytes are a diagnostic, not a crash.
pub fn read_source(path: &std::path::Path) -> Result<SourceFile, Failure> {
    read_source_as(path, &path.display().to_string())
}

/// Reads a file as a source shown under `name` in diagnostics.
pub fn read_source_as(path: &std::path::Path, name: &str) -> Result<SourceFile, Failure> {
    let name = name.to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        Failure::one(
            &SourceFile::new(name.clone(), ""),
            vec![Diagnostic::error(
                "terms::io::unreadable",
                Span::new(0, 0),
                format!("cannot read `{name}`: {e}"),
            )
            .label("here")
            .help("check the path and the file's permissions")],
        )
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let file = SourceFile::new(name, lossy);
            Err(Failure::one(
                &file,
                vec![Diagnostic::error(
                    "terms::io::not_utf8",
                    Span::new(at, at + 1),
                    "the file is not valid UTF-8",
                )
                .label("invalid byte")
                .help("save the file as UTF-8")],
            ))
        }
    }
}

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

pub mod agenda;
pub mod ast;
pub mod batch;
pub mod builtins;
pub mod calendar;
pub mod check;
pub mod compare;
pub mod deal;
pub mod diagnostic;
pub mod eval;
pub mod fmt;
pub mod generate;
pub mod library;
pub mod money;
pub mod report;
pub mod scenario;
pub mod source;
pub mod syntax;
pub mod value;
pub mod whatif;

use std::path::{Path, PathBuf};

use calendar::WrittenAsOf;

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

    /// A failure about one file.
    pub fn in_file(file: &SourceFile, diagnostics: Vec<Diagnostic>) -> Failure {
        Failure::one(file, diagnostics)
    }

    /// Every diagnostic rendered, file by file.
    pub fn render(&self) -> String {
        self.files.iter().map(FileDiagnostics::render).collect()
    }

    /// Every code, in order (for tests).
    /// Whether one of the diagnostics is an internal error: a bug in terms, never the
    /// input's fault (the fuzz targets fail on it).
    pub fn is_internal(&self) -> bool {
        self.codes().iter().any(|c| c.ends_with("::internal"))
    }

    pub fn codes(&self) -> Vec<&'static str> {
        self.files
            .iter()
            .flat_map(|f| f.diagnostics.iter().map(|d| d.code))
            .collect()
    }
}

/// `terms fmt`: a contract or a scenario in the canonical layout (see [`fmt`]); what the file
/// holds is told by its name (see [`fmt::kind_of`]).
pub fn format_source(file: &SourceFile) -> Result<String, Failure> {
    let kind = fmt::kind_of(&file.name, &file.text).map_err(|d| Failure::one(file, vec![d]))?;
    fmt::format(kind, &file.text).map_err(|d| Failure::one(file, vec![d]))
}

/// Parses and checks a contract. On success, also returns its warnings.
pub fn load_contract(file: &SourceFile) -> Result<(Checked, Vec<Diagnostic>), Failure> {
    if deal::is_deal(&file.text) {
        return deal::load(file);
    }
    let ast = syntax::parse_contract(&file.text).map_err(|d| Failure::one(file, vec![d]))?;
    let imports = library::load(file, &ast)?;
    let result = check::check_with(&ast, &file.text, &imports);
    match result.checked {
        Some(checked) => Ok((checked, result.diagnostics)),
        None => Err(Failure::one(file, result.diagnostics)),
    }
}

/// Checks a `.terms` file, a contract or a library (told by its first word, `library`): on
/// success, the contract's warnings (a library has none).
pub fn check_terms_file(file: &SourceFile) -> Result<Vec<Diagnostic>, Failure> {
    if fmt::printer_first_word(&file.text) == "library" {
        return library::check_library(file).map(|()| Vec::new());
    }
    load_contract(file).map(|(_, warnings)| warnings)
}

/// Parses a scenario and checks it against a contract.
pub fn load_scenario(contract: &Checked, file: &SourceFile) -> Result<Scenario, Failure> {
    let ast = parse_scenario_file(Some(contract), file)?;
    scenario::check_scenario(contract, &ast).map_err(|ds| Failure::one(file, ds))
}

/// The format of a scenario file, told by its extension: `.jsonl` (JSON lines), `.csv`,
/// anything else the scenario language (`.scenario`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScenarioFormat {
    Scenario,
    JsonLines,
    Csv,
}

impl ScenarioFormat {
    /// The format of a file named `name`.
    pub fn of(name: &str) -> ScenarioFormat {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".jsonl") {
            ScenarioFormat::JsonLines
        } else if lower.ends_with(".csv") {
            ScenarioFormat::Csv
        } else {
            ScenarioFormat::Scenario
        }
    }
}

/// Whether a field (of an event kind) or a fact (kind `None`) holds text in the contract:
/// JSON-lines and CSV histories take such a value as written.
fn text_fields(contract: Option<&Checked>) -> impl Fn(Option<&str>, &str) -> bool + '_ {
    use check::types::Type;
    move |kind, name| {
        let Some(contract) = contract else {
            return false;
        };
        match kind {
            None => contract
                .param(name)
                .is_some_and(|(_, p)| p.ty == Type::Text),
            Some(kind) => contract
                .kind(kind)
                .and_then(|e| e.fields.get(name))
                .is_some_and(|f| f.ty == Type::Text),
        }
    }
}

/// Parses a scenario file in the format its name tells (see [`ScenarioFormat`]), to the
/// same syntax tree whatever the format. The contract, when given, says which fields of a
/// JSON-lines or CSV history hold text.
pub fn parse_scenario_file(
    contract: Option<&Checked>,
    file: &SourceFile,
) -> Result<ast::Scenario, Failure> {
    let texts = text_fields(contract);
    let title = syntax::default_title(&file.name);
    match ScenarioFormat::of(&file.name) {
        ScenarioFormat::Scenario => {
            syntax::parse_scenario(&file.text).map_err(|d| Failure::one(file, vec![d]))
        }
        ScenarioFormat::JsonLines => {
            syntax::parse_jsonl(&file.text, &title, &texts).map_err(|ds| Failure::one(file, ds))
        }
        ScenarioFormat::Csv => {
            syntax::parse_csv(&file.text, &title, &texts).map_err(|ds| Failure::one(file, ds))
        }
    }
}

/// Parses one history written whole on one line, as `terms eval --batch -` reads them
/// (see [`syntax::parse_history_line`]), and checks it against a contract.
pub fn load_history_line(
    contract: &Checked,
    file: &SourceFile,
    title: &str,
) -> Result<Scenario, Failure> {
    let texts = text_fields(Some(contract));
    let ast = syntax::parse_history_line(&file.text, title, &texts)
        .map_err(|ds| Failure::one(file, ds))?;
    scenario::check_scenario(contract, &ast).map_err(|ds| Failure::one(file, ds))
}

/// Evaluates a scenario checked against a contract checked once (`terms eval --batch`):
/// [`run`] without parsing and checking the contract again.
pub fn evaluate_checked(
    contract: &Checked,
    contract_file: &SourceFile,
    scenario: &Scenario,
    scenario_file: &SourceFile,
    as_of: Option<WrittenAsOf>,
) -> Result<Report, Failure> {
    evaluate_loaded(
        contract,
        contract_file,
        scenario,
        scenario_file,
        as_of,
        eval::Limits::default(),
    )
}

/// The whole pipeline: contract and scenario text to a report, as of the given date or
/// instant (`NaiveDate` and `NaiveDateTime` convert with `.into()`) or the scenario's own
/// `as of`.
pub fn run(
    contract_file: &SourceFile,
    scenario_file: &SourceFile,
    as_of: Option<WrittenAsOf>,
) -> Result<Report, Failure> {
    run_with(contract_file, scenario_file, as_of, eval::Limits::default())
}

/// [`run`] with explicit limits and options (`explain` records what did not fire).
pub fn run_with(
    contract_file: &SourceFile,
    scenario_file: &SourceFile,
    as_of: Option<WrittenAsOf>,
    limits: eval::Limits,
) -> Result<Report, Failure> {
    let (contract, _warnings) = load_contract(contract_file)?;
    let scenario = load_scenario(&contract, scenario_file)?;
    evaluate_loaded(
        &contract,
        contract_file,
        &scenario,
        scenario_file,
        as_of,
        limits,
    )
}

/// Evaluates a checked scenario against a checked contract (the files are for diagnostics).
fn evaluate_loaded(
    contract: &Checked,
    contract_file: &SourceFile,
    scenario: &Scenario,
    scenario_file: &SourceFile,
    as_of: Option<WrittenAsOf>,
    limits: eval::Limits,
) -> Result<Report, Failure> {
    let as_of = match as_of {
        // `--as-of` is placed in the contract's time zone like the scenario's own `as of`.
        Some(written) => Some(
            scenario::place_as_of(contract, written, Span::new(0, 0))
                .map_err(|d| Failure::one(scenario_file, vec![d.label("the `--as-of` time")]))?,
        ),
        None => scenario.as_of,
    };
    let Some(as_of) = as_of else {
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
    if !calendar::in_range(as_of.date()) {
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
    let outcome =
        eval::evaluate(contract, scenario, as_of, limits).map_err(|d| match &contract.deal {
            Some(deal) => deal.failure(contract_file, vec![d]),
            None => Failure::one(contract_file, vec![d]),
        })?;
    Ok(Report::new(contract, scenario, as_of, outcome))
}

/// `terms explain`: evaluates with explanations. `entry`, when given, must be a clause id, an
/// article or an event id; the report is kept whole (see [`report_only`]).
pub fn explain(
    contract_file: &SourceFile,
    scenario_file: &SourceFile,
    as_of: Option<WrittenAsOf>,
    entry: Option<&str>,
) -> Result<Report, Failure> {
    let (contract, _warnings) = load_contract(contract_file)?;
    let scenario = load_scenario(&contract, scenario_file)?;
    if let Some(entry) = entry {
        check_entry(&contract, &scenario, entry)?;
    }
    let limits = eval::Limits {
        explain: true,
        ..eval::Limits::default()
    };
    evaluate_loaded(
        &contract,
        contract_file,
        &scenario,
        scenario_file,
        as_of,
        limits,
    )
}

/// How many names a diagnostic lists before it says how many more there are.
const MAX_LISTED: usize = 12;

/// An `explain` ENTRY that names no clause, article or event is a diagnostic on the
/// argument, listing the clause ids (and the closest name).
fn check_entry(contract: &Checked, scenario: &Scenario, entry: &str) -> Result<(), Failure> {
    let names = contract
        .clauses
        .iter()
        .flat_map(|c| [c.id.as_str(), c.article.as_str()])
        .chain(scenario.events.iter().map(|e| e.id.as_str()));
    if names.clone().any(|n| n == entry) {
        return Ok(());
    }
    let hint = match diagnostic::did_you_mean(entry, names) {
        Some(n) => format!("did you mean `{n}`? "),
        None => String::new(),
    };
    let ids: Vec<&str> = contract.clauses.iter().map(|c| c.id.as_str()).collect();
    let mut listed = ids
        .iter()
        .take(MAX_LISTED)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > MAX_LISTED {
        listed.push_str(&format!(" and {} more", ids.len() - MAX_LISTED));
    }
    let shown = shown(entry);
    let file = SourceFile::new("ENTRY", shown.clone());
    Err(Failure::one(
        &file,
        vec![Diagnostic::error(
            "terms::cli::unknown_entry",
            Span::new(0, shown.len()),
            format!("no clause id, article or event id is `{shown}`"),
        )
        .label("not in the contract or the scenario")
        .help(format!(
            "{hint}ENTRY is a clause id ({listed}), an article as the contract cites it, or an event id of the scenario"
        ))],
    ))
}

/// The entries of a report about one clause id, article or event id, as `explain ENTRY`
/// shows them; the totals add up the amounts kept.
pub fn report_only(report: &Report, entry: &str) -> Report {
    let keep = |s: &eval::Source| {
        s.clause_id == entry || s.clause == entry || s.event.as_deref() == Some(entry)
    };
    let mut r = report.clone();
    let o = &mut r.outcome;
    o.obligations.retain(|x| keep(&x.source));
    o.violations.retain(|x| keep(&x.source));
    o.rights.retain(|x| keep(&x.source));
    o.amounts.retain(|x| keep(&x.source));
    o.dates.retain(|x| keep(&x.source));
    o.values.retain(|x| keep(&x.source));
    o.rejected.retain(|x| keep(&x.source));
    o.notices.retain(|x| keep(&x.source));
    o.allocations.retain(|x| keep(&x.source));
    o.outstanding.retain(|x| keep(&x.source));
    o.not_fired.retain(|x| keep(&x.source));
    o.unevaluated
        .retain(|x| x.clause_id == entry || x.clause == entry);
    let mut sums: std::collections::BTreeMap<(&str, &str), Option<rust_decimal::Decimal>> =
        std::collections::BTreeMap::new();
    for a in &o.amounts {
        let sum = sums
            .entry((a.debtor.as_str(), a.creditor.as_str()))
            .or_insert(Some(rust_decimal::Decimal::ZERO));
        *sum = sum.and_then(|s| s.checked_add(a.amount));
    }
    let currency = r.currency.clone();
    let totals = sums
        .into_iter()
        .filter_map(|((debtor, creditor), amount)| {
            amount.map(|amount| eval::Total {
                debtor: debtor.to_string(),
                creditor: creditor.to_string(),
                amount,
                currency: currency.clone(),
            })
        })
        .collect();
    r.outcome.totals = totals;
    r
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
    coverage_of(contract_file, scenario_files.iter().cloned().map(Ok))
}

/// [`coverage`] of the scenario files at `paths`, read one at a time.
pub fn coverage_of_paths(
    contract_file: &SourceFile,
    paths: &[PathBuf],
) -> Result<Coverage, Failure> {
    coverage_of(contract_file, paths.iter().map(|p| read_scenario(p)))
}

/// The contract is parsed and checked once; each scenario is parsed once.
fn coverage_of(
    contract_file: &SourceFile,
    scenario_files: impl Iterator<Item = Result<SourceFile, Failure>>,
) -> Result<Coverage, Failure> {
    let (contract, _) = load_contract(contract_file)?;
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    let mut scenarios = 0;
    for file in scenario_files {
        let file = file?;
        let ast = parse_scenario_file(Some(&contract), &file)?;
        if ast
            .contract
            .as_ref()
            .is_some_and(|c| c.name != contract.name)
        {
            continue;
        }
        let scenario =
            scenario::check_scenario(&contract, &ast).map_err(|ds| Failure::one(&file, ds))?;
        let report = evaluate_loaded(
            &contract,
            contract_file,
            &scenario,
            &file,
            None,
            eval::Limits::default(),
        )?;
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
            .chain(o.values.iter().map(|e| &e.source))
            .chain(o.rejected.iter().map(|e| &e.source))
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

/// Reads a file as a source: non-UTF-8 bytes are a diagnostic, not a crash. Only regular
/// files are read, and none over the scenario limit (32 MiB).
pub fn read_source(path: &Path) -> Result<SourceFile, Failure> {
    read_source_as(path, &path.display().to_string())
}

/// Reads a contract: a regular file of at most 1 MiB.
pub fn read_contract(path: &Path) -> Result<SourceFile, Failure> {
    read_limited(
        path,
        &path.display().to_string(),
        syntax::MAX_SOURCE_BYTES,
        "a contract",
    )
}

/// Reads a scenario: a regular file of at most 32 MiB.
pub fn read_scenario(path: &Path) -> Result<SourceFile, Failure> {
    read_limited(
        path,
        &path.display().to_string(),
        syntax::MAX_SCENARIO_BYTES,
        "a scenario",
    )
}

/// Reads a file as a source shown under `name` in diagnostics.
pub fn read_source_as(path: &Path, name: &str) -> Result<SourceFile, Failure> {
    read_limited(path, name, syntax::MAX_SCENARIO_BYTES, "a scenario")
}

/// The longest file name a diagnostic shows whole.
const MAX_SHOWN_NAME: usize = 200;

/// A name as diagnostics show it: at most [`MAX_SHOWN_NAME`] characters.
pub fn shown(name: &str) -> String {
    if name.chars().count() <= MAX_SHOWN_NAME {
        return name.to_string();
    }
    let head: String = name.chars().take(MAX_SHOWN_NAME).collect();
    format!("{head}…")
}

fn io_failure(name: &str, code: &'static str, message: String, help: &str) -> Failure {
    Failure::one(
        &SourceFile::new(name, ""),
        vec![Diagnostic::error(code, Span::new(0, 0), message)
            .label("here")
            .help(help)],
    )
}

/// What a file that is not a regular file is.
fn file_kind(ty: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ty.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if ty.is_socket() {
            return "a socket";
        }
        if ty.is_char_device() || ty.is_block_device() {
            return "a device";
        }
    }
    if ty.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Reads a regular file of at most `max_bytes`. The type and the size are checked before
/// the file is opened, so a named pipe or a device never blocks and a huge file is never
/// read; the read itself stops one byte past the limit.
fn read_limited(
    path: &Path,
    name: &str,
    max_bytes: usize,
    what: &str,
) -> Result<SourceFile, Failure> {
    use std::io::Read;
    let name = shown(name);
    let unreadable = |e: std::io::Error| {
        io_failure(
            &name,
            "terms::io::unreadable",
            format!("cannot read `{name}`: {e}"),
            "check the path and the file's permissions",
        )
    };
    let not_a_file = |ty: std::fs::FileType| {
        io_failure(
            &name,
            "terms::io::not_a_file",
            format!("`{name}` is {}, not a file", file_kind(ty)),
            &format!("give the path of {what} file"),
        )
    };
    let too_large = |len: u64| {
        io_failure(
            &name,
            "terms::syntax::too_large",
            format!("the file is {len} bytes, more than the limit of {max_bytes}"),
            "split the file: a contract is at most 1 MiB, a scenario 32 MiB",
        )
    };
    let limit = u64::try_from(max_bytes).unwrap_or(u64::MAX);
    let check = |meta: &std::fs::Metadata| {
        if !meta.is_file() {
            Err(not_a_file(meta.file_type()))
        } else if meta.len() > limit {
            Err(too_large(meta.len()))
        } else {
            Ok(())
        }
    };
    check(&std::fs::metadata(path).map_err(unreadable)?)?;
    let file = std::fs::File::open(path).map_err(unreadable)?;
    // The path may have been replaced between the two looks: check the open file too.
    check(&file.metadata().map_err(unreadable)?)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() > max_bytes {
        return Err(too_large(u64::try_from(bytes.len()).unwrap_or(u64::MAX)));
    }
    source_from_bytes(name, bytes).map(|file| file.with_path(path))
}

/// Reads standard input whole as a source named `<stdin>`: at most `max_bytes`, UTF-8.
pub fn read_stdin(max_bytes: usize) -> Result<SourceFile, Failure> {
    use std::io::Read;
    let name = String::from("<stdin>");
    let mut bytes = Vec::new();
    let limit = u64::try_from(max_bytes).unwrap_or(u64::MAX);
    std::io::stdin()
        .lock()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| {
            io_failure(
                &name,
                "terms::io::unreadable",
                format!("cannot read standard input: {e}"),
                "check what is piped into the command",
            )
        })?;
    if bytes.len() > max_bytes {
        return Err(io_failure(
            &name,
            "terms::syntax::too_large",
            format!("standard input holds more than the limit of {max_bytes} bytes"),
            "split the file: a contract is at most 1 MiB, a scenario 32 MiB",
        ));
    }
    source_from_bytes(name, bytes)
}

/// A source from the bytes of a file: not UTF-8 is a diagnostic at the first invalid byte.
fn source_from_bytes(name: String, bytes: Vec<u8>) -> Result<SourceFile, Failure> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let (text, at) = around(e.as_bytes(), at);
            let file = SourceFile::new(name, text);
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

/// What a diagnostic about byte `at` of a file shows of it: the line of `at` up to
/// [`MAX_SHOWN_AFTER`] bytes past it, with the lines before left empty (so line and column
/// stay right) and nothing after, so a huge line or file is not echoed whole. Returns the
/// text and where `at` is in it.
fn around(bytes: &[u8], at: usize) -> (String, usize) {
    let before = bytes.get(..at).unwrap_or(bytes);
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let newlines = before.iter().filter(|b| **b == b'\n').count();
    let rest = bytes.get(at..).unwrap_or_default();
    let line_end = rest
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(rest.len())
        .min(MAX_SHOWN_AFTER);
    let mut text = "\n".repeat(newlines);
    text.push_str(&String::from_utf8_lossy(
        bytes.get(line_start..at).unwrap_or_default(),
    ));
    let at = text.len();
    text.push_str(&String::from_utf8_lossy(
        rest.get(..line_end).unwrap_or_default(),
    ));
    text.push('\n');
    (text, at)
}

/// How much of a line past an invalid byte a diagnostic shows.
const MAX_SHOWN_AFTER: usize = 80;

/// Every `.scenario` file below a folder, sorted, each once. Symbolic links to folders are
/// not followed (a link to an ancestor would never end); a link to a file counts once with
/// the file it points to.
pub fn scenario_paths(folder: &Path) -> Result<Vec<PathBuf>, Failure> {
    paths_with(folder, &["scenario"])
}

/// Every history below a folder in any format (`.scenario`, `.jsonl`, `.csv`), sorted by
/// path, each once, as [`scenario_paths`] finds them.
pub fn history_paths(folder: &Path) -> Result<Vec<PathBuf>, Failure> {
    paths_with(folder, &["scenario", "jsonl", "csv"])
}

fn paths_with(folder: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>, Failure> {
    let name = shown(&folder.display().to_string());
    let meta = std::fs::metadata(folder).map_err(|e| {
        io_failure(
            &name,
            "terms::io::unreadable",
            format!("cannot read the folder `{name}`: {e}"),
            "check the path and the folder's permissions",
        )
    })?;
    if !meta.is_dir() {
        return Err(io_failure(
            &name,
            "terms::io::not_a_folder",
            format!("`{name}` is not a folder"),
            "give the folder that holds the `.scenario` files",
        ));
    }
    let mut found = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| {
            let name = shown(&dir.display().to_string());
            io_failure(
                &name,
                "terms::io::unreadable",
                format!("cannot read the folder `{name}`: {e}"),
                "check the folder's permissions",
            )
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(ty) = entry.file_type() else { continue };
            if ty.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .is_some_and(|e| extensions.iter().any(|x| e == *x))
            {
                // A link to a folder named `x.scenario` is skipped like any folder link.
                if ty.is_symlink() && std::fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
                    continue;
                }
                found.push(path);
            }
        }
    }
    found.sort();
    let mut seen = std::collections::BTreeSet::new();
    found.retain(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    Ok(found)
}

//! The `terms` command line: `check` contracts, `eval` a contract against a scenario.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use terms::calendar::WrittenAsOf;
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
        /// A `.scenario`, `.jsonl` or `.csv` history.
        #[arg(required_unless_present = "batch", conflicts_with = "batch")]
        scenario: Option<PathBuf>,
        /// Evaluate every history in a folder (recursively), or with `-` one history per
        /// line of standard input, and print one JSON report per line.
        #[arg(long, value_name = "DIR|-")]
        batch: Option<PathBuf>,
        /// The evaluation date (YYYY-MM-DD: the end of that day) or instant
        /// (YYYY-MM-DDTHH:MM[:SS][±HH:MM|Z]); defaults to the scenario's `as of`.
        #[arg(long, value_parser = parse_as_of)]
        as_of: Option<WrittenAsOf>,
        /// `text` (the default) or `json`; `--batch` always prints JSON lines.
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Add an act to the scenario for this run only, written as a scenario `event` line
        /// without `event` and the id (`"termination on 2025-07-01 by customer via email"`);
        /// the report is preceded by what the acts change. Repeat for several acts.
        #[arg(long = "what-if", value_name = "EVENT", conflicts_with = "batch")]
        what_if: Vec<String>,
    },
    /// Explain every entry of the report step by step, and why rules did not fire.
    Explain {
        contract: PathBuf,
        scenario: PathBuf,
        /// Only the entries of this clause id, article or event id.
        entry: Option<String>,
        /// The evaluation date or instant, as for `eval`.
        #[arg(long, value_parser = parse_as_of)]
        as_of: Option<WrittenAsOf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Add an act to the scenario for this run only, as for `eval`.
        #[arg(long = "what-if", value_name = "EVENT")]
        what_if: Vec<String>,
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
    /// Print contracts and scenarios in the canonical layout, rewriting the files in place.
    Fmt {
        /// `.terms` and `.scenario` files; `-` reads standard input and prints to standard
        /// output.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write nothing; exit with status 1 and show the changes when a file is not in the
        /// canonical layout.
        #[arg(long)]
        check: bool,
    },
    /// List what is due across a folder of contracts and histories: overdue obligations,
    /// then obligations due, rights whose window closes and termination deadlines in the range.
    Agenda {
        /// A folder searched recursively for `.scenario` files that name their contract.
        folder: PathBuf,
        /// The first day (YYYY-MM-DD): every history is evaluated as of this day.
        #[arg(long, value_parser = parse_date)]
        from: NaiveDate,
        /// The last day (YYYY-MM-DD, inclusive); defaults to --from + 90 days.
        #[arg(long, value_parser = parse_date)]
        until: Option<NaiveDate>,
        /// Where `NAME.terms` is; by default the history's folder and those above it up to
        /// FOLDER, then FOLDER/contracts, then FOLDER/../contracts.
        #[arg(long, value_name = "DIR")]
        contracts: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = AgendaFormat::Text)]
        format: AgendaFormat,
        /// For `--format ics`: the reminder, this many days before each item.
        #[arg(long, value_name = "DAYS", default_value_t = 2)]
        alarm: u32,
    },
    /// Evaluate one scenario shape against several contracts and print them side by side.
    Compare {
        /// The `.terms` contracts, one column each.
        #[arg(required = true)]
        contracts: Vec<PathBuf>,
        /// The shape: a TOML file with the story in neutral kinds and, per contract, how it
        /// maps to that contract's events (see docs/cli.md).
        #[arg(long = "scenario", value_name = "SHAPE")]
        shape: PathBuf,
        /// The evaluation date or instant; defaults to the shape's `as_of`.
        #[arg(long, value_parser = parse_as_of)]
        as_of: Option<WrittenAsOf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Write a large, realistic history for a bundled contract, reproducible from a seed.
    #[command(hide = true)]
    Generate {
        /// One of the bundled contracts (`contracts/*.terms`).
        contract: PathBuf,
        /// Customers, each invoiced every month.
        #[arg(long, default_value_t = 10)]
        accounts: usize,
        /// Months of history, from January 2025.
        #[arg(long, default_value_t = 12)]
        months: u32,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long, value_enum, default_value_t = HistoryFormat::Scenario)]
        format: HistoryFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum HistoryFormat {
    Scenario,
    Jsonl,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
enum AgendaFormat {
    Text,
    Json,
    Ics,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn parse_as_of(s: &str) -> Result<WrittenAsOf, String> {
    terms::syntax::parse_as_of(s).map_err(|_| {
        format!(
            "`{}` is not a date as YYYY-MM-DD or a date-time as YYYY-MM-DDTHH:MM[:SS][±HH:MM]",
            terms::shown(s)
        )
    })
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{}` is not a date as YYYY-MM-DD", terms::shown(s)))
}

/// Exit code for invalid input (violations are results, not failures).
const INVALID: u8 = 2;

/// The longest word of a command-line error shown whole.
const MAX_ERROR_WORD: usize = 120;

/// Standard output, buffered. A closed pipe (`terms eval … | head`) is not an error: what
/// is left to write is dropped and the command ends as it would have.
struct Out {
    writer: std::io::BufWriter<std::io::StdoutLock<'static>>,
    closed: bool,
    error: Option<std::io::Error>,
}

impl Out {
    fn new() -> Out {
        Out {
            writer: std::io::BufWriter::new(std::io::stdout().lock()),
            closed: false,
            error: None,
        }
    }

    fn write(&mut self, text: &str) {
        if self.closed {
            return;
        }
        if let Err(e) = self.writer.write_all(text.as_bytes()) {
            self.fail(e);
        }
    }

    fn fail(&mut self, e: std::io::Error) {
        self.closed = true;
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            self.error = Some(e);
        }
    }

    /// Flushes, and turns a write error other than a closed pipe into a failure.
    fn finish(mut self, code: ExitCode) -> ExitCode {
        if !self.closed {
            if let Err(e) = self.writer.flush() {
                self.fail(e);
            }
        }
        match self.error.take() {
            Some(e) => {
                report(&format!("terms: cannot write the output: {e}\n"));
                ExitCode::from(INVALID)
            }
            None => code,
        }
    }
}

/// Writes to standard error; a closed standard error is ignored.
fn report(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// A text with every word longer than `max` characters cut in its middle (clap repeats a
/// value given on the command line, whatever its length).
fn bound_words(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(4 * max));
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let n = word.chars().count();
        if n > max {
            out.extend(word.chars().take(max.saturating_sub(2)));
            out.push('…');
            out.extend(word.chars().skip(n - 2));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let mut out = Out::new();
                out.write(&e.render().to_string());
                return out.finish(ExitCode::from(
                    u8::try_from(e.exit_code()).unwrap_or(INVALID),
                ));
            }
            report(&bound_words(&e.render().to_string(), MAX_ERROR_WORD));
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(INVALID));
        }
    };
    let mut out = Out::new();
    let code = run(cli, &mut out);
    out.finish(code)
}

fn run(cli: Cli, out: &mut Out) -> ExitCode {
    match cli.command {
        Command::Check {
            files,
            contract: None,
        } => {
            let mut ok = true;
            for path in files {
                match terms::read_contract(&path)
                    .and_then(|f| terms::check_terms_file(&f).map(|w| (f, w)))
                {
                    Ok((file, warnings)) => {
                        if !warnings.is_empty() {
                            report(&FileDiagnostics::new(&file, warnings).render());
                        }
                        out.write(&format!("{}: ok\n", path.display()));
                    }
                    Err(failure) => {
                        report(&failure.render());
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
                match terms::read_contract(&contract_path).and_then(|f| terms::load_contract(&f)) {
                    Ok((c, _)) => c,
                    Err(failure) => {
                        report(&failure.render());
                        return ExitCode::from(INVALID);
                    }
                };
            let mut ok = true;
            for path in files {
                match terms::read_scenario(&path)
                    .and_then(|f| terms::load_scenario(&contract, &f).map(|s| (f, s)))
                {
                    Ok((file, scenario)) => {
                        if !scenario.warnings.is_empty() {
                            report(&FileDiagnostics::new(&file, scenario.warnings).render());
                        }
                        out.write(&format!("{}: ok\n", path.display()));
                    }
                    Err(failure) => {
                        report(&failure.render());
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
            what_if,
        } if !what_if.is_empty() => {
            let answer = terms::read_contract(&contract)
                .and_then(|c| terms::read_scenario(&scenario).map(|s| (c, s)))
                .and_then(|(c, s)| {
                    let acts = what_if_source(&what_if);
                    terms::whatif::explain(&c, &s, &acts, as_of, entry.as_deref())
                });
            match answer {
                Ok(answer) => {
                    match (format, entry.as_deref()) {
                        (Format::Text, entry) => out.write(&format!(
                            "{}\n{}",
                            answer.what_if.to_text(),
                            answer.report.to_explanation(entry)
                        )),
                        (Format::Json, None) => out.write(&format!("{}\n", answer.to_json())),
                        (Format::Json, Some(entry)) => out.write(&format!(
                            "{}\n",
                            answer.json_of(&terms::report_only(&answer.report, entry))
                        )),
                    }
                    ExitCode::SUCCESS
                }
                Err(failure) => {
                    report(&failure.render());
                    ExitCode::from(INVALID)
                }
            }
        }
        Command::Explain {
            contract,
            scenario,
            entry,
            as_of,
            format,
            ..
        } => {
            let files = terms::read_contract(&contract)
                .and_then(|c| terms::read_scenario(&scenario).map(|s| (c, s)));
            match files.and_then(|(c, s)| terms::explain(&c, &s, as_of, entry.as_deref())) {
                Ok(report) => {
                    match (format, entry.as_deref()) {
                        (Format::Text, entry) => out.write(&report.to_explanation(entry)),
                        (Format::Json, None) => out.write(&format!("{}\n", report.to_json())),
                        (Format::Json, Some(entry)) => out.write(&format!(
                            "{}\n",
                            terms::report_only(&report, entry).to_json()
                        )),
                    }
                    ExitCode::SUCCESS
                }
                Err(failure) => {
                    report(&failure.render());
                    ExitCode::from(INVALID)
                }
            }
        }
        Command::Coverage {
            contract,
            scenarios,
            require_all,
        } => coverage(&contract, &scenarios, require_all, out),
        Command::Fmt { files, check } => fmt(&files, check, out),
        Command::Compare {
            contracts,
            shape,
            as_of,
            format,
        } => {
            let files = contracts
                .iter()
                .map(|p| terms::read_contract(p))
                .collect::<Result<Vec<_>, _>>();
            let result = files.and_then(|files| {
                terms::read_source(&shape)
                    .and_then(|shape| terms::compare::compare(&shape, &files, as_of))
            });
            match result {
                Ok(comparison) => {
                    match format {
                        Format::Text => out.write(&comparison.to_text()),
                        Format::Json => out.write(&format!("{}\n", comparison.to_json())),
                    }
                    ExitCode::SUCCESS
                }
                Err(failure) => {
                    report(&failure.render());
                    ExitCode::from(INVALID)
                }
            }
        }
        Command::Agenda {
            folder,
            from,
            until,
            contracts,
            format,
            alarm,
        } => {
            if until.is_some_and(|u| u < from) {
                report("terms: --until is before --from; give a last day on or after the first\n");
                return ExitCode::from(INVALID);
            }
            let options = terms::agenda::Options {
                from,
                until,
                contracts,
            };
            match terms::agenda::build(&folder, &options) {
                Ok(agenda) => {
                    if !agenda.skipped.is_empty() {
                        report(&format!(
                            "terms: skipped {} history file(s) with no `contract` line: {}\n",
                            agenda.skipped.len(),
                            terms::shown(&agenda.skipped.join(", "))
                        ));
                    }
                    match format {
                        AgendaFormat::Text => out.write(&agenda.to_text()),
                        AgendaFormat::Json => out.write(&format!("{}\n", agenda.to_json())),
                        AgendaFormat::Ics => out.write(&agenda.to_ics(alarm)),
                    }
                    ExitCode::SUCCESS
                }
                Err(failure) => {
                    report(&failure.render());
                    ExitCode::from(INVALID)
                }
            }
        }
        Command::Generate {
            contract,
            accounts,
            months,
            seed,
            format,
        } => {
            let name = match terms::read_contract(&contract).and_then(|f| terms::load_contract(&f))
            {
                Ok((c, _)) => c.name,
                Err(failure) => {
                    report(&failure.render());
                    return ExitCode::from(INVALID);
                }
            };
            let options = terms::generate::Options {
                accounts,
                months,
                seed,
                format: match format {
                    HistoryFormat::Scenario => terms::generate::Format::Scenario,
                    HistoryFormat::Jsonl => terms::generate::Format::JsonLines,
                    HistoryFormat::Csv => terms::generate::Format::Csv,
                },
            };
            match terms::generate::generate(&name, options) {
                Ok(text) => {
                    out.write(&text);
                    ExitCode::SUCCESS
                }
                Err(message) => {
                    report(&format!("terms: {message}\n"));
                    ExitCode::from(INVALID)
                }
            }
        }
        Command::Eval {
            contract,
            batch: Some(batch),
            as_of,
            format,
            ..
        } => {
            if matches!(format, Some(Format::Text)) {
                report("terms: --batch prints JSON lines; leave out --format text\n");
                return ExitCode::from(INVALID);
            }
            batch_eval(&contract, &batch, as_of, out)
        }
        Command::Eval {
            contract,
            scenario: None,
            ..
        } => {
            report(&format!(
                "terms: give a scenario to evaluate against `{}`, or --batch DIR|-\n",
                terms::shown(&contract.display().to_string())
            ));
            ExitCode::from(INVALID)
        }
        Command::Eval {
            contract,
            scenario: Some(scenario),
            as_of,
            format,
            batch: None,
            what_if,
        } if !what_if.is_empty() => {
            let answer = terms::read_contract(&contract)
                .and_then(|c| terms::read_scenario(&scenario).map(|s| (c, s)))
                .and_then(|(c, s)| terms::whatif::run(&c, &s, &what_if_source(&what_if), as_of));
            match answer {
                Ok(answer) => {
                    match format.unwrap_or(Format::Text) {
                        Format::Text => out.write(&answer.to_text()),
                        Format::Json => out.write(&format!("{}\n", answer.to_json())),
                    }
                    ExitCode::SUCCESS
                }
                Err(failure) => {
                    report(&failure.render());
                    ExitCode::from(INVALID)
                }
            }
        }
        Command::Eval {
            contract,
            scenario: Some(scenario),
            as_of,
            format,
            batch: None,
            ..
        } => {
            let format = format.unwrap_or(Format::Text);
            let files = terms::read_contract(&contract)
                .and_then(|c| terms::read_scenario(&scenario).map(|s| (c, s)));
            let result = files.and_then(|(c, s)| terms::run(&c, &s, as_of));
            match result {
                Ok(report) => {
                    match format {
                        Format::Text => out.write(&report.to_text()),
                        Format::Json => out.write(&format!("{}\n", report.to_json())),
                    }
                    ExitCode::SUCCESS
                }
                Err(failure) => {
                    report(&failure.render());
                    ExitCode::from(INVALID)
                }
            }
        }
    }
}

/// The acts of `--what-if`, one source named `--what-if`: each value on a line of its own.
fn what_if_source(acts: &[String]) -> terms::source::SourceFile {
    terms::source::SourceFile::new(terms::whatif::SOURCE_NAME, acts.join("\n"))
}

/// `eval --batch`: every history of a folder, or one per line of standard input, against
/// a contract checked once; one JSON line per history, in order. Exit status 2 when some
/// input was invalid.
fn batch_eval(
    contract: &Path,
    batch: &Path,
    as_of: Option<WrittenAsOf>,
    out: &mut Out,
) -> ExitCode {
    use std::io::IsTerminal;
    let contract_file = match terms::read_contract(contract) {
        Ok(f) => f,
        Err(failure) => {
            report(&failure.render());
            return ExitCode::from(INVALID);
        }
    };
    let checked = match terms::load_contract(&contract_file) {
        Ok((c, _)) => c,
        Err(failure) => {
            report(&failure.render());
            return ExitCode::from(INVALID);
        }
    };
    let from_stdin = batch == Path::new("-");
    let paths = if from_stdin {
        Vec::new()
    } else {
        match terms::history_paths(batch) {
            Ok(p) => p,
            Err(failure) => {
                report(&failure.render());
                return ExitCode::from(INVALID);
            }
        }
    };
    let bar = if std::io::stderr().is_terminal() {
        let bar = if from_stdin {
            indicatif::ProgressBar::new_spinner()
        } else {
            indicatif::ProgressBar::new(u64::try_from(paths.len()).unwrap_or(u64::MAX))
        };
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template(if from_stdin {
            "{spinner} {pos} histories ({per_sec}) {elapsed}"
        } else {
            "{bar:40} {pos}/{len} histories ({per_sec}) eta {eta}"
        }) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut emit = |outcome: terms::batch::Outcome| {
        if let Some(diagnostics) = &outcome.diagnostics {
            bar.suspend(|| report(diagnostics));
        }
        out.write(&outcome.json);
        out.write("\n");
        bar.inc(1);
    };
    let (invalid, read_error) = if from_stdin {
        let stdin = std::io::stdin().lock();
        let mut lines = terms::batch::Lines::new(stdin, terms::syntax::MAX_SCENARIO_BYTES);
        let invalid = terms::batch::run(&checked, &contract_file, lines.by_ref(), as_of, &mut emit);
        (invalid, lines.error.take())
    } else {
        let inputs = paths.into_iter().map(terms::batch::Input::File);
        (
            terms::batch::run(&checked, &contract_file, inputs, as_of, &mut emit),
            None,
        )
    };
    bar.finish_and_clear();
    if let Some(e) = read_error {
        report(&format!("terms: cannot read standard input: {e}\n"));
        return ExitCode::from(INVALID);
    }
    exit(invalid == 0)
}

/// `terms fmt`: every file formatted, rewritten in place, or with `--check` only compared.
/// Exit status 2 when a file is invalid, else 1 with `--check` when a file would change.
fn fmt(files: &[PathBuf], check: bool, out: &mut Out) -> ExitCode {
    let mut invalid = false;
    let mut changed = false;
    for path in files {
        let from_stdin = path == Path::new("-");
        let name = terms::shown(&path.display().to_string());
        let file = if from_stdin {
            terms::read_stdin(terms::syntax::MAX_SCENARIO_BYTES)
        } else {
            // A history is refused before it is read.
            match terms::fmt::kind_of(&name, "") {
                Err(d) => Err(terms::Failure::in_file(
                    &terms::source::SourceFile::new(name.clone(), ""),
                    vec![d],
                )),
                Ok(terms::fmt::Kind::Contract) if name.to_ascii_lowercase().ends_with(".terms") => {
                    terms::read_contract(path)
                }
                Ok(_) => terms::read_scenario(path),
            }
        };
        let formatted = file.and_then(|f| terms::format_source(&f).map(|text| (f, text)));
        let (file, text) = match formatted {
            Ok(pair) => pair,
            Err(failure) => {
                report(&failure.render());
                invalid = true;
                continue;
            }
        };
        let same = *file.text == *text;
        if check {
            if !same {
                changed = true;
                out.write(&format!("{}: would be reformatted\n", file.name));
                out.write(&terms::fmt::diff(&file.name, &file.text, &text));
            }
        } else if from_stdin {
            out.write(&text);
        } else if !same {
            if let Err(e) = write_in_place(path, &text) {
                report(&format!("terms: cannot write `{name}`: {e}\n"));
                invalid = true;
            }
        }
    }
    if invalid {
        ExitCode::from(INVALID)
    } else if changed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Replaces a file's text: written to a new file in the same folder, then renamed over it,
/// so a reader never sees half a file. A symbolic link is followed (the link stays) and the
/// file's permissions are kept.
fn write_in_place(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let base = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{base}.fmt-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::set_permissions(&temp, std::fs::metadata(&target)?.permissions())?;
        std::fs::rename(&temp, &target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

fn coverage(contract: &Path, folder: &Path, require_all: bool, out: &mut Out) -> ExitCode {
    let result = terms::read_contract(contract).and_then(|c| {
        terms::scenario_paths(folder).and_then(|paths| terms::coverage_of_paths(&c, &paths))
    });
    let coverage = match result {
        Ok(c) => c,
        Err(failure) => {
            report(&failure.render());
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
        out.write(&format!(
            "§{article:<16} {id:<width$} {n:>3} scenario{}{mark}\n",
            if *n == 1 { "" } else { "s" }
        ));
    }
    let missing = coverage.unexercised();
    out.write(&format!(
        "{}: {} of {} clauses exercised by {} scenarios\n",
        coverage.contract,
        coverage.clauses.len() - missing.len(),
        coverage.clauses.len(),
        coverage.scenarios
    ));
    if require_all && !missing.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(INVALID)
    }
}

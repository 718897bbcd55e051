//! `terms eval CONTRACT --batch DIR|-`: many histories against one contract checked once,
//! evaluated on all cores, one JSON line per history in input order.
//!
//! Inputs are taken a window at a time (a few per thread), evaluated in parallel with
//! rayon and handed on in their order before the next window is read, so memory holds at
//! most one window of histories and reports whatever the number of inputs.

use std::io::BufRead;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use crate::check::Checked;
use crate::diagnostic::{Diagnostic, FileDiagnostics, Severity};
use crate::report::Report;
use crate::source::{SourceFile, Span};
use crate::Failure;

/// One history to evaluate.
#[derive(Debug, Clone)]
pub enum Input {
    /// A `.scenario`, `.jsonl` or `.csv` file.
    File(PathBuf),
    /// A line of standard input holding one whole history (1-based line number).
    Line { number: usize, text: String },
    /// A line of standard input that cannot be a history: longer than the limit or not
    /// UTF-8. It gives a diagnostic line.
    BadLine { number: usize, problem: LineProblem },
}

/// Why a line of standard input was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineProblem {
    TooLong,
    NotUtf8,
}

/// Where a batch line came from, as the `input` key of its JSON line shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Origin {
    /// The file's path, or `-` for standard input.
    pub file: String,
    /// The line of standard input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// The result of one input: its JSON line and, when it was invalid, its diagnostics
/// rendered for a person.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// One line of JSON, without the line break.
    pub json: String,
    /// The rendered diagnostics of an invalid input; `None` when it evaluated.
    pub diagnostics: Option<String>,
}

impl Outcome {
    pub fn is_valid(&self) -> bool {
        self.diagnostics.is_none()
    }
}

/// A report with where it came from, as one JSON line.
#[derive(Serialize)]
struct ReportLine<'a> {
    input: &'a Origin,
    #[serde(flatten)]
    report: &'a Report,
}

/// An invalid input's JSON line.
#[derive(Serialize)]
struct FailureLine<'a> {
    input: &'a Origin,
    diagnostics: Vec<DiagnosticJson<'a>>,
}

/// A diagnostic in a batch line.
#[derive(Serialize)]
struct DiagnosticJson<'a> {
    file: &'a str,
    code: &'a str,
    severity: &'static str,
    message: &'a str,
    /// 1-based line and column (in characters) of the span's start.
    line: usize,
    column: usize,
    label: &'a str,
    help: &'a str,
}

/// The name a standard-input line has in diagnostics.
pub fn stdin_name(number: usize) -> String {
    format!("<stdin> line {number}")
}

/// Evaluates one input against a contract checked once.
pub fn evaluate(
    contract: &Checked,
    contract_file: &SourceFile,
    input: &Input,
    as_of: Option<crate::calendar::WrittenAsOf>,
) -> Outcome {
    let (origin, result, first_line) = match input {
        Input::File(path) => {
            let origin = Origin {
                file: crate::shown(&path.display().to_string()),
                line: None,
            };
            let result = crate::read_scenario(path).and_then(|file| {
                let scenario = crate::load_scenario(contract, &file)?;
                crate::evaluate_checked(contract, contract_file, &scenario, &file, as_of)
            });
            (origin, result, 1)
        }
        Input::Line { number, text } => {
            let origin = Origin {
                file: String::from("-"),
                line: Some(*number),
            };
            let file = SourceFile::new(stdin_name(*number), text.as_str());
            let title = format!("line {number}");
            let result = crate::load_history_line(contract, &file, &title).and_then(|scenario| {
                crate::evaluate_checked(contract, contract_file, &scenario, &file, as_of)
            });
            (origin, result, *number)
        }
        Input::BadLine { number, problem } => {
            let origin = Origin {
                file: String::from("-"),
                line: Some(*number),
            };
            let (message, help) = match problem {
                LineProblem::TooLong => (
                    format!(
                        "the line is longer than the limit of {} bytes",
                        crate::syntax::MAX_SCENARIO_BYTES
                    ),
                    "split the history: one line holds at most 32 MiB",
                ),
                LineProblem::NotUtf8 => (
                    String::from("the line is not valid UTF-8"),
                    "write the histories as UTF-8",
                ),
            };
            let code = match problem {
                LineProblem::TooLong => "terms::syntax::too_large",
                LineProblem::NotUtf8 => "terms::io::not_utf8",
            };
            let file = SourceFile::new(stdin_name(*number), "");
            let failure = Failure {
                files: vec![FileDiagnostics::new(
                    &file,
                    vec![Diagnostic::error(code, Span::new(0, 0), message)
                        .label("this line")
                        .help(help)],
                )],
            };
            (origin, Err(failure), *number)
        }
    };
    match result {
        Ok(report) => Outcome {
            json: to_line(&ReportLine {
                input: &origin,
                report: &report,
            }),
            diagnostics: None,
        },
        Err(failure) => Outcome {
            json: failure_line(&origin, &failure, first_line),
            diagnostics: Some(failure.render()),
        },
    }
}

fn to_line<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|e| format!("{{\"error\":{}}}", serde_json::Value::String(e.to_string())))
}

/// An invalid input as a JSON line. Lines of a standard-input history count from its line
/// in the input (`first_line`).
fn failure_line(origin: &Origin, failure: &Failure, first_line: usize) -> String {
    let mut diagnostics = Vec::new();
    for file in &failure.files {
        let is_stdin = origin.line.is_some() && file.file.name.starts_with("<stdin>");
        for d in &file.diagnostics {
            let (line, column) = file.file.line_col(d.span.start);
            let line = if is_stdin {
                line + first_line - 1
            } else {
                line
            };
            diagnostics.push(DiagnosticJson {
                file: if is_stdin { "-" } else { &file.file.name },
                code: d.code,
                severity: match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                },
                message: &d.message,
                line,
                column,
                label: &d.label,
                help: &d.help,
            });
        }
    }
    to_line(&FailureLine {
        input: origin,
        diagnostics,
    })
}

/// How many inputs are evaluated together: a few per thread, so that a slow history does
/// not leave the other threads idle for long, and memory stays bounded.
pub fn window() -> usize {
    rayon::current_num_threads().max(1) * 4
}

/// Evaluates every input in parallel, a window at a time, and hands each outcome to `emit`
/// in input order. Returns how many inputs were invalid.
pub fn run(
    contract: &Checked,
    contract_file: &SourceFile,
    inputs: impl Iterator<Item = Input>,
    as_of: Option<crate::calendar::WrittenAsOf>,
    mut emit: impl FnMut(Outcome),
) -> usize {
    let size = window();
    let mut invalid = 0;
    let mut inputs = inputs.peekable();
    let mut chunk = Vec::with_capacity(size);
    while inputs.peek().is_some() {
        chunk.clear();
        chunk.extend(inputs.by_ref().take(size));
        let outcomes: Vec<Outcome> = chunk
            .par_iter()
            .map(|input| evaluate(contract, contract_file, input, as_of))
            .collect();
        for outcome in outcomes {
            if !outcome.is_valid() {
                invalid += 1;
            }
            emit(outcome);
        }
    }
    invalid
}

/// The lines of a reader as batch inputs: blank lines are skipped, a line longer than
/// `max_bytes` or not UTF-8 becomes a [`Input::BadLine`]. A read error ends the input and
/// is kept in `error`.
pub struct Lines<R> {
    reader: R,
    number: usize,
    max_bytes: usize,
    pub error: Option<std::io::Error>,
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R, max_bytes: usize) -> Lines<R> {
        Lines {
            reader,
            number: 0,
            max_bytes,
            error: None,
        }
    }

    /// Reads up to and including the next `\n`, keeping at most `max_bytes + 1` bytes.
    /// Returns whether anything was read, and whether the line was cut.
    fn read_line(&mut self, buf: &mut Vec<u8>) -> std::io::Result<(bool, bool)> {
        let mut any = false;
        let mut cut = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok((any, cut));
            }
            any = true;
            let (part, done) = match available.iter().position(|b| *b == b'\n') {
                Some(i) => (available.get(..=i).unwrap_or(available), true),
                None => (available, false),
            };
            let room = (self.max_bytes + 1).saturating_sub(buf.len());
            if part.len() > room {
                cut = true;
            }
            buf.extend_from_slice(part.get(..part.len().min(room)).unwrap_or(part));
            let used = part.len();
            self.reader.consume(used);
            if done {
                return Ok((any, cut));
            }
        }
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = Input;

    fn next(&mut self) -> Option<Input> {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let (any, cut) = match self.read_line(&mut buf) {
                Ok(r) => r,
                Err(e) => {
                    self.error = Some(e);
                    return None;
                }
            };
            if !any {
                return None;
            }
            self.number += 1;
            let number = self.number;
            if cut || buf.len() > self.max_bytes {
                return Some(Input::BadLine {
                    number,
                    problem: LineProblem::TooLong,
                });
            }
            let text = match String::from_utf8(std::mem::take(&mut buf)) {
                Ok(t) => t,
                Err(_) => {
                    return Some(Input::BadLine {
                        number,
                        problem: LineProblem::NotUtf8,
                    })
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            let text = text.trim_end_matches(['\n', '\r']).to_string();
            return Some(Input::Line { number, text });
        }
    }
}

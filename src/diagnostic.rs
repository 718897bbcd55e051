//! Diagnostics: every problem in a contract or scenario, with a stable code, a labelled
//! span and a help line, rendered by miette.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

use crate::source::{SourceFile, Span};

/// How bad a diagnostic is. Errors stop the pipeline after their stage; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code, e.g. `terms::check::unknown_name`. Published codes never change.
    pub code: &'static str,
    pub severity: Severity,
    /// One lower-case line, user input in backticks, no final period.
    pub message: String,
    pub span: Span,
    /// What the span is, shown under it.
    pub label: String,
    /// How to fix it.
    pub help: String,
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span,
            label: String::from("here"),
            help: String::new(),
        }
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = help.into();
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The diagnostics of one source file, ready to render.
#[derive(Debug, Clone)]
pub struct FileDiagnostics {
    pub file: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileDiagnostics {
    pub fn new(file: &SourceFile, mut diagnostics: Vec<Diagnostic>) -> FileDiagnostics {
        diagnostics.sort_by(|a, b| (a.span, a.code).cmp(&(b.span, b.code)));
        diagnostics.dedup();
        FileDiagnostics {
            file: file.clone(),
            diagnostics,
        }
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Renders every diagnostic without colour at a fixed width, so output is stable.
    pub fn render(&self) -> String {
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_links(false);
        let mut out = String::new();
        for diagnostic in &self.diagnostics {
            let (line, col) = self.file.line_col(diagnostic.span.start);
            if col > MAX_RENDERED_COLUMN {
                // miette cannot pad that far: say where, without the source line.
                out.push_str(&format!(
                    "{}\n\n  × {}\n   at {}:{line}:{col}: {}\n  help: {}\n",
                    diagnostic.code,
                    diagnostic.message,
                    self.file.name,
                    diagnostic.label,
                    diagnostic.help
                ));
                continue;
            }
            let shown = Shown {
                diagnostic,
                source: NamedSource::new(self.file.name.clone(), self.file.text.to_string()),
            };
            if handler.render_report(&mut out, &shown).is_err() {
                out.push_str(&format!("{}: {}\n", diagnostic.code, diagnostic.message));
            }
        }
        out
    }
}

/// Past this column a diagnostic is reported without its source line.
const MAX_RENDERED_COLUMN: usize = 10_000;

/// The longest span underlined whole.
const MAX_LABEL_BYTES: usize = 4096;

/// A diagnostic paired with its source, as miette wants it.
#[derive(Debug)]
struct Shown<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedSource<String>,
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        if self.diagnostic.help.is_empty() {
            None
        } else {
            Some(Box::new(&self.diagnostic.help))
        }
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.diagnostic.span;
        // miette cannot underline a span longer than its formatting allows; a huge span
        // (a 1 MB expression) is marked at its start.
        let len = if span.len() > MAX_LABEL_BYTES {
            0
        } else {
            span.len()
        };
        let label = LabeledSpan::new(Some(self.diagnostic.label.clone()), span.start, len);
        Some(Box::new(std::iter::once(label)))
    }
}

/// The closest of `candidates` to `name`, if one is within a small edit distance.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|(d, c)| *d <= 2.max(name.len() / 4) && *d < c.len().max(name.len()))
        .min()
        .map(|(_, c)| c)
}

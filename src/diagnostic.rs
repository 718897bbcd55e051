//! Diagnostics: every problem in a contract or scenario, with a stable code, a labelled
//! span and a help line, rendered by miette.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    NamedSource, SourceCode, SourceSpan, SpanContents,
};

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
    /// Other places the diagnostic is about (the first declaration of a duplicate name),
    /// each with its label. Boxed: a diagnostic travels in every `Err`.
    pub related: Option<Box<Vec<(Span, String)>>>,
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
            related: None,
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

    /// Marks another place the diagnostic is about, with its own label.
    pub fn also(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.related
            .get_or_insert_with(Box::default)
            .push((span, label.into()));
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
            let shown = Shown {
                diagnostic,
                source: NamedSource::new(
                    self.file.name.clone(),
                    Windowed {
                        file: self.file.clone(),
                    },
                ),
            };
            if handler.render_report(&mut out, &shown).is_err() {
                let (line, col) = self.file.line_col(diagnostic.span.start);
                out.push_str(&format!(
                    "{}\n\n  × {}\n   at {}:{line}:{col}: {}\n  help: {}\n",
                    diagnostic.code,
                    diagnostic.message,
                    self.file.name,
                    diagnostic.label,
                    diagnostic.help
                ));
            }
        }
        out
    }
}

/// Lines longer than this are shown as a window around the span.
const MAX_SHOWN_LINE_BYTES: usize = 240;

/// How much of a long line is shown on each side of the span.
const WINDOW_MARGIN_BYTES: usize = 60;

/// The longest span underlined whole.
const MAX_LABEL_BYTES: usize = 4096;

/// A source file as miette reads it: line and column come from the file's line table (no
/// scan from the start of the file), the text is shared, not copied, and a long line is cut
/// to a window around the span.
#[derive(Debug)]
struct Windowed {
    file: SourceFile,
}

impl Windowed {
    /// The largest char boundary at or below `at`.
    fn floor(&self, at: usize) -> usize {
        let mut at = at.min(self.file.text.len());
        while !self.file.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    /// The smallest char boundary at or above `at`.
    fn ceil(&self, at: usize) -> usize {
        let mut at = at.min(self.file.text.len());
        while !self.file.text.is_char_boundary(at) {
            at += 1;
        }
        at
    }

    fn is_long(&self, line: usize) -> bool {
        let (start, end) = self.file.line_range(line);
        end - start > MAX_SHOWN_LINE_BYTES
    }

    fn contents(
        &self,
        start: usize,
        end: usize,
        line: usize,
        lines: usize,
    ) -> Box<dyn SpanContents<'_> + '_> {
        let text: &str = &self.file.text;
        let data = text.get(start..end).unwrap_or("");
        let (line_start, _) = self.file.line_range(line);
        let column = text.get(line_start..start).map_or(0, |l| l.chars().count());
        Box::new(MietteSpanContents::new(
            data.as_bytes(),
            SourceSpan::new(start.into(), end - start),
            line,
            column,
            lines,
        ))
    }
}

impl SourceCode for Windowed {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text_len = self.file.text.len();
        let (start, len) = (span.offset(), span.len());
        if start > text_len || start + len > text_len {
            return Err(MietteError::OutOfBounds);
        }
        let end = start + len;
        let first = self.file.line_index(start);
        let last = self.file.line_index(end.saturating_sub(1).max(start));
        if context_lines_before == 0 && context_lines_after == 0 {
            // Where the span starts: miette's `[file:line:column]`.
            return Ok(self.contents(start, end, first, last - first));
        }
        if first == last && self.is_long(first) {
            // One long line: a window around the span, and no context lines.
            let (line_start, line_end) = self.file.line_range(first);
            let from = self.floor(start.saturating_sub(WINDOW_MARGIN_BYTES).max(line_start));
            let to = self.ceil((end + WINDOW_MARGIN_BYTES).min(line_end).max(end));
            return Ok(self.contents(from, to, first, 0));
        }
        // Context lines, as far as they are short.
        let mut top = first;
        while top > 0 && first - top < context_lines_before && !self.is_long(top - 1) {
            top -= 1;
        }
        let mut bottom = last;
        while bottom + 1 < self.file.line_count()
            && bottom - last < context_lines_after
            && !self.is_long(bottom + 1)
        {
            bottom += 1;
        }
        let (from, _) = self.file.line_range(top);
        let (_, line_end) = self.file.line_range(bottom);
        // Include the line break, as miette's own reader does.
        let to = match self.file.text.as_bytes().get(line_end) {
            Some(b'\r') => (line_end + 2).min(text_len),
            Some(b'\n') => line_end + 1,
            _ => line_end,
        };
        Ok(self.contents(from, to.max(end), top, bottom - top))
    }
}

/// A diagnostic paired with its source, as miette wants it.
#[derive(Debug)]
struct Shown<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedSource<Windowed>,
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
        // miette cannot underline a span longer than its formatting allows; a huge span
        // (a 1 MB expression) is marked at its start.
        let labelled = |span: Span, label: &str, primary: bool| {
            let len = if span.len() > MAX_LABEL_BYTES {
                0
            } else {
                span.len()
            };
            let at = SourceSpan::new(span.start.into(), len);
            if primary {
                LabeledSpan::new_primary_with_span(Some(label.to_string()), at)
            } else {
                LabeledSpan::new_with_span(Some(label.to_string()), at)
            }
        };
        let primary = labelled(self.diagnostic.span, &self.diagnostic.label, true);
        let related = self
            .diagnostic
            .related
            .iter()
            .flat_map(|r| r.iter())
            .map(move |(span, label)| labelled(*span, label, false));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// Names longer than this get no suggestion: edit distance is quadratic in their length.
const MAX_SUGGESTED_NAME: usize = 64;

/// The closest of `candidates` to `name`, if one is within a small edit distance.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if name.len() > MAX_SUGGESTED_NAME {
        return None;
    }
    let most = 2.max(name.len() / 4);
    candidates
        .into_iter()
        // Lengths differing by more than the allowed distance cannot be within it.
        .filter(|c| c.len() <= MAX_SUGGESTED_NAME && c.len().abs_diff(name.len()) <= most)
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|(d, c)| *d <= most && *d < c.len().max(name.len()))
        .min()
        .map(|(_, c)| c)
}

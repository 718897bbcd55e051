//! `terms fmt`: contracts and scenarios printed in one canonical layout.
//!
//! The formatter is a printer over the syntax tree plus the comments, which the grammars
//! skip and [`printer`] finds by a lexical scan and puts back by position. It keeps the order
//! of declarations, clause lines and scenario lines, one blank line where the source had one
//! or more, every comment; it prints two spaces of indentation inside blocks, one space around
//! operators and after commas, the fewest brackets that keep the parse, literals with the
//! digits written (`EUR 75.00` stays `75.00`), and a final newline.
//!
//! It never changes meaning: before returning, the output is parsed again and its tree,
//! spans aside, must equal the input's, and its comments must be the input's, in order.
//! Otherwise the file is refused with `terms::syntax::internal` (a bug in terms).

mod contract;
mod printer;
mod scenario;

use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::syntax;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Contract,
    Scenario,
}

/// The code of a file `terms fmt` does not format (JSON lines, CSV).
pub const UNSUPPORTED: &str = "terms::cli::fmt_unsupported";

/// What a file holds, by its extension: `.terms` a contract, `.scenario` a scenario.
/// `.jsonl` and `.csv` histories are refused. Any other name (standard input) is told by its
/// first word: `scenario` starts a scenario, anything else is read as a contract.
pub fn kind_of(name: &str, text: &str) -> Result<Kind, Diagnostic> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".terms") {
        return Ok(Kind::Contract);
    }
    if lower.ends_with(".scenario") {
        return Ok(Kind::Scenario);
    }
    if let Some(format) = [(".jsonl", "JSON-lines"), (".csv", "CSV")]
        .iter()
        .find_map(|(ext, format)| lower.ends_with(ext).then_some(*format))
    {
        return Err(unsupported(format));
    }
    let p = printer::Printer::new(text);
    if p.word_at(0) == "scenario" {
        Ok(Kind::Scenario)
    } else {
        Ok(Kind::Contract)
    }
}

/// The first word of a text, comments and whitespace skipped (`contract`, `library`,
/// `scenario`).
pub fn printer_first_word(text: &str) -> &str {
    printer::Printer::new(text).word_at(0)
}

/// The diagnostic for a history `terms fmt` does not format.
pub fn unsupported(format: &str) -> Diagnostic {
    Diagnostic::error(
        UNSUPPORTED,
        Span::new(0, 0),
        format!("`terms fmt` formats contracts and scenarios, not {format} histories"),
    )
    .label("not formatted")
    .help(
        "give `.terms` and `.scenario` files; JSON-lines and CSV histories are written by \
         the systems that export them",
    )
}

/// Formats a file's text as `kind`.
pub fn format(kind: Kind, text: &str) -> Result<String, Diagnostic> {
    match kind {
        Kind::Contract => format_contract(text),
        Kind::Scenario => format_scenario(text),
    }
}

/// A contract's (or a library's) text in the canonical layout; a syntax error is the
/// parser's diagnostic.
pub fn format_contract(text: &str) -> Result<String, Diagnostic> {
    match printer::Printer::new(text).word_at(0) {
        "library" => return format_library(text),
        "deal" => return format_deal(text),
        _ => {}
    }
    let (ast, layout) = syntax::parse_contract_layout(text)?;
    let out = contract::print(text, &ast, &layout)?;
    let again = syntax::parse_contract(&out).map_err(|d| unsafe_output(&d.message))?;
    if without_spans(&format!("{ast:?}")) != without_spans(&format!("{again:?}")) {
        return Err(unsafe_output("the printed contract parses differently"));
    }
    same_comments(text, &out)?;
    Ok(out)
}

/// A library's text in the canonical layout: its header, then its declarations as a
/// contract's are printed.
pub fn format_library(text: &str) -> Result<String, Diagnostic> {
    let (ast, layout) = syntax::parse_library_layout(text)?;
    let out = contract::print_library(text, &ast, &layout)?;
    let again = syntax::parse_library(&out).map_err(|d| unsafe_output(&d.message))?;
    if without_spans(&format!("{ast:?}")) != without_spans(&format!("{again:?}")) {
        return Err(unsafe_output("the printed library parses differently"));
    }
    same_comments(text, &out)?;
    Ok(out)
}

/// A deal's text in the canonical layout: its header, then `set`, `override` and its own
/// items as a contract's are printed.
pub fn format_deal(text: &str) -> Result<String, Diagnostic> {
    let (ast, layout) = syntax::parse_deal_layout(text)?;
    let out = contract::print_deal(text, &ast, &layout)?;
    let again = syntax::parse_deal(&out).map_err(|d| unsafe_output(&d.message))?;
    if without_spans(&format!("{ast:?}")) != without_spans(&format!("{again:?}")) {
        return Err(unsafe_output("the printed deal parses differently"));
    }
    same_comments(text, &out)?;
    Ok(out)
}

/// A scenario's text in the canonical layout; a syntax error is the parser's diagnostic.
pub fn format_scenario(text: &str) -> Result<String, Diagnostic> {
    let (ast, layout) = syntax::parse_scenario_layout(text)?;
    let out = scenario::print(text, &ast, &layout)?;
    let again = syntax::parse_scenario(&out).map_err(|d| unsafe_output(&d.message))?;
    // Compared part by part: a large history's whole tree printed at once would be large.
    let same = |a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| {
        without_spans(&format!("{a:?}")) == without_spans(&format!("{b:?}"))
    };
    let equal = same(&ast.title, &again.title)
        && same(&ast.contract, &again.contract)
        && same(&ast.as_of, &again.as_of)
        && ast.facts.len() == again.facts.len()
        && ast.events.len() == again.events.len()
        && ast.facts.iter().zip(&again.facts).all(|(a, b)| same(a, b))
        && ast
            .events
            .iter()
            .zip(&again.events)
            .all(|(a, b)| same(a, b));
    if !equal {
        return Err(unsafe_output("the printed scenario parses differently"));
    }
    same_comments(text, &out)?;
    Ok(out)
}

fn same_comments(before: &str, after: &str) -> Result<(), Diagnostic> {
    if printer::comment_texts(before) == printer::comment_texts(after) {
        Ok(())
    } else {
        Err(unsafe_output("the printed file lost or moved a comment"))
    }
}

/// A diagnostic for a bug of the formatter: the file is left as it is.
fn internal(why: &str) -> Diagnostic {
    Diagnostic::error(
        "terms::syntax::internal",
        Span::new(0, 0),
        format!("the formatter cannot print this file: {why}"),
    )
    .label("file left unchanged")
    .help("this is a bug in terms; please report it with the input file")
}

fn unsafe_output(why: &str) -> Diagnostic {
    internal(&format!(
        "its output would change the file's meaning ({why})"
    ))
}

/// A `Debug` rendering of a syntax tree with every `Span { start: …, end: … }` replaced by
/// `Span`: two trees that differ only in where their parts are written render the same.
pub fn without_spans(debug: &str) -> String {
    const OPEN: &str = "Span { start: ";
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(rest.get(..at).unwrap_or(""));
        let after = rest.get(at..).unwrap_or("");
        match after.find(" }") {
            Some(end) => {
                out.push_str("Span");
                rest = after.get(end + 2..).unwrap_or("");
            }
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// How a file would change: a unified diff of the one region that differs (the lines
/// between the common first and last lines), at most `MAX_DIFF_LINES` of each side shown.
pub fn diff(name: &str, before: &str, after: &str) -> String {
    const CONTEXT: usize = 2;
    const MAX_DIFF_LINES: usize = 20;
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take_while(|(a, b)| a == b)
        .count()
        .min(old.len().min(new.len()) - prefix);
    let start = prefix.saturating_sub(CONTEXT);
    let old_end = (old.len() - suffix + CONTEXT).min(old.len());
    let new_end = (new.len() - suffix + CONTEXT).min(new.len());
    let mut out = format!("--- {name}\n+++ {name} (formatted)\n");
    out.push_str(&format!(
        "@@ -{},{} +{},{} @@\n",
        start + 1,
        old_end - start,
        start + 1,
        new_end - start
    ));
    let side = |lines: &[&str], from: usize, to: usize, sign: char, out: &mut String| {
        let shown = to.saturating_sub(from);
        for line in lines
            .get(from..to)
            .unwrap_or_default()
            .iter()
            .take(MAX_DIFF_LINES)
        {
            out.push(sign);
            out.push_str(line);
            out.push('\n');
        }
        if shown > MAX_DIFF_LINES {
            out.push_str(&format!("{sign}… {} more lines\n", shown - MAX_DIFF_LINES));
        }
    };
    for line in old.get(start..prefix).unwrap_or_default() {
        out.push(' ');
        out.push_str(line);
        out.push('\n');
    }
    side(&old, prefix, old.len() - suffix, '-', &mut out);
    side(&new, prefix, new.len() - suffix, '+', &mut out);
    for line in old.get(old.len() - suffix..old_end).unwrap_or_default() {
        out.push(' ');
        out.push_str(line);
        out.push('\n');
    }
    if before.lines().eq(after.lines()) {
        out.push_str("  (only line endings or the final newline differ)\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_removed() {
        assert_eq!(
            without_spans("Ident { name: \"a\", span: Span { start: 1, end: 2 } }"),
            "Ident { name: \"a\", span: Span }"
        );
    }

    #[test]
    fn a_diff_shows_the_changed_lines() {
        let d = diff("f", "a\nb\nc\nd\n", "a\nB\nc\nd\n");
        assert!(d.contains("-b\n+B\n"), "{d}");
        assert!(d.contains("@@ -1,4 +1,4 @@"), "{d}");
    }
}

//! Syntax: pest grammars and the lowering of parse trees to the spanned AST.
//!
//! pest stays inside this module. Each grammar rule has one lowering function named like
//! the rule; this is the only place the shape of the grammar is assumed.

mod contract;
mod machine;
mod scenario;

use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::{Pair, Pairs};
use pest::RuleType;
use rust_decimal::Decimal;

pub use contract::{
    parse_contract, parse_contract_layout, parse_deal, parse_deal_at, parse_deal_layout,
    parse_library, parse_library_layout, ContractLayout,
};
pub use machine::{default_title, parse_csv, parse_history_line, parse_jsonl, TextFields};
pub use scenario::{
    parse_as_of, parse_scenario, parse_scenario_layout, parse_what_if, ScenarioLayout, ScenarioLine,
};

use crate::calendar::{self, Moment};
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// The largest contract the parser accepts, in bytes.
pub const MAX_SOURCE_BYTES: usize = 1 << 20;
/// The largest scenario the parser accepts, in bytes: an event history is larger than a
/// contract (about 100,000 events).
pub const MAX_SCENARIO_BYTES: usize = 32 << 20;
/// The deepest nesting of brackets the parser accepts.
pub const MAX_NESTING: usize = 64;
/// The deepest expression tree the parser accepts (operators, calls, field accesses).
pub const MAX_EXPR_DEPTH: usize = 128;

/// Checks the limits that protect the parser from hostile input.
fn check_limits(text: &str, max_bytes: usize) -> Result<(), Diagnostic> {
    if text.len() > max_bytes {
        return Err(Diagnostic::error(
            "terms::syntax::too_large",
            Span::new(0, 0),
            format!(
                "the file is {} bytes, more than the limit of {max_bytes}",
                text.len()
            ),
        )
        .label("file starts here")
        .help("split the file: a contract is at most 1 MiB, a scenario 32 MiB"));
    }
    let mut depth = 0usize;
    let mut in_string = false;
    // Inside a string, whether the previous character was an unescaped backslash: `\\"`
    // ends the string, `\"` does not.
    let mut escaped = false;
    let mut in_comment = false;
    let mut prev = '\0';
    // `if` nests without brackets; a clause (or declaration) may hold at most MAX_NESTING of
    // them, which bounds their nesting. The count restarts at each word that can only begin a
    // declaration or a citation, never stand inside an expression: outside brackets, and not
    // after a dot (`e.article` is a field, and a field named `if` is no `if`).
    let mut ifs = 0usize;
    let mut word_start: Option<usize> = None;
    // The last character before the current word that is not whitespace.
    let mut before_word = '\0';
    let mut last_solid = '\0';
    for (at, c) in text.char_indices() {
        let in_word = !in_comment && !in_string && (c.is_ascii_alphanumeric() || c == '_');
        match (word_start, in_word) {
            (None, true) => {
                word_start = Some(at);
                before_word = last_solid;
            }
            (Some(start), false) => {
                word_start = None;
                let is_field = before_word == '.';
                match text.get(start..at).unwrap_or("") {
                    "if" if !is_field => {
                        ifs += 1;
                        if ifs > MAX_NESTING {
                            return Err(Diagnostic::error(
                                "terms::syntax::too_deep",
                                Span::new(start, at),
                                format!("more than {MAX_NESTING} `if`s in one clause"),
                            )
                            .label("one `if` too many")
                            .help("use a `band` for tiers, or split the clause"));
                        }
                    }
                    "article" | "let" | "param" | "event" | "party" | "contract"
                        if !is_field && depth == 0 =>
                    {
                        ifs = 0
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        match c {
            '\n' => {
                in_comment = false;
                in_string = false;
                escaped = false;
            }
            _ if in_comment => {}
            _ if in_string => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            }
            '"' => in_string = true,
            '/' if prev == '/' => in_comment = true,
            '(' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Diagnostic::error(
                        "terms::syntax::too_deep",
                        Span::new(at, at + 1),
                        format!("brackets nest more than {MAX_NESTING} deep"),
                    )
                    .label("too deep")
                    .help("simplify the expression, or name a part of it with `let`"));
                }
            }
            ')' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if !in_comment && !c.is_whitespace() {
            last_solid = c;
        }
        prev = c;
    }
    Ok(())
}

/// Turns a pest error into a diagnostic that says what was expected and what was found.
fn from_pest<R: RuleType>(
    err: &pest::error::Error<R>,
    text: &str,
    describe: fn(R) -> &'static str,
) -> Diagnostic {
    let at = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let found = found_at(text, at);
    let span = Span::new(at, at + found.len());
    let message = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&str> = positives.iter().map(|r| describe(*r)).collect();
            words.sort_unstable();
            words.dedup();
            let expected = match words.as_slice() {
                [] => String::from("something else"),
                [one] => (*one).to_string(),
                many if many.len() > 8 => {
                    format!(
                        "{}, …",
                        many.iter().take(8).copied().collect::<Vec<_>>().join(", ")
                    )
                }
                [init @ .., last] => format!("{} or {}", init.join(", "), last),
            };
            if found.is_empty() {
                format!("the file ends too early: expected {expected}")
            } else {
                format!("expected {expected}, found `{found}`")
            }
        }
        ErrorVariant::CustomError { message } => message.clone(),
    };
    let before = text.get(..at).unwrap_or("");
    let help = if found.is_empty() {
        "a declaration or a clause is not finished: check that every `{` has its `}`"
    } else if before.ends_with(',')
        && before
            .trim_end_matches(',')
            .ends_with(|c: char| c.is_ascii_digit())
    {
        "write numbers without thousands separators and with `.` for decimals, e.g. `EUR 5000.00`"
    } else {
        "see docs/language.md for the form of each declaration and clause line"
    };
    Diagnostic::error("terms::syntax::unexpected", span, message)
        .label("unexpected here")
        .help(help)
}

/// The word (or single character) at a byte offset, for "found …".
fn found_at(text: &str, at: usize) -> &str {
    let rest = text.get(at..).unwrap_or("");
    let word_len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(rest.len(), |(i, _)| i);
    if word_len > 0 {
        rest.get(..word_len.min(40)).unwrap_or("")
    } else {
        rest.chars()
            .next()
            .map_or("", |c| rest.get(..c.len_utf8()).unwrap_or(""))
    }
}

/// The diagnostic for a parse tree that does not have the shape the grammar promises.
/// Reaching it is a bug in this module, never a property of the input.
fn shape(span: Span) -> Diagnostic {
    Diagnostic::error(
        "terms::syntax::internal",
        span,
        "the parser produced an unexpected tree",
    )
    .help("this is a bug in terms; please report it with the input file")
}

/// Walks the children of a parse-tree node, in order.
struct Children<'i, R: RuleType> {
    pairs: Pairs<'i, R>,
    span: Span,
}

impl<'i, R: RuleType> Children<'i, R> {
    fn of(pair: Pair<'i, R>) -> Children<'i, R> {
        let span = Span::from(pair.as_span());
        Children {
            pairs: pair.into_inner(),
            span,
        }
    }

    /// The next child, whatever its rule.
    fn next(&mut self) -> Result<Pair<'i, R>, Diagnostic> {
        self.pairs.next().ok_or_else(|| shape(self.span))
    }

    /// The next child if it has the given rule.
    fn next_if(&mut self, rule: R) -> Option<Pair<'i, R>> {
        if self.pairs.peek().is_some_and(|p| p.as_rule() == rule) {
            self.pairs.next()
        } else {
            None
        }
    }

    /// Skips children of the given rule (keywords).
    fn skip(&mut self, rule: R) {
        while self.next_if(rule).is_some() {}
    }

    fn pairs_left(&self) -> usize {
        self.pairs.clone().count()
    }

    fn rest(self) -> Pairs<'i, R> {
        self.pairs
    }
}

/// A node's span, without the whitespace pest may leave at its end after an optional
/// repetition that did not match.
fn span_of<R: RuleType>(pair: &Pair<'_, R>) -> Span {
    let span = pair.as_span();
    Span::new(span.start(), span.start() + span.as_str().trim_end().len())
}

fn decimal(text: &str, span: Span) -> Result<Decimal, Diagnostic> {
    let refuse = || {
        Diagnostic::error(
            "terms::syntax::bad_number",
            span,
            format!("`{text}` is not a number this tool can represent"),
        )
        .label("out of range")
        .help("numbers have at most 28 significant digits, e.g. `1234.56`")
    };
    let value = Decimal::from_str(text).map_err(|_| refuse())?;
    // `Decimal` silently rounds a number with too many digits: refuse it instead, by
    // comparing the digits written with the digits held.
    let unsigned = text.trim_start_matches(['-', '+']);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let whole = match whole.trim_start_matches('0') {
        "" => "0",
        w => w,
    };
    let written = match fraction.trim_end_matches('0') {
        "" => whole.to_string(),
        f => format!("{whole}.{f}"),
    };
    if value.abs().normalize().to_string() != written {
        return Err(refuse());
    }
    Ok(value)
}

fn date(text: &str, span: Span) -> Result<NaiveDate, Diagnostic> {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        Diagnostic::error(
            "terms::syntax::invalid_date",
            span,
            format!("`{text}` is not a date of the calendar"),
        )
        .label("no such day")
        .help("write a real day as YYYY-MM-DD, e.g. `2025-02-28`")
    })?;
    in_range(date, span)?;
    Ok(date)
}

fn in_range(date: NaiveDate, span: Span) -> Result<(), Diagnostic> {
    if calendar::in_range(date) {
        Ok(())
    } else {
        Err(Diagnostic::error(
            "terms::syntax::date_out_of_range",
            span,
            format!(
                "`{date}` is outside the supported years {}–{}",
                calendar::FIRST_YEAR,
                calendar::LAST_YEAR
            ),
        )
        .label("unsupported year")
        .help("holidays and business days are defined for these years only"))
    }
}

fn datetime(text: &str, span: Span) -> Result<NaiveDateTime, Diagnostic> {
    let dt = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").map_err(|_| {
        Diagnostic::error(
            "terms::syntax::invalid_date",
            span,
            format!("`{text}` is not a date and time of the calendar"),
        )
        .label("no such moment")
        .help("write a real local time as YYYY-MM-DDTHH:MM, e.g. `2025-06-10T14:00`")
    })?;
    in_range(dt.date(), span)?;
    Ok(dt)
}

/// A scenario's date-time: `2025-06-10T14:00`, with seconds (`…T14:00:30`) and a UTC
/// offset (`…T14:00:30+02:00`, `…Z`), split into the time as written and the offset in
/// seconds east of UTC. The scenario checker moves an offset time to the contract's zone.
fn instant(text: &str, span: Span) -> Result<(NaiveDateTime, Option<i32>), Diagnostic> {
    let bad = |what: &str| {
        Diagnostic::error(
            "terms::syntax::invalid_date",
            span,
            format!("`{text}` is not {what}"),
        )
        .label("no such moment")
        .help("write YYYY-MM-DDTHH:MM, with seconds (:SS) and an offset (Z, +02:00) if the source gives them")
    };
    let (local, offset) = match text.strip_suffix('Z') {
        Some(local) => (local, Some(0)),
        None => match text.get(16..).and_then(|rest| rest.rfind(['+', '-'])) {
            Some(at) => {
                let at = at + 16;
                let (local, zone) = text.split_at(at);
                let sign = if zone.starts_with('-') { -1 } else { 1 };
                let hours: i32 = zone
                    .get(1..3)
                    .and_then(|h| h.parse().ok())
                    .ok_or_else(|| bad("a UTC offset"))?;
                let minutes: i32 = zone
                    .get(4..6)
                    .and_then(|m| m.parse().ok())
                    .ok_or_else(|| bad("a UTC offset"))?;
                if hours > 23 || minutes > 59 {
                    return Err(bad("a UTC offset of at most 23:59"));
                }
                (local, Some(sign * (hours * 3600 + minutes * 60)))
            }
            None => (text, None),
        },
    };
    let format = if local.len() > 16 {
        "%Y-%m-%dT%H:%M:%S"
    } else {
        "%Y-%m-%dT%H:%M"
    };
    let dt = NaiveDateTime::parse_from_str(local, format)
        .map_err(|_| bad("a date and time of the calendar"))?;
    in_range(dt.date(), span)?;
    Ok((dt, offset))
}

/// A scenario's date or date-time, and the UTC offset written with it, if any.
fn moment_offset<R: RuleType>(
    pair: &Pair<'_, R>,
    is_datetime: bool,
) -> Result<(Moment, Option<i32>), Diagnostic> {
    let span = span_of(pair);
    if is_datetime {
        let (dt, offset) = instant(pair.as_str(), span)?;
        Ok((Moment::DateTime(dt), offset))
    } else {
        Ok((Moment::Date(date(pair.as_str(), span)?), None))
    }
}

/// Resolves the escapes of a string literal's inner text.
fn unescape(inner: &str) -> String {
    inner.replace("\\\"", "\"").replace("\\\\", "\\")
}

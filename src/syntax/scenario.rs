//! Lowering of the scenario grammar (`grammar/scenario.pest`) to [`crate::ast::Scenario`].

use pest::iterators::Pair;
use pest::Parser;
use pest_derive::Parser;

use super::{
    check_limits, date, decimal, from_pest, instant, moment_offset, shape, span_of, unescape,
    Children,
};
use crate::ast::{Duration, Event, Fact, Ident, Literal, LiteralKind, Scenario, Text, Unit};
use crate::calendar::Moment;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

#[derive(Parser)]
#[grammar = "../grammar/scenario.pest"]
struct ScenarioParser;

type P<'i> = Pair<'i, Rule>;
type R<T> = Result<T, Diagnostic>;

/// Parses a scenario's text.
pub fn parse_scenario(text: &str) -> R<Scenario> {
    parse_scenario_layout(text).map(|(scenario, _)| scenario)
}

/// Where the lines of a scenario are in its text, in the order written, for the formatter:
/// the AST keeps facts and events apart, and only the last `contract` and `as of` line.
#[derive(Debug, Clone, Default)]
pub struct ScenarioLayout {
    /// `scenario "title"`
    pub header: Span,
    pub lines: Vec<(ScenarioLine, Span)>,
}

/// One line of a scenario after its title.
#[derive(Debug, Clone)]
pub enum ScenarioLine {
    /// `contract NAME`
    Contract(Ident),
    /// `as of DATE`, with the date's span.
    AsOf(Span),
    /// `Scenario::facts[i]`
    Fact(usize),
    /// `Scenario::events[i]`
    Event(usize),
}

/// [`parse_scenario`], with where each line is.
pub fn parse_scenario_layout(text: &str) -> R<(Scenario, ScenarioLayout)> {
    check_limits(text, super::MAX_SCENARIO_BYTES)?;
    let mut pairs =
        ScenarioParser::parse(Rule::scenario, text).map_err(|e| from_pest(&e, text, describe))?;
    let root = pairs.next().ok_or_else(|| shape(Span::new(0, 0)))?;
    scenario(root)
}

fn scenario(pair: P) -> R<(Scenario, ScenarioLayout)> {
    let mut c = Children::of(pair);
    let header = c.next()?;
    let mut layout = ScenarioLayout {
        header: span_of(&header),
        lines: Vec::new(),
    };
    let title = string(Children::of(header).next()?)?;
    let mut scenario = Scenario {
        title,
        contract: None,
        as_of: None,
        facts: Vec::new(),
        events: Vec::new(),
    };
    for item in c.rest() {
        let span = span_of(&item);
        let line = match item.as_rule() {
            Rule::contract_ref => Some(ScenarioLine::Contract(name(
                Children::of(item.clone()).next()?,
            ))),
            Rule::as_of => Some(ScenarioLine::AsOf(span_of(
                &Children::of(item.clone()).next()?,
            ))),
            Rule::fact => Some(ScenarioLine::Fact(scenario.facts.len())),
            Rule::event => Some(ScenarioLine::Event(scenario.events.len())),
            _ => None,
        };
        scenario_item(&mut scenario, item)?;
        if let Some(line) = line {
            layout.lines.push((line, span));
        }
    }
    Ok((scenario, layout))
}

/// One line of a scenario after its title: `contract`, `as of`, `fact` or `event`.
fn scenario_item(scenario: &mut Scenario, item: P) -> R<()> {
    let span = span_of(&item);
    match item.as_rule() {
        Rule::contract_ref => scenario.contract = Some(name(Children::of(item).next()?)),
        Rule::as_of => {
            let at = Children::of(item).next()?;
            let (moment, offset) = moment_offset(&at, at.as_rule() == Rule::datetime_lit)?;
            let written = crate::calendar::WrittenAsOf { at: moment, offset };
            scenario.as_of = Some((written, span_of(&at)));
        }
        Rule::fact => {
            let mut f = Children::of(item);
            let name = name(f.next()?);
            let value = literal(f.next()?)?;
            scenario.facts.push(Fact { name, value });
        }
        Rule::event => scenario.events.push(event(item)?),
        Rule::EOI => {}
        _ => return Err(shape(span)),
    }
    Ok(())
}

/// Parses the header of a CSV history: `text` holds the header lines with their `#`
/// blanked (so spans are offsets into the file). The title is `default_title` unless a
/// `scenario "…"` line gives one.
pub(super) fn parse_head(text: &str, default_title: Text) -> R<Scenario> {
    let mut pairs = ScenarioParser::parse(Rule::scenario_head, text)
        .map_err(|e| from_pest(&e, text, describe))?;
    let root = pairs.next().ok_or_else(|| shape(Span::new(0, 0)))?;
    let mut scenario = Scenario {
        title: default_title,
        contract: None,
        as_of: None,
        facts: Vec::new(),
        events: Vec::new(),
    };
    for item in root.into_inner() {
        if item.as_rule() == Rule::scenario_header {
            scenario.title = string(Children::of(item).next()?)?;
        } else {
            scenario_item(&mut scenario, item)?;
        }
    }
    Ok(scenario)
}

/// Parses `text` alone as one grammar rule; spans are moved by `offset` (where the text
/// starts in its file). A pest error is reworded for a single value.
fn parse_lone<'i>(rule: Rule, text: &'i str, offset: usize) -> R<P<'i>> {
    let mut pairs = ScenarioParser::parse(rule, text).map_err(|e| {
        let mut d = shift(from_pest(&e, text, describe), offset);
        if let Some(rest) = d.message.strip_prefix("the file ends too early: ") {
            d.message = format!("the value ends too early: {rest}");
        }
        d.message = d
            .message
            .replace("expected end of file", "expected the end of the value");
        let at = d.span.start.saturating_sub(offset);
        let digit_before = text
            .get(..at)
            .is_some_and(|b| b.ends_with(|c: char| c.is_ascii_digit()));
        if text.get(at..).is_some_and(|r| r.starts_with(',')) && digit_before {
            d.help = String::from(
                "write numbers without thousands separators and with `.` for decimals, \
                 e.g. `EUR 5000.00`",
            );
        } else if d.help.starts_with("see docs/language.md") || d.help.starts_with("a declaration")
        {
            d.help = String::from(
                "write the value as in a scenario: `EUR 1200.00`, `5%`, `2025-03-03`, \
                 `2025-03-03T14:00`, `12 months`, `3.5`, `true`, `\"text\"` or an event id",
            );
        }
        d
    })?;
    let root = pairs
        .next()
        .ok_or_else(|| shape(Span::new(offset, offset)))?;
    Children::of(root).next().map_err(|d| shift(d, offset))
}

/// A value of a JSON-lines or CSV history (`EUR 12.00`, `5%`, an event id, …) starting at
/// byte `offset` of its file.
pub(super) fn parse_value(text: &str, offset: usize) -> R<Literal> {
    if let Some(value) = plain::value(text) {
        return match value {
            Ok(mut value) => {
                value.span = moved(value.span, offset);
                Ok(value)
            }
            Err(d) => Err(shift(d, offset)),
        };
    }
    parse_value_by_grammar(text, offset)
}

/// [`parse_value`] by the grammar alone (what the plain shapes are tested against).
pub(super) fn parse_value_by_grammar(text: &str, offset: usize) -> R<Literal> {
    let pair = parse_lone(Rule::lone_value, text, offset)?;
    let mut value = literal(pair).map_err(|d| shift(d, offset))?;
    value.span = moved(value.span, offset);
    if let LiteralKind::Duration(d) = &mut value.kind {
        d.span = moved(d.span, offset);
    }
    Ok(value)
}

/// A date or date-time of a JSON-lines or CSV history, with the UTC offset written with it
/// and its span in the file.
pub(super) fn parse_moment(text: &str, offset: usize) -> R<(Moment, Option<i32>, Span)> {
    if let Some(at) = plain::moment(text) {
        let span = Span::new(offset, offset + text.len());
        return at.map(|at| (at, None, span)).map_err(|d| shift(d, offset));
    }
    parse_moment_by_grammar(text, offset)
}

/// [`parse_moment`] by the grammar alone.
pub(super) fn parse_moment_by_grammar(text: &str, offset: usize) -> R<(Moment, Option<i32>, Span)> {
    let pair = parse_lone(Rule::lone_moment, text, offset)?;
    let span = moved(span_of(&pair), offset);
    let (at, zone) =
        moment_offset(&pair, pair.as_rule() == Rule::datetime_lit).map_err(|d| shift(d, offset))?;
    Ok((at, zone, span))
}

/// An evaluation date or instant given on the command line (`--as-of 2025-03-15`,
/// `2025-03-15T10:00`, `2025-03-15T10:00:00+01:00`), read as a scenario's `as of` is.
pub fn parse_as_of(text: &str) -> R<crate::calendar::WrittenAsOf> {
    let (at, offset, _) = parse_moment(text, 0)?;
    Ok(crate::calendar::WrittenAsOf { at, offset })
}

/// An id, kind, party or channel of a JSON-lines or CSV history.
pub(super) fn parse_name(text: &str, offset: usize) -> R<Ident> {
    if plain::is_name(text) {
        return Ok(Ident {
            name: text.to_string(),
            span: Span::new(offset, offset + text.len()),
        });
    }
    parse_name_by_grammar(text, offset)
}

/// [`parse_name`] by the grammar alone.
pub(super) fn parse_name_by_grammar(text: &str, offset: usize) -> R<Ident> {
    let pair = parse_lone(Rule::lone_name, text, offset)?;
    let mut ident = name(pair);
    ident.span = moved(ident.span, offset);
    Ok(ident)
}

fn moved(span: Span, offset: usize) -> Span {
    Span::new(span.start + offset, span.end + offset)
}

/// A diagnostic about a text parsed alone, moved to where the text is in its file.
fn shift(mut d: Diagnostic, offset: usize) -> Diagnostic {
    d.span = moved(d.span, offset);
    if let Some(related) = &mut d.related {
        for (span, _) in related.iter_mut() {
            *span = moved(*span, offset);
        }
    }
    d
}

/// The acts given to `terms eval --what-if`: event lines as in a scenario, where the word
/// `event` and the id may be left out. An act written without an id has an id with an
/// empty name (spanning its kind), for the caller to name.
pub fn parse_what_if(text: &str) -> R<Vec<Event>> {
    check_limits(text, super::MAX_SCENARIO_BYTES)?;
    let mut pairs =
        ScenarioParser::parse(Rule::what_if, text).map_err(|e| from_pest(&e, text, describe))?;
    let root = pairs.next().ok_or_else(|| shape(Span::new(0, 0)))?;
    let mut events = Vec::new();
    for item in root.into_inner() {
        match item.as_rule() {
            Rule::what_if_event => {
                let span = span_of(&item);
                let mut c = Children::of(item);
                let mut next = c.next()?;
                if next.as_rule() == Rule::event_word {
                    next = c.next()?;
                }
                let id = if next.as_rule() == Rule::what_if_id {
                    let id = name(Children::of(next).next()?);
                    next = c.next()?;
                    Some(id)
                } else {
                    None
                };
                let kind = name(next);
                let id = id.unwrap_or_else(|| Ident {
                    name: String::new(),
                    span: kind.span,
                });
                events.push(event_rest(span, id, kind, c)?);
            }
            Rule::EOI => {}
            _ => return Err(shape(span_of(&item))),
        }
    }
    Ok(events)
}

fn event(pair: P) -> R<Event> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let id = name(c.next()?);
    let kind = name(c.next()?);
    event_rest(span, id, kind, c)
}

/// An event after its id and kind: the date, `by`, `via`, `received` and fields.
fn event_rest(span: Span, id: Ident, kind: Ident, mut c: Children<'_, Rule>) -> R<Event> {
    let at_pair = c.next()?;
    let at_span = span_of(&at_pair);
    let (at, at_offset) = moment_offset(&at_pair, at_pair.as_rule() == Rule::datetime_lit)?;
    let mut event = Event {
        id,
        kind,
        at,
        at_offset,
        at_span,
        by: None,
        via: None,
        received: None,
        received_offset: None,
        fields: Vec::new(),
        span,
    };
    for part in c.rest() {
        match part.as_rule() {
            Rule::name => event.by = Some(name(part)),
            Rule::via => event.via = Some(name(Children::of(part).next()?)),
            Rule::received => {
                let m = Children::of(part).next()?;
                let is_datetime = m.as_rule() == Rule::datetime_lit;
                let (received, zone) = moment_offset(&m, is_datetime)?;
                event.received = Some((received, span_of(&m)));
                event.received_offset = zone;
            }
            Rule::fields => {
                for field in part.into_inner() {
                    let mut f = Children::of(field);
                    let name = name(f.next()?);
                    event.fields.push((name, literal(f.next()?)?));
                }
            }
            _ => return Err(shape(span_of(&part))),
        }
    }
    Ok(event)
}

fn literal(pair: P) -> R<Literal> {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::money_lit => {
            let mut c = Children::of(pair);
            let currency = c.next()?.as_str().to_string();
            let amount_pair = c.next()?;
            LiteralKind::Money {
                amount: decimal(amount_pair.as_str(), span_of(&amount_pair))?,
                currency,
            }
        }
        Rule::datetime_lit => match instant(pair.as_str(), span)? {
            (dt, None) => LiteralKind::DateTime(dt),
            (dt, Some(zone)) => LiteralKind::Instant(dt, zone),
        },
        Rule::date_lit => LiteralKind::Date(date(pair.as_str(), span)?),
        Rule::percent_lit => {
            let number = Children::of(pair).next()?;
            LiteralKind::Percent(decimal(number.as_str(), span_of(&number))?)
        }
        Rule::number_lit => LiteralKind::Number(decimal(pair.as_str(), span)?),
        Rule::quantity_lit => {
            let mut c = Children::of(pair);
            let number = c.next()?;
            let amount = decimal(number.as_str(), span_of(&number))?;
            LiteralKind::Quantity {
                amount,
                unit: c.next()?.as_str().to_string(),
            }
        }
        Rule::string => LiteralKind::Text(string(pair)?.value),
        Rule::bool_lit => LiteralKind::Bool(pair.as_str() == "true"),
        Rule::name => LiteralKind::Name(pair.as_str().to_string()),
        Rule::duration_lit => {
            let mut c = Children::of(pair);
            let count_pair = c.next()?;
            let count = count_pair.as_str().parse::<u32>().map_err(|_| {
                Diagnostic::error(
                    "terms::syntax::bad_number",
                    span_of(&count_pair),
                    "the duration is too long",
                )
                .label("too large")
                .help("durations count at most 4294967295 units")
            })?;
            let unit = match c.next()?.as_str().trim_end_matches('s') {
                "day" => Unit::Days,
                "week" => Unit::Weeks,
                "month" => Unit::Months,
                _ => Unit::Years,
            };
            LiteralKind::Duration(Duration {
                count,
                unit,
                business: false,
                span,
            })
        }
        _ => return Err(shape(span)),
    };
    Ok(Literal { kind, span })
}

fn name(pair: P) -> Ident {
    Ident {
        name: pair.as_str().to_string(),
        span: span_of(&pair),
    }
}

fn string(pair: P) -> R<Text> {
    let span = span_of(&pair);
    let inner = Children::of(pair).next()?;
    Ok(Text {
        value: unescape(inner.as_str()),
        span,
    })
}

/// A human phrase for each grammar rule, used in "expected …" messages. No catch-all arm:
/// a new rule cannot ship without wording.
pub(crate) fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::WHITESPACE => "whitespace",
        Rule::COMMENT => "a comment",
        Rule::scenario => "a scenario",
        Rule::scenario_header => "`scenario \"…\"`",
        Rule::scenario_item => "`contract`, `as of`, `fact` or `event`",
        Rule::scenario_head => "`scenario \"…\"`, `contract`, `as of` or `fact` lines",
        Rule::lone_value => "a value",
        Rule::quantity_lit => "a quantity like `12 GB`",
        Rule::lone_moment => "a date or date-time",
        Rule::lone_name => "a name",
        Rule::contract_ref => "`contract NAME`",
        Rule::as_of => "`as of DATE`",
        Rule::fact => "`fact NAME = VALUE`",
        Rule::event => "`event ID: KIND on DATE …`",
        Rule::via => "`via CHANNEL`",
        Rule::received => "`received DATE`",
        Rule::fields => "`{ field: value, … }`",
        Rule::field => "`name: value`",
        Rule::moment => "a date or date-time",
        Rule::value => "a value",
        Rule::money_lit => "an amount like `EUR 75.00`",
        Rule::datetime_lit => "a date-time like `2025-06-10T14:00` or `2025-06-10T14:00:30+02:00`",
        Rule::date_lit => "a date like `2025-06-10`",
        Rule::percent_lit => "a percentage like `12%`",
        Rule::number_lit => "a number",
        Rule::decimal => "a number",
        Rule::bool_lit => "`true` or `false`",
        Rule::string => "a quoted string",
        Rule::string_inner => "string text",
        Rule::currency_code => "a currency code like `EUR`",
        Rule::name => "a name",
        Rule::name_char => "a letter or digit",
        Rule::duration_lit => "a duration like `12 months`",
        Rule::integer => "a whole number",
        Rule::unit => "a unit (`days`, `weeks`, `months`, `years`)",
        Rule::what_if => "one or more events",
        Rule::what_if_event => "`[ID:] KIND on DATE …`",
        Rule::event_word => "`event`",
        Rule::what_if_id => "`ID:`",
        Rule::EOI => "end of file",
    }
}

/// The shapes machine histories write in almost every cell (a name, a day,
/// `YYYY-MM-DDTHH:MM`, a number, `EUR 12.50`, `true`), read without starting the grammar:
/// a JSON-lines or CSV history has several per event. Each gives exactly the value, span
/// and diagnostic the grammar gives (`tests` below compare them on generated cells);
/// anything else is `None` and goes to the grammar.
mod plain {
    use super::{date, decimal, instant, Literal, LiteralKind, Moment, R};
    use crate::source::Span;

    fn name_start(b: u8) -> bool {
        b.is_ascii_alphabetic() || b == b'_'
    }

    fn name_char(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
    }

    /// `inv-1`, `registered_letter`: the grammar's `name`.
    pub(super) fn is_name(text: &str) -> bool {
        let b = text.as_bytes();
        b.first().is_some_and(|&c| name_start(c)) && b.iter().all(|&c| name_char(c))
    }

    /// `YYYY-MM-DD`.
    fn is_day(b: &[u8]) -> bool {
        b.len() == 10
            && b.iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                _ => c.is_ascii_digit(),
            })
    }

    /// `YYYY-MM-DDTHH:MM`, no seconds, no offset.
    fn is_minute(b: &[u8]) -> bool {
        b.len() == 16
            && is_day(b.get(..10).unwrap_or_default())
            && b.get(10) == Some(&b'T')
            && b.get(13) == Some(&b':')
            && [11, 12, 14, 15]
                .iter()
                .all(|&i| b.get(i).is_some_and(u8::is_ascii_digit))
    }

    /// `-?digits(.digits)?`: the grammar's `decimal`.
    fn is_decimal(text: &str) -> bool {
        let digits = text.strip_prefix('-').unwrap_or(text);
        let (whole, fraction) = match digits.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (digits, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
        all_digits(whole) && fraction.is_none_or(all_digits)
    }

    fn whole(text: &str) -> Span {
        Span::new(0, text.len())
    }

    pub(super) fn moment(text: &str) -> Option<R<Moment>> {
        let b = text.as_bytes();
        if is_day(b) {
            Some(date(text, whole(text)).map(Moment::Date))
        } else if is_minute(b) {
            Some(instant(text, whole(text)).map(|(at, _)| Moment::DateTime(at)))
        } else {
            None
        }
    }

    pub(super) fn value(text: &str) -> Option<R<Literal>> {
        let span = whole(text);
        let literal = |kind| Literal { kind, span };
        let b = text.as_bytes();
        if is_day(b) {
            return Some(date(text, span).map(|d| literal(LiteralKind::Date(d))));
        }
        if is_minute(b) {
            return Some(instant(text, span).map(|(at, _)| literal(LiteralKind::DateTime(at))));
        }
        if is_decimal(text) {
            return Some(decimal(text, span).map(|n| literal(LiteralKind::Number(n))));
        }
        if text == "true" || text == "false" {
            return Some(Ok(literal(LiteralKind::Bool(text == "true"))));
        }
        // `EUR 5000.00`: three capitals, one space, a decimal.
        if let Some((code, amount)) = text.split_once(' ') {
            let is_code = code.len() == 3 && code.bytes().all(|c| c.is_ascii_uppercase());
            if is_code && is_decimal(amount) {
                let amount_span = Span::new(4, text.len());
                return Some(decimal(amount, amount_span).map(|amount| {
                    literal(LiteralKind::Money {
                        amount,
                        currency: code.to_string(),
                    })
                }));
            }
            return None;
        }
        if is_name(text) {
            return Some(Ok(literal(LiteralKind::Name(text.to_string()))));
        }
        None
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Cells shaped like those of machine histories, and near misses.
    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z_][A-Za-z0-9_-]{0,8}",
            "-?[0-9]{1,6}(\\.[0-9]{0,4})?",
            "[A-Z]{2,4} {1,2}-?[0-9]{1,5}(\\.[0-9]{1,3})?",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?)?(Z|[+-][0-9]{2}:[0-9]{2})?",
            "(true|false)[a-z_]{0,2}",
            "[A-Za-z0-9_ .:T%\"-]{0,14}",
            // Numbers too long to hold exactly: the diagnostic's span must agree too.
            "([A-Z]{3} )?-?[0-9]{26,32}(\\.[0-9]{1,4})?",
            // Days and times that do not exist.
            "[0-9]{4}-(0[0-9]|1[0-9]|99)-(00|2[89]|3[0-9])(T(2[0-9]|99):[0-9]{2})?",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// The plain shapes read exactly as the grammar reads them: value, span, diagnostic.
        #[test]
        fn plain_cells_read_as_the_grammar_reads_them(text in cell(), offset in 0usize..50) {
            prop_assert_eq!(
                format!("{:?}", parse_value(&text, offset)),
                format!("{:?}", parse_value_by_grammar(&text, offset))
            );
            prop_assert_eq!(
                format!("{:?}", parse_moment(&text, offset)),
                format!("{:?}", parse_moment_by_grammar(&text, offset))
            );
            prop_assert_eq!(
                format!("{:?}", parse_name(&text, offset)),
                format!("{:?}", parse_name_by_grammar(&text, offset))
            );
        }
    }
}

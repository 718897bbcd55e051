//! Lowering of the scenario grammar (`grammar/scenario.pest`) to [`crate::ast::Scenario`].

use pest::iterators::Pair;
use pest::Parser;
use pest_derive::Parser;

use super::{
    check_limits, date, datetime, decimal, from_pest, moment, shape, span_of, unescape, Children,
};
use crate::ast::{Duration, Event, Fact, Ident, Literal, LiteralKind, Scenario, Text, Unit};
use crate::diagnostic::Diagnostic;
use crate::source::Span;

#[derive(Parser)]
#[grammar = "../grammar/scenario.pest"]
struct ScenarioParser;

type P<'i> = Pair<'i, Rule>;
type R<T> = Result<T, Diagnostic>;

/// Parses a scenario's text.
pub fn parse_scenario(text: &str) -> R<Scenario> {
    check_limits(text, super::MAX_SCENARIO_BYTES)?;
    let mut pairs =
        ScenarioParser::parse(Rule::scenario, text).map_err(|e| from_pest(&e, text, describe))?;
    let root = pairs.next().ok_or_else(|| shape(Span::new(0, 0)))?;
    scenario(root)
}

fn scenario(pair: P) -> R<Scenario> {
    let mut c = Children::of(pair);
    let header = c.next()?;
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
        match item.as_rule() {
            Rule::contract_ref => scenario.contract = Some(name(Children::of(item).next()?)),
            Rule::as_of => {
                let day = Children::of(item).next()?;
                scenario.as_of = Some((date(day.as_str(), span_of(&day))?, span_of(&day)));
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
    }
    Ok(scenario)
}

fn event(pair: P) -> R<Event> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let id = name(c.next()?);
    let kind = name(c.next()?);
    let at_pair = c.next()?;
    let at_span = span_of(&at_pair);
    let at = moment(&at_pair, at_pair.as_rule() == Rule::datetime_lit)?;
    let mut event = Event {
        id,
        kind,
        at,
        at_span,
        by: None,
        via: None,
        received: None,
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
                event.received = Some((moment(&m, is_datetime)?, span_of(&m)));
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
        Rule::datetime_lit => LiteralKind::DateTime(datetime(pair.as_str(), span)?),
        Rule::date_lit => LiteralKind::Date(date(pair.as_str(), span)?),
        Rule::percent_lit => {
            let number = Children::of(pair).next()?;
            LiteralKind::Percent(decimal(number.as_str(), span_of(&number))?)
        }
        Rule::number_lit => LiteralKind::Number(decimal(pair.as_str(), span)?),
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
        Rule::datetime_lit => "a date-time like `2025-06-10T14:00`",
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
        Rule::EOI => "end of file",
    }
}

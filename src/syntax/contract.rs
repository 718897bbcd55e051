//! Lowering of the contract grammar (`grammar/terms.pest`) to [`crate::ast::Contract`].

use pest::iterators::Pair;
use pest::Parser;
use pest_derive::Parser;

use super::{
    check_limits, date, datetime, decimal, from_pest, shape, span_of, unescape, Children,
    MAX_EXPR_DEPTH,
};
use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

#[derive(Parser)]
#[grammar = "../grammar/terms.pest"]
struct ContractParser;

type P<'i> = Pair<'i, Rule>;
type R<T> = Result<T, Diagnostic>;

/// Parses a contract's text. A syntax error stops parsing at the first problem (pest
/// cannot recover); the checker then reports every semantic problem at once.
pub fn parse_contract(text: &str) -> R<Contract> {
    parse_contract_layout(text).map(|(contract, _)| contract)
}

/// Where the parts of a contract are in its text, for the formatter: the AST keeps no span
/// for most top-level declarations.
#[derive(Debug, Clone, Default)]
pub struct ContractLayout {
    /// `contract NAME "title"`
    pub header: Span,
    /// Each top-level declaration or clause, in the order of `Contract::items`.
    pub items: Vec<Span>,
}

/// [`parse_contract`], with where each top-level item is.
pub fn parse_contract_layout(text: &str) -> R<(Contract, ContractLayout)> {
    check_limits(text, super::MAX_SOURCE_BYTES)?;
    on_parser_thread(text.to_string(), Rule::contract, contract)
}

/// Parses `text` from `rule` and builds it with `build`, on a thread of its own: pest parses
/// nested expressions recursively, and the limits bound the nesting, but the parse's depth
/// must never depend on the caller's stack.
fn on_parser_thread<T: Send + 'static>(text: String, rule: Rule, build: fn(P) -> R<T>) -> R<T> {
    let parse = move || {
        let mut pairs = ContractParser::parse(rule, &text)
            .map_err(|e| keyword_help(from_pest(&e, &text, describe), &text))?;
        let root = pairs.next().ok_or_else(|| shape(Span::new(0, 0)))?;
        build(root)
    };
    match std::thread::Builder::new()
        .stack_size(PARSER_STACK_BYTES)
        .spawn(parse)
    {
        Ok(handle) => handle
            .join()
            .unwrap_or_else(|_| Err(shape(Span::new(0, 0)))),
        Err(_) => Err(Diagnostic::error(
            "terms::syntax::internal",
            Span::new(0, 0),
            "could not start the parser",
        )
        .label("here")
        .help("the machine is out of threads or memory; try again")),
    }
}

/// Parses a library file (`library NAME "…"` and declarations).
pub fn parse_library(text: &str) -> R<Library> {
    parse_library_layout(text).map(|(library, _)| library)
}

/// [`parse_library`], with where each top-level item is (the header's span is
/// `ContractLayout::header`).
pub fn parse_library_layout(text: &str) -> R<(Library, ContractLayout)> {
    check_limits(text, super::MAX_SOURCE_BYTES)?;
    on_parser_thread(text.to_string(), Rule::library, library)
}

/// Parses a deal file (`deal NAME "…" extends "FILE"`, then `set`, `override` and items).
pub fn parse_deal(text: &str) -> R<Deal> {
    parse_deal_layout(text).map(|(deal, _)| deal)
}

/// [`parse_deal`], with where each top-level item is (the header's span is
/// `ContractLayout::header`).
pub fn parse_deal_layout(text: &str) -> R<(Deal, ContractLayout)> {
    parse_deal_at(text, 0)
}

/// [`parse_deal_layout`] of a deal placed `offset` bytes into a longer text (the general
/// terms, then the deal): every span is offset by as much, as if the deal followed the
/// general terms in one text. The limits apply to the deal's own text.
pub fn parse_deal_at(text: &str, offset: usize) -> R<(Deal, ContractLayout)> {
    check_limits(text, super::MAX_SOURCE_BYTES)?;
    let mut owned = " ".repeat(offset);
    owned.push_str(text);
    on_parser_thread(owned, Rule::deal, deal)
}

fn deal(pair: P) -> R<(Deal, ContractLayout)> {
    let mut children = Children::of(pair);
    let header = children.next()?;
    let mut layout = ContractLayout {
        header: span_of(&header),
        items: Vec::new(),
    };
    let mut h = Children::of(header);
    h.skip(Rule::kw_deal);
    let name = ident(h.next()?);
    let title = h.next_if(Rule::string).map(string).transpose()?;
    h.skip(Rule::kw_extends);
    let extends = string(h.next()?)?;
    let mut items = Vec::new();
    for pair in children.rest() {
        if pair.as_rule() == Rule::EOI {
            break;
        }
        layout.items.push(span_of(&pair));
        items.push(match pair.as_rule() {
            Rule::set_decl => {
                let mut c = Children::of(pair);
                c.skip(Rule::kw_set);
                let name = ident(c.next()?);
                let value = expr(c.next()?)?;
                DealItem::Set { name, value }
            }
            Rule::override_decl => {
                let mut c = Children::of(pair);
                let word = span_of(&c.next()?);
                match clause(c.next()?)? {
                    Item::Clause(clause) => DealItem::Override { clause, word },
                    _ => return Err(shape(word)),
                }
            }
            _ => DealItem::Item(item(pair)?),
        });
    }
    Ok((
        Deal {
            name,
            title,
            extends,
            items,
        },
        layout,
    ))
}

fn library(pair: P) -> R<(Library, ContractLayout)> {
    let mut children = Children::of(pair);
    let header = children.next()?;
    let mut layout = ContractLayout {
        header: span_of(&header),
        items: Vec::new(),
    };
    let mut h = Children::of(header);
    h.skip(Rule::kw_library);
    let name = ident(h.next()?);
    let title = h.next_if(Rule::string).map(string).transpose()?;
    let mut items = Vec::new();
    for pair in children.rest() {
        if pair.as_rule() == Rule::EOI {
            break;
        }
        layout.items.push(span_of(&pair));
        items.push(item(pair)?);
    }
    Ok((Library { name, title, items }, layout))
}

/// The stack of the parsing thread: far more than the bounded nesting needs.
const PARSER_STACK_BYTES: usize = 64 << 20;

/// Says so when the unexpected word is a keyword used as a name (`param interest: …`).
fn keyword_help(mut d: Diagnostic, text: &str) -> Diagnostic {
    let word = text.get(d.span.start..d.span.end).unwrap_or("");
    let is_keyword = !word.is_empty()
        && ContractParser::parse(Rule::keyword, word).is_ok_and(|p| p.as_str().len() == word.len());
    if is_keyword {
        d.help = format!(
            "`{word}` is a keyword of the language and cannot be a name; choose another name"
        );
    }
    d
}

fn contract(pair: P) -> R<(Contract, ContractLayout)> {
    let mut children = Children::of(pair);
    let header = children.next()?;
    let mut layout = ContractLayout {
        header: span_of(&header),
        items: Vec::new(),
    };
    let (name, title) = contract_header(header)?;
    let mut items = Vec::new();
    for pair in children.rest() {
        if pair.as_rule() == Rule::EOI {
            break;
        }
        layout.items.push(span_of(&pair));
        items.push(item(pair)?);
    }
    Ok((Contract { name, title, items }, layout))
}

fn contract_header(pair: P) -> R<(Ident, Option<Text>)> {
    let mut c = Children::of(pair);
    c.skip(Rule::kw_contract);
    let name = ident(c.next()?);
    let title = c.next_if(Rule::string).map(string).transpose()?;
    Ok((name, title))
}

fn item(pair: P) -> R<Item> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::vendor_decl => vendor_decl(pair),
        Rule::party_decl => party_decl(pair),
        Rule::use_decl => {
            let mut c = Children::of(pair);
            c.skip(Rule::kw_use);
            let target = c.next()?;
            Ok(Item::Use(match target.as_rule() {
                Rule::string => UseTarget::Path(string(target)?),
                _ => UseTarget::Standard(ident(target)),
            }))
        }
        Rule::channel_decl => {
            let mut c = Children::of(pair);
            c.skip(Rule::kw_channel);
            let name = ident(c.next()?);
            let description = c.next_if(Rule::string).map(string).transpose()?;
            c.skip(Rule::kw_counts);
            c.skip(Rule::kw_as);
            let counts_as = c.next_if(Rule::ident).map(ident);
            Ok(Item::Channel(ChannelDecl {
                name,
                description,
                counts_as,
            }))
        }
        Rule::unit_decl => {
            let mut c = Children::of(pair);
            c.skip(Rule::kw_unit);
            let name = ident(c.next()?);
            let description = match c.next_if(Rule::string) {
                Some(s) => Some(string(s)?),
                None => None,
            };
            Ok(Item::Unit { name, description })
        }
        Rule::currency_decl => {
            let mut c = Children::of(pair);
            c.skip(Rule::kw_currency);
            Ok(Item::Currency(ident(c.next()?)))
        }
        Rule::timezone_decl => {
            let mut c = Children::of(pair);
            c.skip(Rule::kw_timezone);
            Ok(Item::Timezone(string(c.next()?)?))
        }
        Rule::calendar_decl => calendar_decl(pair),
        Rule::notice_decl => notice_decl(pair),
        Rule::event_decl => event_decl(pair),
        Rule::param_decl => param_decl(pair),
        Rule::let_decl => {
            let mut c = Children::of(pair);
            c.skip(Rule::kw_let);
            let name = ident(c.next()?);
            let value = expr(c.next()?)?;
            Ok(Item::Let { name, value })
        }
        Rule::clause => clause(pair),
        Rule::rounding_decl => {
            let mut c = Children::of(pair);
            c.skip(Rule::kw_rounding);
            Ok(Item::Rounding(ident(c.next()?)))
        }
        Rule::roll_decl => {
            let c = Children::of(pair);
            let article = c
                .rest()
                .find(|p| p.as_rule() == Rule::citation)
                .map(citation)
                .transpose()?;
            Ok(Item::RollForward(article))
        }
        _ => Err(shape(span)),
    }
}

fn vendor_decl(pair: P) -> R<Item> {
    let mut c = Children::of(pair);
    c.skip(Rule::kw_vendor);
    Ok(Item::Vendor(string(c.next()?)?))
}

fn party_decl(pair: P) -> R<Item> {
    let mut c = Children::of(pair);
    c.skip(Rule::kw_party);
    let name = ident(c.next()?);
    let description = c.next_if(Rule::string).map(string).transpose()?;
    Ok(Item::Party { name, description })
}

fn calendar_decl(pair: P) -> R<Item> {
    let mut c = Children::of(pair);
    c.skip(Rule::kw_calendar);
    let name = ident(c.next()?);
    let hours = match c.next_if(Rule::business_hours) {
        Some(pair) => {
            let span = span_of(&pair);
            let mut h = Children::of(pair);
            let open = time(h.next()?)?;
            let close = time(h.next()?)?;
            Some((open, close, span))
        }
        None => None,
    };
    c.skip(Rule::kw_closed);
    let mut closed = Vec::new();
    let mut holidays = None;
    for part in c.rest() {
        let span = span_of(&part);
        if part.as_rule() == Rule::holiday_block {
            let mut list = Vec::new();
            for decl in part.into_inner() {
                list.push(holiday_decl(decl)?);
            }
            holidays = Some(list);
        } else {
            closed.push((date(part.as_str(), span)?, span));
        }
    }
    Ok(Item::Calendar {
        name,
        hours,
        closed,
        holidays,
    })
}

/// `holiday easter_monday on easter + 1 day`
fn holiday_decl(pair: P) -> R<HolidayDecl> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    c.skip(Rule::kw_holiday);
    let name = ident(c.next()?);
    c.skip(Rule::kw_on);
    let when = c.next()?;
    let when_span = span_of(&when);
    let date = match when.as_rule() {
        Rule::month_day => {
            let text = when.as_str();
            let month: u32 = text.get(0..2).and_then(|m| m.parse().ok()).unwrap_or(0);
            let day: u32 = text.get(3..5).and_then(|d| d.parse().ok()).unwrap_or(0);
            // Valid in a leap year (29 February is a holiday only in leap years).
            if chrono::NaiveDate::from_ymd_opt(2024, month, day).is_none() {
                return Err(Diagnostic::error(
                    "terms::syntax::invalid_date",
                    when_span,
                    format!("`{text}` is not a day of the year"),
                )
                .label("no such day")
                .help("write the month and day as MM-DD, e.g. `07-14`"));
            }
            HolidayDate::Fixed { month, day }
        }
        _ => {
            let mut e = Children::of(when);
            e.skip(Rule::kw_easter);
            let offset = match e.next_if(Rule::add_op) {
                Some(op) => {
                    let length = duration(e.next()?)?;
                    if length.unit != Unit::Days || length.business || length.count > 366 {
                        return Err(Diagnostic::error(
                            "terms::syntax::unexpected",
                            length.span,
                            "a holiday is a number of days from Easter",
                        )
                        .label("not calendar days")
                        .help("write e.g. `easter + 39 days` (Ascension), at most 366 days"));
                    }
                    let days = i64::from(length.count);
                    if op.as_str() == "-" {
                        -days
                    } else {
                        days
                    }
                }
                None => 0,
            };
            HolidayDate::Easter(offset)
        }
    };
    let mut moves = Vec::new();
    for rule in c.rest() {
        moves.push(substitution(rule)?);
    }
    Ok(HolidayDecl {
        name,
        date,
        moves,
        span,
    })
}

/// `moves to next monday if saturday or sunday`
fn substitution(pair: P) -> R<Substitution> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    c.skip(Rule::kw_moves);
    let forward = c.next_if(Rule::kw_previous).is_none();
    c.skip(Rule::kw_next);
    let to = weekday(c.next()?)?;
    c.skip(Rule::kw_if);
    let mut when = Vec::new();
    for day in c.rest() {
        if day.as_rule() == Rule::weekday {
            when.push(weekday(day)?);
        }
    }
    Ok(Substitution {
        forward,
        to,
        when,
        span,
    })
}

fn weekday(pair: P) -> R<chrono::Weekday> {
    let span = span_of(&pair);
    pair.as_str().parse().map_err(|_| shape(span))
}

/// `09:00`: a local time of day.
fn time(pair: P) -> R<chrono::NaiveTime> {
    let span = span_of(&pair);
    chrono::NaiveTime::parse_from_str(pair.as_str(), "%H:%M").map_err(|_| {
        Diagnostic::error(
            "terms::syntax::invalid_date",
            span,
            format!("`{}` is not a time of day", pair.as_str()),
        )
        .label("no such time")
        .help("write a time as HH:MM, from 00:00 to 23:59")
    })
}

fn notice_decl(pair: P) -> R<Item> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    c.skip(Rule::kw_notices);
    let channel = match c.next_if(Rule::kw_via) {
        Some(_) => Some(channel(c.next()?)?),
        None => None,
    };
    c.skip(Rule::kw_on);
    let counting = counting(c.next()?)?;
    let article = match c.next_if(Rule::citation) {
        Some(p) => Some(citation(p)?),
        None => None,
    };
    Ok(Item::Notices(NoticeRule {
        channel,
        counting,
        article,
        span,
    }))
}

fn counting(pair: P) -> R<Counting> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let word = c.next()?;
    match word.as_rule() {
        Rule::kw_sending => Ok(Counting::Sending),
        Rule::kw_posting => Ok(Counting::Posting),
        Rule::kw_receipt => match c.next_if(Rule::deemed) {
            Some(deemed) => {
                let mut d = Children::of(deemed);
                d.skip(Rule::kw_deemed);
                Ok(Counting::DeemedReceipt(duration(d.next()?)?))
            }
            None => Ok(Counting::Receipt),
        },
        _ => Err(shape(span)),
    }
}

fn event_decl(pair: P) -> R<Item> {
    let mut c = Children::of(pair);
    c.skip(Rule::kw_event);
    let name = ident(c.next()?);
    let planned = c.next_if(Rule::planned_mark).is_some();
    let mut fields = Vec::new();
    for field in c.rest() {
        let mut f = Children::of(field);
        let name = ident(f.next()?);
        let type_name = ident(f.next()?);
        let optional = f.next_if(Rule::optional_mark).is_some();
        fields.push(FieldDecl {
            name,
            type_name,
            optional,
        });
    }
    Ok(Item::Event(EventDecl {
        name,
        planned,
        fields,
    }))
}

fn param_decl(pair: P) -> R<Item> {
    let mut c = Children::of(pair);
    c.skip(Rule::kw_param);
    let name = ident(c.next()?);
    let (type_name, rate) = match c.next_if(Rule::rate_type) {
        Some(rate) => {
            let span = span_of(&rate);
            let mut r = Children::of(rate);
            r.skip(Rule::kw_rate);
            let to = ident(r.next()?);
            r.skip(Rule::kw_per);
            let from = ident(r.next()?);
            let word = Ident {
                name: String::from("rate"),
                span,
            };
            (word, Some((to, from)))
        }
        None => (ident(c.next()?), None),
    };
    let default = c.next_if(Rule::expr).map(expr).transpose()?;
    Ok(Item::Param(ParamDecl {
        name,
        type_name,
        rate,
        default,
    }))
}

fn clause(pair: P) -> R<Item> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let kind_pair = c.next()?;
    let kind_span = span_of(&kind_pair);
    let kind = clause_kind(kind_pair)?;
    let id = ident(c.next()?);
    let article = citation(c.next()?)?;
    let mut items = Vec::new();
    for pair in c.rest() {
        items.push(clause_item(pair)?);
    }
    Ok(Item::Clause(Clause {
        kind,
        kind_span,
        id,
        article,
        items,
        span,
    }))
}

fn clause_kind(pair: P) -> R<ClauseKind> {
    let span = span_of(&pair);
    let word = Children::of(pair).next()?;
    Ok(match word.as_rule() {
        Rule::kw_obligation => ClauseKind::Obligation,
        Rule::kw_right => ClauseKind::Right,
        Rule::kw_term => ClauseKind::Term,
        Rule::kw_date => ClauseKind::Date,
        Rule::kw_value => ClauseKind::Value,
        Rule::kw_state => ClauseKind::State,
        Rule::kw_allocation => ClauseKind::Allocation,
        Rule::kw_charge => ClauseKind::Charge(ChargeKind::Charge),
        Rule::kw_interest => ClauseKind::Charge(ChargeKind::Interest),
        Rule::kw_compensation => ClauseKind::Charge(ChargeKind::Compensation),
        Rule::kw_penalty => ClauseKind::Charge(ChargeKind::Penalty),
        Rule::kw_fee => ClauseKind::Charge(ChargeKind::Fee),
        Rule::kw_damages => ClauseKind::Charge(ChargeKind::Damages),
        Rule::kw_cap => ClauseKind::Charge(ChargeKind::Cap),
        Rule::kw_fine => ClauseKind::Charge(ChargeKind::Fine),
        _ => return Err(shape(span)),
    })
}

fn citation(pair: P) -> R<Text> {
    let mut c = Children::of(pair);
    c.skip(Rule::kw_article);
    string(c.next()?)
}

fn clause_item(pair: P) -> R<ClauseItem> {
    let span = span_of(&pair);
    let rule = pair.as_rule();
    let mut c = Children::of(pair);
    let kind = match rule {
        Rule::for_each => {
            c.skip(Rule::kw_for);
            c.skip(Rule::kw_each);
            let kind = ident(c.next()?);
            let var = ident(c.next()?);
            let filter = match c.next_if(Rule::kw_where) {
                Some(_) => Some(expr(c.next()?)?),
                None => None,
            };
            ClauseItemKind::ForEach { kind, var, filter }
        }
        Rule::on_breach => ClauseItemKind::OnBreach(last_ident(c)?),
        Rule::step_item => {
            c.skip(Rule::kw_on);
            let kind = ident(c.next()?);
            let var = ident(c.next()?);
            let mut exprs = Vec::new();
            for pair in c.rest() {
                if pair.as_rule() == Rule::expr {
                    exprs.push(expr(pair)?);
                }
            }
            let value = exprs.pop().ok_or_else(|| shape(span))?;
            ClauseItemKind::Step {
                kind,
                var,
                filter: exprs.pop(),
                value,
            }
        }
        Rule::duty => {
            let party = party_ref(c.next()?)?;
            c.skip(Rule::kw_must);
            ClauseItemKind::Duty {
                party,
                action: string(c.next()?)?,
            }
        }
        Rule::prohibition => {
            let party = party_ref(c.next()?)?;
            c.skip(Rule::kw_must);
            c.skip(Rule::kw_not);
            ClauseItemKind::Prohibition {
                party,
                action: string(c.next()?)?,
            }
        }
        Rule::permission => {
            let party = party_ref(c.next()?)?;
            c.skip(Rule::kw_may);
            ClauseItemKind::Permission {
                party,
                action: string(c.next()?)?,
            }
        }
        Rule::owes => {
            let debtor = party_ref(c.next()?)?;
            c.skip(Rule::kw_owes);
            let creditor = party_ref(c.next()?)?;
            ClauseItemKind::Owes {
                debtor,
                creditor,
                amount: expr(c.next()?)?,
            }
        }
        Rule::deadline => ClauseItemKind::Deadline(deadline(c.next()?)?),
        Rule::via_item => ClauseItemKind::Via(via_item(c)?),
        Rule::fulfilled_by => ClauseItemKind::FulfilledBy(last_ident(c)?),
        Rule::exercised_by => ClauseItemKind::ExercisedBy(last_ident(c)?),
        Rule::breached_by => ClauseItemKind::BreachedBy(last_ident(c)?),
        Rule::requires => ClauseItemKind::Requires(last_expr(c)?),
        Rule::opens => {
            c.skip(Rule::kw_opens);
            let inner = c.next()?;
            let rule = inner.as_rule();
            let mut i = Children::of(inner);
            match rule {
                Rule::opens_after => {
                    i.skip(Rule::kw_after);
                    let d = duration(i.next()?)?;
                    i.skip(Rule::kw_following);
                    ClauseItemKind::Opens(Opens::AfterGrace(d, expr(i.next()?)?))
                }
                _ => ClauseItemKind::Opens(Opens::On(last_expr(i)?)),
            }
        }
        Rule::while_unmet => {
            c.skip(Rule::kw_while);
            ClauseItemKind::WhileUnmet(ident(c.next()?))
        }
        Rule::when_item => ClauseItemKind::When(last_expr(c)?),
        Rule::otherwise => {
            c.skip(Rule::kw_otherwise);
            ClauseItemKind::Otherwise(string(c.next()?)?)
        }
        Rule::counts_item => {
            c.skip(Rule::kw_counts);
            c.skip(Rule::kw_on);
            ClauseItemKind::Counts(counting(c.next()?)?)
        }
        Rule::starts => ClauseItemKind::Starts(last_expr(c)?),
        Rule::lasts => ClauseItemKind::Lasts(last_expr(c)?),
        Rule::renews => {
            c.skip(Rule::kw_renews);
            let tacit = c.next_if(Rule::kw_tacitly).is_some();
            c.skip(Rule::kw_automatically);
            c.skip(Rule::kw_for);
            ClauseItemKind::Renews {
                tacit,
                period: expr(c.next()?)?,
            }
        }
        Rule::notice_item => {
            c.skip(Rule::kw_notice);
            let kind = ident(c.next()?);
            c.skip(Rule::kw_by);
            let party = party_ref(c.next()?)?;
            let via = match c.next_if(Rule::via_item) {
                Some(p) => via_item(Children::of(p))?,
                None => Vec::new(),
            };
            c.skip(Rule::kw_at);
            c.skip(Rule::kw_least);
            let before = duration(c.next()?)?;
            ClauseItemKind::Notice {
                kind,
                party,
                via,
                before,
            }
        }
        Rule::is_item => ClauseItemKind::Is(last_expr(c)?),
        Rule::pays_item => {
            let debtor = party_ref(c.next()?)?;
            c.skip(Rule::kw_pays);
            let creditor = party_ref(c.next()?)?;
            c.skip(Rule::kw_by);
            ClauseItemKind::Pays {
                debtor,
                creditor,
                kind: ident(c.next()?),
            }
        }
        Rule::order_item => {
            c.skip(Rule::kw_order);
            let mut entries = Vec::new();
            for entry in c.rest() {
                let mut e = Children::of(entry);
                let source = ident(e.next()?);
                let filter = match e.next_if(Rule::ident) {
                    Some(var) => {
                        e.skip(Rule::kw_where);
                        Some((ident(var), expr(e.next()?)?))
                    }
                    None => None,
                };
                let oldest_first = e.next_if(Rule::oldest_first).is_some();
                entries.push(OrderEntry {
                    source,
                    filter,
                    oldest_first,
                });
            }
            ClauseItemKind::Order(entries)
        }
        Rule::until_item => ClauseItemKind::Until(last_expr(c)?),
        Rule::label_item => {
            c.skip(Rule::kw_label);
            ClauseItemKind::Label(string(c.next()?)?)
        }
        Rule::rolls_item => ClauseItemKind::RollsForward,
        Rule::during_item => {
            c.skip(Rule::kw_during);
            ClauseItemKind::During(ident(c.next()?))
        }
        Rule::delay_item => {
            c.skip(Rule::kw_delay);
            c.skip(Rule::kw_counted);
            c.skip(Rule::kw_in);
            let rule = c.next()?;
            let rule_span = span_of(&rule);
            let rule = match Children::of(rule).next()?.as_rule() {
                Rule::kw_started => PeriodRule::Started,
                Rule::kw_whole => PeriodRule::Whole,
                _ => return Err(shape(rule_span)),
            };
            ClauseItemKind::DelayPeriods(rule)
        }
        _ => return Err(shape(span)),
    };
    Ok(ClauseItem { kind, span })
}

/// The identifier that ends a line (`fulfilled by payment`).
fn last_ident(c: Children<Rule>) -> R<Ident> {
    let span = c.span;
    c.rest()
        .filter(|p| p.as_rule() == Rule::ident)
        .last()
        .map(ident)
        .ok_or_else(|| shape(span))
}

/// The expression that ends a line (`requires a.back_office >= 95%`).
fn last_expr(c: Children<Rule>) -> R<Expr> {
    let span = c.span;
    let pair = c
        .rest()
        .filter(|p| p.as_rule() == Rule::expr)
        .last()
        .ok_or_else(|| shape(span))?;
    expr(pair)
}

fn via_item(c: Children<Rule>) -> R<Vec<Ident>> {
    c.rest()
        .filter(|p| p.as_rule() == Rule::channel)
        .map(channel)
        .collect()
}

fn channel(pair: P) -> R<Ident> {
    let mut c = Children::of(pair);
    Ok(ident(c.next()?))
}

fn deadline(pair: P) -> R<Deadline> {
    let rule = pair.as_rule();
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    match rule {
        Rule::within => {
            c.skip(Rule::kw_within);
            let d = duration(c.next()?)?;
            c.skip(Rule::kw_after);
            c.skip(Rule::kw_of);
            Ok(Deadline::Within(d, expr(c.next()?)?))
        }
        Rule::at_least_before => {
            c.skip(Rule::kw_at);
            c.skip(Rule::kw_least);
            let d = duration(c.next()?)?;
            c.skip(Rule::kw_before);
            Ok(Deadline::AtLeastBefore(d, expr(c.next()?)?))
        }
        Rule::by_item => Ok(Deadline::By(last_expr(c)?)),
        _ => Err(shape(span)),
    }
}

fn duration(pair: P) -> R<Duration> {
    let span = span_of(&pair);
    let text = pair.as_str().to_string();
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
    let business = c.next_if(Rule::business_prefix).is_some();
    let unit_pair = c.next()?;
    let word = unit_pair.as_str().trim_end_matches('s');
    let unit = match word {
        "minute" => Unit::Minutes,
        "hour" => Unit::Hours,
        "day" => Unit::Days,
        "week" => Unit::Weeks,
        "month" => Unit::Months,
        "year" => Unit::Years,
        _ => return Err(shape(span)),
    };
    if business && matches!(unit, Unit::Weeks | Unit::Months | Unit::Years) {
        return Err(Diagnostic::error(
            "terms::syntax::business_unit",
            span,
            format!("`{text}`: only days, hours and minutes can be business time"),
        )
        .label("business weeks, months and years are not counted")
        .help(format!(
            "write calendar time (`{count} {}`) or count business days (e.g. `10 business days`)",
            unit_pair.as_str()
        )));
    }
    Ok(Duration {
        count,
        unit,
        business,
        span,
    })
}

fn party_ref(pair: P) -> R<PartyRef> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let base = ident(c.next()?);
    let field = c.next_if(Rule::field_name).map(ident);
    Ok(PartyRef { base, field, span })
}

fn ident(pair: P) -> Ident {
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

// ---------------------------------------------------------------- expressions

fn expr(pair: P) -> R<Expr> {
    shallow(expr_node(pair)?)
}

/// Rejects an expression nested deeper than [`MAX_EXPR_DEPTH`], so no later stage can run
/// out of stack on it.
fn shallow(e: Expr) -> R<Expr> {
    // A literal or a name has depth 1; each operation above it adds one.
    if e.depth.saturating_sub(1) as usize > MAX_EXPR_DEPTH {
        return Err(Diagnostic::error(
            "terms::syntax::too_deep",
            e.span,
            format!("the expression nests more than {MAX_EXPR_DEPTH} operations deep"),
        )
        .label("too deep")
        .help("split it into named parts with `let`"));
    }
    Ok(e)
}

fn expr_node(pair: P) -> R<Expr> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::expr => expr(Children::of(pair).next()?),
        Rule::or_expr | Rule::and_expr | Rule::comparison | Rule::sum | Rule::product => {
            binary_chain(pair)
        }
        Rule::not_expr | Rule::unary => prefixed(pair, span),
        Rule::postfix => {
            let mut c = Children::of(pair);
            let mut base = expr(c.next()?)?;
            // A parenthesised operand spans its parentheses, so derivations quote it whole.
            if c.pairs_left() == 0 {
                base.span = span;
            }
            for field in c.rest() {
                let name = ident(field);
                let span = base.span.join(name.span);
                base = shallow(Expr::new(ExprKind::Field(Box::new(base), name), span))?;
            }
            Ok(base)
        }
        Rule::if_expr => {
            let mut c = Children::of(pair);
            c.skip(Rule::kw_if);
            let cond = expr(c.next()?)?;
            c.skip(Rule::kw_then);
            let then = expr(c.next()?)?;
            c.skip(Rule::kw_else);
            let other = expr(c.next()?)?;
            Ok(Expr::new(
                ExprKind::If(Box::new(cond), Box::new(then), Box::new(other)),
                span,
            ))
        }
        Rule::band_expr => {
            let mut c = Children::of(pair);
            c.skip(Rule::kw_band);
            let subject = expr(c.next()?)?;
            let mut arms = Vec::new();
            for arm in c.rest() {
                let mut a = Children::of(arm);
                let threshold = match a.next_if(Rule::band_below) {
                    Some(below) => {
                        let mut b = Children::of(below);
                        b.skip(Rule::kw_below);
                        Some(expr(b.next()?)?)
                    }
                    None => {
                        a.skip(Rule::kw_otherwise);
                        None
                    }
                };
                arms.push((threshold, expr(a.next()?)?));
            }
            Ok(Expr::new(ExprKind::Band(Box::new(subject), arms), span))
        }
        Rule::call => {
            let mut c = Children::of(pair);
            let name = ident(c.next()?);
            let args = c.rest().map(expr).collect::<R<Vec<_>>>()?;
            let builtin = crate::builtins::Builtin::by_name(&name.name);
            Ok(Expr::new(ExprKind::Call(name, args, builtin), span))
        }
        Rule::window => {
            let mut c = Children::of(pair);
            let length = duration(c.next()?)?;
            let before = c.next_if(Rule::kw_before).is_some();
            if !before {
                c.skip(Rule::kw_after);
            }
            let anchor = expr(c.next()?)?;
            Ok(Expr::new(
                ExprKind::Window {
                    length,
                    before,
                    anchor: Box::new(anchor),
                },
                span,
            ))
        }
        Rule::ident => Ok(Expr::new(ExprKind::Name(ident(pair)), span)),
        Rule::money_lit => {
            let mut c = Children::of(pair);
            let currency = c.next()?.as_str().to_string();
            let amount_pair = c.next()?;
            let amount = decimal(amount_pair.as_str(), span_of(&amount_pair))?;
            Ok(Expr::new(ExprKind::Money { amount, currency }, span))
        }
        Rule::datetime_lit => Ok(Expr::new(
            ExprKind::DateTime(datetime(pair.as_str(), span)?),
            span,
        )),
        Rule::date_lit => Ok(Expr::new(ExprKind::Date(date(pair.as_str(), span)?), span)),
        Rule::duration_lit => Ok(Expr::new(ExprKind::Duration(duration(pair)?), span)),
        Rule::percent_lit => {
            let number = Children::of(pair).next()?;
            Ok(Expr::new(
                ExprKind::Percent(decimal(number.as_str(), span_of(&number))?),
                span,
            ))
        }
        Rule::quantity_lit => {
            let mut c = Children::of(pair);
            let number = c.next()?;
            let amount = decimal(number.as_str(), span_of(&number))?;
            let unit = c.next()?;
            let unit = Ident {
                name: unit.as_str().to_string(),
                span: span_of(&unit),
            };
            Ok(Expr::new(ExprKind::Quantity { amount, unit }, span))
        }
        Rule::number_lit => Ok(Expr::new(
            ExprKind::Number(decimal(pair.as_str(), span)?),
            span,
        )),
        Rule::string => Ok(Expr::new(ExprKind::Text(string(pair)?.value), span)),
        Rule::bool_lit => {
            let word = Children::of(pair).next()?;
            Ok(Expr::new(
                ExprKind::Bool(word.as_rule() == Rule::kw_true),
                span,
            ))
        }
        _ => Err(shape(span)),
    }
}

/// `a op b op c …`, left-associative. `op_of` maps an operator's text to its operator.
/// `not not x`, `- -x`: the operand, then each prefix operator from the innermost out.
fn prefixed(pair: P, span: Span) -> R<Expr> {
    let children: Vec<P> = pair.into_inner().collect();
    let (operand, prefixes) = children.split_last().ok_or_else(|| shape(span))?;
    let mut e = expr(operand.clone())?;
    for prefix in prefixes.iter().rev() {
        let start = span_of(prefix).start;
        let kind = match prefix.as_rule() {
            Rule::kw_not => ExprKind::Not(Box::new(e)),
            _ => ExprKind::Neg(Box::new(e)),
        };
        e = shallow(Expr::new(kind, Span::new(start, span.end)))?;
    }
    Ok(e)
}

fn binary_chain(pair: P) -> R<Expr> {
    let mut c = Children::of(pair).rest();
    let first = c.next().ok_or_else(|| shape(Span::default()))?;
    let mut left = expr(first)?;
    while let Some(op_pair) = c.next() {
        let op = bin_op(op_pair.as_str()).ok_or_else(|| shape(span_of(&op_pair)))?;
        let right_pair = c.next().ok_or_else(|| shape(span_of(&op_pair)))?;
        let right = expr(right_pair)?;
        let span = left.span.join(right.span);
        left = shallow(Expr::new(
            ExprKind::Binary(op, Box::new(left), Box::new(right)),
            span,
        ))?;
    }
    Ok(left)
}

/// The operator an operator's text (or `and` / `or` keyword) stands for.
fn bin_op(text: &str) -> Option<BinOp> {
    Some(match text {
        "or" => BinOp::Or,
        "and" => BinOp::And,
        "<=" => BinOp::Le,
        ">=" => BinOp::Ge,
        "==" => BinOp::Eq,
        "!=" => BinOp::Ne,
        "<" => BinOp::Lt,
        ">" => BinOp::Gt,
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        _ => return None,
    })
}

/// A human phrase for each grammar rule, used in "expected …" messages. No catch-all arm:
/// a new rule cannot ship without wording.
pub(crate) fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::WHITESPACE => "whitespace",
        Rule::COMMENT => "a comment",
        Rule::contract => "a contract",
        Rule::contract_header => "`contract NAME`",
        Rule::library => "a library",
        Rule::library_header => "`library NAME`",
        Rule::use_decl => "`use NAME` or `use \"FILE\"`",
        Rule::channel_decl => "`channel NAME`",
        Rule::substitution => "`moves to next|previous WEEKDAY if WEEKDAY`",
        Rule::weekday => "a weekday (`monday` … `sunday`)",
        Rule::kw_library => "`library`",
        Rule::kw_use => "`use`",
        Rule::kw_channel => "`channel`",
        Rule::kw_as => "`as`",
        Rule::kw_moves => "`moves`",
        Rule::kw_next => "`next`",
        Rule::kw_previous => "`previous`",
        Rule::item => "a declaration or a clause",
        Rule::vendor_decl => "`vendor \"…\"`",
        Rule::party_decl => "`party NAME`",
        Rule::unit_decl => "`unit NAME`",
        Rule::holiday_block => "`{ holiday … }`",
        Rule::holiday_decl => "`holiday NAME on MM-DD` or `holiday NAME on easter + N days`",
        Rule::month_day => "a day of the year like `07-14`",
        Rule::easter_date => "`easter` or `easter + N days`",
        Rule::kw_holiday => "`holiday`",
        Rule::kw_easter => "`easter`",
        Rule::quantity_lit => "a quantity like `10 GB`",
        Rule::quantity_unit => "a unit",
        Rule::kw_unit => "`unit`",
        Rule::rate_type => "a rate like `rate USD per EUR`",
        Rule::kw_rate => "`rate`",
        Rule::kw_per => "`per`",
        Rule::currency_decl => "`currency CODE`",
        Rule::timezone_decl => "`timezone \"…\"`",
        Rule::calendar_decl => "`calendar NAME`",
        Rule::notice_decl => "`notices … count on …`",
        Rule::counting => "`sending`, `posting` or `receipt`",
        Rule::event_decl => "`event NAME { … }`",
        Rule::field_decl => "a field `name: type`",
        Rule::optional_mark => "`?`",
        Rule::planned_mark => "`planned`",
        Rule::type_name => "a type",
        Rule::param_decl => "`param NAME: TYPE`",
        Rule::let_decl => "`let NAME = …`",
        Rule::clause => "a clause",
        Rule::clause_kind => "a clause kind (`obligation`, `right`, `term`, `date`, `allocation`, `charge`, `interest`, …)",
        Rule::citation => "`article \"…\"`",
        Rule::clause_item => "a clause line",
        Rule::for_each => "`for each KIND NAME`",
        Rule::on_breach => "`on breach of OBLIGATION`",
        Rule::step_item => "`on KIND NAME => …`",
        Rule::duty => "`PARTY must \"…\"`",
        Rule::prohibition => "`PARTY must not \"…\"`",
        Rule::permission => "`PARTY may \"…\"`",
        Rule::owes => "`PARTY owes PARTY AMOUNT`",
        Rule::deadline => "a deadline",
        Rule::within => "`within DURATION after …`",
        Rule::at_least_before => "`at least DURATION before …`",
        Rule::by_item => "`by …`",
        Rule::via_item => "`via CHANNEL`",
        Rule::fulfilled_by => "`fulfilled by KIND`",
        Rule::exercised_by => "`exercised by KIND`",
        Rule::breached_by => "`breached by KIND`",
        Rule::requires => "`requires CONDITION`",
        Rule::opens => "`opens …`",
        Rule::opens_after => "`after DURATION following …`",
        Rule::opens_on => "`on …`",
        Rule::while_unmet => "`while OBLIGATION unmet`",
        Rule::when_item => "`when CONDITION`",
        Rule::otherwise => "`otherwise \"…\"`",
        Rule::counts_item => "`counts on …`",
        Rule::starts => "`starts …`",
        Rule::lasts => "`lasts DURATION`",
        Rule::renews => "`renews for DURATION`",
        Rule::notice_item => "`notice KIND by PARTY … before end`",
        Rule::is_item => "`is …`",
        Rule::pays_item => "`PARTY pays PARTY by KIND`",
        Rule::order_item => "`order …`",
        Rule::label_item => "`label \"…\"`",
        Rule::order_entry => "a source of debt",
        Rule::oldest_first => "`oldest first`",
        Rule::until_item => "`until …`",
        Rule::party_ref => "a party",
        Rule::business_hours => "`hours HH:MM to HH:MM`",
        Rule::time_lit => "a time like `09:00`",
        Rule::deemed => "`deemed DURATION after posting`",
        Rule::rounding_decl => "`rounding MODE`",
        Rule::roll_decl => "`deadlines roll forward`",
        Rule::rolls_item => "`roll forward`",
        Rule::delay_item => "`delay counted in started periods` or `… whole periods`",
        Rule::during_item => "`during TERM`",
        Rule::period_rule => "`started` or `whole`",
        Rule::channel => "a channel",
        Rule::expr => "an expression",
        Rule::or_expr => "an expression",
        Rule::and_expr => "an expression",
        Rule::not_expr => "an expression",
        Rule::comparison => "an expression",
        Rule::cmp_op => "a comparison",
        Rule::sum => "an expression",
        Rule::add_op => "`+` or `-`",
        Rule::product => "an expression",
        Rule::mul_op => "`*` or `/`",
        Rule::unary => "an expression",
        Rule::neg => "`-`",
        Rule::postfix => "an expression",
        Rule::field_name => "a field name",
        Rule::primary => "a value",
        Rule::if_expr => "`if … then … else …`",
        Rule::band_expr => "`band … { … }`",
        Rule::band_arm => "`below … => …`",
        Rule::band_below => "`below …`",
        Rule::call => "a function call",
        Rule::window => "a window like `6 months before c`",
        Rule::literal => "a literal",
        Rule::money_lit => "an amount like `EUR 75.00`",
        Rule::datetime_lit => "a date-time like `2025-06-10T14:00`",
        Rule::date_lit => "a date like `2025-06-10`",
        Rule::duration_lit => "a duration like `30 days`",
        Rule::business_prefix => "`business`",
        Rule::unit => "a unit (`days`, `weeks`, `months`, `years`, `hours`, `minutes`)",
        Rule::percent_lit => "a percentage like `12%`",
        Rule::number_lit => "a number",
        Rule::decimal => "a number",
        Rule::integer => "a whole number",
        Rule::bool_lit => "`true` or `false`",
        Rule::string => "a quoted string",
        Rule::string_inner => "string text",
        Rule::currency_code => "a currency code like `EUR`",
        Rule::ident => "a name",
        Rule::ident_char => "a letter or digit",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::comma => "`,`",
        Rule::colon => "`:`",
        Rule::dot => "`.`",
        Rule::assign => "`=`",
        Rule::arrow => "`=>`",
        Rule::keyword => "a keyword",
        Rule::kw_contract => "`contract`",
        Rule::kw_vendor => "`vendor`",
        Rule::kw_party => "`party`",
        Rule::kw_currency => "`currency`",
        Rule::kw_timezone => "`timezone`",
        Rule::kw_calendar => "`calendar`",
        Rule::kw_closed => "`closed`",
        Rule::kw_notices => "`notices`",
        Rule::kw_counts => "`counts`",
        Rule::kw_sending => "`sending`",
        Rule::kw_posting => "`posting`",
        Rule::kw_receipt => "`receipt`",
        Rule::kw_event => "`event`",
        Rule::kw_param => "`param`",
        Rule::kw_let => "`let`",
        Rule::kw_obligation => "`obligation`",
        Rule::kw_right => "`right`",
        Rule::kw_term => "`term`",
        Rule::kw_date => "`date`",
        Rule::kw_allocation => "`allocation`",
        Rule::kw_charge => "`charge`",
        Rule::kw_interest => "`interest`",
        Rule::kw_compensation => "`compensation`",
        Rule::kw_penalty => "`penalty`",
        Rule::kw_fee => "`fee`",
        Rule::kw_damages => "`damages`",
        Rule::kw_cap => "`cap`",
        Rule::kw_fine => "`fine`",
        Rule::kw_article => "`article`",
        Rule::kw_for => "`for`",
        Rule::kw_each => "`each`",
        Rule::kw_where => "`where`",
        Rule::kw_on => "`on`",
        Rule::kw_breach => "`breach`",
        Rule::kw_of => "`of`",
        Rule::kw_must => "`must`",
        Rule::kw_not => "`not`",
        Rule::kw_may => "`may`",
        Rule::kw_owes => "`owes`",
        Rule::kw_within => "`within`",
        Rule::kw_after => "`after`",
        Rule::kw_at => "`at`",
        Rule::kw_least => "`least`",
        Rule::kw_before => "`before`",
        Rule::kw_by => "`by`",
        Rule::kw_via => "`via`",
        Rule::kw_or => "`or`",
        Rule::kw_and => "`and`",
        Rule::kw_fulfilled => "`fulfilled`",
        Rule::kw_exercised => "`exercised`",
        Rule::kw_breached => "`breached`",
        Rule::kw_requires => "`requires`",
        Rule::kw_opens => "`opens`",
        Rule::kw_following => "`following`",
        Rule::kw_while => "`while`",
        Rule::kw_unmet => "`unmet`",
        Rule::kw_when => "`when`",
        Rule::kw_otherwise => "`otherwise`",
        Rule::kw_starts => "`starts`",
        Rule::kw_lasts => "`lasts`",
        Rule::kw_renews => "`renews`",
        Rule::kw_tacitly => "`tacitly`",
        Rule::kw_automatically => "`automatically`",
        Rule::kw_notice => "`notice`",
        Rule::kw_end => "`end`",
        Rule::kw_is => "`is`",
        Rule::kw_pays => "`pays`",
        Rule::kw_order => "`order`",
        Rule::kw_oldest => "`oldest`",
        Rule::kw_label => "`label`",
        Rule::kw_value => "`value`",
        Rule::kw_state => "`state`",
        Rule::kw_until => "`until`",
        Rule::kw_if => "`if`",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::kw_band => "`band`",
        Rule::kw_below => "`below`",
        Rule::kw_true => "`true`",
        Rule::kw_deemed => "`deemed`",
        Rule::kw_rounding => "`rounding`",
        Rule::kw_deadlines => "`deadlines`",
        Rule::kw_roll => "`roll`",
        Rule::kw_forward => "`forward`",
        Rule::kw_delay => "`delay`",
        Rule::kw_during => "`during`",
        Rule::kw_counted => "`counted`",
        Rule::kw_in => "`in`",
        Rule::kw_started => "`started`",
        Rule::kw_whole => "`whole`",
        Rule::kw_periods => "`periods`",
        Rule::kw_false => "`false`",
        Rule::deal => "a deal",
        Rule::deal_header => "`deal NAME \"…\" extends \"FILE\"`",
        Rule::deal_item => "`set`, `override`, a declaration or a clause",
        Rule::set_decl => "`set NAME = …`",
        Rule::override_decl => "`override KIND NAME article \"…\" { … }`",
        Rule::kw_deal => "`deal`",
        Rule::kw_extends => "`extends`",
        Rule::kw_set => "`set`",
        Rule::kw_override => "`override`",
        Rule::EOI => "end of file",
    }
}

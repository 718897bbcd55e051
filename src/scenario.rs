//! Scenarios: parsing (in `syntax`) and checking a scenario against a checked contract,
//! into the indexed event history the evaluator reads.

use std::collections::{BTreeMap, HashMap};

use crate::ast::{self, LiteralKind};
use crate::calendar::{AsOf, Moment, WrittenAsOf};
use crate::check::types::Type;
use crate::check::ChannelId;
use crate::check::{Checked, KindId};
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::source::Span;
use crate::value::Value;

/// A checked scenario: facts typed, events typed and sorted, references resolved.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub title: String,
    /// The scenario's own `as of`, placed in the contract's time zone.
    pub as_of: Option<AsOf>,
    pub facts: BTreeMap<String, Value>,
    /// The facts by the contract's value slots ([`crate::check::ValueId`]): what the
    /// evaluator reads.
    pub given: Vec<Option<Value>>,
    /// Facts that replace a value the contract itself fixes: shown on every report, so a
    /// changed price is never silent.
    pub overrides: Vec<Override>,
    /// Warnings about the scenario (a fact that replaces a value the contract fixes is
    /// deprecated): `terms check --contract` shows them.
    pub warnings: Vec<Diagnostic>,
    /// Every event, in date order (ties by id).
    pub events: Vec<EventRecord>,
    /// Event kind → positions in `events`, in date order.
    pub by_kind: Vec<Vec<usize>>,
    /// (referred event, referring kind) → positions of the events of that kind that refer
    /// to it through any field, in date order.
    pub refs: HashMap<(usize, KindId), Vec<usize>>,
    /// Payments the contract refuses, in date order: an event of a kind that settles or
    /// fulfils something, with an amount in a currency its field does not take. They are
    /// kept out of `events` (they pay and fulfil nothing); the report lists them as
    /// rejected. Their references are positions in `events`.
    pub refused: Vec<RefusedPayment>,
}

/// A payment in a currency the contract refuses.
#[derive(Debug, Clone)]
pub struct RefusedPayment {
    /// The event as written, its amount left out.
    pub event: EventRecord,
    /// The currency it is written in.
    pub paid: String,
    /// The currency its field takes.
    pub takes: String,
}

/// A scenario fact that replaces a parameter's value written in the contract.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Override {
    pub param: String,
    /// The contract's value, as written.
    pub contract: String,
    /// The scenario's value.
    pub scenario: String,
}

/// One event of a scenario.
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub id: String,
    pub kind: KindId,
    pub at: Moment,
    pub by: Option<String>,
    /// The channel as written, for the report.
    pub via: Option<String>,
    /// The same channel, resolved: what the evaluator compares.
    pub channel: Option<ChannelId>,
    pub received: Option<Moment>,
    /// The declared fields, by slot ([`crate::check::FieldId`]); absent where not given.
    pub fields: Vec<Value>,
    /// Position among the events of its kind (0 = first).
    pub rank: usize,
    pub span: Span,
}

impl EventRecord {
    /// What the event's `amount: money` field says, if its kind has one and it is given.
    pub fn amount(&self, contract: &Checked) -> Option<rust_decimal::Decimal> {
        let slot = contract.events.get(self.kind)?.amount?;
        match self.fields.get(slot) {
            Some(Value::Money(d)) => Some(*d),
            _ => None,
        }
    }
}

impl Scenario {
    pub fn of_kind(&self, kind: KindId) -> &[usize] {
        self.by_kind.get(kind).map_or(&[], Vec::as_slice)
    }

    /// How many events of `kind` happened at or before `t` (events are in date order).
    pub fn count_until(&self, kind: KindId, t: Moment) -> usize {
        self.of_kind(kind).partition_point(|e| {
            self.events
                .get(*e)
                .is_some_and(|ev| ev.at.sort_key() <= t.sort_key())
        })
    }

    /// The history as it stands at `as_of` (the end of a day, or an instant): the one view
    /// every construct of the evaluator reads. Acts after `as_of` do not exist yet (events of a kind the
    /// contract declares `planned` are known in advance and stay); a receipt after `as_of`
    /// has not happened yet; a reference to an event that does not exist yet reads as absent.
    /// Linear in the number of events.
    pub fn as_of(&self, contract: &Checked, as_of: AsOf) -> Scenario {
        let visible = |e: &EventRecord| {
            as_of.has_happened(e.at) || contract.events.get(e.kind).is_some_and(|k| k.planned)
        };
        let mut new_position: Vec<Option<usize>> = Vec::with_capacity(self.events.len());
        let mut kept = 0usize;
        for event in &self.events {
            if visible(event) {
                new_position.push(Some(kept));
                kept += 1;
            } else {
                new_position.push(None);
            }
        }
        let events: Vec<EventRecord> = self
            .events
            .iter()
            .filter(|e| visible(e))
            .map(|e| {
                let mut e = e.clone();
                if e.received.is_some_and(|r| !as_of.has_happened(r)) {
                    e.received = None;
                }
                for value in e.fields.iter_mut() {
                    if let Value::Event(target) = value {
                        *value = match new_position.get(*target).copied().flatten() {
                            Some(p) => Value::Event(p),
                            None => Value::Absent,
                        };
                    }
                }
                e
            })
            .collect();
        let (events, by_kind, refs) = index(events, contract.events.len());
        let refused = self
            .refused
            .iter()
            .filter(|r| visible(&r.event))
            .map(|r| {
                let mut r = r.clone();
                renumber(&mut r.event, |target| {
                    new_position.get(target).copied().flatten()
                });
                r
            })
            .collect();
        Scenario {
            title: self.title.clone(),
            as_of: self.as_of,
            facts: self.facts.clone(),
            given: self.given.clone(),
            overrides: self.overrides.clone(),
            warnings: self.warnings.clone(),
            events,
            by_kind,
            refs,
            refused,
        }
    }

    /// The positions, among the events of `kind`, of those in a window: a range into
    /// [`Scenario::of_kind`]. O(log n).
    pub fn in_window(&self, kind: KindId, w: &crate::calendar::Window) -> std::ops::Range<usize> {
        let events = self.of_kind(kind);
        let key = |e: &usize| {
            self.events
                .get(*e)
                .map_or(chrono::NaiveDateTime::MIN, |ev| ev.at.sort_key())
        };
        let lo = events.partition_point(|e| {
            let k = key(e);
            k < w.from || (!w.from_included && k == w.from)
        });
        let hi = events.partition_point(|e| {
            let k = key(e);
            k < w.to || (w.to_included && k == w.to)
        });
        lo..hi.max(lo)
    }

    /// Events of `kind` that refer to event `target`.
    pub fn referring(&self, target: usize, kind: KindId) -> &[usize] {
        self.refs.get(&(target, kind)).map_or(&[], Vec::as_slice)
    }
}

/// A fact that replaces a value the contract fixes: deprecated, a scenario states what
/// happened (the value belongs in a deal).
fn fixed_value_fact(name: &crate::ast::Ident, written: &str, given: &str) -> Diagnostic {
    Diagnostic::warning(
        "terms::scenario::fixed_value_fact",
        name.span,
        format!(
            "the fact `{}` replaces the value the contract fixes (`{written}`)",
            name.name
        ),
    )
    .label("a contract value, not what happened")
    .help(format!(
        "a scenario states what happened; set it in a deal: `set {} = {given}` (facts that replace fixed values are deprecated)",
        name.name
    ))
}

/// Checks a scenario against a contract, reporting every problem.
pub fn check_scenario(
    contract: &Checked,
    scenario: &ast::Scenario,
) -> Result<Scenario, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    if let Some(name) = &scenario.contract {
        // A deal's histories may also name the general terms it extends.
        let terms = contract.deal.as_ref().map(|d| d.terms_name.as_str());
        if name.name != contract.name && Some(name.name.as_str()) != terms {
            errors.push(
                Diagnostic::error(
                    "terms::scenario::contract_mismatch",
                    name.span,
                    format!(
                        "the scenario is written for `{}`, not for `{}`",
                        name.name, contract.name
                    ),
                )
                .label("other contract")
                .help(format!(
                    "evaluate it against contracts/{}.terms, or change this line",
                    name.name
                )),
            );
        }
    }
    let mut facts = BTreeMap::new();
    let mut given = vec![None; contract.values.len()];
    let mut overrides = Vec::new();
    let mut warnings = Vec::new();
    let mut fact_spans: HashMap<&str, Span> = HashMap::new();
    for fact in &scenario.facts {
        let Some((slot, param)) = contract.param(&fact.name.name) else {
            let hint = hint(&fact.name.name, contract.params.keys().map(String::as_str));
            errors.push(
                Diagnostic::error(
                    "terms::scenario::unknown_fact",
                    fact.name.span,
                    format!("the contract has no parameter `{}`", fact.name.name),
                )
                .label("unknown fact")
                .help(format!(
                    "{hint}facts give values to the contract's `param`s"
                )),
            );
            continue;
        };
        if let Some(first) = fact_spans.insert(&fact.name.name, fact.name.span) {
            errors.push(
                Diagnostic::error(
                    "terms::scenario::duplicate_id",
                    fact.name.span,
                    format!("the fact `{}` is given twice", fact.name.name),
                )
                .label("given again")
                .also(first, "first given here")
                .help("give each fact once"),
            );
            continue;
        }
        match literal(contract, &fact.value, &param.ty, &HashMap::new()) {
            Ok(v) => {
                if let Some(value) = &param.value {
                    let written = contract
                        .source
                        .get(value.span.start..value.span.end)
                        .unwrap_or("")
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    let given = match &v {
                        Value::Money(d) => format!("{} {d}", contract.currency),
                        other => other.to_string(),
                    };
                    warnings.push(fixed_value_fact(&fact.name, &written, &given));
                    overrides.push(Override {
                        param: fact.name.name.clone(),
                        contract: written,
                        scenario: v.to_string(),
                    });
                }
                if let Some(g) = given.get_mut(slot) {
                    *g = Some(v.clone());
                }
                facts.insert(fact.name.name.clone(), v);
            }
            Err(d) => errors.push(d),
        }
    }

    // Ids first, so references may point forward.
    let mut ids: HashMap<&str, (usize, &str)> = HashMap::new();
    for (i, event) in scenario.events.iter().enumerate() {
        if let Some((first, _)) = ids.get(event.id.name.as_str()) {
            let first_span = scenario
                .events
                .get(*first)
                .map_or(event.id.span, |e| e.id.span);
            errors.push(
                Diagnostic::error(
                    "terms::scenario::duplicate_id",
                    event.id.span,
                    format!("the event id `{}` is used twice", event.id.name),
                )
                .label("used again")
                .also(first_span, "first used here")
                .help("give every event its own id"),
            );
            continue;
        }
        ids.insert(&event.id.name, (i, &event.kind.name));
    }

    let settling = settling_kinds(contract);
    let mut records: Vec<(usize, EventRecord, Option<Refusal>)> = Vec::new();
    for (i, event) in scenario.events.iter().enumerate() {
        match check_event(contract, event, &ids, &settling) {
            Ok((record, refusal)) => records.push((i, record, refusal)),
            Err(mut es) => errors.append(&mut es),
        }
    }
    let as_of = match &scenario.as_of {
        Some((written, span)) => place_as_of(contract, *written, *span)
            .map_err(|d| errors.push(d))
            .ok(),
        None => None,
    };
    if !errors.is_empty() {
        return Err(errors);
    }

    // Sort by moment, ties by id (never by file order, so the order of lines in the file
    // cannot change a report), then renumber references.
    // A refused payment has no position: references to it read as absent.
    records.sort_by(|(_, a, _), (_, b, _)| (a.at.sort_key(), &a.id).cmp(&(b.at.sort_key(), &b.id)));
    let mut position_of_file_index: Vec<Option<usize>> = vec![None; scenario.events.len()];
    let mut kept = 0usize;
    for (file_index, _, refusal) in &records {
        if refusal.is_none() {
            if let Some(slot) = position_of_file_index.get_mut(*file_index) {
                *slot = Some(kept);
            }
            kept += 1;
        }
    }
    let mut events: Vec<EventRecord> = Vec::with_capacity(kept);
    let mut refused = Vec::new();
    for (_, mut record, refusal) in records {
        renumber(&mut record, |target| {
            position_of_file_index.get(target).copied().flatten()
        });
        match refusal {
            None => events.push(record),
            Some(Refusal { paid, takes }) => refused.push(RefusedPayment {
                event: record,
                paid,
                takes,
            }),
        }
    }
    let (events, by_kind, refs) = index(events, contract.events.len());
    Ok(Scenario {
        title: scenario.title.value.clone(),
        as_of,
        facts,
        given,
        overrides,
        warnings,
        events,
        by_kind,
        refs,
        refused,
    })
}

/// A payment refused for its currency: the currency written and the one its field takes.
struct Refusal {
    paid: String,
    takes: String,
}

/// The kinds whose events settle or fulfil something: an allocation's payments (`pays …
/// by KIND`) and the acts that fulfil an obligation (`fulfilled by KIND`), by [`KindId`].
fn settling_kinds(contract: &Checked) -> Vec<bool> {
    let mut settling = vec![false; contract.events.len()];
    for clause in &contract.clauses {
        let kind = match &clause.body {
            crate::check::Body::Allocation(a) => Some(a.pays),
            crate::check::Body::Obligation(o) if !o.prohibition => o.act,
            _ => None,
        };
        if let Some(flag) = kind.and_then(|k| settling.get_mut(k)) {
            *flag = true;
        }
    }
    settling
}

/// Points an event's references at new positions; a reference without one (an event
/// dropped, or refused) reads as absent.
fn renumber(event: &mut EventRecord, position: impl Fn(usize) -> Option<usize>) {
    for value in event.fields.iter_mut() {
        if let Value::Event(target) = value {
            *value = match position(*target) {
                Some(p) => Value::Event(p),
                None => Value::Absent,
            };
        }
    }
}

/// Events in date order, by kind and by reference.
type Indexed = (
    Vec<EventRecord>,
    Vec<Vec<usize>>,
    HashMap<(usize, KindId), Vec<usize>>,
);

/// Builds the per-kind and per-reference indexes of events already in date order, and
/// numbers each event among those of its kind.
fn index(mut events: Vec<EventRecord>, kinds: usize) -> Indexed {
    let mut by_kind: Vec<Vec<usize>> = vec![Vec::new(); kinds];
    let mut refs: HashMap<(usize, KindId), Vec<usize>> = HashMap::new();
    for (pos, event) in events.iter_mut().enumerate() {
        if let Some(list) = by_kind.get_mut(event.kind) {
            event.rank = list.len();
            list.push(pos);
        }
        for value in &event.fields {
            if let Value::Event(target) = value {
                let list = refs.entry((*target, event.kind)).or_default();
                if list.last() != Some(&pos) {
                    list.push(pos);
                }
            }
        }
    }
    (events, by_kind, refs)
}

fn check_event(
    contract: &Checked,
    event: &ast::Event,
    ids: &HashMap<&str, (usize, &str)>,
    settling: &[bool],
) -> Result<(EventRecord, Option<Refusal>), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let Some(kind) = contract.kind(&event.kind.name) else {
        let hint = hint(
            &event.kind.name,
            contract.kind_ids.keys().map(String::as_str),
        );
        return Err(vec![Diagnostic::error(
            "terms::scenario::unknown_event_kind",
            event.kind.span,
            format!("the contract declares no event kind `{}`", event.kind.name),
        )
        .label("unknown event kind")
        .help(format!(
            "{hint}the kinds are: {}",
            contract
                .kind_ids
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ))]);
    };
    if let Some(party) = &event.by {
        if !contract.parties.contains_key(&party.name) {
            let hint = hint(&party.name, contract.parties.keys().map(String::as_str));
            errors.push(
                Diagnostic::error(
                    "terms::scenario::unknown_party",
                    party.span,
                    format!("`{}` is not a party of the contract", party.name),
                )
                .label("unknown party")
                .help(format!(
                    "{hint}the parties are: {}",
                    contract
                        .parties
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
    }
    if let Some(channel) = &event.via {
        if contract.channels.id(&channel.name).is_none() {
            let names = contract.channels.names();
            let hint = hint(&channel.name, names.iter().copied());
            errors.push(
                Diagnostic::error(
                    "terms::scenario::unknown_channel",
                    channel.span,
                    format!("`{}` is not a channel", channel.name),
                )
                .label("unknown channel")
                .help(format!("{hint}channels are: {}", names.join(", "))),
            );
        }
    }
    // A time with a UTC offset is an instant: moved to the contract's zone. A local time
    // must exist there.
    let at = placed(contract, event.at, event.at_offset, event.at_span).unwrap_or_else(|d| {
        errors.push(d);
        event.at
    });
    let received = event.received.map(|(received, span)| {
        let placed = placed(contract, received, event.received_offset, span);
        (
            placed.unwrap_or_else(|d| {
                errors.push(d);
                received
            }),
            span,
        )
    });
    let mut fields: BTreeMap<&str, Value> = BTreeMap::new();
    let mut refusal = None;
    let mut given: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for (name, value) in &event.fields {
        let Some(field) = kind.fields.get(&name.name) else {
            let hint = hint(&name.name, kind.fields.keys().map(String::as_str));
            errors.push(
                Diagnostic::error(
                    "terms::scenario::unknown_field",
                    name.span,
                    format!("`{}` events have no field `{}`", kind.name, name.name),
                )
                .label("unknown field")
                .help(format!(
                    "{hint}the fields are: {}",
                    kind.fields.keys().cloned().collect::<Vec<_>>().join(", ")
                )),
            );
            continue;
        };
        if fields.contains_key(name.name.as_str()) {
            errors.push(
                Diagnostic::error(
                    "terms::scenario::duplicate_id",
                    name.span,
                    format!("the field `{}` is given twice", name.name),
                )
                .label("given again")
                .help("give each field once"),
            );
            continue;
        }
        given.insert(name.name.as_str());
        match literal(contract, value, &field.ty, ids) {
            Ok(v) => {
                fields.insert(&name.name, v);
            }
            // A payment in a currency the contract refuses is kept out of the evaluation
            // and reported, where its kind settles or fulfils something.
            Err(d)
                if d.code == "terms::scenario::currency_mismatch"
                    && settling.get(kind.id).copied().unwrap_or(false) =>
            {
                if let (LiteralKind::Money { currency, .. }, Some(takes)) =
                    (&value.kind, currency_taken(contract, &field.ty))
                {
                    refusal.get_or_insert(Refusal {
                        paid: currency.clone(),
                        takes,
                    });
                }
                fields.insert(&name.name, Value::Absent);
            }
            Err(d) => errors.push(d),
        }
    }
    for (name, field) in &kind.fields {
        // A field given with a wrong value is reported as such, not also as missing.
        if !field.optional && !given.contains(name.as_str()) {
            errors.push(
                Diagnostic::error(
                    "terms::scenario::missing_field",
                    event.id.span,
                    format!(
                        "the `{}` event `{}` has no `{name}`",
                        kind.name, event.id.name
                    ),
                )
                .label("incomplete event")
                .help(format!("add `{name}: …` ({}) to its fields", field.ty)),
            );
        }
    }
    // A whole day has no hour: a receipt that day is not before a timed sending that day.
    if let Some((received, span)) = received {
        let before = match (received, at) {
            (Moment::DateTime(r), Moment::DateTime(at)) => r < at,
            (r, at) => r.date() < at.date(),
        };
        if before {
            errors.push(
                Diagnostic::error(
                    "terms::scenario::received_before_sent",
                    span,
                    "the event is received before it happened",
                )
                .label("earlier than the event's date")
                .help("the received date is on or after the date after `on`"),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut slots = vec![Value::Absent; kind.slots()];
    for (name, value) in fields {
        if let Some(slot) = kind.fields.get(name).and_then(|f| slots.get_mut(f.id)) {
            *slot = value;
        }
    }
    let record = EventRecord {
        id: event.id.name.clone(),
        kind: kind.id,
        at,
        by: event.by.as_ref().map(|p| p.name.clone()),
        via: event.via.as_ref().map(|c| c.name.clone()),
        channel: event
            .via
            .as_ref()
            .and_then(|c| contract.channels.id(&c.name)),
        received: received.map(|(m, _)| m),
        fields: slots,
        rank: 0,
        span: event.span,
    };
    Ok((record, refusal))
}

/// The currency a money field takes, by code.
fn currency_taken(contract: &Checked, ty: &Type) -> Option<String> {
    match ty {
        Type::Money => Some(contract.currency.clone()),
        Type::MoneyIn(code) => Some(code.clone()),
        _ => None,
    }
}

/// Types a literal against the type the contract declares. A reference becomes
/// `Value::Event(file index)`; the caller renumbers it to date order.
fn literal(
    contract: &Checked,
    literal: &ast::Literal,
    want: &Type,
    ids: &HashMap<&str, (usize, &str)>,
) -> Result<Value, Diagnostic> {
    let value = match (&literal.kind, want) {
        (LiteralKind::Money { amount, currency }, Type::Money) => {
            if *currency != contract.currency {
                return Err(Diagnostic::error(
                    "terms::scenario::currency_mismatch",
                    literal.span,
                    format!(
                        "the amount is in `{currency}` but the contract is in `{}`",
                        contract.currency
                    ),
                )
                .label("other currency")
                .help(format!("write amounts as `{} 1000.00`", contract.currency)));
            }
            Value::Money(*amount)
        }
        (LiteralKind::Money { amount, currency }, Type::MoneyIn(takes)) => {
            if currency != takes {
                return Err(Diagnostic::error(
                    "terms::scenario::currency_mismatch",
                    literal.span,
                    format!("the amount is in `{currency}` but the field takes `{takes}`"),
                )
                .label("other currency")
                .help(format!("write the amount as `{takes} 1000.00`")));
            }
            Value::Money(*amount)
        }
        // A rate is a plain number: units of one currency per unit of the other.
        (LiteralKind::Number(n), Type::Rate { .. }) => Value::Number(*n),
        (LiteralKind::Percent(p), Type::Percent) => Value::Percent(*p),
        (LiteralKind::Number(n), Type::Number) => Value::Number(*n),
        (LiteralKind::Date(d), Type::Time) => Value::Time(Moment::Date(*d)),
        (LiteralKind::Instant(d, offset), Type::Time) => Value::Time(placed(
            contract,
            Moment::DateTime(*d),
            Some(*offset),
            literal.span,
        )?),
        (LiteralKind::DateTime(d), Type::Time) => {
            Value::Time(placed(contract, Moment::DateTime(*d), None, literal.span)?)
        }
        (LiteralKind::Text(t), Type::Text) => Value::Text(t.clone()),
        (LiteralKind::Bool(b), Type::Bool) => Value::Bool(*b),
        (LiteralKind::Duration(d), Type::Duration) => Value::Duration(*d),
        // A quantity in the field's unit, or a plain number counted in it.
        (LiteralKind::Quantity { amount, unit }, Type::Quantity(want)) if unit == want => {
            Value::Number(*amount)
        }
        (LiteralKind::Number(n), Type::Quantity(_)) => Value::Number(*n),
        (LiteralKind::Name(name), Type::Party) => {
            if !contract.parties.contains_key(name) {
                let hint = hint(name, contract.parties.keys().map(String::as_str));
                return Err(Diagnostic::error(
                    "terms::scenario::unknown_party",
                    literal.span,
                    format!("`{name}` is not a party of the contract"),
                )
                .label("unknown party")
                .help(format!(
                    "{hint}the parties are: {}",
                    contract
                        .parties
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            Value::Party(name.clone())
        }
        (LiteralKind::Name(name), Type::Event(kind)) => match ids.get(name.as_str()) {
            Some((index, found)) if found == kind => Value::Event(*index),
            Some((_, found)) => {
                return Err(Diagnostic::error(
                    "terms::scenario::type_mismatch",
                    literal.span,
                    format!("`{name}` is a `{found}` event, not a `{kind}` event"),
                )
                .label("wrong kind of event")
                .help(format!("refer to the id of a `{kind}` event")))
            }
            None => {
                let hint = hint(
                    name,
                    ids.iter()
                        .filter(|(_, (_, k))| k == kind)
                        .map(|(id, _)| *id),
                );
                return Err(Diagnostic::error(
                    "terms::scenario::unknown_reference",
                    literal.span,
                    format!("no event has the id `{name}`"),
                )
                .label("unknown event")
                .help(format!(
                    "{hint}refer to the id of a `{kind}` event of this scenario"
                )));
            }
        },
        (_, want) => {
            return Err(Diagnostic::error(
                "terms::scenario::type_mismatch",
                literal.span,
                format!("expected {want}, found {}", describe(&literal.kind)),
            )
            .label(format!("not {want}"))
            .help(example(want)))
        }
    };
    Ok(value)
}

/// Places an evaluation date or instant in the contract's time zone, as an event's time is.
pub fn place_as_of(
    contract: &Checked,
    written: WrittenAsOf,
    span: Span,
) -> Result<AsOf, Diagnostic> {
    Ok(match placed(contract, written.at, written.offset, span)? {
        Moment::Date(day) => AsOf::EndOfDay(day),
        Moment::DateTime(at) => AsOf::At(at),
    })
}

/// A local date-time the contract's time zone skips (the hour the clocks move forward).
/// Where a written time stands in the contract's zone: a time with a UTC offset is an
/// instant, moved there; a local time must exist there (not skipped by a clock change).
fn placed(
    contract: &Checked,
    written: Moment,
    offset: Option<i32>,
    span: Span,
) -> Result<Moment, Diagnostic> {
    let (Some(offset), Moment::DateTime(local)) = (offset, written) else {
        return match skipped_time(contract, written, span) {
            Some(d) => Err(d),
            None => Ok(written),
        };
    };
    contract
        .calendar
        .local_from_offset(local, offset)
        .filter(|local| crate::calendar::in_range(local.date()))
        .map(Moment::DateTime)
        .ok_or_else(|| {
            Diagnostic::error(
                "terms::scenario::nonexistent_time",
                span,
                "the time cannot be placed in the contract's time zone",
            )
            .label("out of range")
            .help("write a time within the supported years, with an offset of at most 23:59")
        })
}

fn skipped_time(contract: &Checked, at: Moment, span: Span) -> Option<Diagnostic> {
    let Moment::DateTime(local) = at else {
        return None;
    };
    let (from, to) = contract.calendar.skipped(local)?;
    let instead = local
        .checked_add_signed(to.signed_duration_since(from))
        .unwrap_or(to);
    Some(
        Diagnostic::error(
            "terms::scenario::nonexistent_time",
            span,
            format!(
                "the local time {} does not exist in {}: the clocks move from {} to {} that day",
                local.format("%Y-%m-%dT%H:%M"),
                contract.calendar.tz.name(),
                from.format("%H:%M"),
                to.format("%H:%M"),
            ),
        )
        .label("skipped by the change to summer time")
        .help(format!(
            "write `{}` ({} before the change), or the local time the event really happened",
            instead.format("%Y-%m-%dT%H:%M"),
            local.format("%H:%M"),
        )),
    )
}

fn describe(kind: &LiteralKind) -> &'static str {
    match kind {
        LiteralKind::Money { .. } => "an amount",
        LiteralKind::Percent(_) => "a percentage",
        LiteralKind::Number(_) => "a number",
        LiteralKind::Date(_) => "a date",
        LiteralKind::DateTime(_) => "a date-time",
        LiteralKind::Text(_) => "a text",
        LiteralKind::Bool(_) => "a yes/no value",
        LiteralKind::Duration(_) => "a duration",
        LiteralKind::Name(_) => "a name",
        LiteralKind::Quantity { .. } => "a quantity",
        LiteralKind::Instant(..) => "a date-time with a UTC offset",
    }
}

fn example(ty: &Type) -> String {
    match ty {
        Type::Money => String::from("write an amount such as `EUR 1000.00`"),
        Type::Percent => String::from("write a percentage such as `99.5%`"),
        Type::Number => String::from("write a number such as `12` or `3.5`"),
        Type::Time => String::from("write a date such as `2025-06-10` or `2025-06-10T14:00`"),
        Type::Text => String::from("write a quoted text"),
        Type::Bool => String::from("write `true` or `false`"),
        Type::Event(kind) => format!("write the id of a `{kind}` event"),
        Type::Party => String::from("write the name of a party of the contract"),
        Type::Duration => String::from("write a duration such as `12 months`"),
        Type::Delay => String::from("a delay is computed, not given"),
        Type::Window => String::from("a window is computed, not given"),
        Type::Quantity(unit) => format!("write a quantity such as `12 {unit}` (or a plain number)"),
        Type::MoneyIn(code) => format!("write an amount such as `{code} 1000.00`"),
        Type::Rate { to, from } => format!("write a rate such as `1.08` ({to} per {from})"),
    }
}

fn hint<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match did_you_mean(name, candidates) {
        Some(s) => format!("did you mean `{s}`? "),
        None => String::new(),
    }
}

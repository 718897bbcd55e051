//! Histories in machine formats: JSON lines (`.jsonl`) and CSV (`.csv`), as accounting and
//! monitoring systems export them. Each is read into the same [`Scenario`] the scenario
//! grammar produces, with spans into the JSON-lines or CSV text, so the checker, the
//! evaluator and the diagnostics work on them unchanged. Values are written as in a
//! scenario (`EUR 12.00`, `5%`, `2025-03-03`, an event id) and read by the scenario
//! grammar's own literal rules (see [`super::scenario`]).

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::scenario::{parse_head, parse_moment, parse_name, parse_value};
use super::{check_limits, decimal};
use crate::ast::{Event, Fact, Ident, Literal, LiteralKind, Scenario, Text};
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::source::Span;

/// Which fields hold text: `(Some(kind), field)` for an event field, `(None, name)` for a
/// fact. A text field's value is taken as it is written (`medium`, not `"medium"`); every
/// other value is read as in a scenario. Without a contract, nothing is text.
pub type TextFields<'a> = &'a dyn Fn(Option<&str>, &str) -> bool;

/// The code of every JSON-lines problem that is not about a value.
pub const JSONL: &str = "terms::syntax::jsonl";
/// The code of every CSV problem that is not about a value.
pub const CSV: &str = "terms::syntax::csv";

/// How many problems one history reports before it stops.
const MAX_ERRORS: usize = 50;

/// The keys of an event that are not fields.
const EVENT_KEYS: [&str; 6] = ["id", "kind", "on", "by", "via", "received"];
/// The keys of a JSON-lines header.
const HEADER_KEYS: [&str; 4] = ["scenario", "contract", "as_of", "facts"];
/// The keys of a whole history on one line (`terms eval --batch -`).
const HISTORY_KEYS: [&str; 5] = ["scenario", "contract", "as_of", "facts", "events"];

/// One cell of a row or one JSON value, before it is read.
#[derive(Debug)]
enum Cell<'t> {
    /// A string. `exact` when its text is exactly the file's bytes at `span` (no escapes,
    /// no doubled quotes); otherwise `span` covers the whole written cell.
    Str {
        text: Cow<'t, str>,
        span: Span,
        exact: bool,
    },
    /// A JSON number, as written.
    Number {
        raw: &'t str,
        span: Span,
    },
    Bool(bool, Span),
    /// Not given: JSON `null`, or an empty CSV cell.
    Null,
    /// A JSON array or object where a value was expected.
    Nested(Span),
}

/// A key (a JSON key or a CSV column name) with its span.
#[derive(Debug, Clone)]
struct Key<'t> {
    name: Cow<'t, str>,
    span: Span,
}

/// Collects problems, up to [`MAX_ERRORS`].
struct Reader<'a> {
    code: &'static str,
    texts: TextFields<'a>,
    errors: Vec<Diagnostic>,
}

impl<'a> Reader<'a> {
    fn new(code: &'static str, texts: TextFields<'a>) -> Reader<'a> {
        Reader {
            code,
            texts,
            errors: Vec::new(),
        }
    }

    fn error(&mut self, d: Diagnostic) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(d);
        }
    }

    fn full(&self) -> bool {
        self.errors.len() >= MAX_ERRORS
    }

    fn shape(&mut self, span: Span, message: String, label: &str, help: &str) {
        let d = Diagnostic::error(self.code, span, message)
            .label(label)
            .help(help);
        self.error(d);
    }

    /// A name (id, kind, party, channel) from a cell.
    fn name(&mut self, key: &Key, cell: &Cell) -> Option<Ident> {
        match cell {
            Cell::Str { text, span, exact } => {
                match parse_name(text, if *exact { span.start } else { 0 }) {
                    Ok(mut ident) => {
                        if !exact {
                            ident.span = *span;
                        }
                        Some(ident)
                    }
                    Err(mut d) => {
                        if !exact {
                            d.span = *span;
                        }
                        d.message = format!("`{}` must be a name: {}", key.name, d.message);
                        d.help = String::from(
                            "ids, kinds, parties and channels are letters, digits, `_` and `-`, \
                             starting with a letter or `_` (`inv-1`, `registered_letter`)",
                        );
                        self.error(d);
                        None
                    }
                }
            }
            other => {
                self.not_a_string(key, other);
                None
            }
        }
    }

    fn not_a_string(&mut self, key: &Key, cell: &Cell) {
        let span = match cell {
            Cell::Number { span, .. } | Cell::Bool(_, span) | Cell::Nested(span) => *span,
            Cell::Str { span, .. } => *span,
            Cell::Null => key.span,
        };
        self.shape(
            span,
            format!("`{}` must be a string", key.name),
            "not a string",
            "write it in quotes, as in `\"id\": \"inv-1\"`",
        );
    }

    /// A date or date-time from a cell.
    fn moment(
        &mut self,
        key: &Key,
        cell: &Cell,
    ) -> Option<(crate::calendar::Moment, Option<i32>, Span)> {
        match cell {
            Cell::Str { text, span, exact } => {
                match parse_moment(text, if *exact { span.start } else { 0 }) {
                    Ok((at, zone, at_span)) => {
                        Some((at, zone, if *exact { at_span } else { *span }))
                    }
                    Err(mut d) => {
                        if !exact {
                            d.span = *span;
                        }
                        if d.code == "terms::syntax::unexpected" {
                            d.message = format!("`{}` must be a date: {}", key.name, d.message);
                            d.help = String::from(
                                "write a date as YYYY-MM-DD or a local date-time as \
                                 YYYY-MM-DDTHH:MM, e.g. `2025-03-03` or `2025-03-03T14:00`",
                            );
                        }
                        self.error(d);
                        None
                    }
                }
            }
            other => {
                self.not_a_string(key, other);
                None
            }
        }
    }

    /// A field or fact value; `None` when not given or wrong (the problem is recorded).
    fn value(&mut self, kind: Option<&str>, key: &Key, cell: &Cell) -> Option<Literal> {
        match cell {
            Cell::Null => None,
            Cell::Str { text, span, exact } => {
                if (self.texts)(kind, &key.name) {
                    return Some(Literal {
                        kind: LiteralKind::Text(text.to_string()),
                        span: *span,
                    });
                }
                if text.trim().is_empty() {
                    return None;
                }
                match parse_value(text, if *exact { span.start } else { 0 }) {
                    Ok(mut value) => {
                        if !exact {
                            value.span = *span;
                            if let LiteralKind::Duration(d) = &mut value.kind {
                                d.span = *span;
                            }
                        }
                        Some(value)
                    }
                    Err(mut d) => {
                        if !exact {
                            d.span = *span;
                        }
                        self.error(d);
                        None
                    }
                }
            }
            Cell::Number { raw, span } => match decimal(raw, *span) {
                Ok(n) => Some(Literal {
                    kind: LiteralKind::Number(n),
                    span: *span,
                }),
                Err(d) => {
                    self.error(d.help(
                        "write a plain decimal number (`1234.56`, no exponent) or the value \
                         as a string, as in a scenario",
                    ));
                    None
                }
            },
            Cell::Bool(b, span) => Some(Literal {
                kind: LiteralKind::Bool(*b),
                span: *span,
            }),
            Cell::Nested(span) => {
                self.shape(
                    *span,
                    format!("the value of `{}` is an array or an object", key.name),
                    "not a single value",
                    "a value is a string written as in a scenario (`\"EUR 12.00\"`, \
                     `\"inv-1\"`), a number, `true`, `false` or `null`",
                );
                None
            }
        }
    }

    /// An event from its keys and cells, in order. `span` is its row or object.
    fn event(&mut self, cells: &[(Key, Cell)], span: Span, row: &str) -> Option<Event> {
        let get = |name: &str| cells.iter().find(|(k, _)| k.name == name);
        let given = |name: &str| get(name).filter(|(_, c)| !is_empty(c));
        let mut missing = Vec::new();
        for key in ["id", "kind", "on"] {
            if given(key).is_none() {
                missing.push(format!("`{key}`"));
            }
        }
        if !missing.is_empty() {
            self.shape(
                span,
                format!("the event {row} has no {}", missing.join(" or ")),
                "incomplete event",
                "every event has an `id`, a `kind` and the date it happened `on`",
            );
            return None;
        }
        let (id_key, id_cell) = given("id")?;
        let (kind_key, kind_cell) = given("kind")?;
        let (on_key, on_cell) = given("on")?;
        let id = self.name(id_key, id_cell);
        let kind = self.name(kind_key, kind_cell);
        let at = self.moment(on_key, on_cell);
        let by = given("by").and_then(|(k, c)| self.name(k, c));
        let via = given("via").and_then(|(k, c)| self.name(k, c));
        let received = given("received").and_then(|(k, c)| self.moment(k, c));
        let kind_name = kind.as_ref().map(|k| k.name.clone());
        let mut fields = Vec::new();
        for (key, cell) in cells {
            if EVENT_KEYS.contains(&key.name.as_ref()) {
                continue;
            }
            if let Some(value) = self.value(kind_name.as_deref(), key, cell) {
                let name = Ident {
                    name: key.name.to_string(),
                    span: key.span,
                };
                fields.push((name, value));
            }
        }
        let (at, at_offset, at_span) = at?;
        let received_offset = received.and_then(|(_, zone, _)| zone);
        Some(Event {
            id: id?,
            kind: kind?,
            at,
            at_offset,
            at_span,
            by,
            via,
            received: received.map(|(m, _, s)| (m, s)),
            received_offset,
            fields,
            span,
        })
    }

    /// Keys given twice in one object or header row.
    fn duplicates(&mut self, cells: &[(Key, Cell)]) {
        for (i, (key, _)) in cells.iter().enumerate() {
            if let Some((first, _)) = cells.iter().take(i).find(|(k, _)| k.name == key.name) {
                let d = Diagnostic::error(
                    self.code,
                    key.span,
                    format!("`{}` is given twice", key.name),
                )
                .label("given again")
                .also(first.span, "first given here")
                .help("give each key once");
                self.error(d);
            }
        }
    }
}

fn is_empty(cell: &Cell) -> bool {
    match cell {
        Cell::Null => true,
        Cell::Str { text, .. } => text.trim().is_empty(),
        _ => false,
    }
}

/// The file's name without folder and extension: the title of a history that gives none.
pub fn default_title(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => base.to_string(),
    }
}

fn untitled(title: &str) -> Text {
    Text {
        value: title.to_string(),
        span: Span::new(0, 0),
    }
}

/// A history with no header line yet: the caller's title, nothing else.
fn empty_history(title: &str) -> Scenario {
    Scenario {
        title: untitled(title),
        contract: None,
        as_of: None,
        facts: Vec::new(),
        events: Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------
// JSON lines

/// A JSON object's keys and raw values, in order, borrowed from the text.
struct Object<'t>(Vec<(Cow<'t, str>, &'t RawValue)>);

impl<'de> Deserialize<'de> for Object<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ObjectVisitor)
    }
}

struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Object<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<Str<'de>>()? {
            let value: &'de RawValue = map.next_value()?;
            out.push((key.0, value));
        }
        Ok(Object(out))
    }
}

/// A JSON string, borrowed from the text when it has no escapes.
struct Str<'t>(Cow<'t, str>);

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor)
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Str<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Str(Cow::Owned(v.to_string())))
    }
}

/// Where a slice borrowed from `base` starts in it.
fn offset_in(base: &str, part: &str) -> Option<usize> {
    let at = (part.as_ptr() as usize).checked_sub(base.as_ptr() as usize)?;
    (at + part.len() <= base.len()).then_some(at)
}

/// The span of a slice borrowed from `base`, or `fallback`.
fn span_in(base: &str, part: &str, fallback: Span) -> Span {
    offset_in(base, part).map_or(fallback, |at| Span::new(at, at + part.len()))
}

/// Reads JSON text of one object at `span` of `base`.
fn object<'t>(
    base: &'t str,
    json: &'t str,
    span: Span,
    r: &mut Reader,
) -> Option<Vec<(Key<'t>, Cell<'t>)>> {
    let object: Object<'t> = match serde_json::from_str(json) {
        Ok(o) => o,
        Err(e) => {
            json_error(base, json, span, &e, r);
            return None;
        }
    };
    let mut cells = Vec::with_capacity(object.0.len());
    for (name, raw) in object.0 {
        let value_span = span_in(base, raw.get(), span);
        let key_span = match &name {
            Cow::Borrowed(k) => span_in(base, k, value_span),
            Cow::Owned(_) => value_span,
        };
        let cell = cell(base, raw, value_span);
        cells.push((
            Key {
                name,
                span: key_span,
            },
            cell,
        ));
    }
    r.duplicates(&cells);
    Some(cells)
}

/// A JSON syntax error, at the place serde_json stopped.
fn json_error(base: &str, json: &str, span: Span, e: &serde_json::Error, r: &mut Reader) {
    let start = offset_in(base, json).unwrap_or(span.start);
    // serde_json counts lines and columns (bytes) from 1 within `json`.
    let mut at = start;
    let mut line = 1;
    for (i, c) in json.char_indices() {
        if line == e.line() {
            at = start + i;
            break;
        }
        if c == '\n' {
            line += 1;
        }
    }
    let at = (at + e.column().saturating_sub(1)).min(start + json.len());
    let mut at = at.min(base.len());
    while !base.is_char_boundary(at) {
        at -= 1;
    }
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(cut) => text.get(..cut).unwrap_or(&text).to_string(),
        None => text,
    };
    let end = base
        .get(at..)
        .and_then(|rest| rest.chars().next())
        .map_or(at, |c| at + c.len_utf8());
    r.shape(
        Span::new(at, end),
        format!("this line is not a JSON object: {message}"),
        "invalid JSON here",
        "each line of a `.jsonl` history is one JSON object, as in \
         `{\"id\": \"inv-1\", \"kind\": \"invoice\", \"on\": \"2025-03-03\", \"amount\": \"EUR 2000.00\"}`",
    );
}

fn cell<'t>(base: &'t str, raw: &'t RawValue, span: Span) -> Cell<'t> {
    let json = raw.get();
    match json.as_bytes().first() {
        Some(b'"') => match serde_json::from_str::<Str<'t>>(json) {
            Ok(Str(Cow::Borrowed(text))) => Cell::Str {
                text: Cow::Borrowed(text),
                span: span_in(base, text, span),
                exact: offset_in(base, text).is_some(),
            },
            Ok(Str(text)) => Cell::Str {
                text,
                span,
                exact: false,
            },
            Err(_) => Cell::Nested(span),
        },
        Some(b't') => Cell::Bool(true, span),
        Some(b'f') => Cell::Bool(false, span),
        Some(b'n') => Cell::Null,
        Some(b'[' | b'{') => Cell::Nested(span),
        _ => Cell::Number { raw: json, span },
    }
}

/// The lines of a text that hold something, with their spans (without the line break).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str, Span)> {
    let mut start = 0;
    text.split('\n').enumerate().filter_map(move |(i, line)| {
        let span = Span::new(start, start + line.len());
        start += line.len() + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        (!line.trim().is_empty()).then_some((
            i + 1,
            line,
            Span::new(span.start, span.start + line.len()),
        ))
    })
}

/// Applies header keys (`scenario`, `contract`, `as_of`, `facts`) to a scenario.
fn header(scenario: &mut Scenario, base: &str, cells: &[(Key, Cell)], r: &mut Reader) {
    for (key, cell) in cells {
        match key.name.as_ref() {
            "scenario" => match cell {
                Cell::Str { text, span, .. } => {
                    scenario.title = Text {
                        value: text.to_string(),
                        span: *span,
                    }
                }
                other => r.not_a_string(key, other),
            },
            "contract" => scenario.contract = r.name(key, cell),
            "as_of" => {
                if let Some((at, offset, span)) = r.moment(key, cell) {
                    let written = crate::calendar::WrittenAsOf { at, offset };
                    scenario.as_of = Some((written, span));
                }
            }
            "facts" => facts(scenario, base, key, cell, r),
            _ => {}
        }
    }
}

fn facts(scenario: &mut Scenario, base: &str, key: &Key, cell: &Cell, r: &mut Reader) {
    let Cell::Nested(span) = cell else {
        r.shape(
            key.span,
            String::from("`facts` must be an object"),
            "not an object",
            "give the facts as `\"facts\": {\"licence_price\": \"EUR 24000.00\"}`",
        );
        return;
    };
    let Some(json) = base.get(span.start..span.end) else {
        return;
    };
    if !json.starts_with('{') {
        r.shape(
            *span,
            String::from("`facts` must be an object"),
            "not an object",
            "give the facts as `\"facts\": {\"licence_price\": \"EUR 24000.00\"}`",
        );
        return;
    }
    let Some(cells) = object(base, json, *span, r) else {
        return;
    };
    for (name_key, value) in &cells {
        let name = Ident {
            name: name_key.name.to_string(),
            span: name_key.span,
        };
        if let Some(value) = r.value(None, name_key, value) {
            scenario.facts.push(Fact { name, value });
        }
    }
}

/// Reports keys of a header or a whole history that mean nothing there.
fn unknown_keys(cells: &[(Key, Cell)], known: &[&str], what: &str, r: &mut Reader) {
    for (key, _) in cells {
        if !known.contains(&key.name.as_ref()) {
            let hint = match did_you_mean(&key.name, known.iter().copied()) {
                Some(k) => format!("did you mean `{k}`? "),
                None => String::new(),
            };
            let listed = known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            r.shape(
                key.span,
                format!("`{}` is not a key of {what}", key.name),
                "unknown key",
                &format!("{hint}{what} has the keys {listed}"),
            );
        }
    }
}

/// Parses a JSON-lines history: an optional header object (`scenario`, `contract`,
/// `as_of`, `facts`; recognised by having no `id`, `kind` or `on`), then one event object
/// per line. `title` is used when the header gives none.
pub fn parse_jsonl(
    text: &str,
    title: &str,
    texts: TextFields,
) -> Result<Scenario, Vec<Diagnostic>> {
    check_limits_of_size(text)?;
    let mut r = Reader::new(JSONL, texts);
    let mut scenario = empty_history(title);
    for (n, (number, line, span)) in lines(text).enumerate() {
        if r.full() {
            break;
        }
        if !line.trim_start().starts_with('{') {
            let at = span.start + (line.len() - line.trim_start().len());
            r.shape(
                Span::new(at, span.end.min(at + 1).max(at)),
                format!("line {number} is not a JSON object"),
                "expected `{`",
                "each line of a `.jsonl` history is one JSON object: a first header line \
                 `{\"scenario\": \"…\", \"as_of\": \"…\"}` (optional), then one event per line",
            );
            continue;
        }
        let Some(cells) = object(text, line, span, &mut r) else {
            continue;
        };
        let is_event = cells
            .iter()
            .any(|(k, _)| matches!(k.name.as_ref(), "id" | "kind" | "on"));
        if n == 0 && !is_event {
            unknown_keys(&cells, &HEADER_KEYS, "the header", &mut r);
            header(&mut scenario, text, &cells, &mut r);
            continue;
        }
        if let Some(event) = r.event(&cells, span, &format!("on line {number}")) {
            scenario.events.push(event);
        }
    }
    finish(scenario, r)
}

/// Parses one whole history written on one line (`terms eval --batch -`): an object with
/// `scenario`, `contract`, `as_of`, `facts` and `events`, an array of event objects.
pub fn parse_history_line(
    text: &str,
    title: &str,
    texts: TextFields,
) -> Result<Scenario, Vec<Diagnostic>> {
    check_limits_of_size(text)?;
    let mut r = Reader::new(JSONL, texts);
    let mut scenario = empty_history(title);
    let trimmed = text.trim();
    let span = span_in(text, trimmed, Span::new(0, text.len()));
    if !trimmed.starts_with('{') {
        r.shape(
            Span::new(span.start, span.start + trimmed.chars().next().map_or(0, char::len_utf8)),
            String::from("the line is not a JSON object"),
            "expected `{`",
            "each line is one history: `{\"scenario\": \"…\", \"as_of\": \"…\", \"events\": [{…}, …]}`",
        );
        return finish(scenario, r);
    }
    let Some(cells) = object(text, trimmed, span, &mut r) else {
        return finish(scenario, r);
    };
    unknown_keys(&cells, &HISTORY_KEYS, "a history", &mut r);
    header(&mut scenario, text, &cells, &mut r);
    match cells.iter().find(|(k, _)| k.name == "events") {
        None => r.shape(
            span,
            String::from("the history has no `events`"),
            "no events",
            "give the events as `\"events\": [{\"id\": \"inv-1\", \"kind\": \"invoice\", \"on\": \"2025-03-03\"}, …]`",
        ),
        Some((key, cell)) => events(&mut scenario, text, key, cell, &mut r),
    }
    finish(scenario, r)
}

fn events(scenario: &mut Scenario, base: &str, key: &Key, cell: &Cell, r: &mut Reader) {
    let array = match cell {
        Cell::Nested(span) => base
            .get(span.start..span.end)
            .filter(|j| j.starts_with('['))
            .map(|j| (j, *span)),
        _ => None,
    };
    let Some((json, span)) = array else {
        r.shape(
            key.span,
            String::from("`events` must be an array of event objects"),
            "not an array",
            "give the events as `\"events\": [{\"id\": \"inv-1\", \"kind\": \"invoice\", \"on\": \"2025-03-03\"}, …]`",
        );
        return;
    };
    let items: Vec<&RawValue> = match serde_json::from_str(json) {
        Ok(items) => items,
        Err(e) => {
            json_error(base, json, span, &e, r);
            return;
        }
    };
    for (i, item) in items.into_iter().enumerate() {
        if r.full() {
            break;
        }
        let item_span = span_in(base, item.get(), span);
        if !item.get().starts_with('{') {
            r.shape(
                item_span,
                format!("event {} is not a JSON object", i + 1),
                "not an object",
                "each event is an object: `{\"id\": \"inv-1\", \"kind\": \"invoice\", \"on\": \"2025-03-03\"}`",
            );
            continue;
        }
        let Some(cells) = object(base, item.get(), item_span, r) else {
            continue;
        };
        if let Some(event) = r.event(&cells, item_span, &format!("number {}", i + 1)) {
            scenario.events.push(event);
        }
    }
}

fn check_limits_of_size(text: &str) -> Result<(), Vec<Diagnostic>> {
    // Values are parsed one at a time: only the size limit applies (no nesting to bound).
    if text.len() > super::MAX_SCENARIO_BYTES {
        return check_limits(text, super::MAX_SCENARIO_BYTES).map_err(|d| vec![d]);
    }
    Ok(())
}

fn finish(scenario: Scenario, r: Reader) -> Result<Scenario, Vec<Diagnostic>> {
    if r.errors.is_empty() {
        Ok(scenario)
    } else {
        Err(r.errors)
    }
}

// ---------------------------------------------------------------------------------------
// CSV

/// The first word of a `#` line that makes it a header line; any other `#` line is a
/// comment.
const HEAD_WORDS: [&str; 4] = ["scenario", "contract", "as", "fact"];

/// Parses a CSV history: leading `#` lines in the scenario language (`# scenario "…"`,
/// `# contract NAME`, `# as of DATE`, `# fact NAME = VALUE`; other `#` lines are comments),
/// a header row naming the columns (`id`, `kind`, `on`, `by`, `via`, `received`, then
/// fields), then one event per row. An empty cell is not given.
pub fn parse_csv(text: &str, title: &str, texts: TextFields) -> Result<Scenario, Vec<Diagnostic>> {
    check_limits_of_size(text)?;
    let mut r = Reader::new(CSV, texts);
    // The header block: the leading lines that are blank or start with `#`, with the `#`
    // of header lines blanked and comment lines blanked whole, so offsets stay the file's.
    let mut head = String::new();
    let mut in_head = false;
    for line in text.split('\n') {
        if line.trim().is_empty() {
            head.push_str(&" ".repeat(line.len()));
        } else if let Some(rest) = line.strip_prefix('#') {
            let word = rest
                .trim_start()
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("");
            if HEAD_WORDS.contains(&word) {
                in_head = true;
                head.push(' ');
                head.push_str(rest);
            } else {
                head.push_str(&" ".repeat(line.len()));
            }
        } else {
            break;
        }
        head.push('\n');
    }
    let mut scenario = if in_head {
        match parse_head(head.trim_end_matches('\n'), untitled(title)) {
            Ok(s) => s,
            Err(mut d) => {
                if d.code == "terms::syntax::unexpected" {
                    d.help = String::from(
                        "the `#` lines before the header row are `# scenario \"title\"`, \
                         `# contract NAME`, `# as of YYYY-MM-DD` and `# fact NAME = VALUE` \
                         (other `#` lines are comments)",
                    );
                }
                return Err(vec![d]);
            }
        }
    } else {
        empty_history(title)
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut columns: Option<Vec<Key>> = None;
    let mut lines = LineCounter { at: 0, line: 1 };
    let mut record = csv::StringRecord::new();
    loop {
        if r.full() {
            break;
        }
        let start = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e
                    .position()
                    .and_then(|p| usize::try_from(p.byte()).ok())
                    .unwrap_or(0)
                    .min(text.len());
                r.shape(
                    Span::new(at, at),
                    format!("this row cannot be read as CSV: {e}"),
                    "unreadable row",
                    "write one event per row, cells separated by `,`, quoted with `\"` when they hold a `,`",
                );
                break;
            }
        }
        let row_start = skip_comments(
            text,
            record
                .position()
                .and_then(|p| usize::try_from(p.byte()).ok())
                .unwrap_or_else(|| usize::try_from(start).unwrap_or(0)),
        );
        let spans = cell_spans(text, row_start, &record);
        let row_end = spans.last().map_or(row_start, |(s, _)| s.end);
        let row = Span::new(row_start, row_end);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match &columns {
            None => {
                let keys = header_row(&record, &spans, row, &mut r);
                if !r.errors.is_empty() {
                    // Rows cannot be read without their columns.
                    break;
                }
                columns = Some(keys);
            }
            Some(keys) => {
                let line = lines.line_of(text, row_start);
                if record.len() != keys.len() {
                    r.shape(
                        row,
                        format!(
                            "row {line} has {} cells, the header row names {} columns",
                            record.len(),
                            keys.len()
                        ),
                        "wrong number of cells",
                        "give every row one cell per column, empty when not given (`inv-1,invoice,2025-03-03,,,`)",
                    );
                    continue;
                }
                let cells: Vec<(Key, Cell)> = keys
                    .iter()
                    .zip(record.iter().zip(spans.iter()))
                    .map(|(key, (value, (span, exact)))| {
                        let cell = if value.trim().is_empty() {
                            Cell::Null
                        } else {
                            Cell::Str {
                                text: Cow::Borrowed(value),
                                span: *span,
                                exact: *exact,
                            }
                        };
                        (key.clone(), cell)
                    })
                    .collect();
                if let Some(event) = r.event(&cells, row, &format!("on line {line}")) {
                    scenario.events.push(event);
                }
            }
        }
    }
    if columns.is_none() && r.errors.is_empty() {
        let at = head.len().min(text.len());
        r.shape(
            Span::new(at, at),
            String::from("the file has no header row"),
            "expected a header row",
            "start the table with a row naming its columns: `id,kind,on,by,via,received,amount,…`",
        );
    }
    // Texts borrowed from the reader's record are copied into the scenario by now.
    finish(scenario, r)
}

/// Where a record starts: the reader may place it at the comment or blank lines before it.
fn skip_comments(text: &str, mut at: usize) -> usize {
    loop {
        let rest = text.get(at..).unwrap_or("");
        if rest.starts_with('#') {
            at += rest.find('\n').map_or(rest.len(), |i| i + 1);
        } else if rest.starts_with('\n') {
            at += 1;
        } else if rest.starts_with("\r\n") {
            at += 2;
        } else {
            return at;
        }
    }
}

/// The 1-based line of byte offsets met in increasing order, counted once.
struct LineCounter {
    at: usize,
    line: usize,
}

impl LineCounter {
    fn line_of(&mut self, text: &str, at: usize) -> usize {
        if at >= self.at {
            let newlines = text
                .get(self.at..at)
                .map_or(0, |t| t.bytes().filter(|b| *b == b'\n').count());
            self.line += newlines;
            self.at = at;
        }
        self.line
    }
}

/// The column names of the header row.
fn header_row(
    record: &csv::StringRecord,
    spans: &[(Span, bool)],
    row: Span,
    r: &mut Reader,
) -> Vec<Key<'static>> {
    let keys: Vec<Key<'static>> = record
        .iter()
        .zip(spans)
        .map(|(name, (span, _))| Key {
            name: Cow::Owned(name.trim().to_string()),
            span: *span,
        })
        .collect();
    let cells: Vec<(Key, Cell)> = keys.iter().map(|k| (k.clone(), Cell::Null)).collect();
    r.duplicates(&cells);
    let missing: Vec<String> = ["id", "kind", "on"]
        .iter()
        .filter(|c| !keys.iter().any(|k| k.name == **c))
        .map(|c| format!("`{c}`"))
        .collect();
    if !missing.is_empty() {
        r.shape(
            row,
            format!("the header row has no {} column", missing.join(" or ")),
            "header row",
            "name the columns in the first row: `id,kind,on,by,via,received`, then the fields (`amount`, `invoice`, …)",
        );
    }
    for key in &keys {
        if key.name.is_empty() {
            r.shape(
                key.span,
                String::from("a column has no name"),
                "empty column name",
                "name every column in the header row",
            );
        }
    }
    keys
}

/// The span of each cell of a record in the file, and whether the cell's text is exactly
/// the file's bytes there (not quoted with doubled quotes inside). A cell whose text does
/// not match gets the span of its whole written form.
fn cell_spans(text: &str, start: usize, record: &csv::StringRecord) -> Vec<(Span, bool)> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(record.len());
    let mut at = start;
    for value in record {
        let cell_start = at;
        let (content, end) = if bytes.get(at) == Some(&b'"') {
            // Quoted: up to the quote not doubled.
            let mut i = at + 1;
            loop {
                match bytes.get(i) {
                    Some(b'"') if bytes.get(i + 1) == Some(&b'"') => i += 2,
                    Some(b'"') | None => break,
                    Some(_) => i += 1,
                }
            }
            let content = Span::new(at + 1, i.min(text.len()));
            let mut j = (i + 1).min(text.len());
            while !matches!(bytes.get(j), Some(b',' | b'\n' | b'\r') | None) {
                j += 1;
            }
            (content, j)
        } else {
            let mut j = at;
            while !matches!(bytes.get(j), Some(b',' | b'\n' | b'\r') | None) {
                j += 1;
            }
            (Span::new(at, j), j)
        };
        let exact = text.get(content.start..content.end) == Some(value);
        let span = if exact {
            content
        } else {
            Span::new(cell_start, end)
        };
        out.push((span, exact));
        at = if bytes.get(end) == Some(&b',') {
            end + 1
        } else {
            end
        };
    }
    out
}

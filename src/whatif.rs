//! `terms eval --what-if`: acts added to a scenario for one run, and what they change.
//!
//! The acts are written as the scenario language's `event` lines, the word `event` and the
//! id optional (`termination on 2025-07-01 by customer via email`). They are parsed from
//! their own source (named `--what-if`, so a diagnostic points into them), appended to the
//! scenario's events and checked with them. The scenario is evaluated twice at the same
//! evaluation point, without and with the acts, and the entries of the two reports are
//! compared (see [`changes`]).
//!
//! The evaluation point is `--as-of`, else the scenario's `as of`. When an added act (or its
//! receipt) is after the scenario's point, both runs are evaluated as of the end of the day
//! of the latest added act instead, and the answer says so ([`WhatIf::moved_from`]); an act
//! after an explicit `--as-of` is an error (`terms::cli::what_if_after_as_of`), since it
//! would not exist for the evaluator.

use std::collections::HashMap;

use serde::Serialize;

use crate::ast;
use crate::calendar::{AsOf, Moment, WrittenAsOf};
use crate::diagnostic::{Diagnostic, FileDiagnostics};
use crate::eval::{self, Outcome, Source};
use crate::money::format_grouped;
use crate::report::Report;
use crate::source::{SourceFile, Span};
use crate::Failure;

/// The name of the source the acts are read from, in diagnostics.
pub const SOURCE_NAME: &str = "--what-if";

/// The answer to a what-if question: the report with the added acts, and what they changed.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The report with the added acts.
    pub report: Report,
    /// The report without them, at the same evaluation point.
    pub without: Report,
    pub what_if: WhatIf,
}

/// What the added acts are and what they changed (the `what_if` object of the JSON report).
#[derive(Debug, Clone, Serialize)]
pub struct WhatIf {
    pub acts: Vec<Act>,
    /// The evaluation point of both runs.
    pub as_of: String,
    /// The scenario's evaluation point, when an added act after it moved the evaluation to
    /// the end of that act's day; else `null`.
    pub moved_from: Option<String>,
    /// The entries that appear, disappear or change, in report order.
    pub changes: Vec<Change>,
}

/// One added act.
#[derive(Debug, Clone, Serialize)]
pub struct Act {
    /// The id written, or the one given (`what-if-1`, …).
    pub id: String,
    pub kind: String,
    /// When it happened, placed in the contract's time zone.
    pub on: String,
    /// The act as written.
    pub text: String,
}

/// An entry that differs between the report without the added acts and the one with them.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub change: ChangeKind,
    /// `obligation`, `violation`, `right`, `amount`, `total`, `date`, `rejected`, `value`,
    /// `notice`, `allocation` or `outstanding`.
    pub section: &'static str,
    /// The article (empty for a total).
    pub article: String,
    pub clause_id: String,
    pub event: Option<String>,
    /// What the entry is about (`client must pay the invoice`, `interest client → ecom`).
    pub entry: String,
    /// The entry's value without the acts (`null` when it appears).
    pub before: Option<String>,
    /// The entry's value with the acts (`null` when it disappears).
    pub after: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Appears,
    Disappears,
    Changes,
}

impl ChangeKind {
    pub fn word(self) -> &'static str {
        match self {
            ChangeKind::Appears => "appears",
            ChangeKind::Disappears => "disappears",
            ChangeKind::Changes => "changes",
        }
    }
}

/// The JSON form of an answer: the report with the acts, and its `what_if` object last.
#[derive(Serialize)]
struct Json<'a> {
    #[serde(flatten)]
    report: &'a Report,
    what_if: &'a WhatIf,
}

impl Answer {
    /// The report's JSON with a `what_if` object after its other keys.
    pub fn to_json(&self) -> String {
        self.json_of(&self.report)
    }

    /// [`Answer::to_json`] of another form of the report (`explain ENTRY` keeps only some
    /// entries).
    pub fn json_of(&self, report: &Report) -> String {
        let json = Json {
            report,
            what_if: &self.what_if,
        };
        serde_json::to_string_pretty(&json).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// The text form: the `WHAT IF` block, then the report with the acts.
    pub fn to_text(&self) -> String {
        format!("{}\n{}", self.what_if.to_text(), self.report.to_text())
    }
}

impl WhatIf {
    /// The acts, the evaluation point and the changes, one per line.
    pub fn to_text(&self) -> String {
        let mut out = String::from("WHAT IF\n");
        for act in &self.acts {
            out.push_str(&format!("  added      [{}] {}\n", act.id, act.text));
        }
        match &self.moved_from {
            Some(from) => out.push_str(&format!(
                "  as of      {} (the day of the latest added act, after the scenario's {from}), with and without the added acts\n",
                self.as_of
            )),
            None => out.push_str(&format!(
                "  as of      {}, with and without the added acts\n",
                self.as_of
            )),
        }
        if self.changes.is_empty() {
            out.push_str("  (the added acts change no entry)\n");
        }
        for c in &self.changes {
            let article = if c.article.is_empty() {
                String::new()
            } else {
                format!("§{} ", c.article)
            };
            let event = c
                .event
                .as_ref()
                .map_or(String::new(), |e| format!(" [{e}]"));
            let value = match (&c.before, &c.after) {
                (Some(b), Some(a)) => format!("{b} → {a}"),
                (None, Some(a)) => a.clone(),
                (Some(b), None) => b.clone(),
                (None, None) => String::new(),
            };
            out.push_str(&format!(
                "  {:<10} {article}{} {}{event}: {value}\n",
                c.change.word(),
                c.section,
                c.entry
            ));
        }
        out
    }
}

/// Evaluates a scenario without and with the acts of `acts` (a source named
/// [`SOURCE_NAME`]), as of `as_of` or the scenario's own evaluation point (see the module's
/// documentation).
pub fn run(
    contract_file: &SourceFile,
    scenario_file: &SourceFile,
    acts: &SourceFile,
    as_of: Option<WrittenAsOf>,
) -> Result<Answer, Failure> {
    answer(contract_file, scenario_file, acts, as_of, None)
}

/// [`run`] with explanations, as `terms explain --what-if`: `entry`, when given, must be a
/// clause id, an article or an event id of the scenario with the acts.
pub fn explain(
    contract_file: &SourceFile,
    scenario_file: &SourceFile,
    acts: &SourceFile,
    as_of: Option<WrittenAsOf>,
    entry: Option<&str>,
) -> Result<Answer, Failure> {
    answer(contract_file, scenario_file, acts, as_of, Some(entry))
}

/// `explain` is `Some(entry)` for `terms explain`.
fn answer(
    contract_file: &SourceFile,
    scenario_file: &SourceFile,
    acts: &SourceFile,
    as_of: Option<WrittenAsOf>,
    explain: Option<Option<&str>>,
) -> Result<Answer, Failure> {
    let (contract, _warnings) = crate::load_contract(contract_file)?;
    let base_ast = crate::parse_scenario_file(Some(&contract), scenario_file)?;
    let base = crate::scenario::check_scenario(&contract, &base_ast)
        .map_err(|ds| Failure::in_file(scenario_file, ds))?;
    let mut added = crate::syntax::parse_what_if(&acts.text).map_err(|mut d| {
        if d.code == "terms::syntax::unexpected" {
            d.help = String::from(
                "write each act as a scenario event line, the word `event` and the id optional: \
                 `KIND on DATE [by PARTY] [via CHANNEL] [received DATE] [{ field: value, … }]`, \
                 e.g. `payment on 2025-03-30 by client { amount: EUR 600.00, invoice: inv-1 }`",
            );
        }
        Failure::in_file(acts, vec![d])
    })?;
    name_acts(&mut added, &base_ast);
    // The acts' spans are moved past the scenario's text, so each diagnostic of the merged
    // check can be told to belong to the scenario or to the acts.
    let offset = scenario_file.text.len() + 1;
    let mut merged_ast = base_ast.clone();
    merged_ast.events.extend(added.iter().cloned().map(|mut e| {
        shift_event(&mut e, offset);
        e
    }));
    let merged = crate::scenario::check_scenario(&contract, &merged_ast)
        .map_err(|ds| split(ds, offset, scenario_file, acts))?;
    if let Some(Some(entry)) = explain {
        crate::check_entry(&contract, &merged, entry)?;
    }

    // When each act happened, placed in the contract's zone, and the latest that is not of
    // a planned kind (a planned event exists before it happens).
    let placed: HashMap<&str, (Moment, Option<Moment>)> = merged
        .events
        .iter()
        .map(|e| (e.id.as_str(), (e.at, e.received)))
        .collect();
    let mut latest: Option<(Moment, Span)> = None;
    for act in &added {
        let Some((at, received)) = placed.get(act.id.name.as_str()) else {
            continue;
        };
        if contract.kind(&act.kind.name).is_some_and(|k| k.planned) {
            continue;
        }
        let last = match received {
            Some(r) if later(*r, *at) => *r,
            _ => *at,
        };
        let span = match (&act.received, received) {
            (Some((_, s)), Some(r)) if later(*r, *at) => *s,
            _ => act.at_span,
        };
        if latest.is_none_or(|(m, _)| later(last, m)) {
            latest = Some((last, span));
        }
    }

    let (point, moved_from) = match as_of {
        Some(written) => {
            let point =
                crate::scenario::place_as_of(&contract, written, Span::new(0, 0)).map_err(|d| {
                    Failure::in_file(scenario_file, vec![d.label("the `--as-of` time")])
                })?;
            if let Some((at, span)) = latest.filter(|(m, _)| !point.has_happened(*m)) {
                return Err(Failure::in_file(
                    acts,
                    vec![Diagnostic::error(
                        "terms::cli::what_if_after_as_of",
                        span,
                        format!("this act ({at}) is after the evaluation point {point} given by `--as-of`"),
                    )
                    .label("after --as-of")
                    .help("leave out `--as-of` (the evaluation then moves to the day of the latest added act), or give a later one")],
                ));
            }
            (Some(point), None)
        }
        None => match (base.as_of, latest) {
            (Some(point), Some((at, _))) if !point.has_happened(at) => {
                (Some(AsOf::EndOfDay(at.date())), Some(point.to_string()))
            }
            (point, _) => (point, None),
        },
    };
    let written = point.map(|p| match p {
        AsOf::EndOfDay(d) => WrittenAsOf::from(d),
        AsOf::At(t) => WrittenAsOf::from(t),
    });
    let limits = eval::Limits {
        explain: explain.is_some(),
        ..eval::Limits::default()
    };
    let without = crate::evaluate_loaded(
        &contract,
        contract_file,
        &base,
        scenario_file,
        written,
        limits,
    )?;
    let report = crate::evaluate_loaded(
        &contract,
        contract_file,
        &merged,
        scenario_file,
        written,
        limits,
    )?;
    let acts_out = added
        .iter()
        .map(|e| Act {
            id: e.id.name.clone(),
            kind: e.kind.name.clone(),
            on: placed
                .get(e.id.name.as_str())
                .map_or_else(|| e.at.to_string(), |(at, _)| at.to_string()),
            text: acts
                .text
                .get(e.span.start..e.span.end)
                .unwrap_or_default()
                .to_string(),
        })
        .collect();
    let what_if = WhatIf {
        acts: acts_out,
        as_of: report.as_of.clone(),
        moved_from,
        changes: changes(&without, &report),
    };
    Ok(Answer {
        report,
        without,
        what_if,
    })
}

/// Whether `a` is after `b` (a day is compared by its date with a time).
fn later(a: Moment, b: Moment) -> bool {
    match (a, b) {
        (Moment::DateTime(x), Moment::DateTime(y)) => x > y,
        (a, b) => a.date() > b.date(),
    }
}

/// Gives each act written without an id one that no event of the scenario and no other act
/// has: `what-if-N` for the N-th act.
fn name_acts(acts: &mut [ast::Event], scenario: &ast::Scenario) {
    let mut taken: std::collections::HashSet<String> = scenario
        .events
        .iter()
        .map(|e| e.id.name.clone())
        .chain(acts.iter().map(|e| e.id.name.clone()))
        .collect();
    for (i, act) in acts.iter_mut().enumerate() {
        if !act.id.name.is_empty() {
            continue;
        }
        let mut id = format!("what-if-{}", i + 1);
        let mut n = 1;
        while taken.contains(&id) {
            n += 1;
            id = format!("what-if-{}-{n}", i + 1);
        }
        taken.insert(id.clone());
        act.id.name = id;
    }
}

fn moved(span: Span, by: usize) -> Span {
    Span::new(span.start.saturating_add(by), span.end.saturating_add(by))
}

/// Moves every span of an event by `by` bytes.
fn shift_event(e: &mut ast::Event, by: usize) {
    e.id.span = moved(e.id.span, by);
    e.kind.span = moved(e.kind.span, by);
    e.at_span = moved(e.at_span, by);
    e.span = moved(e.span, by);
    if let Some(by_party) = &mut e.by {
        by_party.span = moved(by_party.span, by);
    }
    if let Some(via) = &mut e.via {
        via.span = moved(via.span, by);
    }
    if let Some((_, span)) = &mut e.received {
        *span = moved(*span, by);
    }
    for (name, value) in &mut e.fields {
        name.span = moved(name.span, by);
        value.span = moved(value.span, by);
        if let ast::LiteralKind::Duration(d) = &mut value.kind {
            d.span = moved(d.span, by);
        }
    }
}

/// The diagnostics of the merged check, each in its own file: a span at or past `offset` is
/// in the acts (moved back), any other in the scenario. A related place in the other file
/// is left out.
fn split(
    diagnostics: Vec<Diagnostic>,
    offset: usize,
    scenario_file: &SourceFile,
    acts: &SourceFile,
) -> Failure {
    let mut in_scenario = Vec::new();
    let mut in_acts = Vec::new();
    for mut d in diagnostics {
        let ours = d.span.start >= offset;
        if ours {
            d.span = Span::new(d.span.start - offset, d.span.end.saturating_sub(offset));
        }
        if let Some(related) = d.related.take() {
            let kept: Vec<(Span, String)> = related
                .into_iter()
                .filter(|(s, _)| (s.start >= offset) == ours)
                .map(|(s, label)| {
                    if ours {
                        (
                            Span::new(s.start - offset, s.end.saturating_sub(offset)),
                            label,
                        )
                    } else {
                        (s, label)
                    }
                })
                .collect();
            if !kept.is_empty() {
                d.related = Some(Box::new(kept));
            }
        }
        if ours {
            in_acts.push(d);
        } else {
            in_scenario.push(d);
        }
    }
    let mut files = Vec::new();
    if !in_scenario.is_empty() {
        files.push(FileDiagnostics::new(scenario_file, in_scenario));
    }
    if !in_acts.is_empty() {
        files.push(FileDiagnostics::new(acts, in_acts));
    }
    Failure { files }
}

/// One entry of a report, as the comparison sees it.
struct Entry {
    section: &'static str,
    article: String,
    clause_id: String,
    event: Option<String>,
    entry: String,
    value: String,
}

fn entry(section: &'static str, s: &Source, what: String, value: String) -> Entry {
    Entry {
        section,
        article: s.clause.clone(),
        clause_id: s.clause_id.clone(),
        event: s.event.clone(),
        entry: what,
        value,
    }
}

/// Every entry of an outcome, in report order.
fn entries(o: &Outcome) -> Vec<Entry> {
    let opt = |m: &Option<Moment>| m.map_or(String::from("-"), |m| m.to_string());
    let money = |currency: &str, amount| format!("{currency} {}", format_grouped(amount));
    let mut out = Vec::new();
    for x in &o.obligations {
        let must = if x.prohibition { "must not" } else { "must" };
        let due = if x.prohibition { "until" } else { "due" };
        let done = x.met_on.map_or(String::new(), |m| format!(" (done {m})"));
        out.push(entry(
            "obligation",
            &x.source,
            format!("{} {must} {}", x.party, x.action),
            format!("{due} {} {}{done}", opt(&x.due), x.status.word()),
        ));
    }
    for x in &o.violations {
        out.push(entry(
            "violation",
            &x.source,
            format!("{} {}", x.party, x.action),
            format!("{} {}", x.kind.word(), x.detail),
        ));
    }
    for x in &o.rights {
        let until = x.until.map_or(String::new(), |u| format!(" until {u}"));
        out.push(entry(
            "right",
            &x.source,
            format!("{} may {}", x.party, x.right),
            format!("from {}{until} {}", opt(&x.from), x.status.word()),
        ));
    }
    for x in &o.amounts {
        out.push(entry(
            "amount",
            &x.source,
            format!("{} {} → {}", x.kind, x.debtor, x.creditor),
            money(&x.currency, x.amount),
        ));
    }
    for t in &o.totals {
        out.push(Entry {
            section: "total",
            article: String::new(),
            clause_id: String::new(),
            event: None,
            entry: format!("{} → {}", t.debtor, t.creditor),
            value: money(&t.currency, t.amount),
        });
    }
    for x in &o.dates {
        out.push(entry(
            "date",
            &x.source,
            x.name.clone(),
            format!("{} ({})", x.date, x.derivation),
        ));
    }
    for x in &o.rejected {
        out.push(entry(
            "rejected",
            &x.source,
            format!("`{}` on {}", x.act, x.on),
            x.reason.clone(),
        ));
    }
    for x in &o.values {
        out.push(entry("value", &x.source, x.name.clone(), x.value.clone()));
    }
    for x in &o.notices {
        let verdict = if x.effective {
            "effective"
        } else {
            "ineffective"
        };
        out.push(entry(
            "notice",
            &x.source,
            format!("notice via {}", x.via.as_deref().unwrap_or("-")),
            format!("{verdict}: {}", x.reason),
        ));
    }
    for x in &o.allocations {
        out.push(entry(
            "allocation",
            &x.source,
            format!("payment {} → {} ({})", x.payment, x.debt, x.debt_kind),
            format!(
                "{} remaining {}",
                money(&x.currency, x.applied),
                format_grouped(x.remaining)
            ),
        ));
    }
    for x in &o.outstanding {
        out.push(entry(
            "outstanding",
            &x.source,
            format!("{} {} → {}", x.debt_kind, x.debtor, x.creditor),
            money(&x.currency, x.amount),
        ));
    }
    out
}

/// The entries that appear, disappear or change from `without` to `with`. Entries are
/// matched by section, clause, event and what they are about: of several alike, an entry
/// with the same value first, then the others in order. The changes are listed in the
/// order of the report with the acts, section by section, each entry that disappears
/// after the others of its section.
pub fn changes(without: &Report, with: &Report) -> Vec<Change> {
    let before = entries(&without.outcome);
    let after = entries(&with.outcome);
    let same = |a: &Entry, b: &Entry| {
        a.section == b.section
            && a.clause_id == b.clause_id
            && a.event == b.event
            && a.entry == b.entry
    };
    // For each entry with the acts, the entry without them it is matched with.
    let mut matched: Vec<Option<usize>> = vec![None; after.len()];
    let mut used = vec![false; before.len()];
    for exact in [true, false] {
        for (i, a) in after.iter().enumerate() {
            if matched.get(i).copied().flatten().is_some() {
                continue;
            }
            let found = before.iter().enumerate().position(|(j, b)| {
                !used.get(j).copied().unwrap_or(true)
                    && same(a, b)
                    && (!exact || a.value == b.value)
            });
            if let Some(j) = found {
                if let Some(u) = used.get_mut(j) {
                    *u = true;
                }
                if let Some(m) = matched.get_mut(i) {
                    *m = Some(j);
                }
            }
        }
    }
    let change = |kind, e: &Entry, before: Option<String>, after: Option<String>| Change {
        change: kind,
        section: e.section,
        article: e.article.clone(),
        clause_id: e.clause_id.clone(),
        event: e.event.clone(),
        entry: e.entry.clone(),
        before,
        after,
    };
    let mut out = Vec::new();
    let sections = [
        "obligation",
        "violation",
        "right",
        "amount",
        "total",
        "date",
        "rejected",
        "value",
        "notice",
        "allocation",
        "outstanding",
    ];
    for section in sections {
        for (i, a) in after
            .iter()
            .enumerate()
            .filter(|(_, a)| a.section == section)
        {
            match matched
                .get(i)
                .copied()
                .flatten()
                .and_then(|j| before.get(j))
            {
                None => out.push(change(ChangeKind::Appears, a, None, Some(a.value.clone()))),
                Some(b) if b.value != a.value => out.push(change(
                    ChangeKind::Changes,
                    a,
                    Some(b.value.clone()),
                    Some(a.value.clone()),
                )),
                Some(_) => {}
            }
        }
        for (j, b) in before
            .iter()
            .enumerate()
            .filter(|(_, b)| b.section == section)
        {
            if !used.get(j).copied().unwrap_or(false) {
                out.push(change(
                    ChangeKind::Disappears,
                    b,
                    Some(b.value.clone()),
                    None,
                ));
            }
        }
    }
    out
}

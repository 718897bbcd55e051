//! The interpreter: a pure function of a checked contract, a checked scenario and an
//! as-of date. No clock, no I/O; ordered iteration so output is deterministic.
//!
//! Work is linear in the number of events: per-kind and per-reference indexes are built
//! once by the scenario checker; obligations are evaluated once per event and memoised;
//! streaks and sums are computed in one pass per expression and reused.

mod allocation;
mod balance;
mod expr;
mod obligation;
pub mod outcome;
mod right;
mod term;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::ast::{Counting, Duration, Opens, Unit};
use crate::calendar::{self, CalendarError, Moment};
use crate::check::types::channel_satisfies;
use crate::check::{is_period, Body, Checked, Clause, DeadlineRule, Obligation, Party, Scope};
use crate::diagnostic::Diagnostic;
use crate::money::{format_amount, format_grouped, round_cents, round_with, rounding_name};
use crate::scenario::Scenario;
use crate::source::Span;
use crate::value::Value;

pub use outcome::*;

/// Bounds that keep evaluation finite whatever the input.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The most renewal periods a term is followed through.
    pub max_periods: usize,
    /// Also record, for `explain`, each clause instance that did not fire and why.
    pub explain: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_periods: 10_000,
            explain: false,
        }
    }
}

/// An evaluation problem, located in the contract.
pub type EvalError = Diagnostic;

/// Evaluates a contract against a scenario as of a date.
pub fn evaluate(
    contract: &Checked,
    scenario: &Scenario,
    as_of: NaiveDate,
    limits: Limits,
) -> Result<Outcome, EvalError> {
    // One history for every construct: nothing dated after the evaluation date exists.
    let history = scenario.as_of(contract, as_of);
    let settlement = allocation::settle(contract, &history);
    let mut engine = Engine {
        settlement,
        c: contract,
        s: &history,
        as_of,
        limits,
        lets: HashMap::new(),
        obligations: HashMap::new(),
        in_progress: HashSet::new(),
        streaks: HashMap::new(),
        sums: HashMap::new(),
        terms: HashMap::new(),
        trace: None,
        not_fired_seen: HashSet::new(),
        clamps: Vec::new(),
        notes: Vec::new(),
        out: Outcome::default(),
    };
    engine.run()?;
    engine.totals()?;
    Ok(engine.out)
}

/// An obligation instance, once evaluated.
#[derive(Debug, Clone)]
struct ObligationState {
    due: Option<Moment>,
    /// How `due` (and `met_on`) were found.
    steps: Vec<Step>,
    status: ObligationStatus,
    met_on: Option<Moment>,
    violation: Option<(ViolationKind, String)>,
    /// For a late or undone obligation: how late.
    delay: Option<(Moment, Moment)>,
}

/// A term, once followed through its renewals.
#[derive(Debug, Clone, Default)]
struct TermState {
    /// The day it ends, when a notice or the lack of a renewal ended it.
    ended: Option<NaiveDate>,
    /// Each renewal's period.
    renewals: Vec<(NaiveDate, NaiveDate)>,
    dates: Vec<DateEntry>,
    notices: Vec<NoticeEntry>,
}

/// One instance of a clause: its event (none for a clause without `for each`) and, under
/// `on breach of`, the breached obligation's delay.
type Instance = (Option<usize>, Option<(Moment, Moment)>);

/// What an expression can see besides the contract's names.
#[derive(Debug, Clone, Copy)]
struct Ctx<'a> {
    clause: usize,
    var: Option<(&'a str, usize)>,
    delay: Option<(Moment, Moment)>,
}

struct Engine<'a> {
    c: &'a Checked,
    s: &'a Scenario,
    as_of: NaiveDate,
    limits: Limits,
    lets: HashMap<String, Value>,
    obligations: HashMap<(usize, Option<usize>), Option<ObligationState>>,
    in_progress: HashSet<(usize, Option<usize>)>,
    /// (clause, expression start) → streak per event of the clause's kind, in kind order.
    streaks: HashMap<(usize, usize), Vec<u32>>,
    /// (kind, field) → prefix sums in kind order.
    sums: HashMap<(String, String), Vec<Decimal>>,
    terms: HashMap<usize, TermState>,
    /// What the allocations applied to each debt.
    settlement: allocation::Settlement,
    /// While an amount is computed: the values of the names and calls it used.
    trace: Option<Vec<(Span, Value)>>,
    /// Instances already recorded as not fired.
    not_fired_seen: HashSet<(usize, Option<usize>)>,
    /// Month additions that had to clamp to a month's end while tracing (Jan 31 + 1 month).
    clamps: Vec<String>,
    /// Further inputs a built-in function reports while tracing (the periods it counted).
    notes: Vec<Input>,
    out: Outcome,
}

impl<'a> Engine<'a> {
    fn run(&mut self) -> Result<(), EvalError> {
        let c = self.c;
        for let_def in &c.lets {
            let ctx = Ctx {
                clause: usize::MAX,
                var: None,
                delay: None,
            };
            // A `let` that needs a missing fact only fails where it is used.
            if let Ok(v) = self.eval(&let_def.value, ctx) {
                self.lets.insert(let_def.name.clone(), v);
            }
        }
        for (index, clause) in c.clauses.iter().enumerate() {
            let result = match &clause.body {
                Body::Obligation(o) => self.emit_obligation(index, clause, o),
                Body::Right(_) => self.emit_right(index, clause),
                Body::Charge(_) => self.emit_charge(index, clause),
                Body::Term(term) => self.term(index).map(|state| {
                    if let Some((party, action)) = &term.on_renewal {
                        for (from, to) in &state.renewals {
                            self.out.obligations.push(ObligationEntry {
                                source: self.source(clause, None),
                                party: self.party_name(party, None),
                                action: action.clone(),
                                prohibition: false,
                                due: Some(Moment::Date(*from)),
                                via: Vec::new(),
                                status: ObligationStatus::Pending,
                                met_on: None,
                                derivation: format!("owed for the renewed period {from} … {to}"),
                                steps: vec![Step::new(
                                    "due",
                                    "the first day of the renewed period",
                                    vec![Input {
                                        name: String::from("period"),
                                        value: format!("{from} … {to}"),
                                    }],
                                    from.to_string(),
                                )],
                            });
                        }
                    }
                    self.out.dates.extend(state.dates);
                    self.out.notices.extend(state.notices);
                }),
                Body::Date(_) => self.emit_date(index, clause),
                Body::Allocation(_) => self.emit_allocation(index, clause),
            };
            match result {
                Err(e)
                    if e.code == "terms::eval::missing_fact"
                        && matches!(clause.scope, Scope::Once) =>
                {
                    self.out.unevaluated.push(Unevaluated {
                        clause_id: clause.id.clone(),
                        clause: clause.article.clone(),
                        reason: e.message,
                    });
                }
                other => other?,
            }
        }
        Ok(())
    }

    /// Adds up the amounts per debtor and creditor, exactly.
    fn totals(&mut self) -> Result<(), EvalError> {
        let mut sums: std::collections::BTreeMap<(String, String), Decimal> =
            std::collections::BTreeMap::new();
        for a in &self.out.amounts {
            let sum = sums
                .entry((a.debtor.clone(), a.creditor.clone()))
                .or_default();
            *sum = sum.checked_add(a.amount).ok_or_else(|| {
                Diagnostic::error(
                    "terms::eval::overflow",
                    Span::default(),
                    "the total of the amounts overflows",
                )
                .label("while adding up the amounts")
                .help("amounts have at most 28 significant digits; check the scenario's figures")
            })?;
        }
        self.out.totals = sums
            .into_iter()
            .map(|((debtor, creditor), amount)| Total {
                debtor,
                creditor,
                amount,
                currency: self.c.currency.clone(),
            })
            .collect();
        Ok(())
    }

    /// The acts of `kind` that count for a clause's event (every act of that kind for a
    /// clause without `for each`), in date order, with the moment each counts on: those that
    /// have happened, came by an accepted channel and have that moment. `notes` says why the
    /// others do not count.
    fn counting_acts(
        &self,
        kind: &str,
        event: Option<usize>,
        via: &[String],
        counts: Option<Counting>,
        notes: &mut Vec<String>,
    ) -> Vec<(usize, Moment)> {
        let candidates: &[usize] = match event {
            Some(e) => self.s.referring(e, kind),
            None => self.s.of_kind(kind),
        };
        let mut out = Vec::new();
        for &candidate in candidates {
            let Some(act) = self.s.events.get(candidate) else {
                continue;
            };
            if !self.happened(act.at) {
                continue;
            }
            let used = act.via.as_deref().unwrap_or("unspecified channel");
            if !via.is_empty() && !via.iter().any(|v| channel_satisfies(used, v)) {
                notes.push(format!(
                    "`{}` by {used} does not count: {} required",
                    act.id,
                    via.join(" or ")
                ));
                continue;
            }
            match self.counts_on(counts, act) {
                Some(at) if !self.happened(at) => notes.push(format!(
                    "`{}` counts on {at}, after the evaluation date",
                    act.id
                )),
                Some(at) => out.push((candidate, at)),
                None => notes.push(format!(
                    "`{}` has no receipt date; it counts on receipt",
                    act.id
                )),
            }
        }
        out
    }

    fn source(&self, clause: &Clause, event: Option<usize>) -> Source {
        Source {
            clause_id: clause.id.clone(),
            clause: clause.article.clone(),
            event: event
                .and_then(|e| self.s.events.get(e))
                .map(|e| e.id.clone()),
        }
    }

    fn as_of_moment(&self) -> Moment {
        Moment::Date(self.as_of)
    }

    /// Whether a deadline has passed as of the evaluation date (the whole as-of day counts
    /// as elapsed for date-times; a whole-day deadline passes after its day).
    fn passed(&self, due: Moment) -> bool {
        match due {
            Moment::Date(d) => d < self.as_of,
            Moment::DateTime(dt) => dt.date() <= self.as_of,
        }
    }

    /// Whether an act has happened as of the evaluation date.
    fn happened(&self, at: Moment) -> bool {
        at.date() <= self.as_of
    }

    fn calendar_error(&self, e: CalendarError, span: Span) -> EvalError {
        Diagnostic::error(
            "terms::eval::date_out_of_range",
            span,
            format!("a date computed here fails: {e}"),
        )
        .label("while computing this date")
        .help(format!(
            "dates must stay within {}–{}",
            calendar::FIRST_YEAR,
            calendar::LAST_YEAR
        ))
    }

    // ------------------------------------------------------------ instances

    /// The event instances of a clause: `None` for a clause without `for each`.
    /// `on breach of` instances carry the delay of the breached obligation.
    fn instances(&mut self, index: usize) -> Result<Vec<Instance>, EvalError> {
        let clause = self.clause(index);
        let mut out = Vec::new();
        match &clause.scope {
            Scope::Once => out.push((None, None)),
            Scope::ForEach { kind, var, filter } => {
                for &event in self.s.of_kind(kind) {
                    if let Some(filter) = filter {
                        let ctx = Ctx {
                            clause: index,
                            var: Some((var.as_str(), event)),
                            delay: None,
                        };
                        if !self.eval(filter, ctx)?.is_true() {
                            if self.limits.explain {
                                let (_, why, _) = self.explain(filter, ctx)?;
                                self.not_fired(
                                    index,
                                    Some(event),
                                    format!("its `where` condition is false: {why}"),
                                );
                            }
                            continue;
                        }
                    }
                    out.push((Some(event), None));
                }
            }
            Scope::OnBreach { obligation, .. } => {
                for (event, _) in self.instances(*obligation)? {
                    if let Some(state) = self.obligation(*obligation, event)? {
                        let late = matches!(
                            state.violation,
                            Some((ViolationKind::Late | ViolationKind::NotDone, _))
                        );
                        if late {
                            out.push((event, state.delay));
                        } else if self.limits.explain {
                            let id = &self.clause(*obligation).id;
                            let due = state.due.map_or(String::new(), |d| format!(", due {d}"));
                            let reason = format!(
                                "`{id}` is not breached: it is {}{due}",
                                state.status.word()
                            );
                            self.not_fired(index, event, reason);
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    fn clause(&self, index: usize) -> &'a Clause {
        let c: &'a Checked = self.c;
        // Indices come from the checker, which numbered these very clauses.
        &c.clauses[index.min(c.clauses.len().saturating_sub(1))]
    }

    fn ctx(&self, index: usize, event: Option<usize>, delay: Option<(Moment, Moment)>) -> Ctx<'a> {
        let clause = self.clause(index);
        let var = match (clause.scope.binding(), event) {
            (Some((var, _)), Some(e)) => Some((var, e)),
            _ => None,
        };
        Ctx {
            clause: index,
            var,
            delay,
        }
    }

    /// Whether the clause's `when` holds for an instance.
    fn applies(&mut self, index: usize, ctx: Ctx<'a>) -> Result<bool, EvalError> {
        let Some(cond) = &self.clause(index).when else {
            return Ok(true);
        };
        if !self.limits.explain {
            return Ok(self.eval(cond, ctx)?.is_true());
        }
        let (holds, why, _) = self.explain(cond, ctx)?;
        if !holds {
            self.not_fired(
                index,
                ctx.var.map(|(_, e)| e),
                format!("its `when` condition is false: {why}"),
            );
        }
        Ok(holds)
    }

    /// Records, for `explain`, that an instance of a clause did not fire, once.
    fn not_fired(&mut self, index: usize, event: Option<usize>, reason: String) {
        if self.limits.explain && self.not_fired_seen.insert((index, event)) {
            let clause = self.clause(index);
            let source = self.source(clause, event);
            self.out.not_fired.push(NotFired { source, reason });
        }
    }

    // ------------------------------------------------------------ charges

    fn emit_charge(&mut self, index: usize, clause: &'a Clause) -> Result<(), EvalError> {
        let Body::Charge(charge) = &clause.body else {
            return Ok(());
        };
        for (event, delay) in self.instances(index)? {
            let ctx = self.ctx(index, event, delay);
            if !self.applies(index, ctx)? {
                continue;
            }
            let (value, inputs) = self.traced(&charge.amount, ctx)?;
            let Value::Money(exact) = value else {
                self.not_fired(index, event, absent(self.text(charge.amount.span), &inputs));
                continue;
            };
            let amount = round_with(exact, self.c.rounding);
            let formula = squash(self.text(charge.amount.span));
            let shown = if exact.normalize().scale() <= 2 {
                format_amount(exact)
            } else {
                exact.normalize().to_string()
            };
            let mut steps = vec![Step::new("amount", formula, inputs, shown)];
            if exact != amount {
                steps.push(Step::new(
                    "rounding",
                    format!("to the cent, {}", rounding_name(self.c.rounding)),
                    Vec::new(),
                    format_amount(amount),
                ));
            }
            let source = self.source(clause, event);
            self.out.amounts.push(AmountEntry {
                source,
                kind: charge.kind.word().to_string(),
                debtor: self.party_name(&charge.debtor, event),
                creditor: self.party_name(&charge.creditor, event),
                amount,
                currency: self.c.currency.clone(),
                computation: computation(&steps, exact, amount),
                steps,
            });
        }
        Ok(())
    }

    /// Evaluates an expression, collecting the values of the names, fields and calls it
    /// used (and any month-end clamping), without disturbing an enclosing trace.
    fn traced(
        &mut self,
        expr: &crate::ast::Expr,
        ctx: Ctx<'a>,
    ) -> Result<(Value, Vec<Input>), EvalError> {
        let saved = self.trace.replace(Vec::new());
        let clamps_before = self.clamps.len();
        let notes_before = self.notes.len();
        let value = self.eval(expr, ctx);
        let trace = std::mem::replace(&mut self.trace, saved).unwrap_or_default();
        let mut inputs = self.inputs(expr.span, &trace);
        inputs.extend(self.notes.drain(notes_before..));
        let clamps: Vec<String> = self.clamps.drain(clamps_before..).collect();
        inputs.extend(clamps.into_iter().map(|c| Input {
            name: String::from("clamped"),
            value: c,
        }));
        Ok((value?, inputs))
    }

    /// `name = value` for each name, field and call an expression used, once each, in
    /// the order they were met; events are shown by id.
    fn inputs(&self, whole: Span, trace: &[(Span, Value)]) -> Vec<Input> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (span, value) in trace {
            let name = squash(self.text(*span));
            if *span == whole || !seen.insert(name.clone()) {
                continue;
            }
            let value = match value {
                Value::Event(e) => self.s.events.get(*e).map_or_else(
                    || value.to_string(),
                    |ev| format!("`{}` ({})", ev.id, ev.at),
                ),
                other => other.to_string(),
            };
            out.push(Input { name, value });
        }
        out
    }

    /// Evaluates a condition and says why it came out as it did:
    /// "`count_in(audit, a - 12 months, a) <= 1` (with count_in(…) = 2)".
    fn explain(
        &mut self,
        cond: &crate::ast::Expr,
        ctx: Ctx<'a>,
    ) -> Result<(bool, String, Step), EvalError> {
        let (value, inputs) = self.traced(cond, ctx)?;
        let holds = value.is_true();
        let formula = squash(self.text(cond.span));
        let mut why = format!("`{formula}`");
        if !inputs.is_empty() {
            let shown: Vec<String> = inputs
                .iter()
                .map(|i| format!("{} = {}", i.name, i.value))
                .collect();
            why.push_str(&format!(" (with {})", shown.join(", ")));
        }
        Ok((
            holds,
            why,
            Step::new("condition", formula, inputs, holds.to_string()),
        ))
    }

    // ------------------------------------------------------------ dates

    fn emit_date(&mut self, index: usize, clause: &'a Clause) -> Result<(), EvalError> {
        let Body::Date(rule) = &clause.body else {
            return Ok(());
        };
        for (event, delay) in self.instances(index)? {
            let ctx = self.ctx(index, event, delay);
            if !self.applies(index, ctx)? {
                continue;
            }
            let (value, inputs) = self.traced(&rule.value, ctx)?;
            let Some(date) = value.as_moment(self.s) else {
                self.not_fired(index, event, absent(self.text(rule.value.span), &inputs));
                continue;
            };
            let step = Step::new(
                "date",
                squash(self.text(rule.value.span)),
                inputs,
                date.to_string(),
            );
            let source = self.source(clause, event);
            self.out.dates.push(DateEntry {
                source,
                name: clause.id.clone(),
                date,
                derivation: step.render(),
                steps: vec![step],
            });
        }
        Ok(())
    }
}

/// The lengths that, added to a term's start in turn, give the day after period `renewals`
/// ends (0 = the first). Lengths of one kind are added as one, from the start, so month ends
/// do not drift (Jan 31 + 1 month, renewed monthly, ends on the 28th, then the 31st); a
/// renewal of another kind (`lasts 1 year`, `renews for 30 days`) is added after the first
/// period, as written.
fn period_steps(lasts: Duration, renews: Option<Duration>, renewals: usize) -> Vec<Duration> {
    let Some(renew) = renews.filter(|_| renewals > 0) else {
        return vec![lasts];
    };
    let extra = u32::try_from(renewals).unwrap_or(u32::MAX);
    // Months and years count in months, days and weeks in days.
    let in_months = |d: Duration| match d.unit {
        Unit::Years => Some(d.count.saturating_mul(12)),
        Unit::Months => Some(d.count),
        _ => None,
    };
    let in_days = |d: Duration| match d.unit {
        Unit::Weeks => Some(d.count.saturating_mul(7)),
        Unit::Days => Some(d.count),
        _ => None,
    };
    if renew.unit == lasts.unit {
        return vec![Duration {
            count: lasts
                .count
                .saturating_add(renew.count.saturating_mul(extra)),
            ..lasts
        }];
    }
    for (convert, unit) in [
        (&in_months as &dyn Fn(Duration) -> Option<u32>, Unit::Months),
        (&in_days, Unit::Days),
    ] {
        if let (Some(a), Some(b)) = (convert(lasts), convert(renew)) {
            return vec![Duration {
                count: a.saturating_add(b.saturating_mul(extra)),
                unit,
                ..lasts
            }];
        }
    }
    vec![
        lasts,
        Duration {
            count: renew.count.saturating_mul(extra),
            ..renew
        },
    ]
}

/// An amount's computation on one line: `formula with a = 1 = 26.3013… → 26.30 (rounded …)`.
fn computation(steps: &[Step], exact: Decimal, rounded: Decimal) -> String {
    let Some(first) = steps.first() else {
        return format_grouped(rounded);
    };
    let mut out = first.formula.clone();
    if !first.inputs.is_empty() {
        let inputs: Vec<String> = first
            .inputs
            .iter()
            .map(|i| format!("{} = {}", i.name, i.value))
            .collect();
        out.push_str(&format!(" with {}", inputs.join(", ")));
    }
    match steps.get(1) {
        None => out.push_str(&format!(" = {}", format_grouped(rounded))),
        Some(rounding) => {
            let shown = exact.round_dp(6).normalize();
            let ellipsis = if exact.round_dp(6) != exact {
                "…"
            } else {
                ""
            };
            out.push_str(&format!(
                " = {shown}{ellipsis} → {} (rounded {})",
                format_grouped(rounded),
                rounding.formula
            ));
        }
    }
    out
}

/// Why a value-less formula stopped a clause: "`nth(reminder, 3)` has no value (with …)".
fn absent(formula: &str, inputs: &[Input]) -> String {
    let mut out = format!("`{}` has no value", squash(formula));
    if !inputs.is_empty() {
        let shown: Vec<String> = inputs
            .iter()
            .map(|i| format!("{} = {}", i.name, i.value))
            .collect();
        out.push_str(&format!(" (with {})", shown.join(", ")));
    }
    out
}

/// Steps as one line: `inv + 30 days with inv = 2025-01-15 = 2025-02-14; …`.
fn render_steps<'s>(steps: impl IntoIterator<Item = &'s Step>) -> String {
    steps
        .into_iter()
        .map(Step::render)
        .collect::<Vec<_>>()
        .join("; ")
}

fn push_detail(detail: &mut String, more: String) {
    if !detail.is_empty() {
        detail.push_str("; ");
    }
    detail.push_str(&more);
}

/// Collapses runs of whitespace, so multi-line formulas read on one line.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "40 days", "2 hours", "1 hour 30 minutes".
fn lateness(due: Moment, at: Moment) -> String {
    match due {
        Moment::Date(d) => {
            let n = calendar::days_between(d, at.date());
            format!("{n} day{}", if n == 1 { "" } else { "s" })
        }
        Moment::DateTime(_) => {
            let minutes = calendar::minutes_between(due, at).max(0);
            let (h, m) = (minutes / 60, minutes % 60);
            let plural = |n: i64| if n == 1 { "" } else { "s" };
            match (h, m) {
                (0, m) => format!("{m} minute{}", plural(m)),
                (h, 0) => format!("{h} hour{}", plural(h)),
                (h, m) => format!("{h} hour{} {m} minute{}", plural(h), plural(m)),
            }
        }
    }
}

impl Value {
    fn is_true(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    /// A date or an event's date.
    fn as_moment(&self, s: &Scenario) -> Option<Moment> {
        match self {
            Value::Time(m) => Some(*m),
            Value::Event(e) => s.events.get(*e).map(|e| e.at),
            _ => None,
        }
    }
}

//! The interpreter: a pure function of a checked contract, a checked scenario and an
//! as-of date. No clock, no I/O; ordered iteration so output is deterministic.
//!
//! Work is linear in the number of events: per-kind and per-reference indexes are built
//! once by the scenario checker; obligations are evaluated once per event and memoised;
//! streaks and sums are computed in one pass per expression and reused.

mod expr;
pub mod outcome;

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
    let mut engine = Engine {
        c: contract,
        s: scenario,
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
    /// While an amount is computed: the values of the names and calls it used.
    trace: Option<Vec<(Span, Value)>>,
    /// Instances already recorded as not fired.
    not_fired_seen: HashSet<(usize, Option<usize>)>,
    /// Month additions that had to clamp to a month's end while tracing (Jan 31 + 1 month).
    clamps: Vec<String>,
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

    // ------------------------------------------------------------ obligations

    /// The state of one instance of an obligation; `None` when it does not apply.
    fn obligation(
        &mut self,
        index: usize,
        event: Option<usize>,
    ) -> Result<Option<ObligationState>, EvalError> {
        if let Some(state) = self.obligations.get(&(index, event)) {
            return Ok(state.clone());
        }
        let clause = self.clause(index);
        if !self.in_progress.insert((index, event)) {
            return Err(Diagnostic::error(
                "terms::eval::cycle",
                clause.span,
                format!("the obligation `{}` depends on itself", clause.id),
            )
            .label("evaluating this clause needs its own result")
            .help("break the cycle between the clauses that use `met`, `due` or `while … unmet`"));
        }
        let Body::Obligation(o) = &clause.body else {
            self.in_progress.remove(&(index, event));
            return Ok(None);
        };
        let ctx = self.ctx(index, event, None);
        // Another clause's trace must not collect this obligation's values.
        let saved = self.trace.take();
        let state = match self.applies(index, ctx) {
            Ok(true) => self.evaluate_obligation(o, ctx),
            Ok(false) => Ok(None),
            Err(e) => Err(e),
        };
        self.trace = saved;
        let state = state?;
        self.in_progress.remove(&(index, event));
        self.obligations.insert((index, event), state.clone());
        Ok(state)
    }

    /// When a deadline falls, and how that was computed.
    fn deadline(
        &mut self,
        rule: &DeadlineRule,
        ctx: Ctx<'a>,
    ) -> Result<Option<(Moment, Vec<Step>)>, EvalError> {
        let Some((due, mut steps)) = self.raw_deadline(rule, ctx)? else {
            return Ok(None);
        };
        let rolls = self.c.clauses.get(ctx.clause).is_some_and(|c| c.rolls);
        if !rolls {
            return Ok(Some((due, steps)));
        }
        let span = self
            .c
            .clauses
            .get(ctx.clause)
            .map_or(Span::default(), |c| c.span);
        let rolled = self
            .c
            .calendar
            .roll_forward(due.date())
            .map_err(|e| self.calendar_error(e, span))?;
        if rolled == due.date() {
            return Ok(Some((due, steps)));
        }
        let moved = match due {
            Moment::Date(_) => Moment::Date(rolled),
            Moment::DateTime(dt) => Moment::DateTime(rolled.and_time(dt.time())),
        };
        steps.push(Step::new(
            "rolled",
            "a deadline on a weekend or public holiday moves to the next working day",
            vec![Input {
                name: String::from("due"),
                value: due.to_string(),
            }],
            moved.to_string(),
        ));
        Ok(Some((moved, steps)))
    }

    fn raw_deadline(
        &mut self,
        rule: &DeadlineRule,
        ctx: Ctx<'a>,
    ) -> Result<Option<(Moment, Vec<Step>)>, EvalError> {
        let (base_expr, duration, forward) = match rule {
            DeadlineRule::Within(d, e) => (e, Some(d), true),
            DeadlineRule::AtLeastBefore(d, e) => (e, Some(d), false),
            DeadlineRule::By(e) => (e, None, true),
        };
        let (value, mut inputs) = self.traced(base_expr, ctx)?;
        let Some(base) = value.as_moment(self.s) else {
            return Ok(None);
        };
        let formula = squash(self.text(base_expr.span));
        let Some(duration) = duration else {
            return Ok(Some((
                base,
                vec![Step::new("due", formula, inputs, base.to_string())],
            )));
        };
        let shifted = self
            .c
            .calendar
            .shift(base, duration, forward)
            .map_err(|e| self.calendar_error(e, duration.span))?;
        let sign = if forward { "+" } else { "−" };
        if !matches!(base_expr.kind, crate::ast::ExprKind::Name(_)) || inputs.is_empty() {
            inputs.push(Input {
                name: formula.clone(),
                value: base.to_string(),
            });
        }
        if shifted.clamped {
            inputs.push(Input {
                name: String::from("clamped"),
                value: String::from("to the month's last day"),
            });
        }
        let step = Step::new(
            "due",
            format!("{formula} {sign} {duration}"),
            inputs,
            shifted.moment.to_string(),
        );
        Ok(Some((shifted.moment, vec![step])))
    }

    fn evaluate_obligation(
        &mut self,
        o: &'a Obligation,
        ctx: Ctx<'a>,
    ) -> Result<Option<ObligationState>, EvalError> {
        let event = ctx.var.map(|(_, e)| e);
        let (due, mut steps) = match &o.deadline {
            Some(rule) => match self.deadline(rule, ctx)? {
                Some((m, steps)) => (Some(m), steps),
                None => {
                    let formula = match rule {
                        DeadlineRule::Within(_, e)
                        | DeadlineRule::AtLeastBefore(_, e)
                        | DeadlineRule::By(e) => e,
                    };
                    let reason = absent(self.text(formula.span), &[]);
                    self.not_fired(ctx.clause, event, format!("its deadline: {reason}"));
                    return Ok(None);
                }
            },
            None => (
                event.and_then(|e| self.s.events.get(e)).map(|e| e.at),
                Vec::new(),
            ),
        };
        if o.prohibition {
            return self.evaluate_prohibition(o, ctx, due, steps).map(Some);
        }
        if let Some(cond) = &o.requires {
            let (holds, why, step) = self.explain(cond, ctx)?;
            steps.push(step);
            let violation = (!holds).then(|| {
                (
                    ViolationKind::ConditionNotMet,
                    format!("{why} does not hold"),
                )
            });
            return Ok(Some(ObligationState {
                due,
                steps,
                status: if holds {
                    ObligationStatus::Met
                } else {
                    ObligationStatus::Violated
                },
                met_on: None,
                violation,
                delay: None,
            }));
        }
        let Some(due) = due else { return Ok(None) };
        let mut notes = Vec::new();
        let (met_on, by) = self.fulfilment(o, event, &mut notes);
        if let (Some(at), Some(act)) = (met_on, by.and_then(|b| self.s.events.get(b))) {
            let counting = o
                .counts
                .unwrap_or_else(|| self.c.notices.counting(act.via.as_deref()).0);
            let kind = o.act.as_deref().unwrap_or("");
            let via = act
                .via
                .as_deref()
                .map_or(String::new(), |v| format!(" by {v}"));
            steps.push(Step::new(
                "met",
                format!(
                    "`{}` ({kind}{via}, {}), counted on {}",
                    act.id,
                    act.at,
                    counting.word()
                ),
                Vec::new(),
                at.to_string(),
            ));
        }
        let mut state = ObligationState {
            due: Some(due),
            steps,
            status: ObligationStatus::Pending,
            met_on,
            violation: None,
            delay: None,
        };
        match met_on {
            Some(at) if at.is_by(due) => state.status = ObligationStatus::Met,
            Some(at) => {
                state.status = ObligationStatus::Violated;
                state.delay = Some((due, at));
                let late = lateness(due, at);
                state.violation = Some((ViolationKind::Late, format!("done {at}, {late} late")));
            }
            None if self.passed(due) => {
                state.status = ObligationStatus::Violated;
                state.delay = Some((due, self.as_of_moment()));
                let overdue = lateness(due, self.as_of_moment());
                let mut detail =
                    format!("not done by {due}; overdue {overdue} as of {}", self.as_of);
                for note in &notes {
                    detail.push_str("; ");
                    detail.push_str(note);
                }
                state.violation = Some((ViolationKind::NotDone, detail));
            }
            None => {}
        }
        Ok(Some(state))
    }

    /// When an obligation was met, by the events of its `fulfilled by` kind that refer to
    /// its event, by an accepted channel. Where both carry an `amount`, it is met when the
    /// amounts paid cover the amount due.
    fn fulfilment(
        &self,
        o: &Obligation,
        event: Option<usize>,
        notes: &mut Vec<String>,
    ) -> (Option<Moment>, Option<usize>) {
        let Some(kind) = &o.act else {
            return (None, None);
        };
        let candidates: &[usize] = match event {
            Some(e) => self.s.referring(e, kind),
            None => self.s.of_kind(kind),
        };
        let owed =
            event
                .and_then(|e| self.s.events.get(e))
                .and_then(|e| match e.fields.get("amount") {
                    Some(Value::Money(d)) => Some(*d),
                    _ => None,
                });
        let mut paid = Decimal::ZERO;
        for &candidate in candidates {
            let Some(act) = self.s.events.get(candidate) else {
                continue;
            };
            if !self.happened(act.at) {
                continue;
            }
            if !o.via.is_empty() {
                let used = act.via.as_deref().unwrap_or("unspecified channel");
                if !o.via.iter().any(|v| channel_satisfies(used, v)) {
                    notes.push(format!(
                        "`{}` by {used} does not count: {} required",
                        act.id,
                        o.via.join(" or ")
                    ));
                    continue;
                }
            }
            let Some(counts) = self.counts_on(o.counts, act) else {
                notes.push(format!(
                    "`{}` has no receipt date; it counts on receipt",
                    act.id
                ));
                continue;
            };
            match (owed, act.fields.get("amount")) {
                (Some(owed), Some(Value::Money(part))) => {
                    // A comparison only: a sum too large to hold certainly covers the amount.
                    paid = paid.saturating_add(*part);
                    if paid >= owed {
                        return (Some(counts), Some(candidate));
                    }
                }
                _ => return (Some(counts), Some(candidate)),
            }
        }
        if let Some(owed) = owed {
            if paid > Decimal::ZERO {
                notes.push(format!(
                    "{} of {} paid",
                    format_grouped(paid),
                    format_grouped(owed)
                ));
            }
        }
        (None, None)
    }

    /// When an act counts: the clause's rule, else the contract's rule for its channel.
    fn counts_on(
        &self,
        clause_rule: Option<Counting>,
        act: &crate::scenario::EventRecord,
    ) -> Option<Moment> {
        let rule = clause_rule.unwrap_or_else(|| self.c.notices.counting(act.via.as_deref()).0);
        match rule {
            Counting::Sending | Counting::Posting => Some(act.at),
            Counting::Receipt => act.received,
            Counting::DeemedReceipt(d) => self
                .c
                .calendar
                .shift(act.at, &d, true)
                .ok()
                .map(|s| s.moment),
        }
    }

    fn evaluate_prohibition(
        &mut self,
        o: &Obligation,
        ctx: Ctx<'a>,
        from: Option<Moment>,
        mut steps: Vec<Step>,
    ) -> Result<ObligationState, EvalError> {
        let until = match &o.until {
            Some(e) => {
                let (value, inputs) = self.traced(e, ctx)?;
                let until = value.as_moment(self.s);
                if let Some(u) = until {
                    steps.push(Step::new(
                        "until",
                        squash(self.text(e.span)),
                        inputs,
                        u.to_string(),
                    ));
                }
                until
            }
            None => None,
        };
        let kind = o.act.as_deref().unwrap_or("");
        let event = ctx.var.map(|(_, e)| e);
        let related = event
            .map(|e| self.s.referring(e, kind))
            .filter(|r| !r.is_empty());
        let candidates = related.unwrap_or_else(|| self.s.of_kind(kind));
        for &candidate in candidates {
            let Some(act) = self.s.events.get(candidate) else {
                continue;
            };
            let after_start = from.is_none_or(|f| f.sort_key() <= act.at.sort_key());
            let before_end = until.is_none_or(|u| act.at.is_by(u));
            if after_start && before_end && self.happened(act.at) {
                let window = until.map_or(String::new(), |u| {
                    format!(" (the restriction runs until {u})")
                });
                return Ok(ObligationState {
                    due: until,
                    steps,
                    status: ObligationStatus::Violated,
                    met_on: None,
                    violation: Some((
                        ViolationKind::ProhibitedAct,
                        format!("`{}` on {}{window}", act.id, act.at),
                    )),
                    delay: None,
                });
            }
        }
        let over = until.is_some_and(|u| self.passed(u));
        Ok(ObligationState {
            due: until,
            steps,
            status: if over {
                ObligationStatus::Met
            } else {
                ObligationStatus::Pending
            },
            met_on: None,
            violation: None,
            delay: None,
        })
    }

    fn emit_obligation(
        &mut self,
        index: usize,
        clause: &'a Clause,
        o: &'a Obligation,
    ) -> Result<(), EvalError> {
        for (event, _) in self.instances(index)? {
            let Some(state) = self.obligation(index, event)? else {
                continue;
            };
            let source = self.source(clause, event);
            self.out.obligations.push(ObligationEntry {
                source: source.clone(),
                party: self.party_name(&o.party, event),
                action: o.action.clone(),
                prohibition: o.prohibition,
                due: state.due,
                via: o.via.clone(),
                status: state.status,
                met_on: state.met_on,
                derivation: render_steps(state.steps.iter().filter(|s| s.what != "met")),
                steps: state.steps.clone(),
            });
            if let Some((kind, detail)) = state.violation {
                let (days_late, minutes_late) = match state.delay {
                    Some((from, to)) => match from {
                        Moment::Date(d) => (Some(calendar::days_between(d, to.date())), None),
                        Moment::DateTime(_) => {
                            (None, Some(calendar::minutes_between(from, to).max(0)))
                        }
                    },
                    None => (None, None),
                };
                self.out.violations.push(ViolationEntry {
                    source,
                    party: self.party_name(&o.party, event),
                    action: o.action.clone(),
                    kind,
                    due: state.due,
                    days_late,
                    minutes_late,
                    detail,
                    consequence: o.otherwise.clone(),
                });
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------ rights

    fn emit_right(&mut self, index: usize, clause: &'a Clause) -> Result<(), EvalError> {
        let Body::Right(r) = &clause.body else {
            return Ok(());
        };
        for (event, delay) in self.instances(index)? {
            let ctx = self.ctx(index, event, delay);
            let mut steps = Vec::new();
            // A right under a condition says why it holds.
            let because = match &clause.when {
                Some(cond) => match self.explain(cond, ctx)? {
                    (true, why, step) => {
                        steps.push(step);
                        Some(format!("because {why} holds"))
                    }
                    (false, ..) => continue,
                },
                None => None,
            };
            let trigger = event.and_then(|e| self.s.events.get(e)).map(|e| e.at);
            let (mut from, mut detail) = match &r.opens {
                Some(Opens::AfterGrace(d, e)) => {
                    let (value, mut inputs) = self.traced(e, ctx)?;
                    let Some(base) = value.as_moment(self.s) else {
                        self.not_fired(index, event, absent(self.text(e.span), &inputs));
                        continue;
                    };
                    let end = self
                        .c
                        .calendar
                        .shift(base, d, true)
                        .map_err(|err| self.calendar_error(err, d.span))?
                        .moment;
                    let from = calendar::add_days(end.date(), 1, true)
                        .map_err(|err| self.calendar_error(err, d.span))?;
                    let formula = squash(self.text(e.span));
                    inputs.push(Input {
                        name: formula.clone(),
                        value: base.to_string(),
                    });
                    inputs.push(Input {
                        name: format!("grace period ends ({formula} + {d})"),
                        value: end.to_string(),
                    });
                    let step = Step::new(
                        "opens",
                        format!("the day after {formula} + {d}"),
                        inputs,
                        from.to_string(),
                    );
                    let detail =
                        format!("opens {from}: the day after {end} = {formula} {base} + {d}");
                    steps.push(step);
                    (Some(Moment::Date(from)), detail)
                }
                Some(Opens::On(e)) => {
                    let (value, inputs) = self.traced(e, ctx)?;
                    let Some(at) = value.as_moment(self.s) else {
                        self.not_fired(index, event, absent(self.text(e.span), &inputs));
                        continue;
                    };
                    let formula = squash(self.text(e.span));
                    steps.push(Step::new("opens", formula.clone(), inputs, at.to_string()));
                    (Some(at), format!("opens {at} = {formula}"))
                }
                None => (trigger, String::new()),
            };
            let mut until = None;
            let mut status = match from {
                Some(f) if !self.happened(f) => RightStatus::NotYetOpen,
                _ => RightStatus::Open,
            };
            if let Some(obligation) = r.while_unmet {
                let Some(state) = self.obligation(obligation, event)? else {
                    continue;
                };
                let obligation_id = &self.clause(obligation).id;
                if let (Some(met), Some(f)) = (state.met_on, from) {
                    if met.date() < f.date() {
                        // Met before the right would open: it never did.
                        let reason = format!("`{obligation_id}` was met on {met}, before the right would open on {f}");
                        self.not_fired(index, event, reason);
                        continue;
                    }
                    until = Some(met);
                    status = RightStatus::Closed;
                    push_detail(
                        &mut detail,
                        format!("closed when `{obligation_id}` was met on {met}"),
                    );
                    steps.push(Step::new(
                        "closes",
                        format!("when `{obligation_id}` is met"),
                        Vec::new(),
                        met.to_string(),
                    ));
                } else {
                    push_detail(&mut detail, format!("while `{obligation_id}` is unmet"));
                }
            }
            let window = match &r.deadline {
                Some(rule) => self.deadline(rule, ctx)?,
                None => None,
            };
            if let Some((end, window_steps)) = window {
                until = Some(end);
                // A window that closes before its event ("at least 15 days before the
                // change") opens when the party learns of it, which the event does not say.
                if r.opens.is_none() && from.is_some_and(|f| f.sort_key() > end.sort_key()) {
                    from = None;
                }
                push_detail(
                    &mut detail,
                    format!("window ends {}", render_steps(&window_steps)),
                );
                steps.extend(window_steps.into_iter().map(|s| Step {
                    what: String::from("window ends"),
                    ..s
                }));
                let (exercised, notes) = self.exercise(r, event, end);
                if let Some((id, at)) = exercised {
                    status = RightStatus::Exercised;
                    push_detail(&mut detail, format!("exercised by `{id}` on {at}"));
                } else if self.passed(end) {
                    status = RightStatus::Lapsed;
                    if let Some(otherwise) = &r.otherwise {
                        push_detail(&mut detail, otherwise.clone());
                    }
                }
                for note in notes {
                    push_detail(&mut detail, note);
                }
            }
            if let Some(because) = because {
                push_detail(&mut detail, because);
            }
            let source = self.source(clause, event);
            self.out.rights.push(RightEntry {
                source,
                party: self.party_name(&r.party, event),
                right: r.action.clone(),
                from,
                until,
                via: r.via.clone(),
                status,
                detail,
                steps,
            });
        }
        Ok(())
    }

    /// The first valid exercise of a windowed right, and notes on the invalid ones.
    fn exercise(
        &self,
        r: &crate::check::Right,
        event: Option<usize>,
        end: Moment,
    ) -> (Option<(String, Moment)>, Vec<String>) {
        let mut notes = Vec::new();
        let Some(kind) = &r.exercised_by else {
            return (None, notes);
        };
        let candidates: &[usize] = match event {
            Some(e) => self.s.referring(e, kind),
            None => self.s.of_kind(kind),
        };
        for &candidate in candidates {
            let Some(act) = self.s.events.get(candidate) else {
                continue;
            };
            if !self.happened(act.at) {
                continue;
            }
            if !r.via.is_empty() {
                let used = act.via.as_deref().unwrap_or("unspecified channel");
                if !r.via.iter().any(|v| channel_satisfies(used, v)) {
                    notes.push(format!(
                        "`{}` by {used} is ineffective: {} required",
                        act.id,
                        r.via.join(" or ")
                    ));
                    continue;
                }
            }
            let Some(at) = self.counts_on(r.counts, act) else {
                notes.push(format!("`{}` has no receipt date", act.id));
                continue;
            };
            if at.is_by(end) {
                return (Some((act.id.clone(), at)), notes);
            }
            notes.push(format!("`{}` on {at} is too late", act.id));
        }
        (None, notes)
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
        let value = self.eval(expr, ctx);
        let trace = std::mem::replace(&mut self.trace, saved).unwrap_or_default();
        let mut inputs = self.inputs(expr.span, &trace);
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

    // ------------------------------------------------------------ terms

    fn term(&mut self, index: usize) -> Result<TermState, EvalError> {
        if let Some(state) = self.terms.get(&index) {
            return Ok(state.clone());
        }
        let clause = self.clause(index);
        let Body::Term(term) = &clause.body else {
            return Ok(TermState::default());
        };
        let ctx = self.ctx(index, None, None);
        let Some(start) = self.eval(&term.starts, ctx)?.as_moment(self.s) else {
            return Ok(TermState::default());
        };
        let start = start.date();
        let Some(lasts) = self.period(&term.lasts, ctx)? else {
            return Ok(TermState::default());
        };
        let renews = match &term.renews {
            Some(e) => self.period(e, ctx)?,
            None => None,
        };
        let source = self.source(clause, None);
        let mut state = TermState::default();
        // Notices, each with the moment it counts, in that order.
        // Notices with the moment they count (none when it counts on receipt and no receipt
        // is given); each is judged in the period it was sent or counts in.
        let mut notices: Vec<(Moment, Option<Moment>, usize, usize)> = Vec::new();
        for (rule_index, rule) in term.notices.iter().enumerate() {
            for &e in self.s.of_kind(&rule.kind) {
                let Some(act) = self.s.events.get(e) else {
                    continue;
                };
                if act.by.as_deref().is_some_and(|p| p != rule.party) || !self.happened(act.at) {
                    continue;
                }
                let counts = self.counts_on(term.counts, act);
                notices.push((counts.unwrap_or(act.at), counts, rule_index, e));
            }
        }
        notices.sort_by_key(|(at, _, _, e)| (at.sort_key(), *e));
        let mut next_notice = 0;
        let mut renewals = 0usize;
        let mut period_start = start;
        loop {
            // Each period is computed from the start, so month ends do not drift.
            let length = period_length(lasts, renews, renewals);
            let next_start = self
                .c
                .calendar
                .shift(Moment::Date(start), &length, true)
                .map_err(|e| self.calendar_error(e, lasts.span))?
                .moment
                .date();
            let period_end = calendar::add_days(next_start, 1, false)
                .map_err(|e| self.calendar_error(e, lasts.span))?;
            let mut deadlines = Vec::new();
            for rule in &term.notices {
                let d = self
                    .c
                    .calendar
                    .shift(Moment::Date(period_end), &rule.before, false)
                    .map_err(|e| self.calendar_error(e, rule.before.span))?
                    .moment;
                deadlines.push(d);
            }
            // The notices of this period: those that count on or before its last day.
            let mut effective = None;
            while let Some(&(at, counts, rule_index, e)) = notices.get(next_notice) {
                if at.date() > period_end {
                    break;
                }
                next_notice += 1;
                let (Some(rule), Some(act), Some(deadline)) = (
                    term.notices.get(rule_index),
                    self.s.events.get(e),
                    deadlines.get(rule_index),
                ) else {
                    continue;
                };
                let used = act.via.as_deref().unwrap_or("unspecified channel");
                let channel_ok =
                    rule.via.is_empty() || rule.via.iter().any(|v| channel_satisfies(used, v));
                let in_time = counts.is_some_and(|c| c.is_by(*deadline));
                let counting = term
                    .counts
                    .unwrap_or_else(|| self.c.notices.counting(act.via.as_deref()).0);
                let reason = match (channel_ok, counts, in_time) {
                    (false, _, _) => {
                        format!("sent by {used}: only {} counts", rule.via.join(" or "))
                    }
                    (true, None, _) => format!(
                        "counts on {}, and no {} date is given",
                        counting.word(),
                        counting.word()
                    ),
                    (true, Some(_), true) => format!(
                        "counts on {} ({at}), by the deadline {deadline}",
                        counting.word()
                    ),
                    (true, Some(_), false) => format!(
                        "counts on {} ({at}), after the deadline {deadline}",
                        counting.word()
                    ),
                };
                let ok = channel_ok && in_time && effective.is_none();
                if ok {
                    effective = Some(act.id.clone());
                }
                state.notices.push(NoticeEntry {
                    source: Source {
                        event: Some(act.id.clone()),
                        ..source.clone()
                    },
                    party: act.by.clone(),
                    via: act.via.clone(),
                    counts_on: counts,
                    deadline: *deadline,
                    effective: ok,
                    reason,
                });
            }
            let period = format!("{period_start} … {period_end}");
            if let Some(id) = effective {
                state.ended = Some(period_end);
                state.dates.push(self.date_entry(
                    &source,
                    "term ends",
                    period_end,
                    format!("ended by notice `{id}`; period {period}"),
                ));
                break;
            }
            let Some(renew) = renews else {
                state.ended = Some(period_end);
                state.dates.push(self.date_entry(
                    &source,
                    "term ends",
                    period_end,
                    format!("fixed term {period}, no renewal"),
                ));
                break;
            };
            let deadline_passed = deadlines.iter().all(|d| self.passed(*d))
                && !deadlines.is_empty()
                || deadlines.is_empty() && period_end < self.as_of;
            if !deadline_passed {
                for (rule, deadline) in term.notices.iter().zip(&deadlines) {
                    state.dates.push(self.date_entry(
                        &source,
                        "termination deadline",
                        deadline.date(),
                        format!(
                            "{deadline} = period end {period_end} − {}; notice by {} via {}",
                            rule.before,
                            rule.party,
                            rule.via.join(" or ")
                        ),
                    ));
                }
                let how = if renewals == 0 {
                    "current period ends"
                } else {
                    "renewed until"
                };
                state.dates.push(self.date_entry(
                    &source,
                    how,
                    period_end,
                    format!("period {period}; renews for {renew} unless notice is given in time"),
                ));
                break;
            }
            renewals += 1;
            if renewals > self.limits.max_periods {
                return Err(Diagnostic::error(
                    "terms::eval::horizon",
                    clause.span,
                    format!(
                        "the term `{}` renews more than {} times before the as-of date",
                        clause.id, self.limits.max_periods
                    ),
                )
                .label("renewed too often")
                .help("check the term's start and length, or evaluate as of an earlier date"));
            }
            let renewed_end = self
                .c
                .calendar
                .shift(
                    Moment::Date(start),
                    &period_length(lasts, renews, renewals),
                    true,
                )
                .and_then(|m| calendar::add_days(m.moment.date(), 1, false))
                .map_err(|e| self.calendar_error(e, lasts.span))?;
            let missed = deadlines
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            state.dates.push(self.date_entry(
                &source,
                "renewed",
                next_start,
                format!("no effective notice by {missed}; renewed for {renew}: {next_start} … {renewed_end}"),
            ));
            state.renewals.push((next_start, renewed_end));
            period_start = next_start;
        }
        self.terms.insert(index, state.clone());
        Ok(state)
    }

    fn date_entry(
        &self,
        source: &Source,
        name: &str,
        date: NaiveDate,
        derivation: String,
    ) -> DateEntry {
        DateEntry {
            source: source.clone(),
            name: name.to_string(),
            date: Moment::Date(date),
            steps: vec![Step::new(
                name,
                derivation.clone(),
                Vec::new(),
                date.to_string(),
            )],
            derivation,
        }
    }

    /// A term's period length, checked: a positive number of days, weeks, months or years.
    fn period(
        &mut self,
        expr: &crate::ast::Expr,
        ctx: Ctx<'a>,
    ) -> Result<Option<Duration>, EvalError> {
        match self.eval(expr, ctx)? {
            Value::Duration(d) if is_period(&d) => Ok(Some(Duration {
                span: expr.span,
                ..d
            })),
            Value::Duration(d) => Err(Diagnostic::error(
                "terms::eval::bad_period",
                expr.span,
                format!("a term cannot last `{d}`"),
            )
            .label("not a term length")
            .help("a term lasts a positive number of calendar days, weeks, months or years")),
            _ => Ok(None),
        }
    }

    /// The name of the party a clause line names, for one instance.
    fn party_name(&self, party: &Party, event: Option<usize>) -> String {
        match party {
            Party::Named(name) => name.clone(),
            Party::OfEvent(field) => {
                let ev = event.and_then(|e| self.s.events.get(e));
                let found = match field.as_str() {
                    "by" => ev.and_then(|e| e.by.clone()),
                    _ => ev.and_then(|e| match e.fields.get(field) {
                        Some(Value::Party(p)) => Some(p.clone()),
                        _ => None,
                    }),
                };
                found.unwrap_or_else(|| String::from("(party not given)"))
            }
        }
    }

    // ------------------------------------------------------------ allocation

    fn emit_allocation(&mut self, _index: usize, clause: &'a Clause) -> Result<(), EvalError> {
        let Body::Allocation(rule) = &clause.body else {
            return Ok(());
        };
        // Debts in the stated order: within a source, oldest first (date order) as written.
        let mut debts: Vec<(usize, Decimal)> = Vec::new(); // (event, outstanding)
        for entry in &rule.order {
            let mut of_kind: Vec<usize> = self.s.of_kind(&entry.source.name).to_vec();
            if !entry.oldest_first {
                of_kind.sort_by_key(|e| {
                    std::cmp::Reverse(self.s.events.get(*e).map(|ev| ev.at.sort_key()))
                });
            }
            for e in of_kind {
                if let Some(Value::Money(amount)) =
                    self.s.events.get(e).and_then(|ev| ev.fields.get("amount"))
                {
                    debts.push((e, *amount));
                }
            }
        }
        let mut first_open = 0; // every debt before it is paid off
        for &payment in self.s.of_kind(&rule.pays) {
            let Some(pay) = self.s.events.get(payment) else {
                continue;
            };
            if !self.happened(pay.at) {
                continue;
            }
            let Some(Value::Money(mut left)) = pay.fields.get("amount").cloned() else {
                continue;
            };
            let mut i = first_open;
            while left > Decimal::ZERO && i < debts.len() {
                let Some((debt, outstanding)) = debts.get_mut(i) else {
                    break;
                };
                let Some(debt_event) = self.s.events.get(*debt) else {
                    break;
                };
                if *outstanding > Decimal::ZERO && debt_event.at.sort_key() <= pay.at.sort_key() {
                    let applied = left.min(*outstanding);
                    *outstanding -= applied;
                    left -= applied;
                    self.out.allocations.push(AllocationEntry {
                        source: self.source(clause, Some(payment)),
                        payment: pay.id.clone(),
                        debt: debt_event.id.clone(),
                        debt_kind: debt_event.kind.clone(),
                        applied,
                        remaining: *outstanding,
                        currency: self.c.currency.clone(),
                    });
                }
                if i == first_open && debts.get(i).is_some_and(|(_, o)| *o == Decimal::ZERO) {
                    first_open += 1;
                }
                i += 1;
            }
        }
        let (debtor, creditor) = (
            self.party_name(&rule.debtor, None),
            self.party_name(&rule.creditor, None),
        );
        for (debt, outstanding) in debts {
            let Some(ev) = self.s.events.get(debt) else {
                continue;
            };
            if outstanding > Decimal::ZERO {
                self.out.outstanding.push(OutstandingEntry {
                    source: self.source(clause, Some(debt)),
                    debt: ev.id.clone(),
                    debt_kind: ev.kind.clone(),
                    debtor: debtor.clone(),
                    creditor: creditor.clone(),
                    amount: round_cents(outstanding),
                    currency: self.c.currency.clone(),
                });
            }
        }
        Ok(())
    }

    fn text(&self, span: Span) -> &'a str {
        let c: &'a Checked = self.c;
        c.source.get(span.start..span.end).unwrap_or("")
    }
}

/// The length from the term's start to the end of period `renewals` (0 = the first).
fn period_length(lasts: Duration, renews: Option<Duration>, renewals: usize) -> Duration {
    let Some(renew) = renews else { return lasts };
    let extra = u32::try_from(renewals).unwrap_or(u32::MAX);
    if renew.unit == lasts.unit {
        Duration {
            count: lasts
                .count
                .saturating_add(renew.count.saturating_mul(extra)),
            ..lasts
        }
    } else {
        let months = |d: Duration| match d.unit {
            Unit::Years => d.count.saturating_mul(12),
            _ => d.count,
        };
        Duration {
            count: months(lasts).saturating_add(months(renew).saturating_mul(extra)),
            unit: Unit::Months,
            ..lasts
        }
    }
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

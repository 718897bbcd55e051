//! The interpreter: a pure function of a checked contract, a checked scenario and an
//! as-of date. No clock, no I/O; ordered iteration so output is deterministic.
//!
//! Work is linear in the number of events: per-kind and per-reference indexes are built
//! once by the scenario checker; obligations are evaluated once per event and memoised;
//! streaks and sums are computed in one pass per expression and reused.

mod allocation;
mod balance;
mod currency;
mod expr;
mod obligation;
pub mod outcome;
mod right;
mod state;
mod term;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::ast::{Counting, Duration, Unit};
use crate::calendar::{self, AsOf, CalendarError, Moment};
use crate::check::{
    is_period, Body, Checked, Clause, ClauseId, Core, DeadlineRule, Debts, Evaluation, FieldId,
    KindId, Obligation, Opens, Party, Scope, ValueId,
};
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
    /// The most expression evaluations (one per node of an expression, each time it is
    /// evaluated) a whole evaluation may take.
    pub max_steps: u64,
    /// The most bytes of text (derivations, steps, details, reasons) the entries of a
    /// report may hold.
    pub max_text: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_periods: 10_000,
            explain: false,
            max_steps: 200_000_000,
            max_text: 256 << 20,
        }
    }
}

/// How deep clauses may wait on each other's results while one is evaluated outside the
/// checker's order (an instance that is not one of the clause's own, such as `met(o, x)`
/// for an event `x` that `o` does not range over).
const MAX_NESTING: usize = 24;

/// (clause, refused act) → (the clause's instance, the reason), in clause and date order.
type Refusals = std::collections::BTreeMap<(ClauseId, usize), (Option<usize>, String)>;

/// A value an expression used while traced: where, what, and its unit if it is a quantity.
type Traced = (Span, Value, Option<String>);

/// An evaluation problem, located in the contract.
pub type EvalError = Diagnostic;

/// Evaluates a contract against a scenario as of a date (its end) or an instant.
pub fn evaluate(
    contract: &Checked,
    scenario: &Scenario,
    as_of: impl Into<AsOf>,
    limits: Limits,
) -> Result<Outcome, EvalError> {
    let as_of = as_of.into();
    // One history for every construct: nothing dated after the evaluation date exists.
    let history = scenario.as_of(contract, as_of);
    let mut engine = Engine {
        settlement: allocation::Settlement::default(),
        acts_by_party: HashMap::new(),
        unlinked_acts: HashMap::new(),
        c: contract,
        s: &history,
        as_of,
        limits,
        values: vec![None; contract.values.len()],
        instance_lists: HashMap::new(),
        obligations: HashMap::new(),
        in_progress: HashSet::new(),
        term_states: HashMap::new(),
        formulas: HashMap::new(),
        deemed: RefCell::new(HashMap::new()),
        rejected: RefCell::new(std::collections::BTreeMap::new()),
        steps: 0,
        text: 0,
        counted: Counted::default(),
        streaks: HashMap::new(),
        sums: HashMap::new(),
        terms: HashMap::new(),
        trace: None,
        not_fired_seen: HashSet::new(),
        states: HashMap::new(),
        folding: HashMap::new(),
        folding_now: HashSet::new(),
        charged: HashMap::new(),
        clamps: Vec::new(),
        notes: Vec::new(),
        out: Outcome::default(),
    };
    // The allocations run before any clause, so every clause sees the same settlement.
    engine.settle()?;
    engine.run()?;
    engine.totals()?;
    Ok(engine.out)
}

/// An obligation instance, once evaluated.
#[derive(Debug, Clone)]
pub(crate) struct ObligationState {
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
    /// Its first day, when it has one.
    start: Option<NaiveDate>,
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

/// A result computed once and shared by every use, failures included.
type Memo<T> = Result<Rc<T>, EvalError>;

/// An obligation instance's state, once computed; `None` when it does not apply.
type ObligationMemo = Result<Option<Rc<ObligationState>>, EvalError>;

/// When an act was sent, and the deemed-receipt period (count, unit, business).
type DeemedKey = (Moment, u32, Unit, bool);

/// How many entries of each list of the outcome have had their text counted.
#[derive(Debug, Default)]
struct Counted {
    obligations: usize,
    violations: usize,
    rights: usize,
    amounts: usize,
    dates: usize,
    values: usize,
    notices: usize,
    allocations: usize,
    outstanding: usize,
    unevaluated: usize,
}

/// What an expression can see besides the contract's names.
#[derive(Debug, Clone, Copy)]
struct Ctx {
    clause: ClauseId,
    /// The clause's event, for the instance being evaluated.
    var: Option<usize>,
    delay: Option<(Moment, Moment)>,
    /// The event an aggregate (`sum(usage, usage.gb * …, …)`) is at.
    each: Option<usize>,
}

struct Engine<'a> {
    c: &'a Checked,
    s: &'a Scenario,
    as_of: AsOf,
    limits: Limits,
    /// Each parameter with a value and each `let`, by slot, evaluated once (failures
    /// included).
    values: Vec<Option<Result<Value, EvalError>>>,
    /// Clause → its instances, computed once.
    instance_lists: HashMap<usize, Memo<Vec<Instance>>>,
    obligations: HashMap<(usize, Option<usize>), ObligationMemo>,
    in_progress: HashSet<(usize, Option<usize>)>,
    /// Term clause → its state, followed through once.
    term_states: HashMap<usize, Memo<TermState>>,
    /// Span → the formula it spells, on one line.
    formulas: HashMap<(usize, usize), Rc<str>>,
    /// (moment, deemed-receipt period) → when an act sent then counts.
    deemed: RefCell<HashMap<DeemedKey, Option<Moment>>>,
    /// (clause, act) → (the clause's instance, why the contract refuses the act).
    rejected: RefCell<Refusals>,
    /// Expression evaluations so far.
    steps: u64,
    /// Bytes of text in the entries so far.
    text: usize,
    counted: Counted,
    /// (clause, expression start) → streak per event of the clause's kind, in kind order.
    streaks: HashMap<(usize, usize), Vec<u32>>,
    /// (kind, field) → prefix sums in kind order.
    sums: HashMap<(KindId, FieldId), Vec<Option<Decimal>>>,
    terms: HashMap<usize, TermState>,
    /// What the allocations applied to each debt.
    settlement: allocation::Settlement,
    /// (act kind, party) → the acts of that kind by that party, in date order.
    acts_by_party: HashMap<(KindId, String), std::rc::Rc<[usize]>>,
    /// (act kind, party, kind) → the same, less the acts that refer to an event of the kind.
    unlinked_acts: HashMap<(KindId, String, KindId), std::rc::Rc<[usize]>>,
    /// While an amount is computed: the values of the names and calls it used.
    trace: Option<Vec<Traced>>,
    /// Instances already recorded as not fired.
    not_fired_seen: HashSet<(usize, Option<usize>)>,
    /// State clause → its fold, computed once.
    states: HashMap<ClauseId, Memo<state::StateRun>>,
    /// While a state is folded: its value before the step being computed.
    folding: HashMap<ClauseId, Value>,
    /// The states being folded.
    folding_now: HashSet<ClauseId>,
    /// Charge clause → its amounts in date order (`charged`), computed once.
    charged: HashMap<ClauseId, state::ChargedList>,
    /// Month additions that had to clamp to a month's end while tracing (Jan 31 + 1 month).
    clamps: Vec<String>,
    /// Further inputs a built-in function reports while tracing (the periods it counted).
    notes: Vec<Input>,
    out: Outcome,
}

impl<'a> Engine<'a> {
    fn run(&mut self) -> Result<(), EvalError> {
        let c = self.c;
        // Every value and every result another clause can ask for, once each, each after
        // what it uses: later uses only read them, so no chain of clauses recurses.
        for step in &c.order {
            match step {
                Evaluation::Value(id) => {
                    // A value that needs a missing fact only fails where it is used.
                    if !self.open(*id) {
                        if let Err(e) = self.value(*id, Span::default()) {
                            fatal(e)?;
                        }
                    }
                }
                Evaluation::Clause(index) => self.prepare(*index)?,
            }
        }
        for (index, clause) in c.clauses.iter().enumerate() {
            let result = match &clause.body {
                Body::Obligation(o) => self.emit_obligation(index, clause, o),
                Body::Right(_) => self.emit_right(index, clause),
                Body::Charge(_) => self.emit_charge(index, clause),
                Body::Term(term) => self.term_state(index).map(|state| {
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
                    self.out.dates.extend(state.dates.iter().cloned());
                    self.out.notices.extend(state.notices.iter().cloned());
                }),
                Body::Date(_) => self.emit_date(index, clause),
                Body::Value(_) => self.emit_value(index, clause),
                Body::State(_) => self.emit_state(index, clause),
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
            self.account(index)?;
        }
        self.out.rejected = self.rejected_entries();
        // Clauses others depend on were evaluated first: list what did not fire by clause.
        self.out.not_fired.sort_by_key(|n| n.clause_index);
        Ok(())
    }

    /// Computes, once, what other clauses can ask of a clause: an obligation's instances
    /// and their states, a term's periods. Failures are kept, to be reported where the
    /// clause is emitted or used; only an exhausted budget stops evaluation here.
    fn prepare(&mut self, index: usize) -> Result<(), EvalError> {
        match &self.clause(index).body {
            Body::Obligation(_) => {
                let instances = match self.instances(index) {
                    Ok(list) => list,
                    Err(e) => return fatal(e),
                };
                for (event, _) in instances.iter() {
                    if let Err(e) = self.obligation(index, *event) {
                        fatal(e)?;
                    }
                }
            }
            Body::Term(_) => {
                if let Err(e) = self.term_state(index) {
                    fatal(e)?;
                }
            }
            Body::State(_) => {
                let span = self.clause(index).span;
                if let Err(e) = self.state_run(index, span) {
                    fatal(e)?;
                }
            }
            Body::Charge(_) if self.c.summed.contains(&index) => {
                if let Err(e) = self.compute_charged(index) {
                    fatal(e)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A parameter's value or a `let`'s: the scenario's fact if it gives one, else the
    /// definition, evaluated the first time it is asked for (the checker's order asks for
    /// each before anything uses it) and kept, failure included. `span` is where it is used,
    /// for a parameter the scenario must give.
    fn value(&mut self, id: ValueId, span: Span) -> Result<Value, EvalError> {
        if let Some(v) = self.s.given.get(id).and_then(Option::as_ref) {
            return Ok(v.clone());
        }
        if let Some(v) = self.values.get(id).and_then(Option::as_ref) {
            return v.clone();
        }
        let c: &'a Checked = self.c;
        let Some(def) = c.values.get(id) else {
            return Err(Diagnostic::error(
                "terms::eval::internal",
                span,
                "internal error: the checker let through a name with no definition",
            )
            .label("evaluating this")
            .help("this is a bug in terms: please report it with the contract and the scenario"));
        };
        let Some(expr) = &def.value else {
            return Err(Diagnostic::error(
                "terms::eval::missing_fact",
                span,
                format!(
                    "the scenario does not give `{}`, which this rule needs",
                    def.name
                ),
            )
            .label("needs a fact")
            .help(format!(
                "add `fact {} = …` ({}) to the scenario",
                def.name, def.ty
            )));
        };
        let ctx = Ctx {
            clause: usize::MAX,
            var: None,
            delay: None,
            each: None,
        };
        // A name's value is recorded where it is used, not the names its definition used.
        let saved = self.trace.take();
        let value = self.eval(expr, ctx);
        self.trace = saved;
        if let Some(slot) = self.values.get_mut(id) {
            *slot = Some(value.clone());
        }
        value
    }

    /// Whether a value is a parameter the contract leaves open and the scenario does not
    /// give.
    fn open(&self, id: ValueId) -> bool {
        let open = self.c.values.get(id).is_some_and(|d| d.value.is_none());
        open && self.s.given.get(id).is_none_or(Option::is_none)
    }

    /// A term followed through its renewals, once.
    fn term_state(&mut self, index: usize) -> Memo<TermState> {
        if let Some(state) = self.term_states.get(&index) {
            return state.clone();
        }
        let saved = self.trace.take();
        let state = self.term(index).map(Rc::new);
        self.trace = saved;
        self.term_states.insert(index, state.clone());
        state
    }

    /// A formula as written, on one line; computed once per span.
    fn formula(&mut self, span: Span) -> Rc<str> {
        let c: &'a Checked = self.c;
        self.formulas
            .entry((span.start, span.end))
            .or_insert_with(|| Rc::from(squash(c.source.get(span.start..span.end).unwrap_or(""))))
            .clone()
    }

    /// Counts one expression evaluation against the budget, and checks the text budget.
    fn spend(&mut self, ctx: Ctx, span: Span) -> Result<(), EvalError> {
        self.steps = self.steps.saturating_add(1);
        if self.steps > self.limits.max_steps || self.text > self.limits.max_text {
            return Err(self.budget_exceeded(ctx.clause, span));
        }
        Ok(())
    }

    /// The diagnostic for an exhausted budget, at the clause being evaluated (at the
    /// expression, for a parameter's or `let`'s value).
    fn budget_exceeded(&self, clause: usize, span: Span) -> EvalError {
        let (at, what) = match self.c.clauses.get(clause) {
            Some(c) => (c.span, format!("the clause `{}`", c.id)),
            None => (span, String::from("this value")),
        };
        let message = if self.steps > self.limits.max_steps {
            format!(
                "evaluation needs more than {} steps; stopped while evaluating {what}",
                self.limits.max_steps
            )
        } else {
            format!(
                "the report's derivations exceed {} bytes; stopped while evaluating {what}",
                self.limits.max_text
            )
        };
        Diagnostic::error("terms::eval::budget_exceeded", at, message)
            .label("evaluation stopped here")
            .help("evaluate fewer events (split the scenario or choose an earlier as-of date), or simplify the formulas this clause repeats per event")
    }

    /// Adds the text of the entries recorded since the last call to the budget, and stops
    /// when it is exhausted. Each entry is counted once.
    fn account(&mut self, clause: usize) -> Result<(), EvalError> {
        let o = &self.out;
        let n = &mut self.counted;
        let mut bytes = 0usize;
        let mut add = |b: usize| bytes = bytes.saturating_add(b);
        for x in o.obligations.get(n.obligations..).unwrap_or(&[]) {
            add(x.derivation.len() + steps_bytes(&x.steps) + x.action.len());
        }
        for x in o.violations.get(n.violations..).unwrap_or(&[]) {
            add(x.detail.len() + x.action.len());
        }
        for x in o.rights.get(n.rights..).unwrap_or(&[]) {
            add(x.detail.len() + steps_bytes(&x.steps) + x.right.len());
        }
        for x in o.amounts.get(n.amounts..).unwrap_or(&[]) {
            add(x.computation.len() + steps_bytes(&x.steps));
        }
        for x in o.dates.get(n.dates..).unwrap_or(&[]) {
            add(x.derivation.len() + steps_bytes(&x.steps));
        }
        for x in o.values.get(n.values..).unwrap_or(&[]) {
            add(x.derivation.len() + x.value.len() + steps_bytes(&x.steps));
        }
        for x in o.notices.get(n.notices..).unwrap_or(&[]) {
            add(x.reason.len());
        }
        for x in o.allocations.get(n.allocations..).unwrap_or(&[]) {
            add(x.payment.len() + x.debt.len() + x.debt_kind.len());
        }
        for x in o.outstanding.get(n.outstanding..).unwrap_or(&[]) {
            add(x.debt.len() + x.debt_kind.len());
        }
        for x in o.unevaluated.get(n.unevaluated..).unwrap_or(&[]) {
            add(x.reason.len());
        }
        *n = Counted {
            obligations: o.obligations.len(),
            violations: o.violations.len(),
            rights: o.rights.len(),
            amounts: o.amounts.len(),
            dates: o.dates.len(),
            values: o.values.len(),
            notices: o.notices.len(),
            allocations: o.allocations.len(),
            outstanding: o.outstanding.len(),
            unevaluated: o.unevaluated.len(),
        };
        self.text = self.text.saturating_add(bytes);
        if self.text > self.limits.max_text {
            let span = self
                .c
                .clauses
                .get(clause)
                .map_or(Span::default(), |c| c.span);
            return Err(self.budget_exceeded(clause, span));
        }
        Ok(())
    }

    /// Adds up the amounts per debtor, creditor and currency, exactly.
    fn totals(&mut self) -> Result<(), EvalError> {
        let mut sums: std::collections::BTreeMap<(String, String, String), Decimal> =
            std::collections::BTreeMap::new();
        for a in &self.out.amounts {
            let sum = sums
                .entry((a.debtor.clone(), a.creditor.clone(), a.currency.clone()))
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
            .map(|((debtor, creditor, currency), amount)| Total {
                debtor,
                creditor,
                amount,
                currency,
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
        clause: ClauseId,
        kind: KindId,
        event: Option<usize>,
        // The accepted channels as written (for the report) and by id (compared).
        (via, channels): (&[String], &[crate::check::ChannelId]),
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
            let accepted = act
                .channel
                .is_some_and(|c| channels.iter().any(|&r| self.c.channels.satisfies(c, r)));
            if !channels.is_empty() && !accepted {
                notes.push(format!(
                    "`{}` by {used} does not count: {} required",
                    act.id,
                    via.join(" or ")
                ));
                self.refuse(
                    clause,
                    event,
                    candidate,
                    format!("sent by {used}; the contract requires {}", via.join(" or ")),
                );
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

    /// Records an act the contract refuses for a clause's instance (a channel it does not
    /// accept, a right exercised outside its window), once per clause and act.
    fn refuse(&self, clause: ClauseId, event: Option<usize>, act: usize, reason: String) {
        self.rejected
            .borrow_mut()
            .entry((clause, act))
            .or_insert((event, reason));
    }

    /// Why an event falls outside a term (`during TERM`): before its first day, or after the
    /// day it ended; `None` while it runs (or when the term has no start to place it).
    fn outside_term(&mut self, term: ClauseId, event: usize) -> Result<Option<String>, EvalError> {
        let state = self.term_state(term)?;
        let (Some(at), Some(term_clause)) = (self.s.events.get(event), self.c.clauses.get(term))
        else {
            return Ok(None);
        };
        let (day, id, article) = (at.at.date(), &term_clause.id, &term_clause.article);
        Ok(match (state.start, state.ended) {
            (Some(start), _) if day < start => Some(format!(
                "before `{id}` (article {article}) began on {start}"
            )),
            (_, Some(end)) if day > end => {
                Some(format!("after `{id}` (article {article}) ended on {end}"))
            }
            _ => None,
        })
    }

    /// The refused acts, as report entries, by clause and then by date (payments refused
    /// for their currency among them).
    fn rejected_entries(&self) -> Vec<RejectedEntry> {
        let rejected = self.rejected.borrow();
        let mut entries: Vec<(ClauseId, RejectedEntry)> = rejected
            .iter()
            .filter_map(|(&(clause, act), (event, reason))| {
                let act = self.s.events.get(act)?;
                Some((
                    clause,
                    RejectedEntry {
                        source: self.source(self.c.clauses.get(clause)?, *event),
                        act: act.id.clone(),
                        on: act.at,
                        reason: reason.clone(),
                    },
                ))
            })
            .collect();
        if !self.s.refused.is_empty() {
            entries.extend(self.refused_payments());
            entries.sort_by(|(a, x), (b, y)| {
                (*a, x.on.sort_key(), &x.act).cmp(&(*b, y.on.sort_key(), &y.act))
            });
        }
        entries.into_iter().map(|(_, entry)| entry).collect()
    }

    fn source(&self, clause: &Clause, event: Option<usize>) -> Source {
        Source {
            clause_id: clause.id.clone(),
            clause: clause.article.clone(),
            from: self.c.deal.as_ref().map(|d| d.from(clause.span)),
            event: event
                .and_then(|e| self.s.events.get(e))
                .map(|e| e.id.clone()),
        }
    }

    fn as_of_moment(&self) -> Moment {
        self.as_of.moment()
    }

    /// Whether a deadline has passed as of the evaluation date or instant ([`AsOf`]).
    fn passed(&self, due: Moment) -> bool {
        self.as_of.has_passed(due)
    }

    /// Whether an act has happened as of the evaluation date or instant.
    fn happened(&self, at: Moment) -> bool {
        self.as_of.has_happened(at)
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
    fn instances(&mut self, index: usize) -> Memo<Vec<Instance>> {
        if let Some(list) = self.instance_lists.get(&index) {
            return list.clone();
        }
        let list = self.find_instances(index).map(Rc::new);
        self.instance_lists.insert(index, list.clone());
        list
    }

    fn find_instances(&mut self, index: usize) -> Result<Vec<Instance>, EvalError> {
        let clause = self.clause(index);
        let mut out = Vec::new();
        match &clause.scope {
            Scope::Once => out.push((None, None)),
            Scope::ForEach { kind, filter } => {
                for &event in self.s.of_kind(*kind) {
                    if let Some(filter) = filter {
                        let ctx = Ctx {
                            clause: index,
                            var: Some(event),
                            delay: None,
                            each: None,
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
                    if let Some(term) = clause.during {
                        if let Some(reason) = self.outside_term(term, event)? {
                            self.refuse(index, None, event, reason);
                            continue;
                        }
                    }
                    out.push((Some(event), None));
                }
            }
            Scope::OnBreach { obligation, .. } => {
                for &(event, _) in self.instances(*obligation)?.iter() {
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

    fn ctx(&self, index: usize, event: Option<usize>, delay: Option<(Moment, Moment)>) -> Ctx {
        let clause = self.clause(index);
        let var = match (clause.scope.binding(), event) {
            (Some(_), Some(e)) => Some(e),
            _ => None,
        };
        Ctx {
            clause: index,
            var,
            delay,
            each: None,
        }
    }

    /// Whether the clause's `when` holds for an instance.
    fn applies(&mut self, index: usize, ctx: Ctx) -> Result<bool, EvalError> {
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
                ctx.var,
                format!("its `when` condition is false: {why}"),
            );
        }
        Ok(holds)
    }

    /// Records, for `explain`, that an instance of a clause did not fire, once.
    fn not_fired(&mut self, index: usize, event: Option<usize>, reason: String) {
        if self.limits.explain && self.not_fired_seen.insert((index, event)) {
            self.text = self.text.saturating_add(reason.len());
            let clause = self.clause(index);
            let source = self.source(clause, event);
            self.out.not_fired.push(NotFired {
                source,
                reason,
                clause_index: index,
            });
        }
    }

    /// Records, for `explain`, that a formula without a value stopped an instance.
    fn not_fired_absent(
        &mut self,
        index: usize,
        event: Option<usize>,
        span: Span,
        inputs: &[Input],
    ) {
        if self.limits.explain {
            let reason = absent(&self.formula(span), inputs);
            self.not_fired(index, event, reason);
        }
    }

    // ------------------------------------------------------------ charges

    fn emit_charge(&mut self, index: usize, clause: &'a Clause) -> Result<(), EvalError> {
        let Body::Charge(charge) = &clause.body else {
            return Ok(());
        };
        self.each_value(index, &charge.amount, |engine, event, value, inputs| {
            let Value::Money(exact) = value else {
                return Err(expr::internal(
                    charge.amount.span,
                    "a charge that is not money",
                ));
            };
            let amount = round_with(exact, engine.c.rounding);
            let formula = engine.formula(charge.amount.span).to_string();
            let shown = if exact.normalize().scale() <= 2 {
                format_amount(exact)
            } else {
                exact.normalize().to_string()
            };
            let mut steps = vec![Step::new("amount", formula, inputs, shown)];
            if exact != amount {
                steps.push(Step::new(
                    "rounding",
                    format!("to the cent, {}", rounding_name(engine.c.rounding)),
                    Vec::new(),
                    format_amount(amount),
                ));
            }
            let source = engine.source(clause, event);
            engine.out.amounts.push(AmountEntry {
                source,
                kind: charge.label.clone(),
                debtor: engine.party_name(&charge.debtor, event),
                creditor: engine.party_name(&charge.creditor, event),
                amount,
                currency: charge.currency.clone(),
                computation: computation(&steps, exact, amount),
                steps,
            });
            Ok(())
        })
    }

    /// Evaluates an expression, collecting the values of the names, fields and calls it
    /// used (and any month-end clamping), without disturbing an enclosing trace.
    fn traced(&mut self, expr: &Core, ctx: Ctx) -> Result<(Value, Vec<Input>), EvalError> {
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
    fn inputs(&mut self, whole: Span, trace: &[Traced]) -> Vec<Input> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (span, value, unit) in trace {
            if *span == whole {
                continue;
            }
            let name = self.formula(*span);
            if !seen.insert(name.clone()) {
                continue;
            }
            let name = name.to_string();
            let value = match (value, unit) {
                (Value::Event(e), _) => self.s.events.get(*e).map_or_else(
                    || value.to_string(),
                    |ev| format!("`{}` ({})", ev.id, ev.at),
                ),
                (Value::Number(n), Some(unit)) => format!("{} {unit}", n.normalize()),
                (other, _) => other.to_string(),
            };
            out.push(Input { name, value });
        }
        out
    }

    /// Evaluates a condition and says why it came out as it did:
    /// "`count_in(audit, a - 12 months, a) <= 1` (with count_in(…) = 2)".
    fn explain(&mut self, cond: &Core, ctx: Ctx) -> Result<(bool, String, Step), EvalError> {
        let (value, inputs) = self.traced(cond, ctx)?;
        let holds = value.is_true();
        let formula = self.formula(cond.span).to_string();
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
        self.each_value(index, &rule.value, |engine, event, value, inputs| {
            let Some(date) = value.as_moment(engine.s) else {
                return Err(expr::internal(rule.value.span, "a date that is not a date"));
            };
            let step = Step::new(
                "date",
                engine.formula(rule.value.span).to_string(),
                inputs,
                date.to_string(),
            );
            let source = engine.source(clause, event);
            engine.out.dates.push(DateEntry {
                source,
                name: clause.id.clone(),
                date,
                derivation: step.render(),
                steps: vec![step],
            });
            Ok(())
        })
    }

    /// Each instance of a clause whose `when` holds, with the value of `expr` and the inputs
    /// it used, handed to `emit`; an instance where it has no value is recorded (for
    /// `explain`) as not fired. The text budget is checked before each instance.
    fn each_value(
        &mut self,
        index: usize,
        expr: &Core,
        mut emit: impl FnMut(&mut Self, Option<usize>, Value, Vec<Input>) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        for &(event, delay) in self.instances(index)?.iter() {
            self.account(index)?;
            let ctx = self.ctx(index, event, delay);
            if !self.applies(index, ctx)? {
                continue;
            }
            let (value, inputs) = self.traced(expr, ctx)?;
            if value == Value::Absent {
                self.not_fired_absent(index, event, expr.span, &inputs);
                continue;
            }
            emit(self, event, value, inputs)?;
        }
        Ok(())
    }
}

impl<'a> Engine<'a> {
    fn emit_value(&mut self, index: usize, clause: &'a Clause) -> Result<(), EvalError> {
        let Body::Value(rule) = &clause.body else {
            return Ok(());
        };
        self.each_value(index, &rule.value, |engine, event, value, inputs| {
            let (shown, ty) = match (&value, &rule.value.ty) {
                (Value::Number(n), crate::check::types::Type::Quantity(unit)) => (
                    format!("{} {unit}", n.normalize()),
                    String::from("quantity"),
                ),
                // Money in another currency than the contract's says which.
                (Value::Money(d), crate::check::types::Type::MoneyIn(code)) => (
                    format!("{code} {}", format_grouped(*d)),
                    String::from("money"),
                ),
                (Value::Money(d), ty) => (format_grouped(*d), ty.to_string()),
                (Value::Text(t), ty) => (t.clone(), ty.to_string()),
                (other, ty) => (other.to_string(), ty.to_string()),
            };
            let step = Step::new(
                "value",
                engine.formula(rule.value.span).to_string(),
                inputs,
                shown.clone(),
            );
            let source = engine.source(clause, event);
            engine.out.values.push(ValueEntry {
                source,
                name: clause.id.clone(),
                value: shown,
                ty,
                derivation: step.render(),
                steps: vec![step],
            });
            Ok(())
        })
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

/// Why a value-less formula (on one line) stopped a clause: "`nth(reminder, 3)` has no
/// value (with …)".
fn absent(formula: &str, inputs: &[Input]) -> String {
    let mut out = format!("`{formula}` has no value");
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

/// Only an exhausted budget stops the evaluation of a clause that others may not even use.
fn fatal(e: EvalError) -> Result<(), EvalError> {
    if e.code == "terms::eval::budget_exceeded" {
        Err(e)
    } else {
        Ok(())
    }
}

/// The bytes of text in a derivation's steps.
fn steps_bytes(steps: &[Step]) -> usize {
    steps.iter().fold(0usize, |n, s| {
        let inputs = s.inputs.iter().fold(0usize, |m, i| {
            m.saturating_add(i.name.len() + i.value.len())
        });
        n.saturating_add(s.what.len() + s.formula.len() + s.result.len())
            .saturating_add(inputs)
    })
}

/// Collapses runs of whitespace, so multi-line formulas read on one line.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "40 days", "2 hours", "1 hour 30 minutes".
fn lateness(calendar: &calendar::Calendar, due: Moment, at: Moment) -> String {
    match due {
        Moment::Date(d) => {
            let n = calendar::days_between(d, at.date());
            format!("{n} day{}", if n == 1 { "" } else { "s" })
        }
        Moment::DateTime(_) => {
            let minutes = calendar.delay_minutes(due, at);
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

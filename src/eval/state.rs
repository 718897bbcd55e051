//! States, folded over the history in date order, and the amounts charge clauses computed
//! earlier (`charged`). Each state is folded once (one step per event of a kind it names, up
//! to the evaluation date) and kept; reading it at an event is a binary search. Each summed
//! charge's amounts are computed once, in date order, with prefix sums: a window's total is
//! two binary searches.

use std::rc::Rc;

use chrono::NaiveDateTime;
use rust_decimal::Decimal;

use super::expr::{internal, overflow};
use super::{Ctx, Engine, EvalError, Input, Memo, Step, ValueEntry};
use crate::calendar;
use crate::check::types::Type;
use crate::check::{Body, ClauseId, Core, WindowArg};
use crate::money::{format_grouped, round_with, rounding_name};
use crate::source::Span;
use crate::value::Value;

/// A state, folded: its start and its value after each step.
#[derive(Debug, Clone)]
pub(crate) struct StateRun {
    start: Value,
    start_inputs: Vec<Input>,
    /// (event position in the history, the value after its step, how it was computed), in
    /// date order.
    steps: Vec<(usize, Value, Vec<Step>)>,
}

impl StateRun {
    /// The value after every step: the state as of the evaluation date.
    fn last(&self) -> &Value {
        self.steps.last().map_or(&self.start, |(_, v, _)| v)
    }

    /// The value after the steps at events up to `event` (`after`), or before it.
    fn at(&self, event: usize, after: bool) -> &Value {
        let n = self
            .steps
            .partition_point(|(e, _, _)| if after { *e <= event } else { *e < event });
        match n.checked_sub(1).and_then(|i| self.steps.get(i)) {
            Some((_, v, _)) => v,
            None => &self.start,
        }
    }
}

/// A charge clause's amounts for its events, in date order, as prefix sums.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChargedList {
    /// Each instance's event moment (sort key).
    keys: Vec<NaiveDateTime>,
    /// `prefix[i]`: the total of the first i amounts.
    prefix: Vec<Decimal>,
}

impl<'a> Engine<'a> {
    /// A state, folded once; later reads only look it up.
    pub(super) fn state_run(&mut self, index: ClauseId, span: Span) -> Memo<StateRun> {
        if let Some(run) = self.states.get(&index) {
            return run.clone();
        }
        if !self.folding_now.insert(index) {
            return Err(internal(span, "a state read while it is folded"));
        }
        let saved = self.trace.take();
        let run = self.fold(index).map(Rc::new);
        self.trace = saved;
        self.folding_now.remove(&index);
        self.folding.remove(&index);
        self.states.insert(index, run.clone());
        run
    }

    fn fold(&mut self, index: ClauseId) -> Result<StateRun, EvalError> {
        let clause = self.clause(index);
        let Body::State(rule) = &clause.body else {
            return Err(internal(clause.span, "a state that is not a state"));
        };
        let ctx = Ctx {
            clause: index,
            var: None,
            delay: None,
            each: None,
        };
        let (start, start_inputs) = self.traced(&rule.starts, ctx)?;
        let (start, _) = self.rounded_state(start);
        let mut kinds: Vec<usize> = rule.steps.iter().map(|s| s.kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let as_of = self.as_of;
        let s = self.s;
        // Positions in the history are in date order (ties by id): one sort merges the kinds.
        let mut events: Vec<usize> = kinds
            .iter()
            .flat_map(|k| s.of_kind(*k).iter().copied())
            .filter(|e| s.events.get(*e).is_some_and(|ev| as_of.has_happened(ev.at)))
            .collect();
        events.sort_unstable();
        let mut current = start.clone();
        let mut steps = Vec::new();
        for event in events {
            let Some(kind) = s.events.get(event).map(|e| e.kind) else {
                continue;
            };
            let ctx = Ctx {
                var: Some(event),
                ..ctx
            };
            self.folding.insert(index, current.clone());
            for step in rule.steps.iter().filter(|st| st.kind == kind) {
                if let Some(filter) = &step.filter {
                    if !self.eval(filter, ctx)?.is_true() {
                        continue;
                    }
                }
                let (exact, inputs) = self.traced(&step.value, ctx)?;
                if exact == Value::Absent {
                    // No value: the state stays as it was.
                    break;
                }
                let (value, rounded) = self.rounded_state(exact.clone());
                let formula = self.formula(step.value.span).to_string();
                let mut derivation = vec![Step::new(
                    "step",
                    formula,
                    inputs,
                    self.shown(&exact, &rule.starts.ty),
                )];
                if rounded {
                    derivation.push(Step::new(
                        "rounding",
                        format!("to the cent, {}", rounding_name(self.c.rounding)),
                        Vec::new(),
                        self.shown(&value, &rule.starts.ty),
                    ));
                }
                current = value;
                steps.push((event, current.clone(), derivation));
                break;
            }
        }
        Ok(StateRun {
            start,
            start_inputs,
            steps,
        })
    }

    /// A money state is rounded to the cent at each step, by the contract's rule; whether
    /// that changed it.
    fn rounded_state(&self, value: Value) -> (Value, bool) {
        match value {
            Value::Money(d) => {
                let r = round_with(d, self.c.rounding);
                (Value::Money(r), r != d)
            }
            other => (other, false),
        }
    }

    /// A state's value as the report writes it.
    fn shown(&self, value: &Value, ty: &Type) -> String {
        match (value, ty) {
            (Value::Number(n), Type::Quantity(unit)) => format!("{} {unit}", n.normalize()),
            (Value::Money(d), Type::MoneyIn(code)) => {
                format!("{code} {}", self.shown(&Value::Money(*d), &Type::Money))
            }
            (Value::Money(d), _) => {
                if d.normalize().scale() <= 2 {
                    format_grouped(*d)
                } else {
                    d.normalize().to_string()
                }
            }
            (other, _) => other.to_string(),
        }
    }

    /// A state's name: in its own steps, its value before the step; elsewhere its value as
    /// of the evaluation date.
    pub(super) fn state_value(
        &mut self,
        index: ClauseId,
        ctx: Ctx,
        span: Span,
    ) -> Result<Value, EvalError> {
        if ctx.clause == index {
            if let Some(v) = self.folding.get(&index) {
                return Ok(v.clone());
            }
        }
        Ok(self.state_run(index, span)?.last().clone())
    }

    /// `state_after(s, e)`, `state_before(s, e)`.
    pub(super) fn state_at(
        &mut self,
        index: ClauseId,
        event: &Core,
        after: bool,
        ctx: Ctx,
        span: Span,
    ) -> Result<Value, EvalError> {
        let Value::Event(e) = self.eval(event, ctx)? else {
            return Ok(Value::Absent);
        };
        Ok(self.state_run(index, span)?.at(e, after).clone())
    }

    /// The report's entries for a state: its value after each step, at that step's event,
    /// then its value as of the evaluation date.
    pub(super) fn emit_state(
        &mut self,
        index: ClauseId,
        clause: &'a crate::check::Clause,
    ) -> Result<(), EvalError> {
        let Body::State(rule) = &clause.body else {
            return Ok(());
        };
        let run = self.state_run(index, clause.span)?;
        let ty = match &rule.starts.ty {
            Type::Quantity(_) => String::from("quantity"),
            Type::MoneyIn(_) => String::from("money"),
            other => other.to_string(),
        };
        for (event, value, steps) in &run.steps {
            self.account(index)?;
            let source = self.source(clause, Some(*event));
            self.out.values.push(ValueEntry {
                source,
                name: clause.id.clone(),
                value: self.shown(value, &rule.starts.ty),
                ty: ty.clone(),
                derivation: super::render_steps(steps),
                steps: steps.clone(),
            });
        }
        let shown = self.shown(run.last(), &rule.starts.ty);
        let step = match run.steps.last() {
            None => Step::new(
                "value",
                self.formula(rule.starts.span).to_string(),
                run.start_inputs.clone(),
                shown.clone(),
            ),
            Some((event, _, _)) => {
                let last = self
                    .s
                    .events
                    .get(*event)
                    .map_or_else(String::new, |e| format!("`{}` ({})", e.id, e.at));
                Step::new(
                    "value",
                    format!(
                        "{} after {} step{} in date order",
                        clause.id,
                        run.steps.len(),
                        if run.steps.len() == 1 { "" } else { "s" }
                    ),
                    vec![
                        Input {
                            name: String::from("starts"),
                            value: self.shown(&run.start, &rule.starts.ty),
                        },
                        Input {
                            name: String::from("last step"),
                            value: last,
                        },
                    ],
                    shown.clone(),
                )
            }
        };
        let source = self.source(clause, None);
        self.out.values.push(ValueEntry {
            source,
            name: clause.id.clone(),
            value: shown,
            ty,
            derivation: step.render(),
            steps: vec![step],
        });
        Ok(())
    }

    /// `charged(charge, window)`: what the charge computed for its events in the window.
    pub(super) fn charged(
        &mut self,
        index: ClauseId,
        window: &WindowArg,
        ctx: Ctx,
        span: Span,
    ) -> Result<Value, EvalError> {
        let window = match window {
            WindowArg::Window(w) => match self.eval(w, ctx)? {
                Value::Window(w) => w,
                _ => return Ok(Value::Absent),
            },
            WindowArg::Between(from, to) => {
                let from = self.eval(from, ctx)?.as_moment(self.s);
                let to = self.eval(to, ctx)?.as_moment(self.s);
                let (Some(from), Some(to)) = (from, to) else {
                    return Ok(Value::Absent);
                };
                calendar::Window {
                    from: from.sort_key(),
                    from_included: false,
                    to: to.sort_key(),
                    to_included: true,
                }
            }
        };
        // A charge adding up its own earlier amounts reads the list it is filling.
        if !self.charged.contains_key(&index) {
            self.compute_charged(index)?;
        }
        let Some(list) = self.charged.get(&index) else {
            return Err(internal(span, "a charge's amounts that were not computed"));
        };
        let lo = list
            .keys
            .partition_point(|k| *k < window.from || (!window.from_included && *k == window.from));
        let hi = list
            .keys
            .partition_point(|k| *k < window.to || (window.to_included && *k == window.to))
            .max(lo);
        let (Some(a), Some(b)) = (list.prefix.get(lo), list.prefix.get(hi)) else {
            return Err(internal(span, "a window outside a charge's amounts"));
        };
        Ok(Value::Money(
            b.checked_sub(*a).ok_or_else(|| overflow(span))?,
        ))
    }

    /// Computes once, in date order, what a charge clause owes for each of its events
    /// (rounded as the report shows it), as prefix sums.
    pub(super) fn compute_charged(&mut self, index: ClauseId) -> Result<(), EvalError> {
        if self.charged.contains_key(&index) {
            return Ok(());
        }
        self.charged.insert(
            index,
            ChargedList {
                keys: Vec::new(),
                prefix: vec![Decimal::ZERO],
            },
        );
        let clause = self.clause(index);
        let Body::Charge(charge) = &clause.body else {
            return Err(internal(
                clause.span,
                "a sum of a clause that is not a charge",
            ));
        };
        let saved = self.trace.take();
        let result = (|| {
            for &(event, delay) in self.instances(index)?.iter() {
                let Some(key) = event
                    .and_then(|e| self.s.events.get(e))
                    .map(|e| e.at.sort_key())
                else {
                    continue;
                };
                let ctx = self.ctx(index, event, delay);
                if !self.applies(index, ctx)? {
                    continue;
                }
                let Value::Money(exact) = self.eval(&charge.amount, ctx)? else {
                    continue;
                };
                let amount = round_with(exact, self.c.rounding);
                let Some(list) = self.charged.get_mut(&index) else {
                    continue;
                };
                let last = list.prefix.last().copied().unwrap_or(Decimal::ZERO);
                let total = last
                    .checked_add(amount)
                    .ok_or_else(|| overflow(charge.amount.span))?;
                list.keys.push(key);
                list.prefix.push(total);
            }
            Ok(())
        })();
        self.trace = saved;
        result
    }
}

//! Expression evaluation: exact decimal arithmetic, dates through the calendar module,
//! and the built-in functions over the scenario's history.

use rust_decimal::Decimal;

use super::{Ctx, Engine, EvalError, Input};
use crate::ast::BinOp;
use crate::builtins::Builtin;
use crate::calendar::{self, Moment};
use crate::check::types::Type;
use crate::check::{Call, Core, FieldId, FieldRef, KindId, Node, WindowArg};
use crate::diagnostic::Diagnostic;
use crate::money::{format_grouped, percent_factor};
use crate::source::Span;
use crate::value::Value;

impl<'a> Engine<'a> {
    /// Evaluates an expression. `Value::Absent` flows through arithmetic; a condition on it
    /// is false.
    pub(super) fn eval(&mut self, expr: &Core, ctx: Ctx) -> Result<Value, EvalError> {
        self.spend(ctx, expr.span)?;
        let value = self.eval_inner(expr, ctx)?;
        if let Some(trace) = &mut self.trace {
            if expr.is_name()
                || matches!(
                    expr.node,
                    Node::Field(..) | Node::Call(..) | Node::Band(..) | Node::Window { .. }
                )
            {
                let unit = match &expr.ty {
                    Type::Quantity(unit) => Some(unit.clone()),
                    _ => None,
                };
                trace.push((expr.span, value.clone(), unit));
            }
        }
        Ok(value)
    }

    fn eval_inner(&mut self, expr: &Core, ctx: Ctx) -> Result<Value, EvalError> {
        Ok(match &expr.node {
            Node::Const(v) => v.clone(),
            Node::Party(name) => Value::Party(name.clone()),
            Node::Value(id) => self.value(*id, expr.span)?,
            Node::State(id) => self.state_value(*id, ctx, expr.span)?,
            Node::Var => match ctx.var {
                Some(e) => Value::Event(e),
                None => return Err(internal(expr.span, "an event variable with no event")),
            },
            Node::Each => match ctx.each {
                Some(e) => Value::Event(e),
                None => return Err(internal(expr.span, "an aggregate's event outside it")),
            },
            Node::Delay => match ctx.delay {
                Some((from, to)) => Value::Delay { from, to },
                None => Value::Absent,
            },
            Node::Field(base, field) => {
                let base = self.eval(base, ctx)?;
                let Value::Event(e) = base else {
                    return Ok(Value::Absent);
                };
                let Some(event) = self.s.events.get(e) else {
                    return Ok(Value::Absent);
                };
                match field {
                    FieldRef::Date => Value::Time(event.at),
                    FieldRef::Received => event.received.map_or(Value::Absent, Value::Time),
                    FieldRef::Id => Value::Text(event.id.clone()),
                    FieldRef::By => event.by.clone().map_or(Value::Absent, Value::Party),
                    FieldRef::Via => event.via.clone().map_or(Value::Absent, Value::Text),
                    FieldRef::Declared(slot) => {
                        event.fields.get(*slot).cloned().unwrap_or(Value::Absent)
                    }
                }
            }
            Node::Call(call) => self.call(call, expr, ctx)?,
            Node::Window {
                length,
                before,
                anchor,
            } => match self.eval(anchor, ctx)?.as_moment(self.s) {
                Some(at) => Value::Window(
                    self.c
                        .calendar
                        .window(at, length, *before)
                        .map_err(|e| self.calendar_error(e, expr.span))?,
                ),
                None => Value::Absent,
            },
            Node::Neg(inner) => match self.eval(inner, ctx)? {
                Value::Money(d) => Value::Money(-d),
                Value::Number(d) => Value::Number(-d),
                Value::Percent(d) => Value::Percent(-d),
                Value::Absent => Value::Absent,
                other => return Err(internal(expr.span, &format!("the negation of {other:?}"))),
            },
            Node::Not(inner) => match self.eval(inner, ctx)? {
                Value::Bool(b) => Value::Bool(!b),
                Value::Absent => Value::Absent,
                other => return Err(internal(expr.span, &format!("`not` of {other:?}"))),
            },
            Node::Logic(BinOp::Or, a, b) => {
                if self.eval(a, ctx)?.is_true() {
                    Value::Bool(true)
                } else {
                    Value::Bool(self.eval(b, ctx)?.is_true())
                }
            }
            Node::Logic(_, a, b) => {
                if !self.eval(a, ctx)?.is_true() {
                    Value::Bool(false)
                } else {
                    Value::Bool(self.eval(b, ctx)?.is_true())
                }
            }
            Node::Binary(op, a, b) => {
                let left = self.eval(a, ctx)?;
                let right = self.eval(b, ctx)?;
                self.binary(*op, left, right, expr.span)?
            }
            Node::If(cond, then, other) => {
                if self.eval(cond, ctx)?.is_true() {
                    self.eval(then, ctx)?
                } else {
                    self.eval(other, ctx)?
                }
            }
            Node::Band(subject, arms) => {
                let subject = self.eval(subject, ctx)?;
                if subject == Value::Absent {
                    return Ok(Value::Absent);
                }
                for (threshold, value) in arms {
                    match threshold {
                        None => return self.eval(value, ctx),
                        Some(t) => {
                            let t = self.eval(t, ctx)?;
                            if compare(&subject, &t, self.s).is_some_and(|o| o.is_lt()) {
                                return self.eval(value, ctx);
                            }
                        }
                    }
                }
                Value::Absent
            }
        })
    }

    fn binary(
        &mut self,
        op: BinOp,
        left: Value,
        right: Value,
        span: Span,
    ) -> Result<Value, EvalError> {
        use Value::*;
        if left == Absent || right == Absent {
            return Ok(Absent);
        }
        let overflow = || overflow(span);
        let checked = |r: Option<Decimal>| r.ok_or_else(overflow);
        let left = match left {
            Event(e) => self.s.events.get(e).map_or(Absent, |ev| Time(ev.at)),
            other => other,
        };
        let right = match right {
            Event(e) => self.s.events.get(e).map_or(Absent, |ev| Time(ev.at)),
            other => other,
        };
        Ok(match op {
            BinOp::Add | BinOp::Sub => {
                let add = op == BinOp::Add;
                match (left, right) {
                    (Money(a), Money(b)) => Money(checked(if add {
                        a.checked_add(b)
                    } else {
                        a.checked_sub(b)
                    })?),
                    (Number(a), Number(b)) => Number(checked(if add {
                        a.checked_add(b)
                    } else {
                        a.checked_sub(b)
                    })?),
                    (Percent(a), Percent(b)) => Percent(checked(if add {
                        a.checked_add(b)
                    } else {
                        a.checked_sub(b)
                    })?),
                    (Time(t), Duration(d)) => {
                        let shifted = self
                            .c
                            .calendar
                            .shift(t, &d, add)
                            .map_err(|e| self.calendar_error(e, span))?;
                        if shifted.clamped && self.trace.is_some() {
                            let sign = if add { "+" } else { "−" };
                            self.clamps.push(format!(
                                "{t} {sign} {d} clamped to the month's last day, {}",
                                shifted.moment
                            ));
                        }
                        Time(shifted.moment)
                    }
                    (Absent, _) | (_, Absent) => Absent,
                    (l, r) => return Err(internal(span, &mismatch(&l, op, &r))),
                }
            }
            BinOp::Mul => match (left, right) {
                (Money(a), Number(b)) | (Number(b), Money(a)) => Money(checked(a.checked_mul(b))?),
                (Money(a), Percent(p)) | (Percent(p), Money(a)) => {
                    Money(checked(a.checked_mul(percent_factor(p)))?)
                }
                (Number(a), Number(b)) => Number(checked(a.checked_mul(b))?),
                (Percent(p), Number(n)) | (Number(n), Percent(p)) => {
                    Percent(checked(p.checked_mul(n))?)
                }
                (Percent(a), Percent(b)) => Percent(checked(a.checked_mul(percent_factor(b)))?),
                (Number(n), Duration(d)) | (Duration(d), Number(n)) => {
                    Duration(times_duration(n, d, span)?)
                }
                (Absent, _) | (_, Absent) => Absent,
                (l, r) => return Err(internal(span, &mismatch(&l, op, &r))),
            },
            BinOp::Div => {
                let divide = |a: Decimal, b: Decimal| -> Result<Decimal, EvalError> {
                    if b.is_zero() {
                        return Err(Diagnostic::error("terms::eval::division_by_zero", span, "division by zero")
                            .label("the divisor is zero here")
                            .help("check the scenario's facts; a divisor such as a number of months must not be 0"));
                    }
                    a.checked_div(b).ok_or_else(overflow)
                };
                match (left, right) {
                    (Money(a), Number(b)) => Money(divide(a, b)?),
                    (Money(a), Money(b)) | (Number(a), Number(b)) => Number(divide(a, b)?),
                    (Percent(a), Number(b)) => Percent(divide(a, b)?),
                    (Absent, _) | (_, Absent) => Absent,
                    (l, r) => return Err(internal(span, &mismatch(&l, op, &r))),
                }
            }
            BinOp::Eq => {
                Bool(compare(&left, &right, self.s).is_some_and(|o| o.is_eq()) || (left == right))
            }
            BinOp::Ne => {
                Bool(!(compare(&left, &right, self.s).is_some_and(|o| o.is_eq()) || left == right))
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => match compare(&left, &right, self.s) {
                Some(o) => Bool(match op {
                    BinOp::Lt => o.is_lt(),
                    BinOp::Le => o.is_le(),
                    BinOp::Gt => o.is_gt(),
                    _ => o.is_ge(),
                }),
                None => Absent,
            },
            BinOp::And | BinOp::Or => Absent,
        })
    }

    fn call(&mut self, call: &Call, expr: &Core, ctx: Ctx) -> Result<Value, EvalError> {
        let span = expr.span;
        let delay_of = |v: Value| match v {
            Value::Delay { from, to } => Some((from, to)),
            _ => None,
        };
        Ok(match call {
            Call::StateAt {
                clause,
                event,
                after,
            } => self.state_at(*clause, event, *after, ctx, span)?,
            Call::Charged { clause, window } => self.charged(*clause, window, ctx, span)?,
            Call::Convert {
                value,
                rate,
                invert,
            } => self.convert(value, rate, *invert, ctx, span)?,
            Call::Extreme { max, args } => {
                let mut best: Option<Value> = None;
                for arg in args {
                    let v = self.eval(arg, ctx)?;
                    if v == Value::Absent {
                        continue;
                    }
                    best = Some(match best {
                        None => v,
                        Some(b) => {
                            let ord = compare(&v, &b, self.s);
                            let better = if *max {
                                ord.is_some_and(|o| o.is_gt())
                            } else {
                                ord.is_some_and(|o| o.is_lt())
                            };
                            if better {
                                v
                            } else {
                                b
                            }
                        }
                    });
                }
                best.unwrap_or(Value::Absent)
            }
            Call::Round { ceil, arg } => match self.eval(arg, ctx)? {
                Value::Number(n) => Value::Number(if *ceil { n.ceil() } else { n.floor() }),
                _ => Value::Absent,
            },
            Call::Measure(measure, arg) => {
                let Some((from, to)) = delay_of(self.eval(arg, ctx)?) else {
                    return Ok(Value::Absent);
                };
                let n: i64 = match measure {
                    Builtin::Days => calendar::days_between(from.date(), to.date()),
                    Builtin::StartedMonths => i64::from(
                        calendar::started_months(from.date(), to.date())
                            .map_err(|e| self.calendar_error(e, span))?,
                    ),
                    Builtin::CompleteMonths => i64::from(
                        calendar::complete_months(from.date(), to.date())
                            .map_err(|e| self.calendar_error(e, span))?,
                    ),
                    Builtin::CompleteWeeks => calendar::complete_weeks(from.date(), to.date()),
                    Builtin::Hours => self.c.calendar.delay_minutes(from, to) / 60,
                    Builtin::Minutes => self.c.calendar.delay_minutes(from, to),
                    other => return Err(internal(span, &format!("`{other:?}` of a delay"))),
                };
                Value::Number(Decimal::from(n))
            }
            Call::PartPeriods {
                unit,
                started,
                by_line,
                delay,
            } => {
                let Some((from, to)) = delay_of(self.eval(delay, ctx)?) else {
                    return Ok(Value::Absent);
                };
                let counted = self
                    .c
                    .calendar
                    .part_periods(from, to, *unit)
                    .map_err(|e| self.calendar_error(e, span))?;
                let n = if *started {
                    counted.started
                } else {
                    counted.complete
                };
                if self.trace.is_some() {
                    let formula = self.formula(span);
                    self.notes.push(part_periods_note(
                        &formula, &counted, *unit, *started, *by_line,
                    ));
                }
                Value::Number(Decimal::from(n))
            }
            Call::Unpaid(measure, arg) => {
                let Some((from, to)) = delay_of(self.eval(arg, ctx)?) else {
                    return Ok(Value::Absent);
                };
                let Some(periods) = super::balance::Periods::from_builtin(*measure) else {
                    return Err(internal(
                        span,
                        &format!("`{measure:?}` of an unpaid balance"),
                    ));
                };
                let Some(debt) = self.breached_debt(ctx) else {
                    return Ok(Value::Absent);
                };
                let (total, runs) = debt
                    .unpaid_sum(from.date(), to.date(), periods)
                    .map_err(|e| self.calendar_error(e, span))?;
                let Some(total) = total else {
                    return Err(overflow(span));
                };
                if self.trace.is_some() {
                    let count: i64 = runs.iter().map(|(_, n)| *n).sum();
                    let shown: Vec<String> = runs
                        .iter()
                        .map(|(amount, n)| format!("{} × {n}", format_grouped(*amount)))
                        .collect();
                    self.notes.push(Input {
                        name: format!("{}(delay)", periods.counter()),
                        value: count.to_string(),
                    });
                    self.notes.push(Input {
                        name: String::from("unpaid in each"),
                        value: shown.join(" + "),
                    });
                }
                Value::Money(total)
            }
            Call::DayOf(arg) => match self.eval(arg, ctx)?.as_moment(self.s) {
                Some(m) => Value::Time(Moment::Date(m.date())),
                None => Value::Absent,
            },
            Call::EndOfMonth(arg) => match self.eval(arg, ctx)?.as_moment(self.s) {
                Some(m) => Value::Time(Moment::Date(
                    calendar::end_of_month(m.date()).map_err(|e| self.calendar_error(e, span))?,
                )),
                None => Value::Absent,
            },
            Call::Count { kind } => {
                let Some(event) = ctx.var else {
                    return Ok(Value::Absent);
                };
                Value::Number(Decimal::from(self.s.referring(event, *kind).len()))
            }
            Call::Nth { kind, n } => {
                let Some(event) = ctx.var else {
                    return Ok(Value::Absent);
                };
                let Value::Number(n) = self.eval(n, ctx)? else {
                    return Ok(Value::Absent);
                };
                let related = self.s.referring(event, *kind);
                let position = usize::try_from(n.trunc().mantissa())
                    .ok()
                    .and_then(|n| n.checked_sub(1));
                position
                    .and_then(|p| related.get(p))
                    .map_or(Value::Absent, |e| Value::Event(*e))
            }
            Call::LastBefore { kind, at } => {
                let Some(t) = self.eval(at, ctx)?.as_moment(self.s) else {
                    return Ok(Value::Absent);
                };
                let upto = self.s.count_until(*kind, t);
                upto.checked_sub(1)
                    .and_then(|i| self.s.of_kind(*kind).get(i))
                    .map_or(Value::Absent, |e| Value::Event(*e))
            }
            Call::Sum {
                kind,
                field,
                window,
            } => {
                let Some(range) = self.window_range(*kind, window, ctx)? else {
                    return Ok(Value::Absent);
                };
                let total = self.sum(*kind, *field, range, span)?;
                typed_total(total, &expr.ty)
            }
            Call::Obligation {
                builtin,
                clause,
                event,
            } => {
                let event = match event {
                    Some(e) => match self.eval(e, ctx)? {
                        Value::Event(e) => Some(e),
                        _ => return Ok(Value::Absent),
                    },
                    None => ctx.var,
                };
                if *builtin == Builtin::Paid {
                    return self.paid_towards(*clause, event, span);
                }
                let Some(state) = self.obligation(*clause, event)? else {
                    return Ok(Value::Absent);
                };
                match builtin {
                    Builtin::Due => state.due.map_or(Value::Absent, Value::Time),
                    Builtin::Met => Value::Bool(state.status == super::ObligationStatus::Met),
                    _ => state.met_on.map_or(Value::Absent, Value::Time),
                }
            }
            Call::Given(arg) => {
                // A parameter the contract leaves open and the scenario does not give is not
                // given: asking is how a clause depends on it without failing.
                if let Node::Value(id) = arg.node {
                    if self.open(id) {
                        return Ok(Value::Bool(false));
                    }
                }
                Value::Bool(self.eval(arg, ctx)? != Value::Absent)
            }
            Call::CountIn {
                kind,
                window,
                condition,
            } => {
                let Some(range) = self.window_range(*kind, window, ctx)? else {
                    return Ok(Value::Absent);
                };
                let Some(condition) = condition else {
                    return Ok(Value::Number(Decimal::from(range.len())));
                };
                let events = self.window_events(*kind, range);
                let mut n = 0u64;
                self.untraced(|engine| {
                    for &e in events {
                        let each = Ctx {
                            each: Some(e),
                            ..ctx
                        };
                        if engine.eval(condition, each)?.is_true() {
                            n = n.saturating_add(1);
                        }
                    }
                    Ok(())
                })?;
                Value::Number(Decimal::from(n))
            }
            Call::SumOf { kind, each, window } => {
                let Some(range) = self.window_range(*kind, window, ctx)? else {
                    return Ok(Value::Absent);
                };
                let events = self.window_events(*kind, range);
                let mut total = Decimal::ZERO;
                self.untraced(|engine| {
                    for &e in events {
                        let at = Ctx {
                            each: Some(e),
                            ..ctx
                        };
                        if let Value::Money(d) | Value::Number(d) = engine.eval(each, at)? {
                            total = total.checked_add(d).ok_or_else(|| overflow(span))?;
                        }
                    }
                    Ok(())
                })?;
                typed_total(total, &expr.ty)
            }
            Call::ExtremeIn {
                max,
                kind,
                each,
                window,
            } => {
                let Some(range) = self.window_range(*kind, window, ctx)? else {
                    return Ok(Value::Absent);
                };
                let events = self.window_events(*kind, range);
                let mut values = Vec::with_capacity(events.len());
                self.untraced(|engine| {
                    for &e in events {
                        let at = Ctx {
                            each: Some(e),
                            ..ctx
                        };
                        values.push(engine.eval(each, at)?);
                    }
                    Ok(())
                })?;
                let mut best = Value::Absent;
                for v in values {
                    let v = match v {
                        Value::Event(e) => self
                            .s
                            .events
                            .get(e)
                            .map_or(Value::Absent, |ev| Value::Time(ev.at)),
                        v => v,
                    };
                    if v == Value::Absent {
                        continue;
                    }
                    let better = best == Value::Absent
                        || compare(&v, &best, self.s).is_some_and(|o| {
                            if *max {
                                o.is_gt()
                            } else {
                                o.is_lt()
                            }
                        });
                    if better {
                        best = v;
                    }
                }
                best
            }
            Call::RoundTo { value, step } => {
                let value = self.eval(value, ctx)?;
                let step = self.eval(step, ctx)?;
                let (x, unit) = match (&value, &step) {
                    (Value::Money(x), Value::Money(u))
                    | (Value::Number(x), Value::Number(u))
                    | (Value::Percent(x), Value::Percent(u)) => (*x, u.abs()),
                    _ => return Ok(Value::Absent),
                };
                if unit.is_zero() {
                    return Err(Diagnostic::error(
                        "terms::eval::division_by_zero",
                        span,
                        "rounding to a step of zero",
                    )
                    .label("the step is zero here")
                    .help("round to a step above zero: `round(fee, EUR 0.05)`, `round(n, 1)`"));
                }
                let steps = x.checked_div(unit).ok_or_else(|| overflow(span))?;
                let rounded = steps
                    .round_dp_with_strategy(0, self.c.rounding)
                    .checked_mul(unit)
                    .ok_or_else(|| overflow(span))?;
                match value {
                    Value::Money(_) => Value::Money(rounded),
                    Value::Percent(_) => Value::Percent(rounded),
                    _ => Value::Number(rounded),
                }
            }
            Call::Between { builtin, from, to } => {
                let from = self.eval(from, ctx)?.as_moment(self.s);
                let to = self.eval(to, ctx)?.as_moment(self.s);
                let (Some(from), Some(to)) = (from, to) else {
                    return Ok(Value::Absent);
                };
                let calendar = &self.c.calendar;
                let n = match builtin {
                    Builtin::DaysBetween => calendar::days_between(from.date(), to.date()),
                    Builtin::BusinessDaysBetween => {
                        calendar.business_days_between(from.date(), to.date())
                    }
                    Builtin::HoursBetween => calendar.minutes_between(from, to) / 60,
                    Builtin::MinutesBetween => calendar.minutes_between(from, to),
                    Builtin::SecondsBetween => {
                        calendar.seconds_between(from.sort_key(), to.sort_key())
                    }
                    other => return Err(internal(span, &format!("`{other:?}` of two moments"))),
                };
                Value::Number(Decimal::from(n))
            }
            Call::Pow { base, exponent } => {
                let (Value::Number(base), Value::Number(n)) =
                    (self.eval(base, ctx)?, self.eval(exponent, ctx)?)
                else {
                    return Ok(Value::Absent);
                };
                Value::Number(power(base, n, span)?)
            }
            Call::Total { kind, field } => {
                let Some(event) = ctx.var else {
                    return Ok(Value::Absent);
                };
                let mut sum = Decimal::ZERO;
                for e in self.s.referring(event, *kind) {
                    let Some(ev) = self.s.events.get(*e) else {
                        continue;
                    };
                    if !self.happened(ev.at) {
                        continue;
                    }
                    let part = match ev.fields.get(*field) {
                        Some(Value::Money(d) | Value::Number(d)) => *d,
                        _ => continue,
                    };
                    sum = sum.checked_add(part).ok_or_else(|| overflow(span))?;
                }
                typed_total(sum, &expr.ty)
            }
            Call::Rank(arg) => match self.eval(arg, ctx)? {
                Value::Event(e) => self.s.events.get(e).map_or(Value::Absent, |ev| {
                    Value::Number(Decimal::from(ev.rank.saturating_add(1)))
                }),
                _ => Value::Absent,
            },
            Call::Streak { cond, period } => {
                let Some(event) = ctx.var else {
                    return Ok(Value::Absent);
                };
                self.streak(cond, *period, ctx, event)?
            }
            Call::EndOf { clause } => match self.term_state(*clause)?.ended {
                Some(d) => Value::Time(Moment::Date(d)),
                None => Value::Absent,
            },
        })
    }

    /// Runs `f` without recording the names it evaluates: an aggregate's expression is
    /// evaluated once per event, and its derivation shows the aggregate's value, not one
    /// event's inputs.
    fn untraced(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        let saved = self.trace.take();
        let result = f(self);
        self.trace = saved;
        result
    }

    /// The events of `kind` at positions `range` among its events (an aggregate's window),
    /// each counted against the budget.
    fn window_events(&mut self, kind: KindId, range: std::ops::Range<usize>) -> &'a [usize] {
        let s: &'a crate::scenario::Scenario = self.s;
        let events = s.of_kind(kind).get(range).unwrap_or(&[]);
        let len = u64::try_from(events.len()).unwrap_or(u64::MAX);
        self.steps = self.steps.saturating_add(len);
        events
    }

    /// The events of `kind` in a window: a window value, or two moments `from, to` (after
    /// `from`, up to and including `to`).
    fn window_range(
        &mut self,
        kind: KindId,
        window: &WindowArg,
        ctx: Ctx,
    ) -> Result<Option<std::ops::Range<usize>>, EvalError> {
        let window = match window {
            WindowArg::Window(window) => match self.eval(window, ctx)? {
                Value::Window(w) => w,
                _ => return Ok(None),
            },
            WindowArg::Between(from, to) => {
                let from = self.eval(from, ctx)?.as_moment(self.s);
                let to = self.eval(to, ctx)?.as_moment(self.s);
                let (Some(from), Some(to)) = (from, to) else {
                    return Ok(None);
                };
                calendar::Window {
                    from: from.sort_key(),
                    from_included: false,
                    to: to.sort_key(),
                    to_included: true,
                }
            }
        };
        Ok(Some(self.s.in_window(kind, &window)))
    }

    /// Consecutive events of the clause's kind, ending at `event`, where `cond` holds; with a
    /// period, consecutive calendar periods, ending at `event`'s, in which every event of the
    /// kind meets `cond`: a period with no event breaks the run.
    /// Computed once per (clause, expression) over all events of the kind, in order.
    fn streak(
        &mut self,
        cond: &Core,
        period: Option<crate::ast::Duration>,
        ctx: Ctx,
        event: usize,
    ) -> Result<Value, EvalError> {
        let key = (ctx.clause, cond.span.start);
        let Some(rank) = self.s.events.get(event).map(|e| e.rank) else {
            return Ok(Value::Absent);
        };
        if !self.streaks.contains_key(&key) {
            let Some(kind) = self.s.events.get(event).map(|e| e.kind) else {
                return Ok(Value::Absent);
            };
            let events: Vec<usize> = self.s.of_kind(kind).to_vec();
            let mut holds = Vec::with_capacity(events.len());
            let saved = self.trace.take();
            for &e in &events {
                let inner = Ctx {
                    var: Some(e),
                    ..ctx
                };
                match self.eval(cond, inner) {
                    Ok(v) => holds.push(v.is_true()),
                    Err(err) => {
                        self.trace = saved;
                        return Err(err);
                    }
                }
            }
            self.trace = saved;
            let counts = match period {
                None => {
                    let mut run = 0u32;
                    holds
                        .iter()
                        .map(|h| {
                            run = if *h { run.saturating_add(1) } else { 0 };
                            run
                        })
                        .collect()
                }
                Some(length) => self.period_streaks(&events, &holds, &length),
            };
            self.streaks.insert(key, counts);
        }
        let n = self
            .streaks
            .get(&key)
            .and_then(|c| c.get(rank))
            .copied()
            .unwrap_or(0);
        Ok(Value::Number(Decimal::from(n)))
    }

    /// Per event, the run of consecutive calendar periods up to its own in which every event
    /// held. Events are in date order, so each period's events are contiguous: one pass.
    fn period_streaks(
        &self,
        events: &[usize],
        holds: &[bool],
        length: &crate::ast::Duration,
    ) -> Vec<u32> {
        let period_of = |e: &usize| {
            self.s
                .events
                .get(*e)
                .and_then(|ev| calendar::period_number(ev.at.date(), length))
        };
        // (period, whether every event in it held), in order.
        let mut periods: Vec<(Option<i64>, bool)> = Vec::new();
        let mut of_event = Vec::with_capacity(events.len());
        for (e, h) in events.iter().zip(holds) {
            let p = period_of(e);
            match periods.last_mut() {
                Some((last, all)) if *last == p => *all &= *h,
                _ => periods.push((p, *h)),
            }
            of_event.push(periods.len().saturating_sub(1));
        }
        let mut runs = Vec::with_capacity(periods.len());
        let mut run = 0u32;
        let mut previous: Option<i64> = None;
        for (p, all) in &periods {
            let follows =
                matches!((previous, p), (Some(a), Some(b)) if a.checked_add(1) == Some(*b));
            run = match (all, follows) {
                (false, _) => 0,
                (true, true) => run.saturating_add(1),
                (true, false) => 1,
            };
            previous = *p;
            runs.push(run);
        }
        of_event
            .into_iter()
            .map(|i| runs.get(i).copied().unwrap_or(0))
            .collect()
    }

    /// Total of `field` over the events of `kind` at positions `range`, from prefix sums
    /// built once per (kind, field).
    fn sum(
        &mut self,
        kind: KindId,
        field: FieldId,
        range: std::ops::Range<usize>,
        span: Span,
    ) -> Result<Decimal, EvalError> {
        let events = self.s.of_kind(kind);
        let key = (kind, field);
        if let std::collections::hash_map::Entry::Vacant(slot) = self.sums.entry(key) {
            // Past a prefix too large to hold, windows are added up one by one.
            let mut prefix = Vec::with_capacity(events.len().saturating_add(1));
            let mut total = Some(Decimal::ZERO);
            prefix.push(total);
            for e in events {
                if let Some(Value::Money(d) | Value::Number(d)) =
                    self.s.events.get(*e).and_then(|ev| ev.fields.get(field))
                {
                    total = total.and_then(|t| t.checked_add(*d));
                }
                prefix.push(total);
            }
            slot.insert(prefix);
        }
        let (lo, hi) = (range.start, range.end);
        let prefix = self.sums.get(&key);
        let at = |i: usize| prefix.and_then(|p| p.get(i)).copied().flatten();
        let total = if hi > lo {
            // A prefix too large to hold, or a difference of prefixes that overflows where
            // the window's own amounts do not (MAX, −MAX, MAX): add the window up.
            match (at(hi), at(lo)) {
                (Some(h), Some(l)) => match h.checked_sub(l) {
                    Some(t) => t,
                    None => self.sum_directly(kind, field, range.clone(), span)?,
                },
                _ => self.sum_directly(kind, field, range.clone(), span)?,
            }
        } else {
            Decimal::ZERO
        };
        Ok(total)
    }
}

impl<'a> Engine<'a> {
    /// The total of `field` over the events of `kind` at positions `range`, added one by one.
    fn sum_directly(
        &mut self,
        kind: KindId,
        field: FieldId,
        range: std::ops::Range<usize>,
        span: Span,
    ) -> Result<Decimal, EvalError> {
        let mut total = Decimal::ZERO;
        for e in self.window_events(kind, range) {
            if let Some(Value::Money(d) | Value::Number(d)) =
                self.s.events.get(*e).and_then(|ev| ev.fields.get(field))
            {
                total = total.checked_add(*d).ok_or_else(|| overflow(span))?;
            }
        }
        Ok(total)
    }
}

/// A combination the checker should have refused: a bug in terms, never a silent value.
pub(super) fn internal(span: Span, what: &str) -> EvalError {
    Diagnostic::error(
        "terms::eval::internal",
        span,
        format!("internal error: the checker let through {what}"),
    )
    .label("evaluating this")
    .help("this is a bug in terms: please report it with the contract and the scenario")
}

/// "Money(1) + Bool(true)", for an internal diagnostic.
fn mismatch(left: &Value, op: BinOp, right: &Value) -> String {
    format!("{left:?} {} {right:?}", op.symbol())
}

/// The diagnostic for an amount beyond what exact decimals hold.
pub(super) fn overflow(span: Span) -> EvalError {
    Diagnostic::error("terms::eval::overflow", span, "the computation overflows")
        .label("too large")
        .help("amounts have at most 28 significant digits; check the scenario's figures")
}

/// `pow(x, n)`: x to a whole power n ≥ 0 by repeated squaring, each product exact to 28
/// significant digits; any other exponent is refused.
fn power(base: Decimal, n: Decimal, span: Span) -> Result<Decimal, EvalError> {
    let whole = n.fract().is_zero() && n >= Decimal::ZERO;
    let Some(mut n) = whole
        .then(|| u64::try_from(n.trunc().mantissa()).ok())
        .flatten()
    else {
        return Err(Diagnostic::error(
            "terms::eval::bad_exponent",
            span,
            format!(
                "`pow` takes a whole exponent from 0 up, not {}",
                n.normalize()
            ),
        )
        .label("this exponent")
        .help(
            "raise to a whole number of periods: `pow(1.01, months)` with months a whole number",
        ));
    };
    let mut result = Decimal::ONE;
    let mut square = base;
    while n > 0 {
        if n & 1 == 1 {
            result = result.checked_mul(square).ok_or_else(|| overflow(span))?;
        }
        n >>= 1;
        if n > 0 {
            square = square.checked_mul(square).ok_or_else(|| overflow(span))?;
        }
    }
    Ok(result)
}

/// A total as the type the checker gave it: money, or a plain number (the type comes from
/// the field's declaration, so it is the same whether or not any event matched).
fn typed_total(total: Decimal, ty: &Type) -> Value {
    if ty.is_money() {
        Value::Money(total)
    } else {
        Value::Number(total)
    }
}

/// Orders two values of one type; events compare by date.
fn compare(a: &Value, b: &Value, s: &crate::scenario::Scenario) -> Option<std::cmp::Ordering> {
    use Value::*;
    let a = match a {
        Event(e) => s.events.get(*e).map(|ev| Time(ev.at))?,
        other => other.clone(),
    };
    let b = match b {
        Event(e) => s.events.get(*e).map(|ev| Time(ev.at))?,
        other => other.clone(),
    };
    match (&a, &b) {
        (Money(x), Money(y)) | (Number(x), Number(y)) | (Percent(x), Percent(y)) => Some(x.cmp(y)),
        (Time(x), Time(y)) => Some(x.sort_key().cmp(&y.sort_key())),
        (Text(x), Text(y)) => Some(x.cmp(y)),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Party(x), Party(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// What a part-period count read, for derivations: "days(delay) counts = 1 day 9 hours
/// (2025-03-11T00:00 → 2025-03-12T09:00) as 2: a started day counts in full, by the
/// clause's `delay counted in started periods`".
fn part_periods_note(
    formula: &str,
    counted: &calendar::PartPeriods,
    unit: calendar::PeriodUnit,
    started: bool,
    by_line: bool,
) -> Input {
    let plural = |n: i64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let (whole, rest) = (counted.complete, counted.rest_seconds);
    let (hours, minutes, seconds) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let mut parts = Vec::new();
    let word = match unit {
        calendar::PeriodUnit::Days => "day",
        calendar::PeriodUnit::Hours => "hour",
    };
    if whole > 0 || rest == 0 {
        parts.push(plural(whole, word));
    }
    if unit == calendar::PeriodUnit::Days && hours > 0 {
        parts.push(plural(hours, "hour"));
    }
    if minutes > 0 {
        parts.push(plural(minutes, "minute"));
    }
    if seconds > 0 {
        parts.push(plural(seconds, "second"));
    }
    let rule = if started {
        format!("a started {word} counts in full")
    } else {
        format!("only whole {word}s count")
    };
    let line = if by_line {
        format!(
            ", by the clause's `delay counted in {} periods`",
            if started { "started" } else { "whole" }
        )
    } else {
        String::new()
    };
    let at = |t: chrono::NaiveDateTime| calendar::Moment::DateTime(t).to_string();
    Input {
        name: format!("{formula} counts"),
        value: format!(
            "{} ({} → {}) as {}: {rule}{line}",
            parts.join(" "),
            at(counted.from),
            at(counted.to),
            if started {
                counted.started
            } else {
                counted.complete
            }
        ),
    }
}

/// `n * 1 day`: a duration of n periods, n a whole number from 0 up (a part of a period or a
/// negative count has no calendar meaning: `terms::eval::bad_duration`).
fn times_duration(
    n: Decimal,
    d: crate::ast::Duration,
    span: Span,
) -> Result<crate::ast::Duration, EvalError> {
    let count = (n.fract().is_zero() && n >= Decimal::ZERO)
        .then(|| u32::try_from(n).ok())
        .flatten()
        .and_then(|n| n.checked_mul(d.count));
    match count {
        Some(count) => Ok(crate::ast::Duration { count, ..d }),
        None => Err(Diagnostic::error(
            "terms::eval::bad_duration",
            span,
            format!("{n} × {d} is not a whole number of periods the calendar can count"),
        )
        .label("here")
        .help(format!(
            "give a whole number of periods from 0 up to {} (round it first: `ceil(x) * 1 day`)",
            u32::MAX
        ))),
    }
}

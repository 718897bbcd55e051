//! Obligations: deadlines, fulfilment, prohibitions, and their violations.

use super::*;

impl<'a> Engine<'a> {
    /// The state of one instance of an obligation; `None` when it does not apply.
    /// Computed once (failures included): evaluation follows the checker's order, so an
    /// obligation's instances are ready before any clause that asks about them.
    pub(super) fn obligation(
        &mut self,
        index: usize,
        event: Option<usize>,
    ) -> Result<Option<Rc<ObligationState>>, EvalError> {
        if let Some(state) = self.obligations.get(&(index, event)) {
            return state.clone();
        }
        let clause = self.clause(index);
        if self.in_progress.len() >= MAX_NESTING {
            return Err(Diagnostic::error(
                "terms::eval::budget_exceeded",
                clause.span,
                format!(
                    "evaluating `{}` waits on more than {MAX_NESTING} other obligations' results at once",
                    clause.id
                ),
            )
            .label("evaluation stopped here")
            .help("ask `met`, `due` or `met_on` about an obligation's own instances (its event), or shorten the chain of clauses that wait on each other"));
        }
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
        self.in_progress.remove(&(index, event));
        let state = state.map(|s| s.map(Rc::new));
        self.obligations.insert((index, event), state.clone());
        state
    }

    /// When a deadline falls, and how that was computed.
    pub(super) fn deadline(
        &mut self,
        rule: &DeadlineRule,
        ctx: Ctx,
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

    pub(super) fn raw_deadline(
        &mut self,
        rule: &DeadlineRule,
        ctx: Ctx,
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
        let formula = self.formula(base_expr.span).to_string();
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
        // "Within 30 days after E": the last permitted day is E + 30 days, the whole day,
        // whatever E's time of day; only hours and minutes count from E's time.
        let shifted_moment = match (shifted.moment, duration.unit) {
            (
                Moment::DateTime(t),
                crate::ast::Unit::Days
                | crate::ast::Unit::Weeks
                | crate::ast::Unit::Months
                | crate::ast::Unit::Years,
            ) => Moment::Date(t.date()),
            (m, _) => m,
        };
        if !base_expr.is_name() || inputs.is_empty() {
            inputs.push(Input {
                name: formula.clone(),
                value: base.to_string(),
            });
        }
        if shifted_moment != shifted.moment {
            inputs.push(Input {
                name: String::from("counted in days"),
                value: format!("the whole day, not {}", shifted.moment),
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
            shifted_moment.to_string(),
        );
        Ok(Some((shifted_moment, vec![step])))
    }

    pub(super) fn evaluate_obligation(
        &mut self,
        o: &'a Obligation,
        ctx: Ctx,
    ) -> Result<Option<ObligationState>, EvalError> {
        let event = ctx.var;
        let (due, mut steps) = match &o.deadline {
            Some(rule) => match self.deadline(rule, ctx)? {
                Some((m, steps)) => (Some(m), steps),
                None => {
                    let formula = match rule {
                        DeadlineRule::Within(_, e)
                        | DeadlineRule::AtLeastBefore(_, e)
                        | DeadlineRule::By(e) => e,
                    };
                    if self.limits.explain {
                        let reason = absent(&self.formula(formula.span), &[]);
                        self.not_fired(ctx.clause, event, format!("its deadline: {reason}"));
                    }
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
            // A result owed by a date that has not passed is not yet missed; without a
            // deadline it is judged when its event happens (a planned event may not have).
            let missed = !holds
                && due.is_none_or(|d| match o.deadline {
                    Some(_) => self.passed(d),
                    None => self.happened(d),
                });
            let violation = missed.then(|| {
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
                } else if missed {
                    ObligationStatus::Violated
                } else {
                    ObligationStatus::Pending
                },
                met_on: None,
                violation,
                delay: None,
            }));
        }
        let Some(due) = due else { return Ok(None) };
        let mut notes = Vec::new();
        let (met_on, by) = self.fulfilment(ctx.clause, o, event, &mut notes);
        if let (Some(at), Some(act)) = (met_on, by.and_then(|b| self.s.events.get(b))) {
            let counting = o
                .counts
                .unwrap_or_else(|| self.c.notices.counting(act.channel).0);
            let kind = o.act.map_or("", |k| self.c.kind_name(k));
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
                let late = lateness(&self.c.calendar, due, at);
                state.violation = Some((ViolationKind::Late, format!("done {at}, {late} late")));
            }
            None if self.passed(due) => {
                state.status = ObligationStatus::Violated;
                // A delay still running ends at the evaluation point; measured in hours,
                // a date alone stands for its end (`Calendar::delay_minutes`).
                let until = self.as_of_moment();
                state.delay = Some((due, until));
                let overdue = lateness(&self.c.calendar, due, until);
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
    pub(super) fn fulfilment(
        &self,
        clause: ClauseId,
        o: &Obligation,
        event: Option<usize>,
        notes: &mut Vec<String>,
    ) -> (Option<Moment>, Option<usize>) {
        let Some(kind) = o.act else {
            return (None, None);
        };
        let owed = event
            .and_then(|e| self.s.events.get(e))
            .and_then(|e| e.amount(self.c));
        let mut paid = Decimal::ZERO;
        let (settled, parts) = self.parts_paid(clause, kind, o, event, notes);
        for (act, counts, part) in parts {
            match (owed, part) {
                // A negative or zero amount pays nothing.
                (Some(_), Some(part)) if part <= Decimal::ZERO => {}
                (Some(owed), Some(part)) => {
                    // A comparison only: a sum too large to hold certainly covers the amount.
                    paid = paid.saturating_add(part);
                    if paid >= owed {
                        return (Some(counts), Some(act));
                    }
                }
                _ => return (Some(counts), Some(act)),
            }
        }
        if let Some(owed) = owed.filter(|_| paid > Decimal::ZERO) {
            let how = if settled {
                "applied to it by the allocation"
            } else {
                "paid"
            };
            notes.push(format!(
                "{} of {} {how}",
                format_grouped(paid),
                format_grouped(owed)
            ));
        }
        (None, None)
    }

    /// Whether an act is by `party`, or names no party.
    fn by_party(&self, act: usize, party: &str) -> bool {
        self.s
            .events
            .get(act)
            .is_some_and(|ev| ev.by.as_deref().is_none_or(|by| by == party))
    }

    /// The acts of `kind` by `party` (or by no party named), in date order; built once per
    /// (kind, party).
    fn acts_of_party(&mut self, kind: KindId, party: &str) -> std::rc::Rc<[usize]> {
        let key = (kind, party.to_string());
        if let Some(list) = self.acts_by_party.get(&key) {
            return list.clone();
        }
        let list: std::rc::Rc<[usize]> = self
            .s
            .of_kind(kind)
            .iter()
            .copied()
            .filter(|e| self.by_party(*e, party))
            .collect();
        self.acts_by_party.insert(key, list.clone());
        list
    }

    /// The acts of `kind` by `party` (or by no party named) that refer to no event of kind
    /// `target`, in date order; built once per (kind, party, target).
    fn unlinked_acts_of_party(
        &mut self,
        kind: KindId,
        party: &str,
        target: KindId,
    ) -> std::rc::Rc<[usize]> {
        let key = (kind, party.to_string(), target);
        if let Some(list) = self.unlinked_acts.get(&key) {
            return list.clone();
        }
        let all = self.acts_of_party(kind, party);
        let list: std::rc::Rc<[usize]> = all
            .iter()
            .copied()
            .filter(|a| {
                !self.s.events.get(*a).is_some_and(|ev| {
                    ev.fields.iter().any(|v| match v {
                        Value::Event(t) => self.s.events.get(*t).is_some_and(|x| x.kind == target),
                        _ => false,
                    })
                })
            })
            .collect();
        self.unlinked_acts.insert(key, list.clone());
        list
    }

    /// Whether events of `kind` have a field that refers to events of `target`.
    pub(super) fn refers_to_kind(&self, kind: KindId, target: KindId) -> bool {
        self.c
            .events
            .get(kind)
            .is_some_and(|k| k.refers_to.contains(&Some(target)))
    }

    /// `paid(o[, x])`: the total paid towards an instance of obligation `o`, as fulfilment
    /// counts it (the allocation's applications, or the fulfilling acts' amounts; zero or
    /// less pays nothing).
    pub(super) fn paid_towards(
        &self,
        clause: ClauseId,
        event: Option<usize>,
        span: Span,
    ) -> Result<Value, EvalError> {
        let Body::Obligation(o) = &self.clause(clause).body else {
            return Err(Diagnostic::error(
                "terms::eval::internal",
                span,
                "internal error: the checker let through `paid` of a clause that is not an obligation",
            )
            .label("evaluating this")
            .help("this is a bug in terms: please report it with the contract and the scenario"));
        };
        let Some(kind) = o.act else {
            return Ok(Value::Money(Decimal::ZERO));
        };
        let (_, parts) = self.parts_paid(clause, kind, o, event, &mut Vec::new());
        let mut total = Decimal::ZERO;
        for (_, _, part) in parts {
            if let Some(part) = part.filter(|p| *p > Decimal::ZERO) {
                total = total
                    .checked_add(part)
                    .ok_or_else(|| super::expr::overflow(span))?;
            }
        }
        Ok(Value::Money(total))
    }

    /// What was paid towards an obligation's instance, in the order it counts: (act, counted
    /// on, amount), the amount `None` for an act that carries none. When an allocation
    /// settles the instance's debt (the `bool`), the parts are what it applied; otherwise the
    /// acts that fulfil the obligation (an amount of zero or less pays nothing: callers skip it).
    pub(super) fn parts_paid(
        &self,
        clause: ClauseId,
        kind: KindId,
        o: &Obligation,
        event: Option<usize>,
        notes: &mut Vec<String>,
    ) -> (bool, Vec<(usize, Moment, Option<Decimal>)>) {
        let debt = event.and_then(|e| self.s.events.get(e).map(|ev| (e, ev)));
        if let Some((debt, _)) = debt.filter(|(e, ev)| {
            self.settlement.settles.contains(&(kind, *e)) && ev.amount(self.c).is_some()
        }) {
            let parts = self
                .settlement
                .by_debt
                .get(&debt)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .filter_map(|(payment, applied)| {
                    let at = self.s.events.get(*payment)?.at;
                    Some((*payment, at, Some(*applied)))
                })
                .collect();
            return (true, parts);
        }
        // Acts in the order they count (a payment counted on receipt may count after a later
        // one), so the one that completes the amount is the day it was met.
        let mut acts =
            self.counting_acts(clause, kind, event, (&o.via, &o.channels), o.counts, notes);
        acts.sort_by_key(|(_, counts)| counts.sort_key());
        let parts = acts
            .into_iter()
            .map(|(act, counts)| {
                let part = self.s.events.get(act).and_then(|a| a.amount(self.c));
                (act, counts, part)
            })
            .collect();
        (false, parts)
    }

    /// When an act counts: the clause's rule, else the contract's rule for its channel.
    pub(super) fn counts_on(
        &self,
        clause_rule: Option<Counting>,
        act: &crate::scenario::EventRecord,
    ) -> Option<Moment> {
        let rule = clause_rule.unwrap_or_else(|| self.c.notices.counting(act.channel).0);
        match rule {
            Counting::Sending | Counting::Posting => Some(act.at),
            Counting::Receipt => act.received,
            Counting::DeemedReceipt(d) => self.deemed_receipt(act.at, d),
        }
    }

    /// When an act sent at `at` is deemed received, once per (moment, period): a calendar
    /// counting business days walks day by day. A period longer than the days left in the
    /// supported years cannot end inside them (a business day is at least a day): no walk.
    fn deemed_receipt(&self, at: Moment, d: Duration) -> Option<Moment> {
        let key = (at, d.count, d.unit, d.business);
        if let Some(found) = self.deemed.borrow().get(&key) {
            return *found;
        }
        let left = chrono::NaiveDate::from_ymd_opt(calendar::LAST_YEAR, 12, 31)
            .map_or(0, |end| calendar::days_between(at.date(), end));
        let days_at_least = match d.unit {
            Unit::Days => i64::from(d.count),
            Unit::Weeks => i64::from(d.count).saturating_mul(7),
            // A day has at most 24 hours of business time.
            Unit::Hours => i64::from(d.count) / 24,
            Unit::Minutes => i64::from(d.count) / (24 * 60),
            _ => 0,
        };
        let found = if days_at_least > left {
            None
        } else {
            self.c.calendar.shift(at, &d, true).ok().map(|s| s.moment)
        };
        self.deemed.borrow_mut().insert(key, found);
        found
    }

    pub(super) fn evaluate_prohibition(
        &mut self,
        o: &Obligation,
        ctx: Ctx,
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
                        self.formula(e.span).to_string(),
                        inputs,
                        u.to_string(),
                    ));
                }
                until
            }
            None => None,
        };
        let event = ctx.var;
        // The checker gives every prohibition its `breached by` kind.
        let Some(kind) = o.act else {
            return Err(Diagnostic::error(
                "terms::eval::internal",
                self.clause(ctx.clause).span,
                "internal error: the checker let through a prohibition with no act",
            )
            .label("evaluating this")
            .help("this is a bug in terms: please report it with the contract and the scenario"));
        };
        // Acts that can refer to the clause's event breach only the instance they refer to;
        // other acts are judged against every instance. Only the bound party's own acts (or
        // acts that name no party) breach its prohibition.
        let target = event.and_then(|e| self.s.events.get(e)).map(|ev| ev.kind);
        let linked = target.is_some_and(|t| self.refers_to_kind(kind, t));
        let party = self.party_name(&o.party, event);
        // Two lists of candidates, each in date order (positions are in date order): for a
        // linked kind, the acts that refer to this instance and those that name no instance
        // of its kind (an optional reference left out); otherwise every act of the party.
        let lists: Vec<std::rc::Rc<[usize]>> = match event {
            Some(e) if linked => {
                let target = target.unwrap_or(usize::MAX);
                let own: std::rc::Rc<[usize]> = self
                    .s
                    .referring(e, kind)
                    .iter()
                    .copied()
                    .filter(|c| self.by_party(*c, &party))
                    .collect();
                vec![own, self.unlinked_acts_of_party(kind, &party, target)]
            }
            _ => vec![self.acts_of_party(kind, &party)],
        };
        // Being by the end and having happened only get less true with time: the first act
        // from the start decides. O(log n) per list.
        let at = |e: &usize| self.s.events.get(*e).map(|ev| ev.at.sort_key());
        let first_of = |list: &[usize]| {
            let i = match from {
                Some(f) => list.partition_point(|e| at(e).is_some_and(|a| a < f.sort_key())),
                None => 0,
            };
            list.get(i).copied()
        };
        let first = lists.iter().filter_map(|l| first_of(l)).min();
        if let Some(act) = first.and_then(|e| self.s.events.get(e)) {
            let before_end = until.is_none_or(|u| act.at.is_by(u));
            if before_end && self.happened(act.at) {
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

    pub(super) fn emit_obligation(
        &mut self,
        index: usize,
        clause: &'a Clause,
        o: &'a Obligation,
    ) -> Result<(), EvalError> {
        for &(event, _) in self.instances(index)?.iter() {
            self.account(index)?;
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
            if let Some((kind, detail)) = state.violation.clone() {
                let (days_late, minutes_late) = match state.delay {
                    Some((from, to)) => match from {
                        Moment::Date(d) => (Some(calendar::days_between(d, to.date())), None),
                        Moment::DateTime(_) => {
                            (None, Some(self.c.calendar.delay_minutes(from, to)))
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
}

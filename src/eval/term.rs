//! Terms: periods from date to date, renewal, and termination notices.

use super::*;

impl<'a> Engine<'a> {
    pub(super) fn term(&mut self, index: usize) -> Result<TermState, EvalError> {
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
        let mut state = TermState {
            start: Some(start),
            ..TermState::default()
        };
        // Notices, each with the moment it counts, in that order.
        // Notices with the moment they count (none when it counts on receipt and no receipt
        // is given); each is judged in the period it was sent or counts in.
        let mut notices: Vec<(Moment, Option<Moment>, usize, usize)> = Vec::new();
        for (rule_index, rule) in term.notices.iter().enumerate() {
            for &e in self.s.of_kind(rule.kind) {
                let Some(act) = self.s.events.get(e) else {
                    continue;
                };
                if act.by.as_deref().is_some_and(|p| p != rule.party) || !self.happened(act.at) {
                    continue;
                }
                let counts = self.counts_on(term.counts, act);
                // A notice deemed received after the evaluation date does not count yet.
                if counts.is_some_and(|c| !self.happened(c)) {
                    continue;
                }
                notices.push((counts.unwrap_or(act.at), counts, rule_index, e));
            }
        }
        notices.sort_by_key(|(at, _, _, e)| (at.sort_key(), *e));
        let mut next_notice = 0;
        let mut renewals = 0usize;
        let mut period_start = start;
        loop {
            // Each period is computed from the start, so month ends do not drift.
            let next_start = self.period_boundary(start, lasts, renews, renewals)?;
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
            let mut had_notice = false;
            while let Some(&(at, counts, rule_index, e)) = notices.get(next_notice) {
                if at.date() > period_end {
                    break;
                }
                next_notice += 1;
                had_notice = true;
                let (Some(rule), Some(act), Some(deadline)) = (
                    term.notices.get(rule_index),
                    self.s.events.get(e),
                    deadlines.get(rule_index),
                ) else {
                    continue;
                };
                let used = act.via.as_deref().unwrap_or("unspecified channel");
                let channel_ok = rule.channels.is_empty()
                    || act.channel.is_some_and(|c| {
                        rule.channels
                            .iter()
                            .any(|&r| self.c.channels.satisfies(c, r))
                    });
                let in_time = counts.is_some_and(|c| c.is_by(*deadline));
                let counting = term
                    .counts
                    .unwrap_or_else(|| self.c.notices.counting(act.channel).0);
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
                || deadlines.is_empty() && period_end < self.as_of.date();
            // The deadlines of the current period, and of any period a notice was given in.
            if !deadline_passed || had_notice {
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
            }
            if !deadline_passed {
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
            let renewed_end = calendar::add_days(
                self.period_boundary(start, lasts, renews, renewals)?,
                1,
                false,
            )
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

    /// The day after period `renewals` of a term ends (0 = the first period).
    fn period_boundary(
        &self,
        start: NaiveDate,
        lasts: Duration,
        renews: Option<Duration>,
        renewals: usize,
    ) -> Result<NaiveDate, EvalError> {
        let mut at = Moment::Date(start);
        for step in period_steps(lasts, renews, renewals) {
            at = self
                .c
                .calendar
                .shift(at, &step, true)
                .map_err(|e| self.calendar_error(e, lasts.span))?
                .moment;
        }
        Ok(at.date())
    }

    pub(super) fn date_entry(
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
    pub(super) fn period(
        &mut self,
        expr: &crate::check::Core,
        ctx: Ctx,
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
    pub(super) fn party_name(&self, party: &Party, event: Option<usize>) -> String {
        match party {
            Party::Named(name) => name.clone(),
            Party::OfEvent(field) => {
                let ev = event.and_then(|e| self.s.events.get(e));
                let found = match field {
                    crate::check::FieldRef::By => ev.and_then(|e| e.by.clone()),
                    crate::check::FieldRef::Declared(slot) => {
                        ev.and_then(|e| match e.fields.get(*slot) {
                            Some(Value::Party(p)) => Some(p.clone()),
                            _ => None,
                        })
                    }
                    _ => None,
                };
                found.unwrap_or_else(|| String::from("(party not given)"))
            }
        }
    }
}

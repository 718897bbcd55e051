//! Rights: when they open, their windows, their exercise, and what closes them.

use super::*;

impl<'a> Engine<'a> {
    pub(super) fn emit_right(&mut self, index: usize, clause: &'a Clause) -> Result<(), EvalError> {
        let Body::Right(r) = &clause.body else {
            return Ok(());
        };
        for &(event, delay) in self.instances(index)?.iter() {
            self.account(index)?;
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
                        self.not_fired_absent(index, event, e.span, &inputs);
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
                    let formula = self.formula(e.span).to_string();
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
                        self.not_fired_absent(index, event, e.span, &inputs);
                        continue;
                    };
                    let formula = self.formula(e.span).to_string();
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
                let (exercised, notes) = self.exercise(index, r, event, from, Some(end));
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
            } else if r.exercised_by.is_some() && status == RightStatus::Open {
                // A right with no window is exercised by the first valid act once open.
                let (exercised, notes) = self.exercise(index, r, event, from, None);
                if let Some((id, at)) = exercised {
                    status = RightStatus::Exercised;
                    push_detail(&mut detail, format!("exercised by `{id}` on {at}"));
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

    /// The first valid exercise of a right: once it is open (`from`) and, with a window, by
    /// its end; notes say why the other acts do not count.
    pub(super) fn exercise(
        &self,
        clause: ClauseId,
        r: &crate::check::Right,
        event: Option<usize>,
        from: Option<Moment>,
        end: Option<Moment>,
    ) -> (Option<(String, Moment)>, Vec<String>) {
        let mut notes = Vec::new();
        let Some(kind) = &r.exercised_by else {
            return (None, notes);
        };
        for (candidate, at) in self.counting_acts(
            clause,
            *kind,
            event,
            (&r.via, &r.channels),
            r.counts,
            &mut notes,
        ) {
            let id = self
                .s
                .events
                .get(candidate)
                .map_or_else(String::new, |act| act.id.clone());
            if let Some(f) = from.filter(|f| at.sort_key() < f.sort_key() && at.date() < f.date()) {
                notes.push(format!("`{id}` on {at} is before the right opened on {f}"));
                self.refuse(
                    clause,
                    event,
                    candidate,
                    format!("on {at}, before the right opened on {f}"),
                );
                continue;
            }
            if end.is_none_or(|end| at.is_by(end)) {
                return (Some((id, at)), notes);
            }
            notes.push(format!("`{id}` on {at} is too late"));
            if let Some(end) = end {
                self.refuse(
                    clause,
                    event,
                    candidate,
                    format!("on {at}, after the window closed on {end}"),
                );
            }
        }
        (None, notes)
    }
}

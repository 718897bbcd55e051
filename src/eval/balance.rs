//! What is still unpaid over a delay: interest on the unpaid part only (clauses.md: "interest
//! runs only on what is still unpaid"). A payment counts from the day after it: the day it
//! arrives is still a day of delay on the whole amount, as `days(delay)` counts it.

use super::*;

/// How a delay is cut into periods, each charged on the amount unpaid in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Periods {
    /// Every day of the delay, on what is unpaid that day.
    Days,
    /// Every started month, on what is unpaid when it starts.
    StartedMonths,
    /// Every complete month, on what is unpaid throughout it.
    CompleteMonths,
    /// Every complete week, on what is unpaid throughout it.
    CompleteWeeks,
}

impl Periods {
    /// The function that counts these periods, for derivations.
    pub(super) fn counter(self) -> &'static str {
        match self {
            Periods::Days => "days",
            Periods::StartedMonths => "started_months",
            Periods::CompleteMonths => "complete_months",
            Periods::CompleteWeeks => "complete_weeks",
        }
    }

    pub(super) fn from_builtin(f: crate::builtins::Builtin) -> Option<Periods> {
        use crate::builtins::Builtin;
        Some(match f {
            Builtin::UnpaidDays => Periods::Days,
            Builtin::UnpaidStartedMonths => Periods::StartedMonths,
            Builtin::UnpaidCompleteMonths => Periods::CompleteMonths,
            Builtin::UnpaidCompleteWeeks => Periods::CompleteWeeks,
            _ => return None,
        })
    }
}

/// Runs of periods charged on one unpaid amount: (unpaid, how many periods).
pub(super) type Runs = Vec<(Decimal, i64)>;

/// A debt and the parts paid towards it, by date.
pub(super) struct Debt {
    pub owed: Decimal,
    /// (day paid, amount), in date order.
    pub parts: Vec<(NaiveDate, Decimal)>,
}

impl Debt {
    /// The amounts unpaid in each period of the delay `due` … `end`, added up (`None` on
    /// overflow), with the runs of equal amounts: (unpaid, how many periods). Periods are visited in date order, so the parts paid are deducted with one
    /// forward cursor: linear in periods and parts.
    pub(super) fn unpaid_sum(
        &self,
        due: NaiveDate,
        end: NaiveDate,
        periods: Periods,
    ) -> Result<(Option<Decimal>, Runs), CalendarError> {
        let mut total = Some(Decimal::ZERO);
        let mut runs: Vec<(Decimal, i64)> = Vec::new();
        let mut next_part = 0usize;
        let mut paid = Decimal::ZERO;
        // Adds what is unpaid once the parts paid on or before `paid_through` are deducted,
        // `times` times. Calls come in date order, so one cursor walks the parts.
        let mut add = |paid_through: NaiveDate, times: i64| {
            while let Some((_, part)) = self
                .parts
                .get(next_part)
                .filter(|(at, _)| *at <= paid_through)
            {
                paid = paid.saturating_add(*part);
                next_part += 1;
            }
            let unpaid = if paid >= self.owed {
                Decimal::ZERO
            } else {
                self.owed - paid
            };
            total = total.and_then(|t| {
                unpaid
                    .checked_mul(Decimal::from(times))
                    .and_then(|p| t.checked_add(p))
            });
            match runs.last_mut() {
                Some((amount, n)) if *amount == unpaid => *n = n.saturating_add(times),
                _ => runs.push((unpaid, times)),
            }
        };
        match periods {
            Periods::Days => {
                // Days (due, end]; a day d bears what is unpaid after the parts paid before
                // it. Between payments that is constant: one step per payment.
                let mut counted_to = due;
                for (at, _) in &self.parts {
                    let upto = (*at).min(end);
                    if upto > counted_to {
                        add(counted_to, calendar::days_between(counted_to, upto));
                        counted_to = upto;
                    }
                }
                if end > counted_to {
                    add(counted_to, calendar::days_between(counted_to, end));
                }
            }
            Periods::StartedMonths => {
                // Month k runs after due + k months; it bears what is unpaid when it starts.
                for k in 0..calendar::started_months(due, end)? {
                    add(calendar::add_months(due, k, true)?, 1);
                }
            }
            Periods::CompleteMonths => {
                // Month k ends on due + k months; it bears what stayed unpaid through that day.
                for k in 1..=calendar::complete_months(due, end)? {
                    let last = calendar::add_months(due, k, true)?;
                    add(calendar::add_days(last, 1, false)?, 1);
                }
            }
            Periods::CompleteWeeks => {
                for k in 1..=calendar::complete_weeks(due, end) {
                    let last = calendar::add_days(due, k.saturating_mul(7), true)?;
                    add(calendar::add_days(last, 1, false)?, 1);
                }
            }
        }
        Ok((total, runs))
    }
}

impl<'a> Engine<'a> {
    /// The debt of the obligation an `on breach of` clause is about, for its instance: the
    /// event's `amount`, and what was paid towards it (by the allocation, or by the acts that
    /// fulfil the obligation).
    pub(super) fn breached_debt(&self, ctx: Ctx<'a>) -> Option<Debt> {
        let clause = self.c.clauses.get(ctx.clause)?;
        let Scope::OnBreach { obligation, .. } = &clause.scope else {
            return None;
        };
        let Body::Obligation(o) = &self.c.clauses.get(*obligation)?.body else {
            return None;
        };
        let (_, event) = ctx.var?;
        let debt_event = self.s.events.get(event)?;
        let Some(Value::Money(owed)) = debt_event.fields.get("amount") else {
            return None;
        };
        let kind = o.act.as_deref()?;
        let mut parts: Vec<(NaiveDate, Decimal)> = if self
            .settlement
            .settles
            .contains(&(kind.to_string(), debt_event.kind.clone()))
        {
            self.settlement
                .by_debt
                .get(&event)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .filter_map(|(payment, applied)| {
                    self.s.events.get(*payment).map(|p| (p.at.date(), *applied))
                })
                .collect()
        } else {
            let mut notes = Vec::new();
            self.counting_acts(kind, Some(event), &o.via, o.counts, &mut notes)
                .into_iter()
                .filter_map(
                    |(act, at)| match self.s.events.get(act)?.fields.get("amount") {
                        Some(Value::Money(part)) => Some((at.date(), *part)),
                        _ => None,
                    },
                )
                .collect()
        };
        parts.sort_by_key(|(at, _)| *at);
        Some(Debt { owed: *owed, parts })
    }
}

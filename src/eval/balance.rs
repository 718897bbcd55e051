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
    /// overflow), with the runs of equal amounts: (unpaid, how many periods).
    ///
    /// Periods are numbered from the due date; a part paid on day p is deducted from the
    /// first period that counts it, which is the number of periods from the due date to p
    /// (a day of delay after p, a month that starts on or after p, a complete week or month
    /// that ends after p). So the work is one step per part, whatever the delay's length.
    pub(super) fn unpaid_sum(
        &self,
        due: NaiveDate,
        end: NaiveDate,
        periods: Periods,
    ) -> Result<(Option<Decimal>, Runs), CalendarError> {
        let count = |to: NaiveDate| -> Result<i64, CalendarError> {
            Ok(match periods {
                Periods::Days => calendar::days_between(due, to),
                Periods::StartedMonths => i64::from(calendar::started_months(due, to)?),
                Periods::CompleteMonths => i64::from(calendar::complete_months(due, to)?),
                Periods::CompleteWeeks => calendar::complete_weeks(due, to),
            })
        };
        let n = count(end)?;
        let mut total = Some(Decimal::ZERO);
        let mut runs: Runs = Vec::new();
        let mut add = |unpaid: Decimal, times: i64| {
            if times <= 0 {
                return;
            }
            total = total.and_then(|t| {
                unpaid
                    .checked_mul(Decimal::from(times))
                    .and_then(|p| t.checked_add(p))
            });
            match runs.last_mut() {
                Some((amount, k)) if *amount == unpaid => *k = k.saturating_add(times),
                _ => runs.push((unpaid, times)),
            }
        };
        let unpaid = |paid: Decimal| {
            self.owed
                .checked_sub(paid)
                .unwrap_or(Decimal::ZERO)
                .max(Decimal::ZERO)
        };
        let mut paid = Decimal::ZERO;
        let mut cursor = 0i64;
        for (at, part) in &self.parts {
            let from = count(*at)?.min(n);
            if from > cursor {
                add(unpaid(paid), from - cursor);
                cursor = from;
            }
            paid = paid.saturating_add(*part);
        }
        add(unpaid(paid), n - cursor);
        Ok((total, runs))
    }
}

impl<'a> Engine<'a> {
    /// The debt of the obligation an `on breach of` clause is about, for its instance: the
    /// event's `amount`, and what was paid towards it (by the allocation, or by the acts that
    /// fulfil the obligation).
    pub(super) fn breached_debt(&self, ctx: Ctx) -> Option<Debt> {
        let clause = self.c.clauses.get(ctx.clause)?;
        let Scope::OnBreach { obligation, .. } = &clause.scope else {
            return None;
        };
        let Body::Obligation(o) = &self.c.clauses.get(*obligation)?.body else {
            return None;
        };
        let event = ctx.var?;
        let debt_event = self.s.events.get(event)?;
        let owed = debt_event.amount(self.c)?;
        let kind = o.act?;
        let (_, paid) = self.parts_paid(*obligation, kind, o, Some(event), &mut Vec::new());
        let mut parts: Vec<(NaiveDate, Decimal)> = paid
            .into_iter()
            .filter_map(|(_, at, part)| match part {
                // An act with no amount pays what is left; zero or less pays nothing.
                None => Some((at.date(), owed)),
                Some(p) if p > Decimal::ZERO => Some((at.date(), p)),
                Some(_) => None,
            })
            .collect();
        parts.sort_by_key(|(at, _)| *at);
        Some(Debt { owed, parts })
    }
}

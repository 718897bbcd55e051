//! Amounts in several currencies: `convert(x, rate)` at a rate the contract states. The
//! checker has given every amount its currency; values carry none.

use rust_decimal::Decimal;

use super::expr::overflow;
use super::outcome::RejectedEntry;
use super::{Ctx, Engine, EvalError};
use crate::check::{Body, ClauseId, Core, Debts, KindId};
use crate::diagnostic::Diagnostic;
use crate::money::round_with;
use crate::source::Span;
use crate::value::Value;

impl Engine<'_> {
    /// `convert(x, rate)`: x × rate (x ÷ rate the other way), rounded once to the cent by
    /// the contract's rounding rule. An absent operand gives none.
    pub(super) fn convert(
        &mut self,
        value: &Core,
        rate: &Core,
        invert: bool,
        ctx: Ctx,
        span: Span,
    ) -> Result<Value, EvalError> {
        let value = self.eval(value, ctx)?;
        let rate = self.eval(rate, ctx)?;
        let (Value::Money(x), Value::Number(r)) = (value, rate) else {
            return Ok(Value::Absent);
        };
        let exact = if invert {
            if r.is_zero() {
                return Err(Diagnostic::error(
                    "terms::eval::division_by_zero",
                    span,
                    "converting at a rate of zero",
                )
                .label("the rate is zero here")
                .help("state a rate above zero: `param usd_per_eur: rate USD per EUR = 1.08`"));
            }
            x.checked_div(r)
        } else {
            x.checked_mul(r)
        };
        let exact: Decimal = exact.ok_or_else(|| overflow(span))?;
        Ok(Value::Money(round_with(exact, self.c.rounding)))
    }
}

impl Engine<'_> {
    /// The payments refused for their currency, one entry per clause each would have
    /// served: an allocation whose payments are of its kind (for the debt it names, if
    /// any), an obligation it would fulfil (for the instance it names, if any).
    pub(super) fn refused_payments(&self) -> Vec<(ClauseId, RejectedEntry)> {
        let mut out = Vec::new();
        for refused in &self.s.refused {
            let act = &refused.event;
            // The events the payment names, by kind.
            let named = |kind: KindId| {
                act.fields.iter().find_map(|v| match v {
                    Value::Event(e) => self
                        .s
                        .events
                        .get(*e)
                        .is_some_and(|ev| ev.kind == kind)
                        .then_some(*e),
                    _ => None,
                })
            };
            for (index, clause) in self.c.clauses.iter().enumerate() {
                let event = match &clause.body {
                    Body::Allocation(a) if a.pays == act.kind => {
                        a.order.iter().find_map(|debt| match debt {
                            Debts::Events { kind, .. } => named(*kind),
                            Debts::Charge(_) => None,
                        })
                    }
                    Body::Obligation(o) if !o.prohibition && o.act == Some(act.kind) => {
                        clause.scope.binding().and_then(named)
                    }
                    _ => continue,
                };
                out.push((
                    index,
                    RejectedEntry {
                        source: self.source(clause, event),
                        act: act.id.clone(),
                        on: act.at,
                        reason: format!(
                            "paid in {}; article {} takes {}",
                            refused.paid, clause.article, refused.takes
                        ),
                    },
                ));
            }
        }
        out
    }
}

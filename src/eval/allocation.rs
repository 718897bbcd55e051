//! Allocation of partial payments in the contract's stated order.

use super::*;

impl<'a> Engine<'a> {
    /// Applies each payment, in date order, to the debts in the stated order of kinds, oldest
    /// debt first within a kind, and reports each application and what remains owed.
    ///
    /// One queue per kind, with a cursor on its first debt not yet paid off: cursors only move
    /// forward, because payments come in date order and a debt dated after a payment waits
    /// for a later one. Work is O(payments × kinds + debts).
    pub(super) fn emit_allocation(
        &mut self,
        _index: usize,
        clause: &'a Clause,
    ) -> Result<(), EvalError> {
        let Body::Allocation(rule) = &clause.body else {
            return Ok(());
        };
        let mut queues: Vec<Vec<(usize, Decimal)>> = rule
            .order
            .iter()
            .map(|entry| {
                self.s
                    .of_kind(&entry.source.name)
                    .iter()
                    .filter_map(|&e| {
                        match self.s.events.get(e).and_then(|ev| ev.fields.get("amount")) {
                            Some(Value::Money(amount)) if *amount > Decimal::ZERO => {
                                Some((e, *amount))
                            }
                            _ => None,
                        }
                    })
                    .collect()
            })
            .collect();
        let mut cursors = vec![0usize; queues.len()];
        for &payment in self.s.of_kind(&rule.pays) {
            let Some(pay) = self.s.events.get(payment) else {
                continue;
            };
            let Some(Value::Money(mut left)) = pay.fields.get("amount").cloned() else {
                continue;
            };
            if !self.happened(pay.at) {
                continue;
            }
            for (queue, cursor) in queues.iter_mut().zip(cursors.iter_mut()) {
                while left > Decimal::ZERO {
                    let Some((debt, outstanding)) = queue.get_mut(*cursor) else {
                        break;
                    };
                    let Some(debt_event) = self.s.events.get(*debt) else {
                        break;
                    };
                    if debt_event.at.sort_key() > pay.at.sort_key() {
                        break; // not owed yet when this payment was made
                    }
                    let applied = left.min(*outstanding);
                    *outstanding -= applied;
                    left -= applied;
                    if applied > Decimal::ZERO {
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
                    if *outstanding == Decimal::ZERO {
                        *cursor += 1;
                    }
                }
            }
        }
        let debtor = self.party_name(&rule.debtor, None);
        let creditor = self.party_name(&rule.creditor, None);
        for (debt, outstanding) in queues.into_iter().flatten() {
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

    pub(super) fn text(&self, span: Span) -> &'a str {
        let c: &'a Checked = self.c;
        c.source.get(span.start..span.end).unwrap_or("")
    }
}

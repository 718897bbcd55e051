//! Allocation of partial payments in the contract's stated order.

use super::*;

impl<'a> Engine<'a> {
    pub(super) fn emit_allocation(
        &mut self,
        _index: usize,
        clause: &'a Clause,
    ) -> Result<(), EvalError> {
        let Body::Allocation(rule) = &clause.body else {
            return Ok(());
        };
        // Debts in the stated order: within a source, oldest first (date order) as written.
        let mut debts: Vec<(usize, Decimal)> = Vec::new(); // (event, outstanding)
        for entry in &rule.order {
            let mut of_kind: Vec<usize> = self.s.of_kind(&entry.source.name).to_vec();
            if !entry.oldest_first {
                of_kind.sort_by_key(|e| {
                    std::cmp::Reverse(self.s.events.get(*e).map(|ev| ev.at.sort_key()))
                });
            }
            for e in of_kind {
                if let Some(Value::Money(amount)) =
                    self.s.events.get(e).and_then(|ev| ev.fields.get("amount"))
                {
                    debts.push((e, *amount));
                }
            }
        }
        let mut first_open = 0; // every debt before it is paid off
        for &payment in self.s.of_kind(&rule.pays) {
            let Some(pay) = self.s.events.get(payment) else {
                continue;
            };
            if !self.happened(pay.at) {
                continue;
            }
            let Some(Value::Money(mut left)) = pay.fields.get("amount").cloned() else {
                continue;
            };
            let mut i = first_open;
            while left > Decimal::ZERO && i < debts.len() {
                let Some((debt, outstanding)) = debts.get_mut(i) else {
                    break;
                };
                let Some(debt_event) = self.s.events.get(*debt) else {
                    break;
                };
                if *outstanding > Decimal::ZERO && debt_event.at.sort_key() <= pay.at.sort_key() {
                    let applied = left.min(*outstanding);
                    *outstanding -= applied;
                    left -= applied;
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
                if i == first_open && debts.get(i).is_some_and(|(_, o)| *o == Decimal::ZERO) {
                    first_open += 1;
                }
                i += 1;
            }
        }
        let (debtor, creditor) = (
            self.party_name(&rule.debtor, None),
            self.party_name(&rule.creditor, None),
        );
        for (debt, outstanding) in debts {
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

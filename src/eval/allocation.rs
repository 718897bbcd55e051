//! Allocation of partial payments in the contract's stated order.

use super::*;

/// What the contract's allocations decided, computed before any clause is evaluated so that
/// every clause sees the same settlement: money applied to a debt counts towards the
/// obligation that created it.
#[derive(Debug, Clone, Default)]
pub(super) struct Settlement {
    /// Allocation clause → its applications and what remains owed.
    pub by_clause: HashMap<usize, Applied>,
    /// Debt event → (payment event, amount applied), in payment date order.
    pub by_debt: HashMap<usize, Vec<(usize, Decimal)>>,
    /// (payment kind, debt event): the debts an allocation settles, paid by payments of
    /// that kind.
    pub settles: HashSet<(KindId, usize)>,
}

/// One allocation's result.
#[derive(Debug, Clone, Default)]
pub(super) struct Applied {
    /// (payment, debt, amount applied, what remains of the debt), in order.
    pub applications: Vec<(usize, usize, Decimal, Decimal)>,
    /// (debt, amount still owed), for debts not paid off.
    pub outstanding: Vec<(usize, Decimal)>,
}

impl Engine<'_> {
    /// Runs every allocation of the contract over the history, before any clause.
    pub(super) fn settle(&mut self) -> Result<Settlement, EvalError> {
        let c = self.c;
        let s = self.s;
        let mut out = Settlement::default();
        for (index, clause) in c.clauses.iter().enumerate() {
            let Body::Allocation(rule) = &clause.body else {
                continue;
            };
            // The debts of each kind in the order, oldest first, that pass its filter.
            let mut queues: Vec<Vec<(usize, Decimal)>> = Vec::with_capacity(rule.order.len());
            for debts in &rule.order {
                let mut queue = Vec::new();
                for &e in s.of_kind(debts.kind) {
                    if let Some(filter) = &debts.filter {
                        let ctx = Ctx {
                            clause: index,
                            var: Some(e),
                            delay: None,
                        };
                        if !self.eval(filter, ctx)?.is_true() {
                            continue;
                        }
                    }
                    out.settles.insert((rule.pays, e));
                    if let Some(amount) = s.events.get(e).and_then(|ev| ev.amount(c)) {
                        if amount > Decimal::ZERO {
                            queue.push((e, amount));
                        }
                    }
                }
                queues.push(queue);
            }
            let applied = allocate(c, rule, s, queues);
            for (payment, debt, amount, _) in &applied.applications {
                out.by_debt
                    .entry(*debt)
                    .or_default()
                    .push((*payment, *amount));
            }
            out.by_clause.insert(index, applied);
        }
        Ok(out)
    }
}

/// Applies each payment, in date order, to the debts in the stated order of kinds, oldest
/// debt first within a kind, and says each application and what remains owed.
///
/// One queue per kind, with a cursor on its first debt not yet paid off: cursors only move
/// forward, because payments come in date order and a debt dated after a payment waits
/// for a later one. Work is O(payments × kinds + debts).
fn allocate(
    c: &Checked,
    rule: &crate::check::Allocation,
    s: &Scenario,
    mut queues: Vec<Vec<(usize, Decimal)>>,
) -> Applied {
    let mut out = Applied::default();
    let mut cursors = vec![0usize; queues.len()];
    for &payment in s.of_kind(rule.pays) {
        let Some(pay) = s.events.get(payment) else {
            continue;
        };
        let Some(mut left) = pay.amount(c) else {
            continue;
        };
        // Only the debtor's payments pay its debts.
        if let (Party::Named(debtor), Some(by)) = (&rule.debtor, pay.by.as_deref()) {
            if debtor != by {
                continue;
            }
        }
        for (queue, cursor) in queues.iter_mut().zip(cursors.iter_mut()) {
            while left > Decimal::ZERO {
                let Some((debt, outstanding)) = queue.get_mut(*cursor) else {
                    break;
                };
                let Some(debt_event) = s.events.get(*debt) else {
                    break;
                };
                if debt_event.at.sort_key() > pay.at.sort_key() {
                    break; // not owed yet when this payment was made
                }
                // `applied` is at most either, and both are positive: no overflow, and no
                // panic should that ever change.
                let applied = left.min(*outstanding);
                *outstanding = outstanding.saturating_sub(applied);
                left = left.saturating_sub(applied);
                if applied > Decimal::ZERO {
                    out.applications
                        .push((payment, *debt, applied, *outstanding));
                }
                if *outstanding == Decimal::ZERO {
                    *cursor = cursor.saturating_add(1);
                }
            }
        }
    }
    out.outstanding = queues
        .into_iter()
        .flatten()
        .filter(|(_, outstanding)| *outstanding > Decimal::ZERO)
        .collect();
    out
}

impl<'a> Engine<'a> {
    pub(super) fn emit_allocation(
        &mut self,
        index: usize,
        clause: &'a Clause,
    ) -> Result<(), EvalError> {
        let Body::Allocation(rule) = &clause.body else {
            return Ok(());
        };
        let applied = self
            .settlement
            .by_clause
            .get(&index)
            .cloned()
            .unwrap_or_default();
        for (payment, debt, applied, remaining) in applied.applications {
            let (Some(pay), Some(debt_event)) =
                (self.s.events.get(payment), self.s.events.get(debt))
            else {
                continue;
            };
            self.out.allocations.push(AllocationEntry {
                source: self.source(clause, Some(payment)),
                payment: pay.id.clone(),
                debt: debt_event.id.clone(),
                debt_kind: self.c.kind_name(debt_event.kind).to_string(),
                applied,
                remaining,
                currency: self.c.currency.clone(),
            });
        }
        let debtor = self.party_name(&rule.debtor, None);
        let creditor = self.party_name(&rule.creditor, None);
        for (debt, outstanding) in applied.outstanding {
            let Some(ev) = self.s.events.get(debt) else {
                continue;
            };
            self.out.outstanding.push(OutstandingEntry {
                source: self.source(clause, Some(debt)),
                debt: ev.id.clone(),
                debt_kind: self.c.kind_name(ev.kind).to_string(),
                debtor: debtor.clone(),
                creditor: creditor.clone(),
                amount: round_cents(outstanding),
                currency: self.c.currency.clone(),
            });
        }
        Ok(())
    }
}

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
    /// (payment kind, debt kind) pairs that an allocation settles.
    pub settles: HashSet<(KindId, KindId)>,
}

/// One allocation's result.
#[derive(Debug, Clone, Default)]
pub(super) struct Applied {
    /// (payment, debt, amount applied, what remains of the debt), in order.
    pub applications: Vec<(usize, usize, Decimal, Decimal)>,
    /// (debt, amount still owed), for debts not paid off.
    pub outstanding: Vec<(usize, Decimal)>,
}

/// Runs every allocation of a contract over a history.
pub(super) fn settle(c: &Checked, s: &Scenario) -> Settlement {
    let mut out = Settlement::default();
    for (index, clause) in c.clauses.iter().enumerate() {
        let Body::Allocation(rule) = &clause.body else {
            continue;
        };
        for debt_kind in &rule.order {
            out.settles.insert((rule.pays, *debt_kind));
        }
        let applied = allocate(c, rule, s);
        for (payment, debt, amount, _) in &applied.applications {
            out.by_debt
                .entry(*debt)
                .or_default()
                .push((*payment, *amount));
        }
        out.by_clause.insert(index, applied);
    }
    out
}

/// Applies each payment, in date order, to the debts in the stated order of kinds, oldest
/// debt first within a kind, and says each application and what remains owed.
///
/// One queue per kind, with a cursor on its first debt not yet paid off: cursors only move
/// forward, because payments come in date order and a debt dated after a payment waits
/// for a later one. Work is O(payments × kinds + debts).
fn allocate(c: &Checked, rule: &crate::check::Allocation, s: &Scenario) -> Applied {
    let mut out = Applied::default();
    let mut queues: Vec<Vec<(usize, Decimal)>> = rule
        .order
        .iter()
        .map(|kind| {
            s.of_kind(*kind)
                .iter()
                .filter_map(|&e| match s.events.get(e).and_then(|ev| ev.amount(c)) {
                    Some(amount) if amount > Decimal::ZERO => Some((e, amount)),
                    _ => None,
                })
                .collect()
        })
        .collect();
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

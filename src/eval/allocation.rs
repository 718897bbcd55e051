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

/// A debt an allocation pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum DebtRef {
    /// An event of a kind in the order, owing its `amount`.
    Event(usize),
    /// An instance of a charge the contract computes, for the event it is kept for.
    Charge {
        clause: ClauseId,
        event: Option<usize>,
    },
}

/// One allocation's result.
#[derive(Debug, Clone, Default)]
pub(super) struct Applied {
    /// (payment, debt, amount applied, what remains of the debt), in order.
    pub applications: Vec<(usize, DebtRef, Decimal, Decimal)>,
    /// (debt event, amount still owed), for debt events not paid off; computed charges' own
    /// balances are worked out when the allocation is reported.
    pub outstanding: Vec<(usize, Decimal)>,
    /// (charge instance, total applied to it).
    pub to_charges: HashMap<(ClauseId, Option<usize>), Decimal>,
}

/// One line of the order while payments are applied.
enum Line {
    /// Debt events oldest first, with a cursor on the first not yet paid off: cursors only
    /// move forward, because payments come in date order and a debt dated after a payment
    /// waits for a later one.
    Events {
        queue: Vec<(usize, Decimal)>,
        cursor: usize,
    },
    /// A computed charge, owed as computed on each payment's day.
    Charge(ClauseId),
}

impl Engine<'_> {
    /// Runs every allocation of the contract over the history, before any clause, writing
    /// the settlement as it goes: a computed charge in an order is worked out on each
    /// payment's day from the payments before it. Work is O(payments × lines + debts), and
    /// for a computed charge one evaluation per payment and overdue debt.
    pub(super) fn settle(&mut self) -> Result<(), EvalError> {
        let c = self.c;
        let s = self.s;
        self.settlement = Settlement::default();
        let mut computed = false;
        for (index, clause) in c.clauses.iter().enumerate() {
            let Body::Allocation(rule) = &clause.body else {
                continue;
            };
            let mut lines: Vec<Line> = Vec::with_capacity(rule.order.len());
            for debts in &rule.order {
                let (kind, filter) = match debts {
                    Debts::Events { kind, filter } => (*kind, filter),
                    Debts::Charge(charge) => {
                        computed = true;
                        lines.push(Line::Charge(*charge));
                        continue;
                    }
                };
                let mut queue = Vec::new();
                for &e in s.of_kind(kind) {
                    if let Some(filter) = filter {
                        let ctx = Ctx {
                            clause: index,
                            var: Some(e),
                            delay: None,
                            each: None,
                        };
                        if !self.eval(filter, ctx)?.is_true() {
                            continue;
                        }
                    }
                    self.settlement.settles.insert((rule.pays, e));
                    if let Some(amount) = s.events.get(e).and_then(|ev| ev.amount(c)) {
                        if amount > Decimal::ZERO {
                            queue.push((e, amount));
                        }
                    }
                }
                lines.push(Line::Events { queue, cursor: 0 });
            }
            let applied = self.allocate(rule, &mut lines)?;
            self.settlement.by_clause.insert(index, applied);
        }
        if computed {
            // What was computed on a payment's day, from part of the settlement, is not
            // what the clauses will compute from all of it.
            self.forget_computed();
        }
        Ok(())
    }

    /// Applies each payment, in date order, to the debts in the stated order, oldest debt
    /// first within a line, and says each application and what remains owed.
    fn allocate(
        &mut self,
        rule: &crate::check::Allocation,
        lines: &mut [Line],
    ) -> Result<Applied, EvalError> {
        let c = self.c;
        let s = self.s;
        let mut out = Applied::default();
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
            for line in lines.iter_mut() {
                if left <= Decimal::ZERO {
                    break;
                }
                match line {
                    Line::Events { queue, cursor } => {
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
                            // `applied` is at most either, and both are positive: no
                            // overflow, and no panic should that ever change.
                            let applied = left.min(*outstanding);
                            *outstanding = outstanding.saturating_sub(applied);
                            left = left.saturating_sub(applied);
                            if applied > Decimal::ZERO {
                                out.applications.push((
                                    payment,
                                    DebtRef::Event(*debt),
                                    applied,
                                    *outstanding,
                                ));
                                self.settlement
                                    .by_debt
                                    .entry(*debt)
                                    .or_default()
                                    .push((payment, applied));
                            }
                            if *outstanding == Decimal::ZERO {
                                *cursor = cursor.saturating_add(1);
                            }
                        }
                    }
                    Line::Charge(charge) => {
                        let charge = *charge;
                        for (event, owed) in self.charge_owed_on(charge, pay.at)? {
                            if left <= Decimal::ZERO {
                                break;
                            }
                            let paid = out.to_charges.entry((charge, event)).or_default();
                            let outstanding = owed.saturating_sub(*paid);
                            if outstanding <= Decimal::ZERO {
                                continue;
                            }
                            let applied = left.min(outstanding);
                            *paid = paid.saturating_add(applied);
                            left = left.saturating_sub(applied);
                            out.applications.push((
                                payment,
                                DebtRef::Charge {
                                    clause: charge,
                                    event,
                                },
                                applied,
                                outstanding.saturating_sub(applied),
                            ));
                        }
                    }
                }
            }
        }
        out.outstanding = lines
            .iter()
            .flat_map(|line| match line {
                Line::Events { queue, .. } => queue.as_slice(),
                Line::Charge(_) => &[],
            })
            .filter(|(_, outstanding)| *outstanding > Decimal::ZERO)
            .copied()
            .collect();
        Ok(out)
    }

    /// Each instance of a computed charge as owed on day `at`, from the settlement so far:
    /// the breached obligation's debts overdue by then, each charged for its delay up to the
    /// day it was paid off or up to `at`, rounded as the contract rounds.
    fn charge_owed_on(
        &mut self,
        charge: ClauseId,
        at: Moment,
    ) -> Result<Vec<(Option<usize>, Decimal)>, EvalError> {
        let c = self.c;
        let clause = self.clause(charge);
        let (Scope::OnBreach { obligation, .. }, Body::Charge(rule)) =
            (&clause.scope, &clause.body)
        else {
            return Ok(Vec::new());
        };
        let obligation = *obligation;
        let mut out = Vec::new();
        for &(event, _) in self.instances(obligation)?.iter() {
            // The due date does not depend on the settlement.
            let Some(due) = self.obligation(obligation, event)?.and_then(|o| o.due) else {
                continue;
            };
            let overdue = match due {
                Moment::Date(d) => d < at.date(),
                Moment::DateTime(_) => due.sort_key() < at.sort_key(),
            };
            if !overdue {
                continue;
            }
            // Paid off by the settlement so far? (The checker makes this allocation settle
            // the obligation's debts, so fulfilment reads what it applied.)
            let Body::Obligation(o) = &self.clause(obligation).body else {
                continue;
            };
            let (paid_off, _) = self.fulfilment(obligation, o, event, &mut Vec::new());
            if paid_off.is_some_and(|m| m.is_by(due)) {
                continue; // paid in time: no breach
            }
            let ctx = Ctx {
                clause: charge,
                var: event,
                delay: Some((due, paid_off.unwrap_or(at))),
                each: None,
            };
            if let Some(when) = &clause.when {
                if !self.eval(when, ctx)?.is_true() {
                    continue;
                }
            }
            if let Value::Money(exact) = self.eval(&rule.amount, ctx)? {
                out.push((event, round_with(exact, c.rounding)));
            }
        }
        Ok(out)
    }

    /// Drops what was computed while settling: obligation states, instances, values and terms
    /// are computed again, once, from the whole settlement.
    fn forget_computed(&mut self) {
        self.obligations.clear();
        self.instance_lists.clear();
        self.term_states.clear();
        self.terms.clear();
        self.streaks.clear();
        self.in_progress.clear();
        self.not_fired_seen.clear();
        self.out.not_fired.clear();
        self.states.clear();
        self.charged.clear();
        for value in &mut self.values {
            *value = None;
        }
    }
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
        for (payment, debt, applied, remaining) in applied.applications.iter().copied() {
            let Some(pay) = self.s.events.get(payment) else {
                continue;
            };
            let (debt, debt_kind) = self.debt_names(debt);
            self.out.allocations.push(AllocationEntry {
                source: self.source(clause, Some(payment)),
                payment: pay.id.clone(),
                debt,
                debt_kind,
                applied,
                remaining,
                currency: self.c.currency.clone(),
            });
        }
        let debtor = self.party_name(&rule.debtor, None);
        let creditor = self.party_name(&rule.creditor, None);
        // What remains of each line, in the order's order: debt events, and computed
        // charges as computed as of the evaluation date less what was applied to them.
        let mut remaining: Vec<(DebtRef, Decimal)> = Vec::new();
        for debts in &rule.order {
            match debts {
                Debts::Events { kind, .. } => remaining.extend(
                    applied
                        .outstanding
                        .iter()
                        .filter(|(e, _)| self.s.events.get(*e).is_some_and(|ev| ev.kind == *kind))
                        .map(|(e, left)| (DebtRef::Event(*e), *left)),
                ),
                Debts::Charge(charge) => {
                    for (event, owed) in self.charge_owed_on(*charge, self.as_of_moment())? {
                        let paid = applied
                            .to_charges
                            .get(&(*charge, event))
                            .copied()
                            .unwrap_or_default();
                        let left = owed.saturating_sub(paid);
                        if left > Decimal::ZERO {
                            remaining.push((
                                DebtRef::Charge {
                                    clause: *charge,
                                    event,
                                },
                                left,
                            ));
                        }
                    }
                }
            }
        }
        for (debt, outstanding) in remaining {
            let event = match debt {
                DebtRef::Event(e) => Some(e),
                DebtRef::Charge { event, .. } => event,
            };
            let (name, debt_kind) = self.debt_names(debt);
            self.out.outstanding.push(OutstandingEntry {
                source: self.source(clause, event),
                debt: name,
                debt_kind,
                debtor: debtor.clone(),
                creditor: creditor.clone(),
                amount: round_cents(outstanding),
                currency: self.c.currency.clone(),
            });
        }
        Ok(())
    }

    /// A debt's name and kind for the report: the event's id and kind, or for a computed
    /// charge its event's id (if any) and the charge's clause id.
    fn debt_names(&self, debt: DebtRef) -> (String, String) {
        match debt {
            DebtRef::Event(e) => self.s.events.get(e).map_or_else(Default::default, |ev| {
                (ev.id.clone(), self.c.kind_name(ev.kind).to_string())
            }),
            DebtRef::Charge { clause, event } => (
                event
                    .and_then(|e| self.s.events.get(e))
                    .map_or_else(String::new, |ev| ev.id.clone()),
                self.clause(clause).id.clone(),
            ),
        }
    }
}

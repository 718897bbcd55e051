//! The checked model: what the evaluator runs. Every name in it resolves, every
//! expression has a known type, every clause has the lines its kind needs.

use std::collections::BTreeMap;

use crate::ast::{ChargeKind, Counting, Duration, Expr, Opens, OrderEntry};
use crate::calendar::Calendar;
use crate::check::types::Type;
use crate::source::Span;

/// A contract that passed the checker.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The contract's source text, for derivations that quote it.
    pub source: std::sync::Arc<str>,
    pub name: String,
    pub title: Option<String>,
    pub vendor: Option<String>,
    /// Party name → description.
    pub parties: BTreeMap<String, String>,
    pub currency: String,
    pub calendar: Calendar,
    pub notices: NoticeRules,
    /// How computed amounts are rounded to the cent.
    pub rounding: rust_decimal::RoundingStrategy,
    /// Whether every deadline on a weekend or public holiday moves to the next working day.
    pub roll_forward: bool,
    pub events: BTreeMap<String, EventKind>,
    pub params: BTreeMap<String, Param>,
    /// `let` definitions in an order where each comes after the ones it uses.
    pub lets: Vec<Let>,
    /// Every parameter, `let` and clause, each after what it uses (the checker refuses
    /// cycles): the evaluator computes each once, in this order.
    pub order: Vec<Evaluation>,
    pub clauses: Vec<Clause>,
}

/// One step of the evaluation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evaluation {
    /// A parameter or `let`, by name.
    Value(String),
    /// A clause, by index in [`Checked::clauses`].
    Clause(usize),
}

/// When notices count: a default, and per channel.
#[derive(Debug, Clone, Default)]
pub struct NoticeRules {
    pub default: Option<(Counting, Option<String>)>,
    pub by_channel: BTreeMap<String, (Counting, Option<String>)>,
}

impl NoticeRules {
    /// The rule for a channel: the channel's own, else the default, else on sending.
    pub fn counting(&self, channel: Option<&str>) -> (Counting, Option<&str>) {
        channel
            .and_then(|c| self.by_channel.get(c))
            .or(self.default.as_ref())
            .map_or((Counting::Sending, None), |(c, a)| (*c, a.as_deref()))
    }
}

#[derive(Debug, Clone)]
pub struct EventKind {
    pub name: String,
    /// Known in advance (`event maintenance planned { … }`): events of this kind are seen
    /// even when dated after the evaluation date.
    pub planned: bool,
    pub fields: BTreeMap<String, Field>,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub ty: Type,
    pub optional: bool,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub ty: Type,
    /// Without a value, the scenario must give the fact.
    pub value: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Let {
    pub name: String,
    pub ty: Type,
    pub value: Expr,
}

/// One clause, with what every clause has.
#[derive(Debug, Clone)]
pub struct Clause {
    pub id: String,
    /// The article exactly as the vendor numbers it.
    pub article: String,
    pub span: Span,
    /// Which instances the clause has.
    pub scope: Scope,
    /// `when`: the clause applies only where this holds.
    pub when: Option<Expr>,
    /// Whether this clause's deadline moves off weekends and holidays (`roll forward`,
    /// or the contract's `deadlines roll forward`).
    pub rolls: bool,
    pub body: Body,
}

/// Which instances a clause has.
#[derive(Debug, Clone)]
pub enum Scope {
    /// One instance.
    Once,
    /// One per event of a kind (that passes the filter), bound to `var`.
    ForEach {
        kind: String,
        var: String,
        filter: Option<Expr>,
    },
    /// One per violated instance of an obligation, bound to its variable and to `delay`.
    OnBreach {
        obligation: usize,
        kind: Option<String>,
        var: Option<String>,
    },
}

impl Scope {
    /// The event variable bound in this scope and its kind.
    pub fn binding(&self) -> Option<(&str, &str)> {
        match self {
            Scope::Once => None,
            Scope::ForEach { kind, var, .. } => Some((var, kind)),
            Scope::OnBreach { kind, var, .. } => Some((var.as_deref()?, kind.as_deref()?)),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Body {
    Obligation(Obligation),
    Right(Right),
    Charge(Charge),
    Term(Term),
    Date(DateRule),
    Allocation(Allocation),
}

/// A party as a clause names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Party {
    /// A declared party.
    Named(String),
    /// The party a field of the clause's event names: `by` (who acted) or a `party` field.
    OfEvent(String),
}

/// A duty (or a prohibition) of a party.
#[derive(Debug, Clone)]
pub struct Obligation {
    pub party: Party,
    pub action: String,
    pub prohibition: bool,
    /// When it falls due; for a prohibition, when it starts.
    pub deadline: Option<DeadlineRule>,
    /// For a prohibition: when it ends.
    pub until: Option<Expr>,
    pub via: Vec<String>,
    /// The event kind that fulfils (or, for a prohibition, breaches) it.
    pub act: Option<String>,
    /// An obligation of result: met when this holds.
    pub requires: Option<Expr>,
    pub counts: Option<Counting>,
    pub otherwise: Option<String>,
}

#[derive(Debug, Clone)]
pub enum DeadlineRule {
    Within(Duration, Expr),
    AtLeastBefore(Duration, Expr),
    By(Expr),
}

/// A right (permission, option) of a party.
#[derive(Debug, Clone)]
pub struct Right {
    pub party: Party,
    pub action: String,
    pub opens: Option<Opens>,
    /// The window's last moment, if the right must be exercised in time.
    pub deadline: Option<DeadlineRule>,
    pub via: Vec<String>,
    pub exercised_by: Option<String>,
    /// The right lasts while this obligation (same event) is unmet.
    pub while_unmet: Option<usize>,
    pub counts: Option<Counting>,
    pub otherwise: Option<String>,
}

/// An amount one party owes another.
#[derive(Debug, Clone)]
pub struct Charge {
    pub kind: ChargeKind,
    pub debtor: Party,
    pub creditor: Party,
    pub amount: Expr,
}

/// A fixed term with renewal and termination notice.
#[derive(Debug, Clone)]
pub struct Term {
    pub starts: Expr,
    /// A duration: the first period.
    pub lasts: Expr,
    /// A duration: each renewal.
    pub renews: Option<Expr>,
    pub tacit: bool,
    pub notices: Vec<TermNotice>,
    pub counts: Option<Counting>,
    /// `PARTY must "…"`: owed once per renewal, from the new period's first day.
    pub on_renewal: Option<(Party, String)>,
}

#[derive(Debug, Clone)]
pub struct TermNotice {
    pub kind: String,
    pub party: String,
    pub via: Vec<String>,
    pub before: Duration,
}

/// A derived date.
#[derive(Debug, Clone)]
pub struct DateRule {
    pub value: Expr,
}

/// How partial payments are applied.
#[derive(Debug, Clone)]
pub struct Allocation {
    pub debtor: Party,
    pub creditor: Party,
    /// The event kind of payments.
    pub pays: String,
    pub order: Vec<OrderEntry>,
}

impl Checked {
    pub fn clause_index(&self, id: &str) -> Option<usize> {
        self.clauses.iter().position(|c| c.id == id)
    }
}

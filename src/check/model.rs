//! The checked model: what the evaluator runs. Every name in it resolves, every
//! expression has a known type, every clause has the lines its kind needs.

use std::collections::BTreeMap;

use crate::ast::{Counting, Duration};
use crate::calendar::Calendar;
pub use crate::check::channels::{ChannelId, Channels};
use crate::check::types::Type;
use crate::source::Span;

pub use crate::check::resolved::*;

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
    /// The channels parties act by, and which satisfies which.
    pub channels: Channels,
    pub notices: NoticeRules,
    /// How computed amounts are rounded to the cent.
    pub rounding: rust_decimal::RoundingStrategy,
    /// Whether every deadline on a weekend or public holiday moves to the next working day.
    pub roll_forward: bool,
    /// The event kinds, by [`KindId`].
    pub events: Vec<EventKind>,
    /// Event kind name → id: how a scenario's events are resolved.
    pub kind_ids: BTreeMap<String, KindId>,
    /// Every parameter and `let`, by [`ValueId`].
    pub values: Vec<Definition>,
    /// Parameter name → id: how a scenario's facts are resolved.
    pub params: BTreeMap<String, ValueId>,
    /// Every parameter, `let` and clause, each after what it uses (the checker refuses
    /// cycles): the evaluator computes each once, in this order.
    pub order: Vec<Evaluation>,
    pub clauses: Vec<Clause>,
    /// The charge clauses whose amounts `charged(…)` adds up: the evaluator computes their
    /// amounts once, in the checker's order, before any clause reads them.
    pub summed: Vec<ClauseId>,
    /// A deal's general terms, when the contract is a deal over them (`None` for a
    /// contract): where each clause comes from.
    pub deal: Option<crate::deal::DealInfo>,
}

/// One step of the evaluation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evaluation {
    /// A parameter or `let`.
    Value(ValueId),
    /// A clause, by index in [`Checked::clauses`].
    Clause(usize),
}

/// When notices count: a default, and per channel.
#[derive(Debug, Clone, Default)]
pub struct NoticeRules {
    pub default: Option<(Counting, Option<String>)>,
    pub by_channel: BTreeMap<ChannelId, (Counting, Option<String>)>,
}

impl NoticeRules {
    /// The rule for a channel: the channel's own, else the default, else on sending.
    pub fn counting(&self, channel: Option<ChannelId>) -> (Counting, Option<&str>) {
        channel
            .and_then(|c| self.by_channel.get(&c))
            .or(self.default.as_ref())
            .map_or((Counting::Sending, None), |(c, a)| (*c, a.as_deref()))
    }
}

#[derive(Debug, Clone)]
pub struct EventKind {
    pub id: KindId,
    pub name: String,
    /// Known in advance (`event maintenance planned { … }`): events of this kind are seen
    /// even when dated after the evaluation date.
    pub planned: bool,
    /// The declared fields, by name; each has a slot in the kind's events.
    pub fields: BTreeMap<String, Field>,
    /// The `amount: money` field, if the kind has one: what a debt of this kind owes, what
    /// a payment of this kind pays.
    pub amount: Option<FieldId>,
    /// For each declared field, in slot order, the kind of event it refers to, if any.
    pub refers_to: Vec<Option<KindId>>,
}

impl EventKind {
    /// How many declared fields (slots) events of this kind have.
    pub fn slots(&self) -> usize {
        self.fields.len()
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    /// Its slot in the events of its kind.
    pub id: FieldId,
    pub ty: Type,
    pub optional: bool,
}

/// A parameter or a `let`.
#[derive(Debug, Clone)]
pub struct Definition {
    pub name: String,
    pub ty: Type,
    /// A `let`'s value, or a parameter's default; a parameter without one must be given
    /// by the scenario.
    pub value: Option<Core>,
    /// A parameter (a scenario fact may give it), not a `let`.
    pub param: bool,
    pub span: Span,
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
    pub when: Option<Core>,
    /// Whether this clause's deadline moves off weekends and holidays (`roll forward`,
    /// or the contract's `deadlines roll forward`).
    pub rolls: bool,
    /// `during TERM`: the clause's events count only while that term runs; others are
    /// rejected entries.
    pub during: Option<ClauseId>,
    pub body: Body,
}

/// Which instances a clause has.
#[derive(Debug, Clone)]
pub enum Scope {
    /// One instance.
    Once,
    /// One per event of a kind (that passes the filter), bound to the clause's variable.
    ForEach { kind: KindId, filter: Option<Core> },
    /// One per violated instance of an obligation, bound to its event (if it has one) and
    /// to `delay`.
    OnBreach {
        obligation: ClauseId,
        kind: Option<KindId>,
    },
}

impl Scope {
    /// The kind of the event bound in this scope, if one is.
    pub fn binding(&self) -> Option<KindId> {
        match self {
            Scope::Once => None,
            Scope::ForEach { kind, .. } => Some(*kind),
            Scope::OnBreach { kind, .. } => *kind,
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
    Value(DateRule),
    State(StateRule),
    Allocation(Allocation),
}

/// A party as a clause names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Party {
    /// A declared party.
    Named(String),
    /// The party a field of the clause's event names: `by` (who acted) or a `party` field.
    OfEvent(FieldRef),
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
    pub until: Option<Core>,
    /// The accepted channels as written, for the report.
    pub via: Vec<String>,
    /// The same channels by id: what the evaluator compares.
    pub channels: Vec<ChannelId>,
    /// The event kind that fulfils (or, for a prohibition, breaches) it.
    pub act: Option<KindId>,
    /// An obligation of result: met when this holds.
    pub requires: Option<Core>,
    pub counts: Option<Counting>,
    pub otherwise: Option<String>,
}

#[derive(Debug, Clone)]
pub enum DeadlineRule {
    Within(Duration, Core),
    AtLeastBefore(Duration, Core),
    By(Core),
}

/// A right (permission, option) of a party.
#[derive(Debug, Clone)]
pub struct Right {
    pub party: Party,
    pub action: String,
    pub opens: Option<Opens>,
    /// The window's last moment, if the right must be exercised in time.
    pub deadline: Option<DeadlineRule>,
    /// The accepted channels as written, for the report.
    pub via: Vec<String>,
    /// The same channels by id: what the evaluator compares.
    pub channels: Vec<ChannelId>,
    pub exercised_by: Option<KindId>,
    /// The right lasts while this obligation (same event) is unmet.
    pub while_unmet: Option<ClauseId>,
    pub counts: Option<Counting>,
    pub otherwise: Option<String>,
}

/// When a right opens.
#[derive(Debug, Clone)]
pub enum Opens {
    /// `opens after 14 days following x`: a grace period; the right opens on x + 14 days + 1 day.
    AfterGrace(Duration, Core),
    /// `opens on x`
    On(Core),
}

/// An amount one party owes another.
#[derive(Debug, Clone)]
pub struct Charge {
    /// What the report calls the amount: the `label` line, else `charge` (or the deprecated
    /// clause word: `interest`, `penalty`, …).
    pub label: String,
    pub debtor: Party,
    pub creditor: Party,
    pub amount: Core,
    /// The amount's currency, by code: the contract's, or another it declares.
    pub currency: String,
}

/// A fixed term with renewal and termination notice.
#[derive(Debug, Clone)]
pub struct Term {
    pub starts: Core,
    /// A duration: the first period.
    pub lasts: Core,
    /// A duration: each renewal.
    /// `renews tacitly` and `renews automatically` mean the same: it renews unless noticed.
    pub renews: Option<Core>,
    pub notices: Vec<TermNotice>,
    pub counts: Option<Counting>,
    /// `PARTY must "…"`: owed once per renewal, from the new period's first day.
    pub on_renewal: Option<(Party, String)>,
}

#[derive(Debug, Clone)]
pub struct TermNotice {
    pub kind: KindId,
    pub party: String,
    /// The accepted channels as written, for the report.
    pub via: Vec<String>,
    /// The same channels by id: what the evaluator compares.
    pub channels: Vec<ChannelId>,
    pub before: Duration,
}

/// A derived date.
#[derive(Debug, Clone)]
pub struct DateRule {
    pub value: Core,
}

/// A value folded over the history (`state balance article "6.2" { … }`): its value at
/// the start, then one step per event of a kind it names, in date order, up to the
/// evaluation date.
#[derive(Debug, Clone)]
pub struct StateRule {
    /// The value before any event; its type is the state's.
    pub starts: Core,
    /// The steps, as written: for an event, the first step of its kind whose `where` holds.
    pub steps: Vec<StateStep>,
}

/// `on payment p where COND => EXPR`: in `filter` and `value` the event is the clause's
/// variable and the state's own name its value before the step.
#[derive(Debug, Clone)]
pub struct StateStep {
    pub kind: KindId,
    pub filter: Option<Core>,
    pub value: Core,
}

/// How partial payments are applied.
#[derive(Debug, Clone)]
pub struct Allocation {
    pub debtor: Party,
    pub creditor: Party,
    /// The event kind of payments.
    pub pays: KindId,
    /// The kinds of debt, in the order payments go to them (oldest debt first within a
    /// kind, written or not).
    pub order: Vec<Debts>,
}

/// One line of an allocation's order.
#[derive(Debug, Clone)]
pub enum Debts {
    /// The events of a kind, each owing its `amount`.
    Events {
        kind: KindId,
        /// Only the debts of the kind where this holds (the debt bound as the clause's
        /// event). It reads the debt's fields and constants only: it is evaluated before any
        /// clause.
        filter: Option<Core>,
    },
    /// The instances of a charge the contract computes (`late_interest`): each owes, when a
    /// payment is made, the charge as computed on that day, less what was applied to it.
    Charge(ClauseId),
}

impl Checked {
    pub fn clause_index(&self, id: &str) -> Option<usize> {
        self.clauses.iter().position(|c| c.id == id)
    }

    /// An event kind by name (for input: a scenario's events).
    pub fn kind(&self, name: &str) -> Option<&EventKind> {
        self.kind_ids.get(name).and_then(|id| self.events.get(*id))
    }

    /// A parameter by name (for input: a scenario's facts).
    pub fn param(&self, name: &str) -> Option<(ValueId, &Definition)> {
        let id = *self.params.get(name)?;
        Some((id, self.values.get(id)?))
    }

    /// An event kind's name, for the report.
    pub fn kind_name(&self, kind: KindId) -> &str {
        self.events.get(kind).map_or("", |k| k.name.as_str())
    }
}

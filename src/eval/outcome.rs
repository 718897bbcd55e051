//! What evaluation yields: the entries of a report, each traced to its clause and article.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::calendar::Moment;

/// Everything a contract says about a scenario, as of a date.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    pub obligations: Vec<ObligationEntry>,
    pub violations: Vec<ViolationEntry>,
    pub rights: Vec<RightEntry>,
    pub amounts: Vec<AmountEntry>,
    pub dates: Vec<DateEntry>,
    /// Acts the contract refuses: a channel it does not accept, a right exercised outside
    /// its window.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<RejectedEntry>,
    /// What the contract's `value` clauses report (rates, quantities, counts, statuses).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<ValueEntry>,
    pub notices: Vec<NoticeEntry>,
    pub allocations: Vec<AllocationEntry>,
    /// What each debt still amounts to after payments are allocated.
    pub outstanding: Vec<OutstandingEntry>,
    /// Clauses not evaluated because the scenario lacks a fact they need (only clauses that
    /// do not depend on events; an event-driven clause that lacks a fact is an error).
    pub unevaluated: Vec<Unevaluated>,
    /// The amounts added up per debtor and creditor.
    pub totals: Vec<Total>,
    /// With `explain`: each clause instance that did not fire, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_fired: Vec<NotFired>,
}

/// A clause instance that produced nothing, and why.
#[derive(Debug, Clone, Serialize)]
pub struct NotFired {
    #[serde(flatten)]
    pub source: Source,
    pub reason: String,
    /// The clause's position in the contract: entries are listed in that order.
    #[serde(skip)]
    pub clause_index: usize,
}

/// What one party owes another in all.
#[derive(Debug, Clone, Serialize)]
pub struct Total {
    pub debtor: String,
    pub creditor: String,
    #[serde(serialize_with = "ser_amount")]
    pub amount: Decimal,
    pub currency: String,
}

/// A clause the scenario gives too little to evaluate.
#[derive(Debug, Clone, Serialize)]
pub struct Unevaluated {
    pub clause_id: String,
    pub clause: String,
    pub reason: String,
}

/// One step of a derivation, as the JSON report carries it: what was computed, by which
/// formula of the contract, from which values, with which result.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Step {
    /// `due`, `rolled`, `met`, `opens`, `window ends`, `condition`, `amount`, `rounding`, `date`.
    pub what: String,
    /// The contract's expression as written, or the rule applied.
    pub formula: String,
    /// The values the formula used.
    pub inputs: Vec<Input>,
    pub result: String,
}

/// A value a formula used: `inv.amount` = `2,000.00`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Input {
    pub name: String,
    pub value: String,
}

impl Step {
    pub fn new(
        what: &str,
        formula: impl Into<String>,
        inputs: Vec<Input>,
        result: impl Into<String>,
    ) -> Step {
        Step {
            what: what.to_string(),
            formula: formula.into(),
            inputs,
            result: result.into(),
        }
    }

    /// `formula with a = 1, b = 2 = result`.
    pub fn render(&self) -> String {
        let mut out = self.formula.clone();
        if !self.inputs.is_empty() {
            let inputs: Vec<String> = self
                .inputs
                .iter()
                .map(|i| format!("{} = {}", i.name, i.value))
                .collect();
            out.push_str(&format!(" with {}", inputs.join(", ")));
        }
        out.push_str(&format!(" = {}", self.result));
        out
    }
}

/// Where an entry comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    /// The clause id in the contract file.
    pub clause_id: String,
    /// The article exactly as the vendor numbers it.
    pub clause: String,
    /// The scenario event the entry is about, if any.
    pub event: Option<String>,
    /// For a deal, whether the clause is the general terms' or the deal's (absent for a
    /// contract).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<crate::deal::From>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObligationStatus {
    /// Not yet due, not yet met.
    Pending,
    Met,
    Violated,
}

impl ObligationStatus {
    pub fn word(self) -> &'static str {
        match self {
            ObligationStatus::Pending => "pending",
            ObligationStatus::Met => "met",
            ObligationStatus::Violated => "violated",
        }
    }
}

/// Who must do what, by when, by which channel, and whether it was met.
#[derive(Debug, Clone, Serialize)]
pub struct ObligationEntry {
    #[serde(flatten)]
    pub source: Source,
    pub party: String,
    pub action: String,
    /// For a prohibition: `must not`.
    pub prohibition: bool,
    #[serde(serialize_with = "ser_moment_opt")]
    pub due: Option<Moment>,
    pub via: Vec<String>,
    pub status: ObligationStatus,
    #[serde(serialize_with = "ser_moment_opt")]
    pub met_on: Option<Moment>,
    /// How the due date was computed.
    pub derivation: String,
    /// The same, step by step.
    pub steps: Vec<Step>,
}

/// What kind of failure a violation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// Done, but after the deadline.
    Late,
    /// Not done (validly) by the deadline.
    NotDone,
    /// An obligation of result whose condition does not hold.
    ConditionNotMet,
    /// A prohibited act was done.
    ProhibitedAct,
}

impl ViolationKind {
    pub fn word(self) -> &'static str {
        match self {
            ViolationKind::Late => "late",
            ViolationKind::NotDone => "not done",
            ViolationKind::ConditionNotMet => "condition not met",
            ViolationKind::ProhibitedAct => "prohibited act",
        }
    }
}

/// What was done late, wrongly, or not at all.
#[derive(Debug, Clone, Serialize)]
pub struct ViolationEntry {
    #[serde(flatten)]
    pub source: Source,
    pub party: String,
    pub action: String,
    pub kind: ViolationKind,
    #[serde(serialize_with = "ser_moment_opt")]
    pub due: Option<Moment>,
    /// Calendar days late (from the due day to the day it was done, or to the as-of date).
    pub days_late: Option<i64>,
    /// Minutes late, when the deadline has a time of day.
    pub minutes_late: Option<i64>,
    pub detail: String,
    /// What the contract says follows.
    pub consequence: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RightStatus {
    /// Open as of the evaluation date.
    Open,
    /// Will open on `from` unless its condition clears first.
    NotYetOpen,
    /// Was open from `from` until `until`.
    Closed,
    /// Exercised validly.
    Exercised,
    /// The window passed without a valid exercise.
    Lapsed,
}

impl RightStatus {
    pub fn word(self) -> &'static str {
        match self {
            RightStatus::Open => "open",
            RightStatus::NotYetOpen => "not yet open",
            RightStatus::Closed => "closed",
            RightStatus::Exercised => "exercised",
            RightStatus::Lapsed => "lapsed",
        }
    }
}

/// A right that opened (or will), and from when.
#[derive(Debug, Clone, Serialize)]
pub struct RightEntry {
    #[serde(flatten)]
    pub source: Source,
    pub party: String,
    pub right: String,
    #[serde(serialize_with = "ser_moment_opt")]
    pub from: Option<Moment>,
    #[serde(serialize_with = "ser_moment_opt")]
    pub until: Option<Moment>,
    pub via: Vec<String>,
    pub status: RightStatus,
    pub detail: String,
    /// How `from` and `until` were computed, step by step.
    pub steps: Vec<Step>,
}

/// An amount one party owes another.
#[derive(Debug, Clone, Serialize)]
pub struct AmountEntry {
    #[serde(flatten)]
    pub source: Source,
    /// `interest`, `compensation`, `penalty`, `fee`, `damages`, `cap`, `fine`, `charge`,
    /// `outstanding`.
    pub kind: String,
    pub debtor: String,
    pub creditor: String,
    #[serde(serialize_with = "ser_amount")]
    pub amount: Decimal,
    pub currency: String,
    /// The formula, the values it used, the exact result and its rounding.
    pub computation: String,
    /// The same, step by step.
    pub steps: Vec<Step>,
}

/// A derived date: a demo's end, a term's end after renewal, a deadline.
#[derive(Debug, Clone, Serialize)]
pub struct DateEntry {
    #[serde(flatten)]
    pub source: Source,
    pub name: String,
    #[serde(serialize_with = "ser_moment")]
    pub date: Moment,
    pub derivation: String,
    /// The same, step by step.
    pub steps: Vec<Step>,
}

/// An act the contract refuses, with the article and the reason.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedEntry {
    #[serde(flatten)]
    pub source: Source,
    /// The act's event id.
    pub act: String,
    #[serde(serialize_with = "ser_moment")]
    pub on: Moment,
    pub reason: String,
}

/// A value a `value` clause reports: a rate, a quantity, a count, a status.
#[derive(Debug, Clone, Serialize)]
pub struct ValueEntry {
    #[serde(flatten)]
    pub source: Source,
    pub name: String,
    /// The value as the report writes it (`97.5%`, `12`, `1,250.00`, `true`).
    pub value: String,
    /// Its type: `money`, `percent`, `number`, `date`, `duration`, `text`, `bool`, `party`.
    #[serde(rename = "type")]
    pub ty: String,
    pub derivation: String,
    /// The same, step by step.
    pub steps: Vec<Step>,
}

/// How a notice (termination, cancellation) was judged.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeEntry {
    #[serde(flatten)]
    pub source: Source,
    pub party: Option<String>,
    pub via: Option<String>,
    /// When it counts under the contract's rule (sending, posting or receipt).
    #[serde(serialize_with = "ser_moment_opt")]
    pub counts_on: Option<Moment>,
    #[serde(serialize_with = "ser_moment")]
    pub deadline: Moment,
    pub effective: bool,
    pub reason: String,
}

/// Part of a payment applied to a debt.
#[derive(Debug, Clone, Serialize)]
pub struct AllocationEntry {
    #[serde(flatten)]
    pub source: Source,
    pub payment: String,
    pub debt: String,
    pub debt_kind: String,
    #[serde(serialize_with = "ser_amount")]
    pub applied: Decimal,
    #[serde(serialize_with = "ser_amount")]
    pub remaining: Decimal,
    pub currency: String,
}

/// A debt still (partly) unpaid after allocation.
#[derive(Debug, Clone, Serialize)]
pub struct OutstandingEntry {
    #[serde(flatten)]
    pub source: Source,
    pub debt: String,
    pub debt_kind: String,
    pub debtor: String,
    pub creditor: String,
    #[serde(serialize_with = "ser_amount")]
    pub amount: Decimal,
    pub currency: String,
}

fn ser_moment<S: serde::Serializer>(m: &Moment, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&m.to_string())
}

fn ser_moment_opt<S: serde::Serializer>(m: &Option<Moment>, s: S) -> Result<S::Ok, S::Error> {
    match m {
        Some(m) => s.serialize_str(&m.to_string()),
        None => s.serialize_none(),
    }
}

fn ser_amount<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::money::format_amount(*d))
}

//! The spanned abstract syntax of contracts and scenarios, as the parser builds it.
//!
//! Nothing here is checked: names may be unknown and types may disagree. The checker
//! (`crate::check`) turns a [`Contract`] into a [`crate::check::Checked`] contract.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use crate::calendar::Moment;
use crate::source::Span;

/// A name as written, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A string literal's contents (escapes resolved) and its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub value: String,
    pub span: Span,
}

/// A whole contract file.
#[derive(Debug, Clone)]
pub struct Contract {
    pub name: Ident,
    pub title: Option<Text>,
    pub items: Vec<Item>,
}

/// A whole library file (`library belgium "…"`): declarations contracts take with `use`.
#[derive(Debug, Clone)]
pub struct Library {
    pub name: Ident,
    pub title: Option<Text>,
    pub items: Vec<Item>,
}

/// A whole deal file (`deal NAME "…" extends "FILE"`): special conditions over general
/// terms (see [`crate::deal`]).
#[derive(Debug, Clone)]
pub struct Deal {
    pub name: Ident,
    pub title: Option<Text>,
    /// The general terms' file, relative to the deal's folder.
    pub extends: Text,
    pub items: Vec<DealItem>,
}

/// One line of a deal.
#[derive(Debug, Clone)]
pub enum DealItem {
    /// `set licence_price = EUR 24000.00`
    Set { name: Ident, value: Expr },
    /// `override obligation pay_invoice article "Q-4.2" { … }`, with the span of `override`.
    Override { clause: Clause, word: Span },
    /// A declaration or clause of the deal's own.
    Item(Item),
}

/// What a `use` line names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UseTarget {
    /// `use belgium`: a library shipped with terms.
    Standard(Ident),
    /// `use "lib/extra.terms"`: a file, relative to the file that uses it.
    Path(Text),
}

impl UseTarget {
    pub fn span(&self) -> Span {
        match self {
            UseTarget::Standard(name) => name.span,
            UseTarget::Path(path) => path.span,
        }
    }
}

/// `channel registered_letter "registered letter" counts as letter`
#[derive(Debug, Clone)]
pub struct ChannelDecl {
    pub name: Ident,
    pub description: Option<Text>,
    /// The channel an act by this one also counts as.
    pub counts_as: Option<Ident>,
}

/// One top-level declaration.
#[derive(Debug, Clone)]
pub enum Item {
    /// `use belgium`, `use "lib/extra.terms"`
    Use(UseTarget),
    /// `channel email counts as written`
    Channel(ChannelDecl),
    Vendor(Text),
    Party {
        name: Ident,
        description: Option<Text>,
    },
    Currency(Ident),
    Timezone(Text),
    Calendar {
        name: Ident,
        /// Business hours: opening and closing local time, with their span.
        hours: Option<(chrono::NaiveTime, chrono::NaiveTime, Span)>,
        closed: Vec<(NaiveDate, Span)>,
        /// The calendar's own public holidays (`{ holiday … }`), instead of a known one's.
        holidays: Option<Vec<HolidayDecl>>,
    },
    Notices(NoticeRule),
    /// `rounding half_even`
    Rounding(Ident),
    /// `deadlines roll forward`
    RollForward(Option<Text>),
    /// `unit GB "gigabytes"`
    Unit {
        name: Ident,
        description: Option<Text>,
    },
    Event(EventDecl),
    Param(ParamDecl),
    Let {
        name: Ident,
        value: Expr,
    },
    Clause(Clause),
}

/// When a notice takes effect: for every channel, or for one.
#[derive(Debug, Clone)]
pub struct NoticeRule {
    pub channel: Option<Ident>,
    pub counting: Counting,
    pub article: Option<Text>,
    pub span: Span,
}

/// The moment a notice counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// When it is sent.
    Sending,
    /// When it is posted (a letter): the sending date, named as the contract names it.
    Posting,
    /// When the addressee receives it.
    Receipt,
    /// Deemed received this long after posting, whatever the actual day.
    DeemedReceipt(Duration),
}

impl Counting {
    pub fn word(self) -> String {
        match self {
            Counting::Sending => String::from("sending"),
            Counting::Posting => String::from("posting"),
            Counting::Receipt => String::from("receipt"),
            Counting::DeemedReceipt(d) => format!("receipt deemed {d} after posting"),
        }
    }
}

/// `holiday national_day on 07-14`, `holiday easter_monday on easter + 1 day`
#[derive(Debug, Clone)]
pub struct HolidayDecl {
    pub name: Ident,
    pub date: HolidayDate,
    /// Substitution rules (`moves to next monday if saturday or sunday`), the first that
    /// applies wins.
    pub moves: Vec<Substitution>,
    pub span: Span,
}

/// `moves to previous saturday if sunday`: when the holiday falls on one of `when`, it is
/// kept on the nearest `to` after (or, `forward` false, before) it instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substitution {
    pub forward: bool,
    pub to: chrono::Weekday,
    pub when: Vec<chrono::Weekday>,
    pub span: Span,
}

/// When a declared holiday falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayDate {
    /// The same month and day every year.
    Fixed { month: u32, day: u32 },
    /// Days after (or, negative, before) Easter Sunday.
    Easter(i64),
}

/// `event invoice { amount: money }`
#[derive(Debug, Clone)]
pub struct EventDecl {
    pub name: Ident,
    /// Known in advance: visible to the evaluator even after the evaluation date.
    pub planned: bool,
    pub fields: Vec<FieldDecl>,
}

#[derive(Debug, Clone)]
pub struct FieldDecl {
    pub name: Ident,
    pub type_name: Ident,
    pub optional: bool,
}

/// `param rate: percent = 12%`; without a value, the scenario supplies it as a fact.
#[derive(Debug, Clone)]
pub struct ParamDecl {
    pub name: Ident,
    /// The type's name; for a rate, the word `rate` (spanning the whole type).
    pub type_name: Ident,
    /// `rate USD per EUR`: the currency counted (`USD`), per one of the other (`EUR`).
    pub rate: Option<(Ident, Ident)>,
    pub default: Option<Expr>,
}

/// A clause: kind, id, cited article, body.
#[derive(Debug, Clone)]
pub struct Clause {
    pub kind: ClauseKind,
    pub kind_span: Span,
    pub id: Ident,
    pub article: Text,
    pub items: Vec<ClauseItem>,
    pub span: Span,
}

/// The general constructs. Every charge keyword (`interest`, `penalty`, …) is sugar for
/// [`ClauseKind::Charge`] with a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClauseKind {
    Obligation,
    Right,
    Term,
    Date,
    /// A value the report shows with its article: a rate, a quantity, a count, a status.
    Value,
    /// A value folded over the history in date order: `starts`, then one step per event.
    State,
    Allocation,
    Charge(ChargeKind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChargeKind {
    Charge,
    Interest,
    Compensation,
    Penalty,
    Fee,
    Damages,
    Cap,
    Fine,
}

impl ChargeKind {
    pub fn word(self) -> &'static str {
        match self {
            ChargeKind::Charge => "charge",
            ChargeKind::Interest => "interest",
            ChargeKind::Compensation => "compensation",
            ChargeKind::Penalty => "penalty",
            ChargeKind::Fee => "fee",
            ChargeKind::Damages => "damages",
            ChargeKind::Cap => "cap",
            ChargeKind::Fine => "fine",
        }
    }
}

impl ClauseKind {
    pub fn word(self) -> &'static str {
        match self {
            ClauseKind::Obligation => "obligation",
            ClauseKind::Right => "right",
            ClauseKind::Term => "term",
            ClauseKind::Date => "date",
            ClauseKind::Value => "value",
            ClauseKind::State => "state",
            ClauseKind::Allocation => "allocation",
            ClauseKind::Charge(kind) => kind.word(),
        }
    }
}

/// One line of a clause body, with its span.
#[derive(Debug, Clone)]
pub struct ClauseItem {
    pub kind: ClauseItemKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ClauseItemKind {
    ForEach {
        kind: Ident,
        var: Ident,
        filter: Option<Expr>,
    },
    OnBreach(Ident),
    Duty {
        party: PartyRef,
        action: Text,
    },
    Prohibition {
        party: PartyRef,
        action: Text,
    },
    Permission {
        party: PartyRef,
        action: Text,
    },
    Owes {
        debtor: PartyRef,
        creditor: PartyRef,
        amount: Expr,
    },
    Deadline(Deadline),
    Via(Vec<Ident>),
    FulfilledBy(Ident),
    ExercisedBy(Ident),
    BreachedBy(Ident),
    Requires(Expr),
    Opens(Opens),
    WhileUnmet(Ident),
    When(Expr),
    Otherwise(Text),
    Counts(Counting),
    Starts(Expr),
    Lasts(Expr),
    Renews {
        tacit: bool,
        period: Expr,
    },
    Notice {
        kind: Ident,
        party: PartyRef,
        via: Vec<Ident>,
        before: Duration,
    },
    Is(Expr),
    /// `client pays ecom by payment`
    Pays {
        debtor: PartyRef,
        creditor: PartyRef,
        kind: Ident,
    },
    Order(Vec<OrderEntry>),
    /// `label "service credit"`: what the report calls a charge's amount.
    Label(Text),
    Until(Expr),
    RollsForward,
    /// State: `on payment p [where COND] => EXPR`.
    Step {
        kind: Ident,
        var: Ident,
        filter: Option<Expr>,
        value: Expr,
    },
    /// `during subscription`: the clause applies while that term runs.
    During(Ident),
    /// `delay counted in started periods` / `… whole periods`.
    DelayPeriods(PeriodRule),
}

/// How a clause counts a part of a day or an hour of delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodRule {
    /// `delay counted in started periods`: a begun day or hour counts in full.
    Started,
    /// `delay counted in whole periods`: only complete days and hours count.
    Whole,
}

impl PeriodRule {
    /// The word the line uses: `started` or `whole`.
    pub fn word(self) -> &'static str {
        match self {
            PeriodRule::Started => "started",
            PeriodRule::Whole => "whole",
        }
    }
}

impl ClauseItemKind {
    /// The keyword that starts the line, for messages.
    pub fn word(&self) -> &'static str {
        match self {
            ClauseItemKind::ForEach { .. } => "for each",
            ClauseItemKind::OnBreach(_) => "on breach of",
            ClauseItemKind::Duty { .. } => "must",
            ClauseItemKind::Prohibition { .. } => "must not",
            ClauseItemKind::Permission { .. } => "may",
            ClauseItemKind::Owes { .. } => "owes",
            ClauseItemKind::Deadline(_) => "deadline",
            ClauseItemKind::Via(_) => "via",
            ClauseItemKind::FulfilledBy(_) => "fulfilled by",
            ClauseItemKind::ExercisedBy(_) => "exercised by",
            ClauseItemKind::BreachedBy(_) => "breached by",
            ClauseItemKind::Requires(_) => "requires",
            ClauseItemKind::Opens(_) => "opens",
            ClauseItemKind::WhileUnmet(_) => "while … unmet",
            ClauseItemKind::When(_) => "when",
            ClauseItemKind::Otherwise(_) => "otherwise",
            ClauseItemKind::Counts(_) => "counts on",
            ClauseItemKind::Starts(_) => "starts",
            ClauseItemKind::Lasts(_) => "lasts",
            ClauseItemKind::Renews { .. } => "renews",
            ClauseItemKind::Notice { .. } => "notice",
            ClauseItemKind::Is(_) => "is",
            ClauseItemKind::Pays { .. } => "pays",
            ClauseItemKind::Order(_) => "order",
            ClauseItemKind::Label(_) => "label",
            ClauseItemKind::Until(_) => "until",
            ClauseItemKind::RollsForward => "roll forward",
            ClauseItemKind::DelayPeriods(_) => "delay counted in",
            ClauseItemKind::During(_) => "during",
            ClauseItemKind::Step { .. } => "on … =>",
        }
    }
}

/// A party as a clause names it: a declared party, or the party an event names
/// (`n.by`, the party that acted; `n.addressee`, a field of type `party`).
#[derive(Debug, Clone)]
pub struct PartyRef {
    pub base: Ident,
    pub field: Option<Ident>,
    pub span: Span,
}

/// When an obligation falls due (or a right's window closes).
#[derive(Debug, Clone)]
pub enum Deadline {
    /// `within 30 days after inv`: last permitted moment = inv + 30 days.
    Within(Duration, Expr),
    /// `at least 15 business days before m`: last permitted moment = m − 15 business days.
    AtLeastBefore(Duration, Expr),
    /// `by inv + 14 days`
    By(Expr),
}

/// When a right opens.
#[derive(Debug, Clone)]
pub enum Opens {
    /// `opens after 14 days following x`: a grace period; the right opens on x + 14 days + 1 day.
    AfterGrace(Duration, Expr),
    /// `opens on x`
    On(Expr),
}

#[derive(Debug, Clone)]
pub struct OrderEntry {
    pub source: Ident,
    /// `invoice inv where not inv.direct_debit`: only the debts of the kind where it holds.
    pub filter: Option<(Ident, Expr)>,
    pub oldest_first: bool,
}

/// A length of time as written: `15 business days`, `3 months`, `48 hours`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration {
    pub count: u32,
    pub unit: Unit,
    /// Counted in business (working) days or hours.
    pub business: bool,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Minutes,
    Hours,
    Days,
    Weeks,
    Months,
    Years,
}

impl Unit {
    pub fn word(self, count: u32) -> &'static str {
        let one = count == 1;
        match (self, one) {
            (Unit::Minutes, true) => "minute",
            (Unit::Minutes, false) => "minutes",
            (Unit::Hours, true) => "hour",
            (Unit::Hours, false) => "hours",
            (Unit::Days, true) => "day",
            (Unit::Days, false) => "days",
            (Unit::Weeks, true) => "week",
            (Unit::Weeks, false) => "weeks",
            (Unit::Months, true) => "month",
            (Unit::Months, false) => "months",
            (Unit::Years, true) => "year",
            (Unit::Years, false) => "years",
        }
    }
}

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let business = if self.business { "business " } else { "" };
        write!(
            f,
            "{} {}{}",
            self.count,
            business,
            self.unit.word(self.count)
        )
    }
}

/// An expression with its span.
#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
    /// How deep the tree below this node is (a leaf is 1). The parser rejects expressions
    /// deeper than [`crate::syntax::MAX_EXPR_DEPTH`], so every later stage may recurse.
    pub depth: u32,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        let below = match &kind {
            ExprKind::Field(e, _) | ExprKind::Neg(e) | ExprKind::Not(e) => e.depth,
            ExprKind::Window { anchor, .. } => anchor.depth,
            ExprKind::Binary(_, a, b) => a.depth.max(b.depth),
            ExprKind::If(a, b, c) => a.depth.max(b.depth).max(c.depth),
            ExprKind::Call(_, args, _) => args.iter().map(|a| a.depth).max().unwrap_or(0),
            ExprKind::Band(s, arms) => arms
                .iter()
                .flat_map(|(t, v)| t.iter().map(|t| t.depth).chain(std::iter::once(v.depth)))
                .fold(s.depth, u32::max),
            _ => 0,
        };
        Expr {
            kind,
            span,
            depth: below.saturating_add(1),
        }
    }
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Money {
        amount: Decimal,
        currency: String,
    },
    /// `12%` is stored as 12.
    Percent(Decimal),
    Number(Decimal),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Duration(Duration),
    /// `63 GB`
    Quantity {
        amount: Decimal,
        unit: Ident,
    },
    Text(String),
    Bool(bool),
    Name(Ident),
    Field(Box<Expr>, Ident),
    /// A call, with the built-in function its name resolves to (`None`: no such function,
    /// which the checker reports).
    Call(Ident, Vec<Expr>, Option<crate::builtins::Builtin>),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `band x { below 95% => 10%, …, otherwise => 0% }`: the first arm whose threshold `x`
    /// is below wins; `None` is `otherwise`.
    Band(Box<Expr>, Vec<(Option<Expr>, Expr)>),
    /// `6 months before c` (`before: true`): [c − 6 months, c), the six months preceding c;
    /// `30 days after d`: (d, d + 30 days], the thirty days following d.
    Window {
        length: Duration,
        before: bool,
        anchor: Box<Expr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }
}

// ---------------------------------------------------------------- scenarios

/// A whole scenario file, unchecked.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub title: Text,
    pub contract: Option<Ident>,
    /// `as of 2025-04-10` or `as of 2025-04-10T10:00[+01:00]`, as written.
    pub as_of: Option<(crate::calendar::WrittenAsOf, Span)>,
    pub facts: Vec<Fact>,
    pub events: Vec<Event>,
}

/// `fact licence_price = EUR 24000.00`
#[derive(Debug, Clone)]
pub struct Fact {
    pub name: Ident,
    pub value: Literal,
}

/// `event r1: reminder on 2025-02-20 by vendor via email { invoice: inv1 }`
#[derive(Debug, Clone)]
pub struct Event {
    pub id: Ident,
    pub kind: Ident,
    /// As written: local time, or the time at `at_offset`.
    pub at: Moment,
    /// A UTC offset written with the time (`-05:00`, `Z`), in seconds east of UTC.
    pub at_offset: Option<i32>,
    pub at_span: Span,
    pub by: Option<Ident>,
    pub via: Option<Ident>,
    pub received: Option<(Moment, Span)>,
    /// A UTC offset written with the received time.
    pub received_offset: Option<i32>,
    pub fields: Vec<(Ident, Literal)>,
    pub span: Span,
}

/// A literal value in a scenario; a bare name refers to another event.
#[derive(Debug, Clone)]
pub struct Literal {
    pub kind: LiteralKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum LiteralKind {
    Money {
        amount: Decimal,
        currency: String,
    },
    Percent(Decimal),
    Number(Decimal),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    /// A date-time with a UTC offset (seconds east of UTC): `2019-01-11T16:34:00-05:00`.
    Instant(NaiveDateTime, i32),
    Text(String),
    Bool(bool),
    Duration(Duration),
    /// `63 GB`
    Quantity {
        amount: Decimal,
        unit: String,
    },
    Name(String),
}

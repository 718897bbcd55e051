//! The resolved core: expressions as the checker hands them to the evaluator.
//!
//! Every name is resolved to what it denotes (a parameter's or `let`'s slot, a party, the
//! clause's event, `delay`), every field to its slot, every event kind and clause a function
//! names to its index, every built-in function to its operands; every node carries the type
//! the checker gave it. The evaluator never looks a name up by string: what it cannot
//! evaluate is a bug in the checker, reported as `terms::eval::internal`.

use crate::ast::{BinOp, Duration};
use crate::builtins::Builtin;
use crate::calendar::PeriodUnit;
use crate::check::types::Type;
use crate::source::Span;
use crate::value::Value;

/// An event kind: its index in [`crate::check::Checked::events`].
pub type KindId = usize;
/// A declared field of an event kind: its slot in the kind's events.
pub type FieldId = usize;
/// A parameter or `let`: its slot in [`crate::check::Checked::values`].
pub type ValueId = usize;
/// A clause: its index in [`crate::check::Checked::clauses`].
pub type ClauseId = usize;

/// A typed, resolved expression.
#[derive(Debug, Clone)]
pub struct Core {
    pub node: Node,
    /// The type the checker gave the expression.
    pub ty: Type,
    /// Where it is written: derivations quote the source text.
    pub span: Span,
}

/// What an expression computes.
#[derive(Debug, Clone)]
pub enum Node {
    /// A literal.
    Const(Value),
    /// A party, by name (traced, so derivations show it).
    Party(String),
    /// A parameter or a `let`.
    Value(ValueId),
    /// The clause's event (`for each KIND var`, `on breach of`).
    Var,
    /// `delay` under `on breach of`.
    Delay,
    /// The event an aggregate is at (`usage` in `sum(usage, usage.gb * usage.price, …)`).
    Each,
    /// A field of an event.
    Field(Box<Core>, FieldRef),
    /// `6 months before c`.
    Window {
        length: Duration,
        before: bool,
        anchor: Box<Core>,
    },
    Neg(Box<Core>),
    Not(Box<Core>),
    /// `and` and `or`, evaluated left to right, the right side only when needed.
    Logic(BinOp, Box<Core>, Box<Core>),
    Binary(BinOp, Box<Core>, Box<Core>),
    If(Box<Core>, Box<Core>, Box<Core>),
    /// `band x { below t => v, …, otherwise => w }`.
    Band(Box<Core>, Vec<(Option<Core>, Core)>),
    Call(Box<Call>),
    /// A state (`balance`): its value as of the evaluation date; in its own steps, its value
    /// before the step.
    State(ClauseId),
}

/// A field of an event: one every event has, or one its kind declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldRef {
    Date,
    Received,
    Id,
    By,
    Via,
    Declared(FieldId),
}

/// The window of `sum` and `count_in`.
#[derive(Debug, Clone)]
pub enum WindowArg {
    /// A window value: `6 months before c`.
    Window(Core),
    /// The 0.1 form `from, to`: after `from`, up to and including `to`.
    Between(Core, Core),
}

/// A call of a built-in function, with its operands resolved.
#[derive(Debug, Clone)]
pub enum Call {
    /// `max(…)`, `min(…)`.
    Extreme {
        max: bool,
        args: Vec<Core>,
    },
    /// `ceil(n)`, `floor(n)`.
    Round {
        ceil: bool,
        arg: Core,
    },
    /// `days`, `started_months`, `complete_months`, `complete_weeks`, `hours`, `minutes`
    /// of a delay.
    Measure(Builtin, Core),
    /// `started_days`, `complete_days`, `started_hours`, `complete_hours` of a delay; also
    /// `days(delay)` and `hours(delay)` in a clause that says `delay counted in started|whole
    /// periods` (`by_line`, so derivations name the line).
    PartPeriods {
        unit: PeriodUnit,
        started: bool,
        by_line: bool,
        delay: Core,
    },
    /// `unpaid_days` and the other unpaid balances over a delay.
    Unpaid(Builtin, Core),
    EndOfMonth(Core),
    /// `day_of(t)`: t's day, without its time.
    DayOf(Core),
    /// `nth(kind, n)`: the n-th event of `kind` referring to the clause's event.
    Nth {
        kind: KindId,
        n: Core,
    },
    /// `count(kind)`: how many events of `kind` refer to the clause's event.
    Count {
        kind: KindId,
    },
    /// `last_before(kind, t)`.
    LastBefore {
        kind: KindId,
        at: Core,
    },
    /// `sum(kind, field, window)`.
    Sum {
        kind: KindId,
        field: FieldId,
        window: WindowArg,
    },
    /// `count_in(kind, window[, condition])`.
    CountIn {
        kind: KindId,
        window: WindowArg,
        condition: Option<Core>,
    },
    /// `sum(kind, expression, window)`: the expression reads each event as the kind's name.
    SumOf {
        kind: KindId,
        each: Core,
        window: WindowArg,
    },
    /// `max_in`, `min_in`.
    ExtremeIn {
        max: bool,
        kind: KindId,
        each: Core,
        window: WindowArg,
    },
    /// `round(x, step)`.
    RoundTo {
        value: Core,
        step: Core,
    },
    /// `pow(x, n)`.
    Pow {
        base: Core,
        exponent: Core,
    },
    /// `days_between`, `business_days_between`, `hours_between`, `minutes_between`,
    /// `seconds_between`.
    Between {
        builtin: Builtin,
        from: Core,
        to: Core,
    },
    /// `total(kind, field)`: over the events of `kind` referring to the clause's event.
    Total {
        kind: KindId,
        field: FieldId,
    },
    /// `due(o[, x])`, `met(o[, x])`, `met_on(o[, x])`: the clause's own event when `event`
    /// is absent.
    Obligation {
        builtin: Builtin,
        clause: ClauseId,
        event: Option<Core>,
    },
    /// `given(x)`.
    Given(Core),
    Rank(Core),
    /// `streak(cond[, period])`.
    Streak {
        cond: Core,
        period: Option<Duration>,
    },
    /// `end_of(term)`.
    EndOf {
        clause: ClauseId,
    },
    /// `state_after(state, e)`, `state_before(state, e)`: the state just after (before) the
    /// steps up to event e.
    StateAt {
        clause: ClauseId,
        event: Core,
        after: bool,
    },
    /// `charged(charge, window)`: what a charge clause computed for its events in the window.
    Charged {
        clause: ClauseId,
        window: WindowArg,
    },
    /// `convert(x, rate)`: x times the rate (`invert`: over it, converting the rate's
    /// other way), rounded to the cent.
    Convert {
        value: Core,
        rate: Core,
        invert: bool,
    },
}

impl Core {
    pub fn new(node: Node, ty: Type, span: Span) -> Core {
        Core { node, ty, span }
    }

    /// Whether this is a name (a parameter, `let`, party, the clause's event or `delay`):
    /// a derivation shows its value among the inputs.
    pub fn is_name(&self) -> bool {
        matches!(
            self.node,
            Node::Party(_) | Node::Value(_) | Node::Var | Node::Delay | Node::Each | Node::State(_)
        )
    }
}

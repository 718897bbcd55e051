//! Runtime values of the expression language.

use std::fmt;

use rust_decimal::Decimal;

use crate::ast::Duration;
use crate::calendar::Moment;
use crate::money::format_grouped;

/// A value computed by an expression or given by a scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An amount in the contract's currency, exact.
    Money(Decimal),
    /// A percentage: `12%` is `Percent(12)`.
    Percent(Decimal),
    Number(Decimal),
    Time(Moment),
    Duration(Duration),
    Text(String),
    Bool(bool),
    /// A party, by name.
    Party(String),
    /// An event of the scenario, by its position in date order.
    Event(usize),
    /// How late an obligation is: from its due moment to when it was met or the as-of date.
    Delay {
        from: Moment,
        to: Moment,
    },
    /// A stretch of time with stated ends.
    Window(crate::calendar::Window),
    /// Nothing: an optional field not given, an n-th event that did not happen.
    Absent,
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Money(d) => f.write_str(&format_grouped(*d)),
            Value::Percent(d) => write!(f, "{}%", d.normalize()),
            Value::Number(d) => write!(f, "{}", d.normalize()),
            Value::Time(m) => write!(f, "{m}"),
            Value::Duration(d) => write!(f, "{d}"),
            Value::Text(t) => write!(f, "\"{t}\""),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Party(p) => f.write_str(p),
            Value::Event(i) => write!(f, "event #{i}"),
            Value::Delay { from, to } => write!(f, "{from} → {to}"),
            Value::Window(w) => write!(f, "{w}"),
            Value::Absent => f.write_str("none"),
        }
    }
}

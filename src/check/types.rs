//! The types of the expression language.

use std::fmt;

/// The type of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// An amount in the contract's currency.
    Money,
    /// A rate: `12%`.
    Percent,
    /// A plain decimal number.
    Number,
    /// A date or a local date-time.
    Time,
    /// A length of time, as written: `30 days`.
    Duration,
    Text,
    Bool,
    /// One of the contract's parties.
    Party,
    /// An event of the named kind.
    Event(String),
    /// The stretch of time an obligation is late (`delay`), from its due date to when it was
    /// met or to the evaluation date.
    Delay,
    /// A stretch of time with stated ends: `6 months before c`.
    Window,
    /// A quantity in a unit the contract declares (`unit GB`): `63 GB`.
    Quantity(String),
    /// An amount in another currency the contract declares (`currency USD` after the
    /// contract's own): `USD 50.00`. `Money` is always the contract's currency.
    MoneyIn(String),
    /// An exchange rate the contract states (`rate USD per EUR`): how many units of `to`
    /// one unit of `from` is worth. Currencies by code, the contract's own included.
    Rate {
        to: String,
        from: String,
    },
}

impl Type {
    /// The type named in a declaration (`money`, `percent`, …), or an event kind.
    pub fn from_name(name: &str, is_event_kind: impl Fn(&str) -> bool) -> Option<Type> {
        Some(match name {
            "money" => Type::Money,
            "percent" => Type::Percent,
            "number" => Type::Number,
            "date" | "datetime" => Type::Time,
            "duration" => Type::Duration,
            "text" => Type::Text,
            "bool" => Type::Bool,
            "party" => Type::Party,
            kind if is_event_kind(kind) => Type::Event(kind.to_string()),
            _ => return None,
        })
    }

    pub const NAMES: [&'static str; 9] = [
        "money", "percent", "number", "date", "datetime", "duration", "text", "bool", "party",
    ];

    /// Whether a value of this type may stand where `want` is expected (an event stands
    /// for its date; a number states a rate).
    pub fn fits(&self, want: &Type) -> bool {
        self == want
            || (matches!(self, Type::Event(_)) && *want == Type::Time)
            || (*self == Type::Number && matches!(want, Type::Rate { .. }))
    }

    /// Whether this is an amount of money, in the contract's currency or another.
    pub fn is_money(&self) -> bool {
        matches!(self, Type::Money | Type::MoneyIn(_))
    }

    /// The type after an event is taken for its date.
    pub fn as_time(&self) -> Type {
        match self {
            Type::Event(_) => Type::Time,
            other => other.clone(),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Money => f.write_str("money"),
            Type::Percent => f.write_str("percent"),
            Type::Number => f.write_str("number"),
            Type::Time => f.write_str("date"),
            Type::Duration => f.write_str("duration"),
            Type::Text => f.write_str("text"),
            Type::Bool => f.write_str("bool"),
            Type::Party => f.write_str("party"),
            Type::Event(kind) => write!(f, "`{kind}` event"),
            Type::Delay => f.write_str("delay"),
            Type::Window => f.write_str("window"),
            Type::Quantity(unit) => write!(f, "a quantity in {unit}"),
            Type::MoneyIn(code) => write!(f, "money in {code}"),
            Type::Rate { to, from } => write!(f, "a rate {to} per {from}"),
        }
    }
}

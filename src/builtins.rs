//! The built-in functions of the expression language: one table of names, arities and doc
//! lines serves the checker (which resolves a call to a [`Builtin`]), the evaluator (which
//! matches on it) and the docs test (every function is in docs/language.md).

/// A built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    Max,
    Min,
    Ceil,
    Floor,
    Days,
    StartedMonths,
    CompleteMonths,
    CompleteWeeks,
    Hours,
    Minutes,
    StartedDays,
    CompleteDays,
    StartedHours,
    CompleteHours,
    UnpaidDays,
    UnpaidStartedMonths,
    UnpaidCompleteMonths,
    UnpaidCompleteWeeks,
    EndOfMonth,
    DayOf,
    Nth,
    Count,
    LastBefore,
    Sum,
    CountIn,
    Total,
    Given,
    Due,
    Met,
    MetOn,
    Paid,
    Rank,
    Streak,
    EndOf,
    MaxIn,
    MinIn,
    Round,
    Pow,
    DaysBetween,
    BusinessDaysBetween,
    HoursBetween,
    MinutesBetween,
    SecondsBetween,
    StateAfter,
    StateBefore,
    Charged,
    Convert,
}

/// A built-in function's name, how many arguments it takes, and its doc line.
#[derive(Debug, Clone, Copy)]
pub struct Signature {
    pub builtin: Builtin,
    pub name: &'static str,
    pub min_args: usize,
    /// `None`: any number from `min_args` up.
    pub max_args: Option<usize>,
    pub doc: &'static str,
}

/// Every built-in function.
pub const BUILTINS: [Signature; 47] = [
    Signature {
        builtin: Builtin::Max,
        name: "max",
        min_args: 1,
        max_args: None,
        doc: "max(a, b, …): the largest of values of one type",
    },
    Signature {
        builtin: Builtin::Min,
        name: "min",
        min_args: 1,
        max_args: None,
        doc: "min(a, b, …): the smallest of values of one type",
    },
    Signature {
        builtin: Builtin::Ceil,
        name: "ceil",
        min_args: 1,
        max_args: Some(1),
        doc: "ceil(n): the smallest whole number not below n",
    },
    Signature {
        builtin: Builtin::Floor,
        name: "floor",
        min_args: 1,
        max_args: Some(1),
        doc: "floor(n): the largest whole number not above n",
    },
    Signature {
        builtin: Builtin::Days,
        name: "days",
        min_args: 1,
        max_args: Some(1),
        doc: "days(delay): calendar days late",
    },
    Signature {
        builtin: Builtin::StartedMonths,
        name: "started_months",
        min_args: 1,
        max_args: Some(1),
        doc: "started_months(delay): months begun (a started month counts in full)",
    },
    Signature {
        builtin: Builtin::CompleteMonths,
        name: "complete_months",
        min_args: 1,
        max_args: Some(1),
        doc: "complete_months(delay): whole months elapsed",
    },
    Signature {
        builtin: Builtin::CompleteWeeks,
        name: "complete_weeks",
        min_args: 1,
        max_args: Some(1),
        doc: "complete_weeks(delay): whole weeks elapsed",
    },
    Signature {
        builtin: Builtin::Hours,
        name: "hours",
        min_args: 1,
        max_args: Some(1),
        doc: "hours(delay): whole hours late",
    },
    Signature {
        builtin: Builtin::Minutes,
        name: "minutes",
        min_args: 1,
        max_args: Some(1),
        doc: "minutes(delay): minutes late",
    },
    Signature {
        builtin: Builtin::StartedDays,
        name: "started_days",
        min_args: 1,
        max_args: Some(1),
        doc: "started_days(delay): days begun (a started day counts in full; a whole-day end stands for the end of its day)",
    },
    Signature {
        builtin: Builtin::CompleteDays,
        name: "complete_days",
        min_args: 1,
        max_args: Some(1),
        doc: "complete_days(delay): whole days elapsed (a whole-day end stands for the end of its day)",
    },
    Signature {
        builtin: Builtin::StartedHours,
        name: "started_hours",
        min_args: 1,
        max_args: Some(1),
        doc: "started_hours(delay): hours begun (a started hour counts in full)",
    },
    Signature {
        builtin: Builtin::CompleteHours,
        name: "complete_hours",
        min_args: 1,
        max_args: Some(1),
        doc: "complete_hours(delay): whole hours elapsed",
    },
    Signature {
        builtin: Builtin::UnpaidDays,
        name: "unpaid_days",
        min_args: 1,
        max_args: Some(1),
        doc: "unpaid_days(delay): the amount still unpaid on each day of the delay, added up (for interest per day on what is unpaid)",
    },
    Signature {
        builtin: Builtin::UnpaidStartedMonths,
        name: "unpaid_started_months",
        min_args: 1,
        max_args: Some(1),
        doc: "unpaid_started_months(delay): the amount unpaid when each started month of the delay begins, added up",
    },
    Signature {
        builtin: Builtin::UnpaidCompleteMonths,
        name: "unpaid_complete_months",
        min_args: 1,
        max_args: Some(1),
        doc: "unpaid_complete_months(delay): the amount unpaid throughout each complete month of the delay, added up",
    },
    Signature {
        builtin: Builtin::UnpaidCompleteWeeks,
        name: "unpaid_complete_weeks",
        min_args: 1,
        max_args: Some(1),
        doc: "unpaid_complete_weeks(delay): the amount unpaid throughout each complete week of the delay, added up",
    },
    Signature {
        builtin: Builtin::EndOfMonth,
        name: "end_of_month",
        min_args: 1,
        max_args: Some(1),
        doc: "end_of_month(t): the last day of t's month",
    },
    Signature {
        builtin: Builtin::DayOf,
        name: "day_of",
        min_args: 1,
        max_args: Some(1),
        doc: "day_of(t): t's day, without its time (`day_of(d) + 30 days` is a whole-day deadline)",
    },
    Signature {
        builtin: Builtin::Nth,
        name: "nth",
        min_args: 2,
        max_args: Some(2),
        doc: "nth(kind, n): the n-th event of `kind` referring to this clause's event",
    },
    Signature {
        builtin: Builtin::Count,
        name: "count",
        min_args: 1,
        max_args: Some(1),
        doc: "count(kind): how many events of `kind` refer to this clause's event",
    },
    Signature {
        builtin: Builtin::LastBefore,
        name: "last_before",
        min_args: 2,
        max_args: Some(2),
        doc: "last_before(kind, t): the latest event of `kind` on or before t",
    },
    Signature {
        builtin: Builtin::Sum,
        name: "sum",
        min_args: 3,
        max_args: Some(4),
        doc: "sum(kind, field, window): total of `field` over events of `kind` in the window (`6 months before c`); sum(kind, expression, window): total of an expression in which the kind's name is each event (`sum(usage, usage.gb * usage.price, 1 month before c)`); sum(kind, field, from, to): after `from`, up to and including `to`",
    },
    Signature {
        builtin: Builtin::CountIn,
        name: "count_in",
        min_args: 2,
        max_args: Some(3),
        doc: "count_in(kind, window): how many events of `kind` happened in the window (`12 months before a`); count_in(kind, window, condition): how many of them meet a condition in which the kind's name is each event; count_in(kind, from, to): after `from`, up to and including `to`",
    },
    Signature {
        builtin: Builtin::Total,
        name: "total",
        min_args: 2,
        max_args: Some(2),
        doc: "total(kind, field): total of `field` over events of `kind` referring to this clause's event",
    },
    Signature {
        builtin: Builtin::Given,
        name: "given",
        min_args: 1,
        max_args: Some(1),
        doc: "given(x): whether x has a value (an optional field given, an n-th event that happened)",
    },
    Signature {
        builtin: Builtin::Due,
        name: "due",
        min_args: 1,
        max_args: Some(2),
        doc: "due(obligation[, event]): when this event's (or the given event's) instance of the obligation falls due",
    },
    Signature {
        builtin: Builtin::Met,
        name: "met",
        min_args: 1,
        max_args: Some(2),
        doc: "met(obligation[, event]): whether that instance of the obligation was met",
    },
    Signature {
        builtin: Builtin::MetOn,
        name: "met_on",
        min_args: 1,
        max_args: Some(2),
        doc: "met_on(obligation[, event]): when it was met, even late",
    },
    Signature {
        builtin: Builtin::Paid,
        name: "paid",
        min_args: 1,
        max_args: Some(2),
        doc: "paid(obligation[, event]): what has been paid towards that instance: what the allocation applied to its debt, or the amounts of the acts that fulfil it (zero or less pays nothing)",
    },
    Signature {
        builtin: Builtin::Rank,
        name: "rank",
        min_args: 1,
        max_args: Some(1),
        doc: "rank(e): the position of event e among the events of its kind (1 = first)",
    },
    Signature {
        builtin: Builtin::Streak,
        name: "streak",
        min_args: 1,
        max_args: Some(2),
        doc: "streak(condition, 1 month): consecutive calendar periods, up to this event's, in which every event of this clause's kind meets the condition (a period with none breaks the run); streak(condition): consecutive events",
    },
    Signature {
        builtin: Builtin::EndOf,
        name: "end_of",
        min_args: 1,
        max_args: Some(1),
        doc: "end_of(term): the day a term ends, once notice has ended it",
    },
    Signature {
        builtin: Builtin::MaxIn,
        name: "max_in",
        min_args: 3,
        max_args: Some(3),
        doc: "max_in(kind, expression, window): the largest value of an expression (the kind's name is each event) over the events of `kind` in the window; none if there is none",
    },
    Signature {
        builtin: Builtin::MinIn,
        name: "min_in",
        min_args: 3,
        max_args: Some(3),
        doc: "min_in(kind, expression, window): the smallest such value",
    },
    Signature {
        builtin: Builtin::Round,
        name: "round",
        min_args: 2,
        max_args: Some(2),
        doc: "round(x, step): x to the nearest multiple of step, by the contract's rounding (`round(fee, EUR 0.05)`, `round(fee, EUR 1.00)`, `round(n, 1)`)",
    },
    Signature {
        builtin: Builtin::Pow,
        name: "pow",
        min_args: 2,
        max_args: Some(2),
        doc: "pow(x, n): x to the power n, a whole number from 0 up (`pow(1.01, 12)`), exact to 28 significant digits",
    },
    Signature {
        builtin: Builtin::DaysBetween,
        name: "days_between",
        min_args: 2,
        max_args: Some(2),
        doc: "days_between(a, b): calendar days from a's day to b's (negative when b is earlier)",
    },
    Signature {
        builtin: Builtin::BusinessDaysBetween,
        name: "business_days_between",
        min_args: 2,
        max_args: Some(2),
        doc: "business_days_between(a, b): business days after a's day up to and including b's, in the contract's calendar",
    },
    Signature {
        builtin: Builtin::HoursBetween,
        name: "hours_between",
        min_args: 2,
        max_args: Some(2),
        doc: "hours_between(a, b): whole hours elapsed from a to b, as a clock measures them",
    },
    Signature {
        builtin: Builtin::MinutesBetween,
        name: "minutes_between",
        min_args: 2,
        max_args: Some(2),
        doc: "minutes_between(a, b): minutes elapsed from a to b",
    },
    Signature {
        builtin: Builtin::SecondsBetween,
        name: "seconds_between",
        min_args: 2,
        max_args: Some(2),
        doc: "seconds_between(a, b): seconds elapsed from a to b, as a clock measures them",
    },
    Signature {
        builtin: Builtin::StateAfter,
        name: "state_after",
        min_args: 2,
        max_args: Some(2),
        doc: "state_after(state, e): the state's value just after the steps up to event e, e's own included",
    },
    Signature {
        builtin: Builtin::StateBefore,
        name: "state_before",
        min_args: 2,
        max_args: Some(2),
        doc: "state_before(state, e): the state's value just before event e's step",
    },
    Signature {
        builtin: Builtin::Charged,
        name: "charged",
        min_args: 2,
        max_args: Some(3),
        doc: "charged(charge, window): the total a charge clause computed for its events in the window (`12 months before a`); charged(charge, from, to): after `from`, up to and including `to`",
    },
    Signature {
        builtin: Builtin::Convert,
        name: "convert",
        min_args: 2,
        max_args: Some(2),
        doc: "convert(x, rate): an amount in the other currency of a rate the contract states (`param usd_per_eur: rate USD per EUR = 1.08`), rounded to the cent",
    },
];

impl Builtin {
    /// The function a name calls, if it is one.
    pub fn by_name(name: &str) -> Option<Builtin> {
        BUILTINS.iter().find(|s| s.name == name).map(|s| s.builtin)
    }

    pub fn signature(self) -> &'static Signature {
        // The table lists every variant once, in declaration order.
        &BUILTINS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.signature().name
    }

    /// Whether it takes `n` arguments.
    pub fn accepts(self, n: usize) -> bool {
        let s = self.signature();
        n >= s.min_args && s.max_args.is_none_or(|max| n <= max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_every_function_once_in_order() {
        for (i, s) in BUILTINS.iter().enumerate() {
            assert_eq!(s.builtin as usize, i, "{}", s.name);
            assert_eq!(Builtin::by_name(s.name), Some(s.builtin));
        }
    }
}

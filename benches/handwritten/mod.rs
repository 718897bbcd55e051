//! Hand-written Rust for two clause sets of the bundled contracts, the yardstick the
//! interpreter is measured against (`benches/native.rs`) and checked against to the cent
//! (`tests/native_reference.rs`):
//!
//! - [`ecom`]: Ecom articles 10 and 11: the allocation of payments (collection costs, then
//!   damages, then interest, then the invoices not collected by direct debit, oldest first),
//!   `pay_invoice` (14 days after the invoice), the late interest (1% of the amount unpaid
//!   when each started month of the delay begins) and the fixed compensation (20% of the
//!   invoice, at least EUR 150.00).
//! - [`qualifio`]: Qualifio 3.6.1 and 10: the availability shortfall notice (in writing,
//!   within 30 days), the SLA penalty (from the second consecutive calendar month below the
//!   99.5% target, a band of the monthly invoice amount) and the liability cap (the claim, at
//!   most what was paid in the 12 months before it).
//!
//! The inputs are plain structs, converted once from a checked [`terms::scenario::Scenario`]
//! (outside any timed loop); the evaluation functions take them and the evaluation date, and
//! do everything the interpreter does for these clauses, the cut at the evaluation date
//! included. Only whole-day events are supported (every bundled and generated history of
//! these kinds is).
//!
//! Shared by the bench and the test through `#[path]`; not every user calls every function.
#![allow(dead_code)]

use chrono::{Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use terms::calendar::Moment;
use terms::check::Checked;
use terms::scenario::{EventRecord, Scenario};
use terms::value::Value;

/// Rounds a computed amount to the cent, half away from zero (the bundled contracts state
/// no other rule).
fn cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn plus_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(chrono::Days::new(n)).unwrap_or(d)
}

/// `d` + `n` calendar months, clamped to the month's last day (2025-01-31 + 1 month =
/// 2025-02-28).
fn plus_months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(Months::new(n))
        .unwrap_or(NaiveDate::MAX)
}

fn minus_months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(n))
        .unwrap_or(NaiveDate::MIN)
}

// ---------------------------------------------------------------- conversion helpers

/// Why a scenario cannot be converted.
pub type Unsupported = String;

/// The scenario's evaluation date: the hand-written code counts whole days only.
fn as_of_day(scenario: &Scenario) -> Result<NaiveDate, Unsupported> {
    match scenario.as_of {
        Some(terms::calendar::AsOf::EndOfDay(day)) => Ok(day),
        Some(terms::calendar::AsOf::At(_)) => Err("an evaluation instant".into()),
        None => Err("the scenario has no evaluation date".into()),
    }
}

/// Reads a checked scenario's events of some kinds.
struct Reader<'a> {
    contract: &'a Checked,
    scenario: &'a Scenario,
}

impl Reader<'_> {
    fn kind(&self, name: &str) -> Option<usize> {
        self.contract.kind_ids.get(name).copied()
    }

    fn slot(&self, kind: &str, field: &str) -> Result<usize, Unsupported> {
        self.contract
            .kind(kind)
            .and_then(|k| k.fields.get(field))
            .map(|f| f.id)
            .ok_or_else(|| format!("the contract has no field `{kind}.{field}`"))
    }

    /// The events of a kind, in the scenario's (date) order, with their positions.
    fn of(&self, name: &str) -> Vec<(usize, &EventRecord)> {
        let Some(kind) = self.kind(name) else {
            return Vec::new();
        };
        self.scenario
            .of_kind(kind)
            .iter()
            .filter_map(|&i| self.scenario.events.get(i).map(|e| (i, e)))
            .collect()
    }

    fn fact(&self, name: &str) -> Option<&Value> {
        self.scenario.facts.get(name)
    }
}

fn day(e: &EventRecord) -> Result<NaiveDate, Unsupported> {
    match e.at {
        Moment::Date(d) => Ok(d),
        Moment::DateTime(_) => Err(format!(
            "`{}` has a time of day: the native code reads whole days only",
            e.id
        )),
    }
}

fn decimal(e: &EventRecord, slot: usize) -> Option<Decimal> {
    match e.fields.get(slot) {
        Some(Value::Money(d) | Value::Percent(d) | Value::Number(d)) => Some(*d),
        _ => None,
    }
}

fn flag(e: &EventRecord, slot: usize) -> Option<bool> {
    match e.fields.get(slot) {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

/// Who made a payment, as the allocation reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// No party named.
    Nobody,
    /// The debtor (Ecom's client).
    Debtor,
    Other,
}

// ================================================================ Ecom 10 – 11

pub mod ecom {
    use super::*;

    #[derive(Debug, Clone)]
    pub struct Invoice {
        pub id: String,
        pub on: NaiveDate,
        pub amount: Decimal,
        pub direct_debit: bool,
    }

    #[derive(Debug, Clone)]
    pub struct Payment {
        pub on: NaiveDate,
        pub amount: Decimal,
        pub by: By,
    }

    /// A collection cost, damages or interest already due (an event of the scenario).
    #[derive(Debug, Clone)]
    pub struct Charge {
        pub id: String,
        pub on: NaiveDate,
        pub amount: Decimal,
    }

    /// An Ecom history, every list in date order (ties by id), as the scenario gives it.
    #[derive(Debug, Clone)]
    pub struct Input {
        pub as_of: NaiveDate,
        pub invoices: Vec<Invoice>,
        pub payments: Vec<Payment>,
        /// Collection costs, damages, interest: the allocation's order before invoices.
        pub charges: [Vec<Charge>; 3],
    }

    /// A debt the allocation leaves (partly) unpaid.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Debt {
        /// `charges[kind][index]`.
        Charge(usize, usize),
        Invoice(usize),
    }

    /// What the clauses yield: per invoice (an index into `Input::invoices`).
    #[derive(Debug, Clone, Default)]
    pub struct Output {
        /// Article 11, late interest: for each invoice whose payment was late or missing.
        pub interest: Vec<(usize, Decimal)>,
        /// Article 11, fixed compensation: for the same invoices.
        pub compensation: Vec<(usize, Decimal)>,
        /// Article 10: what each debt still owes after the allocation (rounded to the cent).
        pub outstanding: Vec<(Debt, Decimal)>,
    }

    const PAY_WITHIN_DAYS: u64 = 14;
    const CHARGE_KINDS: [&str; 3] = ["collection_cost", "damages_due", "interest_due"];

    fn late_interest_rate() -> Decimal {
        Decimal::new(1, 2) // 1%
    }
    fn fixed_compensation_rate() -> Decimal {
        Decimal::new(20, 2) // 20%
    }
    fn fixed_compensation_minimum() -> Decimal {
        Decimal::new(15000, 2) // EUR 150.00
    }

    /// Converts a checked Ecom scenario (outside any timed loop).
    pub fn input(contract: &Checked, scenario: &Scenario) -> Result<Input, Unsupported> {
        let r = Reader { contract, scenario };
        let as_of = as_of_day(scenario)?;
        let (amount, dd) = (
            r.slot("invoice", "amount")?,
            r.slot("invoice", "direct_debit")?,
        );
        let mut invoices = Vec::new();
        for (_, e) in r.of("invoice") {
            invoices.push(Invoice {
                id: e.id.clone(),
                on: day(e)?,
                amount: decimal(e, amount).ok_or("an invoice without an amount")?,
                direct_debit: flag(e, dd).ok_or("an invoice without direct_debit")?,
            });
        }
        let paid = r.slot("payment", "amount")?;
        let mut payments = Vec::new();
        for (_, e) in r.of("payment") {
            payments.push(Payment {
                on: day(e)?,
                amount: decimal(e, paid).ok_or("a payment without an amount")?,
                by: match e.by.as_deref() {
                    None => By::Nobody,
                    Some("client") => By::Debtor,
                    Some(_) => By::Other,
                },
            });
        }
        let mut charges: [Vec<Charge>; 3] = Default::default();
        for (kind, list) in CHARGE_KINDS.iter().zip(charges.iter_mut()) {
            let slot = r.slot(kind, "amount")?;
            for (_, e) in r.of(kind) {
                list.push(Charge {
                    id: e.id.clone(),
                    on: day(e)?,
                    amount: decimal(e, slot).ok_or("a charge without an amount")?,
                });
            }
        }
        Ok(Input {
            as_of,
            invoices,
            payments,
            charges,
        })
    }

    /// Articles 10 and 11 as of `input.as_of` (or `as_of` when given).
    pub fn evaluate(input: &Input, as_of: Option<NaiveDate>) -> Output {
        let as_of = as_of.unwrap_or(input.as_of);
        let mut out = Output::default();
        // Events dated after the evaluation date do not exist yet; lists are in date order.
        let seen = |on: NaiveDate| on <= as_of;
        let invoices = &input.invoices[..input.invoices.partition_point(|i| seen(i.on))];
        let payments = &input.payments[..input.payments.partition_point(|p| seen(p.on))];

        // Article 10, the allocation: one queue per kind of debt, oldest first, each with
        // a cursor on its first debt not paid off.
        let mut queues: [Vec<(Debt, NaiveDate, Decimal)>; 4] = Default::default();
        for (k, charges) in input.charges.iter().enumerate() {
            for (i, c) in charges.iter().enumerate() {
                if seen(c.on) && c.amount > Decimal::ZERO {
                    queues[k].push((Debt::Charge(k, i), c.on, c.amount));
                }
            }
        }
        for (i, inv) in invoices.iter().enumerate() {
            if !inv.direct_debit && inv.amount > Decimal::ZERO {
                queues[3].push((Debt::Invoice(i), inv.on, inv.amount));
            }
        }
        // What each invoice received, and on which day, in payment order.
        let mut received: Vec<Vec<(NaiveDate, Decimal)>> = vec![Vec::new(); invoices.len()];
        let mut cursors = [0usize; 4];
        for p in payments {
            if p.by == By::Other {
                continue; // only the client's payments pay the client's debts
            }
            let mut left = p.amount;
            for (queue, cursor) in queues.iter_mut().zip(cursors.iter_mut()) {
                while left > Decimal::ZERO {
                    let Some((debt, on, owed)) = queue.get_mut(*cursor) else {
                        break;
                    };
                    if *on > p.on {
                        break; // not owed yet
                    }
                    let applied = left.min(*owed);
                    *owed -= applied;
                    left -= applied;
                    if let Debt::Invoice(i) = debt {
                        received[*i].push((p.on, applied));
                    }
                    if owed.is_zero() {
                        *cursor += 1;
                    }
                }
            }
        }
        for queue in &queues {
            for (debt, _, owed) in queue {
                if *owed > Decimal::ZERO {
                    out.outstanding.push((*debt, cents(*owed)));
                }
            }
        }

        // Article 10, pay_invoice, and article 11 on its breach.
        for (i, inv) in invoices.iter().enumerate() {
            if inv.direct_debit {
                continue;
            }
            let due = plus_days(inv.on, PAY_WITHIN_DAYS);
            let mut paid = Decimal::ZERO;
            let mut paid_on = None;
            for (on, part) in &received[i] {
                paid += *part;
                if paid >= inv.amount {
                    paid_on = Some(*on);
                    break;
                }
            }
            let end = match paid_on {
                Some(on) if on <= due => continue, // paid in time
                Some(on) => on,
                None if due < as_of => as_of, // overdue, still unpaid
                None => continue,             // not yet due
            };
            let unpaid_months = unpaid_started_months(inv.amount, &received[i], due, end);
            out.interest
                .push((i, cents(unpaid_months * late_interest_rate())));
            let fixed = (inv.amount * fixed_compensation_rate()).max(fixed_compensation_minimum());
            out.compensation.push((i, cents(fixed)));
        }
        out
    }

    /// The amounts unpaid when each started month of the delay `due` … `end` begins, added
    /// up. Month k of the delay begins the day after `due + k months`; a part paid on day p
    /// still counts on day p, so it is deducted from the months beginning after p.
    pub fn unpaid_started_months(
        owed: Decimal,
        parts: &[(NaiveDate, Decimal)],
        due: NaiveDate,
        end: NaiveDate,
    ) -> Decimal {
        let mut total = Decimal::ZERO;
        let mut paid = Decimal::ZERO;
        let mut next = 0;
        let mut k = 0;
        loop {
            let start = plus_months(due, k);
            if start >= end {
                break; // `end` falls in a month already counted
            }
            while let Some((on, part)) = parts.get(next) {
                if *on > start {
                    break;
                }
                paid += *part;
                next += 1;
            }
            total += (owed - paid).max(Decimal::ZERO);
            k += 1;
        }
        total
    }
}

// ================================================================ Qualifio 3.6.1, 10

pub mod qualifio {
    use super::*;

    #[derive(Debug, Clone)]
    pub struct Availability {
        pub id: String,
        pub on: NaiveDate,
        /// Percentage points (99.5% is 99.5).
        pub front_office: Decimal,
    }

    /// How a shortfall notice was sent.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Channel {
        /// Email, letter, registered letter or "written": all written.
        Written,
        /// Another channel or none given.
        Other,
    }

    #[derive(Debug, Clone)]
    pub struct Notice {
        pub on: NaiveDate,
        pub via: Channel,
        /// The availability report it is about (an index into `Input::availability`).
        pub month: Option<usize>,
    }

    #[derive(Debug, Clone)]
    pub struct Claim {
        pub id: String,
        pub on: NaiveDate,
        pub amount: Decimal,
    }

    /// A Qualifio history, every list in date order (ties by id).
    #[derive(Debug, Clone)]
    pub struct Input {
        pub as_of: NaiveDate,
        pub licence_price: Option<Decimal>,
        pub licence_months: Option<Decimal>,
        /// Percentage points; the contract's 99.5 unless the scenario replaces it.
        pub front_office_target: Decimal,
        pub availability: Vec<Availability>,
        pub notices: Vec<Notice>,
        /// (day, amount) of every payment.
        pub payments: Vec<(NaiveDate, Decimal)>,
        pub claims: Vec<Claim>,
    }

    #[derive(Debug, Clone, Default)]
    pub struct Output {
        /// 3.6.1: the penalty for each availability report it applies to.
        pub penalties: Vec<(usize, Decimal)>,
        /// 10: each claim, capped.
        pub liability: Vec<(usize, Decimal)>,
    }

    /// Why a history cannot be evaluated.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Error {
        /// A penalty is due but the licence price or months are not given.
        MissingFact(&'static str),
        DivisionByZero,
    }

    const NOTIFY_WITHIN_DAYS: u64 = 30;
    const CAP_MONTHS: u32 = 12;

    /// 3.6.1's bands: (below, percentage of the monthly invoice), then otherwise 2%.
    fn band(front_office: Decimal) -> Decimal {
        if front_office < Decimal::from(95) {
            Decimal::from(10)
        } else if front_office < Decimal::from(97) {
            Decimal::from(5)
        } else {
            Decimal::from(2)
        }
    }

    /// Converts a checked Qualifio scenario (outside any timed loop).
    pub fn input(contract: &Checked, scenario: &Scenario) -> Result<Input, Unsupported> {
        let r = Reader { contract, scenario };
        let as_of = as_of_day(scenario)?;
        let number = |name: &str| match r.fact(name) {
            Some(Value::Money(d) | Value::Number(d) | Value::Percent(d)) => Some(*d),
            _ => None,
        };
        let front = r.slot("availability", "front_office")?;
        let mut availability = Vec::new();
        // Scenario position → index among the availability reports.
        let mut index = std::collections::HashMap::new();
        for (pos, e) in r.of("availability") {
            index.insert(pos, availability.len());
            availability.push(Availability {
                id: e.id.clone(),
                on: day(e)?,
                front_office: decimal(e, front).ok_or("availability without front_office")?,
            });
        }
        let month = r.slot("shortfall_notice", "month")?;
        let mut notices = Vec::new();
        for (_, e) in r.of("shortfall_notice") {
            let written = matches!(
                e.via.as_deref(),
                Some("written" | "email" | "letter" | "registered_letter")
            );
            notices.push(Notice {
                on: day(e)?,
                via: if written {
                    Channel::Written
                } else {
                    Channel::Other
                },
                month: match e.fields.get(month) {
                    Some(Value::Event(pos)) => index.get(pos).copied(),
                    _ => None,
                },
            });
        }
        let paid = r.slot("payment", "amount")?;
        let mut payments = Vec::new();
        for (_, e) in r.of("payment") {
            if let Some(amount) = decimal(e, paid) {
                payments.push((day(e)?, amount));
            }
        }
        let claimed = r.slot("claim", "amount")?;
        let mut claims = Vec::new();
        for (_, e) in r.of("claim") {
            claims.push(Claim {
                id: e.id.clone(),
                on: day(e)?,
                amount: decimal(e, claimed).ok_or("a claim without an amount")?,
            });
        }
        Ok(Input {
            as_of,
            licence_price: number("licence_price"),
            licence_months: number("licence_months"),
            front_office_target: number("front_office_target")
                .unwrap_or_else(|| Decimal::new(995, 1)),
            availability,
            notices,
            payments,
            claims,
        })
    }

    /// 3.6.1 and 10 as of `input.as_of` (or `as_of` when given).
    pub fn evaluate(input: &Input, as_of: Option<NaiveDate>) -> Result<Output, Error> {
        let as_of = as_of.unwrap_or(input.as_of);
        let mut out = Output::default();
        let target = input.front_office_target;
        let seen = |on: NaiveDate| on <= as_of;
        let reports = &input.availability[..input.availability.partition_point(|a| seen(a.on))];

        // The streak: consecutive calendar months, up to each report's, in which every
        // report was below target; a month without a report breaks it.
        let month_of = |d: NaiveDate| {
            use chrono::Datelike;
            i64::from(d.year()) * 12 + i64::from(d.month0())
        };
        let mut streak = vec![0u32; reports.len()];
        let mut start = 0;
        let mut run = 0u32;
        let mut previous: Option<i64> = None;
        while start < reports.len() {
            let month = month_of(reports[start].on);
            let mut end = start;
            let mut all_below = true;
            while end < reports.len() && month_of(reports[end].on) == month {
                all_below &= reports[end].front_office < target;
                end += 1;
            }
            run = match (all_below, previous == Some(month - 1)) {
                (false, _) => 0,
                (true, true) => run + 1,
                (true, false) => 1,
            };
            streak[start..end].fill(run);
            previous = Some(month);
            start = end;
        }

        // The shortfall notice: the first written notice about the month, within 30 days.
        let mut notified: Vec<Option<NaiveDate>> = vec![None; reports.len()];
        for n in &input.notices {
            if !seen(n.on) {
                break;
            }
            if n.via != Channel::Written {
                continue;
            }
            if let Some(slot) = n.month.and_then(|m| notified.get_mut(m)) {
                slot.get_or_insert(n.on);
            }
        }

        let mut monthly: Option<Decimal> = None;
        for (i, a) in reports.iter().enumerate() {
            if a.front_office >= target || streak[i] < 2 {
                continue;
            }
            let in_time = notified[i].is_some_and(|on| on <= plus_days(a.on, NOTIFY_WITHIN_DAYS));
            if !in_time {
                continue;
            }
            let monthly = match monthly {
                Some(m) => m,
                None => {
                    let price = input
                        .licence_price
                        .ok_or(Error::MissingFact("licence_price"))?;
                    let months = input
                        .licence_months
                        .ok_or(Error::MissingFact("licence_months"))?;
                    if months.is_zero() {
                        return Err(Error::DivisionByZero);
                    }
                    *monthly.insert(price / months)
                }
            };
            let percent = band(a.front_office) / Decimal::ONE_HUNDRED;
            out.penalties.push((i, cents(monthly * percent)));
        }

        // 10: the claim, at most what was paid in the 12 months before it (the day of the
        // claim excluded), from running totals.
        let payments = &input.payments[..input.payments.partition_point(|p| seen(p.0))];
        let mut running = Vec::with_capacity(payments.len() + 1);
        let mut total = Decimal::ZERO;
        running.push(total);
        for (_, amount) in payments {
            total += *amount;
            running.push(total);
        }
        for (i, c) in input.claims.iter().enumerate() {
            if !seen(c.on) {
                break;
            }
            let from = minus_months(c.on, CAP_MONTHS);
            let lo = payments.partition_point(|p| p.0 < from);
            let hi = payments.partition_point(|p| p.0 < c.on);
            let paid = running[hi.max(lo)] - running[lo];
            out.liability.push((i, cents(c.amount.min(paid))));
        }
        Ok(out)
    }
}

// ---------------------------------------------------------------- the clause sets alone

/// The clause-set ids of each vendor, as the bundled contracts name them.
pub const ECOM_CLAUSES: [&str; 4] = [
    "pay_invoice",
    "partial_payments",
    "late_interest",
    "fixed_compensation",
];
pub const QUALIFIO_CLAUSES: [&str; 3] = [
    "notify_front_office_shortfall",
    "front_office_sla",
    "liability",
];

/// A contract's text with only the named clauses: every declaration (parties, events,
/// parameters, `let`s, notice rules) is kept, and every clause block (a line that opens
/// `KEYWORD id … {` at the start of a line, up to the line `}`) whose id is not named is
/// left out. So the interpreter can be timed on exactly the clauses the native code does.
pub fn clause_set(contract: &str, keep: &[&str]) -> String {
    const CLAUSES: [&str; 12] = [
        "obligation",
        "right",
        "date",
        "charge",
        "interest",
        "compensation",
        "damages",
        "cap",
        "fee",
        "penalty",
        "term",
        "allocation",
    ];
    let mut out = String::with_capacity(contract.len());
    let mut skipping = false;
    for line in contract.lines() {
        if skipping {
            skipping = line != "}";
            continue;
        }
        let mut words = line.split_whitespace();
        let opens = line.trim_end().ends_with('{')
            && !line.starts_with(char::is_whitespace)
            && words.next().is_some_and(|w| CLAUSES.contains(&w));
        if opens && words.next().is_some_and(|id| !keep.contains(&id)) {
            skipping = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------- the answers, side by side

/// (clause id, event id) → amount: what the bench checks before it times, and the test
/// asserts, for the interpreter and the native code alike. Under the clause id
/// `outstanding`, what the allocation leaves owed on each debt.
pub type Amounts = std::collections::BTreeMap<(String, String), Decimal>;

/// The interpreter's amounts for the clauses named (bundled contract or clause set).
pub fn interpreted(
    contract: &Checked,
    scenario: &Scenario,
    as_of: NaiveDate,
    clauses: &[&str],
) -> Result<Amounts, String> {
    let outcome = terms::eval::evaluate(contract, scenario, as_of, terms::eval::Limits::default())
        .map_err(|d| format!("{}: {}", scenario.title, d.message))?;
    let mut out = Amounts::new();
    for a in &outcome.amounts {
        if clauses.contains(&a.source.clause_id.as_str()) {
            let event = a.source.event.clone().unwrap_or_default();
            if out
                .insert((a.source.clause_id.clone(), event), a.amount)
                .is_some()
            {
                return Err(format!("{}: two amounts for one instance", scenario.title));
            }
        }
    }
    for o in &outcome.outstanding {
        if clauses.contains(&o.source.clause_id.as_str()) {
            out.insert(("outstanding".into(), o.debt.clone()), o.amount);
        }
    }
    Ok(out)
}

/// The native Ecom amounts, keyed as [`interpreted`] keys them.
pub fn ecom_amounts(
    contract: &Checked,
    scenario: &Scenario,
    as_of: NaiveDate,
) -> Result<Amounts, String> {
    use ecom::Debt;
    let input = ecom::input(contract, scenario)?;
    let result = ecom::evaluate(&input, Some(as_of));
    let invoice = |i: usize| {
        input
            .invoices
            .get(i)
            .map_or_else(String::new, |x| x.id.clone())
    };
    let mut out = Amounts::new();
    for (i, amount) in result.interest {
        out.insert(("late_interest".into(), invoice(i)), amount);
    }
    for (i, amount) in result.compensation {
        out.insert(("fixed_compensation".into(), invoice(i)), amount);
    }
    for (debt, amount) in result.outstanding {
        let id = match debt {
            Debt::Invoice(i) => invoice(i),
            Debt::Charge(k, i) => input
                .charges
                .get(k)
                .and_then(|c| c.get(i))
                .map_or_else(String::new, |c| c.id.clone()),
        };
        out.insert(("outstanding".into(), id), amount);
    }
    Ok(out)
}

/// The native Qualifio amounts, keyed as [`interpreted`] keys them.
pub fn qualifio_amounts(
    contract: &Checked,
    scenario: &Scenario,
    as_of: NaiveDate,
) -> Result<Amounts, String> {
    let input = qualifio::input(contract, scenario)?;
    let result = qualifio::evaluate(&input, Some(as_of))
        .map_err(|e| format!("{}: {e:?}", scenario.title))?;
    let mut out = Amounts::new();
    for (i, amount) in result.penalties {
        let id = input
            .availability
            .get(i)
            .map_or_else(String::new, |a| a.id.clone());
        out.insert(("front_office_sla".into(), id), amount);
    }
    for (i, amount) in result.liability {
        let id = input
            .claims
            .get(i)
            .map_or_else(String::new, |c| c.id.clone());
        out.insert(("liability".into(), id), amount);
    }
    Ok(out)
}

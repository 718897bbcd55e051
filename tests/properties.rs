//! Property tests over generated contracts and scenarios: evaluation terminates, its output
//! is byte-identical across runs, amounts are never negative when every rule's formula is,
//! and allocations conserve money.

#![allow(clippy::panic, clippy::unwrap_used)]

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;
use terms::source::SourceFile;

#[path = "common/generated.rs"]
mod generated;

use generated::{contract, terms_strategy};

/// A scenario event: (kind, day offset from 2024-01-01, amount in cents, refers to invoice #).
type Happening = (u8, u32, u32, Option<usize>);

fn scenario(events: &[Happening], as_of_offset: u32) -> String {
    let base = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let day = |offset: u32| base.checked_add_days(Days::new(u64::from(offset))).unwrap();
    let mut out = format!(
        "scenario \"generated\"\ncontract generated\nas of {}\nfact start = 2024-01-01\n",
        day(as_of_offset)
    );
    let mut invoices = 0;
    for (i, (kind, offset, cents, refers)) in events.iter().enumerate() {
        let amount = format!("EUR {}.{:02}", cents / 100, cents % 100);
        let date = day(*offset);
        match kind % 4 {
            0 => {
                out.push_str(&format!("event inv{invoices}: invoice on {date} {{ amount: {amount} }}\n"));
                invoices += 1;
            }
            1 => match refers.filter(|r| *r < invoices) {
                Some(r) => out.push_str(&format!("event p{i}: payment on {date} by client {{ amount: {amount}, invoice: inv{r} }}\n")),
                None => out.push_str(&format!("event p{i}: payment on {date} by client {{ amount: {amount} }}\n")),
            },
            2 => out.push_str(&format!("event c{i}: cost on {date} {{ amount: {amount} }}\n")),
            _ => out.push_str(&format!("event t{i}: termination on {date} by client via email\n")),
        }
    }
    out
}

fn happening() -> impl Strategy<Value = Happening> {
    (
        any::<u8>(),
        0u32..900,
        0u32..500_000,
        prop::option::of(0usize..6),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn evaluation_is_deterministic_non_negative_and_conserves_money(
        t in terms_strategy(),
        events in prop::collection::vec(happening(), 0..25),
        as_of in 0u32..1200,
    ) {
        let contract = SourceFile::new("generated.terms", contract(&t));
        let scenario = SourceFile::new("generated.scenario", scenario(&events, as_of));
        let first = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
        let second = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
        prop_assert_eq!(first.to_json(), second.to_json());
        prop_assert_eq!(first.to_text(), second.to_text());

        for amount in &first.outcome.amounts {
            prop_assert!(amount.amount >= Decimal::ZERO, "{:?}", amount);
        }

        // Allocation: no payment applies more than it pays; each debt's applied parts and
        // what remains add up to the debt.
        let o = &first.outcome;
        let mut applied_per_payment: std::collections::BTreeMap<&str, Decimal> = Default::default();
        let mut applied_per_debt: std::collections::BTreeMap<&str, Decimal> = Default::default();
        for a in &o.allocations {
            *applied_per_payment.entry(a.payment.as_str()).or_default() += a.applied;
            *applied_per_debt.entry(a.debt.as_str()).or_default() += a.applied;
            prop_assert!(a.applied > Decimal::ZERO && a.remaining >= Decimal::ZERO);
        }
        if t.with_allocation {
            // Debts dated after the evaluation date do not exist yet.
            let amounts = parse_amounts(&scenario.text, &first.as_of);
            for (payment, applied) in &applied_per_payment {
                prop_assert!(*applied <= amounts[*payment], "{payment} applies {applied}");
            }
            for (debt, original) in amounts.iter().filter(|(id, _)| id.starts_with("inv") || id.starts_with('c')) {
                let applied = applied_per_debt.get(debt.as_str()).copied().unwrap_or_default();
                let outstanding = o.outstanding.iter().find(|x| &x.debt == debt).map_or(Decimal::ZERO, |x| x.amount);
                prop_assert_eq!(applied + outstanding, *original, "{}", debt);
            }
        }
    }
}

/// Event id → amount, read back from a generated scenario.
/// Events dated after `as_of` (an ISO date) are left out.
fn parse_amounts(text: &str, as_of: &str) -> std::collections::BTreeMap<String, Decimal> {
    let mut out = std::collections::BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("event ")) {
        let date = line
            .split(" on ")
            .nth(1)
            .unwrap_or("")
            .get(..10)
            .unwrap_or("");
        if date > as_of {
            continue;
        }
        let id = line["event ".len()..]
            .split(':')
            .next()
            .unwrap()
            .to_string();
        if let Some(at) = line.find("EUR ") {
            let number: String = line[at + 4..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            out.insert(id, number.parse().unwrap());
        }
    }
    out
}

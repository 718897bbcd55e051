//! The language serves contracts beyond the five vendors without touching the interpreter:
//! the goods-supply example of docs/language.md ("A sixth vendor"), evaluated as written.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

use terms::money::format_amount;
use terms::source::SourceFile;

fn supplier_contract() -> String {
    let doc = std::fs::read_to_string(common::root().join("docs/language.md")).unwrap();
    let start = doc.find("```terms\ncontract supplier").unwrap() + "```terms\n".len();
    let end = start + doc[start..].find("```").unwrap();
    doc[start..end].to_string()
}

#[test]
fn late_delivery_penalty_per_started_week_with_a_cap() {
    let contract = SourceFile::new("supplier.terms", supplier_contract());
    let scenario = SourceFile::new(
        "supplier.scenario",
        r#"scenario "late deliveries"
as of 2026-06-30
event o1: order on 2025-01-01 { price: EUR 10000.00 }
event d1: delivery on 2025-02-15 { order: o1 }
event o2: order on 2025-01-01 { price: EUR 10000.00 }
event d2: delivery on 2026-03-07 { order: o2 }
"#,
    );
    let report =
        terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    let penalty = |event: &str| {
        let a = report
            .outcome
            .amounts
            .iter()
            .find(|a| a.source.event.as_deref() == Some(event))
            .unwrap();
        (a.source.clause.clone(), format_amount(a.amount))
    };
    // Due 2025-01-31; delivered 15 days late: 3 started weeks × 0.5% × 10,000.00.
    assert_eq!(penalty("o1"), (String::from("5.3"), String::from("150.00")));
    // 400 days late: 58 weeks would be 2,900.00; capped at 10% of the price.
    assert_eq!(
        penalty("o2"),
        (String::from("5.3"), String::from("1000.00"))
    );
}

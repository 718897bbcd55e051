//! Words that start a line are keywords only there: a contract may name its events,
//! parameters and `let`s `breach`, `notice`, `interest` or `penalty` (issue 9: "a contract
//! must write `interest_due` because `interest` is taken").
#![allow(clippy::unwrap_used, clippy::panic)]

use terms::source::SourceFile;

#[test]
fn line_keywords_may_be_names() {
    let contract = SourceFile::new(
        "names.terms",
        r#"contract names
party vendor
party client
currency EUR
param interest: percent = 2%
let penalty = EUR 100.00
event breach { }
event notice { breach: breach, amount: money }
obligation notify article "1" {
  for each breach b
  vendor must "notify the breach"
  within 2 days after b
  fulfilled by notice
}
penalty late_notice article "2" {
  on breach of notify
  vendor owes client penalty + interest * penalty * days(delay)
}
"#
        .to_string(),
    );
    let scenario = SourceFile::new(
        "names.scenario",
        "scenario \"names\"\nas of 2025-03-31\n\
         event b1: breach on 2025-03-03\n\
         event n1: notice on 2025-03-08 { breach: b1, amount: EUR 0.00 }\n"
            .to_string(),
    );
    let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    // Due 2025-03-05, notified 2025-03-08: 3 days late; 100.00 + 2% × 100.00 × 3 = 106.00.
    assert_eq!(r.outcome.violations[0].days_late, Some(3));
    assert_eq!(r.outcome.amounts[0].amount.to_string(), "106.00");
}

#[test]
fn words_inside_a_line_stay_reserved() {
    for word in [
        "and", "or", "not", "before", "after", "by", "via", "must", "where",
    ] {
        let contract = SourceFile::new(
            "reserved.terms",
            format!("contract r\nparty a\ncurrency EUR\nparam {word}: number = 1\n"),
        );
        let failure = terms::load_contract(&contract).expect_err(word);
        assert_eq!(failure.codes(), ["terms::syntax::unexpected"], "{word}");
        assert!(failure.render().contains("is a keyword"), "{word}");
    }
}

#[test]
fn a_charge_names_its_amount_with_a_label() {
    let contract = SourceFile::new(
        "label.terms",
        r#"contract label
party vendor
party client
currency EUR
event outage { hours: number }
charge outage_credit article "7.2" {
  for each outage o
  label "service credit"
  vendor owes client EUR 10.00 * o.hours
}
"#
        .to_string(),
    );
    let scenario = SourceFile::new(
        "label.scenario",
        "scenario \"outage\"\nas of 2025-03-31\nevent o1: outage on 2025-03-03 { hours: 3 }\n"
            .to_string(),
    );
    let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    assert_eq!(r.outcome.amounts[0].kind, "service credit");
    assert_eq!(r.outcome.amounts[0].amount.to_string(), "30.00");
    assert!(r.to_text().contains("service credit"));
}

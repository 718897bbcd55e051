//! Deals over general terms: `set`, `override`, clauses of the deal's own, where each
//! report line comes from, and the deprecated scenario fact that replaces a fixed value.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

use terms::source::SourceFile;

fn deal(text: &str) -> SourceFile {
    // A deal beside the bundled contracts' folder, so `extends` finds them.
    SourceFile::new("examples/portfolio/test.terms", text)
        .with_path(&common::root().join("examples/portfolio/test.terms"))
}

const QUOTE: &str = r#"deal quote "Q-1" extends "../../contracts/qualifio.terms"
set subscription_start = 2025-01-01
set subscription_period = 12 months
set licence_price = EUR 24000.00
set licence_months = 12
override obligation pay_invoice article "Q-4.2" {
  for each invoice inv
  customer must "pay the invoice"
  within 45 days after inv
  fulfilled by payment
}
value monthly article "Q-3" {
  is monthly_invoice
}
"#;

const HISTORY: &str = "scenario \"h\"\ncontract quote\nas of 2025-06-30\n\
event inv-1: invoice on 2025-02-01 { amount: EUR 2000.00 }\n\
event pay-1: payment on 2025-03-20 by customer { amount: EUR 2000.00, invoice: inv-1 }\n";

#[test]
fn a_deal_sets_overrides_and_adds_and_every_line_says_where_it_comes_from() {
    let report = terms::run(&deal(QUOTE), &SourceFile::new("h.scenario", HISTORY), None).unwrap();
    assert_eq!(report.contract, "quote");
    let pay = &report.outcome.obligations[0];
    // 2025-02-01 + 45 days = 2025-03-18 (the general terms' 30 days: 2025-03-03).
    assert_eq!(pay.due.unwrap().to_string(), "2025-03-18");
    assert_eq!(pay.source.clause, "Q-4.2");
    assert_eq!(pay.source.from, Some(terms::deal::From::Deal));
    // Paid 2025-03-20: 2 days late.
    assert_eq!(report.outcome.violations[0].days_late, Some(2));
    // The deal's own value clause: 24000.00 / 12 = 2000.00.
    let monthly = &report.outcome.values[0];
    assert_eq!(monthly.value, "2,000.00");
    assert_eq!(monthly.source.from, Some(terms::deal::From::Deal));
    // The general terms' contest right (4.2): within 15 days, 2025-02-16.
    let contest = &report.outcome.rights[0];
    assert_eq!(contest.source.from, Some(terms::deal::From::GeneralTerms));
    let json = report.to_json();
    assert!(json.contains("\"from\": \"deal\""), "{json}");
    assert!(json.contains("\"from\": \"general_terms\""), "{json}");
    let text = report.to_text();
    assert!(text.contains("§Q-4.2 (deal)"), "{text}");
    assert!(text.contains("§4.2 (general terms)"), "{text}");
}

#[test]
fn a_history_may_name_the_general_terms_of_its_deal() {
    let history = HISTORY.replace("contract quote", "contract qualifio");
    let report = terms::run(&deal(QUOTE), &SourceFile::new("h.scenario", history), None).unwrap();
    assert_eq!(report.outcome.violations[0].days_late, Some(2));
}

#[test]
fn a_plain_contract_reports_no_origin() {
    let report = common::eval("qualifio", "qf-1");
    assert!(!report.to_json().contains("\"from\""));
    assert!(!report.to_text().contains("(general terms)"));
}

#[test]
fn a_deal_read_from_no_folder_cannot_find_its_terms() {
    let file = SourceFile::new("<stdin>", QUOTE);
    let failure = terms::load_contract(&file).unwrap_err();
    assert_eq!(failure.codes(), vec!["terms::deal::bad_extends"]);
}

#[test]
fn an_error_in_the_general_terms_part_is_shown_in_the_deal() {
    // A clause of the deal that names an unknown parameter: the diagnostic is in the deal's
    // own text, line 2.
    let text = "deal quote extends \"../../contracts/qualifio.terms\"\n\
value v article \"Q-9\" { is no_such_name }\n";
    let failure = terms::load_contract(&deal(text)).unwrap_err();
    assert_eq!(failure.files.len(), 1);
    assert_eq!(failure.files[0].file.name, "examples/portfolio/test.terms");
    let d = &failure.files[0].diagnostics[0];
    assert_eq!(d.code, "terms::check::unknown_name");
    assert_eq!(failure.files[0].file.line_col(d.span.start).0, 2);
}

#[test]
fn a_fact_that_replaces_a_fixed_value_warns() {
    let contract = SourceFile::new(
        "contracts/qualifio.terms",
        std::fs::read_to_string(common::root().join("contracts/qualifio.terms")).unwrap(),
    );
    let (checked, _) = terms::load_contract(&contract).unwrap();
    let scenario = SourceFile::new(
        "override.scenario",
        "scenario \"override\"\ncontract qualifio\nas of 2025-03-31\nfact studio_rate = EUR 0.01\n",
    );
    let checked_scenario = terms::load_scenario(&checked, &scenario).unwrap();
    // Still applied and listed on the report.
    assert_eq!(checked_scenario.overrides.len(), 1);
    assert_eq!(checked_scenario.warnings.len(), 1);
    let rendered =
        terms::diagnostic::FileDiagnostics::new(&scenario, checked_scenario.warnings).render();
    assert!(
        rendered.contains("set studio_rate = EUR 0.01"),
        "{rendered}"
    );
    insta::assert_snapshot!(rendered);
}

#[test]
fn the_portfolio_deals_format_as_written() {
    for entry in std::fs::read_dir(common::root().join("examples/portfolio")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "terms") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert_eq!(terms::fmt::format_contract(&text).unwrap(), text);
        }
    }
}

//! Several currencies in one contract (issue 9): amounts in EUR and USD, totals per
//! currency, mixing refused, conversion at a stated rate, and a payment in a currency the
//! contract refuses (a `rejected` entry; the debt stays unpaid). Values computed by hand.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use terms::source::SourceFile;

fn file(name: &str) -> SourceFile {
    terms::read_source(&common::root().join("tests/currencies").join(name))
        .unwrap_or_else(|f| panic!("{}", f.render()))
}

fn run(contract: &SourceFile, scenario: &str) -> terms::report::Report {
    let scenario = SourceFile::new("test.scenario", scenario.to_string());
    terms::run(contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()))
}

fn amount(r: &terms::report::Report, clause: &str) -> (String, String) {
    let a = r
        .outcome
        .amounts
        .iter()
        .find(|a| a.source.clause_id == clause)
        .unwrap_or_else(|| panic!("no amount from {clause}"));
    (a.currency.clone(), format!("{:.2}", a.amount))
}

fn totals(r: &terms::report::Report) -> Vec<(String, String, String, String)> {
    r.outcome
        .totals
        .iter()
        .map(|t| {
            (
                t.debtor.clone(),
                t.creditor.clone(),
                t.currency.clone(),
                format!("{:.2}", t.amount),
            )
        })
        .collect()
}

const PAID_IN_EUROS: &str = "scenario \"paid in euros\"\nas of 2025-04-30\n\
    event inv-1: invoice on 2025-01-10 { amount: EUR 1000.00 }\n\
    event pay-1: payment on 2025-02-01 by client { amount: EUR 1000.00, invoice: inv-1 }\n\
    event u-1: usage_report on 2025-02-28 { fee: USD 33.35 }\n";

#[test]
fn fees_in_euros_and_dollars_are_totalled_per_currency() {
    let contract = file("transatlantic.terms");
    let r = run(&contract, PAID_IN_EUROS);
    assert_eq!(amount(&r, "setup"), ("EUR".into(), "500.00".into()));
    assert_eq!(amount(&r, "support"), ("USD".into(), "120.00".into()));
    // 33.35 + 10.00 = 43.35, in dollars.
    assert_eq!(amount(&r, "usage_fee"), ("USD".into(), "43.35".into()));
    // Paid in time (due 2025-02-09): no interest.
    assert!(r
        .outcome
        .amounts
        .iter()
        .all(|a| a.source.clause_id != "late_interest"));
    // EUR: 500.00 + 111.11 = 611.11; USD: 120.00 + 43.35 = 163.35.
    assert_eq!(
        totals(&r),
        [
            (
                "client".into(),
                "vendor".into(),
                "EUR".into(),
                "611.11".into()
            ),
            (
                "client".into(),
                "vendor".into(),
                "USD".into(),
                "163.35".into()
            ),
        ]
    );
    let text = r.to_text();
    assert!(text.contains("client → vendor USD       163.35"), "{text}");
    let json = r.to_json();
    assert!(json.contains("\"currency\": \"USD\""), "{json}");
    assert!(r.outcome.rejected.is_empty());
}

#[test]
fn conversion_is_at_the_stated_rate_rounded_to_the_cent() {
    let contract = file("transatlantic.terms");
    let r = run(&contract, PAID_IN_EUROS);
    // USD 120.00 at 1.08 USD per EUR, the rate's other way: 120 / 1.08 = 111.1111… → EUR 111.11.
    assert_eq!(
        amount(&r, "support_in_euros"),
        ("EUR".into(), "111.11".into())
    );
    // EUR 500.00 × 1.08 = USD 540.00.
    let v = &r.outcome.values[0];
    assert_eq!(
        (v.name.as_str(), v.value.as_str()),
        ("setup_in_dollars", "USD 540.00")
    );

    // Half a cent, by the contract's rounding rule: EUR 10.25 × 1.1 = 11.275.
    let half = |rounding: &str| {
        let contract = SourceFile::new(
            "half.terms",
            format!(
                "contract half\nparty a\nparty b\ncurrency EUR\ncurrency USD\n{rounding}\n\
                 param usd_per_eur: rate USD per EUR = 1.1\n\
                 charge fee article \"1\" {{\n  a owes b convert(EUR 10.25, usd_per_eur)\n}}\n"
            ),
        );
        let r = run(&contract, "scenario \"half\"\nas of 2025-01-01\n");
        amount(&r, "fee")
    };
    assert_eq!(half(""), ("USD".into(), "11.28".into())); // half away from zero
    assert_eq!(half("rounding down"), ("USD".into(), "11.27".into()));
    // A scenario fact replaces the rate: 10.25 × 1.2 = 12.30.
    let contract = file("transatlantic.terms");
    let r = run(
        &contract,
        "scenario \"rate\"\nas of 2025-01-01\nfact usd_per_eur = 1.2\n",
    );
    // 120 / 1.2 = 100.00; 500 × 1.2 = 600.00.
    assert_eq!(
        amount(&r, "support_in_euros"),
        ("EUR".into(), "100.00".into())
    );
    assert_eq!(r.outcome.values[0].value, "USD 600.00");
}

#[test]
fn a_payment_in_dollars_on_a_euro_invoice_is_rejected_and_interest_runs() {
    let contract = file("transatlantic.terms");
    let scenario = file("usd-payment.scenario");
    let r = terms::run(&contract, &scenario, None).unwrap_or_else(|f| panic!("{}", f.render()));
    // The payment pays nothing: rejected under article 4, for the invoice it names.
    assert_eq!(r.outcome.rejected.len(), 1);
    let x = &r.outcome.rejected[0];
    assert_eq!(x.source.clause, "4");
    assert_eq!(x.source.event.as_deref(), Some("inv-1"));
    assert_eq!(x.act, "pay-usd");
    assert_eq!(x.on.to_string(), "2025-02-01");
    assert_eq!(x.reason, "paid in USD; article 4 takes EUR");
    // Due 2025-01-10 + 30 days = 2025-02-09, still unpaid as of 2025-04-30: 19 + 31 + 30 = 80
    // days; 1,000.00 × 80 × 12% / 365 = 26.3013… → 26.30.
    assert_eq!(r.outcome.violations[0].days_late, Some(80));
    assert_eq!(amount(&r, "late_interest"), ("EUR".into(), "26.30".into()));
    // EUR: 500.00 + 111.11 + 26.30 = 637.41; USD: 120.00 + 43.35 = 163.35.
    assert_eq!(
        totals(&r),
        [
            (
                "client".into(),
                "vendor".into(),
                "EUR".into(),
                "637.41".into()
            ),
            (
                "client".into(),
                "vendor".into(),
                "USD".into(),
                "163.35".into()
            ),
        ]
    );
    assert!(r
        .to_text()
        .contains("REJECTED\n  §4 pay_invoice [inv-1] `pay-usd` paid in USD; article 4 takes EUR"));
    // As of the day before the payment it does not exist yet: nothing is rejected.
    let before = terms::run(
        &contract,
        &scenario,
        Some(chrono::NaiveDate::from_ymd_opt(2025, 1, 31).unwrap().into()),
    )
    .unwrap();
    assert!(before.outcome.rejected.is_empty());
}

#[test]
fn an_allocation_and_the_obligation_it_settles_both_reject_the_payment() {
    // Ecom pays invoices through the article-10 allocation and `pay_invoice` (10) is
    // fulfilled by payments: a payment in dollars is rejected by both, and the invoice
    // stays owed in full.
    let contract = terms::read_source(&common::root().join("contracts/ecom.terms")).unwrap();
    let r = run(
        &contract,
        "scenario \"dollars\"\nas of 2025-03-31\n\
         event inv-1: invoice on 2025-01-10 { amount: EUR 600.00, direct_debit: false }\n\
         event p-1: payment on 2025-01-20 by client { amount: USD 600.00 }\n",
    );
    let rejected: Vec<(&str, Option<&str>, &str)> = r
        .outcome
        .rejected
        .iter()
        .map(|x| {
            (
                x.source.clause.as_str(),
                x.source.event.as_deref(),
                x.reason.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        [
            ("10", None, "paid in USD; article 10 takes EUR"),
            ("10", None, "paid in USD; article 10 takes EUR"),
        ]
    );
    assert!(r.outcome.allocations.is_empty());
    assert_eq!(r.outcome.outstanding[0].amount.to_string(), "600.00");
}

#[test]
fn a_wrong_currency_elsewhere_is_still_an_error() {
    // An invoice (a debt, not a payment) in dollars: nothing sensible to report.
    let contract = file("transatlantic.terms");
    let scenario = SourceFile::new(
        "x.scenario",
        "scenario \"x\"\nas of 2025-04-30\nevent inv-1: invoice on 2025-01-10 { amount: USD 1000.00 }\n"
            .to_string(),
    );
    let failure = terms::run(&contract, &scenario, None).unwrap_err();
    assert_eq!(failure.codes(), ["terms::scenario::currency_mismatch"]);
    // A usage report in euros where the field takes dollars.
    let scenario = SourceFile::new(
        "x.scenario",
        "scenario \"x\"\nas of 2025-04-30\nevent u-1: usage_report on 2025-01-10 { fee: EUR 5.00 }\n"
            .to_string(),
    );
    let failure = terms::run(&contract, &scenario, None).unwrap_err();
    assert_eq!(failure.codes(), ["terms::scenario::currency_mismatch"]);
    assert!(failure.render().contains("the field takes `USD`"));
}

#[test]
fn mixing_currencies_is_refused_with_the_fix() {
    for (expr, what) in [
        (
            "setup_fee + us_support",
            "cannot apply `+` to money and money in USD",
        ),
        (
            "max(us_support, setup_fee)",
            "expected money in USD, found money",
        ),
        (
            "convert(setup_fee, usd_per_eur) + setup_fee",
            "cannot apply `+` to money in USD and money",
        ),
    ] {
        let contract = SourceFile::new(
            "mix.terms",
            format!(
                "contract mix\nparty a\nparty b\ncurrency EUR\ncurrency USD\n\
                 param usd_per_eur: rate USD per EUR = 1.08\n\
                 param setup_fee: money = EUR 500.00\nparam us_support: USD = USD 120.00\n\
                 charge fee article \"1\" {{\n  a owes b {expr}\n}}\n"
            ),
        );
        let failure = terms::load_contract(&contract).unwrap_err();
        assert_eq!(failure.codes(), ["terms::check::type_mismatch"], "{expr}");
        let text = failure.render();
        assert!(text.contains(what), "{text}");
        assert!(text.contains("convert("), "{text}");
    }
}

#[test]
fn one_currency_contracts_are_unchanged_and_the_file_is_canonical() {
    let text = std::fs::read_to_string(common::root().join("tests/currencies/transatlantic.terms"))
        .unwrap();
    assert_eq!(terms::fmt::format_contract(&text).unwrap(), text);
}

/// Every bundled scenario, with a copy of one of its payments (an event of a kind that
/// settles or fulfils something, with an amount in euros) written in dollars: the report
/// is the same but for the copy's `rejected` entries.
#[test]
fn a_payment_in_the_wrong_currency_changes_only_the_rejected_list() {
    let mut rejected_somewhere = 0;
    let mut cases = 0;
    for vendor in std::fs::read_dir(common::root().join("tests/scenarios")).unwrap() {
        let vendor = vendor.unwrap().path();
        let mut files: Vec<_> = std::fs::read_dir(&vendor)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "scenario"))
            .collect();
        files.sort();
        let contract_path = common::contract_of(&files[0]);
        let contract = terms::read_source(&contract_path).unwrap();
        let (checked, _) = terms::load_contract(&contract).unwrap();
        let settling: Vec<String> = checked
            .clauses
            .iter()
            .filter_map(|c| match &c.body {
                terms::check::Body::Allocation(a) => Some(a.pays),
                terms::check::Body::Obligation(o) if !o.prohibition => o.act,
                _ => None,
            })
            .map(|k| checked.kind_name(k).to_string())
            .collect();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let Some((line, id)) = text.lines().find_map(|line| {
                let rest = line.trim().strip_prefix("event ")?;
                let (id, rest) = rest.split_once(": ")?;
                let kind = rest.split_whitespace().next()?;
                (settling.iter().any(|k| k == kind) && line.contains("EUR "))
                    .then(|| (line.to_string(), id.to_string()))
            }) else {
                continue;
            };
            cases += 1;
            let copy_id = format!("{id}-usd");
            let copy = line
                .replacen(&format!("{id}: "), &format!("{copy_id}: "), 1)
                .replace("EUR ", "USD ");
            let baseline = common::eval_files(&contract_path, &path);
            let scenario = SourceFile::new(path.display().to_string(), format!("{text}\n{copy}\n"));
            let mut changed = terms::run(&contract, &scenario, None)
                .unwrap_or_else(|f| panic!("{}: {}", path.display(), f.render()));
            let added = changed.outcome.rejected.len();
            changed.outcome.rejected.retain(|x| x.act != copy_id);
            if added > changed.outcome.rejected.len() {
                rejected_somewhere += 1;
            }
            assert_eq!(changed.to_json(), baseline.to_json(), "{}", path.display());
            assert_eq!(changed.to_text(), baseline.to_text(), "{}", path.display());
        }
    }
    assert!(cases >= 10, "{cases} cases");
    assert!(rejected_somewhere >= 10, "{rejected_somewhere} of {cases}");
}

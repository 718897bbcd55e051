//! Every clause in `contracts/` is exercised by at least one scenario under `tests/`, and the
//! scenarios written for coverage (`rules.scenario`) give the values their headers state.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

use terms::eval::{ObligationStatus, RightStatus};
use terms::money::format_amount;

const VENDORS: [&str; 8] = [
    "ikanbi",
    "clientcom",
    "ecom",
    "deardigital",
    "qualifio",
    "cloudmeter",
    "freshgoods",
    "leasewise",
];

fn scenario_files() -> Vec<terms::source::SourceFile> {
    let mut files = Vec::new();
    for vendor in VENDORS {
        let folder = common::root().join("tests/scenarios").join(vendor);
        let mut paths: Vec<_> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for path in paths {
            files.push(terms::read_source(&path).unwrap());
        }
    }
    files
}

#[test]
fn every_clause_of_every_contract_is_exercised() {
    let scenarios = scenario_files();
    for vendor in VENDORS {
        let contract = terms::read_source(
            &common::root()
                .join("contracts")
                .join(format!("{vendor}.terms")),
        )
        .unwrap();
        let coverage =
            terms::coverage(&contract, &scenarios).unwrap_or_else(|f| panic!("{}", f.render()));
        assert!(
            coverage.scenarios >= 3,
            "{vendor}: {} scenarios",
            coverage.scenarios
        );
        assert_eq!(coverage.unexercised(), Vec::<&str>::new(), "{vendor}");
    }
}

fn right_from(
    r: &terms::report::Report,
    clause_id: &str,
) -> (Option<String>, Option<String>, RightStatus) {
    let right = r
        .outcome
        .rights
        .iter()
        .find(|x| x.source.clause_id == clause_id)
        .unwrap();
    (
        right.from.map(|m| m.to_string()),
        right.until.map(|m| m.to_string()),
        right.status,
    )
}

fn status(r: &terms::report::Report, clause_id: &str) -> (Option<String>, ObligationStatus) {
    let o = r
        .outcome
        .obligations
        .iter()
        .find(|x| x.source.clause_id == clause_id)
        .unwrap();
    (o.due.map(|m| m.to_string()), o.status)
}

fn amount(r: &terms::report::Report, clause_id: &str) -> String {
    format_amount(
        r.outcome
            .amounts
            .iter()
            .find(|x| x.source.clause_id == clause_id)
            .unwrap()
            .amount,
    )
}

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

#[test]
fn ikanbi_rules() {
    let r = common::eval("ikanbi", "rules");
    assert_eq!(
        status(&r, "notify_data_breach"),
        (s("2025-06-04T09:00"), ObligationStatus::Met)
    );
    let audits: Vec<ObligationStatus> = r
        .outcome
        .obligations
        .iter()
        .filter(|o| o.source.clause_id == "audit_frequency")
        .map(|o| o.status)
        .collect();
    assert_eq!(
        audits,
        [
            ObligationStatus::Met,
            ObligationStatus::Violated,
            ObligationStatus::Met
        ]
    );
    assert_eq!(
        right_from(&r, "suspend_or_terminate"),
        (s("2025-04-01"), None, RightStatus::Open)
    );
    assert_eq!(
        right_from(&r, "client_terminates_for_breach"),
        (s("2025-05-04"), s("2025-05-10"), RightStatus::Closed)
    );
    assert_eq!(
        right_from(&r, "terminate_for_force_majeure"),
        (s("2025-08-02"), None, RightStatus::Open)
    );
}

#[test]
fn clientcom_rules() {
    let r = common::eval("clientcom", "rules");
    assert_eq!(
        right_from(&r, "block_access"),
        (s("2025-03-17"), None, RightStatus::Open)
    );
    assert_eq!(status(&r, "yearly_uptime").1, ObligationStatus::Violated);
    assert_eq!(amount(&r, "liability_insured"), "1250.00");
    assert_eq!(amount(&r, "liability_uninsured"), "200.00");
}

#[test]
fn ecom_rules() {
    let r = common::eval("ecom", "rules");
    assert_eq!(amount(&r, "liquidated_damages"), "120.00");
    assert_eq!(amount(&r, "liability"), "600.00");
    assert_eq!(
        status(&r, "deactivate_accounts"),
        (s("2025-01-03"), ObligationStatus::Met)
    );
    assert_eq!(
        status(&r, "anonymise_data"),
        (s("2025-06-30"), ObligationStatus::Met)
    );
    let ends: Vec<String> = r
        .outcome
        .dates
        .iter()
        .filter(|d| d.name == "term ends")
        .map(|d| d.date.to_string())
        .collect();
    assert_eq!(ends, ["2024-12-31"]);
    assert_eq!(
        right_from(&r, "terminate_after_force_majeure"),
        (s("2025-11-02"), None, RightStatus::Open)
    );
}

#[test]
fn deardigital_rules() {
    let r = common::eval("deardigital", "rules");
    assert_eq!(
        right_from(&r, "terminate_changed_part"),
        (None, s("2025-08-17"), RightStatus::Exercised)
    );
    assert_eq!(
        status(&r, "hand_over_access"),
        (s("2025-10-09"), ObligationStatus::Met)
    );
    assert_eq!(
        right_from(&r, "annul_for_force_majeure"),
        (s("2025-08-31"), None, RightStatus::Open)
    );
    assert_eq!(
        right_from(&r, "annul_for_substantial_breach"),
        (s("2025-03-13"), s("2025-03-20"), RightStatus::Closed)
    );
    assert_eq!(
        right_from(&r, "annul_for_non_payment"),
        (s("2025-05-21"), None, RightStatus::Open)
    );
    // A fixed term ends with its term: no two-month notice period besides (M.9).
    let dates = |name: &str| -> Vec<String> {
        r.outcome
            .dates
            .iter()
            .filter(|d| d.name == name)
            .map(|d| d.date.to_string())
            .collect()
    };
    assert_eq!(dates("notice_period_ends"), Vec::<String>::new());
    assert_eq!(dates("term ends"), ["2025-12-31"]);
}

#[test]
fn qualifio_rules() {
    let r = common::eval("qualifio", "rules");
    assert_eq!(amount(&r, "extra_layout_versions"), "240.00");
    assert_eq!(
        status(&r, "first_answer_low"),
        (s("2025-03-05T18:00"), ObligationStatus::Violated)
    );
    assert_eq!(
        status(&r, "announce_high_traffic"),
        (s("2025-06-06"), ObligationStatus::Violated)
    );
    assert_eq!(amount(&r, "liability"), "12000.00");
    assert_eq!(
        right_from(&r, "terminate_after_force_majeure"),
        (s("2025-06-01"), None, RightStatus::Open)
    );
}

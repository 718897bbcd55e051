//! examples/portfolio: five deals over the bundled general terms, a history each, and a
//! README walkthrough. Every ```sh command of the README is run as written (with the built
//! binary for `terms`), and the agenda's dates for 2025 are the ones computed by hand.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

use std::process::Command;

/// The README's shell commands, one per line of each ```sh block.
fn readme_commands() -> Vec<Vec<String>> {
    let text =
        std::fs::read_to_string(common::root().join("examples/portfolio/README.md")).unwrap();
    let mut commands = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            inside = !inside && line.trim() == "```sh";
            continue;
        }
        if inside && !line.trim().is_empty() {
            commands.push(line.split_whitespace().map(str::to_string).collect());
        }
    }
    commands
}

/// Runs a README command from the repository's root: standard output, status.
fn run(words: &[String]) -> (String, String, i32) {
    assert_eq!(words[0], "terms", "{words:?}");
    let out = Command::new(env!("CARGO_BIN_EXE_terms"))
        .args(&words[1..])
        .current_dir(common::root())
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

fn command(starting: &str) -> Vec<String> {
    readme_commands()
        .into_iter()
        .find(|c| c.join(" ").starts_with(starting))
        .unwrap_or_else(|| panic!("the README has no `{starting}` command"))
}

#[test]
fn every_readme_command_runs_as_written() {
    let commands = readme_commands();
    assert_eq!(commands.len(), 4, "{commands:?}");
    for words in &commands {
        let (stdout, stderr, status) = run(words);
        assert_eq!(status, 0, "{}: {stderr}", words.join(" "));
        assert!(!stdout.is_empty(), "{}", words.join(" "));
        assert!(stderr.is_empty(), "{}: {stderr}", words.join(" "));
    }
}

#[test]
fn the_five_deals_check() {
    let (stdout, _, status) = run(&command("terms check"));
    assert_eq!(status, 0);
    for deal in [
        "qualifio_acme",
        "ecom_shop",
        "deardigital_studio",
        "ikanbi_plant",
        "clientcom_office",
    ] {
        assert!(
            stdout.contains(&format!("examples/portfolio/{deal}.terms: ok")),
            "{stdout}"
        );
    }
}

#[test]
fn the_agenda_for_2025_has_the_dates_computed_from_the_deals() {
    let (stdout, _, _) = run(&command(
        "terms agenda examples/portfolio --from 2025-01-01 --until 2025-12-31",
    ));
    let dates: Vec<(&str, &str)> = stdout
        .lines()
        .filter(|l| l.starts_with("2025-"))
        .map(|l| {
            let (date, rest) = l.split_once("  ").unwrap();
            let article = rest.split(": ").next().unwrap();
            (date, article)
        })
        .collect();
    assert_eq!(
        dates,
        vec![
            // Ecom 10: inv-01 of 2025-01-01 may be disputed within 7 days: 01-01 + 7 = 01-08.
            ("2025-01-08", "Sabbani BV (Ecom) §10"),
            // ClientCom 5.3: paid by the invoice's own due date, 2025-01-15.
            ("2025-01-15", "ClientCom BV §5.3"),
            // Dear Digital E.6: disputed within 14 days: 01-01 + 14 = 01-15.
            ("2025-01-15", "Dear Digital §E.6"),
            // Ecom 10: paid within 14 days (no direct debit): 01-01 + 14 = 01-15.
            ("2025-01-15", "Sabbani BV (Ecom) §10"),
            // Qualifio 4.2: contested within 15 days: 01-01 + 15 = 01-16.
            ("2025-01-16", "Qualifio SA §4.2"),
            // Dear Digital E.7: paid by the invoice's due date, 2025-01-31.
            ("2025-01-31", "Dear Digital §E.7"),
            // The quotation's Q-4.2: paid within 45 days, not 30: 01-01 + 31 = 02-01,
            // + 14 = 02-15 (the general terms would give 01-31).
            ("2025-02-15", "Qualifio SA §Q-4.2 (deal)"),
            // iKanbi 2.4: the maintenance of Saturday 2025-03-15 is announced at least 15
            // business days before: Fri 03-14 is the 1st, … Mon 03-03 the 10th, Fri 02-28 the
            // 11th, … Mon 02-24 the 15th.
            ("2025-02-24", "iKanbi Belgium SA §2.4"),
            // The special conditions' SC-4.5: paid within 60 days: 01-01 + 30 = 01-31,
            // + 28 = 02-28, + 2 = 03-02.
            ("2025-03-02", "iKanbi Belgium SA §SC-4.5 (deal)"),
            // ClientCom 5.5: the increase of 2025-07-01 is announced at least 1 month
            // before: 06-01.
            ("2025-06-01", "ClientCom BV §5.5"),
            // Qualifio 5.1: the subscription set by the deal runs 2025-01-01 … 2025-12-31;
            // notice at least 3 months before the end: 12-31 − 3 months = 09-30.
            ("2025-09-30", "Qualifio SA §5.1"),
            // Dear Digital M.9: the deal's year 2025-01-01 … 2025-12-31; 1 month before
            // the end: 11-30.
            ("2025-11-30", "Dear Digital §M.9"),
            // The order form's OF-3: one month's notice instead of 15 days: 12-31 − 1 month
            // = 11-30 (the general terms would give 12-16).
            ("2025-11-30", "Sabbani BV (Ecom) §OF-3 (deal)"),
        ]
    );
    assert!(
        stdout.starts_with("AGENDA 2025-01-01 … 2025-12-31 (5 histories, 13 items)"),
        "{stdout}"
    );
}

#[test]
fn the_calendar_export_has_one_event_per_item() {
    let (stdout, _, _) = run(&command(
        "terms agenda examples/portfolio --from 2025-01-01 --until 2025-12-31 --format ics",
    ));
    assert_eq!(stdout.matches("BEGIN:VEVENT").count(), 13);
    assert!(stdout.contains("DTSTART;VALUE=DATE:20250930"), "{stdout}");
    assert!(stdout.contains("DTSTART;VALUE=DATE:20250215"), "{stdout}");
}

#[test]
fn the_year_end_report_cites_the_deal_and_the_general_terms() {
    let (stdout, _, _) = run(&command(
        "terms eval examples/portfolio/qualifio_acme.terms",
    ));
    // inv-02 of 2025-02-01 is due within 45 days by the quotation: 02-01 + 27 = 02-28,
    // + 18 = 03-18; paid 03-20, 2 days late (the general terms' 30 days: 03-03, 17 days).
    let line = stdout
        .lines()
        .find(|l| l.contains("[inv-02]") && l.contains("pay the invoice"))
        .unwrap();
    assert!(line.contains("§Q-4.2 (deal)"), "{line}");
    assert!(line.contains("due 2025-03-18"), "{line}");
    assert!(line.contains("violated (done 2025-03-20)"), "{line}");
    let late = stdout.lines().find(|l| {
        l.starts_with("  §Q-4.2 (deal)") && l.contains("[inv-02]") && l.contains("days late")
    });
    assert!(late.is_some_and(|l| l.contains("2 days late")), "{stdout}");
    // A clause of the general terms says so.
    assert!(stdout.contains("§4.2 (general terms)"), "{stdout}");
    // Layout versions beyond the 2 included, at the deal's EUR 100.00 an hour: lv-3, 5 h
    // × 100.00 = 500.00.
    let fee = stdout.lines().find(|l| l.contains("[lv-3]")).unwrap();
    assert!(fee.contains("500.00"), "{fee}");
}

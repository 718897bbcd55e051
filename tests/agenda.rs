//! `terms agenda`: the items of a folder of histories (tests/agenda/), hand-computed, as
//! text, JSON and iCalendar; the as-of view; the contract lookup; exit codes.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn terms(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_terms"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn agenda(folder: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "agenda",
        folder,
        "--from",
        "2025-04-01",
        "--contracts",
        "contracts",
    ];
    args.extend_from_slice(extra);
    terms(&args)
}

/// A fresh copy of tests/agenda/ in a temporary folder.
fn copy_fixtures(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("terms-agenda-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["qualifio", "ecom"] {
        std::fs::create_dir_all(dir.join("histories").join(sub)).unwrap();
    }
    for file in ["qualifio/acme.scenario", "ecom/shop.scenario"] {
        std::fs::copy(
            root().join("tests/agenda").join(file),
            dir.join("histories").join(file),
        )
        .unwrap();
    }
    dir
}

fn append(path: &Path, text: &str) {
    let mut s = std::fs::read_to_string(path).unwrap();
    s.push_str(text);
    std::fs::write(path, s).unwrap();
}

const TEXT: &str = "\
AGENDA 2025-04-01 … 2025-06-30 (2 histories, 7 items)

OVERDUE
2025-03-17  Qualifio SA §4.2: customer must pay the invoice [inv-1], due 2025-03-17, 15 days late  (qualifio/acme.scenario)

UPCOMING
2025-04-01  Sabbani BV (Ecom) §10: client may dispute the invoice [inv-3] until 2025-04-01 (via email); otherwise: the invoice can no longer be disputed  (ecom/shop.scenario)
2025-04-08  Sabbani BV (Ecom) §10: client must pay the invoice [inv-3] by 2025-04-08  (ecom/shop.scenario)
2025-04-16  Qualifio SA §4.2: customer may contest the invoice [inv-2] until 2025-04-16 (via registered_letter); otherwise: the invoice is presumed accepted  (qualifio/acme.scenario)
2025-05-01  Qualifio SA §4.2: customer must pay the invoice [inv-2] by 2025-05-01  (qualifio/acme.scenario)
2025-06-15  Sabbani BV (Ecom) §14: last day for client to give notice of termination (via email); otherwise: the term renews for 1 year after 2025-06-30  (ecom/shop.scenario)
2025-06-30  Qualifio SA §5.1: last day for customer to give notice of termination (via registered_letter); otherwise: the term renews for 12 months after 2025-09-30  (qualifio/acme.scenario)
";

#[test]
fn text_agenda_lists_hand_computed_dates_in_order() {
    // inv-1 2025-02-15 + 30 days = 2025-03-17, unpaid on 2025-04-01: 15 days late.
    // inv-3 2025-03-25: dispute within 7 days (2025-04-01), pay within 14 (2025-04-08).
    // inv-2 2025-04-01: contest within 15 days (2025-04-16), pay within 30 (2025-05-01).
    // Ecom: 2024-07-01 + 1 year ends 2025-06-30, notice 15 days before: 2025-06-15.
    // Qualifio: 2024-10-01 + 12 months ends 2025-09-30, notice 3 months before: 2025-06-30.
    let o = agenda("tests/agenda", &[]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), TEXT);
    // The history without a `contract` line is skipped, and said so.
    assert!(String::from_utf8_lossy(&o.stderr).contains("notes.scenario"));
}

#[test]
fn json_agenda_has_stable_keys_and_the_same_order() {
    let o = agenda("tests/agenda", &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let items: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let items = items.as_array().unwrap();
    let got: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["date"].as_str().unwrap(),
                i["kind"].as_str().unwrap(),
                i["clause_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("2025-03-17", "overdue", "pay_invoice"),
            ("2025-04-01", "right", "dispute_invoice"),
            ("2025-04-08", "obligation", "pay_invoice"),
            ("2025-04-16", "right", "contest_invoice"),
            ("2025-05-01", "obligation", "pay_invoice"),
            ("2025-06-15", "deadline", "subscription"),
            ("2025-06-30", "deadline", "subscription"),
        ]
    );
    for key in [
        "date",
        "kind",
        "vendor",
        "contract",
        "article",
        "clause_id",
        "event",
        "party",
        "action",
        "via",
        "consequence",
        "source_file",
    ] {
        assert!(items.iter().all(|i| i.get(key).is_some()), "{key}");
    }
    assert_eq!(items[0]["days_late"], 15);
    assert_eq!(items[0]["source_file"], "qualifio/acme.scenario");
    assert_eq!(items[5]["via"][0], "email");
    assert_eq!(items[6]["vendor"], "Qualifio SA");
}

#[test]
fn until_narrows_the_range() {
    let o = agenda(
        "tests/agenda",
        &["--until", "2025-04-10", "--format", "json"],
    );
    let items: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let dates: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["date"].as_str().unwrap())
        .collect();
    // The overdue item stays whatever the range.
    assert_eq!(dates, vec!["2025-03-17", "2025-04-01", "2025-04-08"]);
}

#[test]
fn nothing_after_from_influences_the_agenda() {
    // acme.scenario already holds pay-2 (2025-04-20) for inv-2: the obligation is pending.
    let dir = copy_fixtures("asof");
    let folder = dir.join("histories");
    let before = agenda(folder.to_str().unwrap(), &[]);
    // Paying inv-1 after --from changes nothing: it is still overdue.
    append(
        &folder.join("qualifio/acme.scenario"),
        "event pay-1: payment on 2025-04-02 by customer { amount: EUR 2000.00, invoice: inv-1 }\n",
    );
    let after = agenda(folder.to_str().unwrap(), &[]);
    assert_eq!(after.status.code(), Some(0));
    assert_eq!(stdout(&before), stdout(&after));
    assert_eq!(stdout(&after), TEXT);
    // Paid before --from, it is gone.
    append(
        &folder.join("qualifio/acme.scenario"),
        "event pay-0: payment on 2025-03-30 by customer { amount: EUR 2000.00, invoice: inv-1 }\n",
    );
    let paid = stdout(&agenda(folder.to_str().unwrap(), &[]));
    assert!(!paid.contains("OVERDUE"), "{paid}");
    let _ = std::fs::remove_dir_all(&dir);
}

struct Event {
    uid: String,
    start: String,
    summary: String,
    trigger: String,
}

fn parse_ics(text: &str) -> Vec<Event> {
    let mut calendars = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = calendars.next().unwrap().unwrap();
    assert!(calendars.next().is_none());
    calendar
        .events
        .iter()
        .map(|e| {
            let prop = |name: &str| {
                e.properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
                    .unwrap()
            };
            let start = e.properties.iter().find(|p| p.name == "DTSTART").unwrap();
            let params = start.params.clone().unwrap();
            assert!(params
                .iter()
                .any(|(k, v)| k == "VALUE" && v == &vec!["DATE".to_string()]));
            assert_eq!(e.alarms.len(), 1);
            let trigger = e.alarms[0]
                .properties
                .iter()
                .find(|p| p.name == "TRIGGER")
                .and_then(|p| p.value.clone())
                .unwrap();
            Event {
                uid: prop("UID"),
                start: prop("DTSTART"),
                summary: prop("SUMMARY"),
                trigger,
            }
        })
        .collect()
}

#[test]
fn ics_parses_with_one_all_day_event_per_item() {
    let o = agenda("tests/agenda", &["--format", "ics"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    // CRLF everywhere, no line over 75 octets.
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for line in text.split("\r\n") {
        assert!(!line.contains('\n'), "bare LF in {line:?}");
        assert!(line.len() <= 75, "{line:?}");
    }
    let events = parse_ics(&text);
    let starts: Vec<&str> = events.iter().map(|e| e.start.as_str()).collect();
    assert_eq!(
        starts,
        vec!["20250317", "20250401", "20250408", "20250416", "20250501", "20250615", "20250630"]
    );
    assert!(events.iter().all(|e| e.trigger == "-P2D"));
    assert!(events.iter().all(|e| e.uid.ends_with("@terms")));
    let mut uids: Vec<&str> = events.iter().map(|e| e.uid.as_str()).collect();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), 7);
    assert!(events[1].summary.starts_with("Sabbani BV (Ecom)"));
    // Reproducible: the same bytes again.
    assert_eq!(stdout(&agenda("tests/agenda", &["--format", "ics"])), text);
    let o = agenda("tests/agenda", &["--format", "ics", "--alarm", "7"]);
    assert!(parse_ics(&stdout(&o)).iter().all(|e| e.trigger == "-P7D"));
}

#[test]
fn ics_uids_are_stable_when_an_unrelated_event_is_added() {
    let dir = copy_fixtures("uid");
    let folder = dir.join("histories");
    let uids = |o: &Output| -> Vec<(String, String)> {
        parse_ics(&stdout(o))
            .into_iter()
            .map(|e| (e.uid, e.start))
            .collect()
    };
    let before = uids(&agenda(folder.to_str().unwrap(), &["--format", "ics"]));
    // A direct-debit invoice: no payment due, a new dispute window (until 2025-04-04).
    append(
        &folder.join("ecom/shop.scenario"),
        "event inv-4: invoice on 2025-03-28 { amount: EUR 80.00, direct_debit: true }\n",
    );
    let after = uids(&agenda(folder.to_str().unwrap(), &["--format", "ics"]));
    assert_eq!(after.len(), before.len() + 1);
    for item in &before {
        assert!(after.contains(item), "{item:?} changed");
    }
    assert!(after.iter().any(|(_, d)| d == "20250404"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn contracts_are_found_beside_the_histories_or_in_contracts() {
    let dir = copy_fixtures("lookup");
    let folder = dir.join("histories");
    // No contract anywhere: exit 2 with a diagnostic naming the file.
    let o = terms(&["agenda", folder.to_str().unwrap(), "--from", "2025-04-01"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no contract file `qualifio.terms` was found")
    );
    // FOLDER/../contracts/ (the repository layout) and the history's own folder.
    std::fs::create_dir_all(dir.join("contracts")).unwrap();
    std::fs::copy(
        root().join("contracts/qualifio.terms"),
        dir.join("contracts/qualifio.terms"),
    )
    .unwrap();
    std::fs::copy(
        root().join("contracts/ecom.terms"),
        folder.join("ecom/ecom.terms"),
    )
    .unwrap();
    let o = terms(&["agenda", folder.to_str().unwrap(), "--from", "2025-04-01"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(stdout(&o), TEXT);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_input_exits_with_2() {
    let o = agenda("tests/agenda", &["--until", "2025-03-01"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--until is before --from"));
    let o = terms(&["agenda", "tests/agenda", "--from", "2025-13-01"]);
    assert_eq!(o.status.code(), Some(2));
    let o = terms(&["agenda", "tests/agenda"]);
    assert_eq!(o.status.code(), Some(2));
    let o = agenda("tests/no-such-folder", &[]);
    assert_eq!(o.status.code(), Some(2));
    // A history that does not check against its contract.
    let dir = copy_fixtures("invalid");
    append(
        &dir.join("histories/ecom/shop.scenario"),
        "event x: no_such_kind on 2025-01-01\n",
    );
    let o = agenda(dir.join("histories").to_str().unwrap(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).contains("shop.scenario"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn escape_and_fold_follow_rfc_5545() {
    assert_eq!(terms::agenda::escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    let long = format!("DESCRIPTION:{}", "é".repeat(60));
    let folded = terms::agenda::fold(&long);
    for line in folded.trim_end_matches("\r\n").split("\r\n") {
        assert!(line.len() <= 75);
    }
    assert_eq!(folded.replace("\r\n ", ""), format!("{long}\r\n"));
    // FNV-1a 64 of "a" (the published test vector).
    assert_eq!(terms::agenda::fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
}

//! Properties of the one history the evaluator reads, over every bundled scenario:
//!
//! 1. **As of a date, the future does not exist.** For every day d from a scenario's first
//!    event to its evaluation date, evaluating as of d gives the same report as evaluating
//!    the scenario with every act dated after d removed (and receipts after d not yet
//!    received), as of d.
//! 2. **Appending acts after the evaluation date changes nothing.**
//! 3. **The order of events in the file changes nothing.**
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};
use terms::source::SourceFile;

/// Every bundled scenario with its contract.
fn bundled() -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    let dir = common::root().join("tests/scenarios");
    let mut vendors: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    vendors.sort();
    for vendor in vendors {
        let mut files: Vec<_> = std::fs::read_dir(&vendor)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "scenario"))
            .collect();
        files.sort();
        for f in files {
            out.push((common::contract_of(&f), f));
        }
    }
    assert!(out.len() >= 29, "found {} scenarios", out.len());
    out
}

/// A scenario's lines, split into the event lines and the others (every bundled event
/// stands on one line).
struct Lines {
    head: Vec<String>,
    events: Vec<Event>,
}

struct Event {
    line: String,
    id: String,
    kind: String,
    date: NaiveDate,
    received: Option<NaiveDate>,
}

fn date_at(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

fn lines(text: &str) -> Lines {
    let mut head = Vec::new();
    let mut events = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("event ") else {
            head.push(line.to_string());
            continue;
        };
        assert_eq!(
            line.matches('{').count(),
            line.matches('}').count(),
            "{line}"
        );
        let (id, rest) = rest.split_once(':').unwrap();
        let kind = rest.split_whitespace().next().unwrap().to_string();
        let date = date_at(rest.split_once(" on ").unwrap().1).unwrap();
        let received = rest.split_once(" received ").and_then(|(_, r)| date_at(r));
        events.push(Event {
            line: line.to_string(),
            id: id.trim().to_string(),
            kind,
            date,
            received,
        });
    }
    Lines { head, events }
}

fn planned_kinds(contract: &str) -> Vec<String> {
    contract
        .lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("event ")?;
            let mut words = rest.split_whitespace();
            let kind = words.next()?;
            (words.next() == Some("planned")).then(|| kind.to_string())
        })
        .collect()
}

fn report(contract: &Path, scenario_text: &str, as_of: NaiveDate) -> Result<String, String> {
    let contract = terms::read_source(contract).unwrap();
    let scenario = SourceFile::new("s.scenario", scenario_text.to_string());
    terms::run(&contract, &scenario, Some(as_of.into()))
        .map(|r| r.to_json())
        .map_err(|f| f.render())
}

fn as_of_of(text: &str) -> NaiveDate {
    let line = text.lines().find(|l| l.starts_with("as of ")).unwrap();
    date_at(line.trim_start_matches("as of ")).unwrap()
}

/// The scenario with the acts after `d` removed and receipts after `d` dropped.
fn truncated(l: &Lines, planned: &[String], d: NaiveDate) -> String {
    let mut out = l.head.join("\n");
    for e in &l.events {
        if e.date > d && !planned.contains(&e.kind) {
            continue;
        }
        let mut line = e.line.clone();
        if let Some(r) = e.received.filter(|r| *r > d) {
            let at = line.find(" received ").unwrap();
            let end = at + " received ".len();
            let moment_len = line[end..].find([' ', '{']).unwrap_or(line.len() - end);
            line.replace_range(at..end + moment_len, "");
            let _ = r;
        }
        out.push('\n');
        out.push_str(&line);
    }
    out.push('\n');
    out
}

#[test]
fn as_of_a_date_the_future_does_not_exist() {
    let mut compared = 0;
    for (contract, scenario) in bundled() {
        let text = std::fs::read_to_string(&scenario).unwrap();
        let planned = planned_kinds(&std::fs::read_to_string(&contract).unwrap());
        let l = lines(&text);
        let Some(first) = l.events.iter().map(|e| e.date).min() else {
            continue;
        };
        let last = as_of_of(&text);
        // Every day around an event, and every 5th day between.
        let mut days: Vec<NaiveDate> = Vec::new();
        let mut d = first.checked_sub_days(Days::new(1)).unwrap();
        while d <= last {
            days.push(d);
            d = d.checked_add_days(Days::new(5)).unwrap();
        }
        for e in &l.events {
            for t in [Some(e.date), e.received].into_iter().flatten() {
                for delta in [-1i64, 0, 1] {
                    let day = t.checked_add_signed(chrono::Duration::days(delta)).unwrap();
                    if day <= last {
                        days.push(day);
                    }
                }
            }
        }
        days.sort();
        days.dedup();
        for d in days {
            let whole = report(&contract, &text, d);
            let cut = truncated(&l, &planned, d);
            let without_future = report(&contract, &cut, d);
            match (&whole, &without_future) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a, b, "{} as of {d}", scenario.display());
                    compared += 1;
                }
                // Truncation left a reference to an act that has not happened; the
                // evaluator reads it as absent, which a file cannot say.
                (Ok(_), Err(e)) if e.contains("unknown_event") => {}
                (a, b) => panic!("{} as of {d}: {a:?} vs {b:?}", scenario.display()),
            }
        }
    }
    assert!(compared > 1000, "only {compared} comparisons");
}

#[test]
fn appending_acts_after_the_evaluation_date_changes_nothing() {
    for (contract, scenario) in bundled() {
        let text = std::fs::read_to_string(&scenario).unwrap();
        let planned = planned_kinds(&std::fs::read_to_string(&contract).unwrap());
        let as_of = as_of_of(&text);
        let before = report(&contract, &text, as_of).unwrap();
        let l = lines(&text);
        let mut more = text.clone();
        for (n, e) in l.events.iter().enumerate() {
            if planned.contains(&e.kind) {
                continue;
            }
            // A copy of every act, a few days after the evaluation date.
            let later = as_of
                .checked_add_days(Days::new(1 + n as u64 % 40))
                .unwrap();
            let mut line = e
                .line
                .replacen(&format!("{}:", e.id), &format!("{}-later:", e.id), 1);
            line = line.replacen(&e.date.to_string(), &later.to_string(), 1);
            if let Some(r) = e.received {
                let later_receipt = later.checked_add_days(Days::new(2)).unwrap();
                line = line.replacen(
                    &format!("received {r}"),
                    &format!("received {later_receipt}"),
                    1,
                );
            }
            more.push_str(&line);
            more.push('\n');
        }
        let after = report(&contract, &more, as_of).unwrap();
        assert_eq!(before, after, "{}", scenario.display());
    }
}

#[test]
fn the_order_of_events_in_the_file_changes_nothing() {
    for (contract, scenario) in bundled() {
        let text = std::fs::read_to_string(&scenario).unwrap();
        let as_of = as_of_of(&text);
        let before = report(&contract, &text, as_of).unwrap();
        let l = lines(&text);
        for rotation in [l.events.len() / 2, 1] {
            let mut events: Vec<&Event> = l.events.iter().collect();
            events.reverse();
            let n = events.len();
            events.rotate_left(rotation.min(n));
            let mut shuffled = l.head.join("\n");
            for e in events {
                shuffled.push('\n');
                shuffled.push_str(&e.line);
            }
            shuffled.push('\n');
            let after = report(&contract, &shuffled, as_of).unwrap();
            assert_eq!(before, after, "{}", scenario.display());
        }
    }
}

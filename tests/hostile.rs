//! Hostile input (issue 8): links that loop, named pipes, closed pipes, folders that are
//! files, times the clocks skip, and messages that would echo huge input. Each test runs the
//! `terms` binary as a user does, with a time limit, so a hang fails instead of blocking.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A fresh, empty folder under the system's temporary folder.
fn tempdir(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "terms-hostile-{}-{name}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo failed");
}

/// Runs `terms` in the crate root; kills it (and fails) after `limit`.
fn terms_within(args: &[&str], limit: Duration) -> (i32, String, String) {
    let dir = tempdir("out");
    let (out_path, err_path) = (dir.join("stdout"), dir.join("stderr"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_terms"))
        .args(args)
        .current_dir(common::root())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`terms {}` did not end within {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    let result = (
        status.code().unwrap_or(-1),
        read(&out_path),
        read(&err_path),
    );
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn terms(args: &[&str]) -> (i32, String, String) {
    terms_within(args, Duration::from_secs(60))
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

// ---------------------------------------------------------------- the file system

#[test]
fn coverage_does_not_follow_links_to_folders_and_counts_each_file_once() {
    let dir = tempdir("loop");
    std::fs::copy(
        common::root().join("tests/scenarios/ecom/ec-1.scenario"),
        dir.join("ec-1.scenario"),
    )
    .unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    // Two links to the folder itself, one to its parent from below, one to the file.
    std::os::unix::fs::symlink(".", dir.join("self")).unwrap();
    std::os::unix::fs::symlink(".", dir.join("again")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("ec-1.scenario", dir.join("copy.scenario")).unwrap();
    let (code, out, err) = terms_within(
        &["coverage", "contracts/ecom.terms", s(&dir)],
        Duration::from_secs(30),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("exercised by 1 scenarios"), "{out}");
    assert!(!out.contains("  2 scenarios"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn coverage_of_a_missing_folder_or_a_file_is_invalid_input() {
    let (code, out, err) = terms(&["coverage", "contracts/ecom.terms", "no/such/folder"]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("terms::io::unreadable"), "{err}");
    assert!(err.contains("[no/such/folder:1:1]"), "{err}");
    let (code, out, err) = terms(&[
        "coverage",
        "contracts/ecom.terms",
        "tests/scenarios/ecom/ec-1.scenario",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("terms::io::not_a_folder"), "{err}");
    assert!(
        err.contains("[tests/scenarios/ecom/ec-1.scenario:1:1]"),
        "{err}"
    );
}

#[test]
fn a_named_pipe_is_not_read() {
    let dir = tempdir("fifo");
    let fifo = dir.join("events.scenario");
    mkfifo(&fifo);
    let limit = Duration::from_secs(30);
    let (code, _, err) = terms_within(&["eval", "contracts/ecom.terms", s(&fifo)], limit);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("terms::io::not_a_file"), "{err}");
    assert!(err.contains("events.scenario:1:1]"), "{err}");
    let (code, _, err) = terms_within(&["check", s(&fifo)], limit);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("terms::io::not_a_file"), "{err}");
    // In a folder given to `coverage`, too.
    let (code, _, err) = terms_within(&["coverage", "contracts/ecom.terms", s(&dir)], limit);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("terms::io::not_a_file"), "{err}");
    // A folder given as a scenario.
    let (code, _, err) = terms_within(&["eval", "contracts/ecom.terms", s(&dir)], limit);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("terms::io::not_a_file"), "{err}");
    assert!(err.contains("is a folder"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_size_limits_apply_before_reading() {
    let dir = tempdir("large");
    // Sparse files: their size is known without writing (or reading) their bytes.
    let contract = dir.join("large.terms");
    std::fs::File::create(&contract)
        .unwrap()
        .set_len((1 << 20) + 1)
        .unwrap();
    let (code, _, err) = terms(&["check", s(&contract)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("terms::syntax::too_large"), "{err}");
    assert!(err.contains("more than the limit of 1048576"), "{err}");
    let scenario = dir.join("large.scenario");
    std::fs::File::create(&scenario)
        .unwrap()
        .set_len((32 << 20) + 1)
        .unwrap();
    let (code, _, err) = terms(&["eval", "contracts/ecom.terms", s(&scenario)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("terms::syntax::too_large"), "{err}");
    assert!(err.contains("more than the limit of 33554432"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn io_diagnostics_read_well() {
    let dir = tempdir("snap");
    let fifo = dir.join("fifo");
    mkfifo(&fifo);
    let failure = terms::read_source_as(&fifo, "events.scenario").expect_err("a FIFO");
    assert_eq!(failure.codes(), ["terms::io::not_a_file"]);
    insta::assert_snapshot!("not_a_file", failure.render());
    let failure =
        terms::scenario_paths(Path::new("tests/scenarios/ecom/ec-1.scenario")).expect_err("a file");
    assert_eq!(failure.codes(), ["terms::io::not_a_folder"]);
    insta::assert_snapshot!("not_a_folder", failure.render());
    let contract = terms::read_source_as(
        &common::root().join("contracts/ikanbi.terms"),
        "contracts/ikanbi.terms",
    )
    .unwrap();
    let scenario = terms::read_source_as(
        &common::root().join("tests/scenarios/ikanbi/ik-1.scenario"),
        "tests/scenarios/ikanbi/ik-1.scenario",
    )
    .unwrap();
    let failure =
        terms::explain(&contract, &scenario, None, Some("late_intrest")).expect_err("no entry");
    assert_eq!(failure.codes(), ["terms::cli::unknown_entry"]);
    insta::assert_snapshot!("unknown_entry", failure.render());
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- standard output

#[test]
fn a_closed_standard_output_ends_quietly() {
    // A report far larger than a pipe's buffer, so the writes meet the closed pipe.
    let dir = tempdir("pipe");
    let scenario = dir.join("many.scenario");
    let mut text = String::from("scenario \"many breaches\"\ncontract ikanbi\nas of 2025-12-31\n");
    for i in 0..3000 {
        text.push_str(&format!("event b{i}: data_breach on 2025-06-02T09:00\n"));
    }
    std::fs::write(&scenario, text).unwrap();
    for format in ["text", "json"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_terms"))
            .args([
                "eval",
                "contracts/ikanbi.terms",
                s(&scenario),
                "--format",
                format,
            ])
            .current_dir(common::root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.is_empty(), "{err}");
        assert_eq!(out.status.code(), Some(0), "{err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- messages that mislead

#[test]
fn a_time_the_clocks_skip_is_a_scenario_diagnostic_at_the_time() {
    let dir = tempdir("dst");
    let scenario = dir.join("dst.scenario");
    std::fs::write(
        &scenario,
        "scenario \"breach at 02:30\"\ncontract ikanbi\nas of 2025-06-30\n\
         event b1: data_breach on 2025-03-30T02:30\n",
    )
    .unwrap();
    let (code, _, err) = terms(&["eval", "contracts/ikanbi.terms", s(&scenario)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("terms::scenario::nonexistent_time"), "{err}");
    assert!(!err.contains("date_out_of_range"), "{err}");
    assert!(err.contains("dst.scenario:4:26]"), "{err}");
    assert!(err.contains("does not exist in Europe/Brussels"), "{err}");
    assert!(err.contains("2025-03-30T03:30"), "{err}");
    // An hour later, the same instant as the clocks show it, is fine.
    std::fs::write(
        &scenario,
        "scenario \"breach at 03:30\"\ncontract ikanbi\nas of 2025-06-30\n\
         event b1: data_breach on 2025-03-30T03:30\n",
    )
    .unwrap();
    let (code, _, err) = terms(&["eval", "contracts/ikanbi.terms", s(&scenario)]);
    assert_eq!(code, 0, "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_receipt_on_the_day_of_a_timed_sending_is_not_before_it() {
    let dir = tempdir("received");
    let scenario = dir.join("same_day.scenario");
    std::fs::write(
        &scenario,
        "scenario \"received the same day\"\ncontract ecom\nas of 2025-06-30\n\
         event t1: termination on 2025-03-03T10:00 by client via registered_letter received 2025-03-03\n",
    )
    .unwrap();
    let (code, _, err) = terms(&["eval", "contracts/ecom.terms", s(&scenario)]);
    assert_eq!(code, 0, "{err}");
    // The day before is still before.
    std::fs::write(
        &scenario,
        "scenario \"received the day before\"\ncontract ecom\nas of 2025-06-30\n\
         event t1: termination on 2025-03-03T10:00 by client via registered_letter received 2025-03-02\n",
    )
    .unwrap();
    let (code, _, err) = terms(&["eval", "contracts/ecom.terms", s(&scenario)]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("terms::scenario::received_before_sent"),
        "{err}"
    );
    assert!(err.contains("same_day.scenario:4:84]"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn explain_an_entry_that_does_not_exist_is_a_diagnostic() {
    let (code, out, err) = terms(&[
        "explain",
        "contracts/ikanbi.terms",
        "tests/scenarios/ikanbi/ik-1.scenario",
        "late_intrest",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("terms::cli::unknown_entry"), "{err}");
    assert!(err.contains("[ENTRY:1:1]"), "{err}");
    assert!(err.contains("did you mean `late_interest`?"), "{err}");
    // The same with JSON.
    let (code, _, err) = terms(&[
        "explain",
        "contracts/ikanbi.terms",
        "tests/scenarios/ikanbi/ik-1.scenario",
        "nothing",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("terms::cli::unknown_entry"), "{err}");
}

#[test]
fn explain_entry_filters_the_json_too() {
    let (code, out, err) = terms(&[
        "explain",
        "contracts/ikanbi.terms",
        "tests/scenarios/ikanbi/ik-1.scenario",
        "late_interest",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let amounts = json["amounts"].as_array().unwrap();
    assert_eq!(amounts.len(), 1, "{out}");
    assert_eq!(amounts[0]["clause_id"], "late_interest");
    assert_eq!(json["totals"][0]["amount"], amounts[0]["amount"], "{out}");
    for key in ["obligations", "violations", "rights", "dates", "notices"] {
        for entry in json[key].as_array().unwrap() {
            assert_eq!(entry["clause_id"], "late_interest", "{key}: {out}");
        }
    }
    assert!(!out.contains("fixed_compensation"), "{out}");
}

#[test]
fn a_zero_amount_has_no_sign() {
    let dir = tempdir("zero");
    let contract = dir.join("zero.terms");
    std::fs::write(
        &contract,
        "contract zero\nparty provider\nparty client\ncurrency EUR\n\
         event work { hours: number, rate: money }\n\
         fee refund article \"1\" {\n  for each work w\n  client owes provider -(w.hours * w.rate)\n}\n",
    )
    .unwrap();
    let scenario = dir.join("zero.scenario");
    std::fs::write(
        &scenario,
        "scenario \"no hours\"\ncontract zero\nas of 2025-06-30\n\
         event w1: work on 2025-03-31 { hours: 0, rate: EUR 80.00 }\n",
    )
    .unwrap();
    for format in ["text", "json"] {
        let (code, out, err) = terms(&["eval", s(&contract), s(&scenario), "--format", format]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("0.00"), "{out}");
        assert!(!out.contains("-0.00"), "{format}: {out}");
    }
    let (code, out, err) = terms(&["explain", s(&contract), s(&scenario)]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("-0.00"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- messages stay short

#[test]
fn command_line_errors_do_not_echo_huge_input() {
    let huge = "9".repeat(100_000);
    let (code, _, err) = terms(&[
        "eval",
        "contracts/ecom.terms",
        "tests/scenarios/ecom/ec-1.scenario",
        "--as-of",
        &huge,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--as-of"), "{err}");
    assert!(err.len() < 4_000, "{} bytes", err.len());
    let (code, _, err) = terms(&[
        "explain",
        "contracts/ikanbi.terms",
        "tests/scenarios/ikanbi/ik-1.scenario",
        &huge,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("terms::cli::unknown_entry"), "{err}");
    assert!(err.len() < 4_000, "{} bytes", err.len());
    let (code, _, err) = terms(&["eval", "contracts/ecom.terms", &huge]);
    assert_eq!(code, 2);
    assert!(err.contains("terms::io::unreadable"), "{err}");
    assert!(err.len() < 4_000, "{} bytes", err.len());
}

#[test]
fn a_file_that_is_not_utf8_is_not_echoed_whole() {
    let dir = tempdir("utf8");
    let scenario = dir.join("bytes.scenario");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(format!("// {}\n", "x".repeat(100_000)).as_bytes());
    bytes.extend_from_slice(b"scenario \"");
    bytes.push(0xff);
    bytes.extend_from_slice(format!("{}\"\n", "y".repeat(100_000)).as_bytes());
    bytes.extend_from_slice(format!("// {}\n", "z".repeat(100_000)).as_bytes());
    std::fs::write(&scenario, bytes).unwrap();
    let (code, _, err) = terms(&["eval", "contracts/ecom.terms", s(&scenario)]);
    assert_eq!(code, 2);
    assert!(err.contains("terms::io::not_utf8"), "{err}");
    assert!(err.contains("bytes.scenario:2:11]"), "{err}");
    assert!(err.len() < 4_000, "{} bytes", err.len());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn standard_error_closed_is_not_a_panic() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_terms"))
        .args(["eval", "contracts/ecom.terms", "no/such/file.scenario"])
        .current_dir(common::root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

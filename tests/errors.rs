//! Every diagnostic code in the source is documented in docs/errors.md, in the section of
//! its stage, and shown by at least one snapshot (so its wording is reviewed).

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

/// Codes no input can reach: a parse tree of the wrong shape is a bug in terms, and the
/// checker rejects clause cycles before evaluation could meet one. Both stay as guards.
const UNREACHABLE: [&str; 4] = [
    "terms::syntax::internal",
    "terms::check::internal",
    "terms::eval::cycle",
    "terms::eval::internal",
];

fn files(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// Every `"terms::stage::name"` literal in the source.
fn codes_in_source() -> BTreeSet<String> {
    let mut paths = Vec::new();
    files(&common::root().join("src"), "rs", &mut paths);
    let mut codes = BTreeSet::new();
    for path in paths {
        let text = std::fs::read_to_string(path).unwrap();
        for (i, _) in text.match_indices("\"terms::") {
            let rest = &text[i + 1..];
            let end = rest.find('"').unwrap();
            let code = &rest[..end];
            if code.split("::").count() == 3
                && code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            {
                codes.insert(code.to_string());
            }
        }
    }
    codes
}

#[test]
fn every_code_is_documented_in_its_section() {
    let doc = std::fs::read_to_string(common::root().join("docs/errors.md")).unwrap();
    let codes = codes_in_source();
    assert!(codes.len() > 40, "{codes:?}");
    for code in &codes {
        let mut parts = code.split("::");
        let (_, stage, name) = (parts.next(), parts.next().unwrap(), parts.next().unwrap());
        let header = format!("(`terms::{stage}::…`)");
        let start = doc
            .find(&header)
            .unwrap_or_else(|| panic!("docs/errors.md has no section for {stage}"));
        let section = &doc[start..];
        let section = &section[..section[1..].find("\n## ").map_or(section.len(), |i| i + 1)];
        assert!(
            section.contains(&format!("| `{name}` |")),
            "{code} is not documented in docs/errors.md"
        );
    }
}

#[test]
fn every_reachable_code_has_a_snapshot() {
    let mut snaps = Vec::new();
    files(&common::root().join("tests/snapshots"), "snap", &mut snaps);
    let all: String = snaps
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    for code in codes_in_source() {
        if UNREACHABLE.contains(&code.as_str()) {
            continue;
        }
        assert!(
            all.contains(&code),
            "no snapshot shows {code}: add a case to tests/invalid or tests/lint"
        );
    }
}

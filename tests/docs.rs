//! Docs are tested product: every ```terms example in docs/ and the README that is a
//! whole contract (starts with `contract`) must check without errors.

#![allow(clippy::panic, clippy::unwrap_used)]

mod common;

use terms::source::SourceFile;

fn examples(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```terms") => current = Some(String::new()),
            (Some(block), l) if l.starts_with("```") => {
                out.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    out
}

#[test]
fn contract_examples_in_the_docs_check() {
    let mut checked = 0;
    for doc in ["docs/language.md", "docs/semantics.md", "README.md"] {
        let text = std::fs::read_to_string(common::root().join(doc)).unwrap();
        for (i, example) in examples(&text).into_iter().enumerate() {
            if !example.trim_start().starts_with("contract") {
                continue;
            }
            let file = SourceFile::new(format!("{doc} example {i}"), example);
            if let Err(failure) = terms::load_contract(&file) {
                panic!("{}", failure.render());
            }
            checked += 1;
        }
    }
    assert!(checked >= 2, "the docs have whole-contract examples");
}

#[test]
fn every_contract_checks() {
    for vendor in [
        "ikanbi",
        "clientcom",
        "ecom",
        "deardigital",
        "qualifio",
        "cloudmeter",
        "leasewise",
    ] {
        let path = common::root()
            .join("contracts")
            .join(format!("{vendor}.terms"));
        let file = terms::read_source(&path).unwrap();
        if let Err(failure) = terms::load_contract(&file) {
            panic!("{}", failure.render());
        }
    }
}

/// Every function the reference lists is known to the checker, and documented.
#[test]
fn every_listed_function_is_known_and_documented() {
    let doc = std::fs::read_to_string(common::root().join("docs/language.md")).unwrap();
    for name in terms::builtins::BUILTINS.iter().map(|f| f.name) {
        let text = format!("contract f\nparty a\ncurrency EUR\nlet x = {name}()\n");
        let failure =
            terms::load_contract(&SourceFile::new("f.terms", text)).expect_err("no arguments");
        assert!(
            !failure.codes().contains(&"terms::check::unknown_function"),
            "{name} is listed but unknown"
        );
        assert!(
            doc.contains(&format!("`{name}(")),
            "{name} is not in docs/language.md"
        );
    }
}

//! Deals: special conditions over general terms.
//!
//! A deal file starts with `deal NAME "…" extends "FILE"`, FILE being the general terms (a
//! contract), relative to the deal's folder. It then gives or replaces parameters' values
//! (`set licence_price = EUR 24000.00`), replaces whole clauses by clauses of the same kind
//! (`override obligation pay_invoice article "Q-4.2" { … }`) and adds declarations and
//! clauses of its own. The general terms' items, with the deal's changes in place and its
//! own items after them, are checked as one contract: the result is one [`Checked`], so
//! everything downstream works unchanged.
//!
//! Spans: the deal is parsed as if it followed the general terms in one text (the general
//! terms, a newline, the deal; [`crate::syntax::parse_deal_at`]), so every span of the
//! merged contract points into that one text ([`Checked::source`]). A diagnostic is given
//! back to the file it is about: before [`DealInfo::offset`] the general terms, from it on
//! the deal (its span moved back by the offset). Loading is linear: each file is parsed
//! once more at most, and the merge is one pass over the items with maps by name.

use std::collections::HashMap;
use std::path::Path;

use crate::ast::{self, ClauseKind, DealItem, Item};
use crate::check::Checked;
use crate::diagnostic::{did_you_mean, Diagnostic, FileDiagnostics};
use crate::source::{SourceFile, Span};
use crate::Failure;

/// What a checked contract built from a deal knows of its two files.
#[derive(Debug, Clone)]
pub struct DealInfo {
    /// The general terms' contract name (`qualifio`).
    pub terms_name: String,
    /// The general terms' file, for diagnostics.
    pub terms_file: SourceFile,
    /// Where the deal starts in [`Checked::source`]: spans from here on are the deal's.
    pub offset: usize,
}

/// Where a clause (a report line) comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum From {
    /// The general terms the deal extends.
    GeneralTerms,
    /// The deal: one of its own clauses or an `override`.
    Deal,
}

impl From {
    /// How the text report names it, after the article: `§Q-4.2 (deal)`.
    pub fn word(self) -> &'static str {
        match self {
            From::GeneralTerms => "general terms",
            From::Deal => "deal",
        }
    }
}

impl DealInfo {
    /// Where something written at `span` of the merged text comes from.
    pub fn from(&self, span: Span) -> From {
        if span.start >= self.offset {
            From::Deal
        } else {
            From::GeneralTerms
        }
    }

    /// Gives each diagnostic back to its file: the general terms' or the deal's, whose
    /// spans are moved back to the deal's own text. A related place in the other file is
    /// left out (a diagnostic shows one file).
    pub fn split(&self, diagnostics: Vec<Diagnostic>) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
        let mut general = Vec::new();
        let mut deal = Vec::new();
        for mut d in diagnostics {
            let in_deal = self.from(d.span) == From::Deal;
            if let Some(related) = d.related.take() {
                let kept: Vec<(Span, String)> = related
                    .into_iter()
                    .filter(|(s, _)| (self.from(*s) == From::Deal) == in_deal)
                    .map(|(s, l)| (self.local(s), l))
                    .collect();
                if !kept.is_empty() {
                    d.related = Some(Box::new(kept));
                }
            }
            d.span = self.local(d.span);
            if in_deal {
                deal.push(d);
            } else {
                general.push(d);
            }
        }
        (general, deal)
    }

    /// A span of the merged text in its own file's text.
    fn local(&self, span: Span) -> Span {
        if span.start >= self.offset {
            Span::new(
                span.start - self.offset,
                span.end.saturating_sub(self.offset),
            )
        } else {
            span
        }
    }

    /// A failure of diagnostics about the merged text, each in its own file.
    pub fn failure(&self, deal_file: &SourceFile, diagnostics: Vec<Diagnostic>) -> Failure {
        let (general, deal) = self.split(diagnostics);
        let mut files = Vec::new();
        if !general.is_empty() {
            files.push(FileDiagnostics::new(&self.terms_file, general));
        }
        if !deal.is_empty() {
            files.push(FileDiagnostics::new(deal_file, deal));
        }
        Failure { files }
    }
}

/// Whether a text is a deal (its first word is `deal`).
pub fn is_deal(text: &str) -> bool {
    crate::fmt::printer_first_word(text) == "deal"
}

/// Loads a deal: its general terms (with their libraries), the deal's changes merged in,
/// checked as one contract. On success, also the deal's warnings (those of the general
/// terms are theirs: `terms check` them on their own).
pub fn load(file: &SourceFile) -> Result<(Checked, Vec<Diagnostic>), Failure> {
    let (deal, _) = crate::syntax::parse_deal_layout(&file.text)
        .map_err(|d| Failure::in_file(file, vec![d]))?;
    let terms_file = read_terms(file, &deal.extends)?;
    let general = crate::syntax::parse_contract(&terms_file.text)
        .map_err(|d| Failure::in_file(&terms_file, vec![d]))?;
    let imports = crate::library::load(&terms_file, &general)?;
    let offset = terms_file.text.len() + 1;
    let (placed, layout) = crate::syntax::parse_deal_at(&file.text, offset)
        .map_err(|d| Failure::in_file(file, vec![d]))?;
    let info = DealInfo {
        terms_name: general.name.name.clone(),
        terms_file: terms_file.clone(),
        offset,
    };
    let (merged, errors) = merge(general, &placed, &layout.items);
    if !errors.is_empty() {
        return Err(info.failure(file, errors));
    }
    let mut text = String::with_capacity(offset + file.text.len());
    text.push_str(&terms_file.text);
    text.push('\n');
    text.push_str(&file.text);
    let result = crate::check::check_with(&merged, &text, &imports);
    match result.checked {
        Some(mut checked) => {
            let (_, warnings) = info.split(result.diagnostics);
            checked.name = placed.name.name.clone();
            if let Some(title) = &placed.title {
                checked.title = Some(title.value.clone());
            }
            checked.deal = Some(info);
            Ok((checked, warnings))
        }
        None => Err(info.failure(file, result.diagnostics)),
    }
}

/// The general terms a deal extends, read from a path relative to the deal's folder.
fn read_terms(file: &SourceFile, extends: &ast::Text) -> Result<SourceFile, Failure> {
    let refuse = |message: String, label: &str, help: &str| {
        Failure::in_file(
            file,
            vec![
                Diagnostic::error("terms::deal::bad_extends", extends.span, message)
                    .label(label)
                    .help(help),
            ],
        )
    };
    let Some(base) = file
        .path
        .as_ref()
        .map(|p| p.parent().map(Path::to_path_buf).unwrap_or_default())
    else {
        return Err(refuse(
            format!(
                "`{}` cannot be found: this deal was not read from a folder",
                extends.value
            ),
            "relative to nothing",
            "the general terms are found relative to the deal's folder; read the deal from a file",
        ));
    };
    let path = base.join(&extends.value);
    let shown = crate::library::normalize(
        &Path::new(&file.name)
            .parent()
            .unwrap_or(Path::new(""))
            .join(&extends.value),
    )
    .display()
    .to_string();
    let terms = match crate::read_contract(&path) {
        Ok(source) => SourceFile::new(shown, source.text.clone()).with_path(&path),
        Err(failure) => {
            let reason = failure
                .files
                .first()
                .and_then(|d| d.diagnostics.first())
                .map_or_else(String::new, |d| d.message.clone());
            // The reader names the file by its full path, which depends on where the deal
            // lies; the deal's own `extends` line already says which file.
            let reason = match reason.split_once("`: ") {
                Some((_, why)) if reason.starts_with("cannot read `") => why.to_string(),
                _ => reason,
            };
            return Err(refuse(
                format!("cannot read the general terms `{}`: {reason}", extends.value),
                "no such general terms",
                "the path is relative to the deal's folder, e.g. `extends \"../contracts/qualifio.terms\"`",
            ));
        }
    };
    let first = crate::fmt::printer_first_word(&terms.text);
    if first != "contract" {
        let what = match first {
            "deal" => "another deal",
            "library" => "a library",
            _ => "not a contract",
        };
        return Err(refuse(
            format!("`{}` is {what}, not general terms", extends.value),
            "not general terms",
            "a deal extends a contract (`contract NAME …`); a deal over a deal is not supported",
        ));
    }
    Ok(terms)
}

/// The general terms with the deal's changes in place and its own items after them, or
/// every change that does not apply.
fn merge(
    general: ast::Contract,
    deal: &ast::Deal,
    spans: &[Span],
) -> (ast::Contract, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let mut contract = general;
    let mut params: HashMap<String, usize> = HashMap::new();
    let mut lets: HashMap<String, usize> = HashMap::new();
    let mut clauses: HashMap<String, usize> = HashMap::new();
    for (i, item) in contract.items.iter().enumerate() {
        match item {
            Item::Param(p) => {
                params.insert(p.name.name.clone(), i);
            }
            Item::Let { name, .. } => {
                lets.insert(name.name.clone(), i);
            }
            Item::Clause(c) => {
                clauses.insert(c.id.name.clone(), i);
            }
            _ => {}
        }
    }
    let mut changed: HashMap<String, Span> = HashMap::new();
    let mut own = Vec::new();
    for (index, item) in deal.items.iter().enumerate() {
        let span = spans.get(index).copied().unwrap_or_default();
        match item {
            DealItem::Set { name, value } => {
                let Some(&at) = params.get(&name.name) else {
                    errors.push(unknown_param(name, &params, lets.contains_key(&name.name)));
                    continue;
                };
                if let Some(first) = changed.insert(format!("param {}", name.name), name.span) {
                    errors.push(twice(name, first, "sets the parameter"));
                    continue;
                }
                if let Some(Item::Param(p)) = contract.items.get_mut(at) {
                    p.default = Some(value.clone());
                }
            }
            DealItem::Override { clause, .. } => {
                let Some(&at) = clauses.get(&clause.id.name) else {
                    errors.push(unknown_clause(&clause.id, &clauses));
                    continue;
                };
                if let Some(Item::Clause(old)) = contract.items.get(at) {
                    if !same_construct(old.kind, clause.kind) {
                        errors.push(
                            Diagnostic::error(
                                "terms::deal::kind_mismatch",
                                clause.kind_span,
                                format!(
                                    "`{}` is {} in the general terms, not {}",
                                    clause.id.name,
                                    a(old.kind.word()),
                                    a(clause.kind.word())
                                ),
                            )
                            .label("another kind of clause")
                            .help(format!(
                                "an override replaces a clause by one of the same kind: write `override {} {} …`, or give the new clause a name of its own",
                                old.kind.word(),
                                clause.id.name
                            )),
                        );
                        continue;
                    }
                }
                if let Some(first) = changed.insert(format!("clause {}", clause.id.name), clause.id.span)
                {
                    errors.push(twice(&clause.id, first, "overrides the clause"));
                    continue;
                }
                if let Some(slot) = contract.items.get_mut(at) {
                    *slot = Item::Clause(clause.clone());
                }
            }
            DealItem::Item(item) => match item {
                Item::Party { .. }
                | Item::Event(_)
                | Item::Param(_)
                | Item::Let { .. }
                | Item::Clause(_) => own.push(item.clone()),
                _ => errors.push(
                    Diagnostic::error(
                        "terms::deal::not_in_deal",
                        span,
                        "a deal does not change the general terms' declarations",
                    )
                    .label("a declaration of the general terms")
                    .help("a deal holds `set`, `override`, and parties, event kinds, parameters, `let`s and clauses of its own; the vendor, currency, time zone, calendar, channels, units, notices and rounding are the general terms'"),
                ),
            },
        }
    }
    contract.items.extend(own);
    (contract, errors)
}

/// Whether two clause kinds are one construct (every charge word is a charge).
fn same_construct(a: ClauseKind, b: ClauseKind) -> bool {
    matches!((a, b), (ClauseKind::Charge(_), ClauseKind::Charge(_))) || a == b
}

fn a(word: &str) -> String {
    let article = if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} `{word}`")
}

fn unknown_param(name: &ast::Ident, params: &HashMap<String, usize>, is_let: bool) -> Diagnostic {
    let mut names: Vec<&str> = params.keys().map(String::as_str).collect();
    names.sort_unstable();
    let hint = did_you_mean(&name.name, names.iter().copied())
        .map_or_else(String::new, |s| format!("did you mean `{s}`? "));
    let help = if is_let {
        format!(
            "`{}` is a `let`, computed from the parameters: set the parameters it uses, or override the clauses that read it",
            name.name
        )
    } else {
        format!(
            "{hint}a deal sets the general terms' parameters: {}",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Diagnostic::error(
        "terms::deal::unknown_param",
        name.span,
        format!("the general terms have no parameter `{}`", name.name),
    )
    .label("not a parameter of the general terms")
    .help(help)
}

fn unknown_clause(id: &ast::Ident, clauses: &HashMap<String, usize>) -> Diagnostic {
    let mut names: Vec<&str> = clauses.keys().map(String::as_str).collect();
    names.sort_unstable();
    let hint =
        did_you_mean(&id.name, names).map_or_else(String::new, |s| format!("did you mean `{s}`? "));
    Diagnostic::error(
        "terms::deal::unknown_clause",
        id.span,
        format!("the general terms have no clause `{}` to override", id.name),
    )
    .label("no such clause")
    .help(format!(
        "{hint}an override names a clause of the general terms; a clause of the deal's own is written without `override`"
    ))
}

fn twice(name: &ast::Ident, first: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        "terms::check::duplicate_name",
        name.span,
        format!("the deal {what} `{}` twice", name.name),
    )
    .label("again here")
    .also(first, "first here")
    .help("keep one of the two")
}

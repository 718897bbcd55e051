//! `terms compare`: one scenario shape evaluated against several contracts, side by side.
//!
//! A shape is a TOML file (see docs/cli.md#compare): a title, an evaluation date, and the
//! story as scenario event lines written with neutral kinds and parties. Every contract
//! declares its own kinds, fields, parties and facts, so the shape says, per contract (a
//! `[contract.NAME]` table), how it maps: kinds and parties renamed, fields added to an
//! event, an event's date moved, facts given. Nothing is guessed: a contract the shape does
//! not check against (with its table, or as written when it has none) is *not applicable*,
//! with the checker's first diagnostic as the reason.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::money::format_grouped;
use crate::report::Report;
use crate::source::{SourceFile, Span};
use crate::Failure;

/// A shape file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShapeFile {
    title: String,
    as_of: Option<String>,
    events: toml::Spanned<String>,
    #[serde(default)]
    contract: BTreeMap<String, Mapping>,
}

/// How the shape maps to one contract.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Mapping {
    /// Neutral kind → the contract's kind.
    #[serde(default)]
    kinds: BTreeMap<String, String>,
    /// Neutral party (`customer`, `vendor`) → the contract's party.
    #[serde(default)]
    parties: BTreeMap<String, String>,
    /// Event id → fields added to it, written as in a scenario (`direct_debit: false`).
    #[serde(default)]
    fields: BTreeMap<String, String>,
    /// Event id → the date (or date-time) it happens for this contract instead.
    #[serde(default)]
    dates: BTreeMap<String, String>,
    /// Facts, written as in a scenario after `fact` (`agreement_start = 2024-01-01`).
    #[serde(default)]
    facts: Vec<String>,
}

/// The comparison: one column per contract, one row per thing that matters.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub shape: String,
    pub file: String,
    pub as_of: Option<String>,
    pub contracts: Vec<Column>,
    pub rows: Vec<Row>,
}

/// One contract's column.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// The contract's path as given.
    pub file: String,
    pub contract: String,
    pub vendor: Option<String>,
    pub applicable: bool,
    /// Why the shape does not apply (the first diagnostic of the check), else `null`.
    pub reason: Option<Reason>,
    /// The report of the shape against this contract, when it applies.
    pub report: Option<Report>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    pub code: &'static str,
    pub message: String,
}

/// One row of the table: a cell per contract (`null` where the contract has nothing).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `violation`, `amount`, `total`, `notice`, `rejected` or `date`.
    pub section: &'static str,
    pub label: String,
    pub cells: Vec<Option<Cell>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub text: String,
    /// The articles the cell comes from.
    pub articles: Vec<String>,
}

fn shape_error(file: &SourceFile, span: Span, message: String, label: &str) -> Failure {
    Failure::in_file(
        file,
        vec![Diagnostic::error("terms::cli::bad_shape", span, message)
            .label(label)
            .help(
                "a shape is TOML: `title`, `as_of = \"YYYY-MM-DD\"`, `events` (scenario event lines) \
                 and a `[contract.NAME]` table per contract with `kinds`, `parties`, `fields`, \
                 `dates` and `facts`; see docs/cli.md",
            )],
    )
}

/// Evaluates the shape in `shape_file` against each contract, as of `as_of` or the shape's
/// `as_of`.
pub fn compare(
    shape_file: &SourceFile,
    contracts: &[SourceFile],
    as_of: Option<crate::calendar::WrittenAsOf>,
) -> Result<Comparison, Failure> {
    let shape: ShapeFile = toml::from_str(&shape_file.text).map_err(|e| {
        let span = e
            .span()
            .map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
        shape_error(
            shape_file,
            span,
            e.message().trim_end().replace('\n', " "),
            "here",
        )
    })?;
    let events_span = Span::new(shape.events.span().start, shape.events.span().end);
    let events_text = shape.events.get_ref();
    // Where the events' text starts in the file, when it is written there as is (a
    // diagnostic in it then points at the right place).
    let base = shape_file
        .text
        .get(events_span.start..events_span.end)
        .and_then(|raw| raw.find(events_text.trim()))
        .map(|i| events_span.start + i - (events_text.len() - events_text.trim_start().len()));
    let mut events = crate::syntax::parse_what_if(events_text).map_err(|mut d| {
        match base {
            Some(b) => d.span = Span::new(d.span.start + b, d.span.end + b),
            None => d.span = events_span,
        }
        d.help = String::from(
            "write `events` as scenario event lines: `event ID: KIND on DATE [by PARTY] [via CHANNEL] [{ … }]`",
        );
        Failure::in_file(shape_file, vec![d])
    })?;
    for (i, e) in events.iter_mut().enumerate() {
        if e.id.name.is_empty() {
            e.id.name = format!("e{}", i + 1);
        }
    }
    if shape.as_of.is_none() && as_of.is_none() {
        return Err(shape_error(
            shape_file,
            Span::new(0, 0),
            String::from("the shape has no evaluation date"),
            "shape starts here",
        ));
    }
    let mut columns = Vec::new();
    let mut customers = Vec::new();
    for file in contracts {
        let (checked, _) = crate::load_contract(file)?;
        let mapping = shape
            .contract
            .get(&checked.name)
            .cloned()
            .unwrap_or_default();
        let text = scenario_text(&shape, &checked.name, &mapping, events_text, &events);
        let scenario = SourceFile::new(format!("{} for {}", shape_file.name, checked.name), text);
        let result = crate::load_scenario(&checked, &scenario)
            .and_then(|s| crate::evaluate_checked(&checked, file, &s, &scenario, as_of));
        customers.push(
            mapping
                .parties
                .get("customer")
                .cloned()
                .unwrap_or_else(|| String::from("customer")),
        );
        columns.push(match result {
            Ok(report) => Column {
                file: file.name.clone(),
                contract: checked.name.clone(),
                vendor: checked.vendor.clone(),
                applicable: true,
                reason: None,
                report: Some(report),
            },
            Err(failure) => {
                let first = failure
                    .files
                    .iter()
                    .flat_map(|f| f.diagnostics.iter())
                    .next();
                Column {
                    file: file.name.clone(),
                    contract: checked.name.clone(),
                    vendor: checked.vendor.clone(),
                    applicable: false,
                    reason: Some(Reason {
                        code: first.map_or("terms::cli::bad_shape", |d| d.code),
                        message: first.map_or_else(String::new, |d| d.message.clone()),
                    }),
                    report: None,
                }
            }
        });
    }
    let ids: Vec<String> = events.iter().map(|e| e.id.name.clone()).collect();
    let rows = rows(&columns, &customers, &ids);
    let as_of = as_of.map(|w| w.at.to_string()).or(shape.as_of.clone());
    Ok(Comparison {
        shape: shape.title,
        file: shape_file.name.clone(),
        as_of,
        contracts: columns,
        rows,
    })
}

/// The scenario the shape gives for one contract, as text: the mapping applied to each
/// event line (kind and party renamed, fields added, date moved), the facts given.
fn scenario_text(
    shape: &ShapeFile,
    contract: &str,
    mapping: &Mapping,
    events_text: &str,
    events: &[crate::ast::Event],
) -> String {
    let quoted = shape.title.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = format!("scenario \"{quoted}\"\ncontract {contract}\n");
    if let Some(as_of) = &shape.as_of {
        out.push_str(&format!("as of {as_of}\n"));
    }
    for fact in &mapping.facts {
        out.push_str(&format!("fact {fact}\n"));
    }
    let piece = |a: usize, b: usize| events_text.get(a..b).unwrap_or_default();
    for e in events {
        let kind = mapping.kinds.get(&e.kind.name).unwrap_or(&e.kind.name);
        let on = mapping
            .dates
            .get(&e.id.name)
            .cloned()
            .unwrap_or_else(|| piece(e.at_span.start, e.at_span.end).to_string());
        let mut line = format!("event {}: {kind} on {on}", e.id.name);
        let mut rest = String::new();
        let mut from = e.at_span.end;
        if let Some(by) = &e.by {
            rest.push_str(piece(from, by.span.start));
            rest.push_str(mapping.parties.get(&by.name).unwrap_or(&by.name));
            from = by.span.end;
        }
        rest.push_str(piece(from, e.span.end));
        let rest = rest.trim_end();
        match mapping.fields.get(&e.id.name) {
            Some(extra) if rest.ends_with('}') && !e.fields.is_empty() => {
                let inner = rest.trim_end_matches('}').trim_end().trim_end_matches(',');
                line.push_str(&format!("{inner}, {extra} }}"));
            }
            Some(extra) => line.push_str(&format!("{rest} {{ {extra} }}")),
            None => line.push_str(rest),
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn art(a: &str) -> String {
    format!("§{a}")
}

/// Adds a cell's text to the row `label` of `section`, in the column `col`.
struct Table {
    rows: Vec<Row>,
    width: usize,
}

impl Table {
    fn put(&mut self, section: &'static str, label: String, col: usize, cell: Cell) {
        let i = match self
            .rows
            .iter()
            .position(|r| r.section == section && r.label == label)
        {
            Some(i) => i,
            None => {
                self.rows.push(Row {
                    section,
                    label,
                    cells: vec![None; self.width],
                });
                self.rows.len() - 1
            }
        };
        if let Some(slot) = self.rows.get_mut(i).and_then(|r| r.cells.get_mut(col)) {
            match slot {
                Some(old) => {
                    old.text = format!("{}; {}", old.text, cell.text);
                    old.articles.extend(cell.articles);
                }
                None => *slot = Some(cell),
            }
        }
    }
}

/// The rows: violations, amounts by label, the total the customer owes, notices, rejected
/// acts and dates by name, each in the order first met.
fn rows(columns: &[Column], customers: &[String], ids: &[String]) -> Vec<Row> {
    let mut t = Table {
        rows: Vec::new(),
        width: columns.len(),
    };
    let ours = |e: &Option<String>| e.as_ref().is_some_and(|e| ids.contains(e));
    for (col, column) in columns.iter().enumerate() {
        let Some(r) = &column.report else { continue };
        let o = &r.outcome;
        for v in o.violations.iter().filter(|v| ours(&v.source.event)) {
            let days = v.days_late.map_or(String::new(), |d| format!(", {d} days"));
            t.put(
                "violation",
                format!(
                    "{} [{}]",
                    v.action,
                    v.source.event.as_deref().unwrap_or_default()
                ),
                col,
                Cell {
                    text: format!("{} {}{days}", art(&v.source.clause), v.kind.word()),
                    articles: vec![v.source.clause.clone()],
                },
            );
        }
    }
    // Amounts by label, summed per contract.
    for (col, column) in columns.iter().enumerate() {
        let Some(r) = &column.report else { continue };
        let mut sums: Vec<(String, Option<Decimal>, Vec<String>)> = Vec::new();
        for a in &r.outcome.amounts {
            let label = a.kind.clone();
            let i = match sums.iter().position(|(l, _, _)| *l == label) {
                Some(i) => i,
                None => {
                    sums.push((label, Some(Decimal::ZERO), Vec::new()));
                    sums.len() - 1
                }
            };
            if let Some((_, sum, articles)) = sums.get_mut(i) {
                *sum = sum.and_then(|s| s.checked_add(a.amount));
                if !articles.contains(&a.source.clause) {
                    articles.push(a.source.clause.clone());
                }
            }
        }
        for (label, sum, articles) in sums {
            let cited: Vec<String> = articles.iter().map(|a| art(a)).collect();
            let amount = sum.map_or_else(|| String::from("(too large)"), format_grouped);
            t.put(
                "amount",
                label,
                col,
                Cell {
                    text: format!("{} {amount} {}", r.currency, cited.join(", ")),
                    articles,
                },
            );
        }
    }
    for (col, column) in columns.iter().enumerate() {
        let Some(r) = &column.report else { continue };
        let customer = customers.get(col).map_or("customer", String::as_str);
        let owed = r
            .outcome
            .totals
            .iter()
            .filter(|x| x.debtor == customer)
            .try_fold(Decimal::ZERO, |s, x| s.checked_add(x.amount));
        let owed = owed.map_or_else(|| String::from("(too large)"), format_grouped);
        t.put(
            "total",
            String::from("total owed by the customer"),
            col,
            Cell {
                text: format!("{} {owed}", r.currency),
                articles: Vec::new(),
            },
        );
    }
    for (col, column) in columns.iter().enumerate() {
        let Some(r) = &column.report else { continue };
        let o = &r.outcome;
        for n in o.notices.iter().filter(|n| ours(&n.source.event)) {
            let verdict = if n.effective {
                "effective"
            } else {
                "ineffective"
            };
            t.put(
                "notice",
                format!("notice [{}]", n.source.event.as_deref().unwrap_or_default()),
                col,
                Cell {
                    text: format!("{} {verdict}: {}", art(&n.source.clause), n.reason),
                    articles: vec![n.source.clause.clone()],
                },
            );
        }
        for x in o.rejected.iter().filter(|x| ours(&x.source.event)) {
            t.put(
                "rejected",
                format!(
                    "rejected [{}]",
                    x.source.event.as_deref().unwrap_or_default()
                ),
                col,
                Cell {
                    text: format!("{} {}", art(&x.source.clause), x.reason),
                    articles: vec![x.source.clause.clone()],
                },
            );
        }
        for d in &o.dates {
            t.put(
                "date",
                d.name.clone(),
                col,
                Cell {
                    text: format!("{} {}", art(&d.source.clause), d.date),
                    articles: vec![d.source.clause.clone()],
                },
            );
        }
    }
    t.rows
}

impl Comparison {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// The table: a column per contract, a row per line; contracts the shape does not apply
    /// to are listed below it with the reason.
    pub fn to_text(&self) -> String {
        let mut out = format!("compare   {}\nshape     {}\n", self.shape, self.file);
        if let Some(as_of) = &self.as_of {
            out.push_str(&format!("as of     {as_of}\n"));
        }
        out.push('\n');
        let mut table: Vec<Vec<String>> = Vec::new();
        let mut head = vec![String::new()];
        head.extend(self.contracts.iter().map(|c| c.contract.clone()));
        table.push(head);
        let mut vendor = vec![String::from("vendor")];
        vendor.extend(
            self.contracts
                .iter()
                .map(|c| c.vendor.clone().unwrap_or_default()),
        );
        table.push(vendor);
        let mut applicable = vec![String::from("applicable")];
        applicable.extend(self.contracts.iter().map(|c| {
            if c.applicable {
                String::from("yes")
            } else {
                String::from("no (see below)")
            }
        }));
        table.push(applicable);
        for row in &self.rows {
            let mut line = vec![row.label.clone()];
            line.extend(
                row.cells
                    .iter()
                    .zip(&self.contracts)
                    .map(|(c, col)| match c {
                        Some(c) => c.text.clone(),
                        None if col.applicable => String::from("-"),
                        None => String::from("n/a"),
                    }),
            );
            table.push(line);
        }
        let columns = table.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|i| {
                table
                    .iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| c.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in &table {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                let width = widths.get(i).copied().unwrap_or(0);
                line.push_str(cell);
                line.push_str(&" ".repeat(width.saturating_sub(cell.chars().count()) + 2));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        let missing: Vec<&Column> = self.contracts.iter().filter(|c| !c.applicable).collect();
        if !missing.is_empty() {
            out.push_str("\nNOT APPLICABLE\n");
            for c in missing {
                if let Some(r) = &c.reason {
                    out.push_str(&format!("  {}: {} ({})\n", c.contract, r.message, r.code));
                }
            }
        }
        out
    }
}

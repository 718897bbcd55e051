//! `terms agenda`: what is coming up across a folder of contracts and histories.
//!
//! Every `.scenario` file below a folder whose `contract NAME` line names a contract is
//! evaluated **as of** the agenda's first day (nothing dated after it exists), and the
//! entries that ask for an action soon are gathered, across all vendors:
//!
//! - `overdue`: obligations already violated and still not done as of that day;
//! - `obligation`: pending obligations due in the range;
//! - `right`: open (or not yet open) rights whose window closes in the range;
//! - `deadline`: a term's termination deadline in the range (the last day to give notice
//!   before the term renews).
//!
//! The agenda prints as text, JSON or an iCalendar file (RFC 5545).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use crate::check::{Body, Checked};
use crate::diagnostic::Diagnostic;
use crate::eval::{ObligationStatus, RightStatus, ViolationKind};
use crate::report::Report;
use crate::source::{SourceFile, Span};
use crate::Failure;

/// How many days an agenda covers when no last day is given.
pub const DEFAULT_DAYS: i64 = 90;

/// What an agenda covers and where its contracts are.
#[derive(Debug, Clone)]
pub struct Options {
    /// The first day: every history is evaluated as of this day.
    pub from: NaiveDate,
    /// The last day (inclusive); `from` + [`DEFAULT_DAYS`] when `None`.
    pub until: Option<NaiveDate>,
    /// Where `NAME.terms` is looked up; see [`contract_path`].
    pub contracts: Option<PathBuf>,
}

/// What an agenda item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An obligation violated and still not done as of the first day.
    Overdue,
    /// A pending obligation due in the range.
    Obligation,
    /// A right whose window closes in the range.
    Right,
    /// The last day to give notice before a term renews.
    Deadline,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Overdue => "overdue",
            Kind::Obligation => "obligation",
            Kind::Right => "right",
            Kind::Deadline => "deadline",
        }
    }
}

/// One thing to do (or to decide) by a date.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// The day (`YYYY-MM-DD`): the due day, the last day of a window, the last day to act.
    #[serde(serialize_with = "ser_date")]
    pub date: NaiveDate,
    /// The moment as the report gives it (`2025-03-05T18:00` when it has a time of day).
    pub at: String,
    pub kind: Kind,
    /// The contract's `vendor`, or its name.
    pub vendor: String,
    pub contract: String,
    pub article: String,
    /// For a deal: whether the article is the deal's own (`"deal"`) or the general terms'.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<crate::deal::From>,
    pub clause_id: String,
    pub event: Option<String>,
    pub party: String,
    /// What the party must (or may) do, as the contract says.
    pub action: String,
    pub via: Vec<String>,
    /// What follows when it is not done: the contract's `otherwise`, or for a term, the renewal.
    pub consequence: Option<String>,
    /// The history it comes from, relative to the agenda's folder (`/`-separated).
    pub source_file: String,
    /// Days late as of the first day (overdue items only).
    pub days_late: Option<i64>,
    /// What identifies the item besides contract, clause, event and kind (the history, and
    /// for a term deadline the period it ends): part of the iCalendar UID.
    #[serde(skip)]
    pub key: String,
}

/// The agenda: overdue items first, then the rest by date, vendor and article.
#[derive(Debug, Clone)]
pub struct Agenda {
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub items: Vec<Item>,
    /// Histories evaluated.
    pub histories: usize,
    /// `.scenario` files skipped because they name no contract (relative paths).
    pub skipped: Vec<String>,
}

/// The contract file a history's `contract NAME` line names: with `contracts` given, only
/// `CONTRACTS/NAME.terms`; otherwise the first `NAME.terms` found in the history's folder
/// and each folder above it up to `folder`, then in `folder/contracts/`, then in
/// `folder/../contracts/` (the repository layout, histories beside `contracts/`).
pub fn contract_path(
    folder: &Path,
    history: &Path,
    name: &str,
    contracts: Option<&Path>,
) -> Option<PathBuf> {
    // A contract name is an identifier; anything else never names a file.
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return None;
    }
    let file = format!("{name}.terms");
    let mut candidates = Vec::new();
    match contracts {
        Some(dir) => candidates.push(dir.join(&file)),
        None => {
            let mut dir = history.parent();
            while let Some(d) = dir {
                candidates.push(d.join(&file));
                if d == folder || !d.starts_with(folder) {
                    break;
                }
                dir = d.parent();
            }
            candidates.push(folder.join("contracts").join(&file));
            candidates.push(folder.join("..").join("contracts").join(&file));
        }
    }
    candidates.into_iter().find(|p| p.is_file())
}

fn relative(folder: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(folder).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn failure(name: &str, code: &'static str, message: String, help: &str) -> Failure {
    Failure::in_file(
        &SourceFile::new(crate::shown(name), ""),
        vec![Diagnostic::error(code, Span::new(0, 0), message)
            .label("here")
            .help(help)],
    )
}

/// Builds the agenda of every history below `folder`. Every invalid file is reported (the
/// failures of all files together); an agenda is only built when every history is valid.
pub fn build(folder: &Path, options: &Options) -> Result<Agenda, Failure> {
    let from = options.from;
    let until = match options.until {
        Some(u) => u,
        None => from
            .checked_add_signed(chrono::Duration::days(DEFAULT_DAYS))
            .unwrap_or(from),
    };
    if !crate::calendar::in_range(from) || !crate::calendar::in_range(until) {
        return Err(failure(
            "--from",
            "terms::scenario::missing_as_of",
            format!("the agenda {from} … {until} is outside the supported years"),
            &format!(
                "give dates in {}–{}",
                crate::calendar::FIRST_YEAR,
                crate::calendar::LAST_YEAR
            ),
        ));
    }
    if until < from {
        return Err(failure(
            "--until",
            "terms::scenario::missing_as_of",
            format!("the agenda ends on {until}, before it starts on {from}"),
            "give --until on or after --from",
        ));
    }
    let paths = crate::scenario_paths(folder)?;
    let mut contracts: BTreeMap<PathBuf, Result<(Checked, SourceFile), ()>> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut items = Vec::new();
    let mut skipped = Vec::new();
    let mut histories = 0;
    for path in &paths {
        let rel = relative(folder, path);
        let file = match crate::read_scenario(path) {
            Ok(f) => f,
            Err(f) => {
                failures.extend(f.files);
                continue;
            }
        };
        let ast = match crate::parse_scenario_file(None, &file) {
            Ok(a) => a,
            Err(f) => {
                failures.extend(f.files);
                continue;
            }
        };
        let Some(name) = ast.contract.as_ref() else {
            skipped.push(rel);
            continue;
        };
        let Some(contract_file) =
            contract_path(folder, path, &name.name, options.contracts.as_deref())
        else {
            failures.extend(
                Failure::in_file(
                    &file,
                    vec![Diagnostic::error(
                        "terms::io::unreadable",
                        name.span,
                        format!("no contract file `{}.terms` was found", name.name),
                    )
                    .label("this contract")
                    .help(
                        "put `NAME.terms` in the history's folder or one above it (up to the agenda's folder), in a `contracts/` folder beside or inside it, or pass --contracts DIR",
                    )],
                )
                .files,
            );
            continue;
        };
        let key = std::fs::canonicalize(&contract_file).unwrap_or(contract_file.clone());
        if !contracts.contains_key(&key) {
            let loaded = crate::read_contract(&contract_file)
                .and_then(|f| crate::load_contract(&f).map(|(c, _)| (c, f)));
            let entry = match loaded {
                Ok(pair) => Ok(pair),
                Err(f) => {
                    failures.extend(f.files);
                    Err(())
                }
            };
            contracts.insert(key.clone(), entry);
        }
        let Some(Ok((checked, contract_source))) = contracts.get(&key) else {
            continue;
        };
        let report = crate::scenario::check_scenario(checked, &ast)
            .map_err(|ds| Failure::in_file(&file, ds))
            .and_then(|scenario| {
                crate::evaluate_checked(
                    checked,
                    contract_source,
                    &scenario,
                    &file,
                    Some(from.into()),
                )
            });
        match report {
            Ok(report) => {
                histories += 1;
                items.extend(items_of(checked, &report, &rel, from, until));
            }
            Err(f) => failures.extend(f.files),
        }
    }
    if !failures.is_empty() {
        return Err(Failure { files: failures });
    }
    items.sort_by(|a, b| {
        let overdue = |i: &Item| i.kind != Kind::Overdue;
        (overdue(a), a.date, &a.vendor, natural(&a.article), &a.at)
            .cmp(&(overdue(b), b.date, &b.vendor, natural(&b.article), &b.at))
            .then_with(|| {
                (a.kind, &a.contract, &a.clause_id, &a.event, &a.source_file).cmp(&(
                    b.kind,
                    &b.contract,
                    &b.clause_id,
                    &b.event,
                    &b.source_file,
                ))
            })
    });
    Ok(Agenda {
        from,
        until,
        items,
        histories,
        skipped,
    })
}

/// An article split in numbers and the rest, so `4.2` comes before `10.1`.
fn natural(article: &str) -> Vec<(u64, String)> {
    let mut parts = Vec::new();
    let mut digits = String::new();
    let mut text = String::new();
    for c in article.chars() {
        if c.is_ascii_digit() {
            if !text.is_empty() {
                parts.push((0, std::mem::take(&mut text)));
            }
            digits.push(c);
        } else {
            if !digits.is_empty() {
                parts.push((digits.parse().unwrap_or(u64::MAX), String::new()));
                digits.clear();
            }
            text.push(c);
        }
    }
    if !digits.is_empty() {
        parts.push((digits.parse().unwrap_or(u64::MAX), String::new()));
    }
    if !text.is_empty() {
        parts.push((0, text));
    }
    parts
}

/// The agenda items one report gives.
fn items_of(
    contract: &Checked,
    report: &Report,
    source_file: &str,
    from: NaiveDate,
    until: NaiveDate,
) -> Vec<Item> {
    let o = &report.outcome;
    let vendor = report
        .vendor
        .clone()
        .unwrap_or_else(|| report.contract.clone());
    let clause = |id: &str| contract.clauses.iter().find(|c| c.id == id);
    let otherwise = |id: &str| {
        clause(id).and_then(|c| match &c.body {
            Body::Obligation(ob) => ob.otherwise.clone(),
            Body::Right(r) => r.otherwise.clone(),
            _ => None,
        })
    };
    let in_range = |d: NaiveDate| from <= d && d <= until;
    let item = |kind: Kind,
                at: &crate::calendar::Moment,
                source: &crate::eval::Source,
                party: &str,
                action: &str,
                via: Vec<String>,
                consequence: Option<String>| Item {
        date: at.date(),
        at: at.to_string(),
        kind,
        vendor: vendor.clone(),
        contract: report.contract.clone(),
        article: source.clause.clone(),
        from: source.from,
        clause_id: source.clause_id.clone(),
        event: source.event.clone(),
        party: party.to_string(),
        action: action.to_string(),
        via,
        consequence,
        source_file: source_file.to_string(),
        days_late: None,
        key: source_file.to_string(),
    };
    let mut items = Vec::new();
    for v in &o.violations {
        if v.kind != ViolationKind::NotDone {
            continue;
        }
        let Some(due) = &v.due else { continue };
        let via = o
            .obligations
            .iter()
            .find(|ob| {
                ob.source.clause_id == v.source.clause_id && ob.source.event == v.source.event
            })
            .map(|ob| ob.via.clone())
            .unwrap_or_default();
        let mut it = item(
            Kind::Overdue,
            due,
            &v.source,
            &v.party,
            &v.action,
            via,
            v.consequence.clone(),
        );
        it.days_late = v.days_late;
        items.push(it);
    }
    for ob in &o.obligations {
        if ob.status != ObligationStatus::Pending || ob.prohibition {
            continue;
        }
        let Some(due) = &ob.due else { continue };
        if !in_range(due.date()) {
            continue;
        }
        items.push(item(
            Kind::Obligation,
            due,
            &ob.source,
            &ob.party,
            &ob.action,
            ob.via.clone(),
            otherwise(&ob.source.clause_id),
        ));
    }
    for r in &o.rights {
        if !matches!(r.status, RightStatus::Open | RightStatus::NotYetOpen) {
            continue;
        }
        let Some(end) = &r.until else { continue };
        if !in_range(end.date()) {
            continue;
        }
        items.push(item(
            Kind::Right,
            end,
            &r.source,
            &r.party,
            &r.right,
            r.via.clone(),
            otherwise(&r.source.clause_id),
        ));
    }
    for d in &o.dates {
        if d.name != "termination deadline" || !in_range(d.date.date()) {
            continue;
        }
        // A notice already given in time for this deadline leaves nothing to do.
        let done = o.notices.iter().any(|n| {
            n.effective && n.source.clause_id == d.source.clause_id && n.deadline == d.date
        });
        if done {
            continue;
        }
        let (party, via) = notice_rule(&d.derivation);
        // The period this deadline ends: the first period end of the term on or after it.
        let period = o
            .dates
            .iter()
            .filter(|p| {
                p.source.clause_id == d.source.clause_id
                    && (p.name == "current period ends" || p.name == "renewed until")
                    && p.date.date() >= d.date.date()
            })
            .min_by_key(|p| p.date.date());
        let consequence = period.map(|p| match between(&p.derivation, "renews for ", " unless") {
            Some(renew) => format!("the term renews for {renew} after {}", p.date),
            None => format!("the term renews after {}", p.date),
        });
        let mut it = item(
            Kind::Deadline,
            &d.date,
            &d.source,
            &party.unwrap_or_default(),
            "give notice of termination",
            via,
            consequence,
        );
        if let Some(p) = period {
            it.key = format!("{source_file}\u{0}{}", p.date);
        }
        items.push(it);
    }
    items
}

/// The party and channels of a termination deadline's derivation
/// (`… ; notice by customer via registered_letter or email`).
fn notice_rule(derivation: &str) -> (Option<String>, Vec<String>) {
    let Some(rest) = derivation.split("; notice by ").nth(1) else {
        return (None, Vec::new());
    };
    match rest.split_once(" via ") {
        Some((party, via)) => (
            Some(party.trim().to_string()),
            via.split(" or ")
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect(),
        ),
        None => (Some(rest.trim().to_string()), Vec::new()),
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = text.split_once(start)?.1;
    Some(rest.split_once(end).map_or(rest, |(x, _)| x)).filter(|x| !x.is_empty())
}

fn ser_date<S: serde::Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.format("%Y-%m-%d").to_string())
}

impl Item {
    /// `§5.1`, or for a deal's own article `§Q-4.2 (deal)`.
    fn cite(&self) -> String {
        match self.from {
            Some(crate::deal::From::Deal) => format!("§{} (deal)", self.article),
            _ => format!("§{}", self.article),
        }
    }

    /// The sentence the text agenda and the calendar show:
    /// `customer must pay the invoice [inv-2] by 2025-05-01 (via email)`.
    pub fn sentence(&self) -> String {
        let event = self
            .event
            .as_ref()
            .map(|e| format!(" [{e}]"))
            .unwrap_or_default();
        let via = if self.via.is_empty() {
            String::new()
        } else {
            format!(" (via {})", self.via.join(" or "))
        };
        let party = if self.party.is_empty() {
            String::new()
        } else {
            format!("{} ", self.party)
        };
        match self.kind {
            Kind::Overdue => {
                let late = match self.days_late {
                    Some(1) => ", 1 day late".to_string(),
                    Some(n) => format!(", {n} days late"),
                    None => String::new(),
                };
                format!(
                    "{party}must {}{event}, due {}{late}{via}",
                    self.action, self.at
                )
            }
            Kind::Obligation => format!("{party}must {}{event} by {}{via}", self.action, self.at),
            Kind::Right => format!("{party}may {}{event} until {}{via}", self.action, self.at),
            Kind::Deadline => format!("last day for {party}to {}{event}{via}", self.action),
        }
    }

    /// The iCalendar UID: an FNV-1a hash of what identifies the item (contract, clause id,
    /// event id, kind, history; the period for a term deadline), never its date or position.
    pub fn uid(&self) -> String {
        let identity = [
            self.contract.as_str(),
            self.clause_id.as_str(),
            self.event.as_deref().unwrap_or(""),
            self.kind.word(),
            self.key.as_str(),
        ]
        .join("\u{0}");
        format!("{:016x}@terms", fnv1a(identity.as_bytes()))
    }
}

/// 64-bit FNV-1a.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

impl Agenda {
    /// The agenda as text: a header, the overdue items, then the rest.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "AGENDA {} … {} ({} histor{}, {} item{})\n",
            self.from,
            self.until,
            self.histories,
            if self.histories == 1 { "y" } else { "ies" },
            self.items.len(),
            if self.items.len() == 1 { "" } else { "s" }
        );
        let (overdue, upcoming): (Vec<&Item>, Vec<&Item>) =
            self.items.iter().partition(|i| i.kind == Kind::Overdue);
        let mut section = |title: &str, items: &[&Item]| {
            if items.is_empty() {
                return;
            }
            out.push_str(&format!("\n{title}\n"));
            for i in items {
                let consequence = i
                    .consequence
                    .as_ref()
                    .map(|c| format!("; otherwise: {c}"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "{}  {} {}: {}{consequence}  ({})\n",
                    i.date,
                    i.vendor,
                    i.cite(),
                    i.sentence(),
                    i.source_file
                ));
            }
        };
        section("OVERDUE", &overdue);
        section("UPCOMING", &upcoming);
        if self.items.is_empty() {
            out.push_str("\nnothing due\n");
        }
        out
    }

    /// The agenda as a JSON array of items.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.items).unwrap_or_else(|_| String::from("[]"))
    }

    /// The agenda as an iCalendar file (RFC 5545): one all-day VEVENT per item, each with
    /// an alarm `alarm_days` before; CRLF line endings, long lines folded. The output
    /// depends only on the agenda (DTSTAMP is the first day), so it is reproducible.
    pub fn to_ics(&self, alarm_days: u32) -> String {
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_string(),
            "VERSION:2.0".to_string(),
            "PRODID:-//terms//agenda//EN".to_string(),
            "CALSCALE:GREGORIAN".to_string(),
            "METHOD:PUBLISH".to_string(),
        ];
        let stamp = format!("{}T000000Z", self.from.format("%Y%m%d"));
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for i in &self.items {
            let mut uid = i.uid();
            let n = seen.entry(uid.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                uid = format!("{}-{}", uid, n);
            }
            let summary = format!("{}: {}", i.vendor, summary_action(i));
            let mut description = format!("{} ({}): {}", i.cite(), i.contract, i.sentence());
            if !i.via.is_empty() {
                description.push_str(&format!("\nvia: {}", i.via.join(" or ")));
            }
            if let Some(c) = &i.consequence {
                description.push_str(&format!("\notherwise: {c}"));
            }
            description.push_str(&format!("\nfrom: {}", i.source_file));
            let end = i.date.succ_opt().unwrap_or(i.date);
            lines.push("BEGIN:VEVENT".to_string());
            lines.push(format!("UID:{uid}"));
            lines.push(format!("DTSTAMP:{stamp}"));
            lines.push(format!("DTSTART;VALUE=DATE:{}", i.date.format("%Y%m%d")));
            lines.push(format!("DTEND;VALUE=DATE:{}", end.format("%Y%m%d")));
            lines.push(format!("SUMMARY:{}", escape(&summary)));
            lines.push(format!("DESCRIPTION:{}", escape(&description)));
            lines.push(format!("CATEGORIES:{}", i.kind.word().to_uppercase()));
            lines.push("TRANSP:TRANSPARENT".to_string());
            lines.push("BEGIN:VALARM".to_string());
            lines.push("ACTION:DISPLAY".to_string());
            lines.push(format!("DESCRIPTION:{}", escape(&summary)));
            lines.push(format!("TRIGGER:-P{alarm_days}D"));
            lines.push("END:VALARM".to_string());
            lines.push("END:VEVENT".to_string());
        }
        lines.push("END:VCALENDAR".to_string());
        let mut out = String::new();
        for line in lines {
            out.push_str(&fold(&line));
        }
        out
    }
}

/// The calendar's summary: who must (or may) do what.
fn summary_action(i: &Item) -> String {
    let party = if i.party.is_empty() {
        String::new()
    } else {
        format!("{} ", i.party)
    };
    match i.kind {
        Kind::Overdue => format!("OVERDUE: {party}must {}", i.action),
        Kind::Obligation => format!("{party}must {}", i.action),
        Kind::Right => format!("last day: {party}may {}", i.action),
        Kind::Deadline => format!("last day for {party}to {}", i.action),
    }
}

/// A TEXT value escaped per RFC 5545 §3.3.11: `\`, `;`, `,` and newlines.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded per RFC 5545 §3.1: at most 75 octets a line, never inside a
/// UTF-8 character; continuation lines start with a space. Ends with CRLF.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

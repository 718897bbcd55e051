//! Libraries: files of declarations a contract takes with `use`.
//!
//! `use belgium` names a library shipped inside the binary (`lib/*.terms`); `use
//! "extra.terms"` a file, relative to the file that says it. A library starts with `library
//! NAME "…"` and holds only `use` lines, channels, units and calendars with their holidays.
//! Each library is loaded once, however many files use it (a walk of the `use` graph that
//! refuses cycles), so loading is linear in the libraries' size. Diagnostics about a library
//! point into its own text: each file keeps its diagnostics.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::ast::{self, Item, UseTarget};
use crate::calendar::{HolidayRule, Move};
use crate::check::channels::{ChannelError, Channels};
use crate::diagnostic::{did_you_mean, Diagnostic, FileDiagnostics};
use crate::source::{SourceFile, Span};
use crate::Failure;

/// The libraries shipped with terms, by the name `use` gives them.
const STANDARD: [(&str, &str); 2] = [
    ("belgium", include_str!("../lib/belgium.terms")),
    ("netherlands", include_str!("../lib/netherlands.terms")),
];

/// The names of the libraries shipped with terms.
pub fn standard_names() -> Vec<&'static str> {
    STANDARD.iter().map(|(name, _)| *name).collect()
}

/// The source of a library shipped with terms, as diagnostics name it.
pub fn standard_source(name: &str) -> Option<SourceFile> {
    STANDARD
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, text)| SourceFile::new(format!("lib/{n}.terms (built in)"), *text))
}

/// Where an imported declaration was written: the file and line, for diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, line {}", self.file, self.line)
    }
}

/// A calendar a library declares.
#[derive(Debug, Clone)]
pub struct ImportedCalendar {
    pub holidays: Vec<HolidayRule>,
    /// Business hours, opening and closing, if the library states them.
    pub hours: Option<(chrono::NaiveTime, chrono::NaiveTime)>,
    pub closed: Vec<chrono::NaiveDate>,
    pub origin: Origin,
}

/// A channel a library declares.
#[derive(Debug, Clone)]
pub struct ImportedChannel {
    pub name: String,
    pub counts_as: Option<String>,
    pub origin: Origin,
}

/// What a contract's libraries declare, in load order (a library after those it uses).
#[derive(Debug, Clone, Default)]
pub struct Imports {
    pub channels: Vec<ImportedChannel>,
    pub units: Vec<(String, Origin)>,
    pub calendars: BTreeMap<String, ImportedCalendar>,
}

impl Imports {
    /// Where a name the contract declares again was first declared, if a library did.
    pub fn origin_of(&self, what: Namespace, name: &str) -> Option<&Origin> {
        match what {
            Namespace::Channel => self
                .channels
                .iter()
                .find(|c| c.name == name)
                .map(|c| &c.origin),
            Namespace::Unit => self.units.iter().find(|(n, _)| n == name).map(|(_, o)| o),
            Namespace::Calendar => self.calendars.get(name).map(|c| &c.origin),
        }
    }
}

/// The kinds of names a library declares; a name is declared at most once in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Namespace {
    Channel,
    Unit,
    Calendar,
}

impl Namespace {
    pub fn word(self) -> &'static str {
        match self {
            Namespace::Channel => "channel",
            Namespace::Unit => "unit",
            Namespace::Calendar => "calendar",
        }
    }
}

/// The holidays of a calendar a library shipped with terms declares (`calendar belgium` in a
/// contract that uses no library is the `belgium` library's). Parsed once per process.
pub fn standard_calendar(name: &str) -> Option<Vec<HolidayRule>> {
    static PARSED: OnceLock<BTreeMap<String, Vec<HolidayRule>>> = OnceLock::new();
    let all = PARSED.get_or_init(|| {
        let mut out = BTreeMap::new();
        for (_, text) in STANDARD {
            let Ok(library) = crate::syntax::parse_library(text) else {
                continue;
            };
            for item in &library.items {
                if let Item::Calendar {
                    name,
                    holidays: Some(list),
                    ..
                } = item
                {
                    out.insert(name.name.clone(), holiday_rules(list, &mut Vec::new()));
                }
            }
        }
        out
    });
    all.get(name).cloned()
}

/// A declared calendar's holidays as the calendar reads them; a name declared twice is
/// reported (and the second left out).
pub fn holiday_rules(
    declared: &[ast::HolidayDecl],
    errors: &mut Vec<Diagnostic>,
) -> Vec<HolidayRule> {
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    let mut rules = Vec::new();
    for h in declared {
        if let Some(first) = seen.insert(&h.name.name, h.name.span) {
            errors.push(duplicate_here(&h.name, first, "holiday"));
            continue;
        }
        rules.push(HolidayRule {
            name: h.name.name.clone(),
            date: h.date,
            moves: h
                .moves
                .iter()
                .map(|m| Move {
                    forward: m.forward,
                    to: m.to,
                    when: m.when.clone(),
                })
                .collect(),
        });
    }
    rules
}

/// A name declared twice in one file.
pub fn duplicate_here(name: &ast::Ident, first: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        "terms::check::duplicate_name",
        name.span,
        format!("the {what} `{}` is declared twice", name.name),
    )
    .label("declared again here")
    .also(first, "first declared here")
    .help("rename one of them or remove the repetition")
}

/// A name a file declares that another file declared first.
pub fn duplicate_elsewhere(name: &ast::Ident, first: &Origin, what: &str) -> Diagnostic {
    Diagnostic::error(
        "terms::check::duplicate_name",
        name.span,
        format!(
            "the {what} `{}` is declared twice: first in {first}",
            name.name
        ),
    )
    .label("declared again here")
    .help(format!(
        "the first declaration is at {first}; rename one of them or remove this one"
    ))
}

/// Libraries nested deeper than this are refused (a chain of `use` through files).
pub const MAX_LIBRARY_DEPTH: usize = 64;

/// Which library a `use` names, once resolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Standard(String),
    File(PathBuf),
}

enum State {
    /// Being loaded: its `use` lines are being followed. The library's name.
    Loading(String),
    Done,
}

/// The walk over the `use` graph.
struct Loader {
    state: HashMap<Key, State>,
    /// The libraries being loaded, outermost first: the chain a cycle is reported with.
    chain: Vec<String>,
    /// Diagnostics by file, in the order the files were first seen.
    files: Vec<(SourceFile, Vec<Diagnostic>)>,
    imports: Imports,
    /// Each name a library declares, and where.
    declared: BTreeMap<(Namespace, String), (usize, Span)>,
    /// Channel declarations with their file and span, for the relation's diagnostics.
    channel_spans: Vec<(usize, ast::Ident, Option<ast::Ident>)>,
}

/// Loads the libraries a contract uses, each once. The contract's own file gets the
/// diagnostics about its `use` lines; every library its own.
pub fn load(file: &SourceFile, contract: &ast::Contract) -> Result<Imports, Failure> {
    let mut loader = Loader {
        state: HashMap::new(),
        chain: Vec::new(),
        files: vec![(file.clone(), Vec::new())],
        imports: Imports::default(),
        declared: BTreeMap::new(),
        channel_spans: Vec::new(),
    };
    loader.uses(0, &contract.items, 0);
    loader.channel_relation();
    loader.finish()
}

/// Checks a library file on its own (`terms check lib/belgium.terms`): its syntax, the
/// libraries it uses, and what it declares.
pub fn check_library(file: &SourceFile) -> Result<(), Failure> {
    let (library, layout) = crate::syntax::parse_library_layout(&file.text)
        .map_err(|d| Failure::in_file(file, vec![d]))?;
    let mut loader = Loader {
        state: HashMap::new(),
        chain: vec![library.name.name.clone()],
        files: vec![(file.clone(), Vec::new())],
        imports: Imports::default(),
        declared: BTreeMap::new(),
        channel_spans: Vec::new(),
    };
    if let Some(path) = &file.path {
        if let Ok(canonical) = std::fs::canonicalize(path) {
            loader.state.insert(
                Key::File(canonical),
                State::Loading(library.name.name.clone()),
            );
        }
    }
    loader.uses(0, &library.items, 1);
    loader.declarations(0, &library, &layout);
    loader.channel_relation();
    loader.finish().map(|_| ())
}

impl Loader {
    /// The imports, or every file's diagnostics when one has an error.
    fn finish(self) -> Result<Imports, Failure> {
        let failed = self
            .files
            .iter()
            .any(|(_, ds)| ds.iter().any(Diagnostic::is_error));
        if !failed {
            return Ok(self.imports);
        }
        Err(Failure {
            files: self
                .files
                .into_iter()
                .filter(|(_, ds)| !ds.is_empty())
                .map(|(f, ds)| FileDiagnostics::new(&f, ds))
                .collect(),
        })
    }

    fn error(&mut self, file: usize, d: Diagnostic) {
        if let Some((_, ds)) = self.files.get_mut(file) {
            ds.push(d);
        }
    }

    fn origin(&self, file: usize, span: Span) -> Origin {
        match self.files.get(file) {
            Some((f, _)) => Origin {
                file: f.name.clone(),
                line: f.line_col(span.start).0,
            },
            None => Origin {
                file: String::new(),
                line: 0,
            },
        }
    }

    /// Loads every library the items of file `file` use.
    fn uses(&mut self, file: usize, items: &[Item], depth: usize) {
        for item in items {
            if let Item::Use(target) = item {
                self.use_one(file, target, depth);
            }
        }
    }

    fn use_one(&mut self, file: usize, target: &UseTarget, depth: usize) {
        let span = target.span();
        let Some(key) = self.resolve(file, target) else {
            return;
        };
        match self.state.get(&key) {
            Some(State::Done) => return,
            Some(State::Loading(again)) => {
                let chain = self.chain.join(" → ");
                let shown = again.clone();
                self.error(
                    file,
                    Diagnostic::error(
                        "terms::check::library_cycle",
                        span,
                        format!("the libraries use each other in a cycle: {chain} → {shown}"),
                    )
                    .label("used again here")
                    .help("a library cannot use, directly or through others, a library that uses it; move the shared declarations to a third library"),
                );
                return;
            }
            None => {}
        }
        if depth >= MAX_LIBRARY_DEPTH {
            self.error(
                file,
                Diagnostic::error(
                    "terms::syntax::too_deep",
                    span,
                    format!("libraries are nested more than {MAX_LIBRARY_DEPTH} deep"),
                )
                .label("one library too many")
                .help("use the libraries from the contract itself rather than through a chain"),
            );
            return;
        }
        let Some(source) = self.read(file, target, &key) else {
            return;
        };
        let library = match crate::syntax::parse_library_layout(&source.text) {
            Ok(parsed) => parsed,
            Err(d) => {
                self.files.push((source, vec![d]));
                // Parsed once: a syntax error is reported once.
                self.state.insert(key, State::Done);
                return;
            }
        };
        self.state
            .insert(key.clone(), State::Loading(library.0.name.name.clone()));
        self.chain.push(library.0.name.name.clone());
        let index = self.files.len();
        self.files.push((source, Vec::new()));
        let (library, layout) = library;
        self.uses(index, &library.items, depth + 1);
        self.declarations(index, &library, &layout);
        self.chain.pop();
        self.state.insert(key, State::Done);
    }

    /// The library a `use` names (a file by its canonical path, so that each is loaded once
    /// however it is written); a diagnostic when there is none.
    fn resolve(&mut self, file: usize, target: &UseTarget) -> Option<Key> {
        match target {
            UseTarget::Standard(name) => {
                if standard_source(&name.name).is_some() {
                    return Some(Key::Standard(name.name.clone()));
                }
                let names = standard_names();
                let hint = did_you_mean(&name.name, names.iter().copied())
                    .map_or_else(String::new, |s| format!("did you mean `{s}`? "));
                self.error(
                    file,
                    Diagnostic::error(
                        "terms::check::missing_library",
                        name.span,
                        format!("`{}` is not a library shipped with terms", name.name),
                    )
                    .label("unknown library")
                    .help(format!(
                        "{hint}the libraries are {}; a library file is named in quotes: `use \"{}.terms\"`",
                        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
                        name.name
                    )),
                );
                None
            }
            UseTarget::Path(text) => {
                let missing = |message: String, label: &str, help: &str| {
                    Diagnostic::error("terms::check::missing_library", text.span, message)
                        .label(label)
                        .help(help)
                };
                if Path::new(&text.value).is_absolute() {
                    self.error(
                        file,
                        missing(
                            format!("`{}` is an absolute path", text.value),
                            "not relative",
                            "a library file is named relative to the folder of the file that uses it, e.g. `use \"shared/post.terms\"`",
                        ),
                    );
                    return None;
                }
                let base = self
                    .files
                    .get(file)
                    .and_then(|(f, _)| f.path.clone())
                    .map(|p| p.parent().map(Path::to_path_buf).unwrap_or_default());
                let Some(base) = base else {
                    self.error(
                        file,
                        missing(
                            format!(
                                "`{}` cannot be found: this file was not read from a folder",
                                text.value
                            ),
                            "relative to nothing",
                            "a library file is found next to the file that uses it; read the contract from a file, or use a library shipped with terms (`use belgium`)",
                        ),
                    );
                    return None;
                };
                let path = base.join(&text.value);
                match std::fs::canonicalize(&path) {
                    Ok(canonical) => Some(Key::File(canonical)),
                    Err(e) => {
                        let shown = self.shown_path(file, &text.value);
                        self.error(
                            file,
                            missing(
                                format!(
                                    "no library file `{}`: cannot read `{shown}`: {e}",
                                    text.value
                                ),
                                "no such library file",
                                "the path is relative to the folder of the file that uses it",
                            ),
                        );
                        None
                    }
                }
            }
        }
    }

    /// A library file's path as diagnostics show it: relative to the using file's name, as
    /// the user wrote both.
    fn shown_path(&self, file: usize, written: &str) -> String {
        self.files.get(file).map_or_else(
            || written.to_string(),
            |(f, _)| {
                let parent = Path::new(&f.name).parent().unwrap_or(Path::new(""));
                normalize(&parent.join(written)).display().to_string()
            },
        )
    }

    /// The text of a library, once its key is known not to be loaded yet.
    fn read(&mut self, file: usize, target: &UseTarget, key: &Key) -> Option<SourceFile> {
        let (UseTarget::Path(text), Key::File(canonical)) = (target, key) else {
            return match target {
                UseTarget::Standard(name) => standard_source(&name.name),
                UseTarget::Path(_) => None,
            };
        };
        let shown = self.shown_path(file, &text.value);
        match crate::read_limited(
            canonical,
            &shown,
            crate::syntax::MAX_SOURCE_BYTES,
            "a library",
        ) {
            Ok(source) => Some(source),
            Err(failure) => {
                let reason = failure
                    .files
                    .first()
                    .and_then(|d| d.diagnostics.first())
                    .map_or_else(String::new, |d| d.message.clone());
                self.error(
                    file,
                    Diagnostic::error(
                        "terms::check::missing_library",
                        text.span,
                        format!("no library file `{}`: {reason}", text.value),
                    )
                    .label("no such library file")
                    .help("the path is relative to the folder of the file that uses it"),
                );
                None
            }
        }
    }

    /// A library's declarations: channels, units and calendars go to the imports; anything
    /// else is refused.
    fn declarations(
        &mut self,
        file: usize,
        library: &ast::Library,
        layout: &crate::syntax::ContractLayout,
    ) {
        for (index, item) in library.items.iter().enumerate() {
            let span = layout.items.get(index).copied().unwrap_or_default();
            match item {
                Item::Use(_) => {}
                Item::Channel(decl) => {
                    if self.first(file, Namespace::Channel, &decl.name) {
                        let origin = self.origin(file, decl.name.span);
                        self.imports.channels.push(ImportedChannel {
                            name: decl.name.name.clone(),
                            counts_as: decl.counts_as.as_ref().map(|c| c.name.clone()),
                            origin,
                        });
                        self.channel_spans
                            .push((file, decl.name.clone(), decl.counts_as.clone()));
                    }
                }
                Item::Unit { name, .. } => {
                    if self.first(file, Namespace::Unit, name) {
                        let origin = self.origin(file, name.span);
                        self.imports.units.push((name.name.clone(), origin));
                    }
                }
                Item::Calendar {
                    name,
                    hours,
                    closed,
                    holidays: Some(holidays),
                } => {
                    let mut errors = Vec::new();
                    let rules = holiday_rules(holidays, &mut errors);
                    for e in errors {
                        self.error(file, e);
                    }
                    if let Some((open, close, span)) = hours {
                        if open >= close {
                            self.error(
                                file,
                                Diagnostic::error(
                                    "terms::check::bad_period",
                                    *span,
                                    "business hours close before they open",
                                )
                                .label("empty business day")
                                .help("write the opening time first, e.g. `hours 09:00 to 18:00`"),
                            );
                        }
                    }
                    if self.first(file, Namespace::Calendar, name) {
                        let origin = self.origin(file, name.span);
                        self.imports.calendars.insert(
                            name.name.clone(),
                            ImportedCalendar {
                                holidays: rules,
                                hours: hours.map(|(open, close, _)| (open, close)),
                                closed: closed.iter().map(|(d, _)| *d).collect(),
                                origin,
                            },
                        );
                    }
                }
                Item::Calendar { name, .. } => self.error(
                    file,
                    Diagnostic::error(
                        "terms::check::not_in_library",
                        name.span,
                        format!("the calendar `{}` declares no holidays", name.name),
                    )
                    .label("a choice, not a declaration")
                    .help("a library declares calendars with their holidays (`calendar NAME { holiday … }`); the contract chooses one with `calendar NAME`"),
                ),
                _ => self.error(
                    file,
                    Diagnostic::error(
                        "terms::check::not_in_library",
                        span,
                        "a library holds only declarations other contracts share",
                    )
                    .label(format!("{} in a library", what(item)))
                    .help("a library declares `use`, `channel`, `unit` and `calendar NAME { holiday … }`; move the rest to the contract"),
                ),
            }
        }
    }

    /// Whether this is the first declaration of the name in its namespace among the
    /// libraries; reports it otherwise.
    fn first(&mut self, file: usize, ns: Namespace, name: &ast::Ident) -> bool {
        let key = (ns, name.name.clone());
        match self.declared.get(&key).copied() {
            None => {
                self.declared.insert(key, (file, name.span));
                true
            }
            Some((first_file, first_span)) if first_file == file => {
                self.error(file, duplicate_here(name, first_span, ns.word()));
                false
            }
            Some((first_file, first_span)) => {
                let origin = self.origin(first_file, first_span);
                self.error(file, duplicate_elsewhere(name, &origin, ns.word()));
                false
            }
        }
    }

    /// The libraries' channels make a relation among themselves: each `counts as` names a
    /// library channel, and none counts as itself through others.
    fn channel_relation(&mut self) {
        let list: Vec<(String, Option<String>)> = self
            .imports
            .channels
            .iter()
            .map(|c| (c.name.clone(), c.counts_as.clone()))
            .collect();
        let Err(failures) = Channels::new(&list) else {
            return;
        };
        let names: Vec<&str> = list.iter().map(|(n, _)| n.as_str()).collect();
        let mut reports = Vec::new();
        for failure in failures {
            let (ChannelError::Unknown(i) | ChannelError::Cycle(i)) = failure;
            let Some((file, name, counts_as)) = self.channel_spans.get(i).cloned() else {
                continue;
            };
            let d = match (failure, counts_as) {
                (ChannelError::Unknown(_), Some(parent)) => {
                    let hint = did_you_mean(&parent.name, names.iter().copied())
                        .map_or_else(String::new, |s| format!("did you mean `{s}`? "));
                    Diagnostic::error(
                        "terms::check::unknown_channel",
                        parent.span,
                        format!("`{}` is not a channel", parent.name),
                    )
                    .label("unknown channel")
                    .help(format!(
                        "{hint}a library's channel counts as a channel a library declares"
                    ))
                }
                _ => channel_cycle(&name),
            };
            reports.push((file, d));
        }
        for (file, d) in reports {
            self.error(file, d);
        }
    }
}

/// A channel that counts, through others, as itself.
pub fn channel_cycle(name: &ast::Ident) -> Diagnostic {
    Diagnostic::error(
        "terms::check::channel_cycle",
        name.span,
        format!("the channel `{}` counts, through others, as itself", name.name),
    )
    .label("on a cycle of `counts as`")
    .help("each channel counts as a broader one (`registered_letter` as `letter`, `letter` as `written`); remove one `counts as` of the cycle")
}

/// A path with `.` and `dir/..` removed, without looking at the disk.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                let last = out.components().next_back();
                if matches!(last, Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// What an item is, in a diagnostic.
fn what(item: &Item) -> &'static str {
    match item {
        Item::Use(_) => "a `use`",
        Item::Channel(_) => "a channel",
        Item::Vendor(_) => "a vendor",
        Item::Party { .. } => "a party",
        Item::Currency(_) => "a currency",
        Item::Timezone(_) => "a time zone",
        Item::Calendar { .. } => "a calendar",
        Item::Notices(_) => "a notice rule",
        Item::Rounding(_) => "a rounding rule",
        Item::RollForward(_) => "a roll-forward rule",
        Item::Unit { .. } => "a unit",
        Item::Event(_) => "an event kind",
        Item::Param(_) => "a parameter",
        Item::Let { .. } => "a `let`",
        Item::Clause(_) => "a clause",
    }
}

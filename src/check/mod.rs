//! The checker: turns a parsed [`ast::Contract`] into a [`Checked`] contract, or reports
//! every problem it finds (names that do not resolve, types that disagree, parties not
//! declared, duplicate ids, clause lines that do not belong) in one run.

pub mod channels;
mod clause;
mod currency;
mod expr;
mod lint;
mod model;
mod resolved;
mod state;
pub mod types;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::ast::{self, BinOp, ClauseItemKind, ClauseKind, Expr, ExprKind, Ident};
use crate::calendar::{Calendar, Holidays};
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::source::Span;

pub use model::*;
use types::Type;

/// The result of checking: the contract if it has no errors, and every diagnostic
/// (errors and warnings) either way.
pub struct CheckResult {
    pub checked: Option<Checked>,
    pub diagnostics: Vec<Diagnostic>,
}

use crate::builtins::Builtin;
pub use crate::builtins::BUILTINS as FUNCTIONS;

/// Checks a contract that uses no library.
pub fn check(contract: &ast::Contract, source: &str) -> CheckResult {
    check_with(contract, source, &crate::library::Imports::default())
}

/// Checks a contract with what its libraries declare (see [`crate::library::load`]).
pub fn check_with(
    contract: &ast::Contract,
    source: &str,
    imports: &crate::library::Imports,
) -> CheckResult {
    let mut checker = Checker::default();
    if let Some(belgium) = crate::library::standard_calendar("belgium") {
        // The default calendar is the `belgium` library's (equal to `Calendar::default`'s
        // computed Belgian holidays; tests/calendar.rs checks it).
        checker.calendar.holidays = Holidays::Declared(belgium);
    }
    checker.imported(contract, imports);
    checker.declarations(contract);
    let (order, cyclic, evaluation) = checker.dependencies(contract);
    checker.lets(contract, &order, &cyclic);
    checker.param_values(&cyclic);
    checker.state_types(contract);
    let clauses = checker.clauses(contract);
    checker.settlement_currencies(contract, &clauses);
    let has_errors = checker.diagnostics.iter().any(Diagnostic::is_error);
    if !has_errors {
        checker.diagnostics.extend(lint::lint(contract));
    }
    let checked = if has_errors {
        None
    } else {
        Some(Checked {
            source: source.into(),
            name: contract.name.name.clone(),
            title: contract.title.as_ref().map(|t| t.value.clone()),
            vendor: checker.vendor.take(),
            parties: std::mem::take(&mut checker.parties)
                .into_iter()
                .map(|(k, (_, d))| (k, d))
                .collect(),
            currency: checker.currency.take().map_or_else(String::new, |(c, _)| c),
            calendar: std::mem::take(&mut checker.calendar),
            channels: std::mem::take(&mut checker.channels),
            notices: std::mem::take(&mut checker.notices),
            rounding: checker
                .rounding
                .unwrap_or(rust_decimal::RoundingStrategy::MidpointAwayFromZero),
            roll_forward: checker.roll_forward,
            events: kinds_by_id(std::mem::take(&mut checker.events)),
            kind_ids: checker.kind_ids.clone(),
            params: checker
                .params
                .iter()
                .map(|(name, p)| (name.clone(), p.id))
                .collect(),
            values: std::mem::take(&mut checker.definitions)
                .into_iter()
                .flatten()
                .collect(),
            order: evaluation_order(evaluation, &clauses, &checker.value_ids),
            clauses,
            summed: checker.summed.iter().copied().collect(),
            deal: None,
        })
    };
    // Every slot filled, every kind numbered in order: anything else is a bug here.
    if let Some(c) = &checked {
        let kinds_in_order = c.events.iter().enumerate().all(|(i, k)| k.id == i);
        if !kinds_in_order
            || c.values.len() != checker.value_ids.len()
            || c.events.len() != checker.kind_ids.len()
        {
            return CheckResult {
                checked: None,
                diagnostics: vec![Diagnostic::error(
                    "terms::check::internal",
                    contract.name.span,
                    "internal error: the checker left a name unresolved",
                )
                .label("in this contract")
                .help("this is a bug in terms: please report it with the contract")],
            };
        }
    }
    CheckResult {
        checked,
        diagnostics: checker.diagnostics,
    }
}

/// A clause known before bodies are checked: its index, kind, and `for each` binding
/// (variable, kind).
type ClauseInfo = (usize, ClauseKind, Option<(String, String)>);

#[derive(Default)]
struct Checker {
    diagnostics: Vec<Diagnostic>,
    vendor: Option<String>,
    parties: BTreeMap<String, (Span, String)>,
    currency: Option<(String, Span)>,
    /// The other currencies the contract declares (`currency USD` after the first), with
    /// where each is declared.
    other_currencies: BTreeMap<String, Span>,
    calendar: Calendar,
    /// The calendars the contract's libraries declare, by name.
    library_calendars: BTreeMap<String, crate::library::ImportedCalendar>,
    /// The units the contract's libraries declare.
    imported_units: Vec<(String, crate::library::Origin)>,
    channels: channels::Channels,
    notices: NoticeRules,
    rounding: Option<rust_decimal::RoundingStrategy>,
    roll_forward: bool,
    events: BTreeMap<String, EventKind>,
    /// Units of quantity (`unit GB`), with where each is declared.
    units: BTreeMap<String, Span>,
    /// Event kind name → id: ids are positions in name order.
    kind_ids: BTreeMap<String, KindId>,
    params: BTreeMap<String, ParamDecl>,
    /// Typed `let`s: name → (slot, type).
    let_types: HashMap<String, (ValueId, Type)>,
    /// Parameter and `let` name → slot, given as each is declared.
    value_ids: HashMap<String, ValueId>,
    /// Parameters and `let`s by slot, filled as each is checked.
    definitions: Vec<Option<Definition>>,
    /// Parameters and `let`s declared but without a type (an error was reported): their
    /// uses report nothing more.
    failed: BTreeSet<String>,
    /// Event kinds, parameters and `let`s, with where each is declared.
    declared: BTreeMap<String, Span>,
    /// Clause id → (index, kind, scope binding of obligations), filled before bodies are checked.
    clause_ids: BTreeMap<String, ClauseInfo>,
    /// State name → (clause index, type), typed from `starts` before clause bodies.
    states: HashMap<String, (ClauseId, Type)>,
    /// State name → its `starts` value, lowered once before clause bodies.
    state_starts: HashMap<String, Core>,
    /// The clause whose body is being checked: (id, index).
    current_clause: Option<(String, ClauseId)>,
    /// The charge clauses `charged(…)` adds up.
    summed: BTreeSet<ClauseId>,
}

/// A parameter as declared, before its value is checked.
#[derive(Clone)]
struct ParamDecl {
    id: ValueId,
    ty: Type,
    value: Option<Expr>,
    span: Span,
}

/// The event kinds in id order.
fn kinds_by_id(kinds: BTreeMap<String, EventKind>) -> Vec<EventKind> {
    let mut list: Vec<EventKind> = kinds.into_values().collect();
    list.sort_by_key(|k| k.id);
    list
}

/// What an expression may refer to, besides the contract's parameters.
#[derive(Clone, Default)]
struct Env {
    /// The bound event variable and its kind.
    var: Option<(String, String)>,
    /// Whether `delay` is bound (in `on breach of`).
    delay: bool,
    /// Whether `streak` may be used (in `for each`).
    for_each: bool,
    /// In an aggregate's expression: the kind's name, which is each event in turn.
    each: Option<(String, String)>,
    /// `delay counted in started|whole periods`: what `days(delay)` and `hours(delay)` read.
    delay_periods: Option<ast::PeriodRule>,
}

impl Checker {
    fn error(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    // ------------------------------------------------------------ libraries and channels

    /// What the contract's libraries declare, and the contract's own channels: the channel
    /// relation (the six channels of 0.1 when no file declares one), the units, the
    /// calendars a `calendar NAME` line may choose.
    fn imported(&mut self, contract: &ast::Contract, imports: &crate::library::Imports) {
        use crate::library::Namespace;
        self.library_calendars = imports.calendars.clone();
        self.imported_units = imports.units.clone();
        for item in &contract.items {
            if let ast::Item::Unit { name, .. } = item {
                if let Some(origin) = imports.origin_of(Namespace::Unit, &name.name) {
                    self.error(crate::library::duplicate_elsewhere(name, origin, "unit"));
                }
            }
        }
        // Channels: the libraries' (already a relation among themselves), then the
        // contract's, which may count as a library's.
        let mut list: Vec<(String, Option<String>)> = imports
            .channels
            .iter()
            .map(|c| (c.name.clone(), c.counts_as.clone()))
            .collect();
        let mut own: Vec<&ast::ChannelDecl> = Vec::new();
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for item in &contract.items {
            let ast::Item::Channel(decl) = item else {
                continue;
            };
            if let Some(origin) = imports.origin_of(Namespace::Channel, &decl.name.name) {
                self.error(crate::library::duplicate_elsewhere(
                    &decl.name, origin, "channel",
                ));
                continue;
            }
            if let Some(first) = seen.insert(&decl.name.name, decl.name.span) {
                self.duplicate(&decl.name, first, "channel");
                continue;
            }
            own.push(decl);
        }
        if list.is_empty() && own.is_empty() {
            self.channels = channels::Channels::standard();
            return;
        }
        let imported = list.len();
        list.extend(own.iter().map(|d| {
            (
                d.name.name.clone(),
                d.counts_as.as_ref().map(|c| c.name.clone()),
            )
        }));
        // Each failure is reported and its `counts as` dropped: the relation then holds.
        if let Err(failures) = channels::Channels::new(&list) {
            let names: Vec<String> = list.iter().map(|(n, _)| n.clone()).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            for failure in failures {
                let (channels::ChannelError::Unknown(i) | channels::ChannelError::Cycle(i)) =
                    failure;
                if let Some(entry) = list.get_mut(i) {
                    entry.1 = None;
                }
                // The libraries' relation was checked when they were loaded.
                let Some(decl) = i.checked_sub(imported).and_then(|j| own.get(j)) else {
                    continue;
                };
                match (failure, &decl.counts_as) {
                    (channels::ChannelError::Unknown(_), Some(parent)) => self.not_one_of(
                        "terms::check::unknown_channel",
                        parent,
                        "is not a channel",
                        "unknown channel",
                        "channels are",
                        &names,
                    ),
                    _ => self.error(crate::library::channel_cycle(&decl.name)),
                }
            }
        }
        self.channels = channels::Channels::new(&list).unwrap_or_default();
    }

    // ------------------------------------------------------------ declarations

    fn declarations(&mut self, contract: &ast::Contract) {
        let mut names_seen: BTreeMap<String, Span> = BTreeMap::new();
        // Event kinds first: field types may name them.
        let kinds: BTreeSet<String> = contract
            .items
            .iter()
            .filter_map(|i| match i {
                ast::Item::Event(e) => Some(e.name.name.clone()),
                _ => None,
            })
            .collect();
        // Units next: field and parameter types may name them.
        for item in &contract.items {
            if let ast::Item::Unit { name, .. } = item {
                if let Some(first) = self.units.get(&name.name) {
                    let first = *first;
                    self.duplicate(name, first, "unit");
                } else {
                    self.units.insert(name.name.clone(), name.span);
                }
            }
        }
        for (unit, _) in &self.imported_units {
            self.units.entry(unit.clone()).or_default();
        }
        // Currencies next: the first is the contract's (`money`), the others may be field
        // and parameter types.
        self.currencies(contract);
        let kind_ids: BTreeMap<String, KindId> = kinds
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect();
        self.kind_ids = kind_ids.clone();
        let mut calendar_seen = false;
        let mut timezone_seen = false;
        for item in &contract.items {
            match item {
                ast::Item::Vendor(text) => self.vendor = Some(text.value.clone()),
                ast::Item::Unit { .. } | ast::Item::Use(_) | ast::Item::Channel(_) => {}
                ast::Item::Party { name, description } => {
                    if let Some(first) = self.parties.get(&name.name) {
                        let first = first.0;
                        self.duplicate(name, first, "party");
                    } else {
                        let description = description
                            .as_ref()
                            .map_or_else(|| name.name.clone(), |d| d.value.clone());
                        self.parties
                            .insert(name.name.clone(), (name.span, description));
                    }
                }
                // Read before the other declarations (`currencies`).
                ast::Item::Currency(_) => {}
                ast::Item::Timezone(text) => {
                    if timezone_seen {
                        self.error(
                            Diagnostic::error(
                                "terms::check::duplicate_name",
                                text.span,
                                "the time zone is declared twice",
                            )
                            .label("second declaration")
                            .help("keep one `timezone` line"),
                        );
                    }
                    timezone_seen = true;
                    match text.value.parse::<chrono_tz::Tz>() {
                        Ok(tz) => self.calendar.tz = tz,
                        Err(_) => self.error(
                            Diagnostic::error(
                                "terms::check::unknown_timezone",
                                text.span,
                                format!("`{}` is not a time zone", text.value),
                            )
                            .label("unknown time zone")
                            .help("use an IANA name such as \"Europe/Brussels\""),
                        ),
                    }
                }
                ast::Item::Calendar {
                    name,
                    hours,
                    closed,
                    holidays,
                } => {
                    if let Some((open, close, span)) = hours {
                        if open < close {
                            self.calendar.opens = *open;
                            self.calendar.closes = *close;
                        } else {
                            self.error(
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
                    if calendar_seen {
                        self.error(
                            Diagnostic::error(
                                "terms::check::duplicate_name",
                                name.span,
                                "the calendar is declared twice",
                            )
                            .label("second declaration")
                            .help("keep one `calendar` line; list every closing day on it"),
                        );
                    }
                    calendar_seen = true;
                    if let Some(declared) = holidays {
                        if let Some(origin) = self
                            .library_calendars
                            .get(&name.name)
                            .map(|c| c.origin.clone())
                        {
                            self.error(crate::library::duplicate_elsewhere(
                                name, &origin, "calendar",
                            ));
                        }
                        let mut errors = Vec::new();
                        let rules = crate::library::holiday_rules(declared, &mut errors);
                        self.diagnostics.extend(errors);
                        self.calendar.holidays = Holidays::Declared(rules);
                        self.calendar.name = name.name.clone();
                        self.calendar.closed.extend(closed.iter().map(|(d, _)| *d));
                        continue;
                    }
                    if let Some(library) = self.library_calendars.get(&name.name).cloned() {
                        // A library's calendar: its holidays, hours and closing days; the
                        // contract's own hours and closing days come on top.
                        self.calendar.holidays = Holidays::Declared(library.holidays);
                        self.calendar.name = name.name.clone();
                        if let (Some((open, close)), None) = (library.hours, hours) {
                            self.calendar.opens = open;
                            self.calendar.closes = close;
                        }
                        self.calendar.closed.extend(library.closed);
                        self.calendar.closed.extend(closed.iter().map(|(d, _)| *d));
                        continue;
                    }
                    match Holidays::by_name(&name.name) {
                        Some(h) => {
                            // `calendar belgium` is the `belgium` library's.
                            self.calendar.holidays =
                                match (&h, crate::library::standard_calendar(&name.name)) {
                                    (Holidays::Belgium, Some(rules)) => Holidays::Declared(rules),
                                    _ => h,
                                };
                            self.calendar.name = name.name.clone();
                            self.calendar.closed.extend(closed.iter().map(|(d, _)| *d));
                        }
                        None => {
                            let mut names: Vec<&str> =
                                self.library_calendars.keys().map(String::as_str).collect();
                            names.extend(Holidays::NAMES);
                            names.sort_unstable();
                            names.dedup();
                            let names: Vec<String> =
                                names.into_iter().map(str::to_string).collect();
                            let names: Vec<&str> = names.iter().map(String::as_str).collect();
                            self.not_one_of(
                                "terms::check::unknown_calendar",
                                name,
                                "is not a known calendar",
                                "unknown calendar",
                                "the calendars are",
                                &names,
                            );
                        }
                    }
                }
                ast::Item::Rounding(mode) => {
                    let strategy = match mode.name.as_str() {
                        "half_away_from_zero" => {
                            Some(rust_decimal::RoundingStrategy::MidpointAwayFromZero)
                        }
                        "half_even" => Some(rust_decimal::RoundingStrategy::MidpointNearestEven),
                        "half_down" => Some(rust_decimal::RoundingStrategy::MidpointTowardZero),
                        "down" => Some(rust_decimal::RoundingStrategy::ToZero),
                        "up" => Some(rust_decimal::RoundingStrategy::AwayFromZero),
                        _ => None,
                    };
                    match strategy {
                        Some(s) => self.rounding = Some(s),
                        None => {
                            self.not_one_of(
                                "terms::check::unknown_rounding",
                                mode,
                                "is not a rounding mode",
                                "unknown rounding",
                                "the modes are",
                                &[
                                    "half_away_from_zero",
                                    "half_even",
                                    "half_down",
                                    "down",
                                    "up",
                                ],
                            );
                        }
                    }
                }
                ast::Item::RollForward(_) => self.roll_forward = true,
                ast::Item::Notices(rule) => {
                    let article = rule.article.as_ref().map(|a| a.value.clone());
                    match &rule.channel {
                        None => self.notices.default = Some((rule.counting, article)),
                        Some(channel) => {
                            if let (true, Some(id)) =
                                (self.known_channel(channel), self.channels.id(&channel.name))
                            {
                                self.notices.by_channel.insert(id, (rule.counting, article));
                            }
                        }
                    }
                }
                ast::Item::Event(decl) => {
                    if let Some(first) = names_seen.get(&decl.name.name) {
                        let first = *first;
                        self.duplicate(&decl.name, first, "name");
                        continue;
                    }
                    names_seen.insert(decl.name.name.clone(), decl.name.span);
                    let mut fields = BTreeMap::new();
                    let mut refers_to = Vec::new();
                    let mut amount = None;
                    let mut field_spans: BTreeMap<&str, Span> = BTreeMap::new();
                    for field in &decl.fields {
                        if let Some(first) = field_spans.get(field.name.name.as_str()) {
                            let first = *first;
                            self.duplicate(&field.name, first, "field");
                            continue;
                        }
                        if matches!(
                            field.name.name.as_str(),
                            "date" | "by" | "via" | "received" | "id"
                        ) {
                            self.error(
                                Diagnostic::error(
                                    "terms::check::reserved_field",
                                    field.name.span,
                                    format!("`{}` is a field every event already has", field.name.name),
                                )
                                .label("built-in field")
                                .help("every event has `date`, `by`, `via`, `received` and `id`; pick another name"),
                            );
                            continue;
                        }
                        field_spans.insert(&field.name.name, field.name.span);
                        if let Some(ty) = self.type_name(&field.type_name, &kinds) {
                            refers_to.push(match &ty {
                                Type::Event(k) => kind_ids.get(k).copied(),
                                _ => None,
                            });
                            if field.name.name == "amount" && ty.is_money() {
                                amount = Some(fields.len());
                            }
                            fields.insert(
                                field.name.name.clone(),
                                Field {
                                    id: fields.len(),
                                    ty,
                                    optional: field.optional,
                                },
                            );
                        }
                    }
                    self.events.insert(
                        decl.name.name.clone(),
                        EventKind {
                            id: kind_ids.get(&decl.name.name).copied().unwrap_or(usize::MAX),
                            name: decl.name.name.clone(),
                            planned: decl.planned,
                            fields,
                            amount,
                            refers_to,
                        },
                    );
                }
                ast::Item::Param(decl) => {
                    if let Some(first) = names_seen.get(&decl.name.name) {
                        let first = *first;
                        self.duplicate(&decl.name, first, "name");
                        continue;
                    }
                    names_seen.insert(decl.name.name.clone(), decl.name.span);
                    let ty = match &decl.rate {
                        Some((to, from)) => self.rate_type(to, from),
                        None => self.type_name(&decl.type_name, &kinds),
                    };
                    if matches!(ty, None | Some(Type::Event(_))) {
                        // Reported: its uses report nothing more.
                        self.failed.insert(decl.name.name.clone());
                    }
                    if let Some(ty) = ty {
                        if matches!(ty, Type::Event(_)) {
                            self.error(
                                Diagnostic::error(
                                    "terms::check::type_mismatch",
                                    decl.type_name.span,
                                    "a parameter cannot be an event",
                                )
                                .label("event kind")
                                .help("parameters are money, percent, number, date, duration, text or bool"),
                            );
                            continue;
                        }
                        let id = self.new_value(&decl.name.name);
                        self.params.insert(
                            decl.name.name.clone(),
                            ParamDecl {
                                id,
                                ty,
                                value: decl.default.clone(),
                                span: decl.name.span,
                            },
                        );
                    }
                }
                ast::Item::Let { name, .. } => {
                    if let Some(first) = names_seen.get(&name.name) {
                        let first = *first;
                        self.duplicate(name, first, "name");
                        continue;
                    }
                    names_seen.insert(name.name.clone(), name.span);
                    self.new_value(&name.name);
                }
                ast::Item::Clause(clause) => {
                    if let Some((index, _, _)) = self.clause_ids.get(&clause.id.name) {
                        let first = match contract.items.iter().filter_map(as_clause).nth(*index) {
                            Some(c) => c.id.span,
                            None => clause.id.span,
                        };
                        self.duplicate(&clause.id, first, "clause id");
                        continue;
                    }
                    if clause.kind == ClauseKind::State {
                        // A state is read by its name, like a parameter or a `let`.
                        if let Some(first) = names_seen.get(&clause.id.name) {
                            let first = *first;
                            self.duplicate(&clause.id, first, "name");
                        } else {
                            names_seen.insert(clause.id.name.clone(), clause.id.span);
                        }
                    }
                    let index = self.clause_ids.len();
                    let binding = clause.items.iter().find_map(|i| match &i.kind {
                        ClauseItemKind::ForEach { kind, var, .. } => {
                            Some((var.name.clone(), kind.name.clone()))
                        }
                        _ => None,
                    });
                    self.clause_ids
                        .insert(clause.id.name.clone(), (index, clause.kind, binding));
                }
            }
        }
        self.inherit_bindings(contract);
        self.party_collisions(&names_seen);
        self.declared = names_seen;
        if self.parties.is_empty() {
            self.error(
                Diagnostic::error(
                    "terms::check::missing_declaration",
                    contract.name.span,
                    "the contract declares no party",
                )
                .label("contract without parties")
                .help(
                    "declare the parties, e.g. `party vendor \"Qualifio SA\"` and `party customer`",
                ),
            );
        }
        if self.currency.is_none() {
            self.error(
                Diagnostic::error(
                    "terms::check::missing_declaration",
                    contract.name.span,
                    "the contract declares no currency",
                )
                .label("contract without currency")
                .help("add a line such as `currency EUR`"),
            );
        }
    }

    /// A clause `on breach of` an obligation, without `for each` of its own, is kept per
    /// instance of that obligation: it binds the same event, through any chain of `on breach
    /// of`. Each chain is followed once (linear in clauses); a cycle binds nothing here and
    /// is reported by the dependency search.
    fn inherit_bindings(&mut self, contract: &ast::Contract) {
        let mut breach_of: BTreeMap<&str, &str> = BTreeMap::new();
        for clause in contract.items.iter().filter_map(as_clause) {
            let own = clause
                .items
                .iter()
                .any(|i| matches!(i.kind, ClauseItemKind::ForEach { .. }));
            let target = clause.items.iter().find_map(|i| match &i.kind {
                ClauseItemKind::OnBreach(o) => Some(o.name.as_str()),
                _ => None,
            });
            if let (false, Some(target)) = (own, target) {
                breach_of.entry(clause.id.name.as_str()).or_insert(target);
            }
        }
        let mut resolved: HashMap<&str, Option<(String, String)>> = HashMap::new();
        for &start in breach_of.keys() {
            let mut path = Vec::new();
            let mut seen = BTreeSet::new();
            let mut current = start;
            let binding = loop {
                if let Some(found) = resolved.get(current) {
                    break found.clone();
                }
                match breach_of.get(current) {
                    Some(&next) if seen.insert(current) => {
                        path.push(current);
                        current = next;
                    }
                    Some(_) => break None, // a cycle
                    None => break self.clause_ids.get(current).and_then(|(_, _, b)| b.clone()),
                };
            };
            for id in path {
                resolved.insert(id, binding.clone());
            }
        }
        for (id, binding) in resolved {
            if let Some((_, _, slot)) = self.clause_ids.get_mut(id) {
                *slot = binding;
            }
        }
    }

    /// A slot for a parameter or `let`, as it is declared.
    fn new_value(&mut self, name: &str) -> ValueId {
        let id = self.definitions.len();
        self.definitions.push(None);
        self.value_ids.insert(name.to_string(), id);
        id
    }

    /// Checks parameter values once every name is known and typed, and fills their slots.
    fn param_values(&mut self, cyclic: &BTreeSet<String>) {
        let params: Vec<(String, ParamDecl)> = self
            .params
            .iter()
            .map(|(n, p)| (n.clone(), p.clone()))
            .collect();
        for (name, param) in params {
            let value = match &param.value {
                Some(_) if cyclic.contains(&name) => continue,
                Some(value) => {
                    let env = Env::default();
                    match self.lower_as(value, &param.ty, &env) {
                        Some(core) => Some(core),
                        None => continue,
                    }
                }
                None => None,
            };
            if let Some(slot) = self.definitions.get_mut(param.id) {
                *slot = Some(Definition {
                    name,
                    ty: param.ty,
                    value,
                    param: true,
                    span: param.span,
                });
            }
        }
    }

    fn duplicate(&mut self, name: &Ident, first: Span, what: &str) {
        self.error(
            Diagnostic::error(
                "terms::check::duplicate_name",
                name.span,
                format!("the {what} `{}` is declared twice", name.name),
            )
            .label("declared again here")
            .also(first, "first declared here")
            .help("rename one of them or remove the repetition"),
        );
    }

    /// A parameter, `let` or event kind with the name of a party: the checker would read
    /// the name as one, the evaluator as the other.
    fn party_collisions(&mut self, names: &BTreeMap<String, Span>) {
        let clashes: Vec<(String, Span, Span)> = names
            .iter()
            .filter_map(|(name, span)| {
                self.parties
                    .get(name)
                    .map(|(party, _)| (name.clone(), *span, *party))
            })
            .collect();
        for (name, span, party) in clashes {
            self.error(
                Diagnostic::error(
                    "terms::check::duplicate_name",
                    span,
                    format!("`{name}` is already the name of a party"),
                )
                .label("same name as a party")
                .also(party, "the party")
                .help("give the parameter, `let` or event kind another name"),
            );
        }
    }

    fn type_name(&mut self, name: &Ident, kinds: &BTreeSet<String>) -> Option<Type> {
        if self.units.contains_key(&name.name) {
            return Some(Type::Quantity(name.name.clone()));
        }
        if let Some(ty) = self.money_type(&name.name) {
            return Some(ty);
        }
        let ty = Type::from_name(&name.name, |k| kinds.contains(k));
        if ty.is_none() {
            let units: Vec<String> = self.units.keys().cloned().collect();
            let candidates = Type::NAMES
                .iter()
                .copied()
                .chain(kinds.iter().map(String::as_str))
                .chain(units.iter().map(String::as_str));
            let hint = match did_you_mean(&name.name, candidates) {
                Some(s) => format!("did you mean `{s}`? "),
                None => String::new(),
            };
            self.error(
                Diagnostic::error("terms::check::unknown_type", name.span, format!("`{}` is not a type", name.name))
                    .label("unknown type")
                    .help(format!(
                        "{hint}types are money, percent, number, date, datetime, duration, text, bool, a unit declared with `unit`, or an event kind"
                    )),
            );
        }
        ty
    }

    /// Reports a name that is not one of a fixed list, suggesting the closest and listing all.
    fn not_one_of(
        &mut self,
        code: &'static str,
        name: &Ident,
        what: &str,
        label: &str,
        listing: &str,
        choices: &[&str],
    ) {
        let hint = suggestion(&name.name, choices.iter().copied());
        let all: Vec<String> = choices.iter().map(|c| format!("`{c}`")).collect();
        self.error(
            Diagnostic::error(code, name.span, format!("`{}` {what}", name.name))
                .label(label)
                .help(format!(
                    "{hint}{listing} {}",
                    all.join(if all.len() == 2 { " and " } else { ", " })
                )),
        );
    }

    fn known_channel(&mut self, channel: &Ident) -> bool {
        if self.channels.id(&channel.name).is_some() {
            return true;
        }
        let channels = self.channels.clone();
        self.not_one_of(
            "terms::check::unknown_channel",
            channel,
            "is not a channel",
            "unknown channel",
            "channels are",
            &channels.names(),
        );
        false
    }

    /// A party line: a declared party, or `var.by` / `var.FIELD` (a `party` field) of the
    /// clause's event.
    fn party(&mut self, party: &ast::PartyRef, env: &Env) -> Option<Party> {
        let Some(field) = &party.field else {
            return self
                .known_party(&party.base)
                .then(|| Party::Named(party.base.name.clone()));
        };
        let bound = env.var.as_ref().filter(|(var, _)| *var == party.base.name);
        let Some((_, kind)) = bound else {
            self.error(
                Diagnostic::error(
                    "terms::check::unknown_name",
                    party.base.span,
                    format!("`{}` is not this clause's event", party.base.name),
                )
                .label("not bound here")
                .help("name a declared party, or `VAR.by` where `for each KIND VAR` binds VAR"),
            );
            return None;
        };
        let is_party_field = field.name == "by"
            || self
                .events
                .get(kind)
                .and_then(|k| k.fields.get(&field.name))
                .is_some_and(|f| f.ty == Type::Party);
        if !is_party_field {
            self.error(
                Diagnostic::error(
                    "terms::check::type_mismatch",
                    field.span,
                    format!("`{}.{}` is not a party", party.base.name, field.name),
                )
                .label("not a party")
                .help(format!(
                    "use `{}.by` or a field of type `party`",
                    party.base.name
                )),
            );
            return None;
        }
        let field = if field.name == "by" {
            FieldRef::By
        } else {
            match self
                .events
                .get(kind)
                .and_then(|k| k.fields.get(&field.name))
            {
                Some(f) => FieldRef::Declared(f.id),
                None => return None,
            }
        };
        Some(Party::OfEvent(field))
    }

    fn known_party(&mut self, party: &Ident) -> bool {
        if self.parties.contains_key(&party.name) {
            return true;
        }
        let hint = suggestion(&party.name, self.parties.keys().map(String::as_str));
        self.error(
            Diagnostic::error(
                "terms::check::unknown_party",
                party.span,
                format!("`{}` is not a declared party", party.name),
            )
            .label("unknown party")
            .help(format!(
                "{hint}declare it with `party {}` or use one of the declared parties",
                party.name
            )),
        );
        false
    }

    /// A declared event kind's id; reports an unknown one.
    fn kind_id(&mut self, kind: &Ident) -> Option<KindId> {
        if !self.known_kind(kind) {
            return None;
        }
        self.events.get(&kind.name).map(|k| k.id)
    }

    fn known_kind(&mut self, kind: &Ident) -> bool {
        if self.events.contains_key(&kind.name) {
            return true;
        }
        let hint = suggestion(&kind.name, self.events.keys().map(String::as_str));
        self.error(
            Diagnostic::error(
                "terms::check::unknown_event_kind",
                kind.span,
                format!("`{}` is not a declared event kind", kind.name),
            )
            .label("unknown event kind")
            .help(format!(
                "{hint}declare it with `event {} {{ … }}`",
                kind.name
            )),
        );
        false
    }

    // ------------------------------------------------------------ dependencies

    /// Orders parameters, `let`s and clauses so that each comes after what it uses, and
    /// reports every cycle among them: a parameter or `let` defined in terms of itself, a
    /// term that starts at `end_of` itself through a `let`, clauses that wait on each other's
    /// results. Iterative (an explicit stack), so a long chain of definitions cannot exhaust
    /// the stack. Returns the `let`s in dependency order, the names of the parameters
    /// and `let`s caught in a cycle, and every parameter, `let` and clause (by id) in
    /// dependency order, for the evaluator.
    fn dependencies<'c>(
        &mut self,
        contract: &'c ast::Contract,
    ) -> (Vec<&'c ast::Ident>, BTreeSet<String>, Vec<Declared>) {
        // Each name's first declaration: duplicates are reported already.
        let mut nodes: Vec<Decl<'c>> = Vec::new();
        let mut by_name: HashMap<&'c str, usize> = HashMap::new();
        let mut by_clause: HashMap<&'c str, usize> = HashMap::new();
        // States are read by name (`balance`), like parameters and `let`s.
        let mut by_state: HashMap<&'c str, usize> = HashMap::new();
        for item in &contract.items {
            let index = nodes.len();
            let node = match item {
                ast::Item::Param(decl) if !by_name.contains_key(decl.name.name.as_str()) => {
                    by_name.insert(&decl.name.name, index);
                    Decl::Value {
                        name: &decl.name,
                        param: true,
                        value: decl.default.as_ref(),
                    }
                }
                ast::Item::Let { name, value } if !by_name.contains_key(name.name.as_str()) => {
                    by_name.insert(&name.name, index);
                    Decl::Value {
                        name,
                        param: false,
                        value: Some(value),
                    }
                }
                ast::Item::Clause(clause) if !by_clause.contains_key(clause.id.name.as_str()) => {
                    by_clause.insert(&clause.id.name, index);
                    if clause.kind == ClauseKind::State {
                        by_state.entry(&clause.id.name).or_insert(index);
                    }
                    Decl::Clause(clause)
                }
                _ => continue,
            };
            nodes.push(node);
        }
        let edges: Vec<Vec<(usize, Span)>> = nodes
            .iter()
            .map(|node| {
                let mut out = Vec::new();
                let mut exprs: Vec<&Expr> = Vec::new();
                // A state's steps read its own name (its value before the step) freely.
                let mut own_steps: Vec<&Expr> = Vec::new();
                let own = match node {
                    Decl::Clause(clause) => clause.id.name.as_str(),
                    Decl::Value { .. } => "",
                };
                match node {
                    Decl::Value { value, .. } => exprs.extend(value.iter().copied()),
                    Decl::Clause(clause) => {
                        for item in &clause.items {
                            match &item.kind {
                                ClauseItemKind::OnBreach(o)
                                | ClauseItemKind::WhileUnmet(o)
                                | ClauseItemKind::During(o) => {
                                    if let Some(&i) = by_clause.get(o.name.as_str()) {
                                        out.push((i, o.span));
                                    }
                                }
                                kind @ ClauseItemKind::Step { .. } => {
                                    own_steps.extend(lint::item_exprs(kind))
                                }
                                kind => exprs.extend(lint::item_exprs(kind)),
                            }
                        }
                    }
                }
                let tagged = exprs
                    .into_iter()
                    .map(|e| (e, false))
                    .chain(own_steps.into_iter().map(|e| (e, true)));
                for (expr, in_own_steps) in tagged {
                    let mut clause_args: BTreeSet<Span> = BTreeSet::new();
                    let mut state_args: BTreeSet<Span> = BTreeSet::new();
                    lint::visit(expr, &mut |e| match &e.kind {
                        ExprKind::Call(_, args, Some(Builtin::Charged)) => {
                            if let Some(ExprKind::Name(n)) = args.first().map(|a| &a.kind) {
                                clause_args.insert(n.span);
                                // A charge may add up its own earlier amounts (the checker
                                // requires a window before its own event).
                                if n.name != own {
                                    if let Some(&i) = by_clause.get(n.name.as_str()) {
                                        out.push((i, n.span));
                                    }
                                }
                            }
                        }
                        ExprKind::Call(
                            _,
                            args,
                            Some(Builtin::StateAfter | Builtin::StateBefore),
                        ) => {
                            if let Some(ExprKind::Name(n)) = args.first().map(|a| &a.kind) {
                                state_args.insert(n.span);
                            }
                        }
                        ExprKind::Call(
                            _,
                            args,
                            Some(Builtin::Met | Builtin::Due | Builtin::MetOn | Builtin::EndOf),
                        ) => {
                            if let Some(ExprKind::Name(n)) = args.first().map(|a| &a.kind) {
                                clause_args.insert(n.span);
                                if let Some(&i) = by_clause.get(n.name.as_str()) {
                                    out.push((i, n.span));
                                }
                            }
                        }
                        ExprKind::Name(n) if !clause_args.contains(&n.span) => {
                            if let Some(&i) = by_name.get(n.name.as_str()) {
                                out.push((i, n.span));
                            } else if let Some(&i) = by_state.get(n.name.as_str()) {
                                let before_step =
                                    in_own_steps && n.name == own && !state_args.contains(&n.span);
                                if !before_step {
                                    out.push((i, n.span));
                                }
                            }
                        }
                        _ => {}
                    });
                }
                out
            })
            .collect();

        // Colour-marking depth-first search: 0 = new, 1 = on the current path, 2 = done.
        let mut state = vec![0u8; nodes.len()];
        let mut order: Vec<usize> = Vec::with_capacity(nodes.len());
        let mut cyclic: BTreeSet<String> = BTreeSet::new();
        for start in 0..nodes.len() {
            if state.get(start) != Some(&0) {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            if let Some(s) = state.get_mut(start) {
                *s = 1;
            }
            while let Some((node, next)) = stack.last().copied() {
                let edges = edges.get(node).map_or(&[][..], Vec::as_slice);
                let Some(&(to, span)) = edges.get(next) else {
                    if let Some(s) = state.get_mut(node) {
                        *s = 2;
                    }
                    order.push(node);
                    stack.pop();
                    continue;
                };
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                match state.get(to) {
                    Some(0) => {
                        if let Some(s) = state.get_mut(to) {
                            *s = 1;
                        }
                        stack.push((to, 0));
                    }
                    Some(1) => {
                        let from = stack.iter().rposition(|(n, _)| *n == to).unwrap_or(0);
                        let path: Vec<usize> = stack
                            .get(from..)
                            .unwrap_or(&[])
                            .iter()
                            .map(|(n, _)| *n)
                            .collect();
                        for n in &path {
                            if let Some(Decl::Value { name, .. }) = nodes.get(*n) {
                                cyclic.insert(name.name.clone());
                            }
                        }
                        let d = cycle(&nodes, &path, to, span);
                        self.error(d);
                    }
                    _ => {}
                }
            }
        }
        let evaluation = order
            .iter()
            .filter_map(|n| match nodes.get(*n) {
                Some(Decl::Value { name, .. }) => Some(Declared::Value(name.name.clone())),
                Some(Decl::Clause(c)) => Some(Declared::Clause(c.id.name.clone())),
                None => None,
            })
            .collect();
        let lets = order
            .into_iter()
            .filter_map(|n| match nodes.get(n) {
                Some(Decl::Value {
                    name, param: false, ..
                }) => Some(*name),
                _ => None,
            })
            .collect();
        (lets, cyclic, evaluation)
    }

    /// Types the `let`s, in dependency order. One caught in a cycle, or whose value has no
    /// type, is marked as failed: its uses then report nothing more.
    fn lets(&mut self, contract: &ast::Contract, order: &[&ast::Ident], cyclic: &BTreeSet<String>) {
        let defs: HashMap<&str, &Expr> = contract
            .items
            .iter()
            .filter_map(|i| match i {
                ast::Item::Let { name, value } => Some((name.name.as_str(), value)),
                _ => None,
            })
            .rev() // the first declaration wins
            .collect();
        for name in order {
            let Some(expr) = defs.get(name.name.as_str()).copied() else {
                continue;
            };
            if cyclic.contains(&name.name) {
                self.failed.insert(name.name.clone());
                continue;
            }
            let env = Env::default();
            let id = self.value_ids.get(&name.name).copied();
            match (self.lower(expr, &env), id) {
                (Some(core), Some(id)) => {
                    self.let_types
                        .insert(name.name.clone(), (id, core.ty.clone()));
                    if let Some(slot) = self.definitions.get_mut(id) {
                        *slot = Some(Definition {
                            name: name.name.clone(),
                            ty: core.ty.clone(),
                            value: Some(core),
                            param: false,
                            span: name.span,
                        });
                    }
                }
                _ => {
                    self.failed.insert(name.name.clone());
                }
            }
        }
    }
}

/// A parameter or `let`, or a clause by id, as the dependency search orders them.
enum Declared {
    Value(String),
    Clause(String),
}

/// The evaluator's order: names resolved to their slots, clause ids to their indices among
/// the checked clauses.
fn evaluation_order(
    order: Vec<Declared>,
    clauses: &[Clause],
    values: &HashMap<String, ValueId>,
) -> Vec<Evaluation> {
    let index: HashMap<&str, usize> = clauses
        .iter()
        .enumerate()
        .rev() // the first declaration wins
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    order
        .into_iter()
        .filter_map(|d| match d {
            Declared::Value(name) => values.get(&name).map(|&v| Evaluation::Value(v)),
            Declared::Clause(id) => index.get(id.as_str()).map(|&i| Evaluation::Clause(i)),
        })
        .collect()
}

/// A declaration that can depend on others.
#[derive(Clone, Copy)]
enum Decl<'a> {
    Value {
        name: &'a Ident,
        param: bool,
        value: Option<&'a Expr>,
    },
    Clause(&'a ast::Clause),
}

impl Decl<'_> {
    fn name(&self) -> &str {
        match self {
            Decl::Value { name, .. } => &name.name,
            Decl::Clause(c) => &c.id.name,
        }
    }
}

/// The diagnostic for a cycle: `path` runs from `to` to the node whose use of `to` (at
/// `span`) closes it.
fn cycle(nodes: &[Decl], path: &[usize], to: usize, span: Span) -> Diagnostic {
    let name = |n: usize| nodes.get(n).map_or("?", Decl::name);
    let first = name(to);
    let message = if path.len() <= 1 {
        format!("`{first}` is defined in terms of itself")
    } else {
        let mut names: Vec<String> = path.iter().map(|n| format!("`{}`", name(*n))).collect();
        if names.len() > 6 {
            let tail = names.split_off(names.len() - 2);
            names.truncate(3);
            names.push(String::from("…"));
            names.extend(tail);
        }
        names.push(format!("`{first}`"));
        format!("`{first}` depends on itself: {}", names.join(" → "))
    };
    Diagnostic::error("terms::check::cyclic_definition", span, message)
        .label("the cycle closes here")
        .help(
            "break the cycle: a parameter, `let` or clause may only use what does not depend on it",
        )
}

/// The lines of one clause body, gathered by kind.
#[derive(Default)]
struct Parts {
    for_each: Option<(Ident, Ident, Option<Expr>)>,
    on_breach: Option<Ident>,
    duty: Option<(ast::PartyRef, ast::Text)>,
    prohibition: Option<(ast::PartyRef, ast::Text)>,
    permission: Option<(ast::PartyRef, ast::Text)>,
    owes: Option<(ast::PartyRef, ast::PartyRef, Expr)>,
    deadline: Option<ast::Deadline>,
    via: Option<Vec<Ident>>,
    fulfilled_by: Option<Ident>,
    exercised_by: Option<Ident>,
    breached_by: Option<Ident>,
    requires: Option<Expr>,
    opens: Option<ast::Opens>,
    while_unmet: Option<Ident>,
    when: Option<Expr>,
    otherwise: Option<ast::Text>,
    counts: Option<ast::Counting>,
    starts: Option<Expr>,
    lasts: Option<Expr>,
    renews: Option<(bool, Expr)>,
    notices: Vec<(Ident, ast::PartyRef, Vec<Ident>, ast::Duration)>,
    is: Option<Expr>,
    pays: Option<(ast::PartyRef, ast::PartyRef, Ident)>,
    order: Option<Vec<ast::OrderEntry>>,
    label: Option<ast::Text>,
    until: Option<Expr>,
    rolls: bool,
    /// `delay counted in …`, and where it is written.
    delay_periods: Option<(ast::PeriodRule, Span)>,
    /// `during TERM`.
    during: Option<Ident>,
    /// A state's steps: (kind, variable, `where`, value), as written.
    steps: Vec<(Ident, Ident, Option<Expr>, Expr)>,
    spans: HashMap<&'static str, Span>,
}

impl Parts {
    /// Records a line; returns the span of an earlier line of the same kind, if any.
    fn add(&mut self, item: &ast::ClauseItem) -> Option<Span> {
        let word = item.kind.word();
        if word != "notice" && word != "on … =>" {
            if let Some(first) = self.spans.get(word) {
                return Some(*first);
            }
            self.spans.insert(word, item.span);
        }
        match item.kind.clone() {
            ClauseItemKind::ForEach { kind, var, filter } => {
                self.for_each = Some((kind, var, filter))
            }
            ClauseItemKind::OnBreach(o) => self.on_breach = Some(o),
            ClauseItemKind::Duty { party, action } => self.duty = Some((party, action)),
            ClauseItemKind::Prohibition { party, action } => {
                self.prohibition = Some((party, action))
            }
            ClauseItemKind::Permission { party, action } => self.permission = Some((party, action)),
            ClauseItemKind::Owes {
                debtor,
                creditor,
                amount,
            } => self.owes = Some((debtor, creditor, amount)),
            ClauseItemKind::Deadline(d) => self.deadline = Some(d),
            ClauseItemKind::Via(v) => self.via = Some(v),
            ClauseItemKind::FulfilledBy(k) => self.fulfilled_by = Some(k),
            ClauseItemKind::ExercisedBy(k) => self.exercised_by = Some(k),
            ClauseItemKind::BreachedBy(k) => self.breached_by = Some(k),
            ClauseItemKind::Requires(e) => self.requires = Some(e),
            ClauseItemKind::Opens(o) => self.opens = Some(o),
            ClauseItemKind::WhileUnmet(o) => self.while_unmet = Some(o),
            ClauseItemKind::When(e) => self.when = Some(e),
            ClauseItemKind::Otherwise(t) => self.otherwise = Some(t),
            ClauseItemKind::Counts(c) => self.counts = Some(c),
            ClauseItemKind::Starts(e) => self.starts = Some(e),
            ClauseItemKind::Lasts(d) => self.lasts = Some(d),
            ClauseItemKind::Renews { tacit, period } => self.renews = Some((tacit, period)),
            ClauseItemKind::Notice {
                kind,
                party,
                via,
                before,
            } => self.notices.push((kind, party, via, before)),
            ClauseItemKind::Is(e) => self.is = Some(e),
            ClauseItemKind::Pays {
                debtor,
                creditor,
                kind,
            } => self.pays = Some((debtor, creditor, kind)),
            ClauseItemKind::Order(o) => self.order = Some(o),
            ClauseItemKind::Label(t) => self.label = Some(t),
            ClauseItemKind::Until(e) => self.until = Some(e),
            ClauseItemKind::RollsForward => self.rolls = true,
            ClauseItemKind::DelayPeriods(rule) => self.delay_periods = Some((rule, item.span)),
            ClauseItemKind::During(term) => self.during = Some(term),
            ClauseItemKind::Step {
                kind,
                var,
                filter,
                value,
            } => self.steps.push((kind, var, filter, value)),
        }
        None
    }
}

/// Whether a duration can be a term's period: positive, in calendar days or longer.
pub fn is_period(d: &ast::Duration) -> bool {
    d.count > 0 && !d.business && !matches!(d.unit, ast::Unit::Hours | ast::Unit::Minutes)
}

/// Which lines each clause kind takes.
fn allowed(kind: ClauseKind, item: &ClauseItemKind) -> bool {
    use ClauseItemKind as I;
    // `delay counted in …` may stand in any clause that can be `on breach of` an obligation;
    // the checker refuses it in one that is not.
    let scoped = matches!(
        item,
        I::ForEach { .. } | I::OnBreach(_) | I::When(_) | I::DelayPeriods(_) | I::During(_)
    );
    match kind {
        ClauseKind::Obligation => {
            scoped
                || matches!(
                    item,
                    I::Duty { .. }
                        | I::RollsForward
                        | I::Prohibition { .. }
                        | I::Deadline(_)
                        | I::Via(_)
                        | I::FulfilledBy(_)
                        | I::BreachedBy(_)
                        | I::Requires(_)
                        | I::Counts(_)
                        | I::Otherwise(_)
                        | I::Until(_)
                )
        }
        ClauseKind::Right => {
            scoped
                || matches!(
                    item,
                    I::Permission { .. }
                        | I::RollsForward
                        | I::Opens(_)
                        | I::Deadline(_)
                        | I::Via(_)
                        | I::ExercisedBy(_)
                        | I::WhileUnmet(_)
                        | I::Counts(_)
                        | I::Otherwise(_)
                )
        }
        ClauseKind::Charge(_) => scoped || matches!(item, I::Owes { .. } | I::Label(_)),
        ClauseKind::Term => matches!(
            item,
            I::Starts(_)
                | I::Lasts(_)
                | I::Renews { .. }
                | I::Notice { .. }
                | I::Counts(_)
                | I::Duty { .. }
        ),
        ClauseKind::Date | ClauseKind::Value => scoped || matches!(item, I::Is(_)),
        ClauseKind::Allocation => matches!(item, I::Pays { .. } | I::Order(_)),
        ClauseKind::State => matches!(item, I::Starts(_) | I::Step { .. }),
    }
}

fn as_clause(item: &ast::Item) -> Option<&ast::Clause> {
    match item {
        ast::Item::Clause(c) => Some(c),
        _ => None,
    }
}

/// "did you mean `x`? " or "".
fn suggestion<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match did_you_mean(name, candidates) {
        Some(s) => format!("did you mean `{s}`? "),
        None => String::new(),
    }
}

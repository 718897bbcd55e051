//! Clause bodies: which lines each kind takes, and what they must say.

use super::*;

impl Checker {
    pub(super) fn clauses(&mut self, contract: &ast::Contract) -> Vec<Clause> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for clause in contract.items.iter().filter_map(as_clause) {
            if !seen.insert(clause.id.name.clone()) {
                continue; // duplicate id, already reported
            }
            if clause.article.value.trim().is_empty() {
                self.error(
                    Diagnostic::error(
                        "terms::check::empty_article",
                        clause.article.span,
                        "the clause cites no article",
                    )
                    .label("empty citation")
                    .help(
                        "cite the article exactly as the vendor numbers it, e.g. `article \"4.5\"`",
                    ),
                );
            }
            if let Some(c) = self.clause(clause) {
                out.push(c);
            }
        }
        // Clause indices are positions among the checked clauses once there is no error.
        if !self.diagnostics.iter().any(Diagnostic::is_error) {
            self.charges_in_orders(contract, &out);
        }
        out
    }

    /// A `value` clause's expression: anything a report can show as text.
    fn reported_value(&mut self, expr: &Expr, env: &Env) -> Option<Core> {
        let core = self.lower(expr, env)?;
        match core.ty {
            Type::Money
            | Type::MoneyIn(_)
            | Type::Percent
            | Type::Number
            | Type::Time
            | Type::Duration
            | Type::Text
            | Type::Bool
            | Type::Party
            | Type::Quantity(_) => Some(core),
            ref other => {
                let other = other.clone();
                self.mismatch(
                    expr.span,
                    format!("a value clause cannot report {other}"),
                    "report money, a percentage, a number, a date, a duration, text, a truth value or a party",
                )
            }
        }
    }

    /// A charge in an allocation's order is computed on each payment's day from the debt it
    /// adds to: it must be kept `on breach of` an obligation that the allocation's payments
    /// fulfil, over a kind of debt in the same order, between the same parties.
    fn charges_in_orders(&mut self, contract: &ast::Contract, clauses: &[Clause]) {
        for (clause, ast_clause) in clauses
            .iter()
            .zip(contract.items.iter().filter_map(as_clause))
        {
            let Body::Allocation(rule) = &clause.body else {
                continue;
            };
            let kinds: Vec<KindId> = rule
                .order
                .iter()
                .filter_map(|d| match d {
                    Debts::Events { kind, .. } => Some(*kind),
                    Debts::Charge(_) => None,
                })
                .collect();
            for debt in &rule.order {
                let Debts::Charge(index) = debt else {
                    continue;
                };
                let Some(charge_clause) = clauses.get(*index) else {
                    continue;
                };
                let span = ast_clause
                    .items
                    .iter()
                    .find_map(|i| match &i.kind {
                        ClauseItemKind::Order(entries) => entries
                            .iter()
                            .find(|e| e.source.name == charge_clause.id)
                            .map(|e| e.source.span),
                        _ => None,
                    })
                    .unwrap_or(ast_clause.id.span);
                let problem = match (&charge_clause.scope, &charge_clause.body) {
                    (Scope::OnBreach { obligation, .. }, Body::Charge(charge)) => {
                        match clauses.get(*obligation).map(|o| (&o.scope, &o.body)) {
                            Some((Scope::ForEach { kind, .. }, Body::Obligation(o)))
                                if o.act == Some(rule.pays) && kinds.contains(kind) =>
                            {
                                let same = |a: &Party, b: &Party| match (a, b) {
                                    (Party::Named(x), Party::Named(y)) => x == y,
                                    _ => true,
                                };
                                (!same(&charge.debtor, &rule.debtor)
                                    || !same(&charge.creditor, &rule.creditor))
                                .then_some("it is owed between other parties than the payments")
                            }
                            _ => Some("the obligation it is kept on breach of is not one this allocation's payments fulfil over a kind of debt in this order"),
                        }
                    }
                    _ => Some("it is not kept `on breach of` an obligation"),
                };
                if let Some(problem) = problem {
                    self.error(
                        Diagnostic::error(
                            "terms::check::misplaced_item",
                            span,
                            format!(
                                "the charge `{}` cannot be a debt in this order: {problem}",
                                charge_clause.id
                            ),
                        )
                        .label("computed charge")
                        .help("a computed charge in an order is `on breach of` the obligation to pay a debt of the order (`on breach of pay_invoice`), owed by the payer to the payee"),
                    );
                }
            }
        }
    }

    pub(super) fn clause(&mut self, clause: &ast::Clause) -> Option<Clause> {
        let mut parts = Parts::default();
        for item in &clause.items {
            if !allowed(clause.kind, &item.kind) {
                self.error(
                    Diagnostic::error(
                        "terms::check::misplaced_item",
                        item.span,
                        format!(
                            "a `{}` clause has no `{}` line",
                            clause.kind.word(),
                            item.kind.word()
                        ),
                    )
                    .label("not allowed here")
                    .help(format!(
                        "see the `{}` clause in docs/language.md for the lines it takes",
                        clause.kind.word()
                    )),
                );
                continue;
            }
            if let Some(first) = parts.add(item) {
                self.error(
                    Diagnostic::error(
                        "terms::check::misplaced_item",
                        item.span,
                        format!(
                            "the `{}` line appears twice in `{}`",
                            item.kind.word(),
                            clause.id.name
                        ),
                    )
                    .label("second occurrence")
                    .also(first, "first occurrence")
                    .help("keep one of them"),
                );
            }
        }
        let errors_before = self.diagnostics.iter().filter(|d| d.is_error()).count();
        self.current_clause = self
            .clause_ids
            .get(&clause.id.name)
            .map(|(index, _, _)| (clause.id.name.clone(), *index));
        let (scope, env) = self.scope(&parts);
        let when = parts
            .when
            .as_ref()
            .map(|e| self.lower_as(e, &Type::Bool, &env));
        let body = match clause.kind {
            ClauseKind::Obligation => self.obligation(clause, &parts, &env).map(Body::Obligation),
            ClauseKind::Right => self.right(clause, &parts, &env).map(Body::Right),
            ClauseKind::Charge(kind) => self.charge(clause, kind, &parts, &env).map(Body::Charge),
            ClauseKind::Term => self.term(clause, &parts, &env).map(Body::Term),
            ClauseKind::Date => match &parts.is {
                Some(e) => self
                    .lower_as(e, &Type::Time, &env)
                    .map(|value| Body::Date(DateRule { value })),
                None => self.missing(clause, "is …"),
            },
            ClauseKind::Value => match &parts.is {
                Some(e) => self
                    .reported_value(e, &env)
                    .map(|value| Body::Value(DateRule { value })),
                None => self.missing(clause, "is …"),
            },
            ClauseKind::Allocation => self.allocation(clause, &parts).map(Body::Allocation),
            ClauseKind::State => self.state_rule(clause, &parts).map(Body::State),
        };
        let during = parts
            .during
            .as_ref()
            .and_then(|term| self.during(term, &scope));
        let errors_after = self.diagnostics.iter().filter(|d| d.is_error()).count();
        if errors_after > errors_before {
            return None;
        }
        Some(Clause {
            id: clause.id.name.clone(),
            article: clause.article.value.clone(),
            span: clause.span,
            scope,
            when: match when {
                Some(w) => Some(w?),
                None => None,
            },
            rolls: parts.rolls || self.roll_forward,
            during,
            body: body?,
        })
    }

    /// `during TERM`: a term of this contract, on a clause kept per event.
    fn during(&mut self, term: &ast::Ident, scope: &Scope) -> Option<ClauseId> {
        if !matches!(scope, Scope::ForEach { .. }) {
            self.error(
                Diagnostic::error(
                    "terms::check::misplaced_item",
                    term.span,
                    "`during` needs a clause kept per event (`for each`)",
                )
                .label("no event to place in the term")
                .help("add `for each KIND VAR`, or remove the line"),
            );
            return None;
        }
        match self.clause_ids.get(&term.name) {
            Some((index, ClauseKind::Term, _)) => Some(*index),
            _ => {
                self.unknown_clause(term, "term");
                None
            }
        }
    }

    pub(super) fn missing<T>(&mut self, clause: &ast::Clause, line: &str) -> Option<T> {
        self.error(
            Diagnostic::error(
                "terms::check::missing_item",
                clause.id.span,
                format!(
                    "the {} `{}` has no `{line}` line",
                    clause.kind.word(),
                    clause.id.name
                ),
            )
            .label("incomplete clause")
            .help(format!("add a `{line}` line to the clause body")),
        );
        None
    }

    pub(super) fn scope(&mut self, parts: &Parts) -> (Scope, Env) {
        if let (Some((rule, span)), None) = (parts.delay_periods, &parts.on_breach) {
            self.error(
                Diagnostic::error(
                    "terms::check::misplaced_item",
                    span,
                    format!(
                        "`delay counted in {} periods` needs a delay: the clause is not `on breach of` an obligation",
                        rule.word()
                    ),
                )
                .label("no delay to count")
                .help("keep the line in a clause `on breach of OBLIGATION`, where `delay` is bound"),
            );
        }
        if let Some((kind, var, filter)) = &parts.for_each {
            let taken = self
                .parties
                .get(&var.name)
                .map(|(span, _)| (*span, "a party"))
                .or_else(|| {
                    self.declared
                        .get(&var.name)
                        .map(|span| (*span, "a declaration"))
                });
            if let Some((first, what)) = taken {
                self.error(
                    Diagnostic::error(
                        "terms::check::duplicate_name",
                        var.span,
                        format!("the event variable `{}` has the name of {what}", var.name),
                    )
                    .label("event variable")
                    .also(first, "declared here")
                    .help(format!(
                        "name the event otherwise, e.g. `for each {} {}_event`",
                        kind.name, var.name
                    )),
                );
            }
            let Some(kind_id) = self.kind_id(kind) else {
                return (Scope::Once, Env::default());
            };
            let env = Env {
                var: Some((var.name.clone(), kind.name.clone())),
                for_each: true,
                ..Env::default()
            };
            // A filter in error leaves the clause without one: the error stops the contract.
            let filter = filter
                .as_ref()
                .and_then(|f| self.lower_as(f, &Type::Bool, &env));
            let scope = Scope::ForEach {
                kind: kind_id,
                filter,
            };
            return (scope, env);
        }
        if let Some(obligation) = &parts.on_breach {
            match self.clause_ids.get(&obligation.name).cloned() {
                Some((index, ClauseKind::Obligation, binding)) => {
                    let env = Env {
                        var: binding.clone(),
                        delay: true,
                        delay_periods: parts.delay_periods.map(|(rule, _)| rule),
                        ..Env::default()
                    };
                    let kind = binding.and_then(|(_, k)| self.kind_ids.get(&k).copied());
                    return (
                        Scope::OnBreach {
                            obligation: index,
                            kind,
                        },
                        env,
                    );
                }
                _ => {
                    self.unknown_clause(obligation, "obligation");
                }
            }
        }
        (Scope::Once, Env::default())
    }

    pub(super) fn unknown_clause(&mut self, name: &Ident, what: &str) {
        let candidates: Vec<&str> = self
            .clause_ids
            .iter()
            .filter(|(_, (_, k, _))| what != "obligation" || *k == ClauseKind::Obligation)
            .map(|(n, _)| n.as_str())
            .collect();
        let hint = suggestion(&name.name, candidates);
        self.error(
            Diagnostic::error(
                "terms::check::unknown_clause",
                name.span,
                format!(
                    "`{}` is not a{} {what} of this contract",
                    name.name,
                    if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
                        "n"
                    } else {
                        ""
                    }
                ),
            )
            .label(format!("no such {what}"))
            .help(format!(
                "{hint}name a clause declared with `{what} NAME article \"…\"`"
            )),
        );
    }

    pub(super) fn obligation(
        &mut self,
        clause: &ast::Clause,
        parts: &Parts,
        env: &Env,
    ) -> Option<Obligation> {
        let (party, action, prohibition) = match (&parts.duty, &parts.prohibition) {
            (Some((p, a)), None) => (p, a, false),
            (None, Some((p, a))) => (p, a, true),
            _ => return self.missing(clause, "PARTY must \"…\""),
        };
        let party = self.party(party, env);
        let deadline = parts.deadline.as_ref().map(|d| self.deadline(d, env));
        self.act_lines(clause, parts, prohibition);
        let act = if prohibition {
            parts.breached_by.as_ref()
        } else {
            parts.fulfilled_by.as_ref()
        };
        let act = act.map(|kind| self.act_kind(kind, env));
        if deadline.is_none() && parts.requires.is_none() && !prohibition {
            return self.missing(clause, "within/by/at least … or requires");
        }
        let requires = parts
            .requires
            .as_ref()
            .map(|r| self.lower_as(r, &Type::Bool, env));
        let until = parts
            .until
            .as_ref()
            .map(|u| self.lower_as(u, &Type::Time, env));
        let via = self.channels(&parts.via);
        let channels = self.channel_ids(&via);
        Some(Obligation {
            party: party?,
            action: action.value.clone(),
            prohibition,
            deadline: deadline.map(|d| d.ok_or(())).transpose().ok()?,
            until: until.map(|u| u.ok_or(())).transpose().ok()?,
            via,
            channels,
            act: act.map(|a| a.ok_or(())).transpose().ok()?,
            requires: requires.map(|r| r.ok_or(())).transpose().ok()?,
            counts: parts.counts,
            otherwise: parts.otherwise.as_ref().map(|t| t.value.clone()),
        })
    }

    /// A duty is met by `fulfilled by`; a prohibition is broken by `breached by`, and without
    /// it could never be violated.
    pub(super) fn act_lines(&mut self, clause: &ast::Clause, parts: &Parts, prohibition: bool) {
        let line = |word: &str| {
            clause
                .items
                .iter()
                .find(|i| i.kind.word() == word)
                .map_or(clause.id.span, |i| i.span)
        };
        if prohibition {
            if parts.fulfilled_by.is_some() {
                self.error(
                    Diagnostic::error(
                        "terms::check::misplaced_item",
                        line("fulfilled by"),
                        format!("the prohibition `{}` cannot be fulfilled", clause.id.name),
                    )
                    .label("on a `must not`")
                    .help("a prohibition is broken by an act: write `breached by KIND`"),
                );
            } else if parts.breached_by.is_none() {
                self.error(
                    Diagnostic::error(
                        "terms::check::missing_item",
                        clause.id.span,
                        format!(
                            "the prohibition `{}` has no `breached by` line: nothing can violate it",
                            clause.id.name
                        ),
                    )
                    .label("prohibition without an act")
                    .help("add `breached by KIND`: the event kind that violates it"),
                );
            }
        } else if parts.breached_by.is_some() {
            self.error(
                Diagnostic::error(
                    "terms::check::misplaced_item",
                    line("breached by"),
                    format!(
                        "`{}` is a duty: `breached by` would count the act as fulfilling it",
                        clause.id.name
                    ),
                )
                .label("on a `must`")
                .help("write `fulfilled by KIND` for the act that meets the duty, or `PARTY must not \"…\"` for a prohibition"),
            );
        }
    }

    /// An event kind that acts on a clause (fulfils, exercises, breaches): it must exist and,
    /// in a `for each` clause, have a field that refers to the clause's event kind.
    pub(super) fn act_kind(&mut self, kind: &Ident, env: &Env) -> Option<KindId> {
        let id = self.kind_id(kind)?;
        if let Some((_, bound)) = &env.var {
            let bound = bound.clone();
            if !self.linked(&kind.name, &bound, kind.span) {
                return None;
            }
        }
        Some(id)
    }

    /// Whether `kind` events refer to `bound` events; reports it when they do not.
    pub(super) fn linked(&mut self, kind: &str, bound: &str, span: Span) -> bool {
        if self.refers_to(kind, bound) {
            return true;
        }
        self.error(
            Diagnostic::error(
                "terms::check::no_reference",
                span,
                format!("`{kind}` events do not refer to `{bound}` events"),
            )
            .label("no field links them")
            .help(format!("add a field of type `{bound}` to `event {kind}`")),
        );
        false
    }

    pub(super) fn refers_to(&self, kind: &str, target: &str) -> bool {
        self.events.get(kind).is_some_and(|k| {
            k.fields
                .values()
                .any(|f| f.ty == Type::Event(target.to_string()))
        })
    }

    /// Channels the checker knows, by id.
    pub(super) fn channel_ids(&self, names: &[String]) -> Vec<ChannelId> {
        names.iter().filter_map(|n| self.channels.id(n)).collect()
    }

    pub(super) fn channels(&mut self, via: &Option<Vec<Ident>>) -> Vec<String> {
        let mut out = Vec::new();
        for channel in via.iter().flatten() {
            if self.known_channel(channel) {
                out.push(channel.name.clone());
            }
        }
        out
    }

    pub(super) fn deadline(&mut self, deadline: &ast::Deadline, env: &Env) -> Option<DeadlineRule> {
        Some(match deadline {
            ast::Deadline::Within(d, e) => {
                DeadlineRule::Within(*d, self.lower_as(e, &Type::Time, env)?)
            }
            ast::Deadline::AtLeastBefore(d, e) => {
                DeadlineRule::AtLeastBefore(*d, self.lower_as(e, &Type::Time, env)?)
            }
            ast::Deadline::By(e) => DeadlineRule::By(self.lower_as(e, &Type::Time, env)?),
        })
    }

    pub(super) fn right(
        &mut self,
        clause: &ast::Clause,
        parts: &Parts,
        env: &Env,
    ) -> Option<Right> {
        let Some((party, action)) = &parts.permission else {
            return self.missing(clause, "PARTY may \"…\"");
        };
        let party = self.party(party, env);
        let opens = match &parts.opens {
            Some(ast::Opens::AfterGrace(d, e)) => Some(
                self.lower_as(e, &Type::Time, env)
                    .map(|e| Opens::AfterGrace(*d, e)),
            ),
            Some(ast::Opens::On(e)) => Some(self.lower_as(e, &Type::Time, env).map(Opens::On)),
            None => None,
        };
        let deadline = parts.deadline.as_ref().map(|d| self.deadline(d, env));
        let exercised_by = parts
            .exercised_by
            .as_ref()
            .map(|kind| self.act_kind(kind, env));
        let while_unmet = match &parts.while_unmet {
            Some(name) => self.same_scope_obligation(name, env),
            None => None,
        };
        let via = self.channels(&parts.via);
        let channels = self.channel_ids(&via);
        Some(Right {
            party: party?,
            action: action.value.clone(),
            opens: opens.map(|o| o.ok_or(())).transpose().ok()?,
            deadline: deadline.map(|d| d.ok_or(())).transpose().ok()?,
            via,
            channels,
            exercised_by: exercised_by.map(|k| k.ok_or(())).transpose().ok()?,
            while_unmet,
            counts: parts.counts,
            otherwise: parts.otherwise.as_ref().map(|t| t.value.clone()),
        })
    }

    /// An obligation named from another clause: it must iterate over the same event kind,
    /// so "this event's instance" means something.
    pub(super) fn same_scope_obligation(&mut self, name: &Ident, env: &Env) -> Option<usize> {
        match self.clause_ids.get(&name.name).cloned() {
            Some((index, ClauseKind::Obligation, binding)) => {
                let theirs = binding.map(|(_, k)| k);
                let ours = env.var.as_ref().map(|(_, k)| k.clone());
                if theirs != ours {
                    self.error(
                        Diagnostic::error(
                            "terms::check::scope_mismatch",
                            name.span,
                            format!(
                                "`{}` is not kept per event of this clause's kind",
                                name.name
                            ),
                        )
                        .label("different scope")
                        .help("both clauses must use `for each` over the same event kind"),
                    );
                    return None;
                }
                Some(index)
            }
            _ => {
                self.unknown_clause(name, "obligation");
                None
            }
        }
    }

    pub(super) fn charge(
        &mut self,
        clause: &ast::Clause,
        kind: ast::ChargeKind,
        parts: &Parts,
        env: &Env,
    ) -> Option<Charge> {
        let Some((debtor, creditor, amount)) = &parts.owes else {
            return self.missing(clause, "PARTY owes PARTY AMOUNT");
        };
        let debtor = self.party(debtor, env);
        let creditor = self.party(creditor, env);
        let amount = self.charged_amount(amount, env);
        let label = match &parts.label {
            Some(text) if text.value.trim().is_empty() => {
                self.error(
                    Diagnostic::error(
                        "terms::check::empty_label",
                        text.span,
                        "the label is empty",
                    )
                    .label("empty label")
                    .help("say what the amount is, e.g. `label \"service credit\"`, or remove the line"),
                );
                String::new()
            }
            Some(text) => text.value.clone(),
            None => kind.word().to_string(),
        };
        if kind != ast::ChargeKind::Charge {
            self.charge_word(clause, kind, parts.label.is_some());
        }
        let (amount, currency) = amount?;
        Some(Charge {
            label,
            debtor: debtor?,
            creditor: creditor?,
            amount,
            currency,
        })
    }

    /// `interest`, `penalty` and the other charge words are `charge` with a label: they still
    /// work, with a warning that gives the line to write instead.
    fn charge_word(&mut self, clause: &ast::Clause, kind: ast::ChargeKind, labelled: bool) {
        let word = kind.word();
        let fix = if labelled {
            format!(
                "write `charge {}` instead: the clause's label stays",
                clause.id.name
            )
        } else {
            format!(
                "write `charge {} article \"{}\" {{` and add the line `label \"{word}\"`: the report reads the same",
                clause.id.name, clause.article.value
            )
        };
        self.error(
            Diagnostic::warning(
                "terms::lint::charge_word",
                clause.kind_span,
                format!("`{word}` is a `charge` with a label"),
            )
            .label("deprecated clause word")
            .help(fix),
        );
    }

    pub(super) fn term(&mut self, clause: &ast::Clause, parts: &Parts, env: &Env) -> Option<Term> {
        let Some(starts) = &parts.starts else {
            return self.missing(clause, "starts …");
        };
        let Some(lasts) = &parts.lasts else {
            return self.missing(clause, "lasts …");
        };
        let starts = self.lower_as(starts, &Type::Time, env);
        let mut notices = Vec::new();
        for (kind, party, via, before) in &parts.notices {
            let kind = self.kind_id(kind);
            let party = if party.field.is_some() {
                self.error(
                    Diagnostic::error(
                        "terms::check::unknown_party",
                        party.span,
                        "a term's notice names a declared party",
                    )
                    .label("not a declared party")
                    .help("write `notice KIND by PARTY …` with a party declared by `party`"),
                );
                String::new()
            } else {
                self.known_party(&party.base);
                party.base.name.clone()
            };
            let via = self.channels(&Some(via.clone()));
            let channels = self.channel_ids(&via);
            let Some(kind) = kind else {
                continue;
            };
            notices.push(TermNotice {
                kind,
                party,
                via,
                channels,
                before: *before,
            });
        }
        let mut periods = Vec::new();
        for d in [Some(lasts), parts.renews.as_ref().map(|r| &r.1)]
            .into_iter()
            .flatten()
        {
            periods.push(self.lower_as(d, &Type::Duration, env));
            if let ExprKind::Duration(d) = &d.kind {
                if !is_period(d) {
                    self.error(
                        Diagnostic::error("terms::check::bad_period", d.span, format!("a term cannot last `{d}`"))
                            .label("not a term length")
                            .help("a term lasts a positive number of calendar days, weeks, months or years"),
                    );
                }
            }
        }
        let mut periods = periods.into_iter();
        let lasts = periods.next().flatten();
        let renews = periods.next();
        Some(Term {
            starts: starts?,
            lasts: lasts?,
            renews: match renews {
                Some(r) => Some(r?),
                None => None,
            },
            on_renewal: match &parts.duty {
                Some((party, action)) => Some((self.party(party, env)?, action.value.clone())),
                None => None,
            },
            notices,
            counts: parts.counts,
        })
    }

    pub(super) fn allocation(&mut self, clause: &ast::Clause, parts: &Parts) -> Option<Allocation> {
        let Some((debtor, creditor, pays)) = &parts.pays else {
            return self.missing(clause, "PARTY pays PARTY by KIND");
        };
        let env = Env::default();
        let debtor = self.party(debtor, &env);
        let creditor = self.party(creditor, &env);
        let Some(order) = &parts.order else {
            return self.missing(clause, "order …");
        };
        let pays = self.kind_id(pays);
        let mut debts = Vec::new();
        for entry in order {
            let charge = match self.clause_ids.get(&entry.source.name) {
                Some((index, ClauseKind::Charge(_), _))
                    if !self.events.contains_key(&entry.source.name) =>
                {
                    Some(*index)
                }
                _ => None,
            };
            if let Some(index) = charge {
                if let Some((_, cond)) = &entry.filter {
                    self.error(
                        Diagnostic::error(
                            "terms::check::misplaced_item",
                            cond.span,
                            format!("the charge `{}` takes no `where`", entry.source.name),
                        )
                        .label("a filter on a charge")
                        .help("a charge's instances are chosen by its own clause: put the condition in its `when`"),
                    );
                }
                debts.push(Debts::Charge(index));
                continue;
            }
            if let Some(kind) = self.kind_id(&entry.source) {
                let filter = match &entry.filter {
                    Some((var, cond)) => {
                        let env = Env {
                            var: Some((var.name.clone(), entry.source.name.clone())),
                            ..Env::default()
                        };
                        let filter = self.lower_as(cond, &Type::Bool, &env);
                        if let Some(f) = &filter {
                            self.debt_filter_reads_only_the_debt(f);
                        }
                        filter
                    }
                    None => None,
                };
                debts.push(Debts::Events { kind, filter });
                let has_amount = self
                    .events
                    .get(&entry.source.name)
                    .and_then(|k| k.fields.get("amount"))
                    .map(|f| &f.ty);
                if has_amount != Some(&Type::Money) {
                    self.error(
                        Diagnostic::error(
                            "terms::check::type_mismatch",
                            entry.source.span,
                            format!(
                                "`{}` events have no `amount: money` field to pay",
                                entry.source.name
                            ),
                        )
                        .label("nothing to allocate to")
                        .help(format!(
                            "add `amount: money` to `event {}`",
                            entry.source.name
                        )),
                    );
                }
            }
        }
        Some(Allocation {
            debtor: debtor?,
            creditor: creditor?,
            pays: pays?,
            order: debts,
        })
    }

    /// An allocation's filter is read before any clause is evaluated (every clause sees the
    /// settlement): it may use the debt's fields, literals and parties, and the functions
    /// that compute from them, but no parameter, `let` or clause result.
    fn debt_filter_reads_only_the_debt(&mut self, filter: &Core) {
        let mut stack = vec![filter];
        while let Some(core) = stack.pop() {
            let refused = match &core.node {
                Node::Value(_) => Some("a parameter or `let`"),
                Node::State(_) => Some("a state"),
                Node::Call(call) => match call.as_ref() {
                    Call::Extreme { args, .. } => {
                        stack.extend(args);
                        None
                    }
                    Call::Round { arg, .. } | Call::EndOfMonth(arg) | Call::Given(arg) => {
                        stack.push(arg);
                        None
                    }
                    _ => Some("a function of the history or of other clauses"),
                },
                Node::Field(base, _) | Node::Neg(base) | Node::Not(base) => {
                    stack.push(base);
                    None
                }
                Node::Window { anchor, .. } => {
                    stack.push(anchor);
                    None
                }
                Node::Logic(_, a, b) | Node::Binary(_, a, b) => {
                    stack.push(a);
                    stack.push(b);
                    None
                }
                Node::If(a, b, c) => {
                    stack.extend([a.as_ref(), b.as_ref(), c.as_ref()]);
                    None
                }
                Node::Band(subject, arms) => {
                    stack.push(subject);
                    for (threshold, value) in arms {
                        stack.extend(threshold.iter());
                        stack.push(value);
                    }
                    None
                }
                Node::Const(_) | Node::Party(_) | Node::Var | Node::Delay | Node::Each => None,
            };
            if let Some(what) = refused {
                self.error(
                    Diagnostic::error(
                        "terms::check::misplaced_item",
                        core.span,
                        format!("an allocation's `where` cannot use {what}"),
                    )
                    .label("read before any clause")
                    .help("the allocation runs before every clause; filter on the debt's own fields, e.g. `invoice inv where not inv.direct_debit`"),
                );
                return;
            }
        }
    }
}

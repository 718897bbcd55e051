//! States (`state balance article "6.2" { starts …  on payment p => … }`), and the functions
//! that read what the contract computed earlier: `state_after`, `state_before`, `charged`.

use super::*;

impl Checker {
    /// Types every state from its `starts` value, in file order, before any clause body is
    /// checked: every clause may then read a state by name. A `starts` may use parameters,
    /// `let`s and the states above it.
    pub(super) fn state_types(&mut self, contract: &ast::Contract) {
        for clause in contract.items.iter().filter_map(as_clause) {
            if clause.kind != ClauseKind::State {
                continue;
            }
            let Some((index, _, _)) = self.clause_ids.get(&clause.id.name).cloned() else {
                continue;
            };
            if self.states.contains_key(&clause.id.name) {
                continue; // a duplicate, already reported
            }
            let starts = clause.items.iter().find_map(|i| match &i.kind {
                ClauseItemKind::Starts(e) => Some(e),
                _ => None,
            });
            let Some(starts) = starts else {
                // Reported with the clause (`missing_item`); its uses report nothing more.
                self.failed.insert(clause.id.name.clone());
                continue;
            };
            let Some(core) = self.lower(starts, &Env::default()) else {
                self.failed.insert(clause.id.name.clone());
                continue;
            };
            if !matches!(
                core.ty,
                Type::Money | Type::MoneyIn(_) | Type::Number | Type::Percent | Type::Quantity(_)
            ) {
                let found = core.ty.clone();
                self.failed.insert(clause.id.name.clone());
                self.mismatch::<()>(
                    starts.span,
                    format!("a state cannot hold {found}"),
                    "a state holds money, a number, a percentage or a quantity: start it with one (`starts EUR 0.00`)",
                );
                continue;
            }
            self.states
                .insert(clause.id.name.clone(), (index, core.ty.clone()));
            self.state_starts.insert(clause.id.name.clone(), core);
        }
    }

    /// A state clause's body: its start, typed already, and its steps, each of the state's
    /// type.
    pub(super) fn state_rule(&mut self, clause: &ast::Clause, parts: &Parts) -> Option<StateRule> {
        if parts.starts.is_none() {
            return self.missing(clause, "starts …");
        }
        // Typed by `state_types`; in error, reported there.
        let starts = self.state_starts.get(&clause.id.name).cloned()?;
        if parts.steps.is_empty() {
            return self.missing(clause, "on KIND NAME => …");
        }
        let ty = starts.ty.clone();
        let mut steps = Vec::new();
        let mut complete = true;
        for (kind, var, filter, value) in &parts.steps {
            if var.name == clause.id.name {
                self.error(
                    Diagnostic::error(
                        "terms::check::duplicate_name",
                        var.span,
                        format!("the event variable `{}` has the state's name", var.name),
                    )
                    .label("event variable")
                    .also(clause.id.span, "the state")
                    .help(format!(
                        "in a step the state's name is its value before the step: name the event otherwise, e.g. `on {} {}_event`",
                        kind.name, kind.name
                    )),
                );
                complete = false;
                continue;
            }
            let Some(kind_id) = self.kind_id(kind) else {
                complete = false;
                continue;
            };
            let env = Env {
                var: Some((var.name.clone(), kind.name.clone())),
                ..Env::default()
            };
            let filter = match filter {
                Some(f) => match self.lower_as(f, &Type::Bool, &env) {
                    Some(core) => Some(core),
                    None => {
                        complete = false;
                        continue;
                    }
                },
                None => None,
            };
            match self.lower_as(value, &ty, &env) {
                Some(value) => steps.push(StateStep {
                    kind: kind_id,
                    filter,
                    value,
                }),
                None => complete = false,
            }
        }
        complete.then_some(StateRule { starts, steps })
    }

    /// `state_after(state, e)`, `state_before(state, e)`: the state named, at an event.
    pub(super) fn state_at(
        &mut self,
        after: bool,
        args: &[Expr],
        env: &Env,
    ) -> Option<(Call, Type)> {
        let first = args.first()?;
        let ExprKind::Name(name) = &first.kind else {
            return self.not_a_state(first.span, "expected the name of a state");
        };
        let Some((clause, ty)) = self.states.get(&name.name).cloned() else {
            if self.failed.contains(&name.name) {
                return None;
            }
            return self.not_a_state(name.span, &format!("`{}` is not a state", name.name));
        };
        let at = args.get(1)?;
        let event = self.lower(at, env)?;
        if !matches!(event.ty, Type::Event(_)) {
            let found = event.ty.clone();
            return self.mismatch(
                at.span,
                format!("expected an event, found {found}"),
                "read a state at an event: `state_after(balance, p)` where `for each payment p`",
            );
        }
        Some((
            Call::StateAt {
                clause,
                event,
                after,
            },
            ty,
        ))
    }

    fn not_a_state<T>(&mut self, span: Span, message: &str) -> Option<T> {
        let states: Vec<&str> = self.states.keys().map(String::as_str).collect();
        let hint = match states.as_slice() {
            [] => String::from("this contract declares no state; "),
            _ => format!("the states are `{}`; ", {
                let mut sorted = states.clone();
                sorted.sort_unstable();
                sorted.join("`, `")
            }),
        };
        self.mismatch(
            span,
            message.to_string(),
            &format!(
                "{hint}declare one with `state NAME article \"…\" {{ starts …  on KIND e => … }}`"
            ),
        )
    }

    /// `charged(charge, window)`: the amounts a charge clause computed for its events in a
    /// window. A charge may add up its own earlier amounts only over a window before its own
    /// event (`12 months before a`): those are computed before it.
    pub(super) fn charged(&mut self, args: &[Expr], env: &Env) -> Option<(Call, Type)> {
        let first = args.first()?;
        let ExprKind::Name(name) = &first.kind else {
            return self.mismatch(
                first.span,
                String::from("expected the name of a charge"),
                "name a charge clause (`charge`, `fee`, `penalty`, …)",
            );
        };
        let clause = match self.clause_ids.get(&name.name) {
            Some((index, ClauseKind::Charge(_), _)) => *index,
            _ => {
                self.unknown_clause(name, "charge");
                return None;
            }
        };
        let window = self.window_args(args.get(1..).unwrap_or(&[]), env)?;
        let own = self.current_clause.as_ref().map(|(_, i)| *i) == Some(clause);
        if own {
            let before_own_event = matches!(
                &window,
                WindowArg::Window(Core { node: Node::Window { before: true, anchor, .. }, .. })
                    if matches!(anchor.node, Node::Var)
            );
            if !before_own_event {
                self.error(
                    Diagnostic::error(
                        "terms::check::cyclic_definition",
                        first.span,
                        format!(
                            "`{}` adds up its own amounts over a window that may hold the amount being computed",
                            name.name
                        ),
                    )
                    .label("the charge's own amounts")
                    .help("a charge may add up only its earlier amounts: use a window before its own event, e.g. `charged(service_credit, 12 months before a)`"),
                );
                return None;
            }
        }
        self.summed.insert(clause);
        Some((Call::Charged { clause, window }, Type::Money))
    }
}

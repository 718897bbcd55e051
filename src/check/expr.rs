//! Expressions: names, fields, operators and built-in functions, and their types.

use super::*;
use crate::builtins::Builtin;

impl Checker {
    /// Checks that `expr` has type `want` (an event fits where a date is wanted).
    pub(super) fn expect_type(&mut self, expr: &Expr, want: &Type, env: &Env) {
        if let Some(ty) = self.type_of(expr, env) {
            if !ty.fits(want) {
                self.error(
                    Diagnostic::error(
                        "terms::check::type_mismatch",
                        expr.span,
                        format!("expected {want}, found {ty}"),
                    )
                    .label(format!("this is {ty}"))
                    .help(self.conversion(expr, &ty, want)),
                );
            }
        }
    }

    /// How to write a value of type `want` where `found` was written: a bare number is most
    /// often a percentage, a duration or an amount without its unit.
    pub(super) fn conversion(&self, expr: &Expr, found: &Type, want: &Type) -> String {
        let number = match &expr.kind {
            ExprKind::Number(n) => n.to_string(),
            _ => String::from("5"),
        };
        let currency = self.currency.as_ref().map_or("EUR", |(c, _)| c.as_str());
        match (found, want) {
            (Type::Number, Type::Percent) => {
                format!("a percentage is written with `%`: write `{number}%`")
            }
            (Type::Number, Type::Duration) => {
                format!("a duration has a unit: write e.g. `{number} days` or `{number} months`")
            }
            (Type::Number, Type::Money) => {
                format!("an amount has a currency: write `{currency} {number}`")
            }
            (Type::Percent, Type::Number) => String::from(
                "a percentage is not a plain number: drop the `%`, or use it to multiply an amount",
            ),
            _ => format!("write an expression of type {want} here"),
        }
    }

    pub(super) fn mismatch(&mut self, span: Span, message: String, help: &str) -> Option<Type> {
        self.error(
            Diagnostic::error("terms::check::type_mismatch", span, message)
                .label("types disagree")
                .help(help.to_string()),
        );
        None
    }

    /// The type of an expression, or `None` after reporting why it has none.
    pub(super) fn type_of(&mut self, expr: &Expr, env: &Env) -> Option<Type> {
        match &expr.kind {
            ExprKind::Money { currency, .. } => {
                if let Some((ours, _)) = &self.currency {
                    if ours != currency {
                        let ours = ours.clone();
                        // The currency code only: the amount itself is fine.
                        let code = Span::new(expr.span.start, expr.span.start + currency.len());
                        self.error(
                            Diagnostic::error(
                                "terms::check::currency_mismatch",
                                code,
                                format!(
                                    "the amount is in `{currency}` but the contract is in `{ours}`"
                                ),
                            )
                            .label(format!("not `{ours}`"))
                            .help(format!("write amounts in `{ours}`, e.g. `{ours} 75.00`")),
                        );
                        return None;
                    }
                }
                Some(Type::Money)
            }
            ExprKind::Percent(_) => Some(Type::Percent),
            ExprKind::Number(_) => Some(Type::Number),
            ExprKind::Date(_) | ExprKind::DateTime(_) => Some(Type::Time),
            ExprKind::Duration(_) => Some(Type::Duration),
            ExprKind::Text(_) => Some(Type::Text),
            ExprKind::Bool(_) => Some(Type::Bool),
            ExprKind::Name(name) => self.name_type(name, env),
            ExprKind::Field(base, field) => {
                let base_ty = self.type_of(base, env)?;
                let Type::Event(kind) = base_ty else {
                    return self.mismatch(
                        field.span,
                        format!("{base_ty} has no field `{}`", field.name),
                        "only events have fields",
                    );
                };
                match field.name.as_str() {
                    "date" | "received" => return Some(Type::Time),
                    "id" | "via" => return Some(Type::Text),
                    "by" => return Some(Type::Party),
                    _ => {}
                }
                let found = self
                    .events
                    .get(&kind)
                    .and_then(|k| k.fields.get(&field.name))
                    .map(|f| f.ty.clone());
                if found.is_none() {
                    let names: Vec<String> = self
                        .events
                        .get(&kind)
                        .map(|k| k.fields.keys().cloned().collect())
                        .unwrap_or_default();
                    let hint = suggestion(&field.name, names.iter().map(String::as_str));
                    self.error(
                        Diagnostic::error(
                            "terms::check::unknown_field",
                            field.span,
                            format!("`{kind}` events have no field `{}`", field.name),
                        )
                        .label("unknown field")
                        .help(format!(
                            "{hint}the fields of `{kind}` are: date, {}",
                            names.join(", ")
                        )),
                    );
                }
                found
            }
            ExprKind::Call(name, args, builtin) => {
                self.call_type(name, *builtin, args, expr.span, env)
            }
            ExprKind::Window { anchor, .. } => {
                self.expect_type(anchor, &Type::Time, env);
                Some(Type::Window)
            }
            ExprKind::Neg(inner) => {
                let ty = self.type_of(inner, env)?;
                if matches!(ty, Type::Money | Type::Number | Type::Percent) {
                    Some(ty)
                } else {
                    self.mismatch(
                        expr.span,
                        format!("cannot negate {ty}"),
                        "only money, numbers and percentages have a sign",
                    )
                }
            }
            ExprKind::Not(inner) => {
                self.expect_type(inner, &Type::Bool, env);
                Some(Type::Bool)
            }
            ExprKind::Binary(op, left, right) => {
                let l = self.type_of(left, env);
                let r = self.type_of(right, env);
                let (l, r) = (l?, r?);
                let ty = self.binary_type(*op, &l, &r, expr.span);
                if ty.is_none() {
                    // Say how to write the bare number on one side, when that is the problem.
                    let fix = match (&l.as_time(), &r) {
                        (Type::Time, Type::Number) if matches!(op, BinOp::Add | BinOp::Sub) => {
                            Some(self.conversion(right, &r, &Type::Duration))
                        }
                        (Type::Money | Type::Percent, Type::Number) if same_type_operands(*op) => {
                            Some(self.conversion(right, &r, &l))
                        }
                        (Type::Number, Type::Money | Type::Percent) if same_type_operands(*op) => {
                            Some(self.conversion(left, &l, &r))
                        }
                        _ => None,
                    };
                    if let (Some(fix), Some(last)) = (fix, self.diagnostics.last_mut()) {
                        last.help = fix;
                    }
                }
                ty
            }
            ExprKind::If(cond, then, other) => {
                self.expect_type(cond, &Type::Bool, env);
                let a = self.type_of(then, env);
                let b = self.type_of(other, env);
                let (a, b) = (a?, b?);
                if a.as_time() == b.as_time() {
                    Some(a.as_time())
                } else {
                    self.mismatch(
                        expr.span,
                        format!("the branches differ: {a} and {b}"),
                        "both branches must have one type",
                    )
                }
            }
            ExprKind::Band(subject, arms) => {
                let subject_ty = self.type_of(subject, env)?;
                let mut result: Option<Type> = None;
                let mut has_otherwise = false;
                for (threshold, value) in arms {
                    match threshold {
                        Some(t) => self.expect_type(t, &subject_ty, env),
                        None => has_otherwise = true,
                    }
                    let ty = self.type_of(value, env)?;
                    match &result {
                        None => result = Some(ty),
                        Some(r) if *r == ty => {}
                        Some(r) => {
                            let r = r.clone();
                            return self.mismatch(
                                value.span,
                                format!("this band gives {ty}, the first arm {r}"),
                                "every arm must give one type",
                            );
                        }
                    }
                }
                if !has_otherwise {
                    self.error(
                        Diagnostic::error(
                            "terms::check::band_without_otherwise",
                            expr.span,
                            "the band has no `otherwise` arm",
                        )
                        .label("incomplete band")
                        .help("add `otherwise => …` for values above every threshold"),
                    );
                }
                result
            }
        }
    }

    pub(super) fn name_type(&mut self, name: &Ident, env: &Env) -> Option<Type> {
        if let Some((var, kind)) = &env.var {
            if *var == name.name {
                return Some(Type::Event(kind.clone()));
            }
        }
        if env.delay && name.name == "delay" {
            return Some(Type::Delay);
        }
        if let Some(p) = self.params.get(&name.name) {
            return Some(p.ty.clone());
        }
        if let Some(t) = self.let_types.get(&name.name) {
            return Some(t.clone());
        }
        if self.parties.contains_key(&name.name) {
            return Some(Type::Party);
        }
        if self.failed.contains(&name.name) {
            // Declared, but its declaration is in error: reported there.
            return None;
        }
        let mut candidates: Vec<String> = self.params.keys().cloned().collect();
        candidates.extend(self.let_types.keys().cloned());
        if let Some((var, _)) = &env.var {
            candidates.push(var.clone());
        }
        if env.delay {
            candidates.push(String::from("delay"));
        }
        let hint = suggestion(&name.name, candidates.iter().map(String::as_str));
        let help = if self.events.contains_key(&name.name) {
            format!(
                "`{}` is an event kind; bind one with `for each {} NAME`",
                name.name, name.name
            )
        } else {
            format!(
                "{hint}declare it with `param {}: TYPE` or `let {} = …`",
                name.name, name.name
            )
        };
        self.error(
            Diagnostic::error(
                "terms::check::unknown_name",
                name.span,
                format!("`{}` is not defined", name.name),
            )
            .label("unknown name")
            .help(help),
        );
        None
    }

    pub(super) fn binary_type(
        &mut self,
        op: BinOp,
        l: &Type,
        r: &Type,
        span: Span,
    ) -> Option<Type> {
        use Type::*;
        let (l, r) = (l.clone(), r.clone());
        let lt = l.as_time();
        let result = match op {
            BinOp::Add | BinOp::Sub => match (&lt, &r) {
                (Money, Money) => Some(Money),
                (Number, Number) => Some(Number),
                (Percent, Percent) => Some(Percent),
                (Time, Duration) => Some(Time),
                _ => None,
            },
            BinOp::Mul => match (&l, &r) {
                (Money, Number) | (Number, Money) | (Money, Percent) | (Percent, Money) => {
                    Some(Money)
                }
                (Number, Number) => Some(Number),
                (Percent, Number) | (Number, Percent) | (Percent, Percent) => Some(Percent),
                _ => None,
            },
            BinOp::Div => match (&l, &r) {
                (Money, Number) => Some(Money),
                (Money, Money) | (Number, Number) => Some(Number),
                (Percent, Number) => Some(Percent),
                _ => None,
            },
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let ordered = matches!(lt, Money | Number | Percent | Time);
                (ordered && lt == r.as_time()).then_some(Bool)
            }
            BinOp::Eq | BinOp::Ne => {
                (lt == r.as_time() && lt != Delay && lt != Duration).then_some(Bool)
            }
            BinOp::And | BinOp::Or => (l == Bool && r == Bool).then_some(Bool),
        };
        if result.is_none() {
            let help = match op {
                BinOp::Add | BinOp::Sub => {
                    "add money to money, numbers to numbers, or a duration to a date"
                }
                BinOp::Mul => "multiply money by a number or a percentage",
                BinOp::Div => "divide money by a number, or money by money for a ratio",
                BinOp::And | BinOp::Or => "combine conditions",
                _ => "compare values of one type",
            };
            return self.mismatch(
                span,
                format!("cannot apply `{}` to {l} and {r}", op.symbol()),
                help,
            );
        }
        result
    }

    /// The window of `sum` and `count_in`: one window (`6 months before c`), or two dates
    /// `from, to` meaning after `from`, up to and including `to`.
    fn window_args(&mut self, args: &[Expr], env: &Env) {
        match args {
            [window] => {
                self.expect_type(window, &Type::Window, env);
            }
            [from, to] => {
                self.expect_type(from, &Type::Time, env);
                self.expect_type(to, &Type::Time, env);
            }
            _ => {}
        }
    }

    pub(super) fn call_type(
        &mut self,
        name: &Ident,
        builtin: Option<Builtin>,
        args: &[Expr],
        span: Span,
        env: &Env,
    ) -> Option<Type> {
        let Some(builtin) = builtin else {
            let hint = suggestion(&name.name, FUNCTIONS.iter().map(|f| f.name));
            self.error(
                Diagnostic::error(
                    "terms::check::unknown_function",
                    name.span,
                    format!("`{}` is not a function", name.name),
                )
                .label("unknown function")
                .help(format!("{hint}see the functions in docs/language.md")),
            );
            return None;
        };
        if !builtin.accepts(args.len()) {
            self.error(
                Diagnostic::error(
                    "terms::check::wrong_arity",
                    span,
                    format!(
                        "`{}` does not take {} argument{}",
                        name.name,
                        args.len(),
                        if args.len() == 1 { "" } else { "s" }
                    ),
                )
                .label("wrong number of arguments")
                .help(builtin.signature().doc.to_string()),
            );
            return None;
        }
        match builtin {
            Builtin::Max | Builtin::Min => {
                let first = self.type_of(args.first()?, env)?.as_time();
                if !matches!(
                    first,
                    Type::Money | Type::Number | Type::Percent | Type::Time
                ) {
                    return self.mismatch(
                        span,
                        format!("cannot take `{}` of {first}", name.name),
                        "compare money, numbers, percentages or dates",
                    );
                }
                for arg in args.iter().skip(1) {
                    self.expect_type(arg, &first, env);
                }
                Some(first)
            }
            Builtin::Ceil | Builtin::Floor => {
                self.expect_type(args.first()?, &Type::Number, env);
                Some(Type::Number)
            }
            Builtin::Days
            | Builtin::StartedMonths
            | Builtin::CompleteMonths
            | Builtin::CompleteWeeks
            | Builtin::Hours
            | Builtin::Minutes => {
                self.expect_type(args.first()?, &Type::Delay, env);
                Some(Type::Number)
            }
            Builtin::UnpaidDays
            | Builtin::UnpaidStartedMonths
            | Builtin::UnpaidCompleteMonths
            | Builtin::UnpaidCompleteWeeks => {
                self.expect_type(args.first()?, &Type::Delay, env);
                // The amount owed is the breached obligation's event's `amount`.
                let has_amount = env.var.as_ref().is_some_and(|(_, kind)| {
                    self.events
                        .get(kind)
                        .and_then(|k| k.fields.get("amount"))
                        .is_some_and(|f| f.ty == Type::Money && !f.optional)
                });
                if !has_amount {
                    return self.mismatch(
                        span,
                        format!("`{}` needs an amount owed", name.name),
                        "use it under `on breach of` an obligation whose events have an `amount: money` field",
                    );
                }
                Some(Type::Money)
            }
            Builtin::EndOfMonth => {
                self.expect_type(args.first()?, &Type::Time, env);
                Some(Type::Time)
            }
            Builtin::Nth | Builtin::Count => {
                let kind = self.kind_arg(args.first()?)?;
                match env.var.clone() {
                    Some((_, bound)) => {
                        let arg_span = args.first().map_or(span, |a| a.span);
                        if !self.linked(&kind, &bound, arg_span) {
                            return None;
                        }
                    }
                    None => {
                        return self.mismatch(
                            span,
                            format!("`{}` needs a clause with `for each`", name.name),
                            "it counts the events that refer to the clause's event",
                        );
                    }
                }
                if name.name == "nth" {
                    self.expect_type(args.get(1)?, &Type::Number, env);
                    Some(Type::Event(kind))
                } else {
                    Some(Type::Number)
                }
            }
            Builtin::LastBefore => {
                let kind = self.kind_arg(args.first()?)?;
                self.expect_type(args.get(1)?, &Type::Time, env);
                Some(Type::Event(kind))
            }
            Builtin::Sum => {
                let kind = self.kind_arg(args.first()?)?;
                let ty = self.numeric_field_arg(&kind, args.get(1)?)?;
                self.window_args(&args[2..], env);
                Some(ty)
            }
            Builtin::Due | Builtin::Met | Builtin::MetOn => {
                let arg = args.first()?;
                let ExprKind::Name(obligation) = &arg.kind else {
                    return self.mismatch(
                        arg.span,
                        String::from("expected the name of an obligation"),
                        "name an obligation clause",
                    );
                };
                match args.get(1) {
                    None => {
                        self.same_scope_obligation(obligation, env)?;
                    }
                    Some(event) => {
                        let Some((_, ClauseKind::Obligation, binding)) =
                            self.clause_ids.get(&obligation.name).cloned()
                        else {
                            self.unknown_clause(obligation, "obligation");
                            return None;
                        };
                        let want = binding.map_or(Type::Bool, |(_, kind)| Type::Event(kind));
                        self.expect_type(event, &want, env);
                    }
                }
                Some(if name.name == "met" {
                    Type::Bool
                } else {
                    Type::Time
                })
            }
            Builtin::Given => {
                self.type_of(args.first()?, env)?;
                Some(Type::Bool)
            }
            Builtin::CountIn => {
                self.kind_arg(args.first()?)?;
                self.window_args(&args[1..], env);
                Some(Type::Number)
            }
            Builtin::Total => {
                let kind = self.kind_arg(args.first()?)?;
                let Some((_, bound)) = env.var.clone() else {
                    return self.mismatch(
                        span,
                        String::from("`total` needs a clause with `for each`"),
                        "it adds up the events that refer to the clause's event",
                    );
                };
                if !self.linked(&kind, &bound, span) {
                    return None;
                }
                self.numeric_field_arg(&kind, args.get(1)?)
            }
            Builtin::Rank => {
                let ty = self.type_of(args.first()?, env)?;
                if !matches!(ty, Type::Event(_)) {
                    return self.mismatch(
                        span,
                        format!("`rank` takes an event, not {ty}"),
                        "pass the clause's event variable",
                    );
                }
                Some(Type::Number)
            }
            Builtin::Streak => {
                if !env.for_each {
                    return self.mismatch(
                        span,
                        String::from("`streak` needs a clause with `for each`"),
                        "it counts consecutive events of the clause's kind",
                    );
                }
                self.expect_type(args.first()?, &Type::Bool, env);
                if let Some(period) = args.get(1) {
                    let calendar_period = match &period.kind {
                        ExprKind::Duration(d) => crate::calendar::is_calendar_period(d),
                        _ => false,
                    };
                    if !calendar_period {
                        return self.mismatch(
                            period.span,
                            String::from("a streak runs over calendar periods"),
                            "write `1 day`, `1 week`, `1 month`, `3 months` (quarters), `6 months` or `1 year`",
                        );
                    }
                }
                Some(Type::Number)
            }
            Builtin::EndOf => {
                let arg = args.first()?;
                let ExprKind::Name(term) = &arg.kind else {
                    return self.mismatch(
                        arg.span,
                        String::from("expected the name of a term"),
                        "name a term clause",
                    );
                };
                match self.clause_ids.get(&term.name) {
                    Some((_, ClauseKind::Term, _)) => Some(Type::Time),
                    _ => {
                        self.unknown_clause(term, "term");
                        None
                    }
                }
            }
        }
    }

    /// An argument that names a money or number field of an event kind (`sum`, `total`).
    pub(super) fn numeric_field_arg(&mut self, kind: &str, arg: &Expr) -> Option<Type> {
        let ExprKind::Name(field) = &arg.kind else {
            return self.mismatch(
                arg.span,
                String::from("expected a field name"),
                "name a money or number field of the event kind",
            );
        };
        let ty = self
            .events
            .get(kind)
            .and_then(|k| k.fields.get(&field.name))
            .map(|f| f.ty.clone());
        match ty {
            Some(t @ (Type::Money | Type::Number)) => Some(t),
            _ => self.mismatch(
                field.span,
                format!(
                    "`{kind}` events have no money or number field `{}`",
                    field.name
                ),
                "name a money or number field of the event kind",
            ),
        }
    }

    /// An argument that names an event kind.
    pub(super) fn kind_arg(&mut self, arg: &Expr) -> Option<String> {
        match &arg.kind {
            ExprKind::Name(kind) if self.known_kind(kind) => Some(kind.name.clone()),
            ExprKind::Name(_) => None,
            _ => self
                .mismatch(
                    arg.span,
                    String::from("expected the name of an event kind"),
                    "name a kind declared with `event`",
                )
                .map(|_| String::new()),
        }
    }
}

/// Operators whose two sides must have one type (`+`, `-` and comparisons): a bare number
/// beside money or a percentage is then a unit left out.
fn same_type_operands(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Add
            | BinOp::Sub
            | BinOp::Lt
            | BinOp::Le
            | BinOp::Gt
            | BinOp::Ge
            | BinOp::Eq
            | BinOp::Ne
    )
}

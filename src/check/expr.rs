//! Expressions: names, fields, operators and built-in functions are resolved and typed,
//! and lowered to the core the evaluator runs ([`Core`]).

use super::*;
use crate::builtins::Builtin;
use crate::calendar::{Moment, PeriodUnit};
use crate::value::Value;

impl Checker {
    /// Checks that `expr` has type `want` (an event fits where a date is wanted), and lowers
    /// it; `None` after reporting why it does not fit.
    pub(super) fn lower_as(&mut self, expr: &Expr, want: &Type, env: &Env) -> Option<Core> {
        let core = self.lower(expr, env)?;
        if !core.ty.fits(want) {
            let ty = core.ty.clone();
            self.error(
                Diagnostic::error(
                    "terms::check::type_mismatch",
                    expr.span,
                    format!("expected {want}, found {ty}"),
                )
                .label(format!("this is {ty}"))
                .help(self.conversion(expr, &ty, want)),
            );
            return None;
        }
        Some(core)
    }

    /// How to write a value of type `want` where `found` was written: a bare number is most
    /// often a percentage, a duration or an amount without its unit.
    pub(super) fn conversion(&self, expr: &Expr, found: &Type, want: &Type) -> String {
        let number = match &expr.kind {
            ExprKind::Number(n) => n.to_string(),
            _ => String::from("5"),
        };
        if let Some(help) = self.mixed_currencies_help(found, want) {
            return help;
        }
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
            (Type::Number, Type::MoneyIn(code)) => {
                format!("an amount has a currency: write `{code} {number}`")
            }
            (Type::Number, Type::Quantity(unit)) => {
                format!("a quantity has its unit: write `{number} {unit}`")
            }
            (Type::Quantity(a), Type::Quantity(b)) => {
                format!("{a} and {b} are different units: convert with a rate the contract states")
            }
            (Type::Percent, Type::Number) => String::from(
                "a percentage is not a plain number: drop the `%`, or use it to multiply an amount",
            ),
            _ => format!("write an expression of type {want} here"),
        }
    }

    pub(super) fn mismatch<T>(&mut self, span: Span, message: String, help: &str) -> Option<T> {
        self.error(
            Diagnostic::error("terms::check::type_mismatch", span, message)
                .label("types disagree")
                .help(help.to_string()),
        );
        None
    }

    /// An expression resolved and typed, or `None` after reporting why it has no type.
    pub(super) fn lower(&mut self, expr: &Expr, env: &Env) -> Option<Core> {
        let span = expr.span;
        let typed = |node: Node, ty: Type| Some(Core::new(node, ty, span));
        let constant = |value: Value, ty: Type| Some(Core::new(Node::Const(value), ty, span));
        match &expr.kind {
            ExprKind::Money { .. } => self.lower_money(expr),
            ExprKind::Percent(p) => constant(Value::Percent(*p), Type::Percent),
            ExprKind::Number(n) => constant(Value::Number(*n), Type::Number),
            ExprKind::Date(d) => constant(Value::Time(Moment::Date(*d)), Type::Time),
            ExprKind::DateTime(d) => constant(Value::Time(Moment::DateTime(*d)), Type::Time),
            ExprKind::Duration(d) => constant(Value::Duration(*d), Type::Duration),
            ExprKind::Quantity { amount, unit } => {
                if !self.units.contains_key(&unit.name) {
                    let units: Vec<String> = self.units.keys().cloned().collect();
                    let hint = suggestion(&unit.name, units.iter().map(String::as_str));
                    self.error(
                        Diagnostic::error(
                            "terms::check::unknown_unit",
                            unit.span,
                            format!("`{}` is not a declared unit", unit.name),
                        )
                        .label("unknown unit")
                        .help(format!(
                            "{hint}declare it with `unit {}`, or write a plain number",
                            unit.name
                        )),
                    );
                    return None;
                }
                constant(Value::Number(*amount), Type::Quantity(unit.name.clone()))
            }
            ExprKind::Text(t) => constant(Value::Text(t.clone()), Type::Text),
            ExprKind::Bool(b) => constant(Value::Bool(*b), Type::Bool),
            ExprKind::Name(name) => {
                let (node, ty) = self.name(name, env)?;
                typed(node, ty)
            }
            ExprKind::Field(..) => self.lower_field(expr, env),
            ExprKind::Call(..) => self.lower_call(expr, env),
            ExprKind::Window { .. } => self.lower_window(expr, env),
            ExprKind::Neg(..) => self.lower_neg(expr, env),
            ExprKind::Not(..) => self.lower_not(expr, env),
            ExprKind::Binary(..) => self.lower_binary(expr, env),
            ExprKind::If(..) => self.lower_if(expr, env),
            ExprKind::Band(..) => self.lower_band(expr, env),
        }
    }

    /// One kind of expression, lowered (a function of its own keeps `lower`'s frame
    /// small: expressions nest deeply).
    #[inline(never)]
    fn lower_money(&mut self, expr: &Expr) -> Option<Core> {
        let span = expr.span;
        let constant = |value: Value, ty: Type| Some(Core::new(Node::Const(value), ty, span));
        let ExprKind::Money { currency, amount } = &expr.kind else {
            return None;
        };
        if let Some(ty @ Type::MoneyIn(_)) = self.money_type(currency) {
            return constant(Value::Money(*amount), ty);
        }
        if let Some((ours, _)) = &self.currency {
            if ours != currency {
                let ours = ours.clone();
                // The currency code only: the amount itself is fine.
                let code = Span::new(expr.span.start, expr.span.start + currency.len());
                self.error(
                    Diagnostic::error(
                        "terms::check::currency_mismatch",
                        code,
                        format!("the amount is in `{currency}` but the contract is in `{ours}`"),
                    )
                    .label(format!("not `{ours}`"))
                    .help(format!("write amounts in `{ours}`, e.g. `{ours} 75.00`")),
                );
                return None;
            }
        }
        constant(Value::Money(*amount), Type::Money)
    }

    /// One kind of expression, lowered (a function of its own keeps `lower`'s frame
    /// small: expressions nest deeply).
    #[inline(never)]
    fn lower_field(&mut self, expr: &Expr, env: &Env) -> Option<Core> {
        let span = expr.span;
        let typed = |node: Node, ty: Type| Some(Core::new(node, ty, span));
        let ExprKind::Field(base, field) = &expr.kind else {
            return None;
        };
        let base = self.lower(base, env)?;
        let base_ty = base.ty.clone();
        let Type::Event(kind) = base_ty else {
            return self.mismatch(
                field.span,
                format!("{base_ty} has no field `{}`", field.name),
                "only events have fields",
            );
        };
        let base = Box::new(base);
        let builtin = match field.name.as_str() {
            "date" => Some((FieldRef::Date, Type::Time)),
            "received" => Some((FieldRef::Received, Type::Time)),
            "id" => Some((FieldRef::Id, Type::Text)),
            "via" => Some((FieldRef::Via, Type::Text)),
            "by" => Some((FieldRef::By, Type::Party)),
            _ => None,
        };
        if let Some((field, ty)) = builtin {
            return typed(Node::Field(base, field), ty);
        }
        let found = self
            .events
            .get(&kind)
            .and_then(|k| k.fields.get(&field.name))
            .map(|f| (f.id, f.ty.clone()));
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
        let (id, ty) = found?;
        typed(Node::Field(base, FieldRef::Declared(id)), ty)
    }

    /// One kind of expression, lowered (a function of its own keeps `lower`'s frame
    /// small: expressions nest deeply).
    #[inline(never)]
    fn lower_call(&mut self, expr: &Expr, env: &Env) -> Option<Core> {
        let span = expr.span;
        let typed = |node: Node, ty: Type| Some(Core::new(node, ty, span));
        let ExprKind::Call(name, args, builtin) = &expr.kind else {
            return None;
        };
        let (call, ty) = self.call(name, *builtin, args, expr.span, env)?;
        typed(Node::Call(Box::new(call)), ty)
    }

    /// One kind of expression, lowered (a function of its own keeps `lower`'s frame
    /// small: expressions nest deeply).
    #[inline(never)]
    fn lower_window(&mut self, expr: &Expr, env: &Env) -> Option<Core> {
        let span = expr.span;
        let typed = |node: Node, ty: Type| Some(Core::new(node, ty, span));
        let ExprKind::Window {
            length,
            before,
            anchor,
        } = &expr.kind
        else {
            return None;
        };
        let anchor = self.lower_as(anchor, &Type::Time, env)?;
        typed(
            Node::Window {
                length: *length,
                before: *before,
                anchor: Box::new(anchor),
            },
            Type::Window,
        )
    }

    /// One kind of expression, lowered (a function of its own keeps `lower`'s frame
    /// small: expressions nest deeply).
    #[inline(never)]
    fn lower_neg(&mut self, expr: &Expr, env: &Env) -> Option<Core> {
        let span = expr.span;
        let typed = |node: Node, ty: Type| Some(Core::new(node, ty, span));
        let ExprKind::Neg(inner) = &expr.kind else {
            return None;
        };
        let inner = self.lower(inner, env)?;
        let ty = inner.ty.clone();
        if matches!(
            ty,
            Type::Money | Type::Number | Type::Percent | Type::Quantity(_)
        ) {
            typed(Node::Neg(Box::new(inner)), ty)
        } else {
            self.mismatch(
                expr.span,
                format!("cannot negate {ty}"),
                "only money, numbers and percentages have a sign",
            )
        }
    }

    /// One kind of expression, lowered (a function of its own keeps `lower`'s frame
    /// small: expressions nest deeply).
    #[inline(never)]
    fn lower_not(&mut self, expr: &Expr, env: &Env) -> Option<Core> {
        let span = expr.span;
        let typed = |node: Node, ty: Type| Some(Core::new(node, ty, span));
        let ExprKind::Not(inner) = &expr.kind else {
            return None;
        };
        let inner = self.lower_as(inner, &Type::Bool, env)?;
        typed(Node::Not(Box::new(inner)), Type::Bool)
    }

    /// One kind of expression, lowered (a function of its own keeps `lower`'s frame
    /// small: expressions nest deeply).
    #[inline(never)]
    fn lower_binary(&mut self, expr: &Expr, env: &Env) -> Option<Core> {
        let span = expr.span;
        let typed = |node: Node, ty: Type| Some(Core::new(node, ty, span));
        let ExprKind::Binary(op, left, right) = &expr.kind else {
            return None;
        };
        let l = self.lower(left, env);
        let r = self.lower(right, env);
        let (lc, rc) = (l?, r?);
        let (l, r) = (lc.ty.clone(), rc.ty.clone());
        let ty = self.binary_type(*op, &l, &r, expr.span);
        if ty.is_none() {
            // Say how to write the bare number on one side, when that is the problem.
            let fix = match (&l.as_time(), &r) {
                (Type::Time, Type::Number) if matches!(op, BinOp::Add | BinOp::Sub) => {
                    Some(self.conversion(right, &r, &Type::Duration))
                }
                (Type::Money | Type::MoneyIn(_) | Type::Percent, Type::Number)
                    if same_type_operands(*op) =>
                {
                    Some(self.conversion(right, &r, &l))
                }
                (Type::Number, Type::Money | Type::MoneyIn(_) | Type::Percent)
                    if same_type_operands(*op) =>
                {
                    Some(self.conversion(left, &l, &r))
                }
                _ => None,
            };
            if let (Some(fix), Some(last)) = (fix, self.diagnostics.last_mut()) {
                last.help = fix;
            }
        }
        let (lc, rc) = (Box::new(lc), Box::new(rc));
        let node = match op {
            BinOp::And | BinOp::Or => Node::Logic(*op, lc, rc),
            _ => Node::Binary(*op, lc, rc),
        };
        typed(node, ty?)
    }

    /// One kind of expression, lowered (a function of its own keeps `lower`'s frame
    /// small: expressions nest deeply).
    #[inline(never)]
    fn lower_if(&mut self, expr: &Expr, env: &Env) -> Option<Core> {
        let span = expr.span;
        let typed = |node: Node, ty: Type| Some(Core::new(node, ty, span));
        let ExprKind::If(cond, then, other) = &expr.kind else {
            return None;
        };
        let cond = self.lower_as(cond, &Type::Bool, env);
        let a = self.lower(then, env);
        let b = self.lower(other, env);
        let (a, b) = (a?, b?);
        if a.ty.as_time() == b.ty.as_time() {
            let ty = a.ty.as_time();
            typed(Node::If(Box::new(cond?), Box::new(a), Box::new(b)), ty)
        } else {
            let (a, b) = (a.ty, b.ty);
            self.mismatch(
                expr.span,
                format!("the branches differ: {a} and {b}"),
                "both branches must have one type",
            )
        }
    }

    /// One kind of expression, lowered (a function of its own keeps `lower`'s frame
    /// small: expressions nest deeply).
    #[inline(never)]
    fn lower_band(&mut self, expr: &Expr, env: &Env) -> Option<Core> {
        let span = expr.span;
        let typed = |node: Node, ty: Type| Some(Core::new(node, ty, span));
        let ExprKind::Band(subject, arms) = &expr.kind else {
            return None;
        };
        let subject = self.lower(subject, env)?;
        let subject_ty = subject.ty.clone();
        let mut result: Option<Type> = None;
        let mut has_otherwise = false;
        let mut lowered = Vec::with_capacity(arms.len());
        let mut complete = true;
        for (threshold, value) in arms {
            let threshold = match threshold {
                Some(t) => {
                    let t = self.lower_as(t, &subject_ty, env);
                    complete &= t.is_some();
                    t
                }
                None => {
                    has_otherwise = true;
                    None
                }
            };
            let value = self.lower(value, env)?;
            let ty = value.ty.clone();
            let value_span = value.span;
            lowered.push((threshold, value));
            match &result {
                None => result = Some(ty),
                Some(r) if *r == ty => {}
                Some(r) => {
                    let r = r.clone();
                    return self.mismatch(
                        value_span,
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
            return None;
        }
        if !complete {
            return None;
        }
        typed(Node::Band(Box::new(subject), lowered), result?)
    }
    /// What a name denotes, and its type: the clause's event, `delay`, a parameter, a `let`
    /// or a party (the checker refuses a parameter or `let` with a party's name).
    pub(super) fn name(&mut self, name: &Ident, env: &Env) -> Option<(Node, Type)> {
        if let Some((each, kind)) = &env.each {
            if *each == name.name {
                return Some((Node::Each, Type::Event(kind.clone())));
            }
        }
        if let Some((var, kind)) = &env.var {
            if *var == name.name {
                return Some((Node::Var, Type::Event(kind.clone())));
            }
        }
        if env.delay && name.name == "delay" {
            return Some((Node::Delay, Type::Delay));
        }
        if let Some(p) = self.params.get(&name.name) {
            return Some((Node::Value(p.id), p.ty.clone()));
        }
        if let Some((id, t)) = self.let_types.get(&name.name) {
            return Some((Node::Value(*id), t.clone()));
        }
        if self.parties.contains_key(&name.name) {
            return Some((Node::Party(name.name.clone()), Type::Party));
        }
        if let Some((index, ty)) = self.states.get(&name.name) {
            return Some((Node::State(*index), ty.clone()));
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
        if let Some(result) = self.binary_in_currency(op, l, r, span) {
            return result;
        }
        let (l, r) = (l.clone(), r.clone());
        let lt = l.as_time();
        let result = match op {
            BinOp::Add | BinOp::Sub => match (&lt, &r) {
                (Money, Money) => Some(Money),
                (Number, Number) => Some(Number),
                (Percent, Percent) => Some(Percent),
                (Quantity(a), Quantity(b)) if a == b => Some(Quantity(a.clone())),
                (Time, Duration) => Some(Time),
                _ => None,
            },
            BinOp::Mul => match (&l, &r) {
                (Money, Number) | (Number, Money) | (Money, Percent) | (Percent, Money) => {
                    Some(Money)
                }
                // A price per unit times a quantity.
                (Money, Quantity(_)) | (Quantity(_), Money) => Some(Money),
                (Quantity(u), Number | Percent) | (Number | Percent, Quantity(u)) => {
                    Some(Quantity(u.clone()))
                }
                (Number, Number) => Some(Number),
                (Percent, Number) | (Number, Percent) | (Percent, Percent) => Some(Percent),
                // A duration from a number: `grace_days * 1 day`.
                (Number, Duration) | (Duration, Number) => Some(Duration),
                _ => None,
            },
            BinOp::Div => match (&l, &r) {
                (Money, Number) => Some(Money),
                (Money, Money) | (Number, Number) => Some(Number),
                (Percent, Number) => Some(Percent),
                (Quantity(u), Number) => Some(Quantity(u.clone())),
                (Quantity(a), Quantity(b)) if a == b => Some(Number),
                // A price per unit.
                (Money, Quantity(_)) => Some(Money),
                _ => None,
            },
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let ordered = matches!(lt, Money | Number | Percent | Time | Quantity(_));
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
    pub(super) fn window_args(&mut self, args: &[Expr], env: &Env) -> Option<WindowArg> {
        match args {
            [window] => Some(WindowArg::Window(self.lower_as(
                window,
                &Type::Window,
                env,
            )?)),
            [from, to] => {
                let from = self.lower_as(from, &Type::Time, env);
                let to = self.lower_as(to, &Type::Time, env);
                Some(WindowArg::Between(from?, to?))
            }
            _ => None,
        }
    }

    /// A call of a built-in function, resolved: its operands lowered, the kinds, fields and
    /// clauses it names turned into ids.
    pub(super) fn call(
        &mut self,
        name: &Ident,
        builtin: Option<Builtin>,
        args: &[Expr],
        span: Span,
        env: &Env,
    ) -> Option<(Call, Type)> {
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
                let first = self.lower(args.first()?, env)?;
                let ty = first.ty.as_time();
                if !matches!(
                    ty,
                    Type::Money
                        | Type::MoneyIn(_)
                        | Type::Number
                        | Type::Percent
                        | Type::Time
                        | Type::Quantity(_)
                ) {
                    return self.mismatch(
                        span,
                        format!("cannot take `{}` of {ty}", name.name),
                        "compare money, numbers, percentages or dates",
                    );
                }
                let mut lowered = vec![first];
                let mut complete = true;
                for arg in args.iter().skip(1) {
                    match self.lower_as(arg, &ty, env) {
                        Some(c) => lowered.push(c),
                        None => complete = false,
                    }
                }
                complete.then_some((
                    Call::Extreme {
                        max: builtin == Builtin::Max,
                        args: lowered,
                    },
                    ty,
                ))
            }
            Builtin::Ceil | Builtin::Floor => {
                let arg = self.lower_as(args.first()?, &Type::Number, env)?;
                Some((
                    Call::Round {
                        ceil: builtin == Builtin::Ceil,
                        arg,
                    },
                    Type::Number,
                ))
            }
            Builtin::Days
            | Builtin::StartedMonths
            | Builtin::CompleteMonths
            | Builtin::CompleteWeeks
            | Builtin::Hours
            | Builtin::Minutes => {
                let delay = self.lower_as(args.first()?, &Type::Delay, env)?;
                // `delay counted in started|whole periods` makes `days(delay)` and
                // `hours(delay)` count part periods, resolved here once.
                let unit = match builtin {
                    Builtin::Days => Some(PeriodUnit::Days),
                    Builtin::Hours => Some(PeriodUnit::Hours),
                    _ => None,
                };
                match (unit, env.delay_periods) {
                    (Some(unit), Some(rule)) => Some((
                        Call::PartPeriods {
                            unit,
                            started: rule == ast::PeriodRule::Started,
                            by_line: true,
                            delay,
                        },
                        Type::Number,
                    )),
                    _ => Some((Call::Measure(builtin, delay), Type::Number)),
                }
            }
            Builtin::StartedDays
            | Builtin::CompleteDays
            | Builtin::StartedHours
            | Builtin::CompleteHours => {
                let delay = self.lower_as(args.first()?, &Type::Delay, env)?;
                let unit = match builtin {
                    Builtin::StartedDays | Builtin::CompleteDays => PeriodUnit::Days,
                    _ => PeriodUnit::Hours,
                };
                Some((
                    Call::PartPeriods {
                        unit,
                        started: matches!(builtin, Builtin::StartedDays | Builtin::StartedHours),
                        by_line: false,
                        delay,
                    },
                    Type::Number,
                ))
            }
            Builtin::UnpaidDays
            | Builtin::UnpaidStartedMonths
            | Builtin::UnpaidCompleteMonths
            | Builtin::UnpaidCompleteWeeks => {
                let delay = self.lower_as(args.first()?, &Type::Delay, env)?;
                // The amount owed is the breached obligation's event's `amount`.
                let owed = env.var.as_ref().and_then(|(_, kind)| {
                    self.events
                        .get(kind)
                        .and_then(|k| k.fields.get("amount"))
                        .filter(|f| f.ty.is_money() && !f.optional)
                        .map(|f| f.ty.clone())
                });
                let Some(owed) = owed else {
                    return self.mismatch(
                        span,
                        format!("`{}` needs an amount owed", name.name),
                        "use it under `on breach of` an obligation whose events have an `amount: money` field",
                    );
                };
                Some((Call::Unpaid(builtin, delay), owed))
            }
            Builtin::EndOfMonth => {
                let at = self.lower_as(args.first()?, &Type::Time, env)?;
                Some((Call::EndOfMonth(at), Type::Time))
            }
            Builtin::DayOf => {
                let at = self.lower_as(args.first()?, &Type::Time, env)?;
                Some((Call::DayOf(at), Type::Time))
            }
            Builtin::Nth | Builtin::Count => {
                let (kind_name, kind) = self.kind_arg(args.first()?)?;
                match env.var.clone() {
                    Some((_, bound)) => {
                        let arg_span = args.first().map_or(span, |a| a.span);
                        if !self.linked(&kind_name, &bound, arg_span) {
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
                if builtin == Builtin::Nth {
                    let n = self.lower_as(args.get(1)?, &Type::Number, env)?;
                    Some((Call::Nth { kind, n }, Type::Event(kind_name)))
                } else {
                    Some((Call::Count { kind }, Type::Number))
                }
            }
            Builtin::LastBefore => {
                let (kind_name, kind) = self.kind_arg(args.first()?)?;
                let at = self.lower_as(args.get(1)?, &Type::Time, env)?;
                Some((Call::LastBefore { kind, at }, Type::Event(kind_name)))
            }
            Builtin::Sum if !self.names_a_field(args.first()?, args.get(1)?, env) => {
                let (kind_name, kind) = self.kind_arg(args.first()?)?;
                let each = self.lower(args.get(1)?, &each_env(env, &kind_name));
                let window = self.window_args(args.get(2..).unwrap_or(&[]), env);
                let each = each?;
                if !matches!(
                    each.ty,
                    Type::Money | Type::MoneyIn(_) | Type::Number | Type::Quantity(_)
                ) {
                    let ty = each.ty;
                    return self.mismatch(
                        args.get(1).map_or(span, |a| a.span),
                        format!("`sum` adds money or numbers, not {ty}"),
                        "sum a money or number field, or an expression of one",
                    );
                }
                let ty = each.ty.clone();
                Some((
                    Call::SumOf {
                        kind,
                        each,
                        window: window?,
                    },
                    ty,
                ))
            }
            Builtin::Sum => {
                let (kind_name, kind) = self.kind_arg(args.first()?)?;
                let field = self.numeric_field_arg(&kind_name, args.get(1)?);
                let window = self.window_args(args.get(2..).unwrap_or(&[]), env);
                let (field, ty) = field?;
                Some((
                    Call::Sum {
                        kind,
                        field,
                        window: window?,
                    },
                    ty,
                ))
            }
            Builtin::Due | Builtin::Met | Builtin::MetOn | Builtin::Paid => {
                let arg = args.first()?;
                let ExprKind::Name(obligation) = &arg.kind else {
                    return self.mismatch(
                        arg.span,
                        String::from("expected the name of an obligation"),
                        "name an obligation clause",
                    );
                };
                let (clause, event) = match args.get(1) {
                    None => (self.same_scope_obligation(obligation, env)?, None),
                    Some(event) => {
                        let Some((index, ClauseKind::Obligation, binding)) =
                            self.clause_ids.get(&obligation.name).cloned()
                        else {
                            self.unknown_clause(obligation, "obligation");
                            return None;
                        };
                        let want = binding.map_or(Type::Bool, |(_, kind)| Type::Event(kind));
                        (index, Some(self.lower_as(event, &want, env)?))
                    }
                };
                let ty = match builtin {
                    Builtin::Met => Type::Bool,
                    // In the currency the obligation's event owes.
                    Builtin::Paid => self.owed_type(clause),
                    _ => Type::Time,
                };
                Some((
                    Call::Obligation {
                        builtin,
                        clause,
                        event,
                    },
                    ty,
                ))
            }
            Builtin::Given => {
                let arg = self.lower(args.first()?, env)?;
                Some((Call::Given(arg), Type::Bool))
            }
            Builtin::CountIn => {
                let kind = self.kind_arg(args.first()?);
                let rest = args.get(1..).unwrap_or(&[]);
                // `count_in(kind, WINDOW, condition)`: a written window, then a condition;
                // otherwise the two-date form `count_in(kind, from, to)`.
                let (window, condition) = match rest {
                    [window @ Expr {
                        kind: ExprKind::Window { .. },
                        ..
                    }, condition] => {
                        let window = self.window_args(std::slice::from_ref(window), env);
                        let condition = match &kind {
                            Some((name, _)) => {
                                self.lower_as(condition, &Type::Bool, &each_env(env, name))
                            }
                            None => None,
                        };
                        (window, Some(condition?))
                    }
                    _ => (self.window_args(rest, env), None),
                };
                let ((_, kind), window) = (kind?, window?);
                Some((
                    Call::CountIn {
                        kind,
                        window,
                        condition,
                    },
                    Type::Number,
                ))
            }
            Builtin::MaxIn | Builtin::MinIn => {
                let (kind_name, kind) = self.kind_arg(args.first()?)?;
                let each = self.lower(args.get(1)?, &each_env(env, &kind_name));
                let window = self.window_args(args.get(2..).unwrap_or(&[]), env);
                let each = each?;
                let ty = each.ty.as_time();
                if !matches!(
                    ty,
                    Type::Money
                        | Type::MoneyIn(_)
                        | Type::Number
                        | Type::Percent
                        | Type::Time
                        | Type::Quantity(_)
                ) {
                    return self.mismatch(
                        args.get(1).map_or(span, |a| a.span),
                        format!("cannot take `{}` of {ty}", name.name),
                        "compare money, numbers, percentages or dates",
                    );
                }
                Some((
                    Call::ExtremeIn {
                        max: builtin == Builtin::MaxIn,
                        kind,
                        each,
                        window: window?,
                    },
                    ty,
                ))
            }
            Builtin::Round => {
                let value = self.lower(args.first()?, env)?;
                let ty = value.ty.clone();
                if !matches!(
                    ty,
                    Type::Money
                        | Type::MoneyIn(_)
                        | Type::Number
                        | Type::Percent
                        | Type::Quantity(_)
                ) {
                    return self.mismatch(
                        span,
                        format!("cannot round {ty}"),
                        "round money, a number or a percentage to a step of the same type: `round(fee, EUR 0.05)`",
                    );
                }
                let step = self.lower_as(args.get(1)?, &ty, env)?;
                Some((Call::RoundTo { value, step }, ty))
            }
            Builtin::DaysBetween
            | Builtin::BusinessDaysBetween
            | Builtin::HoursBetween
            | Builtin::MinutesBetween
            | Builtin::SecondsBetween => {
                let from = self.lower_as(args.first()?, &Type::Time, env);
                let to = self.lower_as(args.get(1)?, &Type::Time, env);
                Some((
                    Call::Between {
                        builtin,
                        from: from?,
                        to: to?,
                    },
                    Type::Number,
                ))
            }
            Builtin::Pow => {
                let base = self.lower_as(args.first()?, &Type::Number, env);
                let exponent = self.lower_as(args.get(1)?, &Type::Number, env);
                Some((
                    Call::Pow {
                        base: base?,
                        exponent: exponent?,
                    },
                    Type::Number,
                ))
            }
            Builtin::Total => {
                let (kind_name, kind) = self.kind_arg(args.first()?)?;
                let Some((_, bound)) = env.var.clone() else {
                    return self.mismatch(
                        span,
                        String::from("`total` needs a clause with `for each`"),
                        "it adds up the events that refer to the clause's event",
                    );
                };
                if !self.linked(&kind_name, &bound, span) {
                    return None;
                }
                let (field, ty) = self.numeric_field_arg(&kind_name, args.get(1)?)?;
                Some((Call::Total { kind, field }, ty))
            }
            Builtin::Rank => {
                let event = self.lower(args.first()?, env)?;
                if !matches!(event.ty, Type::Event(_)) {
                    let ty = event.ty;
                    return self.mismatch(
                        span,
                        format!("`rank` takes an event, not {ty}"),
                        "pass the clause's event variable",
                    );
                }
                Some((Call::Rank(event), Type::Number))
            }
            Builtin::Streak => {
                if !env.for_each {
                    return self.mismatch(
                        span,
                        String::from("`streak` needs a clause with `for each`"),
                        "it counts consecutive events of the clause's kind",
                    );
                }
                let cond = self.lower_as(args.first()?, &Type::Bool, env);
                let period = match args.get(1) {
                    None => None,
                    Some(period) => match &period.kind {
                        ExprKind::Duration(d) if crate::calendar::is_calendar_period(d) => Some(*d),
                        _ => {
                            return self
                                .mismatch(
                                    period.span,
                                    String::from("a streak runs over calendar periods"),
                                    "write `1 day`, `1 week`, `1 month`, `3 months` (quarters), `6 months` or `1 year`",
                                );
                        }
                    },
                };
                Some((
                    Call::Streak {
                        cond: cond?,
                        period,
                    },
                    Type::Number,
                ))
            }
            Builtin::StateAfter | Builtin::StateBefore => {
                self.state_at(builtin == Builtin::StateAfter, args, env)
            }
            Builtin::Charged => self.charged(args, env),
            Builtin::Convert => self.convert(args, env),
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
                    Some((index, ClauseKind::Term, _)) => {
                        Some((Call::EndOf { clause: *index }, Type::Time))
                    }
                    _ => {
                        self.unknown_clause(term, "term");
                        None
                    }
                }
            }
        }
    }

    /// Whether `sum`'s second argument is the 0.1 form, a bare field name: a field of the
    /// kind, or a name that means nothing else here (reported as an unknown field).
    fn names_a_field(&self, kind: &Expr, arg: &Expr, env: &Env) -> bool {
        let (ExprKind::Name(kind), ExprKind::Name(name)) = (&kind.kind, &arg.kind) else {
            return false;
        };
        let is_field = self
            .events
            .get(&kind.name)
            .is_some_and(|k| k.fields.contains_key(&name.name));
        let means_something = name.name == kind.name
            || env.var.as_ref().is_some_and(|(v, _)| *v == name.name)
            || (env.delay && name.name == "delay")
            || self.params.contains_key(&name.name)
            || self.value_ids.contains_key(&name.name)
            || self.parties.contains_key(&name.name);
        is_field || !means_something
    }

    /// An argument that names a money or number field of an event kind (`sum`, `total`).
    pub(super) fn numeric_field_arg(&mut self, kind: &str, arg: &Expr) -> Option<(FieldId, Type)> {
        let ExprKind::Name(field) = &arg.kind else {
            return self.mismatch(
                arg.span,
                String::from("expected a field name"),
                "name a money or number field of the event kind",
            );
        };
        let found = self
            .events
            .get(kind)
            .and_then(|k| k.fields.get(&field.name))
            .map(|f| (f.id, f.ty.clone()));
        match found {
            Some((id, t @ (Type::Money | Type::MoneyIn(_) | Type::Number | Type::Quantity(_)))) => {
                Some((id, t))
            }
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

    /// An argument that names an event kind: its name and id.
    pub(super) fn kind_arg(&mut self, arg: &Expr) -> Option<(String, KindId)> {
        match &arg.kind {
            ExprKind::Name(kind) => {
                let id = self.kind_id(kind)?;
                Some((kind.name.clone(), id))
            }
            _ => self.mismatch(
                arg.span,
                String::from("expected the name of an event kind"),
                "name a kind declared with `event`",
            ),
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

/// The scope of an aggregate's expression: the kind's name is each event in turn.
fn each_env(env: &Env, kind: &str) -> Env {
    Env {
        each: Some((kind.to_string(), kind.to_string())),
        ..env.clone()
    }
}

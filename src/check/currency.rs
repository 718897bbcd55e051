//! Several currencies: the first `currency` line is the contract's own (what `money`
//! means); further lines declare others, which fields and parameters may take as their
//! type (`fee: USD`). Money of two currencies does not add, compare or take `max`;
//! `convert(x, r)` converts at a rate the contract states (`param usd_per_eur: rate USD per
//! EUR = 1.08`), rounded to the cent.

use super::*;

impl Checker {
    /// Reads the `currency` lines, before any other declaration: field and parameter
    /// types may name a currency.
    pub(super) fn currencies(&mut self, contract: &ast::Contract) {
        for item in &contract.items {
            let ast::Item::Currency(code) = item else {
                continue;
            };
            let first = match &self.currency {
                Some((ours, span)) if *ours == code.name => Some(*span),
                _ => self.other_currencies.get(&code.name).copied(),
            };
            if let Some(first) = first {
                self.duplicate(code, first, "currency declaration");
            } else if self.currency.is_none() {
                self.currency = Some((code.name.clone(), code.span));
            } else {
                self.other_currencies.insert(code.name.clone(), code.span);
            }
        }
    }

    /// The type of an amount in a declared currency: `money` for the contract's own.
    pub(super) fn money_type(&self, code: &str) -> Option<Type> {
        match &self.currency {
            Some((ours, _)) if ours == code => Some(Type::Money),
            _ if self.other_currencies.contains_key(code) => Some(Type::MoneyIn(code.to_string())),
            _ => None,
        }
    }

    /// The currency of an amount's type, by code.
    pub(super) fn currency_code(&self, ty: &Type) -> Option<String> {
        match ty {
            Type::Money => self.currency.as_ref().map(|(c, _)| c.clone()),
            Type::MoneyIn(code) => Some(code.clone()),
            _ => None,
        }
    }

    /// `rate USD per EUR`: both currencies declared, and not the same one.
    pub(super) fn rate_type(&mut self, to: &Ident, from: &Ident) -> Option<Type> {
        let mut known = true;
        for code in [to, from] {
            if self.money_type(&code.name).is_none() {
                known = false;
                self.error(
                    Diagnostic::error(
                        "terms::check::unknown_type",
                        code.span,
                        format!("`{}` is not a currency of the contract", code.name),
                    )
                    .label("undeclared currency")
                    .help(format!(
                        "declare it with `currency {}` after the contract's own currency",
                        code.name
                    )),
                );
            }
        }
        if !known {
            return None;
        }
        if to.name == from.name {
            return self.mismatch(
                from.span,
                format!("a rate of {} per {} converts nothing", to.name, from.name),
                "a rate states how many units of one currency one unit of another is worth: `rate USD per EUR`",
            );
        }
        Some(Type::Rate {
            to: to.name.clone(),
            from: from.name.clone(),
        })
    }

    /// How to fix money of two currencies side by side, or `None` when `a` and `b` are not
    /// both money.
    pub(super) fn mixed_currencies_help(&self, a: &Type, b: &Type) -> Option<String> {
        let (a, b) = (self.currency_code(a)?, self.currency_code(b)?);
        (a != b).then(|| {
            let rate = format!("{}_per_{}", b.to_lowercase(), a.to_lowercase());
            format!(
                "{a} and {b} do not mix: convert one side at a rate the contract states, e.g. `param {rate}: rate {b} per {a} = …` and `convert(x, {rate})`"
            )
        })
    }

    /// The type of a binary operation where an operand is money in another currency than
    /// the contract's: within one currency it works as money does; two currencies are
    /// refused. `None` when no operand is in another currency.
    pub(super) fn binary_in_currency(
        &mut self,
        op: BinOp,
        l: &Type,
        r: &Type,
        span: Span,
    ) -> Option<Option<Type>> {
        let code = match (l, r) {
            (Type::MoneyIn(code), _) | (_, Type::MoneyIn(code)) => code.clone(),
            _ => return None,
        };
        if let Some(help) = self.mixed_currencies_help(l, r) {
            return Some(self.mismatch(
                span,
                format!("cannot apply `{}` to {l} and {r}", op.symbol()),
                &help,
            ));
        }
        let as_money = |t: &Type| match t {
            Type::MoneyIn(_) => Type::Money,
            other => other.clone(),
        };
        let before = self.diagnostics.len();
        let result = self.binary_type(op, &as_money(l), &as_money(r), span);
        if result.is_none() && self.diagnostics.len() > before {
            if let Some(last) = self.diagnostics.last_mut() {
                last.message = format!("cannot apply `{}` to {l} and {r}", op.symbol());
            }
        }
        Some(result.map(|t| match t {
            Type::Money => Type::MoneyIn(code),
            other => other,
        }))
    }

    /// `convert(x, rate)`: money in one of the rate's currencies, in the other, rounded to
    /// the cent by the contract's rounding rule.
    pub(super) fn convert(&mut self, args: &[Expr], env: &Env) -> Option<(Call, Type)> {
        let (value_expr, rate_expr) = (args.first()?, args.get(1)?);
        let value = self.lower(value_expr, env);
        let rate = self.lower(rate_expr, env);
        let (value, rate) = (value?, rate?);
        let Type::Rate { to, from } = rate.ty.clone() else {
            let ty = rate.ty.clone();
            return self.mismatch(
                rate_expr.span,
                format!("expected a rate, found {ty}"),
                "convert at a rate the contract states: `param usd_per_eur: rate USD per EUR = 1.08`",
            );
        };
        let Some(code) = self.currency_code(&value.ty) else {
            let ty = value.ty.clone();
            return self.mismatch(
                value_expr.span,
                format!("`convert` takes an amount of money, not {ty}"),
                "convert an amount: `convert(fee, usd_per_eur)`",
            );
        };
        let (invert, target) = if code == from {
            (false, to.clone())
        } else if code == to {
            (true, from.clone())
        } else {
            return self.mismatch(
                value_expr.span,
                format!("a rate {to} per {from} does not convert money in {code}"),
                &format!("convert {from} or {to} at this rate, or state a rate for {code}"),
            );
        };
        let ty = self.money_type(&target)?;
        Some((
            Call::Convert {
                value,
                rate,
                invert,
            },
            ty,
        ))
    }

    /// What settles in the contract's currency only: the debts and payments of an
    /// allocation, the charges an allocation orders and the charges `charged` adds up; and
    /// an obligation paid by amounts is paid in the currency it is owed in.
    pub(super) fn settlement_currencies(&mut self, contract: &ast::Contract, clauses: &[Clause]) {
        let amount_type = |kind: KindId, checker: &Checker| -> Option<Type> {
            checker
                .events
                .values()
                .find(|k| k.id == kind)
                .and_then(|k| k.amount)
                .and_then(|slot| {
                    checker
                        .events
                        .values()
                        .find(|k| k.id == kind)?
                        .fields
                        .values()
                        .find(|f| f.id == slot)
                        .map(|f| f.ty.clone())
                })
        };
        let charge_type = |index: ClauseId| match clauses.get(index).map(|c| &c.body) {
            Some(Body::Charge(charge)) => Some((charge.amount.ty.clone(), charge.amount.span)),
            _ => None,
        };
        let ours = self
            .currency
            .as_ref()
            .map_or_else(String::new, |(c, _)| c.clone());
        let mut problems: Vec<(Span, String, String)> = Vec::new();
        for (clause, ast_clause) in clauses
            .iter()
            .zip(contract.items.iter().filter_map(as_clause))
        {
            match &clause.body {
                Body::Allocation(rule) => {
                    if let Some(ty @ Type::MoneyIn(_)) = amount_type(rule.pays, self) {
                        problems.push((
                            ast_clause.id.span,
                            format!("the allocation's payments are in {}", ty),
                            format!("an allocation settles in the contract's currency, {ours}: declare the payments' `amount: money`"),
                        ));
                    }
                    for debt in &rule.order {
                        if let Debts::Charge(index) = debt {
                            if let Some((ty @ Type::MoneyIn(_), span)) = charge_type(*index) {
                                problems.push((
                                    span,
                                    format!("this charge, in an allocation's order, is {ty}"),
                                    format!(
                                        "an allocation settles in the contract's currency, {ours}"
                                    ),
                                ));
                            }
                        }
                    }
                }
                Body::Obligation(o) if !o.prohibition => {
                    let owed = clause.scope.binding().and_then(|k| amount_type(k, self));
                    let paid = o.act.and_then(|k| amount_type(k, self));
                    if let (Some(owed), Some(paid)) = (owed, paid) {
                        if owed != paid {
                            let help = self.mixed_currencies_help(&owed, &paid).unwrap_or_default();
                            problems.push((
                                ast_clause.id.span,
                                format!(
                                    "the amount owed is {owed}, the amounts that pay it {paid}"
                                ),
                                format!("declare both `amount` fields in one currency; {help}"),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        for index in self.summed.clone() {
            if let Some((ty @ Type::MoneyIn(_), span)) = charge_type(index) {
                problems.push((
                    span,
                    format!("`charged` adds up this charge, which is {ty}"),
                    format!("`charged` adds up charges in the contract's currency, {ours}"),
                ));
            }
        }
        for (span, message, help) in problems {
            self.mismatch::<()>(span, message, &help);
        }
    }

    /// A charge's amount: money in the contract's currency or another it declares, with
    /// that currency's code.
    pub(super) fn charged_amount(&mut self, amount: &Expr, env: &Env) -> Option<(Core, String)> {
        let core = self.lower(amount, env)?;
        match self.currency_code(&core.ty) {
            Some(code) => Some((core, code)),
            None => {
                let ty = core.ty.clone();
                self.error(
                    Diagnostic::error(
                        "terms::check::type_mismatch",
                        amount.span,
                        format!("expected money, found {ty}"),
                    )
                    .label(format!("this is {ty}"))
                    .help(self.conversion(amount, &ty, &Type::Money)),
                );
                None
            }
        }
    }

    /// The type of what an obligation's event owes (`paid(o)`): its `amount` field's
    /// currency, else the contract's.
    pub(super) fn owed_type(&self, clause: ClauseId) -> Type {
        self.clause_ids
            .values()
            .find(|(index, _, _)| *index == clause)
            .and_then(|(_, _, binding)| binding.as_ref())
            .and_then(|(_, kind)| self.events.get(kind))
            .and_then(|k| k.fields.get("amount"))
            .map(|f| f.ty.clone())
            .filter(Type::is_money)
            .unwrap_or(Type::Money)
    }
}

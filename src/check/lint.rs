//! Warnings specific to contract terms: things that check but are probably not what the
//! author meant. They never stop evaluation.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use crate::ast::{self, BinOp, ClauseItemKind, Expr, ExprKind, Unit};
use crate::diagnostic::Diagnostic;

/// Every warning for a contract that parsed.
pub fn lint(contract: &ast::Contract) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    unused_names(contract, &mut out);
    for clause in contract.items.iter().filter_map(|i| match i {
        ast::Item::Clause(c) => Some(c),
        _ => None,
    }) {
        for item in &clause.items {
            for expr in item_exprs(&item.kind) {
                visit(expr, &mut |e| {
                    band_order(e, &mut out);
                    minimum_above_cap(e, &mut out);
                    window_includes_anchor(e, &mut out);
                    streak_of_events(e, &mut out);
                });
            }
            never_fires(item, &mut out);
        }
        deadline_before_trigger(clause, &mut out);
        notice_longer_than_term(clause, &mut out);
    }
    out
}

/// The expressions directly on a clause line.
pub(crate) fn item_exprs(kind: &ClauseItemKind) -> Vec<&Expr> {
    match kind {
        ClauseItemKind::ForEach { filter, .. } => filter.iter().collect(),
        ClauseItemKind::Owes { amount, .. } => vec![amount],
        ClauseItemKind::Deadline(
            ast::Deadline::Within(_, e) | ast::Deadline::AtLeastBefore(_, e) | ast::Deadline::By(e),
        ) => {
            vec![e]
        }
        ClauseItemKind::Requires(e)
        | ClauseItemKind::When(e)
        | ClauseItemKind::Starts(e)
        | ClauseItemKind::Lasts(e)
        | ClauseItemKind::Is(e)
        | ClauseItemKind::Until(e) => vec![e],
        ClauseItemKind::Renews { period, .. } => vec![period],
        ClauseItemKind::Opens(ast::Opens::AfterGrace(_, e) | ast::Opens::On(e)) => vec![e],
        ClauseItemKind::Order(entries) => entries
            .iter()
            .filter_map(|e| e.filter.as_ref().map(|(_, f)| f))
            .collect(),
        ClauseItemKind::Step { filter, value, .. } => filter.iter().chain([value]).collect(),
        _ => Vec::new(),
    }
}

/// Calls `f` on `expr` and every expression below it.
pub(crate) fn visit<'a>(expr: &'a Expr, f: &mut impl FnMut(&'a Expr)) {
    f(expr);
    match &expr.kind {
        ExprKind::Field(e, _) | ExprKind::Neg(e) | ExprKind::Not(e) => visit(e, f),
        ExprKind::Window { anchor, .. } => visit(anchor, f),
        ExprKind::Binary(_, a, b) => {
            visit(a, f);
            visit(b, f);
        }
        ExprKind::If(a, b, c) => {
            visit(a, f);
            visit(b, f);
            visit(c, f);
        }
        ExprKind::Call(_, args, _) => args.iter().for_each(|a| visit(a, f)),
        ExprKind::Band(s, arms) => {
            visit(s, f);
            for (t, v) in arms {
                if let Some(t) = t {
                    visit(t, f);
                }
                visit(v, f);
            }
        }
        _ => {}
    }
}

/// A literal number, percentage or amount, for comparisons.
fn literal(expr: &Expr) -> Option<Decimal> {
    match &expr.kind {
        ExprKind::Number(d) | ExprKind::Percent(d) => Some(*d),
        ExprKind::Money { amount, .. } => Some(*amount),
        _ => None,
    }
}

/// Tiers that overlap: a `below` threshold not above the previous one can never be reached.
fn band_order(expr: &Expr, out: &mut Vec<Diagnostic>) {
    let ExprKind::Band(_, arms) = &expr.kind else {
        return;
    };
    let mut previous: Option<Decimal> = None;
    for (threshold, _) in arms {
        let Some(t) = threshold else { continue };
        let Some(value) = literal(t) else { continue };
        if let Some(p) = previous {
            if value <= p {
                out.push(
                    Diagnostic::warning("terms::lint::unreachable_tier", t.span, "this tier can never apply")
                        .label(format!("not above the previous threshold {}", p.normalize()))
                        .help("list `below` thresholds from the lowest to the highest: the first that matches wins"),
                );
            }
        }
        previous = Some(previous.map_or(value, |p| p.max(value)));
    }
}

/// `sum(k, f, c - 6 months, c)`: the two-date window runs after `c − 6 months` up to and
/// including `c`, so it counts an act on the day of `c` and leaves out one on the first day.
/// "The 6 months preceding c" is `6 months before c`.
fn window_includes_anchor(expr: &Expr, out: &mut Vec<Diagnostic>) {
    let ExprKind::Call(name, args, _) = &expr.kind else {
        return;
    };
    let bounds = match (name.name.as_str(), args.as_slice()) {
        // `count_in(k, a - D, a)` counting the event itself is a common way to say "at most N
        // in any D": only sums of amounts are flagged.
        ("sum", [_, _, from, to]) => (from, to),
        _ => return,
    };
    let (from, to) = bounds;
    let ExprKind::Binary(BinOp::Sub, anchor, length) = &from.kind else {
        return;
    };
    let (ExprKind::Name(a), ExprKind::Name(b), ExprKind::Duration(d)) =
        (&anchor.kind, &to.kind, &length.kind)
    else {
        return;
    };
    if a.name != b.name {
        return;
    }
    out.push(
        Diagnostic::warning(
            "terms::lint::window_includes_anchor",
            expr.span,
            format!(
                "this window runs after `{a} - {d}` up to and including `{a}`",
                a = a.name
            ),
        )
        .label("counts an act on the day of the event, not one on the window's first day")
        .help(format!(
            "for \"in the {d} preceding {a}\" write `{d} before {a}`: from {a} − {d} up to the day before {a}",
            a = a.name
        )),
    );
}

/// `streak(cond)` counts consecutive events: a month with no report does not break the run.
fn streak_of_events(expr: &Expr, out: &mut Vec<Diagnostic>) {
    let ExprKind::Call(name, args, _) = &expr.kind else {
        return;
    };
    if name.name != "streak" || args.len() != 1 {
        return;
    }
    out.push(
        Diagnostic::warning(
            "terms::lint::streak_of_events",
            expr.span,
            "this streak counts consecutive events, not consecutive calendar periods",
        )
        .label("a period with no event does not break this run")
        .help("for \"consecutive months\" write `streak(condition, 1 month)`: a month with no event then breaks the run"),
    );
}

/// `min(max(x, 150), 100)`: the minimum is above the cap, so the cap always wins.
fn minimum_above_cap(expr: &Expr, out: &mut Vec<Diagnostic>) {
    let ExprKind::Call(name, args, _) = &expr.kind else {
        return;
    };
    if name.name != "min" {
        return;
    }
    let caps: Vec<Decimal> = args.iter().filter_map(literal).collect();
    let Some(cap) = caps.iter().min() else { return };
    for arg in args {
        let ExprKind::Call(inner, inner_args, _) = &arg.kind else {
            continue;
        };
        if inner.name != "max" {
            continue;
        }
        for floor in inner_args
            .iter()
            .filter(|a| literal(a).is_some_and(|m| m > *cap))
        {
            out.push(
                Diagnostic::warning(
                    "terms::lint::minimum_above_cap",
                    floor.span,
                    "the minimum is above the cap",
                )
                .label(format!("above the cap of {}", cap.normalize()))
                .help("the cap always wins: check which of the two the contract states"),
            );
        }
    }
}

/// `when false` and the like: a clause that can never fire.
fn never_fires(item: &ast::ClauseItem, out: &mut Vec<Diagnostic>) {
    let cond = match &item.kind {
        ClauseItemKind::When(e)
        | ClauseItemKind::ForEach {
            filter: Some(e), ..
        } => e,
        _ => return,
    };
    if matches!(cond.kind, ExprKind::Bool(false)) {
        out.push(
            Diagnostic::warning(
                "terms::lint::never_fires",
                cond.span,
                "this clause can never fire",
            )
            .label("always false")
            .help("remove the clause, or state the condition the contract gives"),
        );
    }
}

/// `by inv - 5 days` on an obligation kept per invoice: due before the event that creates it.
fn deadline_before_trigger(clause: &ast::Clause, out: &mut Vec<Diagnostic>) {
    let var = clause.items.iter().find_map(|i| match &i.kind {
        ClauseItemKind::ForEach { var, .. } => Some(var.name.as_str()),
        _ => None,
    });
    let Some(var) = var else { return };
    for item in &clause.items {
        let ClauseItemKind::Deadline(ast::Deadline::By(e)) = &item.kind else {
            continue;
        };
        let ExprKind::Binary(BinOp::Sub, base, amount) = &e.kind else {
            continue;
        };
        let is_var = matches!(&base.kind, ExprKind::Name(n) if n.name == var);
        if is_var && matches!(amount.kind, ExprKind::Duration(_)) {
            out.push(
                Diagnostic::warning(
                    "terms::lint::deadline_before_trigger",
                    e.span,
                    "the deadline falls before the event it follows",
                )
                .label(format!("before `{var}`"))
                .help(format!(
                    "for a notice due ahead of `{var}`, write `at least … before {var}`"
                )),
            );
        }
    }
}

/// A termination notice period as long as the term itself: notice is due before the term starts.
fn notice_longer_than_term(clause: &ast::Clause, out: &mut Vec<Diagnostic>) {
    let lasts = clause.items.iter().find_map(|i| match &i.kind {
        ClauseItemKind::Lasts(Expr {
            kind: ExprKind::Duration(d),
            ..
        }) => Some(*d),
        _ => None,
    });
    let Some(lasts) = lasts else { return };
    for item in &clause.items {
        let ClauseItemKind::Notice { before, .. } = &item.kind else {
            continue;
        };
        if approximate_days(before) >= approximate_days(&lasts) {
            out.push(
                Diagnostic::warning(
                    "terms::lint::notice_longer_than_term",
                    before.span,
                    "the notice period is as long as the term",
                )
                .label(format!("the term lasts {lasts}"))
                .help("the deadline would fall before the term starts; check both durations"),
            );
        }
    }
}

fn approximate_days(d: &ast::Duration) -> u64 {
    let n = u64::from(d.count);
    match d.unit {
        Unit::Minutes | Unit::Hours => 0,
        Unit::Days => n,
        Unit::Weeks => n * 7,
        Unit::Months => n * 30,
        Unit::Years => n * 365,
    }
}

/// Parameters and `let`s that nothing uses.
fn unused_names(contract: &ast::Contract, out: &mut Vec<Diagnostic>) {
    fn note<'a>(e: &'a Expr, used: &mut BTreeSet<&'a str>) {
        visit(e, &mut |x| {
            if let ExprKind::Name(n) = &x.kind {
                used.insert(n.name.as_str());
            }
        });
    }
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for item in &contract.items {
        match item {
            ast::Item::Let { value, .. } => note(value, &mut used),
            ast::Item::Param(p) => {
                if let Some(v) = &p.default {
                    note(v, &mut used);
                }
            }
            ast::Item::Clause(c) => {
                for i in &c.items {
                    for e in item_exprs(&i.kind) {
                        note(e, &mut used);
                    }
                }
            }
            _ => {}
        }
    }
    for item in &contract.items {
        let name = match item {
            ast::Item::Let { name, .. } => name,
            ast::Item::Param(p) => &p.name,
            _ => continue,
        };
        if !used.contains(name.name.as_str()) {
            out.push(
                Diagnostic::warning(
                    "terms::lint::unused",
                    name.span,
                    format!("`{}` is never used", name.name),
                )
                .label("declared here")
                .help("use it in a clause, or remove it"),
            );
        }
    }
}

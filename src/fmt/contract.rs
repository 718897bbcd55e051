//! Printing a contract (`.terms`) in the canonical layout.

use super::printer::{collapsed, quoted, Printer};
use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::syntax::ContractLayout;

/// A contract's text in the canonical layout.
pub(super) fn print(
    src: &str,
    contract: &Contract,
    layout: &ContractLayout,
) -> Result<String, Diagnostic> {
    let header = ("contract", &contract.name, contract.title.as_ref());
    print_declarations(src, header, &contract.items, layout)
}

/// A library's text in the canonical layout.
pub(super) fn print_library(
    src: &str,
    library: &Library,
    layout: &ContractLayout,
) -> Result<String, Diagnostic> {
    let header = ("library", &library.name, library.title.as_ref());
    print_declarations(src, header, &library.items, layout)
}

/// A header (`contract NAME "title"`, `library NAME "title"`), then each item in its place.
fn print_declarations(
    src: &str,
    (word, name, title): (&str, &crate::ast::Ident, Option<&crate::ast::Text>),
    items: &[crate::ast::Item],
    layout: &ContractLayout,
) -> Result<String, Diagnostic> {
    if items.len() != layout.items.len() {
        return Err(super::internal(&format!(
            "the {word}'s items and their places disagree"
        )));
    }
    let mut p = Printer::new(src);
    let header = layout.header;
    p.element(header, header.end, 0, |p| {
        p.push(word);
        p.push(" ");
        p.push(&name.name);
        if let Some(title) = title {
            p.push(" ");
            p.push(&quoted(&title.value));
        }
    });
    for (item, span) in items.iter().zip(&layout.items) {
        print_item(&mut p, item, *span);
    }
    p.rest();
    Ok(p.out)
}

/// A deal's text in the canonical layout.
pub(super) fn print_deal(
    src: &str,
    deal: &Deal,
    layout: &ContractLayout,
) -> Result<String, Diagnostic> {
    if deal.items.len() != layout.items.len() {
        return Err(super::internal(
            "the deal's items and their places disagree",
        ));
    }
    let mut p = Printer::new(src);
    let header = layout.header;
    p.element(header, header.end, 0, |p| {
        p.push("deal ");
        p.push(&deal.name.name);
        if let Some(title) = &deal.title {
            p.push(" ");
            p.push(&quoted(&title.value));
        }
        p.push(" extends ");
        p.push(&quoted(&deal.extends.value));
    });
    for (item, span) in deal.items.iter().zip(&layout.items) {
        match item {
            DealItem::Set { name, value } => {
                let hoist = first_band(value).unwrap_or(span.end);
                p.element(*span, hoist, 0, |p| {
                    p.push("set ");
                    p.push(&name.name);
                    p.push(" = ");
                    line_expr(p, value, 0);
                });
            }
            DealItem::Override { clause, .. } => {
                print_clause_as(&mut p, clause, *span, "override ")
            }
            DealItem::Item(item) => print_item(&mut p, item, *span),
        }
    }
    p.rest();
    Ok(p.out)
}

fn print_item(p: &mut Printer, item: &Item, span: Span) {
    match item {
        Item::Clause(clause) => print_clause(p, clause, span),
        Item::Event(event) => print_event(p, event, span),
        _ => {
            let hoist = item_exprs(item)
                .into_iter()
                .filter_map(first_band)
                .min()
                .unwrap_or(span.end);
            p.element(span, hoist, 0, |p| item_text(p, item, span));
        }
    }
}

fn item_exprs(item: &Item) -> Vec<&Expr> {
    match item {
        Item::Let { value, .. } => vec![value],
        Item::Param(ParamDecl {
            default: Some(e), ..
        }) => vec![e],
        _ => Vec::new(),
    }
}

/// A top-level declaration other than a clause or an event kind, on one line.
fn item_text(p: &mut Printer, item: &Item, span: Span) {
    match item {
        Item::Use(UseTarget::Standard(name)) => {
            p.push("use ");
            p.push(&name.name);
        }
        Item::Use(UseTarget::Path(path)) => {
            p.push("use ");
            p.push(&quoted(&path.value));
        }
        Item::Channel(decl) => {
            p.push("channel ");
            p.push(&decl.name.name);
            if let Some(d) = &decl.description {
                p.push(" ");
                p.push(&quoted(&d.value));
            }
            if let Some(parent) = &decl.counts_as {
                p.push(" counts as ");
                p.push(&parent.name);
            }
        }
        Item::Vendor(text) => {
            p.push("vendor ");
            p.push(&quoted(&text.value));
        }
        Item::Party { name, description } => {
            p.push("party ");
            p.push(&name.name);
            if let Some(d) = description {
                p.push(" ");
                p.push(&quoted(&d.value));
            }
        }
        Item::Currency(code) => {
            p.push("currency ");
            p.push(&code.name);
        }
        Item::Timezone(zone) => {
            p.push("timezone ");
            p.push(&quoted(&zone.value));
        }
        Item::Calendar {
            name,
            hours,
            closed,
            holidays,
        } => {
            p.push("calendar ");
            p.push(&name.name);
            if let Some((open, close, _)) = hours {
                p.push(&format!(
                    " hours {} to {}",
                    open.format("%H:%M"),
                    close.format("%H:%M")
                ));
            }
            if !closed.is_empty() {
                let days: Vec<String> = closed
                    .iter()
                    .map(|(d, _)| d.format("%Y-%m-%d").to_string())
                    .collect();
                p.push(" closed ");
                p.push(&days.join(", "));
            }
            match holidays.as_deref() {
                Some([]) => p.push(" { }"),
                Some(list) => {
                    p.push(" {");
                    for h in list {
                        p.push("\n  holiday ");
                        p.push(&h.name.name);
                        p.push(" on ");
                        p.push(&match h.date {
                            HolidayDate::Fixed { month, day } => format!("{month:02}-{day:02}"),
                            HolidayDate::Easter(0) => String::from("easter"),
                            HolidayDate::Easter(n) => {
                                let sign = if n < 0 { "-" } else { "+" };
                                let n = n.unsigned_abs();
                                let unit = if n == 1 { "day" } else { "days" };
                                format!("easter {sign} {n} {unit}")
                            }
                        });
                        for rule in &h.moves {
                            p.push(&substitution_text(rule));
                        }
                    }
                    p.push("\n}");
                }
                None => {}
            }
        }
        Item::Notices(rule) => {
            p.push("notices");
            if let Some(channel) = &rule.channel {
                p.push(" via ");
                p.push(&channel.name);
            }
            p.push(" count on ");
            counting(p, rule.counting);
            if let Some(article) = &rule.article {
                p.push(" article ");
                p.push(&quoted(&article.value));
            }
        }
        Item::Rounding(mode) => {
            p.push("rounding ");
            p.push(&mode.name);
        }
        Item::Unit { name, description } => {
            p.push("unit ");
            p.push(&name.name);
            if let Some(d) = description {
                p.push(" ");
                p.push(&quoted(&d.value));
            }
        }
        Item::RollForward(article) => {
            p.push("deadlines roll forward");
            if let Some(article) = article {
                p.push(" article ");
                p.push(&quoted(&article.value));
            }
        }
        Item::Param(param) => {
            p.push("param ");
            p.push(&param.name.name);
            p.push(": ");
            match &param.rate {
                Some((to, from)) => p.push(&format!("rate {} per {}", to.name, from.name)),
                None => p.push(&param.type_name.name),
            }
            if let Some(value) = &param.default {
                p.push(" = ");
                line_expr(p, value, 0);
            }
        }
        Item::Let { name, value } => {
            p.push("let ");
            p.push(&name.name);
            p.push(" = ");
            line_expr(p, value, 0);
        }
        // Printed by their own functions; never reached.
        Item::Event(_) | Item::Clause(_) => {
            let text = collapsed(p.text(span.start, span.end));
            p.push(&text);
        }
    }
}

/// ` moves to next monday if saturday or sunday`
fn substitution_text(rule: &Substitution) -> String {
    let day = |d: &chrono::Weekday| match d {
        chrono::Weekday::Mon => "monday",
        chrono::Weekday::Tue => "tuesday",
        chrono::Weekday::Wed => "wednesday",
        chrono::Weekday::Thu => "thursday",
        chrono::Weekday::Fri => "friday",
        chrono::Weekday::Sat => "saturday",
        chrono::Weekday::Sun => "sunday",
    };
    let when: Vec<&str> = rule.when.iter().map(day).collect();
    format!(
        " moves to {} {} if {}",
        if rule.forward { "next" } else { "previous" },
        day(&rule.to),
        when.join(" or ")
    )
}

/// `event invoice { amount: money, direct_debit: bool? }` on one line; with a comment among
/// the fields, one field per line.
fn print_event(p: &mut Printer, event: &EventDecl, span: Span) {
    let mut brace = p.next_solid(event.name.span.end);
    if event.planned {
        brace = p.next_solid(brace + "planned".len());
    }
    let close = span.end.saturating_sub(1);
    let head = |p: &mut Printer| {
        p.push("event ");
        p.push(&event.name.name);
        if event.planned {
            p.push(" planned");
        }
    };
    if !comment_inside(p, brace, close) {
        p.element(span, span.end, 0, |p| {
            head(p);
            if event.fields.is_empty() {
                p.push(" { }");
            } else {
                let fields: Vec<String> = event.fields.iter().map(field_text).collect();
                p.push(" { ");
                p.push(&fields.join(", "));
                p.push(" }");
            }
        });
        return;
    }
    p.element(Span::new(span.start, brace + 1), brace + 1, 0, |p| {
        head(p);
        p.push(" {");
    });
    p.open_block();
    for f in &event.fields {
        let mut end = f.type_name.span.end;
        if f.optional {
            end = p.next_solid(end) + 1;
        }
        let text = field_text(f);
        p.element(Span::new(f.name.span.start, end), end, 1, |p| {
            p.push(&text);
            p.push(",");
        });
    }
    p.close(close, 0, "}");
    p.finish_line(span.end, 0);
}

fn field_text(f: &FieldDecl) -> String {
    format!(
        "{}: {}{}",
        f.name.name,
        f.type_name.name,
        if f.optional { "?" } else { "" }
    )
}

/// Whether a comment starts between two offsets.
fn comment_inside(p: &Printer, from: usize, to: usize) -> bool {
    !super::printer::comments(p.text(from, to)).is_empty()
}

fn print_clause(p: &mut Printer, clause: &Clause, span: Span) {
    print_clause_as(p, clause, span, "");
}

/// A clause, after `prefix` (`override `).
fn print_clause_as(p: &mut Printer, clause: &Clause, span: Span, prefix: &str) {
    let brace = p.next_solid(clause.article.span.end);
    let close = span.end.saturating_sub(1);
    p.leading(brace, 0);
    p.begin(span.start, 0);
    p.push(prefix);
    p.push(clause.kind.word());
    p.push(" ");
    p.push(&clause.id.name);
    p.push(" article ");
    p.push(&quoted(&clause.article.value));
    if clause.items.is_empty() && !p.comment_before(close) {
        p.push(" { }");
        p.finish_line(span.end, 0);
        return;
    }
    p.push(" {");
    p.finish_line(brace + 1, 0);
    p.open_block();
    for item in &clause.items {
        let hoist = clause_item_exprs(&item.kind)
            .into_iter()
            .filter_map(first_band)
            .min()
            .unwrap_or(item.span.end);
        p.element(item.span, hoist, 1, |p| clause_item(p, item));
    }
    p.close(close, 0, "}");
    p.finish_line(span.end, 0);
}

fn clause_item_exprs(kind: &ClauseItemKind) -> Vec<&Expr> {
    match kind {
        ClauseItemKind::ForEach {
            filter: Some(e), ..
        }
        | ClauseItemKind::Owes { amount: e, .. }
        | ClauseItemKind::Deadline(Deadline::Within(_, e))
        | ClauseItemKind::Deadline(Deadline::AtLeastBefore(_, e))
        | ClauseItemKind::Deadline(Deadline::By(e))
        | ClauseItemKind::Requires(e)
        | ClauseItemKind::Opens(Opens::AfterGrace(_, e))
        | ClauseItemKind::Opens(Opens::On(e))
        | ClauseItemKind::When(e)
        | ClauseItemKind::Starts(e)
        | ClauseItemKind::Lasts(e)
        | ClauseItemKind::Renews { period: e, .. }
        | ClauseItemKind::Is(e)
        | ClauseItemKind::Until(e) => vec![e],
        ClauseItemKind::Order(entries) => entries
            .iter()
            .filter_map(|e| e.filter.as_ref().map(|(_, f)| f))
            .collect(),
        ClauseItemKind::Step { filter, value, .. } => filter.iter().chain([value]).collect(),
        _ => Vec::new(),
    }
}

fn party(p: &mut Printer, party: &PartyRef) {
    p.push(&party.base.name);
    if let Some(field) = &party.field {
        p.push(".");
        p.push(&field.name);
    }
}

fn duration(p: &mut Printer, d: &Duration) {
    // The words as written: `1 day` or `1 days`, `business` or `working`.
    let text = collapsed(p.text(d.span.start, d.span.end));
    if text.is_empty() {
        p.push(&d.to_string());
    } else {
        p.push(&text);
    }
}

fn counting(p: &mut Printer, c: Counting) {
    match c {
        Counting::Sending => p.push("sending"),
        Counting::Posting => p.push("posting"),
        Counting::Receipt => p.push("receipt"),
        Counting::DeemedReceipt(d) => {
            p.push("receipt deemed ");
            duration(p, &d);
            p.push(" after posting");
        }
    }
}

fn channels(p: &mut Printer, via: &[Ident]) {
    p.push("via ");
    let names: Vec<&str> = via.iter().map(|c| c.name.as_str()).collect();
    p.push(&names.join(" or "));
}

/// One line of a clause body (a `band` in it spans several).
fn clause_item(p: &mut Printer, item: &ClauseItem) {
    let level = 1;
    match &item.kind {
        ClauseItemKind::ForEach { kind, var, filter } => {
            p.push("for each ");
            p.push(&kind.name);
            p.push(" ");
            p.push(&var.name);
            if let Some(filter) = filter {
                p.push(" where ");
                line_expr(p, filter, level);
            }
        }
        ClauseItemKind::Step {
            kind,
            var,
            filter,
            value,
        } => {
            p.push("on ");
            p.push(&kind.name);
            p.push(" ");
            p.push(&var.name);
            if let Some(filter) = filter {
                p.push(" where ");
                line_expr(p, filter, level);
            }
            p.push(" => ");
            line_expr(p, value, level);
        }
        ClauseItemKind::OnBreach(name) => {
            p.push("on breach of ");
            p.push(&name.name);
        }
        ClauseItemKind::Duty { party: who, action } => {
            party(p, who);
            p.push(" must ");
            p.push(&quoted(&action.value));
        }
        ClauseItemKind::Prohibition { party: who, action } => {
            party(p, who);
            p.push(" must not ");
            p.push(&quoted(&action.value));
        }
        ClauseItemKind::Permission { party: who, action } => {
            party(p, who);
            p.push(" may ");
            p.push(&quoted(&action.value));
        }
        ClauseItemKind::Owes {
            debtor,
            creditor,
            amount,
        } => {
            party(p, debtor);
            p.push(" owes ");
            party(p, creditor);
            p.push(" ");
            line_expr(p, amount, level);
        }
        ClauseItemKind::Deadline(Deadline::Within(d, anchor)) => {
            p.push("within ");
            duration(p, d);
            // `after` and `of` mean the same; keep the word written.
            let word = if p.word_at(d.span.end) == "of" {
                " of "
            } else {
                " after "
            };
            p.push(word);
            line_expr(p, anchor, level);
        }
        ClauseItemKind::Deadline(Deadline::AtLeastBefore(d, anchor)) => {
            p.push("at least ");
            duration(p, d);
            p.push(" before ");
            line_expr(p, anchor, level);
        }
        ClauseItemKind::Deadline(Deadline::By(e)) => {
            p.push("by ");
            line_expr(p, e, level);
        }
        ClauseItemKind::Via(via) => channels(p, via),
        ClauseItemKind::FulfilledBy(kind) => {
            p.push("fulfilled by ");
            p.push(&kind.name);
        }
        ClauseItemKind::ExercisedBy(kind) => {
            p.push("exercised by ");
            p.push(&kind.name);
        }
        ClauseItemKind::BreachedBy(kind) => {
            p.push("breached by ");
            p.push(&kind.name);
        }
        ClauseItemKind::Requires(e) => {
            p.push("requires ");
            line_expr(p, e, level);
        }
        ClauseItemKind::Opens(Opens::AfterGrace(d, e)) => {
            p.push("opens after ");
            duration(p, d);
            p.push(" following ");
            line_expr(p, e, level);
        }
        ClauseItemKind::Opens(Opens::On(e)) => {
            p.push("opens on ");
            line_expr(p, e, level);
        }
        ClauseItemKind::WhileUnmet(name) => {
            p.push("while ");
            p.push(&name.name);
            p.push(" unmet");
        }
        ClauseItemKind::When(e) => {
            p.push("when ");
            line_expr(p, e, level);
        }
        ClauseItemKind::Otherwise(text) => {
            p.push("otherwise ");
            p.push(&quoted(&text.value));
        }
        ClauseItemKind::Counts(c) => {
            p.push("counts on ");
            counting(p, *c);
        }
        ClauseItemKind::Starts(e) => {
            p.push("starts ");
            line_expr(p, e, level);
        }
        ClauseItemKind::Lasts(e) => {
            p.push("lasts ");
            line_expr(p, e, level);
        }
        ClauseItemKind::Renews { tacit, period } => {
            p.push("renews ");
            if *tacit {
                p.push("tacitly ");
            } else if p.word_at(item.span.start + "renews".len()) == "automatically" {
                // Same meaning as no word; keep it as written.
                p.push("automatically ");
            }
            p.push("for ");
            line_expr(p, period, level);
        }
        ClauseItemKind::Notice {
            kind,
            party: who,
            via,
            before,
        } => {
            p.push("notice ");
            p.push(&kind.name);
            p.push(" by ");
            party(p, who);
            if !via.is_empty() {
                p.push(" ");
                channels(p, via);
            }
            p.push(" at least ");
            duration(p, before);
            p.push(" before end");
        }
        ClauseItemKind::Is(e) => {
            p.push("is ");
            line_expr(p, e, level);
        }
        ClauseItemKind::Pays {
            debtor,
            creditor,
            kind,
        } => {
            party(p, debtor);
            p.push(" pays ");
            party(p, creditor);
            p.push(" by ");
            p.push(&kind.name);
        }
        ClauseItemKind::Label(text) => {
            p.push("label ");
            p.push(&quoted(&text.value));
        }
        ClauseItemKind::Order(entries) => {
            p.push("order ");
            for (i, entry) in entries.iter().enumerate() {
                if i > 0 {
                    p.push(", ");
                }
                p.push(&entry.source.name);
                if let Some((var, filter)) = &entry.filter {
                    p.push(" ");
                    p.push(&var.name);
                    p.push(" where ");
                    expr(p, filter, 0, level);
                }
                if entry.oldest_first {
                    p.push(" oldest first");
                }
            }
        }
        ClauseItemKind::Until(e) => {
            p.push("until ");
            line_expr(p, e, level);
        }
        ClauseItemKind::RollsForward => p.push("roll forward"),
        ClauseItemKind::During(term) => {
            p.push("during ");
            p.push(&term.name);
        }
        ClauseItemKind::DelayPeriods(rule) => {
            p.push("delay counted in ");
            p.push(rule.word());
            p.push(" periods");
        }
    }
}

// ---------------------------------------------------------------- expressions

/// How tightly an expression binds, as the grammar nests its rules: `or` 1, `and` 2, `not`
/// 3, comparisons 4, `+ -` 5, `* /` 6, unary `-` 7, field access and windows 8, anything
/// closed (a literal, a name, a call, a band) 9. An `if` is 0: its `else` branch runs as far
/// right as it can, so it is bracketed wherever it is an operand.
fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::If(..) => 0,
        ExprKind::Binary(op, _, _) => match op {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div => 6,
        },
        ExprKind::Not(_) => 3,
        ExprKind::Neg(_) => 7,
        ExprKind::Field(..) | ExprKind::Window { .. } => 8,
        _ => 9,
    }
}

/// The widest line the printer makes by itself: a longer line whose expression is a chain of
/// `and` or `or` is broken before each operator.
pub(super) const MAX_WIDTH: usize = 110;

/// The expression that ends a line. When the line is longer than [`MAX_WIDTH`] and the
/// expression is a chain of `and` (or of `or`), each operand after the first goes on a line
/// of its own, one level deeper, starting with the operator.
fn line_expr(p: &mut Printer, e: &Expr, level: usize) {
    let mark = p.out.len();
    expr(p, e, 0, level);
    let ExprKind::Binary(op @ (BinOp::And | BinOp::Or), _, _) = &e.kind else {
        return;
    };
    let width = p.out.rsplit('\n').next().map_or(0, |l| l.chars().count());
    if width <= MAX_WIDTH || first_band(e).is_some() {
        return;
    }
    p.out.truncate(mark);
    let own = precedence(e);
    let mut operands = Vec::new();
    chain(e, *op, &mut operands);
    for (i, operand) in operands.into_iter().enumerate() {
        if i == 0 {
            expr(p, operand, own, level);
        } else {
            p.push("\n");
            p.push(&"  ".repeat(level + 1));
            p.push(op.symbol());
            p.push(" ");
            expr(p, operand, own + 1, level);
        }
    }
}

/// The operands of a left-nested chain of one operator: `a and b and c` is `[a, b, c]`.
fn chain<'e>(e: &'e Expr, op: BinOp, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary(o, a, b) if *o == op => {
            chain(a, op, out);
            out.push(b);
        }
        _ => out.push(e),
    }
}

/// The offset where the first `band` in an expression starts, if it has one.
pub(super) fn first_band(e: &Expr) -> Option<usize> {
    match &e.kind {
        ExprKind::Band(..) => Some(e.span.start),
        ExprKind::Field(x, _) | ExprKind::Neg(x) | ExprKind::Not(x) => first_band(x),
        ExprKind::Window { anchor, .. } => first_band(anchor),
        ExprKind::Binary(_, a, b) => first_band(a).or_else(|| first_band(b)),
        ExprKind::If(a, b, c) => first_band(a)
            .or_else(|| first_band(b))
            .or_else(|| first_band(c)),
        ExprKind::Call(_, args, _) => args.iter().find_map(first_band),
        _ => None,
    }
}

/// Prints `e`, in brackets when it binds less tightly than `min`. `level` is the
/// indentation of the line it is on (for a `band`'s arms).
fn expr(p: &mut Printer, e: &Expr, min: u8, level: usize) {
    if precedence(e) < min {
        p.push("(");
        expr_kind(p, e, level);
        p.push(")");
    } else {
        expr_kind(p, e, level);
    }
}

fn expr_kind(p: &mut Printer, e: &Expr, level: usize) {
    match &e.kind {
        ExprKind::Money { amount, currency } => p.push(&format!("{currency} {amount}")),
        ExprKind::Percent(n) => p.push(&format!("{n}%")),
        ExprKind::Number(n) => p.push(&n.to_string()),
        ExprKind::Date(d) => p.push(&d.format("%Y-%m-%d").to_string()),
        ExprKind::DateTime(d) => p.push(&d.format("%Y-%m-%dT%H:%M").to_string()),
        ExprKind::Duration(d) => duration(p, d),
        ExprKind::Quantity { amount, unit } => p.push(&format!("{amount} {}", unit.name)),
        ExprKind::Text(s) => p.push(&quoted(s)),
        ExprKind::Bool(b) => p.push(if *b { "true" } else { "false" }),
        ExprKind::Name(name) => p.push(&name.name),
        ExprKind::Field(base, field) => {
            // `6 months before c.x` would take the field into the window.
            let min = if matches!(base.kind, ExprKind::Window { .. }) {
                9
            } else {
                8
            };
            expr(p, base, min, level);
            p.push(".");
            p.push(&field.name);
        }
        ExprKind::Call(name, args, _) => {
            p.push(&name.name);
            p.push("(");
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    p.push(", ");
                }
                expr(p, arg, 0, level);
            }
            p.push(")");
        }
        ExprKind::Neg(x) => {
            p.push("-");
            expr(p, x, 7, level);
        }
        ExprKind::Not(x) => {
            p.push("not ");
            expr(p, x, 3, level);
        }
        ExprKind::Binary(op, a, b) => {
            let own = precedence(e);
            // Comparisons do not chain: both sides are sums.
            let (left, right) = if own == 4 { (5, 5) } else { (own, own + 1) };
            expr(p, a, left, level);
            p.push(" ");
            p.push(op.symbol());
            p.push(" ");
            expr(p, b, right, level);
        }
        ExprKind::If(c, t, f) => {
            p.push("if ");
            expr(p, c, 0, level);
            p.push(" then ");
            expr(p, t, 0, level);
            p.push(" else ");
            expr(p, f, 0, level);
        }
        ExprKind::Window {
            length,
            before,
            anchor,
        } => {
            duration(p, length);
            p.push(if *before { " before " } else { " after " });
            expr(p, anchor, 8, level);
        }
        ExprKind::Band(subject, arms) => band(p, e.span, subject, arms, level),
    }
}

/// `band x {` then one arm per line, one level deeper, each with its comma, then `}`.
fn band(p: &mut Printer, span: Span, subject: &Expr, arms: &[(Option<Expr>, Expr)], level: usize) {
    p.push("band ");
    expr(p, subject, 5, level);
    p.push(" {\n");
    p.open_block();
    for (threshold, value) in arms {
        let start = threshold
            .as_ref()
            .map_or(value.span.start, |t| t.span.start);
        let arm = Span::new(start, value.span.end);
        let hoist = first_band(value).unwrap_or(arm.end);
        p.element(arm, hoist, level + 1, |p| {
            match threshold {
                Some(t) => {
                    p.push("below ");
                    expr(p, t, 5, level + 1);
                }
                None => p.push("otherwise"),
            }
            p.push(" => ");
            expr(p, value, 0, level + 1);
            p.push(",");
        });
    }
    p.close(span.end.saturating_sub(1), level, "}");
}

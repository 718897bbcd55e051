//! Printing a scenario (`.scenario`) in the canonical layout: the title, then every line in
//! the order written, one per line.

use super::printer::{collapsed, quoted, Printer};
use crate::ast::{Event, Literal, LiteralKind, Scenario};
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::syntax::{ScenarioLayout, ScenarioLine};

pub(super) fn print(
    src: &str,
    scenario: &Scenario,
    layout: &ScenarioLayout,
) -> Result<String, Diagnostic> {
    let mut p = Printer::new(src);
    let header = layout.header;
    p.element(header, header.end, 0, |p| {
        p.push("scenario ");
        p.push(&quoted(&scenario.title.value));
    });
    for (line, span) in &layout.lines {
        let span = *span;
        match line {
            ScenarioLine::Contract(name) => p.element(span, span.end, 0, |p| {
                p.push("contract ");
                p.push(&name.name);
            }),
            ScenarioLine::AsOf(day) => p.element(span, span.end, 0, |p| {
                p.push("as of ");
                let text = p.text(day.start, day.end);
                p.push(text);
            }),
            ScenarioLine::Fact(i) => {
                let fact = scenario
                    .facts
                    .get(*i)
                    .ok_or_else(|| super::internal("a fact of the scenario is missing"))?;
                p.element(span, span.end, 0, |p| {
                    p.push("fact ");
                    p.push(&fact.name.name);
                    p.push(" = ");
                    literal(p, &fact.value);
                });
            }
            ScenarioLine::Event(i) => {
                let event = scenario
                    .events
                    .get(*i)
                    .ok_or_else(|| super::internal("an event of the scenario is missing"))?;
                print_event(&mut p, event, span);
            }
        }
    }
    p.rest();
    Ok(p.out)
}

fn literal(p: &mut Printer, value: &Literal) {
    match &value.kind {
        LiteralKind::Text(s) => p.push(&quoted(s)),
        LiteralKind::Name(name) => p.push(name),
        // Numbers, amounts, dates and durations exactly as written (`EUR 75.00` keeps its
        // scale), spaces made single.
        _ => {
            let text = collapsed(p.text(value.span.start, value.span.end));
            p.push(&text);
        }
    }
}

/// `event r1: reminder on 2025-02-20 by vendor via email { invoice: inv1 }` on one line; with
/// a comment among the fields, one field per line.
fn print_event(p: &mut Printer, event: &Event, span: Span) {
    let head_end = [
        Some(event.at_span.end),
        event.by.as_ref().map(|b| b.span.end),
        event.via.as_ref().map(|v| v.span.end),
        event.received.as_ref().map(|(_, s)| s.end),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(event.at_span.end);
    let brace = p.next_solid(head_end);
    let has_block = p.text(brace, brace + 1) == "{";
    let close = span.end.saturating_sub(1);
    let head = |p: &mut Printer| {
        p.push("event ");
        p.push(&event.id.name);
        p.push(": ");
        p.push(&event.kind.name);
        p.push(" on ");
        let at = p.text(event.at_span.start, event.at_span.end);
        p.push(at);
        if let Some(by) = &event.by {
            p.push(" by ");
            p.push(&by.name);
        }
        if let Some(via) = &event.via {
            p.push(" via ");
            p.push(&via.name);
        }
        if let Some((_, received)) = &event.received {
            p.push(" received ");
            let at = p.text(received.start, received.end);
            p.push(at);
        }
    };
    let block_comments = has_block && !super::printer::comments(p.text(brace, close)).is_empty();
    if !block_comments {
        p.element(span, span.end, 0, |p| {
            head(p);
            if !event.fields.is_empty() {
                p.push(" { ");
                for (i, (name, value)) in event.fields.iter().enumerate() {
                    if i > 0 {
                        p.push(", ");
                    }
                    p.push(&name.name);
                    p.push(": ");
                    literal(p, value);
                }
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
    for (name, value) in &event.fields {
        let field = Span::new(name.span.start, value.span.end);
        p.element(field, field.end, 1, |p| {
            p.push(&name.name);
            p.push(": ");
            literal(p, value);
            p.push(",");
        });
    }
    p.close(close, 0, "}");
    p.finish_line(span.end, 0);
}

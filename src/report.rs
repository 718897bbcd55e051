//! Reports: the outcome of an evaluation rendered as aligned text for a person, or as
//! stable JSON for another system (documented in docs/report.md).

use rust_decimal::Decimal;
use serde::Serialize;

use crate::check::Checked;
use crate::eval::Outcome;
use crate::money::format_grouped;
use crate::scenario::Scenario;

/// Everything a report shows.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub contract: String,
    pub vendor: Option<String>,
    pub scenario: String,
    pub as_of: String,
    pub currency: String,
    /// Scenario facts that replace values the contract fixes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<crate::scenario::Override>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl Report {
    pub fn new(
        contract: &Checked,
        scenario: &Scenario,
        as_of: crate::calendar::AsOf,
        outcome: Outcome,
    ) -> Report {
        Report {
            contract: contract.name.clone(),
            vendor: contract.vendor.clone(),
            scenario: scenario.title.clone(),
            as_of: as_of.to_string(),
            currency: contract.currency.clone(),
            overrides: scenario.overrides.clone(),
            outcome,
        }
    }

    /// One header line per scenario fact that replaces a contract value.
    fn override_lines(&self) -> String {
        self.overrides
            .iter()
            .map(|o| {
                format!(
                    "override  {} = {} (the scenario replaces the contract's {})\n",
                    o.param, o.scenario, o.contract
                )
            })
            .collect()
    }

    /// The JSON form, pretty-printed, keys in a fixed order.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// The text form: one section per kind of entry, aligned columns, each line citing its
    /// article.
    pub fn to_text(&self) -> String {
        let o = &self.outcome;
        let mut out = String::new();
        let vendor = self
            .vendor
            .as_deref()
            .map_or(String::new(), |v| format!(" ({v})"));
        out.push_str(&format!("contract  {}{vendor}\n", self.contract));
        out.push_str(&format!("scenario  {}\n", self.scenario));
        out.push_str(&format!("as of     {}\n", self.as_of));
        out.push_str(&self.override_lines());

        let event = |e: &Option<String>| e.as_ref().map_or(String::new(), |e| format!("[{e}]"));
        let opt =
            |m: &Option<crate::calendar::Moment>| m.map_or(String::from("-"), |m| m.to_string());

        section(
            &mut out,
            "OBLIGATIONS",
            o.obligations.iter().map(|x| {
                let must = if x.prohibition { "must not" } else { "must" };
                let via = if x.via.is_empty() {
                    String::new()
                } else {
                    format!("via {}", x.via.join("/"))
                };
                let due = if x.prohibition {
                    format!("until {}", opt(&x.due))
                } else {
                    format!("due {}", opt(&x.due))
                };
                let met = x.met_on.map_or(String::new(), |m| format!("(done {m})"));
                vec![
                    cite(&x.source),
                    x.party.clone(),
                    format!("{must} {}", x.action),
                    event(&x.source.event),
                    due,
                    via,
                    x.status.word().to_string(),
                    met,
                ]
            }),
        );
        section(
            &mut out,
            "VIOLATIONS",
            o.violations.iter().map(|x| {
                let consequence = x
                    .consequence
                    .as_ref()
                    .map_or(String::new(), |c| format!("→ {c}"));
                vec![
                    cite(&x.source),
                    x.party.clone(),
                    x.action.clone(),
                    event(&x.source.event),
                    x.kind.word().to_string(),
                    x.detail.clone(),
                    consequence,
                ]
            }),
        );
        section(
            &mut out,
            "RIGHTS",
            o.rights.iter().map(|x| {
                let until = x.until.map_or(String::new(), |u| format!("until {u}"));
                vec![
                    cite(&x.source),
                    x.party.clone(),
                    format!("may {}", x.right),
                    event(&x.source.event),
                    format!("from {}", opt(&x.from)),
                    until,
                    x.status.word().to_string(),
                    x.detail.clone(),
                ]
            }),
        );
        section(
            &mut out,
            "AMOUNTS",
            o.amounts.iter().map(|x| {
                vec![
                    cite(&x.source),
                    x.kind.clone(),
                    format!("{} → {}", x.debtor, x.creditor),
                    event(&x.source.event),
                    format!("{} {:>12}", x.currency, format_grouped(x.amount)),
                    x.computation.clone(),
                ]
            }),
        );
        if !o.totals.is_empty() {
            section(
                &mut out,
                "TOTALS",
                o.totals.iter().map(|t| {
                    vec![
                        format!("{} → {}", t.debtor, t.creditor),
                        format!("{} {:>12}", t.currency, format_grouped(t.amount)),
                    ]
                }),
            );
        }
        section(
            &mut out,
            "DATES",
            o.dates.iter().map(|x| {
                vec![
                    cite(&x.source),
                    x.name.clone(),
                    event(&x.source.event),
                    x.date.to_string(),
                    x.derivation.clone(),
                ]
            }),
        );
        if !o.rejected.is_empty() {
            section(
                &mut out,
                "REJECTED",
                o.rejected.iter().map(|x| {
                    vec![
                        cite(&x.source),
                        x.source.clause_id.clone(),
                        event(&x.source.event),
                        format!("`{}`", x.act),
                        x.reason.clone(),
                    ]
                }),
            );
        }
        if !o.values.is_empty() {
            section(
                &mut out,
                "VALUES",
                o.values.iter().map(|x| {
                    vec![
                        cite(&x.source),
                        x.name.clone(),
                        event(&x.source.event),
                        x.value.clone(),
                        x.derivation.clone(),
                    ]
                }),
            );
        }
        section(
            &mut out,
            "NOTICES",
            o.notices.iter().map(|x| {
                let verdict = if x.effective {
                    "effective"
                } else {
                    "ineffective"
                };
                vec![
                    cite(&x.source),
                    event(&x.source.event),
                    x.via.clone().unwrap_or_default(),
                    verdict.to_string(),
                    x.reason.clone(),
                ]
            }),
        );
        section(
            &mut out,
            "ALLOCATIONS",
            o.allocations.iter().map(|x| {
                vec![
                    cite(&x.source),
                    format!("[{}]", x.payment),
                    format!("→ {} ({})", x.debt, x.debt_kind),
                    format!("{} {:>12}", x.currency, format_grouped(x.applied)),
                    format!("remaining {}", format_grouped(x.remaining)),
                ]
            }),
        );
        if !o.outstanding.is_empty() {
            let mut rows: Vec<Vec<String>> = o
                .outstanding
                .iter()
                .map(|x| {
                    vec![
                        cite(&x.source),
                        format!("[{}]", x.debt),
                        x.debt_kind.clone(),
                        format!("{} → {}", x.debtor, x.creditor),
                        format!("{} {:>12}", x.currency, format_grouped(x.amount)),
                    ]
                })
                .collect();
            let total = o
                .outstanding
                .iter()
                .try_fold(Decimal::ZERO, |sum, x| sum.checked_add(x.amount));
            let total = total.map_or_else(|| String::from("(too large)"), format_grouped);
            rows.push(vec![
                String::new(),
                String::from("total"),
                String::new(),
                String::new(),
                format!("{} {:>12}", self.currency, total),
            ]);
            section(&mut out, "OUTSTANDING", rows.into_iter());
        }
        if !o.unevaluated.is_empty() {
            section(
                &mut out,
                "NOT EVALUATED",
                o.unevaluated
                    .iter()
                    .map(|x| vec![art(&x.clause), x.clause_id.clone(), x.reason.clone()]),
            );
        }
        out
    }
}

impl Report {
    /// Every entry with its derivation written out step by step, and (when evaluated with
    /// `explain`) every clause instance that did not fire and why. `only` keeps the entries
    /// whose clause id, article or event is that name.
    pub fn to_explanation(&self, only: Option<&str>) -> String {
        let o = &self.outcome;
        let keep = |s: &crate::eval::Source| {
            only.is_none_or(|f| s.clause_id == f || s.clause == f || s.event.as_deref() == Some(f))
        };
        let mut out = format!(
            "contract  {}\nscenario  {}\nas of     {}\n",
            self.contract, self.scenario, self.as_of
        );
        out.push_str(&self.override_lines());
        let head = |s: &crate::eval::Source, what: String| {
            let event = s
                .event
                .as_ref()
                .map_or(String::new(), |e| format!(" [{e}]"));
            format!("\n{} {}{event}: {what}\n", cite(s), s.clause_id)
        };
        for x in o.obligations.iter().filter(|x| keep(&x.source)) {
            let must = if x.prohibition { "must not" } else { "must" };
            out.push_str(&head(&x.source, format!("{} {must} {}", x.party, x.action)));
            steps(&mut out, &x.steps);
            line(&mut out, "status", x.status.word());
            let same = |v: &&crate::eval::ViolationEntry| {
                v.source.clause_id == x.source.clause_id && v.source.event == x.source.event
            };
            for v in o.violations.iter().filter(same) {
                line(
                    &mut out,
                    "violation",
                    &format!("{}: {}", v.kind.word(), v.detail),
                );
                if let Some(c) = &v.consequence {
                    line(&mut out, "then", c);
                }
            }
        }
        for x in o.rights.iter().filter(|x| keep(&x.source)) {
            out.push_str(&head(&x.source, format!("{} may {}", x.party, x.right)));
            steps(&mut out, &x.steps);
            line(&mut out, "status", x.status.word());
            line(&mut out, "detail", &x.detail);
        }
        for x in o.amounts.iter().filter(|x| keep(&x.source)) {
            let what = format!(
                "{} owes {} {} {} ({})",
                x.debtor,
                x.creditor,
                x.currency,
                format_grouped(x.amount),
                x.kind
            );
            out.push_str(&head(&x.source, what));
            steps(&mut out, &x.steps);
        }
        for x in o.dates.iter().filter(|x| keep(&x.source)) {
            out.push_str(&head(&x.source, format!("{} {}", x.name, x.date)));
            steps(&mut out, &x.steps);
        }
        for x in o.rejected.iter().filter(|x| keep(&x.source)) {
            out.push_str(&head(&x.source, format!("rejected `{}`", x.act)));
            line(&mut out, "reason", &x.reason);
        }
        for x in o.values.iter().filter(|x| keep(&x.source)) {
            out.push_str(&head(&x.source, format!("{} {}", x.name, x.value)));
            steps(&mut out, &x.steps);
        }
        for x in o.notices.iter().filter(|x| keep(&x.source)) {
            let verdict = if x.effective {
                "effective"
            } else {
                "ineffective"
            };
            out.push_str(&head(&x.source, format!("notice {verdict}")));
            line(&mut out, "deadline", &x.deadline.to_string());
            line(&mut out, "reason", &x.reason);
        }
        for x in o.allocations.iter().filter(|x| keep(&x.source)) {
            let what = format!(
                "{} {} of `{}` applied to `{}` ({})",
                x.currency,
                format_grouped(x.applied),
                x.payment,
                x.debt,
                x.debt_kind
            );
            out.push_str(&head(&x.source, what));
            line(&mut out, "remaining", &format_grouped(x.remaining));
        }
        let not_fired: Vec<_> = o.not_fired.iter().filter(|x| keep(&x.source)).collect();
        if !not_fired.is_empty() {
            out.push_str("\nDID NOT FIRE\n");
            for x in not_fired {
                let event = x
                    .source
                    .event
                    .as_ref()
                    .map_or(String::new(), |e| format!(" [{e}]"));
                out.push_str(&format!(
                    "  {} {}{event}: {}\n",
                    cite(&x.source),
                    x.source.clause_id,
                    x.reason
                ));
            }
        }
        for x in o
            .unevaluated
            .iter()
            .filter(|x| only.is_none_or(|f| x.clause_id == f || x.clause == f))
        {
            out.push_str(&format!(
                "\nNOT EVALUATED {} {}: {}\n",
                art(&x.clause),
                x.clause_id,
                x.reason
            ));
        }
        out
    }
}

/// One labelled line of an explanation.
fn line(out: &mut String, label: &str, text: &str) {
    out.push_str(&format!("  {label:<11} {text}\n"));
}

/// A derivation, one step after another, each input on its own line.
fn steps(out: &mut String, steps: &[crate::eval::Step]) {
    for step in steps {
        line(out, &step.what, &step.formula);
        for input in &step.inputs {
            line(out, "", &format!("  {} = {}", input.name, input.value));
        }
        line(out, "", &format!("= {}", step.result));
    }
}

fn art(article: &str) -> String {
    format!("§{article}")
}

/// An entry's article, and for a deal where it comes from: `§4.2 (general terms)`,
/// `§Q-4.2 (deal)`.
fn cite(source: &crate::eval::Source) -> String {
    match source.from {
        Some(from) => format!("§{} ({})", source.clause, from.word()),
        None => art(&source.clause),
    }
}

/// A titled section of rows, columns padded to their widest cell; empty sections say so.
fn section(out: &mut String, title: &str, rows: impl Iterator<Item = Vec<String>>) {
    let rows: Vec<Vec<String>> = rows.collect();
    out.push('\n');
    out.push_str(title);
    out.push('\n');
    if rows.is_empty() {
        out.push_str("  (none)\n");
        return;
    }
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in &rows {
        let mut line = String::from(" ");
        for (i, cell) in row.iter().enumerate() {
            let width = widths.get(i).copied().unwrap_or(0);
            line.push(' ');
            line.push_str(cell);
            if i + 1 < row.len() {
                line.push_str(&" ".repeat(width.saturating_sub(cell.chars().count())));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

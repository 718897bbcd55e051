//! Structure-aware fuzzing: libFuzzer's bytes become (through `arbitrary`) a grammar-shaped
//! contract and scenario, rendered to text, so that most inputs get past the parser and the
//! checker and exercise evaluation and rendering. Names are chosen by index, so most
//! references resolve and some do not. The pipeline must return a report or diagnostics,
//! never panic or hang.
#![no_main]

use std::fmt::Write as _;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use terms::source::SourceFile;

const PARTIES: [&str; 3] = ["vendor", "client", "agent"];
const CHANNELS: [&str; 5] = [
    "email",
    "registered_letter",
    "letter",
    "platform",
    "written",
];

#[derive(Arbitrary, Debug)]
struct Input {
    contract: Contract,
    facts: Vec<Lit>,
    events: Vec<Event>,
    as_of: Day,
}

#[derive(Arbitrary, Debug)]
struct Contract {
    settings: Vec<Setting>,
    kinds: Vec<Kind>,
    params: Vec<(Ty, Option<Expr>)>,
    lets: Vec<Expr>,
    clauses: Vec<Clause>,
}

#[derive(Arbitrary, Debug)]
enum Setting {
    Rounding(u8),
    Notices(Option<u8>, u8, Option<(u8, bool)>),
    RollForward,
    Calendar(bool, Option<(u8, u8)>),
    Timezone(bool),
}

#[derive(Arbitrary, Debug)]
struct Kind {
    planned: bool,
    fields: Vec<(Ty, bool)>,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Ty {
    Money,
    Percent,
    Number,
    Date,
    DateTime,
    Duration,
    Text,
    Bool,
    Party,
    Event(u8),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Day {
    Near(u16),
    Edge(u8),
}

#[derive(Arbitrary, Debug)]
enum Lit {
    Money(i64, u8),
    Percent(i16, u8),
    Number(i64, u8),
    Date(Day),
    DateTime(Day, u8, u8),
    Duration(u16, u8),
    Text,
    Bool(bool),
}

#[derive(Arbitrary, Debug)]
enum Expr {
    Lit(Lit),
    Var,
    Delay,
    Field(Box<Expr>, u8),
    Param(u8),
    Let(u8),
    Party(u8),
    Binary(u8, Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(u8, Vec<Expr>),
    KindCall(u8, u8, Vec<Expr>),
    ClauseCall(u8, u8, Option<Box<Expr>>),
    Streak(Box<Expr>, Option<u16>),
    Band(Box<Expr>, Vec<(Expr, Expr)>, Box<Expr>),
}

#[derive(Arbitrary, Debug)]
enum Scope {
    Single,
    ForEach(u8, Option<Expr>),
    OnBreach(u8),
}

#[derive(Arbitrary, Debug)]
enum Deadline {
    Within(u16, u8, Expr),
    Before(u16, u8, Expr),
    By(Expr),
}

#[derive(Arbitrary, Debug)]
enum Body {
    Obligation {
        party: u8,
        deadline: Deadline,
        via: Option<u8>,
        fulfilled_by: Option<u8>,
        counts: Option<u8>,
        requires: Option<Expr>,
        prohibition: Option<(Expr, u8)>,
        roll: bool,
        otherwise: bool,
    },
    Right {
        party: u8,
        opens: Option<(u16, Expr)>,
        within: Option<(u16, u8, Expr)>,
        while_unmet: Option<u8>,
        exercised_by: Option<u8>,
        via: Option<u8>,
    },
    Charge(u8, u8, u8, Expr),
    Term {
        starts: Expr,
        lasts: (u16, u8),
        renews: Option<(u16, u8)>,
        notice: Option<(u8, u8, u8, u16, u8)>,
    },
    Date(Expr),
    Allocation(u8, u8, u8, Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct Clause {
    scope: Scope,
    when: Option<Expr>,
    body: Body,
}

#[derive(Arbitrary, Debug)]
struct Event {
    kind: u8,
    day: Day,
    time: Option<(u8, u8)>,
    by: Option<u8>,
    via: Option<u8>,
    received: Option<Day>,
    values: Vec<Lit>,
    refers: u8,
}

/// How deep expressions are rendered: deeper ones become a literal (the parser's own limits
/// are tested by the other targets).
const MAX_DEPTH: usize = 6;

fn pick<T: Copy>(items: &[T], i: u8) -> T {
    items[usize::from(i) % items.len()]
}

fn day(d: Day) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
    match d {
        Day::Near(n) => base
            .checked_add_days(chrono::Days::new(u64::from(n % 4000)))
            .unwrap_or(base)
            .to_string(),
        Day::Edge(i) => pick(
            &[
                "1900-01-01",
                "2199-12-31",
                "2024-02-29",
                "2100-02-28",
                "1899-12-31",
                "2200-01-01",
                "2025-01-31",
            ],
            i,
        )
        .to_string(),
    }
}

fn unit(u: u8) -> &'static str {
    pick(
        &[
            "days",
            "business days",
            "months",
            "years",
            "weeks",
            "hours",
            "business minutes",
            "working days",
        ],
        u,
    )
}

fn decimal(n: i64, scale: u8) -> String {
    rust_decimal::Decimal::try_new(n, u32::from(scale % 29))
        .map(|d| d.to_string())
        .unwrap_or_else(|_| n.to_string())
}

fn lit(l: &Lit) -> String {
    match l {
        Lit::Money(n, s) => format!("EUR {}", decimal(*n, *s)),
        Lit::Percent(n, s) => format!("{}%", decimal(i64::from(*n), *s % 4)),
        Lit::Number(n, s) => decimal(*n, *s),
        Lit::Date(d) => day(*d),
        Lit::DateTime(d, h, m) => format!("{}T{:02}:{:02}", day(*d), h % 25, m % 61),
        Lit::Duration(n, u) => format!("{n} {}", unit(*u)),
        Lit::Text => String::from("\"text\""),
        Lit::Bool(b) => b.to_string(),
    }
}

struct Names {
    kinds: usize,
    params: usize,
    lets: usize,
    clauses: usize,
}

impl Names {
    fn kind(&self, i: u8) -> String {
        format!("k{}", usize::from(i) % (self.kinds + 1))
    }
    fn clause(&self, i: u8) -> String {
        format!("c{}", usize::from(i) % (self.clauses + 1))
    }
}

fn expr(e: &Expr, n: &Names, depth: usize) -> String {
    if depth > MAX_DEPTH {
        return String::from("1");
    }
    let sub = |e: &Expr| expr(e, n, depth + 1);
    let args = |es: &[Expr]| es.iter().take(4).map(sub).collect::<Vec<_>>().join(", ");
    match e {
        Expr::Lit(l) => lit(l),
        Expr::Var => String::from("x"),
        Expr::Delay => String::from("delay"),
        Expr::Field(e, f) => {
            let field = pick(&["f0", "f1", "f2", "amount", "by", "received", "date"], *f);
            format!("{}.{field}", sub(e))
        }
        Expr::Param(i) => format!("p{}", usize::from(*i) % (n.params + 1)),
        Expr::Let(i) => format!("l{}", usize::from(*i) % (n.lets + 1)),
        Expr::Party(i) => pick(&PARTIES, *i).to_string(),
        Expr::Binary(op, a, b) => {
            let op = pick(
                &[
                    "+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "and", "or",
                ],
                *op,
            );
            format!("({} {op} {})", sub(a), sub(b))
        }
        Expr::Not(e) => format!("not {}", sub(e)),
        Expr::Neg(e) => format!("-{}", sub(e)),
        Expr::If(c, a, b) => format!("(if {} then {} else {})", sub(c), sub(a), sub(b)),
        Expr::Call(f, es) => {
            let f = pick(
                &[
                    "max",
                    "min",
                    "ceil",
                    "floor",
                    "days",
                    "started_months",
                    "complete_months",
                    "complete_weeks",
                    "hours",
                    "minutes",
                    "end_of_month",
                    "given",
                    "rank",
                ],
                *f,
            );
            format!("{f}({})", args(es))
        }
        Expr::KindCall(f, k, es) => {
            let f = pick(
                &["nth", "count", "total", "count_in", "last_before", "sum"],
                *f,
            );
            let rest = args(es);
            if rest.is_empty() {
                format!("{f}({})", n.kind(*k))
            } else {
                format!("{f}({}, {rest})", n.kind(*k))
            }
        }
        Expr::ClauseCall(f, c, e) => {
            let f = pick(&["due", "met", "met_on", "end_of"], *f);
            match e {
                Some(e) => format!("{f}({}, {})", n.clause(*c), sub(e)),
                None => format!("{f}({})", n.clause(*c)),
            }
        }
        Expr::Streak(e, months) => match months {
            Some(m) => format!("streak({}, {} months)", sub(e), m % 24),
            None => format!("streak({})", sub(e)),
        },
        Expr::Band(x, arms, otherwise) => {
            let mut out = format!("band {} {{ ", sub(x));
            for (t, v) in arms.iter().take(4) {
                let _ = write!(out, "below {} => {}, ", sub(t), sub(v));
            }
            let _ = write!(out, "otherwise => {} }}", sub(otherwise));
            out
        }
    }
}

fn ty(t: Ty, n: &Names) -> String {
    match t {
        Ty::Money => "money".into(),
        Ty::Percent => "percent".into(),
        Ty::Number => "number".into(),
        Ty::Date => "date".into(),
        Ty::DateTime => "datetime".into(),
        Ty::Duration => "duration".into(),
        Ty::Text => "text".into(),
        Ty::Bool => "bool".into(),
        Ty::Party => "party".into(),
        Ty::Event(k) => n.kind(k),
    }
}

fn contract(c: &Contract) -> (String, Names) {
    let n = Names {
        kinds: c.kinds.len().min(6),
        params: c.params.len().min(8),
        lets: c.lets.len().min(8),
        clauses: c.clauses.len().min(10),
    };
    let mut out = String::from("contract fuzz\nvendor \"V\"\n");
    for p in PARTIES {
        let _ = writeln!(out, "party {p}");
    }
    out.push_str("currency EUR\n");
    for s in c.settings.iter().take(4) {
        let _ = match s {
            Setting::Rounding(r) => writeln!(
                out,
                "rounding {}",
                pick(
                    &[
                        "half_even",
                        "half_away_from_zero",
                        "half_down",
                        "down",
                        "up"
                    ],
                    *r
                )
            ),
            Setting::Notices(via, count, deemed) => {
                out.push_str("notices ");
                if let Some(v) = via {
                    let _ = write!(out, "via {} ", pick(&CHANNELS, *v));
                }
                let _ = write!(
                    out,
                    "count on {}",
                    pick(&["posting", "receipt", "sending"], *count)
                );
                if let Some((d, business)) = deemed {
                    let unit = if *business { "business days" } else { "days" };
                    let _ = write!(out, " deemed {} {unit} after posting", d % 10);
                }
                writeln!(out)
            }
            Setting::RollForward => writeln!(out, "deadlines roll forward"),
            Setting::Calendar(belgium, hours) => {
                out.push_str(if *belgium {
                    "calendar belgium"
                } else {
                    "calendar weekdays"
                });
                if let Some((a, b)) = hours {
                    let _ = write!(out, " hours {:02}:00 to {:02}:30", a % 24, b % 24);
                }
                writeln!(out)
            }
            Setting::Timezone(utc) => writeln!(
                out,
                "timezone \"{}\"",
                if *utc { "UTC" } else { "Europe/Brussels" }
            ),
        };
    }
    for (i, k) in c.kinds.iter().take(n.kinds).enumerate() {
        let fields: Vec<String> = k
            .fields
            .iter()
            .take(4)
            .enumerate()
            .map(|(j, (t, optional))| {
                let name = if j == 0 {
                    "amount".to_string()
                } else {
                    format!("f{j}")
                };
                format!("{name}: {}{}", ty(*t, &n), if *optional { "?" } else { "" })
            })
            .collect();
        let planned = if k.planned { " planned" } else { "" };
        let _ = writeln!(out, "event k{i}{planned} {{ {} }}", fields.join(", "));
    }
    for (i, (t, value)) in c.params.iter().take(n.params).enumerate() {
        let _ = match value {
            Some(v) => writeln!(out, "param p{i}: {} = {}", ty(*t, &n), expr(v, &n, 0)),
            None => writeln!(out, "param p{i}: {}", ty(*t, &n)),
        };
    }
    for (i, l) in c.lets.iter().take(n.lets).enumerate() {
        let _ = writeln!(out, "let l{i} = {}", expr(l, &n, 0));
    }
    for (i, clause) in c.clauses.iter().take(n.clauses).enumerate() {
        let keyword = match &clause.body {
            Body::Obligation { .. } => "obligation",
            Body::Right { .. } => "right",
            Body::Charge(label, ..) => pick(
                &[
                    "charge",
                    "interest",
                    "compensation",
                    "penalty",
                    "fee",
                    "damages",
                    "cap",
                    "fine",
                ],
                *label,
            ),
            Body::Term { .. } => "term",
            Body::Date(_) => "date",
            Body::Allocation(..) => "allocation",
        };
        let _ = writeln!(out, "{keyword} c{i} article \"{i}\" {{");
        match &clause.scope {
            Scope::Single => {}
            Scope::ForEach(k, None) => {
                let _ = writeln!(out, "  for each {} x", n.kind(*k));
            }
            Scope::ForEach(k, Some(w)) => {
                let _ = writeln!(out, "  for each {} x where {}", n.kind(*k), expr(w, &n, 0));
            }
            Scope::OnBreach(c) => {
                let _ = writeln!(out, "  on breach of {}", n.clause(*c));
            }
        }
        if let Some(w) = &clause.when {
            let _ = writeln!(out, "  when {}", expr(w, &n, 0));
        }
        body(&mut out, &clause.body, &n);
        out.push_str("}\n");
    }
    (out, n)
}

fn body(out: &mut String, b: &Body, n: &Names) {
    let e = |x: &Expr| expr(x, n, 0);
    let _ = match b {
        Body::Obligation {
            party,
            deadline,
            via,
            fulfilled_by,
            counts,
            requires,
            prohibition,
            roll,
            otherwise,
        } => {
            let party = pick(&PARTIES, *party);
            if let Some((until, kind)) = prohibition {
                let _ = writeln!(out, "  {party} must not \"do it\"\n  until {}", e(until));
                let _ = writeln!(out, "  breached by {}", n.kind(*kind));
            } else {
                let _ = writeln!(out, "  {party} must \"do it\"");
                let _ = match deadline {
                    Deadline::Within(d, u, x) => {
                        writeln!(out, "  within {d} {} after {}", unit(*u), e(x))
                    }
                    Deadline::Before(d, u, x) => {
                        writeln!(out, "  at least {d} {} before {}", unit(*u), e(x))
                    }
                    Deadline::By(x) => writeln!(out, "  by {}", e(x)),
                };
                if let Some(v) = via {
                    let _ = writeln!(out, "  via {}", pick(&CHANNELS, *v));
                }
                if let Some(k) = fulfilled_by {
                    let _ = writeln!(out, "  fulfilled by {}", n.kind(*k));
                }
                if let Some(c) = counts {
                    let _ = writeln!(
                        out,
                        "  counts on {}",
                        pick(&["sending", "posting", "receipt"], *c)
                    );
                }
                if let Some(r) = requires {
                    let _ = writeln!(out, "  requires {}", e(r));
                }
                if *roll {
                    let _ = writeln!(out, "  roll forward");
                }
            }
            if *otherwise {
                let _ = writeln!(out, "  otherwise \"consequence\"");
            }
            Ok(())
        }
        Body::Right {
            party,
            opens,
            within,
            while_unmet,
            exercised_by,
            via,
        } => {
            let _ = writeln!(out, "  {} may \"do it\"", pick(&PARTIES, *party));
            if let Some(v) = via {
                let _ = writeln!(out, "  via {}", pick(&CHANNELS, *v));
            }
            if let Some((d, x)) = opens {
                let _ = writeln!(out, "  opens after {d} days following {}", e(x));
            }
            if let Some((d, u, x)) = within {
                let _ = writeln!(out, "  within {d} {} after {}", unit(*u), e(x));
            }
            if let Some(c) = while_unmet {
                let _ = writeln!(out, "  while {} unmet", n.clause(*c));
            }
            if let Some(k) = exercised_by {
                let _ = writeln!(out, "  exercised by {}", n.kind(*k));
            }
            Ok(())
        }
        Body::Charge(_, debtor, creditor, amount) => writeln!(
            out,
            "  {} owes {} {}",
            pick(&PARTIES, *debtor),
            pick(&PARTIES, *creditor),
            e(amount)
        ),
        Body::Term {
            starts,
            lasts,
            renews,
            notice,
        } => {
            let _ = writeln!(
                out,
                "  starts {}\n  lasts {} {}",
                e(starts),
                lasts.0,
                unit(lasts.1)
            );
            if let Some((d, u)) = renews {
                let _ = writeln!(out, "  renews tacitly for {d} {}", unit(*u));
            }
            if let Some((k, p, v, d, u)) = notice {
                let _ = writeln!(
                    out,
                    "  notice {} by {} via {} at least {d} {} before end",
                    n.kind(*k),
                    pick(&PARTIES, *p),
                    pick(&CHANNELS, *v),
                    unit(*u)
                );
            }
            Ok(())
        }
        Body::Date(x) => writeln!(out, "  is {}", e(x)),
        Body::Allocation(debtor, creditor, by, order) => {
            let order: Vec<String> = order.iter().take(4).map(|k| n.kind(*k)).collect();
            writeln!(
                out,
                "  {} pays {} by {}\n  order {} oldest first",
                pick(&PARTIES, *debtor),
                pick(&PARTIES, *creditor),
                n.kind(*by),
                if order.is_empty() {
                    n.kind(0)
                } else {
                    order.join(", ")
                }
            )
        }
    };
}

fn scenario(input: &Input, n: &Names) -> String {
    let mut out = format!("scenario \"fuzz\"\nas of {}\n", day(input.as_of));
    for (i, f) in input.facts.iter().take(n.params).enumerate() {
        let _ = writeln!(out, "fact p{i} = {}", lit(f));
    }
    let events = input.events.len().min(64);
    for (i, ev) in input.events.iter().take(events).enumerate() {
        let _ = write!(out, "event e{i}: {} on {}", n.kind(ev.kind), day(ev.day));
        if let Some((h, m)) = ev.time {
            let _ = write!(out, "T{:02}:{:02}", h % 24, m % 60);
        }
        if let Some(p) = ev.by {
            let _ = write!(out, " by {}", pick(&PARTIES, p));
        }
        if let Some(v) = ev.via {
            let _ = write!(out, " via {}", pick(&CHANNELS, v));
        }
        if let Some(r) = ev.received {
            let _ = write!(out, " received {}", day(r));
        }
        let fields: Vec<String> = ev
            .values
            .iter()
            .take(4)
            .enumerate()
            .map(|(j, v)| {
                let name = if j == 0 {
                    "amount".to_string()
                } else {
                    format!("f{j}")
                };
                // Every other value refers to an event instead.
                let value = if (ev.refers >> j) & 1 == 1 {
                    format!("e{}", usize::from(ev.refers) % events.max(1))
                } else {
                    lit(v)
                };
                format!("{name}: {value}")
            })
            .collect();
        let _ = writeln!(out, " {{ {} }}", fields.join(", "));
    }
    out
}

fuzz_target!(|input: Input| {
    let (contract_text, names) = contract(&input.contract);
    let scenario_text = scenario(&input, &names);
    let contract = SourceFile::new("fuzz.terms", contract_text);
    let scenario = SourceFile::new("fuzz.scenario", scenario_text);
    match terms::load_contract(&contract) {
        Err(failure) => {
            let rendered = failure.render();
            assert!(!failure.is_internal(), "{rendered}");
        }
        Ok((checked, _warnings)) => match terms::load_scenario(&checked, &scenario) {
            Err(failure) => {
                let rendered = failure.render();
                assert!(!failure.is_internal(), "{rendered}");
            }
            Ok(_) => match terms::run(&contract, &scenario, None) {
                Ok(report) => {
                    let _ = report.to_text();
                    let _ = report.to_json();
                }
                Err(failure) => {
                    let rendered = failure.render();
                    assert!(!failure.is_internal(), "{rendered}");
                }
            },
        },
    }
});

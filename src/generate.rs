//! `terms generate`: large, realistic histories for the bundled contracts, reproducible
//! from a seed, in any of the three history formats. For load tests and benchmarks.
//!
//! Each account is one customer of the vendor: month after month it is invoiced and pays
//! (on time, late, in part or never), with the notices, reminders, usage reports and
//! requests the bundled scenarios of that vendor show. The random choices come from
//! SplitMix64, written out here so that a seed gives the same history on every platform and
//! with every version of every dependency.

use chrono::{Datelike, Days, Months, NaiveDate, Timelike};

/// The format a history is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Scenario,
    JsonLines,
    Csv,
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Customers, each with its own invoices and events.
    pub accounts: usize,
    /// Months of history, from 2025-01.
    pub months: u32,
    pub seed: u64,
    pub format: Format,
}

/// The contracts a history can be generated for.
pub const CONTRACTS: [&str; 5] = ["clientcom", "deardigital", "ecom", "ikanbi", "qualifio"];

/// The most months of history: the calendar ends in 2199.
pub const MAX_MONTHS: u32 = 1200;

/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny generator whose output for a seed is
/// fixed by these lines alone.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let n = u64::try_from(items.len()).unwrap_or(1).max(1);
        let i = usize::try_from(self.next() % n).unwrap_or(0);
        items.get(i).copied().unwrap_or("")
    }
}

/// A value as a scenario writes it, or text (quoted in a scenario, bare in the others).
#[derive(Debug, Clone)]
enum Value {
    Lit(String),
    Text(String),
}

#[derive(Debug, Clone)]
struct Event {
    id: String,
    kind: &'static str,
    on: String,
    by: Option<&'static str>,
    via: Option<&'static str>,
    received: Option<String>,
    fields: Vec<(&'static str, Value)>,
    /// For a stable order among events of one day.
    seq: usize,
}

struct History {
    title: String,
    contract: &'static str,
    as_of: NaiveDate,
    facts: Vec<(&'static str, String)>,
    events: Vec<(NaiveDate, Event)>,
}

impl History {
    fn add(
        &mut self,
        on: NaiveDate,
        id: String,
        kind: &'static str,
        by: Option<&'static str>,
        via: Option<&'static str>,
        fields: Vec<(&'static str, Value)>,
    ) {
        self.add_at(on, day(on), id, kind, by, via, fields);
    }

    #[allow(clippy::too_many_arguments)]
    fn add_at(
        &mut self,
        on: NaiveDate,
        at: String,
        id: String,
        kind: &'static str,
        by: Option<&'static str>,
        via: Option<&'static str>,
        fields: Vec<(&'static str, Value)>,
    ) {
        let seq = self.events.len();
        self.events.push((
            on,
            Event {
                id,
                kind,
                on: at,
                by,
                via,
                received: None,
                fields,
                seq,
            },
        ));
    }
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn money(cents: u64) -> Value {
    Value::Lit(format!("EUR {}.{:02}", cents / 100, cents % 100))
}

fn lit(s: impl Into<String>) -> Value {
    Value::Lit(s.into())
}

const START: (i32, u32, u32) = (2025, 1, 1);

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(START.0, START.1, START.2).unwrap_or_default()
}

fn month_start(m: u32) -> NaiveDate {
    start()
        .checked_add_months(Months::new(m))
        .unwrap_or_else(start)
}

fn plus(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap_or(d)
}

/// How an invoice is paid.
enum Paid {
    OnTime(u64),
    Late(u64),
    Partly(u64),
    Never,
}

fn payment_pattern(rng: &mut SplitMix, within: u64) -> Paid {
    match rng.range(0, 99) {
        0..=64 => Paid::OnTime(rng.range(1, within)),
        65..=84 => Paid::Late(rng.range(within + 1, within + 75)),
        85..=92 => Paid::Partly(rng.range(1, within + 30)),
        _ => Paid::Never,
    }
}

/// An invoice and its payment (if any), the shape every vendor shares.
#[allow(clippy::too_many_arguments)]
fn invoice_and_payment(
    h: &mut History,
    rng: &mut SplitMix,
    prefix: &str,
    m: u32,
    on: NaiveDate,
    cents: u64,
    within: u64,
    payer: &'static str,
    extra: Vec<(&'static str, Value)>,
) -> Option<(String, NaiveDate)> {
    let inv = format!("{prefix}-inv-{m}");
    let mut fields = vec![("amount", money(cents))];
    fields.extend(extra);
    h.add(on, inv.clone(), "invoice", None, None, fields);
    let (days, paid) = match payment_pattern(rng, within) {
        Paid::OnTime(d) | Paid::Late(d) => (d, cents),
        Paid::Partly(d) => (d, cents / 2),
        Paid::Never => return Some((inv, on)),
    };
    h.add(
        plus(on, days),
        format!("{prefix}-pay-{m}"),
        "payment",
        Some(payer),
        None,
        vec![("amount", money(paid)), ("invoice", lit(inv.clone()))],
    );
    None
}

fn ikanbi(h: &mut History, rng: &mut SplitMix, prefix: &str, months: u32) {
    h.facts = vec![("annual_price", String::from("EUR 24000.00"))];
    for m in 0..months {
        let first = month_start(m);
        let on = plus(first, rng.range(0, 4));
        let cents = rng.range(500, 5000) * 100;
        invoice_and_payment(h, rng, prefix, m, on, cents, 30, "client", vec![]);
        if rng.chance(10) {
            let d = plus(first, rng.range(5, 20));
            let inc = format!("{prefix}-inc-{m}");
            let hour = rng.range(8, 17);
            h.add_at(
                d,
                format!("{}T{hour:02}:00", day(d)),
                inc.clone(),
                "incident",
                None,
                None,
                vec![],
            );
            let r = plus(d, rng.range(0, 3));
            h.add_at(
                r,
                format!("{}T{:02}:30", day(r), rng.range(8, 17)),
                format!("{prefix}-report-{m}"),
                "incident_report",
                Some("client"),
                Some(rng.pick(&["registered_letter", "email"])),
                vec![("incident", lit(inc))],
            );
        }
        if rng.chance(5) {
            let d = plus(first, rng.range(15, 25));
            let mnt = format!("{prefix}-mnt-{m}");
            h.add(
                d,
                mnt.clone(),
                "maintenance",
                Some("provider"),
                None,
                vec![],
            );
            let notice = plus(first, rng.range(0, 14));
            h.add(
                notice,
                format!("{prefix}-mnt-notice-{m}"),
                "maintenance_notice",
                Some("provider"),
                Some("email"),
                vec![("maintenance", lit(mnt))],
            );
        }
    }
}

fn ecom(h: &mut History, rng: &mut SplitMix, prefix: &str, months: u32) {
    h.facts = vec![("agreement_start", String::from("2024-01-01"))];
    for m in 0..months {
        let on = plus(month_start(m), rng.range(0, 9));
        let cents = rng.range(100, 2000) * 100;
        let direct_debit = rng.chance(30);
        let extra = vec![("direct_debit", lit(direct_debit.to_string()))];
        invoice_and_payment(h, rng, prefix, m, on, cents, 14, "client", extra);
    }
}

fn clientcom(h: &mut History, rng: &mut SplitMix, prefix: &str, months: u32) {
    for m in 0..months {
        let on = plus(month_start(m), rng.range(0, 2));
        let due = plus(on, 15);
        let cents = rng.range(50, 500) * 100;
        let extra = vec![("due", lit(day(due)))];
        if let Some((inv, on)) =
            invoice_and_payment(h, rng, prefix, m, on, cents, 15, "user", extra)
        {
            if rng.chance(60) {
                h.add(
                    plus(on, rng.range(20, 45)),
                    format!("{prefix}-nod-{m}"),
                    "default_notice",
                    Some("clientcom"),
                    Some("email"),
                    vec![("invoice", lit(inv))],
                );
            }
        }
        let end = month_start(m + 1);
        if end.month() == 1 {
            let last = end.pred_opt().unwrap_or(end);
            h.add(
                last,
                format!("{prefix}-uptime-{}", last.year()),
                "yearly_uptime",
                None,
                None,
                vec![(
                    "uptime",
                    lit(format!("{}.{}%", rng.range(85, 99), rng.range(0, 9))),
                )],
            );
        }
    }
}

fn deardigital(h: &mut History, rng: &mut SplitMix, prefix: &str, months: u32) {
    h.facts = vec![
        ("monthly_fee", String::from("EUR 2500.00")),
        ("term_start", String::from("2025-01-01")),
        ("term_length", String::from("12 months")),
    ];
    for m in 0..months {
        let first = month_start(m);
        let hours = rng.range(5, 60);
        h.add(
            plus(first, rng.range(20, 27)),
            format!("{prefix}-work-{m}"),
            "work_month",
            None,
            None,
            vec![
                ("hours", lit(hours.to_string())),
                ("hourly_rate", money(9500)),
            ],
        );
        let on = plus(first, rng.range(0, 4));
        let due = plus(on, 30);
        let cents = rng.range(1000, 6000) * 100;
        let extra = vec![("due", lit(day(due)))];
        if let Some((inv, on)) =
            invoice_and_payment(h, rng, prefix, m, on, cents, 30, "client", extra)
        {
            h.add(
                plus(on, rng.range(35, 50)),
                format!("{prefix}-notice-{m}"),
                "payment_notice",
                Some("provider"),
                Some("email"),
                vec![("invoice", lit(inv))],
            );
        }
    }
}

fn qualifio(h: &mut History, rng: &mut SplitMix, prefix: &str, months: u32) {
    h.facts = vec![
        ("subscription_start", String::from("2025-01-01")),
        ("subscription_period", String::from("12 months")),
        ("licence_price", String::from("EUR 24000.00")),
        ("licence_months", String::from("12")),
    ];
    for m in 0..months {
        let first = month_start(m);
        let on = plus(first, rng.range(10, 16));
        let cents = rng.range(1000, 5000) * 100;
        if let Some((inv, on)) =
            invoice_and_payment(h, rng, prefix, m, on, cents, 30, "customer", vec![])
        {
            for r in 1..=rng.range(1, 3) {
                h.add(
                    plus(on, 30 + 14 * r),
                    format!("{prefix}-rem-{m}-{r}"),
                    "reminder",
                    Some("vendor"),
                    Some("email"),
                    vec![("invoice", lit(inv.clone()))],
                );
            }
        }
        let last = month_start(m + 1).pred_opt().unwrap_or(first);
        let av = format!("{prefix}-av-{m}");
        let front = rng.range(9400, 10000);
        h.add(
            last,
            av.clone(),
            "availability",
            None,
            None,
            vec![
                (
                    "front_office",
                    lit(format!("{}.{:02}%", front / 100, front % 100)),
                ),
                ("back_office", lit(format!("{}.00%", rng.range(94, 99)))),
            ],
        );
        if front < 9950 && rng.chance(70) {
            h.add(
                plus(last, rng.range(3, 20)),
                format!("{prefix}-short-{m}"),
                "shortfall_notice",
                Some("customer"),
                Some("written"),
                vec![("month", lit(av))],
            );
        }
        for k in 0..rng.range(0, 2) {
            let d = plus(first, rng.range(0, 20));
            let req = format!("{prefix}-req-{m}-{k}");
            let severity = rng.pick(&["critical", "high", "medium", "low"]);
            let asked = d
                .and_hms_opt(
                    u32::try_from(rng.range(8, 17)).unwrap_or(9),
                    u32::try_from(rng.range(0, 59)).unwrap_or(0),
                    0,
                )
                .unwrap_or_default();
            h.add_at(
                d,
                asked.format("%Y-%m-%dT%H:%M").to_string(),
                req.clone(),
                "help_request",
                Some("customer"),
                Some("platform"),
                vec![("severity", Value::Text(severity.to_string()))],
            );
            // Answered from 20 minutes to three days later, never in the hour a change to
            // summer time skips.
            let mut answered = asked
                .checked_add_signed(chrono::TimeDelta::minutes(
                    i64::try_from(rng.range(20, 3 * 24 * 60)).unwrap_or(60),
                ))
                .unwrap_or(asked);
            if answered.hour() == 2 {
                answered = answered
                    .checked_add_signed(chrono::TimeDelta::hours(1))
                    .unwrap_or(answered);
            }
            let a = answered.date();
            h.add_at(
                a,
                answered.format("%Y-%m-%dT%H:%M").to_string(),
                format!("{prefix}-ans-{m}-{k}"),
                "help_answer",
                Some("vendor"),
                Some("platform"),
                vec![("request", lit(req))],
            );
        }
        if rng.chance(20) {
            h.add(
                plus(first, rng.range(0, 25)),
                format!("{prefix}-chg-{m}"),
                "change_request",
                Some("customer"),
                Some("email"),
                vec![(
                    "hours",
                    lit(format!("{}.{}", rng.range(0, 3), rng.pick(&["0", "5"]))),
                )],
            );
        }
    }
}

/// Generates a history for one of [`CONTRACTS`].
pub fn generate(contract: &str, options: Options) -> Result<String, String> {
    let vendor: fn(&mut History, &mut SplitMix, &str, u32) = match contract {
        "clientcom" => clientcom,
        "deardigital" => deardigital,
        "ecom" => ecom,
        "ikanbi" => ikanbi,
        "qualifio" => qualifio,
        other => {
            return Err(format!(
                "no generator for the contract `{}`; histories can be generated for {}",
                crate::shown(other),
                CONTRACTS.join(", ")
            ))
        }
    };
    if options.months == 0 || options.months > MAX_MONTHS {
        return Err(format!("--months must be 1 to {MAX_MONTHS}"));
    }
    let contract = CONTRACTS
        .iter()
        .copied()
        .find(|c| *c == contract)
        .unwrap_or("generated");
    let as_of = month_start(options.months);
    let mut history = History {
        title: format!(
            "generated: {contract}, {} accounts, {} months, seed {}",
            options.accounts, options.months, options.seed
        ),
        contract,
        as_of,
        facts: Vec::new(),
        events: Vec::new(),
    };
    let mut rng = SplitMix(options.seed);
    for a in 1..=options.accounts {
        vendor(&mut history, &mut rng, &format!("a{a}"), options.months);
    }
    history
        .events
        .sort_by(|(d1, e1), (d2, e2)| (d1, e1.seq).cmp(&(d2, e2.seq)));
    Ok(match options.format {
        Format::Scenario => scenario_text(&history),
        Format::JsonLines => jsonl_text(&history),
        Format::Csv => csv_text(&history),
    })
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn scenario_text(h: &History) -> String {
    let mut out = format!(
        "scenario {}\ncontract {}\nas of {}\n\n",
        quoted(&h.title),
        h.contract,
        day(h.as_of)
    );
    for (name, value) in &h.facts {
        out.push_str(&format!("fact {name} = {value}\n"));
    }
    out.push('\n');
    for (_, e) in &h.events {
        out.push_str(&format!("event {}: {} on {}", e.id, e.kind, e.on));
        if let Some(by) = e.by {
            out.push_str(&format!(" by {by}"));
        }
        if let Some(via) = e.via {
            out.push_str(&format!(" via {via}"));
        }
        if let Some(r) = &e.received {
            out.push_str(&format!(" received {r}"));
        }
        if !e.fields.is_empty() {
            let fields: Vec<String> = e
                .fields
                .iter()
                .map(|(name, v)| match v {
                    Value::Lit(s) => format!("{name}: {s}"),
                    Value::Text(s) => format!("{name}: {}", quoted(s)),
                })
                .collect();
            out.push_str(&format!(" {{ {} }}", fields.join(", ")));
        }
        out.push('\n');
    }
    out
}

fn jsonl_text(h: &History) -> String {
    use serde_json::{Map, Value as Json};
    let mut header = Map::new();
    header.insert("scenario".into(), Json::String(h.title.clone()));
    header.insert("contract".into(), Json::String(h.contract.into()));
    header.insert("as_of".into(), Json::String(day(h.as_of)));
    let facts: Map<String, Json> = h
        .facts
        .iter()
        .map(|(k, v)| ((*k).to_string(), Json::String(v.clone())))
        .collect();
    header.insert("facts".into(), Json::Object(facts));
    let mut out = Json::Object(header).to_string();
    out.push('\n');
    for (_, e) in &h.events {
        let mut o = Map::new();
        o.insert("id".into(), Json::String(e.id.clone()));
        o.insert("kind".into(), Json::String(e.kind.into()));
        o.insert("on".into(), Json::String(e.on.clone()));
        if let Some(by) = e.by {
            o.insert("by".into(), Json::String(by.into()));
        }
        if let Some(via) = e.via {
            o.insert("via".into(), Json::String(via.into()));
        }
        if let Some(r) = &e.received {
            o.insert("received".into(), Json::String(r.clone()));
        }
        for (name, v) in &e.fields {
            let (Value::Lit(s) | Value::Text(s)) = v;
            o.insert((*name).to_string(), Json::String(s.clone()));
        }
        out.push_str(&Json::Object(o).to_string());
        out.push('\n');
    }
    out
}

fn csv_text(h: &History) -> String {
    let mut out = format!(
        "# scenario {}\n# contract {}\n# as of {}\n",
        quoted(&h.title),
        h.contract,
        day(h.as_of)
    );
    for (name, value) in &h.facts {
        out.push_str(&format!("# fact {name} = {value}\n"));
    }
    let mut columns: Vec<&str> = vec!["id", "kind", "on", "by", "via", "received"];
    for (_, e) in &h.events {
        for (name, _) in &e.fields {
            if !columns.contains(name) {
                columns.push(name);
            }
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(&columns);
    for (_, e) in &h.events {
        let row: Vec<String> = columns
            .iter()
            .map(|c| match *c {
                "id" => e.id.clone(),
                "kind" => e.kind.to_string(),
                "on" => e.on.clone(),
                "by" => e.by.unwrap_or("").to_string(),
                "via" => e.via.unwrap_or("").to_string(),
                "received" => e.received.clone().unwrap_or_default(),
                field => e
                    .fields
                    .iter()
                    .find(|(n, _)| *n == field)
                    .map(|(_, v)| match v {
                        Value::Lit(s) | Value::Text(s) => s.clone(),
                    })
                    .unwrap_or_default(),
            })
            .collect();
        let _ = writer.write_record(&row);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    out.push_str(&String::from_utf8_lossy(&bytes));
    out
}

//! The generated contract shared by `tests/properties.rs` and `tests/hostile_props.rs`:
//! invoices, payments, interest, a compensation, a right, and optionally an allocation and a
//! term, with knobs a strategy chooses.

use proptest::prelude::*;

/// The knobs of a generated contract.
#[derive(Debug, Clone)]
pub struct Terms {
    pub pay_within: u32,
    pub business_days: bool,
    pub rate: u32,
    pub delay_fn: &'static str,
    pub compensation_rate: u32,
    pub compensation_minimum: u32,
    pub grace: u32,
    pub term_months: u32,
    pub notice_days: u32,
    pub with_term: bool,
    pub with_allocation: bool,
}

pub fn contract(t: &Terms) -> String {
    let days = if t.business_days {
        "business days"
    } else {
        "days"
    };
    let mut out = format!(
        r#"contract generated
party vendor
party client
currency EUR
param start: date
event invoice {{ amount: money }}
event payment {{ amount: money, invoice: invoice? }}
event cost {{ amount: money }}
event termination {{ }}

obligation pay article "1" {{
  for each invoice inv
  client must "pay the invoice"
  within {} {days} after inv
  fulfilled by payment
}}

interest late article "2" {{
  on breach of pay
  client owes vendor inv.amount * {}% * {}(delay)
}}

compensation fixed article "3" {{
  on breach of pay
  client owes vendor max({}% * inv.amount, EUR {}.00)
}}

right suspend article "4" {{
  for each invoice inv
  vendor may "suspend access"
  opens after {} days following due(pay)
  while pay unmet
}}
"#,
        t.pay_within, t.rate, t.delay_fn, t.compensation_rate, t.compensation_minimum, t.grace
    );
    if t.with_allocation {
        out.push_str(
            r#"
allocation payments article "5" {
  client pays vendor by payment
  order cost, invoice oldest first
}
"#,
        );
    }
    if t.with_term {
        out.push_str(&format!(
            r#"
term subscription article "6" {{
  starts start
  lasts {} months
  renews tacitly for {} months
  notice termination by client via email at least {} days before end
}}
"#,
            t.term_months, t.term_months, t.notice_days
        ));
    }
    out
}

pub fn terms_strategy() -> impl Strategy<Value = Terms> {
    (
        (
            1u32..60,
            any::<bool>(),
            0u32..20,
            prop::sample::select(vec![
                "days",
                "started_months",
                "complete_weeks",
                "complete_months",
            ]),
        ),
        (0u32..30, 0u32..200, 0u32..30),
        (1u32..24, 0u32..90, any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(
                (pay_within, business_days, rate, delay_fn),
                (compensation_rate, compensation_minimum, grace),
                (term_months, notice_days, with_term, with_allocation),
            )| Terms {
                pay_within,
                business_days,
                rate,
                delay_fn,
                compensation_rate,
                compensation_minimum,
                grace,
                term_months,
                notice_days,
                with_term,
                with_allocation,
            },
        )
}

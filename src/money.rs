//! Money and rates: exact decimals, one rounding rule.
//!
//! Amounts are `rust_decimal::Decimal` throughout; a computed amount is rounded exactly
//! once, when a clause yields it, to the cent, half away from zero. Intermediate values
//! keep full precision (28 significant digits).

use rust_decimal::{Decimal, RoundingStrategy};

/// Rounds a computed amount to the cent, half away from zero (2.345 → 2.35, −2.345 → −2.35).
pub fn round_cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Rounds a computed amount to the cent by a contract's stated rule.
pub fn round_with(amount: Decimal, strategy: RoundingStrategy) -> Decimal {
    amount.round_dp_with_strategy(2, strategy)
}

/// How a rounding rule reads in a derivation.
pub fn rounding_name(strategy: RoundingStrategy) -> &'static str {
    match strategy {
        RoundingStrategy::MidpointNearestEven => "half to even",
        RoundingStrategy::MidpointTowardZero => "half toward zero",
        RoundingStrategy::ToZero => "down",
        RoundingStrategy::AwayFromZero => "up",
        _ => "half away from zero",
    }
}

/// Formats an amount with exactly two decimals (`1420.00`), as the JSON report carries it.
/// Zero has no sign: `-0` (the negation of a zero amount) and `-0.001` both read `0.00`.
pub fn format_amount(amount: Decimal) -> String {
    let mut rounded = round_cents(amount);
    if rounded.is_zero() {
        rounded.set_sign_positive(true);
    }
    format!("{rounded:.2}")
}

/// Formats an amount for a person: thousands separated, two decimals (`1,420.00`).
pub fn format_grouped(amount: Decimal) -> String {
    let plain = format_amount(amount);
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (whole, cents) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{cents}")
}

/// A percentage as a factor: 12% → 0.12.
pub fn percent_factor(percent: Decimal) -> Decimal {
    percent / Decimal::ONE_HUNDRED
}

// Unit tests only: their inputs are fixed literals, so an `expect` here fails a test and
// is never reached from user input.
#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test decimal")
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_cents(dec("2.345")), dec("2.35"));
        assert_eq!(round_cents(dec("-2.345")), dec("-2.35"));
        assert_eq!(round_cents(dec("26.3013698")), dec("26.30"));
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(format_grouped(dec("1420")), "1,420.00");
        assert_eq!(format_grouped(dec("48000")), "48,000.00");
        assert_eq!(format_grouped(dec("-1234567.891")), "-1,234,567.89");
        assert_eq!(format_grouped(dec("300")), "300.00");
    }

    #[test]
    fn zero_has_no_sign() {
        assert_eq!(format_amount(-Decimal::ZERO), "0.00");
        assert_eq!(format_amount(-dec("0.00")), "0.00");
        assert_eq!(format_grouped(-Decimal::ZERO), "0.00");
        assert_eq!(format_amount(dec("-0.004")), "0.00");
        assert_eq!(format_amount(dec("-0.005")), "-0.01");
    }
}

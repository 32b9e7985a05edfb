//! The precision the ledger carries: coordinates to 1e-7 degrees (about a centimetre), amounts to
//! 0.01 万元 (100 yuan), dates by day (a [`jiff::civil::Date`] already is one).
//!
//! Export writes values at this precision and import compares at it, so a ledger opened in a
//! spreadsheet program and saved unchanged (LibreOffice writes 15 significant digits; other
//! programs and libraries write what they like beyond a value's own digits) imports as
//! unchanged: only a cell a person changed counts. A value is taken to its step on the grid
//! (`round(value / step)`); two values are equal at ledger precision when they land on the same
//! step, which is an equivalence (unlike "within a tolerance"), so export → import is stable.

use jianguan_domain::model::{GeoPoint, Money, YearPlan};

/// Steps of a coordinate per degree: the ledger carries 7 decimals.
pub const DEGREE_STEPS: f64 = 1e7;

/// Yuan per step of an amount: the ledger carries 0.01 万元.
pub const YUAN_PER_STEP: i64 = 100;

/// A coordinate's step: `round(degrees × 10⁷)`.
pub fn degree_steps(degrees: f64) -> i64 {
    (degrees * DEGREE_STEPS).round() as i64
}

/// A coordinate as the ledger writes it: the double nearest its 7-decimal value.
pub fn degrees(degrees: f64) -> f64 {
    degree_steps(degrees) as f64 / DEGREE_STEPS
}

/// An amount's step: whole 0.01 万元 (half a step rounds away from zero).
pub fn money_steps(m: Money) -> i64 {
    let half = YUAN_PER_STEP / 2;
    if m.0 >= 0 {
        (m.0 + half).div_euclid(YUAN_PER_STEP)
    } else {
        -((-m.0 + half).div_euclid(YUAN_PER_STEP))
    }
}

/// An amount in 万元 as the ledger writes it: two decimals.
pub fn wan(m: Money) -> f64 {
    money_steps(m) as f64 / 100.0
}

/// Whether two amounts are equal at ledger precision.
pub fn same_money(a: Money, b: Money) -> bool {
    money_steps(a) == money_steps(b)
}

/// Whether two locations are equal at ledger precision (both absent counts as equal).
pub fn same_location(a: Option<GeoPoint>, b: Option<GeoPoint>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            degree_steps(a.lon) == degree_steps(b.lon) && degree_steps(a.lat) == degree_steps(b.lat)
        }
        _ => false,
    }
}

/// Whether two lists of year plans are equal at ledger precision: same years, kinds, and
/// planned investment to 0.01 万元.
pub fn same_year_plans(a: &[YearPlan], b: &[YearPlan]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.year == y.year
                && x.kind == y.kind
                && same_money(x.planned_investment, y.planned_investment)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_land_on_seven_decimals() {
        let lon = 118.123_456_789_012_34;
        assert_eq!(degrees(lon), 118.123_456_8);
        assert_eq!(degrees(lon).to_string(), "118.1234568");
        assert_eq!(degree_steps(degrees(lon)), degree_steps(lon));
        // Below the step: the same; a step away: different.
        assert_eq!(degree_steps(degrees(lon) + 1e-9), degree_steps(lon));
        assert_ne!(degree_steps(degrees(lon) + 1e-7), degree_steps(lon));
        // What a 15-significant-digit writer gives back reads as the same step.
        let fifteen: f64 = format!("{lon:.12}").parse().unwrap();
        assert_eq!(degree_steps(fifteen), degree_steps(lon));
    }

    #[test]
    fn amounts_land_on_hundredths_of_wan() {
        assert_eq!(money_steps(Money(1_234_549)), 12_345);
        assert_eq!(money_steps(Money(1_234_550)), 12_346);
        assert_eq!(wan(Money(1_234_550)), 123.46);
        assert!(same_money(Money(1_234_500), Money(1_234_510)));
        assert!(!same_money(Money(1_234_500), Money(1_234_600)));
        // What the ledger writes reads back as the same amount.
        let written = wan(Money(987_654_321));
        assert!(same_money(Money::from_wan(written), Money(987_654_321)));
    }
}

//! Amounts of money, in cents.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

use serde::{Deserialize, Serialize};

/// An amount in euro cents, the unit HelloAsso uses everywhere (`1000` is
/// 10.00 €).
///
/// A newtype rather than a bare `i64` so that a caller cannot pass euros
/// where cents are expected without seeing it.
///
/// ```
/// use helloasso_sdk::Cents;
///
/// let price = Cents::from_euros(12) + Cents(50);
/// assert_eq!(price, Cents(1250));
/// assert_eq!(price.to_string(), "12.50 EUR");
/// ```
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Cents(pub i64);

impl Cents {
    /// Zero.
    pub const ZERO: Cents = Cents(0);

    /// Whole euros as cents (saturating).
    pub const fn from_euros(euros: i64) -> Cents {
        Cents(euros.saturating_mul(100))
    }

    /// The amount in cents.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// Whether the amount is above zero.
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Adds, or `None` on overflow.
    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }
}

impl From<i64> for Cents {
    fn from(cents: i64) -> Self {
        Cents(cents)
    }
}

impl From<Cents> for i64 {
    fn from(cents: Cents) -> Self {
        cents.0
    }
}

impl Add for Cents {
    type Output = Cents;
    fn add(self, other: Cents) -> Cents {
        // Saturating: amounts come from callers, and a panic on overflow
        // would be worse than a total that validation then refuses.
        Cents(self.0.saturating_add(other.0))
    }
}

impl Sub for Cents {
    type Output = Cents;
    fn sub(self, other: Cents) -> Cents {
        Cents(self.0.saturating_sub(other.0))
    }
}

impl Sum for Cents {
    fn sum<I: Iterator<Item = Cents>>(iter: I) -> Cents {
        iter.fold(Cents::ZERO, Add::add)
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02} EUR", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_arithmetic() {
        assert_eq!(Cents(-5).to_string(), "-0.05 EUR");
        assert_eq!(Cents(i64::MIN).to_string(), "-92233720368547758.08 EUR");
        assert_eq!([Cents(1), Cents(2)].into_iter().sum::<Cents>(), Cents(3));
        assert_eq!(Cents(i64::MAX) + Cents(1), Cents(i64::MAX));
        assert_eq!(Cents(i64::MAX).checked_add(Cents(1)), None);
        assert_eq!(serde_json::to_string(&Cents(12)).unwrap(), "12");
    }
}

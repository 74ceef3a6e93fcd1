//! Amounts of money, in cents.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

use serde::{Deserialize, Serialize};

/// An amount in euro cents, the unit HelloAsso uses everywhere (`1000` is
/// 10.00 €): the type of every amount field of the models (the build script
/// converts them) and of what the SDK sends.
///
/// A newtype rather than a bare `i64` so that a caller cannot pass euros
/// where cents are expected without seeing it.
///
/// ```
/// use helloasso_raw::Cents;
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

/// Why a text is not an amount of euros; see [`Cents`]'s `FromStr`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseCentsError {
    /// Nothing but blanks (or a lone `€`).
    Empty,
    /// A minus sign: amounts sent to HelloAsso are never negative.
    Negative,
    /// More than two decimals: euros have cents, not fractions of a cent.
    TooPrecise,
    /// Not digits with an optional decimal comma or point.
    Malformed,
    /// Too large for an `i64` of cents.
    Overflow,
}

impl fmt::Display for ParseCentsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "no amount given",
            Self::Negative => "negative amounts are refused: an amount must be positive or zero",
            Self::TooPrecise => "more than two decimals: euros have cents, not fractions of a cent",
            Self::Malformed => {
                "not an amount in euros (digits with an optional `,` or `.` and two decimals)"
            }
            Self::Overflow => "the amount is too large",
        })
    }
}

impl std::error::Error for ParseCentsError {}

impl std::str::FromStr for Cents {
    type Err = ParseCentsError;

    /// Euros as people write them, to cents exactly (no floating point):
    /// `12`, `12.5`, `12.50`, `12,50`, `1 234,50 €`, `1 234.50 EUR`. Spaces
    /// (also the non-breaking ones French formatting uses) group thousands.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let text = text
            .strip_suffix('€')
            .or_else(|| text.strip_suffix("EUR"))
            .unwrap_or(text)
            .trim();
        if text.is_empty() {
            return Err(ParseCentsError::Empty);
        }
        if text.starts_with('-') {
            return Err(ParseCentsError::Negative);
        }
        let text = text.strip_prefix('+').unwrap_or(text);
        let (whole, frac) = match text.split_once([',', '.']) {
            Some((w, f)) => (w, f),
            None => (text, ""),
        };
        let whole: String = whole
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
            .collect();
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(&whole) || (!frac.is_empty() && !digits(frac)) || text.ends_with([',', '.']) {
            return Err(ParseCentsError::Malformed);
        }
        if frac.len() > 2 {
            return Err(ParseCentsError::TooPrecise);
        }
        let euros: i64 = whole.parse().map_err(|_| ParseCentsError::Overflow)?;
        let cents: i64 = match frac.len() {
            0 => 0,
            1 => i64::from(frac.as_bytes()[0] - b'0') * 10,
            _ => frac.parse().map_err(|_| ParseCentsError::Malformed)?,
        };
        euros
            .checked_mul(100)
            .and_then(|c| c.checked_add(cents))
            .map(Cents)
            .ok_or(ParseCentsError::Overflow)
    }
}

impl Cents {
    /// The amount in euros with two decimals and no unit (`12.50`), for a
    /// column whose title names the currency.
    pub fn euros(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} EUR", self.euros())
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

    #[test]
    fn parses_euros_as_people_write_them() {
        let cases = [
            ("12,50", 1250),
            ("12.50", 1250),
            ("12.5", 1250),
            ("12", 1200),
            ("0,07", 7),
            ("1 234,50 €", 123_450),
            ("1\u{a0}234,50\u{a0}€", 123_450),
            ("1 234.50 EUR", 123_450),
            (" 3 ", 300),
        ];
        for (text, cents) in cases {
            assert_eq!(text.parse::<Cents>(), Ok(Cents(cents)), "{text}");
        }
        let refused = [
            ("", ParseCentsError::Empty),
            (" € ", ParseCentsError::Empty),
            ("-3", ParseCentsError::Negative),
            ("-0,50 €", ParseCentsError::Negative),
            ("12,345", ParseCentsError::TooPrecise),
            ("0.001", ParseCentsError::TooPrecise),
            ("abc", ParseCentsError::Malformed),
            ("1e3", ParseCentsError::Malformed),
            (",5", ParseCentsError::Malformed),
            ("12,", ParseCentsError::Malformed),
            ("1,2,3", ParseCentsError::Malformed),
            ("99999999999999999999", ParseCentsError::Overflow),
        ];
        for (text, error) in refused {
            assert_eq!(text.parse::<Cents>(), Err(error), "{text}");
        }
        // What it prints, it reads back.
        for cents in [0, 7, 1250, 123_450] {
            assert_eq!(Cents(cents).to_string().parse::<Cents>(), Ok(Cents(cents)));
        }
    }
}

//! Adding up amounts read from HelloAsso: an amount no record can carry is
//! an error, and sums never wrap (a wrapped total is a wrong total, and a
//! wrapped refund check lets a refund through).

use helloasso_sdk::Cents;
use helloasso_sdk::types::RefundOperationLight;

use crate::exit::{CliError, CliResult};

/// The most one payment, order or refund can carry: ten million euros, far
/// above anything an association collects in one go, and low enough that
/// millions of such amounts add up without overflow.
pub const MAX_AMOUNT: i64 = 1_000_000_000;

/// An amount of HelloAsso's answer, in cents (0 when absent), or an error
/// naming `what` (e.g. "payment 12") when it is negative or above
/// [`MAX_AMOUNT`].
pub fn amount(what: &str, cents: Option<Cents>) -> CliResult<i64> {
    let cents = cents.map_or(0, Cents::get);
    if !(0..=MAX_AMOUNT).contains(&cents) {
        return Err(impossible(what, cents));
    }
    Ok(cents)
}

/// What `operations` gave back, checked like [`amount`]: refunds done or
/// under way count, failed ones do not (the SDK's rule).
pub fn refunded(what: &str, operations: Option<&[RefundOperationLight]>) -> CliResult<i64> {
    let operations = operations.unwrap_or_default();
    for op in operations {
        amount(&format!("a refund of {what}"), op.amount)?;
    }
    let sum = helloasso_sdk::refunds::refunded_amount(operations).get();
    // Each checked amount is small; only an absurd number of them reaches
    // the saturated bound.
    if sum == i64::MAX {
        return Err(too_large(what));
    }
    Ok(sum)
}

/// `total + cents`, or an error when the total would overflow.
pub fn add(total: i64, cents: i64) -> CliResult<i64> {
    total.checked_add(cents).ok_or_else(|| too_large("a total"))
}

/// `a - b`, or an error when the difference would overflow.
pub fn sub(a: i64, b: i64) -> CliResult<i64> {
    a.checked_sub(b).ok_or_else(|| too_large("a difference"))
}

fn impossible(what: &str, cents: i64) -> CliError {
    CliError::other(format!(
        "HelloAsso's answer gives {what} an impossible amount ({cents} cents): refusing to count it"
    ))
}

fn too_large(what: &str) -> CliError {
    CliError::other(format!(
        "{what} is too large to add up: HelloAsso's answer cannot be right"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_amounts_and_overflows_are_errors() {
        assert_eq!(amount("p", None).unwrap(), 0);
        assert_eq!(amount("p", Some(Cents(MAX_AMOUNT))).unwrap(), MAX_AMOUNT);
        assert!(amount("p", Some(Cents(-1))).is_err());
        assert!(amount("p", Some(Cents(i64::MAX))).is_err());
        assert!(add(i64::MAX, 1).is_err());
        assert!(sub(i64::MIN, 1).is_err());
        assert_eq!(add(1, 2).unwrap(), 3);
    }
}

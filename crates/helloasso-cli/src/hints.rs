//! Errors about something the user named on the command line (a payment
//! id, an order to cancel): HelloAsso's generic answer, told in terms of
//! what was typed and of what to do next.

use helloasso_sdk::Error;

use crate::exit::{CliError, Kind};

/// HelloAsso's own words about an error answer: `HTTP 400: Code: message`.
pub fn helloasso_said(err: &Error) -> String {
    match err {
        Error::Api {
            status,
            code,
            message,
            ..
        } => {
            let mut out = format!("HTTP {}", status.as_u16());
            for part in [code, message].into_iter().flatten() {
                out.push_str(": ");
                out.push_str(part.trim());
            }
            out
        }
        other => other.to_string(),
    }
}

/// `err` for a lookup of `what` (`payment 12`): a 404 says that no such
/// thing exists and where the right id is found (`find`, a command); any
/// other error as usual.
pub fn not_found(err: Error, what: &str, find: &str) -> CliError {
    match &err {
        Error::Api { status, .. } if status.as_u16() == 404 => CliError::new(
            Kind::NotFound,
            format!(
                "{what} does not exist or is not visible to these credentials (HelloAsso answered {}): check the id; {find} shows the ids",
                helloasso_said(&err)
            ),
        ),
        _ => err.into(),
    }
}

/// `err` for the cancellation of order `id`: HelloAsso's refusal (a 4xx
/// other than 401, 403 and 404) means there was nothing left to cancel.
pub fn cancel_refused(err: Error, id: i64) -> CliError {
    match &err {
        Error::Api { status, .. }
            if status.is_client_error() && ![401, 403, 404].contains(&status.as_u16()) =>
        {
            CliError::new(
                Kind::Refused,
                format!(
                    "order {id} has no instalment left to cancel (HelloAsso answered {}): nothing was changed; only instalments not yet collected can be cancelled, and `helloasso orders get {id}` shows its payments and their states",
                    helloasso_said(&err)
                ),
            )
        }
        _ => not_found(err, &format!("order {id}"), "`helloasso orders list`"),
    }
}

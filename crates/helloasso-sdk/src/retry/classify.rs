//! Small rules deciding whether a failed attempt is tried again.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::error::Error;

/// Whether sending a request twice is harmless.
///
/// HelloAsso has no idempotency keys: a refund or a checkout creation sent
/// twice may act twice. Such operations are re-sent only when the server
/// provably did not act on the first attempt: the connection could not be
/// opened, or HelloAsso answered 429 (rate limited), 401 (token refused) or
/// 409 (MFA proof needed), all of which it answers before doing anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Idempotency {
    /// Reads: retried on connection failures, timeouts, 429, 502, 503, 504.
    Idempotent,
    /// Refunds, checkout creation: never re-sent after an ambiguous failure
    /// (a timeout, a cut connection, a 5xx).
    NotIdempotent,
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Try again after the backoff (or the server's `Retry-After`).
    Retry,
    /// The token was refused: get a new one and replay, once.
    RefreshToken,
    /// Give the error to the caller.
    Fail,
}

/// Gateway errors: HelloAsso's front end could not reach or wait for the
/// application, worth another try for a read. A 500 is the application's
/// own failure and is not retried.
fn is_transient_status(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
    )
}

/// Whether the server provably did nothing with the request.
fn server_did_not_act(error: &Error) -> bool {
    matches!(
        error,
        Error::Transport {
            may_have_reached_server: false,
            ..
        } | Error::RateLimited { .. }
    )
}

/// Whether a write (a refund, an order cancellation, a checkout creation)
/// that ended with `error` may have been carried out: the request left and
/// no answer says what HelloAsso did with it (a timeout, a cut connection, a
/// 5xx, a success answer that could not be read). Such a write must not be
/// sent again blindly: check first (for a refund,
/// [`RefundPayment::send_reconciled`](crate::RefundPayment::send_reconciled)
/// does).
///
/// Refusals (4xx, MFA demands, 429) and connections that never opened are
/// not unknown: HelloAsso did nothing.
pub fn outcome_unknown(error: &Error) -> bool {
    match error {
        Error::Transport {
            may_have_reached_server,
            ..
        } => *may_have_reached_server,
        Error::Api { status, .. } => status.is_server_error(),
        // An answer that arrived but cannot be read (a success most likely):
        // only a refusal (4xx) says that nothing was done.
        Error::Decode { status, .. } => status.is_none_or(|s| !s.is_client_error()),
        Error::ResponseTooLarge { .. } => true,
        _ => false,
    }
}

/// Decides what follows a failed attempt.
pub(crate) fn classify(error: &Error, idempotency: Idempotency) -> Verdict {
    if error.status() == Some(StatusCode::UNAUTHORIZED) {
        // Refused at the door, so nothing was done: safe to replay even a refund.
        return Verdict::RefreshToken;
    }
    if server_did_not_act(error) {
        return Verdict::Retry;
    }
    if idempotency == Idempotency::NotIdempotent {
        return Verdict::Fail;
    }
    match error {
        Error::Transport { .. } => Verdict::Retry,
        Error::Api { status, .. } if is_transient_status(*status) => Verdict::Retry,
        _ => Verdict::Fail,
    }
}

/// `Retry-After` as a wait: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
/// A date in the past means "now".
pub(crate) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&Utc) - Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::mfa::MfaProof;

    fn api(status: u16) -> Error {
        Error::Api {
            status: StatusCode::from_u16(status).unwrap(),
            code: None,
            message: None,
            errors: vec![],
            model_state: BTreeMap::new(),
            excerpt: None,
            privileges: crate::Privileges::default(),
        }
    }

    fn transport(reached: bool) -> Error {
        Error::Transport {
            message: "x".into(),
            may_have_reached_server: reached,
            timed_out: false,
            source: None,
        }
    }

    #[test]
    fn reads_retry_on_gateway_errors_and_transport() {
        use Idempotency::Idempotent;
        for status in [502, 503, 504] {
            assert_eq!(
                classify(&api(status), Idempotent),
                Verdict::Retry,
                "{status}"
            );
        }
        for status in [400, 403, 404, 409, 500] {
            assert_eq!(
                classify(&api(status), Idempotent),
                Verdict::Fail,
                "{status}"
            );
        }
        assert_eq!(classify(&transport(true), Idempotent), Verdict::Retry);
        assert_eq!(classify(&transport(false), Idempotent), Verdict::Retry);
        assert_eq!(
            classify(
                &Error::RateLimited {
                    retry_after: None,
                    remaining: None
                },
                Idempotent
            ),
            Verdict::Retry
        );
    }

    #[test]
    fn writes_retry_only_when_the_server_did_not_act() {
        use Idempotency::NotIdempotent;
        for status in [500, 502, 503, 504] {
            assert_eq!(
                classify(&api(status), NotIdempotent),
                Verdict::Fail,
                "{status}"
            );
        }
        assert_eq!(classify(&transport(true), NotIdempotent), Verdict::Fail);
        assert_eq!(classify(&transport(false), NotIdempotent), Verdict::Retry);
        assert_eq!(
            classify(
                &Error::RateLimited {
                    retry_after: None,
                    remaining: None
                },
                NotIdempotent
            ),
            Verdict::Retry
        );
        // MFA is answered by the caller's proof, not by a blind retry.
        let mfa = Error::MfaRequired {
            proof: MfaProof::SmsOtp,
            message: None,
        };
        assert_eq!(classify(&mfa, NotIdempotent), Verdict::Fail);
    }

    #[test]
    fn unauthorized_refreshes_the_token() {
        for idempotency in [Idempotency::Idempotent, Idempotency::NotIdempotent] {
            assert_eq!(classify(&api(401), idempotency), Verdict::RefreshToken);
        }
    }

    #[test]
    fn retry_after_forms() {
        let mut headers = HeaderMap::new();
        assert_eq!(parse_retry_after(&headers), None);
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(parse_retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(parse_retry_after(&headers), Some(Duration::ZERO));
        let later = (Utc::now() + chrono::Duration::seconds(120)).to_rfc2822();
        headers.insert(RETRY_AFTER, later.parse().unwrap());
        let wait = parse_retry_after(&headers).unwrap();
        assert!(wait > Duration::from_secs(100) && wait <= Duration::from_secs(120));
        headers.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(parse_retry_after(&headers), None);
    }
}

//! The `tracing` span every HTTP call runs in.
//!
//! Fields: `operation` (the API operation id), `attempt` (1 for the first
//! try), `status` (the HTTP status, once known), `duration_ms`, and `error`
//! (the error's message, which never contains a secret). Headers and bodies
//! are never recorded: the `Authorization` header and token responses stay
//! out of logs.

use std::time::Duration;

use reqwest::StatusCode;
use tracing::Span;
use tracing::field::Empty;

use crate::error::Error;

/// Target of the facade's spans and events, for filters
/// (`RUST_LOG=helloasso_sdk=debug`).
pub(crate) const TARGET: &str = "helloasso_sdk";

/// A span for one attempt of one operation.
pub(crate) fn request_span(operation: &'static str, attempt: u32) -> Span {
    tracing::info_span!(
        target: TARGET,
        "helloasso.request",
        operation,
        attempt,
        status = Empty,
        duration_ms = Empty,
        error = Empty,
    )
}

/// Records how an attempt ended, and logs it inside its span.
pub(crate) fn record_outcome(
    span: &Span,
    status: Option<StatusCode>,
    elapsed: Duration,
    error: Option<&Error>,
) {
    let duration_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    span.record("duration_ms", duration_ms);
    if let Some(status) = status {
        span.record("status", status.as_u16());
    }
    if let Some(error) = error {
        span.record("error", tracing::field::display(error));
    }
    // The span carries the details; the event marks the end of the call for
    // subscribers that only print events.
    let _entered = span.enter();
    match error {
        None => tracing::debug!(target: TARGET, "HelloAsso answered"),
        Some(_) => tracing::debug!(target: TARGET, "HelloAsso call failed"),
    }
}

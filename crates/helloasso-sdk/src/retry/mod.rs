//! When a failed request is tried again, and how long to wait first.

mod backoff;
mod classify;

pub use backoff::{AsyncSleep, RetryPolicy, TokioSleep};
pub use classify::{Idempotency, outcome_unknown};
pub(crate) use classify::{Verdict, classify, parse_retry_after};

//! Long listings: a retry budget that fits them, and a checkpoint to
//! resume from when one still fails midway.

use helloasso_sdk::RetryPolicy;

use crate::exit::CliError;

/// Attempts per request for a listing that pages through everything.
///
/// With the default 3 attempts, a listing of a hundred pages on a flaky
/// link (one answer in four failing) fails midway more often than not;
/// 8 attempts bring a single page's failure odds below one in 10^4.
pub const LONG_LISTING_ATTEMPTS: u32 = 8;

/// The retry policy of long listings (--all, summaries).
pub fn long_listing_policy() -> RetryPolicy {
    RetryPolicy::default().with_max_attempts(LONG_LISTING_ATTEMPTS)
}

/// The error of a listing that stopped after printing `shown` records:
/// what was printed is complete up to `checkpoint`, and the same command
/// with `--resume` continues right after it.
pub fn stopped(cause: CliError, shown: u64, checkpoint: Option<&str>) -> CliError {
    let how = match checkpoint {
        Some(token) => format!(
            "the listing stopped after {shown} records; run the same command with --resume {token} to continue after them"
        ),
        None => format!(
            "the listing stopped after {shown} records, before any page was complete: run it again"
        ),
    };
    CliError {
        message: format!("{}; {how}", cause.message),
        ..cause
    }
}

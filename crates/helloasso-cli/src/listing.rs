//! Long listings: a retry budget that fits them, and a checkpoint to
//! resume from when one still fails midway.

use helloasso_sdk::{Checkpoint, RetryPolicy};

use crate::exit::CliError;

/// Attempts per request for a listing that pages through everything.
///
/// With the default 3 attempts, a listing of a hundred pages on a flaky
/// link (one answer in four failing) fails midway more often than not;
/// 8 attempts bring a single page's failure odds below one in 10^4.
pub const LONG_LISTING_ATTEMPTS: u32 = 8;

/// The most attempts per request, however long the listing.
pub const MAX_ATTEMPTS: u32 = 16;

/// The retry policy of long listings (--all, summaries) before their length
/// is known.
pub fn long_listing_policy() -> RetryPolicy {
    RetryPolicy::default().with_max_attempts(LONG_LISTING_ATTEMPTS)
}

/// Attempts per request that keep a listing of `pages` pages under one
/// chance in a thousand of failing midway when up to 30% of answers fail:
/// the smallest `n` with `pages * 0.3^n <= 0.001`, at least
/// [`LONG_LISTING_ATTEMPTS`] and at most [`MAX_ATTEMPTS`].
pub fn attempts_for(pages: u64) -> u32 {
    let pages = pages.max(1) as f64;
    let needed = ((0.001 / pages).ln() / 0.3f64.ln()).ceil();
    (needed as u32).clamp(LONG_LISTING_ATTEMPTS, MAX_ATTEMPTS)
}

/// A `--resume` value: the checkpoint a stopped listing printed (or, from
/// an earlier version, a bare continuation token).
pub fn checkpoint(text: &str) -> Result<Checkpoint, CliError> {
    text.parse::<Checkpoint>()
        .map_err(|e| CliError::usage(format!("--resume: {e}")))
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

/// What a listing continued with `--resume` says at its end: how many
/// records came after the checkpoint, and that the listing is now whole.
pub fn tell_resumed(shown: u64, what: &str) {
    eprintln!("{shown} more {what} after the checkpoint: the listing is complete");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longer_listings_get_more_attempts() {
        assert_eq!(attempts_for(1), LONG_LISTING_ATTEMPTS);
        assert_eq!(attempts_for(28), 9);
        assert_eq!(attempts_for(1_000), 12);
        assert_eq!(attempts_for(u64::MAX), MAX_ATTEMPTS);
        // The promise itself: under 1 in 1000 for the whole listing.
        for pages in [28u64, 300, 1_000, 10_000] {
            let n = attempts_for(pages);
            assert!(
                pages as f64 * 0.3f64.powi(n as i32) <= 0.001,
                "{pages}: {n}"
            );
        }
    }
}

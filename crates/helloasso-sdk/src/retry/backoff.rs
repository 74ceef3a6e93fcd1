//! Capped exponential backoff with jitter, and the sleep it waits with.

use std::fmt;
use std::time::Duration;

use futures::future::BoxFuture;
use rand::Rng;

/// How many times, and how patiently, a request is retried.
///
/// The wait before retry `n` (1-based) is `initial_backoff * 2^(n-1)`, capped
/// at `max_backoff`, of which a random half is dropped (jitter, so that many
/// clients failing together do not come back together). A `Retry-After`
/// from HelloAsso replaces that wait; one longer than `max_retry_after` ends
/// the retries with [`Error::RateLimited`](crate::Error::RateLimited) rather
/// than stalling the caller.
///
/// ```
/// use std::time::Duration;
/// use helloasso_sdk::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .with_max_attempts(5)
///     .with_initial_backoff(Duration::from_millis(500))
///     .with_max_backoff(Duration::from_secs(20));
/// assert_eq!(patient.max_attempts(), 5);
/// assert_eq!(RetryPolicy::disabled().max_attempts(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts, 200 ms then 400 ms (with jitter), at most 10 s between
    /// attempts, `Retry-After` honoured up to 60 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retry.
    pub fn disabled() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// Attempts in all, the first included (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry, doubled for each next one.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest wait between two attempts.
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest `Retry-After` waited for; beyond it the call fails with
    /// [`Error::RateLimited`](crate::Error::RateLimited).
    pub fn with_max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Waits exactly the computed backoff, without randomness (tests,
    /// reproducible runs).
    pub fn without_jitter(mut self) -> Self {
        self.jitter = false;
        self
    }

    /// Attempts in all, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before retry number `retry` (1 for the first retry), or
    /// `None` when HelloAsso asked for a wait longer than allowed.
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if let Some(wait) = retry_after {
            return (wait <= self.max_retry_after).then_some(wait);
        }
        let exponent = retry.saturating_sub(1).min(31);
        let capped = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        if !self.jitter || capped.is_zero() {
            return Some(capped);
        }
        // "Equal jitter": never less than half the backoff, so retries stay spaced.
        let half = capped / 2;
        let extra = rand::rng().random_range(Duration::ZERO..=capped - half);
        Some(half + extra)
    }
}

/// Waits between retries. The default is tokio's timer; tests inject one
/// that records the waits.
pub trait AsyncSleep: Send + Sync + fmt::Debug {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// [`AsyncSleep`] with `tokio::time::sleep`.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioSleep;

impl AsyncSleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let policy = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(350))
            .without_jitter();
        let waits: Vec<_> = (1..=4).map(|n| policy.delay(n, None).unwrap()).collect();
        assert_eq!(
            waits,
            [100, 200, 350, 350].map(Duration::from_millis).to_vec()
        );
        // Huge attempt numbers neither overflow nor exceed the cap.
        assert_eq!(
            policy.delay(u32::MAX, None),
            Some(Duration::from_millis(350))
        );
    }

    #[test]
    fn jitter_stays_between_half_and_full() {
        let policy = RetryPolicy::default().with_initial_backoff(Duration::from_millis(400));
        for _ in 0..200 {
            let wait = policy.delay(1, None).unwrap();
            assert!(wait >= Duration::from_millis(200) && wait <= Duration::from_millis(400));
        }
    }

    #[test]
    fn retry_after_wins_up_to_the_limit() {
        let policy = RetryPolicy::default().with_max_retry_after(Duration::from_secs(5));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(1))),
            Some(Duration::from_secs(1))
        );
        assert_eq!(policy.delay(1, Some(Duration::from_secs(3600))), None);
    }
}

//! The run's request rate: every request to HelloAsso takes the next slot
//! of one schedule shared by the run's walks, and a 429 that outlasted the
//! SDK's own retries halves the rate and is asked again after its
//! `Retry-After` (only reads go through here, so asking again is safe).

use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{Error, Result};

/// Requests per second of a sync unless the caller says otherwise; why
/// this number: `docs/mirror.md` ("Request rate").
pub const DEFAULT_MAX_RATE: f64 = 20.0;

/// How many times one request is asked again after a 429 that the SDK's
/// retries did not get past, before the run gives up.
const MAX_RATE_LIMITED: u32 = 20;

/// The wait after a 429 that named none.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// The shared schedule.
#[derive(Debug)]
pub(crate) struct Pacer {
    /// Time between two requests (zero: no limit), and the next free slot.
    slots: Mutex<(Duration, Instant)>,
    /// Requests asked of HelloAsso (a 429 asked again counts again).
    pub requests: AtomicU64,
}

impl Pacer {
    /// `max_rate` requests per second; 0 or less, or not finite: no limit.
    pub(crate) fn new(max_rate: f64) -> Pacer {
        let interval = if max_rate > 0.0 && max_rate.is_finite() {
            Duration::from_secs_f64(1.0 / max_rate)
        } else {
            Duration::ZERO
        };
        Pacer {
            slots: Mutex::new((interval, Instant::now())),
            requests: AtomicU64::new(0),
        }
    }

    /// Waits for this request's slot.
    async fn slot(&self) {
        let at = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            let (interval, next) = *slots;
            if interval.is_zero() {
                return;
            }
            let at = next.max(Instant::now());
            slots.1 = at + interval;
            at
        };
        tokio::time::sleep_until(at).await;
    }

    /// HelloAsso said "too many": half the rate from now on (from 10 per
    /// second when there was no limit), and no slot before `wait` is over.
    fn slow_down(&self, wait: Duration) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.0 = if slots.0.is_zero() {
            Duration::from_millis(100)
        } else {
            (slots.0 * 2).min(Duration::from_secs(10))
        };
        slots.1 = slots.1.max(Instant::now() + wait);
    }

    /// Runs one read at the run's pace, asking again after a 429.
    pub(crate) async fn read<T, F, Fut>(&self, mut request: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut limited = 0;
        loop {
            self.slot().await;
            self.requests.fetch_add(1, Ordering::Relaxed);
            match request().await {
                Err(Error::Api(e)) if limited < MAX_RATE_LIMITED => {
                    let helloasso_sdk::Error::RateLimited { retry_after, .. } = *e else {
                        return Err(Error::Api(e));
                    };
                    limited += 1;
                    tracing::debug!(?retry_after, "rate limited: slowing down");
                    self.slow_down(retry_after.unwrap_or(DEFAULT_RETRY_AFTER));
                }
                other => return other,
            }
        }
    }
}

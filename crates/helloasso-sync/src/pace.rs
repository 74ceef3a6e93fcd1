//! The run's request rate: every request to HelloAsso takes a slot of one
//! schedule shared by the run's walks, and a 429 that outlasted the SDK's
//! own retries halves the rate and is asked again after its `Retry-After`
//! (only reads go through here, so asking again is safe).
//!
//! The schedule lets up to [`BURST`] requests go at once, then no more than
//! `max_rate` a second: at most `BURST` in any window of `BURST / max_rate`
//! seconds. The walks (four at most) ask at once when they are ready
//! instead of waiting for an even spacing, and no burst is larger than that.

use std::collections::VecDeque;
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

/// The most requests that go at once: one per walk.
const BURST: f64 = 4.0;

/// The longest time between two requests after 429s halved the rate.
const MAX_INTERVAL: Duration = Duration::from_secs(10);

/// The shared schedule.
#[derive(Debug)]
pub(crate) struct Pacer {
    window: Mutex<Window>,
    /// Requests asked of HelloAsso (a 429 asked again counts again).
    pub requests: AtomicU64,
}

/// At most `per_window` requests in any `length` of time; 0: no limit.
#[derive(Debug)]
struct Window {
    per_window: usize,
    length: Duration,
    /// When the last `per_window` requests go (or went), oldest first.
    slots: VecDeque<Instant>,
    /// No request before this (a 429's `Retry-After`).
    not_before: Instant,
}

impl Pacer {
    /// `max_rate` requests per second; 0 or less, or not finite: no limit.
    pub(crate) fn new(max_rate: f64) -> Pacer {
        let (per_window, length) = if max_rate > 0.0 && max_rate.is_finite() {
            let n = max_rate.ceil().min(BURST);
            (n as usize, Duration::from_secs_f64(n / max_rate))
        } else {
            (0, Duration::ZERO)
        };
        Pacer {
            window: Mutex::new(Window {
                per_window,
                length,
                slots: VecDeque::with_capacity(per_window),
                not_before: Instant::now(),
            }),
            requests: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Window> {
        self.window.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for this request's slot: not before the one taken last (slots
    /// go in the order they are taken), nor before the slot `per_window`
    /// back is a window old.
    async fn slot(&self) {
        let at = {
            let mut w = self.lock();
            if w.per_window == 0 {
                return;
            }
            let mut at = Instant::now().max(w.not_before);
            if let Some(last) = w.slots.back() {
                at = at.max(*last);
            }
            if w.slots.len() >= w.per_window {
                let oldest = w.slots[w.slots.len() - w.per_window];
                at = at.max(oldest + w.length);
            }
            w.slots.push_back(at);
            while w.slots.len() > w.per_window {
                w.slots.pop_front();
            }
            at
        };
        tokio::time::sleep_until(at).await;
    }

    /// HelloAsso said "too many": half the rate from now on, evenly spaced
    /// (10 a second when there was no limit), and no slot before `wait` is
    /// over.
    fn slow_down(&self, wait: Duration) {
        let mut w = self.lock();
        let interval = if w.per_window == 0 {
            Duration::from_millis(100)
        } else {
            (w.length / w.per_window as u32 * 2).min(MAX_INTERVAL)
        };
        w.per_window = 1;
        w.length = interval;
        let keep = w.slots.back().copied();
        w.slots.clear();
        w.slots.extend(keep);
        w.not_before = w.not_before.max(Instant::now() + wait);
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

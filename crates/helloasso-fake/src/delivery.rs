//! How notifications travel: attempts and retries, and the faults that
//! drop, delay, duplicate and reorder them, with a log of what was done.
//!
//! HelloAsso does not publish a retry policy (FACTS.md: "HelloAsso's own
//! retry policy is not stated in anything we read"). The fake retries a
//! notification that got no 2xx answer after each of `retry_delays_ms`
//! (by default 1, 5 and 30 minutes): our assumption, listed in
//! docs/helloasso-behaviour.md.

use crate::counters::bump;
use crate::rng::SplitMix64;
use crate::state::{AppState, lock, read, write};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// Retries and faults of notification delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookDelivery {
    /// Waits before each new attempt after one that got no 2xx answer
    /// (our assumption: 1, 5 and 30 minutes).
    pub retry_delays_ms: Vec<u64>,
    /// How long an attempt waits for an answer.
    pub timeout_ms: u64,
    /// Share (0 to 1) of notifications never sent at all.
    pub drop_rate: f64,
    /// Share (0 to 1) of notifications sent twice.
    pub duplicate_rate: f64,
    /// Wait before the first attempt of every notification.
    pub delay_ms: u64,
    /// Each notification waits a further random 0 to `reorder_ms`, so that
    /// later ones may arrive first.
    pub reorder_ms: u64,
}

impl Default for WebhookDelivery {
    fn default() -> Self {
        WebhookDelivery {
            retry_delays_ms: vec![60_000, 300_000, 1_800_000],
            timeout_ms: 5_000,
            drop_rate: 0.0,
            duplicate_rate: 0.0,
            delay_ms: 0,
            reorder_ms: 0,
        }
    }
}

/// One notification to one URL, as the fake handled it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SentNotification {
    /// The notification's number (the same for every URL it went to).
    pub seq: u64,
    /// `Payment`, `Order`, `Form` or `Organization`.
    pub event_type: String,
    /// Where it went.
    pub url: String,
    /// Dropped by a fault: never sent.
    pub dropped: bool,
    /// Copies sent (2 when duplicated by a fault).
    pub copies: u32,
    /// Attempts made, all copies together.
    pub attempts: u32,
    /// Copies that got a 2xx answer.
    pub delivered: u32,
}

/// The delivery settings, the draws of the faults and the log.
pub(crate) struct Deliveries {
    pub config: RwLock<WebhookDelivery>,
    rng: Mutex<SplitMix64>,
    log: Mutex<Vec<SentNotification>>,
    next_seq: Mutex<u64>,
}

impl Deliveries {
    pub(crate) fn new(seed: u64) -> Self {
        Deliveries {
            config: RwLock::new(WebhookDelivery::default()),
            rng: Mutex::new(SplitMix64::new(seed ^ 0x0DE1_1FE2)),
            log: Mutex::new(Vec::new()),
            next_seq: Mutex::new(0),
        }
    }

    pub(crate) fn set(&self, config: WebhookDelivery) {
        *write(&self.config) = config;
    }

    pub(crate) fn log(&self) -> Vec<SentNotification> {
        lock(&self.log).clone()
    }

    /// The number of the next notification.
    pub(crate) fn next_seq(&self) -> u64 {
        let mut seq = lock(&self.next_seq);
        *seq += 1;
        *seq
    }

    fn update(&self, entry: usize, f: impl FnOnce(&mut SentNotification)) {
        if let Some(e) = lock(&self.log).get_mut(entry) {
            f(e);
        }
    }
}

/// A notification ready to go to one URL.
pub(crate) struct Outgoing {
    pub seq: u64,
    pub event_type: &'static str,
    pub url: String,
    pub signature: Option<String>,
    pub body: Vec<u8>,
}

/// Sends `out` in the background, with the configured faults and retries.
pub(crate) fn deliver(st: &Arc<AppState>, out: Outgoing) {
    let cfg = read(&st.deliveries.config).clone();
    let (dropped, copies, extra) = {
        let mut rng = lock(&st.deliveries.rng);
        let dropped = rng.unit() < cfg.drop_rate;
        let copies = if !dropped && rng.unit() < cfg.duplicate_rate {
            2
        } else {
            1
        };
        let extra = if cfg.reorder_ms > 0 {
            rng.between(0, cfg.reorder_ms)
        } else {
            0
        };
        (dropped, copies, extra)
    };
    let entry = {
        let mut log = lock(&st.deliveries.log);
        log.push(SentNotification {
            seq: out.seq,
            event_type: out.event_type.to_owned(),
            url: out.url.clone(),
            dropped,
            copies: if dropped { 0 } else { copies },
            attempts: 0,
            delivered: 0,
        });
        log.len() - 1
    };
    if dropped {
        return;
    }
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        bump(&st.counters.webhooks_failed);
        return;
    };
    let out = Arc::new(out);
    for _ in 0..copies {
        let st = Arc::clone(st);
        let out = Arc::clone(&out);
        let cfg = cfg.clone();
        handle.spawn(async move {
            tokio::time::sleep(Duration::from_millis(cfg.delay_ms + extra)).await;
            let waits = std::iter::once(0).chain(cfg.retry_delays_ms.iter().copied());
            for wait in waits {
                tokio::time::sleep(Duration::from_millis(wait)).await;
                st.deliveries.update(entry, |e| e.attempts += 1);
                if attempt(&st, &out, cfg.timeout_ms).await {
                    st.deliveries.update(entry, |e| e.delivered += 1);
                    return;
                }
            }
        });
    }
}

async fn attempt(st: &AppState, out: &Outgoing, timeout_ms: u64) -> bool {
    let mut req = st
        .webhook_client
        .post(&out.url)
        .timeout(Duration::from_millis(timeout_ms))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(out.body.clone());
    if let Some(sig) = &out.signature {
        req = req.header("x-ha-signature", sig);
    }
    match req.send().await {
        Ok(resp) if resp.status().is_success() => {
            bump(&st.counters.webhooks_sent);
            true
        }
        Ok(resp) => {
            tracing::debug!(status = %resp.status(), "webhook refused");
            bump(&st.counters.webhooks_failed);
            false
        }
        Err(e) => {
            tracing::debug!(error = %e, "webhook failed");
            bump(&st.counters.webhooks_failed);
            false
        }
    }
}

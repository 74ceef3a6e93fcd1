//! What notification delivery keeps between sends: its settings
//! ([`WebhookDelivery`]), the draws of its faults and the log of what was
//! done. [`crate::delivery`] sends with them.

use crate::locks::{lock, write};
use crate::rng::SplitMix64;
use serde::{Deserialize, Serialize};
use std::sync::{Mutex, RwLock};

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
    pub(crate) rng: Mutex<SplitMix64>,
    pub(crate) log: Mutex<Vec<SentNotification>>,
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

    pub(crate) fn update(&self, entry: usize, f: impl FnOnce(&mut SentNotification)) {
        if let Some(e) = lock(&self.log).get_mut(entry) {
            f(e);
        }
    }
}

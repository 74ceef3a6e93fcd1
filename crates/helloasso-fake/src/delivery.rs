//! How notifications travel: attempts and retries, and the faults that
//! drop, delay, duplicate and reorder them, logged in [`crate::deliveries`].
//!
//! HelloAsso does not publish a retry policy (FACTS.md: "HelloAsso's own
//! retry policy is not stated in anything we read"). The fake retries a
//! notification that got no 2xx answer after each of `retry_delays_ms`
//! (by default 1, 5 and 30 minutes): our assumption, listed in
//! docs/helloasso-behaviour.md.

use crate::counters::bump;
use crate::deliveries::SentNotification;
use crate::locks::{lock, read};
use crate::state::AppState;
use std::sync::Arc;
use std::time::Duration;

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

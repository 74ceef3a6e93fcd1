//! Webhook notifications: `{"eventType": "Payment"|"Order", "data": ..., "metadata": ...}`
//! POSTed fire-and-forget (5 s timeout) to the configured URL, signed like a
//! partner's when a key is set.

use crate::counters::bump;
use crate::state::{AppState, read};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::Arc;

/// The `x-ha-signature` of a body: lowercase hex HMAC-SHA256 with `key`.
pub fn signature(key: &[u8], body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| {
        // HMAC accepts keys of any length; this branch is unreachable.
        <Hmac<Sha256> as Mac>::new_from_slice(&[0]).expect("HMAC key")
    });
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Sends one notification in the background, if a URL is configured.
pub(crate) fn notify(
    st: &Arc<AppState>,
    event_type: &'static str,
    data: Value,
    metadata: Option<Value>,
) {
    let Some(cfg) = read(&st.webhook).clone() else {
        return;
    };
    let mut body = json!({ "eventType": event_type, "data": data });
    if let Some(m) = metadata {
        body["metadata"] = m;
    }
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let sig = cfg
        .signature_key
        .as_deref()
        .map(|k| signature(k.as_bytes(), &bytes));
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        bump(&st.counters.webhooks_failed);
        return;
    };
    let client = st.webhook_client.clone();
    let st = Arc::clone(st);
    handle.spawn(async move {
        let mut req = client
            .post(&cfg.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(bytes);
        if let Some(sig) = sig {
            req = req.header("x-ha-signature", sig);
        }
        match req.send().await {
            Ok(resp) if resp.status().is_success() => bump(&st.counters.webhooks_sent),
            Ok(resp) => {
                tracing::debug!(status = %resp.status(), "webhook refused");
                bump(&st.counters.webhooks_failed);
            }
            Err(e) => {
                tracing::debug!(error = %e, "webhook failed");
                bump(&st.counters.webhooks_failed);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc4231_case_2() {
        // RFC 4231 test case 2.
        assert_eq!(
            super::signature(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}

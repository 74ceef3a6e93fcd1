//! Webhook notifications: `{"eventType": "Payment"|"Order"|"Form"|"Organization",
//! "data": ..., "metadata": ...}` in the shapes of HelloAsso's samples, to the
//! configured URL and to the partner's URLs, signed like a partner's when a
//! key is set; [`crate::delivery`] sends them.

use crate::delivery::{self, Outgoing};
use crate::locks::{lock, read};
use crate::model::ApiNotificationType;
use crate::partners;
use crate::state::AppState;
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

/// Sends one notification in the background to every URL that takes it:
/// the `--webhook-url` (signed with its key, if any), and the partner's
/// URL for the organization it concerns (signed with that URL's key).
pub(crate) fn notify(
    st: &Arc<AppState>,
    event_type: &'static str,
    data: Value,
    metadata: Option<Value>,
) {
    let org = organization_of(event_type, &data).and_then(|slug| st.read().org_index(&slug));
    let mut body = json!({ "eventType": event_type, "data": data });
    if let Some(m) = metadata {
        body["metadata"] = m;
    }
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let mut targets: Vec<(String, Option<String>)> = Vec::new();
    if let Some(cfg) = read(&st.webhook).clone() {
        targets.push((cfg.url, cfg.signature_key));
    }
    if let Some(url) = partner_url(st, org, event_type)
        && !targets.iter().any(|(u, _)| *u == url)
    {
        let key = partners::signature_key(st, &url);
        targets.push((url, Some(key)));
    }
    if targets.is_empty() {
        return;
    }
    let seq = st.deliveries.next_seq();
    for (url, key) in targets {
        let signature = key.as_deref().map(|k| signature(k.as_bytes(), &bytes));
        delivery::deliver(
            st,
            Outgoing {
                seq,
                event_type,
                url,
                signature,
                body: bytes.clone(),
            },
        );
    }
}

/// The organization a notification concerns, by slug, as its data says.
fn organization_of(event_type: &str, data: &Value) -> Option<String> {
    let slug = match event_type {
        "Payment" => data.pointer("/order/organizationSlug"),
        "Organization" => data.get("new_slug_organization"),
        _ => data.get("organizationSlug"),
    };
    slug.and_then(Value::as_str).map(str::to_owned)
}

/// The partner's URL for this organization and event type: the
/// organization's own URL when one is set, else the partner's main URL (a
/// URL for this type before one for every type). Our assumption:
/// HelloAsso does not say whether both would receive it.
fn partner_url(st: &AppState, org: Option<u8>, event_type: &str) -> Option<String> {
    let kind = ApiNotificationType::parse(event_type);
    let partner = lock(&st.partner);
    let scopes = org.map(Some).into_iter().chain([None]);
    scopes
        .flat_map(|scope| [(scope, kind), (scope, None)])
        .find_map(|key| partner.urls.get(&key).cloned())
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

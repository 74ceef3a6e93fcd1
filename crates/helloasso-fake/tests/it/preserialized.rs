//! Listing pages spliced from pre-serialized payments: the same bytes as
//! pages rendered anew, and never stale after a write.

use crate::common::{Fake, start};
use helloasso_fake::{FakeConfig, PaymentState};
use reqwest::StatusCode;

fn config() -> FakeConfig {
    FakeConfig::default().seed(11).payments(700)
}

/// The raw body of one organization listing page.
async fn body(f: &Fake, query: &[(&str, &str)]) -> Vec<u8> {
    let resp = f
        .authed_get(f.org_url("/payments"))
        .query(query)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/json");
    resp.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn spliced_pages_are_the_rendered_pages_byte_for_byte() {
    let (rendered, spliced) = (
        start(config()).await,
        start(config().preserialize_listings(true)).await,
    );
    let mut pages = 0;
    // Twice: once filling the cache, once served from it.
    for _ in 0..2 {
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![("pageSize", "50".to_owned())];
            if let Some(t) = token.take() {
                query.push(("continuationToken", t));
            }
            let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (a, b) = (body(&rendered, &query).await, body(&spliced, &query).await);
            assert_eq!(
                String::from_utf8_lossy(&a),
                String::from_utf8_lossy(&b),
                "page {pages}"
            );
            let page: serde_json::Value = serde_json::from_slice(&b).unwrap();
            pages += 1;
            if page["data"].as_array().unwrap().is_empty() {
                break;
            }
            token = page["pagination"]["continuationToken"]
                .as_str()
                .map(str::to_owned);
        }
    }
    assert!(pages > 20, "{pages} pages walked");
    // Filters, sorting and index paging go through the same splice.
    for query in [
        &[("pageIndex", "3"), ("pageSize", "20")][..],
        &[("states", "Refunded"), ("pageSize", "7")][..],
        &[("sortOrder", "Asc"), ("sortField", "UpdateDate")][..],
        &[("withCount", "false")][..],
    ] {
        assert_eq!(
            String::from_utf8_lossy(&body(&rendered, query).await),
            String::from_utf8_lossy(&body(&spliced, query).await),
            "{query:?}"
        );
    }
}

#[tokio::test]
async fn a_refund_is_listed_after_the_payment_was_cached() {
    let f = start(config().preserialize_listings(true)).await;
    let id = f.server.payment_ids(Some(PaymentState::Authorized), 1)[0];
    let before = listed(&f, id).await;
    assert_eq!(before["state"], "Authorized");
    assert_eq!(before["refundOperations"], serde_json::Value::Null);

    let (status, op) = f.post(&f.url(&format!("/payments/{id}/refund")), &[]).await;
    assert_eq!(status, StatusCode::OK, "{op}");

    let after = listed(&f, id).await;
    assert_eq!(after["state"], "Refunded");
    assert_eq!(after["refundOperations"][0]["id"], op["id"]);
}

/// Payment `id` as the organization listing shows it.
async fn listed(f: &Fake, id: i64) -> serde_json::Value {
    let items = f
        .walk_tokens(&f.org_url("/payments"), &[("pageSize", "100")])
        .await;
    items.into_iter().find(|p| p["id"] == id).unwrap()
}

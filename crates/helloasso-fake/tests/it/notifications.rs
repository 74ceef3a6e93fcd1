//! How the fake delivers notifications: its faults (drop, duplicate, delay,
//! reorder), its retries after an answer other than 2xx, and the
//! Organization notification of a slug change.

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use helloasso_fake::{FakeConfig, WebhookDelivery};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a receiver saw: each body with its arrival time.
type Seen = Arc<Mutex<Vec<(Instant, Bytes)>>>;

/// A receiver on loopback that answers 503 to the first attempt of each
/// body (so that every notification is retried once), 200 afterwards.
async fn flaky_sink() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let refused: Arc<Mutex<BTreeSet<Bytes>>> = Arc::default();
    let s = seen.clone();
    let app = Router::new().route(
        "/hook",
        post(move |body: Bytes| {
            let s = s.clone();
            let refused = refused.clone();
            async move {
                if refused.lock().unwrap().insert(body.clone()) {
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                s.lock().unwrap().push((Instant::now(), body));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

#[tokio::test]
async fn delivery_faults_drop_duplicate_delay_reorder_and_retries() {
    let (hook, seen) = flaky_sink().await;
    let fake = helloasso_fake::start(
        FakeConfig::default()
            .seed(9)
            .payments(20)
            .webhook(hook, None),
    )
    .await
    .unwrap();
    fake.set_webhook_delivery(WebhookDelivery {
        retry_delays_ms: vec![50],
        timeout_ms: 2_000,
        drop_rate: 0.25,
        duplicate_rate: 0.25,
        delay_ms: 300,
        reorder_ms: 400,
    });
    // HelloAsso refuses a request without a User-Agent.
    let client = reqwest::Client::builder()
        .user_agent("helloasso-fake-tests")
        .build()
        .unwrap();
    let started = Instant::now();
    let mut order_ids = Vec::new();
    for id in create_intents(&fake, &client, 20).await {
        let paid = fake.pay_checkout_intent(id).unwrap();
        order_ids.push(paid.order_id);
    }

    // Wait (bounded) for every copy not dropped to be delivered.
    let deadline = Instant::now() + Duration::from_secs(20);
    let log = loop {
        let log = fake.webhook_log();
        if log.iter().all(|e| e.dropped || e.delivered == e.copies) {
            break log;
        }
        assert!(Instant::now() < deadline, "{log:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(log.len(), 40, "an Order and a Payment per paid intent");
    let dropped = log.iter().filter(|e| e.dropped).count();
    let doubled = log.iter().filter(|e| e.copies == 2).count();
    assert!((4..=16).contains(&dropped), "{dropped} dropped of 40");
    assert!((4..=16).contains(&doubled), "{doubled} duplicated of 40");
    // Each body was refused once, then retried and taken (the two copies
    // of a duplicate are one body); a dropped one was never tried.
    for e in &log {
        let tried = if e.dropped { 0 } else { e.copies + 1 };
        assert_eq!(e.attempts, tried, "{e:?}");
        assert_eq!(e.delivered, e.copies, "{e:?}");
    }

    let seen = seen.lock().unwrap().clone();
    let expected: u32 = log.iter().map(|e| e.copies).sum();
    assert_eq!(seen.len(), expected as usize);
    // The delay: nothing arrived before it.
    assert!(
        seen.iter()
            .all(|(t, _)| *t - started >= Duration::from_millis(300))
    );
    // What arrived is what was not dropped, duplicates twice.
    let mut per_body: BTreeMap<&Bytes, u32> = BTreeMap::new();
    for (_, b) in &seen {
        *per_body.entry(b).or_default() += 1;
    }
    assert_eq!(per_body.len(), 40 - dropped);
    assert_eq!(per_body.values().filter(|n| **n == 2).count(), doubled);
    // Reordered: the arrival order of the Order notifications is not the
    // order they were sent in.
    let arrived: Vec<i64> = seen
        .iter()
        .filter_map(|(_, b)| serde_json::from_slice::<Value>(b).ok())
        .filter(|v| v["eventType"] == "Order")
        .filter_map(|v| v["data"]["id"].as_i64())
        .collect();
    let mut deduped = Vec::new();
    for id in arrived {
        if !deduped.contains(&id) {
            deduped.push(id);
        }
    }
    let sent: Vec<i64> = order_ids
        .iter()
        .copied()
        .filter(|id| deduped.contains(id))
        .collect();
    assert_ne!(deduped, sent, "no notification overtook another");
    fake.shutdown().await;
}

/// Creates `n` checkout intents through the API; their ids.
async fn create_intents(
    fake: &helloasso_fake::FakeServer,
    http: &reqwest::Client,
    n: usize,
) -> Vec<i64> {
    let token: Value = http
        .post(format!("{}/oauth2/token", fake.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", fake.client_id()),
            ("client_secret", fake.client_secret()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let mut ids = Vec::new();
    for _ in 0..n {
        let created: Value = http
            .post(format!(
                "{}/v5/organizations/{}/checkout-intents",
                fake.base_url(),
                fake.organization_slug()
            ))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "totalAmount": 1000,
                "initialAmount": 1000,
                "itemName": "Adhésion",
                "backUrl": "https://example.org/back",
                "errorUrl": "https://example.org/error",
                "returnUrl": "https://example.org/return",
                "containsDonation": false
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.push(created["id"].as_i64().unwrap());
    }
    ids
}

#[tokio::test]
async fn a_slug_change_is_notified_in_the_samples_shape() {
    let (hook, seen) = flaky_sink().await;
    let fake = helloasso_fake::start(FakeConfig::default().payments(5).webhook(hook, None))
        .await
        .unwrap();
    fake.set_webhook_delivery(WebhookDelivery {
        retry_delays_ms: vec![20],
        ..WebhookDelivery::default()
    });
    let old = fake.organization_slug().to_owned();
    fake.rename_organization(&old, "club-renomme").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while seen.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "{:?}", fake.webhook_log());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let body: Value = serde_json::from_slice(&seen.lock().unwrap()[0].1).unwrap();
    // Sample 04 (webhooks/04_official_doc_Organization_event.json).
    assert_eq!(
        body,
        serde_json::json!({
            "eventType": "Organization",
            "data": { "old_slug_organization": old, "new_slug_organization": "club-renomme" }
        })
    );
    // The organization answers to its new slug only.
    assert!(fake.organizations().contains(&"club-renomme".to_owned()));
    assert!(!fake.organizations().contains(&old));
    // A taken or empty slug is refused, and nothing is notified.
    let other = fake.organizations()[1].clone();
    assert!(fake.rename_organization("club-renomme", &other).is_err());
    assert!(fake.rename_organization("club-renomme", " ").is_err());
    assert_eq!(fake.webhook_log().len(), 1);
    fake.shutdown().await;
}

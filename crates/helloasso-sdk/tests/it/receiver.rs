//! The webhook receiver on the wire: each kind of notification gets its
//! documented answer, and only trusted, new ones are stored.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use futures::future::BoxFuture;
use helloasso_fake::{FakeConfig, FakeServer, WebhookDelivery};
use helloasso_sdk::webhooks::{
    MemoryNotificationStore, NotificationStore, Receiver, StoreError, StoredNotification, sign,
};
use helloasso_sdk::{Cents, Client, Environment};
use serde_json::{Value, json};

const KEY: &str = "partner-signature-key";

fn sample(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/samples/webhooks")
        .join(name);
    std::fs::read(path).unwrap()
}

fn payment_sample() -> Value {
    serde_json::from_slice(&sample("03_official_sample_Payment_event.json")).unwrap()
}

async fn start_fake(config: FakeConfig) -> (FakeServer, Client) {
    let fake = helloasso_fake::start(config).await.unwrap();
    let client = Client::builder()
        .environment(Environment::custom(&fake.base_url()).unwrap())
        .credentials(fake.client_id(), fake.client_secret().to_owned())
        .build()
        .unwrap();
    (fake, client)
}

async fn serve(receiver: &Receiver) -> String {
    crate::common::serve(receiver.router()).await
}

/// POSTs `body` (signed with `key` when given); the status and the
/// answer's `outcome`.
async fn post(url: &str, body: &[u8], signature: Option<String>) -> (u16, String) {
    let mut req = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(sig) = signature {
        req = req.header("x-ha-signature", sig);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let answer: Value = resp.json().await.unwrap_or(Value::Null);
    (status, answer["outcome"].as_str().unwrap_or("").to_owned())
}

fn signed_receiver(store: Arc<MemoryNotificationStore>) -> Receiver {
    Receiver::builder(store).signature_key(KEY).build().unwrap()
}

#[tokio::test]
async fn a_forged_signature_gets_401_and_nothing_is_stored() {
    let store = Arc::new(MemoryNotificationStore::new());
    let url = serve(&signed_receiver(Arc::clone(&store))).await;
    let body = serde_json::to_vec(&payment_sample()).unwrap();

    let forged = sign(&body, b"someone-else's-key");
    assert_eq!(
        post(&url, &body, Some(forged)).await,
        (401, "bad_signature".into())
    );
    assert_eq!(post(&url, &body, None).await, (401, "bad_signature".into()));
    assert_eq!(
        post(&url, &body, Some("not hex".into())).await,
        (401, "bad_signature".into())
    );
    assert!(store.all().is_empty(), "a forged notification was stored");

    // The same body, rightly signed, is stored: the refusals above were the
    // signature's doing.
    let good = sign(&body, KEY.as_bytes());
    assert_eq!(post(&url, &body, Some(good)).await, (200, "stored".into()));
    assert_eq!(store.all().len(), 1);
}

#[tokio::test]
async fn an_unconfirmable_association_notification_gets_200_and_nothing_is_stored() {
    let (fake, client) = start_fake(FakeConfig::default().payments(50).association(true)).await;
    let store = Arc::new(MemoryNotificationStore::new());
    let receiver = Receiver::builder(store.clone())
        .confirmer(client)
        .build()
        .unwrap();
    let url = serve(&receiver).await;

    // A payment HelloAsso never made: the API does not know it.
    let mut forged = payment_sample();
    forged["data"]["id"] = json!(987_654_321_012_i64);
    let body = serde_json::to_vec(&forged).unwrap();
    assert_eq!(post(&url, &body, None).await, (200, "unconfirmed".into()));
    assert!(
        store.all().is_empty(),
        "an unconfirmed notification was stored"
    );

    // A real payment id with a forged amount and state: stored, but as the
    // API reads it, never as the body claims.
    let id = fake.payment_ids(None, 1)[0];
    let mut lying = payment_sample();
    lying["data"]["id"] = json!(id);
    lying["data"]["amount"] = json!(1);
    let body = serde_json::to_vec(&lying).unwrap();
    assert_eq!(post(&url, &body, None).await, (200, "stored".into()));
    let stored = store.all();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].object_id, id.to_string());
    assert_ne!(
        stored[0].data["amount"],
        json!(1),
        "the body's amount was trusted"
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn a_replay_is_answered_duplicate_and_yielded_once() {
    let store = Arc::new(MemoryNotificationStore::new());
    let receiver = signed_receiver(Arc::clone(&store));
    let url = serve(&receiver).await;
    let body = serde_json::to_vec(&payment_sample()).unwrap();
    let sig = sign(&body, KEY.as_bytes());

    assert_eq!(
        post(&url, &body, Some(sig.clone())).await,
        (200, "stored".into())
    );
    for _ in 0..3 {
        assert_eq!(
            post(&url, &body, Some(sig.clone())).await,
            (200, "duplicate".into())
        );
    }
    assert_eq!(store.all().len(), 1);

    let mut events = Box::pin(receiver.events());
    let first = events.next().await.unwrap().unwrap();
    receiver.ack(&first.key).await.unwrap();
    let next = tokio::time::timeout(Duration::from_millis(200), events.next()).await;
    assert!(next.is_err(), "a replay was yielded again: {next:?}");
    // A new stream (a restarted process) finds nothing left to act on.
    let mut again = Box::pin(receiver.events());
    let next = tokio::time::timeout(Duration::from_millis(200), again.next()).await;
    assert!(next.is_err(), "a handled notification came back: {next:?}");
}

#[tokio::test]
async fn an_unknown_event_type_gets_200_and_nothing_is_stored() {
    let store = Arc::new(MemoryNotificationStore::new());
    let url = serve(&signed_receiver(Arc::clone(&store))).await;
    let body = br#"{"eventType":"Refund","data":{"id":12}}"#;
    let sig = sign(body, KEY.as_bytes());
    assert_eq!(
        post(&url, body, Some(sig)).await,
        (200, "unknown_event_type".into())
    );
    // Not JSON at all: not HelloAsso's, refused.
    let sig = sign(b"<html>", KEY.as_bytes());
    assert_eq!(
        post(&url, b"<html>", Some(sig)).await,
        (400, "malformed".into())
    );
    assert!(store.all().is_empty());
}

#[tokio::test]
async fn an_oversized_body_gets_413_and_nothing_is_stored() {
    let store = Arc::new(MemoryNotificationStore::new());
    let receiver = Receiver::builder(store.clone())
        .signature_key(KEY)
        .max_body(4096)
        .build()
        .unwrap();
    let url = serve(&receiver).await;
    let mut big = payment_sample();
    big["data"]["padding"] = json!("x".repeat(5000));
    let body = serde_json::to_vec(&big).unwrap();
    let sig = sign(&body, KEY.as_bytes());
    assert_eq!(
        post(&url, &body, Some(sig.clone())).await,
        (413, "too_large".into())
    );

    // Chunked, with no length announced: cut at the limit all the same.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        body.chunks(1000).map(|c| Ok(c.to_vec())).collect();
    let resp = reqwest::Client::new()
        .post(&url)
        .header("x-ha-signature", sig)
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    assert!(store.all().is_empty());

    // Under the limit, the same notification goes through.
    let small = serde_json::to_vec(&payment_sample()).unwrap();
    let sig = sign(&small, KEY.as_bytes());
    assert_eq!(post(&url, &small, Some(sig)).await, (200, "stored".into()));
}

/// A store whose process "dies" on its first write: the write never
/// completes and nothing is kept, as when the receiver is killed between
/// receipt and commit.
struct DyingStore {
    reached: tokio::sync::Notify,
}

impl NotificationStore for DyingStore {
    fn contains<'a>(&'a self, _key: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async { Ok(false) })
    }
    fn insert<'a>(&'a self, _n: &'a StoredNotification) -> BoxFuture<'a, Result<bool, StoreError>> {
        self.reached.notify_one();
        Box::pin(futures::future::pending())
    }
    fn pending(&self) -> BoxFuture<'_, Result<Vec<StoredNotification>, StoreError>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    fn mark_handled<'a>(&'a self, _key: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test]
async fn a_receiver_killed_before_commit_stores_the_notification_once_after_the_retry() {
    // The receiver's address is known before the fake starts, so that the
    // fake notifies it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (fake, client) = start_fake(
        FakeConfig::default()
            .payments(20)
            .webhook(format!("http://{addr}/"), Some(KEY.to_owned())),
    )
    .await;
    fake.set_webhook_delivery(WebhookDelivery {
        retry_delays_ms: vec![300, 300, 300, 300],
        timeout_ms: 500,
        ..WebhookDelivery::default()
    });

    let dying = Arc::new(DyingStore {
        reached: tokio::sync::Notify::new(),
    });
    let first = Receiver::builder(dying.clone())
        .signature_key(KEY)
        .build()
        .unwrap();
    let app = first.router();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let slug = fake.organization_slug().to_owned();
    let created = client
        .checkout(&slug)
        .intent("Adhésion", Cents(2500))
        .back_url("https://shop.example.org/cart")
        .error_url("https://shop.example.org/error")
        .return_url("https://shop.example.org/thanks")
        .create()
        .await
        .unwrap();
    fake.pay_checkout_intent(created.id).unwrap();

    // The notification reached the receiver, which dies before committing.
    tokio::time::timeout(Duration::from_secs(5), dying.reached.notified())
        .await
        .expect("the first receiver never got the notification");
    server.abort();
    let _ = server.await;

    // The process comes back on the same address, with its durable store.
    let store = Arc::new(MemoryNotificationStore::new());
    let second = Receiver::builder(store.clone())
        .signature_key(KEY)
        .build()
        .unwrap();
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let app = second.router();
    tokio::spawn(async move { axum::serve(listener, app).await });

    // Order and Payment: each arrives through the fake's retry, once.
    let mut events = Box::pin(second.events());
    let mut kinds = Vec::new();
    for _ in 0..2 {
        let n = tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .expect("the retry never came")
            .unwrap()
            .unwrap();
        second.ack(&n.key).await.unwrap();
        kinds.push(n.event_type);
    }
    kinds.sort();
    assert_eq!(kinds, ["Order", "Payment"]);
    // Let any further retry arrive: nothing more is stored or yielded.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(store.all().len(), 2);
    let log = fake.webhook_log();
    assert!(
        log.iter().any(|e| e.attempts >= 2),
        "nothing was retried: {log:?}"
    );
    assert!(log.iter().all(|e| e.delivered == 1), "{log:?}");
    fake.shutdown().await;
}

/// The `data` of a notification body, as a JSON value.
fn data_of(body: &[u8]) -> Value {
    serde_json::from_slice::<Value>(body).unwrap()["data"].clone()
}

#[tokio::test]
async fn a_signed_body_is_stored_as_helloasso_sent_it() {
    let store = Arc::new(MemoryNotificationStore::new());
    let url = serve(&signed_receiver(Arc::clone(&store))).await;
    // A real 2020 payment (jymaire/hellos), pretty-printed as it was saved.
    let body = sample("09_Payment_event_2020__jymaire_hellos.json");
    let sig = sign(&body, KEY.as_bytes());
    assert_eq!(post(&url, &body, Some(sig)).await, (200, "stored".into()));
    let stored = store.all();
    assert_eq!(stored.len(), 1);
    // HelloAsso's date spellings, not chrono's (`…11.687881300Z`).
    assert_eq!(stored[0].data["date"], "2020-11-14T11:13:11.6878813+00:00");
    assert_eq!(
        stored[0].data["order"]["date"],
        "2020-11-14T11:13:08.2972161+00:00"
    );
    assert_eq!(stored[0].data, data_of(&body));
}

#[tokio::test]
async fn an_object_read_back_is_stored_as_the_api_sent_it() {
    use httpmock::prelude::*;
    // Real bodies: a 2020 payment (jymaire/hellos) and a sandbox order
    // (darkstack/helloasso); the API answers with their `data`.
    let payment = sample("09_Payment_event_2020__jymaire_hellos.json");
    let order = sample("40_sandbox_Order_event_donation__darkstack_helloasso.json");
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(200)
                .json_body(json!({"access_token": "a", "refresh_token": "r",
                "expires_in": 1800, "token_type": "bearer"}));
        })
        .await;
    for (path, body) in [
        ("/v5/payments/9307923", &payment),
        ("/v5/orders/7792", &order),
    ] {
        let data = data_of(body);
        server
            .mock_async(|when, then| {
                when.method(GET).path(path);
                then.status(200).json_body(data);
            })
            .await;
    }
    let client = Client::builder()
        .environment(Environment::custom(&server.base_url()).unwrap())
        .credentials("id", "secret")
        .user_agent("receiver-tests")
        .build()
        .unwrap();
    let store = Arc::new(MemoryNotificationStore::new());
    let receiver = Receiver::builder(store.clone())
        .confirmer(client)
        .build()
        .unwrap();
    let url = serve(&receiver).await;
    for body in [&payment, &order] {
        assert_eq!(post(&url, body, None).await, (200, "stored".into()));
    }
    let stored = store.all();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].data["date"], "2020-11-14T11:13:11.6878813+00:00");
    assert_eq!(stored[0].data, data_of(&payment));
    assert_eq!(stored[1].data["date"], "2023-09-11T23:11:31.7066918+02:00");
    assert_eq!(stored[1].data, data_of(&order));
}

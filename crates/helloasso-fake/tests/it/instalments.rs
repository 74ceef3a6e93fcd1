//! The later instalments of an order paid in instalments: each one taken
//! (`POST /_fake/orders/{id}/instalments/take`) is notified once, as a
//! `Payment` in the shape of the samples, and reads back as a payment.

use crate::common::{Fake, start};
use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use helloasso_fake::FakeConfig;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A receiver on loopback that answers 200 and keeps every body it gets.
async fn sink() -> (String, Arc<Mutex<Vec<Value>>>) {
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let s = seen.clone();
    let app = Router::new().route(
        "/hook",
        post(move |body: Bytes| {
            let s = s.clone();
            async move {
                let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                s.lock().unwrap().push(body);
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

/// An order paid in instalments, from the membership form's orders.
async fn instalment_order(f: &Fake) -> Value {
    f.walk_tokens(
        &f.org_url("/forms/Membership/adhesion-2025-2026/orders"),
        &[("pageSize", "100")],
    )
    .await
    .into_iter()
    .find(|o| o["payments"].as_array().is_some_and(|p| p.len() == 3))
    .expect("a membership paid in instalments")
}

/// Waits (bounded) until every notification sent so far got its answer.
async fn all_delivered(f: &Fake) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let log = f.server.webhook_log();
        if log.iter().all(|e| e.delivered == e.copies) {
            return;
        }
        assert!(Instant::now() < deadline, "{log:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn each_instalment_taken_is_notified_once_as_a_payment() {
    let (hook, seen) = sink().await;
    let f = start(FakeConfig::default().payments(1500).webhook(hook, None)).await;
    let order = instalment_order(&f).await;
    let order_id = order["id"].as_i64().unwrap();
    let first = &order["payments"][0];
    let amount = first["amount"].as_i64().unwrap();
    assert!(f.server.webhook_log().is_empty());

    let take = format!(
        "{}/_fake/orders/{order_id}/instalments/take",
        f.server.base_url()
    );
    for n in 2..=3_i64 {
        let listed = &order["payments"][n as usize - 1];
        assert_eq!(listed["state"], "Pending");
        let resp = f.http.post(&take).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let taken: Value = resp.json().await.unwrap();
        assert_eq!(taken["paymentId"], listed["id"]);
        assert_eq!(taken["installmentNumber"], n);
        all_delivered(&f).await;

        // Exactly one notification for this instalment, a Payment in the
        // shape of sample 03: this payment's id, amount, state and order;
        // the item's amount is the whole item, shareAmount this part.
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len() as i64, n - 1, "{seen:#?}");
        let body = seen.last().unwrap();
        assert_eq!(body["eventType"], "Payment");
        assert!(body.get("metadata").is_none(), "not a checkout: {body}");
        let data = &body["data"];
        assert_eq!(data["id"], listed["id"]);
        assert_eq!(data["amount"], amount);
        assert_eq!(data["state"], "Authorized");
        assert_eq!(data["installmentNumber"], n);
        assert_eq!(data["paymentMeans"], "Sepa");
        assert_eq!(data["date"], listed["date"]);
        assert_eq!(data["order"]["id"], order_id);
        assert_eq!(data["order"]["formType"], "Membership");
        assert_eq!(data["payer"]["email"], order["payer"]["email"]);
        assert_eq!(data["items"][0]["id"], order["items"][0]["id"]);
        assert_eq!(data["items"][0]["shareAmount"], amount);
        assert_eq!(data["items"][0]["amount"], amount * 3);

        // The order lists it as taken, and it reads back as a payment
        // (what a receiver without a key confirms it with).
        let (_, now) = f.get(&f.url(&format!("/orders/{order_id}")), &[]).await;
        assert_eq!(now["payments"][n as usize - 1]["state"], "Authorized");
        let id = data["id"].as_i64().unwrap();
        let (status, read) = f.get(&f.url(&format!("/payments/{id}")), &[]).await;
        assert_eq!(status, StatusCode::OK, "{read}");
        assert_eq!(&read, data);
    }
    // The first payment did not change; no instalment is left to take.
    let (_, now) = f.get(&f.url(&format!("/orders/{order_id}")), &[]).await;
    assert_eq!(now["payments"][0], *first);
    let resp = f.http.post(&take).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "OrderHasNoFutureInstalments");
    // Nothing else was notified (a late copy would show here).
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = f.server.webhook_log();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log.iter().all(|e| e.event_type == "Payment"));
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_canceled_order_has_no_instalment_to_take() {
    let (hook, _seen) = sink().await;
    let f = start(FakeConfig::default().payments(1500).webhook(hook, None)).await;
    let order_id = instalment_order(&f).await["id"].as_i64().unwrap();
    let (status, _) = f
        .post(&f.url(&format!("/orders/{order_id}/cancel")), &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    let taken = f.server.take_instalment(order_id);
    assert_eq!(taken.unwrap_err().status, 400);
    let unknown = f.server.take_instalment(1);
    assert_eq!(unknown.unwrap_err().status, 404);
    assert!(f.server.webhook_log().is_empty());
}

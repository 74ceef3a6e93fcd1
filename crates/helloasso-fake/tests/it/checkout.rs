//! Checkout intents: validation, creation, paying, the order, webhooks.

use crate::common::{assert_error, small};
use axum::Router;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::post;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

fn body() -> Value {
    json!({
        "totalAmount": 3000,
        "initialAmount": 1000,
        "itemName": "Adhésion 2026 en 3 fois",
        "backUrl": "https://example.org/back",
        "errorUrl": "https://example.org/error",
        "returnUrl": "https://example.org/return",
        "containsDonation": false,
        "terms": [
            {"amount": 1000, "date": "2026-12-01"},
            {"amount": 1000, "date": "2027-01-01"}
        ],
        "payer": {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.org"},
        "metadata": {"memberId": 42}
    })
}

async fn create(f: &crate::common::Fake, body: &Value) -> (StatusCode, Value) {
    let resp = f
        .authed_post(f.org_url("/checkout-intents"))
        .json(body)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn validation() {
    let f = small().await;
    let mut cases = Vec::new();
    let mut b = body();
    b["totalAmount"] = json!(2999);
    cases.push(b);
    let mut b = body();
    b["itemName"] = json!("x".repeat(251));
    cases.push(b);
    let mut b = body();
    b["metadata"] = json!({"big": "y".repeat(20_001)});
    cases.push(b);
    let mut b = body();
    b.as_object_mut().unwrap().remove("returnUrl");
    cases.push(b);
    let mut b = body();
    b.as_object_mut().unwrap().remove("containsDonation");
    cases.push(b);
    let mut b = body();
    b["backUrl"] = json!("not a url");
    cases.push(b);
    cases.push(json!("not an object"));
    for b in cases {
        let (status, resp) = create(&f, &b).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{b}");
        assert_error(&resp, "ArgumentInvalid");
    }
    let mut b = body();
    b["itemName"] = json!("é".repeat(250));
    let (status, _) = create(&f, &b).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "250 characters (not bytes) are fine"
    );
    let (status, _) = f
        .get(&f.url("/organizations/nobody/checkout-intents/1"), &[])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn webhook_sink() -> (String, Arc<Mutex<Vec<(HeaderMap, Bytes)>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let s = s.clone();
            async move {
                s.lock().unwrap().push((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

#[tokio::test]
async fn create_pay_get_with_webhooks() {
    let (hook, seen) = webhook_sink().await;
    let f = crate::common::start(
        helloasso_fake::FakeConfig::default()
            .payments(100)
            .webhook(hook, Some("whsec-key".to_owned())),
    )
    .await;
    let (status, created) = create(&f, &body()).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["id"].as_i64().unwrap();
    let redirect = created["redirectUrl"].as_str().unwrap();
    assert!(redirect.starts_with(&f.server.base_url()));

    let get_url = f.org_url(&format!("/checkout-intents/{id}"));
    let (status, intent) = f.get(&get_url, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(intent["id"], id);
    assert_eq!(intent["metadata"], json!({"memberId": 42}));
    assert!(intent.get("order").is_none(), "no order before payment");

    // Pay through the admin route.
    let resp = f
        .http
        .post(format!(
            "{}/_fake/checkout-intents/{id}/pay",
            f.server.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let paid: Value = resp.json().await.unwrap();
    let (_, intent) = f.get(&get_url, &[]).await;
    let order = &intent["order"];
    assert_eq!(order["id"], paid["orderId"]);
    assert_eq!(order["checkoutIntentId"], id);
    assert_eq!(order["formType"], "Checkout");
    assert_eq!(order["amount"]["total"], 1000);
    assert_eq!(order["payer"]["email"], "ada@example.org");
    assert_eq!(order["items"][0]["name"], "Adhésion 2026 en 3 fois");
    assert_eq!(order["payments"][0]["id"], paid["paymentId"]);
    assert_eq!(order["payments"][0]["state"], "Authorized");
    for key in ["formName", "isAnonymous", "isAmountHidden"] {
        assert!(!order[key].is_null(), "missing {key}");
    }
    // The payment is the newest of the organization, and can be fetched.
    let (_, page) = f.get(&f.org_url("/payments"), &[("pageSize", "1")]).await;
    assert_eq!(page["data"][0]["id"], paid["paymentId"]);
    let (status, p) = f
        .get(&f.url(&format!("/payments/{}", paid["paymentId"])), &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(p["payer"]["firstName"], "Ada");
    // Paying twice is refused.
    assert!(f.server.pay_checkout_intent(id).is_err());

    // Webhooks: Order then Payment, signed.
    for _ in 0..50 {
        if seen.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    let mut kinds = Vec::new();
    for (headers, raw) in &seen {
        let sig = headers["x-ha-signature"].to_str().unwrap();
        assert_eq!(sig, helloasso_fake::webhook_signature(b"whsec-key", raw));
        let v: Value = serde_json::from_slice(raw).unwrap();
        assert_eq!(v["metadata"], json!({"memberId": 42}));
        kinds.push(v["eventType"].as_str().unwrap().to_owned());
        if v["eventType"] == "Order" {
            assert_eq!(v["data"]["id"], paid["orderId"]);
        } else {
            assert_eq!(v["data"]["id"], paid["paymentId"]);
        }
    }
    kinds.sort();
    assert_eq!(kinds, ["Order", "Payment"]);
    let c = f.server.counters();
    assert_eq!(
        (
            c.checkout_intents_created,
            c.checkout_intents_paid,
            c.webhooks_sent
        ),
        (1, 1, 2)
    );
}

#[tokio::test]
async fn payment_page_redirects_like_helloasso() {
    let f = small().await;
    let (_, created) = create(&f, &body()).await;
    let id = created["id"].as_i64().unwrap();
    let page = f
        .http
        .get(created["redirectUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Pay"));
    let resp = f
        .http
        .post(created["redirectUrl"].as_str().unwrap())
        .form(&[("action", "pay")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("https://example.org/return?"));
    assert!(location.contains(&format!("checkoutIntentId={id}")));
    assert!(location.contains("code=succeeded"));
    let (_, intent) = f
        .get(&f.org_url(&format!("/checkout-intents/{id}")), &[])
        .await;
    assert!(intent["order"]["id"].is_i64());
    assert!(location.contains(&format!("orderId={}", intent["order"]["id"])));
}

#[tokio::test]
async fn refund_sends_a_payment_webhook() {
    let (hook, seen) = webhook_sink().await;
    let f = crate::common::start(
        helloasso_fake::FakeConfig::default()
            .payments(100)
            .webhook(hook, None),
    )
    .await;
    let id = f
        .server
        .payment_ids(Some(helloasso_fake::PaymentState::Authorized), 1)[0];
    let (status, _) = f.post(&f.url(&format!("/payments/{id}/refund")), &[]).await;
    assert_eq!(status, StatusCode::OK);
    for _ in 0..50 {
        if !seen.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].0.get("x-ha-signature").is_none(),
        "no key, no signature"
    );
    let v: Value = serde_json::from_slice(&seen[0].1).unwrap();
    assert_eq!(v["eventType"], "Payment");
    assert_eq!(v["data"]["state"], "Refunded");
}

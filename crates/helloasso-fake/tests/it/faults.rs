//! Fault injection, each kind, over real connections.

use crate::common::small;
use helloasso_fake::{FaultConfig, FaultScope, PaymentState};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

#[tokio::test]
async fn rate_limited_with_retry_after() {
    let f = small().await;
    f.server
        .set_faults(FaultConfig::none().rate_limited(1.0, 7));
    let resp = f.authed_get(f.org_url("/payments")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"], "7");
    assert_eq!(f.server.counters().faults.rate_limited, 1);
    // Admin routes are never faulted.
    let resp = f
        .http
        .get(format!("{}/_fake/counters", f.server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn server_errors_and_scope() {
    let f = small().await;
    f.server
        .set_faults(FaultConfig::none().server_errors(1.0, 502));
    let (status, _) = f.get(&f.org_url("/payments"), &[]).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    // The default scope (API GETs) spares POSTs and the token endpoint.
    let id = f.server.payment_ids(Some(PaymentState::Authorized), 1)[0];
    let (status, _) = f.post(&f.url(&format!("/payments/{id}/refund")), &[]).await;
    assert_eq!(status, StatusCode::OK);
    crate::common::client_credentials(&f.server, &f.http).await;
    // Scope All: the token endpoint fails too.
    f.server.set_faults(
        FaultConfig::none()
            .server_errors(1.0, 503)
            .scope(FaultScope::All),
    );
    let resp = f
        .http
        .post(format!("{}/oauth2/token", f.server.base_url()))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(f.server.counters().faults.server_error, 2);
}

#[tokio::test]
async fn connection_reset() {
    let f = small().await;
    f.server.set_faults(FaultConfig::none().resets(1.0));
    let err = f
        .authed_get(f.org_url("/payments"))
        .send()
        .await
        .unwrap_err();
    assert!(err.status().is_none(), "no HTTP answer at all: {err:?}");
    assert_eq!(f.server.counters().faults.connection_reset, 1);
    assert_eq!(
        f.server.counters().requests.list_organization_payments,
        0,
        "not executed"
    );
    f.server.set_faults(FaultConfig::none());
    let (status, _) = f.get(&f.org_url("/payments"), &[]).await;
    assert_eq!(status, StatusCode::OK, "the server survives");
}

#[tokio::test]
async fn truncated_body() {
    let f = small().await;
    f.server.set_faults(FaultConfig::none().truncations(1.0));
    let resp = f.authed_get(f.org_url("/payments")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let declared: usize = resp.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(declared > 100);
    assert!(resp.bytes().await.is_err(), "the body is cut short");
    assert_eq!(f.server.counters().faults.truncated_body, 1);
}

#[tokio::test]
async fn latency() {
    let f = small().await;
    f.server.set_faults(FaultConfig::none().latency(250));
    let t = Instant::now();
    let (status, _) = f.get(&f.org_url("/payments"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(250));
    assert_eq!(f.server.counters().faults.latency, 1);
}

#[tokio::test]
async fn execute_then_drop_refund() {
    let f = small().await;
    f.server
        .set_faults(FaultConfig::none().execute_then_drop(1.0));
    let id = f.server.payment_ids(Some(PaymentState::Authorized), 1)[0];
    let err = f
        .authed_post(f.url(&format!("/payments/{id}/refund")))
        .send()
        .await
        .unwrap_err();
    assert!(err.status().is_none(), "{err:?}");
    let c = f.server.counters();
    assert_eq!(c.refunds_executed, 1, "the refund happened");
    assert_eq!(c.faults.execute_then_drop, 1);
    assert_eq!(
        c.requests.refund_payment, 1,
        "sent once, not replayed by the client"
    );
    f.server.set_faults(FaultConfig::none());
    let (_, p) = f.get(&f.url(&format!("/payments/{id}")), &[]).await;
    assert_eq!(p["state"], "Refunded");
}

#[tokio::test]
async fn rates_are_seeded_and_partial() {
    let run = || async {
        let f = small().await;
        f.server
            .set_faults(FaultConfig::none().server_errors(0.5, 503));
        let mut pattern = Vec::new();
        for _ in 0..40 {
            let (status, _) = f.get(&f.org_url("/payments"), &[("pageSize", "1")]).await;
            pattern.push(status == StatusCode::SERVICE_UNAVAILABLE);
        }
        pattern
    };
    let a = run().await;
    let b = run().await;
    assert_eq!(a, b, "same seed, same faults");
    let failures = a.iter().filter(|&&x| x).count();
    assert!((5..=35).contains(&failures), "{failures} of 40");
}

#[tokio::test]
async fn faults_admin_route() {
    let f = small().await;
    let url = format!("{}/_fake/faults", f.server.base_url());
    let resp = f
        .http
        .put(&url)
        .json(&json!({"rate_limit_rate": 1.0, "retry_after_secs": 3, "scope": "api"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let cfg: Value = f.http.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(cfg["rate_limit_rate"], 1.0);
    assert_eq!(cfg["scope"], "api");
    assert_eq!(cfg["server_error_status"], 503, "defaults fill the rest");
    assert_eq!(f.server.faults().retry_after_secs, 3);
    let (status, _) = f.post(&f.url("/payments/1/refund"), &[]).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "scope api covers POSTs"
    );
    for bad in [
        json!({"reset_rate": 1.5}),
        json!({"server_error_status": 404}),
        json!("nope"),
    ] {
        let resp = f.http.put(&url).json(&bad).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    let counters: Value = f
        .http
        .get(format!("{}/_fake/counters", f.server.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counters["faults"]["rate_limited"], 1);
    assert_eq!(counters["tokens"]["client_credentials"], 1);
}

//! Helpers shared by the integration tests: every test talks real HTTP to a
//! server on loopback.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use helloasso_sdk::types;
use helloasso_sdk::{AsyncSleep, Client, ClientBuilder, Environment, Response, RetryPolicy};
use httpmock::Method::POST;
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

pub const CLIENT_ID: &str = "test-client-id";
pub const CLIENT_SECRET: &str = "CLIENT-SECRET-s3cr3t-value";

/// A token endpoint answer.
pub fn token_json(access: &str, refresh: &str, expires_in: i64) -> Value {
    json!({
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": expires_in,
    })
}

/// Answers every `POST /oauth2/token` with a 30-minute `access`/`refresh` pair.
pub async fn mock_token<'a>(server: &'a MockServer, access: &str, refresh: &str) -> Mock<'a> {
    let body = token_json(access, refresh, 1800);
    server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(200).json_body(body);
        })
        .await
}

/// An httpmock server that hands out the `access-1` token, and a client
/// aimed at it.
pub async fn server_and_client() -> (MockServer, Client) {
    let server = MockServer::start_async().await;
    mock_token(&server, "access-1", "refresh-1").await;
    let client = builder(&server.base_url()).build().unwrap();
    (server, client)
}

/// Serves `app` on a loopback port; returns its base URL.
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base_url
}

/// Records every wait instead of sleeping it (the waits are what the test
/// checks; no test depends on the wall clock).
#[derive(Debug, Default)]
pub struct RecordingSleep {
    pub waits: Mutex<Vec<Duration>>,
}

impl RecordingSleep {
    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap().clone()
    }
}

impl AsyncSleep for RecordingSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.waits.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

/// A builder aimed at `base_url`, with the test credentials and short,
/// jitter-free backoff.
pub fn builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .environment(Environment::custom(base_url).unwrap())
        .credentials(CLIENT_ID, CLIENT_SECRET)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(4)
                .with_initial_backoff(Duration::from_millis(10))
                .without_jitter(),
        )
}

/// `GET /v5/payments/{id}` through the facade.
pub async fn get_payment(
    client: &Client,
    id: i64,
) -> helloasso_sdk::Result<Response<types::PaymentDetail>> {
    client.execute(|raw| raw.get_payment().payment_id(id)).await
}

/// `POST /v5/payments/{id}/refund` through the facade (not idempotent).
pub async fn refund(
    client: &Client,
    id: i64,
) -> helloasso_sdk::Result<Response<types::RefundOperation>> {
    client
        .execute(|raw| raw.refund_payment().payment_id(id))
        .await
}

pub fn recording_sleep() -> Arc<RecordingSleep> {
    Arc::new(RecordingSleep::default())
}

/// A client aimed at `base_url` whose waits are recorded, not slept.
pub fn client_recording_sleep(base_url: &str) -> (Client, Arc<RecordingSleep>) {
    let sleep = recording_sleep();
    let client = builder(base_url).sleep_impl(sleep.clone()).build().unwrap();
    (client, sleep)
}

/// [`client_recording_sleep`] with this per-attempt timeout.
pub fn client_recording_sleep_with(
    base_url: &str,
    timeout: Duration,
) -> (Client, Arc<RecordingSleep>) {
    let sleep = recording_sleep();
    let client = builder(base_url)
        .timeout(timeout)
        .sleep_impl(sleep.clone())
        .build()
        .unwrap();
    (client, sleep)
}

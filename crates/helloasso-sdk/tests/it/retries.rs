//! Retries against real HTTP on loopback: reads are retried as the server
//! allows, writes are never re-sent after an ambiguous failure.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use helloasso_sdk::{Error, MemoryTokenStore, RetryPolicy, Token, TokenKey, TokenStore};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A sequence of canned answers for one path, served by a small axum app:
/// the n-th request gets the n-th answer (the last one repeats).
mod sequence {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::Router;
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    use axum::routing::{get, post};
    use serde_json::Value;

    #[derive(Clone)]
    pub struct Answer {
        pub status: u16,
        pub headers: Vec<(&'static str, &'static str)>,
        pub body: String,
    }

    impl Answer {
        pub fn new(status: u16, body: &str) -> Self {
            Self {
                status,
                headers: vec![],
                body: body.to_owned(),
            }
        }

        pub fn json(status: u16, body: Value) -> Self {
            Self::new(status, &body.to_string()).header("content-type", "application/json")
        }

        pub fn header(mut self, name: &'static str, value: &'static str) -> Self {
            self.headers.push((name, value));
            self
        }
    }

    pub struct Served {
        pub base_url: String,
        pub hits: Arc<AtomicUsize>,
    }

    /// Serves `answers` in order on `path` (GET and POST), and a token endpoint.
    pub async fn serve(path: &'static str, answers: Vec<Answer>) -> Served {
        let hits = Arc::new(AtomicUsize::new(0));
        let answers = Arc::new(answers);
        let handler = {
            let hits = hits.clone();
            move || {
                let hits = hits.clone();
                let answers = answers.clone();
                async move {
                    let n = hits.fetch_add(1, Ordering::SeqCst);
                    let answer = answers[n.min(answers.len() - 1)].clone();
                    let mut headers = HeaderMap::new();
                    for (name, value) in answer.headers {
                        headers.insert(name, value.parse().unwrap());
                    }
                    (
                        StatusCode::from_u16(answer.status).unwrap(),
                        headers,
                        answer.body,
                    )
                        .into_response()
                }
            }
        };
        let token =
            || async { axum::Json(super::token_json("access", "refresh", 1800)).into_response() };
        let app = Router::new()
            .route("/oauth2/token", post(token))
            .route(path, get(handler.clone()).post(handler));
        let base_url = super::serve(app).await;
        Served { base_url, hits }
    }
}

use sequence::Answer;

#[tokio::test]
async fn a_read_retries_503_and_429_then_succeeds_waiting_as_told() {
    let served = sequence::serve(
        "/v5/payments/1",
        vec![
            Answer::new(503, "<html><body>Service Unavailable</body></html>")
                .header("content-type", "text/html"),
            Answer::new(429, "").header("retry-after", "1"),
            Answer::json(200, json!({"id": 1})),
        ],
    )
    .await;
    let (client, sleep) = client_recording_sleep(&served.base_url);

    let payment = get_payment(&client, 1).await.unwrap().into_body();

    assert_eq!(payment.id, Some(1));
    assert_eq!(served.hits.load(Ordering::SeqCst), 3);
    // First the backoff (10 ms, no jitter in tests), then exactly what
    // Retry-After asked for.
    assert_eq!(
        sleep.waits(),
        vec![Duration::from_millis(10), Duration::from_secs(1)]
    );
}

#[tokio::test]
async fn a_read_really_waits_with_the_default_sleeper() {
    // The same 429 with the real timer: the call takes the second it was told
    // to wait (only completion is asserted, never a duration).
    let served = sequence::serve(
        "/v5/payments/1",
        vec![
            Answer::new(429, "").header("retry-after", "1"),
            Answer::json(200, json!({"id": 1})),
        ],
    )
    .await;
    let client = builder(&served.base_url).build().unwrap();
    get_payment(&client, 1).await.unwrap();
    assert_eq!(served.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn retries_stop_at_the_budget() {
    let served = sequence::serve("/v5/payments/1", vec![Answer::new(502, "bad gateway")]).await;
    let sleep = recording_sleep();
    let client = builder(&served.base_url)
        .sleep_impl(sleep.clone())
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(100))
                .with_max_backoff(Duration::from_millis(150))
                .without_jitter(),
        )
        .build()
        .unwrap();

    let err = get_payment(&client, 1).await.unwrap_err();

    assert!(
        matches!(err, Error::Api { status, .. } if status.as_u16() == 502),
        "{err:?}"
    );
    assert_eq!(served.hits.load(Ordering::SeqCst), 3);
    assert_eq!(
        sleep.waits(),
        vec![Duration::from_millis(100), Duration::from_millis(150)]
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_fails_fast_as_rate_limited() {
    let served = sequence::serve(
        "/v5/payments/1",
        vec![Answer::new(429, "").header("retry-after", "3600")],
    )
    .await;
    let (client, sleep) = client_recording_sleep(&served.base_url);

    let err = get_payment(&client, 1).await.unwrap_err();

    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(3600)),
        "{err:?}"
    );
    assert_eq!(served.hits.load(Ordering::SeqCst), 1);
    assert!(sleep.waits().is_empty());
}

#[tokio::test]
async fn per_request_policy_overrides_the_client() {
    let served = sequence::serve("/v5/payments/1", vec![Answer::new(503, "")]).await;
    let client = builder(&served.base_url).build().unwrap();
    let err = client
        .with_retry_policy(RetryPolicy::disabled())
        .execute(|raw| raw.get_payment().payment_id(1))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { .. }), "{err:?}");
    assert_eq!(served.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_refund_answered_500_or_503_is_not_resent() {
    for status in [500, 503] {
        let served = sequence::serve(
            "/v5/payments/1/refund",
            vec![Answer::json(status, json!({"message": "boom"}))],
        )
        .await;
        let (client, sleep) = client_recording_sleep(&served.base_url);

        let err = refund(&client, 1).await.unwrap_err();

        assert!(
            matches!(err, Error::Api { status: s, .. } if s.as_u16() == status),
            "{err:?}"
        );
        assert_eq!(served.hits.load(Ordering::SeqCst), 1, "{status}");
        assert!(sleep.waits().is_empty());
    }
}

#[tokio::test]
async fn a_refund_answered_429_is_resent() {
    // 429 proves HelloAsso did nothing: re-sending is safe.
    let served = sequence::serve(
        "/v5/payments/1/refund",
        vec![
            Answer::new(429, "").header("retry-after", "0"),
            Answer::json(200, json!({"id": 99, "amount": 100})),
        ],
    )
    .await;
    let client = builder(&served.base_url)
        .sleep_impl(recording_sleep())
        .build()
        .unwrap();
    refund(&client, 1).await.unwrap();
    assert_eq!(served.hits.load(Ordering::SeqCst), 2);
}

/// A server that answers the token endpoint, and cuts every other
/// connection right after reading the request: the request arrived, the
/// answer never does.
async fn cutting_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let cut = Arc::new(AtomicUsize::new(0));
    let counter = cut.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let counter = counter.clone();
            tokio::spawn(async move {
                // One request per connection is enough for this test.
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                    }
                }
                if buffer.starts_with(b"POST /oauth2/token") {
                    let body = token_json("access", "refresh", 1800).to_string();
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(response.as_bytes()).await;
                } else {
                    counter.fetch_add(1, Ordering::SeqCst);
                    // Dropping the socket closes it without an answer.
                }
            });
        }
    });
    (base_url, cut)
}

#[tokio::test]
async fn a_refund_cut_off_after_sending_is_not_resent() {
    let (base_url, cut) = cutting_server().await;
    let (client, sleep) = client_recording_sleep(&base_url);

    let err = refund(&client, 1).await.unwrap_err();

    assert!(
        matches!(
            err,
            Error::Transport {
                may_have_reached_server: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(cut.load(Ordering::SeqCst), 1);
    assert!(sleep.waits().is_empty());
    assert!(
        err.to_string().contains("may have reached HelloAsso"),
        "{err}"
    );
}

#[tokio::test]
async fn a_read_cut_off_after_sending_is_retried() {
    let (base_url, cut) = cutting_server().await;
    let client = builder(&base_url)
        .sleep_impl(recording_sleep())
        .build()
        .unwrap();

    let err = get_payment(&client, 1).await.unwrap_err();

    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    // The client's policy in these tests allows 4 attempts.
    assert_eq!(cut.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_refund_that_could_not_connect_is_resent() {
    // Nothing listens on this port (bound, then released): the connection is
    // refused, so HelloAsso provably never saw the refund.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    // A valid token in the store, so that no token request fails first.
    let store = Arc::new(MemoryTokenStore::new());
    let token = Token::new(
        "access".into(),
        None,
        chrono::Utc::now() + chrono::Duration::minutes(30),
    );
    store.save(&TokenKey::own(CLIENT_ID), &token).await.unwrap();
    let sleep = recording_sleep();
    let client = builder(&format!("http://127.0.0.1:{port}"))
        .sleep_impl(sleep.clone())
        .shared_token_store(store)
        .build()
        .unwrap();

    let err = refund(&client, 1).await.unwrap_err();

    assert!(
        matches!(
            err,
            Error::Transport {
                may_have_reached_server: false,
                ..
            }
        ),
        "{err:?}"
    );
    // Every attempt of the budget was made: 3 waits between 4 attempts.
    assert_eq!(sleep.waits().len(), 3);
}

/// What the generated requests say about themselves follows the spec's HTTP
/// method: reads may be replayed, writes (a refund, a checkout, a token
/// grant) never.
#[test]
fn generated_requests_are_replayable_only_when_they_read() {
    use helloasso_raw::Request;
    use helloasso_raw::builder::{
        CreateCheckoutIntent, GetPayment, ListOrganizationPayments, RefundPayment, Token,
    };
    fn facts<R: Request>() -> (&'static str, String, bool) {
        (R::OPERATION_ID, R::METHOD.to_string(), R::REPLAYABLE)
    }
    assert_eq!(facts::<GetPayment>(), ("get_payment", "GET".into(), true));
    assert_eq!(
        facts::<ListOrganizationPayments>(),
        ("list_organization_payments", "GET".into(), true)
    );
    assert_eq!(
        facts::<RefundPayment>(),
        ("refund_payment", "POST".into(), false)
    );
    assert_eq!(
        facts::<CreateCheckoutIntent>(),
        ("create_checkout_intent", "POST".into(), false)
    );
    assert_eq!(facts::<Token>(), ("token", "POST".into(), false));
}

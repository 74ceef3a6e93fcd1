//! No secret ever shows: TRACE-level logs of a whole token lifecycle, and
//! the `Debug` and `Display` of a configured client, a token and every error
//! variant, are searched for the client secret and every token issued.
//!
//! One test in this binary: it installs the global log subscriber.

#[path = "it/common.rs"]
mod common;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use common::*;
use helloasso_sdk::{
    Client, Environment, Error, ExposeSecret, FileTokenStore, RetryPolicy, TokenKey, TokenStore,
};
use serde_json::json;
use tokio::io::AsyncReadExt;

const SECRETS: [&str; 5] = [
    CLIENT_SECRET,
    "ACCESS-ONE-a1b2c3",
    "REFRESH-ONE-d4e5f6",
    "ACCESS-TWO-g7h8i9",
    "REFRESH-TWO-j0k1l2",
];

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A HelloAsso stand-in: tokens (the first pair rejected once), and one
/// path per error the test wants to see.
async fn server() -> String {
    let api_calls = Arc::new(AtomicUsize::new(0));
    let token = |body: String| async move {
        if body.contains("grant_type=client_credentials") {
            axum::Json(token_json(SECRETS[1], SECRETS[2], 1800)).into_response()
        } else if body.contains(&format!("refresh_token={}", SECRETS[2])) {
            axum::Json(token_json(SECRETS[3], SECRETS[4], 1800)).into_response()
        } else {
            (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": "invalid_grant"})),
            )
                .into_response()
        }
    };
    let payment = move |headers: HeaderMap| {
        let api_calls = api_calls.clone();
        async move {
            // The first token is refused once, so that a refresh happens too.
            let bearer = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            if bearer.contains(SECRETS[1]) && api_calls.fetch_add(1, Ordering::SeqCst) == 0 {
                return StatusCode::UNAUTHORIZED.into_response();
            }
            axum::Json(json!({"id": 1, "amount": 1000})).into_response()
        }
    };
    let canned = |status: u16, content_type: &'static str, body: &'static str| {
        move || async move {
            (
                StatusCode::from_u16(status).unwrap(),
                [("content-type", content_type)],
                body,
            )
                .into_response()
        }
    };
    let app = Router::new()
        .route("/oauth2/token", post(token))
        .route("/v5/payments/1", get(payment))
        .route(
            "/v5/payments/2",
            get(canned(
                404,
                "application/json",
                r#"{"errors":[{"code":"NotFound","message":"No such payment"}]}"#,
            )),
        )
        .route(
            "/v5/payments/3",
            get(canned(
                409,
                "application/json",
                r#"{"errors":[{"code":"AuthorizationErrors.MFA.AccessTokenRequired"}]}"#,
            )),
        )
        .route(
            "/v5/payments/4",
            get(canned(
                409,
                "application/json",
                r#"{"errors":[{"code":"AuthorizationErrors.UserNotEnrolled"}]}"#,
            )),
        )
        .route("/v5/payments/5", get(canned(429, "text/plain", "")))
        .route(
            "/v5/payments/6",
            get(canned(200, "application/json", r#"{"id": 6, "amou"#)),
        );
    serve(app).await
}

/// An OAuth server that refuses the credentials.
async fn refusing_server() -> String {
    let app = Router::new().route(
        "/oauth2/token",
        post(|| async {
            (
                StatusCode::BAD_REQUEST,
                axum::Json(
                    json!({"error": "invalid_client", "error_description": "Invalid client"}),
                ),
            )
        }),
    );
    serve(app).await
}

/// Accepts connections, reads, and hangs up without answering.
async fn hanging_up_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            let _ = socket.read(&mut buffer).await;
        }
    });
    base_url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_logs_debug_or_errors() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let base_url = server().await;
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("tokens.json");
    let client = builder(&base_url)
        .retry_policy(RetryPolicy::disabled())
        .token_store(FileTokenStore::new(&store_path))
        .user_agent("secrets-test/1.0")
        .build()
        .unwrap();
    let mut shown: Vec<String> = vec![format!("{:?}", builder(&base_url))];

    // A whole lifecycle: first token, a 401, a refresh, a replay.
    get_payment(&client, 1).await.unwrap();
    let token = client.token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), SECRETS[3]);
    shown.push(format!("{client:?}"));
    shown.push(format!("{token:?}"));
    shown.push(format!("{:?}", client.for_organization("asso")));
    let request = client
        .authorization_request("https://app.example.org/cb", None)
        .unwrap();
    shown.push(format!("{request:?}"));
    let verifier = request.verifier().secret().expose_secret().to_owned();

    // Every error variant, each from a real exchange where one exists.
    let mut errors: Vec<Error> = Vec::new();
    for id in 2..=6 {
        errors.push(get_payment(&client, id).await.unwrap_err());
    }
    let refusing = builder(&refusing_server().await).build().unwrap();
    errors.push(refusing.token().await.unwrap_err());
    let hanging = builder(&hanging_up_server().await)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    errors.push(hanging.token().await.unwrap_err());
    errors.push(
        Client::builder()
            .credentials("id", CLIENT_SECRET)
            .environment(Environment::Custom("http://example.org".parse().unwrap()))
            .build()
            .unwrap_err(),
    );
    let corrupt = dir.path().join("corrupt.json");
    std::fs::write(&corrupt, format!("{{\"tokens\": {}", SECRETS[1])).unwrap();
    errors.push(
        FileTokenStore::new(&corrupt)
            .load(&TokenKey::own("id"))
            .await
            .unwrap_err(),
    );
    let kinds: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            Error::OAuth { .. } => "OAuth",
            Error::Api { .. } => "Api",
            Error::MfaRequired { .. } => "MfaRequired",
            Error::UserNotEnrolled { .. } => "UserNotEnrolled",
            Error::RateLimited { .. } => "RateLimited",
            Error::Transport { .. } => "Transport",
            Error::Decode { .. } => "Decode",
            Error::InvalidRequest { .. } => "InvalidRequest",
            Error::TokenStore { .. } => "TokenStore",
            _ => "other",
        })
        .collect();
    let mut distinct = kinds.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 9, "every variant is exercised: {kinds:?}");
    for error in &errors {
        shown.push(format!("{error:?}"));
        shown.push(error.to_string());
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            shown.push(format!("{cause} {cause:?}"));
            source = cause.source();
        }
    }

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // The capture is real: spans and the HTTP stack's TRACE events are there.
    assert!(logs.contains("helloasso.request"), "no span in the logs");
    assert!(logs.contains("TRACE"), "no TRACE event captured");
    assert!(logs.contains("operation=\"get_payment\""), "{logs}");
    assert!(logs.contains("status=401"), "{logs}");

    let mut secrets: Vec<String> = SECRETS.iter().map(|s| s.to_string()).collect();
    secrets.push(verifier);
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "a secret is in the logs");
        for text in &shown {
            assert!(
                !text.contains(secret.as_str()),
                "a secret is in a Debug or Display output: {text}"
            );
        }
    }

    // The file store does hold the tokens (that is its job), owner-only.
    let saved = FileTokenStore::new(&store_path)
        .load(&TokenKey::own(CLIENT_ID))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.refresh_token().unwrap().expose_secret(), SECRETS[4]);
}

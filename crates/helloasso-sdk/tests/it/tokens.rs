//! Token lifecycle against a real HTTP server on loopback: single-flight,
//! rotation, fallback, and the 401 refresh-and-replay.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use common::*;
use helloasso_sdk::{Error, ExposeSecret, MemoryTokenStore, Token, TokenKey, TokenStore};
use httpmock::Mock;
use httpmock::prelude::*;
use serde_json::{Value, json};

const CONCURRENT_CALLS: usize = 1000;

async fn thousand_calls(client: &helloasso_sdk::Client) {
    let calls: Vec<_> = (0..CONCURRENT_CALLS)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { get_payment(&client, i as i64).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().expect("every call succeeds");
    }
}

/// `POST /oauth2/token` matched when its body includes every one of
/// `fragments`, answered 200 with `answer`.
async fn grant<'a>(server: &'a MockServer, fragments: &[&str], answer: Value) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            let when = when.method(POST).path("/oauth2/token");
            fragments
                .iter()
                .fold(when, |when, f| when.body_includes(*f));
            then.status(200).json_body(answer);
        })
        .await
}

/// Any `GET /v5/payments/{id}` carrying `access` as its bearer: 200.
async fn payments_accepting<'a>(server: &'a MockServer, access: &str) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path_prefix("/v5/payments/")
                .header("authorization", format!("Bearer {access}"));
            then.status(200).json_body(json!({"id": 1}));
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_calls_make_one_token_request() {
    let server = MockServer::start_async().await;
    // Slow enough that every caller arrives while the request is in flight.
    let token = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth2/token")
                .body_includes("grant_type=client_credentials");
            then.status(200)
                .delay(Duration::from_millis(300))
                .json_body(token_json("access-1", "refresh-1", 1800));
        })
        .await;
    let api = payments_accepting(&server, "access-1").await;
    let client = builder(&server.base_url()).build().unwrap();

    thousand_calls(&client).await;

    assert_eq!(token.calls_async().await, 1);
    assert_eq!(api.calls_async().await, CONCURRENT_CALLS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_calls_at_expiry_make_one_refresh() {
    let server = MockServer::start_async().await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth2/token")
                .body_includes("grant_type=refresh_token")
                .body_includes("refresh_token=stored-refresh");
            then.status(200)
                .delay(Duration::from_millis(300))
                .json_body(token_json("access-2", "refresh-2", 1800));
        })
        .await;
    let any_token = server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(500);
        })
        .await;
    let api = payments_accepting(&server, "access-2").await;
    // A pair saved by an earlier run, whose access token just expired.
    let store = Arc::new(MemoryTokenStore::new());
    let expired = Token::new(
        "stored-access".into(),
        Some("stored-refresh".into()),
        Utc::now() - chrono::Duration::seconds(1),
    );
    store
        .save(&TokenKey::own(CLIENT_ID), &expired)
        .await
        .unwrap();
    let client = builder(&server.base_url())
        .shared_token_store(store.clone())
        .build()
        .unwrap();

    thousand_calls(&client).await;

    assert_eq!(refresh.calls_async().await, 1);
    assert_eq!(any_token.calls_async().await, 0);
    assert_eq!(api.calls_async().await, CONCURRENT_CALLS);
    // The rotated pair replaced the expired one in the store.
    let saved = store
        .load(&TokenKey::own(CLIENT_ID))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved, client.token().await.unwrap());
}

#[tokio::test]
async fn each_refresh_uses_the_refresh_token_of_the_previous_one() {
    let server = MockServer::start_async().await;
    // Tokens that expire within the refresh skew: every start refreshes.
    let first = grant(
        &server,
        &["grant_type=client_credentials"],
        token_json("access-1", "refresh-1", 30),
    )
    .await;
    let second = grant(
        &server,
        &["grant_type=refresh_token", "refresh_token=refresh-1"],
        token_json("access-2", "refresh-2", 30),
    )
    .await;
    let third = grant(
        &server,
        &["grant_type=refresh_token", "refresh_token=refresh-2"],
        token_json("access-3", "refresh-3", 1800),
    )
    .await;
    // A short-lived token is used for half its life within one client, so
    // each use is a process start that reads the previous pair from the file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");

    let mut seen = Vec::new();
    for _ in 0..4 {
        let client = builder(&server.base_url())
            .token_store(helloasso_sdk::FileTokenStore::new(&path))
            .build()
            .unwrap();
        seen.push(
            client
                .token()
                .await
                .unwrap()
                .access_token()
                .expose_secret()
                .to_owned(),
        );
    }

    assert_eq!(seen, ["access-1", "access-2", "access-3", "access-3"]);
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(second.calls_async().await, 1);
    assert_eq!(third.calls_async().await, 1);
}

#[tokio::test]
async fn a_refused_refresh_falls_back_to_client_credentials() {
    let server = MockServer::start_async().await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth2/token")
                .body_includes("grant_type=refresh_token")
                .body_includes("refresh_token=revoked-refresh");
            then.status(400).json_body(json!({
                "error": "invalid_grant",
                "error_description": "Refresh token expired"
            }));
        })
        .await;
    let credentials = grant(
        &server,
        &[
            "grant_type=client_credentials",
            &format!("client_id={CLIENT_ID}"),
        ],
        token_json("fresh-access", "fresh-refresh", 1800),
    )
    .await;
    let store = Arc::new(MemoryTokenStore::new());
    let stale = Token::new(
        "old-access".into(),
        Some("revoked-refresh".into()),
        Utc::now() - chrono::Duration::minutes(5),
    );
    store.save(&TokenKey::own(CLIENT_ID), &stale).await.unwrap();
    let client = builder(&server.base_url())
        .shared_token_store(store.clone())
        .build()
        .unwrap();

    let token = client.token().await.unwrap();

    assert_eq!(token.access_token().expose_secret(), "fresh-access");
    assert_eq!(refresh.calls_async().await, 1);
    assert_eq!(credentials.calls_async().await, 1);
}

#[tokio::test]
async fn an_organization_token_does_not_fall_back_to_client_credentials() {
    let server = MockServer::start_async().await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth2/token")
                .body_includes("grant_type=refresh_token");
            then.status(400)
                .json_body(json!({"error": "invalid_grant"}));
        })
        .await;
    let credentials = grant(
        &server,
        &["grant_type=client_credentials"],
        token_json("partner-own", "r", 1800),
    )
    .await;
    let store = Arc::new(MemoryTokenStore::new());
    let stale = Token::new(
        "org-access".into(),
        Some("org-refresh".into()),
        Utc::now() - chrono::Duration::minutes(5),
    )
    .with_organization_slug("asso");
    store
        .save(&TokenKey::organization(CLIENT_ID, "asso"), &stale)
        .await
        .unwrap();
    let client = builder(&server.base_url())
        .shared_token_store(store)
        .build()
        .unwrap();

    let err = client.for_organization("asso").token().await.unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
    assert!(err.to_string().contains("authorize again"), "{err}");
    assert_eq!(refresh.calls_async().await, 1);
    assert_eq!(credentials.calls_async().await, 0);

    // An organization that never authorized the client: a clear error, no request.
    let err = client.for_organization("other").token().await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(err.to_string().contains("exchange_code"), "{err}");
}

#[tokio::test]
async fn a_401_refreshes_once_and_replays_once() {
    let server = MockServer::start_async().await;
    let initial = grant(
        &server,
        &["grant_type=client_credentials"],
        token_json("revoked-access", "refresh-1", 1800),
    )
    .await;
    let refresh = grant(
        &server,
        &["grant_type=refresh_token", "refresh_token=refresh-1"],
        token_json("good-access", "refresh-2", 1800),
    )
    .await;
    let rejected = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/payments/7")
                .header("authorization", "Bearer revoked-access");
            then.status(401);
        })
        .await;
    let accepted = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/payments/7")
                .header("authorization", "Bearer good-access");
            then.status(200).json_body(json!({"id": 7}));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();

    let payment = get_payment(&client, 7).await.unwrap().into_body();

    assert_eq!(payment.id, Some(7));
    assert_eq!(initial.calls_async().await, 1);
    assert_eq!(rejected.calls_async().await, 1);
    assert_eq!(refresh.calls_async().await, 1);
    assert_eq!(accepted.calls_async().await, 1);
}

#[tokio::test]
async fn a_401_that_persists_is_not_a_loop() {
    let server = MockServer::start_async().await;
    let tokens = server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(200)
                .json_body(token_json("any-access", "any-refresh", 1800));
        })
        .await;
    let api = server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/payments/7");
            then.status(401)
                .json_body(json!({"message": "Authorization has been denied"}));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();

    let err = get_payment(&client, 7).await.unwrap_err();

    assert!(
        matches!(err, Error::Api { status, .. } if status.as_u16() == 401),
        "{err:?}"
    );
    // The first call, one refresh, one replay: then the error.
    assert_eq!(api.calls_async().await, 2);
    assert_eq!(tokens.calls_async().await, 2);
}

#[tokio::test]
async fn code_exchange_stores_the_organization_token_and_disconnect_forgets_it() {
    let server = MockServer::start_async().await;
    let client = builder(&server.base_url()).build().unwrap();
    let request = client
        .authorization_request("http://127.0.0.1:9/callback", Some("st".into()))
        .unwrap();
    assert!(
        request
            .url()
            .as_str()
            .starts_with(&format!("{}/authorize?", server.base_url()))
    );

    let verifier = request.verifier().secret().expose_secret().to_owned();

    let exchange = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth2/token")
                .body_includes("grant_type=authorization_code")
                .body_includes("code=the-code")
                .body_includes(format!("code_verifier={verifier}"))
                .body_includes("redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback");
            then.status(200).json_body(json!({
                "access_token": "org-access",
                "refresh_token": "org-refresh",
                "token_type": "bearer",
                "expires_in": 1800,
                "organization_slug": "my-asso"
            }));
        })
        .await;
    let disconnect = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/oauth2/disconnect")
                .header("authorization", "Bearer org-access");
            then.status(200)
                .header("content-type", "application/json")
                .body("null");
        })
        .await;

    let token = client
        .exchange_code(
            "the-code",
            "http://127.0.0.1:9/callback",
            request.verifier(),
        )
        .await
        .unwrap();
    assert_eq!(token.organization_slug(), Some("my-asso"));
    let org = client.for_organization("my-asso");
    assert_eq!(org.token().await.unwrap(), token);

    org.disconnect().await.unwrap();
    assert_eq!(exchange.calls_async().await, 1);
    assert_eq!(disconnect.calls_async().await, 1);
    // Forgotten: the next use asks for a new authorization.
    assert!(matches!(
        org.token().await.unwrap_err(),
        Error::InvalidRequest { .. }
    ));
    // Disconnecting the client's own token makes no sense.
    assert!(matches!(
        client.disconnect().await.unwrap_err(),
        Error::InvalidRequest { .. }
    ));
}

#[tokio::test]
async fn a_restarted_process_refreshes_with_the_rotated_token_from_the_file() {
    let server = MockServer::start_async().await;
    // Every token expires within the refresh skew, so each start refreshes.
    let credentials = grant(
        &server,
        &["grant_type=client_credentials"],
        token_json("access-1", "refresh-1", 30),
    )
    .await;
    let first_refresh = grant(
        &server,
        &["refresh_token=refresh-1"],
        token_json("access-2", "refresh-2", 30),
    )
    .await;
    let second_refresh = grant(
        &server,
        &["refresh_token=refresh-2"],
        token_json("access-3", "refresh-3", 1800),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");

    let first_process = builder(&server.base_url())
        .token_store(helloasso_sdk::FileTokenStore::new(&path))
        .build()
        .unwrap();
    first_process.token().await.unwrap();
    drop(first_process);
    // A short-lived token is used for half its life within one process: the
    // refresh to the second pair happens at the next start.
    let restarted = builder(&server.base_url())
        .token_store(helloasso_sdk::FileTokenStore::new(&path))
        .build()
        .unwrap();
    restarted.token().await.unwrap();
    drop(restarted);

    let second_process = builder(&server.base_url())
        .token_store(helloasso_sdk::FileTokenStore::new(&path))
        .build()
        .unwrap();
    let token = second_process.token().await.unwrap();

    assert_eq!(token.access_token().expose_secret(), "access-3");
    assert_eq!(credentials.calls_async().await, 1);
    assert_eq!(first_refresh.calls_async().await, 1);
    assert_eq!(second_refresh.calls_async().await, 1);
}

/// A token store that panics on its first `times` loads, then keeps
/// nothing, counting every load.
#[derive(Debug)]
struct PanickingStore {
    panics_left: std::sync::atomic::AtomicUsize,
    loads: std::sync::atomic::AtomicUsize,
}

impl PanickingStore {
    fn new(times: usize) -> Self {
        Self {
            panics_left: times.into(),
            loads: 0.into(),
        }
    }

    fn loads(&self) -> usize {
        self.loads.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl TokenStore for PanickingStore {
    fn load<'a>(
        &'a self,
        _key: &'a TokenKey,
    ) -> futures::future::BoxFuture<'a, helloasso_sdk::Result<Option<Token>>> {
        use std::sync::atomic::Ordering;
        self.loads.fetch_add(1, Ordering::SeqCst);
        let panic_now = self
            .panics_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        Box::pin(async move {
            assert!(!panic_now, "the token store failed badly");
            Ok(None)
        })
    }

    fn save<'a>(
        &'a self,
        _key: &'a TokenKey,
        _token: &'a Token,
    ) -> futures::future::BoxFuture<'a, helloasso_sdk::Result<()>> {
        Box::pin(async { Ok(()) })
    }

    fn remove<'a>(
        &'a self,
        _key: &'a TokenKey,
    ) -> futures::future::BoxFuture<'a, helloasso_sdk::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test]
async fn a_token_store_that_panics_does_not_poison_the_token_forever() {
    let server = MockServer::start_async().await;
    let token = mock_token(&server, "access-1", "refresh-1").await;
    let payments = payments_accepting(&server, "access-1").await;

    // Panics once: the interrupted refresh is replaced at once.
    let store = Arc::new(PanickingStore::new(1));
    let client = builder(&server.base_url())
        .shared_token_store(store.clone())
        .build()
        .unwrap();
    get_payment(&client, 1).await.unwrap();
    assert_eq!(store.loads(), 2);
    payments.assert_calls_async(1).await;

    // Panics on every load: each call fails, and each call tries again
    // instead of answering from the dead refresh.
    let store = Arc::new(PanickingStore::new(usize::MAX));
    let client = builder(&server.base_url())
        .shared_token_store(store.clone())
        .build()
        .unwrap();
    for call in 1..=3 {
        let error = client.token().await.unwrap_err();
        // Reported as the panic it was, not as a network failure.
        assert!(
            matches!(&error, Error::TaskFailed { panicked: true, .. }),
            "{error:?}"
        );
        assert_eq!(error.to_string(), "the task fetching a token panicked");
        assert_eq!(store.loads(), 2 * call, "call {call} tried again");
    }
    token.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_code_exchange_during_a_refresh_is_not_overwritten_by_it() {
    let server = MockServer::start_async().await;
    // The organization's stored pair is stale: its first use refreshes it,
    // slowly.
    let slow_refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth2/token")
                .body_includes("refresh_token=old-refresh");
            then.status(200)
                .delay(Duration::from_millis(600))
                .json_body(token_json("stale-access", "stale-refresh", 1800));
        })
        .await;
    let exchange = grant(
        &server,
        &["grant_type=authorization_code"],
        json!({
            "access_token": "new-access",
            "refresh_token": "new-refresh",
            "token_type": "bearer",
            "expires_in": 1800,
            "organization_slug": "my-asso"
        }),
    )
    .await;
    let store = Arc::new(MemoryTokenStore::new());
    let key = TokenKey::organization(CLIENT_ID, "my-asso");
    store
        .save(
            &key,
            &Token::new(
                "old-access".into(),
                Some("old-refresh".into()),
                Utc::now() + chrono::Duration::seconds(5),
            )
            .with_organization_slug("my-asso"),
        )
        .await
        .unwrap();
    let client = builder(&server.base_url())
        .shared_token_store(store.clone())
        .build()
        .unwrap();
    let org = client.for_organization("my-asso");

    let refreshing = tokio::spawn({
        let org = org.clone();
        async move { org.token().await }
    });
    // While the refresh waits for its answer, the organization authorizes
    // the client again.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let verifier = client
        .authorization_request("http://127.0.0.1:9/cb", None)
        .unwrap()
        .into_parts()
        .1;
    client
        .exchange_code("code", "http://127.0.0.1:9/cb", &verifier)
        .await
        .unwrap();

    // The caller that waited on the refresh gets the newer pair...
    let waited = refreshing.await.unwrap().unwrap();
    assert_eq!(waited.access_token().expose_secret(), "new-access");
    slow_refresh.assert_calls_async(1).await;
    exchange.assert_calls_async(1).await;
    // ...and so does everyone after, from the cache and from the store.
    let current = org.token().await.unwrap();
    assert_eq!(current.access_token().expose_secret(), "new-access");
    let saved = store.load(&key).await.unwrap().unwrap();
    assert_eq!(
        saved.refresh_token().unwrap().expose_secret(),
        "new-refresh"
    );
}

#[tokio::test]
async fn a_rotated_refresh_token_survives_a_caller_cancelled_mid_refresh() {
    let server = MockServer::start_async().await;
    // The first token expires within the skew: the next use refreshes it.
    let credentials = grant(
        &server,
        &["grant_type=client_credentials"],
        token_json("access-1", "refresh-1", 30),
    )
    .await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth2/token")
                .body_includes("refresh_token=refresh-1");
            then.status(200)
                .delay(Duration::from_millis(400))
                .json_body(token_json("access-2", "refresh-2", 1800));
        })
        .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    let first = builder(&server.base_url())
        .token_store(helloasso_sdk::FileTokenStore::new(&path))
        .build()
        .unwrap();
    first.token().await.unwrap();
    drop(first);
    // A new process loads the saved pair: a token loaded within the refresh
    // margin is refreshed on its first use.
    let client = builder(&server.base_url())
        .token_store(helloasso_sdk::FileTokenStore::new(&path))
        .build()
        .unwrap();

    // The caller gives up while HelloAsso is rotating the refresh token.
    let gave_up = tokio::time::timeout(Duration::from_millis(50), client.token()).await;
    assert!(gave_up.is_err(), "the caller was cancelled mid-refresh");

    // The refresh finished anyway: the rotated pair is used and saved.
    let token = client.token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), "access-2");
    refresh.assert_calls_async(1).await;
    credentials.assert_calls_async(1).await;
    let saved = helloasso_sdk::FileTokenStore::new(&path)
        .load(&TokenKey::own(CLIENT_ID))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.refresh_token().unwrap().expose_secret(), "refresh-2");
}

#[tokio::test]
async fn a_token_request_is_not_redirected() {
    let elsewhere = MockServer::start_async().await;
    let stolen = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200)
                .json_body(token_json("evil-access", "evil-refresh", 1800));
        })
        .await;
    let server = MockServer::start_async().await;
    let target = elsewhere.url("/oauth2/token");
    server
        .mock_async(move |when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(307).header("location", target.as_str());
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let error = client.token().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(307), "{error:?}");
    stolen.assert_calls_async(0).await;
}

/// A clock the test moves by hand.
#[derive(Debug)]
struct ManualClock(std::sync::Mutex<chrono::DateTime<Utc>>);

impl helloasso_sdk::Clock for ManualClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

impl ManualClock {
    fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap() += by;
    }
}

/// Freshness follows the client's clock, so expiry is tested without
/// waiting: a 30-minute token is used as is 28 minutes in, and refreshed
/// (refresh grant, one request) once it is within the 60-second margin.
#[tokio::test]
async fn a_token_is_refreshed_when_the_clock_says_it_is_due() {
    let server = MockServer::start_async().await;
    let first = grant(
        &server,
        &["grant_type=client_credentials"],
        token_json("access-1", "refresh-1", 1800),
    )
    .await;
    let refresh = grant(
        &server,
        &["grant_type=refresh_token", "refresh_token=refresh-1"],
        token_json("access-2", "refresh-2", 1800),
    )
    .await;
    let old = payments_accepting(&server, "access-1").await;
    let new = payments_accepting(&server, "access-2").await;
    let clock = Arc::new(ManualClock(std::sync::Mutex::new(Utc::now())));
    let client = builder(&server.base_url())
        .clock(clock.clone())
        .build()
        .unwrap();

    get_payment(&client, 1).await.unwrap();
    clock.advance(chrono::Duration::minutes(28));
    get_payment(&client, 1).await.unwrap();
    assert_eq!(
        client.token().await.unwrap().access_token().expose_secret(),
        "access-1"
    );
    first.assert_calls_async(1).await;
    refresh.assert_calls_async(0).await;

    clock.advance(chrono::Duration::seconds(61));
    get_payment(&client, 1).await.unwrap();
    refresh.assert_calls_async(1).await;
    old.assert_calls_async(2).await;
    new.assert_calls_async(1).await;
    // The new token's expiry is counted from the clock's now, not the system's.
    let token = client.token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), "access-2");
    assert!(token.expires_at() > Utc::now() + chrono::Duration::minutes(55));
}

/// A symbolic link planted where the token file's lock goes is never
/// followed: the store refuses it instead of creating or opening the file
/// the link names.
#[cfg(unix)]
#[tokio::test]
async fn the_lock_file_is_never_opened_through_a_symbolic_link() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    let victim = dir.path().join("victim");
    std::os::unix::fs::symlink(&victim, dir.path().join(".tokens.json.lock")).unwrap();
    let store = helloasso_sdk::FileTokenStore::new(&path);
    let token = Token::new(
        "access".into(),
        Some("refresh".into()),
        "2030-01-01T00:00:00Z".parse().unwrap(),
    );
    let err = store
        .save(&TokenKey::own("id"), &token)
        .await
        .expect_err("a linked lock file is refused");
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert!(!victim.exists(), "the link was followed");
    assert!(!path.exists(), "saved without the lock");
}

mod answers {
    //! Token answers as HelloAsso writes them, and as it might: `expires_in` as
    //! a number or a numeric string, absurd or null lifetimes, over real HTTP.

    use crate::common;

    use common::*;
    use helloasso_sdk::ExposeSecret;
    use httpmock::prelude::*;
    use serde_json::{Value, json};

    async fn token_answering<'a>(server: &'a MockServer, body: Value) -> httpmock::Mock<'a> {
        server
            .mock_async(|when, then| {
                when.method(POST).path("/oauth2/token");
                then.status(200).json_body(body);
            })
            .await
    }

    fn seconds_left(token: &helloasso_sdk::Token) -> i64 {
        (token.expires_at() - chrono::Utc::now()).num_seconds()
    }

    #[tokio::test]
    async fn the_real_refresh_answer_gives_a_token_used_as_bearer() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/data/samples/oauth/60_REAL_token_refresh_grant_response__permacat_v2.json"
        );
        let body: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let access = body["access_token"].as_str().unwrap().to_owned();
        let server = MockServer::start_async().await;
        token_answering(&server, body).await;
        let payment = server
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/v5/payments/1")
                    .header("authorization", format!("Bearer {access}"));
                then.status(200).json_body(json!({ "id": 1 }));
            })
            .await;
        let client = builder(&server.base_url()).build().unwrap();

        let token = client.token().await.unwrap();
        assert_eq!(token.access_token().expose_secret(), access);
        assert!((1790..=1799).contains(&seconds_left(&token)), "{token:?}");
        assert_eq!(
            token.refresh_token().map(|r| r.expose_secret().len()),
            Some(411)
        );
        get_payment(&client, 1).await.unwrap();
        payment.assert_async().await;
    }

    #[tokio::test]
    async fn any_expires_in_gives_a_sane_token() {
        for (expires_in, low, high) in [
            (json!(1799), 1790, 1799),
            (json!("1800"), 1790, 1800),
            (json!(0), 50, 60),
            (json!(-30), 50, 60),
            (json!(1e15), 86_390, 86_400),
            (json!(null), 1790, 1800),
            (json!("half an hour"), 1790, 1800),
        ] {
            let server = MockServer::start_async().await;
            token_answering(
                &server,
                json!({ "access_token": "a", "token_type": "bearer", "expires_in": expires_in }),
            )
            .await;
            let client = builder(&server.base_url()).build().unwrap();
            let token = client.token().await.unwrap();
            let left = seconds_left(&token);
            assert!((low..=high).contains(&left), "{expires_in}: {left} s");
        }
    }

    #[tokio::test]
    async fn a_lifetime_shorter_than_the_refresh_margin_does_not_refresh_every_call() {
        let server = MockServer::start_async().await;
        // 20 s, under the client's 60 s margin.
        let token = token_answering(
            &server,
            json!({ "access_token": "short", "refresh_token": "r", "expires_in": 20 }),
        )
        .await;
        let payments = server
            .mock_async(|when, then| {
                when.method(GET)
                    .path_prefix("/v5/payments/")
                    .header("authorization", "Bearer short");
                then.status(200).json_body(json!({ "id": 1 }));
            })
            .await;
        let client = builder(&server.base_url()).build().unwrap();

        for id in 1..=5 {
            get_payment(&client, id).await.unwrap();
        }

        assert_eq!(token.calls_async().await, 1);
        assert_eq!(payments.calls_async().await, 5);
    }
}

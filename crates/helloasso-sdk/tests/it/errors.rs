//! Bad answers from the server become the matching typed error.

use crate::common;

use common::*;
use helloasso_sdk::{Cents, Error, MfaProof, RetryPolicy};
use httpmock::prelude::*;
use serde_json::json;

async fn server_with_token() -> MockServer {
    let server = MockServer::start_async().await;
    mock_token(&server, "access", "refresh").await;
    server
}

/// A client that does not retry, so that each test sees the first answer.
fn client(server: &MockServer) -> helloasso_sdk::Client {
    builder(&server.base_url())
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap()
}

async fn answer_payment(server: &MockServer, status: u16, content_type: &str, body: &str) {
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/payments/1");
            then.status(status)
                .header("content-type", content_type)
                .body(body);
        })
        .await;
}

#[tokio::test]
async fn oauth_400_invalid_client() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(400).json_body(json!({
                "error": "invalid_client",
                "error_description": "Invalid client"
            }));
        })
        .await;
    let client = client(&server);

    let err = get_payment(&client, 1).await.unwrap_err();

    match &err {
        Error::OAuth {
            status,
            error,
            description,
            ..
        } => {
            assert_eq!(status.map(|s| s.as_u16()), Some(400));
            assert_eq!(error, "invalid_client");
            assert_eq!(description.as_deref(), Some("Invalid client"));
        }
        other => panic!("expected OAuth, got {other:?}"),
    }
    assert!(
        err.to_string().contains("check the client id and secret"),
        "{err}"
    );
    // Wrong credentials are not retried.
    assert_eq!(token.calls_async().await, 1);
}

#[tokio::test]
async fn oauth_sample_unauthorized_client() {
    // shared/samples/oauth/31_token_error_400_SHAPE_ONLY_mock__helloasso-mcp.json
    let sample = r#"{"error": "unauthorized_client", "error_description": "Invalid client"}"#;
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(400)
                .header("content-type", "application/json")
                .body(sample);
        })
        .await;
    let err = client(&server).token().await.unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "unauthorized_client"),
        "{err:?}"
    );
}

#[tokio::test]
async fn html_502_page_is_an_api_error_with_an_excerpt() {
    let server = server_with_token().await;
    answer_payment(
        &server,
        502,
        "text/html",
        "<html>\n<head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center></body>\n</html>",
    )
    .await;

    let err = get_payment(&client(&server), 1).await.unwrap_err();

    match &err {
        Error::Api {
            status,
            code,
            excerpt,
            ..
        } => {
            assert_eq!(status.as_u16(), 502);
            assert_eq!(code, &None);
            let excerpt = excerpt.as_deref().unwrap();
            assert!(
                excerpt.starts_with("<html> <head><title>502 Bad Gateway"),
                "{excerpt}"
            );
        }
        other => panic!("expected Api, got {other:?}"),
    }
    assert!(err.to_string().contains("try again later"), "{err}");
}

#[tokio::test]
async fn empty_500_is_an_api_error() {
    let server = server_with_token().await;
    answer_payment(&server, 500, "text/plain", "").await;
    let err = get_payment(&client(&server), 1).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status, excerpt: Some(e), .. } if status.as_u16() == 500 && e == "(empty body)"),
        "{err:?}"
    );
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_with_its_path() {
    let server = server_with_token().await;
    answer_payment(
        &server,
        200,
        "application/json; charset=utf-8",
        r#"{"id": 1, "amount": 1000, "payer": {"email": "payer@example.org", "firstName": "Pre"#,
    )
    .await;

    let err = get_payment(&client(&server), 1).await.unwrap_err();

    match &err {
        Error::Decode {
            status,
            path,
            excerpt,
            ..
        } => {
            assert_eq!(status.map(|s| s.as_u16()), Some(200));
            assert_eq!(path.as_deref(), Some("payer.firstName"));
            // A payment body holds a payer's record: none of it is shown.
            assert!(!excerpt.contains("payer@example.org"), "{excerpt}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("payer@example.org"), "{shown}");
    assert!(!shown.contains("Pre"), "{shown}");
}

#[tokio::test]
async fn a_mistyped_nested_field_names_its_path_and_shows_no_payer_data() {
    let server = server_with_token().await;
    answer_payment(
        &server,
        200,
        "application/json",
        r#"{"id": 1, "payer": {"firstName": "Jeanne", "email": "jeanne@example.org"}, "items": [{"id": 1}, {"id": 2, "amount": "Jeanne Martin"}]}"#,
    )
    .await;
    let err = get_payment(&client(&server), 1).await.unwrap_err();
    match &err {
        Error::Decode { path, message, .. } => {
            assert_eq!(path.as_deref(), Some("items[1].amount"));
            assert!(message.contains("expected i64"), "{message}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    let shown = format!("{err} {err:?}");
    for personal in ["Jeanne", "jeanne@example.org", "Martin"] {
        assert!(!shown.contains(personal), "{personal} in {shown}");
    }
}

#[tokio::test]
async fn error_bodies_in_every_shape_and_none() {
    let server = server_with_token().await;
    let cases: [(i64, u16, &str, &str); 7] = [
        (
            11,
            400,
            "application/json",
            r#"{"message": "The request is invalid.", "modelState": {"amount": ["Must be positive"]}}"#,
        ),
        (
            12,
            404,
            "application/json",
            r#"{"errors": [{"code": "NotFound", "message": "No such payment"}]}"#,
        ),
        (
            13,
            401,
            "application/json",
            r#"{"error": "invalid_token", "error_description": "The token expired"}"#,
        ),
        (14, 404, "application/json", ""),
        (15, 403, "text/plain", ""),
        (
            16,
            400,
            "application/problem+json",
            r#"{"title": "Validation failed", "errors": {"amount": ["Must be positive"]}}"#,
        ),
        (
            17,
            400,
            "application/json",
            r#"{"code": "ArgumentInvalid", "message": "pageSize is above 100"}"#,
        ),
    ];
    for (id, status, content_type, body) in cases {
        server
            .mock_async(|when, then| {
                when.method(GET).path(format!("/v5/payments/{id}"));
                then.status(status)
                    .header("content-type", content_type)
                    .body(body);
            })
            .await;
    }
    let client = client(&server);

    match get_payment(&client, 11).await.unwrap_err() {
        Error::Api {
            status,
            message,
            model_state,
            ..
        } => {
            assert_eq!(status.as_u16(), 400);
            assert_eq!(message.as_deref(), Some("The request is invalid."));
            assert_eq!(model_state["amount"], ["Must be positive"]);
        }
        other => panic!("{other:?}"),
    }
    match get_payment(&client, 12).await.unwrap_err() {
        Error::Api { code, message, .. } => {
            assert_eq!(code.as_deref(), Some("NotFound"));
            assert_eq!(message.as_deref(), Some("No such payment"));
        }
        other => panic!("{other:?}"),
    }
    // The OAuth shape on an API call (a 401 after the one refresh and replay).
    match get_payment(&client, 13).await.unwrap_err() {
        Error::OAuth {
            status,
            error,
            description,
            ..
        } => {
            assert_eq!(status.map(|s| s.as_u16()), Some(401));
            assert_eq!(error, "invalid_token");
            assert_eq!(description.as_deref(), Some("The token expired"));
        }
        other => panic!("{other:?}"),
    }
    for id in [14, 15] {
        match get_payment(&client, id).await.unwrap_err() {
            Error::Api {
                code,
                message,
                excerpt,
                ..
            } => {
                assert_eq!((code, message), (None, None));
                assert_eq!(excerpt.as_deref(), Some("(empty body)"));
            }
            other => panic!("{id}: {other:?}"),
        }
    }
    match get_payment(&client, 16).await.unwrap_err() {
        Error::Api {
            message,
            model_state,
            ..
        } => {
            assert_eq!(message.as_deref(), Some("Validation failed"));
            assert_eq!(model_state["amount"], ["Must be positive"]);
        }
        other => panic!("{other:?}"),
    }
    match get_payment(&client, 17).await.unwrap_err() {
        Error::Api { code, message, .. } => {
            assert_eq!(code.as_deref(), Some("ArgumentInvalid"));
            assert_eq!(message.as_deref(), Some("pageSize is above 100"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn mfa_409_is_recognised_in_every_shape() {
    let server = server_with_token().await;
    let cases: [(i64, &str, &str, MfaProof); 6] = [
        (
            21,
            "application/json",
            r#"{"errors": [{"code": "AuthorizationErrors.MFA.AccessOtpSmsRequired", "message": "SMS code needed"}]}"#,
            MfaProof::SmsOtp,
        ),
        (
            22,
            "application/json",
            r#"{"code": "AuthorizationErrors.MFA.AccessPasswordTokenRequired", "message": "Confirm your password"}"#,
            MfaProof::Password,
        ),
        (
            23,
            "application/json",
            r#"{"message": "AuthorizationErrors.MFA.AccessTokenRequired"}"#,
            MfaProof::AccessToken,
        ),
        (
            24,
            "application/json",
            r#"{"error": "AuthorizationErrors.MFA.AccessOtpSmsRequired", "error_description": "SMS code needed"}"#,
            MfaProof::SmsOtp,
        ),
        (25, "application/json", "", MfaProof::AccessToken),
        (26, "text/plain", "", MfaProof::AccessToken),
    ];
    for (id, content_type, body, _) in &cases {
        server
            .mock_async(|when, then| {
                when.method(GET).path(format!("/v5/payments/{id}"));
                then.status(409)
                    .header("content-type", *content_type)
                    .body(*body);
            })
            .await;
    }
    let client = client(&server);
    for (id, _, body, expected) in cases {
        let err = get_payment(&client, id).await.unwrap_err();
        assert!(
            matches!(&err, Error::MfaRequired { proof, .. } if *proof == expected),
            "{body:?}: {err:?}"
        );
    }
    // A message that is more than the code is kept; a bare code is not repeated.
    match get_payment(&client, 22).await.unwrap_err() {
        Error::MfaRequired { message, .. } => {
            assert_eq!(message.as_deref(), Some("Confirm your password"))
        }
        other => panic!("{other:?}"),
    }
    match get_payment(&client, 23).await.unwrap_err() {
        Error::MfaRequired { message, .. } => assert_eq!(message, None),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_429_exposes_retry_after_and_the_remaining_quota() {
    let server = server_with_token().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/payments/1");
            then.status(429)
                .header("retry-after", "7")
                .header("x-ratelimit-remaining", "0");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/payments/2");
            then.status(429)
                .header("content-type", "application/json")
                .header("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")
                .body(r#"{"message": "Too many requests"}"#);
        })
        .await;
    let client = client(&server);

    let err = get_payment(&client, 1).await.unwrap_err();
    match &err {
        Error::RateLimited {
            retry_after,
            remaining,
            ..
        } => {
            assert_eq!(*retry_after, Some(std::time::Duration::from_secs(7)));
            assert_eq!(*remaining, Some(0));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("retry after 7 s"), "{err}");
    assert!(err.to_string().contains("0 request(s) left"), "{err}");
    // A date in the past means "now"; no quota header, no number.
    match get_payment(&client, 2).await.unwrap_err() {
        Error::RateLimited {
            retry_after,
            remaining,
            ..
        } => {
            assert_eq!(retry_after, Some(std::time::Duration::ZERO));
            assert_eq!(remaining, None);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_huge_error_body_is_read_only_in_part() {
    let server = server_with_token().await;
    let page = format!("<html>{}</html>", "x".repeat(4 * 1024 * 1024));
    answer_payment(&server, 502, "text/html", &page).await;
    let err = get_payment(&client(&server), 1).await.unwrap_err();
    match &err {
        Error::Api {
            status,
            excerpt: Some(excerpt),
            ..
        } => {
            assert_eq!(status.as_u16(), 502);
            assert!(excerpt.starts_with("<html>xxx"), "{excerpt}");
            assert!(excerpt.chars().count() <= 201);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_mistyped_field_is_a_decode_error_naming_the_field() {
    let server = server_with_token().await;
    answer_payment(
        &server,
        200,
        "application/json",
        r#"{"id": 1, "amount": "ten euros"}"#,
    )
    .await;
    let err = get_payment(&client(&server), 1).await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode { path: Some(p), .. } if p == "amount"),
        "{err:?}"
    );
}

#[tokio::test]
async fn unexpected_content_type_is_a_decode_error_naming_it() {
    let server = server_with_token().await;
    answer_payment(&server, 200, "text/csv", "Id;Amount\n1;1000\n").await;

    let err = get_payment(&client(&server), 1).await.unwrap_err();

    match &err {
        Error::Decode {
            content_type,
            message,
            ..
        } => {
            assert_eq!(content_type.as_deref(), Some("text/csv"));
            assert!(message.contains("expected a JSON body"), "{message}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    assert!(err.to_string().contains("`text/csv`"), "{err}");
}

#[tokio::test]
async fn helloasso_error_shapes() {
    let server = server_with_token().await;
    let cases = [
        (
            1,
            404,
            json!({"errors": [{"code": "NotFound", "message": "Payment not found"}]}),
        ),
        (
            2,
            400,
            json!({"message": "The request is invalid.", "modelState": {"amount": ["Must be positive"]}}),
        ),
        (
            3,
            409,
            json!({"errors": [{"code": "AuthorizationErrors.MFA.AccessOtpSmsRequired", "message": "SMS code needed"}]}),
        ),
        (
            4,
            409,
            json!({"errors": [{"code": "AuthorizationErrors.UserNotEnrolled", "message": "No MFA"}]}),
        ),
        (5, 429, json!({"message": "Too many requests"})),
    ];
    for (id, status, body) in &cases {
        let path = format!("/v5/payments/{id}");
        server
            .mock_async(|when, then| {
                when.method(GET).path(path);
                then.status(*status).json_body(body.clone());
            })
            .await;
    }
    let client = client(&server);

    let err = get_payment(&client, 1).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { code: Some(c), message: Some(m), .. } if c == "NotFound" && m == "Payment not found"),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("check the organization slug and the ids")
    );

    let err = get_payment(&client, 2).await.unwrap_err();
    match &err {
        Error::Api {
            message,
            model_state,
            ..
        } => {
            assert_eq!(message.as_deref(), Some("The request is invalid."));
            assert_eq!(model_state["amount"], ["Must be positive"]);
        }
        other => panic!("{other:?}"),
    }

    let err = get_payment(&client, 3).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::MfaRequired {
                proof: MfaProof::SmsOtp,
                ..
            }
        ),
        "{err:?}"
    );

    let err = get_payment(&client, 4).await.unwrap_err();
    assert!(matches!(&err, Error::UserNotEnrolled { .. }), "{err:?}");
    assert!(err.to_string().contains("not enrolled"));

    let err = get_payment(&client, 5).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::RateLimited {
                retry_after: None,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_truncated_token_response_never_shows_the_token() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(200)
                .header("content-type", "application/json")
                .body(
                    r#"{"access_token": "eyJhbGciOi-LEAKED-ACCESS", "refresh_token": "LEAKED-REFR"#,
                );
        })
        .await;

    let err = client(&server).token().await.unwrap_err();

    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("LEAKED"), "{shown}");
    assert!(!shown.contains("eyJhbGciOi"), "{shown}");
}

/// A client that would retry reads: the tests below check that some
/// answers are not retried anyway.
fn retrying_client(server: &MockServer) -> helloasso_sdk::Client {
    builder(&server.base_url()).build().unwrap()
}

#[tokio::test]
async fn a_200_with_an_html_body_is_a_decode_error_and_not_retried() {
    let server = server_with_token().await;
    let page = server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/payments/1");
            then.status(200)
                .header("content-type", "text/html; charset=utf-8")
                .body("<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>");
        })
        .await;
    let err = get_payment(&retrying_client(&server), 1).await.unwrap_err();
    match &err {
        Error::Decode {
            status,
            content_type,
            message,
            ..
        } => {
            assert_eq!(status.map(|s| s.as_u16()), Some(200));
            assert_eq!(content_type.as_deref(), Some("text/html; charset=utf-8"));
            assert!(message.contains("expected a JSON body"), "{message}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    // Had it been a write, nobody could tell whether it was applied.
    assert!(helloasso_sdk::outcome_unknown(&err));
    page.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_200_without_a_content_type_is_decoded_when_it_is_json() {
    let server = server_with_token().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/payments/1");
            then.status(200)
                .body(r#"{"id": 1, "amount": 1200, "state": "Authorized"}"#);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/payments/2");
            then.status(200).body("Service temporarily unavailable");
        })
        .await;
    let client = client(&server);
    let payment = get_payment(&client, 1).await.unwrap().into_body();
    assert_eq!(payment.id, Some(1));
    assert_eq!(payment.amount, Some(Cents(1200)));

    match get_payment(&client, 2).await.unwrap_err() {
        Error::Decode {
            status,
            content_type,
            ..
        } => {
            assert_eq!(status.map(|s| s.as_u16()), Some(200));
            assert_eq!(content_type, None);
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refund_is_not_redirected_to_another_host() {
    let elsewhere = MockServer::start_async().await;
    let stolen = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200)
                .json_body(json!({"id": 1, "amount": 100, "state": "Processed"}));
        })
        .await;
    let server = server_with_token().await;
    let target = elsewhere.url("/v5/payments/42/refund");
    let refund = server
        .mock_async(move |when, then| {
            when.method(POST).path("/v5/payments/42/refund");
            then.status(308).header("location", target.as_str());
        })
        .await;
    let err = retrying_client(&server)
        .payment(42)
        .refund()
        .mfa(MfaProof::SmsOtp, "123456")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(308), "{err:?}");
    refund.assert_calls_async(1).await;
    stolen.assert_calls_async(0).await;
}

/// Accepts connections, reads the request, and hangs up without answering.
async fn hanging_up_server() -> String {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0u8; 8192];
            let _ = socket.read(&mut buffer).await;
        }
    });
    base_url
}

#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_search_key_stays_out_of_transport_errors_and_logs() {
    const KEY: &str = "jeanne.secretname@example.org";
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // This thread runs every task of the test's runtime.
    let _default = tracing::subscriber::set_default(subscriber);

    // A stored token, so that only the API calls go out, to a server that
    // hangs up.
    let store = helloasso_sdk::MemoryTokenStore::new();
    use helloasso_sdk::TokenStore;
    store
        .save(
            &helloasso_sdk::TokenKey::own(CLIENT_ID),
            &helloasso_sdk::Token::new(
                "access".into(),
                None,
                chrono::Utc::now() + chrono::Duration::seconds(1800),
            ),
        )
        .await
        .unwrap();
    let hanging = hanging_up_server().await;
    let client = builder(&hanging).token_store(store).build().unwrap();

    let mut shown = Vec::new();
    let search = client.payments("my-asso").search().search_key(KEY).send();
    let listing = client.payments("my-asso").list().search_key(KEY).send();
    let cases = [search.await.map(|_| ()), listing.await.map(|_| ())];
    for result in cases {
        let err = result.unwrap_err();
        assert!(matches!(err, Error::Transport { .. }), "{err:?}");
        shown.push(err.to_string());
        shown.push(format!("{err:?}"));
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            shown.push(format!("{cause} {cause:?}"));
            source = cause.source();
        }
    }
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("retrying"),
        "the retry event was logged: {logs}"
    );
    assert!(logs.contains("search_payments"), "{logs}");
    // The path is still there to tell where the call went.
    assert!(
        shown
            .iter()
            .any(|s| s.contains("/v5/organizations/my-asso/payments")),
        "{shown:?}"
    );
    for text in shown.iter().chain([&logs]) {
        assert!(!text.contains("jeanne"), "the search key leaked: {text}");
        assert!(
            !text.contains("secretname"),
            "the search key leaked: {text}"
        );
    }
}

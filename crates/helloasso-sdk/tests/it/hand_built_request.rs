//! The export, a request built by hand (the generated builder only asks for
//! JSON), goes through the same token, hooks and typed errors as generated
//! operations.

use crate::common;

use common::*;
use helloasso_sdk::{Error, ExportError, ExportFormat, RetryPolicy};
use httpmock::prelude::*;

#[tokio::test]
async fn a_hand_built_request_carries_the_bearer_and_maps_errors() {
    let server = MockServer::start_async().await;
    mock_token(&server, "the-access", "r").await;
    let export = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/asso/payments")
                .header("accept", "text/csv")
                .header("authorization", "Bearer the-access")
                .header_missing("api-version");
            then.status(200)
                .header("content-type", "text/csv")
                .body("Id;Amount\n1;1000\n");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/organizations/missing/payments");
            then.status(404).json_body(
                serde_json::json!({"errors": [{"code": "NotFound", "message": "No organization"}]}),
            );
        })
        .await;
    let client = builder(&server.base_url())
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();

    let call = |slug: &'static str| {
        let client = client.clone();
        async move {
            let mut body = Vec::new();
            client
                .payments(slug)
                .export(ExportFormat::Csv)
                .write_to(&mut body)
                .await
                .map(|_| body)
        }
    };

    let body = call("asso").await.unwrap();
    assert_eq!(body, b"Id;Amount\n1;1000\n");
    assert_eq!(export.calls_async().await, 1);

    let Err(ExportError::Api(err)) = call("missing").await else {
        panic!("a 404 is an API error");
    };
    assert!(
        matches!(&err, Error::Api { status, code: Some(c), .. } if status.as_u16() == 404 && c == "NotFound"),
        "{err:?}"
    );
}

/// The escape hatch: a generated builder handed to `execute` gets the
/// client's token, and its answer comes back as the SDK's `Response` (status,
/// headers, decoded body), with no progenitor type in sight.
#[tokio::test]
async fn execute_runs_a_generated_builder_and_returns_status_headers_and_body() {
    let server = MockServer::start_async().await;
    mock_token(&server, "the-access", "r").await;
    let payment = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/payments/42")
                .query_param("withFailedRefundOperation", "true")
                .header("authorization", "Bearer the-access");
            then.status(200)
                .header("x-request-id", "abc")
                .json_body(serde_json::json!({"id": 42, "amount": 1250, "state": "Authorized"}));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();

    let response = client
        .execute(|raw| {
            raw.get_payment()
                .payment_id(42)
                .with_failed_refund_operation(true)
        })
        .await
        .unwrap();

    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["x-request-id"], "abc");
    assert_eq!(response.body().amount, Some(helloasso_sdk::Cents(1250)));
    assert_eq!(response.into_body().id, Some(42));
    payment.assert_calls_async(1).await;
}

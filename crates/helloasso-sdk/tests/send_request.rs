//! Hand-built requests go through the same token, hooks and typed errors as
//! generated operations.

mod common;

use common::*;
use futures::StreamExt;
use helloasso_sdk::{ClientInfo, Error, Operation, ResponseValue, RetryPolicy, send_request};
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
            client
                .execute_stream(Operation::read("export_payments"), &|raw| {
                    Box::pin(async move {
                        let url = format!("{}/v5/organizations/{slug}/payments", raw.baseurl());
                        let request = raw.client().get(url).header("accept", "text/csv");
                        send_request(raw, "export_payments", request)
                            .await
                            .map(ResponseValue::stream)
                    })
                })
                .await
        }
    };

    let mut stream = call("asso").await.unwrap().into_inner();
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        body.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(body, b"Id;Amount\n1;1000\n");
    assert_eq!(export.calls_async().await, 1);

    let Err(err) = call("missing").await else {
        panic!("a 404 is an error");
    };
    assert!(
        matches!(&err, Error::Api { status, code: Some(c), .. } if status.as_u16() == 404 && c == "NotFound"),
        "{err:?}"
    );
}

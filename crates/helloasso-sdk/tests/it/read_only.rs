//! `ClientBuilder::read_only`: every operation that is not a read is
//! refused with `Error::ReadOnly` before anything is sent (not even a
//! token request), through the facade or the `execute` escape hatch alike;
//! reads go through.

use helloasso_sdk::Error;
use httpmock::prelude::*;
use serde_json::json;

use crate::common::{builder, get_payment, mock_token, refund};

#[tokio::test]
async fn writes_are_refused_before_sending_and_reads_pass() {
    let server = MockServer::start_async().await;
    let token = mock_token(&server, "access-1", "refresh-1").await;
    let writes = server
        .mock_async(|when, then| {
            when.method(POST).path_prefix("/v5/");
            then.status(200).json_body(json!({"id": 1}));
        })
        .await;
    let read = server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/payments/42");
            then.status(200).json_body(json!({"id": 42}));
        })
        .await;
    let client = builder(&server.base_url()).read_only(true).build().unwrap();
    assert!(client.is_read_only());

    let err = refund(&client, 42).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::ReadOnly {
                operation: "refund_payment",
                ..
            }
        ),
        "{err:?}"
    );
    let err = client.order(7).cancel().await.unwrap_err();
    assert!(matches!(err, Error::ReadOnly { .. }), "{err:?}");
    writes.assert_calls_async(0).await;
    token.assert_calls_async(0).await;

    get_payment(&client, 42).await.unwrap();
    read.assert_calls_async(1).await;

    // Off by default: the same refund is sent.
    let writable = builder(&server.base_url()).build().unwrap();
    assert!(!writable.is_read_only());
    refund(&writable, 42).await.unwrap();
    writes.assert_calls_async(1).await;
}

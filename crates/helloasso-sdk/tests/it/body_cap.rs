//! A success answer that never ends (a broken server or proxy) is cut at
//! `MAX_RESPONSE_BODY` with a typed error, instead of filling memory; an
//! export, streamed, has no such cap.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::routing::{get, post};
use common::*;
use helloasso_sdk::{Error, MAX_RESPONSE_BODY, outcome_unknown};

/// Serves a listing whose body goes on for `total` bytes (bounded, so that
/// the test ends even if the client never stops reading), counting what
/// was sent.
async fn endless_listing(total: usize) -> (String, Arc<AtomicUsize>) {
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let app = Router::new()
        .route(
            "/oauth2/token",
            post(|| async { axum::Json(token_json("access-1", "refresh-1", 1800)) }),
        )
        .route(
            "/v5/organizations/{slug}/payments",
            get(move || {
                let counter = counter.clone();
                async move {
                    let chunk = "{\"id\":1,\"amount\":1000},".repeat(2048);
                    let chunks = total / chunk.len();
                    let head = futures::stream::once(async {
                        Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"{\"data\":["))
                    });
                    let body =
                        futures::StreamExt::map(futures::stream::iter(0..chunks), move |_| {
                            counter.fetch_add(chunk.len(), Ordering::Relaxed);
                            Ok(bytes::Bytes::from(chunk.clone()))
                        });
                    (
                        [("content-type", "application/json")],
                        Body::from_stream(futures::StreamExt::chain(head, body)),
                    )
                }
            }),
        );
    (serve(app).await, sent)
}

#[tokio::test]
async fn an_endless_success_body_is_cut_with_a_typed_error() {
    let (base_url, sent) = endless_listing(8 * MAX_RESPONSE_BODY).await;
    let client = builder(&base_url).build().unwrap();
    let error = client
        .payments("org")
        .list()
        .send()
        .await
        .expect_err("the answer is too large");
    match &error {
        Error::ResponseTooLarge { limit, .. } => assert_eq!(*limit, MAX_RESPONSE_BODY),
        other => panic!("{other:?}"),
    }
    // A write answered like this may have been applied: never re-sent.
    assert!(outcome_unknown(&error));
    // Not retried (the answer would be as large again), and the read
    // stopped near the cap rather than at the end of the body.
    assert!(
        sent.load(Ordering::Relaxed) < 4 * MAX_RESPONSE_BODY,
        "{} bytes were sent",
        sent.load(Ordering::Relaxed)
    );
}

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

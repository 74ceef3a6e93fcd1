//! Checkout intents against httpmock on loopback: validation before
//! sending, creation, and reading back with typed metadata.

use crate::common;

use chrono::DateTime;
use common::*;
use helloasso_sdk::{Cents, Client, Error};
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde::{Deserialize, Serialize};
use serde_json::json;

const ORG: &str = "my-asso";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Cart {
    cart_id: u64,
    member: String,
}

/// An intent that passes validation.
fn valid(client: &Client) -> helloasso_sdk::CheckoutIntentBuilder {
    client
        .checkout(ORG)
        .intent("Adhésion 2025", Cents(5000))
        .back_url("https://shop.example.org/cart")
        .error_url("https://shop.example.org/error")
        .return_url("http://127.0.0.1:8080/thanks")
}

#[tokio::test]
async fn bad_intents_are_refused_before_sending() {
    // No token endpoint either: any request at all would be counted here.
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.path_prefix("/");
            then.status(200)
                .json_body(json!({"id": 1, "redirectUrl": "https://pay"}));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let march = DateTime::parse_from_rfc3339("2025-03-01T00:00:00+01:00").unwrap();

    let cases = [
        (
            "amounts do not add up",
            valid(&client)
                .initial_amount(Cents(3000))
                .term(march, Cents(1000)),
        ),
        (
            "300-character item name",
            client
                .checkout(ORG)
                .intent("x".repeat(300), Cents(5000))
                .back_url("https://a.example/")
                .error_url("https://a.example/")
                .return_url("https://a.example/"),
        ),
        ("empty item name", {
            client
                .checkout(ORG)
                .intent("", Cents(5000))
                .back_url("https://a.example/")
                .error_url("https://a.example/")
                .return_url("https://a.example/")
        }),
        ("zero total", {
            client
                .checkout(ORG)
                .intent("Don", Cents(0))
                .back_url("https://a.example/")
                .error_url("https://a.example/")
                .return_url("https://a.example/")
        }),
        (
            "negative instalment",
            valid(&client)
                .initial_amount(Cents(6000))
                .term(march, Cents(-1000)),
        ),
        (
            "metadata over 20,000 characters",
            valid(&client).metadata(&json!({"notes": "n".repeat(20_000)})),
        ),
        (
            "plain http URL",
            valid(&client).back_url("http://shop.example.org/cart"),
        ),
        ("missing URL", {
            client
                .checkout(ORG)
                .intent("Don", Cents(5000))
                .back_url("https://a.example/")
                .error_url("https://a.example/")
        }),
    ];
    for (what, intent) in cases {
        let err = intent.create().await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest { .. }),
            "{what}: {err:?}"
        );
    }
    any.assert_calls_async(0).await;
}

#[test]
fn item_names_are_counted_in_characters_not_bytes() {
    let client = builder("http://127.0.0.1:1").build().unwrap();
    let name = "é".repeat(250);
    assert!(
        client
            .checkout(ORG)
            .intent(name, Cents(100))
            .back_url("https://a.example/")
            .error_url("https://a.example/")
            .return_url("https://a.example/")
            .validate()
            .is_ok()
    );
}

#[tokio::test]
async fn create_then_get_with_typed_metadata() {
    let (server, client) = server_and_client().await;
    let cart = Cart {
        cart_id: 42,
        member: "Prenom Nom".into(),
    };
    let march = DateTime::parse_from_rfc3339("2025-03-01T00:00:00+01:00").unwrap();

    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v5/organizations/my-asso/checkout-intents")
                .json_body_includes(
                    json!({
                        "totalAmount": 5000,
                        "initialAmount": 4000,
                        "itemName": "Adhésion 2025",
                        "containsDonation": false,
                        "metadata": {"cart_id": 42, "member": "Prenom Nom"},
                        "terms": [{"amount": 1000, "date": "2025-03-01T00:00:00+01:00"}],
                    })
                    .to_string(),
                );
            then.status(200)
                .json_body(json!({"id": 777, "redirectUrl": "https://pay.example/777"}));
        })
        .await;
    let created = valid(&client)
        .initial_amount(Cents(4000))
        .term(march, Cents(1000))
        .metadata(&cart)
        .create()
        .await
        .unwrap();
    assert_eq!(created.id, 777);
    assert_eq!(created.redirect_url, "https://pay.example/777");
    create.assert_calls_async(1).await;

    let get = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/checkout-intents/777");
            then.status(200).json_body(json!({
                "id": 777,
                "redirectUrl": "https://pay.example/777",
                "metadata": {"cart_id": 42, "member": "Prenom Nom"},
                "order": {"id": 31, "checkoutIntentId": 777, "amount": {"total": 5000}}
            }));
        })
        .await;
    let intent = client.checkout(ORG).get::<Cart>(777).await.unwrap();
    assert_eq!(intent.metadata, Some(cart));
    assert!(intent.is_paid());
    assert_eq!(intent.order.unwrap().checkout_intent_id, Some(777));
    get.assert_calls_async(1).await;

    // Metadata of another shape is a decode error naming the field.
    let err = client.checkout(ORG).get::<Vec<u8>>(777).await.unwrap_err();
    match err {
        Error::Decode { path, .. } => assert_eq!(path.as_deref(), Some("metadata")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_failed_creation_is_not_resent() {
    let (server, client) = server_and_client().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v5/organizations/my-asso/checkout-intents");
            then.status(503).body("<html>unavailable</html>");
        })
        .await;
    let err = valid(&client).create().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    create.assert_calls_async(1).await;
}

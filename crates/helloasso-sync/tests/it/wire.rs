//! The parameters each listing is read with, proved on the wire: payments
//! and items by `UpdateDate` ascending (a changed record moves past the
//! stored token), orders by date ascending, and a later run from the stored
//! continuation token.

use httpmock::prelude::*;
use serde_json::json;

fn page(data: serde_json::Value, token: &str) -> serde_json::Value {
    json!({"data": data, "pagination": {"pageSize": 100, "totalCount": -1, "pageIndex": 1,
            "totalPages": -1, "continuationToken": token}})
}

/// A client of `server` and a mirror in a fresh SQLite file (kept while the
/// folder lives).
async fn client_and_mirror(
    server: &MockServer,
) -> (
    helloasso_sdk::Client,
    helloasso_sync::Mirror,
    tempfile::TempDir,
) {
    let client = crate::mock::mock_client(server);
    let dir = tempfile::tempdir().unwrap();
    let mirror = helloasso_sync::Mirror::open(dir.path().join("m.sqlite").to_str().unwrap())
        .await
        .unwrap();
    (client, mirror, dir)
}

#[tokio::test]
async fn listings_are_read_by_update_date_and_resumed_from_the_stored_token() {
    let server = crate::mock::mock_helloasso().await;
    let payment = json!({"id": 1, "amount": 1000, "state": "Authorized", "order": {"id": 7},
        "date": "2025-01-01T10:00:00+01:00"});
    let first_payments = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/org/payments")
                .query_param("sortField", "UpdateDate")
                .query_param("sortOrder", "Asc")
                .query_param_missing("continuationToken");
            then.status(200).json_body(page(json!([payment]), "P1"));
        })
        .await;
    let later_payments = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/org/payments")
                .query_param("sortField", "UpdateDate")
                .query_param("sortOrder", "Asc")
                .query_param("continuationToken", "P1");
            then.status(200).json_body(page(json!([]), "P1"));
        })
        .await;
    let items = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/org/items")
                .query_param("sortField", "UpdateDate")
                .query_param("sortOrder", "Asc")
                .query_param("withDetails", "true");
            then.status(200).json_body(page(json!([]), "I1"));
        })
        .await;
    let orders = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/org/orders")
                .query_param("sortOrder", "Asc")
                .query_param("withDetails", "true")
                .query_param_missing("sortField");
            then.status(200).json_body(page(json!([]), "O1"));
        })
        .await;
    let forms = server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/organizations/org/forms");
            then.status(200).json_body(page(json!([]), "F1"));
        })
        .await;

    let (client, mirror, _dir) = client_and_mirror(&server).await;
    let first = mirror
        .sync(&client)
        .organization("org")
        .run()
        .await
        .unwrap();
    assert_eq!(
        first.counts(helloasso_sync::Resource::Payments).new,
        1,
        "{first}"
    );
    first_payments.assert_calls_async(1).await;
    later_payments.assert_calls_async(1).await;

    let second = mirror
        .sync(&client)
        .organization("org")
        .run()
        .await
        .unwrap();
    // The second run starts where the first stopped: no page from the start.
    first_payments.assert_calls_async(1).await;
    later_payments.assert_calls_async(2).await;
    assert_eq!(second.counts(helloasso_sync::Resource::Payments).new, 0);
    assert!(items.calls_async().await >= 2);
    assert!(orders.calls_async().await >= 2);
    assert!(forms.calls_async().await >= 2);
}

/// A page may name one record twice (a payment updated between two reads of
/// HelloAsso's index): each version is stored in turn, the later one kept
/// and reported as a change of the first.
#[tokio::test]
async fn a_record_twice_in_one_page_is_new_then_changed() {
    let server = crate::mock::mock_helloasso().await;
    let version = |amount: i64, updated: &str| {
        json!({"id": 1, "amount": amount, "state": "Authorized", "order": {"id": 7},
            "date": "2025-01-01T10:00:00+01:00", "meta": {"updatedAt": updated}})
    };
    let other = json!({"id": 2, "amount": 500, "state": "Authorized", "order": {"id": 8},
        "date": "2025-01-02T10:00:00+01:00"});
    let page_data = json!([
        version(1000, "2025-01-01T10:00:00+01:00"),
        other,
        version(900, "2025-01-03T10:00:00+01:00"),
    ]);
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/org/payments")
                .query_param_missing("continuationToken");
            then.status(200).json_body(page(page_data, "P1"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/org/payments")
                .query_param("continuationToken", "P1");
            then.status(200).json_body(page(json!([]), "P1"));
        })
        .await;
    for listing in ["items", "orders", "forms"] {
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(format!("/v5/organizations/org/{listing}"));
                then.status(200).json_body(page(json!([]), "X"));
            })
            .await;
    }
    let (client, mirror, _dir) = client_and_mirror(&server).await;
    let report = mirror
        .sync(&client)
        .organization("org")
        .run()
        .await
        .unwrap();
    let payments = report.counts(helloasso_sync::Resource::Payments);
    assert_eq!((payments.new, payments.changed), (2, 1), "{report}");
    let stored = mirror.payment(1).await.unwrap().unwrap();
    assert_eq!(stored["amount"], 900);
    let count = mirror.count(helloasso_sync::Resource::Payments, "org");
    assert_eq!(count.await.unwrap(), 2);
}

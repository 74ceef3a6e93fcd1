//! The mirror stores HelloAsso's documents as received (httpmock): the
//! stored document and the change feed's `record` keep HelloAsso's date
//! spellings exactly; a mirror written before, holding the SDK's model
//! encoded back (chrono's spelling), finds the same records unchanged (no
//! feed row), on SQLite and PostgreSQL, and a real change still changed,
//! named alone.

use futures::TryStreamExt;
use helloasso_sync::{Change, Mirror, Resource};
use httpmock::prelude::*;
use serde_json::{Value, json};

/// A payment as HelloAsso lists it. The body and its `date` come from
/// tests/data/samples/webhooks/09_Payment_event_2020__jymaire_hellos.json
/// (jymaire/hellos, a real 2020 payment); `meta` and `cashOutDate` carry
/// .NET's `DateTime.MinValue` as sample 41 (darkstack/helloasso, sandbox)
/// spells it.
fn payment(amount: i64) -> Value {
    json!({
        "payer": {
            "dateOfBirth": "1971-01-28T00:00:00+01:00",
            "email": "mail@mail.fr",
            "firstName": "Robert",
            "lastName": "Petit"
        },
        "order": {
            "id": 18124903,
            "date": "2020-11-14T11:13:08.2972161+00:00",
            "formSlug": "asso-form-slug",
            "formType": "PaymentForm",
            "organizationSlug": "asso-slug"
        },
        "items": [{"shareAmount": 150, "shareItemAmount": 150, "id": 18124903,
                   "amount": 150, "type": "Payment", "state": "Processed"}],
        "cashOutState": "Transfered",
        "cashOutDate": "0001-01-01T00:00:00+00:00",
        "id": 9307923,
        "amount": amount,
        "date": "2020-11-14T11:13:11.6878813+00:00",
        "paymentMeans": "Card",
        "state": "Authorized",
        "meta": {"createdAt": "0001-01-01T00:00:00+00:00",
                 "updatedAt": "2020-11-14T11:13:11.6878813+00:00"}
    })
}

/// The same order read back by id (`GET /v5/orders/{id}`), dates as
/// received.
fn order() -> Value {
    json!({
        "id": 18124903,
        "date": "2020-11-14T11:13:08.2972161+00:00",
        "formSlug": "asso-form-slug",
        "formType": "PaymentForm",
        "organizationSlug": "asso-slug",
        "amount": {"total": 1500, "vat": 0, "discount": 0},
        "meta": {"createdAt": "2020-11-14T11:13:08.2972161+00:00",
                 "updatedAt": "2020-11-14T11:13:11.6878813+00:00"}
    })
}

/// The document as the mirror stored it before: the SDK's model encoded
/// back, which spells the dates chrono's way.
fn encoded_back(doc: &Value) -> Value {
    let model: helloasso_sdk::types::Payment = serde_json::from_value(doc.clone()).unwrap();
    serde_json::to_value(model).unwrap()
}

fn page(data: Value) -> Value {
    json!({"data": data, "pagination": {"pageSize": 100, "totalCount": -1, "pageIndex": 1,
            "totalPages": -1, "continuationToken": "P1"}})
}

/// HelloAsso on httpmock: the payment and order listings give `payments`
/// and `orders` (then an empty page), the order is read back by id, the
/// other listings are empty.
async fn helloasso(payments: Value, orders: Value) -> MockServer {
    let server = crate::mock::mock_helloasso().await;
    for (listing, data) in [("payments", payments), ("orders", orders)] {
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(format!("/v5/organizations/asso-slug/{listing}"))
                    .query_param_missing("continuationToken");
                then.status(200).json_body(page(data));
            })
            .await;
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(format!("/v5/organizations/asso-slug/{listing}"))
                    .query_param("continuationToken", "P1");
                then.status(200).json_body(page(json!([])));
            })
            .await;
    }
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/orders/18124903");
            then.status(200).json_body(order());
        })
        .await;
    for listing in ["items", "forms"] {
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(format!("/v5/organizations/asso-slug/{listing}"));
                then.status(200).json_body(page(json!([])));
            })
            .await;
    }
    server
}

/// One sync of `asso-slug`: the feed's rows and the report.
async fn sync(mirror: &Mirror, server: &MockServer) -> (Vec<Change>, helloasso_sync::Report) {
    let client = crate::mock::mock_client(server);
    let mut stream = mirror.sync(&client).organization("asso-slug").changes();
    let mut feed = Vec::new();
    while let Some(change) = stream.try_next().await.unwrap() {
        feed.push(change);
    }
    let report = stream.report().unwrap().clone();
    (feed, report)
}

async fn mirror(dir: &tempfile::TempDir) -> Mirror {
    Mirror::open(dir.path().join("m.sqlite").to_str().unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_stored_document_and_the_feed_keep_helloasso_spelling() {
    let server = helloasso(json!([payment(1500)]), json!([order()])).await;
    let dir = tempfile::tempdir().unwrap();
    let mirror = mirror(&dir).await;
    let (feed, report) = sync(&mirror, &server).await;

    let record = feed
        .iter()
        .find(|c| c.resource == Resource::Payments)
        .map(|c| c.record.clone())
        .unwrap_or_else(|| panic!("no payment in the feed: {report}"));
    assert_eq!(record, payment(1500));
    // Exactly the received strings, not merely the same instants.
    assert_eq!(record["date"], "2020-11-14T11:13:11.6878813+00:00");
    assert_eq!(record["meta"]["createdAt"], "0001-01-01T00:00:00+00:00");
    let stored = mirror.payment(9307923).await.unwrap().unwrap();
    assert_eq!(stored, payment(1500));
    // The order as listed, as received too.
    let order_stored = mirror.order(18124903).await.unwrap().unwrap();
    assert_eq!(order_stored, order(), "{report}");
    assert_eq!(
        order_stored["meta"]["updatedAt"],
        "2020-11-14T11:13:11.6878813+00:00"
    );
}

/// A mirror at `location` holding the payment as an earlier version stored
/// it, synced against the same payment as HelloAsso sends it.
async fn old_spelling_is_unchanged(location: &str) {
    let server = helloasso(json!([payment(1500)]), json!([])).await;
    let mirror = Mirror::open(location).await.unwrap();
    // The mirror as an earlier version left it.
    let old = encoded_back(&payment(1500));
    assert_ne!(old["date"], payment(1500)["date"], "the spellings differ");
    assert!(mirror.upsert_payment("asso-slug", old).await.unwrap());
    let feed_before = feed_len(location).await;

    let (feed, report) = sync(&mirror, &server).await;
    let payments = report.counts(Resource::Payments);
    assert_eq!(
        (payments.new, payments.changed, payments.unchanged),
        (0, 0, 1),
        "{report}"
    );
    assert!(
        feed.iter().all(|c| c.resource != Resource::Payments),
        "a payment feed row for a spelling"
    );
    assert_eq!(feed_len(location).await, feed_before + feed.len());
    // Stored again in HelloAsso's spelling, silently.
    assert_eq!(
        mirror.payment(9307923).await.unwrap().unwrap(),
        payment(1500)
    );
    mirror.close().await;
}

#[tokio::test]
async fn a_mirror_in_the_old_spelling_finds_the_same_records_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    old_spelling_is_unchanged(dir.path().join("m.sqlite").to_str().unwrap()).await;
}

#[tokio::test]
async fn a_postgres_mirror_in_the_old_spelling_finds_the_same_records_unchanged() {
    let Some(pg) = crate::pg::Pg::start() else {
        return;
    };
    old_spelling_is_unchanged(&pg.database("as_received").await).await;
}

#[tokio::test]
async fn a_real_change_to_a_mirror_in_the_old_spelling_is_still_a_change() {
    let server = helloasso(json!([payment(1200)]), json!([])).await;
    let dir = tempfile::tempdir().unwrap();
    let mirror = mirror(&dir).await;
    let old = encoded_back(&payment(1500));
    assert!(mirror.upsert_payment("asso-slug", old).await.unwrap());

    let (feed, report) = sync(&mirror, &server).await;
    let payments = report.counts(Resource::Payments);
    assert_eq!((payments.new, payments.changed), (0, 1), "{report}");
    let change = feed
        .iter()
        .find(|c| c.resource == Resource::Payments)
        .unwrap();
    // The amount alone: the dates' spellings are no change.
    assert_eq!(change.changed, vec!["/amount".to_owned()]);
    assert_eq!(change.record, payment(1200));
    // Its order, read again by id since the payment changed: as received.
    assert_eq!(mirror.order(18124903).await.unwrap(), Some(order()));
}

/// Rows in the `changes` table of the mirror at `location`.
async fn feed_len(location: &str) -> usize {
    use sqlx::Connection;
    let sql = "SELECT seq FROM changes";
    let rows: Vec<(i64,)> = if location.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(location).await.unwrap();
        sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
    } else {
        let url = format!("sqlite://{location}");
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
    };
    rows.len()
}

//! Orders and items through the facade, against httpmock on loopback: every
//! filter on the wire, streams that end once per item, one order, and a
//! cancel that is never sent twice.

use crate::common;

use chrono::{DateTime, FixedOffset};
use common::*;
use futures::TryStreamExt;
use helloasso_sdk::types::{FormType, ItemState, SortField, SortOrder, TierType};
use helloasso_sdk::{CustomFields, Error, outcome_unknown};
use httpmock::Method::{GET, POST};
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

fn date(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn page(ids: &[i64], token: Option<&str>) -> Value {
    json!({
        "data": ids.iter().map(|id| json!({ "id": id, "items": [{ "id": id * 10 }] })).collect::<Vec<_>>(),
        "pagination": { "pageSize": 2, "totalCount": -1, "totalPages": -1, "continuationToken": token },
    })
}

async fn order_page<'a>(
    server: &'a MockServer,
    after: Option<&str>,
    ids: &[i64],
    token: Option<&str>,
) -> Mock<'a> {
    let body = page(ids, token);
    let after = after.map(str::to_owned);
    server
        .mock_async(move |when, then| {
            let when = when
                .method(GET)
                .path("/v5/organizations/my-asso/orders")
                .header("authorization", "Bearer access-1")
                .query_param("from", "2025-09-01T00:00:00+02:00")
                .query_param("formTypes", "Membership")
                .query_param("formTypes", "Event")
                .query_param("userSearchKey", "dupont")
                .query_param("withDetails", "true")
                .query_param("sortOrder", "Asc")
                .query_param("pageSize", "2");
            match &after {
                Some(token) => when.query_param("continuationToken", token.as_str()),
                None => when.query_param_missing("continuationToken"),
            };
            then.status(200).json_body(body);
        })
        .await
}

#[tokio::test]
async fn an_order_stream_yields_each_order_once_with_every_filter() {
    let (server, client) = server_and_client().await;
    // A duplicate across a page boundary, a token on the last page, then
    // an empty page.
    let pages = vec![
        order_page(&server, None, &[1, 2], Some("t1")).await,
        order_page(&server, Some("t1"), &[2, 3], Some("t2")).await,
        order_page(&server, Some("t2"), &[4], Some("t3")).await,
        order_page(&server, Some("t3"), &[], Some("t3")).await,
    ];
    let orders: Vec<_> = client
        .orders("my-asso")
        .list()
        .from(date("2025-09-01T00:00:00+02:00"))
        .form_types([FormType::Membership, FormType::Event])
        .search_key("dupont")
        .with_details(true)
        .sort_order(SortOrder::Asc)
        .page_size(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<i64> = orders.iter().map(|o| o.id.unwrap()).collect();
    assert_eq!(ids, [1, 2, 3, 4]);
    for mock in &pages {
        assert_eq!(mock.calls_async().await, 1);
    }
}

#[tokio::test]
async fn a_form_order_listing_puts_the_form_in_the_path_and_refuses_form_types() {
    let (server, client) = server_and_client().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/forms/Event/gala/orders")
                .query_param("pageIndex", "3")
                .query_param("withCount", "true");
            then.status(200).json_body(page(&[7], None));
        })
        .await;
    let page = client
        .orders("my-asso")
        .form(FormType::Event, "gala")
        .with_count(true)
        .page_index(3)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items[0].id, Some(7));
    mock.assert_async().await;
    let refused = client
        .orders("my-asso")
        .form(FormType::Event, "gala")
        .form_types([FormType::Shop])
        .send()
        .await;
    assert!(
        matches!(refused, Err(Error::InvalidRequest { .. })),
        "{refused:?}"
    );
    let refused = client.orders("my-asso").list().page_size(101).send().await;
    assert!(matches!(refused, Err(Error::InvalidRequest { .. })));
}

#[tokio::test]
async fn one_order_and_its_cancel() {
    let (server, client) = server_and_client().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/orders/3000000001");
            then.status(200).json_body(json!({
                "id": 3_000_000_001_i64,
                "items": [{ "id": 9, "customFields": [{ "name": "Numéro de licence ", "answer": "A12345" }] }],
            }));
        })
        .await;
    let cancel = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v5/orders/3000000001/cancel")
                .header("authorization", "Bearer access-1")
                .body("");
            then.status(200);
        })
        .await;
    let order = client.order(3_000_000_001).get().await.unwrap();
    let item = &order.items.as_ref().unwrap()[0];
    // By its label, spaces and case aside.
    assert_eq!(item.custom_field("numéro de licence"), Some("A12345"));
    assert_eq!(item.custom_field("Téléphone"), None);
    client.order(3_000_000_001).cancel().await.unwrap();
    get.assert_async().await;
    cancel.assert_async().await;
}

#[tokio::test]
async fn a_cancel_whose_answer_fails_is_sent_once_and_reported_unknown() {
    let (server, client) = server_and_client().await;
    let cancel = server
        .mock_async(|when, then| {
            when.method(POST).path("/v5/orders/42/cancel");
            then.status(502).body("<html>bad gateway</html>");
        })
        .await;
    let error = client.order(42).cancel().await.unwrap_err();
    assert_eq!(cancel.calls_async().await, 1, "a write is never re-sent");
    assert!(outcome_unknown(&error), "{error:?}");
}

#[tokio::test]
async fn an_item_stream_sends_item_filters_and_reads_members_custom_fields() {
    let (server, client) = server_and_client().await;
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/forms/Membership/adhesion/items")
                .query_param("tierTypes", "Membership")
                .query_param("itemStates", "Processed")
                .query_param("itemStates", "Registered")
                .query_param("tierName", "Adhésion annuelle")
                .query_param("withDetails", "true")
                .query_param("sortField", "UpdateDate")
                .query_param("sortOrder", "Desc")
                .query_param_missing("continuationToken");
            then.status(200).json_body(json!({
                "data": [
                    { "id": 1, "customFields": [{ "name": "Numéro de licence", "answer": "L-1" }] },
                    { "id": 2 },
                ],
                "pagination": { "totalCount": -1, "continuationToken": "k1" },
            }));
        })
        .await;
    let last = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/forms/Membership/adhesion/items")
                .query_param("continuationToken", "k1");
            then.status(200)
                .json_body(json!({ "data": [], "pagination": { "continuationToken": "k1" } }));
        })
        .await;
    let members: Vec<_> = client
        .items("my-asso")
        .form(FormType::Membership, "adhesion")
        .tier_types([TierType::Membership])
        .item_states([ItemState::Processed, ItemState::Registered])
        .tier_name("Adhésion annuelle")
        .with_details(true)
        .sort(SortField::UpdateDate, SortOrder::Desc)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(members.len(), 2);
    assert_eq!(members[0].custom_field("Numéro de licence"), Some("L-1"));
    assert_eq!(members[1].custom_field("Numéro de licence"), None);
    first.assert_async().await;
    last.assert_async().await;

    let one = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/items/3000000002")
                .query_param("withDetails", "true");
            then.status(200)
                .json_body(json!({ "id": 3_000_000_002_i64, "state": "Canceled" }));
        })
        .await;
    let item = client.item(3_000_000_002, true).await.unwrap();
    assert_eq!(item.state, Some(ItemState::Canceled));
    one.assert_async().await;
}

fn send<T: Send>(_: T) {}
fn clone<T: Clone>(_: &T) {}

/// Like the payments', every future and stream of these areas can move to
/// another task, and their builders are `Clone`. Nothing is awaited.
#[test]
fn the_new_futures_and_streams_are_send_and_their_builders_clone() {
    let client = helloasso_sdk::Client::builder()
        .environment(helloasso_sdk::Environment::custom("http://127.0.0.1:9").unwrap())
        .credentials("id", "secret")
        .build()
        .unwrap();
    send(client.orders("a").list().send());
    send(client.orders("a").form(FormType::Event, "gala").items());
    send(client.order(1).get());
    send(client.order(1).cancel());
    send(client.items("a").list().pages());
    send(client.item(1, true));
    let forms = client.forms("a");
    send(forms.list().items());
    send(forms.public(FormType::Event, "gala"));
    send(forms.types([]));
    send(forms.set_state(
        FormType::Event,
        "gala",
        helloasso_sdk::types::FormState::Public,
    ));
    send(client.organization_details("a"));
    send(client.my_organizations());
    let partner = client.partner();
    send(partner.get());
    send(partner.organizations(None));
    send(partner.set_notification_url("https://x.org", None));
    send(partner.delete_organization_notification_url("a", None));
    let mut sink: Vec<u8> = Vec::new();
    send(
        client
            .payout("a", 1)
            .write_to(helloasso_sdk::ExportFormat::Csv, &mut sink),
    );
    clone(&client.orders("a").list().with_details(true));
    clone(&client.items("a").list().tier_name("x"));
    clone(&client.forms("a").list());
    clone(&client.order(1));
    clone(&client.payout("a", 1));
    clone(&client.partner());
}

#[tokio::test]
async fn an_item_stream_resumes_from_a_checkpoint() {
    let (server, client) = server_and_client().await;
    let resumed = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/items")
                .query_param("continuationToken", "saved-k7");
            then.status(200).json_body(json!({
                "data": [{ "id": 8 }], "pagination": { "continuationToken": "k8" }
            }));
        })
        .await;
    let end = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/items")
                .query_param("continuationToken", "k8");
            then.status(200).json_body(json!({ "data": [] }));
        })
        .await;
    let mut stream = client
        .items("my-asso")
        .list()
        .resume_from("saved-k7")
        .items();
    let first = stream.try_next().await.unwrap().unwrap();
    assert_eq!(first.id, Some(8));
    assert_eq!(stream.checkpoint(), Some("k8"));
    assert!(stream.try_next().await.unwrap().is_none());
    resumed.assert_async().await;
    end.assert_async().await;
}

mod against_the_fake {
    //! Orders and items streamed from the fake HelloAsso (real HTTP on
    //! loopback): every paging style ends once per item, faults included, and
    //! a cancel whose answer is lost is sent once.

    use std::collections::HashSet;
    use std::time::Duration;

    use futures::TryStreamExt;
    use helloasso_fake::{FakeConfig, FakeServer, FaultConfig};
    use helloasso_sdk::types::FormType;
    use helloasso_sdk::{Client, Environment, Paging, RetryPolicy, outcome_unknown};

    /// A fake and a client with quick retries: ten attempts, a page failing all
    /// of them at the faults below would be a one-in-a-million event.
    async fn start(config: FakeConfig) -> (FakeServer, Client) {
        let fake = helloasso_fake::start(config).await.unwrap();
        let client = Client::builder()
            .environment(Environment::custom(&fake.base_url()).unwrap())
            .credentials(fake.client_id(), fake.client_secret().to_owned())
            .retry_policy(
                RetryPolicy::default()
                    .with_max_attempts(10)
                    .with_initial_backoff(Duration::from_millis(1))
                    .with_max_backoff(Duration::from_millis(20)),
            )
            .build()
            .unwrap();
        (fake, client)
    }

    #[tokio::test]
    async fn order_and_item_streams_end_once_per_item_in_every_paging_style() {
        let (fake, client) = start(FakeConfig::default().payments(400)).await;
        let slug = fake.organization_slug().to_owned();
        let total = client
            .orders(&slug)
            .list()
            .with_count(true)
            .page_size(1)
            .send()
            .await
            .unwrap()
            .total_count
            .unwrap() as usize;
        for (paging, counts_unknown, page_size) in [
            (Paging::ContinuationToken, false, 37),
            (Paging::PageIndex, false, 37),
            (Paging::PageIndex, true, 37),
            (Paging::ContinuationToken, true, 100),
        ] {
            fake.set_counts_unknown(counts_unknown);
            let orders: Vec<i64> = client
                .orders(&slug)
                .list()
                .page_size(page_size)
                .paging(paging)
                .items()
                .map_ok(|o| o.id.unwrap())
                .try_collect()
                .await
                .unwrap_or_else(|e| panic!("{paging:?}: {e}"));
            let unique: HashSet<i64> = orders.iter().copied().collect();
            assert_eq!(unique.len(), orders.len(), "{paging:?}: duplicates");
            assert_eq!(
                orders.len(),
                total,
                "{paging:?} counts_unknown={counts_unknown}"
            );

            // Items are never counted: index paging stops at the first short page.
            let items: Vec<i64> = client
                .items(&slug)
                .list()
                .page_size(page_size)
                .paging(paging)
                .items()
                .map_ok(|i| i.id.unwrap())
                .try_collect()
                .await
                .unwrap_or_else(|e| panic!("{paging:?}: {e}"));
            let unique: HashSet<i64> = items.iter().copied().collect();
            assert_eq!(unique.len(), items.len(), "{paging:?}: duplicate items");
            assert!(items.len() >= total, "every order has at least one item");
        }
        fake.shutdown().await;
    }

    #[tokio::test]
    async fn an_order_stream_survives_faults_with_each_order_once() {
        let (fake, client) = start(FakeConfig::default().payments(300)).await;
        let slug = fake.organization_slug().to_owned();
        let clean: Vec<i64> = client
            .orders(&slug)
            .list()
            .page_size(20)
            .items()
            .map_ok(|o| o.id.unwrap())
            .try_collect()
            .await
            .unwrap();
        fake.set_faults(
            FaultConfig::none()
                .server_errors(0.2, 503)
                .rate_limited(0.1, 0)
                .resets(0.1),
        );
        let faulted: Vec<i64> = client
            .orders(&slug)
            .list()
            .page_size(20)
            .items()
            .map_ok(|o| o.id.unwrap())
            .try_collect()
            .await
            .unwrap();
        assert_eq!(faulted, clean);
        let faults = fake.counters().faults;
        assert!(faults.server_error + faults.rate_limited + faults.connection_reset > 0);
        fake.shutdown().await;
    }

    #[tokio::test]
    async fn a_cancel_whose_answer_is_lost_is_executed_once_and_reported_unknown() {
        let (fake, client) = start(FakeConfig::default().payments(1500)).await;
        let slug = fake.organization_slug().to_owned();
        let order = client
            .orders(&slug)
            .form(FormType::Membership, "adhesion-2025-2026")
            .page_size(100)
            .items()
            .try_filter(|o| {
                futures::future::ready(o.payments.as_ref().is_some_and(|p| p.len() == 3))
            })
            .try_next()
            .await
            .unwrap()
            .expect("an order paid in instalments");
        fake.set_faults(FaultConfig::none().execute_then_drop(1.0));
        let error = client.order(order.id.unwrap()).cancel().await.unwrap_err();
        assert!(outcome_unknown(&error), "{error:?}");
        let counters = fake.counters();
        assert_eq!(counters.requests.cancel_order, 1, "never re-sent");
        assert_eq!(counters.orders_canceled, 1);
        fake.set_faults(FaultConfig::none());
        let after = client.order(order.id.unwrap()).get().await.unwrap();
        let states: Vec<String> = after
            .payments
            .unwrap()
            .iter()
            .map(|p| p.state.as_ref().unwrap().to_string())
            .collect();
        assert_eq!(states[1..], ["Canceled", "Canceled"]);
        fake.shutdown().await;
    }
}

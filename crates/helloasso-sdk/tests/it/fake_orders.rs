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
        .try_filter(|o| futures::future::ready(o.payments.as_ref().is_some_and(|p| p.len() == 3)))
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

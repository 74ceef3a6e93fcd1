//! A first sync holds exactly what the fake holds, into SQLite and into
//! PostgreSQL, with one request per page (plus the closing empty page).

use futures::TryStreamExt;
use helloasso_fake::FakeConfig;
use helloasso_sdk::Client;
use helloasso_sync::{Mirror, Resource};

use crate::pg::Pg;
use crate::support;

/// What the fake says it holds for `org`, by resource (its own counts).
async fn fake_counts(client: &Client, org: &str) -> [(Resource, i64); 4] {
    let payments = client
        .payments(org)
        .list()
        .with_count(true)
        .page_size(1)
        .send()
        .await
        .unwrap();
    let orders = client
        .orders(org)
        .list()
        .with_count(true)
        .page_size(1)
        .send()
        .await
        .unwrap();
    let items = client
        .items(org)
        .list()
        .with_count(true)
        .page_size(1)
        .send()
        .await
        .unwrap();
    let forms: Vec<_> = client
        .forms(org)
        .list()
        .items()
        .try_collect()
        .await
        .unwrap();
    [
        (Resource::Payments, payments.total_count.unwrap()),
        (Resource::Orders, orders.total_count.unwrap()),
        (Resource::Items, items.total_count.unwrap()),
        (Resource::Forms, forms.len() as i64),
    ]
}

async fn first_sync_matches_the_fake(db: &str) {
    let (fake, client) = support::fake(FakeConfig::default().payments(700)).await;
    let mirror = Mirror::open(db).await.unwrap();
    let report = mirror
        .sync(&client)
        .all_organizations(true)
        .run()
        .await
        .unwrap();
    let after = fake.counters().requests;
    let mut totals = std::collections::BTreeMap::new();
    for org in fake.organizations() {
        for (resource, n) in fake_counts(&client, &org).await {
            assert_eq!(
                mirror.count(resource, &org).await.unwrap(),
                n,
                "{org} {resource}"
            );
            *totals.entry(resource).or_insert(0) += n;
        }
    }
    for (resource, n) in totals {
        let c = report.counts(resource);
        assert_eq!(
            (c.new, c.changed, c.unchanged),
            (n as u64, 0, 0),
            "{resource}"
        );
    }
    // One request per page of 100 and one for the empty page that ends each
    // walk; no order is read again on a first run.
    let orgs = fake.organizations().len() as u64;
    let pages = |n: u64| n.div_ceil(100) + 1;
    // The partner's organizations: one page, then the empty one that ends it.
    let mut expected = 2;
    for org in fake.organizations() {
        for (resource, n) in fake_counts(&client, &org).await {
            let _ = resource;
            expected += pages(n as u64);
        }
    }
    assert_eq!(after.get_order, 0);
    assert_eq!(report.requests, expected, "{report}");
    let api = after.list_organization_payments
        + after.list_organization_orders
        + after.list_organization_items
        + after.list_forms
        + after.list_partner_organizations;
    assert_eq!(api, expected, "the fake's counters");
    assert!(orgs > 1);

    // A second run reads nothing again but the closing pages and the forms.
    let again = mirror
        .sync(&client)
        .all_organizations(true)
        .run()
        .await
        .unwrap();
    for r in [Resource::Payments, Resource::Orders, Resource::Items] {
        assert_eq!(again.counts(r), Default::default(), "{r}");
    }
    mirror.close().await;
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_sync_into_sqlite_holds_what_the_fake_holds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mirror.sqlite");
    first_sync_matches_the_fake(db.to_str().unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_sync_into_postgres_holds_what_the_fake_holds() {
    let Some(pg) = Pg::start() else { return };
    let url = pg.database("counts").await;
    first_sync_matches_the_fake(&url).await;
}

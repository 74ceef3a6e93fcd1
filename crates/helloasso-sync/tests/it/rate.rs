//! The run's request rate against a fake that enforces one: under the
//! limit no request is refused; past a tighter one the 429s are waited out
//! (`Retry-After`) and the mirror still holds exactly what the fake holds,
//! even with the SDK's own retries off (the sync asks again itself).

use futures::TryStreamExt;
use helloasso_fake::{FakeConfig, FaultConfig};
use helloasso_sync::{Mirror, Resource};

use crate::support;

/// The mirror holds as many payments, items and orders as the fake lists.
async fn mirror_matches_the_fake(fake: &helloasso_fake::FakeServer, mirror: &Mirror, org: &str) {
    let client = support::client(&fake.base_url(), fake.client_id(), fake.client_secret());
    let payments: Vec<_> = client
        .payments(org)
        .list()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        mirror.count(Resource::Payments, org).await.unwrap() as usize,
        payments.len()
    );
    let items: Vec<_> = client
        .items(org)
        .list()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        mirror.count(Resource::Items, org).await.unwrap() as usize,
        items.len()
    );
    let orders: Vec<_> = client
        .orders(org)
        .list()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        mirror.count(Resource::Orders, org).await.unwrap() as usize,
        orders.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_under_the_limit_gets_no_429() {
    let (fake, client) = support::fake(
        FakeConfig::default()
            .payments(300)
            .faults(FaultConfig::none().rate_limit(3.0)),
    )
    .await;
    let org = fake.organization_slug().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let mirror = Mirror::open(dir.path().join("m.sqlite").to_str().unwrap())
        .await
        .unwrap();
    // Four walks at once would pass 3 a second at once; paced, they don't.
    let report = mirror
        .sync(&client)
        .organization(&org)
        .max_rate(2.5)
        .run()
        .await
        .unwrap();
    assert_eq!(fake.counters().faults.rate_limited, 0, "{report}");
    assert!(
        report.requests > 6,
        "enough requests to pass the limit unpaced: {report}"
    );
    fake.set_faults(FaultConfig::none());
    mirror_matches_the_fake(&fake, &mirror, &org).await;
    mirror.close().await;
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_past_a_tighter_limit_still_completes_exactly() {
    let (fake, _) = support::fake(
        FakeConfig::default()
            .payments(600)
            .faults(FaultConfig::none().rate_limit(4.0)),
    )
    .await;
    let client = helloasso_sdk::Client::builder()
        .environment(helloasso_sdk::Environment::custom(&fake.base_url()).unwrap())
        .credentials(fake.client_id(), fake.client_secret().to_owned())
        .retry_policy(helloasso_sdk::RetryPolicy::disabled())
        .build()
        .unwrap();
    let org = fake.organization_slug().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let mirror = Mirror::open(dir.path().join("m.sqlite").to_str().unwrap())
        .await
        .unwrap();
    let report = mirror
        .sync(&client)
        .organization(&org)
        .max_rate(0.0)
        .run()
        .await
        .unwrap();
    assert!(
        fake.counters().faults.rate_limited > 0,
        "the limit was hit: {report}"
    );
    fake.set_faults(FaultConfig::none());
    mirror_matches_the_fake(&fake, &mirror, &org).await;
    let c = report.counts(Resource::Payments);
    assert_eq!(
        (c.new as i64, c.changed),
        (mirror.count(Resource::Payments, &org).await.unwrap(), 0),
        "{report}"
    );
    mirror.close().await;
    fake.shutdown().await;
}

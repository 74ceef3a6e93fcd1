//! A sync killed with SIGKILL midway, then run again, leaves the same
//! database as one uninterrupted run: nothing lost, nothing twice.

use std::time::{Duration, Instant};

use helloasso_fake::{FakeConfig, FaultConfig};
use helloasso_sync::{Mirror, Resource};

use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_midway_then_rerun_equals_an_uninterrupted_run() {
    let (fake, client) = support::fake(
        FakeConfig::default()
            .payments(1_500)
            .faults(FaultConfig::none().latency(40)),
    )
    .await;
    let org = fake.organization_slug().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let killed = dir.path().join("killed.sqlite");
    let killed = killed.to_str().unwrap();

    let mut child = support::spawn_child(&fake, killed, Some(&org));
    // Kill once a few pages of payments went out: the walks are midway.
    let deadline = Instant::now() + Duration::from_secs(120);
    while fake.counters().requests.list_organization_payments < 4 {
        assert!(Instant::now() < deadline, "the child never got going");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the child ended before it was killed"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no rollback by the child
    child.wait().unwrap();

    let mirror = Mirror::open(killed).await.unwrap();
    let partial = mirror.count(Resource::Payments, &org).await.unwrap();
    assert!(partial > 0, "killed midway: {partial} payments stored");
    let report = mirror.sync(&client).organization(&org).run().await.unwrap();
    // The rerun reads on from the cursor: it never meets what was stored.
    assert_eq!(report.counts(Resource::Payments).unchanged, 0, "{report}");
    mirror.close().await;

    let whole = dir.path().join("whole.sqlite");
    let whole = whole.to_str().unwrap();
    let mirror = Mirror::open(whole).await.unwrap();
    mirror.sync(&client).organization(&org).run().await.unwrap();
    let total = mirror.count(Resource::Payments, &org).await.unwrap();
    assert!(
        partial < total,
        "killed midway: {partial} of {total} payments stored"
    );
    mirror.close().await;

    let (a, b) = (support::dump(killed).await, support::dump(whole).await);
    for (table, rows) in &b {
        assert_eq!(a[table].len(), rows.len(), "{table}: row count");
        assert!(a[table] == *rows, "{table}: the rows differ");
    }
    fake.shutdown().await;
}

//! Two sync processes on one PostgreSQL database share the work: each walk
//! is taken by one of them (an advisory lock), so every page is fetched
//! once, and both finish (no deadlock).

use std::process::Child;
use std::time::{Duration, Instant};

use helloasso_fake::{FakeConfig, FaultConfig};
use helloasso_sync::{Mirror, Resource};

use crate::pg::Pg;
use crate::support;

/// Waits for a child with a deadline; its `REPORT` line, parsed.
fn finish(mut child: Child, deadline: Instant) -> serde_json::Value {
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                status.success(),
                "a sync process failed: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let line = stdout
                .lines()
                .find_map(|l| l.split_once("REPORT ").map(|(_, r)| r))
                .unwrap_or_else(|| panic!("no report from the child: {stdout}"));
            return serde_json::from_str(line).unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("a sync process is still running after the deadline: a deadlock?");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_postgres_fetch_every_page_once() {
    let Some(pg) = Pg::start() else { return };
    let url = pg.database("shared").await;
    // Latency keeps each walk going long enough for both processes to meet.
    let (fake, client) = support::fake(
        FakeConfig::default()
            .payments(900)
            .faults(FaultConfig::none().latency(250)),
    )
    .await;
    let org = fake.organization_slug().to_owned();
    // The schema first, so that the children race on the work only.
    Mirror::open(&url).await.unwrap().close().await;

    let a = support::spawn_child(&fake, &url, Some(&org));
    let b = support::spawn_child(&fake, &url, Some(&org));
    let deadline = Instant::now() + Duration::from_secs(180);
    let (ra, rb) = (finish(a, deadline), finish(b, deadline));

    // Each of the four walks was taken by one process, left by the other.
    let skipped = ra["skipped_walks"].as_u64().unwrap() + rb["skipped_walks"].as_u64().unwrap();
    assert_eq!(skipped, 4, "{ra}\n{rb}");

    fake.set_faults(FaultConfig::none());
    let listed = fake.counters().requests;
    let mirror = Mirror::open(&url).await.unwrap();
    let new = |resource: Resource| -> u64 {
        [&ra, &rb]
            .iter()
            .map(|r| {
                r["resources"][resource.as_str()]["new"]
                    .as_u64()
                    .unwrap_or(0)
            })
            .sum()
    };
    // Every page once: records / 100, plus the closing empty page.
    let pages = |n: i64| (n as u64).div_ceil(100) + 1;
    for (resource, requests) in [
        (Resource::Payments, listed.list_organization_payments),
        (Resource::Orders, listed.list_organization_orders),
        (Resource::Items, listed.list_organization_items),
        (Resource::Forms, listed.list_forms),
    ] {
        let held = mirror.count(resource, &org).await.unwrap();
        assert_eq!(new(resource), held as u64, "{resource}: stored once");
        assert_eq!(requests, pages(held), "{resource}: pages fetched");
    }
    assert!(mirror.count(Resource::Payments, &org).await.unwrap() > 100);
    assert_eq!(listed.get_order, 0);
    let _ = client;
    mirror.close().await;
    fake.shutdown().await;
}

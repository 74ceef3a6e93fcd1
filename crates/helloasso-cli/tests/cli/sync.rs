//! `helloasso sync` into SQLite: what the fake lists ends up in the file,
//! a second run finds nothing new, `--emit jsonl` is the change feed, and a
//! run killed with SIGKILL midway then run again leaves the same database
//! as a run never interrupted.

use std::process::Stdio;
use std::time::{Duration, Instant};

use helloasso_fake::{FakeConfig, FaultConfig};
use helloasso_sync::{Mirror, Resource};
use serde_json::Value;

use crate::common::{Fake, run};

const RESOURCES: [Resource; 4] = [
    Resource::Payments,
    Resource::Orders,
    Resource::Items,
    Resource::Forms,
];

fn block<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// Every document per resource, and the change feed's (resource, id) rows.
fn dump(path: &std::path::Path, org: &str) -> Vec<Vec<Value>> {
    block(async {
        let mirror = Mirror::open(path.to_str().unwrap()).await.unwrap();
        let mut all = Vec::new();
        for r in RESOURCES {
            all.push(mirror.documents(r, org).await.unwrap());
        }
        mirror.close().await;
        all
    })
}

fn count(path: &std::path::Path, resource: Resource, org: &str) -> i64 {
    block(async {
        let mirror = Mirror::open(path.to_str().unwrap()).await.unwrap();
        let n = mirror.count(resource, org).await.unwrap();
        mirror.close().await;
        n
    })
}

/// The line of `resource` in the closing report: (new, changed, unchanged).
fn report_line(stderr: &str, resource: &str) -> (u64, u64, u64) {
    let line = stderr
        .lines()
        .find(|l| l.split_whitespace().next() == Some(resource))
        .unwrap_or_else(|| panic!("no {resource} line in:\n{stderr}"));
    let n: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|x| x.parse().unwrap())
        .collect();
    (n[0], n[1], n[2])
}

#[test]
fn sync_fills_a_sqlite_file_and_a_second_run_finds_nothing_new() {
    let fake = Fake::start();
    let db = fake.path("mirror.sqlite");
    let org = fake.server.organization_slug().to_owned();
    let first = run(fake.cli().args(["sync", "--db", db.to_str().unwrap()]));
    first.ok();
    let payments = fake.server.payment_ids(None, usize::MAX).len();
    assert_eq!(
        report_line(&first.stderr, "payments").0 as usize,
        payments,
        "{}",
        first.stderr
    );
    assert_eq!(count(&db, Resource::Payments, &org) as usize, payments);
    assert!(first.stderr.contains("requests made:"), "{}", first.stderr);
    assert!(first.stdout.is_empty(), "the report goes to stderr");

    let second = run(fake
        .cli()
        .args(["sync", "--db", db.to_str().unwrap(), "--emit", "jsonl"]));
    second.ok();
    for r in ["payments", "orders", "items"] {
        let (new, changed, _) = report_line(&second.stderr, r);
        assert_eq!((new, changed), (0, 0), "{}", second.stderr);
    }
    assert!(
        second.stdout.is_empty(),
        "no change, no line: {}",
        second.stdout
    );
}

#[test]
fn emit_jsonl_prints_each_new_record_once_as_json() {
    let fake = Fake::start();
    let db = fake.path("mirror.sqlite");
    let out = run(fake
        .cli()
        .args(["sync", "--db", db.to_str().unwrap(), "--emit", "jsonl"]));
    out.ok();
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let payments: Vec<&Value> = lines
        .iter()
        .filter(|l| l["resource"] == "payments")
        .collect();
    assert_eq!(
        payments.len(),
        fake.server.payment_ids(None, usize::MAX).len()
    );
    let mut ids: Vec<&str> = payments.iter().map(|l| l["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), payments.len(), "each once");
    assert!(
        payments
            .iter()
            .all(|l| l["kind"] == "new" && l["record"]["id"].is_i64())
    );
}

#[test]
fn sync_without_an_organization_is_a_usage_error() {
    let fake = Fake::start();
    let out = run(fake.cli().env_remove("HELLOASSO_ORGANIZATION").args([
        "sync",
        "--db",
        fake.path("m.sqlite").to_str().unwrap(),
    ]));
    out.fails(2, "--all-organizations");
}

#[test]
fn a_run_killed_midway_then_run_again_equals_an_uninterrupted_run() {
    // Slow pages, so that the kill lands in the middle of the walk.
    let fake = Fake::with(
        FakeConfig::default()
            .seed(11)
            .payments(1_500)
            .faults(FaultConfig::none().latency(40)),
    );
    let org = fake.server.organization_slug().to_owned();
    let killed = fake.path("killed.sqlite");
    let whole = fake.path("whole.sqlite");

    let mut child = fake
        .cli()
        .args([
            "sync",
            "--db",
            killed.to_str().unwrap(),
            "--page-size",
            "20",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for some pages to be committed, then SIGKILL (no cleanup runs).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        std::thread::sleep(Duration::from_millis(100));
        if killed.exists() && count(&killed, Resource::Payments, &org) >= 100 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the first run stored nothing in 60 s"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before the kill"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let payments = fake.server.payment_ids(None, usize::MAX).len() as i64;
    let partial = count(&killed, Resource::Payments, &org);
    assert!(partial < payments, "killed midway: {partial} of {payments}");

    // The rerun continues from the stored cursors.
    let rerun = run(fake.cli().args([
        "sync",
        "--db",
        killed.to_str().unwrap(),
        "--page-size",
        "20",
    ]));
    rerun.ok();
    let (new, changed, _) = report_line(&rerun.stderr, "payments");
    assert_eq!(
        new as i64,
        payments - partial,
        "nothing twice:\n{}",
        rerun.stderr
    );
    assert_eq!(changed, 0, "{}", rerun.stderr);

    run(fake
        .cli()
        .args(["sync", "--db", whole.to_str().unwrap(), "--page-size", "20"]))
    .ok();
    let (a, b) = (dump(&killed, &org), dump(&whole, &org));
    for (i, r) in RESOURCES.iter().enumerate() {
        assert_eq!(a[i].len(), b[i].len(), "{r:?} count");
        assert!(a[i] == b[i], "{r:?} documents differ");
    }
}

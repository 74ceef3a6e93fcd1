//! `helloasso webhook listen --db`: notifications stored in the mirror's
//! database, beside `helloasso sync`, on the wire against the fake.
//!
//! - With the fake dropping and duplicating notifications and a sync running
//!   every few hundred milliseconds, the database ends equal to a fresh
//!   sync's, and each change reaches the change feed once.
//! - Each refused notification gets its documented answer and leaves no row.
//! - A listener killed between receipt and commit stores the notification
//!   once, on HelloAsso's retry.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use helloasso_fake::{FakeConfig, FaultConfig, WebhookConfig, WebhookDelivery};
use helloasso_sdk::{Cents, Client, Environment};
use helloasso_sync::{Mirror, Resource};
use serde_json::{Value, json};

use crate::common::{Fake, free_port, listen_webhook, run, stop_listener};

fn block<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// Starts `webhook listen --db` on `port` and waits (bounded) for it.
fn listen(fake: &Fake, port: u16, db: &Path, extra: &[&str]) -> Child {
    let args = [OsStr::new("--db"), db.as_os_str()]
        .into_iter()
        .chain(extra.iter().map(OsStr::new));
    listen_webhook(fake, port, args)
}

/// POSTs `body` over a plain socket; the status and the answer's body.
fn post(port: u16, body: &[u8], signature: Option<&str>) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let sig = signature
        .map(|v| format!("x-ha-signature: {v}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST / HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n{sig}content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    // A body past the limit may be refused before it is all read.
    let _ = s.write_all(body);
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn client(fake: &Fake) -> Client {
    Client::builder()
        .environment(Environment::custom(&fake.server.base_url()).unwrap())
        .credentials(
            fake.server.client_id(),
            fake.server.client_secret().to_owned(),
        )
        .build()
        .unwrap()
}

/// Creates a checkout intent and has the fake's payer pay it (the fake
/// then notifies an Order and a Payment); the payment's id.
fn pay_a_checkout(fake: &Fake, client: &Client) -> i64 {
    block(async {
        let created = client
            .checkout(fake.server.organization_slug())
            .intent("Adhésion", Cents(2500))
            .back_url("https://shop.example.org/cart")
            .error_url("https://shop.example.org/error")
            .return_url("https://shop.example.org/thanks")
            .create()
            .await
            .unwrap();
        // Through the fake's admin route, so that its notifications leave
        // from the fake's own runtime.
        let url = format!(
            "{}/_fake/checkout-intents/{}/pay",
            fake.server.base_url(),
            created.id
        );
        let paid: Value = reqwest::Client::new()
            .post(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        paid["paymentId"].as_i64().unwrap()
    })
}

fn refund(client: &Client, payment: i64) {
    block(async {
        client.payment(payment).refund().send().await.unwrap();
    })
}

/// Rows of one query on the mirror's SQLite file.
fn rows<T>(db: &Path, sql: &str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    block(async {
        let url = format!("sqlite://{}", db.display());
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let out = sqlx::query_as::<_, T>(sql).fetch_all(&pool).await.unwrap();
        pool.close().await;
        out
    })
}

/// Every document the mirror holds, per resource.
fn dump(db: &Path, org: &str) -> Vec<Vec<Value>> {
    block(async {
        let mirror = Mirror::open(db.to_str().unwrap()).await.unwrap();
        let mut all = Vec::new();
        for r in [
            Resource::Payments,
            Resource::Orders,
            Resource::Items,
            Resource::Forms,
        ] {
            all.push(mirror.documents(r, org).await.unwrap());
        }
        mirror.close().await;
        all
    })
}

fn sync(fake: &Fake, db: &Path) {
    run(fake.cli().args(["sync", "--db"]).arg(db)).ok();
}

#[test]
fn listener_and_periodic_sync_keep_the_database_exact_despite_drops_and_duplicates() {
    let fake = Fake::with(FakeConfig::default().seed(3).payments(30));
    let client = client(&fake);
    let db = fake.path("mirror.sqlite");
    let org = fake.server.organization_slug().to_owned();
    sync(&fake, &db);
    let seq_before: i64 = rows::<(i64,)>(&db, "SELECT COALESCE(MAX(seq), 0) FROM changes")[0].0;

    let port = free_port();
    fake.server.set_webhook(Some(WebhookConfig {
        url: format!("http://127.0.0.1:{port}/"),
        signature_key: None,
    }));
    fake.server.set_webhook_delivery(WebhookDelivery {
        drop_rate: 0.1,
        duplicate_rate: 0.1,
        retry_delays_ms: vec![200, 600, 1500],
        timeout_ms: 5_000,
        ..WebhookDelivery::default()
    });
    let listener = listen(&fake, port, &db, &[]);

    // A sync every 300 ms for as long as the notifications flow.
    let stop_syncs = Arc::new(AtomicBool::new(false));
    let sync_runs = Arc::new(AtomicUsize::new(0));
    let syncs = {
        let stop = Arc::clone(&stop_syncs);
        let count = Arc::clone(&sync_runs);
        let mut cmd = fake.cli();
        cmd.args(["sync", "--db"]).arg(&db);
        std::thread::spawn(move || {
            let mut runs = 0;
            while !stop.load(Ordering::Relaxed) {
                let out = cmd.output().unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                runs += 1;
                count.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(300));
            }
            runs
        })
    };

    let mut paid = Vec::new();
    for i in 0..20 {
        paid.push(pay_a_checkout(&fake, &client));
        if i % 4 == 3 {
            refund(&client, paid[i - 1]);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let refunded: BTreeSet<i64> = (0..20).filter(|i| i % 4 == 2).map(|i| paid[i]).collect();

    // Every notification not dropped was delivered (bounded wait).
    let deadline = Instant::now() + Duration::from_secs(30);
    let log = loop {
        let log = fake.server.webhook_log();
        if log.iter().all(|e| e.dropped || e.delivered >= e.copies) {
            break log;
        }
        assert!(Instant::now() < deadline, "undelivered: {log:?}");
        std::thread::sleep(Duration::from_millis(100));
    };
    // The periodic sync ran at least twice, however slow the machine or
    // its request rate (bounded wait).
    let deadline = Instant::now() + Duration::from_secs(60);
    while sync_runs.load(Ordering::Relaxed) < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    stop_syncs.store(true, Ordering::Relaxed);
    let runs = syncs.join().unwrap();
    assert!(runs >= 2, "the periodic sync ran {runs} times");
    sync(&fake, &db);
    let printed = stop_listener(listener);

    // The faults did happen.
    assert_eq!(log.len(), 20 * 2 + refunded.len(), "{log:?}");
    let dropped = log.iter().filter(|e| e.dropped).count();
    let doubled = log.iter().filter(|e| e.copies == 2).count();
    assert!(
        dropped >= 2 && doubled >= 2,
        "{dropped} dropped, {doubled} duplicated"
    );

    // The database equals what a fresh sync of the fake's state gives.
    let fresh = fake.path("fresh.sqlite");
    sync(&fake, &fresh);
    let (mine, theirs) = (dump(&db, &org), dump(&fresh, &org));
    for (kind, (a, b)) in mine.iter().zip(&theirs).enumerate() {
        assert_eq!(a.len(), b.len(), "resource #{kind}: counts differ");
        let differ: Vec<String> = a
            .iter()
            .zip(b)
            .filter(|(x, y)| x != y)
            .map(|(x, y)| format!("{}: mirror {x}\nfresh {y}", x["id"]))
            .collect();
        assert!(
            differ.is_empty(),
            "resource #{kind}:\n{}",
            differ.join("\n")
        );
    }

    // Each notification delivered was acted on once: one line, one row.
    let delivered = log.iter().filter(|e| !e.dropped).count();
    assert_eq!(printed.lines().count(), delivered, "{printed}");
    let stored: Vec<(String,)> = rows(&db, "SELECT key FROM notifications");
    assert_eq!(stored.len(), delivered);

    // Each change reached the feed once, from whichever process saw it
    // first: a new payment once, a refund once, nothing for a duplicate.
    let feed: Vec<(String, String, String)> = rows(
        &db,
        &format!(
            "SELECT resource, record_id, kind FROM changes WHERE seq > {seq_before} \
             ORDER BY seq"
        ),
    );
    let mut per_record: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for row in &feed {
        *per_record.entry(row.clone()).or_default() += 1;
    }
    let twice: Vec<_> = per_record.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "changes recorded twice: {twice:?}");
    for p in &paid {
        let kinds: Vec<&str> = feed
            .iter()
            .filter(|(r, id, _)| r == "payments" && *id == p.to_string())
            .map(|(_, _, k)| k.as_str())
            .collect();
        // A payment first seen after its refund (both of its earlier
        // notifications lost, no sync in between) is new once, refunded.
        let ok = match kinds.as_slice() {
            ["new"] => true,
            ["new", "changed"] => refunded.contains(p),
            _ => false,
        };
        assert!(ok, "payment {p}: {kinds:?}");
    }
}

/// A payment notification as HelloAsso would send it for `payment`.
fn payment_body(client: &Client, payment: i64) -> Vec<u8> {
    let doc = block(async { client.payment(payment).get().send().await.unwrap() });
    serde_json::to_vec(&json!({ "eventType": "Payment", "data": doc })).unwrap()
}

#[test]
fn refused_notifications_get_their_answer_and_leave_no_row() {
    let fake = Fake::with(FakeConfig::default().seed(4).payments(10));
    let client = client(&fake);
    let db = fake.path("mirror.sqlite");
    let payment = fake.server.payment_ids(None, 1)[0];
    let body = payment_body(&client, payment);
    let key = "db-listen-key";

    // A partner's listener: signed notifications, read back all the same.
    let port = free_port();
    let partner = listen(&fake, port, &db, &["--key", key, "--max-body", "65536"]);
    let forged = helloasso_sdk::webhooks::sign(&body, b"not-the-key");
    let (status, answer) = post(port, &body, Some(&forged));
    assert_eq!(
        (status, answer.as_str()),
        (401, r#"{"outcome":"bad_signature"}"#)
    );
    let good = helloasso_sdk::webhooks::sign(&body, key.as_bytes());
    assert_eq!(post(port, &body, Some(&good)).0, 200);
    let (status, answer) = post(port, &body, Some(&good));
    assert_eq!(
        (status, answer.as_str()),
        (200, r#"{"outcome":"duplicate"}"#)
    );
    // Acted on (acknowledged) before it stops: not handed out again.
    let deadline = Instant::now() + Duration::from_secs(10);
    while rows::<(String,)>(
        &db,
        "SELECT key FROM notifications WHERE handled_at IS NOT NULL",
    )
    .is_empty()
    {
        assert!(Instant::now() < deadline, "never acknowledged");
        std::thread::sleep(Duration::from_millis(50));
    }
    let printed = stop_listener(partner);
    assert_eq!(printed.lines().count(), 1, "{printed}");

    // An association's listener: nothing signed, everything read back.
    let port = free_port();
    let association = listen(&fake, port, &db, &["--max-body", "4096"]);
    let mut unknown_payment: Value = serde_json::from_slice(&body).unwrap();
    unknown_payment["data"]["id"] = json!(987_654_321);
    let unknown_payment = serde_json::to_vec(&unknown_payment).unwrap();
    let (status, answer) = post(port, &unknown_payment, None);
    assert_eq!(
        (status, answer.as_str()),
        (200, r#"{"outcome":"unconfirmed"}"#)
    );
    let (status, answer) = post(port, &body, None);
    assert_eq!(
        (status, answer.as_str()),
        (200, r#"{"outcome":"duplicate"}"#)
    );
    let unknown_type = br#"{"eventType":"Membership","data":{"id":1}}"#;
    let (status, answer) = post(port, unknown_type, None);
    assert_eq!(
        (status, answer.as_str()),
        (200, r#"{"outcome":"unknown_event_type"}"#)
    );
    let mut oversized = serde_json::from_slice::<Value>(&body).unwrap();
    oversized["data"]["padding"] = json!("x".repeat(8192));
    let (status, answer) = post(port, &serde_json::to_vec(&oversized).unwrap(), None);
    assert_eq!(
        (status, answer.as_str()),
        (413, r#"{"outcome":"too_large"}"#)
    );
    let printed = stop_listener(association);
    assert_eq!(printed, "", "nothing new was stored");

    // One notification stored, one payment, one feed row: the refused ones
    // left nothing.
    let stored: Vec<(String, String)> =
        rows(&db, "SELECT event_type, object_id FROM notifications");
    assert_eq!(stored, vec![("Payment".to_owned(), payment.to_string())]);
    let payments: Vec<(i64,)> = rows(&db, "SELECT id FROM payments");
    assert_eq!(payments, vec![(payment,)]);
    let feed: Vec<(String, String)> = rows(&db, "SELECT resource, record_id FROM changes");
    assert_eq!(feed, vec![("payments".to_owned(), payment.to_string())]);
}

#[test]
fn a_listener_killed_between_receipt_and_commit_stores_it_once_after_the_retry() {
    let fake = Fake::with(FakeConfig::default().seed(5).payments(10));
    let client = client(&fake);
    let db = fake.path("mirror.sqlite");
    let port = free_port();
    fake.server.set_webhook(Some(WebhookConfig {
        url: format!("http://127.0.0.1:{port}/"),
        signature_key: None,
    }));
    fake.server.set_webhook_delivery(WebhookDelivery {
        retry_delays_ms: vec![2_500, 2_500, 2_500],
        timeout_ms: 1_000,
        ..WebhookDelivery::default()
    });
    let listener = listen(&fake, port, &db, &[]);
    // Reading the payment back takes 3 s: the listener holds the
    // notification, received but not committed, when it is killed.
    fake.server.set_faults(FaultConfig::none().latency(3_000));
    let refunded = fake
        .server
        .payment_ids(Some(helloasso_fake::PaymentState::Authorized), 1)[0];
    refund(&client, refunded);
    let deadline = Instant::now() + Duration::from_secs(10);
    while fake.server.webhook_log().iter().all(|e| e.attempts == 0) {
        assert!(Instant::now() < deadline, "never delivered");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let printed = stop_listener(listener);
    assert_eq!(printed, "");
    let stored: Vec<(String,)> = rows(&db, "SELECT key FROM notifications");
    assert!(stored.is_empty(), "committed before the kill: {stored:?}");

    // Started again; HelloAsso tries again.
    fake.server.set_faults(FaultConfig::none());
    let listener = listen(&fake, port, &db, &[]);
    let deadline = Instant::now() + Duration::from_secs(15);
    while fake.server.webhook_log().iter().all(|e| e.delivered == 0) {
        assert!(Instant::now() < deadline, "{:?}", fake.server.webhook_log());
        std::thread::sleep(Duration::from_millis(50));
    }
    let printed = stop_listener(listener);
    assert_eq!(printed.lines().count(), 1, "{printed}");
    let stored: Vec<(String, String)> =
        rows(&db, "SELECT event_type, object_id FROM notifications");
    assert_eq!(stored, vec![("Payment".to_owned(), refunded.to_string())]);
    let feed: Vec<(String, String)> = rows(&db, "SELECT resource, record_id FROM changes");
    assert_eq!(feed, vec![("payments".to_owned(), refunded.to_string())]);
    let doc = block(async {
        let mirror = Mirror::open(db.to_str().unwrap()).await.unwrap();
        let doc = mirror.payment(refunded).await.unwrap();
        mirror.close().await;
        doc
    })
    .unwrap();
    assert_eq!(doc["state"], "Refunded");
}

//! Writers of one record at the same instant (a `webhook listen` and a
//! sync on one database): one change is stored once and gets one feed
//! row, however many write it.

use std::sync::Arc;

use helloasso_sync::Mirror;
use serde_json::{Value, json};
use tokio::sync::Barrier;

use crate::pg::Pg;

/// Versions of the record, each written by every writer at once.
const ROUNDS: i64 = 25;
/// Writers per round, over two mirrors (two processes' pools).
const WRITERS: usize = 16;

/// Version `v` of one payment (its amount and update date move on).
fn payment(v: i64) -> Value {
    json!({
        "id": 4242,
        "order": { "id": 77, "formType": "Membership", "formSlug": "adhesion" },
        "payer": { "email": "payer@example.org" },
        "amount": 1000 + v,
        "state": "Authorized",
        "date": "2025-01-10T10:00:00+01:00",
        "meta": {
            "createdAt": "2025-01-10T10:00:00+01:00",
            "updatedAt": format!("2025-01-10T10:{:02}:00+01:00", v % 60),
        },
    })
}

/// Every round: all writers store the same version together, released at
/// once by a barrier; exactly one of them reports it written. At the end
/// the feed holds one row per version, the first `new`, the rest `changed`.
async fn one_feed_row_per_change(location: &str) {
    let mirrors = [
        Mirror::open(location).await.unwrap(),
        Mirror::open(location).await.unwrap(),
    ];
    for v in 0..ROUNDS {
        let doc = payment(v);
        let start = Arc::new(Barrier::new(WRITERS));
        let writers: Vec<_> = (0..WRITERS)
            .map(|i| {
                let mirror = mirrors[i % 2].clone();
                let doc = doc.clone();
                let start = start.clone();
                tokio::spawn(async move {
                    start.wait().await;
                    mirror.upsert_payment("club", doc).await.unwrap()
                })
            })
            .collect();
        let mut written = 0;
        for w in writers {
            written += usize::from(w.await.unwrap());
        }
        assert_eq!(written, 1, "version {v} reported written {written} times");
    }
    let feed = feed_rows(&mirrors[0], location).await;
    let expected: Vec<(String, String)> = (0..ROUNDS)
        .map(|v| {
            let kind = if v == 0 { "new" } else { "changed" };
            ("4242".to_owned(), kind.to_owned())
        })
        .collect();
    assert_eq!(feed, expected);
    assert_eq!(
        mirrors[0].payment(4242).await.unwrap(),
        Some(payment(ROUNDS - 1))
    );
    for m in mirrors {
        m.close().await;
    }
}

/// The feed's rows in order: record id and kind.
async fn feed_rows(mirror: &Mirror, location: &str) -> Vec<(String, String)> {
    use sqlx::Connection;
    let sql = "SELECT record_id, kind FROM changes ORDER BY seq";
    match mirror.backend() {
        helloasso_sync::Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(location).await.unwrap();
            sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
        }
        _ => {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{location}"))
                .await
                .unwrap();
            sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_of_one_change_on_postgres_write_one_feed_row() {
    let Some(pg) = Pg::start() else { return };
    let url = pg.database("one_change").await;
    one_feed_row_per_change(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_of_one_change_on_sqlite_write_one_feed_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mirror.sqlite");
    one_feed_row_per_change(path.to_str().unwrap()).await;
}

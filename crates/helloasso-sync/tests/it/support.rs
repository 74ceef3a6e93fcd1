//! What the tests share: the fake with a client on it, a child process
//! running one sync, and a dump of a mirror's tables for comparisons.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};

use helloasso_fake::{FakeConfig, FakeServer};
use helloasso_sdk::{Client, Environment};

pub async fn fake(config: FakeConfig) -> (FakeServer, Client) {
    let fake = helloasso_fake::start(config)
        .await
        .expect("the fake starts");
    let client = client(&fake.base_url(), fake.client_id(), fake.client_secret());
    (fake, client)
}

pub fn client(base_url: &str, id: &str, secret: &str) -> Client {
    Client::builder()
        .environment(Environment::custom(base_url).expect("a loopback URL"))
        .credentials(id, secret.to_owned())
        .build()
        .expect("a client")
}

/// Starts this test binary again as a child that runs one sync
/// (`child_sync`) of `org` (`None`: every organization) into `db`.
pub fn spawn_child(fake: &FakeServer, db: &str, org: Option<&str>) -> Child {
    let exe = std::env::current_exe().expect("the test binary");
    Command::new(exe)
        .args([
            "child_sync",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("SYNC_CHILD_DB", db)
        .env("SYNC_CHILD_URL", fake.base_url())
        .env("SYNC_CHILD_ID", fake.client_id())
        .env("SYNC_CHILD_SECRET", fake.client_secret())
        .env("SYNC_CHILD_ORG", org.unwrap_or(""))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the child starts")
}

/// The child's side: one sync run; prints its report as JSON on a line
/// starting with `REPORT `.
pub async fn child_main() {
    let Ok(db) = std::env::var("SYNC_CHILD_DB") else {
        return;
    };
    let url = std::env::var("SYNC_CHILD_URL").unwrap();
    let client = client(
        &url,
        &std::env::var("SYNC_CHILD_ID").unwrap(),
        &std::env::var("SYNC_CHILD_SECRET").unwrap(),
    );
    let mirror = helloasso_sync::Mirror::open(&db).await.expect("open");
    let org = std::env::var("SYNC_CHILD_ORG").unwrap_or_default();
    let sync = if org.is_empty() {
        mirror.sync(&client).all_organizations(true)
    } else {
        mirror.sync(&client).organization(org)
    };
    let report = sync.run().await.expect("the child's sync");
    println!("REPORT {}", serde_json::to_string(&report).unwrap());
}

/// Every table's rows as `key -> document or values`, in key order: two
/// mirrors with the same dump hold the same data.
pub async fn dump(db: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let queries = [
        (
            "payments",
            "SELECT CAST(id AS TEXT), CAST(doc AS TEXT) FROM payments ORDER BY id",
        ),
        (
            "orders",
            "SELECT CAST(id AS TEXT), CAST(doc AS TEXT) FROM orders ORDER BY id",
        ),
        (
            "items",
            "SELECT CAST(id AS TEXT), CAST(doc AS TEXT) FROM items ORDER BY id",
        ),
        (
            "forms",
            "SELECT organization_slug || '/' || form_type || '/' || form_slug, CAST(doc AS TEXT) \
             FROM forms ORDER BY 1",
        ),
        (
            "payouts",
            "SELECT CAST(id AS TEXT), CAST(payment_count AS TEXT) || ' ' || CAST(amount_cents AS TEXT) \
             FROM payouts ORDER BY id",
        ),
        (
            "payout_payments",
            "SELECT CAST(payout_id AS TEXT) || '/' || CAST(payment_id AS TEXT), organization_slug \
             FROM payout_payments ORDER BY payout_id, payment_id",
        ),
        (
            "item_custom_fields",
            "SELECT CAST(item_id AS TEXT) || '/' || CAST(position AS TEXT), COALESCE(answer, '') \
             FROM item_custom_fields ORDER BY item_id, position",
        ),
        (
            "cursors",
            "SELECT organization_slug || '/' || resource, COALESCE(continuation_token, '') \
             FROM sync_cursors ORDER BY 1",
        ),
        (
            "changes",
            "SELECT resource || '/' || record_id, kind FROM changes ORDER BY 1, 2",
        ),
        (
            "pending_orders",
            "SELECT CAST(order_id AS TEXT), organization_slug FROM pending_orders ORDER BY 1",
        ),
    ];
    let mut out = BTreeMap::new();
    if db.starts_with("postgres://") {
        let pool = sqlx::PgPool::connect(db).await.unwrap();
        for (name, sql) in queries {
            let rows: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
            out.insert(name.to_owned(), rows);
        }
        pool.close().await;
    } else {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{db}"))
            .await
            .unwrap();
        for (name, sql) in queries {
            let rows: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
            out.insert(name.to_owned(), rows);
        }
        pool.close().await;
    }
    out
}

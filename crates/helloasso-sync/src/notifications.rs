//! Notifications stored in the mirror: the SDK's [`NotificationStore`] on
//! the mirror's database, so that a listener (`helloasso webhook listen
//! --db`) and a sync keep one database.
//!
//! Storing a notification is one transaction: its row in `notifications`
//! (keyed by the SHA-256 of the raw body), and its object in the mirror's
//! tables with a feed row when it is new or changed, exactly as a sync
//! stores what it lists. Killed before the commit, nothing was stored, the
//! receiver never answered 200, and HelloAsso's retry (or the next sync)
//! brings it; a replay finds its key and is not acted on again; an object
//! the sync stored already is unchanged and gets no second feed row.
//!
//! Payments and orders go into their tables (a payment also queues its
//! order to be read again, as in a sync). Forms and organizations are kept
//! in `notifications` only: a notified form is its public page, not the
//! listing's shape the `forms` table holds, and the next sync reads the
//! form listing whole.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use helloasso_sdk::webhooks::{NotificationStore, StoreError, StoredNotification};
use serde_json::Value;

use crate::clock::now_text;
use crate::db::{Pool, Tx, exec, fetch_all};
use crate::error::{Error, Result};
use crate::resource::{Resource, order_of};
use crate::store::{self, Outcome};

/// A [`NotificationStore`] writing into a [`Mirror`](crate::Mirror)'s
/// database. Build it with [`Mirror::notification_store`](crate::Mirror::notification_store).
#[derive(Debug, Clone)]
pub struct MirrorNotificationStore {
    pool: Pool,
    organization: Option<String>,
}

impl MirrorNotificationStore {
    pub(crate) fn new(pool: Pool, organization: Option<String>) -> Self {
        MirrorNotificationStore { pool, organization }
    }

    /// The organization a notification's object belongs to: as its data
    /// says, else the one the store was built for.
    fn organization_of(&self, n: &StoredNotification) -> Option<String> {
        let ptr = match n.event_type.as_str() {
            "Payment" => "/order/organizationSlug",
            _ => "/organizationSlug",
        };
        n.data
            .pointer(ptr)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .or_else(|| self.organization.clone())
    }

    async fn insert_tx(&self, n: &StoredNotification) -> Result<bool> {
        let org = self.organization_of(n);
        let mut tx = self.pool.begin().await?;
        // The notification's row first: on SQLite this takes the write lock,
        // so what is read below cannot change before the commit.
        let inserted = exec!(
            tx.conn(),
            "INSERT INTO notifications \
             (key, organization_slug, event_type, object_id, received_at, data, metadata) \
             VALUES ($1, $2, $3, $4, $5::timestamptz, $6::jsonb, $7::jsonb) \
             ON CONFLICT (key) DO NOTHING",
            n.key.clone(),
            org.clone(),
            n.event_type.clone(),
            n.object_id.clone(),
            n.received_at.to_rfc3339(),
            n.data.to_string(),
            n.metadata.as_ref().map(Value::to_string),
        )?;
        if inserted == 0 {
            return Ok(false);
        }
        if let Some(org) = org {
            apply(&mut tx, &org, n).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn pending_rows(&self) -> Result<Vec<StoredNotification>> {
        let mut c = self.pool.acquire().await?;
        type Row = (String, String, String, String, String, Option<String>);
        let rows: Vec<Row> = fetch_all!(
            c.conn(),
            Row,
            "SELECT key, event_type, object_id, CAST(received_at AS TEXT), \
             CAST(data AS TEXT), CAST(metadata AS TEXT) \
             FROM notifications WHERE handled_at IS NULL ORDER BY received_at, key"
        )?;
        rows.into_iter()
            .map(
                |(key, event_type, object_id, received_at, data, metadata)| {
                    let bad = || Error::StoredDocument("notifications");
                    let data: Value = serde_json::from_str(&data).map_err(|_| bad())?;
                    let metadata = metadata
                        .map(|m| serde_json::from_str(&m))
                        .transpose()
                        .map_err(|_| bad())?;
                    let received_at = parse_time(&received_at).ok_or_else(bad)?;
                    Ok(stored(
                        key,
                        event_type,
                        object_id,
                        received_at,
                        data,
                        metadata,
                    ))
                },
            )
            .collect()
    }

    async fn mark(&self, key: &str) -> Result<()> {
        let mut c = self.pool.acquire().await?;
        exec!(
            c.conn(),
            "UPDATE notifications SET handled_at = $2::timestamptz WHERE key = $1",
            key.to_owned(),
            now_text(),
        )?;
        Ok(())
    }
}

/// Writes the notification's object into the mirror's tables, inside the
/// notification's transaction.
async fn apply(tx: &mut Tx, org: &str, n: &StoredNotification) -> Result<()> {
    let resource = match n.event_type.as_str() {
        "Payment" => Resource::Payments,
        "Order" => Resource::Orders,
        _ => return Ok(()),
    };
    let order = order_of(resource, &n.data);
    if let Outcome::Written(_) = store::upsert(tx.conn(), org, resource, n.data.clone()).await?
        && let Some(order) = order
    {
        // Always: a payment new to the mirror may already be refunded while
        // the stored order still shows it paid (its first notification was
        // lost), which the sync's rule for new payments does not catch.
        exec!(
            tx.conn(),
            "INSERT INTO pending_orders (order_id, organization_slug) VALUES ($1, $2) \
             ON CONFLICT (order_id) DO NOTHING",
            order,
            org.to_owned(),
        )?;
    }
    Ok(())
}

/// A stored notification rebuilt from its row (the SDK's type is built
/// from a body; the row's key and time replace what that gives).
fn stored(
    key: String,
    event_type: String,
    object_id: String,
    received_at: DateTime<Utc>,
    data: Value,
    metadata: Option<Value>,
) -> StoredNotification {
    let notification = helloasso_sdk::Notification::Unknown {
        event_type: event_type.clone(),
        data: data.clone(),
    };
    let mut n = StoredNotification::new(b"", &notification, metadata, received_at);
    n.key = key;
    n.event_type = event_type;
    n.object_id = object_id;
    n.data = data;
    n
}

/// A date as either database gives it back as text: RFC 3339 (SQLite) or
/// PostgreSQL's `2026-01-05 10:00:00.123+00`.
pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%#z"))
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn store_error(e: Error) -> StoreError {
    StoreError::new(e.to_string())
}

impl NotificationStore for MirrorNotificationStore {
    fn contains<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let mut c = self.pool.acquire().await.map_err(store_error)?;
            let found: Vec<(String,)> = fetch_all!(
                c.conn(),
                (String,),
                "SELECT key FROM notifications WHERE key = $1",
                key.to_owned()
            )
            .map_err(|e| store_error(e.into()))?;
            Ok(!found.is_empty())
        })
    }

    fn insert<'a>(
        &'a self,
        notification: &'a StoredNotification,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move { self.insert_tx(notification).await.map_err(store_error) })
    }

    fn pending(&self) -> BoxFuture<'_, Result<Vec<StoredNotification>, StoreError>> {
        Box::pin(async move { self.pending_rows().await.map_err(store_error) })
    }

    fn mark_handled<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { self.mark(key).await.map_err(store_error) })
    }
}

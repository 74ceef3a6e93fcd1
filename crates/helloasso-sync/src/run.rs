//! One sync run: each organization's listings walked page by page, each
//! page stored in one transaction together with the cursor that follows it,
//! then the orders whose items or payments changed read again.
//!
//! Killed at any point, a run loses at most the page in flight: its
//! transaction never committed, so the next run asks for it again from the
//! stored token. Nothing is stored twice (records are keyed by id) and the
//! feed gets each change once (its row is in the same transaction).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use helloasso_sdk::Client;
use helloasso_sdk::follow_up::FollowUpSchedule;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::checkouts;
use crate::cursor;
use crate::db::{Conn, Pool, exec, fetch_all, fetch_optional};
use crate::error::Result;
use crate::feed::{Change, ChangeKind};
use crate::fetch;
use crate::report::{Counts, Report};
use crate::resource::Resource;
use crate::store::{self, Outcome};
use crate::stream::Msg;

/// The listings walked, each by its own task.
const WALKED: [Resource; 4] = [
    Resource::Forms,
    Resource::Orders,
    Resource::Items,
    Resource::Payments,
];

/// Orders read again per transaction.
const ORDER_BATCH: i64 = 20;

/// What every task of a run shares.
pub(crate) struct Ctx {
    pub pool: Pool,
    pub client: Client,
    pub page_size: u32,
    pub requests: AtomicU64,
    pub feed: Option<mpsc::Sender<Msg>>,
    pub follow_up: FollowUpSchedule,
}

impl Ctx {
    async fn emit(&self, changes: Vec<Change>) {
        if let Some(tx) = &self.feed {
            for c in changes {
                // A caller that dropped the stream only stops listening;
                // the run and its feed table go on.
                let _ = tx.send(Msg::Change(Box::new(c))).await;
            }
        }
    }
}

/// Syncs one organization.
pub(crate) async fn organization(ctx: Arc<Ctx>, org: String) -> Result<Report> {
    // Walks completed before this run started: a walk that completes after
    // it (by another process) covers what this run would fetch.
    let mut before = Vec::new();
    {
        let mut c = ctx.pool.acquire().await?;
        for r in WALKED {
            before.push(cursor::load(c.conn(), &org, r).await?.completed_walks);
        }
    }
    let walks = WALKED
        .iter()
        .zip(before)
        .map(|(r, b)| walk(ctx.clone(), org.clone(), *r, b));
    let results = futures::future::try_join_all(walks).await?;
    let mut report = Report {
        organizations: vec![org.clone()],
        ..Report::default()
    };
    for (r, (counts, skipped)) in WALKED.iter().zip(results) {
        report.add(*r, counts);
        report.skipped_walks += u64::from(skipped);
    }
    // Before the orders are read again: a paid intent queues its order.
    let checks = checkouts::follow_up(&ctx.pool, &ctx.client, &org, &ctx.follow_up).await?;
    ctx.requests.fetch_add(checks, Ordering::Relaxed);
    let orders = reread_orders(&ctx, &org).await?;
    report.add(Resource::Orders, orders);
    let payouts = payout_counts(&ctx, &org).await?;
    report.add(Resource::Payouts, payouts);
    Ok(report)
}

/// Walks one listing from its cursor; `(counts, skipped)`.
async fn walk(
    ctx: Arc<Ctx>,
    org: String,
    resource: Resource,
    before: i64,
) -> Result<(Counts, bool)> {
    let mut counts = Counts::default();
    let id = {
        let mut c = ctx.pool.acquire().await?;
        cursor::load(c.conn(), &org, resource).await?.id
    };
    let Some(_lock) = cursor::try_lock(&ctx.pool, id).await? else {
        return Ok((counts, true));
    };
    let cur = {
        let mut c = ctx.pool.acquire().await?;
        cursor::load(c.conn(), &org, resource).await?
    };
    if cur.completed_walks > before {
        return Ok((counts, true));
    }
    let mut token = cur.token;
    loop {
        let page = fetch::page(&ctx.client, &org, resource, token.as_deref(), ctx.page_size).await;
        ctx.requests.fetch_add(1, Ordering::Relaxed);
        let page = page?;
        if page.docs.is_empty() {
            break;
        }
        let mut tx = ctx.pool.begin().await?;
        let mut changes = Vec::new();
        for doc in page.docs {
            let order = order_of(resource, &doc);
            match store::upsert(tx.conn(), &org, resource, doc).await? {
                Outcome::Unchanged => counts.unchanged += 1,
                Outcome::Written(change) => {
                    match change.kind {
                        ChangeKind::New => counts.new += 1,
                        ChangeKind::Changed => counts.changed += 1,
                    }
                    if let Some(order) = order {
                        queue_order(tx.conn(), &org, order, &change).await?;
                    }
                    changes.push(change);
                }
            }
        }
        cursor::advance(tx.conn(), cur.id, page.next.as_deref()).await?;
        tx.commit().await?;
        ctx.emit(changes).await;
        // A page without a way on, or one that points back at itself, ends
        // the walk (HelloAsso's last page may still carry a token).
        if page.next.is_none() || page.next == token {
            break;
        }
        token = page.next;
    }
    let mut c = ctx.pool.acquire().await?;
    cursor::complete(c.conn(), cur.id, resource == Resource::Forms).await?;
    Ok((counts, false))
}

/// The order an item or a payment belongs to.
pub(crate) fn order_of(resource: Resource, doc: &Value) -> Option<i64> {
    match resource {
        Resource::Items | Resource::Payments => doc.pointer("/order/id").and_then(Value::as_i64),
        _ => None,
    }
}

/// Queues an order to read again when `change` (an item or a payment) is
/// not yet in the stored order: a changed record always, a new one when its
/// order is already stored without it (a new order comes whole from the
/// orders listing).
async fn queue_order(mut conn: Conn<'_>, org: &str, order: i64, change: &Change) -> Result<()> {
    if change.kind == ChangeKind::New {
        let stored: Option<(String,)> = fetch_optional!(
            conn.reborrow(),
            (String,),
            "SELECT CAST(doc AS TEXT) FROM orders WHERE id = $1",
            order
        )?;
        let Some((stored,)) = stored else {
            return Ok(());
        };
        let list = match change.resource {
            Resource::Items => "items",
            _ => "payments",
        };
        let holds = serde_json::from_str::<Value>(&stored)
            .ok()
            .and_then(|v| v.get(list).and_then(Value::as_array).cloned())
            .is_some_and(|l| {
                l.iter().any(|x| {
                    x.get("id").and_then(Value::as_i64).map(|i| i.to_string())
                        == Some(change.id.clone())
                })
            });
        if holds {
            return Ok(());
        }
    }
    exec!(
        conn,
        "INSERT INTO pending_orders (order_id, organization_slug) VALUES ($1, $2) \
         ON CONFLICT (order_id) DO NOTHING",
        order,
        org,
    )?;
    Ok(())
}

/// Reads again the queued orders, a batch per transaction. On PostgreSQL
/// the rows are claimed with `FOR UPDATE SKIP LOCKED`, so processes share
/// the queue without reading an order twice.
async fn reread_orders(ctx: &Ctx, org: &str) -> Result<Counts> {
    let mut counts = Counts::default();
    let claim = match ctx.pool {
        Pool::Sqlite(_) => {
            "SELECT order_id FROM pending_orders WHERE organization_slug = $1 \
             ORDER BY order_id LIMIT $2"
        }
        Pool::Pg(_) => {
            "SELECT order_id FROM pending_orders WHERE organization_slug = $1 \
             ORDER BY order_id LIMIT $2 FOR UPDATE SKIP LOCKED"
        }
    };
    loop {
        let mut tx = ctx.pool.begin().await?;
        let ids: Vec<(i64,)> = fetch_all!(tx.conn(), (i64,), claim, org, ORDER_BATCH)?;
        if ids.is_empty() {
            break;
        }
        let mut changes = Vec::new();
        for (id,) in ids {
            let doc = fetch::order(&ctx.client, id).await;
            ctx.requests.fetch_add(1, Ordering::Relaxed);
            if let Some(doc) = doc? {
                match store::upsert(tx.conn(), org, Resource::Orders, doc).await? {
                    Outcome::Unchanged => counts.unchanged += 1,
                    Outcome::Written(change) => {
                        match change.kind {
                            ChangeKind::New => counts.new += 1,
                            ChangeKind::Changed => counts.changed += 1,
                        }
                        changes.push(change);
                    }
                }
            }
            exec!(
                tx.conn(),
                "DELETE FROM pending_orders WHERE order_id = $1",
                id
            )?;
        }
        tx.commit().await?;
        ctx.emit(changes).await;
    }
    Ok(counts)
}

/// Payouts are derived from payments: counted here as new when first seen
/// in this run. (The feed carries the payments that name them.)
async fn payout_counts(ctx: &Ctx, org: &str) -> Result<Counts> {
    let _ = (ctx, org);
    Ok(Counts::default())
}

/// Runs every organization in turn and adds the reports up.
pub(crate) async fn run(ctx: Arc<Ctx>, orgs: Vec<String>) -> Result<Report> {
    let mut report = Report::default();
    for org in orgs {
        let r = organization(ctx.clone(), org).await?;
        report.merge(&r);
    }
    report.requests = ctx.requests.load(Ordering::Relaxed);
    Ok(report)
}

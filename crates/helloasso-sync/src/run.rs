//! One sync run: each organization's listings walked page by page, each
//! page stored in one transaction together with the cursor that follows it,
//! then the orders whose items or payments changed read again.
//!
//! Killed at any point, a run loses at most the page in flight: its
//! transaction never committed, so the next run asks for it again from the
//! stored token. Nothing is stored twice (records are keyed by id) and the
//! feed gets each change once (its row is in the same transaction).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use helloasso_sdk::Client;
use helloasso_sdk::follow_up::FollowUpSchedule;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::checkouts;
use crate::cursor;
use crate::db::{Conn, Pool, Val, exec, exec_vals, fetch_all, fetch_texts, placeholders, tuples};
use crate::error::Result;
use crate::feed::{Change, ChangeKind};
use crate::fetch;
use crate::pace::Pacer;
use crate::report::{Counts, Report};
use crate::resource::{Resource, order_of};
use crate::store::{self, Outcome};
use crate::stream::Msg;
use crate::tally::PayoutTally;

/// The listings walked, each by its own task.
const WALKED: [Resource; 4] = [
    Resource::Forms,
    Resource::Orders,
    Resource::Items,
    Resource::Payments,
];

/// Orders read again per transaction.
const ORDER_BATCH: i64 = 20;

/// Orders named by one statement at most.
const ORDERS_PER_STATEMENT: usize = 200;

/// What every task of a run shares.
pub(crate) struct Ctx {
    pub pool: Pool,
    pub client: Client,
    pub page_size: u32,
    /// The request rate, and the count of requests made.
    pub pace: Pacer,
    /// The payouts this organization's run touched.
    pub payouts: PayoutTally,
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
    checkouts::follow_up(&ctx.pool, &ctx.client, &ctx.pace, &org, &ctx.follow_up).await?;
    let orders = reread_orders(&ctx, &org).await?;
    report.add(Resource::Orders, orders);
    let payouts = payout_counts(&ctx).await?;
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
    let mut page = fetch_page(&ctx, &org, resource, token.clone()).await?;
    while !page.docs.is_empty() {
        // A page without a way on, or one that points back at itself, ends
        // the walk (HelloAsso's last page may still carry a token).
        let next = page.next.clone().filter(|n| Some(n) != token.as_ref());
        // The next page is asked for while this one is stored: its token
        // is known, and the cursor still moves one stored page at a time.
        let ahead = async {
            match &next {
                Some(t) => Some(fetch_page(&ctx, &org, resource, Some(t.clone())).await),
                None => None,
            }
        };
        let (stored, ahead) = tokio::join!(store_page(&ctx, &org, resource, cur.id, page), ahead);
        let changes = stored?;
        counts.new += changes.0.new;
        counts.changed += changes.0.changed;
        counts.unchanged += changes.0.unchanged;
        ctx.emit(changes.1).await;
        match ahead {
            Some(p) => page = p?,
            None => break,
        }
        token = next;
    }
    let mut c = ctx.pool.acquire().await?;
    cursor::complete(c.conn(), cur.id, resource == Resource::Forms).await?;
    Ok((counts, false))
}

/// One page of a listing, at the run's pace.
async fn fetch_page(
    ctx: &Ctx,
    org: &str,
    resource: Resource,
    token: Option<String>,
) -> Result<fetch::Fetched> {
    ctx.pace
        .read(|| fetch::page(&ctx.client, org, resource, token.as_deref(), ctx.page_size))
        .await
}

/// Stores one page and the cursor after it in one transaction; its counts
/// and changes.
async fn store_page(
    ctx: &Ctx,
    org: &str,
    resource: Resource,
    cursor_id: i64,
    page: fetch::Fetched,
) -> Result<(Counts, Vec<Change>)> {
    let mut counts = Counts::default();
    let mut tx = ctx.pool.begin().await?;
    let orders: Vec<Option<i64>> = page.docs.iter().map(|d| order_of(resource, d)).collect();
    let outcomes =
        store::upsert_page(tx.conn(), org, resource, page.docs, Some(&ctx.payouts)).await?;
    let mut changes = Vec::new();
    let mut orders_of = Vec::new();
    for (outcome, order) in outcomes.into_iter().zip(orders) {
        match outcome {
            Outcome::Unchanged => counts.unchanged += 1,
            Outcome::Written(change) => {
                match change.kind {
                    ChangeKind::New => counts.new += 1,
                    ChangeKind::Changed => counts.changed += 1,
                }
                orders_of.push(order);
                changes.push(change);
            }
        }
    }
    let queue: Vec<(i64, &Change)> = orders_of
        .into_iter()
        .zip(&changes)
        .filter_map(|(o, c)| o.map(|o| (o, c)))
        .collect();
    queue_orders(tx.conn(), org, &queue).await?;
    cursor::advance(tx.conn(), cursor_id, page.next.as_deref()).await?;
    tx.commit().await?;
    Ok((counts, changes))
}

/// Queues orders to read again when a `change` (an item or a payment) is
/// not yet in its stored order: a changed record always, a new one when its
/// order is already stored without it (a new order comes whole from the
/// orders listing). Each `(order, change)`; the stored orders are read in
/// one statement.
async fn queue_orders(mut conn: Conn<'_>, org: &str, changes: &[(i64, &Change)]) -> Result<()> {
    /// What a stored order holds, and nothing else of it decoded.
    #[derive(serde::Deserialize)]
    struct Held {
        #[serde(default)]
        items: Vec<Id>,
        #[serde(default)]
        payments: Vec<Id>,
    }
    #[derive(serde::Deserialize)]
    struct Id {
        id: Option<i64>,
    }
    let mut new: Vec<i64> = changes
        .iter()
        .filter(|(_, c)| c.kind == ChangeKind::New)
        .map(|(o, _)| *o)
        .collect();
    new.sort_unstable();
    new.dedup();
    let mut stored: HashMap<i64, Held> = HashMap::new();
    for chunk in new.chunks(ORDERS_PER_STATEMENT) {
        let sql = format!(
            "SELECT CAST(id AS TEXT), CAST(doc AS TEXT) FROM orders WHERE id IN ({})",
            placeholders(1, chunk.len())
        );
        let vals = chunk.iter().map(|o| Val::Int(Some(*o))).collect();
        for row in fetch_texts(conn.reborrow(), &sql, vals, 2).await? {
            if let [Some(id), Some(doc)] = &row[..]
                && let Ok(id) = id.parse()
            {
                // A stored order that does not decode holds nothing known.
                let held = serde_json::from_str(doc).unwrap_or(Held {
                    items: Vec::new(),
                    payments: Vec::new(),
                });
                stored.insert(id, held);
            }
        }
    }
    let mut queued: Vec<i64> = changes
        .iter()
        .filter(|(order, change)| {
            if change.kind == ChangeKind::Changed {
                return true;
            }
            let Some(held) = stored.get(order) else {
                return false;
            };
            let list = match change.resource {
                Resource::Items => &held.items,
                _ => &held.payments,
            };
            !list
                .iter()
                .any(|x| x.id.map(|i| i.to_string()).as_ref() == Some(&change.id))
        })
        .map(|(o, _)| *o)
        .collect();
    queued.sort_unstable();
    queued.dedup();
    for chunk in queued.chunks(ORDERS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO pending_orders (order_id, organization_slug) VALUES {} \
             ON CONFLICT (order_id) DO NOTHING",
            tuples(chunk.len(), 2, &[])
        );
        let vals = chunk
            .iter()
            .flat_map(|o| [Val::Int(Some(*o)), Val::Text(Some(org.to_owned()))])
            .collect();
        exec_vals(conn.reborrow(), &sql, vals).await?;
    }
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
        // The batch is read at once (at the run's pace), then stored in order.
        let docs = futures::future::try_join_all(
            ids.iter()
                .map(|(id,)| ctx.pace.read(|| fetch::order(&ctx.client, *id))),
        )
        .await?;
        let found: Vec<Value> = docs.into_iter().flatten().collect();
        for outcome in store::upsert_page(tx.conn(), org, Resource::Orders, found, None).await? {
            if let Outcome::Written(change) = outcome {
                match change.kind {
                    ChangeKind::New => counts.new += 1,
                    ChangeKind::Changed => counts.changed += 1,
                }
                changes.push(change);
            } else {
                counts.unchanged += 1;
            }
        }
        for (id,) in ids {
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

/// Payouts are derived from payments: each one this organization's run
/// touched, against what it was before. (The feed carries the payments
/// that name them.)
async fn payout_counts(ctx: &Ctx) -> Result<Counts> {
    ctx.payouts.take_counts(&ctx.pool).await
}

/// Runs every organization in turn and adds the reports up.
pub(crate) async fn run(ctx: Arc<Ctx>, orgs: Vec<String>) -> Result<Report> {
    let mut report = Report::default();
    for org in orgs {
        let r = organization(ctx.clone(), org).await?;
        report.merge(&r);
    }
    report.requests = ctx.pace.requests.load(Ordering::Relaxed);
    Ok(report)
}

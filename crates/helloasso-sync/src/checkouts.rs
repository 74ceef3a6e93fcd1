//! Checkout intents the mirror follows up: each sync run reads back the
//! intents whose next check is due (the SDK's [`FollowUpSchedule`], counted
//! from the intent's creation) until they have an outcome, and after
//! payment until a refund or the last refund check.
//!
//! A payer who never comes back from the payment page, and whose
//! notifications are lost, still ends with an outcome in the database: the
//! paid order is queued to be read by id in the same run, and the intent's
//! row says `paid`, `refunded` or `no_payment`.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use helloasso_sdk::follow_up::{FollowUpSchedule, refunded};
use serde_json::Value;

use crate::clock::now_text;
use crate::db::{Conn, Pool, exec, fetch_all};
use crate::error::{Error, Result};
use crate::notifications::parse_time;
use crate::pace::Pacer;

/// Where a followed-up checkout intent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CheckoutState {
    /// No order yet; checks remain.
    Pending,
    /// The intent has an order (refund checks may remain).
    Paid,
    /// A payment of its order was refunded.
    Refunded,
    /// The last payment check found no order.
    NoPayment,
}

impl CheckoutState {
    fn as_str(self) -> &'static str {
        match self {
            CheckoutState::Pending => "pending",
            CheckoutState::Paid => "paid",
            CheckoutState::Refunded => "refunded",
            CheckoutState::NoPayment => "no_payment",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "pending" => CheckoutState::Pending,
            "paid" => CheckoutState::Paid,
            "refunded" => CheckoutState::Refunded,
            "no_payment" => CheckoutState::NoPayment,
            _ => return Err(Error::StoredDocument("checkout_intents")),
        })
    }
}

impl fmt::Display for CheckoutState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A checkout intent the mirror follows up.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TrackedCheckout {
    /// The checkout intent's id.
    pub id: i64,
    /// The organization's slug.
    pub organization: String,
    /// When the intent was created.
    pub created_at: DateTime<Utc>,
    /// Where it stands.
    pub outcome: CheckoutState,
    /// Its order, once paid.
    pub order_id: Option<i64>,
}

type Row = (i64, String, String, String, Option<i64>, i64);

const SELECT: &str = "SELECT id, organization_slug, CAST(created_at AS TEXT), outcome, order_id, \
                      checks_done FROM checkout_intents";

fn tracked(row: Row) -> Result<(TrackedCheckout, usize)> {
    let (id, organization, created_at, outcome, order_id, checks_done) = row;
    let created_at = parse_time(&created_at).ok_or(Error::StoredDocument("checkout_intents"))?;
    Ok((
        TrackedCheckout {
            id,
            organization,
            created_at,
            outcome: CheckoutState::parse(&outcome)?,
            order_id,
        },
        usize::try_from(checks_done).unwrap_or(0),
    ))
}

/// Adds an intent to follow up; `false` when it was there already.
pub(crate) async fn track(
    conn: Conn<'_>,
    org: &str,
    id: i64,
    created_at: DateTime<Utc>,
) -> Result<bool> {
    let n = exec!(
        conn,
        "INSERT INTO checkout_intents (id, organization_slug, created_at) \
         VALUES ($1, $2, $3::timestamptz) ON CONFLICT (id) DO NOTHING",
        id,
        org.to_owned(),
        created_at.to_rfc3339(),
    )?;
    Ok(n > 0)
}

/// One tracked intent.
pub(crate) async fn get(conn: Conn<'_>, id: i64) -> Result<Option<TrackedCheckout>> {
    let sql = format!("{SELECT} WHERE id = $1");
    let rows: Vec<Row> = fetch_all!(conn, Row, &sql, id)?;
    rows.into_iter()
        .next()
        .map(|r| tracked(r).map(|t| t.0))
        .transpose()
}

/// How many of `checks` are due `elapsed` after creation.
fn due(checks: &[Duration], elapsed: Duration) -> usize {
    checks.iter().filter(|c| **c <= elapsed).count()
}

/// Reads back the organization's intents whose next check is due and
/// stores what was found. The reads take their slots on `pace`, the run's
/// schedule (`Sync::max_rate`, 20 a second by default: docs/mirror.md
/// "Request rate"), so many intents due at once do not burst. An intent
/// that cannot be read now is left for the next run.
pub(crate) async fn follow_up(
    pool: &Pool,
    client: &helloasso_sdk::Client,
    pace: &Pacer,
    org: &str,
    schedule: &FollowUpSchedule,
) -> Result<()> {
    let open: Vec<Row> = {
        let mut c = pool.acquire().await?;
        let sql = format!(
            "{SELECT} WHERE organization_slug = $1 AND outcome IN ('pending', 'paid') ORDER BY id"
        );
        fetch_all!(c.conn(), Row, &sql, org.to_owned())?
    };
    let now = Utc::now();
    for row in open {
        let (intent, done) = tracked(row)?;
        let elapsed = (now - intent.created_at).to_std().unwrap_or_default() + schedule.elapsed;
        let checks = match intent.outcome {
            CheckoutState::Pending => &schedule.payment_checks,
            _ => &schedule.refund_checks,
        };
        let due_now = due(checks, elapsed);
        if due_now <= done {
            continue;
        }
        let read = pace
            .read(|| async {
                let read = client
                    .checkout(org)
                    .get_received::<Value>(intent.id)
                    .await?;
                Ok(read)
            })
            .await;
        let (read, received) = match read {
            Ok(read) => read,
            Err(e) => {
                tracing::warn!(intent = intent.id, error = %e, "could not read a checkout intent back");
                continue;
            }
        };
        // The intent's order as HelloAsso sent it (the intent itself is its
        // id and metadata, which the caller has).
        let doc = match read.order {
            Some(_) => serde_json::from_str::<Value>(received.get())
                .ok()
                .and_then(|mut intent| intent.get_mut("order").map(Value::take)),
            None => None,
        };
        let (outcome, order_id, checks_done) = match (&read.order, intent.outcome) {
            (Some(order), _) if refunded(order) => (CheckoutState::Refunded, order.id, 0),
            (Some(order), CheckoutState::Pending) => (
                CheckoutState::Paid,
                order.id,
                due(&schedule.refund_checks, elapsed),
            ),
            (Some(order), _) => (CheckoutState::Paid, order.id, due_now),
            (None, _) if due_now == checks.len() => (CheckoutState::NoPayment, None, due_now),
            (None, outcome) => (outcome, intent.order_id, due_now),
        };
        let mut tx = pool.begin().await?;
        exec!(
            tx.conn(),
            "UPDATE checkout_intents SET outcome = $2, order_id = $3, checks_done = $4, \
             checked_at = $5::timestamptz, doc = $6::jsonb WHERE id = $1",
            intent.id,
            outcome.as_str(),
            order_id,
            checks_done as i64,
            now_text(),
            doc.map(|d| d.to_string()),
        )?;
        // The order comes whole from `GET /orders/{id}` later in this run,
        // as every order that changed does.
        if outcome != intent.outcome
            && let Some(order) = order_id
        {
            exec!(
                tx.conn(),
                "INSERT INTO pending_orders (order_id, organization_slug) VALUES ($1, $2) \
                 ON CONFLICT (order_id) DO NOTHING",
                order,
                org.to_owned(),
            )?;
        }
        tx.commit().await?;
    }
    Ok(())
}

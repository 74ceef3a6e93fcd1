//! Storing HelloAsso documents: typed columns drawn from the document, the
//! whole document beside them, and a feed row for each new or changed one.
//!
//! An upsert reads the stored document first: identical means unchanged (no
//! write at all), different means changed, absent means new. Two writers of
//! one record (a listener and a sync on one PostgreSQL database) take turns:
//! each holds the record's lock from that read to its commit, and the write
//! itself happens only where the stored document differs, so one change
//! gets one feed row.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use crate::clock::now_text;
use crate::db::{Backend, Conn, Val, exec, exec_vals, fetch_all, fetch_optional};
use crate::error::{Error, Result};
use crate::feed::{self, Change, ChangeKind};
use crate::resource::Resource;
use crate::tally::PayoutTally;

fn text(doc: &Value, ptr: &str) -> Val {
    Val::Text(doc.pointer(ptr).and_then(Value::as_str).map(str::to_owned))
}

fn int(doc: &Value, ptr: &str) -> Val {
    Val::Int(doc.pointer(ptr).and_then(Value::as_i64))
}

/// A date of the document in UTC (HelloAsso's carry an offset); text that is
/// not a date is left out rather than stored wrong.
fn date(doc: &Value, ptr: &str) -> Val {
    Val::Text(
        doc.pointer(ptr)
            .and_then(Value::as_str)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|d| {
                d.with_timezone(&Utc)
                    .to_rfc3339_opts(SecondsFormat::Micros, true)
            }),
    )
}

fn id_of(resource: Resource, doc: &Value, ptr: &str) -> Result<i64> {
    doc.pointer(ptr)
        .and_then(Value::as_i64)
        .ok_or(Error::Document {
            resource: resource.as_str(),
            field: "id",
        })
}

/// How a column's bound text is read.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Plain,
    Date,
    Json,
}

/// One row to write: its table, key and columns.
struct Row {
    table: &'static str,
    key: &'static [&'static str],
    cols: Vec<(&'static str, Kind, Val)>,
}

impl Row {
    /// The upsert, conditional: a stored document equal to this one is
    /// left alone (no row affected).
    fn upsert_sql(&self, backend: Backend) -> String {
        let names: Vec<&str> = self.cols.iter().map(|c| c.0).collect();
        let params: Vec<String> = self
            .cols
            .iter()
            .enumerate()
            .map(|(i, (_, kind, _))| match kind {
                Kind::Plain => format!("${}", i + 1),
                Kind::Date => format!("${}::timestamptz", i + 1),
                Kind::Json => format!("${}::jsonb", i + 1),
            })
            .collect();
        let sets: Vec<String> = names
            .iter()
            .filter(|n| !self.key.contains(n))
            .map(|n| format!("{n} = excluded.{n}"))
            .collect();
        let differs = match backend {
            Backend::Postgres => "IS DISTINCT FROM",
            // SQLite's `IS NOT` compares NULLs as values too.
            _ => "IS NOT",
        };
        format!(
            "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {} \
             WHERE {table}.doc {differs} excluded.doc",
            names.join(", "),
            params.join(", "),
            self.key.join(", "),
            sets.join(", "),
            table = self.table,
        )
    }

    fn key_vals(&self) -> Vec<Val> {
        self.key
            .iter()
            .filter_map(|k| self.cols.iter().find(|c| c.0 == *k).map(|c| c.2.clone()))
            .collect()
    }

    fn select_doc_sql(&self) -> String {
        let cond: Vec<String> = self
            .key
            .iter()
            .enumerate()
            .map(|(i, k)| format!("{k} = ${}", i + 1))
            .collect();
        format!(
            "SELECT CAST(doc AS TEXT) FROM {} WHERE {}",
            self.table,
            cond.join(" AND ")
        )
    }
}

fn common(org: &str, doc: &Value) -> Vec<(&'static str, Kind, Val)> {
    vec![
        (
            "organization_slug",
            Kind::Plain,
            Val::Text(Some(org.to_owned())),
        ),
        ("doc", Kind::Json, Val::Text(Some(doc.to_string()))),
        ("synced_at", Kind::Date, Val::Text(Some(now_text()))),
    ]
}

fn payment_row(org: &str, doc: &Value) -> Result<Row> {
    let id = id_of(Resource::Payments, doc, "/id")?;
    let refunded: i64 = doc
        .get("refundOperations")
        .and_then(Value::as_array)
        .map(|ops| {
            ops.iter()
                .filter_map(|o| o.get("amount").and_then(Value::as_i64))
                .sum()
        })
        .unwrap_or(0);
    let mut cols = vec![
        ("id", Kind::Plain, Val::Int(Some(id))),
        ("order_id", Kind::Plain, int(doc, "/order/id")),
        ("form_type", Kind::Plain, text(doc, "/order/formType")),
        ("form_slug", Kind::Plain, text(doc, "/order/formSlug")),
        (
            "payer_first_name",
            Kind::Plain,
            text(doc, "/payer/firstName"),
        ),
        ("payer_last_name", Kind::Plain, text(doc, "/payer/lastName")),
        ("payer_email", Kind::Plain, text(doc, "/payer/email")),
        ("amount_cents", Kind::Plain, int(doc, "/amount")),
        ("tip_cents", Kind::Plain, int(doc, "/amountTip")),
        ("refunded_cents", Kind::Plain, Val::Int(Some(refunded))),
        ("state", Kind::Plain, text(doc, "/state")),
        ("payment_type", Kind::Plain, text(doc, "/type")),
        ("means", Kind::Plain, text(doc, "/paymentMeans")),
        (
            "installment_number",
            Kind::Plain,
            int(doc, "/installmentNumber"),
        ),
        ("cash_out_state", Kind::Plain, text(doc, "/cashOutState")),
        (
            "payout_id",
            Kind::Plain,
            payout_of(doc).map_or(Val::Int(None), |p| Val::Int(Some(p))),
        ),
        ("paid_at", Kind::Date, date(doc, "/date")),
        ("cashed_out_at", Kind::Date, date(doc, "/cashOutDate")),
        ("updated_at", Kind::Date, date(doc, "/meta/updatedAt")),
    ];
    cols.extend(common(org, doc));
    Ok(Row {
        table: "payments",
        key: &["id"],
        cols,
    })
}

/// The cash-out a payment belongs to (HelloAsso sends 0 for none at times).
fn payout_of(doc: &Value) -> Option<i64> {
    doc.get("idCashOut")
        .and_then(Value::as_i64)
        .filter(|id| *id > 0)
}

fn order_row(org: &str, doc: &Value) -> Result<Row> {
    let id = id_of(Resource::Orders, doc, "/id")?;
    let mut cols = vec![
        ("id", Kind::Plain, Val::Int(Some(id))),
        ("form_type", Kind::Plain, text(doc, "/formType")),
        ("form_slug", Kind::Plain, text(doc, "/formSlug")),
        (
            "payer_first_name",
            Kind::Plain,
            text(doc, "/payer/firstName"),
        ),
        ("payer_last_name", Kind::Plain, text(doc, "/payer/lastName")),
        ("payer_email", Kind::Plain, text(doc, "/payer/email")),
        ("total_cents", Kind::Plain, int(doc, "/amount/total")),
        ("ordered_at", Kind::Date, date(doc, "/date")),
        ("updated_at", Kind::Date, date(doc, "/meta/updatedAt")),
    ];
    cols.extend(common(org, doc));
    Ok(Row {
        table: "orders",
        key: &["id"],
        cols,
    })
}

fn item_row(org: &str, doc: &Value) -> Result<Row> {
    let id = id_of(Resource::Items, doc, "/id")?;
    let mut cols = vec![
        ("id", Kind::Plain, Val::Int(Some(id))),
        ("order_id", Kind::Plain, int(doc, "/order/id")),
        ("form_type", Kind::Plain, text(doc, "/order/formType")),
        ("form_slug", Kind::Plain, text(doc, "/order/formSlug")),
        ("tier_id", Kind::Plain, int(doc, "/tierId")),
        ("tier_type", Kind::Plain, text(doc, "/type")),
        ("name", Kind::Plain, text(doc, "/name")),
        ("state", Kind::Plain, text(doc, "/state")),
        ("amount_cents", Kind::Plain, int(doc, "/amount")),
        ("user_first_name", Kind::Plain, text(doc, "/user/firstName")),
        ("user_last_name", Kind::Plain, text(doc, "/user/lastName")),
        ("payer_email", Kind::Plain, text(doc, "/payer/email")),
        ("ordered_at", Kind::Date, date(doc, "/order/date")),
        ("updated_at", Kind::Date, date(doc, "/meta/updatedAt")),
    ];
    cols.extend(common(org, doc));
    Ok(Row {
        table: "items",
        key: &["id"],
        cols,
    })
}

fn form_row(org: &str, doc: &Value) -> Result<Row> {
    let missing = |field| Error::Document {
        resource: "forms",
        field,
    };
    let form_type = doc
        .get("formType")
        .and_then(Value::as_str)
        .ok_or(missing("formType"))?;
    let form_slug = doc
        .get("formSlug")
        .and_then(Value::as_str)
        .ok_or(missing("formSlug"))?;
    let mut cols = vec![
        (
            "form_type",
            Kind::Plain,
            Val::Text(Some(form_type.to_owned())),
        ),
        (
            "form_slug",
            Kind::Plain,
            Val::Text(Some(form_slug.to_owned())),
        ),
        ("title", Kind::Plain, text(doc, "/title")),
        ("state", Kind::Plain, text(doc, "/state")),
        ("starts_at", Kind::Date, date(doc, "/startDate")),
        ("ends_at", Kind::Date, date(doc, "/endDate")),
        ("updated_at", Kind::Date, date(doc, "/meta/updatedAt")),
    ];
    cols.extend(common(org, doc));
    Ok(Row {
        table: "forms",
        key: &["organization_slug", "form_type", "form_slug"],
        cols,
    })
}

/// The record's id as the feed names it.
fn record_id(resource: Resource, doc: &Value) -> String {
    match resource {
        Resource::Forms => format!(
            "{}/{}",
            doc.get("formType")
                .and_then(Value::as_str)
                .unwrap_or_default(),
            doc.get("formSlug")
                .and_then(Value::as_str)
                .unwrap_or_default()
        ),
        _ => doc
            .get("id")
            .and_then(Value::as_i64)
            .map(|i| i.to_string())
            .unwrap_or_default(),
    }
}

/// What an upsert found.
#[derive(Debug)]
pub(crate) enum Outcome {
    Unchanged,
    /// New or changed; the feed row written.
    Written(Change),
}

/// Stores one document of `resource` (forms, orders, items or payments)
/// inside the caller's transaction.
pub(crate) async fn upsert(
    conn: Conn<'_>,
    org: &str,
    resource: Resource,
    doc: Value,
) -> Result<Outcome> {
    upsert_tallied(conn, org, resource, doc, None).await
}

/// [`upsert`], keeping in `tally` what each payout a payment touches was
/// before the run.
pub(crate) async fn upsert_tallied(
    mut conn: Conn<'_>,
    org: &str,
    resource: Resource,
    doc: Value,
    tally: Option<&PayoutTally>,
) -> Result<Outcome> {
    let row = match resource {
        Resource::Payments => payment_row(org, &doc)?,
        Resource::Orders => order_row(org, &doc)?,
        Resource::Items => item_row(org, &doc)?,
        Resource::Forms => form_row(org, &doc)?,
        Resource::Payouts => {
            return Err(Error::Document {
                resource: "payouts",
                field: "document (payouts are derived from payments)",
            });
        }
    };
    lock_record(conn.reborrow(), org, resource, &doc).await?;
    let old = stored_doc(conn.reborrow(), &row).await?;
    let (kind, changed) = match &old {
        Some(old) if *old == doc => return Ok(Outcome::Unchanged),
        // Read before a change another writer (a listener, a sync) stored
        // since: the stored document is the newer one.
        Some(old) if older(&doc, old) => return Ok(Outcome::Unchanged),
        Some(old) => (ChangeKind::Changed, feed::diff(old, &doc)),
        None => (ChangeKind::New, Vec::new()),
    };
    let backend = match conn {
        Conn::Sqlite(_) => Backend::Sqlite,
        Conn::Pg(_) => Backend::Postgres,
    };
    let sql = row.upsert_sql(backend);
    let written = exec_vals(
        conn.reborrow(),
        &sql,
        row.cols.into_iter().map(|c| c.2).collect(),
    )
    .await?;
    if written == 0 {
        // Another writer stored this very document since the read (the
        // lock makes it unreachable; the condition keeps it harmless).
        return Ok(Outcome::Unchanged);
    }
    match resource {
        Resource::Items => write_custom_fields(conn.reborrow(), &doc).await?,
        Resource::Payments => link_payout(conn.reborrow(), org, &doc, tally).await?,
        _ => {}
    }
    let id = record_id(resource, &doc);
    let change = feed::record(conn, org, resource, id, kind, changed, doc).await?;
    Ok(Outcome::Written(change))
}

/// Takes the record's lock until the caller's transaction ends, so that
/// its read, write and feed row are one step for other writers. PostgreSQL:
/// a transaction-scoped advisory lock on the record's key (a row lock
/// cannot cover a record not stored yet; two keys sharing a hash only wait
/// for each other). SQLite: nothing to take, the transaction began
/// `IMMEDIATE` and holds the database's one write lock already.
async fn lock_record(conn: Conn<'_>, org: &str, resource: Resource, doc: &Value) -> Result<()> {
    if let Conn::Pg(_) = conn {
        let key = format!("{}/{org}/{}", resource.as_str(), record_id(resource, doc));
        exec!(
            conn,
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            key
        )?;
    }
    Ok(())
}

/// Whether `new` was last updated strictly before `stored` (by their
/// `meta.updatedAt`); a document without that date is never older.
fn older(new: &Value, stored: &Value) -> bool {
    let at = |d: &Value| {
        d.pointer("/meta/updatedAt")
            .and_then(Value::as_str)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
    };
    matches!((at(new), at(stored)), (Some(n), Some(s)) if n < s)
}

async fn stored_doc(conn: Conn<'_>, row: &Row) -> Result<Option<Value>> {
    let sql = row.select_doc_sql();
    let text: Option<(String,)> = match conn {
        Conn::Sqlite(c) => {
            let mut q = sqlx::query_as(&sql);
            for v in row.key_vals() {
                q = match v {
                    Val::Text(t) => q.bind(t),
                    Val::Int(i) => q.bind(i),
                };
            }
            q.fetch_optional(&mut *c).await?
        }
        Conn::Pg(c) => {
            let mut q = sqlx::query_as(&sql);
            for v in row.key_vals() {
                q = match v {
                    Val::Text(t) => q.bind(t),
                    Val::Int(i) => q.bind(i),
                };
            }
            q.fetch_optional(&mut *c).await?
        }
    };
    text.map(|(t,)| serde_json::from_str(&t).map_err(|_| Error::StoredDocument(row.table)))
        .transpose()
}

async fn write_custom_fields(mut conn: Conn<'_>, doc: &Value) -> Result<()> {
    let Some(id) = doc.get("id").and_then(Value::as_i64) else {
        return Ok(());
    };
    exec!(
        conn.reborrow(),
        "DELETE FROM item_custom_fields WHERE item_id = $1",
        id
    )?;
    let fields = doc.get("customFields").and_then(Value::as_array);
    for (pos, f) in fields.into_iter().flatten().enumerate() {
        let answer = match f.get("answer") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        exec!(
            conn.reborrow(),
            "INSERT INTO item_custom_fields (item_id, position, field_id, name, field_type, answer) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            id,
            pos as i32,
            f.get("id").and_then(Value::as_i64),
            f.get("name").and_then(Value::as_str).map(str::to_owned),
            f.get("type").and_then(Value::as_str).map(str::to_owned),
            answer,
        )?;
    }
    Ok(())
}

/// Keeps the payout a payment names, and the link between them, in step.
async fn link_payout(
    mut conn: Conn<'_>,
    org: &str,
    doc: &Value,
    tally: Option<&PayoutTally>,
) -> Result<()> {
    let Some(payment) = doc.get("id").and_then(Value::as_i64) else {
        return Ok(());
    };
    let payout = payout_of(doc);
    // A payment belongs to one cash-out at most: drop a link to another.
    let old: Option<(i64,)> = fetch_optional!(
        conn.reborrow(),
        (i64,),
        "SELECT payout_id FROM payout_payments WHERE payment_id = $1",
        payment
    )?;
    if let Some(tally) = tally {
        for id in [old.map(|(o,)| o), payout].into_iter().flatten() {
            if !tally.knows(id) {
                tally.saw(id, crate::tally::state(conn.reborrow(), id).await?);
            }
        }
    }
    if let Some((old,)) = old
        && Some(old) != payout
    {
        exec!(
            conn.reborrow(),
            "DELETE FROM payout_payments WHERE payment_id = $1",
            payment
        )?;
        refresh_payout(conn.reborrow(), old).await?;
    }
    let Some(payout) = payout else {
        return Ok(());
    };
    exec!(
        conn.reborrow(),
        "INSERT INTO payouts (id, organization_slug, cashed_out_at, synced_at) \
         VALUES ($1, $2, $3::timestamptz, $4::timestamptz) ON CONFLICT (id) DO NOTHING",
        payout,
        org,
        match date(doc, "/cashOutDate") {
            Val::Text(t) => t,
            Val::Int(_) => None,
        },
        now_text(),
    )?;
    exec!(
        conn.reborrow(),
        "INSERT INTO payout_payments (payout_id, payment_id, organization_slug) \
         VALUES ($1, $2, $3) ON CONFLICT (payout_id, payment_id) DO NOTHING",
        payout,
        payment,
        org,
    )?;
    refresh_payout(conn, payout).await
}

/// Recomputes a payout's totals from its payments.
async fn refresh_payout(conn: Conn<'_>, payout: i64) -> Result<()> {
    exec!(
        conn,
        "UPDATE payouts SET \
           payment_count = (SELECT COUNT(*) FROM payout_payments l WHERE l.payout_id = payouts.id), \
           amount_cents = COALESCE((SELECT SUM(p.amount_cents) FROM payout_payments l \
             JOIN payments p ON p.id = l.payment_id WHERE l.payout_id = payouts.id), 0), \
           synced_at = $2::timestamptz \
         WHERE id = $1",
        payout,
        now_text(),
    )?;
    Ok(())
}

/// A stored document by its table's key (`id`, or a form's three columns).
pub(crate) async fn get(conn: Conn<'_>, resource: Resource, key: &[Val]) -> Result<Option<Value>> {
    let row = Row {
        table: resource.as_str(),
        key: match resource {
            Resource::Forms => &["organization_slug", "form_type", "form_slug"],
            _ => &["id"],
        },
        cols: Vec::new(),
    };
    let sql = row.select_doc_sql();
    let text: Option<(String,)> = match conn {
        Conn::Sqlite(c) => {
            let mut q = sqlx::query_as(&sql);
            for v in key.iter().cloned() {
                q = match v {
                    Val::Text(t) => q.bind(t),
                    Val::Int(i) => q.bind(i),
                };
            }
            q.fetch_optional(&mut *c).await?
        }
        Conn::Pg(c) => {
            let mut q = sqlx::query_as(&sql);
            for v in key.iter().cloned() {
                q = match v {
                    Val::Text(t) => q.bind(t),
                    Val::Int(i) => q.bind(i),
                };
            }
            q.fetch_optional(&mut *c).await?
        }
    };
    text.map(|(t,)| serde_json::from_str(&t).map_err(|_| Error::StoredDocument(row.table)))
        .transpose()
}

/// How many records of `resource` the mirror holds for `org`.
pub(crate) async fn count(conn: Conn<'_>, resource: Resource, org: &str) -> Result<i64> {
    let sql = format!(
        "SELECT COUNT(*) FROM {} WHERE organization_slug = $1",
        resource.as_str()
    );
    let row: Option<(i64,)> = fetch_optional!(conn, (i64,), &sql, org)?;
    Ok(row.map_or(0, |r| r.0))
}

/// Every stored document of `resource` for an organization, in key order.
pub(crate) async fn documents(conn: Conn<'_>, resource: Resource, org: &str) -> Result<Vec<Value>> {
    let sql = format!(
        "SELECT CAST(doc AS TEXT) FROM {} WHERE organization_slug = $1",
        resource.as_str()
    );
    let rows: Vec<(String,)> = fetch_all!(conn, (String,), &sql, org)?;
    let mut docs = rows
        .into_iter()
        .map(|(text,)| {
            serde_json::from_str::<Value>(&text)
                .map_err(|_| Error::StoredDocument(resource.as_str()))
        })
        .collect::<Result<Vec<_>>>()?;
    docs.sort_by_cached_key(|d| d.to_string());
    Ok(docs)
}

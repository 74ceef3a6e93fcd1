//! Storing HelloAsso documents: typed columns drawn from the document, the
//! whole document beside them, and a feed row for each new or changed one.
//!
//! An upsert reads the stored document first: identical means unchanged (no
//! write at all), different means changed, absent means new. Two writers of
//! one record (a listener and a sync on one PostgreSQL database) take turns:
//! each holds the record's lock from that read to its commit, and the write
//! itself happens only where the stored document differs, so one change
//! gets one feed row.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use crate::clock::now_text;
use crate::db::{
    Backend, Conn, Val, exec, exec_vals, fetch_all, fetch_optional, fetch_texts, placeholders,
    tuples,
};
use crate::error::{Error, Result};
use crate::feed::{self, Change, ChangeKind};
use crate::resource::Resource;
use crate::same_document::same_document;
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
    /// The upsert of `rows` (one table's, columns in the same order),
    /// conditional: a stored document equal to a row's is left alone (that
    /// row is not affected).
    fn upsert_sql(rows: &[Row], backend: Backend) -> String {
        let Some(first) = rows.first() else {
            return String::new();
        };
        let names: Vec<&str> = first.cols.iter().map(|c| c.0).collect();
        let width = names.len();
        let tuples: Vec<String> = (0..rows.len())
            .map(|r| {
                let params: Vec<String> = first
                    .cols
                    .iter()
                    .enumerate()
                    .map(|(i, (_, kind, _))| {
                        let n = r * width + i + 1;
                        match kind {
                            Kind::Plain => format!("${n}"),
                            Kind::Date => format!("${n}::timestamptz"),
                            Kind::Json => format!("${n}::jsonb"),
                        }
                    })
                    .collect();
                format!("({})", params.join(", "))
            })
            .collect();
        let sets: Vec<String> = names
            .iter()
            .filter(|n| !first.key.contains(n))
            .map(|n| format!("{n} = excluded.{n}"))
            .collect();
        let differs = match backend {
            Backend::Postgres => "IS DISTINCT FROM",
            // SQLite's `IS NOT` compares NULLs as values too.
            _ => "IS NOT",
        };
        format!(
            "INSERT INTO {table} ({}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {} \
             WHERE {table}.doc {differs} excluded.doc",
            names.join(", "),
            tuples.join(", "),
            first.key.join(", "),
            sets.join(", "),
            table = first.table,
        )
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

/// Rows written by one statement at most: well under both databases'
/// limits on bound values (a payment row binds 22).
const ROWS_PER_STATEMENT: usize = 200;

/// Stores one document of `resource` (forms, orders, items or payments)
/// inside the caller's transaction.
pub(crate) async fn upsert(
    conn: Conn<'_>,
    org: &str,
    resource: Resource,
    doc: Value,
) -> Result<Outcome> {
    let mut out = upsert_page(conn, org, resource, vec![doc], None).await?;
    Ok(out.pop().unwrap_or(Outcome::Unchanged))
}

/// Stores documents of `resource` inside the caller's transaction, one
/// outcome per document in their order, keeping in `tally` what each
/// payout a payment touches was before the run.
///
/// A page costs a handful of statements whatever its size (the stored
/// documents read in one, the changed ones written in one, their feed rows
/// in one): a statement is a round trip to the database, and on SQLite a
/// hand-over to its worker thread, which cost more than the writing itself
/// when each record had its own.
pub(crate) async fn upsert_page(
    mut conn: Conn<'_>,
    org: &str,
    resource: Resource,
    docs: Vec<Value>,
    tally: Option<&PayoutTally>,
) -> Result<Vec<Outcome>> {
    let mut outcomes = Vec::with_capacity(docs.len());
    let mut docs = docs.into_iter().peekable();
    while docs.peek().is_some() {
        // One statement cannot write a record twice: a record repeated in
        // the page starts a new batch, which then sees the first one stored.
        let mut batch = Vec::new();
        let mut seen = std::collections::HashSet::new();
        while let Some(doc) = docs.next_if(|d| seen.insert(record_id(resource, d))) {
            batch.push(doc);
        }
        outcomes.extend(upsert_batch(conn.reborrow(), org, resource, batch, tally).await?);
    }
    Ok(outcomes)
}

/// The row `doc` is stored as in `resource`'s table.
fn row_of(org: &str, resource: Resource, doc: &Value) -> Result<Row> {
    match resource {
        Resource::Payments => payment_row(org, doc),
        Resource::Orders => order_row(org, doc),
        Resource::Items => item_row(org, doc),
        Resource::Forms => form_row(org, doc),
        Resource::Payouts => Err(Error::Document {
            resource: "payouts",
            field: "document (payouts are derived from payments)",
        }),
    }
}

/// [`upsert_page`] for documents that are each a different record.
async fn upsert_batch(
    mut conn: Conn<'_>,
    org: &str,
    resource: Resource,
    docs: Vec<Value>,
    tally: Option<&PayoutTally>,
) -> Result<Vec<Outcome>> {
    for doc in &docs {
        lock_record(conn.reborrow(), org, resource, doc).await?;
    }
    let mut stored = stored_docs(conn.reborrow(), org, resource, &docs).await?;
    // What each document is against the stored one; those to write.
    let mut verdicts = Vec::with_capacity(docs.len());
    let mut writes = Vec::new();
    for doc in &docs {
        let id = record_id(resource, doc);
        let (verdict, write) = match stored.remove(&id) {
            Some(old) if old == *doc => (None, false),
            // Read before a change another writer (a listener, a sync)
            // stored since: the stored document is the newer one.
            Some(old) if older(doc, &old) => (None, false),
            // The same values in another spelling (a mirror written before
            // documents were kept as received): stored as received, no
            // change.
            Some(old) if same_document(&old, doc) => (None, true),
            Some(old) => (Some((ChangeKind::Changed, feed::diff(&old, doc))), true),
            None => (Some((ChangeKind::New, Vec::new())), true),
        };
        // Only a document to write is drawn into columns (its text
        // included): a page read again is mostly unchanged.
        if write {
            writes.push(row_of(org, resource, doc)?);
        }
        verdicts.push((id, verdict));
    }
    let written = write_rows(conn.reborrow(), resource, writes).await?;
    let mut changes = Vec::new();
    let mut written_docs = Vec::new();
    for ((id, verdict), doc) in verdicts.iter().zip(&docs) {
        // Another writer stored this very document since the read (the
        // lock makes it unreachable; the condition keeps it harmless).
        if let Some((kind, changed)) = verdict
            && written.contains(id)
        {
            changes.push((id.clone(), *kind, changed.clone(), doc.clone()));
            written_docs.push(doc);
        }
    }
    match resource {
        Resource::Items => write_custom_fields(conn.reborrow(), &written_docs).await?,
        Resource::Payments => link_payouts(conn.reborrow(), org, &written_docs, tally).await?,
        _ => {}
    }
    let mut recorded = feed::record_all(conn, org, resource, changes)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect::<HashMap<_, _>>();
    Ok(verdicts
        .into_iter()
        .map(|(id, _)| match recorded.remove(&id) {
            Some(change) => Outcome::Written(change),
            None => Outcome::Unchanged,
        })
        .collect())
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

/// The record's id as SQL computes it from a row of its table, the same
/// text as [`record_id`].
fn record_id_sql(resource: Resource) -> &'static str {
    match resource {
        Resource::Forms => "form_type || '/' || form_slug",
        _ => "CAST(id AS TEXT)",
    }
}

/// The stored documents of these records, by [`record_id`].
async fn stored_docs(
    mut conn: Conn<'_>,
    org: &str,
    resource: Resource,
    docs: &[Value],
) -> Result<HashMap<String, Value>> {
    let table = resource.as_str();
    let mut out = HashMap::new();
    for chunk in docs.chunks(ROWS_PER_STATEMENT) {
        // Ids are bound as numbers, so the primary key's index serves; a
        // form's key is its organization and its type and slug.
        let (sql, vals) = match resource {
            Resource::Forms => {
                let mut vals = vec![Val::Text(Some(org.to_owned()))];
                vals.extend(
                    chunk
                        .iter()
                        .map(|d| Val::Text(Some(record_id(resource, d)))),
                );
                (
                    format!(
                        "SELECT {id}, CAST(doc AS TEXT) FROM {table} WHERE organization_slug = $1 \
                         AND {id} IN ({})",
                        placeholders(2, chunk.len()),
                        id = record_id_sql(resource),
                    ),
                    vals,
                )
            }
            _ => (
                format!(
                    "SELECT {}, CAST(doc AS TEXT) FROM {table} WHERE id IN ({})",
                    record_id_sql(resource),
                    placeholders(1, chunk.len()),
                ),
                chunk
                    .iter()
                    .map(|d| Val::Int(d.get("id").and_then(Value::as_i64)))
                    .collect(),
            ),
        };
        for row in fetch_texts(conn.reborrow(), &sql, vals, 2).await? {
            if let [Some(id), Some(text)] = &row[..] {
                let doc = serde_json::from_str(text).map_err(|_| Error::StoredDocument(table))?;
                out.insert(id.clone(), doc);
            }
        }
    }
    Ok(out)
}

/// Writes rows, each only where the stored document differs; the ids of
/// the rows written.
async fn write_rows(
    mut conn: Conn<'_>,
    resource: Resource,
    rows: Vec<Row>,
) -> Result<std::collections::HashSet<String>> {
    let backend = match conn {
        Conn::Sqlite(_) => Backend::Sqlite,
        Conn::Pg(_) => Backend::Postgres,
    };
    let mut written = std::collections::HashSet::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Row> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
        let sql = format!(
            "{} RETURNING {}",
            Row::upsert_sql(&chunk, backend),
            record_id_sql(resource)
        );
        let vals = chunk
            .into_iter()
            .flat_map(|r| r.cols.into_iter().map(|c| c.2))
            .collect();
        for row in fetch_texts(conn.reborrow(), &sql, vals, 1).await? {
            if let Some(Some(id)) = row.into_iter().next() {
                written.insert(id);
            }
        }
    }
    Ok(written)
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

/// Replaces the custom-field answers of these items with their documents'.
async fn write_custom_fields(mut conn: Conn<'_>, docs: &[&Value]) -> Result<()> {
    let ids: Vec<i64> = docs
        .iter()
        .filter_map(|d| d.get("id").and_then(Value::as_i64))
        .collect();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "DELETE FROM item_custom_fields WHERE item_id IN ({})",
            placeholders(1, chunk.len())
        );
        let vals = chunk.iter().map(|i| Val::Int(Some(*i))).collect();
        exec_vals(conn.reborrow(), &sql, vals).await?;
    }
    let mut answers = Vec::new();
    for doc in docs {
        let Some(id) = doc.get("id").and_then(Value::as_i64) else {
            continue;
        };
        let fields = doc.get("customFields").and_then(Value::as_array);
        for (pos, f) in fields.into_iter().flatten().enumerate() {
            let answer = match f.get("answer") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Null) | None => None,
                Some(other) => Some(other.to_string()),
            };
            answers.push([
                Val::Int(Some(id)),
                Val::Int(Some(pos as i64)),
                Val::Int(f.get("id").and_then(Value::as_i64)),
                Val::Text(f.get("name").and_then(Value::as_str).map(str::to_owned)),
                Val::Text(f.get("type").and_then(Value::as_str).map(str::to_owned)),
                Val::Text(answer),
            ]);
        }
    }
    for chunk in answers.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO item_custom_fields (item_id, position, field_id, name, field_type, answer) \
             VALUES {}",
            tuples(chunk.len(), 6, &[])
        );
        let vals = chunk.iter().flat_map(|a| a.iter().cloned()).collect();
        exec_vals(conn.reborrow(), &sql, vals).await?;
    }
    Ok(())
}

/// Keeps the payouts these payments name, and the links between them, in
/// step; each payout touched is added up again once.
async fn link_payouts(
    mut conn: Conn<'_>,
    org: &str,
    docs: &[&Value],
    tally: Option<&PayoutTally>,
) -> Result<()> {
    let payments: Vec<(i64, Option<i64>, &Value)> = docs
        .iter()
        .filter_map(|d| {
            d.get("id")
                .and_then(Value::as_i64)
                .map(|id| (id, payout_of(d), *d))
        })
        .collect();
    if payments.is_empty() {
        return Ok(());
    }
    // A payment belongs to one cash-out at most: a link to another goes.
    let mut old = HashMap::new();
    for chunk in payments.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "SELECT CAST(payment_id AS TEXT), CAST(payout_id AS TEXT) FROM payout_payments \
             WHERE payment_id IN ({})",
            placeholders(1, chunk.len())
        );
        let vals = chunk.iter().map(|p| Val::Int(Some(p.0))).collect();
        for row in fetch_texts(conn.reborrow(), &sql, vals, 2).await? {
            if let [Some(payment), Some(payout)] = &row[..]
                && let (Ok(payment), Ok(payout)) = (payment.parse::<i64>(), payout.parse::<i64>())
            {
                old.insert(payment, payout);
            }
        }
    }
    if let Some(tally) = tally {
        for (payment, payout, _) in &payments {
            for id in [old.get(payment).copied(), *payout].into_iter().flatten() {
                if !tally.knows(id) {
                    tally.saw(id, crate::tally::state(conn.reborrow(), id).await?);
                }
            }
        }
    }
    let mut touched = std::collections::BTreeSet::new();
    let moved: Vec<i64> = payments
        .iter()
        .filter_map(|(payment, payout, _)| {
            let was = *old.get(payment)?;
            (Some(was) != *payout).then(|| {
                touched.insert(was);
                *payment
            })
        })
        .collect();
    for chunk in moved.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "DELETE FROM payout_payments WHERE payment_id IN ({})",
            placeholders(1, chunk.len())
        );
        exec_vals(
            conn.reborrow(),
            &sql,
            chunk.iter().map(|p| Val::Int(Some(*p))).collect(),
        )
        .await?;
    }
    // Each payout once, with the cash-out date of its first payment here.
    let mut payouts: Vec<(i64, Val)> = Vec::new();
    for (_, payout, doc) in &payments {
        if let Some(p) = payout
            && !payouts.iter().any(|(q, _)| q == p)
        {
            payouts.push((*p, date(doc, "/cashOutDate")));
        }
    }
    let now = now_text();
    for chunk in payouts.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO payouts (id, organization_slug, cashed_out_at, synced_at) VALUES {} \
             ON CONFLICT (id) DO NOTHING",
            tuples(
                chunk.len(),
                4,
                &[(2, "::timestamptz"), (3, "::timestamptz")]
            )
        );
        let vals = chunk
            .iter()
            .flat_map(|(id, at)| {
                [
                    Val::Int(Some(*id)),
                    Val::Text(Some(org.to_owned())),
                    at.clone(),
                    Val::Text(Some(now.clone())),
                ]
            })
            .collect();
        exec_vals(conn.reborrow(), &sql, vals).await?;
    }
    let links: Vec<(i64, i64)> = payments
        .iter()
        .filter_map(|(payment, payout, _)| payout.map(|p| (p, *payment)))
        .collect();
    for chunk in links.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO payout_payments (payout_id, payment_id, organization_slug) VALUES {} \
             ON CONFLICT (payout_id, payment_id) DO NOTHING",
            tuples(chunk.len(), 3, &[])
        );
        let vals = chunk
            .iter()
            .flat_map(|(payout, payment)| {
                [
                    Val::Int(Some(*payout)),
                    Val::Int(Some(*payment)),
                    Val::Text(Some(org.to_owned())),
                ]
            })
            .collect();
        exec_vals(conn.reborrow(), &sql, vals).await?;
    }
    touched.extend(payouts.iter().map(|(id, _)| *id));
    for payout in touched {
        refresh_payout(conn.reborrow(), payout).await?;
    }
    Ok(())
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

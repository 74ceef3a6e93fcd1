//! `helloasso payouts list`, `payouts show ID` and `payments list --payout
//! ID`: each payout (cash-out) with the payments it transferred, gross,
//! refunds and net, checked against the amount HelloAsso's own cash-out
//! export states. A payout whose payments do not add up is flagged with the
//! difference.
//!
//! HelloAsso has no listing of payouts: they are read off the payments
//! (`idCashOut`, `cashOutDate`). `payouts list --from/--to` keeps payouts
//! dated in that span and so reads payments from [`PAYOUT_LAG_DAYS`] days
//! before `--from` (a payout holds the payments of the days before it).
//!
//! With `--db` the payments are read from the mirror `helloasso sync`
//! wrote instead of HelloAsso's listing ([`payments_between`] either way);
//! each payout's stated amount still comes from HelloAsso's export, which
//! the mirror does not hold, so a mirror missing a payment (or holding a
//! stale one) shows as a payout that does not add up.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, FixedOffset};
use clap::Args;
use helloasso_sdk::reconcile::{PayoutTally, by_payout, payment_amounts};
use helloasso_sdk::types::Payment;
use helloasso_sdk::{Cents, ExportFormat, MAX_PAGE_SIZE, PaymentFilters, Received};
use helloasso_sync::Resource;
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::args::Format;
use crate::commands::shared::{form_of, join_name};
use crate::commands::sync::{DbLocation, sync_error};
use crate::config::Context;
use crate::exit::{CliError, CliResult};
use crate::output::{self, Col, Emitter};
use crate::rows::{Cell, Row};
use crate::settings::Settings;
use crate::{input, pager};

/// `helloasso payouts list`.
#[derive(Debug, Args)]
pub struct PayoutsListArgs {
    /// Payouts of payments from this date (inclusive): YYYY-MM-DD or RFC 3339
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Payouts of payments up to this date (exclusive)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// Read the payments from this mirror (`helloasso sync --db`: a SQLite
    /// file or a postgres:// URL) instead of listing them at HelloAsso; each
    /// payout's amount, which the mirror does not hold, is still read from
    /// HelloAsso's export
    #[arg(long, value_name = "PATH|URL")]
    pub db: Option<crate::commands::sync::DbLocation>,

    /// Write the listing to this file instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Replace --out if it is an existing file
    #[arg(long)]
    pub force: bool,
}

/// `helloasso payouts show ID`.
#[derive(Debug, Args)]
pub struct PayoutShowArgs {
    /// The payout's (cash-out's) id, as payments show it (idCashOut)
    pub id: i64,

    /// Read the payments from this mirror (`helloasso sync --db`: a SQLite
    /// file or a postgres:// URL) instead of listing them at HelloAsso; each
    /// payout's amount, which the mirror does not hold, is still read from
    /// HelloAsso's export
    #[arg(long, value_name = "PATH|URL")]
    pub db: Option<crate::commands::sync::DbLocation>,

    /// Write the listing to this file instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Replace --out if it is an existing file
    #[arg(long)]
    pub force: bool,
}

/// How many days before a payout its payments may be: our assumption
/// (HelloAsso pays out weekly or monthly).
pub const PAYOUT_LAG_DAYS: i64 = 62;

/// A payout's line: its tally and what HelloAsso's export states.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutLine {
    #[serde(flatten)]
    pub tally: PayoutTally,
    /// Credits less debits of HelloAsso's export, in cents; `None` when
    /// the export could not be read.
    pub stated: Option<i64>,
    /// `stated - net`; 0 when the payout adds up.
    pub difference: Option<i64>,
}

impl PayoutLine {
    /// Whether the payments add up to what HelloAsso states.
    pub fn check(&self) -> &'static str {
        match self.difference {
            Some(0) => "ok",
            Some(_) => "DIFFERS",
            None => "no export",
        }
    }
}

const PAYOUT_COLS: &[Col] = &[
    Col::right("PAYOUT", "payout"),
    Col::left("DATE", "date"),
    Col::right("PAYMENTS", "payments"),
    Col::right("GROSS (EUR)", "gross_eur"),
    Col::right("REFUNDS (EUR)", "refunds_eur"),
    Col::right("NET (EUR)", "net_eur"),
    Col::right("STATED (EUR)", "stated_eur"),
    Col::right("DIFFERENCE (EUR)", "difference_eur"),
    Col::left("CHECK", "check"),
];

impl Row for PayoutLine {
    const COLUMNS: &'static [Col] = PAYOUT_COLS;
    const SHEET: &'static str = "Payouts";

    fn cells(&self) -> Vec<Cell> {
        let t = &self.tally;
        vec![
            Cell::Number(t.id),
            Cell::date(t.date),
            Cell::Number(i64::try_from(t.payment_ids.len()).unwrap_or(i64::MAX)),
            Cell::Euros(t.gross),
            Cell::Euros(t.refunds),
            Cell::Euros(t.net),
            Cell::euros(self.stated),
            Cell::euros(self.difference),
            Cell::text(self.check()),
        ]
    }
}

/// One payment of a payout, as `payouts show` lists it: our line (the
/// payout, the payment's gross, refunds and net) around the payment, which
/// JSON writes as HelloAsso sent it when its document was kept.
#[derive(Debug, Clone)]
pub struct PayoutPayment {
    pub payout: i64,
    pub gross: i64,
    pub refunds: i64,
    pub net: i64,
    pub payment: Payment,
    /// The payment's document as received (or as the mirror stored it).
    pub document: Option<Received>,
}

impl Serialize for PayoutPayment {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut line = serializer.serialize_struct("PayoutPayment", 5)?;
        line.serialize_field("payout", &self.payout)?;
        line.serialize_field("gross", &self.gross)?;
        line.serialize_field("refunds", &self.refunds)?;
        line.serialize_field("net", &self.net)?;
        match &self.document {
            Some(document) => line.serialize_field("payment", document)?,
            None => line.serialize_field("payment", &self.payment)?,
        }
        line.end()
    }
}

pub const PAYOUT_PAYMENT_COLS: &[Col] = &[
    Col::right("PAYMENT", "payment"),
    Col::left("DATE", "date"),
    Col::left("PAYER", "payer"),
    Col::left("FORM", "form"),
    Col::left("MEANS", "means"),
    Col::left("STATE", "state"),
    Col::right("GROSS (EUR)", "gross_eur"),
    Col::right("REFUNDS (EUR)", "refunds_eur"),
    Col::right("NET (EUR)", "net_eur"),
];

impl Row for PayoutPayment {
    const COLUMNS: &'static [Col] = PAYOUT_PAYMENT_COLS;
    const SHEET: &'static str = "Payout";

    fn cells(&self) -> Vec<Cell> {
        let p = &self.payment;
        vec![
            Cell::number(p.id),
            Cell::date(p.date),
            Cell::text(p.payer.as_ref().map_or_else(String::new, |payer| {
                join_name(payer.first_name.as_deref(), payer.last_name.as_deref())
            })),
            Cell::text(form_of(p.order.as_ref())),
            Cell::text(p.payment_means.as_ref().map_or("", |m| m.as_str())),
            Cell::text(p.state.as_ref().map_or("", |s| s.as_str())),
            Cell::Euros(self.gross),
            Cell::Euros(self.refunds),
            Cell::Euros(self.net),
        ]
    }
}

impl PayoutPayment {
    pub fn new(payout: i64, payment: Payment) -> Self {
        let (gross, refunds) = payment_amounts(&payment);
        Self {
            payout,
            gross,
            refunds,
            net: gross - refunds,
            payment,
            document: None,
        }
    }

    /// The line whose JSON writes `document` as the payment.
    pub fn with_document(mut self, document: Option<Received>) -> Self {
        self.document = document;
        self
    }
}

/// A payment listed, with its document as HelloAsso sent it (or as the
/// mirror stored it) when asked for.
pub type Listed = (Payment, Option<Received>);

/// Every payment dated in `[from, to)` (either end open), oldest first:
/// from the mirror at `db` when given, else from HelloAsso; each with its
/// document when `documents`.
pub async fn payments_between(
    ctx: &Context,
    settings: &Settings,
    db: Option<&DbLocation>,
    from: Option<DateTime<FixedOffset>>,
    to: Option<DateTime<FixedOffset>>,
    documents: bool,
) -> CliResult<Vec<Listed>> {
    if let Some(db) = db {
        return mirrored_payments_between(ctx, db, from, to, documents).await;
    }
    let mut filters = PaymentFilters::new().page_size(MAX_PAGE_SIZE).sort(
        helloasso_sdk::types::SortField::Date,
        helloasso_sdk::types::SortOrder::Asc,
    );
    if let Some(from) = from {
        filters = filters.from(from);
    }
    if let Some(to) = to {
        filters = filters.to(to);
    }
    filters.check_listing()?;
    let list = ctx
        .client
        .keeping_received(documents)
        .payments(ctx.organization()?)
        .list()
        .filters(filters);
    let mut out = Vec::new();
    pager::walk_received(list.pages(), settings.progress, "payments", |p, doc| {
        out.push((p, doc));
        Ok(())
    })
    .await?;
    Ok(out)
}

/// What [`payments_between`] lists, read from the mirror: the payments
/// stored for the organization, dated in `[from, to)` (a payment without a
/// date only when neither end is given, as HelloAsso's filter does), by
/// date then id as HelloAsso sorts them. A stored document the model no
/// longer reads is left out with a warning: its payout then shows a
/// difference rather than the whole listing failing. The document kept
/// (when `documents`) is the stored one, not the model written again.
async fn mirrored_payments_between(
    ctx: &Context,
    db: &DbLocation,
    from: Option<DateTime<FixedOffset>>,
    to: Option<DateTime<FixedOffset>>,
    documents: bool,
) -> CliResult<Vec<Listed>> {
    let organization = ctx.organization()?;
    let mirror = db.open().await?;
    let stored = mirror.documents(Resource::Payments, organization).await;
    mirror.close().await;
    let mut unreadable = Vec::new();
    let mut payments: Vec<Listed> = Vec::new();
    for doc in stored.map_err(sync_error)? {
        let id = doc.get("id").and_then(serde_json::Value::as_i64);
        // A JSON value always encodes, and reads back as one document.
        let kept = documents
            .then(|| serde_json::to_vec(&doc).ok())
            .flatten()
            .and_then(|text| Received::from_slice(&text).ok());
        match serde_json::from_value::<Payment>(doc) {
            Ok(p) => payments.push((p, kept)),
            Err(_) => unreadable.push(id),
        }
    }
    if !unreadable.is_empty() {
        let ids: Vec<String> = unreadable
            .iter()
            .map(|id| id.map_or_else(|| "?".to_owned(), |i| i.to_string()))
            .collect();
        eprintln!(
            "warning: {} payment(s) of the mirror could not be read and are left out: {}",
            ids.len(),
            ids.join(", ")
        );
    }
    let bounded = from.is_some() || to.is_some();
    payments.retain(|(p, _)| match p.date {
        Some(d) => from.is_none_or(|f| d >= f) && to.is_none_or(|t| d < t),
        None => !bounded,
    });
    payments.sort_by_key(|(p, _)| (p.date, p.id));
    Ok(payments)
}

/// Credits less debits of HelloAsso's export of payout `id`, in cents.
pub async fn stated_amount(ctx: &Context, id: i64) -> CliResult<i64> {
    let mut body: Vec<u8> = Vec::new();
    ctx.client
        .payout(ctx.organization()?, id)
        .write_to(ExportFormat::Csv, &mut body)
        .await?;
    export_total(&body)
        .map_err(|e| CliError::other(format!("the export of payout {id} is unreadable: {e}")))
}

/// Credits less debits of a cash-out export in CSV (a byte-order mark
/// allowed). HelloAsso writes its amounts in euros, whole or not (`15`,
/// `0.15`, `12,50`), never in cents.
pub fn export_total(csv_bytes: &[u8]) -> Result<i64, String> {
    let body = csv_bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(csv_bytes);
    let mut reader = csv::Reader::from_reader(body);
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("no `{name}` column"))
    };
    let (credit, debit) = (col("credit")?, col("debit")?);
    let mut total = 0i64;
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        total += cents(record.get(credit).unwrap_or(""))?;
        total -= cents(record.get(debit).unwrap_or(""))?;
    }
    Ok(total)
}

fn cents(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    text.parse::<Cents>()
        .map(Cents::get)
        .map_err(|_| "an amount is not a number".to_owned())
}

/// The payouts dated in `[from, to)`, each checked against its export.
pub async fn payout_lines(
    ctx: &Context,
    settings: &Settings,
    db: Option<&DbLocation>,
    from: Option<DateTime<FixedOffset>>,
    to: Option<DateTime<FixedOffset>>,
) -> CliResult<(Vec<PayoutLine>, Vec<Payment>)> {
    let read_from = from.map(|f| f - Duration::days(PAYOUT_LAG_DAYS));
    let payments: Vec<Payment> = payments_between(ctx, settings, db, read_from, to, false)
        .await?
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    let mut lines = Vec::new();
    for tally in by_payout(&payments) {
        let inside = tally
            .date
            .is_none_or(|d| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d < t));
        if !inside {
            continue;
        }
        let stated = stated_amount(ctx, tally.id).await.ok();
        lines.push(PayoutLine {
            difference: stated.map(|s| tally.difference(s)),
            stated,
            tally,
        });
    }
    Ok((lines, payments))
}

pub async fn list(ctx: &Context, settings: &Settings, args: PayoutsListArgs) -> CliResult {
    let zone = settings.style.zone;
    let from = args
        .from
        .as_deref()
        .map(|v| input::date("--from", v, zone))
        .transpose()?;
    let to = args
        .to
        .as_deref()
        .map(|v| input::date("--to", v, zone))
        .transpose()?;
    let out = args.out.as_deref();
    let format = settings.listing_format(out);
    let mut emitter = Emitter::listing::<PayoutLine>(format, settings.style, out, args.force)?;
    let (lines, _) = payout_lines(ctx, settings, args.db.as_ref(), from, to).await?;
    for line in &lines {
        emitter.row(line)?;
    }
    if emitter.finish()? == 0 {
        eprintln!("no payouts in this period");
    }
    warn_differences(&lines);
    Ok(())
}

fn warn_differences(lines: &[PayoutLine]) {
    for line in lines {
        if let Some(d) = line.difference.filter(|d| *d != 0) {
            eprintln!(
                "warning: payout {} does not add up: HelloAsso states {} EUR, its payments net {} EUR (difference {} EUR)",
                line.tally.id,
                input::format_euros(line.stated.unwrap_or_default()),
                input::format_euros(line.tally.net),
                input::format_euros(d)
            );
        }
    }
}

/// The payments of payout `id` among every payment (of the mirror at `db`
/// when given), with their documents when `documents`.
async fn payments_of(
    ctx: &Context,
    settings: &Settings,
    db: Option<&DbLocation>,
    id: i64,
    documents: bool,
) -> CliResult<Vec<Listed>> {
    let mut payments = payments_between(ctx, settings, db, None, None, documents).await?;
    payments.retain(|(p, _)| p.id_cash_out == Some(id));
    if payments.is_empty() {
        return Err(CliError::new(
            crate::exit::Kind::NotFound,
            format!("no payment belongs to payout {id}"),
        ));
    }
    Ok(payments)
}

pub async fn show(ctx: &Context, settings: &Settings, args: PayoutShowArgs) -> CliResult {
    let out = args.out.as_deref();
    let format = settings.listing_format(out);
    let mut emitter = Emitter::listing::<PayoutPayment>(format, settings.style, out, args.force)?;
    let listed = payments_of(
        ctx,
        settings,
        args.db.as_ref(),
        args.id,
        output::keeps_documents(format),
    )
    .await?;
    let (payments, documents): (Vec<Payment>, Vec<_>) = listed.into_iter().unzip();
    let tally = by_payout(&payments)
        .into_iter()
        .next()
        .ok_or_else(|| CliError::other(format!("no payment belongs to payout {}", args.id)))?;
    let stated = stated_amount(ctx, args.id).await.ok();
    for (p, document) in payments.into_iter().zip(documents) {
        emitter.row(&PayoutPayment::new(args.id, p).with_document(document))?;
    }
    if !matches!(format, Format::Json | Format::Jsonl) {
        let mut total = vec![Cell::text("TOTAL")];
        total.extend(std::iter::repeat_n(Cell::Empty, 5));
        total.extend([
            Cell::Euros(tally.gross),
            Cell::Euros(tally.refunds),
            Cell::Euros(tally.net),
        ]);
        emitter.item(&(), total)?;
    }
    emitter.finish()?;
    let line = PayoutLine {
        difference: stated.map(|s| tally.difference(s)),
        stated,
        tally,
    };
    match line.stated {
        Some(s) => eprintln!(
            "payout {}: {} payments, net {} EUR; HelloAsso states {} EUR: {}",
            args.id,
            line.tally.payment_ids.len(),
            input::format_euros(line.tally.net),
            input::format_euros(s),
            line.check()
        ),
        None => eprintln!(
            "payout {}: {} payments, net {} EUR; HelloAsso's export could not be read",
            args.id,
            line.tally.payment_ids.len(),
            input::format_euros(line.tally.net)
        ),
    }
    warn_differences(std::slice::from_ref(&line));
    Ok(())
}

/// `payments list --payout ID`: the payout's payments in the payments
/// listing's own columns.
pub async fn payments_list(
    ctx: &Context,
    settings: &Settings,
    db: Option<&DbLocation>,
    id: i64,
    out: Option<&Path>,
    force: bool,
) -> CliResult {
    let format = settings.listing_format(out);
    let mut emitter = Emitter::listing::<Payment>(format, settings.style, out, force)?;
    let documents = output::keeps_documents(format);
    for (p, document) in payments_of(ctx, settings, db, id, documents).await? {
        emitter.received_row(&p, document.as_ref())?;
    }
    emitter.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_totals_are_credits_less_debits() {
        let csv = "\u{feff}cashOutId,credit,debit\n1,15,0\n1,20.5,5\n1,\"12,50\",\n";
        assert_eq!(
            export_total(csv.as_bytes()).unwrap(),
            1500 + 2050 - 500 + 1250
        );
        assert!(export_total(b"cashOutId,amount\n1,3\n").is_err());
    }
}

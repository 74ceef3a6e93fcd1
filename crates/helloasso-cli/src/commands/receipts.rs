//! `helloasso payments receipts`: each payment's receipt and tax-receipt
//! URLs, as HelloAsso states them (`paymentReceiptUrl`, `fiscalReceiptUrl`),
//! for a treasurer who files or forwards them.
//!
//! The URLs are listed, not fetched: they point at HelloAsso's web site,
//! not its API, and the API token is never sent anywhere but the API.

use chrono::{DateTime, FixedOffset};
use clap::Args;
use helloasso_sdk::types::Payment;
use serde::Serialize;

use crate::args::{FilterArgs, OutArgs};
use crate::commands::shared::{page_size_for, tell_count};
use crate::config::Context;
use crate::exit::CliResult;
use crate::output::{Col, Emitter};
use crate::rows::{Cell, Row};
use crate::settings::Settings;
use crate::{input, pager};

/// `payments receipts`: which payments, how many.
#[derive(Debug, Args)]
pub struct ReceiptsArgs {
    #[command(flatten)]
    pub filters: FilterArgs,

    /// Only the payments of this form, as TYPE/SLUG or its page's URL
    #[arg(long, value_name = "TYPE/SLUG|URL")]
    pub form: Option<String>,

    /// At most this many payments
    #[arg(long, default_value_t = 20, conflicts_with = "all", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,

    /// Every matching payment
    #[arg(long)]
    pub all: bool,

    /// Items per request, 1 to 100
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub page_size: u32,

    #[command(flatten)]
    pub output: OutArgs,
}

/// One payment's receipts. JSON shows it as is, the amount in cents.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipts {
    pub id: Option<i64>,
    pub date: Option<DateTime<FixedOffset>>,
    pub amount: Option<i64>,
    pub state: String,
    pub payment_receipt_url: Option<String>,
    pub fiscal_receipt_url: Option<String>,
}

impl From<&Payment> for Receipts {
    fn from(p: &Payment) -> Self {
        Self {
            id: p.id,
            date: p.date,
            amount: p.amount.map(helloasso_sdk::Cents::get),
            state: p.state.as_ref().map_or("", |s| s.as_str()).to_owned(),
            payment_receipt_url: p.payment_receipt_url.clone(),
            fiscal_receipt_url: p.fiscal_receipt_url.clone(),
        }
    }
}

const COLS: &[Col] = &[
    Col::right("ID", "id"),
    Col::left("DATE", "date"),
    Col::right("AMOUNT (EUR)", "amount_eur"),
    Col::left("STATE", "state"),
    Col::left("RECEIPT", "payment_receipt_url"),
    Col::left("TAX RECEIPT", "fiscal_receipt_url"),
];

impl Row for Receipts {
    const COLUMNS: &'static [Col] = COLS;
    const SHEET: &'static str = "Receipts";

    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::number(self.id),
            Cell::date(self.date),
            Cell::euros(self.amount),
            Cell::text(self.state.clone()),
            Cell::text(self.payment_receipt_url.clone().unwrap_or_default()),
            Cell::text(self.fiscal_receipt_url.clone().unwrap_or_default()),
        ]
    }
}

pub async fn run(ctx: &Context, settings: &Settings, args: ReceiptsArgs) -> CliResult {
    let filters = input::filters(&args.filters, settings.style.zone)?;
    filters.check_listing()?;
    let limit = (!args.all).then_some(args.limit);
    let page_size = page_size_for(args.page_size, limit);
    let payments = ctx.client.payments(ctx.organization()?);
    let list = match &args.form {
        Some(form) => {
            let (kind, slug) = input::form(form)?;
            payments.form(kind, slug)
        }
        None => payments.list(),
    }
    .filters(filters.page_size(page_size))
    .with_count(true);
    let out = args.output.out.as_deref();
    let format = settings.listing_format(out);
    let mut emitter = Emitter::listing::<Receipts>(format, settings.style, out, args.output.force)?;
    let walked = pager::walk_listing(
        list,
        page_size,
        limit,
        settings.progress,
        "receipts",
        |payment| emitter.row(&Receipts::from(&payment)),
    )
    .await?;
    let shown = emitter.finish()?;
    tell_count(shown, walked.total, "payments match", "--all");
    Ok(())
}

//! `helloasso orders list|get|cancel|summary`.
//!
//! An order is what a payer bought in one go: items (a membership, tickets)
//! and the payments that settle it (one, or instalments).

use clap::{Args, Subcommand};
use helloasso_sdk::types::{Order, OrderDetail, OrderPayment};

use crate::args::{LimitArgs, OutArgs, PeriodArgs};
use crate::commands::order_query::{OrderQuery, listing_with};
use crate::commands::shared::{join_name, order_form, refunded_cents, tell_count};
use crate::config::Context;
use crate::exit::{self, CliError, CliResult, Kind};
use crate::output::{self, Col, Emitter};
use crate::rows::{Cell, Row};
use crate::settings::Settings;
use crate::timezone::Zone;
use crate::{input, pager, prompt};

#[derive(Debug, Subcommand)]
pub enum OrdersCommand {
    /// List the organization's orders (newest first)
    List(OrdersListArgs),
    /// Show one order with its items and payments
    Get(OrderGetArgs),
    /// Stop the instalments of an order not yet collected (asks for confirmation)
    Cancel(OrderCancelArgs),
    /// Totals (count, gross, discount, refunded, net, paid) by month, form or form type.
    /// Gross is what was ordered in the period (by order date), refused payments and
    /// instalments to come included; paid is what the orders' payments in --state
    /// (default: those where money came in) brought, whatever their date. `payments
    /// summary` adds up payments by their own date instead
    Summary(crate::commands::orders_summary::OrdersSummaryArgs),
}

impl OrdersCommand {
    /// Whether it pages through a whole listing.
    pub fn is_long(&self) -> bool {
        match self {
            Self::List(args) => args.limits.all,
            Self::Summary(_) => true,
            Self::Get(_) | Self::Cancel(_) => false,
        }
    }
}

#[derive(Debug, Args)]
pub struct OrdersListArgs {
    #[command(flatten)]
    pub period: PeriodArgs,

    /// Only orders through these kinds of forms (comma-separated), e.g. Membership,Event
    #[arg(
        long = "form-type",
        value_name = "TYPE",
        value_delimiter = ',',
        conflicts_with = "form"
    )]
    pub form_types: Vec<String>,

    #[command(flatten)]
    pub limits: LimitArgs,

    /// Continue a listing that stopped, from the checkpoint its error gave
    /// (same filters)
    #[arg(
        long,
        value_name = "CHECKPOINT",
        requires = "all",
        value_parser = clap::builder::NonEmptyStringValueParser::new()
    )]
    pub resume: Option<String>,

    #[command(flatten)]
    pub output: OutArgs,
}

#[derive(Debug, Args)]
pub struct OrderGetArgs {
    /// Order id
    pub id: i64,
}

#[derive(Debug, Args)]
pub struct OrderCancelArgs {
    /// Order id
    pub id: i64,

    /// Do not ask for confirmation (required when not on a terminal)
    #[arg(short, long)]
    pub yes: bool,
}

pub async fn run(ctx: &Context, settings: &Settings, command: OrdersCommand) -> CliResult {
    match command {
        OrdersCommand::List(args) => {
            let out = args.output.out.clone();
            crate::destination::unless_interrupted(out.as_deref(), list(ctx, settings, args)).await
        }
        OrdersCommand::Get(args) => get(ctx, settings, args).await,
        OrdersCommand::Cancel(args) => cancel(ctx, settings, args).await,
        OrdersCommand::Summary(args) => super::orders_summary::run(ctx, settings, args).await,
    }
}

/// A page size no larger than a small limit needs.
pub fn page_size_for(limits: &LimitArgs) -> u32 {
    crate::commands::shared::page_size_for(limits.page_size, limits.limit())
}

const ORDER_COLS: &[Col] = &[
    Col::right("ID", "id"),
    Col::left("DATE", "date"),
    Col::right("TOTAL (EUR)", "total_eur"),
    Col::right("DISCOUNT (EUR)", "discount_eur"),
    Col::right("REFUNDED (EUR)", "refunded_eur"),
    Col::right("ITEMS", "items"),
    Col::right("PAYMENTS", "payments"),
    Col::left("PAYER", "payer"),
    Col::left("FORM", "form"),
];

impl Row for Order {
    const COLUMNS: &'static [Col] = ORDER_COLS;
    const SHEET: &'static str = "Orders";

    fn cells(&self) -> Vec<Cell> {
        let amount = self.amount.as_ref();
        vec![
            Cell::number(self.id),
            Cell::date(self.date),
            Cell::euros(amount.and_then(|a| a.total)),
            Cell::euros(amount.and_then(|a| a.discount)),
            Cell::Euros(order_refunded(self.payments.as_deref())),
            Cell::Number(count(self.items.as_ref())),
            Cell::Number(count(self.payments.as_ref())),
            Cell::text(self.payer.as_ref().map_or_else(String::new, |p| {
                join_name(p.first_name.as_deref(), p.last_name.as_deref())
            })),
            Cell::text(order_form(
                self.form_type.as_ref(),
                self.form_slug.as_deref(),
            )),
        ]
    }
}

fn count<T>(list: Option<&Vec<T>>) -> i64 {
    list.map_or(0, |l| i64::try_from(l.len()).unwrap_or(i64::MAX))
}

/// What was refunded of an order, in cents, over all its payments.
pub fn order_refunded(payments: Option<&[OrderPayment]>) -> i64 {
    payments
        .unwrap_or_default()
        .iter()
        .map(|p| refunded_cents(p.refund_operations.as_deref()))
        .fold(0, i64::saturating_add)
}

async fn list(ctx: &Context, settings: &Settings, args: OrdersListArgs) -> CliResult {
    let zone = settings.style.zone;
    let q = OrderQuery::new(
        &args.period,
        &args.form_types,
        page_size_for(&args.limits),
        zone,
    )?;
    let out = args.output.out.as_deref();
    let format = settings.listing_format(out);
    let mut emitter = Emitter::listing::<Order>(format, settings.style, out, args.output.force)?;
    let limit = args.limits.limit();
    // JSON prints HelloAsso's orders as it sent them.
    let client = ctx.client.keeping_received(output::keeps_documents(format));
    let mut list = listing_with(&client, ctx, &q)?;
    let walked = if limit.is_none() {
        // A whole listing goes page by page. When a page fails, what went to
        // standard output is complete up to the checkpoint the error gives,
        // and --resume continues from it; a --out file is not left half
        // written, so there is nothing to continue.
        if let Some(checkpoint) = &args.resume {
            list = list.resume_at(crate::listing::checkpoint(checkpoint)?);
        }
        let walk = pager::walk_resumable(
            list.pages(),
            settings.progress,
            "orders",
            |order, received| emitter.received_row(&order, received.as_ref()),
        )
        .await;
        match walk {
            Ok(walked) => walked,
            Err(stopped) if emitter.to_file() => return Err(stopped.error),
            Err(stopped) => {
                let _ = emitter.finish();
                return Err(stopped.into_error());
            }
        }
    } else {
        // Only a complete listing is finished: on an error the emitter is
        // dropped, so a --out file is not left half written.
        pager::walk_listing_received(
            list,
            q.page_size,
            limit,
            settings.progress,
            "orders",
            |order, received| emitter.received_row(&order, received.as_ref()),
        )
        .await?
    };
    let shown = emitter.finish()?;
    if args.resume.is_some() {
        crate::listing::tell_resumed(shown, "orders");
    } else {
        tell_count(shown, walked.total, "orders match", "--all");
    }
    Ok(())
}

async fn get(ctx: &Context, settings: &Settings, args: OrderGetArgs) -> CliResult {
    let decimal = settings.style.decimal(settings.format());
    if output::keeps_documents(settings.format()) {
        // HelloAsso's order as it sent it.
        let id = args.id;
        let (order, received) = ctx
            .client
            .order(id)
            .get_received()
            .await
            .map_err(|e| not_found(e, id))?;
        let fields = detail_fields(&order, settings.style.zone, decimal);
        return output::single_in(
            settings.format(),
            settings.style.dialect,
            &received,
            &fields,
        );
    }
    let order = read(ctx, args.id).await?;
    output::single_in(
        settings.format(),
        settings.style.dialect,
        &order,
        &detail_fields(&order, settings.style.zone, decimal),
    )
}

async fn read(ctx: &Context, id: i64) -> CliResult<OrderDetail> {
    ctx.client
        .order(id)
        .get()
        .await
        .map_err(|e| not_found(e, id))
}

fn not_found(e: helloasso_sdk::Error, id: i64) -> CliError {
    crate::hints::not_found(e, &format!("order {id}"), "`helloasso orders list`")
}

/// Key/value view of one order, in the listing's formats.
fn detail_fields(o: &OrderDetail, zone: Zone, decimal: char) -> Vec<(&'static str, String)> {
    let text = |cell: Cell| cell.render(zone, decimal);
    let amount = o.amount.as_ref();
    let items = o
        .items
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|i| {
            format!(
                "#{} {} {} EUR{}",
                i.id.map_or_else(String::new, |id| id.to_string()),
                i.name.as_deref().unwrap_or_default(),
                text(Cell::euros(i.amount)),
                i.state
                    .as_ref()
                    .map_or_else(String::new, |s| format!(" {}", s.as_str()))
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let payments = o
        .payments
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|p| {
            format!(
                "#{} {} {} EUR {}",
                p.id.map_or_else(String::new, |id| id.to_string()),
                text(Cell::date(p.date)),
                text(Cell::euros(p.amount)),
                p.state.as_ref().map_or("", |s| s.as_str())
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    vec![
        ("id", text(Cell::number(o.id))),
        ("date", text(Cell::date(o.date))),
        ("total_eur", text(Cell::euros(amount.and_then(|a| a.total)))),
        (
            "discount_eur",
            text(Cell::euros(amount.and_then(|a| a.discount))),
        ),
        (
            "refunded_eur",
            text(Cell::Euros(order_refunded(o.payments.as_deref()))),
        ),
        (
            "payer",
            o.payer.as_ref().map_or_else(String::new, |p| {
                join_name(p.first_name.as_deref(), p.last_name.as_deref())
            }),
        ),
        (
            "email",
            o.payer
                .as_ref()
                .and_then(|p| p.email.clone())
                .unwrap_or_default(),
        ),
        (
            "form",
            order_form(o.form_type.as_ref(), o.form_slug.as_deref()),
        ),
        ("items", items),
        ("payments", payments),
    ]
}

async fn cancel(ctx: &Context, settings: &Settings, args: OrderCancelArgs) -> CliResult {
    if !args.yes && !prompt::interactive() {
        return Err(CliError::usage(
            "refusing to cancel an order without confirmation: not on a terminal, pass --yes to confirm",
        ));
    }
    // Read first: an unknown id fails here, before the question, and the
    // question can say what is being cancelled.
    let order = read(ctx, args.id).await?;
    if !args.yes {
        let question = format!(
            "Cancel the instalments not yet collected of order {} ({} EUR, {})? Nothing already paid is refunded.",
            args.id,
            order
                .amount
                .as_ref()
                .and_then(|a| a.total)
                .map_or_else(|| "?".to_owned(), input::format_euros),
            order.payer.as_ref().map_or_else(String::new, |p| {
                join_name(p.first_name.as_deref(), p.last_name.as_deref())
            }),
        );
        if !prompt::confirm(&question).await? {
            return Err(CliError::new(
                Kind::Other,
                "cancellation declined: nothing was sent",
            ));
        }
    }
    // Sent once: the SDK never re-sends it, and neither does this command
    // after a lost answer.
    let id = args.id;
    match ctx.client.order(id).cancel().await {
        Ok(_) => {}
        // Unlike a refund, a cancellation cannot apply twice: once the
        // instalments are stopped there is nothing left to stop.
        Err(err) if exit::outcome_unknown(&err) => {
            return Err(CliError::new(
                Kind::OutcomeUnknown,
                format!(
                    "the cancellation of order {id} was sent, outcome unknown ({}): `helloasso orders get {id}` shows whether its instalments are cancelled; running the same command again is safe, since a second cancellation changes nothing",
                    exit::cause_of_lost_answer(&err)
                ),
            ));
        }
        Err(err) => return Err(crate::hints::cancel_refused(err, id)),
    }
    let raw = serde_json::json!({ "orderId": id, "canceled": true });
    match settings.format() {
        crate::args::Format::Table => {
            outln!("cancelled the instalments not yet collected of order {id}")?;
            Ok(())
        }
        other => output::single(
            other,
            &raw,
            &[("order", id.to_string()), ("canceled", "true".to_owned())],
        ),
    }
}

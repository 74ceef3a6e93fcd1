//! `helloasso payments list|get|search|export|refund`.

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use clap::{Args, Subcommand};
use futures::StreamExt;
use helloasso_sdk::types::{OperationState, Payment, PaymentDetail, PublicPayment};
use helloasso_sdk::{
    Client, ExportFormat, ListPayments, PaymentFilters, Private, RefundOutcome, SecretString,
};
use indicatif::ProgressBar;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::args::{FileFormat, FilterArgs, Format, OutArgs, secret};
use crate::commands::shared::{
    form_of, join_name, page_size_for, refunded_cents, tell_count, thousands,
};
use crate::config::Context;
use crate::destination::{self, Destination};
use crate::exit::{self, CliError, CliResult, Kind};
use crate::input::{self, format_euros};
use crate::output::{self, Col, Emitter};
use crate::prompt;
use crate::rows::{Cell, Row};
use crate::settings::Settings;
use crate::timezone::Zone;

#[derive(Debug, Subcommand)]
pub enum PaymentsCommand {
    /// List the organization's payments (newest first)
    List(ListArgs),
    /// Show one payment
    Get(GetArgs),
    /// Search payments by payer, amount, form type
    Search(SearchArgs),
    /// Export payments as CSV (or XLSX) through HelloAsso's own export
    Export(ExportArgs),
    /// Refund a payment, whole or in part (asks for confirmation and MFA)
    Refund(RefundArgs),
    /// List the payments' receipt and tax-receipt URLs
    Receipts(crate::commands::receipts::ReceiptsArgs),
    /// Totals (count, gross, refunded, tips, net) grouped by month, form, state or means.
    /// Without --state, only payments whose money came in (Authorized, Registered, Refunding,
    /// Refunded, Contested) are added up, by payment date: instalments count when paid, a
    /// refused payment never (`orders summary` counts what was ordered instead)
    Summary(crate::commands::summary::SummaryArgs),
}

impl PaymentsCommand {
    /// Whether it pages through a whole listing (and so deserves a larger
    /// retry budget).
    pub fn is_long(&self) -> bool {
        match self {
            Self::List(args) => args.all,
            Self::Export(_) | Self::Summary(_) => true,
            Self::Receipts(args) => args.all,
            Self::Get(_) | Self::Search(_) | Self::Refund(_) => false,
        }
    }
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filters: FilterArgs,

    /// Payer's name or e-mail contains this
    #[arg(long, value_name = "TEXT")]
    pub search: Option<Private<String>>,

    /// Only the payments of this form, as TYPE/SLUG (e.g. Membership/adhesion-2025-2026 or
    /// adhesions/adhesion-2025-2026) or its page's URL, whose organization replaces --org
    #[arg(long, value_name = "TYPE/SLUG|URL")]
    pub form: Option<String>,

    /// Only the payments of this payout (cash-out id), every one of them
    #[arg(long, value_name = "ID", conflicts_with_all = ["all", "resume", "search", "form"])]
    pub payout: Option<i64>,

    /// With --payout: read the payments from this mirror (`helloasso sync
    /// --db`: a SQLite file or a postgres:// URL) instead of HelloAsso
    #[arg(long, value_name = "PATH|URL", requires = "payout")]
    pub db: Option<crate::commands::sync::DbLocation>,

    /// At most this many payments
    #[arg(long, default_value_t = 20, conflicts_with = "all", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,

    /// Every matching payment (pages through the whole listing, retrying
    /// harder; if it still fails, it says where it stopped)
    #[arg(long)]
    pub all: bool,

    /// Continue a listing that stopped, from the checkpoint its error gave
    /// (same filters)
    #[arg(
        long,
        value_name = "CHECKPOINT",
        requires = "all",
        value_parser = clap::builder::NonEmptyStringValueParser::new()
    )]
    pub resume: Option<String>,

    /// Items per request, 1 to 100
    #[arg(long, default_value_t = 100)]
    pub page_size: u32,

    #[command(flatten)]
    pub output: OutArgs,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// Payment id
    pub id: i64,

    /// Also show refund operations that failed
    #[arg(long)]
    pub with_failed_refunds: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words that must all appear in the payer's names or e-mail
    pub query: Option<Private<String>>,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Only payments of exactly this amount, in euros (e.g. 12.50)
    #[arg(long, value_name = "EUR", allow_hyphen_values = true)]
    pub amount: Option<String>,

    /// Only payments through these kinds of forms (comma-separated), e.g. Membership,Donation
    #[arg(long = "form-type", value_name = "TYPE", value_delimiter = ',')]
    pub form_types: Vec<String>,

    /// At most this many results
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,

    /// Items per request, 1 to 100
    #[arg(long, default_value_t = 100)]
    pub page_size: u32,

    #[command(flatten)]
    pub output: OutArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub filters: FilterArgs,

    /// Payer's name or e-mail contains this
    #[arg(long, value_name = "TEXT")]
    pub search: Option<Private<String>>,

    /// Write to this file (default, or `-`: standard output, CSV only). A
    /// device or a pipe is written through; an existing file needs --force
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Replace --out if it is an existing file
    #[arg(long)]
    pub force: bool,

    /// File format (default: from --out's extension, else csv)
    #[arg(long = "as", value_enum, value_name = "FORMAT")]
    pub file_format: Option<FileFormat>,
}

/// Debug never shows the MFA code.
#[derive(Debug, Args)]
pub struct RefundArgs {
    /// Payment id
    pub id: i64,

    /// Refund only this much, in euros (e.g. 5.00); default: the whole payment
    #[arg(long, value_name = "EUR", allow_hyphen_values = true)]
    pub amount: Option<String>,

    /// Reason kept with the refund
    #[arg(long)]
    pub comment: Option<Private<String>>,

    /// Also cancel the order the payment belongs to
    #[arg(long)]
    pub cancel_order: bool,

    /// Do not e-mail the payer
    #[arg(long)]
    pub no_mail: bool,

    /// Do not ask for confirmation (required when not on a terminal)
    #[arg(short, long)]
    pub yes: bool,

    /// The MFA code HelloAsso asks for (otherwise asked on the terminal). A
    /// value on the command line shows in `ps`: prefer HELLOASSO_MFA_CODE or
    /// --mfa-code-file
    #[arg(
        long,
        value_name = "CODE",
        env = "HELLOASSO_MFA_CODE",
        hide_env_values = true,
        value_parser = secret
    )]
    pub mfa_code: Option<SecretString>,

    /// Read the MFA code from this file (`-`: standard input) once HelloAsso
    /// asks for it, not before: a script can write a code it receives by SMS
    /// after the request. It takes precedence over --mfa-code
    #[arg(long, value_name = "FILE", conflicts_with = "mfa_command")]
    pub mfa_code_file: Option<PathBuf>,

    /// Run this shell command once HelloAsso asks for an MFA code; what it
    /// prints on its standard output is the code (never shown nor logged).
    /// It sees HELLOASSO_MFA_PROOF (sms, access-token or password) and
    /// HELLOASSO_MFA_ATTEMPT; a failing command gives up. It takes precedence
    /// over --mfa-code
    #[arg(long, value_name = "CMD", value_parser = secret)]
    pub mfa_command: Option<SecretString>,

    /// When the refund's answer is lost, seconds to wait before reading the
    /// payment back a second time (the refund itself is never re-sent)
    #[arg(long, value_name = "SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(0..=120))]
    pub read_back_wait: u64,
}

pub async fn run(ctx: &Context, settings: &Settings, command: PaymentsCommand) -> CliResult {
    match command {
        PaymentsCommand::List(args) => {
            let out = args.output.out.clone();
            destination::unless_interrupted(out.as_deref(), list(ctx, settings, args)).await
        }
        PaymentsCommand::Get(args) => get(ctx, settings, args).await,
        PaymentsCommand::Search(args) => search(ctx, settings, args).await,
        PaymentsCommand::Export(args) => export(ctx, settings, args).await,
        PaymentsCommand::Refund(args) => refund(ctx, settings, args).await,
        PaymentsCommand::Receipts(args) => super::receipts::run(ctx, settings, args).await,
        PaymentsCommand::Summary(args) => super::summary::run(ctx, settings, args).await,
    }
}

pub const PAYMENT_COLS: &[Col] = &[
    Col::right("ID", "id"),
    Col::left("DATE", "date"),
    Col::right("AMOUNT (EUR)", "amount_eur"),
    Col::right("REFUNDED (EUR)", "refunded_eur"),
    Col::right("TIP (EUR)", "tip_eur"),
    Col::left("STATE", "state"),
    Col::left("MEANS", "means"),
    Col::left("PAYER", "payer"),
    Col::left("FORM", "form"),
    Col::right("PAYOUT", "payout"),
];

impl Row for Payment {
    const COLUMNS: &'static [Col] = PAYMENT_COLS;
    const SHEET: &'static str = "Payments";

    fn cells(&self) -> Vec<Cell> {
        payment_cells(self)
    }
}

/// The flattened view of a listed payment, one cell per [`PAYMENT_COLS`].
pub fn payment_cells(p: &Payment) -> Vec<Cell> {
    let payer = p.payer.as_ref().map_or_else(String::new, |payer| {
        join_name(payer.first_name.as_deref(), payer.last_name.as_deref())
    });
    vec![
        Cell::number(p.id),
        Cell::date(p.date),
        Cell::euros(p.amount),
        Cell::Euros(refunded_cents(p.refund_operations.as_deref())),
        Cell::euros(p.amount_tip),
        Cell::text(p.state.as_ref().map_or("", |s| s.as_str())),
        Cell::text(p.payment_means.as_ref().map_or("", |m| m.as_str())),
        Cell::text(payer),
        Cell::text(form_of(p.order.as_ref())),
        Cell::number(p.id_cash_out),
    ]
}

fn opt_id(id: Option<i64>) -> String {
    id.map_or_else(String::new, |i| i.to_string())
}

fn listing(ctx: &Context, args: &ListArgs, filters: &PaymentFilters) -> CliResult<ListPayments> {
    listing_with(&ctx.client, ctx, args, filters)
}

/// The listing `args` asks for, sent through `client`.
fn listing_with(
    client: &Client,
    ctx: &Context,
    args: &ListArgs,
    filters: &PaymentFilters,
) -> CliResult<ListPayments> {
    let payments = client.payments(ctx.organization()?);
    let mut list = match &args.form {
        Some(form) => {
            let (kind, slug) = input::form(form)?;
            payments.form(kind, slug)
        }
        None => payments.list(),
    }
    .filters(filters.clone());
    if let Some(key) = &args.search {
        list = list.search_key(key.expose().clone());
    }
    Ok(list)
}

async fn list(ctx: &Context, settings: &Settings, args: ListArgs) -> CliResult {
    if let Some(id) = args.payout {
        let out = args.output.out.as_deref();
        let (db, force) = (args.db.as_ref(), args.output.force);
        return super::reconcile::payments_list(ctx, settings, db, id, out, force).await;
    }
    let filters = input::filters(&args.filters, settings.style.zone)?.page_size(args.page_size);
    filters.check_listing()?;
    let limit = (!args.all).then_some(args.limit);
    let page_size = page_size_for(args.page_size, limit);
    let out = args.output.out.as_deref();
    let format = settings.listing_format(out);
    // JSON prints HelloAsso's payments as it sent them.
    let client = ctx.client.keeping_received(output::keeps_documents(format));
    let mut list = listing_with(&client, ctx, &args, &filters)?.page_size(page_size);
    if let Some(checkpoint) = &args.resume {
        list = list.resume_at(crate::listing::checkpoint(checkpoint)?);
    }
    let mut emitter = Emitter::listing::<Payment>(format, settings.style, out, args.output.force)?;
    // One page holds them all: no stream, so no page fetched ahead for nothing.
    if let Some(l) = limit.filter(|l| *l <= u64::from(page_size)) {
        let take = usize::try_from(l).unwrap_or(usize::MAX);
        let page = list.with_count(true).send().await?;
        for (i, payment) in page.items.iter().take(take).enumerate() {
            emitter.received_row(payment, page.received().map(|r| &r[i]))?;
        }
        let shown = emitter.finish()?;
        let total = page.total_count.and_then(|t| u64::try_from(t).ok());
        tell_count(shown, total, "payments match", "--all");
        return Ok(());
    }
    // The total drives the progress bar and the retry budget; HelloAsso
    // counts only when asked (`withCount`).
    let mut pages = list.with_count(true).pages();
    let mut bar: Option<ProgressBar> = None;
    let mut total: Option<u64> = None;
    let mut shown: u64 = 0;
    // Whether the retry budget was fitted to the listing's length yet.
    let mut fitted = limit.is_some();
    'pages: while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                if let Some(bar) = &bar {
                    bar.finish_and_clear();
                }
                // A --out file is not left half written, so there is nothing
                // to continue. What went to standard output is complete up
                // to the stream's checkpoint (which also moves past pages it
                // skipped as repeats), and `--resume` continues right after.
                if emitter.to_file() {
                    return Err(e.into());
                }
                let _ = emitter.finish();
                // `--resume` continues a whole listing (`--all`) only.
                if limit.is_some() {
                    return Err(e.into());
                }
                let resume = pages.resume_point().map(|c| c.to_string());
                return Err(crate::listing::stopped(e.into(), shown, resume.as_deref()));
            }
        };
        let bar = bar.get_or_insert_with(|| {
            total = page.total_count.and_then(|t| u64::try_from(t).ok());
            let len = match (total, limit) {
                (Some(t), Some(l)) => Some(t.min(l)),
                (t, None) => t,
                (None, Some(l)) => Some(l),
            };
            output::progress(settings.progress, len, "payments")
        });
        for (i, payment) in page.items.iter().enumerate() {
            if limit.is_some_and(|l| shown >= l) {
                break 'pages;
            }
            emitter.received_row(payment, page.received().map(|r| &r[i]))?;
            shown += 1;
            bar.inc(1);
        }
        if !fitted {
            fitted = true;
            // Now that HelloAsso said how long it is: a very long listing
            // goes on with more attempts per page, from this page's
            // checkpoint, which carries the page's ids so that a payment
            // straddling it and the next page is still listed once.
            if let (Some(t), Some(c)) = (total, pages.resume_point()) {
                let attempts = crate::listing::attempts_for(t.div_ceil(u64::from(page_size)));
                if attempts > crate::listing::LONG_LISTING_ATTEMPTS {
                    let policy = helloasso_sdk::RetryPolicy::default().with_max_attempts(attempts);
                    let client = client.with_retry_policy(policy);
                    pages = listing_with(&client, ctx, &args, &filters)?
                        .page_size(page_size)
                        .resume_at(c)
                        .pages();
                }
            }
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let shown = emitter.finish()?;
    if args.resume.is_some() {
        // A resumed listing shows the rest only: it is whole, not cut.
        crate::listing::tell_resumed(shown, "payments");
    } else {
        tell_count(shown, total, "payments match", "--all");
    }
    Ok(())
}

async fn get(ctx: &Context, settings: &Settings, args: GetArgs) -> CliResult {
    let mut request = ctx.client.payment(args.id).get();
    if args.with_failed_refunds {
        request = request.with_failed_refund_operations(true);
    }
    let format = settings.format();
    let dialect = settings.style.dialect;
    let decimal = settings.style.decimal(format);
    if output::keeps_documents(format) {
        // HelloAsso's payment as it sent it.
        let (payment, received) = request
            .send_received()
            .await
            .map_err(|e| payment_not_found(e, args.id))?;
        let fields = detail_fields(&payment, settings.style.zone, decimal);
        return output::single_in(format, dialect, &received, &fields);
    }
    let payment = request.await.map_err(|e| payment_not_found(e, args.id))?;
    output::single_in(
        format,
        dialect,
        &payment,
        &detail_fields(&payment, settings.style.zone, decimal),
    )
}

/// Key/value view of one payment: the same keys and the same date and
/// amount formats as a listing's columns (`decimal` separates the cents).
pub fn detail_fields(p: &PaymentDetail, zone: Zone, decimal: char) -> Vec<(&'static str, String)> {
    let text = |cell: Cell| cell.render(zone, decimal);
    let payer = p.payer.as_ref();
    let mut fields = vec![
        ("id", text(Cell::number(p.id))),
        ("date", text(Cell::date(p.date))),
        ("amount_eur", text(Cell::euros(p.amount))),
        (
            "refunded_eur",
            text(Cell::Euros(refunded_cents(p.refund_operations.as_deref()))),
        ),
        ("tip_eur", text(Cell::euros(p.amount_tip))),
        ("state", enum_text(p.state.as_ref().map(|s| s.as_str()))),
        (
            "means",
            enum_text(p.payment_means.as_ref().map(|m| m.as_str())),
        ),
        ("type", enum_text(p.type_.as_ref().map(|t| t.as_str()))),
        (
            "payer",
            payer.map_or_else(String::new, |x| {
                join_name(x.first_name.as_deref(), x.last_name.as_deref())
            }),
        ),
        (
            "email",
            payer.and_then(|x| x.email.clone()).unwrap_or_default(),
        ),
        (
            "order",
            p.order.as_ref().map_or_else(String::new, |o| opt_id(o.id)),
        ),
        ("form", form_of(p.order.as_ref())),
        (
            "cash_out",
            enum_text(p.cash_out_state.as_ref().map(|s| s.as_str())),
        ),
    ];
    let refunds = p.refund_operations.as_deref().unwrap_or_default();
    let refunds_text = refunds
        .iter()
        .map(|r| {
            format!(
                "#{} {} EUR {}",
                opt_id(r.id),
                r.amount
                    .map_or_else(|| "?".to_owned(), |a| text(Cell::Euros(a.get()))),
                enum_text(r.status.as_ref().map(|s| s.as_str()))
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    fields.push(("refunds", refunds_text));
    fields
}

fn enum_text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

const SEARCH_COLS: &[Col] = &[
    Col::right("ID", "id"),
    Col::left("DATE", "date"),
    Col::right("AMOUNT (EUR)", "amount_eur"),
    Col::right("REFUNDED (EUR)", "refunded_eur"),
    Col::left("STATE", "state"),
    Col::left("PAYER", "payer"),
    Col::left("EMAIL", "email"),
    Col::left("FORM TYPE", "form_type"),
    Col::right("ORDER", "order"),
];

impl Row for PublicPayment {
    const COLUMNS: &'static [Col] = SEARCH_COLS;
    const SHEET: &'static str = "Search";

    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::number(self.id),
            Cell::date(self.date),
            Cell::euros(self.amount),
            // A partly refunded payment must not look untouched.
            Cell::Euros(refunded_cents(self.refund_operations.as_deref())),
            Cell::text(enum_text(self.status.as_ref().map(|s| s.as_str()))),
            Cell::text(join_name(
                self.payer_first_name.as_deref(),
                self.payer_last_name.as_deref(),
            )),
            Cell::text(self.user_email.clone().unwrap_or_default()),
            Cell::text(enum_text(self.form_type.as_ref().map(|t| t.as_str()))),
            Cell::number(self.order_id),
        ]
    }
}

async fn search(ctx: &Context, settings: &Settings, args: SearchArgs) -> CliResult {
    let filters = input::filters(&args.filters, settings.style.zone)?.page_size(args.page_size);
    filters.check_search()?;
    let form_types = input::form_types(&args.form_types)?;
    let amount = args
        .amount
        .as_deref()
        .map(|a| input::euros("--amount", a))
        .transpose()?;
    let page_size = page_size_for(args.page_size, Some(args.limit));
    let out = args.output.out.as_deref();
    let format = settings.listing_format(out);
    // JSON prints HelloAsso's payments as it sent them.
    let mut search = ctx
        .client
        .keeping_received(output::keeps_documents(format))
        .payments(ctx.organization()?)
        .search()
        .filters(filters)
        .page_size(page_size);
    if let Some(query) = args
        .query
        .as_ref()
        .map(|q| q.expose().as_str())
        .filter(|q| !q.trim().is_empty())
    {
        search = search.search_key(query);
    }
    if !form_types.is_empty() {
        search = search.form_types(form_types);
    }
    if let Some(amount) = amount {
        search = search.amount(amount);
    }
    let mut emitter =
        Emitter::listing::<PublicPayment>(format, settings.style, out, args.output.force)?;
    let mut pages = search.pages();
    let bar = output::progress(settings.progress, Some(args.limit), "searching");
    let mut shown = 0;
    let mut more = false;
    'pages: while let Some(page) = pages.next().await {
        let mut page = page?;
        let mut received = page.take_received().map(Vec::into_iter);
        for payment in page.items {
            let document = received.as_mut().and_then(Iterator::next);
            if shown >= args.limit {
                more = true;
                break 'pages;
            }
            emitter.received_row(&payment, document.as_ref())?;
            shown += 1;
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    let shown = emitter.finish()?;
    if shown == 0 {
        eprintln!("no payments match this search");
    } else if more {
        eprintln!(
            "the first {} payments found; there are more (raise --limit)",
            thousands(shown)
        );
    }
    Ok(())
}

async fn export(ctx: &Context, settings: &Settings, args: ExportArgs) -> CliResult {
    let filters = input::filters(&args.filters, settings.style.zone)?;
    filters.check_listing()?;
    let destination = match &args.out {
        None => Destination::Stdout,
        Some(out) => Destination::resolve(out, args.force)?,
    };
    let file_format = export_file_format(args.file_format, args.out.as_deref())?;
    if matches!(destination, Destination::Stdout)
        && settings
            .format
            .is_some_and(|f| matches!(f, Format::Json | Format::Jsonl | Format::Xlsx))
    {
        // The export is HelloAsso's own file; printing CSV under any other
        // name would mislead a script.
        return Err(CliError::usage(
            "payments export writes HelloAsso's own CSV (or XLSX with --out): for JSON or a table use `payments list --all --format json`",
        ));
    }
    let format = match file_format {
        FileFormat::Csv => ExportFormat::Csv,
        FileFormat::Xlsx => ExportFormat::Xlsx,
    };
    if matches!(destination, Destination::Stdout) && format == ExportFormat::Xlsx {
        return Err(CliError::usage(
            "an XLSX export needs a file: pass --out FILE.xlsx",
        ));
    }
    let list_args = ListArgs {
        filters: args.filters.clone(),
        search: args.search.clone(),
        form: None,
        payout: None,
        db: None,
        limit: 0,
        all: true,
        page_size: helloasso_sdk::MAX_PAGE_SIZE,
        resume: None,
        output: crate::args::OutArgs::default(),
    };
    let list = listing(ctx, &list_args, &filters)?;
    let bar = export_bar(settings.progress, &list, format).await;
    let export = list.export(format);
    let shown = args
        .out
        .as_ref()
        .map_or_else(String::new, |p| p.display().to_string());
    let (bytes, rows) = match destination {
        Destination::Stdout => {
            let mut stdout = Counting::new(tokio::io::stdout(), bar.clone(), format);
            let result = export.write_to(&mut stdout).await;
            bar.finish_and_clear();
            result.map_err(export_error)?;
            return Ok(());
        }
        Destination::Stream(path) => {
            let file = destination::open_stream(&path).await?;
            let mut writer = Counting::new(file, bar.clone(), format);
            let result = export.write_to(&mut writer).await;
            bar.finish_and_clear();
            let bytes = result.map_err(|e| file_export_error(e, &shown))?;
            writer
                .flush()
                .await
                .map_err(|e| CliError::other(format!("cannot write the export to {shown}: {e}")))?;
            (bytes, None)
        }
        Destination::File { target, replace } => {
            let summary = export_to_file(export, format, &target, replace, &bar).await;
            bar.finish_and_clear();
            summary?
        }
    };
    let rows_text = rows.map_or_else(String::new, |r| format!("{r} payments, "));
    let fields = [
        ("file", shown.clone()),
        ("format", format.extension().to_owned()),
        ("rows", rows.map_or_else(String::new, |r| r.to_string())),
        ("bytes", bytes.to_string()),
    ];
    let raw = serde_json::json!({
        "file": shown,
        "format": format.extension(),
        "rows": rows,
        "bytes": bytes,
    });
    match settings.format() {
        Format::Table => {
            outln!("exported {rows_text}{bytes} bytes to {shown}")?;
            Ok(())
        }
        other => output::single(other, &raw, &fields),
    }
}

/// The export's file format: `--as`, else the `--out` extension, else CSV.
/// An `--as` that contradicts the file name is refused rather than writing
/// CSV into a `.xlsx` (or the reverse).
pub(crate) fn export_file_format(
    asked: Option<FileFormat>,
    out: Option<&Path>,
) -> CliResult<FileFormat> {
    let by_name = out
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .and_then(|e| {
            if e.eq_ignore_ascii_case("xlsx") {
                Some(FileFormat::Xlsx)
            } else if e.eq_ignore_ascii_case("csv") {
                Some(FileFormat::Csv)
            } else {
                None
            }
        });
    match (asked, by_name) {
        (Some(asked), Some(named)) if asked != named => Err(CliError::usage(format!(
            "--as {} contradicts --out {}: name the file .{} or drop --as",
            file_format_name(asked),
            out.map(|p| p.display().to_string()).unwrap_or_default(),
            file_format_name(asked),
        ))),
        (Some(f), _) | (None, Some(f)) => Ok(f),
        (None, None) => Ok(FileFormat::Csv),
    }
}

fn file_format_name(format: FileFormat) -> &'static str {
    match format {
        FileFormat::Csv => "csv",
        FileFormat::Xlsx => "xlsx",
    }
}

/// A bar counting CSV lines against the listing's total, when HelloAsso
/// counts; a spinner otherwise. Costs one small request, made only when the
/// bar will be seen.
async fn export_bar(enabled: bool, list: &ListPayments, format: ExportFormat) -> ProgressBar {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    if format != ExportFormat::Csv {
        return output::byte_progress(true, "exporting");
    }
    let total = match list.clone().page_size(1).send().await {
        Ok(page) => page.total_count.and_then(|t| u64::try_from(t).ok()),
        Err(_) => None,
    };
    output::progress(true, total, "exporting")
}

fn export_error(err: helloasso_sdk::ExportError) -> CliError {
    match err {
        helloasso_sdk::ExportError::Write(e) => output::write_error(e),
        other => other.into(),
    }
}

/// A write failure on a file the user named: unlike standard output, a
/// reader that went away means the export is incomplete.
fn file_export_error(err: helloasso_sdk::ExportError, shown: &str) -> CliError {
    match err {
        helloasso_sdk::ExportError::Write(e) => {
            CliError::other(format!("could not write the export to {shown}: {e}"))
        }
        other => other.into(),
    }
}

/// Writes into a temporary file beside `target`, then moves it into place:
/// a failed, cut or interrupted (Ctrl-C) download leaves nothing behind and
/// never a truncated file under the name the user asked for.
async fn export_to_file(
    export: helloasso_sdk::ExportPayments,
    format: ExportFormat,
    target: &Path,
    replace: bool,
    bar: &ProgressBar,
) -> CliResult<(u64, Option<u64>)> {
    let shown = target.display().to_string();
    // Ctrl-C drops the download with `temp`, which deletes it.
    let (temp, written) = destination::unless_interrupted(Some(target), async {
        let temp = destination::temporary_beside(target)?;
        let file = temp
            .as_file()
            .try_clone()
            .map_err(|e| CliError::other(format!("cannot write the export to {shown}: {e}")))?;
        let mut writer = Counting::new(tokio::fs::File::from_std(file), bar.clone(), format);
        let written = export
            .write_to(&mut writer)
            .await
            .map_err(|e| file_export_error(e, &shown))?;
        // tokio writes in the background: wait for the last bytes to land.
        writer
            .flush()
            .await
            .map_err(|e| CliError::other(format!("cannot write the export to {shown}: {e}")))?;
        Ok((temp, written))
    })
    .await?;
    temp.as_file()
        .sync_all()
        .map_err(|e| CliError::other(format!("cannot write the export to {shown}: {e}")))?;
    destination::persist(temp, target, replace)?;
    let rows = if format == ExportFormat::Csv {
        count_csv_rows(target).ok()
    } else {
        None
    };
    Ok((written, rows))
}

/// Data rows of a CSV file (quoted line breaks count once).
pub fn count_csv_rows(path: &Path) -> Result<u64, csv::Error> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(path)?;
    let mut rows = 0;
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record)? {
        rows += 1;
    }
    Ok(rows)
}

/// An [`AsyncWrite`] that advances a progress bar as an export is written:
/// by records (lines after the header) for CSV, by bytes for a workbook,
/// whose compressed bytes hold no lines to count.
pub struct Counting<W> {
    inner: W,
    bar: ProgressBar,
    by_lines: bool,
    header_seen: bool,
}

impl<W> Counting<W> {
    pub fn new(inner: W, bar: ProgressBar, format: ExportFormat) -> Self {
        Self {
            inner,
            bar,
            by_lines: format == ExportFormat::Csv,
            header_seen: false,
        }
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Counting<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &poll {
            if !this.by_lines {
                this.bar.inc(*n as u64);
                return poll;
            }
            let mut lines = buf[..*n].iter().filter(|&&b| b == b'\n').count() as u64;
            // The header line is not a payment.
            if !this.header_seen && lines > 0 {
                this.header_seen = true;
                lines -= 1;
            }
            this.bar.inc(lines);
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

async fn refund(ctx: &Context, settings: &Settings, args: RefundArgs) -> CliResult {
    let amount = args
        .amount
        .as_deref()
        .map(|a| input::euros("--amount", a))
        .transpose()?;
    if let Some(a) = amount
        && !a.is_positive()
    {
        return Err(CliError::usage(format!(
            "--amount must be positive, got {} EUR (omit it to refund the whole payment)",
            format_euros(a.get())
        )));
    }
    let interactive = prompt::interactive();
    if !args.yes && !interactive {
        return Err(CliError::usage(
            "refusing to refund without confirmation: not on a terminal, pass --yes to confirm",
        ));
    }
    // Nothing is read or run yet: a code sent by SMS exists only once
    // HelloAsso has answered the refund with its 409.
    let mfa = crate::mfa_source::MfaSource::from_flags(
        args.mfa_command.as_ref(),
        args.mfa_code_file.as_deref(),
        args.mfa_code.as_ref(),
        interactive,
    );
    // Read it first: an unknown id, a payment already refunded or an amount
    // above what is left fail here, before any question or code, and the
    // confirmation can say what is being refunded.
    let payment = ctx
        .client
        .payment(args.id)
        .get()
        .await
        .map_err(|e| payment_not_found(e, args.id))?;
    refundable(&payment, args.id, amount)?;
    if !args.yes {
        let what = match amount {
            Some(a) => format!("{} EUR of", format_euros(a.get())),
            None => "all of".to_owned(),
        };
        let question = format!(
            "Refund {what} payment {} ({} EUR, {}, {})?",
            args.id,
            payment.amount.map_or_else(|| "?".to_owned(), format_euros),
            join_name(
                payment.payer.as_ref().and_then(|p| p.first_name.as_deref()),
                payment.payer.as_ref().and_then(|p| p.last_name.as_deref())
            ),
            enum_text(payment.state.as_ref().map(|s| s.as_str())),
        );
        if !prompt::confirm(&question).await? {
            return Err(CliError::new(
                Kind::Other,
                "refund cancelled: nothing was refunded",
            ));
        }
    }
    let mut request = refund_request(&ctx.client, &args, amount)
        .reconcile_wait(std::time::Duration::from_secs(args.read_back_wait));
    request = mfa.apply(request);
    // The SDK sends the refund once; when the answer is lost it reads the
    // payment back instead of guessing (HelloAsso has no idempotency keys).
    // JSON prints the operation as HelloAsso sent it, kept from the same
    // answers: nothing is asked twice.
    let sent = if output::keeps_documents(settings.format()) {
        request.send_reconciled_received().await
    } else {
        request
            .send_reconciled()
            .await
            .map(|outcome| (outcome, None))
    };
    let (outcome, received) = sent.map_err(|e| match e {
        helloasso_sdk::Error::MfaAttemptsExhausted { .. } => mfa_refused(e, &args),
        other => mfa.explain(other),
    })?;
    match outcome {
        RefundOutcome::Applied(operation) => {
            let shown = Shown::of(operation.id, operation.amount, operation.state.as_ref());
            match &received {
                Some(document) => show_refund(settings, &args, amount, document, &shown),
                None => show_refund(settings, &args, amount, &operation, &shown),
            }
        }
        RefundOutcome::FoundOnReadBack { operation, .. } => {
            say_found_on_read_back(args.id);
            let shown = Shown::of(operation.id, operation.amount, operation.status.as_ref());
            match &received {
                Some(document) => show_refund(settings, &args, amount, document, &shown),
                None => show_refund(settings, &args, amount, &operation, &shown),
            }
        }
        // Only a refund operation HelloAsso lists as failed proves that
        // nothing moved; exit 8 promises the same command can run again.
        RefundOutcome::NotApplied {
            cause,
            failed_operation: Some(failed),
        } => Err(CliError::new(
            Kind::Unavailable,
            format!(
                "the refund of payment {} was not applied: {}; reading the payment back lists it as {}, so nothing was refunded",
                args.id,
                exit::cause_of_lost_answer(&cause),
                enum_text(failed.status.as_ref().map(|s| s.as_str())),
            ),
        )),
        // An empty read-back is no proof: the refund may land after it.
        RefundOutcome::NotApplied { cause, .. } | RefundOutcome::NotFoundOnReadBack { cause } => {
            Err(CliError::new(
                Kind::OutcomeUnknown,
                format!(
                    "the refund of payment {id} was sent, outcome unknown ({}): reading the payment back {} later shows no refund yet, which does not prove it was not applied (HelloAsso may still apply it); check `helloasso payments get {id} --with-failed-refunds` before retrying; running the same command again could refund twice",
                    exit::cause_of_lost_answer(&cause),
                    if args.read_back_wait == 1 {
                        "1 second".to_owned()
                    } else {
                        format!("{} seconds", args.read_back_wait)
                    },
                    id = args.id,
                ),
            ))
        }
        RefundOutcome::Unknown { cause, .. } => Err(exit::unknown_outcome(
            &format!("the refund of payment {}", args.id),
            &format!("`helloasso payments get {} --with-failed-refunds`", args.id),
            &cause,
        )),
        // Outcomes a newer SDK may add: say nothing was proven.
        other => Err(CliError::new(
            Kind::OutcomeUnknown,
            format!(
                "the refund of payment {} ended in a way this helloasso does not know ({other:?}): check the payment before retrying",
                args.id
            ),
        )),
    }
}

/// A refund whose MFA codes HelloAsso refused, told in terms of where the
/// code came from (a flag, a file, the prompt) and of what to do next.
fn mfa_refused(err: helloasso_sdk::Error, args: &RefundArgs) -> CliError {
    let helloasso_sdk::Error::MfaAttemptsExhausted { proof, .. } = &err else {
        return err.into();
    };
    let given = if args.mfa_code_file.is_some() {
        Some("--mfa-code-file")
    } else if args.mfa_command.is_some() {
        Some("--mfa-command")
    } else if args.mfa_code.is_some() {
        Some("--mfa-code")
    } else {
        None
    };
    let message = match given {
        Some(flag) => format!(
            "HelloAsso refused the MFA code given with {flag} ({proof}, code {}): nothing was refunded; run the command again with the code HelloAsso sends next",
            proof.error_code()
        ),
        None => format!(
            "HelloAsso refused the MFA code entered ({proof}, code {}); a code it refused is never sent again: nothing was refunded; run the command again and enter the code HelloAsso sends next",
            proof.error_code()
        ),
    };
    CliError::new(Kind::Mfa, message)
}

/// A lookup of payment `id` that failed; a 404 says how to find the id.
fn payment_not_found(err: helloasso_sdk::Error, id: i64) -> CliError {
    crate::hints::not_found(
        err,
        &format!("payment {id}"),
        "`helloasso payments list` (or `payments search NAME`)",
    )
}

/// Refuses, in euros, a refund HelloAsso would refuse: a payment already
/// refunded, or more than what is left of it.
fn refundable(payment: &PaymentDetail, id: i64, amount: Option<helloasso_sdk::Cents>) -> CliResult {
    let what = format!("payment {id}");
    let nothing_sent = |e: CliError| CliError {
        message: format!("{}; nothing was sent", e.message),
        ..e
    };
    let refunded = crate::money::refunded(&what, payment.refund_operations.as_deref())
        .map_err(nothing_sent)?;
    let total = crate::money::amount(&what, payment.amount).map_err(nothing_sent)?;
    let left = crate::money::sub(total, refunded).map_err(nothing_sent)?;
    let fully = matches!(
        payment.state,
        Some(helloasso_sdk::types::PaymentState::Refunded)
    );
    if fully || (payment.amount.is_some() && left <= 0) {
        return Err(CliError::new(
            Kind::Refused,
            format!(
                "payment {id} cannot be refunded: it is already refunded ({} EUR of {} EUR); nothing was sent",
                format_euros(refunded),
                format_euros(total)
            ),
        ));
    }
    if let Some(asked) = amount
        && payment.amount.is_some()
        && asked.get() > left
    {
        return Err(CliError::usage(format!(
            "--amount {} EUR is more than what is left of payment {id}: {} EUR of {} EUR ({} EUR already refunded); nothing was sent",
            format_euros(asked.get()),
            format_euros(left),
            format_euros(total),
            format_euros(refunded)
        )));
    }
    Ok(())
}

/// On stderr, so that JSON on stdout stays one document.
fn say_found_on_read_back(id: i64) {
    eprintln!(
        "note: HelloAsso's answer to the refund of payment {id} was lost; the payment, read back, shows the refund below"
    );
}

/// What a refund's confirmation shows, whichever model carried it.
struct Shown {
    id: Option<i64>,
    amount: Option<helloasso_sdk::Cents>,
    state: String,
}

impl Shown {
    fn of(
        id: Option<i64>,
        amount: Option<helloasso_sdk::Cents>,
        state: Option<&OperationState>,
    ) -> Self {
        Self {
            id,
            amount,
            state: enum_text(state.map(|s| s.as_str())),
        }
    }
}

/// Prints a refund operation: the one HelloAsso answered, or the one found
/// by reading the payment back.
fn show_refund<T: serde::Serialize>(
    settings: &Settings,
    args: &RefundArgs,
    amount: Option<helloasso_sdk::Cents>,
    operation: &T,
    shown: &Shown,
) -> CliResult {
    let fields = [
        ("refund_operation", opt_id(shown.id)),
        ("payment", args.id.to_string()),
        (
            "amount",
            shown
                .amount
                .or(amount)
                .map_or_else(String::new, |a| format!("{} EUR", format_euros(a))),
        ),
        ("state", shown.state.clone()),
    ];
    match settings.format() {
        Format::Table => {
            outln!(
                "refunded {} of payment {}: refund operation {} is {}",
                fields[2].1,
                args.id,
                fields[0].1,
                if fields[3].1.is_empty() {
                    "recorded"
                } else {
                    &fields[3].1
                }
            )?;
            Ok(())
        }
        other => output::single(other, operation, &fields),
    }
}

fn refund_request(
    client: &Client,
    args: &RefundArgs,
    amount: Option<helloasso_sdk::Cents>,
) -> helloasso_sdk::RefundPayment {
    let mut request = client.payment(args.id).refund();
    if let Some(amount) = amount {
        request = request.amount(amount);
    }
    if let Some(comment) = &args.comment {
        request = request.comment(comment.expose().clone());
    }
    if args.cancel_order {
        request = request.cancel_order(true);
    }
    if args.no_mail {
        request = request.send_refund_mail(false);
    }
    request
}

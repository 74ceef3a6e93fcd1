//! The command line, as clap types.
//!
//! Values that need a helpful error (states, dates, amounts) are taken as
//! strings here and checked by the commands, so that a mistake gives one
//! `error:` line with the accepted forms instead of clap's multi-line report.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use helloasso_sdk::{Private, SecretString};

use crate::csv_dialect::CsvDialect;
use crate::exit::EXIT_CODES_HELP;
use crate::period::PeriodFlag;

const ABOUT: &str =
    "HelloAsso from a terminal: payments, refunds, orders, members, payouts, checkout, webhooks";

const AFTER_HELP: &str = "\
Try it without an account: `helloasso demo` runs every step against a local fake HelloAsso.

Credentials come from `helloasso auth login` (kept per profile, readable by you only), or
--client-id/--client-secret, or HELLOASSO_CLIENT_ID/HELLOASSO_CLIENT_SECRET (HelloAsso back
office, \"Intégrations et API\"); the environment and flags win over the profile. Values given on the command line show in `ps`
to every user of the machine: pass secrets (client secret, MFA code, webhook key) through the
environment or a file instead (--client-secret-file, --mfa-code-file, --key-file; `-` reads
standard input). Tokens are kept in a file readable by you only
(default: $XDG_CONFIG_HOME/helloasso/, else ~/.config/helloasso/).";

#[derive(Debug, Parser)]
#[command(
    name = "helloasso",
    version,
    about = ABOUT,
    after_help = format!("{AFTER_HELP}\n\n{EXIT_CODES_HELP}"),
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Debug shows which secrets were given, never their values.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Profile whose stored credentials and settings to use (see `auth login`)
    #[arg(
        long,
        global = true,
        env = "HELLOASSO_PROFILE",
        default_value = "default",
        value_name = "NAME"
    )]
    pub profile: String,

    /// Where to send requests: `production`, `sandbox`, or a base URL (https;
    /// plain http only on loopback, e.g. a local helloasso-fake)
    /// [default: the profile's, else production]
    #[arg(
        long = "env",
        global = true,
        env = "HELLOASSO_ENVIRONMENT",
        value_name = "ENV"
    )]
    pub environment: Option<String>,

    /// API client id
    #[arg(long, global = true, env = "HELLOASSO_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,

    /// API client secret. A value on the command line shows in `ps`: prefer
    /// HELLOASSO_CLIENT_SECRET or --client-secret-file
    #[arg(
        long,
        global = true,
        env = "HELLOASSO_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET",
        value_parser = secret
    )]
    pub client_secret: Option<SecretString>,

    /// Read the API client secret from this file (`-`: standard input, not
    /// echoed on a terminal); it takes precedence over --client-secret
    #[arg(long, global = true, value_name = "FILE")]
    pub client_secret_file: Option<PathBuf>,

    /// Organization slug, as in its HelloAsso URL
    #[arg(
        long = "org",
        global = true,
        env = "HELLOASSO_ORGANIZATION",
        value_name = "SLUG"
    )]
    pub organization: Option<String>,

    /// Token file (default: one per environment in the user's config directory)
    #[arg(long, global = true, env = "HELLOASSO_TOKEN_FILE", value_name = "PATH")]
    pub token_file: Option<PathBuf>,

    /// Output format [default: table on a terminal; for listings (list, search,
    /// summary) csv when standard output is not a terminal, so scripts can parse it]
    #[arg(long, global = true, value_enum, env = "HELLOASSO_FORMAT")]
    pub format: Option<Format>,

    /// CSV flavour [default: the profile's, else rfc4180]
    #[arg(
        long,
        global = true,
        value_enum,
        env = "HELLOASSO_CSV_DIALECT",
        value_name = "DIALECT"
    )]
    pub csv_dialect: Option<CsvDialect>,

    /// Time zone of day dates (--from 2025-01-01 is midnight there) and of
    /// the dates in tables, CSV and spreadsheets [default: the profile's,
    /// else Europe/Paris]; JSON keeps HelloAsso's own values
    #[arg(long, global = true, env = "HELLOASSO_TZ", value_name = "ZONE")]
    pub tz: Option<String>,

    /// Colours in messages and logs (NO_COLOR set means never, unless `always`)
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = ColorChoice::Auto,
        value_name = "WHEN"
    )]
    pub color: ColorChoice,

    /// Never show progress bars (they are hidden anyway when stderr is not a terminal)
    #[arg(long, global = true)]
    pub no_progress: bool,

    /// Refuse every command that changes data at HelloAsso (refund, cancel,
    /// checkout, forms, notifications) before anything is sent (exit 2);
    /// also HELLOASSO_READ_ONLY=1 or the profile's `readOnly`
    #[arg(long, global = true, env = "HELLOASSO_READ_ONLY", value_parser = clap::builder::BoolishValueParser::new())]
    pub read_only: bool,

    /// Log HTTP calls and their retries to stderr (-vv: more detail); secrets
    /// are never logged
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// A secret from the command line or the environment, held so that the
/// derived `Debug` of the arguments never shows it.
fn secret(value: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(value))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Aligned columns for people
    #[default]
    Table,
    /// One JSON document (HelloAsso's own field names)
    Json,
    /// One JSON object per line
    Jsonl,
    /// Comma-separated values with a header row (see --csv-dialect)
    Csv,
    /// A spreadsheet, for listings (needs --out FILE.xlsx)
    Xlsx,
}

/// When to colour messages and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk through the whole API against a local fake HelloAsso (no account, no network)
    #[cfg(feature = "demo")]
    Demo(DemoArgs),
    /// List, look up, search, export and refund payments
    #[command(subcommand)]
    Payments(PaymentsCommand),
    /// List, show, sum up and cancel orders
    #[command(subcommand)]
    Orders(OrdersCommand),
    /// List items (tickets, memberships...) with their custom fields: the member list
    #[command(subcommand)]
    Items(ItemsCommand),
    /// List the organization's forms
    #[command(subcommand)]
    Forms(FormsCommand),
    /// Show the organization
    #[command(subcommand)]
    Org(OrgCommand),
    /// Payouts (cash-outs) to the bank: each with its payments, reconciled, or HelloAsso's export
    #[command(subcommand)]
    Payouts(PayoutsCommand),
    /// Who is a member on a day, who lapses soon, who lapsed
    Members(crate::cli_books::MembersArgs),
    /// The treasurer's year-end workbook
    #[command(subcommand)]
    Report(crate::cli_books::ReportCommand),
    /// Partner settings: where HelloAsso sends notifications
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// Create and read checkout intents (HelloAsso's payment page)
    #[command(subcommand)]
    Checkout(CheckoutCommand),
    /// Check the credentials, or forget the stored tokens
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Read and verify webhook notifications saved to files
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Keep a database mirror (SQLite or PostgreSQL) of payments, orders, items and forms in step
    Sync(crate::commands::sync::SyncArgs),
    /// Print a shell completion script (e.g. `helloasso completions bash > ~/.local/share/bash-completion/completions/helloasso`)
    Completions(CompletionsArgs),
    /// Print the manual page (roff; view it with `helloasso man | man -l -`), or
    /// one command's (`helloasso man payments refund`), or write them all (--dir)
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print, e.g. `payments refund`
    pub command: Vec<String>,

    /// Write one page per command in this folder (helloasso-payments-refund.1...)
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(feature = "demo")]
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seeded payments in the fake (same seed and size: same data)
    #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u32).range(20..=200_000))]
    pub payments: u32,

    /// Seed of the fake's dataset
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Keep the CSV export in this file (default: a temporary file, deleted at the end)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

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
    Receipts(ReceiptsArgs),
    /// Totals (count, gross, refunded, tips, net) grouped by month, form, state or means.
    /// Without --state, only payments whose money came in (Authorized, Registered, Refunding,
    /// Refunded, Contested) are added up, by payment date: instalments count when paid, a
    /// refused payment never (`orders summary` counts what was ordered instead)
    Summary(SummaryArgs),
}

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

/// Where a listing is written.
#[derive(Debug, Args, Clone, Default)]
pub struct OutArgs {
    /// Write the listing to this file instead of standard output (needed by
    /// --format xlsx; a .xlsx name picks that format)
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Replace --out if it is an existing file
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// How to group the payments
    #[arg(long, value_enum, default_value_t = GroupBy::Month)]
    pub by: GroupBy,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Only the payments of this form, as TYPE/SLUG (e.g. Membership/adhesion-2025-2026 or
    /// adhesions/adhesion-2025-2026) or its page's URL, whose organization replaces --org
    #[arg(long, value_name = "TYPE/SLUG|URL")]
    pub form: Option<String>,

    #[command(flatten)]
    pub output: OutArgs,
}

/// A summary's grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupBy {
    /// Calendar month of the payment, in --tz
    Month,
    /// The form paid through (type/slug)
    Form,
    /// The payment's state
    State,
    /// Card, SEPA, check...
    Means,
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

#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Only these states (repeat or separate with commas), e.g. Authorized,Refunded
    #[arg(long = "state", value_name = "STATE", value_delimiter = ',')]
    pub states: Vec<String>,

    /// From this date (inclusive): RFC 3339 or YYYY-MM-DD (midnight in --tz)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Up to this date (exclusive): RFC 3339 or YYYY-MM-DD (midnight in --tz)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    #[command(flatten)]
    pub period: PeriodFlag,

    /// Sort by this date
    #[arg(long, value_enum, default_value_t = SortBy::Date)]
    pub sort: SortBy,

    /// Oldest first (default: newest first)
    #[arg(long)]
    pub asc: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum SortBy {
    #[default]
    Date,
    UpdateDate,
    CreationDate,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    Csv,
    Xlsx,
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

/// Date filters and order of the orders and items listings. Debug never
/// shows the search text (a payer's name or e-mail).
#[derive(Debug, Args, Clone, Default)]
pub struct PeriodArgs {
    /// From this date (inclusive): RFC 3339 or YYYY-MM-DD (midnight in --tz)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Up to this date (exclusive): RFC 3339 or YYYY-MM-DD (midnight in --tz)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    #[command(flatten)]
    pub period: PeriodFlag,

    /// Oldest first (default: newest first)
    #[arg(long)]
    pub asc: bool,

    /// Payer's or beneficiary's name or e-mail contains this
    #[arg(long, value_name = "TEXT")]
    pub search: Option<Private<String>>,

    /// Only this form, as TYPE/SLUG (e.g. Membership/adhesion-2025-2026 or
    /// adhesions/adhesion-2025-2026) or its page's URL, whose organization replaces --org
    #[arg(long, value_name = "TYPE/SLUG|URL")]
    pub form: Option<String>,
}

/// How much of a listing to read.
#[derive(Debug, Args, Clone)]
pub struct LimitArgs {
    /// At most this many records
    #[arg(long, default_value_t = 20, conflicts_with = "all", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,

    /// Every matching record (pages through the whole listing)
    #[arg(long)]
    pub all: bool,

    /// Records per request, 1 to 100
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub page_size: u32,
}

impl LimitArgs {
    /// `None`: every record.
    pub fn limit(&self) -> Option<u64> {
        (!self.all).then_some(self.limit)
    }
}

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
    Summary(OrdersSummaryArgs),
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

#[derive(Debug, Args)]
pub struct OrdersSummaryArgs {
    /// How to group the orders
    #[arg(long, value_enum, default_value_t = OrderGroupBy::Month)]
    pub by: OrderGroupBy,

    #[command(flatten)]
    pub period: PeriodArgs,

    /// Only orders through these kinds of forms (comma-separated)
    #[arg(
        long = "form-type",
        value_name = "TYPE",
        value_delimiter = ',',
        conflicts_with = "form"
    )]
    pub form_types: Vec<String>,

    /// Only orders with a payment in these states (comma-separated), e.g.
    /// Authorized,Refunded; paid then adds up those payments only
    #[arg(long = "state", value_name = "STATE", value_delimiter = ',')]
    pub states: Vec<String>,

    #[command(flatten)]
    pub output: OutArgs,
}

/// An orders summary's grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrderGroupBy {
    /// Calendar month of the order, in --tz
    Month,
    /// The form ordered through (type/slug)
    Form,
    /// The kind of form (Membership, Event...)
    FormType,
}

#[derive(Debug, Subcommand)]
pub enum ItemsCommand {
    /// List items with the payer, the beneficiary and one column per custom field
    List(ItemsListArgs),
}

#[derive(Debug, Args)]
pub struct ItemsListArgs {
    #[command(flatten)]
    pub period: PeriodArgs,

    /// Only items in these states (comma-separated), e.g. Processed,Registered
    #[arg(long = "state", value_name = "STATE", value_delimiter = ',')]
    pub states: Vec<String>,

    #[command(flatten)]
    pub limits: LimitArgs,

    #[command(flatten)]
    pub output: OutArgs,
}

#[derive(Debug, Subcommand)]
pub enum FormsCommand {
    /// List the organization's forms
    List(FormsListArgs),
    /// Publish, hide or disable a form (Public, Private, Draft, Disabled)
    State(FormStateArgs),
    /// Create an event with a title and dates (HelloAsso's quick creation)
    CreateEvent(CreateEventArgs),
    /// How many took part, and how many took each tier and option
    Stats(FormStatsArgs),
}

#[derive(Debug, Args)]
pub struct CreateEventArgs {
    /// The event's title
    #[arg(long, value_name = "TEXT")]
    pub title: String,

    /// When it starts: RFC 3339 or YYYY-MM-DD (midnight in --tz)
    #[arg(long, value_name = "DATE")]
    pub start: Option<String>,

    /// When it ends: RFC 3339 or YYYY-MM-DD (midnight in --tz)
    #[arg(long, value_name = "DATE")]
    pub end: Option<String>,

    /// A short description
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
}

#[derive(Debug, Args)]
pub struct FormStatsArgs {
    /// The form, as TYPE/SLUG or its page's URL (whose organization replaces --org)
    #[arg(value_name = "TYPE/SLUG|URL")]
    pub form: String,

    #[command(flatten)]
    pub output: OutArgs,
}

#[derive(Debug, Args)]
pub struct FormStateArgs {
    /// The form, as TYPE/SLUG or its page's URL (whose organization replaces --org)
    #[arg(value_name = "TYPE/SLUG|URL")]
    pub form: String,

    /// Its new state: Public, Private, Draft or Disabled
    pub state: String,
}

#[derive(Debug, Args)]
pub struct FormsListArgs {
    /// Only forms of these kinds (comma-separated), e.g. Membership,Event
    #[arg(long = "form-type", value_name = "TYPE", value_delimiter = ',')]
    pub form_types: Vec<String>,

    #[command(flatten)]
    pub output: OutArgs,
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Show the organization's public details
    Show,
}

#[derive(Debug, Subcommand)]
pub enum PayoutsCommand {
    /// The payouts, each with its gross, refunds and net, checked against its payments
    List(crate::cli_books::PayoutsListArgs),
    /// One payout's payments, as the bank transfer holds them
    Show(crate::cli_books::PayoutShowArgs),
    /// Save the payments and refunds a payout transferred, as CSV
    Export(PayoutExportArgs),
}

#[derive(Debug, Args)]
pub struct PayoutExportArgs {
    /// The payout's (cash-out's) id, as payments show it (idCashOut)
    pub id: i64,

    /// Write to this file (default, or `-`: standard output, CSV only). An
    /// existing file needs --force
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Replace --out if it is an existing file
    #[arg(long)]
    pub force: bool,

    /// File format (default: from --out's extension, else csv)
    #[arg(long = "as", value_enum, value_name = "FORMAT")]
    pub file_format: Option<FileFormat>,
}

#[derive(Debug, Subcommand)]
pub enum PartnerCommand {
    /// Where HelloAsso sends notifications
    #[command(subcommand)]
    Notifications(NotificationsCommand),
}

#[derive(Debug, Subcommand)]
pub enum NotificationsCommand {
    /// Set the URL HelloAsso notifies (for every organization, or one with --for-org)
    Set(NotificationSetArgs),
    /// Stop notifications (for every organization, or one with --for-org)
    Delete(NotificationDeleteArgs),
    /// Per organization, which URL is notified and whether it answers
    Check(crate::commands::partner_check::CheckArgs),
}

#[derive(Debug, Args)]
pub struct NotificationSetArgs {
    /// The https URL to notify
    pub url: String,

    /// Only notifications of this kind (default: all kinds)
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub kind: Option<NotificationKind>,

    /// Only for this organization (its slug)
    #[arg(long, value_name = "SLUG")]
    pub for_org: Option<String>,
}

#[derive(Debug, Args)]
pub struct NotificationDeleteArgs {
    /// Only notifications of this kind (default: all kinds)
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub kind: Option<NotificationKind>,

    /// Only for this organization (its slug)
    #[arg(long, value_name = "SLUG")]
    pub for_org: Option<String>,
}

/// The kinds of notification HelloAsso sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NotificationKind {
    Payment,
    Order,
    Form,
    Organization,
}

#[derive(Debug, Subcommand)]
pub enum CheckoutCommand {
    /// Create a checkout intent and print the payment page's URL (valid 15 minutes)
    Create(Box<CheckoutCreateArgs>),
    /// Show a checkout intent, with its order once paid
    Get(CheckoutGetArgs),
}

#[derive(Debug, Args)]
pub struct CheckoutCreateArgs {
    /// What is sold (at most 250 characters)
    #[arg(long = "item", value_name = "NAME")]
    pub item_name: String,

    /// Total amount in euros (e.g. 30.00)
    #[arg(long, value_name = "EUR", allow_hyphen_values = true)]
    pub amount: String,

    /// Amount paid now, in euros, when paying in instalments (default: the total)
    #[arg(long, value_name = "EUR", allow_hyphen_values = true)]
    pub initial: Option<String>,

    /// An instalment DATE=EUR (repeatable), e.g. 2026-01-05=10.00
    #[arg(long = "term", value_name = "DATE=EUR")]
    pub terms: Vec<String>,

    /// Where the payer lands after paying (https)
    #[arg(long, value_name = "URL")]
    pub return_url: String,

    /// Where the payer goes back to (default: the return URL)
    #[arg(long, value_name = "URL")]
    pub back_url: Option<String>,

    /// Where the payer lands when the payment fails (default: the return URL)
    #[arg(long, value_name = "URL")]
    pub error_url: Option<String>,

    /// The sale includes a donation
    #[arg(long)]
    pub donation: bool,

    /// Your own JSON kept with the intent, e.g. '{"cart":42}'
    #[arg(long, value_name = "JSON")]
    pub metadata: Option<String>,

    /// Record the intent in this mirror (as `helloasso sync --db`): each
    /// sync then reads it back until it has an outcome (paid, refunded,
    /// never paid), even if the payer never comes back
    #[arg(long, value_name = "PATH|URL")]
    pub db: Option<crate::commands::sync::DbLocation>,
}

#[derive(Debug, Args)]
pub struct CheckoutGetArgs {
    /// Checkout intent id
    pub id: i64,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Ask for the client id and secret (hidden) and keep them in the profile
    Login(LoginArgs),
    /// Obtain a token with the credentials and show when it expires
    Check,
    /// Show the environment, the client (shortened), the organizations it
    /// reaches with its role in each, and until when its token is valid
    Status,
    /// Forget the profile's credentials and tokens, and disconnect from HelloAsso
    Logout,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Keep this CSV flavour in the profile
    #[arg(long = "set-csv-dialect", value_enum, value_name = "DIALECT")]
    pub csv_dialect: Option<CsvDialect>,

    /// Keep this time zone in the profile
    #[arg(long = "set-tz", value_name = "ZONE")]
    pub tz: Option<String>,

    /// Make the profile read-only (true) or not (false): see --read-only
    #[arg(long = "set-read-only", value_name = "BOOL")]
    pub read_only: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Parse a notification body (a file, or - for standard input)
    Parse(WebhookParseArgs),
    /// Check a partner notification's x-ha-signature against its body
    Verify(WebhookVerifyArgs),
    /// Receive HelloAsso's notifications on a local port (verified or confirmed, replays dropped)
    Listen(crate::commands::webhook_listen::ListenArgs),
    /// Deliver changes to a local app as notifications, without a tunnel (polls the API)
    Forward(crate::commands::webhook_forward::ForwardArgs),
}

#[derive(Debug, Args)]
pub struct WebhookParseArgs {
    /// The notification body as received
    pub file: PathBuf,
}

/// Debug never shows the key.
#[derive(Debug, Args)]
pub struct WebhookVerifyArgs {
    /// The notification body as received, byte for byte
    pub file: PathBuf,

    /// The x-ha-signature header (hex HMAC-SHA256); without it the
    /// notification is untrusted (exit 9)
    #[arg(long, value_name = "HEX")]
    pub signature: Option<String>,

    /// The partner's signature key. A value on the command line shows in
    /// `ps`: prefer HELLOASSO_WEBHOOK_KEY or --key-file
    #[arg(
        long,
        value_name = "KEY",
        env = "HELLOASSO_WEBHOOK_KEY",
        hide_env_values = true,
        required_unless_present = "key_file",
        value_parser = secret
    )]
    pub key: Option<SecretString>,

    /// Read the signature key from this file (`-`: standard input); it takes
    /// precedence over --key
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn debug_never_shows_secrets() {
        let refund = Cli::try_parse_from([
            "helloasso",
            "--client-secret",
            "s3cret-value",
            "payments",
            "refund",
            "12",
            "--mfa-code",
            "918273",
        ])
        .expect("parses");
        let verify = Cli::try_parse_from([
            "helloasso",
            "webhook",
            "verify",
            "body.json",
            "--signature",
            "00",
            "--key",
            "webhook-key-value",
        ])
        .expect("parses");
        let items = Cli::try_parse_from([
            "helloasso",
            "items",
            "list",
            "--search",
            "jeanne.martin@example.org",
        ])
        .expect("parses");
        let payer_searches = [
            [
                "helloasso",
                "payments",
                "list",
                "--search",
                "pierre.robin@example.org",
            ],
            [
                "helloasso",
                "payments",
                "search",
                "pierre.robin@example.org",
                "--asc",
            ],
            [
                "helloasso",
                "payments",
                "export",
                "--search",
                "pierre.robin@example.org",
            ],
        ]
        .map(|argv| format!("{:?}", Cli::try_parse_from(argv).expect("parses")));
        let text = format!(
            "{refund:?} {verify:?} {refund:#?} {items:?} {}",
            payer_searches.join(" ")
        );
        for secret in [
            "s3cret-value",
            "918273",
            "webhook-key-value",
            "jeanne.martin@example.org",
            "pierre.robin",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(
            text.contains("[redacted]") && text.contains("[REDACTED]"),
            "{text}"
        );
    }
}

//! The argument groups several commands share (where a listing goes,
//! its filters, its period and limits) and the global options: below
//! both the root (`cli.rs`) and the commands, which flatten them.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use helloasso_sdk::{Private, SecretString};

use crate::csv_dialect::CsvDialect;
use crate::period::PeriodFlag;

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
pub fn secret(value: &str) -> Result<SecretString, std::convert::Infallible> {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    Csv,
    Xlsx,
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

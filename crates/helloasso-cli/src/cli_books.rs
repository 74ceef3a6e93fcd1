//! The command line of the treasurer's books: `members`, `payouts list` and
//! `payouts show`, `report year`. A leaf: `cli.rs` names these arguments,
//! and the commands read them, without either importing the other.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// `helloasso members`.
#[derive(Debug, Args)]
pub struct MembersArgs {
    /// The day to look at, YYYY-MM-DD (a Paris day; default: today)
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,

    /// Only members whose membership ends within this span after --on
    /// (renewals counted), e.g. 30d or 6w
    #[arg(long, value_name = "SPAN", conflicts_with = "lapsed_since")]
    pub expiring_within: Option<String>,

    /// Only this membership form, as TYPE/SLUG (repeat for several;
    /// default: every Membership form)
    #[arg(long, value_name = "TYPE/SLUG")]
    pub form: Vec<String>,

    /// Instead of members: the people who are no longer members on --on
    /// and whose membership ended on or after DATE
    #[arg(long, value_name = "DATE")]
    pub lapsed_since: Option<String>,

    /// Read the items from this mirror (`helloasso sync --db`: a SQLite
    /// file or a postgres:// URL) instead of listing them at HelloAsso; the
    /// forms' validity rules, which the mirror does not hold, are still
    /// asked of HelloAsso
    #[arg(long, value_name = "PATH|URL")]
    pub db: Option<crate::commands::sync::DbLocation>,

    /// Write the listing to this file instead of standard output (a .xlsx
    /// name picks a spreadsheet)
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Replace --out if it is an existing file
    #[arg(long)]
    pub force: bool,
}

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

/// `helloasso report ...`.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The year-end workbook: payments by month, form and means, refunds,
    /// payouts with their payments, members at year end, and a chart
    Year(ReportYearArgs),
}

/// `helloasso report year YEAR`.
#[derive(Debug, Args)]
pub struct ReportYearArgs {
    /// The calendar year (Paris days), e.g. 2025
    #[arg(value_parser = clap::value_parser!(i32).range(2000..=2100))]
    pub year: i32,

    /// The workbook to write (default: helloasso-YEAR.xlsx)
    #[arg(short, long, value_name = "FILE.xlsx")]
    pub out: Option<PathBuf>,

    /// Replace --out if it is an existing file
    #[arg(long)]
    pub force: bool,
}

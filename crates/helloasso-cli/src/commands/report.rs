//! `helloasso report year 2025`: the treasurer's year-end workbook, one
//! file with a sheet per question, whose totals agree with each other.
//!
//! - **Summary** (first): collections, refunds and net by month, with a
//!   native column chart of monthly collections and refunds;
//! - **By form**, **By means**: the same payments grouped otherwise;
//! - **Refunds**: one line per refund operation of those payments;
//! - **Payouts** dated in the year, checked against HelloAsso's export,
//!   and **Payout payments**, the payments each one holds;
//! - **Members** on the year's last day.
//!
//! The payments counted are those dated in the year (days in `--tz`,
//! Paris by default) whose money came in (the states `payments summary`
//! adds up); refunds are those of these payments, whenever made.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use clap::{Args, Subcommand};
use helloasso_sdk::refunds::refunded_amount;
use helloasso_sdk::types::Payment;
use rust_xlsxwriter::{Chart, Workbook};

use crate::args::Format;
use crate::commands::members;
use crate::commands::reconcile::{self, PAYOUT_PAYMENT_COLS, PayoutLine, PayoutPayment};
use crate::commands::shared::form_of;
use crate::commands::summary::MONEY_IN;
use crate::config::Context;
use crate::exit::{CliError, CliResult};
use crate::output::{self, Col};
use crate::rows::{Cell, Row};
use crate::settings::Settings;
use crate::timezone::Zone;

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

/// The sheets' names, in order.
pub const SHEETS: [&str; 7] = [
    "Summary",
    "By form",
    "By means",
    "Refunds",
    "Payouts",
    "Payout payments",
    "Members",
];

const GROUP_COLS: &[Col] = &[
    Col::left("GROUP", "group"),
    Col::right("PAYMENTS", "payments"),
    Col::right("COLLECTED (EUR)", "collected_eur"),
    Col::right("REFUNDS (EUR)", "refunds_eur"),
    Col::right("NET (EUR)", "net_eur"),
];

const REFUND_COLS: &[Col] = &[
    Col::right("REFUND", "refund"),
    Col::left("REFUND DATE", "refund_date"),
    Col::right("PAYMENT", "payment"),
    Col::left("PAYMENT DATE", "payment_date"),
    Col::left("FORM", "form"),
    Col::left("STATUS", "status"),
    Col::right("AMOUNT (EUR)", "amount_eur"),
];

/// Count, collected and refunded cents of a group of payments.
#[derive(Debug, Clone, Copy, Default)]
struct Sum {
    count: i64,
    gross: i64,
    refunds: i64,
}

impl Sum {
    fn add(&mut self, p: &Payment) {
        let (gross, refunds) = helloasso_sdk::reconcile::payment_amounts(p);
        self.count += 1;
        self.gross += gross;
        self.refunds += refunds;
    }

    fn merge(&mut self, other: &Sum) {
        self.count += other.count;
        self.gross += other.gross;
        self.refunds += other.refunds;
    }

    fn cells(&self, group: String) -> Vec<Cell> {
        vec![
            Cell::text(group),
            Cell::Number(self.count),
            Cell::Euros(self.gross),
            Cell::Euros(self.refunds),
            Cell::Euros(self.gross - self.refunds),
        ]
    }
}

/// Groups with a TOTAL row under them.
fn grouped(groups: &BTreeMap<String, Sum>) -> Vec<Vec<Cell>> {
    let mut total = Sum::default();
    let mut rows = Vec::with_capacity(groups.len() + 1);
    for (key, sum) in groups {
        total.merge(sum);
        rows.push(sum.cells(key.clone()));
    }
    rows.push(total.cells("TOTAL".to_owned()));
    rows
}

fn year_bounds(zone: Zone, year: i32) -> CliResult<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
    let start = |y| NaiveDate::from_ymd_opt(y, 1, 1).and_then(|d| zone.start_of(d));
    match (start(year), start(year + 1)) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(CliError::usage(format!("year {year} is out of range"))),
    }
}

pub async fn year(ctx: &Context, settings: &Settings, args: ReportYearArgs) -> CliResult {
    let zone = settings.style.zone;
    let (start, end) = year_bounds(zone, args.year)?;
    let path = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("helloasso-{}.xlsx", args.year)));
    let Some((target, replace)) = output::listing_target(Format::Xlsx, Some(&path), args.force)?
    else {
        return Err(CliError::usage(
            "the year report is a workbook: pass --out FILE.xlsx",
        ));
    };

    let (payouts, payments) =
        reconcile::payout_lines(ctx, settings, None, Some(start), Some(end)).await?;
    let counted: Vec<&Payment> = payments
        .iter()
        .filter(|p| p.date.is_some_and(|d| start <= d && d < end))
        .filter(|p| p.state.as_ref().is_some_and(|s| MONEY_IN.contains(s)))
        .collect();
    let roster = members::roster(ctx, &[]).await?;
    let last_day = NaiveDate::from_ymd_opt(args.year, 12, 31)
        .ok_or_else(|| CliError::usage(format!("year {} is out of range", args.year)))?;
    let at_year_end = roster.on(last_day);

    let mut months: BTreeMap<String, Sum> = (1..=12)
        .map(|m| (format!("{:04}-{m:02}", args.year), Sum::default()))
        .collect();
    let mut forms: BTreeMap<String, Sum> = BTreeMap::new();
    let mut means: BTreeMap<String, Sum> = BTreeMap::new();
    let mut refunds: Vec<Vec<Cell>> = Vec::new();
    let mut refund_total = 0i64;
    for p in &counted {
        if let Some(date) = p.date {
            let local = zone.local(&date);
            let key = format!("{:04}-{:02}", local.year(), local.month());
            months.entry(key).or_default().add(p);
        }
        let form = form_of(p.order.as_ref());
        forms
            .entry(if form.is_empty() {
                "(none)".into()
            } else {
                form.clone()
            })
            .or_default()
            .add(p);
        let mean = p.payment_means.as_ref().map_or("(none)", |m| m.as_str());
        means.entry(mean.to_owned()).or_default().add(p);
        for op in p.refund_operations.iter().flatten() {
            let moved = refunded_amount(std::iter::once(op)).get();
            if moved == 0 {
                continue;
            }
            refund_total += moved;
            refunds.push(vec![
                Cell::number(op.id),
                Cell::date(op.meta.as_ref().and_then(|m| m.created_at)),
                Cell::number(p.id),
                Cell::date(p.date),
                Cell::text(form.clone()),
                Cell::text(op.status.as_ref().map_or("", |s| s.as_str())),
                Cell::Euros(moved),
            ]);
        }
    }
    let mut refund_rows = refunds;
    let mut total = vec![Cell::text("TOTAL")];
    total.extend(std::iter::repeat_n(Cell::Empty, REFUND_COLS.len() - 2));
    total.push(Cell::Euros(refund_total));
    refund_rows.push(total);

    let payout_rows: Vec<Vec<Cell>> = payouts.iter().map(Row::cells).collect();
    let by_id: BTreeMap<i64, &Payment> = payments.iter().filter_map(|p| Some((p.id?, p))).collect();
    let mut payout_payment_rows = Vec::new();
    let mut payout_payment_cols = vec![Col::right("PAYOUT", "payout")];
    payout_payment_cols.extend(PAYOUT_PAYMENT_COLS.iter().cloned());
    for line in &payouts {
        for pid in &line.tally.payment_ids {
            if let Some(p) = by_id.get(pid) {
                let row = PayoutPayment::new(line.tally.id, (*p).clone());
                let mut cells = vec![Cell::Number(line.tally.id)];
                cells.extend(row.cells());
                payout_payment_rows.push(cells);
            }
        }
    }
    let member_items: Vec<_> = at_year_end.iter().map(|m| m.latest.item.clone()).collect();
    let labels = crate::commands::items::field_labels(&member_items);
    let member_cols = members::columns(&labels);
    let member_rows: Vec<Vec<Cell>> = at_year_end
        .iter()
        .map(|m| members::cells(m, &labels))
        .collect();

    let bytes = workbook(
        zone,
        &grouped(&months),
        &grouped(&forms),
        &grouped(&means),
        &refund_rows,
        &payout_rows,
        (&payout_payment_cols, &payout_payment_rows),
        (&member_cols, &member_rows),
    )
    .map_err(crate::xlsx::error)?;
    let temp = crate::destination::temporary_beside(&target)?;
    let shown = target.display().to_string();
    let fail = |e: std::io::Error| CliError::other(format!("cannot write {shown}: {e}"));
    temp.as_file().write_all(&bytes).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    crate::destination::persist(temp, &target, replace)?;
    warn_payouts(&payouts);
    eprintln!(
        "wrote {shown}: {} payments, {} refunds, {} payouts, {} members on {last_day}",
        counted.len(),
        refund_rows.len() - 1,
        payouts.len(),
        at_year_end.len()
    );
    Ok(())
}

fn warn_payouts(payouts: &[PayoutLine]) {
    for line in payouts
        .iter()
        .filter(|l| l.difference.is_some_and(|d| d != 0))
    {
        eprintln!(
            "warning: payout {} does not add up (difference {} EUR): see the Payouts sheet",
            line.tally.id,
            crate::input::format_euros(line.difference.unwrap_or_default())
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn workbook(
    zone: Zone,
    months: &[Vec<Cell>],
    forms: &[Vec<Cell>],
    means: &[Vec<Cell>],
    refunds: &[Vec<Cell>],
    payouts: &[Vec<Cell>],
    payout_payments: (&[Col], &[Vec<Cell>]),
    members: (&[Col], &[Vec<Cell>]),
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use crate::xlsx::add_sheet;
    let mut book = Workbook::new();
    let mut month_cols = GROUP_COLS.to_vec();
    month_cols[0] = Col::left("MONTH", "month");
    let summary = add_sheet(&mut book, SHEETS[0], &month_cols, months, zone)?;
    // Twelve months from row 1: the TOTAL row (13) stays out of the chart.
    let mut chart = Chart::new_column();
    chart.title().set_name("Collections and refunds by month");
    for col in [2u16, 3] {
        chart
            .add_series()
            .set_name((SHEETS[0], 0, col))
            .set_categories((SHEETS[0], 1, 0, 12, 0))
            .set_values((SHEETS[0], 1, col, 12, col));
    }
    chart.y_axis().set_name("EUR");
    summary.insert_chart(1, 6, &chart)?;
    let mut form_cols = GROUP_COLS.to_vec();
    form_cols[0] = Col::left("FORM", "form");
    add_sheet(&mut book, SHEETS[1], &form_cols, forms, zone)?;
    let mut means_cols = GROUP_COLS.to_vec();
    means_cols[0] = Col::left("MEANS", "means");
    add_sheet(&mut book, SHEETS[2], &means_cols, means, zone)?;
    add_sheet(&mut book, SHEETS[3], REFUND_COLS, refunds, zone)?;
    add_sheet(&mut book, SHEETS[4], PayoutLine::COLUMNS, payouts, zone)?;
    add_sheet(
        &mut book,
        SHEETS[5],
        payout_payments.0,
        payout_payments.1,
        zone,
    )?;
    add_sheet(&mut book, SHEETS[6], members.0, members.1, zone)?;
    book.save_to_buffer()
}

//! `helloasso payments summary --by month|form|state|means`: the totals a
//! treasurer reconciles against payouts.
//!
//! Every matching payment is read (the listing's filters apply) and added
//! into one group per key; a last row holds the totals. Gross is what was
//! paid, refunded what went back (refunds done or under way), tips what
//! payers gave HelloAsso on top, and net is gross less refunded.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, FixedOffset};
use clap::{Args, ValueEnum};
use helloasso_sdk::MAX_PAGE_SIZE;
use helloasso_sdk::types::{Payment, PaymentState};
use serde::Serialize;

use crate::args::{FilterArgs, OutArgs};
use crate::commands::shared::form_of;
use crate::config::Context;
use crate::exit::CliResult;
use crate::output::{Col, Emitter};
use crate::rows::{Cell, Row};
use crate::settings::Settings;
use crate::timezone::Zone;
use crate::{input, money, pager};

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

/// One line of a summary: a group, or the totals. JSON shows it as is,
/// amounts in cents like HelloAsso's own documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub group: String,
    pub count: u64,
    pub gross: i64,
    pub refunded: i64,
    pub tips: i64,
    pub net: i64,
}

impl Totals {
    fn add(&mut self, p: &Payment) -> CliResult {
        let what = format!("payment {}", p.id.unwrap_or_default());
        let gross = money::amount(&what, p.amount)?;
        let refunded = money::refunded(&what, p.refund_operations.as_deref())?;
        let tips = money::amount(&what, p.amount_tip)?;
        self.merge(&Totals {
            group: String::new(),
            count: 1,
            gross,
            refunded,
            tips,
            net: money::sub(gross, refunded)?,
        })
    }

    fn merge(&mut self, other: &Totals) -> CliResult {
        self.count = self.count.saturating_add(other.count);
        self.gross = money::add(self.gross, other.gross)?;
        self.refunded = money::add(self.refunded, other.refunded)?;
        self.tips = money::add(self.tips, other.tips)?;
        self.net = money::add(self.net, other.net)?;
        Ok(())
    }
}

const SUMMARY_COLS: &[Col] = &[
    Col::left("GROUP", "group"),
    Col::right("COUNT", "count"),
    Col::right("GROSS (EUR)", "gross_eur"),
    Col::right("REFUNDED (EUR)", "refunded_eur"),
    Col::right("TIPS (EUR)", "tips_eur"),
    Col::right("NET (EUR)", "net_eur"),
];

impl Row for Totals {
    const COLUMNS: &'static [Col] = SUMMARY_COLS;
    const SHEET: &'static str = "Summary";

    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(self.group.clone()),
            Cell::Number(i64::try_from(self.count).unwrap_or(i64::MAX)),
            Cell::Euros(self.gross),
            Cell::Euros(self.refunded),
            Cell::Euros(self.tips),
            Cell::Euros(self.net),
        ]
    }
}

/// The month group of an instant, in `zone`: `2024-03`, `(no date)`.
pub fn month_key(date: Option<DateTime<FixedOffset>>, zone: Zone) -> String {
    date.map_or_else(
        || "(no date)".to_owned(),
        |d| {
            let local = zone.local(&d);
            format!("{:04}-{:02}", local.year(), local.month())
        },
    )
}

/// A group's key, `(none)` when it is empty.
pub fn or_none(key: String) -> String {
    if key.is_empty() {
        "(none)".to_owned()
    } else {
        key
    }
}

/// The group a payment falls in.
fn key(by: GroupBy, p: &Payment, zone: Zone) -> String {
    match by {
        GroupBy::Month => month_key(p.date, zone),
        GroupBy::Form => or_none(form_of(p.order.as_ref())),
        GroupBy::State => or_none(p.state.as_ref().map_or("", |s| s.as_str()).to_owned()),
        GroupBy::Means => or_none(
            p.payment_means
                .as_ref()
                .map_or("", |m| m.as_str())
                .to_owned(),
        ),
    }
}

/// Adds payments into groups, in key order (months come out in order).
#[derive(Debug, Default)]
pub struct Summary {
    groups: BTreeMap<String, Totals>,
}

impl Summary {
    pub fn add(&mut self, by: GroupBy, p: &Payment, zone: Zone) -> CliResult {
        let k = key(by, p, zone);
        self.groups
            .entry(k.clone())
            .or_insert_with(|| Totals {
                group: k,
                ..Totals::default()
            })
            .add(p)
    }

    /// The groups, then the totals row.
    pub fn rows(&self) -> CliResult<Vec<Totals>> {
        let mut total = Totals {
            group: "TOTAL".to_owned(),
            ..Totals::default()
        };
        let mut rows: Vec<Totals> = self.groups.values().cloned().collect();
        for row in &rows {
            total.merge(row)?;
        }
        rows.push(total);
        Ok(rows)
    }
}

/// The states in which a payment's money reached the association, even if
/// some went back since: what a summary adds up unless `--state` is given.
/// A refused, abandoned or pending payment never moved money, and counting
/// it as gross would not reconcile with any payout.
pub const MONEY_IN: [PaymentState; 5] = [
    PaymentState::Authorized,
    PaymentState::Registered,
    PaymentState::Refunding,
    PaymentState::Refunded,
    PaymentState::Contested,
];

pub async fn run(ctx: &Context, settings: &Settings, args: SummaryArgs) -> CliResult {
    let zone = settings.style.zone;
    let mut filters = input::filters(&args.filters, zone)?.page_size(MAX_PAGE_SIZE);
    if args.filters.states.is_empty() {
        filters = filters.states(MONEY_IN.to_vec());
    }
    filters.check_listing()?;
    let payments = ctx.client.payments(ctx.organization()?);
    let list = match &args.form {
        Some(form) => {
            let (kind, slug) = input::form(form)?;
            payments.form(kind, slug)
        }
        None => payments.list(),
    }
    .filters(filters);
    let out = args.output.out.as_deref();
    let format = settings.listing_format(out);
    // Opened first: a bad --out fails before the whole listing is read.
    let mut emitter = Emitter::listing::<Totals>(format, settings.style, out, args.output.force)?;
    let mut summary = Summary::default();
    pager::walk(list.pages(), None, settings.progress, "adding up", |p| {
        summary.add(args.by, &p, zone)
    })
    .await?;
    for row in summary.rows()? {
        emitter.row(&row)?;
    }
    emitter.finish()?;
    Ok(())
}

//! `helloasso orders summary --by month|form|form-type`: what was ordered,
//! what was paid and given back, per group.
//!
//! Every matching order is read and added into one group per key; a last
//! row holds the totals. Gross is the orders' total (after discount, as
//! HelloAsso states it), discount what the discounts took off, refunded
//! what went back through any of the order's payments, and net is gross
//! less refunded. Paid is what the order's payments in the counted states
//! brought, whatever their date.
//!
//! Gross is what was *ordered* in the period, by order date: it includes
//! payments refused or abandoned and instalments still to come. `payments
//! summary` adds up *payments* by their own date, in the states where money
//! came in. For the same period the two differ by exactly: gross less paid
//! (ordered but not collected), plus the collected payments of these orders
//! dated outside the period, less the period's payments of orders outside
//! it (`tests/cli/reconcile.rs` computes each part from the fake).

use std::collections::BTreeMap;

use clap::{Args, ValueEnum};
use helloasso_sdk::types::{Order, PaymentState};
use serde::Serialize;

use crate::args::{OutArgs, PeriodArgs};
use crate::commands::order_query::{OrderQuery, listing};
use crate::commands::shared::order_form;
use crate::commands::summary::{MONEY_IN, month_key, or_none};
use crate::config::Context;
use crate::exit::CliResult;
use crate::output::{Col, Emitter};
use crate::rows::{Cell, Row};
use crate::settings::Settings;
use crate::timezone::Zone;
use crate::{input, money, pager};

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

/// One line of an orders summary. JSON shows it as is, amounts in cents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderTotals {
    pub group: String,
    pub count: u64,
    pub gross: i64,
    pub discount: i64,
    pub refunded: i64,
    pub net: i64,
    pub paid: i64,
}

/// Whether a payment counts as paid: in one of `states`.
fn paid_cents(o: &Order, states: &[PaymentState]) -> CliResult<i64> {
    let what = format!("order {}", o.id.unwrap_or_default());
    let mut paid = 0;
    for p in o.payments.as_deref().unwrap_or_default() {
        if p.state.as_ref().is_some_and(|s| states.contains(s)) {
            paid = money::add(paid, money::amount(&what, p.amount)?)?;
        }
    }
    Ok(paid)
}

impl OrderTotals {
    fn add(&mut self, o: &Order, states: &[PaymentState]) -> CliResult {
        let what = format!("order {}", o.id.unwrap_or_default());
        let amount = o.amount.as_ref();
        let gross = money::amount(&what, amount.and_then(|a| a.total))?;
        let mut refunded = 0;
        for payment in o.payments.as_deref().unwrap_or_default() {
            let of = money::refunded(&what, payment.refund_operations.as_deref())?;
            refunded = money::add(refunded, of)?;
        }
        self.merge(&OrderTotals {
            group: String::new(),
            count: 1,
            gross,
            discount: money::amount(&what, amount.and_then(|a| a.discount))?,
            refunded,
            net: money::sub(gross, refunded)?,
            paid: paid_cents(o, states)?,
        })
    }

    fn merge(&mut self, other: &OrderTotals) -> CliResult {
        self.count = self.count.saturating_add(other.count);
        self.gross = money::add(self.gross, other.gross)?;
        self.discount = money::add(self.discount, other.discount)?;
        self.refunded = money::add(self.refunded, other.refunded)?;
        self.net = money::add(self.net, other.net)?;
        self.paid = money::add(self.paid, other.paid)?;
        Ok(())
    }
}

const COLS: &[Col] = &[
    Col::left("GROUP", "group"),
    Col::right("COUNT", "count"),
    Col::right("GROSS (EUR)", "gross_eur"),
    Col::right("DISCOUNT (EUR)", "discount_eur"),
    Col::right("REFUNDED (EUR)", "refunded_eur"),
    Col::right("NET (EUR)", "net_eur"),
    Col::right("PAID (EUR)", "paid_eur"),
];

impl Row for OrderTotals {
    const COLUMNS: &'static [Col] = COLS;
    const SHEET: &'static str = "Orders summary";

    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(self.group.clone()),
            Cell::Number(i64::try_from(self.count).unwrap_or(i64::MAX)),
            Cell::Euros(self.gross),
            Cell::Euros(self.discount),
            Cell::Euros(self.refunded),
            Cell::Euros(self.net),
            Cell::Euros(self.paid),
        ]
    }
}

/// Whether one of the order's payments is in `states` (a free one too).
fn has_state(o: &Order, states: &[PaymentState]) -> bool {
    o.payments
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|p| p.state.as_ref().is_some_and(|s| states.contains(s)))
}

fn key(by: OrderGroupBy, o: &Order, zone: Zone) -> String {
    match by {
        OrderGroupBy::Month => month_key(o.date, zone),
        OrderGroupBy::Form => or_none(order_form(o.form_type.as_ref(), o.form_slug.as_deref())),
        OrderGroupBy::FormType => {
            or_none(o.form_type.as_ref().map_or("", |t| t.as_str()).to_owned())
        }
    }
}

pub async fn run(ctx: &Context, settings: &Settings, args: OrdersSummaryArgs) -> CliResult {
    let zone = settings.style.zone;
    let q = OrderQuery::new(&args.period, &args.form_types, 100, zone)?;
    // Given states also select the orders: those with a payment in them.
    let chosen = input::states(&args.states)?;
    let states = if chosen.is_empty() {
        MONEY_IN.to_vec()
    } else {
        chosen.clone()
    };
    let out = args.output.out.as_deref();
    let format = settings.listing_format(out);
    // Opened first: a bad --out fails before the whole listing is read.
    let mut emitter =
        Emitter::listing::<OrderTotals>(format, settings.style, out, args.output.force)?;
    let mut groups: BTreeMap<String, OrderTotals> = BTreeMap::new();
    pager::walk(
        listing(ctx, &q)?.pages(),
        None,
        settings.progress,
        "adding up",
        |order| {
            if !chosen.is_empty() && !has_state(&order, &states) {
                return Ok(());
            }
            let k = key(args.by, &order, zone);
            groups
                .entry(k.clone())
                .or_insert_with(|| OrderTotals {
                    group: k,
                    ..OrderTotals::default()
                })
                .add(&order, &states)
        },
    )
    .await?;
    let mut total = OrderTotals {
        group: "TOTAL".to_owned(),
        ..OrderTotals::default()
    };
    for row in groups.values() {
        total.merge(row)?;
        emitter.row(row)?;
    }
    emitter.row(&total)?;
    emitter.finish()?;
    Ok(())
}

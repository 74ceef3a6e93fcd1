//! `helloasso orders summary --by month|form|form-type`: what was ordered,
//! what was given back, per group.
//!
//! Every matching order is read and added into one group per key; a last
//! row holds the totals. Gross is the orders' total (after discount, as
//! HelloAsso states it), discount what the discounts took off, refunded
//! what went back through any of the order's payments, and net is gross
//! less refunded.

use std::collections::BTreeMap;

use helloasso_sdk::types::Order;
use serde::Serialize;

use crate::cli::{OrderGroupBy, OrdersSummaryArgs};
use crate::commands::orders::{OrderQuery, listing, order_form};
use crate::commands::payments::Settings;
use crate::commands::summary::{month_key, or_none};
use crate::config::Context;
use crate::exit::CliResult;
use crate::money;
use crate::output::{Col, Emitter};
use crate::pager;
use crate::rows::{Cell, Row};
use crate::timezone::Zone;

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
}

impl OrderTotals {
    fn add(&mut self, o: &Order) -> CliResult {
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
        })
    }

    fn merge(&mut self, other: &OrderTotals) -> CliResult {
        self.count = self.count.saturating_add(other.count);
        self.gross = money::add(self.gross, other.gross)?;
        self.discount = money::add(self.discount, other.discount)?;
        self.refunded = money::add(self.refunded, other.refunded)?;
        self.net = money::add(self.net, other.net)?;
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
        ]
    }
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
            let k = key(args.by, &order, zone);
            groups
                .entry(k.clone())
                .or_insert_with(|| OrderTotals {
                    group: k,
                    ..OrderTotals::default()
                })
                .add(&order)
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

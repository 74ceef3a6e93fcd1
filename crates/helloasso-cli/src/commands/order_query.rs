//! Which orders a listing asks for: the period, form and search flags
//! checked once, and the SDK's listing they give.

use chrono::{DateTime, FixedOffset};
use helloasso_sdk::types::{FormType, SortOrder};
use helloasso_sdk::{Client, ListOrders};

use crate::args::PeriodArgs;
use crate::config::Context;
use crate::exit::{CliError, CliResult};
use crate::input;
use crate::timezone::Zone;

/// The filters of an orders listing, checked once.
/// No Debug: the search text is a payer's name or e-mail.
#[derive(Clone)]
pub struct OrderQuery {
    pub from: Option<DateTime<FixedOffset>>,
    pub to: Option<DateTime<FixedOffset>>,
    pub order: SortOrder,
    pub search: Option<helloasso_sdk::Private<String>>,
    pub form: Option<(FormType, String)>,
    pub form_types: Vec<FormType>,
    pub page_size: u32,
}

impl OrderQuery {
    pub fn new(
        period: &PeriodArgs,
        form_types: &[String],
        page_size: u32,
        zone: Zone,
    ) -> CliResult<Self> {
        let (from, to) = period_dates(period, zone)?;
        Ok(Self {
            from,
            to,
            order: if period.asc {
                SortOrder::Asc
            } else {
                SortOrder::Desc
            },
            search: period.search.clone(),
            form: period.form.as_deref().map(input::form).transpose()?,
            form_types: input::form_types(form_types)?,
            page_size,
        })
    }
}

/// A bound of a period, when given.
pub type Bound = Option<DateTime<FixedOffset>>;

/// `--from` and `--to` as instants, refused when they cannot both hold.
pub fn period_dates(period: &PeriodArgs, zone: Zone) -> CliResult<(Bound, Bound)> {
    if let Some((from, to)) = period.period.resolve(zone)? {
        return Ok((Some(from), Some(to)));
    }
    let from = period
        .from
        .as_deref()
        .map(|d| input::date("--from", d, zone))
        .transpose()?;
    let to = period
        .to
        .as_deref()
        .map(|d| input::date("--to", d, zone))
        .transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f >= t
    {
        return Err(CliError::usage(
            "--from must be before --to (--to is exclusive)",
        ));
    }
    Ok((from, to))
}

/// The SDK's listing of the orders `q` asks for, with their items and
/// payments.
pub fn listing(ctx: &Context, q: &OrderQuery) -> CliResult<ListOrders> {
    listing_with(&ctx.client, ctx, q)
}

/// [`listing`] sent through `client`.
pub fn listing_with(client: &Client, ctx: &Context, q: &OrderQuery) -> CliResult<ListOrders> {
    let orders = client.orders(ctx.organization()?);
    let mut list = match &q.form {
        Some((kind, slug)) => orders.form(kind.clone(), slug.clone()),
        None => orders.list().form_types(q.form_types.clone()),
    }
    .page_size(q.page_size)
    .sort_order(q.order.clone())
    .with_count(true)
    .with_details(true);
    if let Some(from) = q.from {
        list = list.from(from);
    }
    if let Some(to) = q.to {
        list = list.to(to);
    }
    if let Some(key) = &q.search {
        list = list.search_key(key.expose().clone());
    }
    Ok(list)
}

//! `helloasso items list`: one line per item (a membership, a ticket), with
//! whom it is for, who paid, and one column per custom-field question: the
//! member list a treasurer asks for.
//!
//! The custom-field columns come from the answers themselves, so the
//! listing is read whole before the first line is written; columns appear
//! in the order the questions are first met.

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset};
use clap::{Args, Subcommand};
use helloasso_sdk::types::{FormType, Item, ItemState, SortField, SortOrder};
use helloasso_sdk::{CustomFields, ListItems};

use crate::args::{LimitArgs, OutArgs, PeriodArgs};
use crate::commands::order_query::period_dates;
use crate::commands::orders::page_size_for;
use crate::commands::shared::{join_name, order_form, tell_count};
use crate::config::Context;
use crate::exit::CliResult;
use crate::output::{self, Col, Emitter};
use crate::rows::Cell;
use crate::settings::Settings;
use crate::{input, pager};

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

pub async fn run(ctx: &Context, settings: &Settings, command: ItemsCommand) -> CliResult {
    match command {
        ItemsCommand::List(args) => {
            let out = args.output.out.clone();
            crate::destination::unless_interrupted(out.as_deref(), list(ctx, settings, args)).await
        }
    }
}

/// The filters of an items listing, checked once.
/// No Debug: the search text is a payer's name or e-mail.
#[derive(Clone)]
pub struct ItemQuery {
    pub from: Option<DateTime<FixedOffset>>,
    pub to: Option<DateTime<FixedOffset>>,
    pub order: SortOrder,
    pub search: Option<helloasso_sdk::Private<String>>,
    pub form: Option<(FormType, String)>,
    pub states: Vec<ItemState>,
    pub page_size: u32,
}

/// The SDK's listing of the items `q` asks for, with their custom fields.
/// Sent through `client`.
fn listing(client: &helloasso_sdk::Client, ctx: &Context, q: &ItemQuery) -> CliResult<ListItems> {
    let items = client.items(ctx.organization()?);
    let mut list = match &q.form {
        Some((kind, slug)) => items.form(kind.clone(), slug.clone()),
        None => items.list(),
    }
    .page_size(q.page_size)
    .sort(SortField::Date, q.order.clone())
    .with_count(true)
    .with_details(true);
    if !q.states.is_empty() {
        list = list.item_states(q.states.clone());
    }
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

/// The fixed columns, before the custom fields'.
const ITEM_COLS: &[Col] = &[
    Col::right("ID", "id"),
    Col::right("ORDER", "order_id"),
    Col::left("DATE", "date"),
    Col::left("FIRST NAME", "first_name"),
    Col::left("LAST NAME", "last_name"),
    Col::left("TIER", "tier"),
    Col::left("TYPE", "type"),
    Col::left("STATE", "state"),
    Col::right("AMOUNT (EUR)", "amount_eur"),
    Col::left("PAYER", "payer"),
    Col::left("PAYER EMAIL", "payer_email"),
    Col::left("FORM", "form"),
    Col::left("OPTIONS", "options"),
];

/// The custom-field questions of `items`, each once (labels differing
/// only in case or surrounding spaces are one question), in the order
/// first met.
pub fn field_labels(items: &[Item]) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for field in items.iter().flat_map(|i| i.custom_fields_list()) {
        if let Some(name) = field
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            && !labels
                .iter()
                .any(|l| l.to_lowercase() == name.to_lowercase())
        {
            labels.push(name.to_owned());
        }
    }
    labels
}

/// One cell per fixed column, then one per label (empty when the item has
/// no answer to that question); option prices are written with `decimal`.
pub fn item_cells(item: &Item, labels: &[String], decimal: char) -> Vec<Cell> {
    let order = item.order.as_ref();
    let user = item.user.as_ref();
    let payer = item.payer.as_ref();
    let mut cells = vec![
        Cell::number(item.id),
        Cell::number(order.and_then(|o| o.id)),
        Cell::date(order.and_then(|o| o.date)),
        Cell::text(user.and_then(|u| u.first_name.clone()).unwrap_or_default()),
        Cell::text(user.and_then(|u| u.last_name.clone()).unwrap_or_default()),
        Cell::text(item.name.clone().unwrap_or_default()),
        Cell::text(item.type_.as_ref().map_or("", |t| t.as_str())),
        Cell::text(item.state.as_ref().map_or("", |s| s.as_str())),
        Cell::euros(item.amount),
        Cell::text(payer.map_or_else(String::new, |p| {
            join_name(p.first_name.as_deref(), p.last_name.as_deref())
        })),
        Cell::text(payer.and_then(|p| p.email.clone()).unwrap_or_default()),
        Cell::text(order.map_or_else(String::new, |o| {
            order_form(o.form_type.as_ref(), o.form_slug.as_deref())
        })),
        Cell::text(options_text(item, decimal)),
    ];
    for label in labels {
        cells.push(Cell::text(item.custom_field(label).unwrap_or_default()));
    }
    cells
}

/// The options taken with an item, `; `-separated, each with its price in
/// euros when it has one: `Taille M`, `Repas (15.00)` (`Repas (15,00)` with
/// a decimal comma, as the amounts beside it in a French CSV).
fn options_text(item: &Item, decimal: char) -> String {
    let mut text = String::new();
    for option in item.options.iter().flatten() {
        let Some(name) = option
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        else {
            continue;
        };
        if !text.is_empty() {
            text.push_str("; ");
        }
        text.push_str(name);
        if let Some(price) = option.amount.filter(|a| a.get() > 0) {
            let euros = crate::rows::euros_text(price.get(), decimal);
            text.push_str(&format!(" ({euros})"));
        }
    }
    text
}

/// The columns of a listing whose custom-field questions are `labels`.
pub fn columns(labels: &[String]) -> Vec<Col> {
    ITEM_COLS
        .iter()
        .cloned()
        .chain(labels.iter().cloned().map(Col::named))
        .collect()
}

async fn list(ctx: &Context, settings: &Settings, args: ItemsListArgs) -> CliResult {
    let zone = settings.style.zone;
    let (from, to) = period_dates(&args.period, zone)?;
    let q = ItemQuery {
        from,
        to,
        order: if args.period.asc {
            SortOrder::Asc
        } else {
            SortOrder::Desc
        },
        search: args.period.search.clone(),
        form: args.period.form.as_deref().map(input::form).transpose()?,
        states: input::item_states(&args.states)?,
        page_size: page_size_for(&args.limits),
    };
    let out = args.output.out.as_deref();
    let format = settings.listing_format(out);
    // Checked before reading: a bad --out fails before the whole listing
    // is read (the columns, hence the emitter, wait for the last item).
    output::listing_target(format, out, args.output.force)?;
    let mut items = Vec::new();
    // JSON prints HelloAsso's items as it sent them.
    let client = ctx.client.keeping_received(output::keeps_documents(format));
    let walked = pager::walk_listing_received(
        listing(&client, ctx, &q)?,
        q.page_size,
        args.limits.limit(),
        settings.progress,
        "items",
        |item, received| {
            items.push((item, received));
            Ok(())
        },
    )
    .await?;
    let (items, received): (Vec<_>, Vec<_>) = items.into_iter().unzip();
    let labels = field_labels(&items);
    let mut emitter = Emitter::listing_of(
        format,
        settings.style,
        out,
        args.output.force,
        Cow::Owned(columns(&labels)),
        "Items",
    )?;
    // Cells render their own amounts; the options' prices sit inside text,
    // so they take the CSV dialect's decimal mark here.
    let decimal = settings.style.decimal(format);
    for (item, received) in items.iter().zip(&received) {
        let cells = item_cells(item, &labels, decimal);
        match received {
            Some(document) => emitter.item(document, cells)?,
            None => emitter.item(item, cells)?,
        }
    }
    let shown = emitter.finish()?;
    tell_count(shown, walked.total, "items match", "--all");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(fields: &[(&str, &str)]) -> Item {
        serde_json::from_value(serde_json::json!({
            "customFields": fields
                .iter()
                .map(|(name, answer)| serde_json::json!({ "name": name, "answer": answer }))
                .collect::<Vec<_>>(),
        }))
        .unwrap()
    }

    #[test]
    fn labels_keep_first_seen_order_and_merge_spelling_variants() {
        // HelloAsso keeps labels as typed: a trailing space or another case
        // is the same question on another form.
        let items = [
            item(&[("Licence", "L1"), ("Club", "A")]),
            item(&[("licence ", "L2"), ("Taille", "M")]),
        ];
        assert_eq!(field_labels(&items), ["Licence", "Club", "Taille"]);
        let cells = item_cells(&items[1], &field_labels(&items), '.');
        let answers: Vec<&Cell> = cells.iter().skip(ITEM_COLS.len()).collect();
        assert_eq!(answers, [&Cell::text("L2"), &Cell::Empty, &Cell::text("M")]);
        assert_eq!(columns(&field_labels(&items)).len(), ITEM_COLS.len() + 3);
    }

    #[test]
    fn options_show_their_name_and_a_price_when_they_have_one() {
        let item: Item = serde_json::from_value(serde_json::json!({
            "options": [
                { "name": "Taille M", "amount": 0 },
                { "name": " Repas ", "amount": 1500 },
                { "name": "", "amount": 200 },
                { "amount": 300 },
            ],
        }))
        .unwrap();
        assert_eq!(options_text(&item, '.'), "Taille M; Repas (15.00)");
        assert_eq!(options_text(&item, ','), "Taille M; Repas (15,00)");
        assert_eq!(options_text(&serde_json::from_str("{}").unwrap(), '.'), "");
    }
}

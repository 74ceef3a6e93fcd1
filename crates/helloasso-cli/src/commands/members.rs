//! `helloasso members`: who is a member on a day (today by default), who
//! lapses soon (`--expiring-within`), who lapsed (`--lapsed-since`), one
//! line per person with since and until, and one column per custom-field
//! question as `items list` has. The rules (Paris days, validity types,
//! refunds, one person across years) are the SDK's, in
//! `helloasso_sdk::members`.

use std::borrow::Cow;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;
use helloasso_sdk::members::paris_day;
use helloasso_sdk::types::{FormLight, FormType, Item};
use helloasso_sdk::{CustomFields, Member, MembersError, Membership, Roster};
use helloasso_sync::Resource;

use crate::commands::items::field_labels;
use crate::commands::sync::{DbLocation, sync_error};
use crate::config::Context;
use crate::exit::{CliError, CliResult};
use crate::input;
use crate::output::{self, Col, Emitter};
use crate::rows::Cell;
use crate::settings::Settings;

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

/// The fixed columns, before the custom fields'.
const MEMBER_COLS: &[Col] = &[
    Col::left("FIRST NAME", "first_name"),
    Col::left("LAST NAME", "last_name"),
    Col::left("EMAIL", "email"),
    Col::left("SINCE", "since"),
    Col::left("UNTIL", "until"),
    Col::left("FORM", "form"),
    Col::left("TIER", "tier"),
    Col::right("ITEM", "item_id"),
    Col::left("ORDERED", "ordered"),
    Col::right("AMOUNT (EUR)", "amount_eur"),
];

pub async fn run(ctx: &Context, settings: &Settings, args: MembersArgs) -> CliResult {
    let today = paris_day(&chrono::Utc::now().fixed_offset());
    let on = match args.on.as_deref() {
        Some(text) => day("--on", text)?,
        None => today,
    };
    let within = args.expiring_within.as_deref().map(span_days).transpose()?;
    let lapsed_since = args
        .lapsed_since
        .as_deref()
        .map(|t| day("--lapsed-since", t))
        .transpose()?;
    let out = args.out.as_deref();
    let format = settings.listing_format(out);
    output::listing_target(format, out, args.force)?;
    let roster = match &args.db {
        Some(db) => mirrored_roster(ctx, db, &args.form).await?,
        None => roster(ctx, &args.form).await?,
    };
    let members = select(&roster, on, within, lapsed_since);
    let items: Vec<Item> = members.iter().map(|m| m.latest.item.clone()).collect();
    let labels = field_labels(&items);
    let mut emitter = Emitter::listing_of(
        format,
        settings.style,
        out,
        args.force,
        Cow::Owned(columns(&labels)),
        "Members",
    )?;
    for member in &members {
        emitter.item(member, cells(member, &labels))?;
    }
    if emitter.finish()? == 0 {
        eprintln!("no members match these filters");
    }
    Ok(())
}

/// The roster of the forms named (every membership form when none is).
pub async fn roster(ctx: &Context, forms: &[String]) -> CliResult<Roster> {
    let mut query = ctx.client.members(ctx.organization()?);
    for form in forms {
        let (kind, slug) = input::form(form)?;
        query = query.form(kind, slug);
    }
    query.roster().await.map_err(members_error)
}

/// The roster of the forms named (every membership form the mirror holds
/// when none is), from the items the mirror holds. HelloAsso's form
/// listing carries no validity rule, so each form's rule is read from
/// HelloAsso (one request per form).
async fn mirrored_roster(ctx: &Context, db: &DbLocation, forms: &[String]) -> CliResult<Roster> {
    let organization = ctx.organization()?;
    let mirror = db.open().await?;
    let documents = async {
        let forms = mirror.documents(Resource::Forms, organization).await?;
        let items = mirror.documents(Resource::Items, organization).await?;
        Ok::<_, helloasso_sync::Error>((forms, items))
    }
    .await;
    mirror.close().await;
    let (form_docs, item_docs) = documents.map_err(sync_error)?;
    let named = if forms.is_empty() {
        form_docs
            .iter()
            .filter_map(decode::<FormLight>)
            .filter_map(|f| match (f.form_type, f.form_slug) {
                (Some(kind @ FormType::Membership), Some(slug)) => Some((kind, slug)),
                _ => None,
            })
            .collect()
    } else {
        forms
            .iter()
            .map(|f| input::form(f))
            .collect::<CliResult<Vec<_>>>()?
    };
    if named.is_empty() {
        // No form named and none mirrored: the query would list HelloAsso's.
        return Ok(Roster::new([]));
    }
    let query = named
        .into_iter()
        .fold(ctx.client.members(organization), |q, (kind, slug)| {
            q.form(kind, slug)
        });
    let forms = query.forms().await.map_err(members_error)?;
    let items: Vec<Item> = item_docs.iter().filter_map(decode).collect();
    Ok(Roster::new(forms.iter().flat_map(|form| {
        items
            .iter()
            .filter(|item| {
                item.order.as_ref().is_some_and(|o| {
                    o.form_type.as_ref() == Some(&form.form_type)
                        && o.form_slug.as_deref() == Some(form.form_slug.as_str())
                })
            })
            .filter_map(|item| Membership::of_item(form, item.clone()))
    })))
}

/// A stored document as the model it was stored from; one the model no
/// longer reads is left out rather than failing the whole listing.
fn decode<T: serde::de::DeserializeOwned>(doc: &serde_json::Value) -> Option<T> {
    serde_json::from_value(doc.clone()).ok()
}

/// An SDK failure as one line.
pub fn members_error(e: MembersError) -> CliError {
    match e {
        MembersError::Api(e) => e.into(),
        MembersError::Validity(e) => CliError::other(e.to_string()),
    }
}

/// The people the flags ask for.
fn select(
    roster: &Roster,
    on: NaiveDate,
    within: Option<u32>,
    lapsed_since: Option<NaiveDate>,
) -> Vec<Member> {
    match (lapsed_since, within) {
        (Some(since), _) => roster.lapsed(since, on),
        (None, Some(days)) => roster.expiring(on, days),
        (None, None) => roster.on(on),
    }
}

/// A day typed as YYYY-MM-DD.
fn day(flag: &str, text: &str) -> CliResult<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        CliError::usage(format!(
            "malformed {flag} `{text}`: expected a day as YYYY-MM-DD, e.g. 2026-03-01"
        ))
    })
}

/// `30d`, `6w` or `30` as a number of days.
fn span_days(text: &str) -> CliResult<u32> {
    let t = text.trim();
    let (number, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c.to_ascii_lowercase()),
        _ => (t, 'd'),
    };
    let n: u32 = number
        .parse()
        .ok()
        .filter(|_| !number.is_empty())
        .ok_or_else(|| {
            CliError::usage(format!(
                "malformed --expiring-within `{text}`: expected days or weeks, e.g. 30d or 6w"
            ))
        })?;
    match unit {
        'd' => Ok(n),
        'w' => n
            .checked_mul(7)
            .ok_or_else(|| CliError::usage(format!("--expiring-within `{text}` is too long"))),
        _ => Err(CliError::usage(format!(
            "malformed --expiring-within `{text}`: the unit is d (days) or w (weeks), e.g. 30d"
        ))),
    }
}

/// The columns of a listing whose custom-field questions are `labels`.
pub fn columns(labels: &[String]) -> Vec<Col> {
    MEMBER_COLS
        .iter()
        .cloned()
        .chain(labels.iter().cloned().map(Col::named))
        .collect()
}

/// One cell per fixed column, then one per custom-field question.
pub fn cells(member: &Member, labels: &[String]) -> Vec<Cell> {
    let m = &member.latest;
    let item = &m.item;
    let user = item.user.as_ref();
    let mut cells = vec![
        Cell::text(user.and_then(|u| u.first_name.clone()).unwrap_or_default()),
        Cell::text(user.and_then(|u| u.last_name.clone()).unwrap_or_default()),
        Cell::text(
            item.payer
                .as_ref()
                .and_then(|p| p.email.clone())
                .unwrap_or_default(),
        ),
        Cell::text(member.since.to_string()),
        Cell::text(member.until.map_or_else(String::new, |u| u.to_string())),
        Cell::text(m.form.name()),
        Cell::text(item.name.clone().unwrap_or_default()),
        Cell::number(item.id),
        Cell::date(Some(m.ordered)),
        Cell::euros(item.amount),
    ];
    for label in labels {
        cells.push(Cell::text(item.custom_field(label).unwrap_or_default()));
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_days_or_weeks() {
        assert_eq!(span_days("30d").unwrap(), 30);
        assert_eq!(span_days("30").unwrap(), 30);
        assert_eq!(span_days("6W").unwrap(), 42);
        for bad in ["", "d", "30x", "-3d", "3.5d"] {
            assert!(span_days(bad).is_err(), "{bad}");
        }
    }
}

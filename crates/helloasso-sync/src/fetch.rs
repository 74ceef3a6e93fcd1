//! One page of each listing, as the mirror asks for it.
//!
//! - Payments and items: `sortField=UpdateDate&sortOrder=Asc`, so a record
//!   that changes (a refund, a cancelled instalment, a new answer) moves
//!   past the stored continuation token and the next run reads it again.
//! - Orders have no `sortField`: `sortOrder=Asc` by date gives the new ones;
//!   an old order is read again by id when one of its items or payments
//!   changed (see `run.rs`).
//! - Forms are few: read whole on every run.

use futures::TryStreamExt;
use helloasso_sdk::types::{SortField, SortOrder};
use helloasso_sdk::{Client, Page, Received};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::resource::Resource;

/// A page's documents and the token after it.
pub(crate) struct Fetched {
    pub docs: Vec<Value>,
    pub next: Option<String>,
}

/// The page's records as HelloAsso sent them, as JSON values: the SDK
/// decoded each into its model already (which checks its shape); what is
/// stored is the received text, its date spellings kept (the workspace's
/// `serde_json` has neither `preserve_order` nor `arbitrary_precision`:
/// keys come out sorted and a decimal number as `f64`, as before).
fn received<T>(page: &mut Page<T>, resource: Resource) -> Result<Vec<Value>> {
    // The client below always keeps them.
    let records = page.take_received().ok_or(unreadable(resource))?;
    records.iter().map(|r| document(r, resource)).collect()
}

/// One record's text as a JSON value (the SDK read it as JSON already).
fn document(received: &Received, resource: Resource) -> Result<Value> {
    serde_json::from_str(received.get()).map_err(|_| unreadable(resource))
}

fn unreadable(resource: Resource) -> Error {
    Error::Document {
        resource: resource.as_str(),
        field: "text as received",
    }
}

/// One request: the page of `resource` after `token` (from the start when
/// `None`).
pub(crate) async fn page(
    client: &Client,
    org: &str,
    resource: Resource,
    token: Option<&str>,
    page_size: u32,
) -> Result<Fetched> {
    let client = &client.keeping_received(true);
    macro_rules! send {
        ($listing:expr) => {{
            let mut listing = $listing.page_size(page_size);
            if let Some(t) = token {
                listing = listing.resume_from(t);
            }
            let mut page = listing.send().await?;
            let next = page.continuation_token.clone();
            Fetched {
                docs: received(&mut page, resource)?,
                next,
            }
        }};
    }
    Ok(match resource {
        Resource::Payments => send!(
            client
                .payments(org)
                .list()
                .sort(SortField::UpdateDate, SortOrder::Asc)
        ),
        Resource::Items => send!(
            client
                .items(org)
                .list()
                .with_details(true)
                .sort(SortField::UpdateDate, SortOrder::Asc)
        ),
        Resource::Orders => send!(
            client
                .orders(org)
                .list()
                .with_details(true)
                .sort_order(SortOrder::Asc)
        ),
        Resource::Forms => send!(client.forms(org).list()),
        Resource::Payouts => Fetched {
            docs: Vec::new(),
            next: None,
        },
    })
}

/// One order, read again by id.
pub(crate) async fn order(client: &Client, id: i64) -> Result<Option<Value>> {
    match client.order(id).get_received().await {
        Ok((_, order)) => document(&order, Resource::Orders).map(Some),
        Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The slugs of every organization a partner serves, and the requests made
/// for them: the SDK's stream reads pages of 100 by continuation token and
/// stops at the first empty one, so one more than the pages with data.
pub(crate) async fn partner_organizations(client: &Client) -> Result<(Vec<String>, u64)> {
    let orgs: Vec<_> = client
        .partner()
        .organizations(Some(100))
        .try_collect()
        .await?;
    let requests = (orgs.len() as u64).div_ceil(100) + 1;
    let slugs = orgs
        .into_iter()
        .filter_map(|o| serde_json::to_value(o).ok())
        .filter_map(|v| {
            v.pointer("/organization/organizationSlug")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect();
    Ok((slugs, requests))
}

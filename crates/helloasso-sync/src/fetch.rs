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
use helloasso_sdk::Client;
use helloasso_sdk::types::{SortField, SortOrder};
use serde_json::Value;

use crate::error::Result;
use crate::resource::Resource;

/// A page's documents and the token after it.
pub(crate) struct Fetched {
    pub docs: Vec<Value>,
    pub next: Option<String>,
}

fn docs<T: serde::Serialize>(items: Vec<T>) -> Vec<Value> {
    // The SDK's models keep the fields they do not declare, so this is
    // HelloAsso's whole document.
    items
        .into_iter()
        .filter_map(|i| serde_json::to_value(i).ok())
        .collect()
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
    macro_rules! send {
        ($listing:expr) => {{
            let mut listing = $listing.page_size(page_size);
            if let Some(t) = token {
                listing = listing.resume_from(t);
            }
            let page = listing.send().await?;
            let next = page.continuation_token.clone();
            Fetched {
                docs: docs(page.items),
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
    match client.order(id).get().await {
        Ok(order) => Ok(serde_json::to_value(order).ok()),
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

//! What a request may reach and how a listing's query is read: shared by
//! every handler module, below them all.

use std::sync::atomic::Ordering;

use axum::extract::rejection::PathRejection;

use crate::dataset::Dataset;
use crate::errors::ApiError;
use crate::pagination::{Filter, PageRequest};
use crate::query::Query;
use crate::state::AppState;
use crate::tokens::Scope;

/// The organization a token may access, or 404/403.
pub(crate) fn org_access(ds: &Dataset, slug: &str, scope: Scope) -> Result<u8, ApiError> {
    let org = ds
        .org_index(slug)
        .ok_or_else(|| ApiError::not_found(format!("Organization '{slug}' not found.")))?;
    if !scope.allows(org) {
        return Err(ApiError::Forbidden(
            "This token may not access this organization.".to_owned(),
        ));
    }
    Ok(org)
}

pub(crate) fn path_error(e: PathRejection) -> ApiError {
    ApiError::invalid(format!("Invalid path: {e}"))
}

/// The filters shared by the JSON listings and the CSV export.
pub(crate) struct ListingQuery {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub states: u32,
    pub order: crate::model::SortOrder,
    pub field: crate::model::SortField,
    pub search: Option<String>,
}

impl ListingQuery {
    pub(crate) fn parse(q: &Query, search_key: &str) -> Result<Self, ApiError> {
        Ok(ListingQuery {
            from: q.date("from")?,
            to: q.date("to")?,
            states: q.states("states")?,
            order: q.sort_order()?,
            field: q.sort_field()?,
            search: q.get(search_key).map(str::to_owned),
        })
    }

    pub(crate) fn filter(&self, ds: &Dataset, org: u8) -> Filter {
        Filter {
            org,
            from: self.from,
            to: self.to,
            field: self.field,
            order: self.order,
            states: self.states,
            form: None,
            form_types: 0,
            payers: self.search.as_deref().map(|k| ds.search_payers(k)),
            payer: None,
            amount: None,
        }
    }
}

/// The paging a listing's query asks for. `withCount` says whether to count
/// the totals (`false`: -1, as HelloAsso answers); without it the listing
/// counts when `counts_by_default`. The fake never counts when told to act
/// as if it cannot.
pub(crate) fn page_request(
    st: &AppState,
    q: &Query,
    counts_by_default: bool,
) -> Result<PageRequest, ApiError> {
    Ok(PageRequest {
        page_size: q.page_size()?,
        page_index: q.page_index()?,
        token: q.get("continuationToken").map(str::to_owned),
        counts: q.bool("withCount")?.unwrap_or(counts_by_default)
            && !st.counts_unknown.load(Ordering::Relaxed),
    })
}

//! An organization's details and the organizations a token may act for.

use crate::access::{org_access, path_error};
use crate::counters::bump;
use crate::dataset::{Dataset, Org};
use crate::errors::{ApiError, json_response};
use crate::state::AppState;
use crate::time::{TICKS_PER_DAY, Ticks, format_paris};
use crate::tokens::Scope;
use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

/// `(category, city, zip code, description)` of the seeded organizations.
fn profile(index: usize) -> (&'static str, &'static str, &'static str, &'static str) {
    match index {
        0 => (
            "Culture",
            "Lyon",
            "69003",
            "Association de démonstration : adhésions, gala et boutique solidaire.",
        ),
        _ => (
            "Sport",
            "Grenoble",
            "38000",
            "Club de sport amateur : licences et tournois.",
        ),
    }
}

/// When an organization joined: before any of its payments.
pub(crate) fn joined(ds: &Dataset, org: u8) -> Ticks {
    let first = ds.payments.first().map_or(0, |p| p.date);
    first - (490 - i64::from(org) * 90) * TICKS_PER_DAY
}

/// The organization's page on HelloAsso.
pub(crate) fn org_url(org: &Org) -> String {
    format!("https://www.helloasso.com/associations/{}", org.slug)
}

/// An organization's public details, as `GET /organizations/{slug}`
/// answers them: unset fields are absent.
pub(crate) fn organization(ds: &Dataset, index: u8) -> Value {
    let org = &ds.orgs[index as usize];
    let (category, city, zip, description) = profile(index as usize);
    json!({
        "isAuthenticated": true,
        "fiscalReceiptEligibility": org.coluche,
        "fiscalReceiptIssuanceEnabled": org.coluche,
        "type": org.org_type,
        "category": category,
        "name": org.name,
        "role": "OrganizationAdmin",
        "city": city,
        "zipCode": zip,
        "description": description,
        "url": org_url(org),
        "organizationSlug": org.slug,
        "updateDate": format_paris(joined(ds, index)),
    })
}

/// `GET /v5/organizations/{organizationSlug}`.
pub(crate) async fn get_organization(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    bump(&st.counters.requests.get_organization);
    let result = (|| {
        let Path(slug) = path.map_err(path_error)?;
        let ds = st.read();
        let org = org_access(&ds, &slug, scope)?;
        Ok::<_, ApiError>(organization(&ds, org))
    })();
    json_response(result)
}

/// `GET /v5/users/me/organizations`: the organizations the token reaches.
pub(crate) async fn list_my_organizations(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
) -> Response {
    bump(&st.counters.requests.list_my_organizations);
    let ds = st.read();
    let orgs: Vec<Value> = (0..ds.orgs.len() as u8)
        .filter(|&o| scope.allows(o))
        .map(|o| {
            let org = &ds.orgs[o as usize];
            let (_, city, zip, description) = profile(o as usize);
            json!({
                "name": org.name,
                "role": "OrganizationAdmin",
                "city": city,
                "zipCode": zip,
                "description": description,
                "url": org_url(org),
                "organizationSlug": org.slug,
                "updateDate": format_paris(joined(&ds, o)),
            })
        })
        .collect();
    axum::Json(orgs).into_response()
}

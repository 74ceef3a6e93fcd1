//! The partner behind the client credentials: its account, the
//! organizations it serves and where their notifications go.
//!
//! Only a partner's client-credentials token (scope: every organization)
//! reaches these routes; an association's token or one obtained for a single
//! organization gets 403.

use crate::access::path_error;
use crate::counters::bump;
use crate::dataset::Dataset;
use crate::errors::{ApiError, empty_response, json_response};
use crate::listing::{self, Entry};
use crate::locks::lock;
use crate::model::{ApiNotificationType, SortOrder};
use crate::organization::joined;
use crate::pagination::PageRequest;
use crate::query::{Query, body_object};
use crate::state::AppState;
use crate::tokens::Scope;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The partner's display name.
const PARTNER_NAME: &str = "Partenaire Démo";

fn require_partner(scope: Scope) -> Result<(), ApiError> {
    match scope {
        Scope::All => Ok(()),
        Scope::Org(_) => Err(ApiError::Forbidden(
            "Only a partner's token may use the partner routes.".to_owned(),
        )),
    }
}

/// The key HelloAsso signs a URL's notifications with; derived, so that the
/// same URL always gets the same key.
pub(crate) fn signature_key(st: &AppState, url: &str) -> String {
    let digest = Sha256::digest(format!("{}|{url}", st.client_secret));
    hex::encode(&digest[..16])
}

fn url_model(st: &AppState, kind: Option<ApiNotificationType>, url: &str) -> Value {
    let mut v = json!({ "url": url, "signatureKey": signature_key(st, url) });
    if let Some(kind) = kind {
        v["apiNotificationType"] = json!(kind);
    }
    v
}

/// `GET /v5/partners/me`.
pub(crate) async fn get_partner(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
) -> Response {
    bump(&st.counters.requests.get_partner);
    json_response((|| {
        require_partner(scope)?;
        let (collected, checkout) = {
            let ds = st.read();
            let paid = ds
                .payments
                .iter()
                .filter(|p| p.state == crate::model::PaymentState::Authorized);
            let (mut all, mut checkout) = (0i64, 0i64);
            for p in paid {
                all += i64::from(p.amount);
                if p.intent > 0 {
                    checkout += i64::from(p.amount);
                }
            }
            (all, checkout)
        };
        let ds = st.read();
        let partner = lock(&st.partner);
        let urls: Vec<Value> = partner
            .urls
            .iter()
            .filter(|((org, _), _)| org.is_none())
            .map(|((_, kind), url)| url_model(&st, *kind, url))
            .collect();
        let mut client = json!({
            "id": st.client_id,
            "partnerName": PARTNER_NAME,
            "privileges": ["AccessPublicData", "AccessTransactions", "RefundManagement", "Checkout"],
        });
        if let Some(domain) = &partner.domain {
            client["domain"] = json!(domain);
        }
        let tokens = lock(&st.tokens);
        let with_token = (0..ds.orgs.len() as u8)
            .filter(|&o| tokens.has_organization_grant(o))
            .count();
        Ok(json!({
            "name": "partenaire-demo",
            "displayName": PARTNER_NAME,
            "description": "Partenaire de démonstration du serveur local.",
            "url": "https://partenaire.example.org",
            "apiClient": client,
            "urlNotificationList": urls,
            "partnerStatistics": {
                "linkedOrganizationsCount": ds.orgs.len(),
                "availableOrganizationsAccessTokenCount": with_token,
                "linkedOrganizationsCollectedAmount": collected,
                "checkoutCollectedAmount": checkout,
                "organizationsUsingCheckout": ds.orgs.len(),
            },
        }))
    })())
}

fn directory_organization(ds: &Dataset, org: u8) -> Value {
    let mut v = crate::organization::organization(ds, org);
    if let Some(map) = v.as_object_mut() {
        map.remove("role");
        map.insert("linkedPartners".into(), json!([PARTNER_NAME]));
    }
    v
}

/// `GET /v5/partners/me/organizations`: paged by continuation token.
pub(crate) async fn list_partner_organizations(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    RawQuery(raw): RawQuery,
) -> Response {
    bump(&st.counters.requests.list_partner_organizations);
    json_response((|| {
        require_partner(scope)?;
        let q = Query::parse(raw.as_deref());
        let req = PageRequest {
            page_size: q.page_size()?,
            page_index: 1,
            token: q.get("continuationToken").map(str::to_owned),
            // The spec: this listing's totals are always -1.
            counts: false,
        };
        let ds = st.read();
        let entries: Vec<Entry<u8>> = (0..ds.orgs.len() as u8)
            .map(|o| Entry {
                key: joined(&ds, o),
                id: ds.orgs[o as usize].id,
                item: o,
            })
            .collect();
        let (orgs, pagination) = listing::page(entries, SortOrder::Asc, &req)?;
        let tokens = lock(&st.tokens);
        let data: Vec<Value> = orgs
            .into_iter()
            .map(|o| {
                json!({
                    "organization": directory_organization(&ds, o),
                    "availableAccessToken": tokens.has_organization_grant(o),
                })
            })
            .collect();
        Ok(json!({ "data": data, "pagination": pagination }))
    })())
}

/// `PUT /v5/partners/me/api-clients`.
pub(crate) async fn set_api_client_domain(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    body: Bytes,
) -> Response {
    bump(&st.counters.requests.set_partner_api_client_domain);
    let result = (|| {
        require_partner(scope)?;
        let body = body_object(&body)?;
        let domain = match body.get("domain") {
            None | Some(Value::Null) => None,
            Some(Value::String(d)) => Some(d.trim().to_owned()).filter(|d| !d.is_empty()),
            Some(_) => return Err(ApiError::invalid("The domain must be a string.")),
        };
        lock(&st.partner).domain = domain;
        Ok(())
    })();
    empty_response(result)
}

fn organization_of(st: &AppState, slug: Option<&str>) -> Result<Option<u8>, ApiError> {
    slug.map(|s| {
        st.read()
            .org_index(s)
            .ok_or_else(|| ApiError::not_found(format!("Organization '{s}' not found.")))
    })
    .transpose()
}

fn set_url(
    st: &AppState,
    scope: Scope,
    slug: Option<&str>,
    body: &Bytes,
) -> Result<Value, ApiError> {
    require_partner(scope)?;
    let org = organization_of(st, slug)?;
    let body = body_object(body)?;
    let url = body
        .get("url")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .ok_or_else(|| ApiError::invalid("The url is required and must be an http(s) URL."))?
        .to_owned();
    let kind = match body.get("notificationType") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_str()
                .and_then(ApiNotificationType::parse)
                .ok_or_else(|| ApiError::invalid("The notificationType is not valid."))?,
        ),
    };
    lock(&st.partner).urls.insert((org, kind), url.clone());
    Ok(url_model(st, kind, &url))
}

fn delete_url(
    st: &AppState,
    scope: Scope,
    slug: Option<&str>,
    raw: Option<&str>,
) -> Result<(), ApiError> {
    require_partner(scope)?;
    let org = organization_of(st, slug)?;
    let q = Query::parse(raw);
    let kind = q
        .get("notificationType")
        .map(|v| {
            ApiNotificationType::parse(v).ok_or_else(|| {
                ApiError::invalid(format!(
                    "The value '{v}' is not valid for notificationType."
                ))
            })
        })
        .transpose()?;
    let mut partner = lock(&st.partner);
    if partner.urls.remove(&(org, kind)).is_none() {
        return Err(ApiError::not_found("No notification URL is set for this."));
    }
    Ok(())
}

/// `PUT /v5/partners/me/api-notifications`.
pub(crate) async fn set_main_url(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    body: Bytes,
) -> Response {
    bump(&st.counters.requests.set_notification_url);
    json_response(set_url(&st, scope, None, &body))
}

/// `DELETE /v5/partners/me/api-notifications`.
pub(crate) async fn delete_main_url(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    RawQuery(raw): RawQuery,
) -> Response {
    bump(&st.counters.requests.delete_notification_url);
    empty_response(delete_url(&st, scope, None, raw.as_deref()))
}

/// `PUT /v5/partners/me/api-notifications/organizations/{organizationSlug}`.
pub(crate) async fn set_organization_url(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    bump(&st.counters.requests.set_notification_url);
    json_response(
        path.map_err(path_error)
            .and_then(|Path(slug)| set_url(&st, scope, Some(&slug), &body)),
    )
}

/// `DELETE /v5/partners/me/api-notifications/organizations/{organizationSlug}`.
pub(crate) async fn delete_organization_url(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    bump(&st.counters.requests.delete_notification_url);
    empty_response(
        path.map_err(path_error)
            .and_then(|Path(slug)| delete_url(&st, scope, Some(&slug), raw.as_deref())),
    )
}

//! Payment listings, the older search endpoint and payment details.

use crate::access::{ListingQuery, org_access, page_request, path_error};
use crate::counters::bump;
use crate::dataset::Dataset;
use crate::errors::{ApiError, json_response};
use crate::export;
use crate::instalments;
use crate::model::{FormType, Page, Pagination, Payment};
use crate::pagination::{self, Filter, PageOut, PageRequest};
use crate::query::Query;
use crate::render;
use crate::state::AppState;
use crate::tokens::Scope;
use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::Arc;

fn pagination(out: &PageOut, page_size: usize) -> Pagination {
    let (total_count, total_pages) = match out.total {
        Some(t) => (t as i64, t.div_ceil(page_size) as i64),
        None => (-1, -1),
    };
    Pagination {
        page_size: page_size as i64,
        total_count,
        page_index: out.page_index as i64,
        total_pages,
        continuation_token: out.token.clone(),
    }
}

/// The page `req` asks for of the payments `filter` selects, each one
/// rendered by `render`.
fn page<T>(
    ds: &Dataset,
    filter: &Filter,
    req: &PageRequest,
    render: fn(&Dataset, u32) -> T,
) -> Result<Page<T>, ApiError> {
    let out = pagination::select(ds, filter, req)?;
    Ok(render_page(
        ds,
        &out.items,
        pagination(&out, req.page_size),
        render,
    ))
}

/// The page of the selected payments `items`, each one rendered by `render`.
fn render_page<T>(
    ds: &Dataset,
    items: &[u32],
    pagination: Pagination,
    render: fn(&Dataset, u32) -> T,
) -> Page<T> {
    Page {
        data: items.iter().map(|&i| render(ds, i)).collect(),
        pagination,
    }
}

/// A listing page as a JSON response. A page of 100 payments is some
/// 150 KB, so it is written into one buffer sized for it up front rather
/// than grown step by step from a small one.
fn page_response<T: Serialize>(page: Result<Page<T>, ApiError>) -> Response {
    let page = match page {
        Ok(page) => page,
        Err(e) => return e.into_response(),
    };
    let mut body = Vec::with_capacity(256 + page.data.len() * BYTES_PER_ITEM);
    match serde_json::to_writer(&mut body, &page) {
        Ok(()) => json_bytes(body),
        Err(e) => ApiError::Internal(format!("The page could not be written: {e}")).into_response(),
    }
}

fn json_bytes(body: Vec<u8>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// Room reserved per listed item: a rendered payment takes 1.3 to 1.8 KB.
const BYTES_PER_ITEM: usize = 2048;

fn wants(headers: &HeaderMap, mime: &str) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .any(|m| m.trim().to_ascii_lowercase().starts_with(mime))
        })
}

const XLSX: &str = export::XLSX_MIME;

/// `GET /v5/organizations/{organizationSlug}/payments` (JSON, or CSV with `Accept: text/csv`).
pub(crate) async fn list_organization_payments(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let wants_json = wants(&headers, "application/json");
    if !wants_json && wants(&headers, "text/csv") {
        bump(&st.counters.requests.export_payments);
        return match path {
            Ok(Path(slug)) => export::export_csv(st, scope, &slug, raw.as_deref()),
            Err(e) => path_error(e).into_response(),
        };
    }
    if !wants_json && wants(&headers, XLSX) {
        bump(&st.counters.requests.export_payments);
        return match path {
            Ok(Path(slug)) => export::export_xlsx(st, scope, &slug, raw.as_deref()),
            Err(e) => path_error(e).into_response(),
        };
    }
    bump(&st.counters.requests.list_organization_payments);
    let result = (|| {
        let Path(slug) = path.map_err(path_error)?;
        let q = Query::parse(raw.as_deref());
        let lq = ListingQuery::parse(&q, "userSearchKey")?;
        let req = page_request(&st, &q, false)?;
        let ds = st.read();
        let org = org_access(&ds, &slug, scope)?;
        let filter = lq.filter(&ds, org);
        let Some(rendered) = &st.rendered else {
            return page(&ds, &filter, &req, render::payment).map(Listing::Rendered);
        };
        let out = pagination::select(&ds, &filter, &req)?;
        let paging = pagination(&out, req.page_size);
        if let Some(body) = rendered.page(&ds, &out.items, &paging) {
            return Ok(Listing::Spliced(body));
        }
        // The cache is off: render the selection already made.
        Ok(Listing::Rendered(render_page(
            &ds,
            &out.items,
            paging,
            render::payment,
        )))
    })();
    match result {
        Ok(Listing::Spliced(body)) => json_bytes(body),
        Ok(Listing::Rendered(page)) => page_response(Ok(page)),
        Err(e) => e.into_response(),
    }
}

/// An organization listing page, built from pre-serialized payments or
/// rendered.
enum Listing {
    Spliced(Vec<u8>),
    Rendered(Page<Payment>),
}

/// `GET /v5/organizations/{organizationSlug}/forms/{formType}/{formSlug}/payments`.
pub(crate) async fn list_form_payments(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    bump(&st.counters.requests.list_form_payments);
    let result = (|| {
        let Path((slug, form_type, form_slug)) = path.map_err(path_error)?;
        let form_type = FormType::parse(&form_type).ok_or_else(|| {
            ApiError::invalid(format!(
                "The value '{form_type}' is not valid for formType."
            ))
        })?;
        let q = Query::parse(raw.as_deref());
        let lq = ListingQuery::parse(&q, "userSearchKey")?;
        let req = page_request(&st, &q, false)?;
        let ds = st.read();
        let org = org_access(&ds, &slug, scope)?;
        let form = ds.form_index(org, form_type, &form_slug).ok_or_else(|| {
            ApiError::not_found(format!("Form '{form_type}/{form_slug}' not found."))
        })?;
        let mut filter = lq.filter(&ds, org);
        filter.form = Some(form);
        page(&ds, &filter, &req, render::payment)
    })();
    page_response(result)
}

/// `GET /v5/organizations/{organizationSlug}/payments/search` (2025-06 API):
/// continuation-token paging only, counts always -1.
pub(crate) async fn search_payments(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    bump(&st.counters.requests.search_payments);
    let result = (|| {
        let Path(slug) = path.map_err(path_error)?;
        let q = Query::parse(raw.as_deref());
        let lq = ListingQuery::parse(&q, "searchKey")?;
        let mut form_types = q.form_types("formTypes")?;
        form_types |= q.form_types("formType")?;
        let amount = q.int("amount")?;
        let user_id = q.int("userId")?;
        let req = PageRequest {
            page_size: q.page_size()?,
            page_index: 1,
            token: q.get("continuationToken").map(str::to_owned),
            counts: false,
        };
        let ds = st.read();
        let org = org_access(&ds, &slug, scope)?;
        let mut filter = lq.filter(&ds, org);
        filter.form_types = form_types;
        filter.amount = amount.map(|a| u32::try_from(a).unwrap_or(u32::MAX));
        filter.payer = user_id.map(|u| u32::try_from(u - ds.ids.user).unwrap_or(u32::MAX));
        page(&ds, &filter, &req, render::public_payment)
    })();
    page_response(result)
}

/// Parses a payment id from the path: 400 when not a number, 404 when unknown.
pub(crate) fn payment_index(ds: &Dataset, raw: &str, scope: Scope) -> Result<u32, ApiError> {
    let id: i64 = raw
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid(format!("The value '{raw}' is not valid for paymentId.")))?;
    let idx = ds
        .payment_index(id)
        .ok_or_else(|| ApiError::not_found(format!("Payment {id} not found.")))?;
    if !scope.allows(ds.payments[idx as usize].org) {
        return Err(ApiError::Forbidden(
            "This token may not access this payment.".to_owned(),
        ));
    }
    Ok(idx)
}

/// What `GET /payments/{id}` answers: a payment of the dataset, or a
/// taken later instalment of an order.
#[derive(Serialize)]
#[serde(untagged)]
enum OnePayment {
    Payment(Box<Payment>),
    Instalment(serde_json::Value),
}

/// `GET /v5/payments/{paymentId}`.
pub(crate) async fn get_payment(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    bump(&st.counters.requests.get_payment);
    let result = (|| {
        let Path(id) = path.map_err(path_error)?;
        let q = Query::parse(raw.as_deref());
        // Accepted and validated; the fake records no failed refunds.
        q.bool("withFailedRefundOperation")?;
        let ds = st.read();
        // A taken instalment is a payment of its own.
        if let Some((idx, taken)) = id
            .trim()
            .parse()
            .ok()
            .and_then(|n| instalments::payment(&ds, n))
        {
            if !scope.allows(ds.payments[idx as usize].org) {
                return Err(ApiError::Forbidden(
                    "This token may not access this payment.".to_owned(),
                ));
            }
            return Ok(OnePayment::Instalment(taken));
        }
        let idx = payment_index(&ds, &id, scope)?;
        Ok(OnePayment::Payment(Box::new(render::payment(&ds, idx))))
    })();
    json_response(result)
}

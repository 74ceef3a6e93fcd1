//! Checkout intents: create, get, and pay (a fake-only action).
//!
//! Creation validates like HelloAsso: `totalAmount == initialAmount +
//! sum(terms.amount)`, amounts positive, `itemName` 1 to 250 characters,
//! `metadata` at most 20,000 characters of JSON, the three URLs absolute
//! http(s) URLs, `containsDonation` present; each failure is a 400 with an
//! `errors` body. The `redirectUrl` points at the fake's own payment page
//! (`/_fake/checkout/{id}`), where a browser can pay, refuse or go back.
//! Paying creates an order and an `Authorized` card payment for
//! `initialAmount` on the organization's Checkout form, and sends the Order
//! and Payment webhooks (with the intent's metadata).

use crate::access::{org_access, path_error};
use crate::counters::bump;
use crate::dataset::{Intent, PaymentRec};
use crate::errors::{ApiError, json_response};
use crate::model::{
    CheckoutIntentResponse, InitCheckoutBody, InitCheckoutResponse, PaymentCashOutState,
    PaymentMeans, PaymentState,
};
use crate::render;
use crate::state::AppState;
use crate::time;
use crate::tokens::Scope;
use crate::webhooks;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use std::sync::Arc;

/// What paying a checkout intent created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaidCheckout {
    /// The checkout intent.
    pub checkout_intent_id: i64,
    /// The new order.
    pub order_id: i64,
    /// The new payment (state `Authorized`).
    pub payment_id: i64,
}

fn check_url(name: &str, value: Option<&str>) -> Result<String, ApiError> {
    let v = value
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| ApiError::invalid(format!("{name} is required.")))?;
    match url::Url::parse(v) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(v.to_owned()),
        _ => Err(ApiError::invalid(format!(
            "{name} must be an absolute http(s) URL."
        ))),
    }
}

fn validate(body: &InitCheckoutBody) -> Result<(u32, u32), ApiError> {
    let total = body
        .total_amount
        .ok_or_else(|| ApiError::invalid("totalAmount is required."))?;
    let initial = body
        .initial_amount
        .ok_or_else(|| ApiError::invalid("initialAmount is required."))?;
    if total <= 0 || total > i64::from(i32::MAX) {
        return Err(ApiError::invalid("totalAmount must be positive."));
    }
    if initial <= 0 || initial > total {
        return Err(ApiError::invalid(
            "initialAmount must be positive and at most totalAmount.",
        ));
    }
    let mut sum = initial;
    for term in body.terms.iter().flatten() {
        if term.amount <= 0 {
            return Err(ApiError::invalid("Each term amount must be positive."));
        }
        if time::parse_query_datetime(&term.date).is_none() {
            return Err(ApiError::invalid(format!(
                "The term date '{}' is not valid.",
                term.date
            )));
        }
        sum = sum.saturating_add(term.amount);
    }
    if sum != total {
        return Err(ApiError::invalid(format!(
            "totalAmount ({total}) must equal initialAmount plus the terms' amounts ({sum})."
        )));
    }
    let name = body.item_name.as_deref().unwrap_or("");
    if name.trim().is_empty() {
        return Err(ApiError::invalid("itemName is required."));
    }
    if name.chars().count() > 250 {
        return Err(ApiError::invalid(
            "itemName must be at most 250 characters.",
        ));
    }
    if body.contains_donation.is_none() {
        return Err(ApiError::invalid("containsDonation is required."));
    }
    if let Some(m) = &body.metadata {
        let len = serde_json::to_string(m)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        if len > 20_000 {
            return Err(ApiError::invalid(
                "metadata must be at most 20000 characters.",
            ));
        }
    }
    Ok((total as u32, initial as u32))
}

/// `POST /v5/organizations/{organizationSlug}/checkout-intents`.
pub(crate) async fn create_checkout_intent(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    bump(&st.counters.requests.create_checkout_intent);
    let result = (|| {
        let Path(slug) = path.map_err(path_error)?;
        let body =
            body.map_err(|e| ApiError::invalid(format!("The request body cannot be read: {e}")))?;
        let body: InitCheckoutBody = serde_json::from_slice(&body)
            .map_err(|e| ApiError::invalid(format!("The request body is invalid: {e}")))?;
        let (total, initial) = validate(&body)?;
        let return_url = check_url("returnUrl", body.return_url.as_deref())?;
        let back_url = check_url("backUrl", body.back_url.as_deref())?;
        let error_url = check_url("errorUrl", body.error_url.as_deref())?;
        let mut ds = st.write();
        let org = org_access(&ds, &slug, scope)?;
        let seq = ds.intents.len();
        let id = ds.intent_id(seq);
        let redirect_url = format!("{}/_fake/checkout/{id}", st.base_url);
        ds.intents.push(Intent {
            org,
            total,
            initial,
            item_name: body.item_name.clone().unwrap_or_default(),
            contains_donation: body.contains_donation.unwrap_or(false),
            payer: body.payer.clone(),
            metadata: body.metadata.clone(),
            redirect_url: redirect_url.clone(),
            return_url,
            back_url,
            error_url,
            payment: None,
        });
        bump(&st.counters.checkout_intents_created);
        Ok::<_, ApiError>(InitCheckoutResponse { id, redirect_url })
    })();
    json_response(result)
}

/// `GET /v5/organizations/{organizationSlug}/checkout-intents/{checkoutIntentId}`.
pub(crate) async fn get_checkout_intent(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    bump(&st.counters.requests.get_checkout_intent);
    let result = (|| {
        let Path((slug, raw_id)) = path.map_err(path_error)?;
        let id: i64 = raw_id.trim().parse().map_err(|_| {
            ApiError::invalid(format!(
                "The value '{raw_id}' is not valid for checkoutIntentId."
            ))
        })?;
        let ds = st.read();
        let org = org_access(&ds, &slug, scope)?;
        let seq = ds
            .intent_index(id)
            .filter(|&i| ds.intents[i].org == org)
            .ok_or_else(|| ApiError::not_found(format!("Checkout intent {id} not found.")))?;
        let intent = &ds.intents[seq];
        Ok::<_, ApiError>(CheckoutIntentResponse {
            metadata: intent.metadata.clone(),
            order: intent.payment.map(|p| render::order_detail(&ds, p)),
            id,
            redirect_url: intent.redirect_url.clone(),
        })
    })();
    json_response(result)
}

/// Pays an intent: creates its order and payment and sends the webhooks.
pub(crate) fn pay_intent(st: &Arc<AppState>, id: i64) -> Result<PaidCheckout, ApiError> {
    let mut ds = st.write();
    let seq = ds
        .intent_index(id)
        .ok_or_else(|| ApiError::not_found(format!("Checkout intent {id} not found.")))?;
    if ds.intents[seq].payment.is_some() {
        return Err(ApiError::BadRequest {
            code: "CheckoutAlreadyPaid",
            message: format!("Checkout intent {id} is already paid."),
        });
    }
    let intent = ds.intents[seq].clone();
    let payer = match intent.payer.clone() {
        Some(p) if p.first_name.is_some() || p.email.is_some() => ds.add_custom_payer(p),
        _ => (seq % ds.payers.len().max(1)) as u32,
    };
    let now = time::now();
    let rec = PaymentRec {
        date: now,
        updated: now,
        amount: intent.initial,
        tip: 0,
        refunded: 0,
        payer,
        intent: seq as u32 + 1,
        form: ds.orgs[intent.org as usize].checkout_form,
        org: intent.org,
        state: PaymentState::Authorized,
        means: PaymentMeans::Card,
        cash_out: Some(PaymentCashOutState::MoneyIn),
        flags: 0,
    };
    let idx = ds.append_payment(rec);
    ds.intents[seq].payment = Some(idx);
    let order = render::order_detail(&ds, idx);
    let payment = render::payment(&ds, idx);
    let paid = PaidCheckout {
        checkout_intent_id: id,
        order_id: order.id,
        payment_id: payment.id,
    };
    drop(ds);
    bump(&st.counters.checkout_intents_paid);
    let order = serde_json::to_value(order).unwrap_or_default();
    let payment = serde_json::to_value(payment).unwrap_or_default();
    webhooks::notify(st, "Order", order, intent.metadata.clone());
    webhooks::notify(st, "Payment", payment, intent.metadata);
    Ok(paid)
}

/// `POST /_fake/checkout-intents/{id}/pay`.
pub(crate) async fn pay_route(
    State(st): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let result = (|| {
        let Path(raw) = path.map_err(path_error)?;
        let id: i64 = raw
            .trim()
            .parse()
            .map_err(|_| ApiError::invalid("Invalid checkout intent id."))?;
        pay_intent(&st, id)
    })();
    json_response(result)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /_fake/checkout/{id}`: the page `redirectUrl` leads to.
pub(crate) async fn checkout_page(
    State(st): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(raw)) = path else {
        return ApiError::invalid("Invalid checkout intent id.").into_response();
    };
    let id: i64 = raw.trim().parse().unwrap_or(-1);
    let ds = st.read();
    let Some(seq) = ds.intent_index(id) else {
        return ApiError::not_found(format!("Checkout intent {raw} not found.")).into_response();
    };
    let intent = &ds.intents[seq];
    let org = &ds.orgs[intent.org as usize];
    let status = if intent.payment.is_some() {
        "<p>Already paid.</p>"
    } else {
        ""
    };
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>HelloAsso fake checkout</title></head>\
         <body><h1>{}</h1><p>{}: {},{:02} € now (total {},{:02} €)</p>{status}\
         <form method=\"post\"><button name=\"action\" value=\"pay\">Pay</button> \
         <button name=\"action\" value=\"refuse\">Refuse</button> \
         <button name=\"action\" value=\"back\">Back</button></form></body></html>",
        html_escape(&org.name),
        html_escape(&intent.item_name),
        intent.initial / 100,
        intent.initial % 100,
        intent.total / 100,
        intent.total % 100
    ))
    .into_response()
}

/// `POST /_fake/checkout/{id}` (form `action=pay|refuse|back`): redirects the
/// browser like HelloAsso does after a checkout.
pub(crate) async fn checkout_action(
    State(st): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    let Ok(Path(raw)) = path else {
        return ApiError::invalid("Invalid checkout intent id.").into_response();
    };
    let id: i64 = raw.trim().parse().unwrap_or(-1);
    let form = crate::query::Query::parse(Some(std::str::from_utf8(&body).unwrap_or("")));
    let intent = {
        let ds = st.read();
        match ds.intent_index(id) {
            Some(seq) => ds.intents[seq].clone(),
            None => {
                return ApiError::not_found(format!("Checkout intent {raw} not found."))
                    .into_response();
            }
        }
    };
    let target = match form.get("action").unwrap_or("pay") {
        "back" => intent.back_url.clone(),
        "refuse" => with_query(
            &intent.error_url,
            &[
                ("checkoutIntentId", id.to_string()),
                ("error", "refused".into()),
            ],
        ),
        _ => match pay_intent(&st, id) {
            Ok(paid) => with_query(
                &intent.return_url,
                &[
                    ("checkoutIntentId", id.to_string()),
                    ("code", "succeeded".into()),
                    ("orderId", paid.order_id.to_string()),
                ],
            ),
            Err(e) => return e.into_response(),
        },
    };
    (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response()
}

fn with_query(base: &str, pairs: &[(&str, String)]) -> String {
    match url::Url::parse(base) {
        Ok(mut u) => {
            {
                let mut q = u.query_pairs_mut();
                for (k, v) in pairs {
                    q.append_pair(k, v);
                }
            }
            u.to_string()
        }
        Err(_) => base.to_owned(),
    }
}

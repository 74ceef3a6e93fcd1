//! The detail of a cash-out (a weekly transfer of the money collected to the
//! organization's bank account) as a CSV file: one row per payment it
//! transferred. Amounts are in cents, dates as in the JSON answers.

use crate::counters::bump;
use crate::dataset::{Dataset, FLAG_PAID_OUT};
use crate::errors::ApiError;
use crate::model::{FormType, PaymentState};
use crate::oauth::Scope;
use crate::payments::{org_access, path_error};
use crate::state::AppState;
use crate::time::{TICKS_PER_DAY, format_paris};
use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The header row of a cash-out export.
pub const CASH_OUT_HEADER: &[&str] = &[
    "cashOutId",
    "cashOutDate",
    "campaignType",
    "campaignName",
    "operationType",
    "credit",
    "debit",
    "orderId",
    "paymentId",
    "paymentDate",
    "paymentMethod",
    "paymentStatus",
    "designation",
    "payerLastName",
    "payerFirstName",
    "payerEmail",
];

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn csv(ds: &Dataset, org: u8, cash_out: i64) -> Result<Vec<u8>, ApiError> {
    let mut rows = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::Internal(format!("The export could not be written: {e}"));
    rows.write_record(CASH_OUT_HEADER).map_err(fail)?;
    let mut found = false;
    let mut email = String::new();
    for &idx in &ds.orgs[org as usize].by_date {
        let p = &ds.payments[idx as usize];
        if p.flags & FLAG_PAID_OUT == 0 || ds.cash_out_id(p) != cash_out {
            continue;
        }
        found = true;
        let form = &ds.forms[p.form as usize];
        let (first, last) = ds.payer_names(p.payer);
        ds.payer_email(p.payer, &mut email);
        let operation = if form.form_type == FormType::Donation {
            "OneTimeDonation"
        } else if crate::orders::has_instalments(ds, idx) {
            "MultipleInstalmentPayment"
        } else {
            "OneTimePayment"
        };
        // Every payment the cash-out transferred, refunded since or not; a
        // later refund shows in its status.
        let status = match (p.state, p.refunded) {
            (PaymentState::Authorized, 0) => "Paid",
            (PaymentState::Authorized, _) => "PartiallyRefunded",
            (PaymentState::Contested, _) => "Contested",
            _ => "Refunded",
        };
        rows.write_record([
            cash_out.to_string().as_str(),
            &format_paris(p.date + 7 * TICKS_PER_DAY),
            form.form_type.as_str(),
            &form.name,
            operation,
            &p.amount.to_string(),
            "0",
            &crate::render::order_id(ds, idx).to_string(),
            &ds.payment_id(idx).to_string(),
            &format_paris(p.date),
            p.means.as_str(),
            status,
            &crate::render::item_name(ds, idx),
            last,
            first,
            &email,
        ])
        .map_err(fail)?;
    }
    if !found {
        return Err(ApiError::not_found(format!(
            "Cash-out {cash_out} not found."
        )));
    }
    rows.into_inner()
        .map_err(|e| ApiError::Internal(format!("The export could not be written: {e}")))
}

/// `GET /v5/organizations/{organizationSlug}/cash-out/{cashOutId}/export`:
/// CSV whatever the `Accept`, except XLSX, which the fake does not write.
pub(crate) async fn export_cash_out(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    bump(&st.counters.requests.export_cash_out);
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.contains(XLSX) && !accept.contains("text/csv") {
        return ApiError::NotAcceptable("The fake only exports cash-outs as text/csv.".to_owned())
            .into_response();
    }
    let result = (|| {
        let Path((slug, id)) = path.map_err(path_error)?;
        let id: i64 = id.trim().parse().map_err(|_| {
            ApiError::invalid(format!("The value '{id}' is not valid for cashOutId."))
        })?;
        let ds = st.read();
        let org = org_access(&ds, &slug, scope)?;
        Ok::<_, ApiError>((csv(&ds, org, id)?, id))
    })();
    match result {
        Ok((body, id)) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_str(&format!("attachment; filename=\"cash-out-{id}.csv\""))
                        .unwrap_or(HeaderValue::from_static("attachment")),
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

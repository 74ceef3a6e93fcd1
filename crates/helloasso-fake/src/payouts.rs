//! The detail of a cash-out (a weekly transfer of the money collected to the
//! organization's bank account) as a CSV file or a workbook: one row per
//! payment it transferred.

use crate::access::{org_access, path_error};
use crate::counters::bump;
use crate::dataset::{Dataset, FLAG_PAID_OUT};
use crate::errors::ApiError;
use crate::export::{XLSX_MIME, excel_paris, spreadsheet};
use crate::model::{FormType, PaymentState};
use crate::state::AppState;
use crate::time::{TICKS_PER_DAY, Ticks, format_paris};
use crate::tokens::Scope;
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

/// One payment a cash-out transferred, as its export shows it.
struct CashOutRow<'a> {
    cash_out_date: Ticks,
    campaign_type: &'static str,
    campaign_name: &'a str,
    operation: &'static str,
    credit_cents: u32,
    order_id: i64,
    payment_id: i64,
    payment_date: Ticks,
    method: &'static str,
    status: &'static str,
    designation: String,
    payer_last_name: &'a str,
    payer_first_name: &'a str,
    payer_email: String,
}

/// Every payment cash-out `cash_out` of organization `org` transferred,
/// oldest first; 404 when it transferred none.
fn rows(ds: &Dataset, org: u8, cash_out: i64) -> Result<Vec<CashOutRow<'_>>, ApiError> {
    let mut rows = Vec::new();
    for &idx in &ds.orgs[org as usize].by_date {
        let p = &ds.payments[idx as usize];
        if p.flags & FLAG_PAID_OUT == 0 || ds.cash_out_id(p) != cash_out {
            continue;
        }
        let form = &ds.forms[p.form as usize];
        let (first, last) = ds.payer_names(p.payer);
        let mut email = String::new();
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
        rows.push(CashOutRow {
            cash_out_date: p.date + 7 * TICKS_PER_DAY,
            campaign_type: form.form_type.as_str(),
            campaign_name: &form.name,
            operation,
            credit_cents: p.amount,
            order_id: crate::render::order_id(ds, idx),
            payment_id: ds.payment_id(idx),
            payment_date: p.date,
            method: p.means.as_str(),
            status,
            designation: crate::render::item_name(ds, idx),
            payer_last_name: last,
            payer_first_name: first,
            payer_email: email,
        });
    }
    if rows.is_empty() {
        return Err(ApiError::not_found(format!(
            "Cash-out {cash_out} not found."
        )));
    }
    Ok(rows)
}

/// The export as CSV: amounts in cents, dates as in the JSON answers.
fn csv(cash_out: i64, rows: &[CashOutRow]) -> Result<Vec<u8>, ApiError> {
    let fail = |e: csv::Error| ApiError::Internal(format!("The export could not be written: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(CASH_OUT_HEADER).map_err(fail)?;
    for r in rows {
        out.write_record([
            cash_out.to_string().as_str(),
            &format_paris(r.cash_out_date),
            r.campaign_type,
            r.campaign_name,
            r.operation,
            &r.credit_cents.to_string(),
            "0",
            &r.order_id.to_string(),
            &r.payment_id.to_string(),
            &format_paris(r.payment_date),
            r.method,
            r.status,
            &r.designation,
            r.payer_last_name,
            r.payer_first_name,
            &r.payer_email,
        ])
        .map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| ApiError::Internal(format!("The export could not be written: {e}")))
}

/// The export as a workbook, as the payments' spreadsheet export is: ids
/// as numbers, dates as Paris date-times, amounts in euros with a euro
/// format, a bold frozen header with a filter.
fn xlsx(cash_out: i64, rows: &[CashOutRow]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    spreadsheet("Cash-out", CASH_OUT_HEADER, rows.len(), |ws, f| {
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            ws.write_number(r, 0, cash_out as f64)?;
            ws.write_datetime_with_format(r, 1, &excel_paris(row.cash_out_date)?, &f.dates)?;
            ws.write_string(r, 2, row.campaign_type)?;
            ws.write_string(r, 3, row.campaign_name)?;
            ws.write_string(r, 4, row.operation)?;
            ws.write_number_with_format(r, 5, f64::from(row.credit_cents) / 100.0, &f.euros)?;
            ws.write_number_with_format(r, 6, 0.0, &f.euros)?;
            ws.write_number(r, 7, row.order_id as f64)?;
            ws.write_number(r, 8, row.payment_id as f64)?;
            ws.write_datetime_with_format(r, 9, &excel_paris(row.payment_date)?, &f.dates)?;
            ws.write_string(r, 10, row.method)?;
            ws.write_string(r, 11, row.status)?;
            ws.write_string(r, 12, &row.designation)?;
            ws.write_string(r, 13, row.payer_last_name)?;
            ws.write_string(r, 14, row.payer_first_name)?;
            ws.write_string(r, 15, &row.payer_email)?;
        }
        Ok(())
    })
}

/// `GET /v5/organizations/{organizationSlug}/cash-out/{cashOutId}/export`:
/// a workbook when `Accept` asks for XLSX and not CSV, else CSV.
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
    let spreadsheet = accept.contains(XLSX_MIME) && !accept.contains("text/csv");
    let result = (|| {
        let Path((slug, id)) = path.map_err(path_error)?;
        let id: i64 = id.trim().parse().map_err(|_| {
            ApiError::invalid(format!("The value '{id}' is not valid for cashOutId."))
        })?;
        let ds = st.read();
        let org = org_access(&ds, &slug, scope)?;
        let rows = rows(&ds, org, id)?;
        let body = if spreadsheet {
            xlsx(id, &rows).map_err(|e| ApiError::Internal(format!("spreadsheet: {e}")))?
        } else {
            csv(id, &rows)?
        };
        Ok::<_, ApiError>((body, id))
    })();
    let (body, id) = match result {
        Ok(answer) => answer,
        Err(e) => return e.into_response(),
    };
    let (media_type, extension) = if spreadsheet {
        (HeaderValue::from_static(XLSX_MIME), "xlsx")
    } else {
        (HeaderValue::from_static("text/csv; charset=utf-8"), "csv")
    };
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"cash-out-{id}.{extension}\""
    ))
    .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, media_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

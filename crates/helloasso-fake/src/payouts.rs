//! The detail of a cash-out (a weekly transfer of the money collected to the
//! organization's bank account): one row per payment it transferred, as
//! JSON, CSV or a workbook by `Accept`.
//!
//! Sources: the upstream spec declares the three media types and the row
//! model (`CashoutExportRowModel`: its fields, in this order, with `credit`
//! and `debit` as decimal numbers); an independent client checked against
//! the live API reports that `Accept` picks the format and that the CSV
//! starts with a byte-order mark. Our assumptions: JSON when `Accept` names
//! none of the three (the spec lists it first), amounts in euros (the
//! spec's decimal type), a comma as the separator.

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

/// The header row of a cash-out export: the spec's row model, in its order.
pub const CASH_OUT_HEADER: &[&str] = &[
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
    "cashOutDate",
    "cashOutId",
    "designation",
    "payerCompany",
    "payerLastName",
    "payerFirstName",
    "payerEmail",
    "payerSiren",
];

/// The byte-order mark the CSV starts with.
const BOM: &[u8] = b"\xEF\xBB\xBF";

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
        } else if crate::instalments::has_instalments(ds, idx) {
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

/// Cents as euros (`1250` as `12.5`).
fn euros(cents: u32) -> f64 {
    f64::from(cents) / 100.0
}

/// The export as JSON: the row model's fields, unset ones absent.
fn json(cash_out: i64, rows: &[CashOutRow]) -> Vec<u8> {
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "campaignType": r.campaign_type,
                "campaignName": r.campaign_name,
                "operationType": r.operation,
                "credit": euros(r.credit_cents),
                "debit": 0.0,
                "orderId": r.order_id,
                "paymentId": r.payment_id,
                "paymentDate": format_paris(r.payment_date),
                "paymentMethod": r.method,
                "paymentStatus": r.status,
                "cashOutDate": format_paris(r.cash_out_date),
                "cashOutId": cash_out,
                "designation": r.designation,
                "payerLastName": r.payer_last_name,
                "payerFirstName": r.payer_first_name,
                "payerEmail": r.payer_email,
            })
        })
        .collect();
    serde_json::to_vec(&rows).unwrap_or_default()
}

/// The export as CSV: a byte-order mark, then the spec's columns; amounts
/// in euros, dates as in the JSON answers.
fn csv(cash_out: i64, rows: &[CashOutRow]) -> Result<Vec<u8>, ApiError> {
    let fail = |e: csv::Error| ApiError::Internal(format!("The export could not be written: {e}"));
    let mut out = csv::Writer::from_writer(BOM.to_vec());
    out.write_record(CASH_OUT_HEADER).map_err(fail)?;
    for r in rows {
        out.write_record([
            r.campaign_type,
            r.campaign_name,
            r.operation,
            &euros(r.credit_cents).to_string(),
            "0",
            &r.order_id.to_string(),
            &r.payment_id.to_string(),
            &format_paris(r.payment_date),
            r.method,
            r.status,
            &format_paris(r.cash_out_date),
            cash_out.to_string().as_str(),
            &r.designation,
            "",
            r.payer_last_name,
            r.payer_first_name,
            &r.payer_email,
            "",
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
            ws.write_string(r, 0, row.campaign_type)?;
            ws.write_string(r, 1, row.campaign_name)?;
            ws.write_string(r, 2, row.operation)?;
            ws.write_number_with_format(r, 3, euros(row.credit_cents), &f.euros)?;
            ws.write_number_with_format(r, 4, 0.0, &f.euros)?;
            ws.write_number(r, 5, row.order_id as f64)?;
            ws.write_number(r, 6, row.payment_id as f64)?;
            ws.write_datetime_with_format(r, 7, &excel_paris(row.payment_date)?, &f.dates)?;
            ws.write_string(r, 8, row.method)?;
            ws.write_string(r, 9, row.status)?;
            ws.write_datetime_with_format(r, 10, &excel_paris(row.cash_out_date)?, &f.dates)?;
            ws.write_number(r, 11, cash_out as f64)?;
            ws.write_string(r, 12, &row.designation)?;
            ws.write_string(r, 14, row.payer_last_name)?;
            ws.write_string(r, 15, row.payer_first_name)?;
            ws.write_string(r, 16, &row.payer_email)?;
        }
        Ok(())
    })
}

/// The export's formats.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
    Xlsx,
}

/// The format `Accept` asks for: the first of the three it names, JSON when
/// it names none.
fn negotiate(headers: &HeaderMap) -> Format {
    let accept = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|m| {
            m.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    for media in accept {
        match media.as_str() {
            "application/json" | "text/json" => return Format::Json,
            "text/csv" => return Format::Csv,
            m if m == XLSX_MIME => return Format::Xlsx,
            _ => {}
        }
    }
    Format::Json
}

/// `GET /v5/organizations/{organizationSlug}/cash-out/{cashOutId}/export`:
/// JSON, CSV or a workbook by `Accept`.
pub(crate) async fn export_cash_out(
    State(st): State<Arc<AppState>>,
    Extension(scope): Extension<Scope>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    bump(&st.counters.requests.export_cash_out);
    let format = negotiate(&headers);
    let result = (|| {
        let Path((slug, id)) = path.map_err(path_error)?;
        let id: i64 = id.trim().parse().map_err(|_| {
            ApiError::invalid(format!("The value '{id}' is not valid for cashOutId."))
        })?;
        let ds = st.read();
        let org = org_access(&ds, &slug, scope)?;
        let rows = rows(&ds, org, id)?;
        let body = match format {
            Format::Xlsx => {
                xlsx(id, &rows).map_err(|e| ApiError::Internal(format!("spreadsheet: {e}")))?
            }
            Format::Csv => csv(id, &rows)?,
            Format::Json => json(id, &rows),
        };
        Ok::<_, ApiError>((body, id))
    })();
    let (body, id) = match result {
        Ok(answer) => answer,
        Err(e) => return e.into_response(),
    };
    let (media_type, extension) = match format {
        Format::Xlsx => (HeaderValue::from_static(XLSX_MIME), "xlsx"),
        Format::Csv => (HeaderValue::from_static("text/csv; charset=utf-8"), "csv"),
        Format::Json => {
            return (
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                body,
            )
                .into_response();
        }
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

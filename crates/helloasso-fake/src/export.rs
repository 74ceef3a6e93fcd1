//! Exports of an organization's payments: CSV (`Accept: text/csv`) and a
//! spreadsheet (`Accept:` the XLSX media type).
//!
//! Every matching payment (the listing's filters and sort apply, paging does
//! not) with a header row. In CSV, comma-separated UTF-8, amounts are in
//! cents and dates as in the JSON; the body is streamed in chunks: the
//! dataset lock is taken per chunk and the position kept as a cursor, so a
//! million rows never sit in memory and never block writers for long. The
//! spreadsheet has the same columns with typed cells (dates in Paris time,
//! amounts in euros with a euro format) and is built whole, which caps it at
//! [`MAX_XLSX_ROWS`].

use crate::access::{ListingQuery, org_access};
use crate::dataset::Dataset;
use crate::errors::ApiError;
use crate::pagination::{Cursor, Filter};
use crate::query::Query;
use crate::state::AppState;
use crate::time::{Ticks, format_paris, paris_offset_secs};
use crate::tokens::Scope;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The header row.
pub const CSV_HEADER: &[&str] = &[
    "paymentId",
    "orderId",
    "date",
    "updatedAt",
    "amount",
    "amountTip",
    "refundedAmount",
    "state",
    "paymentMeans",
    "cashOutState",
    "formType",
    "formSlug",
    "formName",
    "payerFirstName",
    "payerLastName",
    "payerEmail",
];

const ROWS_PER_CHUNK: usize = 2_000;
const SCAN_PER_CHUNK: usize = 50_000;

struct ExportState {
    st: Arc<AppState>,
    filter: Filter,
    cursor: Option<Cursor>,
    header_sent: bool,
    done: bool,
}

fn write_row(
    ds: &Dataset,
    idx: u32,
    w: &mut csv::Writer<Vec<u8>>,
    email: &mut String,
) -> csv::Result<()> {
    let p = &ds.payments[idx as usize];
    let form = &ds.forms[p.form as usize];
    let (first, last) = ds.payer_names(p.payer);
    ds.payer_email(p.payer, email);
    w.write_record([
        ds.payment_id(idx).to_string().as_str(),
        crate::render::order_id(ds, idx).to_string().as_str(),
        &format_paris(p.date),
        &format_paris(p.updated),
        &p.amount.to_string(),
        &p.tip.to_string(),
        &p.refunded.to_string(),
        p.state.as_str(),
        p.means.as_str(),
        p.cash_out.map_or("", |c| c.as_str()),
        form.form_type.as_str(),
        &form.slug,
        &form.name,
        first,
        last,
        email,
    ])
}

fn next_chunk(s: &mut ExportState) -> Option<Bytes> {
    if s.done {
        return None;
    }
    let mut w = csv::WriterBuilder::new().from_writer(Vec::with_capacity(256 * 1024));
    if !s.header_sent {
        s.header_sent = true;
        let _ = w.write_record(CSV_HEADER);
    }
    let ds = s.st.read();
    let range = s.filter.range(&ds);
    let rest = match s.cursor {
        Some(c) => s.filter.after(&ds, range, c),
        None => range,
    };
    let mut rows = 0;
    let mut last = None;
    let mut email = String::with_capacity(64);
    for (scanned, i) in s.filter.ordered(rest).enumerate() {
        if scanned >= SCAN_PER_CHUNK || rows >= ROWS_PER_CHUNK {
            break;
        }
        last = Some(i);
        if s.filter.matches(&ds, i) {
            rows += 1;
            let _ = write_row(&ds, i, &mut w, &mut email);
        }
    }
    match last {
        Some(i) => s.cursor = Some(Cursor::after(&ds, &s.filter, i)),
        None => s.done = true,
    }
    drop(ds);
    let bytes = w.into_inner().unwrap_or_default();
    Some(Bytes::from(bytes))
}

/// Answers the CSV export.
pub(crate) fn export_csv(
    st: Arc<AppState>,
    scope: Scope,
    slug: &str,
    raw: Option<&str>,
) -> Response {
    let q = Query::parse(raw);
    let prepared = (|| {
        let lq = ListingQuery::parse(&q, "userSearchKey")?;
        let ds = st.read();
        let org = org_access(&ds, slug, scope)?;
        Ok::<_, ApiError>(lq.filter(&ds, org))
    })();
    let filter = match prepared {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let state = ExportState {
        st,
        filter,
        cursor: None,
        header_sent: false,
        done: false,
    };
    let stream = futures::stream::unfold(state, |mut s| async move {
        let chunk = next_chunk(&mut s)?;
        Some((Ok::<_, std::io::Error>(chunk), s))
    });
    let mut resp = Body::from_stream(stream).into_response();
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"payments.csv\""),
    );
    resp
}

/// The XLSX media type.
pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The most rows a spreadsheet export holds: it is built in memory.
pub const MAX_XLSX_ROWS: usize = 200_000;

/// Answers the spreadsheet export.
pub(crate) fn export_xlsx(
    st: Arc<AppState>,
    scope: Scope,
    slug: &str,
    raw: Option<&str>,
) -> Response {
    let q = Query::parse(raw);
    let built = (|| {
        let lq = ListingQuery::parse(&q, "userSearchKey")?;
        let ds = st.read();
        let org = org_access(&ds, slug, scope)?;
        let filter = lq.filter(&ds, org);
        let range = filter.range(&ds);
        let rows: Vec<u32> = filter
            .ordered(range)
            .filter(|&i| filter.matches(&ds, i))
            .take(MAX_XLSX_ROWS + 1)
            .collect();
        if rows.len() > MAX_XLSX_ROWS {
            return Err(ApiError::BadRequest {
                code: "ExportTooLarge",
                message: format!(
                    "The spreadsheet export holds at most {MAX_XLSX_ROWS} payments: narrow the dates or use text/csv."
                ),
            });
        }
        workbook(&ds, &rows).map_err(|e| ApiError::Internal(format!("spreadsheet: {e}")))
    })();
    let bytes = match built {
        Ok(bytes) => bytes,
        Err(e) => return e.into_response(),
    };
    let mut resp = Body::from(bytes).into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(XLSX_MIME));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"payments.xlsx\""),
    );
    resp
}

/// Ticks as an Excel date-time in Paris time.
pub(crate) fn excel_paris(
    ticks: Ticks,
) -> Result<rust_xlsxwriter::ExcelDateTime, rust_xlsxwriter::XlsxError> {
    use chrono::{Datelike, Timelike};
    let local = ticks + i64::from(paris_offset_secs(ticks)) * crate::time::TICKS_PER_SEC;
    let secs = local.div_euclid(crate::time::TICKS_PER_SEC);
    let naive = chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.naive_utc())
        .unwrap_or_default();
    let year = u16::try_from(naive.year().clamp(1900, 9999)).unwrap_or(1900);
    rust_xlsxwriter::ExcelDateTime::from_ymd(year, naive.month() as u8, naive.day() as u8)?.and_hms(
        naive.hour() as u16,
        naive.minute() as u8,
        naive.second(),
    )
}

/// The cell formats a spreadsheet's rows are written with.
pub(crate) struct SheetFormats {
    /// Amounts in euros.
    pub euros: rust_xlsxwriter::Format,
    /// Paris date-times.
    pub dates: rust_xlsxwriter::Format,
}

/// A workbook of one sheet `name`: a bold header row `header`, frozen and
/// with a filter over it and the `rows` rows below, which `fill` writes
/// from row 1 on.
pub(crate) fn spreadsheet(
    name: &str,
    header: &[&str],
    rows: usize,
    fill: impl FnOnce(
        &mut rust_xlsxwriter::Worksheet,
        &SheetFormats,
    ) -> Result<(), rust_xlsxwriter::XlsxError>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(name)?;
    let bold = Format::new().set_bold();
    let formats = SheetFormats {
        euros: Format::new().set_num_format("#,##0.00\\ \"€\""),
        dates: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
    };
    for (c, title) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *title, &bold)?;
    }
    fill(ws, &formats)?;
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows as u32, (header.len() - 1) as u16)?;
    book.save_to_buffer()
}

fn workbook(ds: &Dataset, rows: &[u32]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    spreadsheet("Payments", CSV_HEADER, rows.len(), |ws, f| {
        let mut email = String::with_capacity(64);
        for (r, &idx) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            let p = &ds.payments[idx as usize];
            let form = &ds.forms[p.form as usize];
            let (first, last) = ds.payer_names(p.payer);
            ds.payer_email(p.payer, &mut email);
            ws.write_number(r, 0, ds.payment_id(idx) as f64)?;
            ws.write_number(r, 1, crate::render::order_id(ds, idx) as f64)?;
            ws.write_datetime_with_format(r, 2, &excel_paris(p.date)?, &f.dates)?;
            ws.write_datetime_with_format(r, 3, &excel_paris(p.updated)?, &f.dates)?;
            ws.write_number_with_format(r, 4, f64::from(p.amount) / 100.0, &f.euros)?;
            ws.write_number_with_format(r, 5, f64::from(p.tip) / 100.0, &f.euros)?;
            ws.write_number_with_format(r, 6, f64::from(p.refunded) / 100.0, &f.euros)?;
            ws.write_string(r, 7, p.state.as_str())?;
            ws.write_string(r, 8, p.means.as_str())?;
            ws.write_string(r, 9, p.cash_out.map_or("", |c| c.as_str()))?;
            ws.write_string(r, 10, form.form_type.as_str())?;
            ws.write_string(r, 11, &form.slug)?;
            ws.write_string(r, 12, &form.name)?;
            ws.write_string(r, 13, first)?;
            ws.write_string(r, 14, last)?;
            ws.write_string(r, 15, &email)?;
        }
        Ok(())
    })
}

//! CSV export of an organization's payments (`Accept: text/csv`).
//!
//! Every matching payment (the listing's filters and sort apply, paging does
//! not) as comma-separated UTF-8 with a header row. Amounts are in cents,
//! dates as in the JSON. The body is streamed in chunks: the dataset lock is
//! taken per chunk and the position kept as a cursor, so a million rows never
//! sit in memory and never block writers for long.

use crate::dataset::Dataset;
use crate::errors::ApiError;
use crate::oauth::Scope;
use crate::pagination::{Cursor, Filter};
use crate::payments::{ListingQuery, org_access};
use crate::query::Query;
use crate::state::AppState;
use crate::time::format_paris;
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

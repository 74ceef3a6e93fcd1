//! CSV and XLSX exports of an organization's payments, streamed from
//! HelloAsso's own export (the payments listing answers by `Accept`).

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use futures::StreamExt;
use helloasso_raw::{ClientInfo, Request, ResponseValue, types};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::error_mapping::RawError;
use crate::error_mapping::{media_type, transport};
use crate::http_response::{ByteStream, Response};
use crate::payments::{FilterTarget, PaymentFilters};
use crate::transport::send_request;

/// How long an export's body may go without a byte before it is abandoned,
/// unless [`ExportPayments::idle_timeout`] says otherwise.
pub const DEFAULT_EXPORT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The file format of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExportFormat {
    /// Comma-separated values, UTF-8, with a header row.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

impl ExportFormat {
    /// The media type sent in `Accept`.
    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }
}

/// Why an export failed: HelloAsso (or the way to it), or the writer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The request failed, or the download was cut short.
    #[error(transparent)]
    Api(#[from] Error),
    /// Writing to the destination failed.
    #[error("could not write the export: {0}")]
    Write(#[source] std::io::Error),
}

/// An export of an organization's payments; see
/// [`ListPayments::export`](crate::ListPayments::export).
///
/// ```no_run
/// # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::ExportError> {
/// use helloasso_sdk::ExportFormat;
/// use helloasso_sdk::types::PaymentState;
///
/// let mut file = tokio::fs::File::create("payments.csv").await.map_err(helloasso_sdk::ExportError::Write)?;
/// let bytes = client
///     .payments("my-association")
///     .list()
///     .states([PaymentState::Authorized])
///     .export(ExportFormat::Csv)
///     .write_to(&mut file)
///     .await?;
/// println!("{bytes} bytes written");
/// # Ok(()) }
/// ```
#[must_use = "an export does nothing until written"]
pub struct ExportPayments {
    client: Client,
    organization_slug: Result<String>,
    filters: PaymentFilters,
    format: ExportFormat,
    idle_timeout: Duration,
}

impl ExportPayments {
    pub(crate) fn new(
        client: Client,
        organization_slug: Result<String>,
        filters: PaymentFilters,
        format: ExportFormat,
    ) -> Self {
        Self {
            client,
            organization_slug,
            filters,
            format,
            idle_timeout: DEFAULT_EXPORT_IDLE_TIMEOUT,
        }
    }

    /// How long the download may wait for its next bytes before giving up
    /// (default [`DEFAULT_EXPORT_IDLE_TIMEOUT`]). An export has no total time
    /// limit: a large one streams for as long as bytes keep coming. The
    /// client's [`timeout`](crate::ClientBuilder::timeout) bounds the wait
    /// for the answer's headers only.
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.idle_timeout = idle;
        self
    }

    /// Downloads the export into `writer`, chunk by chunk as it arrives, and
    /// returns the number of bytes written. The request is retried like any
    /// read until the first byte; after that, a failure ends the export (the
    /// writer then holds a partial file).
    pub async fn write_to<W>(self, writer: &mut W) -> Result<u64, ExportError>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let slug = self.organization_slug?;
        self.filters.check_listing()?;
        let (filters, format, idle) = (self.filters, self.format, self.idle_timeout);
        let response = self
            .client
            .execute_stream(|raw| ExportRequest {
                raw,
                slug,
                filters,
                format,
            })
            .await?;
        check_content_type(&response, format)?;
        copy_body(response.into_body(), idle, writer).await
    }
}

/// Copies a streamed body into `writer` chunk by chunk, giving up after
/// `idle` without a byte, then flushes; returns the number of bytes written.
pub(crate) async fn copy_body<W>(
    mut body: ByteStream,
    idle: Duration,
    writer: &mut W,
) -> Result<u64, ExportError>
where
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut written: u64 = 0;
    loop {
        let Some(chunk) = tokio::time::timeout(idle, body.next())
            .await
            .map_err(|_| stalled(idle))?
        else {
            break;
        };
        let chunk = chunk.map_err(transport)?;
        writer.write_all(&chunk).await.map_err(ExportError::Write)?;
        written += chunk.len() as u64;
    }
    writer.flush().await.map_err(ExportError::Write)?;
    Ok(written)
}

/// The error for a download that stopped sending bytes.
fn stalled(idle: Duration) -> Error {
    Error::Transport {
        message: format!("the export stalled: no data for {} ms", idle.as_millis()),
        may_have_reached_server: true,
        timed_out: true,
        source: None,
    }
}

impl fmt::Debug for ExportPayments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportPayments")
            .field("organization_slug", &self.organization_slug)
            .field("filters", &self.filters)
            .field("format", &self.format)
            .field("idle_timeout", &self.idle_timeout)
            .finish_non_exhaustive()
    }
}

/// The listing request with the export's `Accept` (the generated builder
/// only asks for JSON), as a request the attempt loop can send.
#[derive(Clone, Debug)]
struct ExportRequest<'a> {
    raw: &'a helloasso_raw::Client,
    slug: String,
    filters: PaymentFilters,
    format: ExportFormat,
}

impl Request for ExportRequest<'_> {
    type Output = helloasso_raw::ByteStream;
    type On<'b> = ExportRequest<'b>;
    const OPERATION_ID: &'static str = "export_organization_payments";
    const METHOD: reqwest::Method = reqwest::Method::GET;
    const REPLAYABLE: bool = true;

    fn on<'b>(self, raw: &'b helloasso_raw::Client) -> ExportRequest<'b> {
        ExportRequest {
            raw,
            slug: self.slug,
            filters: self.filters,
            format: self.format,
        }
    }

    async fn send(self) -> std::result::Result<ResponseValue<helloasso_raw::ByteStream>, RawError> {
        let request = export_request(self.raw, &self.slug, &self.filters, self.format);
        send_request(self.raw, Self::OPERATION_ID, request)
            .await
            .map(ResponseValue::stream)
    }
}

fn export_request(
    raw: &helloasso_raw::Client,
    slug: &str,
    filters: &PaymentFilters,
    format: ExportFormat,
) -> reqwest::RequestBuilder {
    let url = format!(
        "{}/v5/organizations/{}/payments",
        raw.baseurl(),
        progenitor_client::encode_path(slug)
    );
    let query = filters.apply(ExportQuery::default()).0;
    raw.client()
        .get(url)
        .header(ACCEPT, HeaderValue::from_static(format.media_type()))
        .query(&query)
}

/// A JSON answer means the server ignored `Accept`: better an error than a
/// JSON page saved as `payments.csv`.
fn check_content_type<T>(response: &Response<T>, format: ExportFormat) -> Result<()> {
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = media_type(content_type);
    if essence.contains("json") || essence.contains("html") {
        return Err(Error::Decode {
            status: Some(response.status()),
            content_type: Some(content_type.to_owned()),
            path: None,
            message: format!(
                "expected an export as `{}`, got `{content_type}`",
                format.media_type()
            ),
            excerpt: "(body not read)".to_owned(),
        });
    }
    Ok(())
}

/// The export's query string, set by [`PaymentFilters::apply`] like the
/// generated listing builders.
#[derive(Default)]
struct ExportQuery(Vec<(&'static str, String)>);

impl ExportQuery {
    fn with(mut self, name: &'static str, value: String) -> Self {
        self.0.push((name, value));
        self
    }
}

impl FilterTarget for ExportQuery {
    fn set_states(self, states: Vec<types::PaymentState>) -> Self {
        states
            .iter()
            .fold(self, |q, state| q.with("states", state.as_str().to_owned()))
    }
    fn set_from(self, from: DateTime<FixedOffset>) -> Self {
        self.with("from", from.to_rfc3339())
    }
    fn set_to(self, to: DateTime<FixedOffset>) -> Self {
        self.with("to", to.to_rfc3339())
    }
    fn set_sort(self, field: types::SortField, order: types::SortOrder) -> Self {
        self.with("sortField", field.as_str().to_owned())
            .with("sortOrder", order.as_str().to_owned())
    }
    /// An export is one file: it has no pages.
    fn set_page_size(self, _size: u32) -> Self {
        self
    }
    fn set_search_key(self, key: String) -> Self {
        self.with("userSearchKey", key)
    }
}

//! Payouts: the detail of one cash-out (a transfer of the money collected to
//! the organization's bank account) as a CSV or XLSX file, streamed into
//! any `AsyncWrite`.

use std::time::Duration;

use helloasso_raw::{ClientInfo, Request, ResponseValue};
use reqwest::header::{ACCEPT, HeaderValue};
use tokio::io::AsyncWrite;

use crate::client::Client;
use crate::error_mapping::RawError;
use crate::export::{DEFAULT_EXPORT_IDLE_TIMEOUT, ExportError, ExportFormat, copy_body};
use crate::transport::send_request;

impl Client {
    /// One cash-out of an organization, to export; see [`PayoutExport`].
    pub fn payout(&self, organization_slug: impl Into<String>, cash_out_id: i64) -> PayoutExport {
        PayoutExport {
            client: self.clone(),
            organization_slug: organization_slug.into(),
            cash_out_id,
            idle_timeout: DEFAULT_EXPORT_IDLE_TIMEOUT,
        }
    }
}

/// The export of one cash-out's detail
/// (`GET /v5/organizations/{slug}/cash-out/{id}/export`).
///
/// ```no_run
/// # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::ExportError> {
/// use helloasso_sdk::ExportFormat;
///
/// let mut file = tokio::fs::File::create("cash-out.csv").await.map_err(helloasso_sdk::ExportError::Write)?;
/// let bytes = client
///     .payout("my-association", 3_000_001)
///     .write_to(ExportFormat::Csv, &mut file)
///     .await?;
/// println!("{bytes} bytes written");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "an export does nothing until written"]
pub struct PayoutExport {
    client: Client,
    organization_slug: String,
    cash_out_id: i64,
    idle_timeout: Duration,
}

impl PayoutExport {
    /// How long the download may wait for its next bytes before giving up.
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.idle_timeout = idle;
        self
    }

    /// Downloads the file into `writer` as it arrives and returns the number
    /// of bytes written. Retried like any read until the first byte; after
    /// that a failure ends the export (the writer holds a partial file).
    pub async fn write_to<W>(self, format: ExportFormat, writer: &mut W) -> Result<u64, ExportError>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let (slug, id, idle) = (self.organization_slug, self.cash_out_id, self.idle_timeout);
        let response = self
            .client
            .execute_stream(|raw| PayoutRequest {
                raw,
                slug,
                id,
                format,
            })
            .await?;
        copy_body(response.into_body(), idle, writer).await
    }
}

/// The generated export request with the `Accept` of the chosen format
/// (progenitor sets none for a file answer).
#[derive(Clone, Debug)]
struct PayoutRequest<'a> {
    raw: &'a helloasso_raw::Client,
    slug: String,
    id: i64,
    format: ExportFormat,
}

impl Request for PayoutRequest<'_> {
    type Output = helloasso_raw::ByteStream;
    type On<'b> = PayoutRequest<'b>;
    const OPERATION_ID: &'static str = "export_cash_out";
    const METHOD: reqwest::Method = reqwest::Method::GET;
    const REPLAYABLE: bool = true;

    fn on<'b>(self, raw: &'b helloasso_raw::Client) -> PayoutRequest<'b> {
        PayoutRequest {
            raw,
            slug: self.slug,
            id: self.id,
            format: self.format,
        }
    }

    async fn send(self) -> std::result::Result<ResponseValue<helloasso_raw::ByteStream>, RawError> {
        let url = format!(
            "{}/v5/organizations/{}/cash-out/{}/export",
            self.raw.baseurl(),
            progenitor_client::encode_path(&self.slug),
            self.id
        );
        let request = self
            .raw
            .client()
            .get(url)
            .header(ACCEPT, HeaderValue::from_static(self.format.media_type()));
        send_request(self.raw, Self::OPERATION_ID, request)
            .await
            .map(ResponseValue::stream)
    }
}

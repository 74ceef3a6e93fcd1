//! Payouts: the detail of one cash-out (a transfer of the money collected to
//! the organization's bank account) as a CSV or XLSX file, streamed into
//! any `AsyncWrite`, or as typed rows (HelloAsso's JSON answer).

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use helloasso_raw::types::{FormType, PaymentMeans};
use helloasso_raw::{ClientInfo, Request, ResponseValue};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, HeaderValue};
use serde::Deserialize;
use tokio::io::AsyncWrite;

use crate::client::Client;
use crate::error_mapping::{RawError, error_from_undecodable, json_path};
use crate::export::{DEFAULT_EXPORT_IDLE_TIMEOUT, ExportError, ExportFormat, copy_body};
use crate::transport::send_request;

/// The media type of the JSON answer (HelloAsso picks the format by `Accept`).
const JSON: &str = "application/json";

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
        self.download(format.media_type(), writer).await
    }

    /// The cash-out's rows, typed: HelloAsso's JSON answer (the spec's
    /// `CashoutExportRowModel`), one row per payment transferred.
    pub async fn rows(self) -> Result<Vec<PayoutRow>, ExportError> {
        let mut body = Vec::new();
        self.download(JSON, &mut body).await?;
        serde_json::from_slice(&body).map_err(|e| {
            ExportError::Api(error_from_undecodable(
                Some(StatusCode::OK),
                None,
                &body,
                e.to_string(),
                json_path::<Vec<PayoutRow>>,
            ))
        })
    }

    async fn download<W>(self, accept: &'static str, writer: &mut W) -> Result<u64, ExportError>
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
                accept,
            })
            .await?;
        copy_body(response.into_body(), idle, writer).await
    }
}

/// One payment a cash-out transferred, as HelloAsso's JSON export lists it.
/// `Debug` shows ids, amounts, dates and states, never the payer.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayoutRow {
    /// The cash-out's id.
    pub cash_out_id: Option<i64>,
    /// When the money was transferred.
    pub cash_out_date: Option<DateTime<FixedOffset>>,
    /// The kind of form the payment came through.
    pub campaign_type: Option<FormType>,
    /// The form's title.
    pub campaign_name: Option<String>,
    /// What the line is (`OneTimePayment`, `OneTimeDonation`, ...).
    pub operation_type: Option<String>,
    /// Money in, in euros (HelloAsso's decimal number, not cents).
    pub credit: Option<f64>,
    /// Money out, in euros.
    pub debit: Option<f64>,
    /// The order's id.
    pub order_id: Option<i64>,
    /// The payment's id.
    pub payment_id: Option<i64>,
    /// When the payment was made.
    pub payment_date: Option<DateTime<FixedOffset>>,
    /// How it was paid.
    pub payment_method: Option<PaymentMeans>,
    /// The payment's state as the export words it (`Paid`, `Refunded`, ...).
    pub payment_status: Option<String>,
    /// What was bought.
    pub designation: Option<String>,
    /// The paying company, if a company paid (personal data).
    pub payer_company: Option<String>,
    /// The payer's last name (personal data).
    pub payer_last_name: Option<String>,
    /// The payer's first name (personal data).
    pub payer_first_name: Option<String>,
    /// The payer's e-mail (personal data).
    pub payer_email: Option<String>,
    /// The paying company's SIREN number.
    pub payer_siren: Option<String>,
}

impl fmt::Debug for PayoutRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PayoutRow")
            .field("cash_out_id", &self.cash_out_id)
            .field("cash_out_date", &self.cash_out_date)
            .field("campaign_type", &self.campaign_type)
            .field("operation_type", &self.operation_type)
            .field("credit", &self.credit)
            .field("debit", &self.debit)
            .field("order_id", &self.order_id)
            .field("payment_id", &self.payment_id)
            .field("payment_date", &self.payment_date)
            .field("payment_method", &self.payment_method)
            .field("payment_status", &self.payment_status)
            .finish_non_exhaustive()
    }
}

/// The generated export request with the `Accept` of the chosen format
/// (progenitor sets none for a file answer).
#[derive(Clone, Debug)]
struct PayoutRequest<'a> {
    raw: &'a helloasso_raw::Client,
    slug: String,
    id: i64,
    accept: &'static str,
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
            accept: self.accept,
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
            .header(ACCEPT, HeaderValue::from_static(self.accept));
        send_request(self.raw, Self::OPERATION_ID, request)
            .await
            .map(ResponseValue::stream)
    }
}

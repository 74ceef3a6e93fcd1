//! A client for HelloAsso's API v5, the French payment platform for
//! associations.
//!
//! The [`Client`] does what every call needs: OAuth tokens (fetched lazily,
//! refreshed before expiry, fetched once however many tasks wait, saved in a
//! [`TokenStore`]), retries that never re-send a refund after an ambiguous
//! failure, one typed [`Error`], and a `tracing` span per HTTP call. Secrets
//! never appear in `Debug`, `Display`, errors or logs.
//!
//! ```no_run
//! # async fn demo() -> Result<(), helloasso_sdk::Error> {
//! use helloasso_sdk::{Client, Environment, FileTokenStore};
//!
//! let client = Client::builder()
//!     .environment(Environment::Sandbox)
//!     .credentials("my-client-id", "my-client-secret")
//!     .token_store(FileTokenStore::new("helloasso-tokens.json"))
//!     .build()?;
//!
//! // Any generated operation, with tokens, retries and typed errors.
//! let payment = client
//!     .execute(|raw| raw.get_payment().payment_id(123_456_789))
//!     .await?
//!     .into_body();
//! println!("{:?}", payment.state);
//! # Ok(()) }
//! ```
//!
//! Partners, who act for many organizations, send each organization's user
//! through [`Client::authorization_request`], exchange the code with
//! [`Client::exchange_code`], and then call the API with
//! [`Client::for_organization`].
//!
//! Models are the generated ones, re-exported in [`types`].
//!
//! On top of it, the API reads like HelloAsso's documentation:
//! - payments: [`Client::payments`] lists an organization's or a form's
//!   payments with typed filters, one page ([`ListPayments::send`]) or as
//!   streams of pages and items that follow HelloAsso's paging rules and can
//!   resume from a checkpoint ([`ListPayments::pages`], [`ListPayments::items`]);
//!   searches them; exports them as CSV or XLSX to any `AsyncWrite`
//!   ([`ListPayments::export`]); [`Client::payment`] gets or refunds one;
//! - refunds ([`RefundPayment`]) in [`Cents`], with HelloAsso's multi-factor
//!   checks as typed errors and an [`MfaProvider`] that supplies the proof;
//!   a refund whose answer is lost is never re-sent:
//!   [`RefundPayment::send_reconciled`] reads the payment back and reports a
//!   [`RefundOutcome`];
//! - checkout ([`Client::checkout`]): intents checked before sending, and
//!   read back with the caller's metadata type and the order once paid;
//! - [`webhooks`]: typed notifications and signature verification.

#![warn(missing_docs)]

mod auth;
mod client;
mod environment;
mod error;
mod http_response;
mod mfa;
mod response;
mod retry;
mod telemetry;
mod transport;

pub use auth::oauth::AuthorizationRequest;
pub use auth::pkce::PkceVerifier;
pub use auth::token::{Token, TokenKey};
pub use auth::token_store::{FileTokenStore, MemoryTokenStore, TokenStore};
pub use client::{Client, ClientBuilder, ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_ENVIRONMENT};
pub use environment::Environment;
pub use error::{ApiErrorItem, Error, Result};
pub use helloasso_raw::{Request, types};
pub use http_response::{ByteStream, Response};
pub use mfa::MfaProof;
pub use retry::{AsyncSleep, Idempotency, RetryPolicy, TokioSleep, outcome_unknown};
pub use secrecy::{ExposeSecret, SecretString};

mod checkout;
mod export;
mod mfa_provider;
mod money;
mod pagination;
mod payments;
mod refund;
pub mod webhooks;

pub use checkout::{
    Checkout, CheckoutIntent, CheckoutIntentBuilder, CreatedCheckout, MAX_ITEM_NAME_CHARS,
    MAX_METADATA_CHARS,
};
pub use export::{DEFAULT_EXPORT_IDLE_TIMEOUT, ExportError, ExportFormat, ExportPayments};
pub use mfa_provider::{FixedMfaCode, FnMfaProvider, MfaChallenge, MfaProvider, mfa_fn};
pub use money::{Cents, ParseCentsError};
pub use pagination::{ItemStream, MAX_STALLED_PAGES, Page, PageStream, Paging};
pub use payments::{
    GetPayment, ListPayments, MAX_PAGE_SIZE, PaymentFilters, PaymentHandle, Payments,
    SearchPayments,
};
pub use refund::{DEFAULT_MFA_ATTEMPTS, DEFAULT_RECONCILE_WAIT, RefundOutcome, RefundPayment};
pub use webhooks::{Notification, WebhookError};

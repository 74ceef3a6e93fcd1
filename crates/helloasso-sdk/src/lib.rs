//! HelloAsso API v5 facade.

pub mod auth;
mod client;
mod environment;
mod error;
mod mfa;
mod response;
pub mod retry;
mod telemetry;
mod transport;

pub use auth::oauth::AuthorizationRequest;
pub use auth::pkce::PkceVerifier;
pub use auth::token::{Token, TokenKey};
pub use auth::token_store::{FileTokenStore, MemoryTokenStore, TokenStore};
pub use client::{Client, ClientBuilder, ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_ENVIRONMENT};
pub use environment::Environment;
pub use error::{ApiErrorItem, Error, Result};
pub use helloasso_raw::ClientInfo;
pub use helloasso_raw::{ResponseValue, types};
pub use mfa::MfaProof;
pub use retry::{AsyncSleep, Idempotency, RetryPolicy, TokioSleep};
pub use secrecy::{ExposeSecret, SecretString};
pub use transport::{Operation, RawCall, send_request};

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
pub use export::{ExportError, ExportFormat, ExportPayments};
pub use mfa_provider::{FixedMfaCode, FnMfaProvider, MfaChallenge, MfaProvider, mfa_fn};
pub use money::Cents;
pub use pagination::{ItemStream, Page, PageStream, Paging};
pub use payments::{
    GetPayment, ListPayments, MAX_PAGE_SIZE, PaymentHandle, Payments, SearchPayments,
};
pub use refund::{DEFAULT_MFA_ATTEMPTS, RefundPayment};
pub use webhooks::{Notification, WebhookError};

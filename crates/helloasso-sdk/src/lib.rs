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
pub use helloasso_raw::{ResponseValue, types};
pub use mfa::MfaProof;
pub use retry::{AsyncSleep, Idempotency, RetryPolicy, TokioSleep};
pub use secrecy::{ExposeSecret, SecretString};
pub use transport::{Operation, RawCall};

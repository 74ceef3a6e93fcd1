//! A local HelloAsso-compatible server, for demos, tests and benchmarks.
//!
//! It speaks HelloAsso's API v5 as the normalized spec describes it: OAuth2
//! tokens at the host root (`/oauth2/token`, `/oauth2/disconnect`,
//! `/authorize`), and under `/v5` the payment listings (both paging styles,
//! every filter, sorting, CSV export), the older `payments/search`, payment
//! details, refunds (with MFA), checkout intents, the orders and items behind
//! the payments (with free orders, custom fields, options and instalments to
//! cancel), forms, organizations, cash-out exports and the partner routes. Data is generated from a
//! seed: the same seed and size give byte-identical responses. Faults
//! (latency, 429, 5xx, resets, truncated bodies) can be injected, webhooks
//! sent, and counters read. Fake-only routes live under `/_fake/` (see
//! [`admin`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let server = helloasso_fake::start(helloasso_fake::FakeConfig::default().payments(10_000)).await?;
//! println!("API at {}, client {}", server.api_url(), server.client_id());
//! server.shutdown().await;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod access;
pub mod admin;
mod cdn;
mod checkout;
mod config;
mod conn;
mod counters;
mod dataset;
mod deliveries;
mod delivery;
mod directory;
mod errors;
mod export;
mod faults;
mod figures;
mod forms;
mod info;
mod instalments;
mod listing;
mod listing_cache;
mod locks;
pub mod model;
mod oauth;
mod orders;
mod organization;
mod pagination;
mod partner_settings;
mod partners;
mod payments;
mod payouts;
mod privilege_guard;
mod privileges;
mod query;
mod refund;
mod renames;
mod render;
mod rendered;
mod rng;
mod server;
mod state;
mod throttle;
pub mod time;
mod tokens;
mod webhooks;

pub use checkout::PaidCheckout;
pub use config::{FakeConfig, MfaConfig, MfaMode, PayerSeed, WebhookConfig};
pub use config::{FaultConfig, FaultScope};
pub use counters::{CountersSnapshot, FaultCounts, RequestCounts, TokenCounts};
pub use deliveries::{SentNotification, WebhookDelivery};
pub use export::CSV_HEADER;
pub use figures::PaymentFigures;
pub use info::{FormInfo, Info};
pub use instalments::TakenInstalment;
pub use model::PaymentState;
pub use payouts::CASH_OUT_HEADER;
pub use privileges::Privilege;
pub use server::{FakeError, FakeServer, StartError, start};
pub use webhooks::signature as webhook_signature;

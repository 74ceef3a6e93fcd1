//! A client for HelloAsso's API v5, the French payment platform for
//! associations.
//!
//! List an organization's payments, page after page, with typed filters:
//!
//! ```no_run
//! # async fn demo() -> Result<(), helloasso_sdk::Error> {
//! use futures::TryStreamExt;
//! use helloasso_sdk::types::PaymentState;
//! use helloasso_sdk::{Client, Environment, FileTokenStore, PaymentFilters};
//!
//! let client = Client::builder()
//!     .environment(Environment::Sandbox)
//!     .credentials("my-client-id", "my-client-secret")
//!     .token_store(FileTokenStore::new("helloasso-tokens.json"))
//!     .build()?;
//!
//! let last_month = PaymentFilters::new()
//!     .states([PaymentState::Authorized])
//!     .from(chrono::Utc::now() - chrono::Duration::days(30))
//!     .page_size(100);
//! let mut payments = client.payments("my-association").list().filters(last_month).items();
//! while let Some(payment) = payments.try_next().await? {
//!     println!("{:?}: {:?} cents", payment.id, payment.amount);
//! }
//! # Ok(()) }
//! ```
//!
//! Refund part of a payment, with HelloAsso's second factor supplied by an
//! [`MfaProvider`] when HelloAsso asks for it. A refund whose answer is lost
//! is never re-sent: [`RefundPayment::send_reconciled`] reads the payment
//! back and says whether it happened ([`RefundOutcome`]).
//!
//! ```no_run
//! # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
//! use helloasso_sdk::{Cents, FixedMfaCode};
//!
//! let amount: Cents = "12,50".parse().expect("an amount in euros");
//! let refund = client
//!     .payment(123_456_789)
//!     .refund()
//!     .amount(amount)
//!     .mfa_provider(FixedMfaCode::new("123456"))
//!     .send()
//!     .await?;
//! println!("refund {:?} is {:?}", refund.id, refund.state);
//! # Ok(()) }
//! ```
//!
//! Collect a payment through HelloAsso's checkout, then read it back with
//! your own metadata type:
//!
//! ```no_run
//! # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
//! use helloasso_sdk::Cents;
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Basket { member: u32 }
//!
//! let created = client
//!     .checkout("my-association")
//!     .intent("Adhésion 2025", Cents::from_euros(30))
//!     .back_url("https://example.org/cart")
//!     .error_url("https://example.org/error")
//!     .return_url("https://example.org/thanks")
//!     .metadata(&Basket { member: 42 })
//!     .create()
//!     .await?;
//! println!("send the payer to {}", created.redirect_url);
//! let intent = client.checkout("my-association").get::<Basket>(created.id).await?;
//! println!("paid: {}", intent.is_paid());
//! # Ok(()) }
//! ```
//!
//! Receive HelloAsso's notifications: check the signature on the raw body,
//! then parse it ([`webhooks`]):
//!
//! ```
//! use helloasso_sdk::webhooks::{self, Notification};
//!
//! fn on_notification(body: &[u8], signature: &str, key: &[u8]) -> Result<(), helloasso_sdk::WebhookError> {
//!     webhooks::verify_signature(body, signature, key)?;
//!     if let Notification::Payment(payment) = Notification::parse(body)? {
//!         println!("payment {:?} is {:?}", payment.id, payment.state);
//!     }
//!     Ok(())
//! }
//! # let _ = on_notification;
//! ```
//!
//! Every call goes through the [`Client`]'s machinery: OAuth tokens (fetched
//! lazily, refreshed before expiry, fetched once however many tasks wait,
//! saved in a [`TokenStore`]), retries that never re-send a write after an
//! ambiguous failure, one typed [`Error`], and a `tracing` span per HTTP
//! call. Secrets and payers' personal data never appear in `Debug`,
//! `Display`, errors or logs.
//!
//! Partners, who act for many organizations, send each organization's user
//! through [`Client::authorization_request`], exchange the code with
//! [`Client::exchange_code`], and then call the API with
//! [`Client::for_organization`].
//!
//! Models are the generated ones, re-exported in [`types`]. Amounts are cents
//! ([`Cents`] for what you send). Ids stay `i64`, as HelloAsso sends them:
//! an id is only ever passed back to the call that takes it, so a newtype per
//! kind of id would add conversions without catching a real mistake.
//!
//! # Beyond payments
//!
//! The rest of HelloAsso's API, in its own words: [`orders`] (listings and
//! streams paged like payments, one order, the cancel of its future
//! instalments, sent once like a refund), [`items`] (a membership form's
//! members with their custom fields read by label through
//! [`CustomFields`]), [`forms`], the organization
//! ([`Client::organization_details`], [`Client::my_organizations`]),
//! [`payouts`] (a cash-out's detail streamed into any `AsyncWrite`) and
//! [`partners`] (the partner's organizations and notification URLs).
//!
//! Every listing is one [`Listing`] type with its own filters: the same
//! start ([`resume_from`](Listing::resume_from), [`page_index`](Listing::page_index)),
//! the same [`Page`], [`PageStream`] and [`ItemStream`], and one name for the
//! payer search, `search_key`; see [`listing`].
//!
//! # The escape hatch
//!
//! A generated operation the facade does not wrap yet runs through
//! [`Client::execute`], with the same tokens, retries and errors: pass a
//! closure that builds the request on the generated client.
//!
//! ```no_run
//! # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
//! let response = client
//!     .execute(|raw| raw.get_payment().payment_id(123_456_789))
//!     .await?;
//! println!("{} {:?}", response.status(), response.body().state);
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

// The areas a user reaches for, each a public module; the names used every
// day are also re-exported at the root below.
pub mod auth;
pub mod checkout;
pub mod follow_up;
pub mod forms;
pub mod items;
pub mod listing;
pub mod members;
pub mod orders;
pub mod partners;
pub mod payments;
pub mod payouts;
pub mod reconcile;
pub mod webhooks;

/// Refunds: the request, its outcome after an ambiguous failure, and
/// HelloAsso's second factor (multi-factor authentication) that guards it.
pub mod refunds {
    pub use crate::mfa::MfaProof;
    pub use crate::mfa_provider::{FixedMfaCode, FnMfaProvider, MfaChallenge, MfaProvider, mfa_fn};
    pub use crate::refund::{
        DEFAULT_MFA_ATTEMPTS, DEFAULT_RECONCILE_WAIT, RefundOutcome, RefundPayment, refunded_amount,
    };
    pub use crate::refund_refusal::{RefundReason, RefundRefusal};
}

mod attempt;
mod checkpoint;
mod client;
mod clock;
mod environment;
mod error;
mod error_mapping;
mod export;
mod http_response;
mod mfa;
mod mfa_provider;
mod organization;
mod pagination;
mod private;
mod privileges;
mod received;
mod redact;
mod refund;
mod refund_refusal;
mod retry;
mod roster;
mod telemetry;
mod transport;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;

// The client and what every call shares.
pub use checkpoint::{Checkpoint, ParseCheckpointError};
pub use client::{Client, ClientBuilder};
pub use clock::{Clock, SystemClock};
pub use environment::Environment;
pub use error::{ApiErrorItem, Error, Result};
pub use helloasso_raw::{Cents, ParseCentsError, Request, types};
pub use http_response::{ByteStream, Response};
pub use private::Private;
pub use privileges::Privileges;
pub use received::Received;
pub use retry::{AsyncSleep, Idempotency, RetryPolicy, TokioSleep, outcome_unknown};
pub use secrecy::{ExposeSecret, SecretString};
pub use transport::MAX_RESPONSE_BODY;

// Everyday names of each area.
pub use auth::{FileTokenStore, MemoryTokenStore, PkceVerifier, Token, TokenKey, TokenStore};
pub use checkout::{Checkout, CheckoutIntent, CheckoutIntentBuilder, CreatedCheckout};
pub use forms::{Forms, ListForms};
pub use items::{CustomFields, Items, ListItems};
pub use listing::{
    ItemStream, Listing, MAX_PAGE_SIZE, Page, PageStream, Paging, ReceivedItemStream,
};
pub use members::{Member, MemberForm, Membership, Roster, Validity, ValidityError};
pub use orders::{ListOrders, OrderHandle, Orders};
pub use partners::Partners;
pub use payments::{
    ExportError, ExportFormat, ExportPayments, GetPayment, ListPayments, PaymentFilters,
    PaymentHandle, Payments, SearchPayments,
};
pub use payouts::{PayoutExport, PayoutRow};
pub use refunds::{
    FixedMfaCode, FnMfaProvider, MfaChallenge, MfaProof, MfaProvider, RefundOutcome, RefundPayment,
    RefundReason, RefundRefusal, mfa_fn,
};
pub use roster::{MembersError, MembersQuery};
pub use webhooks::{Notification, WebhookError};

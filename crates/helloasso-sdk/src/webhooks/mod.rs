//! Webhook notifications: parse HelloAsso's `{eventType, data}` bodies and
//! verify partners' `x-ha-signature`.
//!
//! HelloAsso POSTs a JSON notification to the URL configured for the
//! organization (or the partner). Partners' notifications carry
//! `x-ha-signature`, the hex HMAC-SHA256 of the raw body with the partner's
//! signature key: verify it on the raw bytes, before parsing. Associations'
//! notifications are not signed (HelloAsso documents an IP allowlist).
//!
//! ```
//! use helloasso_sdk::webhooks::{self, Notification};
//!
//! fn handle(body: &[u8], signature: Option<&str>, key: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//!     webhooks::verify_signature(body, signature.unwrap_or(""), key)?;
//!     match Notification::parse(body)? {
//!         Notification::Payment(payment) => println!("payment {:?}: {:?}", payment.id, payment.state),
//!         Notification::Order(order) => println!("order {:?}", order.id),
//!         Notification::Form(form) => println!("form {:?} changed", form.form_slug),
//!         Notification::Organization(change) => println!("renamed to {:?}", change.new_slug),
//!         other => println!("ignoring a {} notification", other.event_type()),
//!     }
//!     Ok(())
//! }
//! # let _ = handle;
//! ```

//!
//! # The receiver (feature `axum`)
//!
//! [`Receiver`] does the rest: it verifies the signature where a key is
//! configured, confirms each notification by reading its object back from
//! the API where there is none ([`Confirmer`], which [`Client`](crate::Client)
//! implements), drops replays, and stores the notification durably
//! ([`NotificationStore`]) before answering 200. Integrators act on
//! [`Receiver::events`], a stream of trusted notifications, and acknowledge
//! each one.
//!
//! | what arrived | answer | stored |
//! |---|---|---|
//! | verified or confirmed, new | 200 `stored` | yes |
//! | a body stored before (replay, or HelloAsso trying again) | 200 `duplicate` | no (already) |
//! | an unknown `eventType` | 200 `unknown_event_type` | no |
//! | unsigned, and the API does not know its object | 200 `unconfirmed` | no |
//! | a known type whose `data` has another shape | 200 `unexpected_data` | no |
//! | not `{eventType, data}` JSON | 400 `malformed` | no |
//! | signature missing or wrong (a key is configured) | 401 `bad_signature` | no |
//! | larger than the limit | 413 `too_large` | no |
//! | API or store failing, or the deadline passed | 503 `transient` | no |
//!
//! A notification that can never be used is answered 200, so that
//! HelloAsso does not send it again and again; only a failure that may pass
//! is answered 503.
//!
//! ## Replays
//!
//! HelloAsso's signature covers the body only: no timestamp, no id. Anyone
//! who saw one signed body can post it again, and a signature check alone
//! accepts it. The receiver therefore keys every notification by the SHA-256
//! of its raw body and answers a key it has stored before `200 duplicate`
//! without storing or yielding it again; keep stored keys for as long as an
//! old body could be replayed. And where notifications are confirmed, what
//! is stored is the object as the API reads it *now*: a replayed
//! "authorized" body of a payment refunded since yields the refunded
//! payment, never a stale state.

mod confirm;
mod events;
mod notification;
#[cfg(feature = "axum")]
mod receiver;
mod signature;
mod store;

pub use confirm::{Confirmation, Confirmer, is_transient};
pub use events::event_stream;
pub use notification::{Notification, OrganizationChange, WebhookError, metadata};
#[cfg(feature = "axum")]
pub use receiver::{
    DEFAULT_DEADLINE, DEFAULT_MAX_BODY, DEFAULT_MAX_CONCURRENCY, Outcome, Receiver,
    ReceiverBuilder, ReceiverConfigError,
};
pub use signature::{SIGNATURE_HEADER, sign, verify_signature};
pub use store::{
    MemoryNotificationStore, NotificationStore, StoreError, StoredNotification, object_id,
    replay_key,
};

//! Where a receiver keeps the notifications it accepted, before it answers
//! 200: the [`NotificationStore`] trait, and [`MemoryNotificationStore`] for
//! tests and short-lived processes.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use sha2::{Digest, Sha256};

use super::{Notification, WebhookError};
use crate::received::Received;

/// A notification the receiver accepted: verified or confirmed, and typed.
///
/// Its `data` is what the receiver trusts: the object read back from the API
/// for an unsigned notification, or the signed body's `data`. It holds
/// payers' personal data, so `Debug` shows the key and kind only.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct StoredNotification {
    /// The replay key: lowercase hex SHA-256 of the raw body. A body seen
    /// before (a replay, or HelloAsso trying again) has the same key.
    pub key: String,
    /// `Payment`, `Order`, `Form` or `Organization`.
    pub event_type: String,
    /// The object's id (a payment's or an order's), the form's slug, or the
    /// organization's new slug.
    pub object_id: String,
    /// When the receiver accepted it.
    pub received_at: DateTime<Utc>,
    /// The trusted object, as JSON.
    pub data: serde_json::Value,
    /// The checkout metadata the notification carried at its top level.
    pub metadata: Option<serde_json::Value>,
}

impl StoredNotification {
    /// Builds the record of a trusted notification received from `body`.
    pub fn new(
        body: &[u8],
        notification: &Notification,
        metadata: Option<serde_json::Value>,
        received_at: DateTime<Utc>,
    ) -> Self {
        StoredNotification {
            key: replay_key(body),
            event_type: notification.event_type().to_owned(),
            object_id: object_id(notification),
            received_at,
            data: notification.data(),
            metadata,
        }
    }

    /// The record with `data` as HelloAsso sent it (a signed body's
    /// `data`, or the object read back, as received) rather than the typed
    /// object encoded back, which spells dates its own way. Text that is not
    /// JSON leaves `data` as it was.
    pub fn with_received_data(mut self, data: &Received) -> Self {
        if let Ok(value) = serde_json::from_str(data.get()) {
            self.data = value;
        }
        self
    }

    /// The trusted object, typed.
    pub fn notification(&self) -> Result<Notification, WebhookError> {
        let body = serde_json::json!({ "eventType": self.event_type, "data": self.data });
        // A JSON value always encodes.
        Notification::parse(&serde_json::to_vec(&body).unwrap_or_default())
    }
}

impl fmt::Debug for StoredNotification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredNotification")
            .field("key", &self.key)
            .field("event_type", &self.event_type)
            .field("object_id", &self.object_id)
            .field("received_at", &self.received_at)
            .finish_non_exhaustive()
    }
}

/// The replay key of a raw body: lowercase hex SHA-256.
pub fn replay_key(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// What identifies a notification's object, for logs and lookups.
pub fn object_id(notification: &Notification) -> String {
    match notification {
        Notification::Payment(p) => p.id.map(|i| i.to_string()).unwrap_or_default(),
        Notification::Order(o) => o.id.map(|i| i.to_string()).unwrap_or_default(),
        Notification::Form(f) => f.form_slug.clone().unwrap_or_default(),
        Notification::Organization(c) => c.new_slug.clone().unwrap_or_default(),
        Notification::Unknown { .. } => String::new(),
    }
}

/// A store that could not do what was asked; the receiver answers 503 so
/// that HelloAsso tries again.
#[derive(Debug, thiserror::Error)]
#[error("the notification store failed: {message}")]
pub struct StoreError {
    /// What failed.
    pub message: String,
}

impl StoreError {
    /// An error saying `message`.
    pub fn new(message: impl Into<String>) -> Self {
        StoreError {
            message: message.into(),
        }
    }
}

/// Durable storage for accepted notifications, with replay detection.
///
/// `insert` must be durable when it returns `Ok`: the receiver answers 200
/// only then, and HelloAsso does not send a notification again after a 200.
/// Handlers mark what they have acted on with `mark_handled`; what is not
/// marked comes back from `pending` (after a crash, for instance), so each
/// notification is acted on once when handlers are idempotent per key.
pub trait NotificationStore: Send + Sync {
    /// Whether a notification with this replay key was stored before.
    fn contains<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, StoreError>>;
    /// Stores `notification` unless its key is there already; `Ok(true)`
    /// when it was new.
    fn insert<'a>(
        &'a self,
        notification: &'a StoredNotification,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;
    /// Stored notifications not marked handled, oldest first.
    fn pending(&self) -> BoxFuture<'_, Result<Vec<StoredNotification>, StoreError>>;
    /// Marks a notification as acted on.
    fn mark_handled<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// Keeps notifications in memory, in arrival order: for tests, and for
/// processes that rebuild their state from the API when they start.
#[derive(Default)]
pub struct MemoryNotificationStore {
    inner: Mutex<Memory>,
}

#[derive(Default)]
struct Memory {
    order: Vec<String>,
    records: BTreeMap<String, (StoredNotification, bool)>,
}

impl MemoryNotificationStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<R>(&self, f: impl FnOnce(&mut Memory) -> R) -> R {
        // A panic elsewhere cannot leave the map half-updated: each change is
        // one insert.
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// Every stored notification, handled or not, in arrival order.
    pub fn all(&self) -> Vec<StoredNotification> {
        self.with(|m| {
            m.order
                .iter()
                .filter_map(|k| m.records.get(k).map(|(n, _)| n.clone()))
                .collect()
        })
    }
}

impl fmt::Debug for MemoryNotificationStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.with(|m| m.order.len());
        f.debug_struct("MemoryNotificationStore")
            .field("stored", &len)
            .finish()
    }
}

impl NotificationStore for MemoryNotificationStore {
    fn contains<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        let found = self.with(|m| m.records.contains_key(key));
        Box::pin(async move { Ok(found) })
    }

    fn insert<'a>(
        &'a self,
        notification: &'a StoredNotification,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        let new = self.with(|m| {
            if m.records.contains_key(&notification.key) {
                return false;
            }
            m.order.push(notification.key.clone());
            m.records
                .insert(notification.key.clone(), (notification.clone(), false));
            true
        });
        Box::pin(async move { Ok(new) })
    }

    fn pending(&self) -> BoxFuture<'_, Result<Vec<StoredNotification>, StoreError>> {
        let pending = self.with(|m| {
            m.order
                .iter()
                .filter_map(|k| m.records.get(k))
                .filter(|(_, handled)| !handled)
                .map(|(n, _)| n.clone())
                .collect()
        });
        Box::pin(async move { Ok(pending) })
    }

    fn mark_handled<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        self.with(|m| {
            if let Some((_, handled)) = m.records.get_mut(key) {
                *handled = true;
            }
        });
        Box::pin(async { Ok(()) })
    }
}

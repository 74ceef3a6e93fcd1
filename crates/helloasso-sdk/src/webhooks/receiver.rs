//! The receiver: an axum service that takes HelloAsso's notifications,
//! trusts only those it verified or confirmed, drops replays and stores
//! each one durably before answering 200.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::{Semaphore, watch};

use super::confirm::{Confirmation, Confirmer};
use super::events::event_stream;
use super::signature::{SIGNATURE_HEADER, verify_signature};
use super::store::{NotificationStore, StoreError, StoredNotification, replay_key};
use super::{Notification, WebhookError};
use crate::clock::{Clock, SystemClock};

/// The largest body accepted by default: HelloAsso's notifications are a
/// few kilobytes; an order of many items stays far below this.
pub const DEFAULT_MAX_BODY: usize = 256 * 1024;
/// Notifications processed at once by default; more wait for a slot.
pub const DEFAULT_MAX_CONCURRENCY: usize = 32;
/// By default every notification is answered within this delay (waiting
/// for a slot included). HelloAsso does not publish its own delay; this
/// is our assumption, kept well under common webhook timeouts.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(8);

/// What the receiver did with a notification; each maps to one HTTP answer
/// (see the table in [`crate::webhooks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Verified or confirmed, and stored: 200.
    Stored,
    /// Stored before (a replay, or HelloAsso trying again): 200, stored once.
    Duplicate,
    /// A well-formed notification of an event type this version does not
    /// know: 200, not stored.
    UnknownEventType,
    /// An unsigned notification whose object the API does not confirm: 200,
    /// not stored.
    Unconfirmed,
    /// A known event type whose `data` does not have the expected shape:
    /// 200, not stored (sending it again would not change it).
    UnexpectedData,
    /// Not a notification (not `{eventType, data}` JSON): 400.
    Malformed,
    /// The signature is missing, malformed or wrong: 401, not stored.
    BadSignature,
    /// The body is larger than allowed: 413, not read further.
    TooLarge,
    /// The API could not confirm it now, the store failed, or the deadline
    /// passed: 503, so that HelloAsso sends it again.
    Transient,
}

impl Outcome {
    /// The HTTP status answered.
    pub fn status(self) -> StatusCode {
        match self {
            Outcome::Stored
            | Outcome::Duplicate
            | Outcome::UnknownEventType
            | Outcome::Unconfirmed
            | Outcome::UnexpectedData => StatusCode::OK,
            Outcome::Malformed => StatusCode::BAD_REQUEST,
            Outcome::BadSignature => StatusCode::UNAUTHORIZED,
            Outcome::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Outcome::Transient => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The word the answer's body carries (`{"outcome": ...}`).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Stored => "stored",
            Outcome::Duplicate => "duplicate",
            Outcome::UnknownEventType => "unknown_event_type",
            Outcome::Unconfirmed => "unconfirmed",
            Outcome::UnexpectedData => "unexpected_data",
            Outcome::Malformed => "malformed",
            Outcome::BadSignature => "bad_signature",
            Outcome::TooLarge => "too_large",
            Outcome::Transient => "transient",
        }
    }
}

impl IntoResponse for Outcome {
    fn into_response(self) -> Response {
        let body = format!("{{\"outcome\":\"{}\"}}", self.as_str());
        (
            self.status(),
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    }
}

/// Why a receiver could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiverConfigError {
    /// Neither a signature key nor a confirmer: nothing could be trusted.
    #[error(
        "a receiver needs a signature key (partners) or a confirmer reading notifications back (associations)"
    )]
    NoTrust,
    /// An empty signature key proves nothing.
    #[error("the signature key is empty")]
    EmptyKey,
    /// A limit set to zero would refuse everything.
    #[error("{0} must be above zero")]
    Zero(&'static str),
}

/// Sets up a [`Receiver`]; see [`Receiver::builder`].
#[must_use = "build() makes the receiver"]
pub struct ReceiverBuilder {
    store: Arc<dyn NotificationStore>,
    key: Option<SecretString>,
    confirmer: Option<Arc<dyn Confirmer>>,
    max_body: usize,
    max_concurrency: usize,
    deadline: Duration,
    clock: Arc<dyn Clock>,
}

impl ReceiverBuilder {
    /// Verifies `x-ha-signature` with this key (partners). Unsigned or
    /// badly signed notifications are then answered 401.
    pub fn signature_key(mut self, key: impl Into<SecretString>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Confirms each notification by reading its object back (associations,
    /// which get no key; partners may add it too). A [`crate::Client`] is a
    /// confirmer.
    pub fn confirmer(mut self, confirmer: impl Confirmer + 'static) -> Self {
        self.confirmer = Some(Arc::new(confirmer));
        self
    }

    /// The largest body read ([`DEFAULT_MAX_BODY`]).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Notifications processed at once ([`DEFAULT_MAX_CONCURRENCY`]).
    pub fn max_concurrency(mut self, n: usize) -> Self {
        self.max_concurrency = n;
        self
    }

    /// The delay within which every notification is answered
    /// ([`DEFAULT_DEADLINE`]); past it, 503.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The clock stamping `received_at`.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Builds the receiver.
    pub fn build(self) -> Result<Receiver, ReceiverConfigError> {
        if let Some(key) = &self.key {
            if key.expose_secret().is_empty() {
                return Err(ReceiverConfigError::EmptyKey);
            }
        } else if self.confirmer.is_none() {
            return Err(ReceiverConfigError::NoTrust);
        }
        if self.max_body == 0 {
            return Err(ReceiverConfigError::Zero("the body limit"));
        }
        if self.max_concurrency == 0 {
            return Err(ReceiverConfigError::Zero("the concurrency"));
        }
        if self.deadline.is_zero() {
            return Err(ReceiverConfigError::Zero("the deadline"));
        }
        let (changes, _) = watch::channel(0);
        Ok(Receiver {
            inner: Arc::new(Inner {
                slots: Semaphore::new(self.max_concurrency),
                store: self.store,
                key: self.key,
                confirmer: self.confirmer,
                max_body: self.max_body,
                deadline: self.deadline,
                clock: self.clock,
                changes,
            }),
        })
    }
}

/// Receives HelloAsso's notifications over HTTP.
///
/// Serve [`Receiver::router`] (it answers `POST` on its root; nest it where
/// you like), and act on [`Receiver::events`]. Cloning is cheap and shares
/// the store, limits and event feed.
#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn NotificationStore>,
    key: Option<SecretString>,
    confirmer: Option<Arc<dyn Confirmer>>,
    max_body: usize,
    deadline: Duration,
    slots: Semaphore,
    clock: Arc<dyn Clock>,
    changes: watch::Sender<u64>,
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("signed", &self.inner.key.is_some())
            .field("confirms", &self.inner.confirmer.is_some())
            .field("max_body", &self.inner.max_body)
            .field("deadline", &self.inner.deadline)
            .finish_non_exhaustive()
    }
}

impl Receiver {
    /// A receiver storing into `store`; give it a signature key, a
    /// confirmer, or both.
    pub fn builder(store: Arc<dyn NotificationStore>) -> ReceiverBuilder {
        ReceiverBuilder {
            store,
            key: None,
            confirmer: None,
            max_body: DEFAULT_MAX_BODY,
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            deadline: DEFAULT_DEADLINE,
            clock: Arc::new(SystemClock),
        }
    }

    /// The axum service: `POST /` takes a notification.
    pub fn router(&self) -> axum::Router {
        axum::Router::new()
            .route("/", axum::routing::post(handle))
            .with_state(self.clone())
    }

    /// Stored notifications not yet handled, then each new one, typed and
    /// trusted. Call [`ack`](Self::ack) once one is acted on.
    pub fn events(
        &self,
    ) -> impl Stream<Item = Result<StoredNotification, StoreError>> + Send + 'static {
        event_stream(
            Arc::clone(&self.inner.store),
            self.inner.changes.subscribe(),
        )
    }

    /// Marks a notification as acted on: it is not yielded again.
    pub async fn ack(&self, key: &str) -> Result<(), StoreError> {
        self.inner.store.mark_handled(key).await
    }

    /// Processes one notification as the HTTP service does, within the
    /// deadline, and says what was done. `signature` is the
    /// `x-ha-signature` header, if any.
    pub async fn receive(&self, signature: Option<&str>, body: &[u8]) -> Outcome {
        let inner = &self.inner;
        let work = async {
            // Waiting for a slot counts against the deadline: a flood is
            // answered 503, never queued without bound.
            let Ok(_slot) = inner.slots.acquire().await else {
                return Outcome::Transient;
            };
            self.process(signature, body).await
        };
        tokio::time::timeout(inner.deadline, work)
            .await
            .unwrap_or(Outcome::Transient)
    }

    async fn process(&self, signature: Option<&str>, body: &[u8]) -> Outcome {
        let inner = &self.inner;
        if body.len() > inner.max_body {
            return Outcome::TooLarge;
        }
        if let Some(key) = &inner.key
            && verify_signature(
                body,
                signature.unwrap_or_default(),
                key.expose_secret().as_bytes(),
            )
            .is_err()
        {
            return Outcome::BadSignature;
        }
        let notification = match Notification::parse(body) {
            Ok(Notification::Unknown { .. }) => return Outcome::UnknownEventType,
            Ok(n) => n,
            Err(WebhookError::UnexpectedData { .. }) => return Outcome::UnexpectedData,
            Err(_) => return Outcome::Malformed,
        };
        let key = replay_key(body);
        match inner.store.contains(&key).await {
            Ok(true) => return Outcome::Duplicate,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, "notification store failed");
                return Outcome::Transient;
            }
        }
        // What is stored is HelloAsso's text: the signed body's `data`, or
        // the object read back as the API sent it.
        let (trusted, received) = match &inner.confirmer {
            None => (notification, super::notification::data_received(body)),
            Some(confirmer) => match confirmer.confirm_received(&notification).await {
                (Confirmation::Confirmed(current), received) => (current, received),
                (Confirmation::Unconfirmed(why), _) => {
                    tracing::info!(
                        event_type = notification.event_type(),
                        reason = %why,
                        "notification not confirmed by the API; dropped"
                    );
                    return Outcome::Unconfirmed;
                }
                (Confirmation::Transient(why), _) => {
                    tracing::warn!(reason = %why, "could not confirm a notification now");
                    return Outcome::Transient;
                }
            },
        };
        let metadata = super::metadata::<serde_json::Value>(body).unwrap_or_default();
        let mut record = StoredNotification::new(body, &trusted, metadata, inner.clock.now());
        if let Some(received) = &received {
            record = record.with_received_data(received);
        }
        match inner.store.insert(&record).await {
            Ok(true) => {
                inner.changes.send_modify(|n| *n = n.wrapping_add(1));
                Outcome::Stored
            }
            Ok(false) => Outcome::Duplicate,
            Err(e) => {
                tracing::warn!(error = %e, "notification store failed");
                Outcome::Transient
            }
        }
    }
}

async fn handle(State(receiver): State<Receiver>, headers: HeaderMap, body: Body) -> Response {
    let limit = receiver.inner.max_body;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Outcome::TooLarge.into_response();
    }
    let body: Bytes = match tokio::time::timeout(
        receiver.inner.deadline,
        axum::body::to_bytes(body, limit),
    )
    .await
    {
        Ok(Ok(bytes)) => bytes,
        // Past the limit (a chunked body announcing no length) or cut short.
        Ok(Err(_)) => return Outcome::TooLarge.into_response(),
        Err(_) => return Outcome::Transient.into_response(),
    };
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    receiver.receive(signature, &body).await.into_response()
}

//! The per-call context the generated client carries: what one call
//! carries in (the bearer, a body limit) and what it observed on the way out
//! (status and headers). The hooks that use it are in [`crate::hooks`].

use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};

/// What one call carries in, and what it observed on the way out.
/// Clones share the observation slot, so a clone handed to the generated
/// client reports back to the facade's copy.
#[derive(Clone, Default)]
pub struct CallContext {
    pub(crate) authorization: Option<HeaderValue>,
    observed: Arc<Mutex<Option<Observed>>>,
    /// The most bytes a success answer's body may have (`None`: no cap,
    /// for a streamed export).
    pub(crate) body_limit: Option<usize>,
    /// Where a success answer's body is kept as it is read, when asked
    /// ([`CallContext::keeping_body`]): its chunks, shared, not copied.
    pub(crate) kept: Option<Arc<Mutex<Vec<bytes::Bytes>>>>,
}

/// Status and headers of the last response a [`CallContext`] saw.
#[derive(Clone, Debug)]
pub struct Observed {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers (e.g. `Retry-After`, `Content-Type`).
    pub headers: HeaderMap,
}

impl CallContext {
    /// A context without credentials (the token endpoint needs none).
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// A context that sends `Authorization: Bearer <token>`. The header is
    /// marked sensitive so that reqwest and hyper never print it.
    ///
    /// A token that is not a valid header value (control characters) is
    /// dropped, and the request then fails with a 401 rather than a panic.
    pub fn with_bearer(token: &str) -> Self {
        let authorization = HeaderValue::from_str(&format!("Bearer {token}"))
            .ok()
            .map(|mut v| {
                v.set_sensitive(true);
                v
            });
        Self {
            authorization,
            observed: Arc::default(),
            body_limit: None,
            kept: None,
        }
    }

    /// Stops reading a success answer's body past `limit` bytes: its read
    /// then fails with a [`BodyTooLarge`](crate::hooks::BodyTooLarge) as
    /// the cause, instead of filling memory with an endless answer.
    pub fn with_body_limit(mut self, limit: usize) -> Self {
        self.body_limit = Some(limit);
        self
    }

    /// Keeps a success answer's body as it is read, for
    /// [`kept_body`](Self::kept_body): the text HelloAsso sent, beside the
    /// models decoded from it. The chunks are shared with the reader (no
    /// copy until `kept_body` joins them).
    pub fn keeping_body(mut self) -> Self {
        self.kept = Some(Arc::default());
        self
    }

    /// The success answer's body as it was received, when
    /// [`keeping_body`](Self::keeping_body) was asked and a body was read.
    pub fn kept_body(&self) -> Option<bytes::Bytes> {
        let kept = self.kept.as_ref()?;
        let chunks = match kept.lock() {
            Ok(chunks) => chunks,
            Err(poisoned) => poisoned.into_inner(),
        };
        Some(match chunks.as_slice() {
            [one] => one.clone(),
            many => many.concat().into(),
        })
    }

    /// Whether a bearer is attached.
    pub fn has_bearer(&self) -> bool {
        self.authorization.is_some()
    }

    /// The status and headers of the response, once one arrived.
    pub fn observed(&self) -> Option<Observed> {
        self.observed
            .lock()
            .map(|o| o.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    pub(crate) fn record(&self, observed: Observed) {
        match self.observed.lock() {
            Ok(mut slot) => *slot = Some(observed),
            Err(poisoned) => *poisoned.into_inner() = Some(observed),
        }
    }
}

impl std::fmt::Debug for CallContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallContext")
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "Bearer <redacted>"),
            )
            .field("observed", &self.observed())
            .finish()
    }
}

//! How requests reach HelloAsso: the plan of a call, the shared transport
//! (HTTP client, retry policy, sleep, clock, timeout), the hand-built
//! request path, and the HTTP client the SDK builds.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use helloasso_raw::{Request, types};
use progenitor_client::{ClientHooks, OperationInfo};

use crate::error::{Error, Result};
use crate::error_mapping::RawError;
use crate::retry::{AsyncSleep, Idempotency, RetryPolicy};

/// The user agent sent with every request: the crate and its version.
pub(crate) const USER_AGENT: &str = concat!("helloasso-sdk/", env!("CARGO_PKG_VERSION"));

/// The most bytes a decoded answer may have: a page of 100 payments is about
/// 130 KB, so 16 MiB is over a hundred times the largest page. A longer
/// answer fails with [`Error::ResponseTooLarge`] instead of filling memory.
/// Streamed exports have no cap (an idle timeout bounds them).
pub const MAX_RESPONSE_BODY: usize = 16 * 1024 * 1024;

/// What the attempt loop needs to know about a call besides the request:
/// its name for spans, whether it may be replayed, its retry policy, and
/// whether it carries a bearer.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub(crate) name: &'static str,
    pub(crate) idempotency: Idempotency,
    pub(crate) retry: Option<RetryPolicy>,
    authenticated: bool,
    /// The most bytes a success body may have (`None`: streamed).
    pub(crate) body_limit: Option<usize>,
}

impl Plan {
    /// The plan for a generated request: its operation id, and replayable
    /// only when its HTTP method is a read.
    pub(crate) fn of<R: Request>() -> Self {
        Self {
            name: R::OPERATION_ID,
            idempotency: if R::REPLAYABLE {
                Idempotency::Idempotent
            } else {
                Idempotency::NotIdempotent
            },
            retry: None,
            authenticated: true,
            body_limit: Some(MAX_RESPONSE_BODY),
        }
    }

    /// An answer read as a stream (an export): no cap on its body.
    pub(crate) fn streamed(mut self) -> Self {
        self.body_limit = None;
        self
    }

    /// [`Plan::of`] for the type of `request`.
    pub(crate) fn of_request<R: Request>(_request: &R) -> Self {
        Self::of::<R>()
    }

    /// Replayable whatever its method: a POST that only asks for something
    /// (a client-credentials token) has no effect to repeat.
    pub(crate) fn replayable(mut self) -> Self {
        self.idempotency = Idempotency::Idempotent;
        self
    }

    /// This policy instead of the client's, when given.
    pub(crate) fn with_retry_policy(mut self, policy: Option<RetryPolicy>) -> Self {
        self.retry = policy;
        self
    }

    /// The token endpoint: no bearer.
    pub(crate) fn unauthenticated(mut self) -> Self {
        self.authenticated = false;
        self
    }

    pub(crate) fn is_authenticated(&self) -> bool {
        self.authenticated
    }
}

/// How requests reach HelloAsso; shared by the client and its token caches.
pub(crate) struct Transport {
    pub(crate) base_url: String,
    pub(crate) http: reqwest::Client,
    pub(crate) retry: RetryPolicy,
    pub(crate) sleep: Arc<dyn AsyncSleep>,
    /// What time it is (when a token was issued).
    pub(crate) clock: Arc<dyn crate::clock::Clock>,
    /// The longest one attempt may take: the whole answer for a decoded
    /// call, the status and headers for a streamed one (whose body has an
    /// idle timeout of its own instead, so that a long export can finish).
    pub(crate) timeout: Duration,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.base_url)
            .field("retry", &self.retry)
            .field("sleep", &self.sleep)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Sends a request built by hand through an attempt's generated client, for
/// what the generated operations do not cover (another `Accept`, such as a
/// CSV export). The same hooks as a generated operation run: the attempt's
/// bearer is added and the status and headers are recorded. An error status
/// comes back as `UnexpectedResponse`, which the attempt loop maps to the
/// matching typed error.
pub(crate) async fn send_request(
    raw: &helloasso_raw::Client,
    operation_id: &'static str,
    request: reqwest::RequestBuilder,
) -> std::result::Result<reqwest::Response, RawError> {
    let mut request = request.build()?;
    let info = OperationInfo { operation_id };
    raw.pre::<types::ErrorBody>(&mut request, &info).await?;
    let result = raw.exec(request, &info).await;
    raw.post::<types::ErrorBody>(&result, &info).await?;
    let response = result?;
    if response.status().is_success() {
        Ok(response)
    } else {
        Err(helloasso_raw::Error::UnexpectedResponse(response))
    }
}

/// Builds the HTTP client the SDK uses when the caller does not bring one.
///
/// It follows no redirect: a redirect would re-send the token form (client
/// secret, refresh token) or a refund, with its MFA headers, to whatever
/// host the `Location` names. A 3xx comes back as an error instead.
///
/// It has no total timeout: [`Transport`] bounds each attempt itself, so that
/// a streamed export is bounded by an idle timeout rather than cut at a
/// fixed length.
pub(crate) fn http_client(connect_timeout: Duration, user_agent: &str) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent)
        .build()
        .map_err(|e| Error::invalid_request(format!("cannot build the HTTP client: {e}")))
}

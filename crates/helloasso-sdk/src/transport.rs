//! Sends one operation: a token per attempt, a fresh generated client per
//! attempt, retries, the 401 refresh-and-replay, and a span per HTTP call.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use helloasso_raw::hooks::CallContext;
use helloasso_raw::{ClientInfo, Request, types};
use progenitor_client::{ClientHooks, OperationInfo};
use secrecy::ExposeSecret;
use tracing::Instrument;

use crate::auth::token_cache::TokenCache;
use crate::error::{Error, Result};
use crate::http_response::Response;
use crate::response::{self, DecodePath, RawError};
use crate::retry::{AsyncSleep, Idempotency, RetryPolicy, Verdict, classify, parse_retry_after};
use crate::telemetry;

/// The user agent sent with every request: the crate and its version.
pub(crate) const USER_AGENT: &str = concat!("helloasso-sdk/", env!("CARGO_PKG_VERSION"));

/// What the attempt loop needs to know about a call besides the request:
/// its name for spans, whether it may be replayed, its retry policy, and
/// whether it carries a bearer.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    name: &'static str,
    idempotency: Idempotency,
    retry: Option<RetryPolicy>,
    authenticated: bool,
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
        }
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

impl Transport {
    /// Runs `call` until it succeeds, fails for good, or the retry budget is
    /// spent. With a token cache, each attempt carries its current token, and
    /// a 401 leads to one refresh and one replay (never more, whatever the
    /// server answers next).
    pub(crate) async fn run<R: Request>(
        &self,
        operation: &Plan,
        tokens: Option<&TokenCache>,
        decode_path: DecodePath,
        request: &R,
    ) -> Result<Response<R::Output>> {
        let policy = operation.retry.as_ref().unwrap_or(&self.retry);
        // Attempts counted against the policy; the 401 replay is extra.
        let mut attempt: u32 = 0;
        let mut sent: u32 = 0;
        let mut replayed = false;
        loop {
            attempt += 1;
            sent += 1;
            let token = match tokens {
                Some(cache) => Some(cache.get().await?),
                None => None,
            };
            let context = match &token {
                Some(t) => CallContext::with_bearer(t.token.access_token().expose_secret()),
                None => CallContext::anonymous(),
            };
            let raw =
                helloasso_raw::Client::new_with_client(&self.base_url, self.http.clone(), context);
            let span = telemetry::request_span(operation.name, sent);
            let started = Instant::now();
            let outcome = tokio::time::timeout(self.timeout, request.clone().on(&raw).send())
                .instrument(span.clone())
                .await;
            let observed = raw.inner().observed();
            let error = match outcome {
                Ok(Ok(value)) => {
                    telemetry::record_outcome(&span, Some(value.status()), started.elapsed(), None);
                    return Ok(Response::from_raw(value));
                }
                Ok(Err(e)) => response::from_raw(e, observed.as_ref(), decode_path).await,
                Err(_elapsed) => timed_out(self.timeout),
            };
            let status = observed.as_ref().map(|o| o.status).or(error.status());
            telemetry::record_outcome(&span, status, started.elapsed(), Some(&error));

            match classify(&error, operation.idempotency) {
                Verdict::RefreshToken => match (tokens, &token) {
                    (Some(cache), Some(used)) if !replayed => {
                        replayed = true;
                        attempt -= 1;
                        tracing::debug!(
                            target: telemetry::TARGET,
                            operation = operation.name,
                            "token refused: refreshing it and replaying once"
                        );
                        cache.reject(used.generation);
                    }
                    _ => return Err(error),
                },
                Verdict::Retry if attempt < policy.max_attempts() => {
                    let retry_after = observed
                        .as_ref()
                        .and_then(|o| parse_retry_after(&o.headers))
                        .or(match &error {
                            Error::RateLimited { retry_after, .. } => *retry_after,
                            _ => None,
                        });
                    let Some(wait) = policy.delay(attempt, retry_after) else {
                        return Err(error);
                    };
                    tracing::debug!(
                        target: telemetry::TARGET,
                        operation = operation.name,
                        attempt,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        %error,
                        "retrying"
                    );
                    self.sleep.sleep(wait).await;
                }
                Verdict::Retry | Verdict::Fail => return Err(error),
            }
        }
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

/// The error for an attempt that outlived the client's timeout. The request
/// left, so HelloAsso may have acted on it.
fn timed_out(timeout: Duration) -> Error {
    Error::Transport {
        message: format!(
            "no answer within {} ms (the client's timeout)",
            timeout.as_millis()
        ),
        may_have_reached_server: true,
        timed_out: true,
        source: None,
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

/// A reqwest error without the query and fragment of its URL: listings carry
/// a payer's name or e-mail in `searchKey`/`userSearchKey`, and reqwest's
/// message quotes the full URL, which would carry it into errors and logs.
pub(crate) fn without_query(mut error: reqwest::Error) -> reqwest::Error {
    if let Some(url) = error.url_mut() {
        url.set_query(None);
        url.set_fragment(None);
    }
    error
}

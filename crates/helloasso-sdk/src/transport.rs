//! Sends one operation: a token per attempt, a fresh generated client per
//! attempt, retries, the 401 refresh-and-replay, and a span per HTTP call.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use helloasso_raw::hooks::CallContext;
use helloasso_raw::types;
use helloasso_raw::{ClientInfo, ResponseValue};
use progenitor_client::{ClientHooks, OperationInfo};
use secrecy::ExposeSecret;
use tracing::Instrument;

use crate::auth::token_cache::TokenCache;
use crate::error::{Error, Result};
use crate::response::{self, DecodePath, RawError};
use crate::retry::{AsyncSleep, Idempotency, RetryPolicy, Verdict, classify, parse_retry_after};
use crate::telemetry;

/// The user agent sent with every request: the crate and its version.
pub(crate) const USER_AGENT: &str = concat!("helloasso-sdk/", env!("CARGO_PKG_VERSION"));

/// One call to the generated client, made again for each attempt. It gets
/// the attempt's generated client (carrying the bearer) and returns the
/// generated builder's `send()` future.
///
/// Values the request needs are moved or cloned into the future, because
/// each attempt builds the request anew; see [`Client::execute`](crate::Client::execute).
pub type RawCall<'f, T> = dyn for<'a> Fn(
        &'a helloasso_raw::Client,
    ) -> BoxFuture<'a, std::result::Result<ResponseValue<T>, RawError>>
    + Send
    + Sync
    + 'f;

/// What the facade knows about an operation: its name (for spans) and whether
/// re-sending it is harmless.
///
/// ```
/// use helloasso_sdk::{Idempotency, Operation, RetryPolicy};
///
/// let read = Operation::read("get_payment");
/// assert_eq!(read.idempotency(), Idempotency::Idempotent);
/// let refund = Operation::write("refund_payment").with_retry_policy(RetryPolicy::disabled());
/// assert_eq!(refund.idempotency(), Idempotency::NotIdempotent);
/// ```
#[derive(Clone, Debug)]
pub struct Operation {
    name: &'static str,
    idempotency: Idempotency,
    retry: Option<RetryPolicy>,
    authenticated: bool,
}

impl Operation {
    /// An operation that is safe to repeat (any GET).
    pub fn read(name: &'static str) -> Self {
        Self {
            name,
            idempotency: Idempotency::Idempotent,
            retry: None,
            authenticated: true,
        }
    }

    /// An operation with effects (a refund, a checkout creation): never
    /// re-sent after an ambiguous failure.
    pub fn write(name: &'static str) -> Self {
        Self {
            idempotency: Idempotency::NotIdempotent,
            ..Self::read(name)
        }
    }

    /// Overrides the client's retry policy for this call.
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The token endpoint: no bearer.
    pub(crate) fn unauthenticated(mut self) -> Self {
        self.authenticated = false;
        self
    }

    /// The operation's name (its operation id).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether it may be re-sent after an ambiguous failure.
    pub fn idempotency(&self) -> Idempotency {
        self.idempotency
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
    pub(crate) async fn run<T>(
        &self,
        operation: &Operation,
        tokens: Option<&TokenCache>,
        decode_path: DecodePath,
        call: &RawCall<'_, T>,
    ) -> Result<ResponseValue<T>> {
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
            let outcome = tokio::time::timeout(self.timeout, call(&raw))
                .instrument(span.clone())
                .await;
            let observed = raw.inner().observed();
            let error = match outcome {
                Ok(Ok(value)) => {
                    telemetry::record_outcome(&span, Some(value.status()), started.elapsed(), None);
                    return Ok(value);
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
/// CSV export, or an endpoint the spec lacks). The same hooks as a generated
/// operation run: the attempt's bearer is added and the status and headers
/// are recorded. A success comes back as the response, to decode or stream;
/// an error status as `UnexpectedResponse`, which
/// [`Client::execute`](crate::Client::execute) turns into the matching typed
/// error.
///
/// ```no_run
/// # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
/// use helloasso_sdk::{ClientInfo, Operation, ResponseValue, send_request};
///
/// let csv = client
///     .execute_stream(Operation::read("export_payments"), &|raw| {
///         Box::pin(async move {
///             let url = format!("{}/v5/organizations/my-asso/payments", raw.baseurl());
///             let request = raw.client().get(url).header("accept", "text/csv");
///             send_request(raw, "export_payments", request).await.map(ResponseValue::stream)
///         })
///     })
///     .await?
///     .into_inner();
/// # let _ = csv; Ok(()) }
/// ```
pub async fn send_request(
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

//! The attempt loop: a token per attempt, a fresh generated client per
//! attempt, retries, the 401 refresh-and-replay, and a span per HTTP call.

use std::time::{Duration, Instant};

use helloasso_raw::hooks::CallContext;
use helloasso_raw::{ClientInfo, Request};
use secrecy::ExposeSecret;
use tracing::Instrument;

use crate::auth::token_cache::TokenCache;
use crate::error::{Error, Result};
use crate::error_mapping::{self, DecodePath};
use crate::http_response::Response;
use crate::retry::{Verdict, classify, parse_retry_after};
use crate::telemetry;
use crate::transport::{Plan, Transport};

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
            let mut context = match &token {
                Some(t) => CallContext::with_bearer(t.token.access_token().expose_secret()),
                None => CallContext::anonymous(),
            };
            if let Some(limit) = operation.body_limit {
                context = context.with_body_limit(limit);
            }
            if operation.keep_body {
                context = context.keeping_body();
            }
            let raw =
                helloasso_raw::Client::new_with_client(&self.base_url, self.http.clone(), context);
            let span = telemetry::request_span(operation.name, sent);
            let started = Instant::now();
            let outcome = tokio::time::timeout(self.timeout, request.clone().on(&raw).send())
                .instrument(span.clone())
                .await;
            // What the hooks saw is read (a copy of the headers) only when
            // the attempt failed: a success carries its own status and headers.
            let (error, observed) = match outcome {
                Ok(Ok(value)) => {
                    telemetry::record_outcome(&span, Some(value.status()), started.elapsed(), None);
                    return Ok(Response::from_raw(value).with_received(raw.inner().kept_body()));
                }
                Ok(Err(e)) => {
                    let observed = raw.inner().observed();
                    let error = error_mapping::from_raw(e, observed.as_ref(), decode_path)
                        .await
                        .for_operation(operation.name);
                    (error, observed)
                }
                Err(_elapsed) => (timed_out(self.timeout), raw.inner().observed()),
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

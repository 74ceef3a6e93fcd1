//! The generated client's hooks, and the per-call context they fill
//! ([`CallContext`], defined in `context.rs`, re-exported here).
//!
//! The facade builds one [`CallContext`] per attempt: the pre-hook puts the
//! bearer on the request and removes the `api-version` header progenitor adds
//! (HelloAsso does not know it); the post-hook remembers the status and
//! headers, which the facade needs when an error body is not JSON (an HTML
//! 502 page, an empty 429) and progenitor reports only the undecodable bytes.

use std::sync::{Arc, Mutex};

use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::AUTHORIZATION;

use crate::Client;
pub use crate::context::{CallContext, Observed};

impl ClientHooks<CallContext> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), crate::Error<E>> {
        let headers = request.headers_mut();
        headers.remove("api-version");
        if let Some(value) = &self.inner.authorization {
            headers.insert(AUTHORIZATION, value.clone());
        }
        Ok(())
    }

    /// Sends the request; an error answer's body is cut at
    /// [`MAX_ERROR_BODY`] before anything reads it, so a huge error page
    /// costs no more memory than a small one.
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client.execute(request).await?;
        if response.status().is_success() {
            let response = match self.inner.body_limit {
                Some(limit) => limited(response, limit),
                None => response,
            };
            return Ok(match &self.inner.kept {
                Some(kept) => keeping(response, kept.clone()),
                None => response,
            });
        }
        Ok(bounded(response).await)
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), crate::Error<E>> {
        if let Ok(response) = result {
            self.inner.record(Observed {
                status: response.status(),
                headers: response.headers().clone(),
            });
        }
        Ok(())
    }
}

/// A success answer whose body is longer than the
/// [limit](CallContext::with_body_limit) set for the call: the cause of the
/// body error its read ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTooLarge {
    /// The limit, in bytes.
    pub limit: usize,
}

impl std::fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the answer's body is larger than {} bytes", self.limit)
    }
}

impl std::error::Error for BodyTooLarge {}

/// `response` whose body fails with [`BodyTooLarge`] once more than `limit`
/// bytes came (at once when its declared length is above it).
fn limited(response: reqwest::Response, limit: usize) -> reqwest::Response {
    use futures::StreamExt;
    type BoxError = Box<dyn std::error::Error + Send + Sync>;
    let too_large = move || -> BoxError { Box::new(BodyTooLarge { limit }) };
    let declared_too_large = response.content_length().is_some_and(|n| n > limit as u64);
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let mut seen: usize = 0;
    let body = if declared_too_large {
        reqwest::Body::wrap_stream(futures::stream::once(async move {
            Err::<bytes::Bytes, BoxError>(too_large())
        }))
    } else {
        reqwest::Body::wrap_stream(response.bytes_stream().map(move |chunk| {
            let chunk = chunk.map_err(|e| -> BoxError { Box::new(e) })?;
            seen = seen.saturating_add(chunk.len());
            if seen > limit {
                return Err(too_large());
            }
            Ok(chunk)
        }))
    };
    let mut capped = http::Response::new(body);
    *capped.status_mut() = status;
    *capped.version_mut() = version;
    *capped.headers_mut() = headers;
    reqwest::Response::from(capped)
}

/// `response` whose body chunks are also pushed into `kept` as they are
/// read (a shared handle on each chunk, not a copy).
fn keeping(response: reqwest::Response, kept: Arc<Mutex<Vec<bytes::Bytes>>>) -> reqwest::Response {
    use futures::StreamExt;
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let body = reqwest::Body::wrap_stream(response.bytes_stream().map(move |chunk| {
        if let Ok(chunk) = &chunk {
            match kept.lock() {
                Ok(mut chunks) => chunks.push(chunk.clone()),
                Err(poisoned) => poisoned.into_inner().push(chunk.clone()),
            }
        }
        chunk
    }));
    let mut kept_response = http::Response::new(body);
    *kept_response.status_mut() = status;
    *kept_response.version_mut() = version;
    *kept_response.headers_mut() = headers;
    reqwest::Response::from(kept_response)
}

/// The most of an error answer's body that is read: HelloAsso's error
/// documents are a few hundred bytes; an HTML error page or a runaway body is
/// cut here.
pub const MAX_ERROR_BODY: usize = 8 * 1024;

/// `response` with its body read, at most [`MAX_ERROR_BODY`] bytes of it.
/// A body that breaks off early keeps what arrived: it only explains an
/// error that the status already reports.
async fn bounded(mut response: reqwest::Response) -> reqwest::Response {
    let mut body = Vec::new();
    while body.len() < MAX_ERROR_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_ERROR_BODY - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    let mut cut = http::Response::new(body);
    *cut.status_mut() = response.status();
    *cut.version_mut() = response.version();
    *cut.headers_mut() = response.headers().clone();
    cut.headers_mut().remove(reqwest::header::CONTENT_LENGTH);
    reqwest::Response::from(cut)
}

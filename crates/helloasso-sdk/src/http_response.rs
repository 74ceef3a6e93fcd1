//! A successful answer as [`Client::execute`](crate::Client::execute) returns
//! it: status, headers and the decoded body.

use std::pin::Pin;

use bytes::Bytes;
use futures::Stream;
use helloasso_raw::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// The body of a streamed answer (an export): its bytes as they arrive.
pub type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send + Sync>>;

/// A successful answer: its status, its headers and its body.
#[derive(Debug)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    body: T,
    /// The body as received, when the call kept it.
    received: Option<Bytes>,
}

impl<T> Response<T> {
    pub(crate) fn from_raw(value: ResponseValue<T>) -> Self {
        Self {
            status: value.status(),
            headers: value.headers().clone(),
            body: value.into_inner(),
            received: None,
        }
    }

    pub(crate) fn with_received(mut self, received: Option<Bytes>) -> Self {
        self.received = received;
        self
    }

    /// The body exactly as HelloAsso sent it, when the client keeps what it
    /// receives ([`Client::keeping_received`](crate::Client::keeping_received)).
    pub fn received(&self) -> Option<&Bytes> {
        self.received.as_ref()
    }

    /// The HTTP status (a 2xx).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The decoded body, by value.
    pub fn into_body(self) -> T {
        self.body
    }

    /// The same answer with its body changed by `f`.
    pub(crate) fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            headers: self.headers,
            body: f(self.body),
            received: self.received,
        }
    }
}

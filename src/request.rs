//! The operation builders as typed values: what running one needs to know.

use std::future::Future;

use crate::{Client, Error, ResponseValue, types};

/// An operation builder of this crate (`client.get_payment()...`), seen as a
/// request: its success type, its operation id, whether it may be sent again
/// after an ambiguous failure, and how to send it.
///
/// Every builder implements it (the build script writes the impls from the
/// spec). A caller that retries builds the request once, then for each
/// attempt [`on`](Request::on)-binds a clone of it to that attempt's client
/// and [`send`](Request::send)s it.
pub trait Request: Clone + Send + Sync {
    /// What a success decodes into (`()` for an empty answer).
    type Output;
    /// The same builder bound to another client.
    type On<'b>: Request<Output = Self::Output>;
    /// The operation id in the spec, e.g. `get_payment`.
    const OPERATION_ID: &'static str;
    /// The HTTP method.
    const METHOD: reqwest::Method;
    /// Whether sending it twice has the effect of sending it once: true for
    /// reads only. A write (a refund, a checkout, a token grant) whose
    /// answer was lost may have been carried out, so it is never replayed.
    const REPLAYABLE: bool;

    /// This request, to be sent through `client` (its base URL, HTTP
    /// connections and per-call context) instead of the one it was built on.
    fn on<'b>(self, client: &'b Client) -> Self::On<'b>;

    /// Sends it once.
    fn send(
        self,
    ) -> impl Future<Output = Result<ResponseValue<Self::Output>, Error<types::ErrorBody>>> + Send;
}

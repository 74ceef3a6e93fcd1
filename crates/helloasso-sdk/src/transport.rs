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
    /// Keep the success body as received, beside what it decodes into.
    pub(crate) keep_body: bool,
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
            keep_body: false,
        }
    }

    /// Keeps the success body as received ([`Response::received`](crate::Response::received)).
    pub(crate) fn keeping_body(mut self, keep: bool) -> Self {
        self.keep_body = keep;
        self
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
    /// The proxy requests go through, without credentials (only known for
    /// the HTTP client the SDK builds).
    pub(crate) proxy: Option<String>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.base_url)
            .field("retry", &self.retry)
            .field("sleep", &self.sleep)
            .field("timeout", &self.timeout)
            .field("proxy", &self.proxy)
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
///
/// A plain-http `base_url` (allowed on loopback only) goes through no proxy:
/// HTTP_PROXY would otherwise receive the client secret in clear text.
pub(crate) fn http_client(
    connect_timeout: Duration,
    user_agent: &str,
    base_url: &str,
) -> Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent);
    let builder = if is_plain_http(base_url) {
        builder.no_proxy()
    } else {
        builder
    };
    builder
        .build()
        .map_err(|e| Error::invalid_request(format!("cannot build the HTTP client: {e}")))
}

fn is_plain_http(base_url: &str) -> bool {
    base_url
        .get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
}

/// The proxy the client [`http_client`] builds sends requests for
/// `base_url` through, by the same rules as reqwest (ALL_PROXY,
/// HTTPS_PROXY, NO_PROXY, and the system's settings): its scheme, host and
/// port, never its credentials. `None` when requests go direct.
pub(crate) fn proxy_for(base_url: &str) -> Option<String> {
    proxy_by(
        &hyper_util::client::proxy::matcher::Matcher::from_system(),
        base_url,
    )
}

/// [`proxy_for`] by the rules of `matcher`.
fn proxy_by(
    matcher: &hyper_util::client::proxy::matcher::Matcher,
    base_url: &str,
) -> Option<String> {
    if is_plain_http(base_url) {
        return None;
    }
    let uri: http::Uri = base_url.parse().ok()?;
    let intercept = matcher.intercept(&uri)?;
    let proxy = intercept.uri();
    let host = proxy.host()?;
    Some(match (proxy.scheme_str(), proxy.port_u16()) {
        (Some(scheme), Some(port)) => format!("{scheme}://{host}:{port}"),
        (Some(scheme), None) => format!("{scheme}://{host}"),
        (None, Some(port)) => format!("{host}:{port}"),
        (None, None) => host.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use hyper_util::client::proxy::matcher::Matcher;

    use super::*;

    #[test]
    fn a_proxy_is_named_without_its_credentials() {
        let matcher = Matcher::builder()
            .https("http://someone:hunter2@proxy.example.org:3128")
            .build();
        let shown = proxy_by(&matcher, "https://api.helloasso.com");
        assert_eq!(shown.as_deref(), Some("http://proxy.example.org:3128"));
    }

    #[test]
    fn plain_http_and_excluded_hosts_go_direct() {
        let matcher = Matcher::builder()
            .all("http://proxy.example.org:3128")
            .no("api.helloasso-sandbox.com")
            .build();
        assert_eq!(proxy_by(&matcher, "http://127.0.0.1:8080"), None);
        assert_eq!(
            proxy_by(&matcher, "https://api.helloasso-sandbox.com"),
            None
        );
        assert!(proxy_by(&matcher, "https://api.helloasso.com").is_some());
    }
}

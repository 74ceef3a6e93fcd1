//! The one error type every facade call returns.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

use crate::mfa::MfaProof;
use crate::privileges::Privileges;

/// `Result` with the facade's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A shareable underlying cause. `Arc` so that [`Error`] is `Clone`: one
/// failed token request is handed to every task that waited on it.
pub(crate) type Source = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong talking to HelloAsso.
///
/// Each variant carries what a caller needs to act; the `Display` text says
/// what to do about it. No variant ever holds a client secret or a token.
///
/// ```
/// use helloasso_sdk::Error;
///
/// fn explain(err: &Error) -> &'static str {
///     match err {
///         Error::OAuth { .. } => "check the credentials",
///         Error::MfaRequired { .. } | Error::UserNotEnrolled { .. } => "ask the user for a proof",
///         Error::RateLimited { .. } => "slow down",
///         Error::Transport { .. } => "the network failed",
///         Error::InvalidRequest { .. } => "fix the input",
///         _ => "see the message",
///     }
/// }
/// # let _ = explain;
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// HelloAsso's OAuth server refused a token request (RFC 6749 §5.2), e.g.
    /// `invalid_client` for wrong credentials or `invalid_grant` for an
    /// expired refresh token or authorization code.
    #[error("{}", oauth_message(*status, error, description.as_deref()))]
    #[non_exhaustive]
    OAuth {
        /// HTTP status of the refusal, when there was a response.
        status: Option<StatusCode>,
        /// The OAuth error code (`invalid_client`, `invalid_grant`, ...).
        error: String,
        /// HelloAsso's explanation, if any.
        description: Option<String>,
    },

    /// HelloAsso answered with an error status.
    #[error("{}", api_message(*status, code.as_deref(), message.as_deref(), excerpt.as_deref(), privileges))]
    #[non_exhaustive]
    Api {
        /// HTTP status.
        status: StatusCode,
        /// The first HelloAsso error code (`{"errors":[{"code": ...}]}`).
        code: Option<String>,
        /// HelloAsso's message: the first coded error's, or the top-level `message`.
        message: Option<String>,
        /// Every coded error the body listed.
        errors: Vec<ApiErrorItem>,
        /// Validation messages by field (`modelState`).
        model_state: BTreeMap<String, Vec<String>>,
        /// The start of the body when it was not a HelloAsso error document
        /// (an HTML page, an empty body, something else).
        excerpt: Option<String>,
        /// On a 403: the privileges HelloAsso's spec says the operation's
        /// client id must hold (`RefundManagement` for a refund), one of which
        /// the client may lack. Empty otherwise.
        privileges: Privileges,
    },

    /// The operation needs a multi-factor proof: retry it with the proof in
    /// the header [`MfaProof::header_name`] names.
    #[error(
        "HelloAsso requires {proof} for this operation: obtain it from the user and send it in the `{}` header{}",
        proof.header_name(),
        suffix(message.as_deref())
    )]
    #[non_exhaustive]
    MfaRequired {
        /// Which proof is needed.
        proof: MfaProof,
        /// HelloAsso's message.
        message: Option<String>,
    },

    /// The operation needs multi-factor authentication, and the HelloAsso user
    /// behind these credentials has none configured.
    #[error(
        "HelloAsso requires multi-factor authentication for this operation, but the account behind these credentials is not enrolled: enable MFA on the HelloAsso account first{}",
        suffix(message.as_deref())
    )]
    #[non_exhaustive]
    UserNotEnrolled {
        /// HelloAsso's message.
        message: Option<String>,
    },

    /// HelloAsso refused the multi-factor proofs given and the refund
    /// stopped: the [`MfaProvider`](crate::MfaProvider) was asked as many
    /// times as allowed, or gave again a code HelloAsso had refused (never
    /// re-sent: a wrong code repeated can lock the account's second
    /// factor), or the caller's own proof was refused. Nothing was refunded;
    /// HelloAsso may well accept a new proof.
    #[error(
        "HelloAsso refused the {attempts} proof(s) given for {proof}: nothing was refunded; obtain a new proof and send the refund again{}",
        suffix(message.as_deref())
    )]
    #[non_exhaustive]
    MfaAttemptsExhausted {
        /// The proof HelloAsso still asks for.
        proof: MfaProof,
        /// How many proofs were sent.
        attempts: u32,
        /// HelloAsso's last message.
        message: Option<String>,
    },

    /// HelloAsso is throttling these credentials (HTTP 429), and retrying
    /// (if allowed) did not get through.
    #[error("{}", rate_limited_message(*retry_after, *remaining))]
    #[non_exhaustive]
    RateLimited {
        /// How long HelloAsso asked to wait (`Retry-After`, in seconds or as
        /// a date), if it said.
        retry_after: Option<Duration>,
        /// What HelloAsso says is left of the quota (`X-RateLimit-Remaining`),
        /// if it said.
        remaining: Option<u64>,
    },

    /// The request or its response was lost on the way: DNS, connection,
    /// TLS, timeout, or a body cut short.
    #[error("{}", transport_message(message, *may_have_reached_server))]
    #[non_exhaustive]
    Transport {
        /// What failed.
        message: String,
        /// `false` only when the request provably never reached HelloAsso
        /// (the connection could not be opened), so re-sending it is safe even
        /// for a refund.
        may_have_reached_server: bool,
        /// Whether a timeout fired.
        timed_out: bool,
        /// The underlying error.
        #[source]
        source: Option<Source>,
    },

    /// A response arrived but is not what the API describes.
    #[error("{}", decode_message(*status, content_type.as_deref(), path.as_deref(), message, excerpt))]
    #[non_exhaustive]
    Decode {
        /// HTTP status, when known.
        status: Option<StatusCode>,
        /// The response's `Content-Type`, when it had one.
        content_type: Option<String>,
        /// Where in the JSON document decoding failed (`data[3].amount`).
        path: Option<String>,
        /// What the decoder said: what it expected there and the kind of
        /// value it found, never the value itself.
        message: String,
        /// What can be shown of the body: its size for a success answer
        /// (whose text may hold payers' records), never its text.
        excerpt: String,
    },

    /// A success answer's body grew past
    /// [`MAX_RESPONSE_BODY`](crate::MAX_RESPONSE_BODY) (a broken server or
    /// proxy sending without end): its read was stopped. For a write, the
    /// answer was a success most likely, but its text is unknown.
    #[error(
        "HelloAsso's answer is larger than {limit} bytes, far more than any page it serves: the read was stopped"
    )]
    #[non_exhaustive]
    ResponseTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },

    /// The request was refused before anything was sent: invalid
    /// configuration or input.
    #[error("invalid request: {message}")]
    #[non_exhaustive]
    InvalidRequest {
        /// What is wrong and how to fix it.
        message: String,
    },

    /// The client is read-only ([`ClientBuilder::read_only`](crate::ClientBuilder::read_only))
    /// and this operation writes: nothing was sent.
    #[error("read-only mode: `{operation}` changes data at HelloAsso and was not sent")]
    #[non_exhaustive]
    ReadOnly {
        /// The operation refused, e.g. `refund_payment`.
        operation: &'static str,
    },

    /// A task the client runs in the background (fetching the next page,
    /// fetching a token) panicked or was cancelled before it answered. A
    /// bug, not a network failure: whether the request it was making
    /// reached HelloAsso is unknown.
    #[error("{task} {}", if *panicked { "panicked" } else { "was cancelled" })]
    #[non_exhaustive]
    TaskFailed {
        /// What the task was doing, e.g. `the task fetching a page`.
        task: &'static str,
        /// `true` for a panic, `false` for a cancellation (a runtime
        /// shutting down).
        panicked: bool,
    },

    /// The [`TokenStore`](crate::TokenStore) could not load or save tokens.
    #[error("token store failed: {message}")]
    #[non_exhaustive]
    TokenStore {
        /// What failed.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Source>,
    },
}

/// One coded error of a HelloAsso error body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiErrorItem {
    /// The code, e.g. `AuthorizationErrors.MFA.AccessOtpSmsRequired`.
    pub code: Option<String>,
    /// Its message.
    pub message: Option<String>,
}

impl ApiErrorItem {
    pub(crate) fn new(code: Option<String>, message: Option<String>) -> Self {
        Self { code, message }
    }
}

impl Error {
    /// An [`Error::InvalidRequest`] with this explanation.
    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Error::InvalidRequest {
            message: message.into(),
        }
    }

    /// An [`Error::TokenStore`] with this explanation and cause.
    pub(crate) fn token_store(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::TokenStore {
            message: message.into(),
            source: Some(Arc::new(source)),
        }
    }

    /// On a 403, names the privileges HelloAsso's spec says `operation_id`
    /// needs (kept in the generated client from the spec's extension).
    pub(crate) fn for_operation(mut self, operation_id: &str) -> Self {
        if let Error::Api {
            status, privileges, ..
        } = &mut self
            && *status == StatusCode::FORBIDDEN
        {
            *privileges = Privileges::of_operation(operation_id);
        }
        self
    }

    /// The privileges the refused operation needs, when HelloAsso answered
    /// 403 (`["RefundManagement"]` for a refund); empty otherwise.
    pub fn missing_privileges(&self) -> Privileges {
        match self {
            Error::Api { privileges, .. } => *privileges,
            _ => Privileges::default(),
        }
    }

    /// The HTTP status of the response behind this error, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::OAuth { status, .. } | Error::Decode { status, .. } => *status,
            Error::Api { status, .. } => Some(*status),
            Error::MfaRequired { .. }
            | Error::UserNotEnrolled { .. }
            | Error::MfaAttemptsExhausted { .. } => Some(StatusCode::CONFLICT),
            Error::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            Error::Transport { .. }
            | Error::InvalidRequest { .. }
            | Error::ReadOnly { .. }
            | Error::TaskFailed { .. }
            | Error::ResponseTooLarge { .. }
            | Error::TokenStore { .. } => None,
        }
    }

    /// HelloAsso's error code (`AuthorizationErrors.MFA.AccessOtpSmsRequired`)
    /// or OAuth error (`invalid_grant`), if the response carried one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::OAuth { error, .. } => Some(error),
            Error::Api { code, .. } => code.as_deref(),
            Error::MfaRequired { proof, .. } | Error::MfaAttemptsExhausted { proof, .. } => {
                Some(proof.error_code())
            }
            Error::UserNotEnrolled { .. } => Some(crate::mfa::USER_NOT_ENROLLED_CODE),
            _ => None,
        }
    }

    /// The error for a background task that did not answer: the panic (or
    /// cancellation) it was, never its message, which could quote anything.
    pub(crate) fn task_failed(task: &'static str, join: &tokio::task::JoinError) -> Self {
        Error::TaskFailed {
            task,
            panicked: join.is_panic(),
        }
    }

    /// Whether HelloAsso refused the credentials or grant themselves (as
    /// opposed to a network or server failure).
    pub fn is_oauth_refusal(&self) -> bool {
        matches!(self, Error::OAuth { .. })
    }
}

fn suffix(message: Option<&str>) -> String {
    match message {
        Some(m) if !m.trim().is_empty() => format!(" (HelloAsso: {})", m.trim()),
        _ => String::new(),
    }
}

fn status_text(status: Option<StatusCode>) -> String {
    status.map_or_else(String::new, |s| format!(" with HTTP {}", s.as_u16()))
}

fn oauth_message(status: Option<StatusCode>, error: &str, description: Option<&str>) -> String {
    let hint = match error {
        "invalid_client" | "unauthorized_client" => {
            "check the client id and secret, and that they belong to this environment (sandbox and production keys differ)"
        }
        "invalid_grant" => {
            "the refresh token or authorization code is expired, revoked or already used: authorize again"
        }
        "access_denied" => "the organization refused or revoked this application's access",
        "unsupported_grant_type" | "invalid_request" | "invalid_scope" => {
            "HelloAsso did not accept the request's shape; please report this to helloasso-sdk"
        }
        _ => "see HelloAsso's explanation",
    };
    let description = match description {
        Some(d) if !d.trim().is_empty() => format!(" ({})", d.trim()),
        _ => String::new(),
    };
    format!(
        "HelloAsso's OAuth server refused the token request{}: {error}{description}; {hint}",
        status_text(status)
    )
}

fn api_message(
    status: StatusCode,
    code: Option<&str>,
    message: Option<&str>,
    excerpt: Option<&str>,
    privileges: &Privileges,
) -> String {
    let mut out = format!("HelloAsso answered HTTP {}", status.as_u16());
    match (code, message) {
        (Some(c), Some(m)) => out.push_str(&format!(": {c}: {m}")),
        (Some(c), None) => out.push_str(&format!(": {c}")),
        (None, Some(m)) => out.push_str(&format!(": {m}")),
        (None, None) => {}
    }
    let hint = match status.as_u16() {
        400 | 422 => Some("check the request's parameters"),
        401 => Some(
            "the access token was refused even after a refresh: check the credentials and their rights",
        ),
        403 if !privileges.is_empty() => {
            out.push_str(&format!(
                "; this operation needs the API client to hold the privilege {} (HelloAsso grants it on request), and a partner needs the organization's authorization",
                privileges
            ));
            None
        }
        403 => Some(
            "these credentials may not access this resource (a partner needs the organization's authorization)",
        ),
        404 => Some("check the organization slug and the ids"),
        500..=599 => Some("HelloAsso failed to answer; try again later"),
        _ => None,
    };
    if let Some(hint) = hint {
        out.push_str("; ");
        out.push_str(hint);
    }
    if let Some(excerpt) = excerpt {
        out.push_str(&format!(" (body: {excerpt})"));
    }
    out
}

fn rate_limited_message(retry_after: Option<Duration>, remaining: Option<u64>) -> String {
    let mut out = match retry_after {
        Some(d) => format!(
            "HelloAsso's rate limit was reached: retry after {} s, and spread the requests out",
            d.as_secs_f64().ceil()
        ),
        None => "HelloAsso's rate limit was reached: retry later, and spread the requests out"
            .to_owned(),
    };
    if let Some(remaining) = remaining {
        out.push_str(&format!(" ({remaining} request(s) left in the quota)"));
    }
    out
}

fn transport_message(message: &str, may_have_reached_server: bool) -> String {
    let reach = if may_have_reached_server {
        "outcome unknown: the request may have reached HelloAsso, so check before re-sending a refund or a checkout"
    } else {
        "the request never reached HelloAsso"
    };
    format!("could not talk to HelloAsso: {message} ({reach})")
}

fn decode_message(
    status: Option<StatusCode>,
    content_type: Option<&str>,
    path: Option<&str>,
    message: &str,
    excerpt: &str,
) -> String {
    let mut out = format!(
        "HelloAsso's response{} could not be decoded",
        status_text(status)
    );
    if let Some(ct) = content_type {
        out.push_str(&format!(" (content type `{ct}`)"));
    }
    if let Some(path) = path {
        out.push_str(&format!(" at `{path}`"));
    }
    out.push_str(&format!(": {message}; body {excerpt}"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Error>();
    }

    #[test]
    fn oauth_message_gives_a_hint() {
        let err = Error::OAuth {
            status: Some(StatusCode::BAD_REQUEST),
            error: "invalid_client".into(),
            description: Some("Invalid client".into()),
        };
        let text = err.to_string();
        assert!(text.contains("invalid_client (Invalid client)"), "{text}");
        assert!(text.contains("check the client id and secret"), "{text}");
        assert!(text.contains("HTTP 400"), "{text}");
    }

    #[test]
    fn api_message_shows_code_and_excerpt() {
        let err = Error::Api {
            status: StatusCode::BAD_GATEWAY,
            code: None,
            message: None,
            errors: vec![],
            model_state: BTreeMap::new(),
            excerpt: Some("<html>Bad gateway</html>".into()),
            privileges: Privileges::default(),
        };
        let text = err.to_string();
        assert!(text.contains("HTTP 502"), "{text}");
        assert!(text.contains("try again later"), "{text}");
        assert!(text.contains("<html>Bad gateway</html>"), "{text}");
    }

    #[test]
    fn mfa_message_names_the_header() {
        let err = Error::MfaRequired {
            proof: MfaProof::SmsOtp,
            message: None,
        };
        assert!(err.to_string().contains("x-mfa-sms-access-authorization"));
        assert_eq!(
            err.code(),
            Some("AuthorizationErrors.MFA.AccessOtpSmsRequired")
        );
    }
}

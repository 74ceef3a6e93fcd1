//! Turns what the generated client returns into the facade's [`Error`].

use std::collections::BTreeMap;
use std::sync::Arc;

use helloasso_raw::hooks::Observed;
use helloasso_raw::types;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ApiErrorItem, Error};
use crate::mfa::{MfaProof, USER_NOT_ENROLLED_CODE};
use crate::redact::{ERROR_BODY_LIMIT, excerpt, without_query, without_values};
use crate::retry::parse_retry_after;

/// The generated client's error type.
pub(crate) type RawError = helloasso_raw::Error<types::ErrorBody>;

/// Finds where a body stops matching `T`, for [`Error::Decode`]'s path.
pub(crate) type DecodePath = fn(&[u8]) -> Option<String>;

/// [`DecodePath`] for a JSON response of type `T`.
pub(crate) fn json_path<T: DeserializeOwned>(body: &[u8]) -> Option<String> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(_) => None,
        Err(e) => {
            let path = e.path().to_string();
            (path != ".").then_some(path)
        }
    }
}

/// [`DecodePath`] for responses that are not decoded (streams, empty bodies).
pub(crate) fn no_path(_: &[u8]) -> Option<String> {
    None
}

/// The fields of every HelloAsso error body, whichever shape it came in:
/// `{"errors": [{"code", "message"}]}`, a top-level `{"message", "modelState"}`
/// (or `code`), the OAuth server's `{"error", "error_description"}`, or none.
/// Read leniently, field by field: a field of an unexpected type is skipped,
/// never a reason to lose the others.
#[derive(Default, Debug)]
pub(crate) struct ErrorParts {
    errors: Vec<ErrorItemParts>,
    code: Option<String>,
    message: Option<String>,
    model_state: Option<BTreeMap<String, Vec<String>>>,
    error: Option<String>,
    error_description: Option<String>,
}

#[derive(Default, Debug)]
struct ErrorItemParts {
    code: Option<String>,
    message: Option<String>,
}

/// A string field, whatever the casing of its key (`message` or .NET's `Message`).
fn text(object: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .and_then(|(_, v)| v.as_str())
        .map(str::to_owned)
}

fn field<'a>(object: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// `{"field": ["message", ...]}` or `{"field": "message"}`.
fn messages_by_field(value: &Value) -> Option<BTreeMap<String, Vec<String>>> {
    let object = value.as_object()?;
    Some(
        object
            .iter()
            .map(|(name, v)| {
                let list = match v {
                    Value::String(s) => vec![s.clone()],
                    Value::Array(items) => items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                    _ => Vec::new(),
                };
                (name.clone(), list)
            })
            .collect(),
    )
}

impl ErrorParts {
    /// The parts of a JSON error body; `None` when the body is not a JSON
    /// object (empty, HTML, text).
    pub(crate) fn from_json(body: &[u8]) -> Option<Self> {
        let value: Value = serde_json::from_slice(body).ok()?;
        Self::from_value(&value)
    }

    fn from_value(value: &Value) -> Option<Self> {
        let object = value.as_object()?;
        let mut parts = ErrorParts {
            code: text(object, "code"),
            message: text(object, "message"),
            model_state: field(object, "modelState").and_then(messages_by_field),
            error: text(object, "error"),
            error_description: text(object, "error_description"),
            ..Default::default()
        };
        match field(object, "errors") {
            Some(Value::Array(items)) => {
                parts.errors = items
                    .iter()
                    .filter_map(Value::as_object)
                    .map(|item| ErrorItemParts {
                        code: text(item, "code"),
                        message: text(item, "message"),
                    })
                    .collect();
            }
            // ASP.NET's validation answer keeps its messages by field under `errors`.
            Some(other @ Value::Object(_)) if parts.model_state.is_none() => {
                parts.model_state = messages_by_field(other);
            }
            _ => {}
        }
        if parts.message.is_none() {
            parts.message = text(object, "title");
        }
        Some(parts)
    }

    fn is_empty(&self) -> bool {
        self.errors.is_empty()
            && self.code.is_none()
            && self.message.is_none()
            && self.model_state.is_none()
            && self.error.is_none()
    }

    /// Every code and message the body carries (where an MFA code may
    /// hide), each with the human message that goes with it.
    fn texts(&self) -> Vec<(&str, Option<&str>)> {
        let mut out = Vec::new();
        for item in &self.errors {
            for text in [item.code.as_deref(), item.message.as_deref()]
                .into_iter()
                .flatten()
            {
                out.push((text, item.message.as_deref()));
            }
        }
        let message = self
            .message
            .as_deref()
            .or(self.error_description.as_deref());
        for text in [
            self.code.as_deref(),
            self.error.as_deref(),
            self.message.as_deref(),
            self.error_description.as_deref(),
        ]
        .into_iter()
        .flatten()
        {
            out.push((text, message));
        }
        out
    }
}

/// An MFA code (or the "not enrolled" code) anywhere in a body's codes and
/// messages: HelloAsso puts it in `errors[].code`, but a top-level `code`,
/// `error` or a message naming it counts too.
fn mfa_error(parts: &ErrorParts) -> Option<Error> {
    for (text, message) in parts.texts() {
        // A message that is only the code says nothing more.
        let message = message.filter(|m| !is_code(m)).map(str::to_owned);
        for proof in MfaProof::ALL {
            if contains_code(text, proof.error_code()) {
                return Some(Error::MfaRequired { proof, message });
            }
        }
        if contains_code(text, USER_NOT_ENROLLED_CODE) {
            return Some(Error::UserNotEnrolled { message });
        }
    }
    None
}

fn contains_code(text: &str, code: &str) -> bool {
    text.to_ascii_lowercase()
        .contains(&code.to_ascii_lowercase())
}

/// Whether a text is a bare code (`AuthorizationErrors.MFA.X`), not prose.
fn is_code(text: &str) -> bool {
    let text = text.trim();
    !text.contains(' ') && text.contains('.')
}

/// The error an error status with a decoded body stands for.
pub(crate) fn error_from_parts(
    status: StatusCode,
    headers: &HeaderMap,
    parts: ErrorParts,
) -> Error {
    if let Some(mfa) = mfa_error(&parts) {
        return mfa;
    }
    if let Some(error) = parts.error.clone()
        && parts.errors.is_empty()
    {
        return Error::OAuth {
            status: Some(status),
            error,
            description: parts.error_description,
        };
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        return rate_limited(headers);
    }
    let first = parts.errors.first();
    Error::Api {
        status,
        code: first.and_then(|i| i.code.clone()).or(parts.code),
        message: first
            .and_then(|i| i.message.clone())
            .or(parts.message)
            .or(parts.error_description),
        errors: parts
            .errors
            .into_iter()
            .map(|i| ApiErrorItem::new(i.code, i.message))
            .collect(),
        model_state: parts.model_state.unwrap_or_default(),
        excerpt: None,
        privileges: crate::Privileges::default(),
    }
}

/// A 429: how long to wait, and what HelloAsso says is left of the quota.
fn rate_limited(headers: &HeaderMap) -> Error {
    Error::RateLimited {
        retry_after: parse_retry_after(headers),
        remaining: headers
            .get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok()),
    }
}

/// The error for an error status whose body is not a HelloAsso error
/// document (empty, HTML, another JSON shape), given at most
/// [`ERROR_BODY_LIMIT`] bytes of it.
fn error_from_unreadable_body(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return rate_limited(headers);
    }
    // HelloAsso asks for a second factor with a 409, and nothing else of the
    // API answers 409: without a body to say which proof, the MFA access
    // token (the proof every MFA-enabled account can give) is asked for.
    if status == StatusCode::CONFLICT && body.iter().all(u8::is_ascii_whitespace) {
        return Error::MfaRequired {
            proof: MfaProof::AccessToken,
            message: None,
        };
    }
    // A code in plain text (a proxy's page quoting HelloAsso) still counts.
    let text = String::from_utf8_lossy(body);
    let parts = ErrorParts {
        message: Some(text.into_owned()),
        ..Default::default()
    };
    if let Some(mfa) = mfa_error(&parts) {
        return match mfa {
            Error::MfaRequired { proof, .. } => Error::MfaRequired {
                proof,
                message: None,
            },
            _ => Error::UserNotEnrolled { message: None },
        };
    }
    Error::Api {
        status,
        code: None,
        message: None,
        errors: Vec::new(),
        model_state: BTreeMap::new(),
        excerpt: Some(excerpt(body)),
        privileges: crate::Privileges::default(),
    }
}

/// The error for a response whose body could not be decoded: an error page
/// (HTML, empty, not HelloAsso's shape) becomes an API error; a success
/// body that does not match becomes [`Error::Decode`] with the JSON path and
/// what was expected there, but none of the body's text (it may hold payers'
/// records).
pub(crate) fn error_from_undecodable(
    status: Option<StatusCode>,
    headers: Option<&HeaderMap>,
    body: &[u8],
    decode_error: String,
    decode_path: DecodePath,
) -> Error {
    let empty = HeaderMap::new();
    let headers = headers.unwrap_or(&empty);
    if let Some(status) = status.filter(|s| s.is_client_error() || s.is_server_error()) {
        let body = &body[..body.len().min(ERROR_BODY_LIMIT)];
        return match ErrorParts::from_json(body) {
            Some(parts) if !parts.is_empty() => error_from_parts(status, headers, parts),
            _ => error_from_unreadable_body(status, headers, body),
        };
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let decode_error = without_values(&decode_error);
    let message = match content_type.as_deref() {
        Some(ct) if !is_json(ct) => format!("expected a JSON body, got `{ct}` ({decode_error})"),
        _ => decode_error,
    };
    Error::Decode {
        status,
        content_type,
        path: decode_path(body),
        message,
        excerpt: format!("({} bytes, not shown)", body.len()),
    }
}

/// A `Content-Type`'s media type, without parameters, in lower case.
pub(crate) fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn is_json(content_type: &str) -> bool {
    let essence = media_type(content_type);
    essence == "application/json" || essence.ends_with("+json")
}

/// Converts a failed generated call. `observed` is what the call's post-hook
/// saw (status and headers), which progenitor drops for undecodable bodies.
pub(crate) async fn from_raw(
    error: RawError,
    observed: Option<&Observed>,
    decode_path: DecodePath,
) -> Error {
    let status = observed.map(|o| o.status);
    let headers = observed.map(|o| &o.headers);
    match error {
        helloasso_raw::Error::ErrorResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            match serde_json::to_value(response.into_inner())
                .ok()
                .and_then(|v| ErrorParts::from_value(&v))
            {
                Some(parts) if !parts.is_empty() => error_from_parts(status, &headers, parts),
                _ => error_from_unreadable_body(status, &headers, b""),
            }
        }
        helloasso_raw::Error::InvalidResponsePayload(body, e) => {
            error_from_undecodable(status, headers, &body, e.to_string(), decode_path)
        }
        helloasso_raw::Error::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            match read_bounded(response, ERROR_BODY_LIMIT).await {
                Ok(body) if status.is_client_error() || status.is_server_error() => {
                    match ErrorParts::from_json(&body) {
                        Some(parts) if !parts.is_empty() => {
                            error_from_parts(status, &headers, parts)
                        }
                        _ => error_from_unreadable_body(status, &headers, &body),
                    }
                }
                Ok(body) => error_from_undecodable(
                    Some(status),
                    Some(&headers),
                    &body,
                    format!(
                        "HTTP {} is not an answer this operation describes",
                        status.as_u16()
                    ),
                    no_path,
                ),
                Err(e) => transport(e),
            }
        }
        helloasso_raw::Error::ResponseBodyError(e) => match too_large(&e) {
            Some(limit) => Error::ResponseTooLarge { limit },
            None => transport(e),
        },
        helloasso_raw::Error::CommunicationError(e) | helloasso_raw::Error::InvalidUpgrade(e) => {
            transport(e)
        }
        helloasso_raw::Error::InvalidRequest(message) => Error::invalid_request(message),
        helloasso_raw::Error::Custom(message) => Error::invalid_request(message),
    }
}

/// The cap a body error came from, when the body was cut for its size.
fn too_large(error: &reqwest::Error) -> Option<usize> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = cause {
        if let Some(cut) = e.downcast_ref::<helloasso_raw::hooks::BodyTooLarge>() {
            return Some(cut.limit);
        }
        cause = e.source();
    }
    None
}

/// A reqwest failure, with whether the request may have been acted on.
pub(crate) fn transport(error: reqwest::Error) -> Error {
    let error = without_query(error);
    if error.is_builder() {
        return Error::invalid_request(chain(&error));
    }
    Error::Transport {
        message: chain(&error),
        // Only a connection that never opened proves nothing was sent; a
        // reused connection that breaks may have delivered the request.
        may_have_reached_server: !error.is_connect(),
        timed_out: error.is_timeout(),
        source: Some(Arc::new(error)),
    }
}

/// The error and its causes on one line ("... : tcp connect error: Connection refused").
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

/// The first `limit` bytes of a response's body; the rest is not read.
async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while body.len() < limit {
        match response.chunk().await? {
            Some(chunk) => {
                let take = chunk.len().min(limit - body.len());
                body.extend_from_slice(&chunk[..take]);
            }
            None => break,
        }
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_shapes_map_to_variants() {
        let headers = HeaderMap::new();
        let parse = |status: u16, json: &str| {
            error_from_parts(
                StatusCode::from_u16(status).unwrap(),
                &headers,
                ErrorParts::from_json(json.as_bytes()).unwrap(),
            )
        };
        assert!(matches!(
            parse(400, r#"{"error":"invalid_client","error_description":"Invalid client"}"#),
            Error::OAuth { error, .. } if error == "invalid_client"
        ));
        assert!(matches!(
            parse(
                409,
                r#"{"errors":[{"code":"AuthorizationErrors.MFA.AccessPasswordTokenRequired","message":"m"}]}"#
            ),
            Error::MfaRequired {
                proof: MfaProof::Password,
                ..
            }
        ));
        assert!(matches!(
            parse(
                409,
                r#"{"errors":[{"code":"AuthorizationErrors.UserNotEnrolled"}]}"#
            ),
            Error::UserNotEnrolled { .. }
        ));
        match parse(
            400,
            r#"{"message":"The request is invalid.","modelState":{"amount":["must be positive"]}}"#,
        ) {
            Error::Api {
                message,
                model_state,
                ..
            } => {
                assert_eq!(message.as_deref(), Some("The request is invalid."));
                assert_eq!(model_state["amount"], vec!["must be positive".to_owned()]);
            }
            other => panic!("{other:?}"),
        }
        match parse(
            404,
            r#"{"errors":[{"code":"NotFound","message":"No payment"}]}"#,
        ) {
            Error::Api { code, message, .. } => {
                assert_eq!(code.as_deref(), Some("NotFound"));
                assert_eq!(message.as_deref(), Some("No payment"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn mfa_codes_are_found_in_every_shape() {
        let headers = HeaderMap::new();
        let conflict = |json: &str| match ErrorParts::from_json(json.as_bytes()) {
            Some(parts) if !parts.is_empty() => {
                error_from_parts(StatusCode::CONFLICT, &headers, parts)
            }
            _ => error_from_unreadable_body(StatusCode::CONFLICT, &headers, json.as_bytes()),
        };
        for body in [
            r#"{"errors":[{"code":"AuthorizationErrors.MFA.AccessOtpSmsRequired","message":"m"}]}"#,
            r#"{"code":"AuthorizationErrors.MFA.AccessOtpSmsRequired","message":"m"}"#,
            r#"{"message":"AuthorizationErrors.MFA.AccessOtpSmsRequired"}"#,
            r#"{"Message":"authorizationerrors.mfa.accessotpsmsrequired"}"#,
            r#"{"error":"AuthorizationErrors.MFA.AccessOtpSmsRequired","error_description":"m"}"#,
            r#"{"errors":[{"message":"Code AuthorizationErrors.MFA.AccessOtpSmsRequired needed"}]}"#,
            "AuthorizationErrors.MFA.AccessOtpSmsRequired",
        ] {
            assert!(
                matches!(
                    conflict(body),
                    Error::MfaRequired {
                        proof: MfaProof::SmsOtp,
                        ..
                    }
                ),
                "{body}: {:?}",
                conflict(body)
            );
        }
        for body in ["", "  \n"] {
            assert!(
                matches!(
                    conflict(body),
                    Error::MfaRequired {
                        proof: MfaProof::AccessToken,
                        message: None
                    }
                ),
                "{body:?}"
            );
        }
        assert!(matches!(
            conflict(r#"{"message":"AuthorizationErrors.UserNotEnrolled"}"#),
            Error::UserNotEnrolled { message: None }
        ));
    }

    #[test]
    fn odd_error_shapes_keep_what_they_can() {
        let headers = HeaderMap::new();
        let parts = ErrorParts::from_json(
            br#"{"errors":{"amount":["must be positive"]},"title":"Validation failed","status":400}"#,
        )
        .unwrap();
        match error_from_parts(StatusCode::BAD_REQUEST, &headers, parts) {
            Error::Api {
                message,
                model_state,
                ..
            } => {
                assert_eq!(message.as_deref(), Some("Validation failed"));
                assert_eq!(model_state["amount"], vec!["must be positive".to_owned()]);
            }
            other => panic!("{other:?}"),
        }
        // A field of an unexpected type does not lose the others.
        let parts =
            ErrorParts::from_json(br#"{"errors":[{"code":7,"message":"m"}],"message":["x"]}"#)
                .unwrap();
        match error_from_parts(StatusCode::BAD_REQUEST, &headers, parts) {
            Error::Api { code, message, .. } => {
                assert_eq!(code, None);
                assert_eq!(message.as_deref(), Some("m"));
            }
            other => panic!("{other:?}"),
        }
        assert!(ErrorParts::from_json(b"<html>").is_none());
    }

    #[test]
    fn decode_messages_lose_the_values() {
        let cases = [
            (
                r#"invalid type: string "Jeanne Martin", expected i64 at line 1 column 30"#,
                "invalid type: a string, expected i64 at line 1 column 30",
            ),
            (
                "invalid value: integer `-3`, expected u8",
                "invalid value: an integer, expected u8",
            ),
            (
                "unknown field `jeanne@example.org`, expected `id`",
                "unknown field `…`, expected `id`",
            ),
            ("missing field `id`", "missing field `id`"),
        ];
        for (raw, clean) in cases {
            assert_eq!(without_values(raw), clean);
        }
    }

    #[test]
    fn a_success_body_that_does_not_decode_shows_no_text() {
        let body = br#"{"data":[{"payer":{"firstName":"Jeanne","email":"jeanne@example.org"},"amount":"TEN-EUROS"}]}"#;
        let error = error_from_undecodable(
            Some(StatusCode::OK),
            None,
            body,
            r#"invalid type: string "TEN-EUROS", expected i64"#.to_owned(),
            no_path,
        );
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("Jeanne"), "{shown}");
        assert!(!shown.contains("TEN-EUROS"), "{shown}");
        assert!(shown.contains("expected i64"), "{shown}");
    }

    #[test]
    fn content_type_check() {
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/problem+json"));
        assert!(!is_json("text/html"));
    }
}

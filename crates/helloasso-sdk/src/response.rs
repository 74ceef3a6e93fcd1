//! Turns what the generated client returns into the facade's [`Error`].

use std::collections::BTreeMap;
use std::sync::Arc;

use helloasso_raw::hooks::Observed;
use helloasso_raw::types;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiErrorItem, Error};
use crate::mfa::{MfaProof, USER_NOT_ENROLLED_CODE};
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

/// The fields of every HelloAsso error body, whichever shape it came in.
#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct ErrorParts {
    errors: Vec<ErrorItemParts>,
    message: Option<String>,
    #[serde(rename = "modelState")]
    model_state: Option<BTreeMap<String, Vec<String>>>,
    error: Option<String>,
    error_description: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ErrorItemParts {
    code: Option<String>,
    message: Option<String>,
}

impl From<types::ErrorBody> for ErrorParts {
    fn from(body: types::ErrorBody) -> Self {
        Self {
            errors: body
                .errors
                .into_iter()
                .map(|item| ErrorItemParts {
                    code: item.code,
                    message: item.message,
                })
                .collect(),
            message: body.message,
            model_state: body
                .model_state
                .map(|m| m.into_iter().collect::<BTreeMap<_, _>>()),
            error: body.error,
            error_description: body.error_description,
        }
    }
}

impl ErrorParts {
    fn is_empty(&self) -> bool {
        self.errors.is_empty()
            && self.message.is_none()
            && self.model_state.is_none()
            && self.error.is_none()
    }
}

/// The error an error status with a decoded body stands for.
pub(crate) fn error_from_parts(
    status: StatusCode,
    headers: &HeaderMap,
    parts: ErrorParts,
) -> Error {
    if let Some(error) = parts.error.clone()
        && parts.errors.is_empty()
    {
        return Error::OAuth {
            status: Some(status),
            error,
            description: parts.error_description,
        };
    }
    for item in &parts.errors {
        let Some(code) = item.code.as_deref() else {
            continue;
        };
        if let Some(proof) = MfaProof::from_error_code(code) {
            return Error::MfaRequired {
                proof,
                message: item.message.clone(),
            };
        }
        if code.eq_ignore_ascii_case(USER_NOT_ENROLLED_CODE) {
            return Error::UserNotEnrolled {
                message: item.message.clone(),
            };
        }
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Error::RateLimited {
            retry_after: parse_retry_after(headers),
        };
    }
    let first = parts.errors.first();
    Error::Api {
        status,
        code: first.and_then(|i| i.code.clone()),
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
    }
}

/// The error for a response whose body could not be decoded: an error page
/// (HTML, empty, not HelloAsso's shape) becomes [`Error::Api`] with an
/// excerpt; a success body that does not match becomes [`Error::Decode`].
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
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Error::RateLimited {
                retry_after: parse_retry_after(headers),
            };
        }
        // The generated ErrorBody is strict about field types; a body that
        // is HelloAsso's shape with one odd field still deserves its code.
        if let Ok(parts) = serde_json::from_slice::<ErrorParts>(body)
            && !parts.is_empty()
        {
            return error_from_parts(status, headers, parts);
        }
        return Error::Api {
            status,
            code: None,
            message: None,
            errors: Vec::new(),
            model_state: BTreeMap::new(),
            excerpt: Some(excerpt(body)),
        };
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let message = match content_type.as_deref() {
        Some(ct) if !is_json(ct) => format!("expected a JSON body, got `{ct}` ({decode_error})"),
        _ => decode_error,
    };
    Error::Decode {
        status,
        content_type,
        path: decode_path(body),
        message,
        excerpt: excerpt(body),
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
            error_from_parts(status, &headers, response.into_inner().into())
        }
        helloasso_raw::Error::InvalidResponsePayload(body, e) => {
            error_from_undecodable(status, headers, &body, e.to_string(), decode_path)
        }
        helloasso_raw::Error::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            match response.bytes().await {
                Ok(body) => match serde_json::from_slice::<ErrorParts>(&body) {
                    Ok(parts)
                        if !parts.is_empty()
                            && (status.is_client_error() || status.is_server_error()) =>
                    {
                        error_from_parts(status, &headers, parts)
                    }
                    Ok(_) | Err(_) => error_from_undecodable(
                        Some(status),
                        Some(&headers),
                        &body,
                        format!(
                            "HTTP {} is not an answer this operation describes",
                            status.as_u16()
                        ),
                        no_path,
                    ),
                },
                Err(e) => transport(e),
            }
        }
        helloasso_raw::Error::CommunicationError(e)
        | helloasso_raw::Error::ResponseBodyError(e)
        | helloasso_raw::Error::InvalidUpgrade(e) => transport(e),
        helloasso_raw::Error::InvalidRequest(message) => Error::invalid_request(message),
        helloasso_raw::Error::Custom(message) => Error::invalid_request(message),
    }
}

/// A reqwest failure, with whether the request may have been acted on.
pub(crate) fn transport(error: reqwest::Error) -> Error {
    let error = crate::transport::without_query(error);
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

const EXCERPT_CHARS: usize = 200;

/// JSON keys whose values are never copied into an error.
const SECRET_KEYS: [&str; 5] = [
    "access_token",
    "refresh_token",
    "client_secret",
    "code_verifier",
    "id_token",
];

/// The start of a body, on one line, with secret values masked.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = mask_secrets(&text);
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return "(empty body)".to_owned();
    }
    let mut chars = collapsed.chars();
    let head: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// Replaces the string value after each secret key with `[redacted]`,
/// tolerating truncated documents (a value cut off mid-way is masked to the end).
fn mask_secrets(text: &str) -> String {
    let mut out = text.to_owned();
    for key in SECRET_KEYS {
        let needle = format!("\"{key}\"");
        let mut from = 0;
        while let Some(found) = out[from..].find(&needle) {
            let after_key = from + found + needle.len();
            let rest = &out[after_key..];
            let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ':');
            let value_start = after_key + (rest.len() - trimmed.len());
            if !trimmed.starts_with('"') {
                from = after_key;
                continue;
            }
            let content_start = value_start + 1;
            let mut end = out.len();
            let mut escaped = false;
            for (i, c) in out[content_start..].char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = content_start + i;
                        break;
                    }
                    _ => escaped = false,
                }
            }
            out.replace_range(content_start..end, "[redacted]");
            from = content_start + "[redacted]".len();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_masks_secrets_even_when_truncated() {
        let body = br#"{"access_token": "eyJSECRET1", "refresh_token":"SECRET2","expires_in":1800, "x": {"client_secret" : "SECRET3"}, "code_verifier": "SECRET4"#;
        let text = excerpt(body);
        assert!(!text.contains("SECRET"), "{text}");
        assert!(text.contains("\"expires_in\":1800"), "{text}");
    }

    #[test]
    fn excerpt_is_short_and_one_line() {
        let body = format!("<html>\n<body>{}</body></html>", "x".repeat(1000));
        let text = excerpt(body.as_bytes());
        assert!(text.starts_with("<html> <body>xxx"), "{text}");
        assert!(text.chars().count() <= EXCERPT_CHARS + 1);
        assert_eq!(excerpt(b"  \n"), "(empty body)");
    }

    #[test]
    fn body_shapes_map_to_variants() {
        let headers = HeaderMap::new();
        let parse = |status: u16, json: &str| {
            error_from_parts(
                StatusCode::from_u16(status).unwrap(),
                &headers,
                serde_json::from_str(json).unwrap(),
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
    fn content_type_check() {
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/problem+json"));
        assert!(!is_json("text/html"));
    }
}

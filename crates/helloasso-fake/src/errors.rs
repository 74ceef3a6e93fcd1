//! Error responses shaped like HelloAsso's.
//!
//! Choices (kept consistent across the server):
//! - 400 validation errors: `{"errors":[{"code":"ArgumentInvalid","message":...}]}`.
//! - 401 (missing, unknown, expired or revoked token):
//!   `{"message":"Authorization has been denied for this request."}` with
//!   `WWW-Authenticate: Bearer`.
//! - 403 (an organization the token may not access):
//!   `{"errors":[{"code":"Forbidden","message":...}]}`.
//! - 403 (the client lacks the route's privilege, see [`crate::privileges`]):
//!   `{"message":"insufficient Privileges"}`, the only text an independent
//!   client saw from the live API; the top-level `message` shape is the one
//!   of HelloAsso's 401 (our assumption for the 403).
//! - A refused refund: 400 or 409 `{"errors":[{"code":"Error","message":"Code : NNN - text"}]}`,
//!   the reason code inside `message`, as HelloAsso's developer docs show.
//! - 404 (unknown organization, form, payment, checkout intent or route):
//!   `{"errors":[{"code":"NotFound","message":...}]}`.
//! - 409 MFA: `{"errors":[{"code":"AuthorizationErrors.MFA.AccessOtpSmsRequired",...}]}`.
//! - 500 (a page index past the last page): `{"errors":[{"code":"InternalError",...}]}`.
//! - OAuth errors: `{"error":...,"error_description":...}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

/// An error answer of the fake.
#[derive(Debug, Clone)]
pub(crate) enum ApiError {
    /// 400 with one `ArgumentInvalid` error.
    Invalid(String),
    /// 400 with a specific code.
    BadRequest { code: &'static str, message: String },
    /// 401.
    Unauthorized,
    /// 403 for an organization out of the token's reach.
    Forbidden(String),
    /// 403 for a privilege the client lacks.
    InsufficientPrivileges,
    /// A refused refund: its status and HelloAsso's reason code (101-122).
    Refund {
        status: StatusCode,
        reason: u16,
        text: String,
    },
    /// 404.
    NotFound(String),
    /// 409 with an MFA code.
    Mfa { code: &'static str, message: String },
    /// 500.
    Internal(String),
    /// An OAuth error.
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: String,
    },
}

impl ApiError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound(message.into())
    }

    pub(crate) fn oauth(
        status: StatusCode,
        error: &'static str,
        description: impl Into<String>,
    ) -> Self {
        Self::OAuth {
            status,
            error,
            description: description.into(),
        }
    }
}

fn errors_body(code: &str, message: &str) -> serde_json::Value {
    json!({ "errors": [ { "code": code, "message": message } ] })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::Invalid(m) => (StatusCode::BAD_REQUEST, errors_body("ArgumentInvalid", &m)),
            ApiError::BadRequest { code, message } => {
                (StatusCode::BAD_REQUEST, errors_body(code, &message))
            }
            ApiError::Unauthorized => {
                let mut resp = (
                    StatusCode::UNAUTHORIZED,
                    axum::Json(
                        json!({ "message": "Authorization has been denied for this request." }),
                    ),
                )
                    .into_response();
                resp.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                return resp;
            }
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, errors_body("Forbidden", &m)),
            ApiError::InsufficientPrivileges => (
                StatusCode::FORBIDDEN,
                json!({ "message": "insufficient Privileges" }),
            ),
            ApiError::Refund {
                status,
                reason,
                text,
            } => (
                status,
                errors_body("Error", &format!("Code : {reason} - {text}")),
            ),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, errors_body("NotFound", &m)),
            ApiError::Mfa { code, message } => (StatusCode::CONFLICT, errors_body(code, &message)),
            ApiError::Internal(m) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                errors_body("InternalError", &m),
            ),
            ApiError::OAuth {
                status,
                error,
                description,
            } => (
                status,
                json!({ "error": error, "error_description": description }),
            ),
        };
        (status, axum::Json(body)).into_response()
    }
}

/// A handler's answer: the value as JSON, or the error.
pub(crate) fn json_response<T: Serialize>(result: Result<T, ApiError>) -> Response {
    result.map(axum::Json).into_response()
}

/// A handler's answer when success has no body: an empty 200, or the error.
pub(crate) fn empty_response(result: Result<(), ApiError>) -> Response {
    result.map(|()| StatusCode::OK).into_response()
}

/// The fallback for unknown routes.
pub(crate) async fn not_found_route() -> ApiError {
    ApiError::not_found("No HTTP resource was found that matches the request URI.")
}

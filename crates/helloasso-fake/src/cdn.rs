//! What HelloAsso's content-delivery network does before the API sees a
//! request: it refuses one without a `User-Agent` (an independent client
//! checked against the live API reports it). The status and body of that
//! refusal are our assumption: 403 with a plain-text line.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Middleware of every HelloAsso route (not the fake-only ones).
pub(crate) async fn require_user_agent(req: Request, next: Next) -> Response {
    let present = req
        .headers()
        .get(header::USER_AGENT)
        .is_some_and(|v| !v.as_bytes().iter().all(u8::is_ascii_whitespace));
    if present {
        next.run(req).await
    } else {
        (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "A User-Agent header is required.",
        )
            .into_response()
    }
}

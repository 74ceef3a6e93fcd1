//! The check of `/v5` that the client holds the privilege a route needs
//! ([`crate::privileges`] lists which).

use crate::errors::ApiError;
use crate::privileges::required;
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Middleware of `/v5` (after the bearer check): 403 when the client lacks
/// the route's privilege.
pub(crate) async fn require_privilege(
    State(st): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    let needed = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|m| required(req.method(), m.as_str()));
    match needed {
        Some(p) if !st.privileges.contains(&p) => ApiError::InsufficientPrivileges.into_response(),
        _ => next.run(req).await,
    }
}

//! An organization changing its slug, as an association does from its
//! back office: later requests name it by the new slug, and HelloAsso sends
//! an `Organization` notification in sample 04's shape
//! (`{"old_slug_organization", "new_slug_organization"}`).

use crate::errors::ApiError;
use crate::state::AppState;
use crate::webhooks;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;

/// Renames the organization `old` to `new` and notifies it.
pub(crate) fn rename(st: &Arc<AppState>, old: &str, new: &str) -> Result<(), ApiError> {
    let new = new.trim();
    if new.is_empty() || new.len() > 250 || new.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "The new slug must be 1 to 250 printable characters.",
        ));
    }
    let old_slug = {
        let mut ds = st.write();
        let idx = ds
            .org_index(old)
            .ok_or_else(|| ApiError::not_found(format!("Organization '{old}' not found.")))?;
        if ds.org_index(new).is_some_and(|other| other != idx) {
            return Err(ApiError::invalid(format!("The slug '{new}' is taken.")));
        }
        std::mem::replace(&mut ds.orgs[idx as usize].slug, new.to_owned())
    };
    webhooks::notify(
        st,
        "Organization",
        json!({ "old_slug_organization": old_slug, "new_slug_organization": new }),
        None,
    );
    Ok(())
}

/// `POST /_fake/organizations/{slug}/rename` with `{"newSlug": "..."}`.
pub(crate) async fn rename_route(
    State(st): State<Arc<AppState>>,
    Path(slug): Path<String>,
    body: Bytes,
) -> Response {
    let new = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("newSlug").and_then(|s| s.as_str()).map(str::to_owned));
    let Some(new) = new else {
        return ApiError::invalid("Expected {\"newSlug\": \"...\"}.").into_response();
    };
    match rename(&st, &slug, &new) {
        Ok(()) => axum::Json(json!({ "oldSlug": slug, "newSlug": new.trim() })).into_response(),
        Err(e) => e.into_response(),
    }
}

//! Fake-only routes, all under `/_fake/` (no authentication):
//!
//! | route | what |
//! |---|---|
//! | `GET /_fake/info` | organizations, forms, payment count, credentials' client id |
//! | `GET /_fake/counters` | [`CountersSnapshot`](crate::CountersSnapshot) as JSON |
//! | `GET /_fake/faults`, `PUT /_fake/faults` | the [`FaultConfig`] as JSON |
//! | `GET /_fake/mfa`, `PUT /_fake/mfa` | MFA mode (`GET` hides the code) |
//! | `PUT /_fake/webhook` | [`WebhookConfig`] JSON, or `null` to stop |
//! | `POST /_fake/tokens/expire` | every access token expires now (refresh tokens stay valid) |
//! | `POST /_fake/checkout-intents/{id}/pay` | pays an intent; answers [`PaidCheckout`](crate::PaidCheckout) |
//! | `POST /_fake/orders/{orderId}/instalments/take` | takes the order's next instalment and notifies it; answers [`TakenInstalment`](crate::TakenInstalment) |
//! | `GET /_fake/checkout/{id}`, `POST` | the payment page `redirectUrl` leads to |
//! | `POST /_fake/organizations/{slug}/rename` | `{"newSlug"}`: renames it and sends the `Organization` notification |

use crate::config::FaultConfig;
use crate::config::{MfaConfig, WebhookConfig};
use crate::errors::ApiError;
use crate::locks::{lock, read, write};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;

pub(crate) async fn counters(State(st): State<Arc<AppState>>) -> Response {
    axum::Json(st.counters.snapshot()).into_response()
}

pub(crate) async fn get_faults(State(st): State<Arc<AppState>>) -> Response {
    axum::Json(read(&st.faults).clone()).into_response()
}

pub(crate) async fn put_faults(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    let cfg: FaultConfig = match serde_json::from_slice(&body) {
        Ok(c) => c,
        Err(e) => {
            return ApiError::invalid(format!("Invalid fault configuration: {e}")).into_response();
        }
    };
    if let Err(e) = cfg.validate() {
        return ApiError::invalid(e).into_response();
    }
    *write(&st.faults) = cfg.clone();
    axum::Json(cfg).into_response()
}

pub(crate) async fn get_mfa(State(st): State<Arc<AppState>>) -> Response {
    axum::Json(json!({ "mode": read(&st.mfa).mode })).into_response()
}

pub(crate) async fn put_mfa(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    match serde_json::from_slice::<MfaConfig>(&body) {
        Ok(cfg) => {
            let mode = cfg.mode;
            *write(&st.mfa) = cfg;
            axum::Json(json!({ "mode": mode })).into_response()
        }
        Err(e) => ApiError::invalid(format!("Invalid MFA configuration: {e}")).into_response(),
    }
}

pub(crate) async fn put_webhook(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Option<WebhookConfig>>(&body) {
        Ok(cfg) => {
            *write(&st.webhook) = cfg;
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => ApiError::invalid(format!("Invalid webhook configuration: {e}")).into_response(),
    }
}

pub(crate) async fn expire_tokens(State(st): State<Arc<AppState>>) -> Response {
    lock(&st.tokens).expire_access_tokens();
    StatusCode::NO_CONTENT.into_response()
}

pub(crate) async fn info(State(st): State<Arc<AppState>>) -> Response {
    axum::Json(crate::info::info(&st)).into_response()
}

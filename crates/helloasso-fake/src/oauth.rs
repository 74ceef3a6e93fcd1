//! OAuth2 as HelloAsso speaks it: `POST /oauth2/token` (client credentials,
//! refresh token with rotation, authorization code with PKCE),
//! `GET /oauth2/disconnect`, `GET /authorize`, and the bearer check of `/v5`.
//!
//! Scopes: a `client_credentials` token may read every seeded organization
//! (like a partner linked to all of them), or only the main one when the
//! client is an association's; an `authorization_code` token is bound to the
//! organization chosen at authorization and gets 403 elsewhere.
//! Bad client credentials answer 400 `unauthorized_client` with the same
//! body for a wrong id or a wrong secret, as sample 61 shows. The
//! authorization-code grant needs the client secret and the PKCE verifier
//! (DESIGN.md: partners use authorization code + PKCE S256).

use crate::counters::bump;
use crate::errors::ApiError;
use crate::locks::lock;
use crate::query::Query;
use crate::state::AppState;
use crate::tokens::Scope;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Instant;

fn oauth_error(status: StatusCode, error: &'static str, description: &str) -> ApiError {
    ApiError::oauth(status, error, description)
}

/// Sample 61: 400 `unauthorized_client`, naming the client id sent.
fn invalid_client(client_id: Option<&str>) -> ApiError {
    oauth_error(
        StatusCode::BAD_REQUEST,
        "unauthorized_client",
        &format!("Invalid client_id '{}'", client_id.unwrap_or_default()),
    )
}

fn invalid_grant(description: &str) -> ApiError {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// `POST /oauth2/token`.
pub(crate) async fn token(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    bump(&st.counters.requests.token);
    let result = match body {
        Ok(body) => issue_token(&st, &headers, &body),
        Err(_) => Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request body cannot be read.",
        )),
    };
    match result {
        Ok(resp) => resp,
        Err(e) => {
            bump(&st.counters.tokens.refused);
            e.into_response()
        }
    }
}

fn issue_token(st: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Response, ApiError> {
    let form = Query::parse(Some(std::str::from_utf8(body).unwrap_or("")));
    let basic = basic_credentials(headers);
    let client_id = form
        .get("client_id")
        .map(str::to_owned)
        .or_else(|| basic.as_ref().map(|b| b.0.clone()));
    let client_secret = form
        .get("client_secret")
        .map(str::to_owned)
        .or_else(|| basic.as_ref().map(|b| b.1.clone()));
    let grant_type = form.get("grant_type").ok_or_else(|| {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type is missing.",
        )
    })?;
    if client_id.as_deref() != Some(st.client_id.as_str()) {
        return Err(invalid_client(client_id.as_deref()));
    }
    let mut store = lock(&st.tokens);
    let (scope, grant_counter) = match grant_type {
        "client_credentials" => {
            if client_secret.as_deref() != Some(st.client_secret.as_str()) {
                return Err(invalid_client(client_id.as_deref()));
            }
            let scope = if st.association {
                Scope::Org(0)
            } else {
                Scope::All
            };
            (scope, &st.counters.tokens.client_credentials)
        }
        "refresh_token" => {
            let refresh = form.get("refresh_token").ok_or_else(|| {
                oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "refresh_token is missing.",
                )
            })?;
            // Rotation: a refresh token is single-use.
            let grant = store
                .refresh
                .remove(refresh)
                .ok_or_else(|| invalid_grant("Invalid refresh token."))?;
            if grant.expires <= Instant::now() {
                return Err(invalid_grant("The refresh token has expired."));
            }
            (grant.scope, &st.counters.tokens.refresh_token)
        }
        "authorization_code" => {
            if client_secret.as_deref() != Some(st.client_secret.as_str()) {
                return Err(invalid_client(client_id.as_deref()));
            }
            let code = form.get("code").ok_or_else(|| {
                oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "code is missing.",
                )
            })?;
            let entry = store
                .codes
                .remove(code)
                .ok_or_else(|| invalid_grant("Invalid authorization code."))?;
            if entry.expires <= Instant::now() {
                return Err(invalid_grant("The authorization code has expired."));
            }
            if form.get("redirect_uri") != Some(entry.redirect_uri.as_str()) {
                return Err(invalid_grant(
                    "The redirect_uri does not match the authorization request.",
                ));
            }
            // PKCE is required: a code asked without a challenge, or
            // redeemed without a verifier, is refused.
            let (Some(challenge), Some(verifier)) = (&entry.challenge, form.get("code_verifier"))
            else {
                return Err(invalid_grant(
                    "The code_challenge and code_verifier are required.",
                ));
            };
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if &computed != challenge {
                return Err(invalid_grant(
                    "The code_verifier does not match the code_challenge.",
                ));
            }
            (
                Scope::Org(entry.org),
                &st.counters.tokens.authorization_code,
            )
        }
        _ => {
            return Err(oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "The grant type is not supported.",
            ));
        }
    };
    let (access, refresh) = store.issue(scope, st.token_lifetime, st.refresh_lifetime);
    drop(store);
    bump(grant_counter);
    let mut body = json!({
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": st.token_lifetime.as_secs(),
    });
    if let Scope::Org(org) = scope {
        let slug = st.read().orgs[org as usize].slug.clone();
        body["organization_slug"] = json!(slug);
    }
    let mut resp = axum::Json(body).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// The bearer token of a request, if any.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Middleware of `/v5`: a valid access token or 401. The token's [`Scope`]
/// is put in the request's extensions.
pub(crate) async fn require_bearer(
    State(st): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let scope = bearer(req.headers()).and_then(|t| lock(&st.tokens).check(t));
    match scope {
        Some(scope) => {
            req.extensions_mut().insert(scope);
            next.run(req).await
        }
        None => {
            bump(&st.counters.requests.unauthorized);
            ApiError::Unauthorized.into_response()
        }
    }
}

/// `GET /oauth2/disconnect`: revokes every token of the caller's scope.
pub(crate) async fn disconnect(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    bump(&st.counters.requests.disconnect);
    let mut store = lock(&st.tokens);
    match bearer(&headers).and_then(|t| store.check(t)) {
        Some(scope) => {
            store.revoke(scope);
            StatusCode::OK.into_response()
        }
        None => {
            drop(store);
            bump(&st.counters.requests.unauthorized);
            ApiError::Unauthorized.into_response()
        }
    }
}

/// `GET /authorize`: approves at once and redirects to `redirect_uri` with a
/// `code` (and the caller's `state`). `organization_slug` (fake-only) picks
/// the organization; the main one otherwise.
pub(crate) async fn authorize(
    State(st): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Response {
    bump(&st.counters.requests.authorize);
    let q = Query::parse(raw.as_deref());
    if q.get("client_id") != Some(st.client_id.as_str()) {
        return invalid_client(q.get("client_id")).into_response();
    }
    let Some(redirect_uri) = q.get("redirect_uri") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri is missing.",
        )
        .into_response();
    };
    let Ok(mut target) = url::Url::parse(redirect_uri) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri is not a URL.",
        )
        .into_response();
    };
    let challenge = q.get("code_challenge").map(str::to_owned);
    if challenge.is_some() && q.get("code_challenge_method").is_some_and(|m| m != "S256") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Only S256 is supported.",
        )
        .into_response();
    }
    let org = {
        let data = st.read();
        match q.get("organization_slug") {
            Some(slug) => match data.org_index(slug) {
                Some(o) => o,
                None => {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "Unknown organization.",
                    )
                    .into_response();
                }
            },
            None => 0,
        }
    };
    let code = lock(&st.tokens).create_code(org, redirect_uri, challenge);
    {
        let mut pairs = target.query_pairs_mut();
        pairs.append_pair("code", &code);
        if let Some(state) = q.get("state") {
            pairs.append_pair("state", state);
        }
    }
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

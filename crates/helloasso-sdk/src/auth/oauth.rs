//! HelloAsso's token endpoint: client credentials, refresh, authorization
//! code; and the partner authorization URL.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use helloasso_raw::types;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::pkce::PkceVerifier;
use super::token::{Token, TokenKey};
use super::token_cache::FetchToken;
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::error_mapping::json_path;
use crate::transport::{Plan, Transport};

/// A client id and its secret. `Debug` shows the id only.
#[derive(Clone)]
pub(crate) struct Credentials {
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
}

impl Credentials {
    /// A one-way fingerprint of the id and secret, kept with the tokens
    /// they obtain: a stored token of other credentials is then not used.
    pub(crate) fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        // Domain-separated, so that the digest is of no use elsewhere.
        hash.update(b"helloasso-sdk credentials v1\0");
        hash.update(self.client_id.as_bytes());
        hash.update(b"\0");
        hash.update(self.client_secret.expose_secret().as_bytes());
        hex::encode(&hash.finalize()[..16])
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &crate::redact::Redacted)
            .finish()
    }
}

fn token_request(grant_type: types::GrantType, client_id: &str) -> types::TokenRequest {
    types::TokenRequest {
        grant_type,
        client_id: client_id.to_owned(),
        client_secret: None,
        refresh_token: None,
        code: None,
        redirect_uri: None,
        code_verifier: None,
    }
}

/// Posts one token request. The form holds secrets: it is cloned into each
/// attempt and never logged.
async fn request_token(
    transport: &Transport,
    replayable: bool,
    form: types::TokenRequest,
) -> Result<Token> {
    let raw = helloasso_raw::Client::new_with_client(
        &transport.base_url,
        transport.http.clone(),
        helloasso_raw::hooks::CallContext::anonymous(),
    );
    let request = raw.token().body(form);
    let mut plan = Plan::of_request(&request).unauthenticated();
    if replayable {
        plan = plan.replayable();
    }
    let response = transport
        .run(&plan, None, json_path::<types::TokenResponse>, &request)
        .await?
        .into_body();
    Ok(token_from(response, transport.clock.now()))
}

/// What HelloAsso documents and answers (1799 or 1800 seconds): the lifetime
/// assumed when `expires_in` is absent or unreadable.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(30 * 60);
/// The shortest lifetime believed. An answer of 0 or less would otherwise
/// make every call fetch a new token; a token that really is dead earns a
/// 401, which triggers one refresh.
const MIN_LIFETIME: Duration = Duration::from_secs(60);
/// The longest lifetime believed: an absurd `expires_in` (1e15) must not
/// keep a token for ever, nor overflow a date.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The access token's lifetime from `expires_in`, which is a JSON number in
/// every answer seen but is read from a numeric string too; always within
/// [`MIN_LIFETIME`], [`MAX_LIFETIME`].
pub(crate) fn lifetime(expires_in: Option<&serde_json::Value>) -> Duration {
    let seconds = match expires_in {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match seconds.filter(|s| s.is_finite()) {
        None => DEFAULT_LIFETIME,
        Some(s) if s <= MIN_LIFETIME.as_secs_f64() => MIN_LIFETIME,
        Some(s) if s >= MAX_LIFETIME.as_secs_f64() => MAX_LIFETIME,
        Some(s) => Duration::from_secs_f64(s),
    }
}

/// The token pair a token answer describes, expiring [`lifetime`] from now.
pub(crate) fn token_from(response: types::TokenResponse, now: chrono::DateTime<Utc>) -> Token {
    let lifetime = chrono::Duration::from_std(lifetime(response.expires_in.as_ref()))
        .unwrap_or(chrono::Duration::zero());
    let token = Token::new(
        SecretString::from(response.access_token),
        response.refresh_token.map(SecretString::from),
        now.checked_add_signed(lifetime).unwrap_or(now),
    )
    .with_lifetime(lifetime);
    match response.organization_slug {
        Some(slug) => token.with_organization_slug(slug),
        None => token,
    }
}

/// The client-credentials grant: the client's own token.
pub(crate) async fn client_credentials(
    transport: &Transport,
    credentials: &Credentials,
) -> Result<Token> {
    let mut form = token_request(types::GrantType::ClientCredentials, &credentials.client_id);
    form.client_secret = Some(credentials.client_secret.expose_secret().to_owned());
    // Asking again for a client-credentials token is harmless.
    let token = request_token(transport, true, form).await?;
    // This grant proves the secret: the token is bound to it.
    Ok(token.with_credentials_fingerprint(credentials.fingerprint()))
}

/// The refresh-token grant. HelloAsso answers with a new refresh token and
/// invalidates the one sent, so this is never re-sent blindly.
pub(crate) async fn refresh(
    transport: &Transport,
    client_id: &str,
    refresh_token: &SecretString,
) -> Result<Token> {
    let mut form = token_request(types::GrantType::RefreshToken, client_id);
    form.refresh_token = Some(refresh_token.expose_secret().to_owned());
    request_token(transport, false, form).await
}

/// The authorization-code grant: a partner exchanges the code an
/// organization's user brought back. Codes are single-use: never re-sent.
pub(crate) async fn exchange_code(
    transport: &Transport,
    credentials: &Credentials,
    code: &str,
    redirect_uri: &str,
    verifier: &PkceVerifier,
) -> Result<Token> {
    let mut form = token_request(types::GrantType::AuthorizationCode, &credentials.client_id);
    form.client_secret = Some(credentials.client_secret.expose_secret().to_owned());
    form.code = Some(code.to_owned());
    form.redirect_uri = Some(redirect_uri.to_owned());
    form.code_verifier = Some(verifier.secret().expose_secret().to_owned());
    request_token(transport, false, form).await
}

/// Whether HelloAsso refused a grant itself (so another grant may work), as
/// opposed to failing to answer.
fn is_refusal(error: &Error) -> bool {
    match error {
        Error::OAuth { .. } => true,
        Error::Api { status, .. } => status.is_client_error(),
        _ => false,
    }
}

/// How a [`TokenCache`](super::token_cache::TokenCache) for `key` gets new
/// tokens: the refresh-token grant first, then, for the client's own token,
/// the client-credentials grant when the refresh is refused (an expired or
/// already rotated refresh token). An organization's token has no such
/// fallback: the organization has to authorize the client again.
pub(crate) fn fetcher(
    transport: Arc<Transport>,
    credentials: Arc<Credentials>,
    key: TokenKey,
) -> FetchToken {
    Arc::new(move |previous: Option<Token>| {
        Box::pin(fetch(
            transport.clone(),
            credentials.clone(),
            key.clone(),
            previous,
        ))
    })
}

/// One fetch of [`fetcher`]: the refresh grant, then the fallback.
async fn fetch(
    transport: Arc<Transport>,
    credentials: Arc<Credentials>,
    key: TokenKey,
    previous: Option<Token>,
) -> Result<Token> {
    let organization = previous
        .as_ref()
        .and_then(|p| p.organization_slug().map(str::to_owned));
    if let Some(refresh_token) = previous.as_ref().and_then(Token::refresh_token) {
        match refresh(&transport, &credentials.client_id, refresh_token).await {
            Ok(token) => {
                let token = match (token.organization_slug(), organization) {
                    (None, Some(slug)) => token.with_organization_slug(slug),
                    _ => token,
                };
                // A refresh proves no secret: the pair stays bound to the
                // credentials that first obtained it.
                return Ok(
                    match previous.as_ref().and_then(Token::credentials_fingerprint) {
                        Some(fingerprint) => token.with_credentials_fingerprint(fingerprint),
                        None => token,
                    },
                );
            }
            Err(error) if is_refusal(&error) && key.organization_slug().is_none() => {
                tracing::info!(
                    target: crate::telemetry::TARGET,
                    %error,
                    "refresh refused: falling back to the client credentials"
                );
            }
            Err(error) => return Err(error),
        }
    }
    match key.organization_slug() {
        None => client_credentials(&transport, &credentials).await,
        Some(slug) => Err(Error::invalid_request(format!(
            "no token for organization `{slug}`: send its user through \
             Client::authorization_request, then call Client::exchange_code"
        ))),
    }
}

/// Where to send an organization's user so that it authorizes a partner's
/// client, and the PKCE verifier and state to keep until the user comes back.
///
/// Keep [`verifier`](Self::verifier) and [`state`](Self::state) in the
/// user's session; when HelloAsso redirects to `redirect_uri?code=...&state=...`,
/// check that the state matches and call
/// [`Client::exchange_code`](crate::Client::exchange_code).
pub struct AuthorizationRequest {
    url: Url,
    verifier: PkceVerifier,
    state: String,
}

impl AuthorizationRequest {
    pub(crate) fn new(
        environment: &Environment,
        client_id: &str,
        redirect_uri: &str,
        state: Option<String>,
    ) -> Result<Self> {
        let redirect = Url::parse(redirect_uri).map_err(|e| {
            Error::invalid_request(format!(
                "the redirect URI `{redirect_uri}` is not an absolute URL ({e})"
            ))
        })?;
        let allowed = match redirect.scheme() {
            "https" => true,
            "http" => crate::environment::is_loopback(&redirect),
            _ => false,
        };
        if !allowed {
            return Err(Error::invalid_request(format!(
                "the redirect URI `{redirect_uri}` must use https (plain http only on loopback)"
            )));
        }
        let verifier = PkceVerifier::generate();
        // The state defends the redirect against cross-site request forgery.
        let state = state.unwrap_or_else(|| PkceVerifier::generate().challenge());
        let mut url = environment.authorize_url();
        url.query_pairs_mut()
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("code_challenge", &verifier.challenge())
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", &state);
        Ok(Self {
            url,
            verifier,
            state,
        })
    }

    /// The URL to open (HelloAsso recommends a pop-up).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The PKCE verifier to keep for the code exchange.
    pub fn verifier(&self) -> &PkceVerifier {
        &self.verifier
    }

    /// The state to compare with the one HelloAsso sends back.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The parts, to store them separately.
    pub fn into_parts(self) -> (Url, PkceVerifier, String) {
        (self.url, self.verifier, self.state)
    }
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("url", &self.url.as_str())
            .field("verifier", &self.verifier)
            .field("state", &self.state)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(expires_in: serde_json::Value) -> Token {
        let body = serde_json::json!({
            "access_token": "a", "refresh_token": "r", "token_type": "bearer", "expires_in": expires_in,
        });
        token_from(
            serde_json::from_value(body).expect("a token answer decodes"),
            Utc::now(),
        )
    }

    fn seconds_left(token: &Token) -> i64 {
        (token.expires_at() - Utc::now()).num_seconds()
    }

    #[test]
    fn expires_in_as_helloasso_sends_it() {
        let token = answer(serde_json::json!(1799));
        assert!((1790..=1799).contains(&seconds_left(&token)), "{token:?}");
    }

    #[test]
    fn expires_in_as_a_numeric_string() {
        let token = answer(serde_json::json!("1800"));
        assert!((1790..=1800).contains(&seconds_left(&token)), "{token:?}");
        let spaced = answer(serde_json::json!(" 900 "));
        assert!((890..=900).contains(&seconds_left(&spaced)), "{spaced:?}");
    }

    #[test]
    fn expires_in_zero_or_negative_gives_the_minimum_lifetime() {
        for value in [
            serde_json::json!(0),
            serde_json::json!(-5),
            serde_json::json!("-1e9"),
        ] {
            let token = answer(value.clone());
            let left = seconds_left(&token);
            assert!((50..=60).contains(&left), "{value}: {left}");
        }
    }

    #[test]
    fn expires_in_absurdly_large_is_capped_without_panic() {
        for value in [
            serde_json::json!(1e15),
            serde_json::json!(u64::MAX),
            serde_json::json!(i64::MAX),
            serde_json::json!("1e308"),
            serde_json::json!(1.7976931348623157e308),
        ] {
            let token = answer(value.clone());
            let left = seconds_left(&token);
            assert!((86_390..=86_400).contains(&left), "{value}: {left}");
        }
    }

    #[test]
    fn expires_in_missing_or_unreadable_gives_the_documented_lifetime() {
        for value in [
            serde_json::json!("soon"),
            serde_json::json!(null),
            serde_json::json!([1]),
        ] {
            let left = seconds_left(&answer(value.clone()));
            assert!((1790..=1800).contains(&left), "{value}: {left}");
        }
        let body = serde_json::json!({ "access_token": "a" });
        let token = token_from(serde_json::from_value(body).expect("decodes"), Utc::now());
        assert!((1790..=1800).contains(&seconds_left(&token)));
    }

    #[test]
    fn the_real_refresh_answer_gives_a_token() {
        // tests/data/samples/oauth/60_REAL_token_refresh_grant_response__permacat_v2.json,
        // shortened: the tokens are random strings of the captured lengths.
        let body = serde_json::json!({
            "access_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig",
            "token_type": "bearer",
            "expires_in": 1799,
            "refresh_token": "gU5nGYVHWVsUQk4DwgLGNOae",
        });
        let token = token_from(serde_json::from_value(body).expect("decodes"), Utc::now());
        assert!(token.refresh_token().is_some());
        assert_eq!(token.organization_slug(), None);
    }

    #[test]
    fn authorization_url_carries_pkce_s256() {
        let request = AuthorizationRequest::new(
            &Environment::Sandbox,
            "my-id",
            "https://app.example.org/callback",
            Some("xyz".into()),
        )
        .unwrap();
        let url = request.url();
        assert_eq!(url.host_str(), Some("auth.helloasso-sandbox.com"));
        assert_eq!(url.path(), "/authorize");
        let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(query["client_id"], "my-id");
        assert_eq!(query["redirect_uri"], "https://app.example.org/callback");
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(query["code_challenge"], request.verifier().challenge());
        assert_eq!(query["state"], "xyz");
        // The verifier itself never travels in the URL.
        assert!(
            !url.as_str()
                .contains(request.verifier().secret().expose_secret())
        );
    }

    #[test]
    fn authorization_url_rejects_bad_redirects() {
        for bad in ["not a url", "http://app.example.org/cb"] {
            assert!(
                AuthorizationRequest::new(&Environment::Production, "id", bad, None).is_err(),
                "{bad}"
            );
        }
        let local = AuthorizationRequest::new(
            &Environment::Production,
            "id",
            "http://127.0.0.1:8080/cb",
            None,
        )
        .unwrap();
        assert!(!local.state().is_empty());
    }
}

//! HelloAsso's token endpoint: client credentials, refresh, authorization
//! code; and the partner authorization URL.

use std::fmt;
use std::sync::Arc;

use chrono::Utc;
use helloasso_raw::types;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::pkce::PkceVerifier;
use super::token::{Token, TokenKey};
use super::token_cache::FetchToken;
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::response::json_path;
use crate::transport::{Operation, Transport};

/// A client id and its secret. `Debug` shows the id only.
#[derive(Clone)]
pub(crate) struct Credentials {
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &crate::error::Redacted)
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
    operation: Operation,
    form: types::TokenRequest,
) -> Result<Token> {
    let response = transport
        .run(
            &operation.unauthenticated(),
            None,
            json_path::<types::TokenResponse>,
            &move |raw| {
                let form = form.clone();
                Box::pin(async move { raw.token().body(form).send().await })
            },
        )
        .await?
        .into_inner();
    let lifetime = chrono::Duration::seconds(response.expires_in.max(0));
    let token = Token::new(
        SecretString::from(response.access_token),
        response.refresh_token.map(SecretString::from),
        Utc::now() + lifetime,
    );
    Ok(match response.organization_slug {
        Some(slug) => token.with_organization_slug(slug),
        None => token,
    })
}

/// The client-credentials grant: the client's own token.
pub(crate) async fn client_credentials(
    transport: &Transport,
    credentials: &Credentials,
) -> Result<Token> {
    let mut form = token_request(types::GrantType::ClientCredentials, &credentials.client_id);
    form.client_secret = Some(credentials.client_secret.expose_secret().to_owned());
    // Asking again for a client-credentials token is harmless.
    request_token(transport, Operation::read("token"), form).await
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
    request_token(transport, Operation::write("token"), form).await
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
    request_token(transport, Operation::write("token"), form).await
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
        let transport = transport.clone();
        let credentials = credentials.clone();
        let key = key.clone();
        Box::pin(async move {
            let organization = previous
                .as_ref()
                .and_then(|p| p.organization_slug().map(str::to_owned));
            if let Some(refresh_token) = previous.as_ref().and_then(Token::refresh_token) {
                match refresh(&transport, &credentials.client_id, refresh_token).await {
                    Ok(token) => {
                        return Ok(match (token.organization_slug(), organization) {
                            (None, Some(slug)) => token.with_organization_slug(slug),
                            _ => token,
                        });
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
        })
    })
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

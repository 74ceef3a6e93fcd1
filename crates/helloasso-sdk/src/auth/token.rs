//! An OAuth token pair and the key it is stored under.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};

/// An access token, the refresh token that came with it, and when the access
/// token expires.
///
/// HelloAsso's access tokens last 30 minutes; refresh tokens about a month,
/// and each refresh returns a new one that replaces the old.
/// `Debug` never shows the tokens.
#[derive(Clone)]
pub struct Token {
    access_token: SecretString,
    refresh_token: Option<SecretString>,
    expires_at: DateTime<Utc>,
    /// How long the token had to live when HelloAsso issued it, when known
    /// (a token just fetched, not one read back from a store): caps the
    /// refresh margin, so that a short-lived token is not refreshed at once.
    lifetime: Option<chrono::Duration>,
    organization_slug: Option<String>,
    /// Which credentials obtained the token (see
    /// [`credentials_fingerprint`](Self::credentials_fingerprint)).
    credentials: Option<String>,
}

impl Token {
    /// A token pair. `expires_at` is when the access token stops working.
    pub fn new(
        access_token: SecretString,
        refresh_token: Option<SecretString>,
        expires_at: DateTime<Utc>,
    ) -> Self {
        Self {
            access_token,
            refresh_token,
            expires_at,
            lifetime: None,
            organization_slug: None,
            credentials: None,
        }
    }

    /// The same token, known to have been issued for `lifetime`.
    pub(crate) fn with_lifetime(mut self, lifetime: chrono::Duration) -> Self {
        self.lifetime = Some(lifetime);
        self
    }

    /// The same token, marked as issued for an organization (authorization-code grant).
    pub fn with_organization_slug(mut self, slug: impl Into<String>) -> Self {
        self.organization_slug = Some(slug.into());
        self
    }

    /// The same token, marked as obtained with the credentials of this
    /// fingerprint. A [`TokenStore`](crate::TokenStore) keeps it with the
    /// token, as the SDK's own stores do.
    pub fn with_credentials_fingerprint(mut self, fingerprint: impl Into<String>) -> Self {
        self.credentials = Some(fingerprint.into());
        self
    }

    /// A one-way fingerprint of the client id and secret that obtained this
    /// token, never the secret itself; `None` when unknown (a token saved by
    /// an older version, or by a store that does not keep it). A client
    /// whose credentials give another fingerprint ignores a stored token of
    /// its own instead of using it: a changed or mistyped secret is then
    /// proven, or refused, by HelloAsso.
    pub fn credentials_fingerprint(&self) -> Option<&str> {
        self.credentials.as_deref()
    }

    /// The bearer token sent in `Authorization`.
    pub fn access_token(&self) -> &SecretString {
        &self.access_token
    }

    /// The refresh token, if HelloAsso issued one.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh_token.as_ref()
    }

    /// When the access token expires.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// The organization that granted this token (authorization-code grant only).
    pub fn organization_slug(&self) -> Option<&str> {
        self.organization_slug.as_deref()
    }

    /// Whether the access token is still valid `skew` from now. A token is
    /// refreshed `skew` before it expires so that a request never leaves with a
    /// token that dies on the way. For a token HelloAsso issued with a
    /// lifetime shorter than twice `skew`, the margin is half that lifetime
    /// instead, so that a short lifetime does not make every call fetch a
    /// new token.
    pub fn is_fresh(&self, skew: Duration) -> bool {
        self.is_fresh_at(Utc::now(), skew)
    }

    /// [`is_fresh`](Self::is_fresh) as of `now`.
    pub fn is_fresh_at(&self, now: DateTime<Utc>, skew: Duration) -> bool {
        let mut skew = chrono::Duration::from_std(skew).unwrap_or(chrono::Duration::MAX);
        if let Some(lifetime) = self.lifetime {
            skew = skew.min(lifetime / 2);
        }
        now.checked_add_signed(skew)
            .is_some_and(|deadline| deadline < self.expires_at)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &crate::redact::Redacted)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| crate::redact::Redacted),
            )
            .field("expires_at", &self.expires_at)
            .field("organization_slug", &self.organization_slug)
            .finish()
    }
}

impl PartialEq for Token {
    /// Compares every field; meant for tests, not for authentication decisions.
    fn eq(&self, other: &Self) -> bool {
        self.access_token.expose_secret() == other.access_token.expose_secret()
            && self.refresh_token.as_ref().map(ExposeSecret::expose_secret)
                == other
                    .refresh_token
                    .as_ref()
                    .map(ExposeSecret::expose_secret)
            && self.expires_at == other.expires_at
            && self.organization_slug == other.organization_slug
            && self.credentials == other.credentials
    }
}

/// Which token pair a [`TokenStore`](crate::TokenStore) entry holds: the
/// client's own (client-credentials grant), or one an organization granted
/// a partner (authorization-code grant). A partner holds many.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenKey {
    client_id: String,
    organization: Option<String>,
}

impl TokenKey {
    /// The token the client obtains with its own credentials.
    pub fn own(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            organization: None,
        }
    }

    /// The token an organization granted this client.
    pub fn organization(client_id: impl Into<String>, slug: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            organization: Some(slug.into()),
        }
    }

    /// The client id the token was issued to.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The organization, for a partner's per-organization token.
    pub fn organization_slug(&self) -> Option<&str> {
        self.organization.as_deref()
    }
}

/// `client_id` or `client_id/organization-slug` (slugs contain no `/`).
impl fmt::Display for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.organization {
            None => f.write_str(&self.client_id),
            Some(org) => write!(f, "{}/{}", self.client_id, org),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_uses_the_skew() {
        let token = Token::new(
            "a".into(),
            None,
            Utc::now() + chrono::Duration::seconds(100),
        );
        assert!(token.is_fresh(Duration::from_secs(10)));
        assert!(!token.is_fresh(Duration::from_secs(200)));
        assert!(!token.is_fresh(Duration::MAX));
    }

    #[test]
    fn a_lifetime_shorter_than_the_margin_still_counts_as_fresh() {
        let token = Token::new(
            "a".into(),
            None,
            Utc::now() + chrono::Duration::seconds(100),
        )
        .with_lifetime(chrono::Duration::seconds(100));
        // The margin is capped at half the lifetime (50 s).
        assert!(token.is_fresh(Duration::from_secs(200)));
        assert!(token.is_fresh(Duration::MAX));
        // Half-way through its life it is due.
        let due = Token::new("a".into(), None, Utc::now() + chrono::Duration::seconds(40))
            .with_lifetime(chrono::Duration::seconds(100));
        assert!(!due.is_fresh(Duration::from_secs(60)));
        let expired = Token::new("a".into(), None, Utc::now() - chrono::Duration::seconds(1))
            .with_lifetime(chrono::Duration::seconds(100));
        assert!(!expired.is_fresh(Duration::ZERO));
    }

    #[test]
    fn key_display_is_the_store_key() {
        assert_eq!(TokenKey::own("abc").to_string(), "abc");
        assert_eq!(
            TokenKey::organization("abc", "my-asso").to_string(),
            "abc/my-asso"
        );
    }

    #[test]
    fn debug_hides_tokens() {
        let token = Token::new(
            "access-SECRET".into(),
            Some("refresh-SECRET".into()),
            Utc::now(),
        );
        let text = format!("{token:?}");
        assert!(!text.contains("SECRET"), "{text}");
    }
}

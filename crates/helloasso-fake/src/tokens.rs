//! The store of issued tokens and authorization codes, below the OAuth
//! handlers (oauth.rs) that read and write it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// What a token may access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every organization (client credentials).
    All,
    /// One organization (authorization code).
    Org(u8),
}

impl Scope {
    pub(crate) fn allows(self, org: u8) -> bool {
        match self {
            Scope::All => true,
            Scope::Org(o) => o == org,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Grant {
    pub(crate) expires: Instant,
    pub(crate) scope: Scope,
}

#[derive(Debug)]
pub(crate) struct Code {
    pub(crate) expires: Instant,
    pub(crate) org: u8,
    pub(crate) redirect_uri: String,
    pub(crate) challenge: Option<String>,
}

/// Issued tokens and authorization codes.
#[derive(Debug, Default)]
pub(crate) struct TokenStore {
    pub(crate) access: HashMap<String, Grant>,
    pub(crate) refresh: HashMap<String, Grant>,
    pub(crate) codes: HashMap<String, Code>,
}

/// A fresh, unguessable token or code: a random (version 4) UUID carries 122
/// random bits, plenty for a server that lives as long as a test.
fn random_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

impl TokenStore {
    pub(crate) fn prune(&mut self) {
        let now = Instant::now();
        if self.access.len() > 10_000 {
            self.access.retain(|_, g| g.expires > now);
        }
        if self.refresh.len() > 10_000 {
            self.refresh.retain(|_, g| g.expires > now);
        }
        if self.codes.len() > 1_000 {
            self.codes.retain(|_, c| c.expires > now);
        }
    }

    pub(crate) fn issue(
        &mut self,
        scope: Scope,
        lifetime: Duration,
        refresh_lifetime: Duration,
    ) -> (String, String) {
        self.prune();
        let now = Instant::now();
        let access = random_token();
        let refresh = random_token();
        self.access.insert(
            access.clone(),
            Grant {
                expires: now + lifetime,
                scope,
            },
        );
        self.refresh.insert(
            refresh.clone(),
            Grant {
                expires: now + refresh_lifetime,
                scope,
            },
        );
        (access, refresh)
    }

    /// The scope of a valid access token.
    pub(crate) fn check(&self, token: &str) -> Option<Scope> {
        self.access
            .get(token)
            .filter(|g| g.expires > Instant::now())
            .map(|g| g.scope)
    }

    /// Whether a refresh token obtained for this one organization (by the
    /// authorization-code flow) is still valid.
    pub(crate) fn has_organization_grant(&self, org: u8) -> bool {
        let now = Instant::now();
        self.refresh
            .values()
            .any(|g| g.scope == Scope::Org(org) && g.expires > now)
    }

    /// Makes every access token expired (refresh tokens stay valid).
    pub(crate) fn expire_access_tokens(&mut self) {
        self.access.clear();
    }

    pub(crate) fn revoke(&mut self, scope: Scope) {
        self.access.retain(|_, g| g.scope != scope);
        self.refresh.retain(|_, g| g.scope != scope);
    }

    /// Creates an authorization code for an organization.
    pub(crate) fn create_code(
        &mut self,
        org: u8,
        redirect_uri: &str,
        challenge: Option<String>,
    ) -> String {
        self.prune();
        let code = random_token();
        self.codes.insert(
            code.clone(),
            Code {
                expires: Instant::now() + Duration::from_secs(600),
                org,
                redirect_uri: redirect_uri.to_owned(),
                challenge,
            },
        );
        code
    }
}

//! Configuration of a fake server.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// Which multi-factor proof a refund demands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MfaMode {
    /// Refunds need no proof (the default).
    #[default]
    None,
    /// An SMS one-time code in `x-mfa-sms-access-authorization`
    /// (409 code `AuthorizationErrors.MFA.AccessOtpSmsRequired`).
    Sms,
    /// An e-mailed access token in `x-mfa-access-authorization`
    /// (409 code `AuthorizationErrors.MFA.AccessTokenRequired`).
    Email,
    /// The account password in `x-mfa-password-authorization`
    /// (409 code `AuthorizationErrors.MFA.AccessPasswordTokenRequired`).
    Password,
    /// The user has no MFA set up: every refund answers 409
    /// `AuthorizationErrors.UserNotEnrolled`.
    NotEnrolled,
}

impl MfaMode {
    /// The 409 error code for this mode, if it demands anything.
    pub fn error_code(self) -> Option<&'static str> {
        match self {
            MfaMode::None => None,
            MfaMode::Sms => Some("AuthorizationErrors.MFA.AccessOtpSmsRequired"),
            MfaMode::Email => Some("AuthorizationErrors.MFA.AccessTokenRequired"),
            MfaMode::Password => Some("AuthorizationErrors.MFA.AccessPasswordTokenRequired"),
            MfaMode::NotEnrolled => Some("AuthorizationErrors.UserNotEnrolled"),
        }
    }

    /// The request header carrying the proof for this mode.
    pub fn header(self) -> Option<&'static str> {
        match self {
            MfaMode::Sms => Some("x-mfa-sms-access-authorization"),
            MfaMode::Email => Some("x-mfa-access-authorization"),
            MfaMode::Password => Some("x-mfa-password-authorization"),
            MfaMode::None | MfaMode::NotEnrolled => None,
        }
    }
}

/// Multi-factor authentication demanded by refunds.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MfaConfig {
    /// What is demanded.
    pub mode: MfaMode,
    /// The proof accepted in the mode's header.
    pub code: String,
}

impl Default for MfaConfig {
    fn default() -> Self {
        Self {
            mode: MfaMode::None,
            code: "123456".to_owned(),
        }
    }
}

impl fmt::Debug for MfaConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaConfig")
            .field("mode", &self.mode)
            .field("code", &"<redacted>")
            .finish()
    }
}

/// Where webhook notifications go.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookConfig {
    /// The URL notifications are POSTed to.
    pub url: String,
    /// When set, each notification carries `x-ha-signature`: the lowercase hex
    /// HMAC-SHA256 of the raw body with this key (as HelloAsso signs partners').
    #[serde(default)]
    pub signature_key: Option<String>,
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .field(
                "signature_key",
                &self.signature_key.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Everything a fake server is started with. `FakeConfig::default()` gives a
/// small deterministic dataset (1,000 payments, seed 42) on a free port.
#[derive(Clone)]
pub struct FakeConfig {
    /// Seed of the dataset (same seed and size: byte-identical responses) and of fault draws.
    pub seed: u64,
    /// Number of seeded payments (across all organizations; about 90% belong
    /// to the main organization).
    pub payments: usize,
    /// Slug of the main organization.
    pub organization_slug: String,
    /// OAuth client id accepted by the token endpoint.
    pub client_id: String,
    /// OAuth client secret accepted by the token endpoint.
    pub client_secret: String,
    /// Access-token lifetime (`expires_in`); HelloAsso's is 30 minutes.
    pub token_lifetime: Duration,
    /// Refresh-token lifetime; HelloAsso's is about a month.
    pub refresh_token_lifetime: Duration,
    /// MFA demanded by refunds.
    pub mfa: MfaConfig,
    /// Faults injected (none by default).
    pub faults: FaultConfig,
    /// When true, listings answer `totalCount` and `totalPages` as -1.
    pub counts_unknown: bool,
    /// When true, every id starts past 2^31 (offset 3,000,000,000).
    pub large_ids: bool,
    /// When true, the client is an association's: its client-credentials
    /// tokens reach the main organization only (403 elsewhere) and not the
    /// partner routes. By default it is a partner's, linked to every
    /// seeded organization.
    pub association: bool,
    /// Webhook notifications (none by default).
    pub webhook: Option<WebhookConfig>,
    /// Port to listen on (127.0.0.1); 0 picks a free one.
    pub port: u16,
    /// Payers given to the newest payments of the main organization, one
    /// each, in order (the others keep their seeded payers): awkward names,
    /// e-mails and addresses for tests of what must never be recorded.
    pub payers: Vec<PayerSeed>,
    /// When true, organization listing pages splice payments serialized
    /// once instead of rendering each anew (for benchmarks of clients; the
    /// bytes are the same, and any write to the data turns it off).
    pub preserialize_listings: bool,
    /// Privileges granted beyond the client's defaults (a partner's client
    /// holds every one; an association's lacks `RefundManagement` and the
    /// directory's until granted).
    pub granted: Vec<crate::Privilege>,
}

/// A payer's personal data, as [`FakeConfig::payers`] seeds it.
#[derive(Debug, Clone, Default)]
pub struct PayerSeed {
    /// `firstName`, as given (quotes and line breaks included).
    pub first_name: String,
    /// `lastName`.
    pub last_name: String,
    /// `email`.
    pub email: String,
    /// `address` (may span lines).
    pub address: Option<String>,
    /// `city`.
    pub city: Option<String>,
    /// `zipCode`.
    pub zip_code: Option<String>,
    /// `country`.
    pub country: Option<String>,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            payments: 1_000,
            organization_slug: "demo-association".to_owned(),
            client_id: "fake-client-id".to_owned(),
            client_secret: "fake-client-secret".to_owned(),
            token_lifetime: Duration::from_secs(1800),
            refresh_token_lifetime: Duration::from_secs(30 * 24 * 3600),
            mfa: MfaConfig::default(),
            faults: FaultConfig::default(),
            counts_unknown: false,
            large_ids: false,
            association: false,
            webhook: None,
            port: 0,
            payers: Vec::new(),
            preserialize_listings: false,
            granted: Vec::new(),
        }
    }
}

impl FakeConfig {
    /// Gives these payers to the newest payments of the main organization.
    pub fn payers(mut self, payers: Vec<PayerSeed>) -> Self {
        self.payers = payers;
        self
    }

    /// The default configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the number of seeded payments.
    pub fn payments(mut self, n: usize) -> Self {
        self.payments = n;
        self
    }

    /// Sets the main organization's slug.
    pub fn organization_slug(mut self, slug: impl Into<String>) -> Self {
        self.organization_slug = slug.into();
        self
    }

    /// Sets the OAuth client credentials.
    pub fn credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.client_id = client_id.into();
        self.client_secret = client_secret.into();
        self
    }

    /// Sets the access-token lifetime.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Sets the MFA demanded by refunds.
    pub fn mfa(mut self, mode: MfaMode, code: impl Into<String>) -> Self {
        self.mfa = MfaConfig {
            mode,
            code: code.into(),
        };
        self
    }

    /// Sets the injected faults.
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }

    /// Makes listings answer -1 counts.
    pub fn counts_unknown(mut self, yes: bool) -> Self {
        self.counts_unknown = yes;
        self
    }

    /// Makes every id start past 2^31.
    pub fn large_ids(mut self, yes: bool) -> Self {
        self.large_ids = yes;
        self
    }

    /// Sends webhook notifications to `url`, signed with `key` when given.
    pub fn webhook(mut self, url: impl Into<String>, key: Option<String>) -> Self {
        self.webhook = Some(WebhookConfig {
            url: url.into(),
            signature_key: key,
        });
        self
    }

    /// Makes the client an association's rather than a partner's.
    pub fn association(mut self, yes: bool) -> Self {
        self.association = yes;
        self
    }

    /// Grants the client a privilege its kind lacks by default (an
    /// association's client and `RefundManagement`, for example).
    pub fn grant(mut self, privilege: crate::Privilege) -> Self {
        self.granted.push(privilege);
        self
    }

    /// The privileges the client holds.
    pub(crate) fn privileges(&self) -> Vec<crate::Privilege> {
        let mut held = if self.association {
            crate::Privilege::ASSOCIATION.to_vec()
        } else {
            crate::Privilege::ALL.to_vec()
        };
        held.extend(self.granted.iter().copied());
        held
    }

    /// Serializes each payment once for organization listing pages.
    pub fn preserialize_listings(mut self, yes: bool) -> Self {
        self.preserialize_listings = yes;
        self
    }

    /// Sets the port (0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }
}

impl fmt::Debug for FakeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeConfig")
            .field("seed", &self.seed)
            .field("payments", &self.payments)
            .field("organization_slug", &self.organization_slug)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("token_lifetime", &self.token_lifetime)
            .field("refresh_token_lifetime", &self.refresh_token_lifetime)
            .field("mfa", &self.mfa)
            .field("faults", &self.faults)
            .field("counts_unknown", &self.counts_unknown)
            .field("large_ids", &self.large_ids)
            .field("association", &self.association)
            .field("webhook", &self.webhook)
            .field("port", &self.port)
            .field("payers", &self.payers.len())
            .field("preserialize_listings", &self.preserialize_listings)
            .field("granted", &self.granted)
            .finish()
    }
}

/// Which requests faults apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultScope {
    /// `GET` requests under `/v5` only (safe to retry; the default).
    #[default]
    ApiGets,
    /// Every request under `/v5`, `POST`s included.
    Api,
    /// Every request but `/_fake`, the OAuth endpoints included.
    All,
}

/// Faults to inject (all off by default). Served and replaced as JSON by
/// `GET`/`PUT /_fake/faults`; missing fields take their default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultConfig {
    /// Delay added to every request in scope, in milliseconds.
    pub latency_ms: u64,
    /// Rate of 429 answers.
    pub rate_limit_rate: f64,
    /// Requests per second past which API requests get 429 (0: no limit);
    /// up to one second's worth may come at once.
    pub rate_limit_per_second: f64,
    /// `Retry-After` of 429 answers, in seconds.
    pub retry_after_secs: u64,
    /// Rate of 5xx answers.
    pub server_error_rate: f64,
    /// Status of 5xx answers (500-599; 503 by default).
    pub server_error_status: u16,
    /// Rate of connections dropped without an answer (the request is not executed).
    pub reset_rate: f64,
    /// Rate of answers whose body is cut in half (the request is executed).
    pub truncate_rate: f64,
    /// Which requests the faults above apply to.
    pub scope: FaultScope,
    /// Rate of refunds and order cancels executed whose answer is then
    /// dropped (whatever the scope).
    pub execute_then_drop_rate: f64,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            latency_ms: 0,
            rate_limit_rate: 0.0,
            rate_limit_per_second: 0.0,
            retry_after_secs: 1,
            server_error_rate: 0.0,
            server_error_status: 503,
            reset_rate: 0.0,
            truncate_rate: 0.0,
            scope: FaultScope::ApiGets,
            execute_then_drop_rate: 0.0,
        }
    }
}

impl FaultConfig {
    /// No faults.
    pub fn none() -> Self {
        Self::default()
    }

    /// Adds a fixed latency.
    pub fn latency(mut self, ms: u64) -> Self {
        self.latency_ms = ms;
        self
    }

    /// Answers 429 with `Retry-After: retry_after_secs` at this rate.
    pub fn rate_limited(mut self, rate: f64, retry_after_secs: u64) -> Self {
        self.rate_limit_rate = rate;
        self.retry_after_secs = retry_after_secs;
        self
    }

    /// Answers 429 to API requests past `per_second` requests per second.
    pub fn rate_limit(mut self, per_second: f64) -> Self {
        self.rate_limit_per_second = per_second;
        self
    }

    /// Answers `status` (500-599) at this rate.
    pub fn server_errors(mut self, rate: f64, status: u16) -> Self {
        self.server_error_rate = rate;
        self.server_error_status = status;
        self
    }

    /// Drops connections without an answer at this rate.
    pub fn resets(mut self, rate: f64) -> Self {
        self.reset_rate = rate;
        self
    }

    /// Cuts answers' bodies at this rate.
    pub fn truncations(mut self, rate: f64) -> Self {
        self.truncate_rate = rate;
        self
    }

    /// Sets which requests faults apply to.
    pub fn scope(mut self, scope: FaultScope) -> Self {
        self.scope = scope;
        self
    }

    /// Executes refunds and then drops the connection at this rate.
    pub fn execute_then_drop(mut self, rate: f64) -> Self {
        self.execute_then_drop_rate = rate;
        self
    }

    /// Checks rates and status; the error says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("rate_limit_rate", self.rate_limit_rate),
            ("server_error_rate", self.server_error_rate),
            ("reset_rate", self.reset_rate),
            ("truncate_rate", self.truncate_rate),
            ("execute_then_drop_rate", self.execute_then_drop_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0.0 and 1.0"));
            }
        }
        if !(self.rate_limit_per_second >= 0.0 && self.rate_limit_per_second.is_finite()) {
            return Err("rate_limit_per_second must be 0 (no limit) or more".to_owned());
        }
        if !(500..=599).contains(&self.server_error_status) {
            return Err("server_error_status must be between 500 and 599".to_owned());
        }
        Ok(())
    }
}

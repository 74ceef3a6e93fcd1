//! The client users hold, and its builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use helloasso_raw::Request;
use helloasso_raw::hooks::CallContext;
use secrecy::SecretString;
use serde::de::DeserializeOwned;

use crate::auth::oauth::{self, AuthorizationRequest, Credentials};
use crate::auth::pkce::PkceVerifier;
use crate::auth::token::{Token, TokenKey};
use crate::auth::token_cache::{CacheSettings, TokenCache, TokenCaches};
use crate::auth::token_store::{MemoryTokenStore, TokenStore};
use crate::clock::{Clock, SystemClock};
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::error_mapping::{json_path, no_path};
use crate::http_response::{ByteStream, Response};
use crate::retry::{AsyncSleep, RetryPolicy, TokioSleep};
use crate::transport::{self, Plan, Transport};

/// A HelloAsso API client.
///
/// Cheap to clone (clones share the HTTP connections, tokens and
/// configuration), `Send + Sync`, meant to be built once and used from many
/// tasks. Tokens are fetched lazily on the first call, refreshed before they
/// expire, and fetched once however many tasks need one at the same time.
///
/// ```no_run
/// # async fn demo() -> Result<(), helloasso_sdk::Error> {
/// use std::time::Duration;
/// use helloasso_sdk::{Client, Environment};
///
/// let client = Client::builder()
///     .environment(Environment::Sandbox)
///     .credentials("my-client-id", "my-client-secret")
///     .timeout(Duration::from_secs(20))
///     .build()?;
/// let token = client.token().await?;
/// println!("token valid until {}", token.expires_at());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
    /// Whose token this handle uses: the client's own, or an organization's.
    key: TokenKey,
    /// This handle's retry policy, when it differs from the client's.
    retry: Option<RetryPolicy>,
    /// Whether this handle's answers keep the body as received.
    keep_received: bool,
}

struct Shared {
    environment: Environment,
    credentials: Arc<Credentials>,
    transport: Arc<Transport>,
    caches: TokenCaches,
    /// The generated client requests are built on before each attempt binds
    /// them to a client carrying its token.
    raw: helloasso_raw::Client,
    /// Refuse every operation that is not a read (see
    /// [`ClientBuilder::read_only`]).
    read_only: bool,
}

impl Client {
    /// A builder; [`ClientBuilder::credentials`] is required.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The environment requests go to.
    pub fn environment(&self) -> &Environment {
        &self.shared.environment
    }

    /// The proxy requests go through (`scheme://host:port`, never its
    /// credentials), as the proxy variables (`HTTPS_PROXY`, `ALL_PROXY`,
    /// `NO_PROXY`) or the system's settings decide; `None` when requests go
    /// direct. A plain-http environment (loopback only) never uses one, so
    /// that no proxy sees the client secret in clear text. Unknown, hence
    /// `None`, with a [`ClientBuilder::http_client`] of the caller's.
    pub fn proxy(&self) -> Option<&str> {
        self.shared.transport.proxy.as_deref()
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.shared.credentials.client_id
    }

    /// Whether it refuses every write ([`ClientBuilder::read_only`]).
    pub fn is_read_only(&self) -> bool {
        self.shared.read_only
    }

    /// The organization whose token this handle uses, for a partner's
    /// per-organization handle (see [`Client::for_organization`]).
    pub fn organization(&self) -> Option<&str> {
        self.key.organization_slug()
    }

    /// A handle on the same client that authenticates with the token
    /// `slug`'s organization granted (authorization-code flow), read from the
    /// token store. For partners, who hold one token per organization.
    pub fn for_organization(&self, slug: impl Into<String>) -> Client {
        Client {
            shared: self.shared.clone(),
            key: TokenKey::organization(self.client_id(), slug),
            retry: self.retry.clone(),
            keep_received: self.keep_received,
        }
    }

    /// A handle on the same client whose calls follow `policy` instead of
    /// the client's [`ClientBuilder::retry_policy`].
    ///
    /// ```no_run
    /// # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
    /// use helloasso_sdk::RetryPolicy;
    ///
    /// let once = client.with_retry_policy(RetryPolicy::disabled());
    /// let payment = once.payment(123_456_789).get().await?;
    /// # Ok(()) }
    /// ```
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Client {
        Client {
            retry: Some(policy),
            ..self.clone()
        }
    }

    /// A handle on the same client whose answers also keep their body as
    /// HelloAsso sent it: [`Response::received`], and the records of a
    /// listing's pages as received ([`Page::received`](crate::Page::received)).
    /// For a program that passes HelloAsso's documents on unchanged (its
    /// date spellings, its numbers, its key order); the typed models stay
    /// what the code reads. Costs a copy of each record's text.
    pub fn keeping_received(&self, keep: bool) -> Client {
        Client {
            keep_received: keep,
            ..self.clone()
        }
    }

    /// A valid access token for this handle, fetched or refreshed if needed.
    pub async fn token(&self) -> Result<Token> {
        Ok(self.token_cache().get().await?.token)
    }

    /// Starts the partner authorization flow: the URL to send an
    /// organization's user to, with a fresh PKCE verifier and state to keep.
    /// `state` defaults to a random value.
    ///
    /// ```no_run
    /// # fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
    /// let request = client.authorization_request("https://app.example.org/helloasso/callback", None)?;
    /// println!("open {}", request.url());
    /// // keep request.verifier() and request.state() in the user's session
    /// # Ok(()) }
    /// ```
    pub fn authorization_request(
        &self,
        redirect_uri: &str,
        state: Option<String>,
    ) -> Result<AuthorizationRequest> {
        AuthorizationRequest::new(
            &self.shared.environment,
            self.client_id(),
            redirect_uri,
            state,
        )
    }

    /// Ends the partner authorization flow: exchanges the code HelloAsso
    /// sent to the redirect URI for the organization's token pair, saves it
    /// under that organization, and returns it. Then use
    /// [`Client::for_organization`] with [`Token::organization_slug`].
    ///
    /// ```no_run
    /// # async fn demo(client: helloasso_sdk::Client, code: &str, verifier: helloasso_sdk::PkceVerifier) -> Result<(), helloasso_sdk::Error> {
    /// let token = client
    ///     .exchange_code(code, "https://app.example.org/helloasso/callback", &verifier)
    ///     .await?;
    /// let slug = token.organization_slug().expect("HelloAsso names the organization");
    /// let org_client = client.for_organization(slug);
    /// # Ok(()) }
    /// ```
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: &PkceVerifier,
    ) -> Result<Token> {
        let token = oauth::exchange_code(
            &self.shared.transport,
            &self.shared.credentials,
            code,
            redirect_uri,
            verifier,
        )
        .await?;
        let Some(slug) = token.organization_slug() else {
            return Err(Error::Decode {
                status: None,
                content_type: None,
                path: Some("organization_slug".to_owned()),
                message: "the authorization-code token response names no organization".to_owned(),
                excerpt: "(tokens not shown)".to_owned(),
            });
        };
        let key = TokenKey::organization(self.client_id(), slug);
        self.cache_for(&key).install(token.clone()).await?;
        Ok(token)
    }

    /// Revokes the access an organization granted this partner (HelloAsso's
    /// `GET /oauth2/disconnect` with that organization's token) and forgets
    /// the token pair. Call it on a [`Client::for_organization`] handle.
    pub async fn disconnect(&self) -> Result<()> {
        if self.key.organization_slug().is_none() {
            return Err(Error::invalid_request(
                "disconnect ends an organization's authorization: call it on client.for_organization(slug)",
            ));
        }
        self.execute(|raw| raw.disconnect()).await?;
        self.token_cache().clear().await
    }

    /// Runs one generated operation with the facade's machinery: this
    /// handle's token (refreshed and replayed once on a 401), retries as the
    /// operation allows (a read is retried, a write is never re-sent after
    /// an ambiguous failure), typed errors, a span per HTTP call. It is the
    /// escape hatch for generated operations the facade does not wrap yet.
    ///
    /// `build` gets a generated client and returns the operation's builder
    /// with its parameters set; the builder is then sent once per attempt.
    ///
    /// ```no_run
    /// # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sdk::Error> {
    /// let payment = client
    ///     .execute(|raw| raw.get_payment().payment_id(123_456_789))
    ///     .await?
    ///     .into_body();
    /// # Ok(()) }
    /// ```
    pub async fn execute<'c, R>(
        &'c self,
        build: impl FnOnce(&'c helloasso_raw::Client) -> R + Send,
    ) -> Result<Response<R::Output>>
    where
        R: Request,
        R::Output: DeserializeOwned,
    {
        let request = build(&self.shared.raw);
        let plan = Plan::of::<R>().keeping_body(self.keep_received);
        self.run(plan, json_path::<R::Output>, &request).await
    }

    /// [`Client::execute`] for an operation whose answer is not JSON: the
    /// body comes back as a stream of bytes.
    pub async fn execute_stream<'c, R>(
        &'c self,
        build: impl FnOnce(&'c helloasso_raw::Client) -> R + Send,
    ) -> Result<Response<ByteStream>>
    where
        R: Request<Output = helloasso_raw::ByteStream>,
    {
        let request = build(&self.shared.raw);
        let response = self
            .run(Plan::of::<R>().streamed(), no_path, &request)
            .await?;
        Ok(response.map(helloasso_raw::ByteStream::into_inner))
    }

    async fn run<R: Request>(
        &self,
        plan: Plan,
        decode_path: crate::error_mapping::DecodePath,
        request: &R,
    ) -> Result<Response<R::Output>> {
        // The one place every API call passes: a write refused here is
        // refused whatever facade method or escape hatch built it, and
        // before its token is even fetched.
        if self.shared.read_only && !R::REPLAYABLE {
            return Err(Error::ReadOnly {
                operation: R::OPERATION_ID,
            });
        }
        let plan = plan.with_retry_policy(self.retry.clone());
        let cache = plan.is_authenticated().then(|| self.token_cache());
        self.shared
            .transport
            .run(&plan, cache.as_ref(), decode_path, request)
            .await
    }

    /// How this client waits (retries, a refund's read-back).
    pub(crate) fn sleeper(&self) -> Arc<dyn AsyncSleep> {
        self.shared.transport.sleep.clone()
    }

    fn token_cache(&self) -> TokenCache {
        self.cache_for(&self.key)
    }

    fn cache_for(&self, key: &TokenKey) -> TokenCache {
        self.shared.caches.get(key)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("environment", &self.shared.environment)
            .field("credentials", &self.shared.credentials)
            .field("organization", &self.key.organization_slug())
            .field("transport", &self.shared.transport)
            .field("store", self.shared.caches.store())
            .field("refresh_skew", &self.shared.caches.skew())
            .finish()
    }
}

/// Configures a [`Client`].
#[derive(Clone)]
pub struct ClientBuilder {
    environment: Environment,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    store: Option<Arc<dyn TokenStore>>,
    refresh_skew: Duration,
    sleep: Option<Arc<dyn AsyncSleep>>,
    clock: Option<Arc<dyn Clock>>,
    read_only: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            environment: Environment::Production,
            client_id: None,
            client_secret: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            user_agent: None,
            http: None,
            retry: RetryPolicy::default(),
            store: None,
            refresh_skew: Duration::from_secs(60),
            sleep: None,
            clock: None,
            read_only: false,
        }
    }
}

impl ClientBuilder {
    /// Environment variable read by [`ClientBuilder::from_env`]: the client id.
    pub const ENV_CLIENT_ID: &str = "HELLOASSO_CLIENT_ID";
    /// Environment variable read by [`ClientBuilder::from_env`]: the client secret.
    pub const ENV_CLIENT_SECRET: &str = "HELLOASSO_CLIENT_SECRET";
    /// Environment variable read by [`ClientBuilder::from_env`]: `production`
    /// (the default), `sandbox` or a base URL.
    pub const ENV_ENVIRONMENT: &str = "HELLOASSO_ENVIRONMENT";

    /// A builder from the environment: [`Self::ENV_CLIENT_ID`],
    /// [`Self::ENV_CLIENT_SECRET`] and, optionally, [`Self::ENV_ENVIRONMENT`]. Missing
    /// credentials are reported by [`build`](Self::build).
    pub fn from_env() -> Result<Self> {
        let mut builder = Self::default();
        if let Ok(id) = std::env::var(Self::ENV_CLIENT_ID) {
            builder.client_id = Some(id);
        }
        if let Ok(secret) = std::env::var(Self::ENV_CLIENT_SECRET) {
            builder.client_secret = Some(secret.into());
        }
        if let Ok(env) = std::env::var(Self::ENV_ENVIRONMENT) {
            builder.environment = env.parse()?;
        }
        Ok(builder)
    }

    /// Production (the default), sandbox, or a custom base URL.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// The API key pair from HelloAsso's back office ("Intégrations et API").
    pub fn credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
    ) -> Self {
        self.client_id = Some(client_id.into());
        self.client_secret = Some(client_secret.into());
        self
    }

    /// The longest one attempt may take (default 30 s): the whole answer for
    /// an API call, the status and headers for a streamed export (whose body
    /// is bounded by an idle timeout instead, see
    /// [`ExportPayments::idle_timeout`](crate::ExportPayments::idle_timeout)).
    /// Applies with [`http_client`](Self::http_client) too.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest opening a connection may take (default 10 s). Ignored
    /// with [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// A product token added after `helloasso-sdk/VERSION` in the
    /// `User-Agent` (e.g. `my-app/1.2`). Ignored with
    /// [`http_client`](Self::http_client).
    pub fn user_agent(mut self, product: impl Into<String>) -> Self {
        self.user_agent = Some(product.into());
        self
    }

    /// Shares an existing `reqwest::Client` (its connection pool, proxy and
    /// TLS settings). Its connect timeout and user agent apply instead of
    /// this builder's.
    ///
    /// Build it with `redirect(reqwest::redirect::Policy::none())`: the
    /// client built by default follows no redirect, so that a token form or
    /// a refund is never re-sent to another host, and a shared client cannot
    /// be checked for it. Give it no total `timeout` either, or it cuts long
    /// exports.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Retries for every call (default: [`RetryPolicy::default`]); a handle
    /// can override it with [`Client::with_retry_policy`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Where token pairs are kept (default: in memory).
    pub fn token_store(mut self, store: impl TokenStore + 'static) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// A token store shared with other clients or code.
    pub fn shared_token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// How long before expiry a token is refreshed (default 60 s).
    pub fn refresh_skew(mut self, skew: Duration) -> Self {
        self.refresh_skew = skew;
        self
    }

    /// How the client waits between retries (default: tokio's timer).
    pub fn sleep_impl(mut self, sleep: Arc<dyn AsyncSleep>) -> Self {
        self.sleep = Some(sleep);
        self
    }

    /// What time the client believes it is (default: the system's): when a
    /// token was issued and whether it is still fresh. Tests move a clock of
    /// their own to expire tokens without waiting.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Refuse every operation that is not a read (a refund, a cancellation,
    /// a checkout, a form or notification change), before anything is
    /// sent, with [`Error::ReadOnly`] (default: off). Token requests and
    /// reads go through. For a tool that must never move money or change
    /// settings, whatever it is asked.
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// Checks the configuration and builds the client. Nothing is sent yet.
    pub fn build(self) -> Result<Client> {
        self.environment.validate()?;
        let client_id = self
            .client_id
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| {
                Error::invalid_request(format!(
                    "no client id: call ClientBuilder::credentials or set {}",
                    Self::ENV_CLIENT_ID
                ))
            })?;
        let client_secret = self.client_secret.ok_or_else(|| {
            Error::invalid_request(format!(
                "no client secret: call ClientBuilder::credentials or set {}",
                Self::ENV_CLIENT_SECRET
            ))
        })?;
        let base_url = self.environment.api_base_url();
        let (http, proxy) = match self.http {
            Some(http) => (http, None),
            None => {
                let user_agent = match &self.user_agent {
                    Some(product) => format!("{} {product}", transport::USER_AGENT),
                    None => transport::USER_AGENT.to_owned(),
                };
                let http = transport::http_client(self.connect_timeout, &user_agent, &base_url)?;
                let proxy = transport::proxy_for(&base_url);
                if let Some(proxy) = &proxy {
                    tracing::debug!(%proxy, "requests to HelloAsso go through a proxy");
                }
                (http, proxy)
            }
        };
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let transport = Arc::new(Transport {
            base_url,
            http,
            proxy,
            retry: self.retry,
            sleep: self.sleep.unwrap_or_else(|| Arc::new(TokioSleep)),
            clock: clock.clone(),
            timeout: self.timeout,
        });
        let key = TokenKey::own(&client_id);
        let raw = helloasso_raw::Client::new_with_client(
            &transport.base_url,
            transport.http.clone(),
            CallContext::anonymous(),
        );
        let credentials = Arc::new(Credentials {
            client_id,
            client_secret,
        });
        let settings = CacheSettings {
            store: self
                .store
                .unwrap_or_else(|| Arc::new(MemoryTokenStore::new())),
            skew: self.refresh_skew,
            clock,
            credentials: Some(credentials.fingerprint()),
        };
        let caches = TokenCaches::new(settings, {
            let (transport, credentials) = (transport.clone(), credentials.clone());
            move |key: &TokenKey| {
                oauth::fetcher(transport.clone(), credentials.clone(), key.clone())
            }
        });
        Ok(Client {
            shared: Arc::new(Shared {
                environment: self.environment,
                credentials,
                transport,
                caches,
                raw,
                read_only: self.read_only,
            }),
            key,
            retry: None,
            keep_received: false,
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("environment", &self.environment)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| crate::redact::Redacted),
            )
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("store", &self.store)
            .field("refresh_skew", &self.refresh_skew)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Client>();
    }

    #[test]
    fn build_checks_configuration() {
        let missing = Client::builder().build().unwrap_err();
        assert!(matches!(missing, Error::InvalidRequest { .. }));
        assert!(missing.to_string().contains(ClientBuilder::ENV_CLIENT_ID));

        let insecure = Client::builder()
            .credentials("id", "secret")
            .environment(Environment::Custom("http://example.org".parse().unwrap()))
            .build()
            .unwrap_err();
        assert!(matches!(insecure, Error::InvalidRequest { .. }));

        let client = Client::builder()
            .credentials("id", "secret")
            .environment(Environment::custom("http://127.0.0.1:1").unwrap())
            .build()
            .unwrap();
        assert_eq!(client.client_id(), "id");
        let org = client.for_organization("my-asso");
        assert_eq!(org.organization(), Some("my-asso"));
        assert_eq!(client.organization(), None);
    }

    #[test]
    fn user_agent_names_the_crate() {
        assert!(transport::USER_AGENT.starts_with("helloasso-sdk/"));
        assert!(transport::USER_AGENT.ends_with(env!("CARGO_PKG_VERSION")));
    }
}

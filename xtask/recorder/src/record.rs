//! Runs the fixed scenario through the facade behind the recording proxy and
//! writes one scrubbed cassette per step.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use futures::future::BoxFuture;
use helloasso_sdk::TokioSleep;

use crate::cassette::{Header, SpecIndex, parse, render};
use crate::proxy::{Injected, Proxy};
use crate::scenario::{self, Action, Control, Ctx};
use crate::scrub::{Scrubber, leaked, survivors};

/// The sandbox's API host (OAuth and `/v5` share it).
pub const SANDBOX_URL: &str = "https://api.helloasso-sandbox.com";
/// The fake's seed when the recorder starts it: same seed, same bodies.
pub const FAKE_SEED: u64 = 7;
/// The fake's size when the recorder starts it: a few pages, a short CSV.
pub const FAKE_PAYMENTS: usize = 30;

/// What to record against.
#[derive(Debug, Clone)]
pub enum Target {
    /// A helloasso-fake the recorder starts in-process.
    Fake,
    /// HelloAsso's sandbox.
    Sandbox,
    /// Any server: the sandbox's twin, or a fake already running.
    Url(String),
}

impl Target {
    pub fn parse(value: &str) -> Self {
        match value {
            "fake" => Target::Fake,
            "sandbox" => Target::Sandbox,
            url => Target::Url(url.trim_end_matches('/').to_owned()),
        }
    }
}

/// Credentials and organization for a remote target.
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
    pub organization: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("organization", &self.organization)
            .finish()
    }
}

impl Credentials {
    /// `HELLOASSO_CLIENT_ID`, `HELLOASSO_CLIENT_SECRET`, `HELLOASSO_ORGANIZATION`.
    pub fn from_env() -> Result<Self> {
        let var = |name: &str| {
            std::env::var(name).with_context(|| format!("{name} is not set (recording needs it)"))
        };
        Ok(Self {
            client_id: var("HELLOASSO_CLIENT_ID")?,
            client_secret: var("HELLOASSO_CLIENT_SECRET")?,
            organization: var("HELLOASSO_ORGANIZATION")?,
        })
    }
}

/// What a recording wrote, and the secrets it used (for a scan).
pub struct Recording {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<&'static str>,
    pub secrets: Vec<String>,
}

impl std::fmt::Debug for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recording")
            .field("files", &self.files)
            .field("skipped", &self.skipped)
            .field("secrets", &self.secrets.len())
            .finish()
    }
}

/// A value distinct on every run, so that a secret left in a cassette is
/// recognisable and no two recordings share one.
fn run_nonce() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{nanos:x}")
}

/// Records every step against `target` into `out`. For the fake, no
/// credentials are needed; otherwise `credentials` must be given.
pub async fn record(
    target: &Target,
    credentials: Option<Credentials>,
    out: &Path,
) -> Result<Recording> {
    record_with(target, credentials, out, Vec::new()).await
}

/// [`record`], with these payers seeded into the fake the recorder starts
/// (ignored for other targets): names with quotes or line breaks, short
/// surnames, to prove none of them reaches a cassette.
pub async fn record_with(
    target: &Target,
    credentials: Option<Credentials>,
    out: &Path,
    payers: Vec<helloasso_fake::PayerSeed>,
) -> Result<Recording> {
    let nonce = run_nonce();
    let (_fake, origin, credentials, source) = match target {
        Target::Fake => {
            let client_secret = format!("fake-secret-{nonce}");
            let config = helloasso_fake::FakeConfig::default()
                .seed(FAKE_SEED)
                .payments(FAKE_PAYMENTS)
                .credentials("contract-recorder", client_secret.clone())
                .payers(payers);
            let fake = helloasso_fake::start(config)
                .await
                .context("starting helloasso-fake")?;
            let origin = fake.base_url().trim_end_matches('/').to_owned();
            let credentials = Credentials {
                client_id: fake.client_id().to_owned(),
                client_secret,
                organization: fake.organization_slug().to_owned(),
            };
            let source = format!(
                "recorded from helloasso-fake (seed {FAKE_SEED}, {FAKE_PAYMENTS} payments) by cargo xtask record"
            );
            (Some(fake), origin, credentials, source)
        }
        Target::Sandbox | Target::Url(_) => {
            let origin = match target {
                Target::Url(url) => url.clone(),
                _ => SANDBOX_URL.to_owned(),
            };
            let credentials = credentials
                .context("recording against a server needs HELLOASSO_CLIENT_ID, HELLOASSO_CLIENT_SECRET and HELLOASSO_ORGANIZATION")?;
            let source = match target {
                Target::Sandbox => {
                    "recorded from the HelloAsso sandbox by cargo xtask record".to_owned()
                }
                _ => format!("recorded from {origin} by cargo xtask record"),
            };
            (None, origin, credentials, source)
        }
    };

    // HelloAsso's CDN, and the fake after it, refuse a request without a
    // User-Agent (FACTS.md).
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("helloasso-recorder/", env!("CARGO_PKG_VERSION")))
        .build()?;
    // The fake's own routes decide whether the fake-only steps can run.
    let is_fake = http
        .get(format!("{origin}/_fake/info"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success());
    let proxy = Arc::new(Proxy::start(&origin).await?);
    let mfa_code = format!("mfa-{nonce}");
    let control = Arc::new(FakeControl {
        http,
        origin: origin.clone(),
        client_id: credentials.client_id.clone(),
        organization: credentials.organization.clone(),
        mfa_code: mfa_code.clone(),
        proxy: proxy.clone(),
    });
    let spec = SpecIndex::workspace();
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;

    let mut recorded = Vec::new();
    let mut skipped = Vec::new();
    let mut secrets: Vec<String> = vec![credentials.client_secret.clone(), mfa_code.clone()];
    let mut personal: Vec<(&'static str, String)> = Vec::new();
    for step in scenario::all() {
        if step.fake_only && !is_fake {
            skipped.push(step.name);
            continue;
        }
        proxy.take();
        let ctx = Ctx {
            base_url: proxy.base_url(),
            client_id: credentials.client_id.clone(),
            client_secret: credentials.client_secret.clone(),
            organization: credentials.organization.clone(),
            mfa_code: mfa_code.clone(),
            control: control.clone(),
            sleep: Arc::new(TokioSleep),
        };
        (step.run)(ctx)
            .await
            .map_err(|e| anyhow::anyhow!("step {} failed while recording: {e}", step.name))?;
        let exchanges = proxy.take();
        let mut scrubber = Scrubber::new(
            &credentials.client_id,
            &credentials.client_secret,
            std::slice::from_ref(&mfa_code),
        );
        // Sent on purpose, not secrets: kept so that the replay matches.
        for value in scenario::DELIBERATE {
            scrubber.fixed(value, value, false);
        }
        scrubber.learn(&exchanges);
        for s in scrubber.secrets() {
            if !secrets.contains(s) {
                secrets.push(s.clone());
            }
        }
        for p in scrubber.personal() {
            if !personal.contains(p) {
                personal.push(p.clone());
            }
        }
        let injected = exchanges.iter().any(|x| x.injected);
        let header = Header {
            source: if injected {
                format!("{source}; the error answer injected by the recorder's proxy")
            } else {
                source.clone()
            },
            scenario: step.summary.to_owned(),
            organization: Some(credentials.organization.clone()),
        };
        let entries = scrubber.entries(&exchanges, &spec, &origin);
        let text = render(&header, &entries).map_err(anyhow::Error::msg)?;
        recorded.push((out.join(format!("{}.yaml", step.name)), text));
    }
    // Nothing is written until every cassette is known to be clean.
    for (file, text) in &recorded {
        let found = leaked(text, &secrets);
        if !found.is_empty() {
            bail!(
                "refusing to write {}: {} secret(s) of this run (client secret, tokens, MFA or authorization codes) would remain in it",
                file.display(),
                found.len()
            );
        }
        // Read back as a replay would: what is checked is what is written.
        let cassette = parse(file, text, &spec)
            .map_err(|e| anyhow::anyhow!("the recorded cassette does not parse: {e}"))?;
        let entries: Vec<_> = cassette.entries.into_iter().map(|(_, e)| e).collect();
        let kinds = survivors(&entries, &personal);
        if !kinds.is_empty() {
            // The kinds only: the values are what must not be shown.
            bail!(
                "refusing to write {}: personal data seen in the responses would remain in it ({})",
                file.display(),
                kinds.join(", ")
            );
        }
    }
    let mut files = Vec::new();
    for (file, text) in recorded {
        std::fs::write(&file, text).with_context(|| format!("writing {}", file.display()))?;
        files.push(file);
    }
    Ok(Recording {
        files,
        skipped,
        secrets,
    })
}

/// Acts on a helloasso-fake through its `/_fake` routes (and the proxy for
/// injected answers).
struct FakeControl {
    http: reqwest::Client,
    origin: String,
    client_id: String,
    organization: String,
    mfa_code: String,
    proxy: Arc<Proxy>,
}

impl FakeControl {
    async fn act_inner(&self, action: Action) -> Result<Option<String>> {
        let origin = &self.origin;
        let check = |r: reqwest::Response| -> Result<reqwest::Response> {
            if r.status().is_success() || r.status().is_redirection() {
                Ok(r)
            } else {
                bail!("the fake answered {}", r.status())
            }
        };
        match action {
            Action::ExpireTokens => {
                check(
                    self.http
                        .post(format!("{origin}/_fake/tokens/expire"))
                        .send()
                        .await?,
                )?;
            }
            Action::SetMfa(mode) => {
                let body = serde_json::json!({"mode": mode, "code": self.mfa_code});
                check(
                    self.http
                        .put(format!("{origin}/_fake/mfa"))
                        .json(&body)
                        .send()
                        .await?,
                )?;
            }
            Action::Inject(status) => {
                let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
                if status == 429 {
                    headers.push(("retry-after".to_owned(), "1".to_owned()));
                }
                let body = match status {
                    429 => {
                        r#"{"errors":[{"code":"TooManyRequests","message":"Too many requests."}]}"#
                    }
                    _ => {
                        r#"{"errors":[{"code":"ServiceUnavailable","message":"The service is unavailable."}]}"#
                    }
                };
                self.proxy.inject(Injected {
                    status,
                    headers,
                    body: body.to_owned(),
                });
            }
            Action::PayCheckout(id) => {
                check(
                    self.http
                        .post(format!("{origin}/_fake/checkout-intents/{id}/pay"))
                        .send()
                        .await?,
                )?;
            }
            Action::AuthorizationCode {
                redirect_uri,
                challenge,
            } => {
                let response = check(
                    self.http
                        .get(format!("{origin}/authorize"))
                        .query(&[
                            ("response_type", "code"),
                            ("client_id", self.client_id.as_str()),
                            ("redirect_uri", redirect_uri.as_str()),
                            ("code_challenge", challenge.as_str()),
                            ("code_challenge_method", "S256"),
                            ("state", "contract"),
                            ("organization_slug", self.organization.as_str()),
                        ])
                        .send()
                        .await?,
                )?;
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .context("the authorization answered no redirect")?;
                let url = url::Url::parse(location)?;
                let code = url
                    .query_pairs()
                    .find(|(k, _)| k == "code")
                    .map(|(_, v)| v.into_owned())
                    .context("the redirect carries no code")?;
                return Ok(Some(code));
            }
        }
        Ok(None)
    }
}

impl Control for FakeControl {
    fn act(&self, action: Action) -> BoxFuture<'_, Result<Option<String>, String>> {
        Box::pin(async move { self.act_inner(action).await.map_err(|e| format!("{e:#}")) })
    }
}

//! The fixed scenario, one cassette per step. The same code runs when
//! recording (against the sandbox or the fake, through the proxy) and on
//! replay (against the cassette), so a replay sends exactly what was
//! recorded, and each step checks the facade's outcome both times.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use futures::future::BoxFuture;
use helloasso_sdk::types::{FormType, PaymentState};
use helloasso_sdk::{
    AsyncSleep, Cents, Client, ClientBuilder, Environment, Error, ExportFormat, MemoryTokenStore,
    Paging, PkceVerifier, RetryPolicy, SecretString, Token, TokenKey, TokenStore, mfa_fn,
};
use serde_json::{Value, json};

/// What a step asks of the recorded server besides API calls. Recording
/// against the fake does it through `/_fake`; replay has nothing to do.
#[derive(Debug, Clone)]
pub enum Action {
    /// Every access token expires now (the next call gets a 401).
    ExpireTokens,
    /// Refunds demand this MFA mode (`none`, `sms`, `email`, `password`, `not_enrolled`).
    SetMfa(&'static str),
    /// The next API request is answered with this status (and `Retry-After: 1` for a 429).
    Inject(u16),
    /// The payer pays this checkout intent.
    PayCheckout(i64),
    /// An organization's user authorizes the client; gives the code.
    AuthorizationCode {
        redirect_uri: String,
        challenge: String,
    },
}

/// Performs [`Action`]s; answers the authorization code when asked for one.
pub trait Control: Send + Sync {
    fn act(&self, action: Action) -> BoxFuture<'_, Result<Option<String>, String>>;
}

/// Replay's control: the cassette already holds the consequences.
pub struct NoControl;

impl Control for NoControl {
    fn act(&self, action: Action) -> BoxFuture<'_, Result<Option<String>, String>> {
        let answer = match action {
            Action::AuthorizationCode { .. } => Some("<AUTHORIZATION_CODE_1>".to_owned()),
            _ => None,
        };
        Box::pin(async move { Ok(answer) })
    }
}

/// A sleep that returns at once: replays do not wait out `Retry-After`.
#[derive(Debug)]
pub struct NoSleep;

impl AsyncSleep for NoSleep {
    fn sleep(&self, _duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(async {})
    }
}

/// Where a step runs and with what.
#[derive(Clone)]
pub struct Ctx {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub organization: String,
    /// The MFA code the user would type (`<MFA_CODE>` on replay).
    pub mfa_code: String,
    pub control: Arc<dyn Control>,
    pub sleep: Arc<dyn AsyncSleep>,
}

impl Ctx {
    /// The context of a replay against `base_url`: the placeholder
    /// credentials the cassettes were scrubbed to, and no waiting.
    pub fn replay(base_url: &str, organization: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            client_id: "<CLIENT_ID>".to_owned(),
            client_secret: "<CLIENT_SECRET>".to_owned(),
            organization: organization.to_owned(),
            mfa_code: "<MFA_CODE>".to_owned(),
            control: Arc::new(NoControl),
            sleep: Arc::new(NoSleep),
        }
    }

    /// A client builder aimed at the target, with short jitter-free backoff
    /// so that a recording and its replay make the same attempts.
    pub fn builder(&self) -> Result<ClientBuilder, String> {
        let environment = Environment::custom(&self.base_url).map_err(|e| e.to_string())?;
        Ok(Client::builder()
            .environment(environment)
            .credentials(self.client_id.clone(), self.client_secret.clone())
            .sleep_impl(self.sleep.clone())
            .retry_policy(
                RetryPolicy::default()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(10))
                    .without_jitter(),
            ))
    }

    pub fn client(&self) -> Result<Client, String> {
        self.builder()?.build().map_err(|e| e.to_string())
    }

    async fn act(&self, action: Action) -> Result<Option<String>, String> {
        self.control.act(action).await
    }
}

type StepFn = fn(Ctx) -> BoxFuture<'static, Result<(), String>>;

/// One step of the scenario: one cassette.
#[derive(Clone, Copy)]
pub struct Scenario {
    /// The cassette's file stem.
    pub name: &'static str,
    pub summary: &'static str,
    /// Needs the fake's controls (`/_fake`): skipped against the sandbox.
    pub fake_only: bool,
    pub run: StepFn,
}

/// The second organization of helloasso-fake's dataset, outside a partner
/// token's scope.
pub const OTHER_ORGANIZATION: &str = "club-sportif-exemple";
/// A fixed PKCE verifier (43+ unreserved characters), so that replays send
/// the challenge and verifier the recording did.
pub(crate) const VERIFIER: &str = "contract-test-verifier-0123456789abcdefghijklmnopqrstuvwxyz";
const REDIRECT_URI: &str = "https://app.example.org/helloasso/callback";

macro_rules! step {
    ($name:literal, $summary:literal, $fake_only:literal, $f:ident) => {
        Scenario {
            name: $name,
            summary: $summary,
            fake_only: $fake_only,
            run: |ctx| Box::pin($f(ctx)),
        }
    };
}

/// Every step, in recording order.
pub fn all() -> Vec<Scenario> {
    vec![
        step!(
            "list_organization_payments_pages",
            "an organization's payments, 10 a page, followed to HelloAsso's last page (a token, then an empty page)",
            false,
            list_pages
        ),
        step!(
            "list_form_payments",
            "one page of one form's payments",
            false,
            list_form
        ),
        step!(
            "search_payments",
            "one page of the 2025-06 search",
            false,
            search
        ),
        step!("get_payment", "a payment read by id", false, get_payment),
        step!(
            "get_payment_not_found",
            "an unknown payment id: 404",
            false,
            get_not_found
        ),
        step!(
            "get_payment_expired_token",
            "a 401 on an expired access token, the refresh-token grant, the replayed call",
            true,
            expired_token
        ),
        step!(
            "get_payment_rate_limited",
            "a 429 with Retry-After, then the retry's 200",
            true,
            rate_limited
        ),
        step!(
            "get_payment_server_error",
            "a 503, then the retry's 200",
            true,
            server_error
        ),
        step!(
            "list_payments_past_last_page",
            "a pageIndex past the last page: HelloAsso's 500",
            false,
            past_last_page
        ),
        step!(
            "token_invalid_client",
            "a wrong client secret: 400 invalid_client",
            false,
            invalid_client
        ),
        step!(
            "token_invalid_grant",
            "a stale refresh token: 400 invalid_grant, then the client-credentials grant",
            false,
            invalid_grant
        ),
        step!(
            "refund_payment",
            "a partial refund with no MFA demanded",
            true,
            refund_plain
        ),
        step!(
            "refund_mfa_sms",
            "409 AccessOtpSmsRequired, then the refund with the SMS code",
            true,
            refund_sms
        ),
        step!(
            "refund_mfa_email",
            "409 AccessTokenRequired, then the refund with the e-mailed code",
            true,
            refund_email
        ),
        step!(
            "refund_mfa_password",
            "409 AccessPasswordTokenRequired, then the refund with the password proof",
            true,
            refund_password
        ),
        step!(
            "refund_user_not_enrolled",
            "409 UserNotEnrolled: a typed error, nothing to retry",
            true,
            refund_not_enrolled
        ),
        step!(
            "checkout_create_and_get",
            "a checkout intent created, read unpaid, paid, read with its order",
            true,
            checkout
        ),
        step!(
            "export_csv",
            "the payments export as CSV",
            false,
            export_csv
        ),
        step!(
            "partner_forbidden_and_disconnect",
            "authorization code + PKCE, a 403 on another organization, disconnect",
            true,
            partner
        ),
    ]
}

/// The step named `name`.
pub fn by_name(name: &str) -> Option<Scenario> {
    all().into_iter().find(|s| s.name == name)
}

fn fail(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what}: {e}")
}

async fn first_payment(
    ctx: &Ctx,
    client: &Client,
) -> Result<helloasso_sdk::types::Payment, String> {
    let page = client
        .payments(&ctx.organization)
        .list()
        .states([PaymentState::Authorized])
        .page_size(1)
        .send()
        .await
        .map_err(|e| fail("listing one authorized payment", e))?;
    page.items
        .into_iter()
        .next()
        .ok_or_else(|| "the organization has no authorized payment".to_owned())
}

fn payment_id(p: &helloasso_sdk::types::Payment) -> Result<i64, String> {
    p.id.ok_or_else(|| "a payment without id".to_owned())
}

async fn list_pages(ctx: Ctx) -> Result<(), String> {
    let client = ctx.client()?;
    let pages: Vec<_> = client
        .payments(&ctx.organization)
        .list()
        .page_size(10)
        .pages()
        .try_collect()
        .await
        .map_err(|e| fail("listing every page", e))?;
    if pages.len() < 2 {
        return Err(format!("expected several pages, got {}", pages.len()));
    }
    Ok(())
}

async fn list_form(ctx: Ctx) -> Result<(), String> {
    let client = ctx.client()?;
    let payment = first_payment(&ctx, &client).await?;
    let order = payment.order.ok_or("a payment without order")?;
    let form_type = order.form_type.unwrap_or(FormType::Checkout);
    let slug = order.form_slug.ok_or("an order without form slug")?;
    let page = client
        .payments(&ctx.organization)
        .form(form_type, slug.clone())
        .page_size(5)
        .send()
        .await
        .map_err(|e| fail("listing a form's payments", e))?;
    if page.items.is_empty() {
        return Err(format!("form {slug} lists no payment"));
    }
    Ok(())
}

async fn search(ctx: Ctx) -> Result<(), String> {
    let client = ctx.client()?;
    let page = client
        .payments(&ctx.organization)
        .search()
        .page_size(5)
        .send()
        .await
        .map_err(|e| fail("searching payments", e))?;
    if page.items.is_empty() {
        return Err("the search found nothing".to_owned());
    }
    Ok(())
}

async fn get_payment(ctx: Ctx) -> Result<(), String> {
    let client = ctx.client()?;
    let id = payment_id(&first_payment(&ctx, &client).await?)?;
    let payment = client
        .payment(id)
        .get()
        .await
        .map_err(|e| fail("getting the payment", e))?;
    if payment.id != Some(id) {
        return Err(format!("asked for payment {id}, got {:?}", payment.id));
    }
    Ok(())
}

async fn get_not_found(ctx: Ctx) -> Result<(), String> {
    let client = ctx.client()?;
    match client.payment(1).get().await {
        Err(Error::Api { status, .. }) if status.as_u16() == 404 => Ok(()),
        other => Err(format!("expected a 404, got {other:?}")),
    }
}

async fn expired_token(ctx: Ctx) -> Result<(), String> {
    let client = ctx.client()?;
    let id = payment_id(&first_payment(&ctx, &client).await?)?;
    ctx.act(Action::ExpireTokens).await?;
    client
        .payment(id)
        .get()
        .await
        .map_err(|e| fail("getting the payment after the token expired", e))?;
    Ok(())
}

async fn with_injected(ctx: Ctx, status: u16) -> Result<(), String> {
    let client = ctx.client()?;
    let id = payment_id(&first_payment(&ctx, &client).await?)?;
    ctx.act(Action::Inject(status)).await?;
    client
        .payment(id)
        .get()
        .await
        .map_err(|e| fail(&format!("getting the payment after a {status}"), e))?;
    Ok(())
}

async fn rate_limited(ctx: Ctx) -> Result<(), String> {
    with_injected(ctx, 429).await
}

async fn server_error(ctx: Ctx) -> Result<(), String> {
    with_injected(ctx, 503).await
}

async fn past_last_page(ctx: Ctx) -> Result<(), String> {
    let client = ctx.client()?;
    let result = client
        .payments(&ctx.organization)
        .list()
        .paging(Paging::PageIndex)
        .page_index(100_000)
        .page_size(100)
        .send()
        .await;
    match result {
        Err(Error::Api { status, .. }) if status.is_server_error() => Ok(()),
        other => Err(format!("expected HelloAsso's 500, got {other:?}")),
    }
}

/// The secret a refused-client scenario sends on purpose.
const WRONG_CLIENT_SECRET: &str = "<WRONG_CLIENT_SECRET>";
/// The stale pair a refused-refresh scenario sends on purpose.
const STALE_ACCESS_TOKEN: &str = "<STALE_ACCESS_TOKEN>";
const STALE_REFRESH_TOKEN: &str = "<STALE_REFRESH_TOKEN>";

/// Values the scenarios send on purpose, written as placeholders so that a
/// replay sends the very text the cassette holds; the recorder keeps them
/// as they stand (see `record`), although it scrubs any other value shaped
/// like a placeholder.
pub const DELIBERATE: &[&str] = &[WRONG_CLIENT_SECRET, STALE_ACCESS_TOKEN, STALE_REFRESH_TOKEN];

async fn invalid_client(ctx: Ctx) -> Result<(), String> {
    let client = ctx
        .builder()?
        .credentials(ctx.client_id.clone(), WRONG_CLIENT_SECRET)
        .build()
        .map_err(|e| e.to_string())?;
    match client.token().await {
        // HelloAsso (sample 61) and the fake answer `unauthorized_client`.
        Err(Error::OAuth { error, .. })
            if error == "invalid_client" || error == "unauthorized_client" =>
        {
            Ok(())
        }
        other => Err(format!(
            "expected invalid_client, got {:?}",
            other.map(|_| "a token")
        )),
    }
}

async fn invalid_grant(ctx: Ctx) -> Result<(), String> {
    let store = MemoryTokenStore::new();
    let past: DateTime<Utc> = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
    let stale = Token::new(
        SecretString::from(STALE_ACCESS_TOKEN),
        Some(SecretString::from(STALE_REFRESH_TOKEN)),
        past,
    );
    store
        .save(&TokenKey::own(ctx.client_id.clone()), &stale)
        .await
        .map_err(|e| e.to_string())?;
    let client = ctx
        .builder()?
        .token_store(store)
        .build()
        .map_err(|e| e.to_string())?;
    client
        .token()
        .await
        .map_err(|e| fail("falling back to the client credentials", e))?;
    Ok(())
}

/// Sets the MFA mode, refunds 1 euro of an authorized payment with the
/// user's code at hand, and restores the mode. The outer error is the
/// scenario's, the inner one the facade's answer to the refund.
async fn refund(
    ctx: &Ctx,
    mode: &'static str,
) -> Result<Result<helloasso_sdk::types::RefundOperation, Error>, String> {
    let client = ctx.client()?;
    ctx.act(Action::SetMfa(mode)).await?;
    let id = payment_id(&first_payment(ctx, &client).await?)?;
    let code = ctx.mfa_code.clone();
    let result = client
        .payment(id)
        .refund()
        .amount(Cents(100))
        .comment("contract test")
        .mfa_provider(mfa_fn(move |_| {
            let code = code.clone();
            async move { Some(SecretString::from(code)) }
        }))
        .max_mfa_attempts(1)
        .await;
    ctx.act(Action::SetMfa("none")).await?;
    Ok(result)
}

async fn refund_ok(ctx: Ctx, mode: &'static str) -> Result<(), String> {
    match refund(&ctx, mode).await? {
        Ok(_) => Ok(()),
        Err(e) => Err(fail(&format!("refunding (MFA mode {mode})"), e)),
    }
}

async fn refund_plain(ctx: Ctx) -> Result<(), String> {
    refund_ok(ctx, "none").await
}

async fn refund_sms(ctx: Ctx) -> Result<(), String> {
    refund_ok(ctx, "sms").await
}

async fn refund_email(ctx: Ctx) -> Result<(), String> {
    refund_ok(ctx, "email").await
}

async fn refund_password(ctx: Ctx) -> Result<(), String> {
    refund_ok(ctx, "password").await
}

async fn refund_not_enrolled(ctx: Ctx) -> Result<(), String> {
    match refund(&ctx, "not_enrolled").await? {
        Err(Error::UserNotEnrolled { .. }) => Ok(()),
        other => Err(format!("expected UserNotEnrolled, got {other:?}")),
    }
}

async fn checkout(ctx: Ctx) -> Result<(), String> {
    let client = ctx.client()?;
    let checkout = client.checkout(&ctx.organization);
    let created = checkout
        .intent("Adhésion 2026", Cents(5000))
        .back_url("https://app.example.org/back")
        .error_url("https://app.example.org/error")
        .return_url("https://app.example.org/return")
        .metadata(&json!({"member": 42}))
        .create()
        .await
        .map_err(|e| fail("creating the intent", e))?;
    let unpaid = checkout
        .get::<Value>(created.id)
        .await
        .map_err(|e| fail("reading the intent", e))?;
    if unpaid.is_paid() {
        return Err("a new intent is already paid".to_owned());
    }
    ctx.act(Action::PayCheckout(created.id)).await?;
    let paid = checkout
        .get::<Value>(created.id)
        .await
        .map_err(|e| fail("reading the paid intent", e))?;
    if !paid.is_paid() || paid.metadata != Some(json!({"member": 42})) {
        return Err("the paid intent lacks its order or metadata".to_owned());
    }
    Ok(())
}

async fn export_csv(ctx: Ctx) -> Result<(), String> {
    let client = ctx.client()?;
    let mut csv = Vec::new();
    client
        .payments(&ctx.organization)
        .export(ExportFormat::Csv)
        .write_to(&mut csv)
        .await
        .map_err(|e| fail("exporting", e))?;
    if csv.is_empty() {
        return Err("an empty export".to_owned());
    }
    Ok(())
}

async fn partner(ctx: Ctx) -> Result<(), String> {
    let client = ctx.client()?;
    let verifier = PkceVerifier::new(VERIFIER).map_err(|e| e.to_string())?;
    let code = ctx
        .act(Action::AuthorizationCode {
            redirect_uri: REDIRECT_URI.to_owned(),
            challenge: verifier.challenge(),
        })
        .await?
        .ok_or("no authorization code")?;
    let token = client
        .exchange_code(&code, REDIRECT_URI, &verifier)
        .await
        .map_err(|e| fail("exchanging the code", e))?;
    let slug = token.organization_slug().ok_or("no organization slug")?;
    let organization = client.for_organization(slug);
    match organization
        .payments(OTHER_ORGANIZATION)
        .list()
        .page_size(1)
        .send()
        .await
    {
        Err(Error::Api { status, .. }) if status.as_u16() == 403 => {}
        other => return Err(format!("expected a 403, got {:?}", other.map(|p| p.len()))),
    }
    organization
        .disconnect()
        .await
        .map_err(|e| fail("disconnecting", e))
}

//! The router, startup and the [`FakeServer`] handle.

use crate::checkout::{self, PaidCheckout};
use crate::config::FaultConfig;
use crate::config::{FakeConfig, MfaConfig, WebhookConfig};
use crate::conn::{ConnMeta, KillableListener};
use crate::counters::CountersSnapshot;
use crate::dataset::Dataset;
use crate::errors::{self, ApiError};
use crate::faults;
use crate::info::{FormInfo, info};
use crate::instalments::TakenInstalment;
use crate::locks::{lock, read, write};
use crate::model::PaymentState;
use crate::state::AppState;
use crate::{
    admin, cdn, directory, forms, oauth, orders, organization, partners, payments, payouts,
    privilege_guard, refund,
};
use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post, put};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The port could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// The cause.
        source: std::io::Error,
    },
    /// The dataset could not be generated.
    #[error("cannot generate the dataset: {0}")]
    Dataset(String),
}

/// An error of a [`FakeServer`] method, with the HTTP status and body the
/// same request would get over HTTP.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status}: {body}")]
pub struct FakeError {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: String,
}

impl FakeError {
    fn from_api(e: ApiError) -> Self {
        let (status, body) = match &e {
            ApiError::NotFound(m) => (404, m.clone()),
            ApiError::BadRequest { message, .. } | ApiError::Invalid(message) => {
                (400, message.clone())
            }
            other => (500, format!("{other:?}")),
        };
        FakeError { status, body }
    }
}

fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route(
            "/organizations/{organizationSlug}/payments",
            get(payments::list_organization_payments),
        )
        .route(
            "/organizations/{organizationSlug}/payments/search",
            get(payments::search_payments),
        )
        .route(
            "/organizations/{organizationSlug}/forms/{formType}/{formSlug}/payments",
            get(payments::list_form_payments),
        )
        .route("/payments/{paymentId}", get(payments::get_payment))
        .route("/payments/{paymentId}/refund", post(refund::refund_payment))
        .route(
            "/organizations/{organizationSlug}/checkout-intents",
            post(checkout::create_checkout_intent),
        )
        .route(
            "/organizations/{organizationSlug}/checkout-intents/{checkoutIntentId}",
            get(checkout::get_checkout_intent),
        )
        .route(
            "/organizations/{organizationSlug}/orders",
            get(orders::list_organization_orders),
        )
        .route(
            "/organizations/{organizationSlug}/forms/{formType}/{formSlug}/orders",
            get(orders::list_form_orders),
        )
        .route("/orders/{orderId}", get(orders::get_order))
        .route("/orders/{orderId}/cancel", post(orders::cancel_order))
        .route(
            "/organizations/{organizationSlug}/items",
            get(orders::list_organization_items),
        )
        .route(
            "/organizations/{organizationSlug}/forms/{formType}/{formSlug}/items",
            get(orders::list_form_items),
        )
        .route("/items/{itemId}", get(orders::get_item))
        .route(
            "/organizations/{organizationSlug}/forms",
            get(forms::list_forms),
        )
        .route(
            "/organizations/{organizationSlug}/forms/{formType}/{formSlug}/public",
            get(forms::get_form_public),
        )
        .route(
            "/organizations/{organizationSlug}/formTypes",
            get(forms::list_form_types),
        )
        .route(
            "/organizations/{organizationSlug}/forms/{formType}/action/quick-create",
            post(forms::quick_create_form),
        )
        .route(
            "/organizations/{organizationSlug}/forms/{formType}/{formSlug}/state",
            put(forms::set_form_state),
        )
        .route(
            "/organizations/{organizationSlug}",
            get(organization::get_organization),
        )
        .route(
            "/users/me/organizations",
            get(organization::list_my_organizations),
        )
        .route(
            "/organizations/{organizationSlug}/cash-out/{cashOutId}/export",
            get(payouts::export_cash_out),
        )
        .route("/partners/me", get(partners::get_partner))
        .route(
            "/partners/me/organizations",
            get(partners::list_partner_organizations),
        )
        .route(
            "/partners/me/api-clients",
            put(partners::set_api_client_domain),
        )
        .route(
            "/partners/me/api-notifications",
            put(partners::set_main_url).delete(partners::delete_main_url),
        )
        .route(
            "/partners/me/api-notifications/organizations/{organizationSlug}",
            put(partners::set_organization_url).delete(partners::delete_organization_url),
        )
        .route(
            "/organizations/{organizationSlug}/forms/{formType}/{formSlug}/stats",
            get(forms::get_form_stats),
        )
        .route("/directory/forms", post(directory::search_forms))
        .route(
            "/directory/organizations",
            post(directory::search_organizations),
        )
        .route("/tags/{tagName}", get(directory::get_tag))
        .route(
            "/values/form/{formType}/types",
            get(directory::form_activities),
        )
        .route(
            "/values/organization/categories",
            get(directory::organization_categories),
        )
        .route("/values/tags", get(directory::public_tags))
        .route(
            "/values/company-legal-status",
            get(directory::company_legal_statuses),
        )
        .fallback(errors::not_found_route)
        // Layers run outside in: the token first, then its client's privilege.
        .route_layer(from_fn_with_state(
            state.clone(),
            privilege_guard::require_privilege,
        ))
        .route_layer(from_fn_with_state(state.clone(), oauth::require_bearer));
    let fake = Router::new()
        .route("/info", get(admin::info))
        .route("/counters", get(admin::counters))
        .route("/faults", get(admin::get_faults).put(admin::put_faults))
        .route("/mfa", get(admin::get_mfa).put(admin::put_mfa))
        .route("/webhook", axum::routing::put(admin::put_webhook))
        .route("/tokens/expire", post(admin::expire_tokens))
        .route("/checkout-intents/{id}/pay", post(checkout::pay_route))
        .route(
            "/orders/{orderId}/instalments/take",
            post(crate::instalments::take_route),
        )
        .route(
            "/organizations/{slug}/rename",
            post(crate::renames::rename_route),
        )
        .route(
            "/checkout/{id}",
            get(checkout::checkout_page).post(checkout::checkout_action),
        );
    Router::new()
        .route("/oauth2/token", post(oauth::token))
        .route("/oauth2/disconnect", get(oauth::disconnect))
        .route("/authorize", get(oauth::authorize))
        .nest("/v5", api)
        .layer(axum::middleware::from_fn(cdn::require_user_agent))
        .nest("/_fake", fake)
        .fallback(errors::not_found_route)
        .layer(from_fn_with_state(state.clone(), faults::inject))
        .with_state(state)
}

/// Starts a server on 127.0.0.1 (port `config.port`, 0 for any) with a
/// freshly generated dataset. The server runs on the current Tokio runtime
/// until [`FakeServer::shutdown`] or until the handle is dropped.
pub async fn start(config: FakeConfig) -> Result<FakeServer, StartError> {
    let listener = TcpListener::bind(("127.0.0.1", config.port))
        .await
        .map_err(|source| StartError::Bind {
            port: config.port,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        port: config.port,
        source,
    })?;
    let base_url = format!("http://{addr}");
    let (seed, n, slug, large) = (
        config.seed,
        config.payments,
        config.organization_slug.clone(),
        config.large_ids,
    );
    let payers = config.payers.clone();
    let data = tokio::task::spawn_blocking(move || {
        let mut data = Dataset::generate(seed, n, &slug, large);
        data.seed_payers(payers);
        data
    })
    .await
    .map_err(|e| StartError::Dataset(e.to_string()))?;
    let state = Arc::new(AppState::new(&config, data, base_url));
    let app = router(state.clone()).into_make_service_with_connect_info::<ConnMeta>();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(KillableListener { inner: listener }, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
    });
    tracing::info!(%addr, payments = config.payments, "helloasso-fake listening");
    Ok(FakeServer {
        addr,
        state,
        organization_slug: config.organization_slug,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// A running fake server. Dropping it stops the server (without waiting);
/// [`FakeServer::shutdown`] stops it and waits.
pub struct FakeServer {
    addr: SocketAddr,
    state: Arc<AppState>,
    organization_slug: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl FakeServer {
    /// The server's root, e.g. `http://127.0.0.1:40123`; OAuth lives here
    /// (`/oauth2/token`), the API under `/v5`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The API's root: `{base_url}/v5`.
    pub fn api_url(&self) -> String {
        format!("{}/v5", self.base_url())
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The accepted OAuth client id.
    pub fn client_id(&self) -> &str {
        &self.state.client_id
    }

    /// The accepted OAuth client secret.
    pub fn client_secret(&self) -> &str {
        &self.state.client_secret
    }

    /// The main organization's slug.
    pub fn organization_slug(&self) -> &str {
        &self.organization_slug
    }

    /// Every organization's slug (the main one first).
    pub fn organizations(&self) -> Vec<String> {
        info(&self.state).organizations
    }

    /// Every form of every organization.
    pub fn forms(&self) -> Vec<FormInfo> {
        info(&self.state).forms
    }

    /// The counters now.
    pub fn counters(&self) -> CountersSnapshot {
        self.state.counters.snapshot()
    }

    /// The injected faults now.
    pub fn faults(&self) -> FaultConfig {
        read(&self.state.faults).clone()
    }

    /// Replaces the injected faults.
    pub fn set_faults(&self, faults: FaultConfig) {
        *write(&self.state.faults) = faults;
    }

    /// Replaces the MFA demanded by refunds.
    pub fn set_mfa(&self, mfa: MfaConfig) {
        *write(&self.state.mfa) = mfa;
    }

    /// Replaces (or removes) the webhook target.
    pub fn set_webhook(&self, webhook: Option<WebhookConfig>) {
        *write(&self.state.webhook) = webhook;
    }

    /// Replaces the retries and faults of notification delivery.
    pub fn set_webhook_delivery(&self, delivery: crate::WebhookDelivery) {
        self.state.deliveries.set(delivery);
    }

    /// Every notification sent so far, one entry per URL, in order.
    pub fn webhook_log(&self) -> Vec<crate::SentNotification> {
        self.state.deliveries.log()
    }

    /// Makes listings answer -1 counts (or real ones again).
    pub fn set_counts_unknown(&self, unknown: bool) {
        self.state.counts_unknown.store(unknown, Ordering::Relaxed);
    }

    /// Expires every access token now (refresh tokens stay valid), to test
    /// a client's refresh on 401.
    pub fn expire_access_tokens(&self) {
        lock(&self.state.tokens).expire_access_tokens();
    }

    /// Issues an authorization code for an organization (what `GET /authorize`
    /// redirects with), to test the authorization-code grant without a browser.
    /// `code_challenge` is the PKCE S256 challenge, if any.
    pub fn authorization_code(
        &self,
        organization_slug: &str,
        redirect_uri: &str,
        code_challenge: Option<&str>,
    ) -> Result<String, FakeError> {
        let org = self
            .state
            .read()
            .org_index(organization_slug)
            .ok_or_else(|| FakeError {
                status: 404,
                body: format!("Organization '{organization_slug}' not found."),
            })?;
        Ok(lock(&self.state.tokens).create_code(
            org,
            redirect_uri,
            code_challenge.map(str::to_owned),
        ))
    }

    /// Renames an organization (its slug) and sends the `Organization`
    /// notification. [`organization_slug`](Self::organization_slug) keeps
    /// the slug the server started with.
    pub fn rename_organization(&self, old: &str, new: &str) -> Result<(), FakeError> {
        crate::renames::rename(&self.state, old, new).map_err(FakeError::from_api)
    }

    /// Pays a checkout intent: creates its order and an `Authorized` payment,
    /// and sends the Order and Payment webhooks.
    pub fn pay_checkout_intent(&self, checkout_intent_id: i64) -> Result<PaidCheckout, FakeError> {
        checkout::pay_intent(&self.state, checkout_intent_id).map_err(FakeError::from_api)
    }

    /// Takes the next later instalment of an order paid in instalments, as
    /// HelloAsso does on its date: it becomes `Authorized` and its `Payment`
    /// notification is sent. An order with none to come is a 400.
    pub fn take_instalment(&self, order_id: i64) -> Result<TakenInstalment, FakeError> {
        crate::instalments::take_next(&self.state, order_id).map_err(FakeError::from_api)
    }

    /// Changes an item's answer to the custom field labelled `field` (as a
    /// payer editing their registration); the item's `UpdateDate` moves.
    pub fn set_custom_field_answer(
        &self,
        item_id: i64,
        field: &str,
        answer: &str,
    ) -> Result<(), FakeError> {
        crate::orders::set_answer(&mut self.state.write(), item_id, field, answer)
            .map_err(FakeError::from_api)
    }

    /// Number of payments (all organizations).
    pub fn payment_count(&self) -> usize {
        self.state.read().payments.len()
    }

    /// Ids of the main organization's payments, newest first, optionally only
    /// those in `state`, at most `limit`.
    pub fn payment_ids(&self, state: Option<PaymentState>, limit: usize) -> Vec<i64> {
        let ds = self.state.read();
        ds.orgs[0]
            .by_date
            .iter()
            .rev()
            .filter(|&&i| state.is_none_or(|s| ds.payments[i as usize].state == s))
            .take(limit)
            .map(|&i| ds.payment_id(i))
            .collect()
    }

    /// Every payment of the main organization, newest first, with its
    /// figures read from the dataset itself (no page, no rendering): what
    /// a client's totals are reconciled against.
    pub fn payment_figures(&self) -> Vec<crate::PaymentFigures> {
        crate::figures::of_main_organization(&self.state.read())
    }

    /// Stops the server and waits for it (at most 5 seconds for open connections).
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }

    /// Waits until the server stops (for the binary: it never does on its own).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            // Graceful shutdown was asked; make sure lingering keep-alive
            // connections cannot keep it running.
            let abort = task.abort_handle();
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                handle.spawn(async move {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    abort.abort();
                });
            } else {
                abort.abort();
            }
        }
    }
}

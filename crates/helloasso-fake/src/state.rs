//! The shared state behind every route.

use crate::config::FaultConfig;
use crate::config::{FakeConfig, MfaConfig, WebhookConfig};
use crate::counters::Counters;
use crate::dataset::Dataset;
use crate::rendered::RenderedPayments;
use crate::rng::SplitMix64;
use crate::tokens::TokenStore;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

/// Everything the handlers share.
pub(crate) struct AppState {
    pub data: RwLock<Dataset>,
    pub tokens: Mutex<TokenStore>,
    pub counters: Counters,
    pub faults: RwLock<FaultConfig>,
    pub fault_rng: Mutex<SplitMix64>,
    /// The request-rate limit's bucket.
    pub throttle: crate::throttle::Throttle,
    pub mfa: RwLock<MfaConfig>,
    pub webhook: RwLock<Option<WebhookConfig>>,
    pub webhook_client: reqwest::Client,
    /// Retries, faults and log of notification delivery.
    pub deliveries: crate::deliveries::Deliveries,
    pub client_id: String,
    pub client_secret: String,
    pub token_lifetime: Duration,
    pub refresh_lifetime: Duration,
    pub counts_unknown: AtomicBool,
    pub base_url: String,
    /// Whether client credentials are an association's (main organization only).
    pub association: bool,
    pub partner: Mutex<crate::partner_settings::Partner>,
    /// The privileges the OAuth client holds.
    pub privileges: Vec<crate::Privilege>,
    /// What quick-create was sent, by form index (the public form shows it).
    pub quick_created: Mutex<std::collections::HashMap<u16, serde_json::Value>>,
    /// Payments serialized once for listing pages, when configured.
    pub rendered: Option<RenderedPayments>,
    /// Unfiltered order and item listings in their sort order.
    pub listings: crate::listing_cache::ListingCache,
}

impl AppState {
    pub(crate) fn new(config: &FakeConfig, data: Dataset, base_url: String) -> Self {
        let webhook_client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        let rendered = config
            .preserialize_listings
            .then(|| RenderedPayments::new(data.payments.len()));
        AppState {
            data: RwLock::new(data),
            tokens: Mutex::new(TokenStore::default()),
            counters: Counters::default(),
            faults: RwLock::new(config.faults.clone()),
            fault_rng: Mutex::new(SplitMix64::new(config.seed ^ 0x5EED_FA17)),
            throttle: Default::default(),
            mfa: RwLock::new(config.mfa.clone()),
            webhook: RwLock::new(config.webhook.clone()),
            webhook_client,
            deliveries: crate::deliveries::Deliveries::new(config.seed),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            token_lifetime: config.token_lifetime,
            refresh_lifetime: config.refresh_token_lifetime,
            counts_unknown: AtomicBool::new(config.counts_unknown),
            base_url,
            association: config.association,
            partner: Mutex::default(),
            privileges: config.privileges(),
            quick_created: Mutex::default(),
            rendered,
            listings: Default::default(),
        }
    }

    /// Reads the dataset (a poisoned lock is still usable: the data is plain).
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Dataset> {
        self.data.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes the dataset. Pre-serialized payments are dropped for good,
    /// since the write may change what they render as.
    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Dataset> {
        let guard = self.data.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(rendered) = &self.rendered {
            rendered.invalidate();
        }
        self.listings.clear();
        guard
    }
}

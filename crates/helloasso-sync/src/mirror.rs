//! The mirror: a database opened (and migrated), what it holds, and runs.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use helloasso_sdk::Client;
use helloasso_sdk::follow_up::FollowUpSchedule;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::checkouts::{self, TrackedCheckout};
use crate::db::{self, Backend, Pool, Val};
use crate::error::{Error, Result};
use crate::notifications::MirrorNotificationStore;
use crate::pace::{DEFAULT_MAX_RATE, Pacer};
use crate::report::Report;
use crate::resource::Resource;
use crate::run::{self, Ctx};
use crate::stream::{ChangeStream, Msg};
use crate::{feed, fetch, migrations, store};

/// How many times a SQLite first open tries (see [`Mirror::open`]).
const OPEN_ATTEMPTS: u32 = 5;

/// A mirror of HelloAsso data in SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub struct Mirror {
    pool: Pool,
}

impl Mirror {
    /// Opens a mirror: a SQLite file path (created when missing) or a
    /// `postgres://` URL; brings its schema up to date.
    pub async fn open(location: &str) -> Result<Mirror> {
        // Two first opens of one SQLite file (a sync and a listener started
        // together) race: switching the fresh file to WAL answers "database
        // is locked" at once, and sqlx takes no lock around migrations, so
        // both may apply the first one and the loser's fails and rolls back.
        // The loser tries again, a bounded number of times.
        let mut attempt = 1;
        loop {
            let opened = async {
                let pool = db::connect(location).await?;
                migrations::run(&pool).await?;
                Ok(Mirror { pool })
            };
            match opened.await {
                Ok(mirror) => return Ok(mirror),
                Err(Error::InvalidLocation(what)) => return Err(Error::InvalidLocation(what)),
                Err(_) if attempt < OPEN_ATTEMPTS && !db::is_postgres(location) => {
                    tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The database kind.
    pub fn backend(&self) -> Backend {
        self.pool.backend()
    }

    /// Closes the database connections.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Stores a payment document (as HelloAsso sends it); `true` when it
    /// was new or changed.
    pub async fn upsert_payment(&self, organization: &str, doc: Value) -> Result<bool> {
        self.upsert(organization, Resource::Payments, doc).await
    }

    /// Stores an order document (with its items and payments).
    pub async fn upsert_order(&self, organization: &str, doc: Value) -> Result<bool> {
        self.upsert(organization, Resource::Orders, doc).await
    }

    /// Stores an item document (with its custom-field answers).
    pub async fn upsert_item(&self, organization: &str, doc: Value) -> Result<bool> {
        self.upsert(organization, Resource::Items, doc).await
    }

    /// Stores a form document.
    pub async fn upsert_form(&self, organization: &str, doc: Value) -> Result<bool> {
        self.upsert(organization, Resource::Forms, doc).await
    }

    async fn upsert(&self, organization: &str, resource: Resource, doc: Value) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let out = store::upsert(tx.conn(), organization, resource, doc).await?;
        tx.commit().await?;
        Ok(matches!(out, store::Outcome::Written(_)))
    }

    /// A stored payment document.
    pub async fn payment(&self, id: i64) -> Result<Option<Value>> {
        self.get(Resource::Payments, vec![Val::Int(Some(id))]).await
    }

    /// A stored order document.
    pub async fn order(&self, id: i64) -> Result<Option<Value>> {
        self.get(Resource::Orders, vec![Val::Int(Some(id))]).await
    }

    /// A stored item document.
    pub async fn item(&self, id: i64) -> Result<Option<Value>> {
        self.get(Resource::Items, vec![Val::Int(Some(id))]).await
    }

    /// A stored form document.
    pub async fn form(
        &self,
        organization: &str,
        form_type: &str,
        form_slug: &str,
    ) -> Result<Option<Value>> {
        let key = [organization, form_type, form_slug]
            .map(|s| Val::Text(Some(s.to_owned())))
            .to_vec();
        self.get(Resource::Forms, key).await
    }

    async fn get(&self, resource: Resource, key: Vec<Val>) -> Result<Option<Value>> {
        let mut c = self.pool.acquire().await?;
        store::get(c.conn(), resource, &key).await
    }

    /// How many records of `resource` the mirror holds for an organization.
    pub async fn count(&self, resource: Resource, organization: &str) -> Result<i64> {
        let mut c = self.pool.acquire().await?;
        store::count(c.conn(), resource, organization).await
    }

    /// Every stored document of `resource` for an organization (HelloAsso's
    /// documents as stored), in a stable order: two mirrors of the same
    /// data compare equal.
    pub async fn documents(&self, resource: Resource, organization: &str) -> Result<Vec<Value>> {
        let mut c = self.pool.acquire().await?;
        store::documents(c.conn(), resource, organization).await
    }

    /// Deletes the change feed's rows up to `seq`, once a consumer has
    /// them; returns how many went.
    pub async fn prune_changes(&self, up_to: i64) -> Result<u64> {
        let mut c = self.pool.acquire().await?;
        feed::prune(c.conn(), up_to).await
    }

    /// A notification store on this mirror's database, for the SDK's
    /// webhook receiver: each accepted notification is stored with its
    /// object, in one transaction (see [`MirrorNotificationStore`]).
    /// `organization` is used for notifications whose data names none.
    pub fn notification_store(&self, organization: Option<&str>) -> MirrorNotificationStore {
        MirrorNotificationStore::new(self.pool.clone(), organization.map(str::to_owned))
    }

    /// Follows up a checkout intent created at `created_at`: each sync run
    /// reads it back when a check of its schedule is due, until it has an
    /// outcome, and stores the outcome and the paid order. `false` when it
    /// was followed already.
    pub async fn track_checkout(
        &self,
        organization: &str,
        checkout_intent_id: i64,
        created_at: DateTime<Utc>,
    ) -> Result<bool> {
        let mut c = self.pool.acquire().await?;
        checkouts::track(c.conn(), organization, checkout_intent_id, created_at).await
    }

    /// A checkout intent the mirror follows up, and where it stands.
    pub async fn checkout_intent(
        &self,
        checkout_intent_id: i64,
    ) -> Result<Option<TrackedCheckout>> {
        let mut c = self.pool.acquire().await?;
        checkouts::get(c.conn(), checkout_intent_id).await
    }

    /// Prepares a sync run with `client`.
    pub fn sync(&self, client: &Client) -> Sync {
        Sync {
            pool: self.pool.clone(),
            client: client.clone(),
            organizations: Vec::new(),
            all_organizations: false,
            page_size: 100,
            follow_up: FollowUpSchedule::default(),
            max_rate: DEFAULT_MAX_RATE,
        }
    }
}

/// A sync run to start: which organizations, then [`Sync::run`] or
/// [`Sync::changes`].
#[derive(Debug)]
#[must_use = "a sync does nothing until run"]
pub struct Sync {
    pool: Pool,
    client: Client,
    organizations: Vec<String>,
    all_organizations: bool,
    page_size: u32,
    follow_up: FollowUpSchedule,
    max_rate: f64,
}

impl Sync {
    /// Adds an organization to sync.
    pub fn organization(mut self, slug: impl Into<String>) -> Self {
        self.organizations.push(slug.into());
        self
    }

    /// Syncs every organization the partner serves (after those named).
    pub fn all_organizations(mut self, yes: bool) -> Self {
        self.all_organizations = yes;
        self
    }

    /// Items per page asked of HelloAsso (1 to 100; 100 by default).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.clamp(1, 100);
        self
    }

    /// When the checkout intents the mirror follows up are read back
    /// (HelloAsso's usual T+5, T+15, T+45 minutes by default; see
    /// [`Mirror::track_checkout`]). A run reads an intent only when one of
    /// its checks fell due since the last read.
    pub fn follow_up(mut self, schedule: FollowUpSchedule) -> Self {
        self.follow_up = schedule;
        self
    }

    /// The most requests per second the run sends to HelloAsso, all its
    /// walks together ([`DEFAULT_MAX_RATE`] unless set; 0: no limit). A 429
    /// still halves it for the rest of the run.
    pub fn max_rate(mut self, per_second: f64) -> Self {
        self.max_rate = per_second;
        self
    }

    fn start(
        self,
        feed: Option<mpsc::Sender<Msg>>,
    ) -> impl Future<Output = Result<Report>> + Send + 'static {
        let ctx = Arc::new(Ctx {
            pool: self.pool,
            client: self.client,
            page_size: self.page_size,
            pace: Pacer::new(self.max_rate),
            payouts: Default::default(),
            feed,
            follow_up: self.follow_up,
        });
        let mut orgs = self.organizations;
        let all = self.all_organizations;
        async move {
            if all {
                let (listed, requests) = fetch::partner_organizations(&ctx.client).await?;
                ctx.pace
                    .requests
                    .fetch_add(requests, std::sync::atomic::Ordering::Relaxed);
                for slug in listed {
                    if !orgs.contains(&slug) {
                        orgs.push(slug);
                    }
                }
            }
            if orgs.is_empty()
                && let Some(slug) = ctx.client.organization()
            {
                orgs.push(slug.to_owned());
            }
            run::run(ctx, orgs).await
        }
    }

    /// Runs to the end; the closing report.
    pub async fn run(self) -> Result<Report> {
        self.start(None).await
    }

    /// Runs in a task of its own and streams each new or changed record
    /// as soon as its transaction commits; the report follows the stream's
    /// end ([`ChangeStream::report`]).
    pub fn changes(self) -> ChangeStream {
        let (tx, rx) = mpsc::channel(256);
        let done = tx.clone();
        let run = self.start(Some(tx));
        tokio::spawn(async move {
            let outcome = run.await;
            let _ = done.send(Msg::Done(outcome)).await;
        });
        ChangeStream::new(rx)
    }
}

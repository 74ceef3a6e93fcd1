//! `helloasso webhook forward URL`: notifications for a local app, without
//! a tunnel.
//!
//! HelloAsso can only notify a public https URL, which a developer's
//! machine does not have. Instead of opening a tunnel, this command asks
//! the API what changed, on an interval: the organization's payments sorted
//! by last update. Each payment changed since the previous look is read in
//! full and POSTed to `URL` as HelloAsso would post it
//! (`{"eventType":"Payment","data":...}`), preceded by an `Order`
//! notification the first time its order is seen. With `--sign-key`, bodies
//! carry `x-ha-signature` computed with that key, so that an app checking
//! partners' signatures accepts them. Form and organization changes are
//! not visible this way and are not forwarded.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::Duration;

use clap::Args;
use helloasso_sdk::types::{Payment, SortField, SortOrder};
use helloasso_sdk::webhooks::{SIGNATURE_HEADER, sign};
use serde_json::json;

use crate::args::GlobalArgs;
use crate::config::Context;
use crate::exit::{CliError, CliResult};
use crate::profile;

/// Payments looked at per poll: the most recently updated.
const PAGE: u32 = 100;

/// `helloasso webhook forward`. Debug never shows the key.
#[derive(Args)]
pub struct ForwardArgs {
    /// The local app's notification URL (e.g. http://127.0.0.1:3000/helloasso)
    pub url: String,

    /// Seconds between two looks at the API
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub interval: u64,

    /// Sign forwarded bodies with this key (x-ha-signature), as HelloAsso
    /// signs partners' notifications
    #[arg(
        long,
        value_name = "KEY",
        env = "HELLOASSO_FORWARD_KEY",
        hide_env_values = true
    )]
    pub sign_key: Option<String>,

    /// Also forward the payments already there when it starts (the N most
    /// recently updated)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub replay: usize,

    /// Stop after this many looks (for scripts and tests)
    #[arg(long, value_name = "N")]
    pub polls: Option<u64>,
}

impl fmt::Debug for ForwardArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForwardArgs")
            .field("url", &self.url)
            .field("interval", &self.interval)
            .field("sign_key", &self.sign_key.as_ref().map(|_| "<redacted>"))
            .field("replay", &self.replay)
            .field("polls", &self.polls)
            .finish()
    }
}

/// Forwards until Ctrl-C (or `--polls`).
pub async fn run(global: &GlobalArgs, args: ForwardArgs) -> CliResult {
    let url = reqwest::Url::parse(args.url.trim())
        .map_err(|e| CliError::usage(format!("`{}` is not a URL: {e}", args.url)))?;
    let profile = profile::load(&global.profile)?;
    let ctx = Context::from_args(global, &profile, None)?;
    let slug = ctx.organization()?.to_owned();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| CliError::other(format!("cannot start an HTTP client: {e}")))?;
    let mut forwarder = Forwarder {
        ctx: &ctx,
        http,
        url,
        key: args.sign_key.filter(|k| !k.is_empty()),
        seen: HashMap::new(),
        orders: HashSet::new(),
    };
    // The first look sets what is already known, unless asked to replay it.
    let first = forwarder.changed(&slug).await?;
    let (replay, known) = first.split_at(args.replay.min(first.len()));
    for p in known {
        forwarder.remember(p);
        if let Some(order) = p.order.as_ref().and_then(|o| o.id) {
            forwarder.orders.insert(order);
        }
    }
    for p in replay.iter().rev() {
        forwarder.forward(p).await?;
    }
    eprintln!(
        "forwarding {slug}'s payments to {} every {} s (Ctrl-C to stop)",
        forwarder.url, args.interval
    );
    let mut polls = 1u64;
    loop {
        if args.polls.is_some_and(|max| polls >= max) {
            return Ok(());
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(args.interval)) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
        polls += 1;
        let changed = forwarder.changed(&slug).await?;
        // Oldest change first, as HelloAsso would have sent them.
        for p in changed.iter().rev() {
            forwarder.forward(p).await?;
        }
    }
}

struct Forwarder<'a> {
    ctx: &'a Context,
    http: reqwest::Client,
    url: reqwest::Url,
    key: Option<String>,
    /// Each payment's last update date seen.
    seen: HashMap<i64, String>,
    orders: HashSet<i64>,
}

fn updated(p: &Payment) -> String {
    p.meta
        .as_ref()
        .and_then(|m| m.updated_at.as_ref())
        .map(|d| d.to_rfc3339())
        .unwrap_or_default()
}

impl Forwarder<'_> {
    /// The most recently updated payments not seen in this state yet,
    /// newest first.
    async fn changed(&self, slug: &str) -> CliResult<Vec<Payment>> {
        let page = self
            .ctx
            .client
            .payments(slug)
            .list()
            .sort(SortField::UpdateDate, SortOrder::Desc)
            .page_size(PAGE)
            .send()
            .await?;
        Ok(page
            .items
            .into_iter()
            .filter(|p| {
                p.id.is_some_and(|id| self.seen.get(&id) != Some(&updated(p)))
            })
            .collect())
    }

    fn remember(&mut self, p: &Payment) {
        if let Some(id) = p.id {
            self.seen.insert(id, updated(p));
        }
    }

    async fn forward(&mut self, p: &Payment) -> CliResult {
        let Some(id) = p.id else { return Ok(()) };
        let order_id = p.order.as_ref().and_then(|o| o.id);
        if let Some(order_id) = order_id
            && !self.orders.contains(&order_id)
        {
            let order = self.ctx.client.order(order_id).get().await?;
            self.post(
                "Order",
                serde_json::to_value(order).unwrap_or_default(),
                order_id,
            )
            .await?;
            self.orders.insert(order_id);
        }
        let detail = self.ctx.client.payment(id).get().send().await?;
        self.post(
            "Payment",
            serde_json::to_value(detail).unwrap_or_default(),
            id,
        )
        .await?;
        self.remember(p);
        Ok(())
    }

    async fn post(&self, event_type: &str, data: serde_json::Value, id: i64) -> CliResult {
        let body = serde_json::to_vec(&json!({ "eventType": event_type, "data": data }))
            .unwrap_or_default();
        let mut req = self
            .http
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        if let Some(key) = &self.key {
            req = req.header(SIGNATURE_HEADER, sign(&body, key.as_bytes()));
        }
        let answer = match req.body(body).send().await {
            Ok(resp) => resp.status().as_u16().to_string(),
            // The app being down is reported, not fatal: the next change
            // is forwarded all the same.
            Err(e) => format!(
                "no answer ({})",
                if e.is_timeout() {
                    "timeout"
                } else {
                    "connection failed"
                }
            ),
        };
        outln!("{event_type}\t{id}\t{answer}")
    }
}

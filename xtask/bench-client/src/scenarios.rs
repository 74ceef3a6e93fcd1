//! The measured scenarios. Each returns its result as a JSON value.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures::{StreamExt, TryStreamExt};
use helloasso_raw::types;
use helloasso_sdk::{Client, Environment, Paging, RetryPolicy};
use serde_json::{Value, json};

use crate::{Args, peak_rss_kib};

pub async fn run(args: &Args) -> Result<Value> {
    match args.scenario.as_str() {
        "facade" => facade(args).await,
        "floor" => floor(args).await,
        "sequential" => sequential(args).await,
        "faults" => faults(args).await,
        "tokens" => tokens(args).await,
        "count" => count(args).await,
        "counters" => fake_counters(args).await,
        other => bail!("unknown scenario {other}"),
    }
}

fn client(args: &Args) -> Result<Client> {
    Ok(Client::builder()
        .environment(Environment::custom(&args.url)?)
        .credentials(args.client_id.clone(), args.client_secret.clone())
        .build()?)
}

fn result(items: usize, started: Instant, extra: Value) -> Value {
    let mut v = json!({
        "items": items,
        "seconds": started.elapsed().as_secs_f64(),
        "peak_rss_kib": peak_rss_kib(),
    });
    if let (Some(v), Some(extra)) = (v.as_object_mut(), extra.as_object()) {
        v.extend(extra.clone());
    }
    v
}

/// Simulated work on each page, as a caller storing payments would do.
async fn work(args: &Args) {
    if !args.work.is_zero() {
        tokio::time::sleep(args.work).await;
    }
}

/// The facade's item stream (one page ahead), with `work` per page.
async fn facade(args: &Args) -> Result<Value> {
    let client = client(args)?;
    client.token().await?;
    let started = Instant::now();
    let mut pages = client
        .payments(&args.org)
        .list()
        .page_size(args.page_size)
        .pages();
    let mut count = 0;
    let mut checksum = 0_i64;
    while let Some(page) = pages.try_next().await? {
        for p in &page.items {
            checksum = checksum.wrapping_add(p.amount.unwrap_or(0));
        }
        count += page.items.len();
        work(args).await;
        if count >= args.limit {
            break;
        }
    }
    Ok(result(count, started, json!({ "checksum": checksum })))
}

/// The same pages through the facade, strictly one after the other: the
/// next page is asked for only once the caller is done with the current one.
async fn sequential(args: &Args) -> Result<Value> {
    let client = client(args)?;
    client.token().await?;
    let started = Instant::now();
    let mut count = 0;
    let mut checkpoint: Option<String> = None;
    loop {
        let mut list = client.payments(&args.org).list().page_size(args.page_size);
        if let Some(token) = checkpoint.take() {
            list = list.resume_from(token);
        }
        let page = list.send().await?;
        if page.items.is_empty() {
            break;
        }
        count += page.items.len();
        work(args).await;
        if count >= args.limit {
            break;
        }
        match page.checkpoint() {
            Some(token) => checkpoint = Some(token.to_owned()),
            None => break,
        }
    }
    Ok(result(count, started, json!({})))
}

/// The floor: reqwest and serde_json by hand over the same pages, with the
/// same types, no retries, no streams.
async fn floor(args: &Args) -> Result<Value> {
    let http = reqwest::Client::new();
    let token: types::TokenResponse = http
        .post(format!("{}/oauth2/token", args.url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &args.client_id),
            ("client_secret", &args.client_secret),
        ])
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let started = Instant::now();
    let mut count = 0;
    let mut checksum = 0_i64;
    let mut continuation: Option<String> = None;
    loop {
        let mut query = vec![("pageSize", args.page_size.to_string())];
        if let Some(token) = continuation.take() {
            query.push(("continuationToken", token));
        }
        let bytes = http
            .get(format!(
                "{}/v5/organizations/{}/payments",
                args.url, args.org
            ))
            .bearer_auth(&token.access_token)
            .query(&query)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        let page: types::PaymentPage = serde_json::from_slice(&bytes)?;
        let data = page.data.unwrap_or_default();
        if data.is_empty() {
            break;
        }
        for p in &data {
            checksum = checksum.wrapping_add(p.amount.unwrap_or(0));
        }
        count += data.len();
        work(args).await;
        if count >= args.limit {
            break;
        }
        match page.pagination.and_then(|p| p.continuation_token) {
            Some(token) => continuation = Some(token),
            None => break,
        }
    }
    Ok(result(count, started, json!({ "checksum": checksum })))
}

/// How many payments the organization's listing has, as HelloAsso counts.
async fn count(args: &Args) -> Result<Value> {
    let page = client(args)?
        .payments(&args.org)
        .list()
        .page_size(1)
        .paging(Paging::PageIndex)
        .send()
        .await?;
    Ok(json!({ "total": page.total_count.context("the listing was not counted")? }))
}

/// The item stream under injected faults: how many arrived, duplicates,
/// and whether the order held (newest first).
async fn faults(args: &Args) -> Result<Value> {
    // Enough attempts that a page failing every one of them (18% faults per
    // request) is a one-in-millions event over the whole run.
    let client = Client::builder()
        .environment(Environment::custom(&args.url)?)
        .credentials(args.client_id.clone(), args.client_secret.clone())
        .retry_policy(RetryPolicy::default().with_max_attempts(10))
        .build()?;
    let started = Instant::now();
    let mut items = client
        .payments(&args.org)
        .list()
        .page_size(args.page_size)
        .items();
    let mut seen = HashSet::new();
    let mut duplicates = 0;
    let mut out_of_order = 0;
    let mut last: Option<(chrono_key::Key, i64)> = None;
    let mut count = 0;
    while let Some(payment) = items.next().await {
        let payment = payment.context("stream failed")?;
        let id = payment.id.unwrap_or_default();
        if !seen.insert(id) {
            duplicates += 1;
        }
        let key = chrono_key::of(&payment);
        if let Some(previous) = &last
            && (key, id) > *previous
        {
            out_of_order += 1;
        }
        last = Some((key, id));
        count += 1;
    }
    Ok(result(
        count,
        started,
        json!({ "distinct": seen.len(), "duplicates": duplicates, "out_of_order": out_of_order }),
    ))
}

mod chrono_key {
    /// Sort key of the fake's default order (date, newest first).
    pub type Key = i64;
    pub fn of(p: &helloasso_raw::types::Payment) -> Key {
        p.date.map(|d| d.timestamp_micros()).unwrap_or(i64::MIN)
    }
}

/// `concurrency` calls at once, first with a fresh token, then right after
/// the token expired: how many token requests the second burst made, and
/// what the expiry added to its latency.
async fn tokens(args: &Args) -> Result<Value> {
    // A short skew, so that a token of a few seconds counts as fresh at first.
    let client = Client::builder()
        .environment(Environment::custom(&args.url)?)
        .credentials(args.client_id.clone(), args.client_secret.clone())
        .refresh_skew(SKEW)
        .build()?;
    let token = client.token().await?;
    let id = first_payment_id(&client, &args.org).await?;
    let burst = |client: Client| async move {
        let started = Instant::now();
        let calls = (0..args.concurrency).map(|_| {
            let client = client.clone();
            async move { client.payment(id).get().send().await }
        });
        let results = futures::future::join_all(calls).await;
        let failed = results.iter().filter(|r| r.is_err()).count();
        (started.elapsed(), failed)
    };
    // A first burst opens the connection pool, so that both measured bursts
    // run on warm connections and differ only by the token.
    let (_, warmup_failed) = burst(client.clone()).await;
    let (fresh, fresh_failed) = burst(client.clone()).await;
    let before = token_requests(args).await?;
    // Wait out the access token (the fake is started with a short lifetime).
    let stale_at = token.expires_at() - chrono::Duration::from_std(SKEW)?;
    if let Ok(left) = (stale_at - chrono::Utc::now()).to_std() {
        tokio::time::sleep(left + Duration::from_millis(100)).await;
    }
    let (expired, expired_failed) = burst(client.clone()).await;
    let after = token_requests(args).await?;
    Ok(json!({
        "calls": args.concurrency,
        "token_requests": after - before,
        "fresh_burst_seconds": fresh.as_secs_f64(),
        "expired_burst_seconds": expired.as_secs_f64(),
        "added_seconds": (expired.as_secs_f64() - fresh.as_secs_f64()),
        "failed": warmup_failed + fresh_failed + expired_failed,
        "peak_rss_kib": peak_rss_kib(),
    }))
}

const SKEW: Duration = Duration::from_millis(500);

async fn first_payment_id(client: &Client, org: &str) -> Result<i64> {
    let page = client.payments(org).list().page_size(1).send().await?;
    page.items
        .first()
        .and_then(|p| p.id)
        .context("the fake has no payment")
}

/// What the fake has served and executed (its `/_fake/counters`).
async fn fake_counters(args: &Args) -> Result<Value> {
    let url = format!("{}/_fake/counters", args.url);
    Ok(reqwest::get(url).await?.error_for_status()?.json().await?)
}

/// Token requests the fake has served, all grants together.
async fn token_requests(args: &Args) -> Result<u64> {
    let counters = fake_counters(args).await?;
    let tokens = counters["tokens"].as_object().context("counters.tokens")?;
    Ok(tokens.values().filter_map(Value::as_u64).sum())
}

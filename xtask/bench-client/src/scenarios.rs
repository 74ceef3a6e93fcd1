//! The measured scenarios. Each returns its result as a JSON value.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures::{StreamExt, TryStreamExt};
use helloasso_raw::types;
use helloasso_sdk::{Client, Environment, ExportFormat, Paging, RetryPolicy};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use crate::args::Args;
use crate::client::client;
use crate::result_line::result;
use crate::usage::{Usage, peak_rss_kib};

pub async fn run(args: &Args) -> Result<Value> {
    match args.scenario.as_str() {
        "facade" => facade(args).await,
        "floor" => floor(args).await,
        "limit" => limit(args).await,
        "export" => export(args).await,
        "copy" => copy(args).await,
        "sequential" => sequential(args).await,
        "faults" => faults(args).await,
        "tokens" => tokens(args).await,
        "decode" => decode(args).await,
        "count" => count(args).await,
        "counters" => fake_counters(args).await,
        "mirror" => crate::mirror::mirror(args).await,
        "scatter" => crate::mirror::scatter(args).await,
        other => bail!("unknown scenario {other}"),
    }
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
    let used = Usage::now();
    let mut items = client
        .payments(&args.org)
        .list()
        .page_size(args.page_size)
        .items();
    let page = args.page_size as usize;
    let mut count = 0;
    let mut checksum = 0_i64;
    while let Some(p) = items.try_next().await? {
        checksum = checksum.wrapping_add(p.amount.map_or(0, |a| a.get()));
        count += 1;
        if count % page == 0 {
            work(args).await;
        }
        if count >= args.limit {
            break;
        }
    }
    if count % page != 0 {
        // The last, short page is worked on too, as `sequential` does.
        work(args).await;
    }
    Ok(result(
        count,
        started,
        used,
        json!({ "checksum": checksum }),
    ))
}

/// The same pages through the facade, strictly one after the other: the
/// next page is asked for only once the caller is done with the current one.
async fn sequential(args: &Args) -> Result<Value> {
    let client = client(args)?;
    client.token().await?;
    let started = Instant::now();
    let used = Usage::now();
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
    Ok(result(count, started, used, json!({})))
}

/// The floor: reqwest and serde_json by hand over the same pages, with the
/// same types, no retries, no streams.
async fn floor(args: &Args) -> Result<Value> {
    by_hand(args, |bytes| {
        let page: types::PaymentPage = serde_json::from_slice(bytes)?;
        let data = page.data.unwrap_or_default();
        let checksum = data.iter().map(|p| p.amount.map_or(0, |a| a.get())).sum();
        let token = page.pagination.and_then(|p| p.continuation_token);
        Ok((data.len(), checksum, token))
    })
    .await
}

/// The limit: the same pages through the same HTTP client, read as JSON
/// into nothing (`IgnoredAny`) but the continuation token. No JSON client
/// can spend less.
async fn limit(args: &Args) -> Result<Value> {
    #[derive(Deserialize)]
    struct BarePage {
        // A vector of a zero-sized type: counted, never allocated.
        data: Option<Vec<IgnoredAny>>,
        pagination: Option<BarePagination>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct BarePagination {
        continuation_token: Option<String>,
    }
    by_hand(args, |bytes| {
        let page: BarePage = serde_json::from_slice(bytes)?;
        let token = page.pagination.and_then(|p| p.continuation_token);
        Ok((page.data.map_or(0, |d| d.len()), 0, token))
    })
    .await
}

/// What a hand-written loop made of one page: its item count, the sum of
/// its amounts and the next page's token.
/// A plain reqwest client that names itself: HelloAsso's CDN, and the fake
/// after it, refuse a request without a `User-Agent`.
fn plain_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(concat!(
            "helloasso-bench-client/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
        .context("building the HTTP client")
}

type PageSummary = (usize, i64, Option<String>);

/// A hand-written listing loop with a plain reqwest client: each page's
/// bytes go to `read`, strictly one page after the other.
async fn by_hand(args: &Args, read: fn(&[u8]) -> Result<PageSummary>) -> Result<Value> {
    let http = plain_client()?;
    let token = bearer(&http, args).await?;
    let started = Instant::now();
    let used = Usage::now();
    let mut count = 0;
    let mut checksum = 0_i64;
    let mut continuation: Option<String> = None;
    loop {
        let bytes = payments_page(&http, args, &token, continuation.take()).await?;
        let (items, sum, next) = read(&bytes)?;
        if items == 0 {
            break;
        }
        checksum = checksum.wrapping_add(sum);
        count += items;
        work(args).await;
        if count >= args.limit {
            break;
        }
        match next {
            Some(token) => continuation = Some(token),
            None => break,
        }
    }
    Ok(result(
        count,
        started,
        used,
        json!({ "checksum": checksum }),
    ))
}

/// One page of the organization's payments, by hand: the bytes of the
/// page after `continuation` (the first page without one).
async fn payments_page(
    http: &reqwest::Client,
    args: &Args,
    token: &str,
    continuation: Option<String>,
) -> Result<bytes::Bytes> {
    let mut query = vec![("pageSize", args.page_size.to_string())];
    if let Some(continuation) = continuation {
        query.push(("continuationToken", continuation));
    }
    Ok(http
        .get(format!(
            "{}/v5/organizations/{}/payments",
            args.url, args.org
        ))
        .bearer_auth(token)
        .query(&query)
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?)
}

/// An access token from the token endpoint, by hand.
async fn bearer(http: &reqwest::Client, args: &Args) -> Result<String> {
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
    Ok(token.access_token)
}

/// Decoding alone, in this thread: the first `--limit` pages' bodies
/// (default 20) read again and again into the models, by
/// `serde_json::from_slice` (progenitor's reader, and the floor's) and by
/// the raw crate's reader (the facade's). Reports each one's CPU time per
/// 1,000 payments, the best of several rounds, so that a change to the
/// decoders is measured without the network or the fake.
async fn decode(args: &Args) -> Result<Value> {
    let http = plain_client()?;
    let token = bearer(&http, args).await?;
    let pages = if args.limit == usize::MAX {
        20
    } else {
        args.limit
    };
    let mut bodies = Vec::new();
    let mut continuation: Option<String> = None;
    while bodies.len() < pages {
        let body = payments_page(&http, args, &token, continuation.take()).await?;
        let page: types::PaymentPage = serde_json::from_slice(&body)?;
        continuation = page.pagination.and_then(|p| p.continuation_token);
        bodies.push(body);
        if continuation.is_none() {
            break;
        }
    }
    type Reader = fn(&[u8]) -> serde_json::Result<types::PaymentPage>;
    let readers: [(&str, Reader); 2] = [
        ("from_slice", |b| serde_json::from_slice(b)),
        ("raw_reader", helloasso_raw::decode::from_bytes),
    ];
    // The two readers take turns body by body, so that a slow spell of a
    // shared machine hits both alike; each one's best round is kept.
    let mut best = [f64::INFINITY; 2];
    let mut payments = 0;
    for _ in 0..15 {
        let mut spent = [0.0; 2];
        payments = 0;
        for body in &bodies {
            for ((_, read), spent) in readers.iter().zip(spent.iter_mut()) {
                let cpu = thread_cpu_seconds();
                let page = read(body)?;
                *spent += thread_cpu_seconds() - cpu;
                payments += page.data.map_or(0, |d| d.len());
            }
        }
        payments /= readers.len();
        for (best, spent) in best.iter_mut().zip(spent) {
            *best = best.min(spent / payments as f64 * 1000.0);
        }
    }
    let mut line = json!({ "items": payments, "pages": bodies.len() });
    for ((name, _), best) in readers.iter().zip(best) {
        line[format!("{name}_ms_per_1000")] = json!(best * 1000.0);
    }
    Ok(line)
}

/// CPU time of the calling thread.
fn thread_cpu_seconds() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes into the timespec it is given.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } != 0 {
        return f64::NAN;
    }
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

/// The organization's CSV export through the facade, into a sink.
async fn export(args: &Args) -> Result<Value> {
    let client = client(args)?;
    client.token().await?;
    let started = Instant::now();
    let used = Usage::now();
    let bytes = client
        .payments(&args.org)
        .export(ExportFormat::Csv)
        .write_to(&mut tokio::io::sink())
        .await?;
    Ok(result(0, started, used, json!({ "bytes": bytes })))
}

/// The same CSV export copied by hand with reqwest into a sink: the bytes
/// the facade's export must keep up with.
async fn copy(args: &Args) -> Result<Value> {
    let http = plain_client()?;
    let token = bearer(&http, args).await?;
    let started = Instant::now();
    let used = Usage::now();
    let mut body = http
        .get(format!(
            "{}/v5/organizations/{}/payments",
            args.url, args.org
        ))
        .bearer_auth(&token)
        .header(reqwest::header::ACCEPT, "text/csv")
        .send()
        .await?
        .error_for_status()?
        .bytes_stream();
    let mut sink = tokio::io::sink();
    let mut bytes = 0_u64;
    while let Some(chunk) = body.try_next().await? {
        sink.write_all(&chunk).await?;
        bytes += chunk.len() as u64;
    }
    Ok(result(0, started, used, json!({ "bytes": bytes })))
}

/// How many payments the organization's listing has, as HelloAsso counts.
async fn count(args: &Args) -> Result<Value> {
    let page = client(args)?
        .payments(&args.org)
        .list()
        .page_size(1)
        .paging(Paging::PageIndex)
        // HelloAsso counts only when asked (`withCount` defaults to false).
        .with_count(true)
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
    let used = Usage::now();
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
        used,
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

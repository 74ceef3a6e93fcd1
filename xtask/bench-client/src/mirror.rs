//! The mirror scenarios: one `helloasso-sync` run into a SQLite file
//! (`mirror`), and changes scattered over the fake's payments between two
//! runs (`scatter`).

use std::time::Instant;

use anyhow::{Context, Result, bail};
use helloasso_sdk::{Cents, FixedMfaCode};
use helloasso_sync::{Mirror, Resource};
use serde_json::{Value, json};

use crate::args::Args;
use crate::client::client;
use crate::result_line::result;
use crate::usage::Usage;

/// One sync run of `--org` into `--db` at `--max-rate`: wall time, the
/// requests the run counted, its report and the process's peak RSS.
pub async fn mirror(args: &Args) -> Result<Value> {
    if args.db.is_empty() {
        bail!("mirror needs --db PATH");
    }
    let client = client(args)?;
    let (started, used) = (Instant::now(), Usage::now());
    let mirror = Mirror::open(&args.db).await?;
    let report = mirror
        .sync(&client)
        .organization(&args.org)
        .page_size(args.page_size)
        .max_rate(args.max_rate)
        .run()
        .await?;
    mirror.close().await;
    let records: u64 = Resource::ALL
        .iter()
        .map(|r| report.counts(*r))
        .map(|c| c.new + c.changed + c.unchanged)
        .sum();
    Ok(result(
        records as usize,
        started,
        used,
        json!({ "requests": report.requests, "report": report }),
    ))
}

/// Refunds 1 € of `--changes` authorized payments spread evenly over the
/// payments a first mirror stored in `--db` (old and recent ones alike);
/// prints how many changed.
pub async fn scatter(args: &Args) -> Result<Value> {
    if args.db.is_empty() {
        bail!("scatter needs --db PATH (a first mirror)");
    }
    let mirror = Mirror::open(&args.db).await?;
    let authorized: Vec<i64> = mirror
        .documents(Resource::Payments, &args.org)
        .await?
        .iter()
        .filter(|p| p["state"] == "Authorized")
        .filter_map(|p| p["id"].as_i64())
        .collect();
    mirror.close().await;
    if authorized.len() < args.changes {
        bail!(
            "{} authorized payments, {} changes asked",
            authorized.len(),
            args.changes
        );
    }
    let client = client(args)?;
    let step = authorized.len() / args.changes.max(1);
    let mut refunded = Vec::new();
    for id in authorized.iter().step_by(step.max(1)).take(args.changes) {
        client
            .payment(*id)
            .refund()
            .amount(Cents(100))
            .mfa_provider(FixedMfaCode::new("123456"))
            .await
            .with_context(|| format!("refunding payment {id}"))?;
        refunded.push(*id);
    }
    Ok(json!({ "changed": refunded.len(), "payments": refunded }))
}

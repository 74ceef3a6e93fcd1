//! `helloasso partner notifications check`: per organization, which URL
//! HelloAsso notifies and whether it answers.
//!
//! The partner's URLs come from `GET /v5/partners/me`. HelloAsso offers no
//! route to read an organization's own URL back, so each organization is
//! shown with the partner's URLs, and the output says so. Each URL is
//! probed once with a notification of an event type no receiver acts on
//! (`eventType: "HealthCheck"`), signed with that URL's key: a receiver
//! that follows HelloAsso's practice answers it 2xx without storing it
//! (the SDK's receiver answers `200 unknown_event_type`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use clap::Args;
use futures::TryStreamExt;
use helloasso_sdk::webhooks::{SIGNATURE_HEADER, sign};
use serde::Serialize;

use crate::args::Format;
use crate::config::Context;
use crate::exit::{CliError, CliResult};
use crate::output::{Col, render_table};
use crate::settings::Settings;

/// The probe's body: an event type no receiver acts on.
const PROBE: &[u8] = br#"{"eventType":"HealthCheck","data":{}}"#;

/// `helloasso partner notifications check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Only this organization (its slug)
    #[arg(long, value_name = "SLUG")]
    pub for_org: Option<String>,

    /// Seconds to wait for each URL's answer
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,
}

/// One organization and one URL.
#[derive(Debug, Serialize)]
struct Row {
    organization: String,
    #[serde(rename = "type")]
    kind: String,
    url: String,
    answer: String,
    ok: bool,
}

/// Checks every URL once, and prints a row per organization and URL.
pub async fn run(ctx: &Context, settings: &Settings, args: CheckArgs) -> CliResult {
    let partner = ctx.client.partner();
    let me = partner.get().await?;
    let urls: Vec<(String, String, Option<String>)> = me
        .url_notification_list
        .iter()
        .flatten()
        .filter_map(|u| {
            let kind = u
                .api_notification_type
                .as_ref()
                .map_or("all", |t| t.as_str())
                .to_owned();
            Some((kind, u.url.clone()?, u.signature_key.clone()))
        })
        .collect();
    let organizations: Vec<String> = match args.for_org {
        Some(slug) => vec![slug],
        None => {
            partner
                .organizations(None)
                .map_ok(|o| {
                    o.organization
                        .and_then(|o| o.organization_slug)
                        .unwrap_or_default()
                })
                .try_collect()
                .await?
        }
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(args.timeout.max(1)))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| CliError::other(format!("cannot start an HTTP client: {e}")))?;
    // One probe per URL, however many organizations share it.
    let mut answers: BTreeMap<String, (String, bool)> = BTreeMap::new();
    for (_, url, key) in &urls {
        if !answers.contains_key(url) {
            answers.insert(url.clone(), probe(&http, url, key.as_deref()).await);
        }
    }
    let mut rows = Vec::new();
    for org in &organizations {
        if urls.is_empty() {
            rows.push(Row {
                organization: org.clone(),
                kind: "-".into(),
                url: "(none set)".into(),
                answer: "-".into(),
                ok: false,
            });
        }
        for (kind, url, _) in &urls {
            let (answer, ok) = answers.get(url).cloned().unwrap_or_default();
            rows.push(Row {
                organization: org.clone(),
                kind: kind.clone(),
                url: url.clone(),
                answer,
                ok,
            });
        }
    }
    print(settings.format(), &rows)?;
    eprintln!(
        "note: HelloAsso does not let a partner read an organization's own URL back; the partner's URLs are shown for each"
    );
    if rows.iter().any(|r| !r.ok) {
        return Err(CliError::other(
            "a notification URL is missing or does not answer 2xx",
        ));
    }
    Ok(())
}

async fn probe(http: &reqwest::Client, url: &str, key: Option<&str>) -> (String, bool) {
    let mut req = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(PROBE);
    if let Some(key) = key.filter(|k| !k.is_empty()) {
        req = req.header(SIGNATURE_HEADER, sign(PROBE, key.as_bytes()));
    }
    let started = Instant::now();
    match req.send().await {
        Ok(resp) => {
            let status = resp.status();
            (
                format!(
                    "{} in {} ms",
                    status.as_u16(),
                    started.elapsed().as_millis()
                ),
                status.is_success(),
            )
        }
        Err(e) if e.is_timeout() => ("no answer (timeout)".into(), false),
        Err(_) => ("no answer (connection failed)".into(), false),
    }
}

fn print(format: Format, rows: &[Row]) -> CliResult {
    match format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(rows).unwrap_or_default()),
        Format::Jsonl => {
            for row in rows {
                outln!("{}", serde_json::to_string(row).unwrap_or_default())?;
            }
            Ok(())
        }
        _ => {
            let cols = [
                Col::left("ORGANIZATION", "organization"),
                Col::left("TYPE", "type"),
                Col::left("URL", "url"),
                Col::left("ANSWER", "answer"),
            ];
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        printable(&r.organization),
                        r.kind.clone(),
                        printable(&r.url),
                        r.answer.clone(),
                    ]
                })
                .collect();
            crate::output::write_line(format_args!("{}", render_table(&cols, &cells).trim_end()))
        }
    }
}

/// Server text reaches the terminal without control characters.
fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

//! The command line of a scenario: which one, and its options.

use std::time::Duration;

use anyhow::{Context, Result, bail};

/// Options shared by every scenario.
pub struct Args {
    pub scenario: String,
    pub url: String,
    pub client_id: String,
    pub client_secret: String,
    pub org: String,
    pub limit: usize,
    pub page_size: u32,
    pub work: Duration,
    pub concurrency: usize,
    pub runtime: Runtime,
    /// The mirror's database (`mirror`).
    pub db: String,
    /// The mirror's request rate (`mirror`; 0: no limit).
    pub max_rate: f64,
    /// How many payments to change (`scatter`).
    pub changes: usize,
}

/// The tokio runtime a scenario runs on.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// What `#[tokio::main]` builds: a worker thread per core, the
    /// scenario itself on the main thread.
    MultiThread,
    /// Everything on the main thread, as `#[tokio::main(flavor =
    /// "current_thread")]` builds.
    CurrentThread,
}

impl Runtime {
    pub fn build(self) -> std::io::Result<tokio::runtime::Runtime> {
        match self {
            Runtime::MultiThread => tokio::runtime::Builder::new_multi_thread(),
            Runtime::CurrentThread => tokio::runtime::Builder::new_current_thread(),
        }
        .enable_all()
        .build()
    }
}

/// The scenario and its options, from the command line.
pub fn parse() -> Result<Args> {
    let mut raw = std::env::args().skip(1);
    let scenario = raw.next().context("missing scenario")?;
    let mut args = Args {
        scenario,
        url: String::new(),
        client_id: String::new(),
        client_secret: String::new(),
        org: String::new(),
        limit: usize::MAX,
        page_size: 100,
        work: Duration::ZERO,
        concurrency: 1000,
        runtime: Runtime::MultiThread,
        db: String::new(),
        max_rate: helloasso_sync::DEFAULT_MAX_RATE,
        changes: 100,
    };
    while let Some(flag) = raw.next() {
        let value = raw
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--url" => args.url = value,
            "--client-id" => args.client_id = value,
            "--client-secret" => args.client_secret = value,
            "--org" => args.org = value,
            "--limit" => args.limit = value.parse()?,
            "--page-size" => args.page_size = value.parse()?,
            "--work-ms" => args.work = Duration::from_millis(value.parse()?),
            "--concurrency" => args.concurrency = value.parse()?,
            "--db" => args.db = value,
            "--max-rate" => args.max_rate = value.parse()?,
            "--changes" => args.changes = value.parse()?,
            "--runtime" => {
                args.runtime = match value.as_str() {
                    "multi-thread" => Runtime::MultiThread,
                    "current-thread" => Runtime::CurrentThread,
                    other => bail!("--runtime is multi-thread or current-thread, not {other}"),
                }
            }
            other => bail!("unknown flag {other}"),
        }
    }
    Ok(args)
}

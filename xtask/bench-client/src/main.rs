//! One benchmark scenario per process, against a helloasso-fake running in
//! another process. Prints one JSON line; `cargo xtask bench` runs it
//! repeatedly and compares.
//!
//! Listing scenarios report the wall time and the CPU time (user + system,
//! from `getrusage`) of their measured loop, so that a client is judged by
//! what it spends, not by how long it waited for the server.
//!
//! ```text
//! usage: bench-client <scenario> --url URL --client-id ID --client-secret S --org SLUG [--limit N]
//!                                [--page-size N] [--work-ms N] [--concurrency N]
//!                                [--runtime multi-thread|current-thread]
//!                                [--db PATH] [--max-rate N] [--changes N]
//! ```

mod client;
mod mirror;
mod result_line;
mod scenarios;

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
    fn build(self) -> std::io::Result<tokio::runtime::Runtime> {
        match self {
            Runtime::MultiThread => tokio::runtime::Builder::new_multi_thread(),
            Runtime::CurrentThread => tokio::runtime::Builder::new_current_thread(),
        }
        .enable_all()
        .build()
    }
}

fn parse() -> Result<Args> {
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

/// What this process has used so far: CPU time (user + system, all
/// threads) and context switches (voluntary or not), which count how often
/// its threads stopped to hand work to one another or to wait.
#[derive(Clone, Copy)]
pub struct Usage {
    pub cpu_seconds: f64,
    /// NaN when the kernel would not say (printed as `null`).
    pub context_switches: f64,
}

impl Usage {
    pub fn now() -> Self {
        // SAFETY: getrusage only writes into the zeroed struct it is given.
        let usage = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
                return Usage {
                    cpu_seconds: f64::NAN,
                    context_switches: f64::NAN,
                };
            }
            usage
        };
        let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        Usage {
            cpu_seconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
            context_switches: (usage.ru_nvcsw + usage.ru_nivcsw) as f64,
        }
    }
}

/// Peak resident memory of this process, from the kernel's high-water mark.
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_owned();
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

fn main() {
    let outcome = parse().and_then(|args| {
        let runtime = args.runtime.build()?;
        runtime.block_on(scenarios::run(&args))
    });
    match outcome {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("bench-client: {e:#}");
            std::process::exit(1);
        }
    }
}

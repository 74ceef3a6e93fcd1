//! `helloasso-fake`: runs a local HelloAsso-compatible server until Ctrl-C.

use clap::{Parser, ValueEnum};
use helloasso_fake::{FakeConfig, FaultConfig, FaultScope, MfaConfig, MfaMode, WebhookConfig};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Mfa {
    None,
    Sms,
    Email,
    Password,
    NotEnrolled,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Scope {
    ApiGets,
    Api,
    All,
}

/// A local HelloAsso-compatible server (API v5) with seeded data.
#[derive(Debug, Parser)]
#[command(name = "helloasso-fake", version)]
struct Args {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 8080, env = "HELLOASSO_FAKE_PORT")]
    port: u16,
    /// Seed of the dataset and of fault draws.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Number of seeded payments.
    #[arg(long, default_value_t = 1000)]
    payments: usize,
    /// Slug of the main organization.
    #[arg(long, default_value = "demo-association")]
    organization: String,
    /// OAuth client id.
    #[arg(long, default_value = "fake-client-id")]
    client_id: String,
    /// OAuth client secret.
    #[arg(
        long,
        default_value = "fake-client-secret",
        env = "HELLOASSO_FAKE_CLIENT_SECRET"
    )]
    client_secret: String,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 1800)]
    token_lifetime: u64,
    /// MFA demanded by refunds.
    #[arg(long, value_enum, default_value_t = Mfa::None)]
    mfa: Mfa,
    /// The MFA proof accepted.
    #[arg(long, default_value = "123456")]
    mfa_code: String,
    /// Start every id past 2^31.
    #[arg(long)]
    large_ids: bool,
    /// Answer totalCount and totalPages as -1.
    #[arg(long)]
    counts_unknown: bool,
    /// Act as an association's client: tokens reach the main organization
    /// only, and the partner routes answer 403.
    #[arg(long)]
    association: bool,
    /// Latency added to faulted requests, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Rate (0.0-1.0) of 429 answers.
    #[arg(long, default_value_t = 0.0)]
    rate_limit_rate: f64,
    /// Requests per second past which API requests get 429 with a
    /// Retry-After (0: no limit).
    #[arg(long, default_value_t = 0.0)]
    rate_limit: f64,
    /// Retry-After of 429 answers, in seconds.
    #[arg(long, default_value_t = 1)]
    retry_after: u64,
    /// Rate of 5xx answers.
    #[arg(long, default_value_t = 0.0)]
    server_error_rate: f64,
    /// Status of 5xx answers.
    #[arg(long, default_value_t = 503)]
    server_error_status: u16,
    /// Rate of connections dropped without an answer.
    #[arg(long, default_value_t = 0.0)]
    reset_rate: f64,
    /// Rate of truncated bodies.
    #[arg(long, default_value_t = 0.0)]
    truncate_rate: f64,
    /// Rate of refunds and order cancels executed whose answer is then dropped.
    #[arg(long, default_value_t = 0.0)]
    execute_then_drop_rate: f64,
    /// Which requests faults apply to.
    #[arg(long, value_enum, default_value_t = Scope::ApiGets)]
    fault_scope: Scope,
    /// URL webhook notifications are POSTed to.
    #[arg(long)]
    webhook_url: Option<String>,
    /// Key signing webhook notifications (x-ha-signature).
    #[arg(long, env = "HELLOASSO_FAKE_WEBHOOK_KEY")]
    webhook_key: Option<String>,
    /// Serialize each payment once and splice it into organization listing
    /// pages (for benchmarks; off after any write to the data).
    #[arg(long)]
    preserialize_listings: bool,
}

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let faults = FaultConfig {
        latency_ms: args.latency_ms,
        rate_limit_rate: args.rate_limit_rate,
        rate_limit_per_second: args.rate_limit,
        retry_after_secs: args.retry_after,
        server_error_rate: args.server_error_rate,
        server_error_status: args.server_error_status,
        reset_rate: args.reset_rate,
        truncate_rate: args.truncate_rate,
        scope: match args.fault_scope {
            Scope::ApiGets => FaultScope::ApiGets,
            Scope::Api => FaultScope::Api,
            Scope::All => FaultScope::All,
        },
        execute_then_drop_rate: args.execute_then_drop_rate,
    };
    faults.validate().map_err(anyhow::Error::msg)?;
    let config = FakeConfig {
        seed: args.seed,
        payments: args.payments,
        organization_slug: args.organization,
        client_id: args.client_id,
        client_secret: args.client_secret,
        token_lifetime: Duration::from_secs(args.token_lifetime),
        mfa: MfaConfig {
            mode: match args.mfa {
                Mfa::None => MfaMode::None,
                Mfa::Sms => MfaMode::Sms,
                Mfa::Email => MfaMode::Email,
                Mfa::Password => MfaMode::Password,
                Mfa::NotEnrolled => MfaMode::NotEnrolled,
            },
            code: args.mfa_code,
        },
        faults,
        counts_unknown: args.counts_unknown,
        large_ids: args.large_ids,
        association: args.association,
        webhook: args.webhook_url.map(|url| WebhookConfig {
            url,
            signature_key: args.webhook_key,
        }),
        port: args.port,
        preserialize_listings: args.preserialize_listings,
        ..FakeConfig::default()
    };
    let started = Instant::now();
    let server = helloasso_fake::start(config).await?;
    let elapsed = started.elapsed();
    println!("helloasso-fake listening on {}", server.base_url());
    println!("  API:           {}", server.api_url());
    println!("  token:         {}/oauth2/token", server.base_url());
    println!("  client_id:     {}", server.client_id());
    // The secret is a local test credential the user chose or the default;
    // printing it is the point of this banner.
    println!("  client_secret: {}", server.client_secret());
    println!("  organization:  {}", server.organization_slug());
    println!(
        "  payments:      {} (generated in {:.2?}; RSS {} MiB)",
        server.payment_count(),
        elapsed,
        rss_kib().map_or_else(|| "?".to_owned(), |k| (k / 1024).to_string())
    );
    println!(
        "  admin:         {}/_fake/info, /_fake/counters, /_fake/faults",
        server.base_url()
    );
    tokio::signal::ctrl_c().await?;
    println!("stopping");
    server.shutdown().await;
    Ok(())
}

//! `helloasso webhook listen`: runs the SDK's receiver on a local port and
//! prints one line per notification it stored.
//!
//! With a partner's signature key, notifications are verified by their
//! `x-ha-signature`; without one (associations), each is confirmed by
//! reading its object back with the profile's credentials. Lines carry the
//! kind, the object's id and the replay key, never a payer's data.
//!
//! With `--db`, notifications are stored in the mirror's database (the one
//! `helloasso sync` keeps): each one with its object and change-feed row in
//! one transaction, before the 200. Every notification is then read back
//! from the API, signed or not, so that the database holds the object as
//! HelloAsso lists it and a sync finds nothing to change.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use futures::StreamExt;
use helloasso_sdk::webhooks::{MemoryNotificationStore, NotificationStore, Receiver};
use helloasso_sync::Mirror;

use crate::args::{Format, GlobalArgs};
use crate::commands::sync::sync_error;
use crate::config::Context;
use crate::exit::{CliError, CliResult};
use crate::profile;

/// `helloasso webhook listen`. Debug never shows the key.
#[derive(Args)]
pub struct ListenArgs {
    /// Port to listen on
    #[arg(long)]
    pub port: u16,

    /// Address to listen on (default: loopback; put a reverse proxy with TLS
    /// in front to take HelloAsso's notifications)
    #[arg(long, value_name = "IP", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,

    /// A partner's signature key: notifications are verified by signature.
    /// Without it, each is confirmed by reading it back from the API
    #[arg(
        long,
        value_name = "KEY",
        env = "HELLOASSO_WEBHOOK_KEY",
        hide_env_values = true
    )]
    pub key: Option<String>,

    /// Read the signature key from this file (`-`: standard input)
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,

    /// The largest body accepted, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = helloasso_sdk::webhooks::DEFAULT_MAX_BODY)]
    pub max_body: usize,

    /// Seconds within which every notification is answered (503 past it)
    #[arg(long, value_name = "SECONDS", default_value_t = helloasso_sdk::webhooks::DEFAULT_DEADLINE.as_secs())]
    pub deadline: u64,

    /// Store notifications in the mirror's database: a SQLite file (created
    /// when missing) or a postgres:// URL, as `helloasso sync --db`
    #[arg(long, value_name = "PATH|URL")]
    pub db: Option<crate::commands::sync::DbLocation>,

    /// Stop after this many notifications were stored (for scripts)
    #[arg(long, value_name = "N")]
    pub max_notifications: Option<u64>,
}

impl fmt::Debug for ListenArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListenArgs")
            .field("port", &self.port)
            .field("bind", &self.bind)
            .field("key", &self.key.as_ref().map(|_| "<redacted>"))
            .field("key_file", &self.key_file)
            .field("max_body", &self.max_body)
            .field("deadline", &self.deadline)
            .field("db", &self.db)
            .field("max_notifications", &self.max_notifications)
            .finish()
    }
}

/// Runs the receiver until Ctrl-C (or `--max-notifications`).
pub async fn run(global: &GlobalArgs, args: ListenArgs) -> CliResult {
    let Some(db) = &args.db else {
        let store: Arc<dyn NotificationStore> = Arc::new(MemoryNotificationStore::new());
        return listen(global, args, store).await;
    };
    let mirror = Mirror::open(db.as_str()).await.map_err(sync_error)?;
    let profile = profile::load(&global.profile)?;
    let ctx = Context::from_args(global, &profile, None)?;
    let store = Arc::new(mirror.notification_store(ctx.organization_opt()));
    let result = listen(global, args, store).await;
    mirror.close().await;
    result
}

/// Runs the receiver on `store`.
pub async fn listen(
    global: &GlobalArgs,
    args: ListenArgs,
    store: Arc<dyn NotificationStore>,
) -> CliResult {
    let key = crate::secrets::either("--key-file", args.key_file.as_deref(), args.key.as_deref())?
        .filter(|k| !k.trim().is_empty());
    let mut builder = Receiver::builder(store)
        .max_body(args.max_body)
        .deadline(Duration::from_secs(args.deadline));
    if let Some(key) = &key {
        builder = builder.signature_key(key.trim().to_owned());
    }
    // Into the mirror goes the object as the API reads it, even when the
    // body is signed: a signed body's shape is not the listings'.
    if key.is_none() || args.db.is_some() {
        let profile = profile::load(&global.profile)?;
        let ctx = Context::from_args(global, &profile, None)?;
        builder = builder.confirmer(ctx.client);
    }
    let receiver = builder
        .build()
        .map_err(|e| CliError::usage(e.to_string()))?;
    let addr = SocketAddr::new(args.bind, args.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| CliError::other(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| CliError::other(format!("cannot listen on {addr}: {e}")))?;
    eprintln!("listening for HelloAsso notifications on http://{local}/ (Ctrl-C to stop)");
    let app = receiver.router();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let format = global.format.unwrap_or_default();
    let mut events = Box::pin(receiver.events());
    let mut seen = 0u64;
    let result = loop {
        if args.max_notifications.is_some_and(|max| seen >= max) {
            break Ok(());
        }
        let next = tokio::select! {
            next = events.next() => next,
            _ = tokio::signal::ctrl_c() => break Ok(()),
        };
        let Some(next) = next else { break Ok(()) };
        let n = next.map_err(|e| CliError::other(e.to_string()))?;
        print_line(format, &n)?;
        receiver
            .ack(&n.key)
            .await
            .map_err(|e| CliError::other(e.to_string()))?;
        seen += 1;
    };
    server.abort();
    result
}

fn print_line(format: Format, n: &helloasso_sdk::webhooks::StoredNotification) -> CliResult {
    match format {
        Format::Json | Format::Jsonl => outln!(
            "{}",
            serde_json::json!({
                "event_type": n.event_type,
                "object_id": n.object_id,
                "key": n.key,
                "received_at": n.received_at.to_rfc3339(),
            })
        ),
        _ => outln!(
            "{}\t{}\t{}\t{}",
            n.received_at.to_rfc3339(),
            n.event_type,
            printable(&n.object_id),
            n.key
        ),
    }
}

/// A form's slug comes from the API: no control character reaches the
/// terminal.
fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

//! `helloasso webhook parse|verify`: work on notification bodies saved to
//! files (or piped in), e.g. to debug a handler or check a signature.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use helloasso_sdk::SecretString;
use helloasso_sdk::webhooks::{self, Notification, WebhookError};

use crate::args::{Format, secret};
use crate::commands::shared::join_name;
use crate::exit::{CliError, CliResult, Kind};
use crate::input::format_euros;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Parse a notification body (a file, or - for standard input)
    Parse(WebhookParseArgs),
    /// Check a partner notification's x-ha-signature against its body
    Verify(WebhookVerifyArgs),
    /// Receive HelloAsso's notifications on a local port (verified or confirmed, replays dropped)
    Listen(crate::commands::webhook_listen::ListenArgs),
    /// Deliver changes to a local app as notifications, without a tunnel (polls the API)
    Forward(crate::commands::webhook_forward::ForwardArgs),
}

#[derive(Debug, Args)]
pub struct WebhookParseArgs {
    /// The notification body as received
    pub file: PathBuf,
}

/// Debug never shows the key.
#[derive(Debug, Args)]
pub struct WebhookVerifyArgs {
    /// The notification body as received, byte for byte
    pub file: PathBuf,

    /// The x-ha-signature header (hex HMAC-SHA256); without it the
    /// notification is untrusted (exit 9)
    #[arg(long, value_name = "HEX")]
    pub signature: Option<String>,

    /// The partner's signature key. A value on the command line shows in
    /// `ps`: prefer HELLOASSO_WEBHOOK_KEY or --key-file
    #[arg(
        long,
        value_name = "KEY",
        env = "HELLOASSO_WEBHOOK_KEY",
        hide_env_values = true,
        required_unless_present = "key_file",
        value_parser = secret
    )]
    pub key: Option<SecretString>,

    /// Read the signature key from this file (`-`: standard input); it takes
    /// precedence over --key
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
}

/// Notifications are small; a larger file is not one.
const MAX_BODY: u64 = 10 * 1024 * 1024;

pub fn run(format: Format, command: WebhookCommand) -> CliResult {
    match command {
        WebhookCommand::Parse(args) => parse(format, args),
        WebhookCommand::Verify(args) => verify(format, args),
        // They need a runtime and the profile: main dispatches them.
        WebhookCommand::Listen(_) | WebhookCommand::Forward(_) => Err(CliError::other(
            "internal: webhook listen and forward are run by main",
        )),
    }
}

fn read_body(path: &Path) -> CliResult<Vec<u8>> {
    let mut body = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().take(MAX_BODY + 1).read_to_end(&mut body)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_BODY + 1).read_to_end(&mut body))
    };
    // A file that cannot be read is a file error (exit 1), as for exports.
    read.map_err(|e| CliError::other(format!("cannot read {}: {e}", path.display())))?;
    if body.len() as u64 > MAX_BODY {
        return Err(CliError::usage(format!(
            "{} is larger than {MAX_BODY} bytes: not a HelloAsso notification",
            path.display()
        )));
    }
    Ok(body)
}

fn parse(format: Format, args: WebhookParseArgs) -> CliResult {
    let body = read_body(&args.file)?;
    let notification = Notification::parse(&body)
        .map_err(|e| CliError::usage(format!("{}: {}", args.file.display(), describe(&e))))?;
    let fields = summary(&notification);
    // JSON is HelloAsso's document as received (metadata included), not
    // the summary: a script wants the fields HelloAsso sent.
    let raw = helloasso_sdk::Received::from_slice(&body)
        .map_err(|e| CliError::usage(format!("{}: {e}", args.file.display())))?;
    output::single(format, &raw, &fields)
}

/// The body is never echoed: it holds payers' personal data.
fn describe(err: &WebhookError) -> String {
    err.to_string()
}

fn id(v: Option<i64>) -> String {
    v.map_or_else(String::new, |i| i.to_string())
}

fn euros(v: Option<helloasso_sdk::Cents>) -> String {
    v.map_or_else(String::new, |a| format!("{} EUR", format_euros(a)))
}

fn summary(n: &Notification) -> Vec<(&'static str, String)> {
    let mut fields = vec![("event_type", n.event_type().to_owned())];
    match n {
        Notification::Payment(p) => {
            fields.extend([
                ("payment_id", id(p.id)),
                ("amount", euros(p.amount)),
                (
                    "state",
                    p.state.as_ref().map_or("", |s| s.as_str()).to_owned(),
                ),
                (
                    "payer",
                    p.payer.as_ref().map_or_else(String::new, |x| {
                        join_name(x.first_name.as_deref(), x.last_name.as_deref())
                    }),
                ),
                ("order_id", id(p.order.as_ref().and_then(|o| o.id))),
                (
                    "form",
                    p.order
                        .as_ref()
                        .and_then(|o| o.form_slug.clone())
                        .unwrap_or_default(),
                ),
            ]);
        }
        Notification::Order(o) => {
            fields.extend([
                ("order_id", id(o.id)),
                ("total", euros(o.amount.as_ref().and_then(|a| a.total))),
                (
                    "payer",
                    o.payer.as_ref().map_or_else(String::new, |x| {
                        join_name(x.first_name.as_deref(), x.last_name.as_deref())
                    }),
                ),
                ("form", o.form_slug.clone().unwrap_or_default()),
                ("items", o.items.as_ref().map_or(0, Vec::len).to_string()),
                (
                    "payments",
                    o.payments.as_ref().map_or(0, Vec::len).to_string(),
                ),
                ("checkout_intent_id", id(o.checkout_intent_id)),
            ]);
        }
        Notification::Form(f) => {
            fields.extend([
                ("form", f.form_slug.clone().unwrap_or_default()),
                (
                    "form_type",
                    f.form_type.as_ref().map_or("", |t| t.as_str()).to_owned(),
                ),
                ("title", f.title.clone().unwrap_or_default()),
                (
                    "organization",
                    f.organization_slug.clone().unwrap_or_default(),
                ),
            ]);
        }
        Notification::Organization(change) => {
            fields.extend([
                ("old_slug", change.old_slug.clone().unwrap_or_default()),
                ("new_slug", change.new_slug.clone().unwrap_or_default()),
            ]);
        }
        Notification::Unknown { data, .. } => {
            let keys = data
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>().join(","))
                .unwrap_or_default();
            fields.push(("data_keys", keys));
        }
        // A variant added to the sdk later: the event type says enough.
        _ => {}
    }
    fields
}

fn verify(format: Format, args: WebhookVerifyArgs) -> CliResult {
    if args.file.as_os_str() == "-" && args.key_file.as_deref() == Some(Path::new("-")) {
        return Err(CliError::usage(
            "the body and --key-file cannot both come from standard input",
        ));
    }
    let key = crate::secrets::either(
        "--key-file",
        args.key_file.as_deref(),
        args.key
            .as_ref()
            .map(helloasso_sdk::ExposeSecret::expose_secret),
    )?
    .unwrap_or_default();
    let signature = args.signature.as_deref().unwrap_or_default().trim();
    if signature.is_empty() {
        return Err(CliError::new(
            Kind::Signature,
            "no signature: pass --signature with the x-ha-signature header; do not trust an unsigned notification",
        ));
    }
    let body = read_body(&args.file)?;
    if key.is_empty() {
        return Err(CliError::usage(
            "the signature key is empty: pass --key-file, --key or set HELLOASSO_WEBHOOK_KEY",
        ));
    }
    webhooks::verify_signature(&body, signature, key.as_bytes()).map_err(|e| {
        let kind = match e {
            WebhookError::MissingSignature
            | WebhookError::MalformedSignature
            | WebhookError::BadSignature => Kind::Signature,
            _ => Kind::Usage,
        };
        CliError::new(
            kind,
            format!(
                "{}: {}; do not trust this notification",
                args.file.display(),
                e
            ),
        )
    })?;
    let fields = [
        ("file", args.file.display().to_string()),
        ("signature", "valid".to_owned()),
        ("bytes", body.len().to_string()),
    ];
    match format {
        Format::Table => {
            outln!(
                "signature valid: {} ({} bytes) was signed with this key",
                args.file.display(),
                body.len()
            )?;
            Ok(())
        }
        other => output::single(
            other,
            &serde_json::json!({"file": args.file, "valid": true, "bytes": body.len()}),
            &fields,
        ),
    }
}

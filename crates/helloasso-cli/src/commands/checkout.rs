//! `helloasso checkout create|get`.

use clap::{Args, Subcommand};
use helloasso_sdk::{Checkout, CheckoutIntent};
use serde_json::{Value, json};

use crate::args::Format;
use crate::config::Context;
use crate::exit::{self, CliError, CliResult};
use crate::input::{self, format_euros};
use crate::output;
use crate::timezone::Zone;

#[derive(Debug, Subcommand)]
pub enum CheckoutCommand {
    /// Create a checkout intent and print the payment page's URL (valid 15 minutes)
    Create(Box<CheckoutCreateArgs>),
    /// Show a checkout intent, with its order once paid
    Get(CheckoutGetArgs),
}

#[derive(Debug, Args)]
pub struct CheckoutCreateArgs {
    /// What is sold (at most 250 characters)
    #[arg(long = "item", value_name = "NAME")]
    pub item_name: String,

    /// Total amount in euros (e.g. 30.00)
    #[arg(long, value_name = "EUR", allow_hyphen_values = true)]
    pub amount: String,

    /// Amount paid now, in euros, when paying in instalments (default: the total)
    #[arg(long, value_name = "EUR", allow_hyphen_values = true)]
    pub initial: Option<String>,

    /// An instalment DATE=EUR (repeatable), e.g. 2026-01-05=10.00
    #[arg(long = "term", value_name = "DATE=EUR")]
    pub terms: Vec<String>,

    /// Where the payer lands after paying (https)
    #[arg(long, value_name = "URL")]
    pub return_url: String,

    /// Where the payer goes back to (default: the return URL)
    #[arg(long, value_name = "URL")]
    pub back_url: Option<String>,

    /// Where the payer lands when the payment fails (default: the return URL)
    #[arg(long, value_name = "URL")]
    pub error_url: Option<String>,

    /// The sale includes a donation
    #[arg(long)]
    pub donation: bool,

    /// Your own JSON kept with the intent, e.g. '{"cart":42}'
    #[arg(long, value_name = "JSON")]
    pub metadata: Option<String>,

    /// Record the intent in this mirror (as `helloasso sync --db`): each
    /// sync then reads it back until it has an outcome (paid, refunded,
    /// never paid), even if the payer never comes back
    #[arg(long, value_name = "PATH|URL")]
    pub db: Option<crate::commands::sync::DbLocation>,
}

#[derive(Debug, Args)]
pub struct CheckoutGetArgs {
    /// Checkout intent id
    pub id: i64,
}

/// `zone` is where an instalment's day (`--term 2026-01-05=10`) starts.
pub async fn run(ctx: &Context, format: Format, zone: Zone, command: CheckoutCommand) -> CliResult {
    let organization = ctx.organization()?;
    let checkout = ctx.client.checkout(organization);
    match command {
        CheckoutCommand::Create(args) => create(&checkout, organization, format, zone, *args).await,
        CheckoutCommand::Get(args) => get(&checkout, format, args).await,
    }
}

async fn create(
    checkout: &Checkout,
    organization: &str,
    format: Format,
    zone: Zone,
    args: CheckoutCreateArgs,
) -> CliResult {
    let total = input::euros("--amount", &args.amount)?;
    check_urls(&args)?;
    let mut intent = checkout
        .intent(args.item_name.clone(), total)
        .return_url(args.return_url.clone())
        .back_url(
            args.back_url
                .clone()
                .unwrap_or_else(|| args.return_url.clone()),
        )
        .error_url(
            args.error_url
                .clone()
                .unwrap_or_else(|| args.return_url.clone()),
        )
        .contains_donation(args.donation);
    if let Some(initial) = &args.initial {
        intent = intent.initial_amount(input::euros("--initial", initial)?);
    }
    for term in &args.terms {
        let Some((date, amount)) = term.split_once('=') else {
            return Err(CliError::usage(format!(
                "malformed --term `{term}`: expected DATE=EUR, e.g. 2026-01-05=10.00"
            )));
        };
        intent = intent.term(
            input::date("--term", date, zone)?,
            input::euros("--term", amount)?,
        );
    }
    if let Some(metadata) = &args.metadata {
        let value: Value = serde_json::from_str(metadata)
            .map_err(|e| CliError::usage(format!("--metadata is not valid JSON: {e}")))?;
        intent = intent.metadata(&value);
    }
    // Sent once: an intent whose answer was lost may exist (exit 10).
    let created = intent.create().await.map_err(|err| {
        if exit::outcome_unknown(&err) {
            exit::unknown_outcome(
                "the checkout intent",
                "the organization's checkout intents and payments",
                &err,
            )
        } else {
            err.into()
        }
    })?;
    if let Some(db) = &args.db {
        track(db.as_str(), organization, created.id).await?;
    }
    let raw = json!({ "id": created.id, "redirectUrl": created.redirect_url });
    match format {
        Format::Table => {
            outln!("checkout intent {} created", created.id)?;
            outln!("payment page (valid 15 minutes): {}", created.redirect_url)?;
            Ok(())
        }
        other => output::single(
            other,
            &raw,
            &[
                ("id", created.id.to_string()),
                ("redirect_url", created.redirect_url.clone()),
            ],
        ),
    }
}

/// Records a created intent in the mirror, for the sync's follow-up.
async fn track(db: &str, organization: &str, id: i64) -> CliResult {
    let recorded = async {
        let mirror = helloasso_sync::Mirror::open(db).await?;
        let out = mirror
            .track_checkout(organization, id, chrono::Utc::now())
            .await;
        mirror.close().await;
        out
    };
    recorded.await.map(|_| ()).map_err(|e| {
        CliError::other(format!(
            "checkout intent {id} was created, but the mirror could not record it: {e}"
        ))
    })
}

/// Each URL checked under the flag the user typed: the back and error URLs
/// default to the return URL, whose flag is then the one to fix.
fn check_urls(args: &CheckoutCreateArgs) -> CliResult {
    let defaulted = |flag: &str, given: &Option<String>| match given {
        Some(url) => (flag.to_owned(), url.clone()),
        None => (
            format!("--return-url (used for {flag} too)"),
            args.return_url.clone(),
        ),
    };
    for (flag, url) in [
        ("--return-url".to_owned(), args.return_url.clone()),
        defaulted("--back-url", &args.back_url),
        defaulted("--error-url", &args.error_url),
    ] {
        if let Some(problem) = helloasso_sdk::checkout::redirect_url_problem(&url) {
            return Err(CliError::usage(format!(
                "{flag} `{url}` {problem}: pass the page of your site where HelloAsso sends the payer"
            )));
        }
    }
    Ok(())
}

async fn get(checkout: &Checkout, format: Format, args: CheckoutGetArgs) -> CliResult {
    let not_found = |e| {
        crate::hints::not_found(
            e,
            &format!("checkout intent {}", args.id),
            "the answer of `helloasso checkout create`",
        )
    };
    if output::keeps_documents(format) {
        // HelloAsso's intent as it sent it (its order's dates as spelt).
        let (intent, received) = checkout
            .get_received::<Value>(args.id)
            .await
            .map_err(not_found)?;
        return output::single(format, &received, &intent_fields(&intent));
    }
    // Tables and CSV show the fields only.
    let intent = checkout.get::<Value>(args.id).await.map_err(not_found)?;
    output::single(format, &(), &intent_fields(&intent))
}

/// Key/value view of an intent; shared with the demo.
pub fn intent_fields(intent: &CheckoutIntent<Value>) -> Vec<(&'static str, String)> {
    let order = intent.order.as_ref();
    let payments = order
        .and_then(|o| o.payments.as_deref())
        .unwrap_or_default()
        .iter()
        .map(|p| {
            format!(
                "#{} {} EUR {}",
                p.id.map_or_else(String::new, |i| i.to_string()),
                p.amount.map_or_else(|| "?".to_owned(), format_euros),
                p.state.as_ref().map_or("", |s| s.as_str())
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    vec![
        ("id", intent.id.to_string()),
        (
            "paid",
            if intent.is_paid() { "yes" } else { "no" }.to_owned(),
        ),
        (
            "metadata",
            intent
                .metadata
                .as_ref()
                .map_or_else(String::new, Value::to_string),
        ),
        (
            "order",
            order
                .and_then(|o| o.id)
                .map_or_else(String::new, |i| i.to_string()),
        ),
        (
            "total",
            order
                .and_then(|o| o.amount.as_ref())
                .and_then(|a| a.total)
                .map_or_else(String::new, |t| format!("{} EUR", format_euros(t))),
        ),
        (
            "payer",
            order
                .and_then(|o| o.payer.as_ref())
                .map_or_else(String::new, |p| {
                    super::shared::join_name(p.first_name.as_deref(), p.last_name.as_deref())
                }),
        ),
        ("payments", payments),
    ]
}

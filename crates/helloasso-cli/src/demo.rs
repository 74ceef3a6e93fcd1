//! `helloasso demo`: the whole API against a local fake HelloAsso, with no
//! account and no network.
//!
//! The output is deterministic (seeded data, fixed dates, no ports, paths or
//! timings on stdout) so that two runs print the same thing; the progress bar
//! goes to stderr and only on a terminal.

use std::path::{Path, PathBuf};

use clap::Args;
use helloasso_fake::{FakeConfig, FakeServer, MfaMode};
use helloasso_sdk::types::{FormType, PaymentState, SortField, SortOrder};
use helloasso_sdk::{
    Cents, Client, CustomFields, Environment, Error, ExportFormat, SecretString, mfa_fn,
};
use serde_json::{Value, json};

use crate::commands::checkout::intent_fields;
use crate::commands::payments::{Counting, PAYMENT_COLS, count_csv_rows, payment_cells};
use crate::commands::shared::join_name;
use crate::exit::{CliError, CliResult};
use crate::input::format_euros;
use crate::output::{self, Col, render_table};

#[cfg(feature = "demo")]
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seeded payments in the fake (same seed and size: same data)
    #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u32).range(20..=200_000))]
    pub payments: u32,

    /// Seed of the fake's dataset
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Keep the CSV export in this file (default: a temporary file, deleted at the end)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// The SMS code the fake demands before a refund; the demo supplies it
/// through the sdk's `MfaProvider`, as an app would after asking its user.
const MFA_CODE: &str = "123456";
const STEPS: usize = 8;

fn heading(n: usize, title: &str) {
    say!();
    say!("== Step {n}/{STEPS}: {title}");
}

fn indent(text: &str) {
    for line in text.lines() {
        say!("   {line}");
    }
}

pub async fn run(args: DemoArgs, progress: bool) -> CliResult {
    say!("helloasso demo: every step below calls helloasso-sdk against a local fake HelloAsso.");
    say!("No account, no network; the same seed prints the same payments and amounts.");
    heading(1, "start a local HelloAsso (helloasso-fake)");
    let config = FakeConfig::default()
        .seed(args.seed)
        .payments(args.payments as usize)
        .mfa(MfaMode::Sms, MFA_CODE);
    let server = helloasso_fake::start(config)
        .await
        .map_err(|e| CliError::other(format!("cannot start the local fake HelloAsso: {e}")))?;
    indent(&format!(
        "listening on loopback with {} seeded payments (seed {}); organization `{}`",
        args.payments,
        args.seed,
        server.organization_slug()
    ));
    indent("refunds demand a one-time code sent by SMS, as HelloAsso may");
    let result = steps(&server, &args, progress).await;
    server.shutdown().await;
    result?;
    say!();
    say!("Demo finished. Use the same commands on your association:");
    indent(
        "export HELLOASSO_CLIENT_ID=... HELLOASSO_CLIENT_SECRET=... HELLOASSO_ORGANIZATION=your-slug",
    );
    indent("helloasso --env sandbox payments list");
    indent("helloasso --help");
    Ok(())
}

async fn steps(server: &FakeServer, args: &DemoArgs, progress: bool) -> CliResult {
    let slug = server.organization_slug().to_owned();

    heading(2, "authenticate (OAuth2 client credentials)");
    let environment = Environment::custom(&server.base_url())?;
    let client = Client::builder()
        .environment(environment)
        .credentials(server.client_id(), server.client_secret().to_owned())
        .build()?;
    let token = client.token().await?;
    let minutes = (token.expires_at() - chrono::Utc::now()).num_seconds() as f64 / 60.0;
    indent(&format!(
        "client `{}` got an access token valid {} minutes (refreshed automatically; never printed)",
        client.client_id(),
        minutes.round()
    ));

    heading(3, "list the most recent payments");
    let page = client
        .payments(&slug)
        .list()
        .with_count(true)
        .sort(SortField::Date, SortOrder::Desc)
        .page_size(8)
        .send()
        .await?;
    let total = page.total_count.unwrap_or(0);
    indent(&format!(
        "{total} payments in `{slug}`; the {} most recent:",
        page.items.len()
    ));
    let zone = crate::timezone::Zone::default();
    let rows: Vec<Vec<String>> = page
        .items
        .iter()
        .map(|p| {
            payment_cells(p)
                .iter()
                .map(|c| c.render(zone, '.'))
                .collect()
        })
        .collect();
    indent(&render_table(PAYMENT_COLS, &rows));

    heading(
        4,
        "list the members of the membership form, with their custom fields",
    );
    members(&client, &slug).await?;

    heading(
        5,
        "export every payment to CSV (HelloAsso's own export, streamed)",
    );
    export(&client, &slug, args.out.as_deref(), total, progress).await?;

    heading(6, "refund a payment through HelloAsso's multi-factor check");
    refund(&client, &slug).await?;

    heading(
        7,
        "create a checkout intent, and pay it on the fake's payment page",
    );
    let checkout = client.checkout(&slug);
    let created = checkout
        .intent("Demo membership 2026", Cents(3000))
        .back_url("https://example.org/cart")
        .error_url("https://example.org/error")
        .return_url("https://example.org/thanks")
        .metadata(&json!({ "cartId": 42, "source": "helloasso demo" }))
        .create()
        .await?;
    let page_path = created
        .redirect_url
        .strip_prefix(&server.base_url())
        .unwrap_or(&created.redirect_url);
    indent(&format!(
        "checkout intent {} created for 30.00 EUR; payment page: <fake>{page_path} (valid 15 minutes)",
        created.id
    ));
    let paid = server
        .pay_checkout_intent(created.id)
        .map_err(|e| CliError::other(format!("the fake could not pay the checkout intent: {e}")))?;
    indent(&format!(
        "the payer paid on the fake: order {} with payment {}",
        paid.order_id, paid.payment_id
    ));

    heading(8, "read the checkout intent back, with its order");
    let intent = checkout.get::<Value>(created.id).await?;
    let fields = intent_fields(&intent);
    let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in &fields {
        indent(&format!("{key:<width$}  {value}"));
    }

    let counters = server.counters();
    say!();
    indent(&format!(
        "the fake issued {} access token(s) for all of the above, and answered {} refund request(s) with an MFA challenge",
        counters.tokens.client_credentials + counters.tokens.refresh_token,
        counters.mfa_challenges
    ));
    Ok(())
}

/// The first page of the membership form's items: who is a member, with
/// the answers to the form's questions as columns (what `helloasso items
/// list --form Membership/SLUG` writes to CSV).
async fn members(client: &Client, slug: &str) -> CliResult {
    let Some(form) = client
        .forms(slug)
        .list()
        .form_types([FormType::Membership])
        .send()
        .await?
        .items
        .into_iter()
        .find_map(|f| f.form_slug)
    else {
        indent("no membership form in this dataset; skipped");
        return Ok(());
    };
    let page = client
        .items(slug)
        .form(FormType::Membership, form.clone())
        .with_details(true)
        .with_count(true)
        .sort(SortField::Date, SortOrder::Desc)
        .page_size(5)
        .send()
        .await?;
    let labels = crate::commands::items::field_labels(&page.items);
    indent(&format!(
        "{} members in Membership/{form}; the {} most recent, one column per question of the form:",
        page.total_count.unwrap_or(0),
        page.items.len()
    ));
    let cols: Vec<Col> = [
        Col::left("MEMBER", "member"),
        Col::left("TIER", "tier"),
        Col::right("AMOUNT (EUR)", "amount_eur"),
    ]
    .into_iter()
    .chain(labels.iter().cloned().map(Col::named))
    .collect();
    let rows: Vec<Vec<String>> = page
        .items
        .iter()
        .map(|item| {
            let user = item.user.as_ref();
            let mut row = vec![
                join_name(
                    user.and_then(|u| u.first_name.as_deref()),
                    user.and_then(|u| u.last_name.as_deref()),
                ),
                item.name.clone().unwrap_or_default(),
                item.amount.map_or_else(String::new, format_euros),
            ];
            row.extend(
                labels
                    .iter()
                    .map(|l| item.custom_field(l).unwrap_or_default().to_owned()),
            );
            row
        })
        .collect();
    indent(&render_table(&cols, &rows));
    Ok(())
}

async fn export(
    client: &Client,
    slug: &str,
    out: Option<&Path>,
    total: i64,
    progress: bool,
) -> CliResult {
    // Without --out the file is temporary, and its (random) path is not
    // printed, so that two runs print the same thing.
    let temp;
    let path: PathBuf = match out {
        Some(p) => p.to_path_buf(),
        None => {
            temp = tempfile::Builder::new()
                .prefix("helloasso-demo-")
                .suffix(".csv")
                .tempfile()
                .map_err(|e| CliError::other(format!("cannot create a temporary file: {e}")))?;
            temp.path().to_path_buf()
        }
    };
    let file = tokio::fs::File::create(&path)
        .await
        .map_err(|e| CliError::other(format!("cannot create {}: {e}", path.display())))?;
    let bar = output::progress(progress, u64::try_from(total).ok(), "exporting");
    let mut writer = Counting::new(file, bar.clone(), ExportFormat::Csv);
    let written = client
        .payments(slug)
        .export(ExportFormat::Csv)
        .write_to(&mut writer)
        .await;
    bar.finish_and_clear();
    let bytes = written?;
    let rows = count_csv_rows(&path)
        .map_err(|e| CliError::other(format!("cannot read back {}: {e}", path.display())))?;
    let header = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| t.lines().next().map(str::to_owned))
        .unwrap_or_default();
    let columns = header.split(',').count();
    let place = match out {
        Some(p) => format!("to {}", p.display()),
        None => "to a temporary file (pass --out FILE to keep it)".to_owned(),
    };
    indent(&format!("wrote {rows} payments, {bytes} bytes, {place}"));
    indent(&format!(
        "{columns} columns, starting: {}",
        header.split(',').take(6).collect::<Vec<_>>().join(", ")
    ));
    if i64::try_from(rows).ok() == Some(total) {
        indent("every payment of the listing is in the file");
    } else {
        indent(&format!("the listing counted {total} payments"));
    }
    Ok(())
}

async fn refund(client: &Client, slug: &str) -> CliResult {
    let candidates = client
        .payments(slug)
        .list()
        .states([PaymentState::Authorized])
        .sort(SortField::Date, SortOrder::Desc)
        .page_size(1)
        .send()
        .await?;
    let Some(payment) = candidates.items.first() else {
        indent("no authorized payment to refund in this dataset; skipped");
        return Ok(());
    };
    let Some(id) = payment.id else {
        return Err(CliError::other("the listed payment has no id"));
    };
    let payer = payment.payer.as_ref().map_or_else(String::new, |p| {
        join_name(p.first_name.as_deref(), p.last_name.as_deref())
    });
    indent(&format!(
        "payment {id}: {} EUR by {payer} on {}, {}",
        payment.amount.map_or_else(|| "?".to_owned(), format_euros),
        payment.date.map_or_else(String::new, |d| {
            crate::timezone::Zone::default().short(&d)
        }),
        payment.state.as_ref().map_or("", |s| s.as_str())
    ));

    // First without a proof, to show the typed error an app gets.
    match client.payment(id).refund().comment("helloasso demo").await {
        Err(Error::MfaRequired { proof, .. }) => indent(&format!(
            "without a proof HelloAsso answers 409 {}: it wants {proof}",
            proof.error_code()
        )),
        Err(other) => return Err(other.into()),
        Ok(_) => indent("HelloAsso refunded without asking for a proof"),
    }

    // Then with an MfaProvider, which the sdk asks whenever HelloAsso does.
    let provider = mfa_fn(|challenge| {
        indent(&format!(
            "the MfaProvider is asked for {} (attempt {} of {}); the demo answers with the fake's code",
            challenge.proof, challenge.attempt, challenge.max_attempts
        ));
        async { Some(SecretString::from(MFA_CODE)) }
    });
    let operation = client
        .payment(id)
        .refund()
        .comment("helloasso demo")
        .mfa_provider(provider)
        .await?;
    indent(&format!(
        "refunded: refund operation {} of {} EUR is {}",
        operation.id.map_or_else(String::new, |i| i.to_string()),
        operation
            .amount
            .or(payment.amount)
            .map_or_else(|| "?".to_owned(), format_euros),
        operation.state.as_ref().map_or("recorded", |s| s.as_str())
    ));
    let after = client.payment(id).get().await?;
    indent(&format!(
        "payment {id} is now {}",
        after.state.as_ref().map_or("", |s| s.as_str())
    ));
    Ok(())
}

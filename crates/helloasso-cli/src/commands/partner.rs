//! `helloasso partner notifications set|delete`: where HelloAsso sends a
//! partner's notifications, for all its organizations or one.

use clap::{Args, Subcommand, ValueEnum};
use helloasso_sdk::types::ApiNotificationType;

use crate::config::Context;
use crate::exit::{CliError, CliResult};
use crate::output;
use crate::settings::Settings;

#[derive(Debug, Subcommand)]
pub enum PartnerCommand {
    /// Where HelloAsso sends notifications
    #[command(subcommand)]
    Notifications(NotificationsCommand),
}

#[derive(Debug, Subcommand)]
pub enum NotificationsCommand {
    /// Set the URL HelloAsso notifies (for every organization, or one with --for-org)
    Set(NotificationSetArgs),
    /// Stop notifications (for every organization, or one with --for-org)
    Delete(NotificationDeleteArgs),
    /// Per organization, which URL is notified and whether it answers
    Check(crate::commands::partner_check::CheckArgs),
}

#[derive(Debug, Args)]
pub struct NotificationSetArgs {
    /// The https URL to notify
    pub url: String,

    /// Only notifications of this kind (default: all kinds)
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub kind: Option<NotificationKind>,

    /// Only for this organization (its slug)
    #[arg(long, value_name = "SLUG")]
    pub for_org: Option<String>,
}

#[derive(Debug, Args)]
pub struct NotificationDeleteArgs {
    /// Only notifications of this kind (default: all kinds)
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub kind: Option<NotificationKind>,

    /// Only for this organization (its slug)
    #[arg(long, value_name = "SLUG")]
    pub for_org: Option<String>,
}

/// The kinds of notification HelloAsso sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NotificationKind {
    Payment,
    Order,
    Form,
    Organization,
}

pub async fn run(ctx: &Context, settings: &Settings, command: PartnerCommand) -> CliResult {
    match command {
        PartnerCommand::Notifications(NotificationsCommand::Set(args)) => {
            set(ctx, settings, args).await
        }
        PartnerCommand::Notifications(NotificationsCommand::Delete(args)) => {
            delete(ctx, settings, args).await
        }
        PartnerCommand::Notifications(NotificationsCommand::Check(args)) => {
            crate::commands::partner_check::run(ctx, settings, args).await
        }
    }
}

fn api_kind(kind: NotificationKind) -> ApiNotificationType {
    match kind {
        NotificationKind::Payment => ApiNotificationType::Payment,
        NotificationKind::Order => ApiNotificationType::Order,
        NotificationKind::Form => ApiNotificationType::Form,
        NotificationKind::Organization => ApiNotificationType::Organization,
    }
}

/// Whom the setting is for, in words.
fn scope(for_org: Option<&str>) -> String {
    for_org.map_or_else(
        || "every organization".to_owned(),
        |slug| format!("organization {slug}"),
    )
}

async fn set(ctx: &Context, settings: &Settings, args: NotificationSetArgs) -> CliResult {
    let url = args.url.trim();
    // HelloAsso posts payers' data there: never in clear.
    if !url.starts_with("https://") {
        return Err(CliError::usage(format!(
            "the notification URL must start with https:// (got `{url}`)"
        )));
    }
    let kind = args.kind.map(api_kind);
    let partner = ctx.client.partner();
    // JSON is HelloAsso's answer as it sent it. A PUT: sent once either way.
    let (answer, received) = match (
        args.for_org.as_deref(),
        output::keeps_documents(settings.format()),
    ) {
        (Some(slug), true) => {
            let (answer, received) = partner
                .set_organization_notification_url_received(slug, url, kind)
                .await?;
            (answer, Some(received))
        }
        (Some(slug), false) => (
            partner
                .set_organization_notification_url(slug, url, kind)
                .await?,
            None,
        ),
        (None, true) => {
            let (answer, received) = partner.set_notification_url_received(url, kind).await?;
            (answer, Some(received))
        }
        (None, false) => (partner.set_notification_url(url, kind).await?, None),
    };
    // The signature key verifies notifications: shown to the user who set
    // the URL (it is theirs), never logged.
    let fields = [
        ("url", answer.url.clone().unwrap_or_else(|| url.to_owned())),
        (
            "type",
            answer
                .api_notification_type
                .as_ref()
                .map_or("all", |t| t.as_str())
                .to_owned(),
        ),
        ("for", scope(args.for_org.as_deref())),
        (
            "signature_key",
            answer.signature_key.clone().unwrap_or_default(),
        ),
    ];
    let dialect = settings.style.dialect;
    match &received {
        Some(document) => output::single_in(settings.format(), dialect, document, &fields),
        None => output::single_in(settings.format(), dialect, &answer, &fields),
    }
}

async fn delete(ctx: &Context, settings: &Settings, args: NotificationDeleteArgs) -> CliResult {
    let kind = args.kind.map(api_kind);
    let partner = ctx.client.partner();
    match args.for_org.as_deref() {
        Some(slug) => {
            partner
                .delete_organization_notification_url(slug, kind)
                .await?
        }
        None => partner.delete_notification_url(kind).await?,
    }
    let what = args
        .kind
        .map_or_else(|| "all".to_owned(), |k| api_kind(k).as_str().to_owned());
    let raw = serde_json::json!({
        "deleted": true,
        "notificationType": args.kind.map(|k| api_kind(k).as_str().to_owned()),
        "organizationSlug": args.for_org,
    });
    match settings.format() {
        crate::args::Format::Table => {
            outln!(
                "HelloAsso no longer notifies {what} events for {}",
                scope(args.for_org.as_deref())
            )?;
            Ok(())
        }
        other => output::single(
            other,
            &raw,
            &[
                ("deleted", "true".to_owned()),
                ("type", what),
                ("for", scope(args.for_org.as_deref())),
            ],
        ),
    }
}

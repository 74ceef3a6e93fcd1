//! `helloasso org show`: the organization's public details.

use clap::Subcommand;

use crate::config::Context;
use crate::exit::CliResult;
use crate::output;
use crate::rows::Cell;
use crate::settings::Settings;

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Show the organization's public details
    Show,
}

pub async fn run(ctx: &Context, settings: &Settings, command: OrgCommand) -> CliResult {
    match command {
        OrgCommand::Show => show(ctx, settings).await,
    }
}

async fn show(ctx: &Context, settings: &Settings) -> CliResult {
    let slug = ctx.organization()?;
    let format = settings.format();
    // JSON is HelloAsso's organization as it sent it.
    let (org, received) = match output::keeps_documents(format) {
        true => {
            let (org, received) = ctx.client.organization_details_received(slug).await?;
            (org, Some(received))
        }
        false => (ctx.client.organization_details(slug).await?, None),
    };
    let zone = settings.style.zone;
    let yes_no =
        |b: Option<bool>| b.map_or_else(String::new, |b| if b { "yes" } else { "no" }.to_owned());
    let fields = [
        ("slug", org.organization_slug.clone().unwrap_or_default()),
        ("name", org.name.clone().unwrap_or_default()),
        (
            "type",
            org.type_.as_ref().map_or("", |t| t.as_str()).to_owned(),
        ),
        ("category", org.category.clone().unwrap_or_default()),
        ("city", org.city.clone().unwrap_or_default()),
        ("zip_code", org.zip_code.clone().unwrap_or_default()),
        ("url", org.url.clone().unwrap_or_default()),
        ("web_site", org.web_site.clone().unwrap_or_default()),
        ("fiscal_receipts", yes_no(org.fiscal_receipt_eligibility)),
        ("authenticated", yes_no(org.is_authenticated)),
        ("updated", Cell::date(org.update_date).render(zone, '.')),
    ];
    let dialect = settings.style.dialect;
    match &received {
        Some(document) => output::single_in(format, dialect, document, &fields),
        None => output::single_in(format, dialect, &org, &fields),
    }
}

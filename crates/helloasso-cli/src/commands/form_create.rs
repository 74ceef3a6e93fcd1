//! `helloasso forms create-event`: HelloAsso's quick creation of an event
//! (a draft, to be completed and published from the back office or with
//! `forms state`). A write: sent once, refused by read-only mode.

use clap::Args;
use helloasso_sdk::types::{FormType, QuickCreateForm};
use serde_json::json;

use crate::args::Format;
use crate::config::Context;
use crate::exit::{CliError, CliResult};
use crate::timezone::Zone;
use crate::{input, output};

#[derive(Debug, Args)]
pub struct CreateEventArgs {
    /// The event's title
    #[arg(long, value_name = "TEXT")]
    pub title: String,

    /// When it starts: RFC 3339 or YYYY-MM-DD (midnight in --tz)
    #[arg(long, value_name = "DATE")]
    pub start: Option<String>,

    /// When it ends: RFC 3339 or YYYY-MM-DD (midnight in --tz)
    #[arg(long, value_name = "DATE")]
    pub end: Option<String>,

    /// A short description
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
}

pub async fn create_event(
    ctx: &Context,
    format: Format,
    zone: Zone,
    args: CreateEventArgs,
) -> CliResult {
    let title = args.title.trim();
    if title.is_empty() {
        return Err(CliError::usage("--title is empty: an event needs a title"));
    }
    let start = args
        .start
        .as_deref()
        .map(|d| input::date("--start", d, zone))
        .transpose()?;
    let end = args
        .end
        .as_deref()
        .map(|d| input::date("--end", d, zone))
        .transpose()?;
    if let (Some(s), Some(e)) = (start, end)
        && s >= e
    {
        return Err(CliError::usage("--start must be before --end"));
    }
    let mut body = json!({ "title": title });
    if let Some(s) = start {
        body["startDate"] = json!(s.to_rfc3339());
    }
    if let Some(e) = end {
        body["endDate"] = json!(e.to_rfc3339());
    }
    if let Some(d) = args.description.as_deref() {
        body["description"] = json!(d);
    }
    let form: QuickCreateForm = serde_json::from_value(body)
        .map_err(|e| CliError::other(format!("cannot build the event: {e}")))?;
    let forms = ctx.client.forms(ctx.organization()?);
    // JSON prints HelloAsso's answer as it sent it; the request is the same.
    let (created, received) = if output::keeps_documents(format) {
        forms.quick_create_received(FormType::Event, form).await?
    } else {
        (forms.quick_create(FormType::Event, form).await?, None)
    };
    let slug = created.form_slug.clone().unwrap_or_default();
    let url = created.public_url.clone().unwrap_or_default();
    let fields = [
        ("form", format!("Event/{slug}")),
        ("url", url),
        (
            "next",
            format!("helloasso forms state Event/{slug} Public (to publish it)"),
        ),
    ];
    match &received {
        Some(document) => output::single(format, document, &fields),
        None => output::single(format, &created, &fields),
    }
}

//! `helloasso forms list`: the organization's forms, with the TYPE/SLUG
//! the other commands' `--form` takes.

use clap::{Args, Subcommand};
use helloasso_sdk::types::FormLight;

use crate::args::OutArgs;
use crate::commands::form_create::CreateEventArgs;
use crate::commands::form_state::FormStateArgs;
use crate::commands::form_stats::FormStatsArgs;
use crate::commands::shared::tell_count;
use crate::config::Context;
use crate::exit::CliResult;
use crate::input;
use crate::output::{self, Col, Emitter};
use crate::rows::{Cell, Row};
use crate::settings::Settings;

#[derive(Debug, Subcommand)]
pub enum FormsCommand {
    /// List the organization's forms
    List(FormsListArgs),
    /// Publish, hide or disable a form (Public, Private, Draft, Disabled)
    State(FormStateArgs),
    /// Create an event with a title and dates (HelloAsso's quick creation)
    CreateEvent(CreateEventArgs),
    /// How many took part, and how many took each tier and option
    Stats(FormStatsArgs),
}

#[derive(Debug, Args)]
pub struct FormsListArgs {
    /// Only forms of these kinds (comma-separated), e.g. Membership,Event
    #[arg(long = "form-type", value_name = "TYPE", value_delimiter = ',')]
    pub form_types: Vec<String>,

    #[command(flatten)]
    pub output: OutArgs,
}

pub async fn run(ctx: &Context, settings: &Settings, command: FormsCommand) -> CliResult {
    match command {
        FormsCommand::List(args) => list(ctx, settings, args).await,
        FormsCommand::State(args) => super::form_state::set(ctx, args).await,
        FormsCommand::Stats(args) => super::form_stats::stats(ctx, settings, args).await,
        FormsCommand::CreateEvent(args) => {
            super::form_create::create_event(ctx, settings.format(), settings.style.zone, args)
                .await
        }
    }
}

const FORM_COLS: &[Col] = &[
    Col::left("FORM", "form"),
    Col::left("TITLE", "title"),
    Col::left("STATE", "state"),
    Col::left("START", "start_date"),
    Col::left("END", "end_date"),
    Col::left("URL", "url"),
];

impl Row for FormLight {
    const COLUMNS: &'static [Col] = FORM_COLS;
    const SHEET: &'static str = "Forms";

    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(super::shared::order_form(
                self.form_type.as_ref(),
                self.form_slug.as_deref(),
            )),
            Cell::text(self.title.clone().unwrap_or_default()),
            Cell::text(self.state.as_ref().map_or("", |s| s.as_str())),
            Cell::date(self.start_date),
            Cell::date(self.end_date),
            Cell::text(self.url.clone().unwrap_or_default()),
        ]
    }
}

async fn list(ctx: &Context, settings: &Settings, args: FormsListArgs) -> CliResult {
    let form_types = input::form_types(&args.form_types)?;
    let out = args.output.out.as_deref();
    let format = settings.listing_format(out);
    let mut emitter =
        Emitter::listing::<FormLight>(format, settings.style, out, args.output.force)?;
    // JSON prints HelloAsso's forms as it sent them.
    let forms = ctx
        .client
        .keeping_received(output::keeps_documents(format))
        .forms(ctx.organization()?)
        .list()
        .form_types(form_types)
        .page_size(100);
    // Few enough to need no bar: an organization has tens of forms. Only a
    // complete listing is finished: on an error the emitter is dropped, so
    // a --out file is not left half written.
    crate::pager::walk_listing_received(forms, 100, None, false, "forms", |form, received| {
        emitter.received_row(&form, received.as_ref())
    })
    .await?;
    let shown = emitter.finish()?;
    tell_count(shown, None, "forms match", "--all");
    Ok(())
}

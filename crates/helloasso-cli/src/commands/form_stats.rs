//! `helloasso forms stats TYPE/SLUG`: how many took part in a form, and how
//! many times each tier and each additional option was taken (HelloAsso's
//! statistics operation), in the CLI's formats.

use clap::Args;
use helloasso_sdk::types::TierStats;

use crate::args::OutArgs;
use crate::config::Context;
use crate::exit::CliResult;
use crate::input;
use crate::output::Emitter;
use crate::rows::{Cell, Col, Row};
use crate::settings::Settings;

#[derive(Debug, Args)]
pub struct FormStatsArgs {
    /// The form, as TYPE/SLUG or its page's URL (whose organization replaces --org)
    #[arg(value_name = "TYPE/SLUG|URL")]
    pub form: String,

    #[command(flatten)]
    pub output: OutArgs,
}

/// One tier or additional option, with what kind it is.
#[derive(serde::Serialize)]
struct StatLine {
    kind: &'static str,
    #[serde(flatten)]
    tier: TierStats,
}

const STAT_COLS: &[Col] = &[
    Col::left("KIND", "kind"),
    Col::left("LABEL", "label"),
    Col::right("TAKEN", "entries_taken"),
    Col::right("MAX", "max_entries"),
    Col::right("PRICE (EUR)", "price_eur"),
    Col::left("ENABLED", "enabled"),
];

impl Row for StatLine {
    const COLUMNS: &'static [Col] = STAT_COLS;
    const SHEET: &'static str = "Form statistics";

    fn cells(&self) -> Vec<Cell> {
        let t = &self.tier;
        vec![
            Cell::text(self.kind),
            Cell::text(t.label.clone().unwrap_or_default()),
            Cell::number(t.entries_taken),
            Cell::number(t.max_entries),
            Cell::euros(t.price.map(|p| p.0)),
            Cell::text(match t.is_enabled {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            }),
        ]
    }
}

pub async fn stats(ctx: &Context, settings: &Settings, args: FormStatsArgs) -> CliResult {
    let (kind, slug) = input::form(&args.form)?;
    let stats = ctx
        .client
        .forms(ctx.organization()?)
        .stats(kind.clone(), slug.clone())
        .await?;
    let out = args.output.out.as_deref();
    let format = settings.listing_format(out);
    let mut emitter = Emitter::listing::<StatLine>(format, settings.style, out, args.output.force)?;
    let tiers = stats.un_grouped_tiers.into_iter().flatten();
    let options = stats.additional_options.into_iter().flatten();
    for line in tiers
        .map(|tier| StatLine { kind: "tier", tier })
        .chain(options.map(|tier| StatLine {
            kind: "option",
            tier,
        }))
    {
        emitter.row(&line)?;
    }
    emitter.finish()?;
    let total = stats
        .total_participant
        .map_or_else(|| "unknown".to_owned(), |n| n.to_string());
    eprintln!("{}/{slug}: {total} participant(s)", kind.as_str());
    Ok(())
}

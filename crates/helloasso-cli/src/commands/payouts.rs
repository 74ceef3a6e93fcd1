//! `helloasso payouts export ID`: HelloAsso's own file (CSV, or XLSX into a
//! file) of what one payout (cash-out) transferred to the bank, saved as
//! received.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use helloasso_sdk::ExportFormat;
use tokio::io::AsyncWriteExt;

use crate::args::{FileFormat, Format};
use crate::commands::payments::{Counting, export_file_format};
use crate::config::Context;
use crate::destination::{self, Destination};
use crate::exit::{CliError, CliResult, Kind};
use crate::output;
use crate::settings::Settings;

#[derive(Debug, Subcommand)]
pub enum PayoutsCommand {
    /// The payouts, each with its gross, refunds and net, checked against its payments
    List(crate::commands::reconcile::PayoutsListArgs),
    /// One payout's payments, as the bank transfer holds them
    Show(crate::commands::reconcile::PayoutShowArgs),
    /// Save the payments and refunds a payout transferred, as CSV
    Export(PayoutExportArgs),
}

#[derive(Debug, Args)]
pub struct PayoutExportArgs {
    /// The payout's (cash-out's) id, as payments show it (idCashOut)
    pub id: i64,

    /// Write to this file (default, or `-`: standard output, CSV only). An
    /// existing file needs --force
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Replace --out if it is an existing file
    #[arg(long)]
    pub force: bool,

    /// File format (default: from --out's extension, else csv)
    #[arg(long = "as", value_enum, value_name = "FORMAT")]
    pub file_format: Option<FileFormat>,
}

pub async fn run(ctx: &Context, settings: &Settings, command: PayoutsCommand) -> CliResult {
    match command {
        PayoutsCommand::Export(args) => export(ctx, settings, args).await,
        PayoutsCommand::List(args) => super::reconcile::list(ctx, settings, args).await,
        PayoutsCommand::Show(args) => super::reconcile::show(ctx, settings, args).await,
    }
}

fn write_failed(shown: &str, e: impl std::fmt::Display) -> CliError {
    CliError::other(format!("cannot write the payout export to {shown}: {e}"))
}

async fn export(ctx: &Context, settings: &Settings, args: PayoutExportArgs) -> CliResult {
    let destination = match &args.out {
        None => Destination::Stdout,
        Some(out) => Destination::resolve(out, args.force)?,
    };
    let format = match export_file_format(args.file_format, args.out.as_deref())? {
        FileFormat::Csv => ExportFormat::Csv,
        FileFormat::Xlsx => ExportFormat::Xlsx,
    };
    if matches!(destination, Destination::Stdout) {
        if settings
            .format
            .is_some_and(|f| matches!(f, Format::Json | Format::Jsonl | Format::Xlsx))
        {
            // The export is HelloAsso's own CSV: printed under another
            // format's name it would mislead a script.
            return Err(CliError::usage(
                "payouts export writes HelloAsso's own CSV: omit --format, or pass --out FILE",
            ));
        }
        if format == ExportFormat::Xlsx {
            return Err(CliError::usage(
                "an XLSX export needs a file: pass --out FILE.xlsx",
            ));
        }
    }
    let export = ctx.client.payout(ctx.organization()?, args.id);
    let shown = args
        .out
        .as_ref()
        .map_or_else(String::new, |p| p.display().to_string());
    // A spinner counting rows (bytes for a workbook): HelloAsso does not
    // say how many in advance.
    let bar = match format {
        ExportFormat::Csv => output::progress(settings.progress, None, "exporting the payout"),
        _ => output::byte_progress(settings.progress, "exporting the payout"),
    };
    let bytes = match destination {
        Destination::Stdout => {
            let mut out = Counting::new(tokio::io::stdout(), bar.clone(), format);
            let result = export
                .write_to(format, &mut out)
                .await
                .map_err(|e| match e {
                    helloasso_sdk::ExportError::Write(e) => output::write_error(e),
                    other => other.into(),
                });
            bar.finish_and_clear();
            result?;
            return out.flush().await.map_err(output::write_error);
        }
        Destination::Stream(path) => {
            let mut out =
                Counting::new(destination::open_stream(&path).await?, bar.clone(), format);
            let result = export.write_to(format, &mut out).await;
            bar.finish_and_clear();
            let bytes = result.map_err(|e| file_error(e, &shown))?;
            out.flush().await.map_err(|e| write_failed(&shown, e))?;
            bytes
        }
        Destination::File { target, replace } => {
            // Into a temporary file moved into place once complete: a cut
            // or interrupted download never leaves a partial file under the
            // asked name.
            let interrupted = destination::on_interrupt()?;
            let temp = destination::temporary_beside(&target)?;
            let file = temp
                .as_file()
                .try_clone()
                .map_err(|e| write_failed(&shown, e))?;
            let mut out = Counting::new(tokio::fs::File::from_std(file), bar.clone(), format);
            let bytes = tokio::select! {
                result = export.write_to(format, &mut out) => {
                    bar.finish_and_clear();
                    result.map_err(|e| file_error(e, &shown))?
                }
                () = interrupted => {
                    bar.finish_and_clear();
                    return Err(CliError::new(
                        Kind::Interrupted,
                        format!("interrupted: nothing was written to {shown}"),
                    ));
                }
            };
            out.flush().await.map_err(|e| write_failed(&shown, e))?;
            drop(out);
            temp.as_file()
                .sync_all()
                .map_err(|e| write_failed(&shown, e))?;
            destination::persist(temp, &target, replace)?;
            bytes
        }
    };
    let raw = serde_json::json!({ "payout": args.id, "file": shown, "bytes": bytes });
    match settings.format() {
        Format::Table => {
            outln!("exported payout {}: {bytes} bytes to {shown}", args.id)?;
            Ok(())
        }
        other => output::single(
            other,
            &raw,
            &[
                ("payout", args.id.to_string()),
                ("file", shown.clone()),
                ("bytes", bytes.to_string()),
            ],
        ),
    }
}

/// A write failure on a file the user named means an incomplete export.
fn file_error(err: helloasso_sdk::ExportError, shown: &str) -> CliError {
    match err {
        helloasso_sdk::ExportError::Write(e) => write_failed(shown, e),
        other => other.into(),
    }
}

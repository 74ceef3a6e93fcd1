//! `helloasso payouts export ID`: HelloAsso's own CSV of what one payout
//! (cash-out) transferred to the bank, saved as received.

use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::cli::{PayoutExportArgs, PayoutsCommand};
use crate::config::Context;
use crate::destination::{self, Destination};
use crate::exit::{CliError, CliResult, Kind};
use crate::output;

pub async fn run(ctx: &Context, command: PayoutsCommand) -> CliResult {
    match command {
        PayoutsCommand::Export(args) => export(ctx, args).await,
    }
}

async fn export(ctx: &Context, args: PayoutExportArgs) -> CliResult {
    let destination = match &args.out {
        None => Destination::Stdout,
        Some(out) => Destination::resolve(out, args.force)?,
    };
    let slug = ctx.organization()?.to_owned();
    let id = args.id;
    let mut body = ctx
        .client
        .execute_stream(|raw| raw.export_cash_out().organization_slug(slug).cash_out_id(id))
        .await?
        .into_body();
    let shown = args
        .out
        .as_ref()
        .map_or_else(|| "standard output".to_owned(), |p| p.display().to_string());
    match destination {
        Destination::Stdout => {
            let mut out = tokio::io::stdout();
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(cut_off)?;
                out.write_all(&chunk).await.map_err(output::write_error)?;
            }
            out.flush().await.map_err(output::write_error)
        }
        Destination::Stream(path) => {
            let mut out = destination::open_stream(&path).await?;
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(cut_off)?;
                out.write_all(&chunk)
                    .await
                    .map_err(|e| CliError::other(format!("cannot write {shown}: {e}")))?;
            }
            out.flush()
                .await
                .map_err(|e| CliError::other(format!("cannot write {shown}: {e}")))
        }
        Destination::File { target, replace } => {
            // Whole or nothing: a cut download never leaves a truncated file
            // under the asked name.
            let mut bytes = Vec::new();
            while let Some(chunk) = body.next().await {
                bytes.extend_from_slice(&chunk.map_err(cut_off)?);
            }
            let temp = destination::temporary_beside(&target)?;
            std::io::Write::write_all(&mut temp.as_file(), &bytes)
                .and_then(|()| temp.as_file().sync_all())
                .map_err(|e| CliError::other(format!("cannot write {shown}: {e}")))?;
            destination::persist(temp, &target, replace)?;
            eprintln!("saved payout {id}: {} bytes to {shown}", bytes.len());
            Ok(())
        }
    }
}

/// A download that broke off midway.
fn cut_off(e: impl std::fmt::Display) -> CliError {
    CliError::new(
        Kind::Network,
        format!("the payout export was cut off: {e}"),
    )
}

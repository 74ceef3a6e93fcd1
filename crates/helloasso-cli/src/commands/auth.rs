//! `helloasso auth check|logout`. Tokens are never printed: only that one
//! was obtained, and until when it is valid.

use chrono::Utc;
use helloasso_sdk::{FileTokenStore, TokenStore};
use serde_json::json;

use crate::cli::{AuthCommand, Format};
use crate::config::Context;
use crate::exit::CliResult;
use crate::output;

pub async fn run(ctx: &Context, format: Format, command: AuthCommand) -> CliResult {
    match command {
        AuthCommand::Check => check(ctx, format).await,
        AuthCommand::Logout => logout(ctx, format).await,
    }
}

async fn check(ctx: &Context, format: Format) -> CliResult {
    let stored = match &ctx.token_file {
        Some(path) => FileTokenStore::new(path)
            .load(&ctx.token_key())
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let token = ctx.client.token().await?;
    let reused = stored.as_ref() == Some(&token);
    let expires_at = token.expires_at();
    let minutes = (expires_at - Utc::now()).num_minutes().max(0);
    let source = if reused {
        "stored token still valid"
    } else {
        "new token obtained"
    };
    let file = ctx
        .token_file
        .as_ref()
        .map_or_else(|| "(memory only)".to_owned(), |p| p.display().to_string());
    let raw = json!({
        "clientId": ctx.client.client_id(),
        "environment": ctx.environment.to_string(),
        "reused": reused,
        "expiresAt": expires_at.to_rfc3339(),
        "tokenFile": ctx.token_file,
    });
    match format {
        Format::Table => {
            outln!(
                "ok: {source} for client {} on {}",
                ctx.client.client_id(),
                ctx.environment
            )?;
            outln!(
                "access token expires at {} (in {minutes} min); kept in {file}",
                expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )?;
            Ok(())
        }
        other => output::single(
            other,
            &raw,
            &[
                ("client_id", ctx.client.client_id().to_owned()),
                ("environment", ctx.environment.to_string()),
                ("reused", reused.to_string()),
                ("expires_at", expires_at.to_rfc3339()),
                ("token_file", file),
            ],
        ),
    }
}

async fn logout(ctx: &Context, format: Format) -> CliResult {
    let Some(path) = &ctx.token_file else {
        outln!("no token file: nothing to forget")?;
        return Ok(());
    };
    let store = FileTokenStore::new(path);
    let key = ctx.token_key();
    let had = path.exists() && store.load(&key).await?.is_some();
    if had {
        store.remove(&key).await?;
    }
    let raw = json!({ "clientId": ctx.client.client_id(), "removed": had, "tokenFile": path });
    match format {
        Format::Table => {
            let what = if had {
                "forgot the tokens of"
            } else {
                "no tokens stored for"
            };
            outln!(
                "{what} client {} ({})",
                ctx.client.client_id(),
                path.display()
            )?;
            Ok(())
        }
        other => output::single(
            other,
            &raw,
            &[
                ("client_id", ctx.client.client_id().to_owned()),
                ("removed", had.to_string()),
                ("token_file", path.display().to_string()),
            ],
        ),
    }
}

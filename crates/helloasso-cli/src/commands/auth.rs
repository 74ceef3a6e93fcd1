//! `helloasso auth login|check|logout`. Tokens and secrets are never
//! printed: only that HelloAsso accepted the credentials, and until when a
//! token is valid.

use chrono::Utc;
use clap::{Args, Subcommand};
use helloasso_sdk::{FileTokenStore, RetryPolicy, TokenStore};
use serde_json::json;

use crate::args::{Format, GlobalArgs};
use crate::config::Context;
use crate::csv_dialect::CsvDialect;
use crate::exit::{CliError, CliResult, Kind};
use crate::profile::{self, Profile};
use crate::timezone::Zone;
use crate::{output, prompt};

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Ask for the client id and secret (hidden) and keep them in the profile
    Login(LoginArgs),
    /// Obtain a token with the credentials and show when it expires
    Check,
    /// Show the environment, the client (shortened), the organizations it
    /// reaches with its role in each, and until when its token is valid
    Status,
    /// Forget the profile's credentials and tokens, and disconnect from HelloAsso
    Logout,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Keep this CSV flavour in the profile
    #[arg(long = "set-csv-dialect", value_enum, value_name = "DIALECT")]
    pub csv_dialect: Option<CsvDialect>,

    /// Keep this time zone in the profile
    #[arg(long = "set-tz", value_name = "ZONE")]
    pub tz: Option<String>,

    /// Make the profile read-only (true) or not (false): see --read-only
    #[arg(long = "set-read-only", value_name = "BOOL")]
    pub read_only: Option<bool>,
}

pub async fn run(ctx: &Context, format: Format, command: AuthCommand) -> CliResult {
    match command {
        AuthCommand::Check => check(ctx, format).await,
        AuthCommand::Status => super::auth_status::status(ctx, format).await,
        AuthCommand::Logout => logout(ctx, format).await,
        AuthCommand::Login(_) => Err(CliError::other("login is dispatched on its own")),
    }
}

/// Asks for what the flags and environment do not give (the secret hidden),
/// proves it with HelloAsso, then keeps it in the profile.
pub async fn login(global: &GlobalArgs, args: LoginArgs) -> CliResult {
    let mut saved = profile::load(&global.profile)?;
    let interactive = prompt::interactive();
    let client_id = match global.client_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => id.to_owned(),
        _ if interactive => prompt::line("HelloAsso client id: ", false).await?,
        // A script changing a setting keeps the credentials already saved.
        _ if saved.client_id.is_some() => saved.client_id.clone().unwrap_or_default(),
        _ => {
            return Err(CliError::usage(
                "auth login needs a terminal to ask for the client id, or --client-id / HELLOASSO_CLIENT_ID",
            ));
        }
    };
    let given = match &global.client_secret_file {
        Some(path) => Some(crate::secrets::read("--client-secret-file", path)?),
        None => global
            .client_secret
            .as_ref()
            .map(|s| helloasso_sdk::ExposeSecret::expose_secret(s).to_owned()),
    };
    let client_secret = match given.filter(|s| !s.trim().is_empty()) {
        Some(secret) => secret.trim().to_owned(),
        None if interactive => prompt::line("Client secret (not shown): ", true).await?,
        None if saved.client_id.as_deref() == Some(client_id.as_str())
            && saved.client_secret.is_some() =>
        {
            saved.client_secret.clone().unwrap_or_default()
        }
        None => {
            return Err(CliError::usage(
                "auth login needs a terminal to ask for the client secret, or --client-secret-file / HELLOASSO_CLIENT_SECRET",
            ));
        }
    };
    if client_id.is_empty() || client_secret.is_empty() {
        return Err(CliError::usage(
            "an empty client id or secret: nothing was saved",
        ));
    }
    if let Some(tz) = &args.tz {
        tz.parse::<Zone>()?;
    }
    let candidate = Profile {
        client_id: Some(client_id),
        client_secret: Some(client_secret),
        organization: global
            .organization
            .clone()
            .or_else(|| saved.organization.take()),
        environment: global
            .environment
            .clone()
            .or_else(|| saved.environment.take()),
        csv_dialect: args
            .csv_dialect
            .map(|d| d.name().to_owned())
            .or_else(|| saved.csv_dialect.take()),
        tz: args.tz.clone().or_else(|| saved.tz.take()),
        read_only: args.read_only.or(saved.read_only),
    };
    // The profile's values, not another client's from the environment.
    let only_profile = GlobalArgs {
        client_id: None,
        client_secret: None,
        client_secret_file: None,
        ..global.clone()
    };
    let ctx = Context::from_args(&only_profile, &candidate, None)?;
    let proof = prove(&ctx).await?;
    let saved = profile::save(&global.profile, &candidate)?;
    let org = proof
        .organization
        .map_or_else(String::new, |o| format!(", organization {o}"));
    let secret = match &saved.secret {
        Some(crate::secret_store::Stored::Keyring) => "; the client secret is in the OS keyring",
        Some(crate::secret_store::Stored::File { why }) => {
            eprintln!(
                "warning: the client secret is kept in the profile file {}, readable by you only, not in the OS keyring: {why}",
                saved.path.display()
            );
            ""
        }
        None => "",
    };
    outln!(
        "logged in: HelloAsso accepted client {} on {}{org}; profile `{}` saved to {} (readable by you only){secret}",
        ctx.client.client_id(),
        ctx.environment,
        global.profile,
        saved.path.display()
    )?;
    Ok(())
}

/// What `auth check` proved.
struct Proof {
    token: helloasso_sdk::Token,
    expires_at: chrono::DateTime<Utc>,
    organization: Option<String>,
}

/// Obtains a new token with the credentials (a stored token proves nothing
/// about them), then reads one payment of the organization, if one is
/// given, to prove it exists and these credentials may read it.
async fn prove(ctx: &Context) -> CliResult<Proof> {
    let fresh = ctx.fresh_client()?;
    let token = fresh.token().await?;
    let organization = match ctx.organization_opt() {
        Some(slug) => {
            fresh
                .payments(slug)
                .list()
                .page_size(1)
                .send()
                .await
                .map_err(|e| {
                    let err = CliError::from(e);
                    CliError {
                        message: format!(
                            "the credentials are valid, but organization `{slug}` cannot be read with them: {}",
                            err.message
                        ),
                        ..err
                    }
                })?;
            Some(slug.to_owned())
        }
        None => None,
    };
    Ok(Proof {
        expires_at: token.expires_at(),
        token,
        organization,
    })
}

async fn check(ctx: &Context, format: Format) -> CliResult {
    let proof = prove(ctx).await?;
    let minutes = (proof.expires_at - Utc::now()).num_minutes().max(0);
    // The proven token replaces the stored one: the next commands use it.
    if let Some(path) = &ctx.token_file {
        FileTokenStore::new(path)
            .save(&ctx.token_key(), &proof.token)
            .await?;
    }
    let file = ctx
        .token_file
        .as_ref()
        .map_or_else(|| "(memory only)".to_owned(), |p| p.display().to_string());
    let raw = json!({
        "clientId": ctx.client.client_id(),
        "environment": ctx.environment.to_string(),
        "credentialsValid": true,
        "organization": proof.organization,
        "expiresAt": proof.expires_at.to_rfc3339(),
        "tokenFile": ctx.token_file,
    });
    match format {
        Format::Table => {
            outln!(
                "ok: HelloAsso accepted the credentials of client {} on {}",
                ctx.client.client_id(),
                ctx.environment
            )?;
            match &proof.organization {
                Some(org) => outln!("organization {org}: readable with these credentials")?,
                None => outln!("no organization given (--org): none checked")?,
            }
            outln!(
                "new token obtained: it expires at {} (in {minutes} min) and is kept in {file}",
                proof
                    .expires_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )?;
            Ok(())
        }
        other => output::single(
            other,
            &raw,
            &[
                ("client_id", ctx.client.client_id().to_owned()),
                ("environment", ctx.environment.to_string()),
                ("credentials_valid", "true".to_owned()),
                (
                    "organization",
                    proof.organization.clone().unwrap_or_default(),
                ),
                ("expires_at", proof.expires_at.to_rfc3339()),
                ("token_file", file),
            ],
        ),
    }
}

/// Revokes the stored token at HelloAsso (only a stored one: obtaining a
/// token just to revoke it would prove nothing), forgets the tokens and the
/// profile.
async fn logout(ctx: &Context, format: Format) -> CliResult {
    let stored = match &ctx.token_file {
        Some(path) if path.exists() => {
            let store = FileTokenStore::new(path);
            store.load(&ctx.token_key()).await?.map(|_| store)
        }
        _ => None,
    };
    let disconnected = match &stored {
        Some(_) => Some(disconnect(ctx).await),
        None => None,
    };
    let had_tokens = match stored {
        Some(store) => {
            store.remove(&ctx.token_key()).await?;
            true
        }
        None => false,
    };
    let had_profile = profile::forget(&ctx.profile)?;
    let remote = match &disconnected {
        Some(Ok(())) => "HelloAsso revoked the token".to_owned(),
        Some(Err(why)) => format!("HelloAsso did not revoke the token ({why})"),
        None => "no stored token to revoke".to_owned(),
    };
    let raw = json!({
        "clientId": ctx.client.client_id(),
        "removed": had_tokens,
        "revoked": matches!(disconnected, Some(Ok(()))),
        "profileForgotten": had_profile,
        "tokenFile": ctx.token_file,
    });
    match format {
        Format::Table => {
            let tokens = if had_tokens {
                "forgot the tokens of"
            } else {
                "no tokens stored for"
            };
            outln!("{tokens} client {}; {remote}", ctx.client.client_id())?;
            if had_profile {
                outln!("forgot profile `{}` and its credentials", ctx.profile)?;
            }
            Ok(())
        }
        other => output::single(
            other,
            &raw,
            &[
                ("client_id", ctx.client.client_id().to_owned()),
                ("removed", had_tokens.to_string()),
                ("revoked", matches!(disconnected, Some(Ok(()))).to_string()),
                ("profile_forgotten", had_profile.to_string()),
            ],
        ),
    }
}

/// HelloAsso's `GET /oauth2/disconnect` with the stored token. Never
/// retried: a second call with a revoked token would only fail.
async fn disconnect(ctx: &Context) -> Result<(), String> {
    let result = ctx
        .client
        .with_retry_policy(RetryPolicy::disabled())
        .execute(|raw| raw.disconnect())
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) => Err(CliError::from(e).kind_text()),
    }
}

impl CliError {
    /// A short reason, for a note rather than an error line.
    fn kind_text(&self) -> String {
        match self.kind {
            Kind::Auth => "the token was refused".to_owned(),
            _ => self.line(),
        }
    }
}

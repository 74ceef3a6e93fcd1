//! `helloasso`: HelloAsso's API from a terminal, and a demo that needs no
//! account. Errors end as one `error: ...` line and an exit code scripts
//! can rely on (see `exit.rs`).

// First: its macros (`outln!`, `say!`) are used by the modules below.
#[macro_use]
mod output;
mod args;
mod cli;
mod color;
mod commands;
mod config;
mod config_home;
mod csv_dialect;
mod csv_safe;
#[cfg(feature = "demo")]
mod demo;
mod destination;
mod exit;
mod form_ref;
mod hints;
mod input;
mod listing;
mod mfa_source;
mod money;
mod org_default;
mod pager;
mod period;
mod private;
mod profile;
mod prompt;
mod read_only;
mod rows;
mod secret_store;
mod secrets;
mod settings;
mod terminal;
mod timezone;
mod xlsx;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command};
use crate::config::Context;
use crate::exit::{CliError, CliResult};
use crate::settings::Settings;

fn main() -> ExitCode {
    // A bug must still end in one line, not a backtrace hint.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error in helloasso-cli (please report it): {info}");
    }));
    // Colours are settled before parsing, so that clap's own messages
    // (help, usage errors) follow --color and NO_COLOR too.
    let colors = color::from_args(std::env::args_os());
    let matches = Cli::command().color(colors.clap()).get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // A form given by its URL belongs to the organization the URL names.
    match form_ref::organization_in(&matches) {
        Ok(Some(org)) => cli.global.organization = Some(org),
        Ok(None) => {}
        Err(err) => {
            eprintln!("error: {}", err.line());
            return err.exit_code();
        }
    }
    colors.apply();
    init_logging(cli.global.verbose, colors.stderr());
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.quiet => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", err.line());
            err.exit_code()
        }
    }
}

fn init_logging(verbose: u8, ansi: bool) {
    // The SDK logs each call and each retry at debug: -v shows them.
    let level = match verbose {
        0 => return,
        1 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("helloasso={level}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}

fn run(cli: Cli) -> CliResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::other(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(dispatch(cli))
}

async fn dispatch(cli: Cli) -> CliResult {
    let global = cli.global;
    match cli.command {
        #[cfg(feature = "demo")]
        Command::Demo(args) => demo::run(args, !global.no_progress).await,
        Command::Webhook(commands::webhook::WebhookCommand::Listen(args)) => {
            commands::webhook_listen::run(&global, args).await
        }
        Command::Webhook(commands::webhook::WebhookCommand::Forward(args)) => {
            commands::webhook_forward::run(&global, args).await
        }
        Command::Webhook(command) => {
            commands::webhook::run(global.format.unwrap_or_default(), command)
        }
        Command::Completions(args) => commands::manual::completions(Cli::command(), args.shell),
        Command::Man(args) => commands::manual::man(Cli::command(), args),
        Command::Payments(command) => {
            let profile = profile::load(&global.profile)?;
            let settings = Settings::new(&global, &profile)?;
            let retry = command.is_long().then(listing::long_listing_policy);
            let ctx = org_default::settled(Context::from_args(&global, &profile, retry)?).await;
            commands::payments::run(&ctx, &settings, command).await
        }
        Command::Orders(command) => {
            let profile = profile::load(&global.profile)?;
            let settings = Settings::new(&global, &profile)?;
            let retry = command.is_long().then(listing::long_listing_policy);
            let ctx = org_default::settled(Context::from_args(&global, &profile, retry)?).await;
            commands::orders::run(&ctx, &settings, command).await
        }
        Command::Items(command) => {
            let profile = profile::load(&global.profile)?;
            let settings = Settings::new(&global, &profile)?;
            let ctx = org_default::settled(Context::from_args(
                &global,
                &profile,
                Some(listing::long_listing_policy()),
            )?)
            .await;
            commands::items::run(&ctx, &settings, command).await
        }
        Command::Forms(command) => {
            let profile = profile::load(&global.profile)?;
            let settings = Settings::new(&global, &profile)?;
            let ctx = org_default::settled(Context::from_args(&global, &profile, None)?).await;
            commands::forms::run(&ctx, &settings, command).await
        }
        Command::Org(command) => {
            let profile = profile::load(&global.profile)?;
            let settings = Settings::new(&global, &profile)?;
            let ctx = org_default::settled(Context::from_args(&global, &profile, None)?).await;
            commands::org::run(&ctx, &settings, command).await
        }
        Command::Payouts(command) => {
            let profile = profile::load(&global.profile)?;
            let settings = Settings::new(&global, &profile)?;
            // Listing and showing payouts read every payment.
            let long = !matches!(command, commands::payouts::PayoutsCommand::Export(_));
            let retry = long.then(listing::long_listing_policy);
            let ctx = org_default::settled(Context::from_args(&global, &profile, retry)?).await;
            commands::payouts::run(&ctx, &settings, command).await
        }
        Command::Members(args) => {
            let profile = profile::load(&global.profile)?;
            let settings = Settings::new(&global, &profile)?;
            let ctx = Context::from_args(&global, &profile, Some(listing::long_listing_policy()))?;
            commands::members::run(&ctx, &settings, args).await
        }
        Command::Report(commands::report::ReportCommand::Year(args)) => {
            let profile = profile::load(&global.profile)?;
            let settings = Settings::new(&global, &profile)?;
            let ctx = Context::from_args(&global, &profile, Some(listing::long_listing_policy()))?;
            commands::report::year(&ctx, &settings, args).await
        }
        Command::Partner(command) => {
            let profile = profile::load(&global.profile)?;
            let settings = Settings::new(&global, &profile)?;
            let ctx = Context::from_args(&global, &profile, None)?;
            commands::partner::run(&ctx, &settings, command).await
        }
        Command::Checkout(command) => {
            let profile = profile::load(&global.profile)?;
            let settings = Settings::new(&global, &profile)?;
            let ctx = Context::from_args(&global, &profile, None)?;
            commands::checkout::run(&ctx, settings.format(), settings.style.zone, command).await
        }
        Command::Sync(args) => {
            let profile = profile::load(&global.profile)?;
            let ctx = Context::from_args(&global, &profile, Some(listing::long_listing_policy()))?;
            commands::sync::run(&ctx, args).await
        }
        Command::Auth(commands::auth::AuthCommand::Login(args)) => {
            commands::auth::login(&global, args).await
        }
        Command::Auth(command) => {
            let profile = profile::load(&global.profile)?;
            let ctx = org_default::settled(Context::from_args(&global, &profile, None)?).await;
            commands::auth::run(&ctx, global.format.unwrap_or_default(), command).await
        }
    }
}

//! `helloasso`: HelloAsso's API from a terminal, and a demo that needs no
//! account. Errors end as one `error: ...` line and an exit code scripts
//! can rely on (see `exit.rs`).

// First: its macros (`outln!`, `say!`) are used by the modules below.
#[macro_use]
mod output;
mod cli;
mod commands;
mod config;
#[cfg(feature = "demo")]
mod demo;
mod destination;
mod exit;
mod input;
mod prompt;
mod secrets;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::commands::payments::Settings;
use crate::config::Context;
use crate::exit::{CliError, CliResult};

fn main() -> ExitCode {
    // A bug must still end in one line, not a backtrace hint.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error in helloasso-cli (please report it): {info}");
    }));
    let cli = Cli::parse();
    init_logging(cli.global.verbose);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.quiet => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", err.line());
            err.exit_code()
        }
    }
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("helloasso={level}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
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
    let progress = !global.no_progress;
    match cli.command {
        #[cfg(feature = "demo")]
        Command::Demo(args) => demo::run(args, progress).await,
        Command::Webhook(command) => commands::webhook::run(global.format, command),
        Command::Payments(command) => {
            let ctx = Context::from_args(&global)?;
            let settings = Settings {
                format: global.format,
                progress,
            };
            commands::payments::run(&ctx, &settings, command).await
        }
        Command::Checkout(command) => {
            let ctx = Context::from_args(&global)?;
            commands::checkout::run(&ctx, global.format, command).await
        }
        Command::Auth(command) => {
            let ctx = Context::from_args(&global)?;
            commands::auth::run(&ctx, global.format, command).await
        }
    }
}

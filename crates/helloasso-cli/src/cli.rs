//! The command line's root, as clap types: the global options and one
//! subcommand per noun. Each command's own flags sit beside the code that
//! runs it (`commands/<noun>.rs`); the groups several commands share, and
//! the global options, in `args.rs`.
//!
//! Values that need a helpful error (states, dates, amounts) are taken as
//! strings and checked by the commands, so that a mistake gives one
//! `error:` line with the accepted forms instead of clap's multi-line report.

use clap::{Parser, Subcommand};

use crate::args::GlobalArgs;
use crate::commands::auth::AuthCommand;
use crate::commands::checkout::CheckoutCommand;
use crate::commands::forms::FormsCommand;
use crate::commands::items::ItemsCommand;
use crate::commands::manual::{CompletionsArgs, ManArgs};
use crate::commands::members::MembersArgs;
use crate::commands::orders::OrdersCommand;
use crate::commands::org::OrgCommand;
use crate::commands::partner::PartnerCommand;
use crate::commands::payments::PaymentsCommand;
use crate::commands::payouts::PayoutsCommand;
use crate::commands::report::ReportCommand;
use crate::commands::sync::SyncArgs;
use crate::commands::webhook::WebhookCommand;
#[cfg(feature = "demo")]
use crate::demo::DemoArgs;
use crate::exit::EXIT_CODES_HELP;

const ABOUT: &str =
    "HelloAsso from a terminal: payments, refunds, orders, members, payouts, checkout, webhooks";

const AFTER_HELP: &str = "\
Try it without an account: `helloasso demo` runs every step against a local fake HelloAsso.

Credentials come from `helloasso auth login` (kept per profile, readable by you only), or
--client-id/--client-secret, or HELLOASSO_CLIENT_ID/HELLOASSO_CLIENT_SECRET (HelloAsso back
office, \"Intégrations et API\"); the environment and flags win over the profile. Values given on the command line show in `ps`
to every user of the machine: pass secrets (client secret, MFA code, webhook key) through the
environment or a file instead (--client-secret-file, --mfa-code-file, --key-file; `-` reads
standard input). Tokens are kept in a file readable by you only
(default: $XDG_CONFIG_HOME/helloasso/, else ~/.config/helloasso/).";

#[derive(Debug, Parser)]
#[command(
    name = "helloasso",
    version,
    about = ABOUT,
    after_help = format!("{AFTER_HELP}\n\n{EXIT_CODES_HELP}"),
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk through the whole API against a local fake HelloAsso (no account, no network)
    #[cfg(feature = "demo")]
    Demo(DemoArgs),
    /// List, look up, search, export and refund payments
    #[command(subcommand)]
    Payments(PaymentsCommand),
    /// List, show, sum up and cancel orders
    #[command(subcommand)]
    Orders(OrdersCommand),
    /// List items (tickets, memberships...) with their custom fields: the member list
    #[command(subcommand)]
    Items(ItemsCommand),
    /// List the organization's forms
    #[command(subcommand)]
    Forms(FormsCommand),
    /// Show the organization
    #[command(subcommand)]
    Org(OrgCommand),
    /// Payouts (cash-outs) to the bank: each with its payments, reconciled, or HelloAsso's export
    #[command(subcommand)]
    Payouts(PayoutsCommand),
    /// Who is a member on a day, who lapses soon, who lapsed
    Members(MembersArgs),
    /// The treasurer's year-end workbook
    #[command(subcommand)]
    Report(ReportCommand),
    /// Partner settings: where HelloAsso sends notifications
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// Create and read checkout intents (HelloAsso's payment page)
    #[command(subcommand)]
    Checkout(CheckoutCommand),
    /// Check the credentials, or forget the stored tokens
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Read and verify webhook notifications saved to files
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Keep a database mirror (SQLite or PostgreSQL) of payments, orders, items and forms in step
    Sync(SyncArgs),
    /// Print a shell completion script (e.g. `helloasso completions bash > ~/.local/share/bash-completion/completions/helloasso`)
    Completions(CompletionsArgs),
    /// Print the manual page (roff; view it with `helloasso man | man -l -`), or
    /// one command's (`helloasso man payments refund`), or write them all (--dir)
    Man(ManArgs),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn debug_never_shows_secrets() {
        let refund = Cli::try_parse_from([
            "helloasso",
            "--client-secret",
            "s3cret-value",
            "payments",
            "refund",
            "12",
            "--mfa-code",
            "918273",
        ])
        .expect("parses");
        let verify = Cli::try_parse_from([
            "helloasso",
            "webhook",
            "verify",
            "body.json",
            "--signature",
            "00",
            "--key",
            "webhook-key-value",
        ])
        .expect("parses");
        let items = Cli::try_parse_from([
            "helloasso",
            "items",
            "list",
            "--search",
            "jeanne.martin@example.org",
        ])
        .expect("parses");
        let payer_searches = [
            [
                "helloasso",
                "payments",
                "list",
                "--search",
                "pierre.robin@example.org",
            ],
            [
                "helloasso",
                "payments",
                "search",
                "pierre.robin@example.org",
                "--asc",
            ],
            [
                "helloasso",
                "payments",
                "export",
                "--search",
                "pierre.robin@example.org",
            ],
        ]
        .map(|argv| format!("{:?}", Cli::try_parse_from(argv).expect("parses")));
        let text = format!(
            "{refund:?} {verify:?} {refund:#?} {items:?} {}",
            payer_searches.join(" ")
        );
        for secret in [
            "s3cret-value",
            "918273",
            "webhook-key-value",
            "jeanne.martin@example.org",
            "pierre.robin",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(
            text.contains("[redacted]") && text.contains("[REDACTED]"),
            "{text}"
        );
    }
}

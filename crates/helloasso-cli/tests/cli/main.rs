//! The `helloasso` binary run against helloasso-fake: output and exit codes.
//! One test binary with a module per command group (one link for all).

mod common;

mod as_it_is;
mod as_received;
mod auth;
mod bad_input;
mod checkout;
#[cfg(feature = "demo")]
mod demo;
mod exit_codes;
mod export_file;
mod form_state;
mod form_stats;
mod form_url;
mod golden;
mod hints;
mod hostile_text;
mod keyring;
mod listed_once;
mod listing_words;
mod man_pages;
mod manual;
mod members;
mod mfa_order;
mod orders;
mod organization;
mod out_format;
mod paris_time;
mod payments;
mod payouts;
mod period;
mod profiles;
mod proxy;
mod read_only;
mod receipts;
mod reconcile;
mod report;
mod resume;
mod secret_input;
mod spreadsheet;
mod summary;
mod sync;
mod truth;
mod tty;
mod webhook;
mod webhook_db;
mod webhook_tools;

//! The `helloasso` binary run against helloasso-fake: output and exit codes.
//! One test binary with a module per command group (one link for all).

mod common;

mod auth;
mod bad_input;
mod checkout;
#[cfg(feature = "demo")]
mod demo;
mod exit_codes;
mod export_file;
mod manual;
mod members;
mod membership;
mod orders;
mod paris_time;
mod payments;
mod payouts;
mod profiles;
mod report;
mod resume;
mod secret_input;
mod spreadsheet;
mod summary;
mod truth;
mod tty;
mod webhook;

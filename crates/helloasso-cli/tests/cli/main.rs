//! The `helloasso` binary run against helloasso-fake: output and exit codes.
//! One test binary with a module per command group (one link, not six).

mod common;

mod auth;
mod bad_input;
mod checkout;
#[cfg(feature = "demo")]
mod demo;
mod payments;
mod tty;
mod webhook;

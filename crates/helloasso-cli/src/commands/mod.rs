//! One module per subcommand group.

pub mod auth;
pub mod checkout;
pub mod payments;
pub mod webhook;

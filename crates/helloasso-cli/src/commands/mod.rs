//! One module per subcommand group.

pub mod auth;
pub mod checkout;
pub mod manual;
pub mod payments;
pub mod summary;
pub mod webhook;

//! One module per subcommand group.

pub mod auth;
pub mod checkout;
pub mod forms;
pub mod items;
pub mod manual;
pub mod members;
pub mod orders;
pub mod orders_summary;
pub mod org;
pub mod partner;
pub mod payments;
pub mod payouts;
pub mod reconcile;
pub mod report;
pub mod summary;
pub mod webhook;

//! One module per subcommand group.

pub mod auth;
pub mod auth_status;
pub mod checkout;
pub mod form_create;
pub mod form_state;
pub mod form_stats;
pub mod forms;
pub mod items;
pub mod manual;
pub mod members;
pub mod orders;
pub mod orders_summary;
pub mod org;
pub mod partner;
pub mod partner_check;
pub mod payments;
pub mod payouts;
pub mod receipts;
pub mod reconcile;
pub mod report;
pub mod summary;
pub mod sync;
pub mod webhook;
pub mod webhook_forward;
pub mod webhook_listen;

//! A mirror of HelloAsso organizations in your own database, kept in step
//! by incremental runs: payments, orders (with their items and custom-field
//! answers), forms and payouts, in SQLite (one file, the default) or
//! PostgreSQL (several processes may share the work).
//!
//! ```no_run
//! # async fn demo(client: helloasso_sdk::Client) -> Result<(), helloasso_sync::Error> {
//! use futures::TryStreamExt;
//!
//! let mirror = helloasso_sync::Mirror::open("helloasso.sqlite").await?;
//! // The first run walks everything; later runs read only what changed.
//! let mut changes = mirror.sync(&client).organization("my-association").changes();
//! while let Some(change) = changes.try_next().await? {
//!     println!("{} {} {:?}: {:?}", change.resource, change.id, change.kind, change.changed);
//! }
//! println!("{}", changes.report().expect("the run finished"));
//! # Ok(()) }
//! ```
//!
//! Tables, columns and the reasoning behind each request are in the
//! repository's `docs/mirror.md`.

#![warn(missing_docs)]

mod checkouts;
mod clock;
mod cursor;
mod db;
mod error;
mod feed;
mod fetch;
mod migrations;
mod mirror;
mod notifications;
mod pace;
mod report;
mod resource;
mod run;
mod same_document;
mod store;
mod stream;
mod tally;

pub use checkouts::{CheckoutState, TrackedCheckout};
pub use db::Backend;
pub use error::{Error, Result};
pub use feed::{Change, ChangeKind};
pub use mirror::{Mirror, Sync};
pub use notifications::MirrorNotificationStore;
pub use pace::DEFAULT_MAX_RATE;
pub use report::{Counts, Report};
pub use resource::Resource;
pub use stream::ChangeStream;

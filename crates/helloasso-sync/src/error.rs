//! The crate's one error type.
//!
//! Messages name what failed (the database, HelloAsso, a document) and never
//! carry a record's content: payers' data stays in the database.

/// What can go wrong while opening, reading or syncing a mirror.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database location is neither a file path nor a `postgres://` URL.
    #[error("invalid database location: {0}")]
    InvalidLocation(String),
    /// The database refused or failed a statement.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// HelloAsso's API failed (after the SDK's own retries).
    #[error("HelloAsso API: {0}")]
    Api(Box<helloasso_sdk::Error>),
    /// A document lacks what the mirror keys it by (its id, say).
    #[error("a {resource} document has no usable {field}")]
    Document {
        /// The resource (`payments`, `orders`, ...).
        resource: &'static str,
        /// The missing or malformed field.
        field: &'static str,
    },
    /// The run's task stopped without an outcome (a panic, or its runtime
    /// shut down).
    #[error("the sync run stopped before it finished")]
    Interrupted,
    /// A stored document is not valid JSON (the database was edited by hand?).
    #[error("a stored {0} document is not valid JSON")]
    StoredDocument(&'static str),
}

impl From<helloasso_sdk::Error> for Error {
    fn from(e: helloasso_sdk::Error) -> Self {
        Error::Api(Box::new(e))
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

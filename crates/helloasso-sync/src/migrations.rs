//! The schema's versioned migrations, one folder per database, embedded in
//! the binary at build time.
//!
//! `migrations/sqlite/NNNN_name.sql` and `migrations/postgres/NNNN_name.sql`
//! go in pairs with the same version number: a new table is one new file in
//! each folder (see `docs/mirror.md`).

use sqlx::migrate::Migrator;

use crate::db::Pool;
use crate::error::Result;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// Brings the schema up to date. Concurrent openers are safe: sqlx takes a
/// database lock on PostgreSQL; on SQLite, where it takes none, a first
/// open that loses the race tries again (`Mirror::open`).
pub(crate) async fn run(pool: &Pool) -> Result<()> {
    match pool {
        Pool::Sqlite(p) => SQLITE.run(p).await?,
        Pool::Pg(p) => POSTGRES.run(p).await?,
    }
    Ok(())
}

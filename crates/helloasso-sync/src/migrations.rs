//! The schema's versioned migrations, one folder per database, embedded in
//! the binary at build time.
//!
//! `migrations/sqlite/NNNN_name.sql` and `migrations/postgres/NNNN_name.sql`
//! go in pairs with the same version number: a new table is one new file in
//! each folder (see `docs/mirror.md`).

use std::time::Duration;

use sqlx::migrate::Migrator;

use crate::db::Pool;
use crate::error::Result;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// How many times a SQLite opener tries the migrations (see [`run`]).
const SQLITE_ATTEMPTS: u32 = 5;

/// Brings the schema up to date. Concurrent openers are safe: sqlx takes a
/// database lock on PostgreSQL. On SQLite it takes none, so two first
/// opens of one file (a sync and a listener started together) can both
/// apply a migration, and the loser's fails ("table already exists") and
/// rolls back. Once the winner committed there is nothing left to apply,
/// so the loser tries again, a bounded number of times.
pub(crate) async fn run(pool: &Pool) -> Result<()> {
    match pool {
        Pool::Sqlite(p) => {
            let mut attempt = 1;
            loop {
                match SQLITE.run(p).await {
                    Ok(()) => break,
                    Err(_) if attempt < SQLITE_ATTEMPTS => {
                        tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
                        attempt += 1;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Pool::Pg(p) => POSTGRES.run(p).await?,
    }
    Ok(())
}

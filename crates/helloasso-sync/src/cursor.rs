//! Where each organization's walk of each resource stands, and who walks it.
//!
//! The cursor row holds the continuation token of the last page stored (in
//! the same transaction as that page's records) and how many walks of the
//! resource completed. On PostgreSQL a walk holds a transaction-level
//! advisory lock keyed by the cursor row's id, so that two processes never
//! walk the same listing at once; the lock ends with its transaction, even
//! when the process is killed.

use sqlx::{Postgres, Transaction};

use crate::clock::now_text;
use crate::db::{Conn, Pool, exec, fetch_optional};
use crate::error::Result;
use crate::resource::Resource;

/// The first key of the mirror's advisory locks ("HA").
const LOCK_SPACE: i32 = 0x4841;

/// A cursor row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub id: i64,
    pub token: Option<String>,
    pub completed_walks: i64,
}

/// The cursor of `(org, resource)`, created empty when missing.
pub(crate) async fn load(mut conn: Conn<'_>, org: &str, resource: Resource) -> Result<Cursor> {
    exec!(
        conn.reborrow(),
        "INSERT INTO sync_cursors (organization_slug, resource) VALUES ($1, $2) \
         ON CONFLICT (organization_slug, resource) DO NOTHING",
        org,
        resource.as_str(),
    )?;
    let row: Option<(i64, Option<String>, i64)> = fetch_optional!(
        conn,
        (i64, Option<String>, i64),
        "SELECT id, continuation_token, completed_walks FROM sync_cursors \
         WHERE organization_slug = $1 AND resource = $2",
        org,
        resource.as_str(),
    )?;
    let (id, token, completed_walks) = row.unwrap_or((0, None, 0));
    Ok(Cursor {
        id,
        token,
        completed_walks,
    })
}

/// Moves the cursor past a stored page (inside that page's transaction).
pub(crate) async fn advance(conn: Conn<'_>, id: i64, token: Option<&str>) -> Result<()> {
    exec!(
        conn,
        "UPDATE sync_cursors SET continuation_token = $2, updated_at = $3::timestamptz WHERE id = $1",
        id,
        token,
        now_text(),
    )?;
    Ok(())
}

/// Records a completed walk; `restart` clears the token so the next walk
/// starts from the beginning (forms are read whole each time).
pub(crate) async fn complete(conn: Conn<'_>, id: i64, restart: bool) -> Result<()> {
    let sql = if restart {
        "UPDATE sync_cursors SET completed_walks = completed_walks + 1, continuation_token = NULL, \
         updated_at = $2::timestamptz WHERE id = $1"
    } else {
        "UPDATE sync_cursors SET completed_walks = completed_walks + 1, \
         updated_at = $2::timestamptz WHERE id = $1"
    };
    exec!(conn, sql, id, now_text())?;
    Ok(())
}

/// The right to walk one listing, held until dropped.
pub(crate) enum WalkLock {
    /// SQLite: one process at a time (the file is the lock).
    Local,
    /// PostgreSQL: an advisory lock inside this open transaction.
    Pg(#[allow(dead_code)] Transaction<'static, Postgres>),
}

/// Takes the walk of the cursor `id`, or `None` when another process has it.
pub(crate) async fn try_lock(pool: &Pool, id: i64) -> Result<Option<WalkLock>> {
    match pool {
        Pool::Sqlite(_) => Ok(Some(WalkLock::Local)),
        Pool::Pg(p) => {
            let mut tx = p.begin().await?;
            let key = i32::try_from(id).unwrap_or(i32::MAX);
            let (got,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_xact_lock($1, $2)")
                .bind(LOCK_SPACE)
                .bind(key)
                .fetch_one(&mut *tx)
                .await?;
            Ok(got.then_some(WalkLock::Pg(tx)))
        }
    }
}

//! Connecting to SQLite or PostgreSQL, and running one SQL text on either.
//!
//! Statements are written once, in PostgreSQL's spelling (`$1` parameters,
//! `::jsonb` and `::timestamptz` casts on bound text); [`sqlite_sql`] drops
//! the casts for SQLite, which reads `$1` as the first parameter too.

use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::error::{Error, Result};

/// Which database a mirror lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// One SQLite file: the embedded default, one sync process at a time.
    Sqlite,
    /// A PostgreSQL database: several sync processes may share it.
    Postgres,
}

/// A pool of connections to the mirror's database.
#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// A transaction on either database.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Pg(Transaction<'static, Postgres>),
}

/// A borrowed connection on either database.
pub(crate) enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Pg(&'a mut PgConnection),
}

/// A connection taken from the pool.
pub(crate) enum Pooled {
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
    Pg(sqlx::pool::PoolConnection<Postgres>),
}

impl Pooled {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Pooled::Sqlite(c) => Conn::Sqlite(&mut *c),
            Pooled::Pg(c) => Conn::Pg(&mut *c),
        }
    }
}

impl Conn<'_> {
    /// The same connection, borrowed again for one more statement.
    pub(crate) fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Conn::Sqlite(c) => Conn::Sqlite(c),
            Conn::Pg(c) => Conn::Pg(c),
        }
    }
}

/// A value bound to a statement built at run time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Text(Option<String>),
    Int(Option<i64>),
}

/// Runs a statement with values bound in order; the rows affected.
pub(crate) async fn exec_vals(conn: Conn<'_>, sql: &str, vals: Vec<Val>) -> Result<u64> {
    Ok(match conn {
        Conn::Sqlite(c) => {
            let sql = sqlite_sql(sql);
            let mut q = sqlx::query(&sql);
            for v in vals {
                q = match v {
                    Val::Text(t) => q.bind(t),
                    Val::Int(i) => q.bind(i),
                };
            }
            q.execute(&mut *c).await?.rows_affected()
        }
        Conn::Pg(c) => {
            let mut q = sqlx::query(sql);
            for v in vals {
                q = match v {
                    Val::Text(t) => q.bind(t),
                    Val::Int(i) => q.bind(i),
                };
            }
            q.execute(&mut *c).await?.rows_affected()
        }
    })
}

/// Runs a query with values bound in order; each row's first `columns`
/// columns as text (a NULL as `None`).
pub(crate) async fn fetch_texts(
    conn: Conn<'_>,
    sql: &str,
    vals: Vec<Val>,
    columns: usize,
) -> Result<Vec<Vec<Option<String>>>> {
    use sqlx::Row as _;
    macro_rules! run {
        ($c:expr, $sql:expr) => {{
            let mut q = sqlx::query($sql);
            for v in vals {
                q = match v {
                    Val::Text(t) => q.bind(t),
                    Val::Int(i) => q.bind(i),
                };
            }
            let rows = q.fetch_all(&mut *$c).await?;
            rows.iter()
                .map(|r| {
                    (0..columns)
                        .map(|i| r.try_get::<Option<String>, _>(i))
                        .collect::<std::result::Result<Vec<_>, _>>()
                })
                .collect::<std::result::Result<Vec<_>, _>>()?
        }};
    }
    Ok(match conn {
        Conn::Sqlite(c) => {
            let sql = sqlite_sql(sql);
            run!(c, &sql)
        }
        Conn::Pg(c) => run!(c, sql),
    })
}

/// `$from, $from+1, …`: `count` placeholders.
pub(crate) fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, $2), ($3, $4)`: `rows` tuples of `width` placeholders, the ones
/// at `casts` positions followed by their PostgreSQL cast.
pub(crate) fn tuples(rows: usize, width: usize, casts: &[(usize, &str)]) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (0..width)
                .map(|c| {
                    let cast = casts.iter().find(|(at, _)| *at == c).map_or("", |x| x.1);
                    format!("${}{cast}", r * width + c + 1)
                })
                .collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Tx {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(&mut *t),
            Tx::Pg(t) => Conn::Pg(&mut *t),
        }
    }

    pub(crate) async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
        }
        Ok(())
    }
}

impl Pool {
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Pg(_) => Backend::Postgres,
        }
    }

    pub(crate) async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            // IMMEDIATE takes the write lock at once: a transaction that
            // reads a document and then writes it cannot find, at its
            // write, that another process (a listener, a sync) wrote since.
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Pg(p) => Tx::Pg(p.begin().await?),
        })
    }

    pub(crate) async fn acquire(&self) -> Result<Pooled> {
        Ok(match self {
            Pool::Sqlite(p) => Pooled::Sqlite(p.acquire().await?),
            Pool::Pg(p) => Pooled::Pg(p.acquire().await?),
        })
    }

    pub(crate) async fn close(&self) {
        match self {
            Pool::Sqlite(p) => p.close().await,
            Pool::Pg(p) => p.close().await,
        }
    }
}

/// The statement as SQLite takes it: PostgreSQL's casts of bound text removed.
pub(crate) fn sqlite_sql(sql: &str) -> Cow<'_, str> {
    if sql.contains("::") {
        Cow::Owned(sql.replace("::timestamptz", "").replace("::jsonb", ""))
    } else {
        Cow::Borrowed(sql)
    }
}

/// Runs a statement on a [`Conn`]; evaluates to the rows affected.
macro_rules! exec {
    ($conn:expr, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let sql: &str = $sql;
        match $conn {
            $crate::db::Conn::Sqlite(c) => sqlx::query(&$crate::db::sqlite_sql(sql))
                $(.bind($arg))*
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()),
            $crate::db::Conn::Pg(c) => sqlx::query(sql)
                $(.bind($arg))*
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()),
        }
    }};
}

/// Fetches at most one row as the tuple type `$t` from a [`Conn`].
macro_rules! fetch_optional {
    ($conn:expr, $t:ty, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let sql: &str = $sql;
        match $conn {
            $crate::db::Conn::Sqlite(c) => sqlx::query_as::<_, $t>(&$crate::db::sqlite_sql(sql))
                $(.bind($arg))*
                .fetch_optional(&mut *c)
                .await,
            $crate::db::Conn::Pg(c) => sqlx::query_as::<_, $t>(sql)
                $(.bind($arg))*
                .fetch_optional(&mut *c)
                .await,
        }
    }};
}

/// Fetches every row as the tuple type `$t` from a [`Conn`].
macro_rules! fetch_all {
    ($conn:expr, $t:ty, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let sql: &str = $sql;
        match $conn {
            $crate::db::Conn::Sqlite(c) => sqlx::query_as::<_, $t>(&$crate::db::sqlite_sql(sql))
                $(.bind($arg))*
                .fetch_all(&mut *c)
                .await,
            $crate::db::Conn::Pg(c) => sqlx::query_as::<_, $t>(sql)
                $(.bind($arg))*
                .fetch_all(&mut *c)
                .await,
        }
    }};
}

pub(crate) use {exec, fetch_all, fetch_optional};

/// Whether `location` names a PostgreSQL database rather than a file.
pub(crate) fn is_postgres(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// Opens a pool: a `postgres://` URL, or a SQLite file path (created when
/// missing; an optional `sqlite://` prefix is accepted).
pub(crate) async fn connect(location: &str) -> Result<Pool> {
    if location.trim().is_empty() {
        return Err(Error::InvalidLocation("empty".to_owned()));
    }
    if is_postgres(location) {
        // The URL may hold a password: the error names the kind of
        // problem, never the URL.
        let options = PgConnectOptions::from_str(location)
            .map_err(|_| Error::InvalidLocation("malformed PostgreSQL URL".to_owned()))?;
        let pool = PgPoolOptions::new()
            .max_connections(12)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options)
            .await?;
        return Ok(Pool::Pg(pool));
    }
    let path = location
        .strip_prefix("sqlite://")
        .or_else(|| location.strip_prefix("sqlite:"))
        .unwrap_or(location);
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // In WAL mode NORMAL waits for the disk at checkpoints, not at each
        // commit: a killed process keeps every committed page, and a power
        // cut can only drop the last commits, each with its own cursor, so
        // the next run asks for those pages again.
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(60))
        .foreign_keys(true);
    // One connection: SQLite has one writer at a time anyway, and a single
    // connection never meets its own lock.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(600))
        .connect_with(options)
        .await?;
    Ok(Pool::Sqlite(pool))
}

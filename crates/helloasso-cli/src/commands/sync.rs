//! `helloasso sync`: keeps a database mirror of organizations in step with
//! HelloAsso (the helloasso-sync crate), and optionally prints each new or
//! changed record as a JSON line, so that a bridge to a CRM is a pipe.

use std::fmt;
use std::io::Write;
use std::path::PathBuf;

use futures::TryStreamExt;
use helloasso_sync::Mirror;

use crate::config::{self, Context};
use crate::exit::{CliError, CliResult, Kind};

/// Flags of `helloasso sync`.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// The mirror: a SQLite file (created when missing) or a postgres:// URL
    /// [default: helloasso/mirror.sqlite in the user's data folder]
    #[arg(
        long,
        env = "HELLOASSO_DB",
        value_name = "PATH|URL",
        hide_env_values = true
    )]
    pub db: Option<DbLocation>,

    /// Also sync every organization the partner serves (partner credentials)
    #[arg(long)]
    pub all_organizations: bool,

    /// Print each new or changed record on standard output as it is stored
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub emit: Option<Emit>,

    /// Most requests per second sent to HelloAsso (0: no limit); HelloAsso
    /// publishes no limit, see docs/mirror.md
    #[arg(long, value_name = "PER_SECOND", default_value_t = helloasso_sync::DEFAULT_MAX_RATE, value_parser = parse_rate)]
    pub max_rate: f64,

    /// Items per page asked of HelloAsso
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub page_size: u32,
}

/// How `--emit` prints changes.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Emit {
    /// One JSON object per line: seq, organization, resource, id, kind,
    /// changed (JSON pointers) and record (HelloAsso's document)
    Jsonl,
}

/// A database location; `Debug` hides a URL's password.
#[derive(Clone)]
pub struct DbLocation(String);

impl DbLocation {
    /// Opens the mirror there (created when missing).
    pub async fn open(&self) -> CliResult<Mirror> {
        Mirror::open(&self.0).await.map_err(sync_error)
    }
}

impl std::str::FromStr for DbLocation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err("an empty database location".into());
        }
        Ok(DbLocation(s.to_owned()))
    }
}

impl DbLocation {
    /// The path or URL as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DbLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.split_once("://") {
            Some((scheme, rest)) => {
                let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
                write!(f, "{scheme}://<credentials hidden>@{host}")
            }
            None => write!(f, "{:?}", self.0),
        }
    }
}

/// Runs one sync; the report goes to stderr.
pub async fn run(ctx: &Context, args: SyncArgs) -> CliResult {
    let org = ctx.organization_opt().map(str::to_owned);
    if org.is_none() && !args.all_organizations {
        return Err(CliError::usage(
            "sync needs --org SLUG (or HELLOASSO_ORGANIZATION), or --all-organizations",
        ));
    }
    let location = match args.db {
        Some(db) => db.0,
        None => default_location()?,
    };
    let mirror = Mirror::open(&location).await.map_err(sync_error)?;
    let mut sync = mirror
        .sync(&ctx.client)
        .page_size(args.page_size)
        .max_rate(args.max_rate)
        .all_organizations(args.all_organizations);
    if let Some(org) = org {
        sync = sync.organization(org);
    }
    let report = match args.emit {
        None => sync.run().await.map_err(sync_error)?,
        Some(Emit::Jsonl) => {
            let mut changes = sync.changes();
            let stdout = std::io::stdout();
            while let Some(change) = changes.try_next().await.map_err(sync_error)? {
                let mut line = serde_json::to_vec(&change)
                    .map_err(|e| CliError::other(format!("cannot encode a change: {e}")))?;
                line.push(b'\n');
                let mut out = stdout.lock();
                out.write_all(&line)
                    .and_then(|()| out.flush())
                    .map_err(|e| match e.kind() {
                        std::io::ErrorKind::BrokenPipe => CliError::broken_pipe(),
                        _ => CliError::other(format!("cannot write to standard output: {e}")),
                    })?;
            }
            changes
                .report()
                .cloned()
                .ok_or_else(|| CliError::other("the sync ended without a report"))?
        }
    };
    mirror.close().await;
    eprintln!("{report}");
    Ok(())
}

/// A rate: a finite number of requests per second, 0 or more.
fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if r.is_finite() && r >= 0.0 => Ok(r),
        _ => Err(format!(
            "`{s}` is not a rate: a number of requests per second, 0 for no limit"
        )),
    }
}

/// `helloasso/mirror.sqlite` in the user's data folder, created owner-only.
pub(crate) fn default_location() -> CliResult<String> {
    let dir = data_dir()
        .ok_or_else(|| CliError::usage("no data folder (HOME is unset): pass --db PATH"))?
        .join("helloasso");
    config::owner_only_dir(&dir)?;
    let path = dir.join("mirror.sqlite");
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| CliError::usage("the data folder's path is not UTF-8: pass --db PATH"))
}

/// The user's data folder, by platform convention.
fn data_dir() -> Option<PathBuf> {
    let from_env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        return from_env("LOCALAPPDATA");
    }
    from_env("XDG_DATA_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| from_env("HOME").map(|home| home.join(".local/share")))
}

/// A mirror's failure as one line.
pub fn sync_error(e: helloasso_sync::Error) -> CliError {
    match e {
        helloasso_sync::Error::Api(api) => CliError::from(*api),
        helloasso_sync::Error::InvalidLocation(what) => CliError::usage(format!(
            "invalid --db: {what} (a file path or a postgres:// URL)"
        )),
        other => CliError::new(Kind::Other, format!("mirror: {other}")),
    }
}

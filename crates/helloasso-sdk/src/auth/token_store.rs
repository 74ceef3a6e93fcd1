//! Where token pairs live between runs: memory by default, or a file.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::token::{Token, TokenKey};
use crate::error::{Error, Result};

/// Persists token pairs, keyed by [`TokenKey`].
///
/// The client loads a pair the first time it needs one and saves every pair
/// it obtains. Saving matters: HelloAsso rotates the refresh token on every
/// refresh, so a process that restarts with a stale refresh token is refused
/// (the client then falls back to its client credentials, which a partner's
/// per-organization token cannot do).
///
/// Implement it to keep tokens in a database; methods return boxed futures so
/// that the trait stays object-safe (`Arc<dyn TokenStore>`).
///
/// What an implementation must guarantee, since a partner's refresh tokens
/// rotate and a lost one means asking the organization to authorize again:
/// - `save` returns only once the pair is durably stored (a crash after it
///   returns must not bring back the previous pair);
/// - `save` and `remove` of one key are atomic with respect to each other and
///   to other keys: two writers at once (two tasks, two processes, two store
///   values on one backend) never lose each other's write, so a
///   read-modify-write of a shared document needs a lock around it;
/// - `load` sees the last completed `save`, never half of one;
/// - a future dropped half-way (its caller cancelled) leaves either the old
///   or the new pair, and holds no lock once dropped.
///
/// Within one client, one refresh per key runs at a time. Several processes
/// sharing a store each refresh on their own: give each organization's token
/// to one process, or a process may refresh with a refresh token another one
/// already rotated, and be refused.
///
/// ```
/// use futures::future::BoxFuture;
/// use helloasso_sdk::{Error, Token, TokenKey, TokenStore};
///
/// #[derive(Debug)]
/// struct Nowhere;
///
/// impl TokenStore for Nowhere {
///     fn load<'a>(&'a self, _key: &'a TokenKey) -> BoxFuture<'a, Result<Option<Token>, Error>> {
///         Box::pin(async { Ok(None) })
///     }
///     fn save<'a>(&'a self, _key: &'a TokenKey, _token: &'a Token) -> BoxFuture<'a, Result<(), Error>> {
///         Box::pin(async { Ok(()) })
///     }
///     fn remove<'a>(&'a self, _key: &'a TokenKey) -> BoxFuture<'a, Result<(), Error>> {
///         Box::pin(async { Ok(()) })
///     }
/// }
/// ```
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The pair saved under `key`, if any.
    fn load<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Result<Option<Token>>>;
    /// Saves `token` under `key`, replacing what was there.
    fn save<'a>(&'a self, key: &'a TokenKey, token: &'a Token) -> BoxFuture<'a, Result<()>>;
    /// Forgets `key` (after a disconnect).
    fn remove<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Result<()>>;
}

/// Keeps tokens in memory for the life of the process (the default).
#[derive(Default)]
pub struct MemoryTokenStore {
    tokens: Mutex<HashMap<TokenKey, Token>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<R>(&self, f: impl FnOnce(&mut HashMap<TokenKey, Token>) -> R) -> R {
        // A panic elsewhere cannot leave a map of tokens half-updated.
        let mut guard = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

impl fmt::Debug for MemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<String> = self.with(|m| m.keys().map(ToString::to_string).collect());
        f.debug_struct("MemoryTokenStore")
            .field("keys", &keys)
            .finish()
    }
}

impl TokenStore for MemoryTokenStore {
    fn load<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Result<Option<Token>>> {
        let token = self.with(|m| m.get(key).cloned());
        Box::pin(std::future::ready(Ok(token)))
    }

    fn save<'a>(&'a self, key: &'a TokenKey, token: &'a Token) -> BoxFuture<'a, Result<()>> {
        self.with(|m| m.insert(key.clone(), token.clone()));
        Box::pin(async { Ok(()) })
    }

    fn remove<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Result<()>> {
        self.with(|m| m.remove(key));
        Box::pin(async { Ok(()) })
    }
}

/// Keeps tokens in one JSON file readable by its owner only (mode 0600 on
/// Unix), rewritten atomically (a temporary file in the same directory, then
/// a rename) so that a crash never leaves half a file and a reader never sees
/// one.
///
/// Every change is a read-modify-write under an exclusive OS file lock
/// (`flock` on Unix, `LockFileEx` on Windows) on a lock file beside it
/// (`.NAME.lock`, created once and kept), so that stores in several
/// processes, or several stores on one path, never lose each other's
/// writes. The lock is taken and released on a blocking thread, within one
/// call: a caller that gives up never leaves it held.
///
/// ```no_run
/// # async fn demo() -> Result<(), helloasso_sdk::Error> {
/// use helloasso_sdk::{Client, FileTokenStore};
///
/// let client = Client::builder()
///     .credentials("my-client-id", "my-client-secret")
///     .token_store(FileTokenStore::new("/var/lib/myapp/helloasso-tokens.json"))
///     .build()?;
/// # Ok(()) }
/// ```
pub struct FileTokenStore {
    path: PathBuf,
}

impl FileTokenStore {
    /// A store backed by `path` (created on the first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn update(&self, change: impl FnOnce(&mut TokenFile) + Send + 'static) -> Result<()> {
        let path = self.path.clone();
        // Lock, read, write and unlock all happen in the blocking task: if
        // the caller is cancelled, the task still finishes and unlocks.
        blocking(move || {
            // A symbolic link names its target's lock, and the rename below
            // replaces the target, never the link.
            let path = resolve_links(&path)?;
            let _lock = lock_exclusive(&path)?;
            let mut file = read_file(&path)?;
            change(&mut file);
            write_file_atomically(&path, &file)
        })
        .await
    }
}

/// How many links [`resolve_links`] follows before giving up (the
/// kernel's own limit on Linux).
const MAX_LINKS: usize = 40;

/// The file `path` stands for once symbolic links are followed, even to a
/// target that does not exist yet: every name of one token file shares its
/// lock and its content.
fn resolve_links(path: &Path) -> Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&path).map_err(|e| {
                    Error::token_store(format!("cannot read the link {}", path.display()), e)
                })?;
                path = match path.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(Error::token_store(
        format!("{} is a chain of too many links", path.display()),
        std::io::Error::other("too many levels of symbolic links"),
    ))
}

/// Holds the exclusive lock of the token file at `path` until dropped
/// (closing the file releases it).
fn lock_exclusive(path: &Path) -> Result<std::fs::File> {
    use fs4::fs_std::FileExt;

    let lock_path = lock_path(path)?;
    let file = open_lock_file(&lock_path).map_err(|e| {
        if is_link_refused(&e) {
            Error::token_store(
                format!(
                    "{} is a symbolic link: the lock file is never opened through one (delete it)",
                    lock_path.display()
                ),
                e,
            )
        } else {
            Error::token_store(format!("cannot open {}", lock_path.display()), e)
        }
    })?;
    file.lock_exclusive()
        .map_err(|e| Error::token_store(format!("cannot lock {}", lock_path.display()), e))?;
    Ok(file)
}

/// The lock file of the token file at `path`: beside it, in its directory
/// resolved to a canonical path, so that every spelling of one token file
/// (relative, through a symbolic link) locks the same file.
fn lock_path(path: &Path) -> Result<PathBuf> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = dir
        .canonicalize()
        .map_err(|e| Error::token_store(format!("cannot find the folder {}", dir.display()), e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tokens".to_owned());
    Ok(dir.join(format!(".{name}.lock")))
}

/// Opens (or creates) the lock file, never through a symbolic link: a link
/// planted there would have the store create or open a file of the
/// link's choosing.
fn open_lock_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    owner_only(&mut options).open(path)
}

/// Whether opening failed because the path is a symbolic link (O_NOFOLLOW).
fn is_link_refused(err: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        err.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = err;
        false
    }
}

impl fmt::Debug for FileTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileTokenStore")
            .field("path", &self.path)
            .finish()
    }
}

impl FileTokenStore {
    /// The pair saved under `key`, read off the blocking pool.
    async fn read(&self, key: String) -> Result<Option<Token>> {
        let path = self.path.clone();
        let file = blocking(move || read_file(&path)).await?;
        Ok(file.tokens.get(&key).map(StoredToken::to_token))
    }
}

impl TokenStore for FileTokenStore {
    fn load<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Result<Option<Token>>> {
        Box::pin(self.read(key.to_string()))
    }

    fn save<'a>(&'a self, key: &'a TokenKey, token: &'a Token) -> BoxFuture<'a, Result<()>> {
        let key = key.to_string();
        let stored = StoredToken::from_token(token);
        Box::pin(self.update(move |file| {
            file.tokens.insert(key, stored);
        }))
    }

    fn remove<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Result<()>> {
        let key = key.to_string();
        Box::pin(self.update(move |file| {
            file.tokens.remove(&key);
        }))
    }
}

/// The file's format. Versioned so that a later layout can still read it.
#[derive(Serialize, Deserialize)]
struct TokenFile {
    version: u32,
    /// By [`TokenKey`]'s `Display` form.
    tokens: BTreeMap<String, StoredToken>,
}

impl Default for TokenFile {
    fn default() -> Self {
        Self {
            version: 1,
            tokens: BTreeMap::new(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct StoredToken {
    access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    expires_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    organization_slug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    credentials_fingerprint: Option<String>,
}

impl StoredToken {
    fn from_token(token: &Token) -> Self {
        Self {
            access_token: token.access_token().expose_secret().to_owned(),
            refresh_token: token.refresh_token().map(|t| t.expose_secret().to_owned()),
            expires_at: token.expires_at(),
            organization_slug: token.organization_slug().map(str::to_owned),
            credentials_fingerprint: token.credentials_fingerprint().map(str::to_owned),
        }
    }

    fn to_token(&self) -> Token {
        let token = Token::new(
            SecretString::from(self.access_token.clone()),
            self.refresh_token.clone().map(SecretString::from),
            self.expires_at,
        );
        let token = match &self.organization_slug {
            Some(slug) => token.with_organization_slug(slug),
            None => token,
        };
        match &self.credentials_fingerprint {
            Some(fingerprint) => token.with_credentials_fingerprint(fingerprint),
            None => token,
        }
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::token_store("the token file task failed", e))?
}

fn read_file(path: &Path) -> Result<TokenFile> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(TokenFile::default()),
        Err(e) => {
            return Err(Error::token_store(
                format!("cannot read {}", path.display()),
                e,
            ));
        }
    };
    // serde_json's message carries a line and column, never the content.
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::token_store(
            format!(
                "{} is not a helloasso-sdk token file; delete it to start over",
                path.display()
            ),
            e,
        )
    })
}

fn write_file_atomically(path: &Path, file: &TokenFile) -> Result<()> {
    let json = serde_json::to_vec_pretty(file)
        .map_err(|e| Error::token_store("cannot serialize tokens", e))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tokens".to_owned());
    // Same directory, so that the rename stays on one file system and is atomic.
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        rand::random::<u32>()
    ));
    let io_error = |what: &str, e: std::io::Error| {
        Error::token_store(format!("cannot {what} {}", tmp.display()), e)
    };
    let result = (|| {
        let mut out = open_owner_only(&tmp).map_err(|e| io_error("create", e))?;
        out.write_all(&json).map_err(|e| io_error("write", e))?;
        out.sync_all().map_err(|e| io_error("sync", e))?;
        std::fs::rename(&tmp, path)
            .map_err(|e| Error::token_store(format!("cannot replace {}", path.display()), e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn open_owner_only(path: &Path) -> std::io::Result<std::fs::File> {
    // Created 0600 from the start: there is no window where others can read it.
    owner_only(std::fs::OpenOptions::new().write(true).create_new(true)).open(path)
}

/// `options` creating files readable and writable by their owner only, where
/// the platform has permission modes.
fn owner_only(options: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn token(access: &str, refresh: &str) -> Token {
        Token::new(
            access.into(),
            Some(refresh.into()),
            "2030-01-01T00:00:00Z".parse().unwrap(),
        )
    }

    #[tokio::test]
    async fn memory_store_is_keyed_by_organization() {
        let store = MemoryTokenStore::new();
        let own = TokenKey::own("id");
        let org = TokenKey::organization("id", "asso-a");
        store.save(&own, &token("a1", "r1")).await.unwrap();
        store.save(&org, &token("a2", "r2")).await.unwrap();
        assert_eq!(store.load(&own).await.unwrap(), Some(token("a1", "r1")));
        assert_eq!(store.load(&org).await.unwrap(), Some(token("a2", "r2")));
        store.remove(&org).await.unwrap();
        assert_eq!(store.load(&org).await.unwrap(), None);
        assert!(!format!("{store:?}").contains("a1"));
    }

    #[tokio::test]
    async fn file_store_round_trips_and_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        let store = FileTokenStore::new(&path);
        let own = TokenKey::own("id");
        let org = TokenKey::organization("id", "asso-b");
        assert_eq!(store.load(&own).await.unwrap(), None);

        store.save(&own, &token("a1", "r1")).await.unwrap();
        let org_token = token("a2", "r2").with_organization_slug("asso-b");
        store.save(&org, &org_token).await.unwrap();
        store.save(&own, &token("a3", "r3")).await.unwrap();

        // A second store on the same file sees what the first wrote.
        let reopened = FileTokenStore::new(&path);
        assert_eq!(reopened.load(&own).await.unwrap(), Some(token("a3", "r3")));
        assert_eq!(reopened.load(&org).await.unwrap(), Some(org_token));

        reopened.remove(&own).await.unwrap();
        assert_eq!(store.load(&own).await.unwrap(), None);

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary file is left behind; the lock file stays, owner-only.
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(
            names,
            vec![
                std::ffi::OsString::from(".tokens.json.lock"),
                std::ffi::OsString::from("tokens.json")
            ]
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let lock = dir.path().join(".tokens.json.lock");
            let mode = std::fs::metadata(lock).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[tokio::test]
    async fn file_store_survives_concurrent_saves() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(FileTokenStore::new(dir.path().join("t.json")));
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let key = TokenKey::organization("id", format!("asso-{i}"));
                    store.save(&key, &token("a", "r")).await.unwrap();
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        for i in 0..20 {
            let key = TokenKey::organization("id", format!("asso-{i}"));
            assert!(store.load(&key).await.unwrap().is_some(), "lost asso-{i}");
        }
    }

    /// Many stores on one file, as many processes would be: each has its
    /// own handle, so only the OS lock keeps their read-modify-writes apart.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn separate_stores_on_one_path_lose_no_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared.json");
        // Half of the stores reach the file through a symbolic link, which
        // the OS does not resolve for us: the link must share the target's
        // lock, and a save must not replace the link by a file of its own.
        #[cfg(unix)]
        let link = {
            let link = dir.path().join("link.json");
            std::os::unix::fs::symlink("shared.json", &link).unwrap();
            link
        };
        #[cfg(not(unix))]
        let link = path.clone();
        let tasks: Vec<_> = (0..40)
            .map(|i| {
                let path = if i % 2 == 0 {
                    path.clone()
                } else {
                    link.clone()
                };
                tokio::spawn(async move {
                    let store = FileTokenStore::new(path);
                    let key = TokenKey::organization("id", format!("asso-{i}"));
                    store.save(&key, &token("a", "r")).await.unwrap();
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let store = FileTokenStore::new(&path);
        let mut lost = Vec::new();
        for i in 0..40 {
            let key = TokenKey::organization("id", format!("asso-{i}"));
            if store.load(&key).await.unwrap().is_none() {
                lost.push(i);
            }
        }
        assert!(lost.is_empty(), "lost the writes of {lost:?}");
        #[cfg(unix)]
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "the link was replaced by a file"
        );
        let mut locks: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".lock"))
            .collect();
        locks.sort();
        assert_eq!(locks, [".shared.json.lock"], "one lock for one file");
    }

    /// A link to a token file not yet written: the first save creates the
    /// target, and the link keeps pointing at it.
    #[cfg(unix)]
    #[tokio::test]
    async fn a_link_to_a_file_not_yet_written_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("target.json", &link).unwrap();
        let store = FileTokenStore::new(&link);
        let key = TokenKey::own("id");
        store.save(&key, &token("a", "r")).await.unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let target = FileTokenStore::new(dir.path().join("target.json"));
        assert_eq!(target.load(&key).await.unwrap(), Some(token("a", "r")));
    }

    #[tokio::test]
    async fn corrupt_file_is_a_token_store_error_without_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        std::fs::write(&path, b"{\"tokens\": SECRET-GARBAGE").unwrap();
        let err = FileTokenStore::new(&path)
            .load(&TokenKey::own("id"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::TokenStore { .. }), "{err:?}");
        assert!(!format!("{err} {err:?}").contains("SECRET"));
    }
}

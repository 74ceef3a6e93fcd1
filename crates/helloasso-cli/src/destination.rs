//! Where `payments export --out` writes, decided before anything is
//! downloaded.
//!
//! A regular file is written into an exclusive, owner-only temporary file
//! beside it, then moved into place: a failed or interrupted export leaves
//! neither a truncated file nor a stray temporary one. Devices and pipes
//! (`/dev/stdout`, a FIFO) are written through as a stream and never
//! replaced; a directory, a block device or a dangling link is refused, and
//! an existing file is only replaced with `--force`.

use std::fs::{FileType, Metadata};
use std::io;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::exit::{CliError, CliResult, Kind};

/// What `--out` names, once looked at.
#[derive(Debug)]
pub enum Destination {
    /// `-`: standard output.
    Stdout,
    /// A character device or a pipe, opened for writing as it is.
    Stream(PathBuf),
    /// A regular file to create, or to replace (`--force`). `target` is the
    /// file itself: a symbolic link is resolved so that the link survives.
    File { target: PathBuf, replace: bool },
}

impl Destination {
    /// Looks at `out` without changing anything.
    pub fn resolve(out: &Path, force: bool) -> CliResult<Self> {
        if out.as_os_str() == "-" {
            return Ok(Self::Stdout);
        }
        let shown = out.display();
        let link = match std::fs::symlink_metadata(out) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Self::File {
                    target: out.to_owned(),
                    replace: false,
                });
            }
            Err(e) => return Err(CliError::other(format!("cannot look at {shown}: {e}"))),
        };
        let (meta, linked): (Metadata, bool) = if link.file_type().is_symlink() {
            let meta = std::fs::metadata(out).map_err(|e| {
                CliError::usage(format!(
                    "--out {shown} is a symbolic link whose target cannot be used ({e}); name the file itself"
                ))
            })?;
            (meta, true)
        } else {
            (link, false)
        };
        let kind = meta.file_type();
        // A stream is opened as named: /dev/stdout links to a pipe or a
        // terminal that has no path to resolve.
        if is_stream(kind) {
            return Ok(Self::Stream(out.to_owned()));
        }
        let target = if linked {
            std::fs::canonicalize(out)
                .map_err(|e| CliError::other(format!("cannot resolve {shown}: {e}")))?
        } else {
            out.to_owned()
        };
        if kind.is_dir() {
            return Err(CliError::usage(format!(
                "--out {shown} is a directory: name a file inside it"
            )));
        }
        if kind.is_file() {
            if !force {
                return Err(CliError::usage(format!(
                    "--out {shown} already exists: pass --force to replace it"
                )));
            }
            return Ok(Self::File {
                target,
                replace: true,
            });
        }
        Err(CliError::usage(format!(
            "--out {shown} is neither a file, a character device nor a pipe: refusing to write to it"
        )))
    }
}

#[cfg(unix)]
fn is_stream(kind: FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_char_device() || kind.is_fifo()
}

#[cfg(not(unix))]
fn is_stream(_kind: FileType) -> bool {
    false
}

/// Resolves at the next Ctrl-C, which from now on no longer ends the
/// process at once: the caller cleans up and exits 130.
pub fn on_interrupt() -> CliResult<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())
            .map_err(|e| CliError::other(format!("cannot watch for Ctrl-C: {e}")))?;
        Ok(async move {
            interrupt.recv().await;
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// Runs `work`, which writes `out` through a temporary file from
/// [`temporary_beside`]. At Ctrl-C, `work` is dropped with the temporary
/// file it holds, which deletes it, and the command ends with exit 130:
/// no half-written file of payers' data stays behind. Without a file
/// (`None`, `-`), Ctrl-C keeps its usual effect.
pub async fn unless_interrupted<T>(
    out: Option<&Path>,
    work: impl Future<Output = CliResult<T>>,
) -> CliResult<T> {
    let Some(out) = out.filter(|p| p.as_os_str() != "-") else {
        return work.await;
    };
    // Listening before `work` creates its temporary file: no Ctrl-C can
    // slip between.
    let interrupted = on_interrupt()?;
    tokio::select! {
        result = work => result,
        () = interrupted => Err(CliError::new(
            Kind::Interrupted,
            format!("interrupted: nothing was written to {}", out.display()),
        )),
    }
}

/// Opens a device or pipe for writing without creating or truncating it.
pub async fn open_stream(path: &Path) -> CliResult<tokio::fs::File> {
    tokio::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .await
        .map_err(|e| CliError::other(format!("cannot open {}: {e}", path.display())))
}

/// The temporary file an export to `target` is written into: created
/// exclusively (never an existing file or link), readable by the owner only,
/// in the target's folder so that moving it into place is a rename. Dropped
/// unpersisted, it is deleted.
pub fn temporary_beside(target: &Path) -> CliResult<NamedTempFile> {
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|e| {
            CliError::other(format!(
                "cannot create a temporary file in {}: {e}",
                dir.display()
            ))
        })
}

/// Moves a complete export into place: over the target only when
/// `replace`, otherwise failing if a file appeared there meanwhile.
pub fn persist(temp: NamedTempFile, target: &Path, replace: bool) -> CliResult {
    let result = if replace {
        temp.persist(target)
    } else {
        temp.persist_noclobber(target)
    };
    result.map(drop).map_err(|e| {
        // `e` still owns the temporary file: dropping it deletes it.
        let cause = &e.error;
        if cause.kind() == io::ErrorKind::AlreadyExists {
            CliError::usage(format!(
                "--out {} appeared during the export: pass --force to replace it",
                target.display()
            ))
        } else {
            CliError::other(format!(
                "cannot move the export to {}: {cause}",
                target.display()
            ))
        }
    })
}

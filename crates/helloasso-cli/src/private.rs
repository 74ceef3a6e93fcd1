//! The CLI's own folders and the files in them that hold secrets (client
//! secrets in profiles, refresh tokens): owner-only. Found open to other
//! users, they are repaired and a warning says so, naming what was changed;
//! found to belong to another user, they are refused, since only their
//! owner could repair them and that owner can read what is put there.

use std::path::Path;

use crate::exit::{CliError, CliResult};

/// Makes sure folder `dir` exists and only its owner, the user running
/// this, can enter it: created 0700 when missing, repaired to 0700 (with a
/// warning) when found open to others, refused when another user owns it.
pub fn folder(dir: &Path) -> CliResult {
    if !dir.exists() {
        return owner_only_dir(dir);
    }
    check(dir, 0o700, "folder")
}

/// Creates `dir` (and its parents) for the owner only, unless it exists.
pub fn owner_only_dir(dir: &Path) -> CliResult {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        // The directory holds refresh tokens or secrets: owner only.
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| {
        CliError::other(format!(
            "cannot create the directory {}: {e}",
            dir.display()
        ))
    })
}

/// Checks folder `dir` as [`folder`] does, when it exists; creates nothing.
pub fn existing_folder(dir: &Path) -> CliResult {
    if !dir.exists() {
        return Ok(());
    }
    check(dir, 0o700, "folder")
}

/// Checks a file holding a secret: repaired to 0600 with a warning when
/// others could read it, refused when another user owns it.
pub fn secret_file(path: &Path) -> CliResult {
    check(path, 0o600, "file")
}

#[cfg(unix)]
fn check(path: &Path, wanted: u32, what: &str) -> CliResult {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| CliError::other(format!("cannot look at the {what} {shown}: {e}")))?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(CliError::other(format!(
            "the {what} {shown} belongs to another user (uid {}): refusing to read or keep secrets there; remove it, or set XDG_CONFIG_HOME to a folder of your own",
            meta.uid()
        )));
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 == 0 {
        return Ok(());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(wanted)).map_err(|e| {
        CliError::other(format!(
            "the {what} {shown} is open to other users (mode {mode:04o}) and cannot be made owner-only: {e}"
        ))
    })?;
    let exposed = if what == "file" && mode & 0o044 != 0 {
        "; the secret in it may have been read: consider renewing it in HelloAsso's back office"
    } else {
        ""
    };
    eprintln!(
        "warning: the {what} {shown} was open to other users (mode {mode:04o}): repaired, it is now owner-only ({wanted:04o}){exposed}"
    );
    Ok(())
}

#[cfg(not(unix))]
fn check(_path: &Path, _wanted: u32, _what: &str) -> CliResult {
    // Windows folders under the user's profile are private by default ACLs.
    Ok(())
}

//! Profiles: credentials and settings kept once, per name, in the config
//! folder, so that no secret has to be typed on a command line.
//!
//! Each profile is one JSON file, `helloasso/profiles/NAME.json`, written
//! through an owner-only temporary file and renamed into place, in a folder
//! only the owner can enter. Flags and environment variables win over it.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::exit::{CliError, CliResult};

/// What a profile keeps. Debug never shows the secret.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv_dialect: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    /// Refuse every write (see `--read-only`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("organization", &self.organization)
            .field("environment", &self.environment)
            .field("csv_dialect", &self.csv_dialect)
            .field("tz", &self.tz)
            .field("read_only", &self.read_only)
            .finish()
    }
}

/// Where profiles live: `<config>/helloasso/profiles`.
pub fn folder() -> Option<PathBuf> {
    crate::config_home::config_dir().map(|d| d.join("helloasso").join("profiles"))
}

/// The file of profile `name`, after checking the name is a plain word (it
/// becomes a file name).
pub fn path(name: &str) -> CliResult<Option<PathBuf>> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(CliError::usage(format!(
            "invalid --profile `{name}`: use letters, digits, `-` and `_` (at most 64)"
        )));
    }
    Ok(folder().map(|d| d.join(format!("{name}.json"))))
}

/// Checks the folders on the way to `path` (the CLI's folder and the
/// profiles' folder): owner-only, or repaired with a warning.
fn check_folders(path: &Path, create: bool) -> CliResult {
    let profiles = path.parent().unwrap_or(Path::new("."));
    let check = if create {
        crate::private::folder
    } else {
        crate::private::existing_folder
    };
    check(profiles)?;
    match profiles.parent() {
        Some(cli) => crate::private::existing_folder(cli),
        None => Ok(()),
    }
}

/// Reads profile `name`; a profile never saved is empty. A profile or a
/// folder open to other users is repaired first, with a warning.
pub fn load(name: &str) -> CliResult<Profile> {
    let Some(path) = path(name)? else {
        return Ok(Profile::default());
    };
    check_folders(&path, false)?;
    if path.exists() {
        crate::private::secret_file(&path)?;
    }
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Profile::default()),
        Err(e) => {
            return Err(CliError::other(format!(
                "cannot read the profile {}: {e}",
                path.display()
            )));
        }
    };
    // Only where it broke: serde's message may quote a value, and this
    // file holds a secret.
    let stored: OnDisk = serde_json::from_str(&text).map_err(|e| {
        CliError::other(format!(
            "the profile {} is damaged (line {}, column {}): run `helloasso auth login` again",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    let mut profile = stored.profile;
    if stored.secret_in_keyring {
        let secret = crate::secret_store::get(name).map_err(|why| {
            CliError::new(
                crate::exit::Kind::Auth,
                format!(
                    "profile `{name}` keeps its client secret in the OS keyring, which cannot give it ({why}): run `helloasso auth login` again"
                ),
            )
        })?;
        profile.client_secret = Some(secret);
    }
    Ok(profile)
}

/// A profile as its file holds it: without the secret when the OS keyring
/// keeps it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OnDisk {
    #[serde(flatten)]
    profile: Profile,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    secret_in_keyring: bool,
}

/// Where [`save`] put a profile.
pub struct Saved {
    /// The profile's file.
    pub path: PathBuf,
    /// Where its client secret is, if it has one.
    pub secret: Option<crate::secret_store::Stored>,
}

/// Saves profile `name`, readable and writable by the owner only; its
/// client secret goes to the OS keyring when one can take it.
pub fn save(name: &str, profile: &Profile) -> CliResult<Saved> {
    let path = path(name)?
        .ok_or_else(|| CliError::other("no configuration folder: set HOME or XDG_CONFIG_HOME"))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    check_folders(&path, true)?;
    let secret = profile
        .client_secret
        .as_deref()
        .map(|s| crate::secret_store::put(name, s));
    let in_keyring = matches!(secret, Some(crate::secret_store::Stored::Keyring));
    let stored = OnDisk {
        profile: Profile {
            client_secret: if in_keyring {
                None
            } else {
                profile.client_secret.clone()
            },
            ..profile.clone()
        },
        secret_in_keyring: in_keyring,
    };
    let text = serde_json::to_string_pretty(&stored)
        .map_err(|e| CliError::other(format!("cannot encode the profile: {e}")))?;
    // tempfile creates files readable by their owner only.
    let mut temp = tempfile::Builder::new()
        .prefix(".profile.")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|e| CliError::other(format!("cannot write in {}: {e}", dir.display())))?;
    use std::io::Write;
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| CliError::other(format!("cannot write the profile: {e}")))?;
    temp.persist(&path).map_err(|e| {
        CliError::other(format!(
            "cannot save the profile {}: {}",
            path.display(),
            e.error
        ))
    })?;
    Ok(Saved { path, secret })
}

/// Deletes profile `name`; says whether there was one.
pub fn forget(name: &str) -> CliResult<bool> {
    let Some(path) = path(name)? else {
        return Ok(false);
    };
    crate::secret_store::remove(name);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(CliError::other(format!(
            "cannot delete the profile {}: {e}",
            path.display()
        ))),
    }
}

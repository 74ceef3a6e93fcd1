//! Where the CLI's files live: the user's configuration folder, found
//! the platform's way. Profiles and token files sit below it.

use std::path::PathBuf;

/// The user's configuration directory, by platform convention.
pub fn config_dir() -> Option<PathBuf> {
    let from_env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        return from_env("APPDATA");
    }
    from_env("XDG_CONFIG_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| from_env("HOME").map(|home| home.join(".config")))
}

//! Where a profile's client secret rests: the operating system's keyring
//! (macOS Keychain, Windows Credential Manager, the Secret Service on Linux)
//! when this build has keyring support (cargo feature `keyring`) and a
//! keyring answers, as `gh` does; otherwise the profile file itself,
//! readable by its owner only, and the caller warns. HELLOASSO_KEYRING=off
//! keeps secrets out of the keyring (tests, machines whose keyring prompts).

/// The keyring service the secrets are filed under.
#[cfg_attr(not(feature = "keyring"), allow(dead_code))]
const SERVICE: &str = "helloasso-cli";

/// Where [`put`] left a secret.
pub enum Stored {
    /// In the OS keyring: the profile file holds none.
    Keyring,
    /// Not in a keyring, for this reason: the profile file keeps it.
    File { why: String },
}

/// Why no keyring is used, when none is.
fn unavailable() -> Option<String> {
    let off =
        std::env::var("HELLOASSO_KEYRING").is_ok_and(|v| v.eq_ignore_ascii_case("off") || v == "0");
    if off {
        return Some("HELLOASSO_KEYRING=off".to_owned());
    }
    if cfg!(feature = "keyring") {
        None
    } else {
        Some("this build has no OS keyring support (cargo feature `keyring`)".to_owned())
    }
}

/// Files `secret` as profile `profile`'s, in the keyring when one can be
/// used.
pub fn put(profile: &str, secret: &str) -> Stored {
    if let Some(why) = unavailable() {
        return Stored::File { why };
    }
    match keyring_impl::put(profile, secret) {
        Ok(()) => Stored::Keyring,
        Err(why) => Stored::File {
            why: format!("the OS keyring cannot be used ({why})"),
        },
    }
}

/// Profile `profile`'s secret from the keyring; the error says why not.
pub fn get(profile: &str) -> Result<String, String> {
    if let Some(why) = unavailable() {
        return Err(why);
    }
    keyring_impl::get(profile)
}

/// Removes profile `profile`'s secret from the keyring, if it is there.
pub fn remove(profile: &str) {
    if unavailable().is_none() {
        keyring_impl::remove(profile);
    }
}

#[cfg(feature = "keyring")]
mod keyring_impl {
    /// Runs `f` on a thread of its own: the Secret Service's client blocks
    /// on its own executor, which must not run on an async worker.
    fn apart<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
        std::thread::spawn(f)
            .join()
            .map_err(|_| "the keyring client failed".to_owned())
    }

    fn entry(profile: &str) -> Result<keyring::Entry, String> {
        keyring::Entry::new(super::SERVICE, &format!("profile:{profile}"))
            .map_err(|e| e.to_string())
    }

    pub fn put(profile: &str, secret: &str) -> Result<(), String> {
        let (profile, secret) = (profile.to_owned(), secret.to_owned());
        apart(move || {
            entry(&profile)?
                .set_password(&secret)
                .map_err(|e| e.to_string())
        })?
    }

    pub fn get(profile: &str) -> Result<String, String> {
        let profile = profile.to_owned();
        apart(move || entry(&profile)?.get_password().map_err(|e| e.to_string()))?
    }

    pub fn remove(profile: &str) {
        let profile = profile.to_owned();
        let _ = apart(move || entry(&profile).map(|e| e.delete_credential()));
    }
}

#[cfg(not(feature = "keyring"))]
mod keyring_impl {
    pub fn put(_profile: &str, _secret: &str) -> Result<(), String> {
        Err("no keyring support".to_owned())
    }

    pub fn get(_profile: &str) -> Result<String, String> {
        Err("no keyring support".to_owned())
    }

    pub fn remove(_profile: &str) {}
}

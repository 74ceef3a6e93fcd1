//! Where requests go: HelloAsso's production, its sandbox, or a custom host.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use url::{Host, Url};

use crate::error::{Error, Result};

const PRODUCTION_API: &str = "https://api.helloasso.com";
const PRODUCTION_AUTHORIZE: &str = "https://auth.helloasso.com/authorize";
const SANDBOX_API: &str = "https://api.helloasso-sandbox.com";
const SANDBOX_AUTHORIZE: &str = "https://auth.helloasso-sandbox.com/authorize";

/// A HelloAsso deployment.
///
/// API keys belong to one environment: sandbox keys are refused in
/// production and the other way round.
///
/// ```
/// use helloasso_sdk::Environment;
///
/// assert_eq!(Environment::Sandbox.api_base_url(), "https://api.helloasso-sandbox.com");
/// // A local fake server: plain http is allowed on loopback only.
/// let local = Environment::custom("http://127.0.0.1:8080").unwrap();
/// assert_eq!(local.api_base_url(), "http://127.0.0.1:8080");
/// assert!(Environment::custom("http://example.org").is_err());
/// // Names parse too (handy for a `--env` flag).
/// assert_eq!("sandbox".parse::<Environment>().unwrap(), Environment::Sandbox);
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Environment {
    /// `https://api.helloasso.com`, authorization at `https://auth.helloasso.com/authorize`.
    #[default]
    Production,
    /// `https://api.helloasso-sandbox.com`, authorization at
    /// `https://auth.helloasso-sandbox.com/authorize`.
    Sandbox,
    /// Any host serving HelloAsso's API at `{url}/v5` and OAuth at
    /// `{url}/oauth2/token` (a proxy, a local fake server). Must be https,
    /// except on loopback. Build it with [`Environment::custom`], which
    /// checks the URL; the client builder checks it again.
    Custom(Url),
}

impl Environment {
    /// A custom environment, checked: https only except on loopback hosts
    /// (`127.0.0.0/8`, `::1`, `localhost`), no credentials, query or fragment.
    pub fn custom(url: &str) -> Result<Self> {
        let parsed = Url::parse(url).map_err(|e| {
            Error::invalid_request(format!(
                "`{url}` is not a valid base URL ({e}); expected e.g. `https://api.example.org`"
            ))
        })?;
        let env = Environment::Custom(parsed);
        env.validate()?;
        Ok(env)
    }

    /// Checks a [`Environment::Custom`] URL; the built-in ones are always valid.
    pub(crate) fn validate(&self) -> Result<()> {
        let Environment::Custom(url) = self else {
            return Ok(());
        };
        let loopback = is_loopback(url);
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err(Error::invalid_request(format!(
                    "`{url}` uses plain http: use https (plain http is only allowed on loopback hosts)"
                )));
            }
            other => {
                return Err(Error::invalid_request(format!(
                    "`{url}` has scheme `{other}`: use https"
                )));
            }
        }
        if url.host().is_none() {
            return Err(Error::invalid_request(format!("`{url}` has no host")));
        }
        // Credentials in a URL end up in logs and error messages.
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::invalid_request(
                "the base URL must not contain a user name or password",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::invalid_request(format!(
                "`{url}` has a query or fragment: give only the scheme, host and optional path prefix"
            )));
        }
        Ok(())
    }

    /// The API host root, without a trailing slash: operations live under
    /// `{root}/v5`, the token endpoint at `{root}/oauth2/token`.
    pub fn api_base_url(&self) -> String {
        match self {
            Environment::Production => PRODUCTION_API.to_owned(),
            Environment::Sandbox => SANDBOX_API.to_owned(),
            // The generated client appends `/v5/...` to this string.
            Environment::Custom(url) => url.as_str().trim_end_matches('/').to_owned(),
        }
    }

    /// The page a partner sends an organization's user to, to authorize it
    /// (the OAuth authorization endpoint). For a custom environment:
    /// `{url}/authorize`.
    pub fn authorize_url(&self) -> Url {
        match self {
            Environment::Production => Url::parse(PRODUCTION_AUTHORIZE).expect("constant URL"),
            Environment::Sandbox => Url::parse(SANDBOX_AUTHORIZE).expect("constant URL"),
            Environment::Custom(url) => {
                let mut url = url.clone();
                let path = format!("{}/authorize", url.path().trim_end_matches('/'));
                url.set_path(&path);
                url
            }
        }
    }
}

/// Whether `url`'s host is this machine (where plain http is harmless).
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Environment::Production => f.write_str("Production"),
            Environment::Sandbox => f.write_str("Sandbox"),
            Environment::Custom(url) => f.debug_tuple("Custom").field(&url.as_str()).finish(),
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Environment::Production => f.write_str("production"),
            Environment::Sandbox => f.write_str("sandbox"),
            Environment::Custom(url) => f.write_str(url.as_str()),
        }
    }
}

impl FromStr for Environment {
    type Err = Error;

    /// `production`, `sandbox`, or a base URL.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "production" | "prod" => Ok(Environment::Production),
            "sandbox" => Ok(Environment::Sandbox),
            _ => Environment::custom(s.trim()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_urls() {
        assert_eq!(
            Environment::Production.api_base_url(),
            "https://api.helloasso.com"
        );
        assert_eq!(
            Environment::Production.authorize_url().as_str(),
            "https://auth.helloasso.com/authorize"
        );
        assert_eq!(
            Environment::Sandbox.authorize_url().as_str(),
            "https://auth.helloasso-sandbox.com/authorize"
        );
    }

    #[test]
    fn loopback_may_use_http() {
        for ok in [
            "http://127.0.0.1:3000",
            "http://127.8.9.10",
            "http://[::1]:8080/",
            "http://localhost:1234",
            "https://proxy.example.org/helloasso/",
        ] {
            let env = Environment::custom(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert!(!env.api_base_url().ends_with('/'), "{ok}");
        }
    }

    #[test]
    fn custom_rejects_unsafe_urls_without_panicking() {
        for bad in [
            "not a url",
            "",
            "http://example.org",
            "http://10.0.0.1",
            "ftp://127.0.0.1",
            "https://user:pw@example.org",
            "https://example.org/?a=b",
        ] {
            let err = Environment::custom(bad).unwrap_err();
            assert!(
                matches!(err, Error::InvalidRequest { .. }),
                "{bad}: {err:?}"
            );
        }
        // Built directly, a bad URL is caught by validate (the builder calls it).
        let direct = Environment::Custom(Url::parse("http://example.org").unwrap());
        assert!(direct.validate().is_err());
    }

    #[test]
    fn custom_keeps_a_path_prefix() {
        let env = Environment::custom("https://proxy.example.org/helloasso/").unwrap();
        assert_eq!(env.api_base_url(), "https://proxy.example.org/helloasso");
        assert_eq!(
            env.authorize_url().as_str(),
            "https://proxy.example.org/helloasso/authorize"
        );
    }

    #[test]
    fn parses_names() {
        assert_eq!(
            "Production".parse::<Environment>().unwrap(),
            Environment::Production
        );
        assert!(matches!(
            "http://localhost:9".parse::<Environment>().unwrap(),
            Environment::Custom(_)
        ));
    }
}

//! From flags and environment variables to a configured client.

use std::path::{Path, PathBuf};

use helloasso_sdk::{Client, Environment, FileTokenStore, MemoryTokenStore, RetryPolicy, TokenKey};

use crate::args::GlobalArgs;
use crate::config_home::config_dir;
use crate::exit::{CliError, CliResult, Kind};
use crate::profile::Profile;

/// Kept here for the commands that create folders of their own.
pub use crate::private::owner_only_dir;

/// Everything a command needs to talk to HelloAsso.
pub struct Context {
    pub client: Client,
    pub environment: Environment,
    /// `None` when no config directory exists (tokens then live in memory).
    pub token_file: Option<PathBuf>,
    organization: Option<String>,
    /// The profile these settings were completed from.
    pub profile: String,
    /// Kept to build a client that proves them afresh (`auth check`).
    client_secret: helloasso_sdk::SecretString,
}

impl Context {
    /// Builds the client from the global flags, completed by the profile,
    /// checking what is missing before anything is sent.
    /// `retry` replaces the SDK's default retry policy.
    pub fn from_args(
        args: &GlobalArgs,
        profile: &Profile,
        retry: Option<RetryPolicy>,
    ) -> CliResult<Self> {
        let environment = parse_environment(
            args.environment
                .as_deref()
                .or(profile.environment.as_deref())
                .unwrap_or("production"),
        )?;
        let client_id = non_empty(args.client_id.as_deref())
            .or(non_empty(profile.client_id.as_deref()))
            .ok_or_else(|| {
                CliError::new(
                    Kind::Auth,
                    "no client id: run `helloasso auth login`, pass --client-id or set HELLOASSO_CLIENT_ID",
                )
            })?;
        let from_file = args
            .client_secret_file
            .as_deref()
            .map(|path| crate::secrets::read("--client-secret-file", path))
            .transpose()?;
        // A client id given by flag or environment takes its own secret: the
        // profile's belongs to the profile's client.
        let same_client = args.client_id.is_none()
            || args.client_id.as_deref().map(str::trim) == profile.client_id.as_deref();
        // And to the profile's environment only: --env or
        // HELLOASSO_ENVIRONMENT could name a local port any user can bind.
        let own_environment = profile_environment(profile);
        let same_environment = own_environment
            .as_ref()
            .is_some_and(|own| own.api_base_url() == environment.api_base_url());
        let profile_secret = if same_client && same_environment {
            profile.client_secret.as_deref()
        } else {
            None
        };
        let given = non_empty(
            from_file.as_deref().or(args
                .client_secret
                .as_ref()
                .map(helloasso_sdk::ExposeSecret::expose_secret)),
        );
        let client_secret = match (given, non_empty(profile_secret)) {
            (Some(secret), _) | (None, Some(secret)) => secret,
            (None, None) if same_client && !same_environment && profile.client_secret.is_some() => {
                return Err(CliError::new(
                    Kind::Auth,
                    format!(
                        "profile `{}` keeps the client secret for {}, and it is never sent elsewhere: {environment} (--env or HELLOASSO_ENVIRONMENT) needs its own (HELLOASSO_CLIENT_SECRET or --client-secret-file)",
                        args.profile,
                        own_environment
                            .map_or_else(|| "another environment".to_owned(), |e| e.to_string()),
                    ),
                ));
            }
            (None, None) => {
                return Err(CliError::new(
                    Kind::Auth,
                    "no client secret: run `helloasso auth login`, set HELLOASSO_CLIENT_SECRET or pass --client-secret-file",
                ));
            }
        };
        // The default token file is in the CLI's own folder, which must be
        // private; a file named by the user is where they chose.
        let (token_file, own_folder) = match &args.token_file {
            Some(path) => (Some(path.clone()), false),
            None => (default_token_file(&environment), true),
        };
        let read_only = args.read_only || profile.read_only == Some(true);
        crate::read_only::set_active(read_only);
        let builder = Client::builder()
            .environment(environment.clone())
            .credentials(client_id, client_secret.to_owned())
            .user_agent(concat!("helloasso-cli/", env!("CARGO_PKG_VERSION")))
            .read_only(read_only);
        let builder = match retry {
            Some(policy) => builder.retry_policy(policy),
            None => builder,
        };
        let builder = match &token_file {
            Some(path) => {
                prepare_token_dir(path, own_folder)?;
                builder.token_store(FileTokenStore::new(path))
            }
            None => builder.token_store(MemoryTokenStore::new()),
        };
        let client = builder.build()?;
        Ok(Self {
            client,
            environment,
            token_file,
            organization: non_empty(args.organization.as_deref())
                .or(non_empty(profile.organization.as_deref()))
                .map(str::to_owned),
            profile: args.profile.clone(),
            client_secret: helloasso_sdk::SecretString::from(client_secret.to_owned()),
        })
    }

    /// The organization slug, which every payment and checkout command needs.
    pub fn organization(&self) -> CliResult<&str> {
        self.organization.as_deref().ok_or_else(|| {
            CliError::usage("no organization: pass --org SLUG or set HELLOASSO_ORGANIZATION (needed when the credentials reach several organizations: see `helloasso auth status`)")
        })
    }

    /// A builder with this context's environment and credentials.
    fn same_credentials(&self) -> helloasso_sdk::ClientBuilder {
        use helloasso_sdk::ExposeSecret;
        Client::builder()
            .environment(self.environment.clone())
            .credentials(
                self.client.client_id().to_owned(),
                self.client_secret.expose_secret().to_owned(),
            )
            .user_agent(concat!("helloasso-cli/", env!("CARGO_PKG_VERSION")))
    }

    /// A client with the same credentials and no stored token: its first
    /// call proves the credentials with HelloAsso.
    pub fn fresh_client(&self) -> CliResult<Client> {
        Ok(self
            .same_credentials()
            .token_store(MemoryTokenStore::new())
            .build()?)
    }

    /// The organization, if one was given.
    pub fn organization_opt(&self) -> Option<&str> {
        self.organization.as_deref()
    }

    /// Acts for `slug` from now on (the only organization reachable).
    pub fn set_organization(&mut self, slug: String) {
        self.organization = Some(slug);
    }

    /// The key this client's own token is stored under.
    pub fn token_key(&self) -> TokenKey {
        TokenKey::own(self.client.client_id())
    }
}

/// The environment `profile`'s credentials were proven on (production when
/// it names none); `None` when its value no longer parses.
fn profile_environment(profile: &Profile) -> Option<Environment> {
    parse_environment(profile.environment.as_deref().unwrap_or("production")).ok()
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

pub fn parse_environment(value: &str) -> CliResult<Environment> {
    value.parse::<Environment>().map_err(|e| {
        let detail = match e {
            helloasso_sdk::Error::InvalidRequest { message, .. } => message,
            other => other.to_string(),
        };
        CliError::usage(format!(
            "invalid --env: {detail} (use production, sandbox or a base URL)"
        ))
    })
}

/// One file per environment: a sandbox token must never be offered to
/// production, nor a local fake's to either.
fn default_token_file(environment: &Environment) -> Option<PathBuf> {
    let name = match environment {
        Environment::Production => "tokens.json".to_owned(),
        Environment::Sandbox => "tokens-sandbox.json".to_owned(),
        other => {
            let url = other.api_base_url();
            let host: String = url
                .split_once("://")
                .map_or(url.as_str(), |(_, rest)| rest)
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            format!("tokens-{host}.json")
        }
    };
    config_dir().map(|dir| dir.join("helloasso").join(name))
}

fn prepare_token_dir(path: &Path, own_folder: bool) -> CliResult {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    if own_folder {
        crate::private::folder(dir)
    } else {
        owner_only_dir(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_files_differ_by_environment() {
        let local = Environment::custom("http://127.0.0.1:4010").unwrap_or_default();
        let names: Vec<_> = [Environment::Production, Environment::Sandbox, local]
            .iter()
            .map(|e| {
                default_token_file(e)
                    .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            })
            .collect();
        if names.iter().all(Option::is_some) {
            assert_eq!(names[0].as_deref(), Some("tokens.json"));
            assert_eq!(names[1].as_deref(), Some("tokens-sandbox.json"));
            assert_eq!(names[2].as_deref(), Some("tokens-127_0_0_1_4010.json"));
        }
    }

    #[test]
    fn bad_environment_is_a_usage_error() {
        let err = parse_environment("http://example.org").err();
        assert!(matches!(
            err,
            Some(CliError {
                kind: Kind::Usage,
                ..
            })
        ));
        assert!(parse_environment("sandbox").is_ok());
    }
}

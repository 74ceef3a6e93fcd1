//! What the examples share: a client for real credentials when they are
//! set, otherwise for a fake HelloAsso started in-process.

use helloasso_fake::{FakeConfig, FakeServer};
use helloasso_sdk::{Client, ClientBuilder, Environment};

const ENV_CLIENT_ID: &str = ClientBuilder::ENV_CLIENT_ID;
const ENV_ENVIRONMENT: &str = ClientBuilder::ENV_ENVIRONMENT;

/// Names the organization to work on with real credentials.
pub const ENV_ORGANIZATION: &str = "HELLOASSO_ORGANIZATION";

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Where an example sends its requests.
pub struct Target {
    pub client: Client,
    pub organization: String,
    /// The fake server, when no credentials were set (dropping it stops it).
    pub fake: Option<FakeServer>,
}

/// Real HelloAsso when `HELLOASSO_CLIENT_ID` is set (with
/// `HELLOASSO_CLIENT_SECRET`, `HELLOASSO_ORGANIZATION` and
/// `HELLOASSO_ENVIRONMENT`), else a fake server built from `config`.
///
/// The environment must be named: an example never reaches production (real
/// money) because a variable was forgotten.
pub async fn connect(config: FakeConfig) -> Result<Target, BoxError> {
    if std::env::var_os(ENV_CLIENT_ID).is_some() {
        if std::env::var_os(ENV_ENVIRONMENT).is_none() {
            return Err(format!(
                "{ENV_CLIENT_ID} is set but {ENV_ENVIRONMENT} is not: set it to `sandbox` \
                 (or to `production`, to act on real payments)"
            )
            .into());
        }
        let organization = std::env::var(ENV_ORGANIZATION)
            .map_err(|_| format!("set {ENV_ORGANIZATION} to the organization's slug"))?;
        let client = ClientBuilder::from_env()?
            .user_agent("helloasso-sdk-example")
            .build()?;
        eprintln!("using {:?} for {organization}", client.environment());
        return Ok(Target {
            client,
            organization,
            fake: None,
        });
    }
    let fake = helloasso_fake::start(config).await?;
    eprintln!(
        "no {ENV_CLIENT_ID} set: using a fake HelloAsso at {}",
        fake.base_url()
    );
    let client = Client::builder()
        .environment(Environment::custom(&fake.base_url())?)
        .credentials(fake.client_id(), fake.client_secret().to_owned())
        .build()?;
    Ok(Target {
        client,
        organization: fake.organization_slug().to_owned(),
        fake: Some(fake),
    })
}

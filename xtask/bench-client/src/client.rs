//! The SDK client every scenario measures, pointed at `--url` with the
//! run's credentials.

use anyhow::Result;
use helloasso_sdk::{Client, Environment};

use crate::args::Args;

/// A client for `--url`, authenticating with `--client-id`/`--client-secret`.
pub fn client(args: &Args) -> Result<Client> {
    Ok(Client::builder()
        .environment(Environment::custom(&args.url)?)
        .credentials(args.client_id.clone(), args.client_secret.clone())
        .build()?)
}

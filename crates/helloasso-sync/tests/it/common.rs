//! A fake HelloAsso, a client on it and a mirror in a scratch SQLite file.

use std::collections::HashSet;

use futures::TryStreamExt;
use helloasso_fake::{FakeConfig, FakeServer};
use helloasso_sdk::{Client, Environment};
use helloasso_sync::Mirror;

pub struct Setup {
    pub fake: FakeServer,
    pub client: Client,
    pub mirror: Mirror,
    pub org: String,
    _dir: tempfile::TempDir,
}

pub async fn setup(payments: usize) -> Setup {
    let fake = helloasso_fake::start(FakeConfig::default().payments(payments))
        .await
        .unwrap();
    let client = Client::builder()
        .environment(Environment::custom(&fake.base_url()).unwrap())
        .credentials(fake.client_id(), fake.client_secret().to_owned())
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mirror.sqlite");
    let mirror = Mirror::open(path.to_str().unwrap()).await.unwrap();
    let org = fake.organization_slug().to_owned();
    Setup {
        fake,
        client,
        mirror,
        org,
        _dir: dir,
    }
}

/// The ids a plain listing of the fake gives, per resource: what the
/// mirror must hold after a complete run.
pub async fn listed(s: &Setup) -> (usize, usize, usize, usize) {
    let payments: HashSet<i64> = s
        .client
        .payments(&s.org)
        .list()
        .items()
        .map_ok(|p| p.id.unwrap())
        .try_collect()
        .await
        .unwrap();
    let orders: HashSet<i64> = s
        .client
        .orders(&s.org)
        .list()
        .items()
        .map_ok(|o| o.id.unwrap())
        .try_collect()
        .await
        .unwrap();
    let items: HashSet<i64> = s
        .client
        .items(&s.org)
        .list()
        .items()
        .map_ok(|i| i.id.unwrap())
        .try_collect()
        .await
        .unwrap();
    let forms: Vec<_> = s
        .client
        .forms(&s.org)
        .list()
        .items()
        .try_collect()
        .await
        .unwrap();
    (payments.len(), orders.len(), items.len(), forms.len())
}

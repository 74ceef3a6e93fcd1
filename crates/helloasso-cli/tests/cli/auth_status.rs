//! `helloasso auth status` against the fake: environment, the client id
//! shortened, the organizations reachable with their roles, the token's
//! expiry and whether read-only mode is on.

use serde_json::Value;

use crate::common::{Fake, run_args};

#[test]
fn status_shows_the_reachable_organizations_and_their_roles() {
    let fake = Fake::start();
    let mut cmd = fake.cli();
    cmd.arg("--read-only");
    let r = run_args(cmd, &["auth", "status", "--format", "json"]);
    r.ok();
    let status: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        status["environment"]
            .as_str()
            .map(|e| e.trim_end_matches('/')),
        Some(fake.server.base_url().trim_end_matches('/'))
    );
    assert_eq!(status["clientId"], "fake…t-id");
    assert_eq!(status["readOnly"], true);
    assert!(status["expiresAt"].as_str().is_some_and(|t| t.len() > 10));
    let orgs = status["organizations"].as_array().unwrap();
    let demo = orgs
        .iter()
        .find(|o| o["organizationSlug"] == "demo-association")
        .expect("the fake's organization");
    assert_eq!(demo["role"], "OrganizationAdmin");
    // Never the whole client id, the secret or a token.
    for secret in [fake.server.client_id(), fake.server.client_secret()] {
        assert!(!r.stdout.contains(secret), "{}", r.stdout);
    }

    let table = run_args(fake.cli(), &["auth", "status"]);
    table.ok();
    assert!(
        table.stdout.contains("demo-association ("),
        "{}",
        table.stdout
    );
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l.starts_with("read_only ") && l.ends_with(" no")),
        "{}",
        table.stdout
    );
}

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

mod only_organization {
    use httpmock::prelude::*;
    use serde_json::json;

    use crate::common::{bare, run};

    fn server(orgs: serde_json::Value) -> MockServer {
        let server = MockServer::start();
        server.mock(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(200).json_body(json!({
                "access_token": "t",
                "refresh_token": "r",
                "token_type": "bearer",
                "expires_in": 1800,
            }));
        });
        server.mock(|when, then| {
            when.method(GET).path("/v5/users/me/organizations");
            then.status(200).json_body(orgs);
        });
        server
    }

    fn list(server: &MockServer) -> crate::common::Run {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = bare(dir.path());
        cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
            .env("HELLOASSO_CLIENT_ID", "mock-client")
            .env("HELLOASSO_CLIENT_SECRET", "mock-secret")
            .env("HELLOASSO_TOKEN_FILE", dir.path().join("tokens.json"))
            .args(["payments", "list", "--format", "csv"]);
        run(&mut cmd)
    }

    #[test]
    fn with_one_reachable_organization_org_is_optional() {
        let server = server(json!([
            {"organizationSlug": "only-org", "name": "Only", "role": "OrganizationAdmin"}
        ]));
        let page = server.mock(|when, then| {
            when.method(GET).path("/v5/organizations/only-org/payments");
            then.status(200).json_body(json!({
                "data": [],
                "pagination": {"pageSize": 20, "totalCount": 0, "pageIndex": 1, "totalPages": 0},
            }));
        });
        list(&server).ok();
        page.assert_calls(1);
    }

    #[test]
    fn with_several_org_is_still_needed() {
        let server = server(json!([
            {"organizationSlug": "one", "role": "OrganizationAdmin"},
            {"organizationSlug": "two", "role": "OrganizationAdmin"}
        ]));
        list(&server).fails(2, "no organization");
    }
}

use crate::common::{Fake, run, run_args};

#[test]
fn check_proves_the_credentials_each_time_without_printing_the_token() {
    let fake = Fake::start();
    let first = run_args(fake.cli(), &["auth", "check"]);
    first.ok();
    assert!(
        first.stdout.contains("new token obtained"),
        "{}",
        first.stdout
    );
    assert!(first.stdout.contains("expires at"), "{}", first.stdout);
    let stored = std::fs::read_to_string(fake.token_file()).unwrap();
    let token: serde_json::Value = serde_json::from_str(&stored).unwrap();
    let access = token["tokens"][fake.server.client_id()]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!first.stdout.contains(&access));
    assert!(!first.stdout.contains(fake.server.client_secret()));

    // A stored token proves nothing about the credentials: each check asks
    // HelloAsso again, and keeps the new token for the next commands.
    let second = run_args(fake.cli(), &["auth", "check"]);
    second.ok();
    assert!(
        second.stdout.contains("new token obtained"),
        "{}",
        second.stdout
    );
    assert_eq!(fake.server.counters().tokens.client_credentials, 2);
    run_args(fake.cli(), &["payments", "list", "--limit", "1"]).ok();
    assert_eq!(fake.server.counters().tokens.client_credentials, 2);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(fake.token_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "token file readable by others: {mode:o}");
    }
}

#[test]
fn check_in_json() {
    let fake = Fake::start();
    let r = run_args(fake.cli(), &["auth", "check", "--format", "json"]);
    r.ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["clientId"], fake.server.client_id());
    assert_eq!(v["credentialsValid"], true);
    assert_eq!(v["organization"], fake.server.organization_slug());
    assert!(v["expiresAt"].as_str().is_some());
}

#[test]
fn logout_forgets_the_tokens() {
    let fake = Fake::start();
    run_args(fake.cli(), &["auth", "check"]).ok();
    let r = run_args(fake.cli(), &["auth", "logout"]);
    r.ok();
    assert!(r.stdout.contains("forgot the tokens"), "{}", r.stdout);
    let again = run_args(fake.cli(), &["auth", "logout"]);
    again.ok();
    assert!(
        again.stdout.contains("no tokens stored"),
        "{}",
        again.stdout
    );
    let check = run_args(fake.cli(), &["auth", "check"]);
    check.ok();
    assert!(
        check.stdout.contains("new token obtained"),
        "{}",
        check.stdout
    );
}

#[test]
fn wrong_secret_is_an_auth_error_and_is_not_echoed() {
    let fake = Fake::start();
    let r = run(fake
        .cli()
        .env("HELLOASSO_CLIENT_SECRET", "not-the-secret-xyz")
        .args(["auth", "check"]));
    r.fails(3, "unauthorized_client");
    assert!(!r.stderr.contains("not-the-secret-xyz"));
}

#[test]
fn default_token_file_lives_in_the_config_dir() {
    let fake = Fake::start();
    let r = run(fake
        .cli()
        .env_remove("HELLOASSO_TOKEN_FILE")
        .args(["auth", "check"]));
    r.ok();
    let dir = fake.dir.path().join("config/helloasso");
    // The token file, and the lock file the SDK's file store keeps beside it.
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".lock"))
        .collect();
    assert_eq!(files.len(), 1, "{dir:?}: {files:?}");
}

/// A secret that differs from the one that obtained the stored token is
/// proven with HelloAsso, not hidden behind that token: a wrong one fails
/// (exit 3) while the stored token is fresh, and again once it has expired
/// (a refresh would prove no secret). The right one still uses the token.
#[test]
fn a_client_secret_other_than_the_tokens_is_used_not_the_stored_token() {
    let fake = Fake::start();
    run_args(fake.cli(), &["payments", "list", "--limit", "1"]).ok();
    assert_eq!(fake.server.counters().tokens.client_credentials, 1);

    let wrong = run_args(
        fake.cli(),
        &[
            "payments",
            "list",
            "--limit",
            "1",
            "--client-secret",
            "not-the-secret",
        ],
    );
    wrong.fails(3, "unauthorized_client");
    assert_eq!(fake.server.counters().tokens.refused, 1);
    assert!(!wrong.stderr.contains("not-the-secret"), "{}", wrong.stderr);

    // The stored token is intact and still used by the right secret.
    run_args(fake.cli(), &["payments", "list", "--limit", "1"]).ok();
    assert_eq!(fake.server.counters().tokens.client_credentials, 1);

    // Expired: the wrong secret gets no refresh of the stored pair either.
    fake.server.expire_access_tokens();
    let stored = std::fs::read_to_string(fake.token_file()).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&stored).unwrap();
    doc["tokens"][fake.server.client_id()]["expires_at"] = "2020-01-01T00:00:00Z".into();
    std::fs::write(fake.token_file(), doc.to_string()).unwrap();
    let env_secret = run(fake
        .cli()
        .env("HELLOASSO_CLIENT_SECRET", "not-the-secret-either")
        .args(["payments", "list", "--limit", "1"]));
    env_secret.fails(3, "unauthorized_client");
    assert_eq!(fake.server.counters().tokens.refresh_token, 0);
}

mod status {
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
        // HelloAsso publishes no list of a client's privileges: said so,
        // with where a missing one shows, rather than left out.
        assert!(
            table.stdout.lines().any(|l| l.starts_with("privileges ")
                && l.contains("not published by HelloAsso")
                && l.contains("RefundManagement")),
            "{}",
            table.stdout
        );
        assert!(status["privileges"].is_null(), "{}", r.stdout);
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
}

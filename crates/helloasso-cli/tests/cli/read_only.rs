//! Read-only mode (`--read-only`, HELLOASSO_READ_ONLY=1, a profile's
//! `readOnly`): every write is refused with exit 2 and nothing written
//! reaches the wire (httpmock counts every POST, PUT and DELETE under /v5).

use std::process::Command;

use httpmock::prelude::*;
use serde_json::json;

use crate::common::{bare, run_args};

struct Api {
    server: MockServer,
    dir: tempfile::TempDir,
}

impl Api {
    fn start() -> Self {
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
            when.method(GET).path("/v5/payments/42");
            then.status(200).json_body(json!({
                "id": 42,
                "amount": 1000,
                "state": "Authorized",
                "date": "2025-03-01T10:00:00+01:00",
            }));
        });
        server.mock(|when, then| {
            when.method(GET).path("/v5/orders/42");
            then.status(200)
                .json_body(json!({"id": 42, "amount": {"total": 1000}}));
        });
        Self {
            server,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn cli(&self) -> Command {
        let mut cmd = bare(self.dir.path());
        cmd.env("HELLOASSO_ENVIRONMENT", self.server.base_url())
            .env("HELLOASSO_CLIENT_ID", "mock-client")
            .env("HELLOASSO_CLIENT_SECRET", "mock-secret")
            .env("HELLOASSO_ORGANIZATION", "mock-org")
            .env("HELLOASSO_TOKEN_FILE", self.dir.path().join("tokens.json"));
        cmd
    }

    /// Mocks answering any write under /v5 with success, to be counted.
    fn writes(&self) -> Vec<httpmock::Mock<'_>> {
        [POST, PUT, DELETE, PATCH]
            .into_iter()
            .map(|method| {
                self.server.mock(|when, then| {
                    when.method(method).path_prefix("/v5/");
                    then.status(200).json_body(json!({"id": 1}));
                })
            })
            .collect()
    }
}

const REFUND: [&str; 6] = ["payments", "refund", "42", "--yes", "--mfa-code", "123456"];

#[test]
fn read_only_refund_exits_2_with_nothing_sent() {
    let api = Api::start();
    let writes = api.writes();
    let mut cmd = api.cli();
    cmd.arg("--read-only");
    let r = run_args(cmd, &REFUND);
    r.fails(2, "read-only mode: `refund_payment`")
        .fails(2, "nothing was changed");
    for mock in &writes {
        mock.assert_calls(0);
    }
    // Without the mode the same command does reach the refund endpoint:
    // the mocks above can count.
    let r = run_args(api.cli(), &REFUND);
    assert_ne!(r.code, 2, "{}", r.stderr);
    assert_eq!(writes.iter().map(|m| m.calls()).sum::<usize>(), 1);
}

#[test]
fn every_write_command_is_refused_through_the_environment() {
    let api = Api::start();
    let writes = api.writes();
    let commands: [&[&str]; 7] = [
        &REFUND,
        &["forms", "create-event", "--title", "Gala"],
        &["forms", "state", "Event/gala", "Private"],
        &["orders", "cancel", "42", "--yes"],
        &[
            "checkout",
            "create",
            "--item",
            "Cotisation",
            "--amount",
            "10",
            "--return-url",
            "https://example.org/ok",
        ],
        &[
            "partner",
            "notifications",
            "set",
            "https://example.org/hook",
        ],
        &["partner", "notifications", "delete"],
    ];
    for args in commands {
        let mut cmd = api.cli();
        cmd.env("HELLOASSO_READ_ONLY", "1");
        run_args(cmd, args).fails(2, "read-only mode");
    }
    for mock in &writes {
        mock.assert_calls(0);
    }
    // Reads still work.
    let mut cmd = api.cli();
    cmd.env("HELLOASSO_READ_ONLY", "1");
    run_args(cmd, &["payments", "get", "42", "--format", "json"]).ok();
}

#[test]
fn a_profile_can_be_read_only() {
    let api = Api::start();
    let writes = api.writes();
    let profiles = api.dir.path().join("config/helloasso/profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    std::fs::write(profiles.join("default.json"), r#"{"readOnly": true}"#).unwrap();
    // Owner-only, as login leaves them (else a warning repairs them first).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let private = |path: &std::path::Path, mode| {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
        };
        private(&profiles.join("default.json"), 0o600);
        private(&profiles, 0o700);
        private(profiles.parent().unwrap(), 0o700);
    }
    run_args(api.cli(), &REFUND).fails(2, "read-only mode");
    for mock in &writes {
        mock.assert_calls(0);
    }
}

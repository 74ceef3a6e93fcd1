//! Day dates are midnights in Europe/Paris whatever the machine's zone, as
//! seen on the wire by httpmock; `--tz` picks another zone.

use httpmock::prelude::*;
use serde_json::json;

use crate::common::{bare, run};

/// Runs `payments list` with `args` against a mock that answers only when
/// `from` and `to` arrive exactly as expected, and checks that it did.
fn list_sends(tz_env: &str, args: &[&str], from: &str, to: &str) {
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
    let page = server.mock(|when, then| {
        when.method(GET)
            .path("/v5/organizations/mock-org/payments")
            .query_param("from", from)
            .query_param("to", to);
        then.status(200).json_body(json!({
            "data": [],
            "pagination": {"pageSize": 20, "totalCount": 0, "pageIndex": 1, "totalPages": 0},
        }));
    });
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bare(dir.path());
    cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
        .env("HELLOASSO_CLIENT_ID", "mock-client")
        .env("HELLOASSO_CLIENT_SECRET", "mock-secret")
        .env("HELLOASSO_ORGANIZATION", "mock-org")
        .env("HELLOASSO_TOKEN_FILE", dir.path().join("tokens.json"))
        // The machine's own zone must not matter.
        .env("TZ", tz_env)
        .args(["payments", "list"])
        .args(args);
    let r = run(&mut cmd);
    r.ok();
    page.assert_calls(1);
    assert_eq!(r.stderr, "no payments match these filters\n");
}

#[test]
fn day_dates_are_paris_midnights_in_winter_and_summer() {
    for machine in ["UTC", "America/New_York", "Asia/Tokyo"] {
        list_sends(
            machine,
            &["--from", "2025-01-01", "--to", "2025-07-14"],
            "2025-01-01T00:00:00+01:00",
            "2025-07-14T00:00:00+02:00",
        );
    }
}

#[test]
fn tz_picks_another_zone_and_rfc3339_is_kept() {
    list_sends(
        "Europe/Paris",
        &[
            "--tz",
            "America/Cayenne",
            "--from",
            "2025-01-01",
            "--to",
            "2025-02-01T12:30:00Z",
        ],
        "2025-01-01T00:00:00-03:00",
        "2025-02-01T12:30:00Z",
    );
}

#[test]
fn an_unknown_zone_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bare(dir.path());
    cmd.env("HELLOASSO_CLIENT_ID", "x")
        .env("HELLOASSO_CLIENT_SECRET", "y")
        .args(["payments", "list", "--tz", "Paris"]);
    run(&mut cmd).fails(2, "Europe/Paris");
}

#[test]
fn an_instalment_day_starts_at_midnight_in_the_chosen_zone() {
    let server = crate::common::mock_helloasso();
    let create = server.mock(|when, then| {
        when.method(POST)
            .path("/v5/organizations/mock-org/checkout-intents")
            .body_includes("2026-01-05T00:00:00-03:00");
        then.status(200)
            .json_body(json!({"id": 5, "redirectUrl": "https://example.org/pay"}));
    });
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bare(dir.path());
    cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
        .env("HELLOASSO_CLIENT_ID", "mock-client")
        .env("HELLOASSO_CLIENT_SECRET", "mock-secret")
        .env("HELLOASSO_ORGANIZATION", "mock-org")
        .env("HELLOASSO_TOKEN_FILE", dir.path().join("tokens.json"))
        .args([
            "--tz",
            "America/Cayenne",
            "checkout",
            "create",
            "--item",
            "Adhésion",
            "--amount",
            "30",
            "--initial",
            "20",
            "--term",
            "2026-01-05=10",
            "--return-url",
            "https://example.org/merci",
        ]);
    run(&mut cmd).ok();
    create.assert_calls(1);
}

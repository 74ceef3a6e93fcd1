//! `--period` on the wire (httpmock): a month, a season and a year become
//! Paris midnights, `to` exclusive, in every listing that takes --from/--to.

use httpmock::prelude::*;
use serde_json::json;

use crate::common::{Run, bare, run};

/// Runs `args` against a mock whose listing at `path` answers only when
/// `from` and `to` arrive exactly so, and checks it was called once.
fn sends(path: &str, args: &[&str], from: &str, to: &str) -> Run {
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
            .path(path)
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
        .env("TZ", "Asia/Tokyo")
        .args(args);
    let r = run(&mut cmd);
    r.ok();
    page.assert_calls(1);
    r
}

#[test]
fn a_month_is_paris_midnight_to_the_next_month_s() {
    sends(
        "/v5/organizations/mock-org/payments",
        &["payments", "list", "--period", "2026-03"],
        "2026-03-01T00:00:00+01:00",
        "2026-04-01T00:00:00+02:00",
    );
}

#[test]
fn a_season_starts_in_september_unless_told_otherwise() {
    sends(
        "/v5/organizations/mock-org/orders",
        &["orders", "list", "--period", "2025-2026"],
        "2025-09-01T00:00:00+02:00",
        "2026-09-01T00:00:00+02:00",
    );
    sends(
        "/v5/organizations/mock-org/items",
        &[
            "items",
            "list",
            "--period",
            "2025-2026",
            "--season-start",
            "1",
        ],
        "2025-01-01T00:00:00+01:00",
        "2026-01-01T00:00:00+01:00",
    );
}

#[test]
fn a_year_sums_up_from_january_to_january() {
    sends(
        "/v5/organizations/mock-org/payments",
        &["payments", "summary", "--period", "2026", "--format", "csv"],
        "2026-01-01T00:00:00+01:00",
        "2027-01-01T00:00:00+01:00",
    );
}

#[test]
fn a_period_with_dates_or_a_bad_period_is_refused_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    let clash = run(bare(dir.path()).args([
        "--org",
        "x",
        "payments",
        "list",
        "--period",
        "2026",
        "--from",
        "2026-01-01",
    ]));
    assert_eq!(clash.code, 2, "{}", clash.stderr);
    assert!(clash.stderr.contains("--period"), "{}", clash.stderr);
    let bad = run(bare(dir.path()).args([
        "--client-id",
        "i",
        "--client-secret",
        "s",
        "--org",
        "x",
        "--env",
        "http://127.0.0.1:9",
        "payments",
        "list",
        "--period",
        "2026-13",
    ]));
    bad.fails(2, "malformed --period `2026-13`");
}

//! What a new user meets first, checked against the fake (and httpmock for
//! an answer the fake cannot be made to give on cue): search, counts,
//! refusals before anything is sent, retries shown, resumable listings.

use helloasso_fake::{FakeConfig, FaultConfig, PayerSeed, PaymentState};

use crate::resume::StopsThenResumes;
use httpmock::prelude::*;
use serde_json::json;

use crate::common::{Fake, MFA_CODE, bare, run, run_args};

fn payer(first: &str, last: &str, email: &str) -> PayerSeed {
    PayerSeed {
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        email: email.to_owned(),
        ..PayerSeed::default()
    }
}

#[test]
fn search_finds_a_payer_by_both_names_whatever_the_case_and_accents() {
    let fake = Fake::with(FakeConfig::default().seed(7).payments(300).payers(vec![
        payer("Pierre", "Robin", "p.robin@example.org"),
        payer("Hélène", "Dupré", "hd@example.org"),
    ]));
    let newest = fake.server.payment_ids(None, 2);
    let ids_for = |query: &str| -> Vec<i64> {
        let r = run_args(
            fake.cli(),
            &[
                "payments", "search", query, "--limit", "100", "--format", "json",
            ],
        );
        r.ok();
        let found: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
        found.iter().map(|p| p["id"].as_i64().unwrap()).collect()
    };
    for query in ["pierre robin", "ROBIN Pierre", "  Pierre   Robin "] {
        assert!(ids_for(query).contains(&newest[0]), "{query}");
    }
    for query in ["helene dupre", "Hélène DUPRÉ", "dupre"] {
        assert!(ids_for(query).contains(&newest[1]), "{query}");
    }
    // Each word must match: Pierre with another last name is not enough.
    assert!(!ids_for("pierre zzzz").contains(&newest[0]));
}

#[test]
fn an_empty_result_says_so_instead_of_a_bare_header() {
    let fake = Fake::start();
    let r = run_args(
        fake.cli(),
        &[
            "payments",
            "search",
            "nobody-has-this-name",
            "--format",
            "table",
        ],
    );
    r.ok();
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr, "no payments match this search\n");
}

#[test]
fn a_cut_listing_says_how_many_there_are() {
    let fake = Fake::with(FakeConfig::default().seed(3).payments(3_000));
    let total = fake.server.payment_ids(None, usize::MAX).len();
    assert!(total >= 1_000);
    let r = run_args(fake.cli(), &["payments", "list", "--format", "table"]);
    r.ok();
    assert_eq!(r.stdout.lines().count(), 21);
    let shown = format!("{},{:03}", total / 1000, total % 1000);
    assert_eq!(
        r.stderr,
        format!("20 of {shown} payments match (use --all for every one)\n")
    );
}

#[test]
fn export_refuses_formats_it_cannot_honour() {
    let fake = Fake::start();
    run_args(fake.cli(), &["payments", "export", "--format", "json"])
        .fails(2, "payments list --all --format json");
    let out = fake.path("x.xlsx");
    run(fake
        .cli()
        .args(["payments", "export", "--as", "csv", "--out"])
        .arg(&out))
    .fails(2, "contradicts");
    assert!(!out.exists());
    assert_eq!(fake.server.counters().requests.export_payments, 0);
}

#[test]
fn a_refund_above_what_is_left_is_refused_in_euros_before_anything_is_sent() {
    let fake = Fake::start();
    let id = fake.payment_in(PaymentState::Authorized);
    let got = run_args(
        fake.cli(),
        &["payments", "get", &id.to_string(), "--format", "json"],
    );
    let cents = serde_json::from_str::<serde_json::Value>(&got.stdout).unwrap()["amount"]
        .as_i64()
        .unwrap();
    let asked = format!("{}.{:02}", (cents + 1) / 100, (cents + 1) % 100);
    let r = run_args(
        fake.cli(),
        &[
            "payments",
            "refund",
            &id.to_string(),
            "--amount",
            &asked,
            "--yes",
            "--mfa-code",
            MFA_CODE,
        ],
    );
    r.fails(
        2,
        &format!("--amount {asked} EUR is more than what is left"),
    );
    assert!(
        r.stderr
            .contains(&format!("{}.{:02} EUR", cents / 100, cents % 100)),
        "{}",
        r.stderr
    );
    assert_eq!(fake.server.counters().requests.refund_payment, 0);

    let refunded = fake.payment_in(PaymentState::Refunded);
    run_args(
        fake.cli(),
        &[
            "payments",
            "refund",
            &refunded.to_string(),
            "--yes",
            "--mfa-code",
            MFA_CODE,
        ],
    )
    .fails(7, "already refunded");
    assert_eq!(fake.server.counters().requests.refund_payment, 0);
}

#[test]
fn verbose_shows_retries_and_colours_follow_no_color() {
    let fake = Fake::with(
        FakeConfig::default()
            .seed(7)
            .payments(50)
            .faults(FaultConfig::none().server_errors(1.0, 503)),
    );
    let id = fake.server.payment_ids(None, 1)[0].to_string();
    let r = run_args(fake.cli(), &["-v", "payments", "get", &id]);
    assert_eq!(r.code, 8, "{}", r.stderr);
    assert!(r.stderr.contains("retrying"), "{}", r.stderr);
    assert!(
        !r.stderr.contains('\u{1b}'),
        "colours on a pipe:\n{}",
        r.stderr
    );

    // Retries are logged, never the payer searched for.
    let search = run_args(fake.cli(), &["-vv", "payments", "search", "pierre robin"]);
    assert!(search.stderr.contains("retrying"), "{}", search.stderr);
    assert!(
        !search.stderr.to_lowercase().contains("robin"),
        "{}",
        search.stderr
    );

    let forced = run_args(
        fake.cli(),
        &["-v", "--color", "always", "payments", "get", &id],
    );
    assert!(forced.stderr.contains('\u{1b}'), "{}", forced.stderr);
    // NO_COLOR wins over auto, not over an explicit `always`.
    let no_color = run(fake
        .cli()
        .env("NO_COLOR", "1")
        .args(["-v", "--color", "auto", "payments", "get", &id]));
    assert!(!no_color.stderr.contains('\u{1b}'), "{}", no_color.stderr);
}

#[test]
fn help_shows_the_global_options_apart_and_once() {
    let home = tempfile::tempdir().unwrap();
    let r = run_args(bare(home.path()), &["payments", "list", "--help"]);
    r.ok();
    assert_eq!(
        r.stdout.matches("Global options:").count(),
        1,
        "{}",
        r.stdout
    );
    assert_eq!(r.stdout.matches("--client-id").count(), 1, "{}", r.stdout);
    let own = r.stdout.find("--limit").unwrap();
    let global = r.stdout.find("Global options:").unwrap();
    assert!(own < global, "{}", r.stdout);
    let top = run_args(bare(home.path()), &["--help"]);
    assert!(
        top.stdout
            .contains("csv when standard output is not a terminal"),
        "{}",
        top.stdout
    );
}

#[test]
fn a_long_listing_survives_a_flaky_link() {
    // One answer in five a 503, one in twenty a 429, one in twenty a reset.
    let fake = Fake::with(
        FakeConfig::default().seed(11).payments(400).faults(
            FaultConfig::none()
                .server_errors(0.2, 503)
                .rate_limited(0.05, 0)
                .resets(0.05),
        ),
    );
    let r = run_args(
        fake.cli(),
        &[
            "payments",
            "list",
            "--all",
            "--page-size",
            "20",
            "--format",
            "csv",
        ],
    );
    r.ok();
    let ids: Vec<i64> = csv::Reader::from_reader(r.stdout.as_bytes())
        .records()
        .map(|rec| rec.unwrap()[0].parse().unwrap())
        .collect();
    assert_eq!(ids, fake.server.payment_ids(None, usize::MAX));
}

/// A listing whose second page is refused says where it stopped; `--resume`
/// with that checkpoint prints the rest, and nothing twice.
#[test]
fn a_listing_that_stops_can_resume_from_its_checkpoint() {
    let server = crate::common::mock_helloasso();
    let page = |ids: &[i64], token: Option<&str>| {
        json!({
            "data": ids.iter().map(|id| json!({
                "id": id, "amount": 1000, "state": "Authorized",
                "date": "2025-03-01T10:00:00+01:00",
            })).collect::<Vec<_>>(),
            "pagination": {"pageSize": 2, "totalCount": 4, "pageIndex": 1, "totalPages": 2,
                           "continuationToken": token},
        })
    };
    let home = tempfile::tempdir().unwrap();
    let cli = || {
        let mut cmd = bare(home.path());
        cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
            .env("HELLOASSO_CLIENT_ID", "c")
            .env("HELLOASSO_CLIENT_SECRET", "s")
            .env("HELLOASSO_ORGANIZATION", "mock-org")
            .env("HELLOASSO_TOKEN_FILE", home.path().join("tokens.json"));
        cmd
    };
    StopsThenResumes {
        server: &server,
        path: "/v5/organizations/mock-org/payments",
        token: "after-3",
        first: page(&[4, 3], Some("after-3")),
        // Payment 3 straddles the join (a new payment came in between):
        // printed before the stop, it is not printed again.
        rest: page(&[3, 2, 1], None),
    }
    .check(
        cli,
        &[
            "payments",
            "list",
            "--all",
            "--page-size",
            "2",
            "--format",
            "csv",
        ],
        &["4", "3"],
        &["2", "1"],
    );
}

/// A checkpoint binds the filters it was made with: resumed with others it
/// would continue another selection, so it is refused before any request.
#[test]
fn a_checkpoint_resumed_with_other_filters_is_refused() {
    let server = crate::common::mock_helloasso();
    let path = "/v5/organizations/mock-org/payments";
    server.mock(|when, then| {
        when.method(GET)
            .path(path)
            .query_param_missing("continuationToken");
        then.status(200).json_body(json!({
            "data": [{ "id": 4, "amount": 1000, "state": "Authorized" }],
            "pagination": { "pageSize": 1, "continuationToken": "after-4" },
        }));
    });
    let refused = server.mock(|when, then| {
        when.method(GET)
            .path(path)
            .query_param("continuationToken", "after-4");
        then.status(400)
            .json_body(json!({"errors": [{"code": "BadRequest", "message": "refused"}]}));
    });
    let home = tempfile::tempdir().unwrap();
    let cli = || {
        let mut cmd = bare(home.path());
        cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
            .env("HELLOASSO_CLIENT_ID", "c")
            .env("HELLOASSO_CLIENT_SECRET", "s")
            .env("HELLOASSO_ORGANIZATION", "mock-org")
            .env("HELLOASSO_TOKEN_FILE", home.path().join("tokens.json"));
        cmd
    };
    let listing = [
        "payments",
        "list",
        "--all",
        "--page-size",
        "1",
        "--format",
        "csv",
    ];
    let stopped = run_args(cli(), &listing);
    assert_eq!(stopped.code, 7, "{}", stopped.stderr);
    let checkpoint = crate::resume::resume_hint(&stopped.stderr);
    let other = run_args(
        cli(),
        &[
            &listing[..],
            &["--state", "Refunded", "--resume", &checkpoint],
        ]
        .concat(),
    );
    other.fails(2, "other filters");
    assert_eq!(refused.calls(), 1, "the other selection was asked for");
    // A cut checkpoint is refused too, rather than taken for a token.
    let cut = &checkpoint[..checkpoint.len() - 3];
    run_args(cli(), &[&listing[..], &["--resume", cut]].concat()).fails(2, "damaged");
}

/// A listing cut by `--limit` that stops on a page keeps what it printed
/// but offers no `--resume`, which continues whole listings (`--all`) only.
#[test]
fn a_limited_listing_that_stops_offers_no_resume() {
    let server = crate::common::mock_helloasso();
    let path = "/v5/organizations/mock-org/payments";
    server.mock(|when, then| {
        when.method(GET)
            .path(path)
            .query_param_missing("continuationToken");
        then.status(200).json_body(json!({
            "data": [{ "id": 4, "amount": 1000, "state": "Authorized" },
                     { "id": 3, "amount": 1000, "state": "Authorized" }],
            "pagination": { "pageSize": 2, "continuationToken": "after-3" },
        }));
    });
    let refused = server.mock(|when, then| {
        when.method(GET)
            .path(path)
            .query_param("continuationToken", "after-3");
        then.status(400)
            .json_body(json!({"errors": [{"code": "BadRequest", "message": "refused"}]}));
    });
    let home = tempfile::tempdir().unwrap();
    let mut cmd = bare(home.path());
    cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
        .env("HELLOASSO_CLIENT_ID", "c")
        .env("HELLOASSO_CLIENT_SECRET", "s")
        .env("HELLOASSO_ORGANIZATION", "mock-org")
        .env("HELLOASSO_TOKEN_FILE", home.path().join("tokens.json"));
    let stopped = run_args(
        cmd,
        &[
            "payments",
            "list",
            "--limit",
            "4",
            "--page-size",
            "2",
            "--format",
            "csv",
        ],
    );
    assert_eq!(stopped.code, 7, "{}", stopped.stderr);
    assert!(!stopped.stderr.contains("--resume"), "{}", stopped.stderr);
    assert_eq!(stopped.stdout.lines().count(), 3, "{}", stopped.stdout);
    refused.assert_calls(1);
}

#[test]
fn a_very_long_listing_switches_to_a_larger_budget_without_a_gap_or_a_repeat() {
    let fake = Fake::start();
    let expected = fake.server.payment_ids(None, usize::MAX);
    // Five per page: more pages than the default long-listing budget fits.
    let pages = expected.len().div_ceil(5);
    assert!(pages > 16, "{pages}");
    let r = run_args(
        fake.cli(),
        &[
            "payments",
            "list",
            "--all",
            "--page-size",
            "5",
            "--format",
            "csv",
        ],
    );
    r.ok();
    let ids: Vec<i64> = csv::Reader::from_reader(r.stdout.as_bytes())
        .records()
        .map(|rec| rec.unwrap()[0].parse().unwrap())
        .collect();
    assert_eq!(ids, expected);
    // Each page once, plus the empty page that ends a continuation-token
    // listing and at most one page fetched ahead and dropped at the switch.
    let requests = fake.server.counters().requests.list_organization_payments;
    assert!(
        requests <= pages as u64 + 2,
        "{requests} requests for {pages} pages"
    );
}

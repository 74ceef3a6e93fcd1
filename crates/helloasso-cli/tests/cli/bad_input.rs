use crate::common::{Fake, bare, run, run_args};

#[test]
fn unknown_state_lists_the_valid_ones() {
    let fake = Fake::start();
    let r = run_args(
        fake.cli(),
        &["payments", "list", "--state", "Authorized,Paid"],
    );
    r.fails(2, "unknown payment state `Paid`");
    assert!(r.stderr.contains("Authorized, Refused"), "{}", r.stderr);
    assert_eq!(
        fake.server.counters().requests.list_organization_payments,
        0
    );
}

#[test]
fn malformed_date_says_the_expected_format() {
    let fake = Fake::start();
    for date in ["2025-13-01", "01/02/2025", "tomorrow"] {
        run_args(fake.cli(), &["payments", "list", "--from", date])
            .fails(2, "YYYY-MM-DD or RFC 3339");
    }
    run_args(fake.cli(), &["payments", "export", "--to", "2025-02-30"]).fails(2, "--to");
    run_args(
        fake.cli(),
        &[
            "payments",
            "list",
            "--from",
            "2025-02-01",
            "--to",
            "2025-01-01",
        ],
    )
    .fails(2, "must be before");
}

#[test]
fn malformed_amounts_and_forms() {
    let fake = Fake::start();
    run_args(
        fake.cli(),
        &["payments", "refund", "1", "--yes", "--amount", "12.345"],
    )
    .fails(2, "expected an amount in euros");
    run_args(
        fake.cli(),
        &["payments", "refund", "1", "--yes", "--amount", "-5"],
    )
    .fails(2, "must be positive");
    run_args(fake.cli(), &["payments", "list", "--form", "adhesion"]).fails(2, "TYPE/SLUG");
    run_args(fake.cli(), &["payments", "list", "--page-size", "500"]).fails(2, "1 to 100");
}

#[test]
fn missing_credentials_name_the_variable() {
    let fake = Fake::start();
    run(fake
        .cli()
        .env_remove("HELLOASSO_CLIENT_ID")
        .args(["payments", "list"]))
    .fails(3, "HELLOASSO_CLIENT_ID");
    run(fake
        .cli()
        .env("HELLOASSO_CLIENT_SECRET", "")
        .args(["auth", "check"]))
    .fails(3, "HELLOASSO_CLIENT_SECRET");
    run(fake
        .cli()
        .env_remove("HELLOASSO_ORGANIZATION")
        .args(["payments", "list"]))
    .fails(2, "HELLOASSO_ORGANIZATION");
}

#[test]
fn flags_work_without_the_environment() {
    let fake = Fake::start();
    let home = tempfile::tempdir().unwrap();
    let r = run(bare(home.path()).args([
        "--env",
        &fake.server.base_url(),
        "--client-id",
        fake.server.client_id(),
        "--client-secret",
        fake.server.client_secret(),
        "--org",
        fake.server.organization_slug(),
        "payments",
        "list",
        "--limit",
        "1",
        "--format",
        "jsonl",
    ]));
    r.ok();
    assert_eq!(r.stdout.lines().count(), 1);
}

#[test]
fn unreachable_url_is_a_network_error() {
    let home = tempfile::tempdir().unwrap();
    // Bound then released: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = run(bare(home.path())
        .env("HELLOASSO_CLIENT_ID", "id")
        .env("HELLOASSO_CLIENT_SECRET", "secret-value-xyz")
        .args([
            "--env",
            &format!("http://127.0.0.1:{port}"),
            "auth",
            "check",
        ]));
    r.fails(6, "could not talk to HelloAsso");
    assert!(!r.stderr.contains("secret-value-xyz"));
}

#[test]
fn plain_http_is_refused_off_loopback() {
    let home = tempfile::tempdir().unwrap();
    run(bare(home.path())
        .env("HELLOASSO_CLIENT_ID", "id")
        .env("HELLOASSO_CLIENT_SECRET", "secret")
        .args(["--env", "http://api.example.org", "auth", "check"]))
    .fails(2, "plain http");
    run(bare(home.path())
        .env("HELLOASSO_CLIENT_ID", "id")
        .env("HELLOASSO_CLIENT_SECRET", "secret")
        .args(["--env", "not a url", "auth", "check"]))
    .fails(2, "invalid --env");
}

#[test]
fn usage_errors_exit_2_and_help_lists_exit_codes() {
    let home = tempfile::tempdir().unwrap();
    let r = run(bare(home.path()).args(["payments", "frobnicate"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let help = run(bare(home.path()).arg("--help"));
    help.ok();
    assert!(help.stdout.contains("Exit codes:"), "{}", help.stdout);
    assert!(help.stdout.contains("5  multi-factor"), "{}", help.stdout);
}

#[test]
fn help_never_shows_secret_values() {
    let home = tempfile::tempdir().unwrap();
    let r = run(bare(home.path())
        .env("HELLOASSO_CLIENT_SECRET", "super-secret-in-env")
        .env("HELLOASSO_MFA_CODE", "778899")
        .args(["payments", "refund", "--help"]));
    r.ok();
    assert!(!r.stdout.contains("super-secret-in-env"), "{}", r.stdout);
    assert!(!r.stdout.contains("778899"), "{}", r.stdout);
}

#[test]
fn server_errors_exit_8() {
    use helloasso_fake::{FakeConfig, FaultConfig};
    // 500 is not retried (only 502/503/504 are), so the test stays fast.
    let fake = Fake::with(
        FakeConfig::default()
            .payments(50)
            .faults(FaultConfig::none().server_errors(1.0, 500)),
    );
    run_args(fake.cli(), &["payments", "list"]).fails(8, "HTTP 500");
}

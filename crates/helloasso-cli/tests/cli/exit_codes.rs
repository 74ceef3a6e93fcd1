//! Every exit code reached through the HelloAsso answer that documents it.
//! httpmock serves the answers the fake never gives on demand (a 502 on a
//! refund, a 403 on a read); each test says which answer leads to which code.

use std::process::Command;

use httpmock::prelude::*;
use serde_json::json;

use crate::common::{bare, run_args};

const TOKEN: &str = "mock-access-token";

/// A partial refund of the mocked payment 42, confirmed, with an MFA code
/// and no wait between the two read-backs of a lost answer.
const REFUND: [&str; 10] = [
    "payments",
    "refund",
    "42",
    "--amount",
    "1",
    "--yes",
    "--mfa-code",
    "123456",
    "--read-back-wait",
    "0",
];

/// A mock HelloAsso that hands out tokens, and a scratch home.
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
                "access_token": TOKEN,
                "refresh_token": "mock-refresh-token",
                "token_type": "bearer",
                "expires_in": 1800,
            }));
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

    /// `GET /v5/payments/42` answers `status` with a HelloAsso error body.
    fn payment_answers(&self, status: u16) {
        self.server.mock(|when, then| {
            when.method(GET).path("/v5/payments/42");
            then.status(status)
                .header("content-type", "application/json")
                .header("retry-after", "0")
                .json_body(error_body(status));
        });
    }

    /// `GET /v5/payments/42` finds a refundable payment.
    fn payment_exists(&self) {
        self.server.mock(|when, then| {
            when.method(GET).path("/v5/payments/42");
            then.status(200).json_body(json!({
                "id": 42,
                "amount": 1000,
                "state": "Authorized",
                "date": "2025-03-01T10:00:00+01:00",
            }));
        });
    }

    /// `POST /v5/payments/42/refund` answers `status`; its hit counter.
    fn refund_answers(&self, status: u16) -> httpmock::Mock<'_> {
        self.server.mock(|when, then| {
            when.method(POST)
                .path("/v5/payments/42/refund")
                .header("authorization", format!("Bearer {TOKEN}"));
            then.status(status)
                .header("content-type", "application/json")
                .header("retry-after", "0")
                .json_body(error_body(status));
        })
    }

    fn refund(&self) -> crate::common::Run {
        run_args(self.cli(), &REFUND)
    }
}

fn error_body(status: u16) -> serde_json::Value {
    match status {
        409 => json!({ "errors": [{
            "code": "AuthorizationErrors.MFA.AccessOtpSmsRequired",
            "message": "An SMS code is required."
        }]}),
        _ => json!({ "errors": [{ "code": format!("Mock{status}"), "message": "mock answer" }]}),
    }
}

#[test]
fn a_read_gets_the_code_its_answer_documents() {
    for (status, code) in [
        (401, 3),
        (403, 3),
        (404, 4),
        (400, 7),
        (422, 7),
        (429, 8),
        (500, 8),
        (502, 8),
        (503, 8),
        (504, 8),
    ] {
        let api = Api::start();
        api.payment_answers(status);
        let r = run_args(api.cli(), &["payments", "get", "42"]);
        assert_eq!(
            r.code, code,
            "HTTP {status}: stdout {} stderr {}",
            r.stdout, r.stderr
        );
        assert!(r.stderr.starts_with("error: "), "{status}: {}", r.stderr);
    }
}

#[test]
fn refused_credentials_exit_3() {
    let api = Api {
        server: MockServer::start(),
        dir: tempfile::tempdir().unwrap(),
    };
    api.server.mock(|when, then| {
        when.method(POST).path("/oauth2/token");
        then.status(400).json_body(json!({
            "error": "invalid_client",
            "error_description": "Invalid client"
        }));
    });
    run_args(api.cli(), &["payments", "get", "42"]).fails(3, "invalid_client");
}

#[test]
fn an_unreachable_server_exits_6() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bare(dir.path());
    cmd.env("HELLOASSO_CLIENT_SECRET", "s");
    let r = run_args(
        cmd,
        &[
            "--env",
            &format!("http://127.0.0.1:{port}"),
            "--client-id",
            "id",
            "--org",
            "org",
            "payments",
            "get",
            "42",
        ],
    );
    r.fails(6, "never reached HelloAsso");
}

#[test]
fn a_refund_answered_with_a_server_error_is_read_back_and_never_re_sent() {
    for status in [500, 502, 504] {
        let api = Api::start();
        api.payment_exists();
        let refund = api.refund_answers(status);
        let r = api.refund();
        // The payment, read back twice, lists no new refund operation. That
        // proves nothing (HelloAsso may apply it later): exit 10, not 8.
        r.fails(10, "outcome unknown");
        assert!(
            r.stderr.contains(&format!("HTTP {status}")),
            "{status}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("nothing was refunded"), "{}", r.stderr);
        let all = format!("{}{}", r.stdout, r.stderr).to_lowercase();
        assert!(!all.contains("try again"), "{status}: {all}");
        assert!(!all.contains("retry later"), "{status}: {all}");
        assert_eq!(refund.calls(), 1, "HTTP {status}: the refund was re-sent");
    }
}

/// Runs `helloasso` with `args` in the background; once `sent` has been
/// called, `meanwhile` changes the server; then the run's result.
fn run_while(
    api: &Api,
    args: &[&str],
    sent: &httpmock::Mock<'_>,
    meanwhile: impl FnOnce(),
) -> crate::common::Run {
    let mut cmd = api.cli();
    cmd.args(args);
    crate::common::run_while(cmd, sent, meanwhile)
}

#[test]
fn a_refund_answered_504_and_applied_after_the_read_back_exits_10_and_is_sent_once() {
    // A hostile HelloAsso: the refund is answered 504, the payment lists
    // no refund while the CLI reads it back, and the refund shows up once
    // the read-back window is over (as a gateway timeout in front of a slow
    // backend does).
    let api = Api::start();
    let mut before = api.server.mock(|when, then| {
        when.method(GET).path("/v5/payments/42");
        then.status(200).json_body(json!({
            "id": 42, "amount": 1000, "state": "Authorized",
            "date": "2025-03-01T10:00:00+01:00", "refundOperations": [],
        }));
    });
    let refund = api.refund_answers(504);
    let r = run_args(api.cli(), &REFUND);
    before.delete();
    api.server.mock(|when, then| {
        when.method(GET).path("/v5/payments/42");
        then.status(200).json_body(json!({
            "id": 42, "amount": 1000, "state": "Authorized",
            "date": "2025-03-01T10:00:00+01:00",
            "refundOperations": [{"id": 9001, "amount": 100, "status": "Processed"}],
        }));
    });
    r.fails(10, "outcome unknown");
    assert!(r.stderr.contains("HTTP 504"), "{}", r.stderr);
    assert!(r.stderr.contains("does not prove"), "{}", r.stderr);
    assert!(r.stderr.contains("payments get 42"), "{}", r.stderr);
    assert!(!r.stderr.contains("nothing was refunded"), "{}", r.stderr);
    assert!(!r.stderr.contains("can be run later"), "{}", r.stderr);
    assert_eq!(refund.calls(), 1, "the refund was re-sent");
    // The refund was applied after all: what exit 8 would have let a script
    // do (run it again) would have refunded twice.
    let shown = run_args(api.cli(), &["payments", "get", "42", "--format", "json"]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(shown.stdout.contains("9001"), "{}", shown.stdout);
    assert_eq!(refund.calls(), 1);
}

#[test]
fn a_refund_read_back_as_refused_exits_8_saying_nothing_was_refunded() {
    let api = Api::start();
    let mut before = api.server.mock(|when, then| {
        when.method(GET).path("/v5/payments/42");
        then.status(200).json_body(json!({
            "id": 42, "amount": 1000, "state": "Authorized",
            "date": "2025-03-01T10:00:00+01:00", "refundOperations": [],
        }));
    });
    // Late, so that the payment can change while the CLI waits.
    let refund = api.server.mock(|when, then| {
        when.method(POST).path("/v5/payments/42/refund");
        then.status(504)
            .delay(std::time::Duration::from_millis(1500))
            .header("content-type", "application/json")
            .json_body(error_body(504));
    });
    let r = run_while(&api, &REFUND, &refund, || {
        before.delete();
        api.server.mock(|when, then| {
            when.method(GET).path("/v5/payments/42");
            then.status(200).json_body(json!({
                "id": 42, "amount": 1000, "state": "Authorized",
                "date": "2025-03-01T10:00:00+01:00",
                "refundOperations": [{"id": 9001, "amount": 100, "status": "Refused"}],
            }));
        });
    });
    r.fails(8, "nothing was refunded");
    assert!(r.stderr.contains("Refused"), "{}", r.stderr);
    assert_eq!(refund.calls(), 1, "the refund was re-sent");
}

#[test]
fn a_refund_whose_payment_cannot_be_read_back_exits_10_and_is_sent_once() {
    let api = Api::start();
    let mut payment = api.server.mock(|when, then| {
        when.method(GET).path("/v5/payments/42");
        then.status(200).json_body(json!({
            "id": 42, "amount": 1000, "state": "Authorized",
            "date": "2025-03-01T10:00:00+01:00",
        }));
    });
    // The refund's 502 comes late, so that the payment can vanish from the
    // API while the CLI waits for it: the read-back then fails.
    let refund = api.server.mock(|when, then| {
        when.method(POST).path("/v5/payments/42/refund");
        then.status(502)
            .delay(std::time::Duration::from_millis(1500))
            .header("content-type", "application/json")
            .json_body(error_body(502));
    });
    let r = run_while(&api, &REFUND, &refund, || {
        payment.delete();
        api.payment_answers(404);
    });
    r.fails(10, "outcome unknown");
    assert!(r.stderr.contains("payments get 42"), "{}", r.stderr);
    let all = format!("{}{}", r.stdout, r.stderr).to_lowercase();
    assert!(!all.contains("try again"), "{all}");
    assert_eq!(refund.calls(), 1, "the refund was re-sent");
}

#[test]
fn a_refund_refused_before_acting_keeps_its_own_code() {
    for (status, code) in [(409, 5), (400, 7), (403, 3), (429, 8)] {
        let api = Api::start();
        api.payment_exists();
        let refund = api.refund_answers(status);
        let r = api.refund();
        assert_eq!(
            r.code, code,
            "HTTP {status}: stdout {} stderr {}",
            r.stdout, r.stderr
        );
        // A 409 is asked once without a proof, once with the given code
        // (never more: a refused code is not re-sent); 429s are retried,
        // HelloAsso having done nothing.
        let expected = match status {
            409 => 2,
            429 => refund.calls().max(1),
            _ => 1,
        };
        assert_eq!(refund.calls(), expected, "HTTP {status}");
    }
}

#[test]
fn a_checkout_creation_answered_502_exits_10_and_is_sent_once() {
    let api = Api::start();
    let create = api.server.mock(|when, then| {
        when.method(POST)
            .path("/v5/organizations/mock-org/checkout-intents");
        then.status(502).body("<html>Bad gateway</html>");
    });
    let r = run_args(
        api.cli(),
        &[
            "checkout",
            "create",
            "--item",
            "Adhésion",
            "--amount",
            "30",
            "--return-url",
            "https://example.org/merci",
        ],
    );
    r.fails(10, "outcome unknown");
    assert!(
        !r.stderr.to_lowercase().contains("try again"),
        "{}",
        r.stderr
    );
    assert_eq!(create.calls(), 1);
}

#[test]
fn a_bad_webhook_signature_exits_9() {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body.json");
    std::fs::write(&body, br#"{"eventType":"Payment","data":{}}"#).unwrap();
    let mut cmd = bare(dir.path());
    cmd.env("HELLOASSO_WEBHOOK_KEY", "the-key");
    run_args(
        cmd,
        &[
            "webhook",
            "verify",
            body.to_str().unwrap(),
            "--signature",
            "00ff",
        ],
    )
    .fails(9, "do not trust");
}

#[test]
fn a_summary_of_absurd_amounts_is_an_error_not_a_wrapped_total() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v5/organizations/mock-org/payments");
        then.status(200).json_body(json!({
            "data": [
                { "id": 1, "amount": 9_000_000_000_000_000_000i64, "state": "Authorized" },
                { "id": 2, "amount": 9_000_000_000_000_000_000i64, "state": "Authorized" },
            ],
            "pagination": { "pageSize": 100 },
        }));
    });
    let r = run_args(api.cli(), &["payments", "summary", "--format", "csv"]);
    // Not a panic (debug builds) nor a wrapped, negative total (release).
    r.fails(1, "impossible amount");
    assert!(!r.stderr.contains("internal error"), "{}", r.stderr);
    // No totals row: at most the header, printed before the first page.
    assert!(!r.stdout.contains("TOTAL"), "{}", r.stdout);
}

#[test]
fn a_refund_check_with_an_absurd_refunded_amount_sends_nothing() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v5/payments/42");
        then.status(200).json_body(json!({
            "id": 42, "amount": 1000, "state": "Authorized",
            "date": "2025-03-01T10:00:00+01:00",
            // 1000 less this would wrap to a huge amount left to refund.
            "refundOperations": [
                { "id": 7, "amount": -9_223_372_036_854_775_807i64, "status": "Processed" },
            ],
        }));
    });
    let refund = api.refund_answers(200);
    let r = api.refund();
    r.fails(1, "impossible amount");
    assert!(r.stderr.contains("nothing was sent"), "{}", r.stderr);
    assert_eq!(refund.calls(), 0, "the refund was sent");
}

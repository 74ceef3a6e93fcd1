//! Error messages that name what the user typed and say what to do, where
//! HelloAsso's answer alone is generic: an order with nothing left to
//! cancel, an unknown payment id, a bad `--return-url`, a refused MFA code,
//! a cancellation whose answer was lost.

use helloasso_fake::PaymentState;
use httpmock::prelude::*;
use serde_json::json;

use crate::common::{Fake, MFA_CODE, bare, run_args};

#[test]
fn an_order_with_nothing_to_cancel_is_named_with_what_to_do() {
    let fake = Fake::start();
    // A refunded payment's order has no instalment to come.
    let order = fake
        .server
        .payment_figures()
        .into_iter()
        .find(|p| p.state == PaymentState::Refunded)
        .expect("a refunded payment")
        .order_id
        .to_string();
    let r = run_args(fake.cli(), &["orders", "cancel", &order, "--yes"]);
    r.fails(
        7,
        &format!("order {order} has no instalment left to cancel"),
    );
    assert!(
        r.stderr.contains(&format!(
            "`helloasso orders get {order}` shows its payments"
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was changed"), "{}", r.stderr);
    assert!(!r.stderr.contains("check the request"), "{}", r.stderr);
}

#[test]
fn an_unknown_id_is_named_and_the_organization_is_not_blamed() {
    let fake = Fake::start();
    for (args, what, find) in [
        (
            &["payments", "get", "1"][..],
            "payment 1",
            "`helloasso payments list`",
        ),
        (
            &["payments", "refund", "1", "--yes"][..],
            "payment 1",
            "`helloasso payments list`",
        ),
        (
            &["orders", "get", "1"][..],
            "order 1",
            "`helloasso orders list`",
        ),
    ] {
        let r = run_args(fake.cli(), args);
        r.fails(4, &format!("error: {what} does not exist"));
        assert!(r.stderr.contains(find), "{}", r.stderr);
        assert!(r.stderr.contains("check the id"), "{}", r.stderr);
        assert!(!r.stderr.contains("organization slug"), "{}", r.stderr);
    }
}

#[test]
fn a_bad_redirect_url_is_named_by_the_flag_that_was_typed() {
    let fake = Fake::start();
    let create = |extra: &[&str]| {
        run_args(
            fake.cli(),
            &[
                &["checkout", "create", "--item", "Adhésion", "--amount", "10"][..],
                extra,
            ]
            .concat(),
        )
    };
    // The back and error URLs default to it: the flag to fix is this one.
    let r = create(&["--return-url", "http://example.org/done"]);
    r.fails(2, "--return-url");
    assert!(r.stderr.contains("must be an https URL"), "{}", r.stderr);
    assert!(!r.stderr.contains("back_url"), "{}", r.stderr);
    let r = create(&[
        "--return-url",
        "https://example.org/done",
        "--back-url",
        "ftp://example.org/back",
    ]);
    r.fails(2, "error: --back-url `ftp://example.org/back`");
    assert_eq!(fake.server.counters().checkout_intents_created, 0);
}

#[test]
fn a_refused_mfa_code_is_named_by_its_flag_and_attempts_are_not_said_gone() {
    // The fake's refunds ask for an SMS code, which is not 000000.
    let fake = Fake::start();
    assert_ne!(MFA_CODE, "000000");
    let id = fake.payment_in(PaymentState::Authorized).to_string();
    let r = run_args(
        fake.cli(),
        &["payments", "refund", &id, "--yes", "--mfa-code", "000000"],
    );
    r.fails(5, "HelloAsso refused the MFA code given with --mfa-code");
    assert!(r.stderr.contains("nothing was refunded"), "{}", r.stderr);
    assert!(
        r.stderr.contains("run the command again with the code"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("no attempt is left"), "{}", r.stderr);
    assert_eq!(fake.server.counters().refunds_executed, 0);
}

#[test]
fn a_lost_cancel_answer_says_that_running_it_again_is_safe() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path("/oauth2/token");
        then.status(200).json_body(json!({
            "access_token": "mock-access-token",
            "refresh_token": "mock-refresh-token",
            "token_type": "bearer",
            "expires_in": 1800,
        }));
    });
    server.mock(|when, then| {
        when.method(GET).path("/v5/orders/77");
        then.status(200)
            .json_body(json!({ "id": 77, "amount": { "total": 4500 } }));
    });
    let cancel = server.mock(|when, then| {
        when.method(POST).path("/v5/orders/77/cancel");
        then.status(504)
            .header("content-type", "application/json")
            .json_body(json!({ "errors": [{ "code": "Mock504", "message": "timeout" }] }));
    });
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bare(dir.path());
    cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
        .env("HELLOASSO_CLIENT_ID", "mock-client")
        .env("HELLOASSO_CLIENT_SECRET", "mock-secret")
        .env("HELLOASSO_ORGANIZATION", "mock-org")
        .env("HELLOASSO_TOKEN_FILE", dir.path().join("tokens.json"));
    let r = run_args(cmd, &["orders", "cancel", "77", "--yes"]);
    r.fails(10, "the cancellation of order 77 was sent, outcome unknown");
    assert!(
        r.stderr.contains(
            "running the same command again is safe, since a second cancellation changes nothing"
        ),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("twice"), "{}", r.stderr);
    cancel.assert_calls(1);
}

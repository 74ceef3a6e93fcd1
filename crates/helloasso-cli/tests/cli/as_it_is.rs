//! The CLI held to HelloAsso as it is: real payloads in, the same bytes
//! out where a user relies on them, and HelloAsso's refusals named.

use helloasso_fake::{FakeConfig, PaymentState};
use httpmock::prelude::*;
use serde_json::{Value, json};

use crate::common::{Fake, MFA_CODE, bare, run, run_args};

/// The `data` of a real Payment notification: a payment as HelloAsso
/// writes it (`tests/data/samples/PROVENANCE.md` says where each is from).
fn sample_payment(file: &str) -> Value {
    let path = format!(
        "{}/../../tests/data/samples/webhooks/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["data"].clone()
}

/// Sample 09 writes seven fractional digits (`…11.6878813+00:00`) and
/// sample 41 HelloAsso's "no date" (`0001-01-01T00:00:00+00:00`): a
/// listing in JSON gives both back byte for byte, not re-formatted.
#[test]
fn payments_list_as_json_gives_back_a_real_samples_date_strings() {
    let payments = [
        sample_payment("09_Payment_event_2020__jymaire_hellos.json"),
        sample_payment("41_sandbox_Payment_event_MinValue_dates__darkstack_helloasso.json"),
    ];
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path("/oauth2/token");
        then.status(200).json_body(json!({
            "access_token": "t", "refresh_token": "r", "token_type": "bearer", "expires_in": 1800,
        }));
    });
    server.mock(|when, then| {
        when.method(GET).path("/v5/organizations/mock-org/payments");
        then.status(200).json_body(json!({
            "data": payments,
            "pagination": { "pageSize": 20, "pageIndex": 1, "totalCount": 2, "totalPages": 1 },
        }));
    });
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bare(dir.path());
    cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
        .env("HELLOASSO_CLIENT_ID", "mock-client")
        .env("HELLOASSO_CLIENT_SECRET", "mock-secret")
        .env("HELLOASSO_ORGANIZATION", "mock-org")
        .env("HELLOASSO_TOKEN_FILE", dir.path().join("tokens.json"))
        .args(["payments", "list", "--format", "json"]);
    let r = run(&mut cmd);
    r.ok();
    let listed: Vec<Value> = serde_json::from_str(&r.stdout).expect("a JSON array");
    assert_eq!(listed.len(), 2, "{}", r.stdout);
    assert_eq!(listed[0]["date"], "2020-11-14T11:13:11.6878813+00:00");
    assert_eq!(listed[1]["date"], "2023-09-11T22:55:04.923001+02:00");
    assert_eq!(listed[1]["cashOutDate"], "0001-01-01T00:00:00+00:00");
    for (got, sample) in listed.iter().zip(&payments) {
        for key in ["date", "cashOutDate"] {
            assert_eq!(got.get(key), sample.get(key), "{key}");
        }
    }
}

/// An association's client lacks `RefundManagement` unless HelloAsso
/// grants it: the refused refund names the privilege, says nothing was
/// refunded, and was sent once.
#[test]
fn a_refund_refused_for_a_missing_privilege_names_refund_management() {
    let fake = Fake::with(FakeConfig::default().seed(7).payments(50).association(true));
    let id = fake
        .server
        .payment_figures()
        .into_iter()
        .find(|p| p.state == PaymentState::Authorized && p.refunded_cents == 0)
        .expect("a refundable payment")
        .id;
    let r = run_args(
        fake.cli(),
        &[
            "payments",
            "refund",
            &id.to_string(),
            "--yes",
            "--mfa-code",
            MFA_CODE,
        ],
    );
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("RefundManagement"), "{}", r.stderr);
    assert_eq!(fake.server.counters().refunds_executed, 0);
}

//! The harness itself: a tampered recording fails with a message naming the
//! mismatch, and a broken cassette fails with its file and line, never a
//! panic inside the harness.

use crate::contract;

use std::path::Path;

use contract::ContractError;
use helloasso_recorder::cassette::{self, CassetteError, SpecIndex};
use helloasso_recorder::scenario;

fn text(name: &str) -> String {
    std::fs::read_to_string(contract::cassettes_dir().join(format!("{name}.yaml")))
        .unwrap_or_else(|e| panic!("reading cassette {name}: {e}"))
}

/// Replays in-memory cassette text through the scenario `scenario`.
async fn replay_text(scenario: &str, text: &str) -> Result<(), ContractError> {
    let file = Path::new("memory").join(format!("{scenario}.yaml"));
    let cassette =
        cassette::parse(&file, text, &SpecIndex::workspace()).map_err(ContractError::Cassette)?;
    let scenario = scenario::by_name(scenario).expect("a scenario of the recorder");
    contract::replay(&cassette, scenario).await
}

#[tokio::test]
async fn a_query_parameter_deleted_from_the_recording_is_named() {
    let original = text("get_payment");
    let tampered = original.replacen("  - name: states\n    value: Authorized\n", "", 1);
    assert_ne!(original, tampered, "the cassette filters on states");
    let message = replay_text("get_payment", &tampered)
        .await
        .expect_err("a request the recording lacks")
        .to_string();
    assert!(
        message.contains("query parameter `states=Authorized` sent but not recorded"),
        "{message}"
    );
    assert!(message.contains("closest is line"), "{message}");
}

#[tokio::test]
async fn a_missing_mfa_header_in_the_recording_is_named() {
    let tampered = text("refund_mfa_sms").replacen(
        "  - name: x-mfa-sms-access-authorization\n    value: <MFA_CODE>\n",
        "",
        1,
    );
    let message = replay_text("refund_mfa_sms", &tampered)
        .await
        .expect_err("the proof is sent but not recorded")
        .to_string();
    assert!(
        message.contains("header `x-mfa-sms-access-authorization` sent but not recorded"),
        "{message}"
    );
}

#[tokio::test]
async fn a_recorded_request_never_sent_fails_the_replay() {
    // The search entry again: recorded twice, sent once.
    let original = text("search_payments");
    let search = original
        .split("\n---\n")
        .find(|doc| doc.starts_with("operation: search_payments"))
        .expect("a search entry");
    let doubled = format!("{}\n---\n{search}\n", original.trim_end());
    let message = replay_text("search_payments", &doubled)
        .await
        .expect_err("one search is missing")
        .to_string();
    assert!(
        message.contains("was recorded 2 time(s) but sent 1 time(s)"),
        "{message}"
    );
}

#[test]
fn invalid_yaml_names_the_file_and_line() {
    let mut broken = text("get_payment_not_found");
    // Line 9 of the file is inside the first document.
    let lines: Vec<&str> = broken.lines().collect();
    let line = lines
        .iter()
        .position(|l| l.starts_with("  path: /oauth2/token"))
        .expect("the token entry")
        + 1;
    broken = broken.replacen("  path: /oauth2/token", "  path: [/oauth2/token", 1);
    let err = cassette::parse(
        Path::new("tests/cassettes/bad.yaml"),
        &broken,
        &SpecIndex::workspace(),
    )
    .expect_err("not YAML");
    assert!(matches!(err, CassetteError::Yaml { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.starts_with("tests/cassettes/bad.yaml:"),
        "{message}"
    );
    let CassetteError::Yaml { line: at, .. } = err else {
        unreachable!()
    };
    // The parser notices the unclosed flow sequence on this line or the next.
    assert!(
        (line..=line + 1).contains(&at),
        "line {at}, expected {line}: {message}"
    );
}

#[test]
fn an_operation_the_spec_lacks_names_the_file_line_and_operation() {
    let original = text("get_payment_not_found");
    let tampered = original.replacen("operation: get_payment\n", "operation: get_payments\n", 1);
    let line = tampered
        .lines()
        .position(|l| l == "operation: get_payments")
        .expect("the renamed operation")
        + 1;
    let err = cassette::parse(Path::new("x.yaml"), &tampered, &SpecIndex::workspace())
        .expect_err("unknown operation");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "x.yaml:{line}: operation `get_payments` is not in"
        )),
        "{message}"
    );
}

#[test]
fn an_unknown_field_is_refused_rather_than_ignored() {
    // httpmock would accept `query_param_exists`; a replay that ignored it
    // would match more loosely than the recording says.
    let tampered = text("get_payment_not_found").replacen(
        "  path: /v5/payments/1\n",
        "  path: /v5/payments/1\n  query_param_exists: [x]\n",
        1,
    );
    let err = cassette::parse(Path::new("x.yaml"), &tampered, &SpecIndex::workspace())
        .expect_err("unknown field");
    assert!(
        err.to_string()
            .contains("unknown field `query_param_exists`"),
        "{err}"
    );
}

#[tokio::test]
async fn a_missing_cassette_is_an_error_not_a_panic() {
    let err = contract::replay_file(Path::new("tests/cassettes/nope.yaml"))
        .await
        .expect_err("no such file");
    assert!(err.to_string().contains("nope.yaml: cannot read"), "{err}");
}

/// `scenario`'s cassette with `from` replaced once by `to`; the tamper must
/// change something.
fn tampered(scenario: &str, from: &str, to: &str) -> String {
    let original = text(scenario);
    let tampered = original.replacen(from, to, 1);
    assert_ne!(original, tampered, "`{from}` is not in {scenario}.yaml");
    tampered
}

#[tokio::test]
async fn a_tampered_path_is_named() {
    let path = text("get_payment")
        .lines()
        .find(|l| l.starts_with("  path: /v5/payments/"))
        .expect("a payment read")
        .to_owned();
    let other = format!("{path}9");
    let message = replay_text("get_payment", &tampered("get_payment", &path, &other))
        .await
        .expect_err("the path sent is not the one recorded")
        .to_string();
    let sent = path.trim_start_matches("  path: ");
    assert!(
        message.contains(&format!("path differs: sent `{sent}`, recorded `{sent}9`")),
        "{message}"
    );
}

#[test]
fn a_tampered_method_is_refused_with_its_path() {
    // No operation of the spec reads a payment with DELETE.
    let original = text("get_payment");
    let payment = original
        .split("\n---\n")
        .find(|doc| doc.starts_with("operation: get_payment\n"))
        .expect("a payment read");
    let broken = original.replacen(
        payment,
        &payment.replacen("  method: GET\n", "  method: DELETE\n", 1),
        1,
    );
    assert_ne!(original, broken);
    let err = cassette::parse(Path::new("x.yaml"), &broken, &SpecIndex::workspace())
        .expect_err("the method matches no operation");
    let message = err.to_string();
    assert!(
        message.contains("`operation: get_payment` does not match `DELETE /v5/payments/"),
        "{message}"
    );
}

#[test]
fn an_operation_that_does_not_match_its_path_is_refused() {
    // A known operation, but not the one this path and method are.
    let broken = tampered(
        "get_payment_not_found",
        "operation: get_payment\n",
        "operation: list_organization_payments\n",
    );
    let line = broken
        .lines()
        .position(|l| l == "operation: list_organization_payments")
        .expect("the renamed operation")
        + 1;
    let err = cassette::parse(Path::new("x.yaml"), &broken, &SpecIndex::workspace())
        .expect_err("operation and path disagree");
    let message = err.to_string();
    assert!(message.starts_with(&format!("x.yaml:{line}:")), "{message}");
    assert!(
        message.contains("does not match `GET /v5/payments/1`, which is get_payment"),
        "{message}"
    );
}

#[tokio::test]
async fn a_tampered_form_field_is_named() {
    let broken = tampered(
        "checkout_create_and_get",
        "  - name: grant_type\n    value: client_credentials\n",
        "  - name: grant_type\n    value: password\n",
    );
    let message = replay_text("checkout_create_and_get", &broken)
        .await
        .expect_err("the grant sent is not the one recorded")
        .to_string();
    assert!(
        message.contains("form field `grant_type=client_credentials` sent but not recorded"),
        "{message}"
    );
    assert!(
        message.contains("form field `grant_type=password` recorded but not sent"),
        "{message}"
    );
}

#[tokio::test]
async fn a_tampered_json_body_is_named() {
    let broken = tampered(
        "checkout_create_and_get",
        "    initialAmount: 5000\n",
        "    initialAmount: 4999\n",
    );
    let message = replay_text("checkout_create_and_get", &broken)
        .await
        .expect_err("the body sent is not the one recorded")
        .to_string();
    assert!(message.contains("JSON body differs"), "{message}");
    assert!(message.contains("4999"), "{message}");
}

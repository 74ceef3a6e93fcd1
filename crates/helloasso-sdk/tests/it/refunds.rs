//! Refunds against httpmock on loopback: HelloAsso's 409 MFA answers, the
//! provider loop and its bound, and input refused before sending.

use crate::common;

use std::sync::{Arc, Mutex};

use common::*;
use helloasso_sdk::{Cents, Error, FixedMfaCode, MfaChallenge, MfaProof, SecretString, mfa_fn};
use httpmock::Method::POST;
use httpmock::MockServer;
use serde_json::json;

const REFUND: &str = "/v5/payments/42/refund";
const SMS_HEADER: &str = "x-mfa-sms-access-authorization";

fn mfa_conflict(code: &str) -> serde_json::Value {
    json!({"errors": [{"code": code, "message": "A second factor is required."}]})
}

fn refund_operation() -> serde_json::Value {
    json!({"id": 9001, "paymentId": 42, "amount": 500, "state": "Processed"})
}

/// A provider answering `code` and recording what it was asked.
fn recording_provider(
    code: &'static str,
) -> (
    impl helloasso_sdk::MfaProvider + 'static,
    Arc<Mutex<Vec<MfaChallenge>>>,
) {
    let asked: Arc<Mutex<Vec<MfaChallenge>>> = Arc::default();
    let log = asked.clone();
    let provider = mfa_fn(move |challenge| {
        log.lock().unwrap().push(challenge);
        async move { Some(SecretString::from(code)) }
    });
    (provider, asked)
}

#[tokio::test]
async fn sms_otp_from_the_provider_gets_the_refund_through() {
    let (server, client) = server_and_client().await;
    let without_proof = server
        .mock_async(|when, then| {
            when.method(POST).path(REFUND).header_missing(SMS_HEADER);
            then.status(409)
                .json_body(mfa_conflict("AuthorizationErrors.MFA.AccessOtpSmsRequired"));
        })
        .await;
    let with_proof = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(REFUND)
                .header(SMS_HEADER, "123456")
                .header("authorization", "Bearer access-1")
                .query_param("amount", "500")
                .query_param("comment", "Cancelled event")
                .query_param("cancelOrder", "true")
                .query_param("sendRefundMail", "false");
            then.status(200).json_body(refund_operation());
        })
        .await;

    let (provider, asked) = recording_provider("123456");
    let operation = client
        .payment(42)
        .refund()
        .amount(Cents(500))
        .comment("Cancelled event")
        .cancel_order(true)
        .send_refund_mail(false)
        .mfa_provider(provider)
        .await
        .unwrap();
    assert_eq!(operation.id, Some(9001));
    without_proof.assert_calls_async(1).await;
    with_proof.assert_calls_async(1).await;

    let asked = asked.lock().unwrap();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].proof, MfaProof::SmsOtp);
    assert_eq!(asked[0].attempt, 1);
    assert_eq!(asked[0].payment_id, 42);
    assert!(!asked[0].previous_proof_rejected);
}

#[tokio::test]
async fn a_provider_that_keeps_failing_stops_after_the_bound() {
    let (server, client) = server_and_client().await;
    // A wrong code is answered like a missing one: 409 with the same code.
    let refunds = server
        .mock_async(|when, then| {
            when.method(POST).path(REFUND);
            then.status(409)
                .json_body(mfa_conflict("AuthorizationErrors.MFA.AccessOtpSmsRequired"));
        })
        .await;
    // A new (wrong) code each time: a refused code is never sent again.
    let asked: Arc<Mutex<Vec<MfaChallenge>>> = Arc::default();
    let log = asked.clone();
    let provider = mfa_fn(move |challenge: MfaChallenge| {
        let code = format!("00000{}", challenge.attempt);
        log.lock().unwrap().push(challenge);
        async move { Some(SecretString::from(code)) }
    });
    let err = client
        .payment(42)
        .refund()
        .mfa_provider(provider)
        .max_mfa_attempts(2)
        .await
        .unwrap_err();
    match &err {
        Error::MfaAttemptsExhausted {
            proof, attempts, ..
        } => {
            assert_eq!(*proof, MfaProof::SmsOtp);
            assert_eq!(*attempts, 2);
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.to_string().contains("00000"), "{err}");
    assert!(!format!("{err:?}").contains("00000"));
    // The first request, then one per proof.
    refunds.assert_calls_async(3).await;
    let asked = asked.lock().unwrap();
    assert_eq!(
        asked.iter().map(|c| c.attempt).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(asked[1].previous_proof_rejected);
}

/// A code given again after HelloAsso refused it ends the refund (it is
/// never re-sent), with attempts left: the error says what happened and
/// what to do, not that no attempt is left.
#[tokio::test]
async fn a_repeated_refused_code_stops_without_claiming_no_attempt_is_left() {
    let (server, client) = server_and_client().await;
    let refunds = server
        .mock_async(|when, then| {
            when.method(POST).path(REFUND);
            then.status(409)
                .json_body(mfa_conflict("AuthorizationErrors.MFA.AccessOtpSmsRequired"));
        })
        .await;
    let provider = mfa_fn(|_: MfaChallenge| async { Some(SecretString::from("111111")) });
    let err = client
        .payment(42)
        .refund()
        .mfa_provider(provider)
        .max_mfa_attempts(3)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::MfaAttemptsExhausted { attempts: 1, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(!text.contains("no attempt is left"), "{text}");
    assert!(text.contains("nothing was refunded"), "{text}");
    assert!(text.contains("obtain a new proof"), "{text}");
    // The first request and the one proof: the repeat was never sent.
    refunds.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_provider_giving_up_leaves_the_typed_mfa_error() {
    let (server, client) = server_and_client().await;
    let refunds = server
        .mock_async(|when, then| {
            when.method(POST).path(REFUND);
            then.status(409)
                .json_body(mfa_conflict("AuthorizationErrors.MFA.AccessTokenRequired"));
        })
        .await;
    let err = client
        .payment(42)
        .refund()
        .mfa_provider(mfa_fn(|_| async { None }))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::MfaRequired {
                proof: MfaProof::AccessToken,
                ..
            }
        ),
        "{err:?}"
    );
    refunds.assert_calls_async(1).await;

    // Without a provider: the same typed error, naming the header to send.
    let err = client.payment(42).refund().await.unwrap_err();
    assert!(
        err.to_string().contains("x-mfa-access-authorization"),
        "{err}"
    );
    refunds.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_proof_given_up_front_is_sent_with_the_first_request() {
    let (server, client) = server_and_client().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(REFUND)
                .header("x-mfa-password-authorization", "pw-token")
                .query_param_missing("amount");
            then.status(200).json_body(refund_operation());
        })
        .await;
    client
        .payment(42)
        .refund()
        .mfa(MfaProof::Password, "pw-token")
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn user_not_enrolled_is_its_own_error() {
    let (server, client) = server_and_client().await;
    let refunds = server
        .mock_async(|when, then| {
            when.method(POST).path(REFUND);
            then.status(409)
                .json_body(mfa_conflict("AuthorizationErrors.UserNotEnrolled"));
        })
        .await;
    let (provider, asked) = recording_provider("123456");
    let err = client
        .payment(42)
        .refund()
        .mfa_provider(provider)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UserNotEnrolled { .. }), "{err:?}");
    assert!(asked.lock().unwrap().is_empty(), "nothing to ask the user");
    refunds.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_refund_answered_500_is_not_resent_even_with_a_provider() {
    let (server, client) = server_and_client().await;
    let refunds = server
        .mock_async(|when, then| {
            when.method(POST).path(REFUND);
            then.status(500).json_body(json!({"message": "oops"}));
        })
        .await;
    let err = client
        .payment(42)
        .refund()
        .mfa_provider(FixedMfaCode::new("123456"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    refunds.assert_calls_async(1).await;
}

#[tokio::test]
async fn bad_refund_input_is_refused_before_sending() {
    // No token endpoint either: any request at all would be counted here.
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.path_prefix("/");
            then.status(200).json_body(refund_operation());
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();

    for amount in [Cents(-100), Cents(0)] {
        let err = client
            .payment(42)
            .refund()
            .amount(amount)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    }
    let err = client
        .payment(42)
        .refund()
        .mfa(MfaProof::SmsOtp, "12\n34")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(!err.to_string().contains("12\n34"));
    any.assert_calls_async(0).await;
}

#[test]
fn debug_never_shows_the_proof() {
    let client = builder("http://127.0.0.1:1").build().unwrap();
    let refund = client
        .payment(1)
        .refund()
        .mfa(MfaProof::SmsOtp, "987654")
        .mfa_provider(FixedMfaCode::new("555777"));
    let text = format!("{refund:?} {:?}", FixedMfaCode::new("555777"));
    assert!(
        !text.contains("987654") && !text.contains("555777"),
        "{text}"
    );
}

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

/// The answer to the refund, as HelloAsso sent it (7 fractional digits,
/// its keys' order), kept from the one answer: the refund with the code is
/// sent once.
#[tokio::test]
async fn a_reconciled_refund_keeps_its_answer_as_received() {
    use httpmock::Method::GET;
    let (server, client) = server_and_client().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/payments/42");
            then.status(200)
                .json_body(json!({"id": 42, "amount": 1000, "state": "Authorized",
                                  "date": "2025-03-01T10:00:00+01:00"}));
        })
        .await;
    let without_proof = server
        .mock_async(|when, then| {
            when.method(POST).path(REFUND).header_missing(SMS_HEADER);
            then.status(409)
                .json_body(mfa_conflict("AuthorizationErrors.MFA.AccessOtpSmsRequired"));
        })
        .await;
    let sent = r#"{"state":"Processed","creationDate":"2025-03-01T10:00:09.8300762+01:00","id":9001,"amount":500,"paymentId":42}"#;
    let with_proof = server
        .mock_async(|when, then| {
            when.method(POST).path(REFUND).header(SMS_HEADER, "123456");
            then.status(200)
                .header("content-type", "application/json")
                .body(sent);
        })
        .await;
    let (outcome, document) = client
        .payment(42)
        .refund()
        .amount(Cents(500))
        .mfa_provider(FixedMfaCode::new("123456"))
        .send_reconciled_received()
        .await
        .unwrap();
    assert_eq!(outcome.operation_id(), Some(9001));
    assert_eq!(document.expect("the answer kept").get(), sent);
    without_proof.assert_calls_async(1).await;
    with_proof.assert_calls_async(1).await;
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

mod outcomes {
    //! What becomes of a refund whose answer is lost: it is never sent again,
    //! and the payment read back tells whether it was applied. Also the other
    //! ways a refund is sent more than once on purpose (a 401, MFA), each
    //! bounded. Real HTTP on loopback: a small HelloAsso stand-in that keeps the
    //! payment's refund operations, httpmock, and the fake server.

    use crate::common;

    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use axum::Router;
    use axum::extract::{Path, RawQuery, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::routing::{get, post};
    use common::*;
    use helloasso_fake::{FakeConfig, FaultConfig};
    use helloasso_sdk::types::OperationState;
    use helloasso_sdk::{
        Cents, Error, FixedMfaCode, MfaProof, RefundOutcome, RetryPolicy, outcome_unknown,
    };
    use httpmock::Method::POST;
    use httpmock::MockServer;
    use serde_json::{Value, json};

    const PAYMENT: i64 = 42;

    /// How the stand-in answers `POST /v5/payments/42/refund`.
    #[derive(Clone, Copy)]
    enum RefundBehaviour {
        /// Records the refund, then answers only after this long.
        ApplyThenStall(Duration),
        /// Records nothing and answers with this status.
        Fail(u16),
        /// Records a refund operation in this state, then answers with this status.
        RecordThenFail(&'static str, u16),
        /// Records the refund, then answers 200 with an HTML page.
        ApplyThenHtml,
    }

    /// A payment with its refund operations, as the stand-in keeps it.
    struct Payment {
        behaviour: RefundBehaviour,
        operations: Vec<Value>,
        refund_requests: Vec<String>,
        /// Answers to `GET /v5/payments/42` after which it answers 404.
        reads_allowed: usize,
        reads: usize,
    }

    type Shared = Arc<Mutex<Payment>>;

    /// Serves tokens, `GET /v5/payments/42` (with its refund operations) and
    /// `POST /v5/payments/42/refund`. The payment already has one refund of
    /// 500 cents (id 8000), so that a refund of the same amount must be told
    /// apart from it.
    async fn stand_in(behaviour: RefundBehaviour, reads_allowed: usize) -> (String, Shared) {
        let state: Shared = Arc::new(Mutex::new(Payment {
            behaviour,
            operations: vec![operation(8000, 500, "Processed")],
            refund_requests: Vec::new(),
            reads_allowed,
            reads: 0,
        }));
        let app = Router::new()
            .route(
                "/oauth2/token",
                post(|| async { axum::Json(token_json("access-1", "refresh-1", 1800)) }),
            )
            .route("/v5/payments/{id}", get(read_payment))
            .route("/v5/payments/{id}/refund", post(refund))
            .with_state(state.clone());
        (serve(app).await, state)
    }

    fn operation(id: i64, amount: i64, status: &str) -> Value {
        json!({
            "id": id,
            "amount": amount,
            "amountTip": 0,
            "status": status,
            "meta": {"createdAt": "2025-01-10T10:00:00+01:00", "updatedAt": "2025-01-10T10:00:00+01:00"}
        })
    }

    async fn read_payment(
        State(state): State<Shared>,
        Path(id): Path<i64>,
        RawQuery(query): RawQuery,
    ) -> Response {
        let mut payment = state.lock().unwrap();
        payment.reads += 1;
        assert_eq!(id, PAYMENT);
        // The read-back must ask for failed operations too.
        assert_eq!(query.as_deref(), Some("withFailedRefundOperation=true"));
        if payment.reads > payment.reads_allowed {
            return (
                StatusCode::NOT_FOUND,
                axum::Json(json!({"errors": [{"code": "NotFound", "message": "No payment"}]})),
            )
                .into_response();
        }
        axum::Json(json!({
            "id": PAYMENT,
            "amount": 3000,
            "state": "Authorized",
            "date": "2025-01-01T10:00:00+01:00",
            "refundOperations": payment.operations,
        }))
        .into_response()
    }

    async fn refund(State(state): State<Shared>, RawQuery(query): RawQuery) -> Response {
        let behaviour = {
            let mut payment = state.lock().unwrap();
            payment.refund_requests.push(query.unwrap_or_default());
            payment.behaviour
        };
        let created = operation(9001, 500, "Processed");
        match behaviour {
            RefundBehaviour::ApplyThenStall(delay) => {
                state.lock().unwrap().operations.push(created);
                tokio::time::sleep(delay).await;
                axum::Json(json!({"id": 9001, "amount": 500, "state": "Processed"})).into_response()
            }
            RefundBehaviour::Fail(status) => (
                StatusCode::from_u16(status).unwrap(),
                "<html><body>Bad gateway</body></html>",
            )
                .into_response(),
            RefundBehaviour::RecordThenFail(op_state, status) => {
                state
                    .lock()
                    .unwrap()
                    .operations
                    .push(operation(9001, 500, op_state));
                (
                    StatusCode::from_u16(status).unwrap(),
                    axum::Json(json!({"message": "An error has occurred."})),
                )
                    .into_response()
            }
            RefundBehaviour::ApplyThenHtml => {
                state.lock().unwrap().operations.push(created);
                (
                    [("content-type", "text/html")],
                    "<html><body>Maintenance</body></html>",
                )
                    .into_response()
            }
        }
    }

    fn refund_requests(state: &Shared) -> Vec<String> {
        state.lock().unwrap().refund_requests.clone()
    }

    #[tokio::test]
    async fn a_refund_whose_client_times_out_is_sent_once_and_found_on_read_back() {
        let (base_url, state) =
            stand_in(RefundBehaviour::ApplyThenStall(Duration::from_secs(3)), 10).await;
        // Four attempts allowed: none of them may be spent on the refund.
        let (client, sleep) = client_recording_sleep_with(&base_url, Duration::from_millis(300));

        let outcome = client
            .payment(PAYMENT)
            .refund()
            .amount(Cents(500))
            .comment("Duplicate")
            .send_reconciled()
            .await
            .unwrap();
        match &outcome {
            RefundOutcome::FoundOnReadBack { operation, cause } => {
                assert_eq!(operation.id, Some(9001), "not the older refund of 500");
                assert_eq!(operation.amount, Some(Cents(500)));
                assert_eq!(operation.status, Some(OperationState::Processed));
                assert!(
                    matches!(
                        cause,
                        Error::Transport {
                            timed_out: true,
                            ..
                        }
                    ),
                    "{cause:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(outcome.is_applied());
        assert_eq!(outcome.operation_id(), Some(9001));
        assert_eq!(
            refund_requests(&state),
            vec!["amount=500&comment=Duplicate".to_owned()],
            "sent exactly once"
        );
        // Found on the first read-back: no wait.
        assert!(sleep.waits().is_empty(), "{:?}", sleep.waits());
        assert_eq!(state.lock().unwrap().reads, 2, "one read before, one after");
    }

    #[tokio::test]
    async fn a_plain_send_that_times_out_is_not_sent_again() {
        let (base_url, state) =
            stand_in(RefundBehaviour::ApplyThenStall(Duration::from_secs(3)), 10).await;
        let (client, _sleep) = client_recording_sleep_with(&base_url, Duration::from_millis(300));
        let error = client
            .payment(PAYMENT)
            .refund()
            .amount(Cents(500))
            .await
            .unwrap_err();
        assert!(outcome_unknown(&error), "{error:?}");
        assert_eq!(refund_requests(&state).len(), 1);
    }

    #[tokio::test]
    async fn a_502_with_nothing_listed_is_read_twice_and_not_called_not_applied() {
        let (base_url, state) = stand_in(RefundBehaviour::Fail(502), 10).await;
        let (client, sleep) = client_recording_sleep_with(&base_url, Duration::from_secs(5));
        let outcome = client
            .payment(PAYMENT)
            .refund()
            .amount(Cents(500))
            .reconcile_wait(Duration::from_millis(1234))
            .send_reconciled()
            .await
            .unwrap();
        // Nothing listed is no proof that nothing was refunded: HelloAsso may
        // still apply it after the last read.
        match &outcome {
            RefundOutcome::NotFoundOnReadBack { cause } => {
                assert_eq!(cause.status().map(|s| s.as_u16()), Some(502));
            }
            other => panic!("{other:?}"),
        }
        assert!(!outcome.is_applied());
        assert_eq!(
            refund_requests(&state).len(),
            1,
            "a 502 refund is not retried"
        );
        // Nothing found at first: one wait, then a second read.
        assert_eq!(sleep.waits(), vec![Duration::from_millis(1234)]);
        assert_eq!(state.lock().unwrap().reads, 3);
    }

    #[tokio::test]
    async fn a_refund_listed_as_refused_is_not_applied() {
        let (base_url, _state) =
            stand_in(RefundBehaviour::RecordThenFail("Refused", 500), 10).await;
        let (client, sleep) = client_recording_sleep_with(&base_url, Duration::from_secs(5));
        let outcome = client
            .payment(PAYMENT)
            .refund()
            .amount(Cents(500))
            .send_reconciled()
            .await
            .unwrap();
        match outcome {
            RefundOutcome::NotApplied {
                failed_operation: Some(op),
                ..
            } => {
                assert_eq!(op.id, Some(9001));
                assert_eq!(op.status, Some(OperationState::Refused));
            }
            other => panic!("{other:?}"),
        }
        assert!(sleep.waits().is_empty(), "a failed operation settles it");
    }

    #[tokio::test]
    async fn a_read_back_that_fails_leaves_the_outcome_unknown() {
        // The read before the refund works; the read-back is answered 404.
        let (base_url, state) =
            stand_in(RefundBehaviour::ApplyThenStall(Duration::from_secs(3)), 1).await;
        let (client, _sleep) = client_recording_sleep_with(&base_url, Duration::from_millis(300));
        let outcome = client
            .payment(PAYMENT)
            .refund()
            .amount(Cents(500))
            .send_reconciled()
            .await
            .unwrap();
        match &outcome {
            RefundOutcome::Unknown {
                cause,
                read_back_error,
            } => {
                assert!(outcome_unknown(cause));
                assert_eq!(read_back_error.status().map(|s| s.as_u16()), Some(404));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(outcome.operation_id(), None);
        assert_eq!(refund_requests(&state).len(), 1);
    }

    #[tokio::test]
    async fn a_200_html_answer_to_a_refund_is_reconciled() {
        let (base_url, state) = stand_in(RefundBehaviour::ApplyThenHtml, 10).await;
        let (client, _sleep) = client_recording_sleep_with(&base_url, Duration::from_secs(5));
        let outcome = client
            .payment(PAYMENT)
            .refund()
            .amount(Cents(500))
            .send_reconciled()
            .await
            .unwrap();
        match &outcome {
            RefundOutcome::FoundOnReadBack { operation, cause } => {
                assert_eq!(operation.id, Some(9001));
                match cause {
                    Error::Decode {
                        status,
                        content_type,
                        ..
                    } => {
                        assert_eq!(status.map(|s| s.as_u16()), Some(200));
                        assert_eq!(content_type.as_deref(), Some("text/html"));
                    }
                    other => panic!("{other:?}"),
                }
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(refund_requests(&state).len(), 1);
    }

    #[tokio::test]
    async fn a_refused_refund_is_an_error_not_an_outcome() {
        let (base_url, state) = stand_in(RefundBehaviour::Fail(400), 10).await;
        let (client, _sleep) = client_recording_sleep_with(&base_url, Duration::from_secs(5));
        let error = client
            .payment(PAYMENT)
            .refund()
            .amount(Cents(500))
            .send_reconciled()
            .await
            .unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
        assert!(!outcome_unknown(&error));
        assert_eq!(refund_requests(&state).len(), 1);
        // No read-back for a refusal: only the read before.
        assert_eq!(state.lock().unwrap().reads, 1);
    }

    #[tokio::test]
    async fn the_fakes_dropped_refund_answer_is_found_on_read_back() {
        let fake = helloasso_fake::start(
            FakeConfig::default()
                .payments(40)
                .faults(FaultConfig::none().execute_then_drop(1.0)),
        )
        .await
        .unwrap();
        let client = builder(&fake.base_url())
            .credentials(fake.client_id(), fake.client_secret().to_owned())
            .build()
            .unwrap();
        let id = fake.payment_ids(Some(helloasso_fake::PaymentState::Authorized), 1)[0];
        let outcome = client
            .payment(id)
            .refund()
            .amount(Cents(100))
            .send_reconciled()
            .await
            .unwrap();
        match &outcome {
            RefundOutcome::FoundOnReadBack { operation, cause } => {
                assert_eq!(operation.amount, Some(Cents(100)));
                assert!(matches!(cause, Error::Transport { .. }), "{cause:?}");
            }
            other => panic!("{other:?}"),
        }
        let counters = fake.counters();
        assert_eq!(counters.refunds_executed, 1);
        assert_eq!(counters.faults.execute_then_drop, 1);
        assert_eq!(counters.requests.refund_payment, 1);
        fake.shutdown().await;
    }

    #[tokio::test]
    async fn a_fixed_code_helloasso_refused_is_not_sent_again() {
        let (server, client) = server_and_client().await;
        let without = server
            .mock_async(|when, then| {
                when.method(POST)
                    .path("/v5/payments/42/refund")
                    .header_missing("x-mfa-sms-access-authorization");
                then.status(409).json_body(json!({"errors": [{
                    "code": "AuthorizationErrors.MFA.AccessOtpSmsRequired",
                    "message": "A second factor is required."
                }]}));
            })
            .await;
        let with = server
            .mock_async(|when, then| {
                when.method(POST)
                    .path("/v5/payments/42/refund")
                    .header("x-mfa-sms-access-authorization", "111111");
                then.status(409).json_body(json!({"errors": [{
                    "code": "AuthorizationErrors.MFA.AccessOtpSmsRequired",
                    "message": "The proof is invalid."
                }]}));
            })
            .await;
        let error = client
            .payment(PAYMENT)
            .refund()
            .mfa_provider(FixedMfaCode::new("111111"))
            .max_mfa_attempts(3)
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::MfaAttemptsExhausted {
                    proof: MfaProof::SmsOtp,
                    attempts: 1,
                    ..
                }
            ),
            "{error:?}"
        );
        without.assert_calls_async(1).await;
        with.assert_calls_async(1).await;

        // A caller's own refused proof is not replayed by a provider either.
        let error = client
            .payment(PAYMENT)
            .refund()
            .mfa(MfaProof::SmsOtp, "111111")
            .mfa_provider(FixedMfaCode::new("111111"))
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::MfaAttemptsExhausted { .. }),
            "{error:?}"
        );
        with.assert_calls_async(2).await;
        without.assert_calls_async(1).await;
    }

    /// Who asked for a refund, with what.
    #[derive(Debug, Clone, PartialEq)]
    struct SeenRefund {
        bearer: String,
        query: String,
        sms_proof: Option<String>,
    }

    #[tokio::test]
    async fn a_401_on_a_refund_refreshes_once_and_replays_it_exactly_once() {
        let seen: Arc<Mutex<Vec<SeenRefund>>> = Arc::default();
        let grants: Arc<Mutex<Vec<String>>> = Arc::default();
        let (seen_in, grants_in) = (seen.clone(), grants.clone());
        let app = Router::new()
            .route(
                "/oauth2/token",
                post(move |body: String| {
                    let grants = grants_in.clone();
                    async move {
                        grants.lock().unwrap().push(body.clone());
                        if body.contains("refresh_token=refresh-1") {
                            axum::Json(token_json("access-2", "refresh-2", 1800))
                        } else {
                            axum::Json(token_json("access-1", "refresh-1", 1800))
                        }
                    }
                }),
            )
            .route(
                "/v5/payments/{id}/refund",
                post(move |headers: HeaderMap, RawQuery(query): RawQuery| {
                    let seen = seen_in.clone();
                    async move {
                        let header = |name: &str| {
                            headers
                                .get(name)
                                .and_then(|v| v.to_str().ok())
                                .map(str::to_owned)
                        };
                        let bearer = header("authorization").unwrap_or_default();
                        seen.lock().unwrap().push(SeenRefund {
                            bearer: bearer.clone(),
                            query: query.unwrap_or_default(),
                            sms_proof: header("x-mfa-sms-access-authorization"),
                        });
                        if bearer == "Bearer access-1" {
                            (
                                StatusCode::UNAUTHORIZED,
                                axum::Json(json!({"message": "expired"})),
                            )
                                .into_response()
                        } else {
                            axum::Json(json!({"id": 9001, "amount": 500, "state": "Processed"}))
                                .into_response()
                        }
                    }
                }),
            );
        let base_url = serve(app).await;
        let client = builder(&base_url).build().unwrap();
        let operation = client
            .payment(PAYMENT)
            .refund()
            .amount(Cents(500))
            .comment("Cancelled")
            .mfa(MfaProof::SmsOtp, "654321")
            .await
            .unwrap();
        assert_eq!(operation.id, Some(9001));

        let expected = |bearer: &str| SeenRefund {
            bearer: bearer.to_owned(),
            query: "amount=500&comment=Cancelled".to_owned(),
            sms_proof: Some("654321".to_owned()),
        };
        assert_eq!(
            *seen.lock().unwrap(),
            vec![expected("Bearer access-1"), expected("Bearer access-2")]
        );
        let grants = grants.lock().unwrap();
        assert_eq!(grants.len(), 2, "one token, one refresh: {grants:?}");
        assert!(grants[1].contains("grant_type=refresh_token"));
    }

    #[tokio::test]
    async fn a_401_after_the_replay_is_returned_not_replayed_again() {
        let server = MockServer::start_async().await;
        mock_token(&server, "access-1", "refresh-1").await;
        let refunds = server
            .mock_async(|when, then| {
                when.method(POST).path("/v5/payments/42/refund");
                then.status(401).json_body(json!({"message": "no"}));
            })
            .await;
        let client = builder(&server.base_url())
            .retry_policy(RetryPolicy::default().with_max_attempts(5))
            .build()
            .unwrap();
        let error = client.payment(PAYMENT).refund().await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
        refunds.assert_calls_async(2).await;
    }
}

//! Refunds: state changes, amounts, MFA.

use crate::common::{assert_error, small, start};
use helloasso_fake::{FakeConfig, MfaConfig, MfaMode, PaymentState};
use reqwest::StatusCode;

#[tokio::test]
async fn full_refund() {
    let f = small().await;
    let id = f.server.payment_ids(Some(PaymentState::Authorized), 1)[0];
    let url = f.url(&format!("/payments/{id}/refund"));
    let (status, op) = f
        .post(
            &url,
            &[("comment", "duplicate"), ("sendRefundMail", "false")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{op}");
    let (_, p) = f.get(&f.url(&format!("/payments/{id}")), &[]).await;
    assert_eq!(op["paymentId"], id);
    assert_eq!(op["amount"], p["amount"]);
    assert_eq!(op["state"], "Processed");
    assert_eq!(op["sendRefundMail"], false);
    assert_eq!(op["cancelOrder"], false);
    assert!(op["id"].as_i64().is_some() && op["creationDate"].is_string());
    assert_eq!(p["state"], "Refunded");
    assert_eq!(p["cashOutState"], "Refunded");
    assert_eq!(p["refundOperations"][0]["id"], op["id"]);
    assert_eq!(p["refundOperations"][0]["status"], "Processed");
    assert_eq!(f.server.counters().refunds_executed, 1);

    // Now first by update date.
    let (_, page) = f
        .get(
            &f.org_url("/payments"),
            &[("sortField", "UpdateDate"), ("pageSize", "1")],
        )
        .await;
    assert_eq!(page["data"][0]["id"], id);
    // A refunded payment cannot be refunded again.
    let (status, body) = f.post(&url, &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "Error");
    assert_eq!(f.server.counters().refunds_executed, 1);
}

#[tokio::test]
async fn partial_refunds_then_the_rest() {
    let f = small().await;
    let id = f.server.payment_ids(Some(PaymentState::Authorized), 1)[0];
    let (_, p) = f.get(&f.url(&format!("/payments/{id}")), &[]).await;
    let amount = p["amount"].as_i64().unwrap();
    let url = f.url(&format!("/payments/{id}/refund"));
    let (status, body) = f.post(&url, &[("amount", &(amount + 1).to_string())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "Error");
    let (status, body) = f.post(&url, &[("amount", "-5")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "ArgumentInvalid");

    let (status, op) = f.post(&url, &[("amount", "100")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(op["amount"], 100);
    let (_, p) = f.get(&f.url(&format!("/payments/{id}")), &[]).await;
    assert_eq!(
        p["state"], "Authorized",
        "a partial refund leaves the payment authorized"
    );
    assert_eq!(p["refundOperations"].as_array().unwrap().len(), 1);

    // More than what is left: 400; then the rest (amount 0 = everything left).
    let (status, _) = f.post(&url, &[("amount", &amount.to_string())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, op) = f
        .post(&url, &[("amount", "0"), ("cancelOrder", "true")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(op["amount"], amount - 100);
    assert_eq!(op["cancelOrder"], true);
    let (_, p) = f.get(&f.url(&format!("/payments/{id}")), &[]).await;
    assert_eq!(p["state"], "Refunded");
    assert_eq!(p["refundOperations"].as_array().unwrap().len(), 2);
    assert_eq!(p["items"][0]["isCanceled"], true);
    assert_eq!(f.server.counters().refunds_executed, 2);
}

#[tokio::test]
async fn refund_bad_input() {
    let f = small().await;
    let (status, body) = f.post(&f.url("/payments/1/refund"), &[]).await;
    // HelloAsso's reason 101 (payment not found), inside the message.
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "Error");
    let (status, body) = f.post(&f.url("/payments/xyz/refund"), &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "ArgumentInvalid");
    let id = f.server.payment_ids(Some(PaymentState::Refused), 1)[0];
    let (status, body) = f.post(&f.url(&format!("/payments/{id}/refund")), &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "Error");
    let id = f.server.payment_ids(Some(PaymentState::Authorized), 1)[0];
    let (status, _) = f
        .post(
            &f.url(&format!("/payments/{id}/refund")),
            &[("cancelOrder", "perhaps")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(f.server.counters().refunds_executed, 0);
}

async fn refund_with(
    f: &crate::common::Fake,
    id: i64,
    header: Option<(&str, &str)>,
) -> (StatusCode, serde_json::Value) {
    let mut req = f.authed_post(f.url(&format!("/payments/{id}/refund")));
    if let Some((k, v)) = header {
        req = req.header(k, v);
    }
    let resp = req.send().await.unwrap();
    (resp.status(), resp.json().await.unwrap())
}

#[tokio::test]
async fn mfa_sms() {
    let f = start(
        FakeConfig::default()
            .payments(200)
            .mfa(MfaMode::Sms, "424242"),
    )
    .await;
    let id = f.server.payment_ids(Some(PaymentState::Authorized), 1)[0];
    let code = "AuthorizationErrors.MFA.AccessOtpSmsRequired";
    let (status, body) = refund_with(&f, id, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&body, code);
    // Wrong code, or the right code in the wrong header: 409 again.
    let (status, body) =
        refund_with(&f, id, Some(("x-mfa-sms-access-authorization", "000000"))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&body, code);
    let (status, _) = refund_with(&f, id, Some(("x-mfa-access-authorization", "424242"))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(f.server.counters().refunds_executed, 0);
    assert_eq!(f.server.counters().mfa_challenges, 3);
    let (status, body) =
        refund_with(&f, id, Some(("x-mfa-sms-access-authorization", "424242"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(f.server.counters().refunds_executed, 1);
}

#[tokio::test]
async fn mfa_modes() {
    let f = small().await;
    let ids = f.server.payment_ids(Some(PaymentState::Authorized), 3);
    for (i, (mode, code, header)) in [
        (
            MfaMode::Email,
            "AuthorizationErrors.MFA.AccessTokenRequired",
            "x-mfa-access-authorization",
        ),
        (
            MfaMode::Password,
            "AuthorizationErrors.MFA.AccessPasswordTokenRequired",
            "x-mfa-password-authorization",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        f.server.set_mfa(MfaConfig {
            mode,
            code: "s3cret".into(),
        });
        let (status, body) = refund_with(&f, ids[i], None).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_error(&body, code);
        let (status, _) = refund_with(&f, ids[i], Some((header, "s3cret"))).await;
        assert_eq!(status, StatusCode::OK);
    }
    f.server.set_mfa(MfaConfig {
        mode: MfaMode::NotEnrolled,
        code: "x".into(),
    });
    let (status, body) =
        refund_with(&f, ids[2], Some(("x-mfa-sms-access-authorization", "x"))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&body, "AuthorizationErrors.UserNotEnrolled");
    // Runtime change through the admin route.
    let resp = f
        .http
        .put(format!("{}/_fake/mfa", f.server.base_url()))
        .json(&serde_json::json!({"mode": "none"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let (status, _) = refund_with(&f, ids[2], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(f.server.counters().refunds_executed, 3);
}

//! What each of the nine generated operations puts on the wire, checked by
//! httpmock: method, path, query, headers and body. Every mock also demands
//! that progenitor's `api-version` header is gone.

use chrono::{DateTime, FixedOffset};
use helloasso_raw::{Cents, Client, hooks::CallContext, types};
use httpmock::prelude::*;
use serde_json::json;

const TOKEN: &str = "access-123";

fn client(server: &MockServer, ctx: CallContext) -> Client {
    Client::new_with_client(&server.base_url(), reqwest::Client::new(), ctx)
}

fn authed(server: &MockServer) -> Client {
    client(server, CallContext::with_bearer(TOKEN))
}

fn date(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn page() -> serde_json::Value {
    json!({ "data": [{ "id": 3_000_000_001_i64, "amount": 1000, "state": "Authorized" }],
            "pagination": { "pageSize": 20, "totalCount": -1, "pageIndex": 1, "totalPages": -1,
                            "continuationToken": "202605111952183434908_183989374" } })
}

#[tokio::test]
async fn list_organization_payments_sends_filters_repeated_states_and_offset_dates() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/payments")
                .query_param("from", "2024-01-01T00:00:00+01:00")
                .query_param("to", "2024-02-01T00:00:00+01:00")
                .query_param("states", "Authorized")
                .query_param("states", "Refunded")
                .query_param_count("states", ".*", 2)
                .query_param("pageSize", "100")
                .query_param("continuationToken", "abc")
                .query_param("sortField", "UpdateDate")
                .query_param("sortOrder", "Asc")
                .query_param("userSearchKey", "dupont")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header_missing("api-version");
            then.status(200).json_body(page());
        })
        .await;
    let page = authed(&server)
        .list_organization_payments()
        .organization_slug("my-asso")
        .from(date("2024-01-01T00:00:00+01:00"))
        .to(date("2024-02-01T00:00:00+01:00"))
        .states(vec![
            types::PaymentState::Authorized,
            types::PaymentState::Refunded,
        ])
        .page_size(100)
        .continuation_token("abc")
        .sort_field(types::SortField::UpdateDate)
        .sort_order(types::SortOrder::Asc)
        .user_search_key("dupont")
        .send()
        .await
        .expect("listing");
    mock.assert_async().await;
    assert_eq!(page.data.as_ref().unwrap()[0].id, Some(3_000_000_001));
    assert_eq!(page.pagination.as_ref().unwrap().total_count, Some(-1));
}

#[tokio::test]
async fn list_form_payments_puts_form_type_and_slug_in_the_path() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/forms/Membership/adhesion-2025/payments")
                .query_param("pageIndex", "3")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header_missing("api-version");
            then.status(200).json_body(page());
        })
        .await;
    authed(&server)
        .list_form_payments()
        .organization_slug("my-asso")
        .form_type(types::FormType::Membership)
        .form_slug("adhesion-2025")
        .page_index(3)
        .send()
        .await
        .expect("listing");
    mock.assert_async().await;
}

#[tokio::test]
async fn search_payments_sends_its_own_filters() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/payments/search")
                .query_param("formTypes", "Event")
                .query_param("formTypes", "Shop")
                .query_param("searchKey", "marie")
                .query_param("amount", "1500")
                .query_param("userId", "3000000000")
                .header_missing("api-version");
            then.status(200)
                .json_body(json!({ "data": [], "pagination": { "continuationToken": null } }));
        })
        .await;
    let page = authed(&server)
        .search_payments()
        .organization_slug("my-asso")
        .form_types(vec![types::FormType::Event, types::FormType::Shop])
        .search_key("marie")
        .amount(1500)
        .user_id(3_000_000_000_i64)
        .send()
        .await
        .expect("search");
    mock.assert_async().await;
    assert!(page.data.as_ref().unwrap().is_empty());
}

#[tokio::test]
async fn get_payment_uses_a_64_bit_id() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/payments/3000000001")
                .query_param("withFailedRefundOperation", "true")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header_missing("api-version");
            then.status(200)
                .json_body(json!({ "id": 3_000_000_001_i64, "state": "Refunded" }));
        })
        .await;
    let payment = authed(&server)
        .get_payment()
        .payment_id(3_000_000_001_i64)
        .with_failed_refund_operation(true)
        .send()
        .await
        .expect("payment");
    mock.assert_async().await;
    assert_eq!(payment.state, Some(types::PaymentState::Refunded));
}

#[tokio::test]
async fn refund_payment_sends_query_and_mfa_headers() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v5/payments/42/refund")
                .query_param("amount", "500")
                .query_param("comment", "double paiement")
                .query_param("cancelOrder", "false")
                .query_param("sendRefundMail", "true")
                .header("x-mfa-access-authorization", "mfa-token")
                .header("x-mfa-sms-access-authorization", "123456")
                .header("x-mfa-password-authorization", "pwd-token")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header_missing("api-version");
            then.status(200)
                .json_body(json!({ "id": 7, "amount": 500, "status": "Processed" }));
        })
        .await;
    let refund = authed(&server)
        .refund_payment()
        .payment_id(42)
        .amount(500)
        .comment("double paiement")
        .cancel_order(false)
        .send_refund_mail(true)
        .x_mfa_access_authorization("mfa-token")
        .x_mfa_sms_access_authorization("123456")
        .x_mfa_password_authorization("pwd-token")
        .send()
        .await
        .expect("refund");
    mock.assert_async().await;
    assert_eq!(refund.amount, Some(Cents(500)));
}

#[tokio::test]
async fn refund_409_keeps_the_mfa_code_and_status() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v5/payments/42/refund");
            then.status(409).json_body(json!({ "errors": [
                { "code": "AuthorizationErrors.MFA.AccessOtpSmsRequired", "message": "SMS code required" } ] }));
        })
        .await;
    let ctx = CallContext::with_bearer(TOKEN);
    let err = client(&server, ctx.clone())
        .refund_payment()
        .payment_id(42)
        .send()
        .await
        .unwrap_err();
    let helloasso_raw::Error::ErrorResponse(body) = err else {
        panic!("expected an error body, got {err:?}")
    };
    assert_eq!(body.status().as_u16(), 409);
    let code = body.errors[0].code.as_deref();
    assert_eq!(code, Some("AuthorizationErrors.MFA.AccessOtpSmsRequired"));
    assert_eq!(ctx.observed().unwrap().status.as_u16(), 409);
}

#[tokio::test]
async fn html_error_page_is_reported_with_its_status_observed() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/payments/1");
            then.status(502)
                .header("content-type", "text/html")
                .body("<html>Bad Gateway</html>");
        })
        .await;
    let ctx = CallContext::with_bearer(TOKEN);
    let err = client(&server, ctx.clone())
        .get_payment()
        .payment_id(1)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, helloasso_raw::Error::InvalidResponsePayload(..)),
        "{err:?}"
    );
    let observed = ctx.observed().expect("status observed");
    assert_eq!(observed.status.as_u16(), 502);
    assert_eq!(observed.headers["content-type"], "text/html");
}

#[tokio::test]
async fn create_checkout_intent_posts_json() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v5/organizations/my-asso/checkout-intents")
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header_missing("api-version")
                .json_body_includes(r#"{ "totalAmount": 3000, "initialAmount": 1000, "itemName": "Adhésion" }"#)
                .json_body_includes(r#"{ "terms": [ { "amount": 1000, "date": "2025-02-01T00:00:00+01:00" }, { "amount": 1000, "date": "2025-03-01T00:00:00+01:00" } ] }"#);
            then.status(200).json_body(json!({ "id": 31270, "redirectUrl": "https://checkout.example/31270" }));
        })
        .await;
    let body = types::InitCheckoutBody::builder()
        .total_amount(3000)
        .initial_amount(1000)
        .item_name("Adhésion")
        .back_url("https://asso.example/back")
        .error_url("https://asso.example/error")
        .return_url("https://asso.example/return")
        .contains_donation(false)
        .terms(Some(vec![
            types::CheckoutTerm {
                amount: Cents(1000),
                date: date("2025-02-01T00:00:00+01:00"),
            },
            types::CheckoutTerm {
                amount: Cents(1000),
                date: date("2025-03-01T00:00:00+01:00"),
            },
        ]));
    let created = authed(&server)
        .create_checkout_intent()
        .organization_slug("my-asso")
        .body(body)
        .send()
        .await
        .expect("intent");
    mock.assert_async().await;
    assert_eq!(created.id, Some(31270));
}

#[tokio::test]
async fn get_checkout_intent_reads_the_order() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/checkout-intents/31270")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header_missing("api-version");
            then.status(200).json_body(
                json!({ "id": 31270, "redirectUrl": "https://x", "metadata": "{\"cart\":7}",
                                              "order": { "id": 99, "amount": { "total": 3000 } } }),
            );
        })
        .await;
    let intent = authed(&server)
        .get_checkout_intent()
        .organization_slug("my-asso")
        .checkout_intent_id(31270)
        .send()
        .await
        .expect("intent");
    mock.assert_async().await;
    assert_eq!(intent.order.as_ref().unwrap().id, Some(99));
}

#[tokio::test]
async fn token_posts_a_form_without_bearer() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth2/token")
                .header("content-type", "application/x-www-form-urlencoded")
                .form_urlencoded_tuple("grant_type", "refresh_token")
                .form_urlencoded_tuple("client_id", "my-client")
                .form_urlencoded_tuple("refresh_token", "refresh-1")
                .form_urlencoded_tuple_missing("client_secret")
                .header_missing("authorization")
                .header_missing("api-version");
            then.status(200)
                .json_body(json!({ "access_token": "a2", "refresh_token": "refresh-2",
                                              "token_type": "bearer", "expires_in": 1800 }));
        })
        .await;
    let token = client(&server, CallContext::anonymous())
        .token()
        .body(types::TokenRequest {
            grant_type: types::GrantType::RefreshToken,
            client_id: "my-client".into(),
            refresh_token: Some("refresh-1".into()),
            client_secret: None,
            code: None,
            code_verifier: None,
            redirect_uri: None,
        })
        .send()
        .await
        .expect("token");
    mock.assert_async().await;
    assert_eq!(token.refresh_token.as_deref(), Some("refresh-2"));
}

#[tokio::test]
async fn token_error_body_is_typed() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth2/token")
                .form_urlencoded_tuple("grant_type", "client_credentials");
            then.status(400).json_body(
                json!({ "error": "invalid_client", "error_description": "Invalid client" }),
            );
        })
        .await;
    let err = client(&server, CallContext::anonymous())
        .token()
        .body(types::TokenRequest {
            grant_type: types::GrantType::ClientCredentials,
            client_id: "c".into(),
            client_secret: Some("s".into()),
            refresh_token: None,
            code: None,
            code_verifier: None,
            redirect_uri: None,
        })
        .send()
        .await
        .unwrap_err();
    let helloasso_raw::Error::ErrorResponse(body) = err else {
        panic!("{err:?}")
    };
    assert_eq!(body.error.as_deref(), Some("invalid_client"));
}

#[tokio::test]
async fn disconnect_sends_the_bearer() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/oauth2/disconnect")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header_missing("api-version");
            then.status(200);
        })
        .await;
    authed(&server)
        .disconnect()
        .send()
        .await
        .expect("disconnect");
    mock.assert_async().await;
}

#[test]
fn bearer_never_shows_in_debug() {
    let ctx = CallContext::with_bearer("super-secret-token");
    let text = format!("{ctx:?}");
    assert!(!text.contains("super-secret-token"), "{text}");
}

#[tokio::test]
async fn a_huge_error_body_is_cut_before_it_is_read() {
    let server = MockServer::start_async().await;
    // A 2 MB error document: the client keeps its first 8 KiB only.
    let huge = format!(r#"{{"message": "{}"}}"#, "x".repeat(2 * 1024 * 1024));
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/payments/7");
            then.status(500)
                .header("content-type", "application/json")
                .body(huge);
        })
        .await;
    let err = authed(&server)
        .get_payment()
        .payment_id(7)
        .send()
        .await
        .unwrap_err();
    let helloasso_raw::Error::InvalidResponsePayload(bytes, _) = &err else {
        panic!("a cut JSON document cannot decode; got {err:?}")
    };
    assert_eq!(bytes.len(), helloasso_raw::hooks::MAX_ERROR_BODY);
    assert!(bytes.starts_with(br#"{"message": "xxx"#));
}

#[tokio::test]
async fn a_small_error_body_is_read_whole() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/payments/8");
            then.status(404)
                .json_body(json!({ "message": "Payment not found" }));
        })
        .await;
    let err = authed(&server)
        .get_payment()
        .payment_id(8)
        .send()
        .await
        .unwrap_err();
    let helloasso_raw::Error::ErrorResponse(body) = err else {
        panic!("expected an error body, got {err:?}")
    };
    assert_eq!(body.status().as_u16(), 404);
    assert_eq!(body.message.as_deref(), Some("Payment not found"));
}

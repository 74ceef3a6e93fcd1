//! Every sample payload decodes into the raw types, and re-encoding it keeps
//! every field the spec declares (checked by walking the spec's schema).

use helloasso_raw::types;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

fn spec() -> Value {
    serde_json::from_str(include_str!("../../openapi/helloasso.json")).expect("spec is JSON")
}

fn sample(path: &str) -> Value {
    let full = format!("{}/tests/data/samples/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Decodes `value` as `T`, re-encodes it, and checks the round trip against
/// the schema named `schema`.
fn round_trip<T: DeserializeOwned + Serialize>(value: &Value, schema: &str) -> T {
    let typed: T = serde_path_to_error::deserialize(value.clone())
        .unwrap_or_else(|e| panic!("{schema}: decode failed at {}: {}", e.path(), e.inner()));
    let again = serde_json::to_value(&typed).expect("re-encode");
    let spec = spec();
    let root = serde_json::json!({ "$ref": format!("#/components/schemas/{schema}") });
    compare(&spec, &root, value, &again, schema);
    typed
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => spec
            .pointer(&r.replacen('#', "", 1))
            .unwrap_or_else(|| panic!("dangling {r}")),
        None => schema,
    }
}

fn compare(spec: &Value, schema: &Value, original: &Value, again: &Value, at: &str) {
    let schema = resolve(spec, schema);
    if original.is_null() {
        return;
    }
    if schema.get("format").and_then(Value::as_str) == Some("date-time") {
        let a = chrono::DateTime::parse_from_rfc3339(original.as_str().unwrap()).unwrap();
        let b = chrono::DateTime::parse_from_rfc3339(
            again.as_str().unwrap_or_else(|| panic!("{at}: lost")),
        )
        .unwrap();
        assert_eq!(a, b, "{at}: instant changed");
        assert_eq!(a.offset(), b.offset(), "{at}: offset changed");
        return;
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            let Some(o) = original.get(name) else {
                continue;
            };
            if o.is_null() {
                continue;
            }
            let a = again
                .get(name)
                .unwrap_or_else(|| panic!("{at}.{name}: declared field lost on re-encoding"));
            compare(spec, prop, o, a, &format!("{at}.{name}"));
        }
        return;
    }
    if let (Some(items), Some(o), Some(a)) =
        (schema.get("items"), original.as_array(), again.as_array())
    {
        assert_eq!(o.len(), a.len(), "{at}: array length changed");
        for (i, (o, a)) in o.iter().zip(a).enumerate() {
            compare(spec, items, o, a, &format!("{at}[{i}]"));
        }
        return;
    }
    if let (Some(a), Some(b)) = (original.as_f64(), again.as_f64()) {
        // `0` and `0.0` are the same JSON number for a `type: number` field.
        assert_eq!(a, b, "{at}: number changed");
        return;
    }
    assert_eq!(original, again, "{at}: value changed");
}

#[test]
fn payment_webhooks_decode_as_payment_detail() {
    for file in [
        "webhooks/03_official_sample_Payment_event.json",
        "webhooks/09_Payment_event_2020__jymaire_hellos.json",
        "webhooks/12_semisynthetic_Payment_event__Doskyft_helloasso-php.json",
    ] {
        let event = sample(file);
        assert_eq!(event["eventType"], "Payment", "{file}");
        let p: types::PaymentDetail = round_trip(&event["data"], "PaymentDetail");
        assert!(p.id.is_some(), "{file}: id");
        assert!(p.amount.is_some(), "{file}: amount");
    }
}

#[test]
fn order_webhook_decodes_as_order_detail_despite_undeclared_fields() {
    let event = sample("webhooks/02_official_sample_Order_event.json");
    let order: types::OrderDetail = round_trip(&event["data"], "OrderDetail");
    assert!(!order.items.unwrap_or_default().is_empty());
}

#[test]
fn form_payloads_decode_as_form_models() {
    for file in [
        "webhooks/01_official_sample_Form_event.json",
        "webhooks/06_sandbox_Form_event_donation_draft__registro.json",
        "webhooks/10_semisynthetic_Form_event__Doskyft_helloasso-php.json",
    ] {
        let _: types::FormPublic = round_trip(&sample(file)["data"], "FormPublic");
    }
    let _: types::FormPublic = round_trip(
        &sample("api_responses/20_GET_form_public__HelloAssoDotnet.json"),
        "FormPublic",
    );
    let page: types::FormLightPage = round_trip(
        &sample("api_responses/21_GET_organization_forms_paginated__HelloAssoDotnet.json"),
        "FormLightPage",
    );
    let pagination = page.pagination.expect("pagination");
    assert_eq!(
        pagination.continuation_token.as_deref(),
        Some("20220921075443587")
    );
    assert_eq!(pagination.page_size, Some(20));
}

#[test]
fn checkout_and_oauth_payloads_decode() {
    let intent: types::InitCheckoutResponse = round_trip(
        &sample("api_responses/24_POST_checkout_intent_response_SHAPE_ONLY_mock__outiltheque.json"),
        "InitCheckoutResponse",
    );
    assert_eq!(intent.id, Some(31270));
    let token: types::TokenResponse = round_trip(
        &sample("oauth/30_token_response_SHAPE_ONLY_mock__outiltheque.json"),
        "TokenResponse",
    );
    assert_eq!(token.expires_in, Some(serde_json::json!(1800)));
    let error: types::ErrorBody = round_trip(
        &sample("oauth/31_token_error_400_SHAPE_ONLY_mock__helloasso-mcp.json"),
        "ErrorBody",
    );
    assert_eq!(error.error.as_deref(), Some("unauthorized_client"));
}

#[test]
fn unknown_enum_value_is_kept_not_rejected() {
    let payment: types::Payment = serde_json::from_value(
        serde_json::json!({ "id": 1, "state": "PartiallyRefundedByMoonlight" }),
    )
    .unwrap();
    let state = payment.state.clone().expect("state");
    assert_eq!(
        state,
        types::PaymentState::UnknownValue("PartiallyRefundedByMoonlight".into())
    );
    assert!(!state.is_known());
    assert_eq!(
        serde_json::to_value(&payment).unwrap()["state"],
        "PartiallyRefundedByMoonlight"
    );
    let known: types::PaymentState = "Authorized".parse().unwrap();
    assert_eq!(known, types::PaymentState::Authorized);
}

#[test]
fn odd_but_real_enum_values_have_variants() {
    assert_eq!(
        types::OrganizationType::from("Collectivités"),
        types::OrganizationType::Collectivites
    );
    assert_eq!(
        types::OrganizationType::Collectivites.as_str(),
        "Collectivités"
    );
    assert_eq!(
        types::PaymentCashOutState::from("Transfered"),
        types::PaymentCashOutState::Transfered
    );
    // "Unknown" is a real value of several enums, distinct from the fallback.
    assert_eq!(
        types::PaymentState::from("Unknown"),
        types::PaymentState::Unknown
    );
}

#[test]
fn undeclared_fields_are_accepted() {
    let order: types::OrderLight = serde_json::from_value(serde_json::json!({
        "id": 5, "formName": "Adhésion", "isAnonymous": false, "isAmountHidden": true, "somethingNew": [1, 2]
    }))
    .unwrap();
    assert_eq!(order.id, Some(5));
}

#[test]
fn dates_with_seven_fraction_digits_and_local_offset_keep_both() {
    let payment: types::Payment =
        serde_json::from_value(serde_json::json!({ "date": "2023-12-10T13:10:40.8313095+02:00" }))
            .unwrap();
    let date = payment.date.unwrap();
    assert_eq!(date.offset().local_minus_utc(), 2 * 3600);
    assert_eq!(date.timestamp_subsec_nanos(), 831_309_500);
    for text in [
        "2023-12-10T13:10:40+01:00",
        "2023-12-10T13:10:40.1Z",
        "2023-12-10T13:10:40.123456789-05:30",
    ] {
        let p: types::Payment =
            serde_json::from_value(serde_json::json!({ "date": text })).unwrap();
        assert!(p.date.is_some(), "{text}");
    }
}

#[test]
fn dotnet_minimum_date_is_accepted() {
    let payment: types::Payment =
        serde_json::from_value(serde_json::json!({ "cashOutDate": "0001-01-01T00:00:00+00:00" }))
            .unwrap();
    assert_eq!(payment.cash_out_date.unwrap().timestamp(), -62_135_596_800);
}

#[test]
fn ids_and_amounts_above_two_to_the_31_fit() {
    let big = 3_000_000_123_i64;
    let detail: types::PaymentDetail = serde_json::from_value(serde_json::json!({
        "id": big, "amount": big, "order": { "id": big }, "refundOperations": [{ "id": big, "amount": 1 }]
    }))
    .unwrap();
    assert_eq!(detail.id, Some(big));
    assert_eq!(detail.order.unwrap().id, Some(big));
    assert_eq!(detail.refund_operations.unwrap()[0].id, Some(big));
}

#[test]
fn token_models_never_show_their_secrets_in_debug() {
    let form: types::TokenRequest = serde_json::from_value(serde_json::json!({
        "grant_type": "authorization_code",
        "client_id": "visible-client-id",
        "client_secret": "s3cret-client-secret",
        "refresh_token": "s3cret-refresh-token",
        "code": "s3cret-code",
        "code_verifier": "s3cret-verifier",
        "redirect_uri": "https://example.org/back",
    }))
    .unwrap();
    let answer: types::TokenResponse = serde_json::from_value(sample(
        "oauth/60_REAL_token_refresh_grant_response__permacat_v2.json",
    ))
    .unwrap();
    let builder = types::TokenRequest::builder()
        .client_id("visible-client-id")
        .client_secret(Some("s3cret-client-secret".to_owned()));
    let shown = format!("{form:?} {form:#?} {answer:?} {builder:?}");
    for secret in [
        "s3cret",
        answer.access_token.as_str(),
        answer.refresh_token.as_deref().unwrap(),
    ] {
        assert!(!shown.contains(secret), "a secret shows in Debug: {shown}");
    }
    // The fields are named, and what is not secret is shown.
    assert!(shown.contains("client_secret: \"<redacted>\""), "{shown}");
    assert!(shown.contains("visible-client-id"), "{shown}");
    assert!(shown.contains("https://example.org/back"), "{shown}");
}

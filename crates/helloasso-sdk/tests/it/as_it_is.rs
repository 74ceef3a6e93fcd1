//! The SDK held to what HelloAsso does (rows of `docs/helloasso-behaviour.md`):
//! a 403 names the privilege, refund refusals are typed, the form statistics
//! and the cash-out's JSON rows decode, the fields HelloAsso added since the
//! pinned spec are typed.

use helloasso_fake::{FakeConfig, FakeServer, PaymentState};
use helloasso_sdk::types::{FormType, Organization, OrganizationType, PaymentDetail};
use helloasso_sdk::{Client, Environment, Error, RefundReason};
use httpmock::prelude::*;
use serde_json::json;

async fn start(config: FakeConfig) -> (FakeServer, Client) {
    let fake = helloasso_fake::start(config).await.unwrap();
    let client = Client::builder()
        .environment(Environment::custom(&fake.base_url()).unwrap())
        .credentials(fake.client_id(), fake.client_secret().to_owned())
        .build()
        .unwrap();
    (fake, client)
}

/// The spec names `RefundManagement` on the refund; an association's
/// client lacks it until HelloAsso grants it.
#[tokio::test]
async fn a_403_on_a_refund_names_refund_management() {
    let (fake, client) = start(FakeConfig::default().payments(100).association(true)).await;
    let id = fake.payment_ids(Some(PaymentState::Authorized), 1)[0];
    let err = client.payment(id).refund().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403), "{err}");
    let missing: Vec<_> = err.missing_privileges().iter().collect();
    assert_eq!(missing, ["RefundManagement"]);
    assert!(err.to_string().contains("RefundManagement"), "{err}");
    assert_eq!(fake.counters().refunds_executed, 0);
    // A read the client may make names nothing.
    let err = client.payment(1).get().await.unwrap_err();
    assert!(err.missing_privileges().is_empty(), "{err}");
    fake.shutdown().await;
}

/// HelloAsso's docs: `Code : 101 - ...` is a payment not found.
#[tokio::test]
async fn refund_refusals_are_typed_reasons() {
    let (fake, client) = start(FakeConfig::default().payments(50)).await;
    let err = client.payment(999).refund().send().await.unwrap_err();
    let refusal = err.refund_refusal().unwrap_or_else(|| panic!("{err}"));
    assert_eq!(refusal.code, 101);
    assert_eq!(refusal.reason, RefundReason::PaymentNotFound);
    let refunded = fake.payment_ids(Some(PaymentState::Refunded), 1)[0];
    let err = client.payment(refunded).refund().send().await.unwrap_err();
    let refusal = err.refund_refusal().unwrap_or_else(|| panic!("{err}"));
    assert_eq!(refusal.reason, RefundReason::Other);
    assert!(matches!(err, Error::Api { .. }));
    fake.shutdown().await;
}

/// HelloAsso's Node SDK 1.0.12: the form statistics operation, on the wire.
#[tokio::test]
async fn form_stats_on_the_wire() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(200).json_body(json!({
                "access_token": "a", "refresh_token": "r", "token_type": "bearer", "expires_in": 1800
            }));
        })
        .await;
    let stats = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/forms/Event/gala/stats");
            then.status(200).json_body(json!({
                "totalParticipant": 42,
                "unGroupedTiers": [{
                    "id": 7, "label": "Adulte", "entriesTaken": 40, "maxEntries": 100,
                    "price": 1500, "minAmount": 0, "priceCategory": "Fixed",
                    "tierType": "Registration", "isEnabled": true
                }],
                "additionalOptions": [{ "id": 8, "label": "Repas", "entriesTaken": 2, "price": 900 }]
            }));
        })
        .await;
    let client = Client::builder()
        .environment(Environment::custom(&server.base_url()).unwrap())
        .credentials("id", "secret".to_owned())
        .build()
        .unwrap();
    let got = client
        .forms("my-asso")
        .stats(FormType::Event, "gala")
        .await
        .unwrap();
    stats.assert_async().await;
    assert_eq!(got.total_participant, Some(42));
    let tier = &got.un_grouped_tiers.as_ref().unwrap()[0];
    assert_eq!(tier.entries_taken, Some(40));
    assert_eq!(tier.price.map(|c| c.0), Some(1500));
    assert_eq!(
        got.additional_options.as_ref().unwrap()[0].label.as_deref(),
        Some("Repas")
    );
}

/// The same operation through the fake.
#[tokio::test]
async fn form_stats_through_the_fake() {
    let (fake, client) = start(FakeConfig::default().payments(200)).await;
    let form = fake
        .forms()
        .into_iter()
        .find(|f| f.organization_slug == fake.organization_slug())
        .unwrap();
    let form_type: FormType = form.form_type.to_string().parse().unwrap();
    let stats = client
        .forms(fake.organization_slug())
        .stats(form_type, &form.form_slug)
        .await
        .unwrap();
    let tiers = stats.un_grouped_tiers.unwrap();
    assert_eq!(stats.total_participant, tiers[0].entries_taken);
    fake.shutdown().await;
}

/// The spec's `CashoutExportRowModel`: the cash-out's JSON rows, typed, and
/// their `Debug` never shows the payer.
#[tokio::test]
async fn payout_rows_are_typed() {
    let (fake, client) = start(FakeConfig::default().payments(300)).await;
    let slug = fake.organization_slug().to_owned();
    let payment = client
        .payments(&slug)
        .list()
        .page_size(100)
        .send()
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|p| p.id_cash_out.is_some())
        .unwrap();
    let cash_out = payment.id_cash_out.unwrap();
    let rows = client.payout(&slug, cash_out).rows().await.unwrap();
    let row = rows
        .iter()
        .find(|r| r.payment_id == payment.id)
        .expect("the payment is in its cash-out");
    assert_eq!(row.cash_out_id, Some(cash_out));
    let cents = payment.amount.unwrap().0 as f64;
    assert_eq!(row.credit, Some(cents / 100.0));
    assert!(row.payment_date.is_some());
    let email = row.payer_email.clone().unwrap();
    assert!(!format!("{row:?}").contains(&email));
    fake.shutdown().await;
}

/// HelloAsso's Node SDK 1.0.12: fields and a value the pinned spec lacks.
#[test]
fn the_newer_fields_are_typed() {
    let detail: PaymentDetail = serde_json::from_value(json!({
        "id": 1, "cardExpirationDate": "2028-05-31T00:00:00+02:00"
    }))
    .unwrap();
    assert_eq!(
        detail.card_expiration_date.map(|d| d.to_rfc3339()),
        Some("2028-05-31T00:00:00+02:00".to_owned())
    );
    let org: Organization = serde_json::from_value(json!({
        "name": "x", "displayCoordinates": true, "type": "EPA"
    }))
    .unwrap();
    assert_eq!(org.display_coordinates, Some(true));
    assert_eq!(org.type_, Some(OrganizationType::EPA));
    let body = helloasso_sdk::types::QuickCreateForm::builder()
        .title("Adhésion".to_owned())
        .display_version(2.0);
    let body: helloasso_sdk::types::QuickCreateForm = body.try_into().unwrap();
    assert_eq!(serde_json::to_value(&body).unwrap()["displayVersion"], 2.0);
}

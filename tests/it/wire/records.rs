//! What the generated operations beyond payments, refunds and checkout put
//! on the wire (orders, items, forms, organization, cash-outs, partners),
//! checked by httpmock: method, path, query and body, written out by hand.

use chrono::{DateTime, FixedOffset};
use futures::TryStreamExt;
use helloasso_raw::{Cents, Client, hooks::CallContext, types};
use httpmock::prelude::*;
use serde_json::json;

const TOKEN: &str = "access-123";

fn authed(server: &MockServer) -> Client {
    Client::new_with_client(
        &server.base_url(),
        reqwest::Client::new(),
        CallContext::with_bearer(TOKEN),
    )
}

fn date(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn empty_page() -> serde_json::Value {
    json!({ "data": [], "pagination": { "pageSize": 20, "totalCount": -1, "pageIndex": 1, "totalPages": -1 } })
}

#[tokio::test]
async fn list_organization_orders_sends_its_filters() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/orders")
                .query_param("from", "2025-09-01T00:00:00+02:00")
                .query_param("formTypes", "Membership")
                .query_param("formTypes", "Event")
                .query_param_count("formTypes", ".*", 2)
                .query_param("withDetails", "true")
                .query_param("withCount", "false")
                .query_param("sortOrder", "Asc")
                .query_param("pageSize", "50")
                .query_param("continuationToken", "tok")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header_missing("api-version");
            then.status(200).json_body(json!({
                "data": [{ "id": 3_000_000_007_i64, "formType": "Membership",
                           "amount": { "total": 0 }, "items": [{ "id": 1, "priceCategory": "Free" }] }],
                "pagination": { "pageSize": 50, "totalCount": -1, "continuationToken": "next" }
            }));
        })
        .await;
    let page = authed(&server)
        .list_organization_orders()
        .organization_slug("my-asso")
        .from(date("2025-09-01T00:00:00+02:00"))
        .form_types(vec![types::FormType::Membership, types::FormType::Event])
        .with_details(true)
        .with_count(false)
        .sort_order(types::SortOrder::Asc)
        .page_size(50)
        .continuation_token("tok")
        .send()
        .await
        .expect("orders");
    mock.assert_async().await;
    let order = &page.data.as_ref().unwrap()[0];
    assert_eq!(order.id, Some(3_000_000_007));
    assert_eq!(order.payments, None, "a free order has no payments");
    assert_eq!(
        order.items.as_ref().unwrap()[0].price_category,
        Some(types::PriceCategory::Free)
    );
}

#[tokio::test]
async fn list_form_items_puts_the_form_in_the_path_and_sends_item_filters() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/forms/Membership/adhesion-2025/items")
                .query_param("tierTypes", "Membership")
                .query_param("itemStates", "Processed")
                .query_param("itemStates", "Registered")
                .query_param_count("itemStates", ".*", 2)
                .query_param("tierName", "Adhésion annuelle")
                .query_param("withDetails", "true")
                .query_param("sortField", "UpdateDate")
                .query_param("userSearchKey", "dupont")
                .query_param("pageIndex", "2")
                .header_missing("api-version");
            then.status(200).json_body(json!({
                "data": [{ "id": 9, "customFields": [{ "name": "Numéro de licence", "type": "TextInput", "answer": "A12345" }],
                           "tierId": 77, "membershipCardUrl": "https://example.org/card" }],
                "pagination": { "pageSize": 20, "totalCount": -1, "pageIndex": 2, "totalPages": -1 }
            }));
        })
        .await;
    let page = authed(&server)
        .list_form_items()
        .organization_slug("my-asso")
        .form_type(types::FormType::Membership)
        .form_slug("adhesion-2025")
        .tier_types(vec![types::TierType::Membership])
        .item_states(vec![
            types::ItemState::Processed,
            types::ItemState::Registered,
        ])
        .tier_name("Adhésion annuelle")
        .with_details(true)
        .sort_field(types::SortField::UpdateDate)
        .user_search_key("dupont")
        .page_index(2)
        .send()
        .await
        .expect("items");
    mock.assert_async().await;
    let item = &page.data.as_ref().unwrap()[0];
    let field = &item.custom_fields.as_ref().unwrap()[0];
    assert_eq!(field.name.as_deref(), Some("Numéro de licence"));
    assert_eq!(field.answer.as_deref(), Some("A12345"));
    assert_eq!(item.tier_id, Some(77));
}

#[tokio::test]
async fn get_order_and_item_take_their_ids_past_two_to_the_31() {
    let server = MockServer::start_async().await;
    let order = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/orders/3000000001")
                .query_param("withFormData", "true");
            then.status(200)
                .json_body(json!({ "id": 3_000_000_001_i64 }));
        })
        .await;
    let item = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/items/3000000002")
                .query_param("withDetails", "false");
            then.status(200)
                .json_body(json!({ "id": 3_000_000_002_i64, "state": "Canceled" }));
        })
        .await;
    let client = authed(&server);
    let o = client
        .get_order()
        .order_id(3_000_000_001_i64)
        .with_form_data(true)
        .send()
        .await
        .unwrap();
    let i = client
        .get_item()
        .item_id(3_000_000_002_i64)
        .with_details(false)
        .send()
        .await
        .unwrap();
    order.assert_async().await;
    item.assert_async().await;
    assert_eq!(o.id, Some(3_000_000_001));
    assert_eq!(i.state, Some(types::ItemState::Canceled));
}

#[tokio::test]
async fn cancel_order_is_a_bodyless_post() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v5/orders/90000017/cancel")
                .body("")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header_missing("api-version");
            then.status(200);
        })
        .await;
    authed(&server)
        .cancel_order()
        .order_id(90_000_017)
        .send()
        .await
        .expect("canceled");
    mock.assert_async().await;
}

#[tokio::test]
async fn forms_listing_quick_create_and_state_change() {
    let server = MockServer::start_async().await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/forms")
                .query_param("states", "Public")
                .query_param("states", "Draft")
                .query_param("formTypes", "Event");
            then.status(200).json_body(empty_page());
        })
        .await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v5/organizations/my-asso/forms/Event/action/quick-create")
                .header("content-type", "application/json")
                .json_body(json!({
                    "title": "Fête de l'été",
                    "startDate": "2026-06-21T18:00:00+02:00",
                    "tierList": [{ "label": "Entrée", "price": 500 }],
                }));
            then.status(200).json_body(json!({
                "formSlug": "fete-de-l-ete", "organizationSlug": "my-asso",
                "publicUrl": "https://www.helloasso.com/associations/my-asso/evenements/fete-de-l-ete"
            }));
        })
        .await;
    let state = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v5/organizations/my-asso/forms/Event/fete-de-l-ete/state")
                .json_body(json!({ "state": "Public" }));
            then.status(200);
        })
        .await;
    let client = authed(&server);
    client
        .list_forms()
        .organization_slug("my-asso")
        .states(vec![types::FormState::Public, types::FormState::Draft])
        .form_types(vec![types::FormType::Event])
        .send()
        .await
        .unwrap();
    let created = client
        .quick_create_form()
        .organization_slug("my-asso")
        .form_type(types::FormType::Event)
        .body_map(|b| {
            b.title("Fête de l'été".to_owned())
                .start_date(Some(date("2026-06-21T18:00:00+02:00")))
                .tier_list(vec![types::TierLight {
                    label: Some("Entrée".into()),
                    price: Some(Cents(500)),
                }])
        })
        .send()
        .await
        .unwrap();
    client
        .set_form_state()
        .organization_slug("my-asso")
        .form_type(types::FormType::Event)
        .form_slug("fete-de-l-ete")
        .body(types::FormStateChange {
            state: Some(types::FormState::Public),
        })
        .send()
        .await
        .unwrap();
    list.assert_async().await;
    create.assert_async().await;
    state.assert_async().await;
    assert_eq!(created.form_slug.as_deref(), Some("fete-de-l-ete"));
}

#[tokio::test]
async fn cash_out_export_is_handed_over_as_bytes() {
    let server = MockServer::start_async().await;
    let csv = "cashOutId,paymentId\n3000001,120000005\n".repeat(2_000);
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/cash-out/3000001/export")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header_missing("api-version");
            then.status(200)
                .header("content-type", "text/csv")
                .body(csv.clone());
        })
        .await;
    let response = authed(&server)
        .export_cash_out()
        .organization_slug("my-asso")
        .cash_out_id(3_000_001)
        .send()
        .await
        .expect("export");
    mock.assert_async().await;
    let chunks: Vec<bytes::Bytes> = response
        .into_inner()
        .into_inner()
        .try_collect()
        .await
        .unwrap();
    let body: Vec<u8> = chunks.concat();
    assert_eq!(
        body,
        csv.as_bytes(),
        "the file arrives byte for byte, undecoded"
    );
}

#[tokio::test]
async fn partner_routes_send_their_bodies_and_hide_secrets_in_debug() {
    let server = MockServer::start_async().await;
    let me = server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/partners/me");
            then.status(200).json_body(json!({
                "name": "partner",
                "apiClient": { "id": "client-1", "secret": "client-secret-value" },
                "urlNotificationList": [{ "url": "https://p.example.org/h", "signatureKey": "signing-key-value" }],
            }));
        })
        .await;
    let orgs = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/partners/me/organizations")
                .query_param("pageSize", "100")
                .query_param("continuationToken", "t1");
            then.status(200).json_body(json!({
                "data": [{ "organization": { "organizationSlug": "club" }, "availableAccessToken": true }],
                "pagination": { "continuationToken": "t2" }
            }));
        })
        .await;
    let set = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v5/partners/me/api-notifications/organizations/club")
                .json_body(json!({ "url": "https://p.example.org/club", "notificationType": "Order" }));
            then.status(200).json_body(json!({
                "url": "https://p.example.org/club", "apiNotificationType": "Order", "signatureKey": "k2"
            }));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/v5/partners/me/api-notifications")
                .query_param("notificationType", "Payment");
            then.status(200);
        })
        .await;
    let domain = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v5/partners/me/api-clients")
                .json_body(json!({ "domain": "p.example.org" }));
            then.status(200);
        })
        .await;
    let client = authed(&server);
    let partner = client.get_partner().send().await.unwrap().into_inner();
    let page = client
        .list_partner_organizations()
        .page_size(100)
        .continuation_token("t1")
        .send()
        .await
        .unwrap();
    let url = client
        .set_organization_notification_url()
        .organization_slug("club")
        .body_map(|b| {
            b.url("https://p.example.org/club")
                .notification_type(Some(types::ApiNotificationType::Order))
        })
        .send()
        .await
        .unwrap();
    client
        .delete_partner_notification_url()
        .notification_type(types::ApiNotificationType::Payment)
        .send()
        .await
        .unwrap();
    client
        .set_partner_api_client_domain()
        .body(types::ApiClientDomain {
            domain: Some("p.example.org".into()),
        })
        .send()
        .await
        .unwrap();
    for mock in [me, orgs, set, delete, domain] {
        mock.assert_async().await;
    }
    assert_eq!(
        page.data.as_ref().unwrap()[0].available_access_token,
        Some(true)
    );
    assert_eq!(
        url.api_notification_type,
        Some(types::ApiNotificationType::Order)
    );
    // The values are there to read, never to print.
    let api_client = partner.api_client.as_ref().unwrap();
    assert_eq!(api_client.secret.as_deref(), Some("client-secret-value"));
    let shown = format!("{partner:?}");
    assert!(!shown.contains("client-secret-value"), "{shown}");
    assert!(!shown.contains("signing-key-value"), "{shown}");
    assert!(shown.contains("client-1"), "{shown}");
}

#[tokio::test]
async fn organization_and_my_organizations() {
    let server = MockServer::start_async().await;
    let org = server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/organizations/my-asso");
            then.status(200)
                .json_body(json!({ "organizationSlug": "my-asso", "role": "OrganizationAdmin" }));
        })
        .await;
    let mine = server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/users/me/organizations");
            then.status(200)
                .json_body(json!([{ "organizationSlug": "my-asso", "role": "FormAdmin" }]));
        })
        .await;
    let client = authed(&server);
    let o = client
        .get_organization()
        .organization_slug("my-asso")
        .send()
        .await
        .unwrap();
    let list = client.list_my_organizations().send().await.unwrap();
    org.assert_async().await;
    mine.assert_async().await;
    assert_eq!(o.role, Some(types::GlobalRole::OrganizationAdmin));
    assert_eq!(list[0].role, Some(types::GlobalRole::FormAdmin));
}

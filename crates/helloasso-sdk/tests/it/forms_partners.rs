//! Forms, organization, partner routes and cash-out exports through the
//! facade, against httpmock on loopback: method, path, query and body.

use crate::common;

use common::*;
use futures::TryStreamExt;
use helloasso_sdk::ExportFormat;
use helloasso_sdk::types::{
    ApiNotificationType, FormState, FormType, GlobalRole, QuickCreateForm, RecordActionType,
};
use httpmock::Method::{DELETE, GET, POST, PUT};
use serde_json::json;

#[tokio::test]
async fn forms_list_public_types_quick_create_and_state() {
    let (server, client) = server_and_client().await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/forms")
                .query_param("states", "Public")
                .query_param("states", "Draft")
                .query_param("formTypes", "Event")
                .query_param_missing("continuationToken");
            then.status(200).json_body(json!({
                "data": [{ "formSlug": "gala", "formType": "Event", "state": "Public" }],
                "pagination": { "continuationToken": "f1" },
            }));
        })
        .await;
    let end = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/forms")
                .query_param("continuationToken", "f1");
            then.status(200).json_body(json!({ "data": [] }));
        })
        .await;
    let public = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/forms/Membership/adhesion/public");
            then.status(200)
                .json_body(json!({ "validityType": "Custom", "tiers": [{ "label": "Adhésion" }] }));
        })
        .await;
    let types = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/formTypes")
                .query_param("states", "Draft");
            then.status(200).json_body(json!(["Event"]));
        })
        .await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v5/organizations/my-asso/forms/Event/action/quick-create")
                .json_body(json!({ "title": "Fête" }));
            then.status(200)
                .json_body(json!({ "formSlug": "fete", "organizationSlug": "my-asso" }));
        })
        .await;
    let state = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v5/organizations/my-asso/forms/Event/fete/state")
                .json_body(json!({ "state": "Public" }));
            then.status(200);
        })
        .await;

    let forms = client.forms("my-asso");
    let listed: Vec<_> = forms
        .list()
        .states([FormState::Public, FormState::Draft])
        .form_types([FormType::Event])
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed[0].form_slug.as_deref(), Some("gala"));
    let form = forms
        .public(FormType::Membership, "adhesion")
        .await
        .unwrap();
    assert_eq!(form.tiers.unwrap()[0].label.as_deref(), Some("Adhésion"));
    assert_eq!(
        forms.types([FormState::Draft]).await.unwrap(),
        [FormType::Event]
    );
    let body: QuickCreateForm = serde_json::from_value(json!({ "title": "Fête" })).unwrap();
    let created = forms.quick_create(FormType::Event, body).await.unwrap();
    assert_eq!(created.form_slug.as_deref(), Some("fete"));
    forms
        .set_state(FormType::Event, "fete", FormState::Public)
        .await
        .unwrap();
    for mock in [list, end, public, types, create, state] {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn organization_and_my_organizations() {
    let (server, client) = server_and_client().await;
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
    let o = client.organization_details("my-asso").await.unwrap();
    assert_eq!(o.role, Some(GlobalRole::OrganizationAdmin));
    let list = client.my_organizations().await.unwrap();
    assert_eq!(list[0].role, Some(GlobalRole::FormAdmin));
    org.assert_async().await;
    mine.assert_async().await;
}

#[tokio::test]
async fn partner_account_organizations_and_notification_urls() {
    let (server, client) = server_and_client().await;
    let me = server
        .mock_async(|when, then| {
            when.method(GET).path("/v5/partners/me");
            then.status(200)
                .json_body(json!({ "apiClient": { "id": "c", "secret": "api-client-secret" } }));
        })
        .await;
    let orgs = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/partners/me/organizations")
                .query_param("pageSize", "1")
                .query_param_missing("continuationToken");
            then.status(200).json_body(json!({
                "data": [{ "organization": { "organizationSlug": "a" }, "availableAccessToken": true }],
                "pagination": { "continuationToken": "p1" },
            }));
        })
        .await;
    let orgs_end = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/partners/me/organizations")
                .query_param("continuationToken", "p1");
            then.status(200).json_body(json!({ "data": [] }));
        })
        .await;
    let set_main = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v5/partners/me/api-notifications")
                .json_body(json!({ "url": "https://p.example.org/h" }));
            then.status(200).json_body(
                json!({ "url": "https://p.example.org/h", "signatureKey": "signing-key-value" }),
            );
        })
        .await;
    let delete_main = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/v5/partners/me/api-notifications")
                .query_param("notificationType", "Payment");
            then.status(200);
        })
        .await;
    let set_org = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/v5/partners/me/api-notifications/organizations/club")
                .json_body(
                    json!({ "url": "https://p.example.org/club", "notificationType": "Order" }),
                );
            then.status(200).json_body(
                json!({ "url": "https://p.example.org/club", "apiNotificationType": "Order" }),
            );
        })
        .await;
    let delete_org = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/v5/partners/me/api-notifications/organizations/club")
                .query_param_missing("notificationType");
            then.status(200);
        })
        .await;

    let partner = client.partner();
    let account = partner.get().await.unwrap();
    assert!(!format!("{account:?}").contains("api-client-secret"));
    let served: Vec<_> = partner.organizations(Some(1)).try_collect().await.unwrap();
    assert_eq!(served.len(), 1);
    assert_eq!(served[0].available_access_token, Some(true));
    let url = partner
        .set_notification_url("https://p.example.org/h", None)
        .await
        .unwrap();
    assert_eq!(url.signature_key.as_deref(), Some("signing-key-value"));
    assert!(!format!("{url:?}").contains("signing-key-value"), "{url:?}");
    partner
        .delete_notification_url(Some(ApiNotificationType::Payment))
        .await
        .unwrap();
    let url = partner
        .set_organization_notification_url(
            "club",
            "https://p.example.org/club",
            Some(ApiNotificationType::Order),
        )
        .await
        .unwrap();
    assert_eq!(url.api_notification_type, Some(ApiNotificationType::Order));
    partner
        .delete_organization_notification_url("club", None)
        .await
        .unwrap();
    for mock in [
        me,
        orgs,
        orgs_end,
        set_main,
        delete_main,
        set_org,
        delete_org,
    ] {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn a_cash_out_is_streamed_into_the_writer_with_the_chosen_format() {
    let (server, client) = server_and_client().await;
    let csv = "cashOutId,paymentId\n3000001,120000005\n".repeat(3_000);
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/organizations/my-asso/cash-out/3000001/export")
                .header("accept", "text/csv")
                .header("authorization", "Bearer access-1");
            then.status(200)
                .header("content-type", "text/csv")
                .body(csv.clone());
        })
        .await;
    let mut out = Vec::new();
    let written = client
        .payout("my-asso", 3_000_001)
        .write_to(ExportFormat::Csv, &mut out)
        .await
        .unwrap();
    assert_eq!(written as usize, csv.len());
    assert_eq!(out, csv.as_bytes());
    mock.assert_async().await;
}

/// The operations without a facade (directory, tags, value lists) are
/// typed through `execute`, with the client's tokens and errors.
#[tokio::test]
async fn the_rest_runs_typed_through_execute() {
    let (server, client) = server_and_client().await;
    let categories = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v5/values/organization/categories")
                .header("authorization", "Bearer access-1");
            then.status(200)
                .json_body(json!([{ "id": 4, "label": "Sport" }]));
        })
        .await;
    let directory = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v5/directory/forms")
                .query_param("pageSize", "10")
                .json_body(json!({ "formTypes": ["Event"] }));
            then.status(200).json_body(json!({
                "data": [{ "action": "Insert", "record": { "formSlug": "gala" } }],
                "pagination": {}
            }));
        })
        .await;
    let list = client
        .execute(|raw| raw.list_organization_categories())
        .await
        .unwrap()
        .into_body();
    assert_eq!(list[0].label.as_deref(), Some("Sport"));
    let page = client
        .execute(|raw| {
            raw.search_directory_forms()
                .page_size(10)
                .body_map(|b| b.form_types(vec![FormType::Event]))
        })
        .await
        .unwrap()
        .into_body();
    let entry = &page.data.unwrap()[0];
    assert_eq!(entry.action, Some(RecordActionType::Insert));
    assert_eq!(
        entry.record.as_ref().unwrap().form_slug.as_deref(),
        Some("gala")
    );
    categories.assert_async().await;
    directory.assert_async().await;
}

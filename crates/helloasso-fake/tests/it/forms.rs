//! Forms, the organization, cash-out exports and the partner routes over
//! real HTTP.

use crate::common::{Fake, assert_error, small, start};
use helloasso_fake::{CASH_OUT_HEADER, FakeConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Sends `method` with the bearer and a JSON body; status and JSON back.
async fn send(f: &Fake, method: Method, url: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = f.http.request(method, url).bearer_auth(&f.token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn slugs(forms: &[Value]) -> Vec<&str> {
    forms
        .iter()
        .map(|f| f["formSlug"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn forms_are_listed_with_their_kinds_and_states() {
    let f = small().await;
    let url = f.org_url("/forms");
    let all = f.walk_tokens(&url, &[("pageSize", "2")]).await;
    assert_eq!(all.len(), 10, "{:?}", slugs(&all));
    let (_, first) = f.get(&url, &[("pageSize", "2")]).await;
    assert_eq!(first["pagination"]["totalCount"], 10);
    assert_eq!(first["pagination"]["totalPages"], 5);
    let (status, _) = f.get(&url, &[("pageSize", "2"), ("pageIndex", "6")]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);

    let (_, drafts) = f.get(&url, &[("states", "Draft")]).await;
    assert_eq!(
        slugs(drafts["data"].as_array().unwrap()),
        ["assemblee-generale-2026"]
    );
    let (_, hidden) = f
        .get(&url, &[("states", "Private"), ("states", "Disabled")])
        .await;
    assert_eq!(
        slugs(hidden["data"].as_array().unwrap()),
        ["soiree-des-benevoles", "tombola-2024"]
    );
    let (_, events) = f.get(&url, &[("formTypes", "Event")]).await;
    let events = events["data"].as_array().unwrap();
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| e["formType"] == "Event"));
    let (status, body) = f.get(&url, &[("states", "Nope")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "ArgumentInvalid");

    let (_, kinds) = f
        .get(&f.org_url("/formTypes"), &[("states", "Draft")])
        .await;
    assert_eq!(kinds, json!(["Event"]));
    let (_, kinds) = f.get(&f.org_url("/formTypes"), &[]).await;
    assert_eq!(kinds.as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn a_form_as_the_public_sees_it() {
    let f = small().await;
    let (status, form) = f
        .get(
            &f.org_url("/forms/Membership/adhesion-2025-2026/public"),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{form}");
    assert_eq!(form["validityType"], "Custom");
    assert!(
        form["startDate"]
            .as_str()
            .unwrap()
            .starts_with("2025-09-01")
    );
    assert!(form["endDate"].as_str().unwrap().starts_with("2026-08-31"));
    let tier = &form["tiers"][0];
    assert_eq!(tier["label"], "Adhésion annuelle");
    assert_eq!(tier["customFields"][0]["label"], "Numéro de licence");
    // The tier's id is the one the form's items carry.
    let (_, items) = f
        .get(
            &f.org_url("/forms/Membership/adhesion-2025-2026/items"),
            &[("pageSize", "1")],
        )
        .await;
    assert_eq!(items["data"][0]["tierId"], tier["id"]);

    let (_, gala) = f
        .get(&f.org_url("/forms/Event/gala-de-printemps/public"), &[])
        .await;
    assert_eq!(gala["place"]["city"], "Lyon");
    assert_eq!(gala["tiers"][0]["extraOptions"][0]["label"], "Repas");
    assert_eq!(
        gala["tiers"][0]["customFields"][0]["values"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    let (status, _) = f.get(&f.org_url("/forms/Event/nope/public"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = f
        .get(&f.org_url("/forms/Nope/gala-de-printemps/public"), &[])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn quick_created_event_starts_as_a_draft_and_can_be_published() {
    let f = small().await;
    let url = f.org_url("/forms/Event/action/quick-create");
    let body = json!({
        "title": "Fête de l'été",
        "tierList": [{ "label": "Entrée", "price": 500 }],
    });
    let (status, created) = send(&f, Method::POST, &url, Some(body.clone())).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["formSlug"], "fete-de-l-ete");
    assert_eq!(created["organizationSlug"], f.server.organization_slug());
    assert!(
        created["publicUrl"]
            .as_str()
            .unwrap()
            .ends_with("/evenements/fete-de-l-ete")
    );
    // The same title again gets a fresh slug.
    let (_, again) = send(&f, Method::POST, &url, Some(body)).await;
    assert_eq!(again["formSlug"], "fete-de-l-ete-2");

    let (_, drafts) = f.get(&f.org_url("/forms"), &[("states", "Draft")]).await;
    assert!(slugs(drafts["data"].as_array().unwrap()).contains(&"fete-de-l-ete"));
    let state_url = f.org_url("/forms/Event/fete-de-l-ete/state");
    let (status, _) = send(
        &f,
        Method::PUT,
        &state_url,
        Some(json!({ "state": "Public" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, public) = f
        .get(&f.org_url("/forms/Event/fete-de-l-ete/public"), &[])
        .await;
    assert_eq!(public["state"], "Public");
    assert_eq!(public["tiers"][0]["label"], "Entrée");
    // The tier keeps the price it was sent.
    assert_eq!(public["tiers"][0]["price"], 500);
    assert_eq!(f.server.counters().requests.quick_create_form, 2);

    // Refused: no title, not an event, not JSON, a wrong state.
    let (status, body) = send(&f, Method::POST, &url, Some(json!({ "title": " " }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "ArgumentInvalid");
    let donation = f.org_url("/forms/Donation/action/quick-create");
    let (status, _) = send(&f, Method::POST, &donation, Some(json!({ "title": "Don" }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = send(&f, Method::POST, &url, Some(json!([1]))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = send(
        &f,
        Method::PUT,
        &state_url,
        Some(json!({ "state": "Gone" })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let missing = f.org_url("/forms/Event/nope/state");
    let (status, _) = send(
        &f,
        Method::PUT,
        &missing,
        Some(json!({ "state": "Public" })),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn organization_details_and_the_callers_organizations() {
    let f = small().await;
    let (status, org) = f.get(&f.org_url(""), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(org["organizationSlug"], f.server.organization_slug());
    assert_eq!(org["name"], "Association Démo");
    assert_eq!(org["type"], "Association1901");
    assert!(org.get("logo").is_none(), "unset fields are absent");
    let (status, _) = f.get(&f.url("/organizations/nope"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A partner's token reaches every organization.
    let (_, mine) = f.get(&f.url("/users/me/organizations"), &[]).await;
    let slugs: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["organizationSlug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, f.server.organizations());
}

/// The oldest `Authorized` payment a cash-out transferred, not refunded yet.
async fn transferred_payment(f: &Fake) -> Value {
    let (_, page) = f
        .get(
            &f.org_url("/payments"),
            &[
                ("pageSize", "100"),
                ("sortOrder", "Asc"),
                ("states", "Authorized"),
            ],
        )
        .await;
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["idCashOut"].is_i64() && p["refundOperations"].is_null())
        .expect("a transferred payment not refunded yet")
        .clone()
}

#[tokio::test]
async fn a_cash_out_exports_the_payments_it_transferred() {
    let f = small().await;
    let payment = transferred_payment(&f).await;
    let cash_out = payment["idCashOut"].as_i64().unwrap();
    let url = f.org_url(&format!("/cash-out/{cash_out}/export"));
    let resp = f
        .authed_get(&url)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let bytes = resp.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "the CSV starts with a BOM"
    );
    let mut rows = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(
        rows.headers().unwrap().iter().collect::<Vec<_>>(),
        CASH_OUT_HEADER
    );
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert!(rows.iter().all(|r| r[11] == cash_out.to_string()));
    let row = rows
        .iter()
        .find(|r| r[6] == *payment["id"].to_string())
        .expect("the payment is in its cash-out");
    let euros = (payment["amount"].as_f64().unwrap() / 100.0).to_string();
    assert_eq!(row[3], euros);
    assert_eq!(row[5], payment["order"]["id"].to_string());

    let (status, _) = f.get(&f.org_url("/cash-out/1/export"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Asked for a spreadsheet (and not CSV), the same rows come as a
    // workbook: a ZIP archive of XML parts.
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let resp = f
        .authed_get(&url)
        .header("accept", xlsx)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], xlsx);
    let disposition = resp.headers()["content-disposition"].to_str().unwrap();
    assert!(
        disposition.ends_with(&format!("cash-out-{cash_out}.xlsx\"")),
        "{disposition}"
    );
    let body = resp.bytes().await.unwrap();
    assert_eq!(&body[..4], b"PK\x03\x04");
    let resp = f
        .authed_get(&url)
        .header("accept", format!("text/csv, {xlsx}"))
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
}

/// The rows of a cash-out's CSV export.
async fn cash_out_rows(f: &Fake, cash_out: i64) -> Vec<csv::StringRecord> {
    let url = f.org_url(&format!("/cash-out/{cash_out}/export"));
    let resp = f
        .authed_get(&url)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.unwrap();
    csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn a_payment_refunded_after_its_cash_out_stays_in_that_cash_out() {
    let f = small().await;
    let payment = transferred_payment(&f).await;
    let (id, cash_out) = (
        payment["id"].clone(),
        payment["idCashOut"].as_i64().unwrap(),
    );
    let row_of = |rows: &[csv::StringRecord]| {
        rows.iter()
            .find(|r| r[6] == *id.to_string())
            .cloned()
            .expect("the payment is in its cash-out")
    };
    assert_eq!(&row_of(&cash_out_rows(&f, cash_out).await)[9], "Paid");

    let (status, refunded) = f.post(&f.url(&format!("/payments/{id}/refund")), &[]).await;
    assert_eq!(status, StatusCode::OK, "{refunded}");

    // The money went to the bank before the refund: the cash-out still lists
    // it, now as refunded, and the payment still names its cash-out.
    let row = row_of(&cash_out_rows(&f, cash_out).await);
    assert_eq!(&row[9], "Refunded");
    // Amounts in euros, as the spec's decimal `credit`.
    let euros = (payment["amount"].as_f64().unwrap() / 100.0).to_string();
    assert_eq!(row[3], euros);
    let (_, after) = f.get(&f.url(&format!("/payments/{id}")), &[]).await;
    assert_eq!(after["state"], "Refunded");
    assert_eq!(after["cashOutState"], "Refunded");
    assert_eq!(after["idCashOut"], cash_out);
}

#[tokio::test]
async fn partner_account_organizations_and_notification_urls() {
    let f = small().await;
    let (status, me) = f.get(&f.url("/partners/me"), &[]).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["apiClient"]["id"], f.server.client_id());
    assert!(
        !me.to_string().contains(f.server.client_secret()),
        "the client secret is never served"
    );
    assert_eq!(me["partnerStatistics"]["linkedOrganizationsCount"], 2);

    // The partner's organizations, one per page.
    let orgs = f
        .walk_tokens(&f.url("/partners/me/organizations"), &[("pageSize", "1")])
        .await;
    let slugs: Vec<&str> = orgs
        .iter()
        .map(|o| o["organization"]["organizationSlug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, f.server.organizations());
    assert!(orgs.iter().all(|o| o["availableAccessToken"] == false));

    // The main URL: set, shown, deleted once.
    let main = f.url("/partners/me/api-notifications");
    let (status, set) = send(
        &f,
        Method::PUT,
        &main,
        Some(json!({ "url": "https://partner.example.org/hook" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["url"], "https://partner.example.org/hook");
    assert_eq!(set["signatureKey"].as_str().unwrap().len(), 32);
    let (_, me) = f.get(&f.url("/partners/me"), &[]).await;
    assert_eq!(me["urlNotificationList"][0]["url"], set["url"]);
    let (status, _) = send(&f, Method::DELETE, &main, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(&f, Method::DELETE, &main, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // One organization's URL, for one kind of notification.
    let other = f.server.organizations()[1].clone();
    let org_url = f.url(&format!(
        "/partners/me/api-notifications/organizations/{other}"
    ));
    let body = json!({ "url": "https://partner.example.org/club", "notificationType": "Payment" });
    let (status, set) = send(&f, Method::PUT, &org_url, Some(body)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(set["apiNotificationType"], "Payment");
    // Deleting another kind finds nothing; the right kind is deleted.
    let (status, _) = send(
        &f,
        Method::DELETE,
        &format!("{org_url}?notificationType=Order"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(
        &f,
        Method::DELETE,
        &format!("{org_url}?notificationType=Payment"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Refused: not a URL, an unknown organization, an unknown kind.
    let (status, _) = send(&f, Method::PUT, &main, Some(json!({ "url": "ftp://x" }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let unknown = f.url("/partners/me/api-notifications/organizations/nope");
    let (status, _) = send(
        &f,
        Method::PUT,
        &unknown,
        Some(json!({ "url": "https://x.org" })),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(
        &f,
        Method::DELETE,
        &format!("{main}?notificationType=Nope"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The API client's domain.
    let clients = f.url("/partners/me/api-clients");
    let (status, _) = send(
        &f,
        Method::PUT,
        &clients,
        Some(json!({ "domain": "partner.example.org" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, me) = f.get(&f.url("/partners/me"), &[]).await;
    assert_eq!(me["apiClient"]["domain"], "partner.example.org");
}

#[tokio::test]
async fn partner_routes_refuse_an_association() {
    let f = start(FakeConfig::default().payments(200).association(true)).await;
    for (method, url) in [
        (Method::GET, f.url("/partners/me")),
        (Method::GET, f.url("/partners/me/organizations")),
        (Method::PUT, f.url("/partners/me/api-notifications")),
        (Method::DELETE, f.url("/partners/me/api-notifications")),
    ] {
        let body = (method == Method::PUT).then(|| json!({ "url": "https://x.org" }));
        let (status, body) = send(&f, method, &url, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{url}");
        assert_error(&body, "Forbidden");
    }
}

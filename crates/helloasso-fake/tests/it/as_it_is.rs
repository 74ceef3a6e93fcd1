//! The fake held to what HelloAsso does, each test to a row of
//! `docs/helloasso-behaviour.md` (the row names its source: a real sample,
//! HelloAsso's docs or spec, or a third party's report of the live API).

use crate::common::{Fake, assert_error, small, start};
use base64::Engine;
use helloasso_fake::{FakeConfig, MfaMode, Privilege};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Digest;

/// Sample 54 and the 2025-06 spec's `withCount` (default false): the
/// payments, orders and items listings answer -1 unless counts are asked.
#[tokio::test]
async fn listings_count_only_when_asked() {
    let f = small().await;
    let form = f.server.forms().into_iter().next().unwrap();
    let form_path = format!("/forms/{}/{}", form.form_type, form.form_slug);
    for route in [
        "/payments".to_owned(),
        "/orders".to_owned(),
        "/items".to_owned(),
        format!("{form_path}/payments"),
        format!("{form_path}/orders"),
        format!("{form_path}/items"),
    ] {
        let url = f.org_url(&route);
        let (status, body) = f.get(&url, &[]).await;
        assert_eq!(status, StatusCode::OK, "{route}: {body}");
        assert_eq!(body["pagination"]["totalCount"], -1, "{route}");
        assert_eq!(body["pagination"]["totalPages"], -1, "{route}");
        let (_, counted) = f.get(&url, &[("withCount", "true")]).await;
        let total = counted["pagination"]["totalCount"].as_i64().unwrap();
        assert!(total >= 0, "{route}: {counted}");
        let (_, off) = f.get(&url, &[("withCount", "false")]).await;
        assert_eq!(off["pagination"]["totalCount"], -1, "{route}");
    }
}

/// Samples 21 and 51: the forms listing carries its counts; the spec says
/// the partner's organizations never do.
#[tokio::test]
async fn forms_count_and_partner_organizations_do_not() {
    let f = small().await;
    let (_, forms) = f.get(&f.org_url("/forms"), &[]).await;
    assert!(forms["pagination"]["totalCount"].as_i64().unwrap() > 0);
    let (_, orgs) = f.get(&f.url("/partners/me/organizations"), &[]).await;
    assert_eq!(orgs["pagination"]["totalCount"], -1, "{orgs}");
    assert_eq!(orgs["pagination"]["totalPages"], -1, "{orgs}");
}

async fn refund_status(f: &Fake) -> (StatusCode, Value) {
    let id = f
        .server
        .payment_ids(Some(helloasso_fake::PaymentState::Authorized), 1)[0];
    f.post(&f.url(&format!("/payments/{id}/refund")), &[]).await
}

/// The spec: a refund needs `RefundManagement`, which an association's
/// client lacks unless HelloAsso grants it; the 403 says "insufficient
/// Privileges" (helloasso-mcp's report of the live API).
#[tokio::test]
async fn a_refund_without_refund_management_is_a_403() {
    let f = start(FakeConfig::default().payments(200).association(true)).await;
    let (status, body) = refund_status(&f).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body, json!({ "message": "insufficient Privileges" }));
    assert_eq!(f.server.counters().refunds_executed, 0);
    // Reads stay allowed.
    let (status, _) = f.get(&f.org_url("/payments"), &[]).await;
    assert_eq!(status, StatusCode::OK);

    let f = start(
        FakeConfig::default()
            .payments(200)
            .association(true)
            .grant(Privilege::RefundManagement),
    )
    .await;
    let (status, body) = refund_status(&f).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The spec: the directory, the tags and the value lists are served, each
/// behind its privilege; an association's client lacks the directory's
/// (helloasso-mcp: it "cannot call the directory, tag ... routes").
#[tokio::test]
async fn directory_tags_and_value_lists_are_served_behind_their_privileges() {
    let f = small().await;
    let resp = f
        .authed_post(f.url("/directory/forms"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let page: Value = resp.json().await.unwrap();
    assert_eq!(page["data"][0]["action"], "Insert");
    assert!(page["data"][0]["record"]["formSlug"].is_string(), "{page}");
    assert_eq!(page["pagination"]["totalCount"], -1);
    let resp = f
        .authed_post(f.url("/directory/organizations"))
        .json(&json!({ "name": "demo" }))
        .send()
        .await
        .unwrap();
    let page: Value = resp.json().await.unwrap();
    assert!(page["data"][0]["record"]["organizationSlug"].is_string());
    let (status, tag) = f.get(&f.url("/tags/sport"), &[("withCount", "true")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tag["name"], "sport");
    assert!(tag["formCount"].is_i64());
    let (status, _) = f.get(&f.url("/tags/nope"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for list in [
        "/values/form/Event/types",
        "/values/organization/categories",
        "/values/tags",
        "/values/company-legal-status",
    ] {
        let (status, body) = f.get(&f.url(list), &[]).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert!(!body.as_array().unwrap().is_empty(), "{list}");
    }

    let a = start(FakeConfig::default().payments(50).association(true)).await;
    let resp = a
        .authed_post(a.url("/directory/forms"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let (status, _) = a.get(&a.url("/tags/sport"), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = a.get(&a.url("/values/tags"), &[]).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "AccessPublicData is an association's"
    );
}

async fn token_answer(f: &Fake, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let resp = f
        .http
        .post(format!("{}/oauth2/token", f.server.base_url()))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

/// Sample 61: a wrong id and a wrong secret both answer 400
/// `unauthorized_client`.
#[tokio::test]
async fn bad_client_credentials_answer_unauthorized_client() {
    let f = small().await;
    let id = f.server.client_id().to_owned();
    for (client_id, secret) in [(id.as_str(), "wrong"), ("nobody", "x")] {
        let (status, body) = token_answer(
            &f,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", secret),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], "unauthorized_client", "{body}");
        assert_eq!(
            body["error_description"],
            format!("Invalid client_id '{client_id}'")
        );
    }
}

/// DESIGN.md: partners use the authorization code with PKCE (S256); the
/// grant needs the client secret and the verifier (issue #26 item 16).
#[tokio::test]
async fn the_authorization_code_grant_needs_the_secret_and_the_verifier() {
    let f = small().await;
    let slug = f.server.organization_slug().to_owned();
    let redirect = "https://partner.example/callback";
    let verifier = "a-verifier-long-enough-for-pkce-0123456789abcdef";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    let id = f.server.client_id().to_owned();
    let secret = f.server.client_secret().to_owned();
    let ask = |code: String, secret: Option<String>, verifier: Option<&'static str>| {
        let mut form = vec![
            ("grant_type".to_owned(), "authorization_code".to_owned()),
            ("client_id".to_owned(), id.clone()),
            ("code".to_owned(), code),
            ("redirect_uri".to_owned(), redirect.to_owned()),
        ];
        if let Some(s) = secret {
            form.push(("client_secret".to_owned(), s));
        }
        if let Some(v) = verifier {
            form.push(("code_verifier".to_owned(), v.to_owned()));
        }
        form
    };
    let send = |form: Vec<(String, String)>| {
        let f = &f;
        async move {
            let pairs: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            token_answer(f, &pairs).await
        }
    };
    let code = || {
        f.server
            .authorization_code(&slug, redirect, Some(&challenge))
            .unwrap()
    };
    let (status, body) = send(ask(code(), None, Some(verifier))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no secret: {body}");
    assert_eq!(body["error"], "unauthorized_client");
    let (status, body) = send(ask(code(), Some(secret.clone()), None)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no verifier: {body}");
    assert_eq!(body["error"], "invalid_grant");
    let no_challenge = f.server.authorization_code(&slug, redirect, None).unwrap();
    let (status, _) = send(ask(no_challenge, Some(secret.clone()), Some(verifier))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a code asked without PKCE");
    let (status, body) = send(ask(code(), Some(secret), Some(verifier))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(f.server.counters().tokens.authorization_code, 1);
}

/// The spec's row model and helloasso-mcp's report: the cash-out export
/// answers JSON, CSV (with a byte-order mark) or XLSX by `Accept`.
#[tokio::test]
async fn the_cash_out_export_answers_by_accept() {
    let f = small().await;
    let (_, page) = f
        .get(
            &f.org_url("/payments"),
            &[("pageSize", "100"), ("sortOrder", "Asc")],
        )
        .await;
    let payment = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["idCashOut"].is_i64())
        .unwrap()
        .clone();
    let cash_out = payment["idCashOut"].as_i64().unwrap();
    let url = f.org_url(&format!("/cash-out/{cash_out}/export"));

    let resp = f.authed_get(&url).send().await.unwrap();
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let rows: Vec<Value> = resp.json().await.unwrap();
    let row = rows
        .iter()
        .find(|r| r["paymentId"] == payment["id"])
        .expect("the payment is in its cash-out");
    assert_eq!(row["cashOutId"], cash_out);
    assert_eq!(
        row["credit"].as_f64().unwrap(),
        payment["amount"].as_f64().unwrap() / 100.0
    );
    let keys: Vec<&str> = row
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in keys {
        assert!(helloasso_fake::CASH_OUT_HEADER.contains(&key), "{key}");
    }

    let resp = f
        .authed_get(&url)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "the CSV starts with a BOM");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        helloasso_fake::CASH_OUT_HEADER
    );
    assert_eq!(reader.records().count(), rows.len());

    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let resp = f
        .authed_get(&url)
        .header("accept", xlsx)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], xlsx);
    assert_eq!(&resp.bytes().await.unwrap()[..2], b"PK");
}

/// helloasso-mcp: arrays are repeated keys, never comma-joined.
#[tokio::test]
async fn comma_joined_lists_are_refused() {
    let f = small().await;
    for (route, name, value) in [
        ("/payments", "states", "Authorized,Refunded"),
        ("/items", "itemStates", "Processed,Canceled"),
        ("/forms", "states", "Public,Draft"),
    ] {
        let (status, body) = f.get(&f.org_url(route), &[(name, value)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{route}: {body}");
        assert_error(&body, "ArgumentInvalid");
    }
    let (status, _) = f
        .get(
            &f.org_url("/payments"),
            &[("states", "Authorized"), ("states", "Refunded")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// helloasso-mcp: HelloAsso's CDN refuses a request without a User-Agent.
#[tokio::test]
async fn a_request_without_a_user_agent_is_refused() {
    let f = small().await;
    // reqwest sends no User-Agent unless told to.
    let bare = reqwest::Client::new();
    let resp = bare
        .get(f.org_url("/payments"))
        .bearer_auth(&f.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = bare
        .post(format!("{}/oauth2/token", f.server.base_url()))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // The fake's own routes are not HelloAsso's.
    let resp = bare
        .get(format!("{}/_fake/info", f.server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

/// HelloAsso's developer docs: a refused refund carries its reason code in
/// `message` (`Code : 101 - ...` for a payment not found).
#[tokio::test]
async fn refund_refusals_carry_their_code_in_the_message() {
    let f = small().await;
    let (status, body) = f.post(&f.url("/payments/999/refund"), &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["code"], "Error");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("Code : 101 - "), "{message}");

    let refunded = f
        .server
        .payment_ids(Some(helloasso_fake::PaymentState::Refunded), 1)[0];
    let (status, body) = f
        .post(&f.url(&format!("/payments/{refunded}/refund")), &[])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("Code : 1"), "{message}");
}

/// Seed 003 (HelloAsso's docs and the spec's 409): the MFA refusal is a 409
/// with the `AuthorizationErrors.*` code of the proof wanted.
#[tokio::test]
async fn the_mfa_refusal_names_the_proof_wanted() {
    for (mode, code) in [
        (MfaMode::Sms, "AuthorizationErrors.MFA.AccessOtpSmsRequired"),
        (
            MfaMode::Email,
            "AuthorizationErrors.MFA.AccessTokenRequired",
        ),
        (
            MfaMode::Password,
            "AuthorizationErrors.MFA.AccessPasswordTokenRequired",
        ),
        (MfaMode::NotEnrolled, "AuthorizationErrors.UserNotEnrolled"),
    ] {
        let f = start(FakeConfig::default().payments(100).mfa(mode, "424242")).await;
        let (status, body) = refund_status(&f).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_error(&body, code);
    }
}

/// The spec's quick-create request: every tier, the dates, the place and
/// the description are kept and shown on the public form.
#[tokio::test]
async fn quick_create_keeps_every_tier_the_dates_the_place_and_the_description() {
    let f = small().await;
    let body = json!({
        "title": "Tournoi d'automne",
        "description": "Deux jours de tournoi.",
        "startDate": "2026-10-03T09:00:00+02:00",
        "endDate": "2026-10-04T18:00:00+02:00",
        "place": { "name": "Gymnase", "city": "Lyon", "zipCode": "69007", "country": "FRA" },
        "tierList": [
            { "label": "Adulte", "price": 1500 },
            { "label": "Enfant", "price": 500 },
            { "label": "Accompagnant", "price": 0 },
        ],
    });
    let resp = f
        .authed_post(f.org_url("/forms/Event/action/quick-create"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let created: Value = resp.json().await.unwrap();
    let slug = created["formSlug"].as_str().unwrap();
    let (status, public) = f
        .get(&f.org_url(&format!("/forms/Event/{slug}/public")), &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{public}");
    let tiers: Vec<(&str, i64)> = public["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["label"].as_str().unwrap(), t["price"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        tiers,
        [("Adulte", 1500), ("Enfant", 500), ("Accompagnant", 0)]
    );
    assert_eq!(public["startDate"], body["startDate"]);
    assert_eq!(public["endDate"], body["endDate"]);
    assert_eq!(public["place"], body["place"]);
    assert_eq!(public["description"], body["description"]);
}

/// HelloAsso's Node SDK 1.0.12: a form's statistics.
#[tokio::test]
async fn form_stats_count_the_tiers_taken() {
    let f = small().await;
    let form = f
        .server
        .forms()
        .into_iter()
        .find(|x| x.organization_slug == f.server.organization_slug())
        .unwrap();
    let (status, stats) = f
        .get(
            &f.org_url(&format!(
                "/forms/{}/{}/stats",
                form.form_type, form.form_slug
            )),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    let tiers = stats["unGroupedTiers"].as_array().unwrap();
    assert_eq!(tiers.len(), 1);
    assert_eq!(stats["totalParticipant"], tiers[0]["entriesTaken"]);
    assert!(stats["additionalOptions"].is_array());
    let (status, _) = f
        .get(&f.org_url("/forms/Event/no-such-form/stats"), &[])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

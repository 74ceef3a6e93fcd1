//! Every filter and sort of the listings, the search endpoint, and bad input.

use crate::common::{assert_error, ids, small};
use reqwest::StatusCode;
use serde_json::Value;

fn dates(items: &[Value], field: &str) -> Vec<chrono::DateTime<chrono::FixedOffset>> {
    items
        .iter()
        .map(|p| {
            let s = if field == "updatedAt" {
                p["meta"]["updatedAt"].as_str()
            } else {
                p[field].as_str()
            };
            chrono::DateTime::parse_from_rfc3339(s.unwrap()).unwrap()
        })
        .collect()
}

#[tokio::test]
async fn date_range_is_half_open() {
    let f = small().await;
    let url = f.org_url("/payments");
    let all = f
        .walk_tokens(&url, &[("pageSize", "100"), ("sortOrder", "Asc")])
        .await;
    // Take the exact date of the 100th and 200th payments.
    let from = all[100]["date"].as_str().unwrap().to_owned();
    let to = all[200]["date"].as_str().unwrap().to_owned();
    let got = f
        .walk_tokens(
            &url,
            &[
                ("pageSize", "100"),
                ("sortOrder", "Asc"),
                ("from", &from),
                ("to", &to),
            ],
        )
        .await;
    assert_eq!(
        ids(&got),
        ids(&all[100..200]),
        "from inclusive, to exclusive"
    );
    // Dates in UTC or without an offset work too.
    let (status, body) = f
        .get(
            &url,
            &[("from", "2024-01-01T00:00:00Z"), ("to", "2024-02-01")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for d in dates(body["data"].as_array().unwrap(), "date") {
        assert!(d >= chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").unwrap());
        assert!(d < chrono::DateTime::parse_from_rfc3339("2024-02-01T00:00:00+01:00").unwrap());
    }
}

#[tokio::test]
async fn states_filter_repeated_and_commas() {
    let f = small().await;
    let url = f.org_url("/payments");
    let repeated = f
        .walk_tokens(
            &url,
            &[
                ("pageSize", "100"),
                ("states", "Refunded"),
                ("states", "Refused"),
            ],
        )
        .await;
    assert!(!repeated.is_empty());
    assert!(
        repeated
            .iter()
            .all(|p| p["state"] == "Refunded" || p["state"] == "Refused")
    );
    // Arrays are repeated keys; a comma-joined value is refused.
    let (status, _) = f
        .get(&url, &[("pageSize", "100"), ("states", "Refunded,Refused")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, body) = f
        .get(
            &url,
            &[
                ("states", "Refunded"),
                ("states", "Refused"),
                ("pageSize", "1"),
                ("withCount", "true"),
            ],
        )
        .await;
    assert_eq!(body["pagination"]["totalCount"], repeated.len());
    // Refunded payments list their refund.
    let refunded = repeated.iter().find(|p| p["state"] == "Refunded").unwrap();
    assert_eq!(
        refunded["refundOperations"][0]["amount"],
        refunded["amount"]
    );
    assert_eq!(refunded["cashOutState"], "Refunded");
}

#[tokio::test]
async fn user_search_key() {
    let f = small().await;
    let url = f.org_url("/payments");
    let (_, first) = f.get(&url, &[("pageSize", "1")]).await;
    let payer = &first["data"][0]["payer"];
    let last_name = payer["lastName"].as_str().unwrap().to_uppercase();
    let by_name = f
        .walk_tokens(&url, &[("pageSize", "100"), ("userSearchKey", &last_name)])
        .await;
    assert!(!by_name.is_empty());
    for p in &by_name {
        let payer = &p["payer"];
        let hay = format!(
            "{} {} {}",
            payer["firstName"], payer["lastName"], payer["email"]
        )
        .to_lowercase();
        assert!(hay.contains(&last_name.to_lowercase()), "{hay}");
    }
    let email = payer["email"].as_str().unwrap();
    let by_email = f
        .walk_tokens(&url, &[("pageSize", "100"), ("userSearchKey", email)])
        .await;
    assert!(!by_email.is_empty());
    assert!(by_email.iter().all(|p| p["payer"]["email"] == email));
    let none = f
        .walk_tokens(&url, &[("userSearchKey", "zzzz-nobody")])
        .await;
    assert!(none.is_empty());
}

#[tokio::test]
async fn sorting() {
    let f = small().await;
    let url = f.org_url("/payments");
    let desc = f.walk_tokens(&url, &[("pageSize", "100")]).await;
    let d = dates(&desc, "date");
    assert!(d.windows(2).all(|w| w[0] >= w[1]));
    let asc = f
        .walk_tokens(&url, &[("pageSize", "100"), ("sortOrder", "asc")])
        .await;
    let mut reversed = ids(&desc);
    reversed.reverse();
    assert_eq!(ids(&asc), reversed);
    let by_update = f
        .walk_tokens(
            &url,
            &[
                ("pageSize", "100"),
                ("sortField", "UpdateDate"),
                ("sortOrder", "Asc"),
            ],
        )
        .await;
    let u = dates(&by_update, "updatedAt");
    assert!(u.windows(2).all(|w| w[0] <= w[1]));
    assert_ne!(
        ids(&by_update),
        ids(&asc),
        "update order differs from date order"
    );
    let by_creation = f
        .walk_tokens(&url, &[("pageSize", "100"), ("sortField", "CreationDate")])
        .await;
    assert_eq!(ids(&by_creation), ids(&desc));
}

#[tokio::test]
async fn form_payments() {
    let f = small().await;
    let url = f.org_url("/forms/Membership/adhesion-2025-2026/payments");
    let items = f.walk_tokens(&url, &[("pageSize", "100")]).await;
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|p| p["order"]["formSlug"] == "adhesion-2025-2026"
                && p["order"]["formType"] == "Membership")
    );
    let filtered = f
        .walk_tokens(&url, &[("pageSize", "100"), ("states", "Authorized")])
        .await;
    assert!(filtered.len() < items.len());
    // Unknown form or wrong type: 404; unknown form type: 400.
    let (status, body) = f
        .get(&f.org_url("/forms/Event/adhesion-2025-2026/payments"), &[])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "NotFound");
    let (status, body) = f
        .get(&f.org_url("/forms/Nope/adhesion-2025-2026/payments"), &[])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "ArgumentInvalid");
}

#[tokio::test]
async fn bad_input() {
    let f = small().await;
    let url = f.org_url("/payments");
    for (k, v) in [
        ("states", "Paid"),
        ("sortField", "Amount"),
        ("sortOrder", "Up"),
        ("from", "2023-13-45"),
        ("to", "yesterday"),
        ("pageIndex", "x"),
    ] {
        let (status, body) = f.get(&url, &[(k, v)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{k}={v}");
        assert_error(&body, "ArgumentInvalid");
        assert!(
            body["errors"][0]["message"].as_str().unwrap().contains(k),
            "{body}"
        );
    }
    let (status, body) = f.get(&f.url("/organizations/nobody/payments"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "NotFound");
    let (status, body) = f.get(&f.url("/payments/1"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "NotFound");
    let (status, body) = f.get(&f.url("/payments/abc"), &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "ArgumentInvalid");
    let (status, body) = f.get(&f.url("/no/such/route"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "NotFound");
    // A raw, badly encoded query never yields a plain-text rejection.
    let resp = f
        .authed_get(format!("{}?pageSize=%FF%FE&states=%", url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert_error(&body, "ArgumentInvalid");
}

#[tokio::test]
async fn payment_detail() {
    let f = small().await;
    let id = f
        .server
        .payment_ids(Some(helloasso_fake::PaymentState::Authorized), 1)[0];
    let (status, p) = f
        .get(
            &f.url(&format!("/payments/{id}")),
            &[("withFailedRefundOperation", "true")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(p["id"], id);
    assert_eq!(p["state"], "Authorized");
    for key in [
        "order",
        "payer",
        "items",
        "date",
        "amount",
        "paymentMeans",
        "meta",
        "paymentReceiptUrl",
    ] {
        assert!(!p[key].is_null(), "missing {key}");
    }
    // Undeclared fields real payloads carry.
    for key in ["formName", "isAnonymous", "isAmountHidden"] {
        assert!(!p["order"][key].is_null(), "missing order.{key}");
    }
    assert!(p["items"][0]["isCanceled"].is_boolean());
    // Paris offset and 7 fractional digits.
    let date = p["date"].as_str().unwrap();
    let re_ok = date.len() == 33
        && (date.ends_with("+01:00") || date.ends_with("+02:00"))
        && &date[19..20] == ".";
    assert!(re_ok, "{date}");
    let (status, body) = f
        .get(
            &f.url(&format!("/payments/{id}")),
            &[("withFailedRefundOperation", "maybe")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "ArgumentInvalid");
}

#[tokio::test]
async fn search_endpoint() {
    let f = small().await;
    let url = f.org_url("/payments/search");
    let (status, body) = f.get(&url, &[("pageSize", "10")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["pagination"]["totalCount"], -1);
    assert_eq!(body["pagination"]["totalPages"], -1);
    let p = &body["data"][0];
    for key in [
        "id",
        "organizationId",
        "formId",
        "formType",
        "amount",
        "meansPayment",
        "date",
        "orderId",
        "payerFirstName",
        "status",
        "userId",
        "meta",
    ] {
        assert!(!p[key].is_null(), "missing {key}");
    }
    let all = f.walk_tokens(&url, &[("pageSize", "100")]).await;
    let listed = f
        .walk_tokens(&f.org_url("/payments"), &[("pageSize", "100")])
        .await;
    assert_eq!(ids(&all), ids(&listed));

    let donations = f
        .walk_tokens(&url, &[("pageSize", "100"), ("formType", "Donation")])
        .await;
    assert!(!donations.is_empty() && donations.iter().all(|p| p["formType"] == "Donation"));
    let two = f
        .walk_tokens(
            &url,
            &[
                ("pageSize", "100"),
                ("formTypes", "Donation"),
                ("formTypes", "Shop"),
            ],
        )
        .await;
    assert!(two.len() > donations.len());
    assert!(
        two.iter()
            .all(|p| p["formType"] == "Donation" || p["formType"] == "Shop")
    );

    let amount = p["amount"].as_i64().unwrap().to_string();
    let by_amount = f
        .walk_tokens(&url, &[("pageSize", "100"), ("amount", &amount)])
        .await;
    assert!(by_amount.iter().any(|q| q["id"] == p["id"]));
    let user = p["userId"].as_i64().unwrap().to_string();
    let by_user = f
        .walk_tokens(&url, &[("pageSize", "100"), ("userId", &user)])
        .await;
    assert!(!by_user.is_empty() && by_user.iter().all(|q| q["userId"] == p["userId"]));
    let name = p["payerLastName"].as_str().unwrap();
    let by_key = f
        .walk_tokens(&url, &[("pageSize", "100"), ("searchKey", name)])
        .await;
    assert!(by_key.iter().any(|q| q["id"] == p["id"]));
    let (status, body) = f.get(&url, &[("formType", "Bogus")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "ArgumentInvalid");
}

#[tokio::test]
async fn large_ids() {
    let f = crate::common::start(
        helloasso_fake::FakeConfig::default()
            .payments(50)
            .large_ids(true),
    )
    .await;
    let (_, body) = f.get(&f.org_url("/payments"), &[]).await;
    let p = &body["data"][0];
    assert!(p["id"].as_i64().unwrap() > i64::from(i32::MAX));
    assert!(p["order"]["id"].as_i64().unwrap() > i64::from(i32::MAX));
    let id = p["id"].as_i64().unwrap();
    let (status, _) = f.get(&f.url(&format!("/payments/{id}")), &[]).await;
    assert_eq!(status, StatusCode::OK);
}

//! Orders and items over real HTTP: consistent with the payments, both
//! paging styles, every filter, free orders, cancel once under faults, and
//! the organization a token may reach.

use crate::common::{Fake, assert_error, ids, small, start};
use helloasso_fake::{FakeConfig, FaultConfig};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::HashSet;

/// Every page by `pageIndex`, until the first empty page or error.
async fn walk_index(f: &Fake, url: &str, query: &[(&str, &str)]) -> (Vec<Value>, StatusCode) {
    let mut items = Vec::new();
    for page in 1..10_000 {
        let index = page.to_string();
        let mut q = query.to_vec();
        q.push(("pageIndex", &index));
        let (status, body) = f.get(url, &q).await;
        if status != StatusCode::OK {
            return (items, status);
        }
        let data = body["data"].as_array().unwrap();
        if data.is_empty() {
            return (items, status);
        }
        items.extend(data.iter().cloned());
    }
    panic!("too many pages");
}

fn no_duplicates(items: &[Value]) {
    let unique: HashSet<i64> = ids(items).into_iter().collect();
    assert_eq!(unique.len(), items.len(), "an item came twice");
}

#[tokio::test]
async fn each_payment_belongs_to_its_order_and_item() {
    let f = small().await;
    let (status, page) = f.get(&f.org_url("/payments"), &[("pageSize", "30")]).await;
    assert_eq!(status, StatusCode::OK);
    for payment in page["data"].as_array().unwrap() {
        let order_id = payment["order"]["id"].as_i64().unwrap();
        let (status, order) = f.get(&f.url(&format!("/orders/{order_id}")), &[]).await;
        assert_eq!(status, StatusCode::OK, "{order}");
        assert_eq!(order["id"], order_id);
        assert_eq!(order["payments"][0]["id"], payment["id"]);
        assert_eq!(order["items"][0]["id"], payment["items"][0]["id"]);
        assert_eq!(order["payer"]["email"], payment["payer"]["email"]);
        assert_eq!(order["formSlug"], payment["order"]["formSlug"]);
        let item_id = payment["items"][0]["id"].as_i64().unwrap();
        let (status, item) = f.get(&f.url(&format!("/items/{item_id}")), &[]).await;
        assert_eq!(status, StatusCode::OK, "{item}");
        assert_eq!(item["order"]["id"], order_id);
        assert_eq!(item["payments"][0]["id"], payment["id"]);
        assert_eq!(item["state"], payment["items"][0]["state"]);
    }
    let (status, body) = f.get(&f.url("/orders/12"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "NotFound");
    let (status, body) = f.get(&f.url("/items/abc"), &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "ArgumentInvalid");
}

#[tokio::test]
async fn order_listings_end_exactly_once_in_both_paging_styles() {
    let f = small().await;
    let url = f.org_url("/orders");
    let (_, first) = f
        .get(&url, &[("pageSize", "7"), ("withCount", "true")])
        .await;
    let total = first["pagination"]["totalCount"].as_i64().unwrap();
    assert!(total > 400, "{}", first["pagination"]);
    assert_eq!(
        first["pagination"]["totalPages"].as_i64().unwrap(),
        (total + 6) / 7
    );
    let by_token = f.walk_tokens(&url, &[("pageSize", "7")]).await;
    let (by_index, end) = walk_index(&f, &url, &[("pageSize", "7")]).await;
    // Past the last page, HelloAsso answers 500.
    assert_eq!(end, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(ids(&by_token), ids(&by_index));
    assert_eq!(by_token.len() as i64, total);
    no_duplicates(&by_token);
    // Newest first by default; ascending gives the same orders reversed.
    let dates: Vec<&str> = by_token
        .iter()
        .map(|o| o["date"].as_str().unwrap())
        .collect();
    let asc = f
        .walk_tokens(&url, &[("pageSize", "100"), ("sortOrder", "Asc")])
        .await;
    let mut reversed = ids(&asc);
    reversed.reverse();
    assert_eq!(reversed, ids(&by_token));
    assert!(dates.len() > 2);
    // Bad paging input is a 400.
    for (key, value) in [
        ("pageSize", "101"),
        ("pageSize", "0"),
        ("continuationToken", "nope"),
    ] {
        let (status, body) = f.get(&url, &[(key, value)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{key}={value}");
        assert_error(&body, "ArgumentInvalid");
    }
    let (_, counted) = f.get(&url, &[("withCount", "false")]).await;
    assert_eq!(counted["pagination"]["totalCount"], -1);
}

#[tokio::test]
async fn item_listings_count_minus_one_and_end_exactly_once() {
    let f = small().await;
    let url = f.org_url("/items");
    let (_, first) = f.get(&url, &[("pageSize", "9")]).await;
    // As in production: no counts unless asked.
    assert_eq!(first["pagination"]["totalCount"], -1);
    assert_eq!(first["pagination"]["totalPages"], -1);
    let by_token = f.walk_tokens(&url, &[("pageSize", "9")]).await;
    let (by_index, end) = walk_index(&f, &url, &[("pageSize", "9")]).await;
    assert_eq!(end, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(ids(&by_token), ids(&by_index));
    no_duplicates(&by_token);
    let (_, counted) = f.get(&url, &[("withCount", "true")]).await;
    assert_eq!(counted["pagination"]["totalCount"], by_token.len() as i64);
    // Free tickets of one order share its date: the id orders them.
    let free: Vec<&Value> = by_token
        .iter()
        .filter(|i| i["priceCategory"] == "Free")
        .collect();
    assert!(!free.is_empty());
    assert!(free.iter().all(|i| i.get("payments").is_none()));
    // By update date too.
    let updated = f
        .walk_tokens(&url, &[("pageSize", "50"), ("sortField", "UpdateDate")])
        .await;
    assert_eq!(updated.len(), by_token.len());
    no_duplicates(&updated);
}

#[tokio::test]
async fn free_orders_come_without_payments() {
    let f = small().await;
    let url = f.org_url("/forms/Event/soiree-des-benevoles/orders");
    let orders = f.walk_tokens(&url, &[("pageSize", "50")]).await;
    assert!(!orders.is_empty());
    for order in &orders {
        assert!(order.get("payments").is_none(), "{order}");
        assert_eq!(order["amount"]["total"], 0);
        let items = order["items"].as_array().unwrap();
        assert!((1..=3).contains(&items.len()));
        assert!(
            items
                .iter()
                .all(|i| i["priceCategory"] == "Free" && i["amount"] == 0)
        );
    }
    let id = orders[0]["id"].as_i64().unwrap();
    let (status, order) = f.get(&f.url(&format!("/orders/{id}")), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        ids(order["items"].as_array().unwrap()),
        ids(orders[0]["items"].as_array().unwrap())
    );
    // The single order carries its items' answers; the listing, without
    // `withDetails`, does not.
    assert!(order["items"][0]["customFields"].is_array());
    assert!(orders[0]["items"][0].get("customFields").is_none());
    let item_id = order["items"][0]["id"].as_i64().unwrap();
    let (status, item) = f
        .get(
            &f.url(&format!("/items/{item_id}")),
            &[("withDetails", "true")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(item["order"]["id"], id);
    assert_eq!(item["customFields"][0]["name"], "Régime alimentaire");
}

#[tokio::test]
async fn listing_filters_are_honoured() {
    let f = small().await;
    let orders = f.org_url("/orders");
    let events = f
        .walk_tokens(&orders, &[("pageSize", "100"), ("formTypes", "Event")])
        .await;
    assert!(!events.is_empty());
    assert!(events.iter().all(|o| o["formType"] == "Event"));
    let all = f.walk_tokens(&orders, &[("pageSize", "100")]).await;
    assert!(events.len() < all.len());

    // Date bounds: from inclusive, to exclusive, on the order date.
    let mid = all[all.len() / 2]["date"].as_str().unwrap().to_owned();
    let before = f
        .walk_tokens(&orders, &[("pageSize", "100"), ("to", &mid)])
        .await;
    let after = f
        .walk_tokens(&orders, &[("pageSize", "100"), ("from", &mid)])
        .await;
    assert_eq!(before.len() + after.len(), all.len());
    assert!(after.iter().any(|o| o["date"] == mid));

    // A payer's name.
    let last = all[0]["payer"]["lastName"].as_str().unwrap().to_owned();
    let found = f
        .walk_tokens(&orders, &[("pageSize", "100"), ("userSearchKey", &last)])
        .await;
    assert!(!found.is_empty() && found.len() < all.len());
    assert!(found.iter().all(|o| {
        let p = &o["payer"];
        [&p["firstName"], &p["lastName"], &p["email"]]
            .iter()
            .any(|v| {
                v.as_str()
                    .unwrap_or("")
                    .to_lowercase()
                    .contains(&last.to_lowercase())
            })
    }));

    // Items: tier types, states, tier name, one form.
    let items = f.org_url("/items");
    let members = f
        .walk_tokens(&items, &[("pageSize", "100"), ("tierTypes", "Membership")])
        .await;
    assert!(!members.is_empty());
    assert!(members.iter().all(|i| i["type"] == "Membership"));
    let refused = f
        .walk_tokens(&items, &[("pageSize", "100"), ("itemStates", "Refused")])
        .await;
    assert!(!refused.is_empty());
    assert!(refused.iter().all(|i| i["state"] == "Refused"));
    let shirts = f
        .walk_tokens(&items, &[("pageSize", "100"), ("tierName", "t-shirt")])
        .await;
    assert!(!shirts.is_empty());
    assert!(shirts.iter().all(|i| i["name"] == "T-shirt"));
    let form_items = f
        .walk_tokens(
            &f.org_url("/forms/Membership/adhesion-2025-2026/items"),
            &[("pageSize", "100")],
        )
        .await;
    // The main organization's only membership form holds all its members.
    assert_eq!(
        ids(&form_items).into_iter().collect::<HashSet<_>>(),
        ids(&members).into_iter().collect::<HashSet<_>>()
    );
    assert!(
        form_items
            .iter()
            .all(|i| i["order"]["formSlug"] == "adhesion-2025-2026")
    );

    // Unknown values are refused, not ignored.
    for (key, value) in [
        ("tierTypes", "Nope"),
        ("itemStates", "Nope"),
        ("from", "yesterday"),
    ] {
        let (status, _) = f.get(&items, &[(key, value)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{key}");
    }
    let (status, _) = f.get(&orders, &[("formTypes", "Nope")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = f.get(&f.org_url("/forms/Membership/nope/items"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn members_carry_custom_fields_tier_and_validity_with_details() {
    let f = small().await;
    let url = f.org_url("/forms/Membership/adhesion-2025-2026/items");
    let (_, plain) = f.get(&url, &[("pageSize", "5")]).await;
    let (_, detailed) = f
        .get(&url, &[("pageSize", "5"), ("withDetails", "true")])
        .await;
    for (p, d) in plain["data"]
        .as_array()
        .unwrap()
        .iter()
        .zip(detailed["data"].as_array().unwrap())
    {
        assert!(p.get("customFields").is_none());
        let labels: Vec<&str> = d["customFields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(labels[..2], ["Numéro de licence", "Téléphone"]);
        assert!(
            d["customFields"][0]["answer"]
                .as_str()
                .unwrap()
                .starts_with("LIC-")
        );
        assert_eq!(d["tierId"], p["tierId"]);
        assert!(d["tierDescription"].as_str().unwrap().contains("2026"));
        assert!(d["membershipCardUrl"].is_string());
        assert!(d["user"]["lastName"].is_string());
    }
    // The shop's items have a size option.
    let (_, shop) = f
        .get(
            &f.org_url("/forms/Shop/boutique-solidaire/items"),
            &[("withDetails", "true")],
        )
        .await;
    let option = &shop["data"][0]["options"][0];
    assert!(option["name"].as_str().unwrap().starts_with("Taille"));
    assert_eq!(option["isRequired"], true);
}

/// An order paid in instalments, from the membership form's orders.
async fn instalment_order(f: &Fake) -> Value {
    let orders = f
        .walk_tokens(
            &f.org_url("/forms/Membership/adhesion-2025-2026/orders"),
            &[("pageSize", "100")],
        )
        .await;
    orders
        .into_iter()
        .find(|o| o["payments"].as_array().is_some_and(|p| p.len() == 3))
        .expect("a membership paid in instalments")
}

#[tokio::test]
async fn cancel_is_executed_once_even_when_its_answer_is_lost() {
    let f = start(FakeConfig::default().payments(1500)).await;
    let order = instalment_order(&f).await;
    let id = order["id"].as_i64().unwrap();
    assert_eq!(order["payments"][1]["state"], "Pending");
    let url = f.url(&format!("/orders/{id}/cancel"));

    // Executed, then the connection is dropped before the answer.
    f.server
        .set_faults(FaultConfig::none().execute_then_drop(1.0));
    let lost = f.authed_post(&url).send().await;
    assert!(lost.is_err(), "the answer should be lost");
    assert_eq!(f.server.counters().faults.execute_then_drop, 1);
    assert_eq!(f.server.counters().orders_canceled, 1);
    f.server.set_faults(FaultConfig::none());

    let (_, after) = f.get(&f.url(&format!("/orders/{id}")), &[]).await;
    assert_eq!(after["payments"][0]["state"], order["payments"][0]["state"]);
    assert_eq!(after["payments"][1]["state"], "Canceled");
    assert_eq!(after["payments"][2]["state"], "Canceled");

    // Asking again changes nothing and is not counted again.
    let (status, _) = f.post(&url, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(f.server.counters().orders_canceled, 1);
    assert_eq!(f.server.counters().requests.cancel_order, 2);

    // An order without later instalments cannot be canceled.
    let (_, free) = f
        .get(
            &f.org_url("/forms/Event/soiree-des-benevoles/orders"),
            &[("pageSize", "1")],
        )
        .await;
    let free_id = free["data"][0]["id"].as_i64().unwrap();
    let (status, body) = f
        .post(&f.url(&format!("/orders/{free_id}/cancel")), &[])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "OrderHasNoFutureInstalments");
    let (status, _) = f.post(&f.url("/orders/1/cancel"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(f.server.counters().orders_canceled, 1);
}

#[tokio::test]
async fn an_association_token_reaches_its_own_organization_only() {
    // Same seed: the partner's server shows what the association's hides.
    let partner = small().await;
    let other = partner.server.organizations()[1].clone();
    let other_url = partner.url(&format!("/organizations/{other}/orders"));
    let (status, page) = partner.get(&other_url, &[("pageSize", "1")]).await;
    assert_eq!(status, StatusCode::OK);
    let order_id = page["data"][0]["id"].as_i64().unwrap();
    let item_id = page["data"][0]["items"][0]["id"].as_i64().unwrap();

    let f = start(FakeConfig::default().payments(500).association(true)).await;
    for url in [
        f.url(&format!("/organizations/{other}/orders")),
        f.url(&format!("/organizations/{other}/items")),
        f.url(&format!("/organizations/{other}")),
        f.url(&format!("/organizations/{other}/forms")),
        f.url(&format!("/orders/{order_id}")),
        f.url(&format!("/items/{item_id}")),
        f.url("/partners/me"),
    ] {
        let (status, body) = f.get(&url, &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{url}: {body}");
        assert_error(&body, "Forbidden");
    }
    let (status, _) = f
        .post(&f.url(&format!("/orders/{order_id}/cancel")), &[])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Its own organization answers.
    let (status, _) = f.get(&f.org_url("/orders"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, mine) = f.get(&f.url("/users/me/organizations"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["organizationSlug"], f.server.organization_slug());
}

#[tokio::test]
async fn the_new_routes_need_a_token_and_count_their_requests() {
    let f = small().await;
    let before = f.server.counters().requests.unauthorized;
    let urls = [
        f.org_url("/orders"),
        f.org_url("/items"),
        f.url("/orders/90000001"),
        f.url("/items/95000001"),
        f.org_url("/forms"),
        f.org_url(""),
        f.url("/users/me/organizations"),
        f.url("/partners/me"),
    ];
    for url in &urls {
        let resp = f.http.get(url).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{url}");
    }
    assert_eq!(
        f.server.counters().requests.unauthorized - before,
        urls.len() as u64
    );
    for url in &urls {
        let (status, _) = f.get(url, &[]).await;
        assert_eq!(status, StatusCode::OK, "{url}");
    }
    let requests = f.server.counters().requests;
    assert_eq!(requests.list_organization_orders, 1);
    assert_eq!(requests.list_organization_items, 1);
    assert_eq!(requests.get_order, 1);
    assert_eq!(requests.get_item, 1);
    assert_eq!(requests.list_forms, 1);
    assert_eq!(requests.get_organization, 1);
    assert_eq!(requests.list_my_organizations, 1);
    assert_eq!(requests.get_partner, 1);
}

/// The whole items listing is kept sorted between requests; a change to an
/// item must still move it past a token taken before the change.
#[tokio::test]
async fn an_item_changed_after_a_walk_is_listed_after_its_last_token() {
    let f = small().await;
    let url = f.org_url("/items");
    let query = [
        ("pageSize", "100"),
        ("sortField", "UpdateDate"),
        ("sortOrder", "Asc"),
        ("withDetails", "true"),
    ];
    let (mut token, mut items) = (None::<String>, Vec::new());
    for _ in 0..1_000 {
        let mut q = query.to_vec();
        if let Some(t) = &token {
            q.push(("continuationToken", t));
        }
        let (status, body) = f.get(&url, &q).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let data = body["data"].as_array().unwrap().clone();
        if data.is_empty() {
            break;
        }
        items.extend(data);
        token = body["pagination"]["continuationToken"]
            .as_str()
            .map(str::to_owned);
    }
    let token = token.expect("a token after the walk");
    let item = items
        .iter()
        .find(|i| i["customFields"].as_array().is_some_and(|c| !c.is_empty()))
        .expect("an item with custom fields");
    let id = item["id"].as_i64().unwrap();
    let field = item["customFields"][0]["name"].as_str().unwrap();
    f.server
        .set_custom_field_answer(id, field, "une nouvelle réponse")
        .unwrap();
    let mut q = query.to_vec();
    q.push(("continuationToken", &token));
    let (_, body) = f.get(&url, &q).await;
    assert_eq!(ids(body["data"].as_array().unwrap()), vec![id], "{body}");
}

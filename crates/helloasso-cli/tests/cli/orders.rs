//! `orders list|get|cancel|summary` against the fake, and the wire of a
//! cancel whose answer is lost (httpmock): sent once, exit 10.

use httpmock::prelude::*;
use serde_json::{Value, json};

use crate::common::{Fake, bare, run_args};
use crate::resume::StopsThenResumes;

/// Every order of the fake, as HelloAsso's JSON.
fn all_orders(fake: &Fake) -> Vec<Value> {
    let r = run_args(fake.cli(), &["orders", "list", "--all", "--format", "json"]);
    r.ok();
    serde_json::from_str(&r.stdout).expect("a JSON array")
}

fn cents(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

/// What an order's payments gave back: refunds done or under way.
fn refunded(order: &Value) -> i64 {
    order["payments"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["refundOperations"].as_array().into_iter().flatten())
        .filter(|r| {
            !matches!(
                r["status"].as_str(),
                Some("Error" | "InternalError" | "Refused" | "Aborted" | "Canceled")
            )
        })
        .map(|r| cents(&r["amount"]))
        .sum()
}

/// An order with instalments still to collect.
fn order_with_instalments(orders: &[Value]) -> i64 {
    orders
        .iter()
        .find(|o| {
            o["payments"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["state"] == "Pending"))
        })
        .and_then(|o| o["id"].as_i64())
        .expect("a SEPA membership paid in instalments")
}

#[test]
fn a_limit_one_page_holds_is_one_request_and_all_pages_through() {
    let fake = Fake::start();
    run_args(fake.cli(), &["orders", "list", "--limit", "7"]).ok();
    assert_eq!(fake.server.counters().requests.list_organization_orders, 1);
    let r = run_args(
        fake.cli(),
        &[
            "orders",
            "list",
            "--all",
            "--page-size",
            "50",
            "--format",
            "json",
        ],
    );
    r.ok();
    let orders: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    let mut ids: Vec<i64> = orders.iter().map(|o| o["id"].as_i64().unwrap()).collect();
    let pages = fake.server.counters().requests.list_organization_orders - 1;
    // Every page once; at most one more to see the listing end.
    let needed = ids.len().div_ceil(50) as u64;
    assert!(
        (needed..=needed + 1).contains(&pages),
        "{pages} for {needed}"
    );
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), orders.len(), "no order twice");
}

#[test]
fn list_csv_matches_the_json_listing() {
    let fake = Fake::start();
    let orders = all_orders(&fake);
    assert!(orders.len() > 100, "{}", orders.len());
    let r = run_args(fake.cli(), &["orders", "list", "--limit", "5"]);
    r.ok();
    let mut lines = r.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("id,date,total_eur,discount_eur,refunded_eur,items,payments,payer,form")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 5);
    for (row, order) in rows.iter().zip(&orders) {
        assert_eq!(row[0], order["id"].as_i64().unwrap().to_string());
        let total = cents(&order["amount"]["total"]);
        assert_eq!(row[2], format!("{}.{:02}", total / 100, total % 100));
        let form = format!(
            "{}/{}",
            order["formType"].as_str().unwrap(),
            order["formSlug"].as_str().unwrap()
        );
        assert_eq!(row[8], form);
    }
    assert!(
        r.stderr
            .contains(&format!("5 of {} orders match", orders.len())),
        "{}",
        r.stderr
    );
}

#[test]
fn get_shows_the_order_and_an_unknown_one_exits_4() {
    let fake = Fake::start();
    let orders = all_orders(&fake);
    let id = order_with_instalments(&orders);
    let r = run_args(
        fake.cli(),
        &["orders", "get", &id.to_string(), "--format", "json"],
    );
    r.ok();
    let order: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(order["id"], id);
    assert!(order["items"].as_array().is_some_and(|i| !i.is_empty()));
    let table = run_args(fake.cli(), &["orders", "get", &id.to_string()]);
    table.ok();
    assert!(
        table.stdout.contains(&format!("id            {id}")),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains("Pending"), "{}", table.stdout);
    run_args(fake.cli(), &["orders", "get", "999999999"]).fails(4, "error:");
}

#[test]
fn cancel_stops_the_instalments_once() {
    let fake = Fake::start();
    let orders = all_orders(&fake);
    let id = order_with_instalments(&orders).to_string();

    // Off a terminal, without --yes: refused, nothing sent.
    run_args(fake.cli(), &["orders", "cancel", &id]).fails(2, "pass --yes");
    assert_eq!(fake.server.counters().requests.cancel_order, 0);

    let r = run_args(fake.cli(), &["orders", "cancel", &id, "--yes"]);
    r.ok();
    assert!(r.stdout.contains(&format!("order {id}")), "{}", r.stdout);
    assert_eq!(fake.server.counters().requests.cancel_order, 1);
    let after = run_args(fake.cli(), &["orders", "get", &id, "--format", "json"]);
    let after: Value = serde_json::from_str(&after.stdout).unwrap();
    let states: Vec<&str> = after["payments"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["state"].as_str())
        .collect();
    assert!(!states.contains(&"Pending"), "{states:?}");
    assert!(states.contains(&"Canceled"), "{states:?}");

    // An order without instalments: HelloAsso refuses, exit 7.
    let plain = orders
        .iter()
        .find(|o| o["payments"].as_array().is_some_and(|p| p.len() == 1))
        .and_then(|o| o["id"].as_i64())
        .unwrap()
        .to_string();
    run_args(fake.cli(), &["orders", "cancel", &plain, "--yes"])
        .fails(7, "OrderHasNoFutureInstalments");
}

/// A mock HelloAsso that hands out tokens, and `helloasso` pointed at it.
fn mock_api() -> (MockServer, tempfile::TempDir) {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path("/oauth2/token");
        then.status(200).json_body(json!({
            "access_token": "mock-access-token",
            "refresh_token": "mock-refresh-token",
            "token_type": "bearer",
            "expires_in": 1800,
        }));
    });
    (server, tempfile::tempdir().unwrap())
}

fn mock_cli(server: &MockServer, dir: &std::path::Path) -> std::process::Command {
    let mut cmd = bare(dir);
    cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
        .env("HELLOASSO_CLIENT_ID", "mock-client")
        .env("HELLOASSO_CLIENT_SECRET", "mock-secret")
        .env("HELLOASSO_ORGANIZATION", "mock-org")
        .env("HELLOASSO_TOKEN_FILE", dir.join("tokens.json"));
    cmd
}

#[test]
fn a_listing_that_fails_midway_leaves_no_file() {
    let (server, dir) = mock_api();
    server.mock(|when, then| {
        when.method(GET)
            .path("/v5/organizations/mock-org/orders")
            .query_param_missing("continuationToken");
        then.status(200).json_body(json!({
            "data": [{ "id": 1, "amount": { "total": 1000 } }],
            "pagination": { "pageSize": 1, "totalCount": 2, "continuationToken": "t1" },
        }));
    });
    server.mock(|when, then| {
        when.method(GET)
            .path("/v5/organizations/mock-org/orders")
            .query_param("continuationToken", "t1");
        then.status(400)
            .header("content-type", "application/json")
            .json_body(json!({ "errors": [{ "code": "Mock400", "message": "refused" }] }));
    });
    let out = dir.path().join("orders.csv");
    run_args(
        mock_cli(&server, dir.path()),
        &[
            "orders",
            "list",
            "--all",
            "--page-size",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .fails(7, "Mock400");
    assert!(!out.exists(), "a half listing was written");
}

#[test]
fn a_cancel_whose_answer_is_lost_is_sent_once_and_exits_10() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path("/oauth2/token");
        then.status(200).json_body(json!({
            "access_token": "mock-access-token",
            "refresh_token": "mock-refresh-token",
            "token_type": "bearer",
            "expires_in": 1800,
        }));
    });
    server.mock(|when, then| {
        when.method(GET).path("/v5/orders/77");
        then.status(200).json_body(json!({
            "id": 77,
            "amount": { "total": 4500 },
            "date": "2025-10-01T10:00:00+02:00",
        }));
    });
    let cancel = server.mock(|when, then| {
        when.method(POST)
            .path("/v5/orders/77/cancel")
            .header("authorization", "Bearer mock-access-token");
        then.status(502)
            .header("content-type", "application/json")
            .json_body(json!({ "errors": [{ "code": "Mock502", "message": "bad gateway" }] }));
    });
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bare(dir.path());
    cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
        .env("HELLOASSO_CLIENT_ID", "mock-client")
        .env("HELLOASSO_CLIENT_SECRET", "mock-secret")
        .env("HELLOASSO_ORGANIZATION", "mock-org")
        .env("HELLOASSO_TOKEN_FILE", dir.path().join("tokens.json"));
    run_args(cmd, &["orders", "cancel", "77", "--yes"])
        .fails(10, "the cancellation of order 77 was sent, outcome unknown");
    cancel.assert_calls(1);
}

#[test]
fn summary_totals_are_the_sum_of_the_listing() {
    let fake = Fake::start();
    let orders = all_orders(&fake);
    let r = run_args(
        fake.cli(),
        &["orders", "summary", "--by", "form-type", "--format", "json"],
    );
    r.ok();
    let rows: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    let total = rows.last().unwrap();
    assert_eq!(total["group"], "TOTAL");
    let gross: i64 = orders.iter().map(|o| cents(&o["amount"]["total"])).sum();
    let back: i64 = orders.iter().map(refunded).sum();
    assert!(back > 0, "the fake has refunded payments");
    assert_eq!(total["count"], orders.len());
    assert_eq!(total["gross"], gross);
    assert_eq!(total["refunded"], back);
    assert_eq!(total["net"], gross - back);
    // Each group is the sum of its own orders.
    for row in &rows[..rows.len() - 1] {
        let kind = row["group"].as_str().unwrap();
        let mine: Vec<&Value> = orders.iter().filter(|o| o["formType"] == kind).collect();
        assert_eq!(row["count"], mine.len(), "{kind}");
        let gross: i64 = mine.iter().map(|o| cents(&o["amount"]["total"])).sum();
        assert_eq!(row["gross"], gross, "{kind}");
    }
}

#[test]
fn lists_as_xlsx_and_french_csv() {
    let fake = Fake::start();
    let orders = all_orders(&fake);
    let out = fake.path("orders.xlsx");
    let r = run_args(
        fake.cli(),
        &["orders", "list", "--all", "--out", out.to_str().unwrap()],
    );
    r.ok();
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    let range = book.worksheet_range("Orders").unwrap();
    assert_eq!(range.height(), orders.len() + 1);
    assert_eq!(range.get((0, 2)), Some(&Data::String("TOTAL (EUR)".into())));
    let first = &orders[0];
    assert_eq!(
        range.get((1, 0)),
        Some(&Data::Float(first["id"].as_i64().unwrap() as f64))
    );
    assert_eq!(
        range.get((1, 2)),
        Some(&Data::Float(
            cents(&first["amount"]["total"]) as f64 / 100.0
        ))
    );
    assert!(matches!(range.get((1, 1)), Some(Data::DateTime(_))));

    let fr = run_args(
        fake.cli(),
        &[
            "orders",
            "list",
            "--limit",
            "1",
            "--csv-dialect",
            "excel-fr",
        ],
    );
    fr.ok();
    assert!(fr.stdout.starts_with('\u{feff}'), "{}", fr.stdout);
    let row: Vec<&str> = fr.stdout.lines().nth(1).unwrap().split(';').collect();
    let total = cents(&first["amount"]["total"]);
    assert_eq!(row[2], format!("{},{:02}", total / 100, total % 100));
    // The date in Paris time, as HelloAsso wrote the wall clock.
    let date = first["date"].as_str().unwrap();
    assert_eq!(row[1], format!("{} {}", &date[..10], &date[11..16]));
}

/// A whole orders listing whose second page fails keeps what it wrote and
/// names its checkpoint; `--resume` with it writes the rest, and no order
/// twice.
#[test]
fn an_orders_listing_that_stops_can_resume_from_its_checkpoint() {
    let (server, home) = mock_api();
    let page = |ids: &[i64], token: Option<&str>| {
        json!({
            "data": ids.iter().map(|id| json!({
                "id": id, "date": "2025-03-01T10:00:00+01:00", "formSlug": "gala",
                "formType": "Event", "amount": { "total": 1500 },
            })).collect::<Vec<_>>(),
            "pagination": { "pageSize": 2, "totalCount": 4, "pageIndex": 1, "totalPages": 2,
                            "continuationToken": token },
        })
    };
    let cli = || mock_cli(&server, home.path());
    StopsThenResumes {
        server: &server,
        path: "/v5/organizations/mock-org/orders",
        token: "after-30",
        first: page(&[40, 30], Some("after-30")),
        rest: page(&[30, 20, 10], None),
    }
    .check(
        cli,
        &[
            "orders",
            "list",
            "--all",
            "--page-size",
            "2",
            "--format",
            "csv",
        ],
        &["40", "30"],
        &["20", "10"],
    );

    // --resume belongs to a whole listing, and needs a checkpoint.
    let alone = run_args(cli(), &["orders", "list", "--resume", "after-30"]);
    assert_eq!(alone.code, 2);
    assert!(alone.stderr.contains("--all"), "{}", alone.stderr);
    let empty = run_args(cli(), &["orders", "list", "--all", "--resume", ""]);
    assert_eq!(empty.code, 2, "{}", empty.stderr);
}

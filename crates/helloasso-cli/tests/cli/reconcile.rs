//! `orders summary` and `payments summary` of one year, against the fake:
//! their gross figures differ by exactly the parts `orders summary --help`
//! names, each computed here from the fake's own listings.

use std::collections::HashSet;

use serde_json::Value;

use crate::common::{Fake, run_args};

const MONEY_IN: [&str; 5] = [
    "Authorized",
    "Registered",
    "Refunding",
    "Refunded",
    "Contested",
];

fn json(fake: &Fake, args: &[&str]) -> Vec<Value> {
    let r = run_args(fake.cli(), args);
    r.ok();
    serde_json::from_str(&r.stdout).expect("a JSON array")
}

fn cents(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn collected(p: &Value) -> bool {
    MONEY_IN.contains(&p["state"].as_str().unwrap_or_default())
}

#[test]
fn the_two_summaries_of_a_year_differ_by_the_documented_parts() {
    let fake = Fake::start();
    let total = |rows: Vec<Value>| rows.last().cloned().expect("a TOTAL row");
    let orders_total = total(json(
        &fake,
        &["orders", "summary", "--period", "2025", "--format", "json"],
    ));
    let payments_total = total(json(
        &fake,
        &[
            "payments", "summary", "--period", "2025", "--format", "json",
        ],
    ));
    let orders = json(
        &fake,
        &[
            "orders", "list", "--period", "2025", "--all", "--format", "json",
        ],
    );
    let payments = json(
        &fake,
        &[
            "payments", "list", "--period", "2025", "--all", "--format", "json",
        ],
    );

    let ordered = cents(&orders_total["gross"]);
    let paid = cents(&orders_total["paid"]);
    let received = cents(&payments_total["gross"]);
    assert_eq!(
        ordered,
        orders
            .iter()
            .map(|o| cents(&o["amount"]["total"]))
            .sum::<i64>()
    );

    // Ordered but not collected: refused or pending payments, instalments to come.
    let order_payments: Vec<&Value> = orders
        .iter()
        .flat_map(|o| o["payments"].as_array().into_iter().flatten())
        .collect();
    let collected_of_orders: i64 = order_payments
        .iter()
        .filter(|p| collected(p))
        .map(|p| cents(&p["amount"]))
        .sum();
    assert_eq!(paid, collected_of_orders);
    // Collected payments of these orders dated outside the year.
    let in_year: HashSet<i64> = payments
        .iter()
        .filter(|p| collected(p))
        .map(|p| cents(&p["id"]))
        .collect();
    let outside: i64 = order_payments
        .iter()
        .filter(|p| collected(p) && !in_year.contains(&cents(&p["id"])))
        .map(|p| cents(&p["amount"]))
        .sum();
    // The year's payments of orders placed in another year.
    let order_ids: HashSet<i64> = orders.iter().map(|o| cents(&o["id"])).collect();
    let of_other_orders: i64 = payments
        .iter()
        .filter(|p| collected(p) && !order_ids.contains(&cents(&p["order"]["id"])))
        .map(|p| cents(&p["amount"]))
        .sum();

    assert!(ordered - paid > 0, "the fake has uncollected orders");
    assert_eq!(
        ordered - received,
        (ordered - paid) + outside - of_other_orders,
        "ordered {ordered}, paid {paid}, received {received}, outside {outside}, others {of_other_orders}"
    );
}

#[test]
fn a_state_filter_keeps_the_orders_with_such_a_payment() {
    let fake = Fake::start();
    let rows = json(
        &fake,
        &[
            "orders", "summary", "--state", "Refused", "--format", "json",
        ],
    );
    let total = rows.last().unwrap();
    let orders = json(&fake, &["orders", "list", "--all", "--format", "json"]);
    let refused: Vec<&Value> = orders
        .iter()
        .filter(|o| {
            o["payments"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["state"] == "Refused")
        })
        .collect();
    assert!(!refused.is_empty(), "the fake has refused payments");
    assert_eq!(total["count"], refused.len());
    run_args(fake.cli(), &["orders", "summary", "--state", "Paid"])
        .fails(2, "unknown payment state");
}

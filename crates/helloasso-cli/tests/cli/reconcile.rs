//! `orders summary` and `payments summary` of one year, against the fake:
//! each total equals the one computed here from the fake's own dataset (no
//! listing in between), and the two differ by exactly the parts `orders
//! summary --help` names, each computed from that dataset too.

use helloasso_fake::{PaymentFigures, PaymentState};
use serde_json::Value;

use crate::common::{Fake, run_args};

const MONEY_IN: [PaymentState; 5] = [
    PaymentState::Authorized,
    PaymentState::Registered,
    PaymentState::Refunding,
    PaymentState::Refunded,
    PaymentState::Contested,
];

fn json(fake: &Fake, args: &[&str]) -> Vec<Value> {
    let r = run_args(fake.cli(), args);
    r.ok();
    serde_json::from_str(&r.stdout).expect("a JSON array")
}

fn cents(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn collected(p: &PaymentFigures) -> bool {
    MONEY_IN.contains(&p.state)
}

/// Dates are Paris local time, as `--period` reads them.
fn in_2025(date: &str) -> bool {
    date.starts_with("2025-")
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
    let ordered = cents(&orders_total["gross"]);
    let paid = cents(&orders_total["paid"]);
    let received = cents(&payments_total["gross"]);

    // The same figures from the dataset. Each paid order has one payment
    // here; its later instalments are still to come, so not collected.
    let figures = fake.server.payment_figures();
    let of_year_orders: Vec<&PaymentFigures> =
        figures.iter().filter(|p| in_2025(&p.order_date)).collect();
    let sum =
        |ps: &mut dyn Iterator<Item = &PaymentFigures>| -> i64 { ps.map(|p| p.amount_cents).sum() };
    assert_eq!(
        ordered,
        of_year_orders
            .iter()
            .map(|p| p.order_total_cents)
            .sum::<i64>(),
        "orders summary's gross"
    );
    assert_eq!(
        paid,
        sum(&mut of_year_orders.iter().copied().filter(|p| collected(p))),
        "orders summary's paid"
    );
    assert_eq!(
        received,
        sum(&mut figures.iter().filter(|p| collected(p) && in_2025(&p.date))),
        "payments summary's gross"
    );

    // Collected payments of the year's orders dated outside the year.
    let outside = sum(&mut of_year_orders
        .iter()
        .copied()
        .filter(|p| collected(p) && !in_2025(&p.date)));
    // The year's payments of orders placed in another year.
    let of_other_orders = sum(&mut figures
        .iter()
        .filter(|p| collected(p) && in_2025(&p.date) && !in_2025(&p.order_date)));
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

use crate::common::{Fake, run_args};

#[test]
fn create_pay_and_get() {
    let fake = Fake::start();
    let r = run_args(
        fake.cli(),
        &[
            "checkout",
            "create",
            "--item",
            "Adhésion 2026",
            "--amount",
            "30",
            "--return-url",
            "https://example.org/merci",
            "--metadata",
            r#"{"cart":42}"#,
            "--format",
            "json",
        ],
    );
    r.ok();
    let created: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let id = created["id"].as_i64().unwrap();
    assert!(
        created["redirectUrl"]
            .as_str()
            .unwrap()
            .contains(&id.to_string())
    );

    let unpaid = run_args(fake.cli(), &["checkout", "get", &id.to_string()]);
    unpaid.ok();
    assert!(unpaid.stdout.contains("paid      no"), "{}", unpaid.stdout);
    assert!(
        unpaid.stdout.contains(r#"{"cart":42}"#),
        "{}",
        unpaid.stdout
    );

    let paid = fake.server.pay_checkout_intent(id).unwrap();
    let r = run_args(fake.cli(), &["checkout", "get", &id.to_string()]);
    r.ok();
    assert!(r.stdout.contains("paid      yes"), "{}", r.stdout);
    assert!(
        r.stdout.contains(&paid.order_id.to_string()),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("30.00 EUR"), "{}", r.stdout);

    let json = run_args(
        fake.cli(),
        &["checkout", "get", &id.to_string(), "--format", "json"],
    );
    json.ok();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["order"]["id"], paid.order_id);
    assert_eq!(v["metadata"]["cart"], 42);
}

#[test]
fn amounts_that_do_not_add_up_are_refused_before_sending() {
    let fake = Fake::start();
    let r = run_args(
        fake.cli(),
        &[
            "checkout",
            "create",
            "--item",
            "x",
            "--amount",
            "30",
            "--initial",
            "10",
            "--return-url",
            "https://example.org/",
        ],
    );
    r.fails(2, "do not add up");
    assert_eq!(fake.server.counters().checkout_intents_created, 0);
}

#[test]
fn unknown_intent_is_not_found() {
    let fake = Fake::start();
    run_args(fake.cli(), &["checkout", "get", "12345"]).fails(4, "not found");
}

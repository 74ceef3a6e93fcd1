//! `payouts list`, `payouts show` and `payments list --payout`: each payout
//! with its payments, reconciled against HelloAsso's cash-out export. The
//! truth comes from the fake's raw answers (the payments' JSON and the
//! export's CSV), added up here.

use std::collections::BTreeMap;

use httpmock::prelude::*;
use serde_json::{Value, json};

use crate::common::{Fake, bare, run, run_args};

fn json_of(fake: &Fake, args: &[&str]) -> Vec<Value> {
    let r = run_args(fake.cli(), args);
    r.ok();
    serde_json::from_str(&r.stdout).expect("a JSON array")
}

/// Credits less debits of the fake's own export of payout `id`, in cents.
fn export_total(fake: &Fake, id: i64) -> i64 {
    let r = run_args(fake.cli(), &["payouts", "export", &id.to_string()]);
    r.ok();
    let body = r.stdout.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (credit, debit) = (at("credit"), at("debit"));
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            cents(&r[credit]) - cents(&r[debit])
        })
        .sum()
}

/// HelloAsso's export writes euros (`50`, `0.15`), never cents.
fn cents(euros: &str) -> i64 {
    if euros.is_empty() {
        return 0;
    }
    (euros.parse::<f64>().unwrap() * 100.0).round() as i64
}

fn refunded(p: &Value) -> i64 {
    p["refundOperations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|op| {
            !matches!(
                op["status"].as_str(),
                Some("Error" | "InternalError" | "Refused" | "Aborted" | "Canceled")
            )
        })
        .map(|op| op["amount"].as_i64().unwrap_or(0))
        .sum()
}

#[test]
fn every_payout_of_the_fake_adds_up_to_its_payments_net() {
    let fake = Fake::start();
    let payments = json_of(&fake, &["payments", "list", "--all", "--format", "json"]);
    // Net per payout, from the payments' own JSON.
    let mut truth: BTreeMap<i64, (i64, usize)> = BTreeMap::new();
    for p in &payments {
        if let Some(id) = p["idCashOut"].as_i64() {
            let entry = truth.entry(id).or_default();
            entry.0 += p["amount"].as_i64().unwrap() - refunded(p);
            entry.1 += 1;
        }
    }
    assert!(truth.len() > 3, "{}", truth.len());
    for (id, (net, _)) in &truth {
        assert_eq!(export_total(&fake, *id), *net, "payout {id}");
    }
    let listed = json_of(&fake, &["payouts", "list", "--format", "json"]);
    let got: BTreeMap<i64, (i64, usize)> = listed
        .iter()
        .map(|l| {
            assert_eq!(l["difference"], 0, "{l}");
            assert_eq!(l["stated"], l["net"], "{l}");
            let id = l["id"].as_i64().unwrap();
            let count = l["paymentIds"].as_array().unwrap().len();
            (id, (l["net"].as_i64().unwrap(), count))
        })
        .collect();
    assert_eq!(got, truth);
}

#[test]
fn payouts_show_prints_each_payment_and_the_total() {
    let fake = Fake::start();
    let payments = json_of(&fake, &["payments", "list", "--all", "--format", "json"]);
    let payout = payments
        .iter()
        .find_map(|p| p["idCashOut"].as_i64())
        .expect("a paid-out payment");
    let mine: Vec<&Value> = payments
        .iter()
        .filter(|p| p["idCashOut"] == payout)
        .collect();
    let r = run_args(
        fake.cli(),
        &["payouts", "show", &payout.to_string(), "--format", "table"],
    );
    r.ok();
    for p in &mine {
        assert!(r.stdout.contains(&p["id"].to_string()), "{}", r.stdout);
    }
    let net: i64 = mine
        .iter()
        .map(|p| p["amount"].as_i64().unwrap() - refunded(p))
        .sum();
    let total = r.stdout.lines().last().unwrap();
    assert!(total.trim_start().starts_with("TOTAL"), "{}", r.stdout);
    assert!(
        total.ends_with(&format!("{}.{:02}", net / 100, net % 100)),
        "{total}"
    );
    assert!(r.stderr.contains(": ok"), "{}", r.stderr);

    // The same payments through the payments listing, which shows the payout.
    let listed = json_of(
        &fake,
        &[
            "payments",
            "list",
            "--payout",
            &payout.to_string(),
            "--format",
            "json",
        ],
    );
    let ids = |v: &[&Value]| {
        v.iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    let mut expected = ids(&mine);
    expected.sort_unstable();
    let mut got = ids(&listed.iter().collect::<Vec<_>>());
    got.sort_unstable();
    assert_eq!(got, expected);
    let r = run_args(
        fake.cli(),
        &[
            "payments",
            "list",
            "--payout",
            &payout.to_string(),
            "--format",
            "csv",
        ],
    );
    r.ok();
    let header = r.stdout.lines().next().unwrap();
    assert!(header.ends_with(",payout"), "{header}");
    assert!(
        r.stdout
            .lines()
            .skip(1)
            .all(|l| l.ends_with(&payout.to_string()))
    );
}

#[test]
fn a_payout_that_does_not_add_up_is_flagged_with_the_difference() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path("/oauth2/token");
        then.status(200).json_body(json!({
            "access_token": "t", "refresh_token": "r", "token_type": "bearer", "expires_in": 1800,
        }));
    });
    server.mock(|when, then| {
        when.method(GET).path("/v5/organizations/mock-org/payments");
        then.status(200).json_body(json!({
            "data": [
                { "id": 1, "amount": 3000, "date": "2025-03-01T10:00:00+01:00", "state": "Authorized",
                  "idCashOut": 77, "cashOutDate": "2025-03-08T10:00:00+01:00" },
                { "id": 2, "amount": 2000, "date": "2025-03-02T10:00:00+01:00", "state": "Authorized",
                  "idCashOut": 77, "cashOutDate": "2025-03-08T10:00:00+01:00",
                  "refundOperations": [{ "id": 9, "amount": 500, "status": "Processed" }] },
            ],
            "pagination": { "pageSize": 100, "pageIndex": 1 },
        }));
    });
    // HelloAsso states 50.00 transferred; the payments net 45.00.
    server.mock(|when, then| {
        when.method(GET)
            .path("/v5/organizations/mock-org/cash-out/77/export");
        then.status(200)
            .header("content-type", "text/csv")
            .body("\u{feff}cashOutId,credit,debit\n77,30,0\n77,20,0\n");
    });
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bare(dir.path());
    cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
        .env("HELLOASSO_CLIENT_ID", "mock-client")
        .env("HELLOASSO_CLIENT_SECRET", "mock-secret")
        .env("HELLOASSO_ORGANIZATION", "mock-org")
        .env("HELLOASSO_TOKEN_FILE", dir.path().join("tokens.json"))
        .args(["payouts", "list", "--format", "csv"]);
    let r = run(&mut cmd);
    r.ok();
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        [
            "payout,date,payments,gross_eur,refunds_eur,net_eur,stated_eur,difference_eur,check",
            "77,2025-03-08 10:00,2,50.00,5.00,45.00,50.00,5.00,DIFFERS",
        ]
    );
    assert!(
        r.stderr.contains("payout 77 does not add up") && r.stderr.contains("difference 5.00 EUR"),
        "{}",
        r.stderr
    );
}

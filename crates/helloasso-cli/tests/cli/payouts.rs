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
    let server = crate::common::mock_helloasso();
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

/// The fake synced into a mirror file, and its path as an argument.
fn mirrored(fake: &Fake) -> String {
    let db = fake.path("mirror.sqlite");
    let db = db.to_str().unwrap().to_owned();
    run_args(fake.cli(), &["sync", "--db", &db]).ok();
    db
}

/// What a run printed on each stream, once it succeeded.
fn printed(fake: &Fake, args: &[&str]) -> (String, String) {
    let r = run_args(fake.cli(), args);
    r.ok();
    (r.stdout, r.stderr)
}

/// `args` run straight from the API, then with `--db`: the same output.
fn same_from_the_mirror(fake: &Fake, db: &str, args: &[&str]) -> (String, String) {
    let from_api = printed(fake, args);
    let with_db: Vec<&str> = args.iter().copied().chain(["--db", db]).collect();
    assert_eq!(printed(fake, &with_db), from_api, "{args:?}");
    from_api
}

/// `--db` reads the payments from the mirror `helloasso sync` wrote: the
/// same payouts, payments and nets, in the same columns, as from the API,
/// and every payout's net is its amount.
#[test]
fn payouts_from_the_mirror_equal_payouts_from_the_api() {
    let fake = Fake::start();
    let db = mirrored(&fake);
    let (list, _) = same_from_the_mirror(&fake, &db, &["payouts", "list", "--format", "json"]);
    let lines: Vec<Value> = serde_json::from_str(&list).unwrap();
    assert!(lines.len() > 3, "{} payouts", lines.len());
    for l in &lines {
        assert_eq!(l["difference"], 0, "{l}");
        assert_eq!(l["stated"], l["net"], "{l}");
    }
    same_from_the_mirror(&fake, &db, &["payouts", "list", "--format", "csv"]);
    // A span: payouts dated in it, from payments read before it too.
    let (span, _) = same_from_the_mirror(
        &fake,
        &db,
        &[
            "payouts",
            "list",
            "--from",
            "2025-06-01",
            "--to",
            "2026-01-01",
            "--format",
            "json",
        ],
    );
    let spanned: Vec<Value> = serde_json::from_str(&span).unwrap();
    assert!(
        !spanned.is_empty() && spanned.len() < lines.len(),
        "{} of {}",
        spanned.len(),
        lines.len()
    );

    let payout = lines
        .iter()
        .max_by_key(|l| l["paymentIds"].as_array().unwrap().len())
        .unwrap();
    let id = payout["id"].to_string();
    let (shown, said) =
        same_from_the_mirror(&fake, &db, &["payouts", "show", &id, "--format", "csv"]);
    assert!(said.contains(": ok"), "{said}");
    let net = payout["net"].as_i64().unwrap();
    let total = shown.lines().last().unwrap();
    assert!(
        total.starts_with("TOTAL,") && total.ends_with(&format!(",{}.{:02}", net / 100, net % 100)),
        "{shown}"
    );
    same_from_the_mirror(
        &fake,
        &db,
        &["payments", "list", "--payout", &id, "--format", "csv"],
    );
    // JSON prints each payment's document: from the API as HelloAsso sent
    // it, from the mirror as the sync stored it (through the models, so
    // dates may be spelt otherwise: docs/mirror.md). The same payments.
    let json = ["payments", "list", "--payout", &id, "--format", "json"];
    let with_db: Vec<&str> = json.iter().copied().chain(["--db", &db]).collect();
    let expected: Vec<&Value> = payout["paymentIds"].as_array().unwrap().iter().collect();
    for args in [&json[..], &with_db] {
        let listed: Vec<Value> = serde_json::from_str(&printed(&fake, args).0).unwrap();
        let ids: Vec<&Value> = listed.iter().map(|p| &p["id"]).collect();
        assert_eq!(ids, expected, "{args:?}");
    }

    // A mirror of nothing holds no payout: the lists above came from it.
    let empty = fake.path("empty.sqlite");
    let r = run_args(
        fake.cli(),
        &[
            "payouts",
            "list",
            "--db",
            empty.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    r.ok();
    assert_eq!(r.stdout.trim(), "[]");
    // --db on a payments listing reads one payout only.
    let r = run_args(fake.cli(), &["payments", "list", "--db", &db]);
    assert!(r.code == 2 && r.stderr.contains("--payout"), "{}", r.stderr);
}

/// A mirror that lost a payment (deleted from its table) disagrees with
/// HelloAsso's export: the payout is flagged, with the payment's net as
/// the difference.
#[test]
fn a_payout_the_mirror_holds_only_in_part_is_flagged() {
    let fake = Fake::start();
    let db = mirrored(&fake);
    let lines: Vec<Value> =
        serde_json::from_str(&printed(&fake, &["payouts", "list", "--format", "json"]).0).unwrap();
    let payout = lines
        .iter()
        .find(|l| l["paymentIds"].as_array().unwrap().len() > 1)
        .expect("a payout of several payments");
    let id = payout["id"].as_i64().unwrap();
    let lost = payout["paymentIds"][0].as_i64().unwrap();
    let payment: Value = serde_json::from_str(
        &printed(
            &fake,
            &["payments", "get", &lost.to_string(), "--format", "json"],
        )
        .0,
    )
    .unwrap();
    let lost_net = payment["amount"].as_i64().unwrap() - refunded(&payment);
    assert!(lost_net > 0, "{payment}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let url = format!("sqlite://{db}");
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let gone = sqlx::query("DELETE FROM payments WHERE id = $1")
            .bind(lost)
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(gone.rows_affected(), 1);
        pool.close().await;
    });

    let euros = |c: i64| format!("{}.{:02}", c / 100, c % 100);
    let (csv, said) = printed(&fake, &["payouts", "list", "--db", &db, "--format", "csv"]);
    let row = csv
        .lines()
        .find(|l| l.starts_with(&format!("{id},")))
        .unwrap_or_else(|| panic!("payout {id} in\n{csv}"));
    let stated = payout["net"].as_i64().unwrap();
    assert!(
        row.ends_with(&format!(
            ",{},{},{},DIFFERS",
            euros(stated - lost_net),
            euros(stated),
            euros(lost_net)
        )),
        "{row}"
    );
    assert!(
        said.contains(&format!("payout {id} does not add up"))
            && said.contains(&format!("difference {} EUR", euros(lost_net))),
        "{said}"
    );
    // Every other payout still adds up.
    assert_eq!(
        csv.lines().filter(|l| l.ends_with(",DIFFERS")).count(),
        1,
        "{csv}"
    );

    let (shown, said) = printed(
        &fake,
        &[
            "payouts",
            "show",
            &id.to_string(),
            "--db",
            &db,
            "--format",
            "csv",
        ],
    );
    assert!(!shown.contains(&format!("\n{lost},")), "{shown}");
    assert!(
        said.contains(": DIFFERS") && said.contains(&format!("difference {} EUR", euros(lost_net))),
        "{said}"
    );
}

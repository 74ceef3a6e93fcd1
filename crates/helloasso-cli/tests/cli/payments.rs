use helloasso_fake::PaymentState;

use crate::common::{Fake, MFA_CODE, Run, run, run_args};

#[test]
fn list_as_a_table() {
    let fake = Fake::start();
    let r = run_args(
        fake.cli(),
        &["payments", "list", "--limit", "5", "--format", "table"],
    );
    r.ok();
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{}", r.stdout);
    assert!(lines[0].contains("REFUNDED (EUR)"), "{}", r.stdout);
    assert!(lines[0].contains("TIP (EUR)"), "{}", r.stdout);
    assert!(lines[0].contains("AMOUNT (EUR)"), "{}", r.stdout);
    let newest = fake.server.payment_ids(None, 1)[0];
    assert!(lines[1].contains(&newest.to_string()), "{}", r.stdout);
    // The progress bar never reaches a pipe; the note on what was left out
    // is the only line on stderr.
    let total = fake.server.payment_ids(None, usize::MAX).len();
    assert_eq!(
        r.stderr,
        format!("5 of {total} payments match (use --all for every one)\n")
    );

    // Read through a pipe without --format: CSV a script can parse.
    let piped = run_args(fake.cli(), &["payments", "list", "--limit", "2"]);
    piped.ok();
    assert!(
        piped
            .stdout
            .starts_with("id,date,amount_eur,refunded_eur,tip_eur,"),
        "{}",
        piped.stdout
    );
}

#[test]
fn list_as_json_and_jsonl() {
    let fake = Fake::start();
    let r = run_args(
        fake.cli(),
        &[
            "payments",
            "list",
            "--limit",
            "7",
            "--state",
            "authorized",
            "--format",
            "json",
        ],
    );
    r.ok();
    let v: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v.len(), 7);
    let expected = fake.server.payment_ids(Some(PaymentState::Authorized), 7);
    let ids: Vec<i64> = v.iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, expected);
    assert!(v.iter().all(|p| p["state"] == "Authorized"));

    let l = run_args(
        fake.cli(),
        &["payments", "list", "--limit", "3", "--format", "jsonl"],
    );
    l.ok();
    assert_eq!(l.stdout.lines().count(), 3);
    for line in l.stdout.lines() {
        let _: serde_json::Value = serde_json::from_str(line).unwrap();
    }
}

#[test]
fn list_all_as_csv_pages_through_everything() {
    let fake = Fake::start();
    let r = run_args(
        fake.cli(),
        &[
            "payments",
            "list",
            "--all",
            "--page-size",
            "40",
            "--format",
            "csv",
            "--asc",
        ],
    );
    r.ok();
    let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    assert_eq!(&headers[2], "amount_eur");
    let ids: Vec<i64> = reader
        .records()
        .map(|rec| rec.unwrap()[0].parse().unwrap())
        .collect();
    let mut expected = fake.server.payment_ids(None, usize::MAX);
    expected.reverse();
    assert_eq!(ids, expected);
}

#[test]
fn list_with_dates_and_a_form() {
    let fake = Fake::start();
    let form = fake
        .server
        .forms()
        .into_iter()
        .find(|f| f.organization_slug == fake.server.organization_slug())
        .unwrap();
    let form_arg = format!("{}/{}", form.form_type.as_str(), form.form_slug);
    // A day means local midnight: pin the zone so that the bounds are known.
    let r = run(fake.cli().env("TZ", "Europe/Paris").args([
        "payments",
        "list",
        "--all",
        "--form",
        &form_arg,
        "--from",
        "2024-01-01",
        "--to",
        "2025-01-01T00:00:00+01:00",
        "--format",
        "json",
    ]));
    r.ok();
    let v: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    assert!(!v.is_empty());
    for p in &v {
        assert_eq!(p["order"]["formSlug"], form.form_slug.as_str());
        let date = p["date"].as_str().unwrap();
        assert!(date.starts_with("2024"), "{date}");
    }
}

#[test]
fn get_one_payment() {
    let fake = Fake::start();
    let id = fake.payment_in(PaymentState::Authorized);
    let r = run_args(fake.cli(), &["payments", "get", &id.to_string()]);
    r.ok();
    assert!(
        r.stdout.starts_with(&format!("id            {id}\n")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("state         Authorized"),
        "{}",
        r.stdout
    );

    let j = run_args(
        fake.cli(),
        &["payments", "get", &id.to_string(), "--format", "json"],
    );
    j.ok();
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["id"], id);
    assert!(v["amount"].as_i64().unwrap() > 0);
}

#[test]
fn get_unknown_payment_is_not_found() {
    let fake = Fake::start();
    run_args(fake.cli(), &["payments", "get", "42"]).fails(4, "not found");
}

#[test]
fn search_by_payer_name() {
    let fake = Fake::start();
    let first = run_args(
        fake.cli(),
        &["payments", "list", "--limit", "1", "--format", "json"],
    );
    first.ok();
    let v: Vec<serde_json::Value> = serde_json::from_str(&first.stdout).unwrap();
    let last_name = v[0]["payer"]["lastName"].as_str().unwrap().to_owned();

    let r = run_args(
        fake.cli(),
        &[
            "payments", "search", &last_name, "--limit", "50", "--format", "json",
        ],
    );
    r.ok();
    let found: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    assert!(!found.is_empty());
    assert!(found.iter().any(|p| p["id"] == v[0]["id"]));
    for p in &found {
        assert_eq!(p["payerLastName"].as_str(), Some(last_name.as_str()), "{p}");
    }

    let table = run_args(
        fake.cli(),
        &[
            "payments", "search", &last_name, "--limit", "2", "--format", "table",
        ],
    );
    table.ok();
    assert!(table.stdout.lines().next().unwrap().contains("EMAIL"));
}

#[test]
fn export_csv_to_a_file_has_every_payment() {
    let fake = Fake::start();
    let out = fake.path("payments.csv");
    let r = run(fake.cli().args(["payments", "export", "--out"]).arg(&out));
    r.ok();
    let main_org = fake.server.payment_ids(None, usize::MAX).len();
    assert!(
        r.stdout.contains(&format!("exported {main_org} payments")),
        "{}",
        r.stdout
    );
    let mut reader = csv::Reader::from_path(&out).unwrap();
    assert_eq!(reader.records().count(), main_org);
    assert!(!fake.path("payments.csv.part").exists());

    let refunded = fake
        .server
        .payment_ids(Some(PaymentState::Refunded), usize::MAX)
        .len();
    let stdout = run_args(fake.cli(), &["payments", "export", "--state", "Refunded"]);
    stdout.ok();
    let mut reader = csv::Reader::from_reader(stdout.stdout.as_bytes());
    assert_eq!(reader.records().count(), refunded);
}

#[test]
fn xlsx_export_needs_a_file() {
    let fake = Fake::start();
    run_args(fake.cli(), &["payments", "export", "--as", "xlsx"]).fails(2, "--out");
}

/// `payments refund ID --yes --mfa-code CODE`.
fn refund_with_code(fake: &Fake, id: i64, code: &str) -> Run {
    run_args(
        fake.cli(),
        &[
            "payments",
            "refund",
            &id.to_string(),
            "--yes",
            "--mfa-code",
            code,
        ],
    )
}

#[test]
fn refund_with_the_mfa_code() {
    let fake = Fake::start();
    let id = fake.payment_in(PaymentState::Authorized);
    let r = refund_with_code(&fake, id, MFA_CODE);
    r.ok();
    assert!(
        r.stdout.contains(&format!("of payment {id}")),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains(MFA_CODE) && !r.stderr.contains(MFA_CODE));
    assert_eq!(fake.server.counters().refunds_executed, 1);
    let after = run_args(fake.cli(), &["payments", "get", &id.to_string()]);
    assert!(
        after.stdout.contains("state         Refunded"),
        "{}",
        after.stdout
    );
}

#[test]
fn partial_refund_in_json() {
    let fake = Fake::start();
    let id = fake.payment_in(PaymentState::Authorized);
    let r = run(fake
        .cli()
        .env("HELLOASSO_MFA_CODE", MFA_CODE)
        .args([
            "payments",
            "refund",
            &id.to_string(),
            "--yes",
            "--amount",
            "0.50",
        ])
        .args(["--comment", "geste commercial", "--format", "json"]));
    r.ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["amount"], 50);
}

#[test]
fn refund_with_a_wrong_code_is_an_mfa_error() {
    let fake = Fake::start();
    let id = fake.payment_in(PaymentState::Authorized);
    let r = refund_with_code(&fake, id, "000000");
    r.fails(5, "refused the MFA code");
    assert!(!r.stderr.contains("000000"));
    assert_eq!(fake.server.counters().refunds_executed, 0);
}

#[test]
fn refund_without_a_code_off_a_terminal_says_how_to_give_it() {
    let fake = Fake::start();
    let id = fake.payment_in(PaymentState::Authorized);
    run_args(
        fake.cli(),
        &["payments", "refund", &id.to_string(), "--yes"],
    )
    .fails(5, "--mfa-code");
}

#[test]
fn refund_needs_confirmation_off_a_terminal() {
    let fake = Fake::start();
    let id = fake.payment_in(PaymentState::Authorized);
    run_args(
        fake.cli(),
        &[
            "payments",
            "refund",
            &id.to_string(),
            "--mfa-code",
            MFA_CODE,
        ],
    )
    .fails(2, "--yes");
    assert_eq!(fake.server.counters().requests.refund_payment, 0);
}

#[test]
fn refund_of_an_unknown_payment_is_not_found() {
    let fake = Fake::start();
    run_args(
        fake.cli(),
        &["payments", "refund", "999", "--yes", "--mfa-code", MFA_CODE],
    )
    .fails(4, "not found");
    assert_eq!(fake.server.counters().requests.refund_payment, 0);
}

#[test]
fn refund_of_a_refunded_payment_is_refused() {
    let fake = Fake::start();
    let id = fake.payment_in(PaymentState::Refunded);
    run_args(
        fake.cli(),
        &[
            "payments",
            "refund",
            &id.to_string(),
            "--yes",
            "--mfa-code",
            MFA_CODE,
        ],
    )
    .fails(7, "cannot be refunded");
}

#[test]
fn a_refund_whose_answer_is_lost_is_found_by_reading_the_payment_back() {
    use helloasso_fake::{FakeConfig, FaultConfig};
    // The fake applies the refund, then drops the connection unanswered.
    let fake = Fake::with(
        FakeConfig::default()
            .seed(7)
            .payments(300)
            .faults(FaultConfig::none().execute_then_drop(1.0)),
    );
    let id = fake.payment_in(PaymentState::Authorized);
    let r = run_args(
        fake.cli(),
        &[
            "payments",
            "refund",
            &id.to_string(),
            "--amount",
            "1",
            "--yes",
        ],
    );
    // The CLI reads the payment back, finds the refund applied and says so.
    r.ok();
    assert!(
        r.stdout
            .contains(&format!("refunded 1.00 EUR of payment {id}")),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("read back"), "{}", r.stderr);
    let all = format!("{}{}", r.stdout, r.stderr).to_lowercase();
    assert!(!all.contains("try again"), "{all}");
    let counters = fake.server.counters();
    assert_eq!(counters.refunds_executed, 1);
    assert_eq!(
        counters.requests.refund_payment, 1,
        "the refund was re-sent"
    );
}

#[test]
fn a_partial_refund_cannot_cancel_the_order() {
    let fake = Fake::start();
    let id = fake.payment_in(PaymentState::Authorized);
    run_args(
        fake.cli(),
        &[
            "payments",
            "refund",
            &id.to_string(),
            "--amount",
            "0.50",
            "--cancel-order",
            "--yes",
            "--mfa-code",
            MFA_CODE,
        ],
    )
    .fails(7, "cancelOrder needs a full refund");
    assert_eq!(fake.server.counters().refunds_executed, 0);
    // With the whole payment, cancelling the order is accepted.
    run_args(
        fake.cli(),
        &[
            "payments",
            "refund",
            &id.to_string(),
            "--cancel-order",
            "--yes",
            "--mfa-code",
            MFA_CODE,
        ],
    )
    .ok();
    assert_eq!(fake.server.counters().refunds_executed, 1);
}

mod search_refunded {
    //! `payments search` shows what was refunded: a refunded payment found by
    //! its payer's name does not look untouched.

    use helloasso_fake::PaymentState;
    use serde_json::Value;

    use crate::common::{Fake, run_args};

    #[test]
    fn search_shows_the_refunded_amount() {
        let fake = Fake::start();
        let id = fake.payment_in(PaymentState::Refunded);
        let got = run_args(
            fake.cli(),
            &["payments", "get", &id.to_string(), "--format", "json"],
        );
        got.ok();
        let payment: Value = serde_json::from_str(&got.stdout).unwrap();
        let last_name = payment["payer"]["lastName"].as_str().unwrap().to_owned();
        let r = run_args(
            fake.cli(),
            &[
                "payments", "search", &last_name, "--limit", "100", "--format", "csv",
            ],
        );
        r.ok();
        let mut csv = csv::Reader::from_reader(r.stdout.as_bytes());
        let header = csv.headers().unwrap().clone();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let (id_col, amount_col, refunded_col) =
            (col("id"), col("amount_eur"), col("refunded_eur"));
        let row = csv
            .records()
            .map(Result::unwrap)
            .find(|rec| rec[id_col] == id.to_string())
            .expect("the refunded payment is found");
        assert_eq!(&row[refunded_col], &row[amount_col]);
        assert_ne!(&row[refunded_col], "0.00");
    }
}

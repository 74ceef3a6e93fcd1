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
    let (id_col, amount_col, refunded_col) = (col("id"), col("amount_eur"), col("refunded_eur"));
    let row = csv
        .records()
        .map(Result::unwrap)
        .find(|rec| rec[id_col] == id.to_string())
        .expect("the refunded payment is found");
    assert_eq!(&row[refunded_col], &row[amount_col]);
    assert_ne!(&row[refunded_col], "0.00");
}

//! Golden files (insta) of what a treasurer sees: tables, CSV in both
//! dialects, JSON, summaries, errors and their hints, from the binary run
//! against the seeded fake. A change of wording or layout fails here and
//! shows as a diff in review; `cargo insta review` accepts a wanted one.
//! Under CI a missing or different snapshot fails (insta never writes then).

use helloasso_fake::PaymentState;

use crate::common::{Fake, run_args};

/// The exit code, standard output and standard error of one run, with the
/// fake's random port taken out.
fn shown(fake: &Fake, args: &[&str]) -> String {
    let r = run_args(fake.cli(), args);
    let base = fake.server.base_url();
    let clean = |text: &str| text.replace(base.trim_end_matches('/'), "[fake]");
    format!(
        "$ helloasso {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        r.code,
        clean(&r.stdout),
        clean(&r.stderr)
    )
}

#[test]
fn listings_in_every_format() {
    let fake = Fake::start();
    let cases: [(&str, &[&str]); 7] = [
        (
            "payments_table",
            &["payments", "list", "--limit", "5", "--format", "table"],
        ),
        (
            "payments_csv",
            &["payments", "list", "--limit", "5", "--format", "csv"],
        ),
        (
            "payments_csv_excel_fr",
            &[
                "payments",
                "list",
                "--limit",
                "5",
                "--format",
                "csv",
                "--csv-dialect",
                "excel-fr",
            ],
        ),
        (
            "payments_json",
            &["payments", "list", "--limit", "2", "--format", "json"],
        ),
        (
            "orders_table",
            &["orders", "list", "--limit", "5", "--format", "table"],
        ),
        (
            "members_csv",
            &[
                "items",
                "list",
                "--form",
                "adhesions/adhesion-2025-2026",
                "--limit",
                "3",
                "--format",
                "csv",
            ],
        ),
        ("forms_table", &["forms", "list", "--format", "table"]),
    ];
    for (name, args) in cases {
        insta::assert_snapshot!(name, shown(&fake, args));
    }
}

#[test]
fn summaries_of_a_year() {
    let fake = Fake::start();
    let cases: [(&str, &[&str]); 4] = [
        (
            "payments_summary_by_month",
            &[
                "payments", "summary", "--period", "2025", "--format", "table",
            ],
        ),
        (
            "payments_summary_by_state_csv_fr",
            &[
                "payments",
                "summary",
                "--period",
                "2025",
                "--by",
                "state",
                "--format",
                "csv",
                "--csv-dialect",
                "excel-fr",
            ],
        ),
        (
            "orders_summary_by_form_type",
            &[
                "orders",
                "summary",
                "--period",
                "2025",
                "--by",
                "form-type",
                "--format",
                "table",
            ],
        ),
        (
            "orders_summary_json",
            &[
                "orders",
                "summary",
                "--period",
                "2025-2026",
                "--by",
                "form-type",
                "--format",
                "json",
            ],
        ),
    ];
    for (name, args) in cases {
        insta::assert_snapshot!(name, shown(&fake, args));
    }
}

#[test]
fn errors_and_hints() {
    let fake = Fake::start();
    let refunded = fake.payment_in(PaymentState::Refunded).to_string();
    let authorized = fake.payment_in(PaymentState::Authorized).to_string();
    let cases: [(&str, Vec<&str>); 8] = [
        (
            "bad_period",
            vec!["payments", "list", "--period", "2026-13"],
        ),
        ("bad_state", vec!["payments", "list", "--state", "Paid"]),
        ("bad_form", vec!["items", "list", "--form", "nope/x"]),
        (
            "bad_form_url",
            vec![
                "items",
                "list",
                "--form",
                "https://example.org/associations/a/adhesions/b",
            ],
        ),
        ("unknown_payment", vec!["payments", "get", "1"]),
        (
            "refund_without_confirmation",
            vec!["payments", "refund", &authorized],
        ),
        (
            "refund_already_refunded",
            vec!["payments", "refund", &refunded, "--yes"],
        ),
        (
            "read_only_refund",
            vec!["--read-only", "payments", "refund", &authorized, "--yes"],
        ),
    ];
    for (name, args) in cases {
        insta::assert_snapshot!(name, shown(&fake, &args));
    }
}

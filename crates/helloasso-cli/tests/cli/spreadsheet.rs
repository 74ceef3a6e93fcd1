//! Spreadsheets and French CSV, read back the way a treasurer's tools read
//! them: XLSX through calamine (a reader independent of the writer), CSV
//! byte for byte.

use calamine::{Data, Reader, Xlsx, open_workbook};
use helloasso_fake::PaymentState;

use crate::common::{Fake, run, run_args};

fn sheet(path: &std::path::Path, name: &str) -> calamine::Range<Data> {
    let mut book: Xlsx<_> = open_workbook(path).expect("a readable XLSX");
    book.worksheet_range(name).expect("the sheet")
}

/// An Excel serial date for a local `YYYY-MM-DDTHH:MM:SS` (days since
/// 1899-12-30, the fraction the time of day).
fn serial(local: &str) -> f64 {
    let t = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S").unwrap();
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    (t - epoch).num_seconds() as f64 / 86_400.0
}

#[test]
fn list_as_xlsx_has_typed_cells_in_paris_time() {
    let fake = Fake::start();
    let out = fake.path("payments.xlsx");
    let r = run(fake
        .cli()
        .args(["payments", "list", "--all", "--format", "xlsx", "--out"])
        .arg(&out));
    r.ok();
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let range = sheet(&out, "Payments");
    let total = fake.server.payment_ids(None, usize::MAX).len();
    assert_eq!(range.height(), total + 1, "header + one row per payment");
    assert_eq!(range.get((0, 0)), Some(&Data::String("ID".into())));
    assert_eq!(
        range.get((0, 2)),
        Some(&Data::String("AMOUNT (EUR)".into()))
    );

    // The same first payment as HelloAsso's JSON: its id, its amount in
    // euros as a number, its date as a date in Paris time.
    let json = run_args(
        fake.cli(),
        &["payments", "list", "--limit", "1", "--format", "json"],
    );
    let first: Vec<serde_json::Value> = serde_json::from_str(&json.stdout).unwrap();
    let first = &first[0];
    assert_eq!(
        range.get((1, 0)),
        Some(&Data::Float(first["id"].as_i64().unwrap() as f64))
    );
    let cents = first["amount"].as_i64().unwrap();
    assert_eq!(range.get((1, 2)), Some(&Data::Float(cents as f64 / 100.0)));
    // HelloAsso writes dates in Paris time: the wall clock is in the text.
    let date = first["date"].as_str().unwrap();
    assert!(
        date.ends_with("+01:00") || date.ends_with("+02:00"),
        "{date}"
    );
    let paris = &date[..19];
    match range.get((1, 1)) {
        Some(Data::DateTime(d)) => {
            assert!(d.is_datetime(), "{d:?}");
            // Within a tenth of a second: HelloAsso's fraction is dropped.
            let tenth = 0.1 / 86_400.0;
            assert!(
                (d.as_f64() - serial(paris)).abs() < tenth,
                "{d:?} vs {paris}"
            );
        }
        other => panic!("the date cell is not a date: {other:?}"),
    }
}

#[test]
fn xlsx_needs_a_file_and_refuses_to_overwrite() {
    let fake = Fake::start();
    run_args(fake.cli(), &["payments", "list", "--format", "xlsx"]).fails(2, "--out");
    let out = fake.path("kept.xlsx");
    std::fs::write(&out, b"mine").unwrap();
    run(fake.cli().args(["payments", "list", "--out"]).arg(&out)).fails(2, "--force");
    assert_eq!(std::fs::read(&out).unwrap(), b"mine");
}

#[test]
fn export_as_xlsx_is_helloasso_s_own_file_end_to_end() {
    let fake = Fake::start();
    let out = fake.path("export.xlsx");
    let r = run(fake
        .cli()
        .args(["payments", "export", "--state", "Refunded", "--out"])
        .arg(&out));
    r.ok();
    let range = sheet(&out, "Payments");
    let refunded = fake
        .server
        .payment_ids(Some(PaymentState::Refunded), usize::MAX);
    assert_eq!(range.height(), refunded.len() + 1);
    assert_eq!(range.get((0, 0)), Some(&Data::String("paymentId".into())));
    assert!(
        matches!(range.get((1, 2)), Some(Data::DateTime(_))),
        "{:?}",
        range.get((1, 2))
    );
    assert!(
        matches!(range.get((1, 4)), Some(Data::Float(_))),
        "{:?}",
        range.get((1, 4))
    );
    assert_eq!(range.get((1, 7)), Some(&Data::String("Refunded".into())));
    let ids: Vec<i64> = (1..range.height())
        .map(|r| match range.get((r, 0)) {
            Some(Data::Float(f)) => *f as i64,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, refunded);
}

#[test]
fn excel_fr_csv_has_a_bom_semicolons_and_decimal_commas() {
    let fake = Fake::start();
    let r = run_args(
        fake.cli(),
        &[
            "payments",
            "list",
            "--limit",
            "3",
            "--format",
            "csv",
            "--csv-dialect",
            "excel-fr",
        ],
    );
    r.ok();
    assert!(r.stdout.starts_with('\u{feff}'), "{:?}", &r.stdout[..10]);
    let mut lines = r.stdout.trim_start_matches('\u{feff}').lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("id;date;amount_eur;refunded_eur;tip_eur;"),
        "{}",
        r.stdout
    );
    let json = run_args(
        fake.cli(),
        &["payments", "list", "--limit", "3", "--format", "json"],
    );
    let expected: Vec<serde_json::Value> = serde_json::from_str(&json.stdout).unwrap();
    for (line, p) in lines.zip(&expected) {
        let cells: Vec<&str> = line.split(';').collect();
        let cents = p["amount"].as_i64().unwrap();
        assert_eq!(
            cells[2],
            format!("{},{:02}", cents / 100, cents % 100),
            "{line}"
        );
    }

    // RFC 4180 stays the default.
    let plain = run_args(
        fake.cli(),
        &["payments", "list", "--limit", "1", "--format", "csv"],
    );
    assert!(
        plain.stdout.starts_with("id,date,amount_eur,"),
        "{}",
        plain.stdout
    );
}

#[test]
fn search_results_as_a_spreadsheet() {
    let fake = Fake::start();
    let out = fake.path("search.xlsx");
    let json = run_args(
        fake.cli(),
        &["payments", "search", "--limit", "7", "--format", "json"],
    );
    let expected: Vec<serde_json::Value> = serde_json::from_str(&json.stdout).unwrap();
    run(fake
        .cli()
        .args(["payments", "search", "--limit", "7", "--out"])
        .arg(&out))
    .ok();
    let range = sheet(&out, "Search");
    assert_eq!(range.height(), expected.len() + 1);
    for (r, p) in expected.iter().enumerate() {
        let cents = p["amount"].as_i64().unwrap();
        assert_eq!(
            range.get((r + 1, 2)),
            Some(&Data::Float(cents as f64 / 100.0))
        );
        assert!(matches!(range.get((r + 1, 1)), Some(Data::DateTime(_))));
    }
}

#[test]
fn get_as_excel_fr_csv_speaks_the_same_dialect() {
    let fake = Fake::start();
    let id = fake.payment_in(PaymentState::Authorized).to_string();
    let json = run_args(fake.cli(), &["payments", "get", &id, "--format", "json"]);
    let cents = serde_json::from_str::<serde_json::Value>(&json.stdout).unwrap()["amount"]
        .as_i64()
        .unwrap();
    let r = run_args(
        fake.cli(),
        &[
            "payments",
            "get",
            &id,
            "--format",
            "csv",
            "--csv-dialect",
            "excel-fr",
        ],
    );
    r.ok();
    let text = r.stdout.strip_prefix('\u{feff}').expect("a BOM first");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    let values: Vec<&str> = lines.next().unwrap().split(';').collect();
    let at = header.iter().position(|h| *h == "amount_eur").unwrap();
    assert_eq!(values[at], format!("{},{:02}", cents / 100, cents % 100));
}

/// A spreadsheet format on a command that is not a listing never turns a
/// refund already done into a failure: the result shows as the table.
#[test]
fn a_refund_asked_as_xlsx_still_reports_its_success() {
    let fake = Fake::start();
    let id = fake.payment_in(PaymentState::Authorized).to_string();
    let r = run_args(
        fake.cli(),
        &[
            "payments",
            "refund",
            &id,
            "--amount",
            "1",
            "--yes",
            "--mfa-code",
            crate::common::MFA_CODE,
            "--format",
            "xlsx",
        ],
    );
    r.ok();
    assert!(r.stdout.contains("refund_operation"), "{}", r.stdout);
    assert_eq!(fake.server.counters().refunds_executed, 1);
}

#[test]
fn the_header_is_frozen_and_filterable_and_euros_have_a_euro_format() {
    use std::io::Read;
    let fake = Fake::start();
    let out = fake.path("frozen.xlsx");
    run(fake
        .cli()
        .args(["payments", "list", "--limit", "5", "--out"])
        .arg(&out))
    .ok();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut part = |name: &str| {
        let mut text = String::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let sheet = part("xl/worksheets/sheet1.xml");
    // Frozen below row 1; a filter over the header and the 5 rows (A1:J6:
    // the tenth column is the payout).
    assert!(sheet.contains(r#"ySplit="1""#), "{sheet}");
    assert!(sheet.contains(r#"state="frozen""#), "{sheet}");
    assert!(sheet.contains(r#"<autoFilter ref="A1:J6""#), "{sheet}");
    let styles = part("xl/styles.xml");
    assert!(styles.contains("€"), "{styles}");
    assert!(styles.contains("yyyy-mm-dd hh:mm"), "{styles}");
}

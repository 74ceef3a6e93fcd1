//! `helloasso report year`: the year-end workbook read back with calamine
//! (a reader independent of the writer), its sheets' totals checked against
//! sums made here from the fake's own payments, as `payments list` sends
//! them raw.

use std::collections::BTreeMap;
use std::io::Read;

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::Value;

use crate::common::{Fake, run_args};

/// The states whose money came in, as `payments summary` counts them.
const MONEY_IN: [&str; 5] = [
    "Authorized",
    "Registered",
    "Refunding",
    "Refunded",
    "Contested",
];

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

/// A sheet's rows, header first.
fn sheet(path: &std::path::Path, name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook(path).expect("a readable XLSX");
    let range = book.worksheet_range(name).expect("the sheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn cents(cell: &Data) -> i64 {
    match cell {
        Data::Float(f) => (f * 100.0).round() as i64,
        Data::Int(i) => i * 100,
        other => panic!("not an amount: {other:?}"),
    }
}

/// The column named `name` of a sheet's header.
fn col(rows: &[Vec<Data>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|c| matches!(c, Data::String(s) if s == name))
        .unwrap_or_else(|| panic!("no column {name} in {:?}", rows[0]))
}

/// The row whose first cell is TOTAL, for a column.
fn total(rows: &[Vec<Data>], name: &str) -> i64 {
    let c = col(rows, name);
    let last = rows.last().unwrap();
    assert_eq!(last[0].to_string(), "TOTAL");
    cents(&last[c])
}

#[test]
fn the_year_workbook_totals_agree_with_the_fakes_payments() {
    let fake = Fake::start();
    let r = run_args(
        fake.cli(),
        &["payments", "list", "--all", "--format", "json"],
    );
    r.ok();
    let payments: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    // Paris days: 2025 runs from 2025-01-01T00:00+01:00 to 2026-01-01T00:00+01:00.
    let start = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00+01:00").unwrap();
    let end = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00+01:00").unwrap();
    let mut months: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let (mut gross, mut refunds, mut count) = (0i64, 0i64, 0i64);
    for p in &payments {
        let date = chrono::DateTime::parse_from_rfc3339(p["date"].as_str().unwrap()).unwrap();
        let state = p["state"].as_str().unwrap_or("");
        if date < start || date >= end || !MONEY_IN.contains(&state) {
            continue;
        }
        let amount = p["amount"].as_i64().unwrap();
        let back = refunded(p);
        gross += amount;
        refunds += back;
        count += 1;
        let month = date
            .with_timezone(&chrono_tz::Europe::Paris)
            .format("%Y-%m")
            .to_string();
        let entry = months.entry(month).or_default();
        entry.0 += amount;
        entry.1 += back;
    }
    assert!(
        count > 50 && refunds > 0,
        "{count} payments, {refunds} refunded"
    );

    let path = fake.path("year.xlsx");
    let r = run_args(
        fake.cli(),
        &["report", "year", "2025", "--out", path.to_str().unwrap()],
    );
    r.ok();
    assert!(
        r.stderr.contains(&format!("{count} payments")),
        "{}",
        r.stderr
    );

    let summary = sheet(&path, "Summary");
    assert_eq!(summary.len(), 1 + 12 + 1, "a header, twelve months, TOTAL");
    assert_eq!(total(&summary, "COLLECTED (EUR)"), gross);
    assert_eq!(total(&summary, "REFUNDS (EUR)"), refunds);
    assert_eq!(total(&summary, "NET (EUR)"), gross - refunds);
    assert_eq!(cents(&summary.last().unwrap()[1]) / 100, count);
    let (collected, back) = (
        col(&summary, "COLLECTED (EUR)"),
        col(&summary, "REFUNDS (EUR)"),
    );
    for row in &summary[1..13] {
        let month = row[0].to_string();
        let (g, b) = months.get(&month).copied().unwrap_or_default();
        assert_eq!(
            (cents(&row[collected]), cents(&row[back])),
            (g, b),
            "{month}"
        );
    }
    for name in ["By form", "By means"] {
        let rows = sheet(&path, name);
        assert_eq!(total(&rows, "COLLECTED (EUR)"), gross, "{name}");
        assert_eq!(total(&rows, "REFUNDS (EUR)"), refunds, "{name}");
    }
    let refund_rows = sheet(&path, "Refunds");
    assert_eq!(total(&refund_rows, "AMOUNT (EUR)"), refunds);

    // Each payout's net equals the sum of its payments' net on the next sheet,
    // and HelloAsso's export states the same.
    let payouts = sheet(&path, "Payouts");
    assert!(payouts.len() > 2, "{} payout rows", payouts.len());
    let held = sheet(&path, "Payout payments");
    let (pc, nc) = (col(&held, "PAYOUT"), col(&held, "NET (EUR)"));
    let mut by_payout: BTreeMap<i64, i64> = BTreeMap::new();
    for row in &held[1..] {
        *by_payout.entry(cents(&row[pc]) / 100).or_default() += cents(&row[nc]);
    }
    let (id, net, diff) = (
        col(&payouts, "PAYOUT"),
        col(&payouts, "NET (EUR)"),
        col(&payouts, "DIFFERENCE (EUR)"),
    );
    for row in &payouts[1..] {
        assert_eq!(by_payout[&(cents(&row[id]) / 100)], cents(&row[net]));
        assert_eq!(cents(&row[diff]), 0);
    }

    // Members at year end: the same people as `members --on 2025-12-31`.
    let r = run_args(
        fake.cli(),
        &["members", "--on", "2025-12-31", "--format", "json"],
    );
    r.ok();
    let members: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    assert!(!members.is_empty());
    assert_eq!(sheet(&path, "Members").len(), 1 + members.len());

    // A native chart sits on the first sheet, and its two series are the
    // months' collections and refunds: each series' name, categories and
    // values point at the Summary cells that hold them, read back here.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut chart = String::new();
    zip.by_name("xl/charts/chart1.xml")
        .expect("a chart part")
        .read_to_string(&mut chart)
        .unwrap();
    assert!(chart.contains("<c:barChart>"), "a column chart");
    let series: Vec<Series> = chart
        .split("<c:ser>")
        .skip(1)
        .map(|ser| Series::of(&summary, ser))
        .collect();
    let month_names: Vec<String> = (1..=12).map(|m| format!("2025-{m:02}")).collect();
    let by_month = |pick: fn(&(i64, i64)) -> i64| -> Vec<i64> {
        month_names
            .iter()
            .map(|m| months.get(m).map_or(0, pick))
            .collect()
    };
    assert_eq!(
        series,
        [
            Series {
                name: "COLLECTED (EUR)".to_owned(),
                categories: month_names.clone(),
                values: by_month(|m| m.0),
            },
            Series {
                name: "REFUNDS (EUR)".to_owned(),
                categories: month_names.clone(),
                values: by_month(|m| m.1),
            },
        ],
        "the chart's series, resolved against the Summary sheet"
    );
    let mut rels = String::new();
    zip.by_name("xl/worksheets/_rels/sheet1.xml.rels")
        .expect("the first sheet's links")
        .read_to_string(&mut rels)
        .unwrap();
    assert!(rels.contains("drawing"), "{rels}");
}

/// A chart series as Excel draws it: the cells its name, categories and
/// values point at, read from the sheet they point into.
#[derive(Debug, PartialEq)]
struct Series {
    name: String,
    categories: Vec<String>,
    values: Vec<i64>,
}

impl Series {
    /// The series of one `<c:ser>` element, its references resolved
    /// against `sheet` (the Summary, which every reference must name).
    fn of(sheet: &[Vec<Data>], ser: &str) -> Self {
        let reference = |tag: &str| -> Vec<(usize, usize)> {
            let part = ser
                .split(&format!("<c:{tag}>"))
                .nth(1)
                .unwrap_or_else(|| panic!("no <c:{tag}> in {ser}"));
            let formula = part
                .split("<c:f>")
                .nth(1)
                .and_then(|f| f.split("</c:f>").next())
                .unwrap_or_else(|| panic!("no reference in <c:{tag}>"));
            cells(formula)
        };
        let text = |(r, c): (usize, usize)| sheet[r][c].to_string();
        let name = reference("tx");
        assert_eq!(name.len(), 1, "a series is named by one cell");
        Series {
            name: text(name[0]),
            categories: reference("cat").into_iter().map(text).collect(),
            values: reference("val")
                .into_iter()
                .map(|(r, c)| cents(&sheet[r][c]))
                .collect(),
        }
    }
}

/// The (row, column) pairs, from 0, of `Summary!$C$2:$C$13` or
/// `Summary!$C$1`: one column, as the chart's references are.
fn cells(formula: &str) -> Vec<(usize, usize)> {
    let range = formula
        .strip_prefix("Summary!")
        .unwrap_or_else(|| panic!("{formula}: not on the Summary sheet"));
    let corner = |a1: &str| -> (usize, usize) {
        let a1 = a1.replace('$', "");
        let split = a1.find(|c: char| c.is_ascii_digit()).unwrap();
        let (letters, digits) = a1.split_at(split);
        assert_eq!(letters.len(), 1, "{formula}: columns A to Z");
        let column = usize::from(letters.as_bytes()[0] - b'A');
        (digits.parse::<usize>().unwrap() - 1, column)
    };
    let (first, last) = range.split_once(':').unwrap_or((range, range));
    let ((r1, c1), (r2, c2)) = (corner(first), corner(last));
    assert_eq!(c1, c2, "{formula}: one column");
    (r1..=r2).map(|r| (r, c1)).collect()
}

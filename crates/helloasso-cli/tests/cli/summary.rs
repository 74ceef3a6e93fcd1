//! `payments summary`: its totals against the fake's own dataset, added up
//! here without any listing, page or export in between.

use std::collections::BTreeMap;

use helloasso_fake::PaymentState;

use crate::common::{Fake, run_args};

/// cents → `12.50`, as the summary's CSV writes euros.
fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

#[derive(Default, Debug, PartialEq)]
struct Sums {
    count: i64,
    gross: i64,
    refunded: i64,
    tips: i64,
}

/// The states whose money came in: what a summary adds up without --state.
const MONEY_IN: [PaymentState; 5] = [
    PaymentState::Authorized,
    PaymentState::Registered,
    PaymentState::Refunding,
    PaymentState::Refunded,
    PaymentState::Contested,
];

#[test]
fn totals_reconcile_with_the_fakes_dataset() {
    let fake = Fake::start();
    let filters = ["--from", "2020-01-01"];
    // The dataset's figures, read from the fake's store: a pager that lost,
    // repeated or misread a page cannot make these agree with its totals.
    let payments: Vec<_> = fake
        .server
        .payment_figures()
        .into_iter()
        .filter(|p| MONEY_IN.contains(&p.state) && p.date.as_str() >= "2020-01-01")
        .collect();
    assert!(payments.len() > 100);
    let mut by_state: BTreeMap<String, Sums> = BTreeMap::new();
    let mut all = Sums::default();
    for p in &payments {
        for sums in [by_state.entry(p.state.to_string()).or_default(), &mut all] {
            sums.count += 1;
            sums.gross += p.amount_cents;
            sums.refunded += p.refunded_cents;
            sums.tips += p.tip_cents;
        }
    }
    assert!(all.refunded > 0, "the dataset has refunds");
    assert!(by_state.contains_key("Authorized") && by_state.contains_key("Refunded"));

    let summary = run_args(
        fake.cli(),
        &[
            &["payments", "summary", "--by", "state", "--format", "csv"][..],
            &filters,
        ]
        .concat(),
    );
    summary.ok();
    let mut reader = csv::Reader::from_reader(summary.stdout.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec![
            "group",
            "count",
            "gross_eur",
            "refunded_eur",
            "tips_eur",
            "net_eur"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), by_state.len() + 1);
    let expect = |row: &csv::StringRecord, name: &str, s: &Sums| {
        assert_eq!(&row[0], name);
        assert_eq!(row[1].parse::<i64>().unwrap(), s.count, "{row:?}");
        assert_eq!(&row[2], euros(s.gross), "{row:?}");
        assert_eq!(&row[3], euros(s.refunded), "{row:?}");
        assert_eq!(&row[4], euros(s.tips), "{row:?}");
        assert_eq!(&row[5], euros(s.gross - s.refunded), "{row:?}");
    };
    for (row, (state, sums)) in rows.iter().zip(&by_state) {
        expect(row, state, sums);
    }
    expect(rows.last().unwrap(), "TOTAL", &all);
    for never_paid in ["Abandoned", "Refused", "Pending", "Error", "Canceled"] {
        assert!(
            rows.iter().all(|row| &row[0] != never_paid),
            "{never_paid} payments moved no money, yet the summary adds them up"
        );
    }
}

#[test]
fn by_month_groups_in_paris_months_and_writes_a_spreadsheet() {
    let fake = Fake::start();
    let out = fake.path("summary.xlsx");
    let r = run_args(
        fake.cli(),
        &[
            "payments",
            "summary",
            "--by",
            "month",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    r.ok();
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    let range = book.worksheet_range("Summary").unwrap();
    let last = range.height() - 1;
    assert_eq!(range.get((last, 0)), Some(&Data::String("TOTAL".into())));
    // Only the payments whose money came in are added up.
    let figures = fake.server.payment_figures();
    let counted: Vec<_> = figures
        .iter()
        .filter(|p| MONEY_IN.contains(&p.state))
        .collect();
    assert!(counted.len() < figures.len());
    assert_eq!(
        range.get((last, 1)),
        Some(&Data::Float(counted.len() as f64))
    );
    // Months in order, as YYYY-MM.
    let months: Vec<String> = (1..last)
        .map(|r| range.get((r, 0)).unwrap().to_string())
        .collect();
    let mut sorted = months.clone();
    sorted.sort();
    assert_eq!(months, sorted);
    assert!(
        months.iter().all(|m| m.len() == 7 && &m[4..5] == "-"),
        "{months:?}"
    );
    // Each group's gross is a number; their sum is the total's.
    let gross: f64 = (1..last)
        .map(|r| match range.get((r, 2)) {
            Some(Data::Float(f)) => *f,
            other => panic!("{other:?}"),
        })
        .sum();
    // ... and the dataset's own.
    let dataset: i64 = counted.iter().map(|p| p.amount_cents).sum();
    match range.get((last, 2)) {
        Some(Data::Float(t)) => {
            assert!((t - gross).abs() < 0.005, "{t} vs {gross}");
            assert!((t * 100.0 - dataset as f64).abs() < 0.5, "{t} vs {dataset}");
        }
        other => panic!("{other:?}"),
    }
}

//! CSV and XLSX exports by `Accept`.

use crate::common::{ids, small};
use reqwest::StatusCode;

async fn csv(
    f: &crate::common::Fake,
    query: &[(&str, &str)],
    accept: &str,
) -> (StatusCode, String, String) {
    let resp = f
        .authed_get(f.org_url("/payments"))
        .header("accept", accept)
        .query(query)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let ctype = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ctype, resp.text().await.unwrap())
}

#[tokio::test]
async fn csv_has_every_matching_payment() {
    let f = small().await;
    let (status, ctype, text) = csv(&f, &[("pageSize", "5")], "text/csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, helloasso_fake::CSV_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let listed = f
        .walk_tokens(&f.org_url("/payments"), &[("pageSize", "100")])
        .await;
    assert_eq!(rows.len(), listed.len(), "paging does not apply");
    let csv_ids: Vec<i64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert_eq!(csv_ids, ids(&listed), "same order as the listing");
    assert_eq!(f.server.counters().requests.export_payments, 1);
}

#[tokio::test]
async fn csv_filters_apply() {
    let f = small().await;
    let q = [
        ("states", "Refunded"),
        ("sortOrder", "Asc"),
        ("from", "2024-01-01"),
    ];
    let (_, _, text) = csv(&f, &q, "text/csv").await;
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    let listed = f
        .walk_tokens(
            &f.org_url("/payments"),
            &[("pageSize", "100"), q[0], q[1], q[2]],
        )
        .await;
    assert!(!rows.is_empty());
    assert_eq!(rows.len(), listed.len());
    assert!(rows.iter().all(|r| &r[7] == "Refunded"));
    // Bad filters are 400 in JSON, as for the listing.
    let (status, _, body) = csv(&f, &[("states", "Nope")], "text/csv").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("ArgumentInvalid"));
}

#[tokio::test]
async fn csv_of_many_rows_streams() {
    let f = crate::common::start(helloasso_fake::FakeConfig::default().payments(30_000)).await;
    let (status, _, text) = csv(&f, &[], "text/csv").await;
    assert_eq!(status, StatusCode::OK);
    let lines = text.lines().count() - 1;
    // Counts are -1 unless asked for (`withCount`, default false).
    let (_, body) = f
        .get(
            &f.org_url("/payments"),
            &[("pageSize", "1"), ("withCount", "true")],
        )
        .await;
    assert_eq!(
        lines as i64,
        body["pagination"]["totalCount"].as_i64().unwrap()
    );
}

#[tokio::test]
async fn xlsx_is_a_zipped_workbook_and_json_wins() {
    let f = small().await;
    let resp = f
        .authed_get(f.org_url("/payments"))
        .header(
            "accept",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let ctype = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ctype.contains("spreadsheetml"), "{ctype}");
    let body = resp.bytes().await.unwrap();
    // An XLSX file is a ZIP archive holding the workbook's XML parts.
    assert_eq!(&body[..4], b"PK\x03\x04");
    let needle = b"xl/worksheets/sheet1.xml";
    assert!(body.windows(needle.len()).any(|w| w == needle));
    let (status, ctype, _) = csv(&f, &[], "application/json, text/csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("application/json"));
}

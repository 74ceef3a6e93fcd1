//! A long listing lists each payment once: past 16 pages the CLI raises its
//! retry budget and goes on from a checkpoint with a new stream, which must
//! still drop the records that straddle two pages (HelloAsso lists a record
//! again on the next page when records arrive meanwhile). `payments
//! summary`, which never rebuilds its stream, must count the same.

use std::collections::HashSet;

use httpmock::prelude::*;
use serde_json::json;

use crate::common::{bare, run_args};

/// Pages of this many records, each after the first starting with the last
/// record of the page before.
const PAGE: i64 = 5;
const PAGES: i64 = 21;

/// Serves `PAGES` pages by continuation token (`p1`, `p2`, ...) and
/// returns how many distinct payments they hold.
fn straddling_listing(server: &MockServer) -> usize {
    let path = "/v5/organizations/mock-org/payments";
    let mut next_id = 10_000;
    let mut previous_last = None;
    let mut distinct = HashSet::new();
    for page in 0..PAGES {
        let mut ids: Vec<i64> = previous_last.into_iter().collect();
        while (ids.len() as i64) < PAGE {
            ids.push(next_id);
            next_id -= 1;
        }
        previous_last = ids.last().copied();
        distinct.extend(ids.iter().copied());
        let token = (page + 1 < PAGES).then(|| format!("p{}", page + 1));
        let body = json!({
            "data": ids.iter().map(|id| json!({
                "id": id, "amount": 1000, "state": "Authorized",
                "date": "2025-03-01T10:00:00+01:00",
            })).collect::<Vec<_>>(),
            "pagination": {
                "pageSize": PAGE, "pageIndex": page + 1,
                "totalCount": 5 + (PAGES - 1) * (PAGE - 1), "totalPages": PAGES,
                "continuationToken": token,
            },
        });
        server.mock(|when, then| {
            let when = when.method(GET).path(path);
            if page == 0 {
                when.query_param_missing("continuationToken");
            } else {
                when.query_param("continuationToken", format!("p{page}"));
            }
            then.status(200).json_body(body);
        });
    }
    distinct.len()
}

#[test]
fn a_listing_over_20_pages_with_straddling_records_lists_each_payment_once() {
    let server = crate::common::mock_helloasso();
    let distinct = straddling_listing(&server);
    let home = tempfile::tempdir().unwrap();
    let cli = || {
        let mut cmd = bare(home.path());
        cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
            .env("HELLOASSO_CLIENT_ID", "c")
            .env("HELLOASSO_CLIENT_SECRET", "s")
            .env("HELLOASSO_ORGANIZATION", "mock-org")
            .env("HELLOASSO_TOKEN_FILE", home.path().join("tokens.json"));
        cmd
    };
    let listed = run_args(
        cli(),
        &[
            "payments",
            "list",
            "--all",
            "--page-size",
            "5",
            "--format",
            "csv",
        ],
    );
    listed.ok();
    let ids: Vec<&str> = listed
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or_default())
        .collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "a payment was listed twice");
    assert_eq!(ids.len(), distinct);

    let summary = run_args(cli(), &["payments", "summary", "--format", "json"]);
    summary.ok();
    let rows: serde_json::Value = serde_json::from_str(&summary.stdout).unwrap();
    let total = rows
        .as_array()
        .and_then(|r| r.last())
        .expect("a totals row");
    assert_eq!(total["group"], "TOTAL");
    assert_eq!(total["count"], json!(ids.len()), "{}", summary.stdout);
}

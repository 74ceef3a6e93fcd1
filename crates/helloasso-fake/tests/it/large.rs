//! A large dataset, small enough to run in every test run: paging to its
//! far end, filters and the CSV export agree with the dataset's own counts.
//! What a million payments cost (start time, resident memory) is a row of
//! `cargo xtask bench`, not a timed assertion here.

use helloasso_fake::{FakeConfig, PaymentState};

const PAYMENTS: usize = 100_000;

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_thousand_payments_page_filter_and_export_whole() {
    let server = helloasso_fake::start(FakeConfig::default().payments(PAYMENTS))
        .await
        .unwrap();
    assert_eq!(server.payment_count(), PAYMENTS);
    let newest_first = server.payment_ids(None, usize::MAX);
    let refunded = server
        .payment_ids(Some(PaymentState::Refunded), usize::MAX)
        .len();
    assert!(newest_first.len() > PAYMENTS / 2 && refunded > 0);

    let http = reqwest::Client::builder()
        .user_agent("helloasso-fake-tests")
        .build()
        .unwrap();
    let token = crate::common::client_credentials(&server, &http).await;
    let token = token["access_token"].as_str().unwrap().to_owned();
    let url = format!(
        "{}/organizations/{}/payments",
        server.api_url(),
        server.organization_slug()
    );
    let page = |query: Vec<(&'static str, String)>| {
        let request = http.get(&url).bearer_auth(&token).query(&query);
        async move {
            let resp = request.send().await.unwrap();
            assert!(resp.status().is_success(), "{query:?}: {}", resp.status());
            resp.json::<serde_json::Value>().await.unwrap()
        }
    };
    let ids = |body: &serde_json::Value| -> Vec<i64> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect()
    };

    // HelloAsso counts only when asked.
    let first = page(vec![
        ("pageSize", "100".into()),
        ("withCount", "true".into()),
    ])
    .await;
    let total = newest_first.len();
    assert_eq!(first["pagination"]["totalCount"], total);
    assert_eq!(ids(&first), newest_first[..100]);
    // The last page ends with the oldest payment.
    let pages = first["pagination"]["totalPages"].as_u64().unwrap();
    assert_eq!(pages, total.div_ceil(100) as u64);
    let last = page(vec![
        ("pageSize", "100".into()),
        ("pageIndex", pages.to_string()),
    ])
    .await;
    assert_eq!(ids(&last), newest_first[(pages as usize - 1) * 100..]);

    let by_state = page(vec![
        ("pageSize", "100".into()),
        ("states", "Refunded".into()),
        ("withCount", "true".into()),
    ])
    .await;
    assert_eq!(by_state["pagination"]["totalCount"], refunded);
    assert!(
        by_state["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["state"] == "Refunded")
    );
    page(vec![
        ("pageSize", "100".into()),
        ("sortField", "UpdateDate".into()),
        ("from", "2025-01-01".into()),
    ])
    .await;

    // The export streams every payment once: read chunk by chunk.
    let mut csv = http
        .get(&url)
        .bearer_auth(&token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert!(csv.status().is_success());
    let mut body = Vec::new();
    while let Some(chunk) = csv.chunk().await.unwrap() {
        body.extend_from_slice(&chunk);
    }
    let mut reader = csv::Reader::from_reader(body.as_slice());
    let mut exported: Vec<i64> = reader
        .records()
        .map(|r| r.unwrap()[0].parse().unwrap())
        .collect();
    exported.sort_unstable();
    let mut expected = newest_first.clone();
    expected.sort_unstable();
    assert_eq!(exported, expected);
    server.shutdown().await;
}

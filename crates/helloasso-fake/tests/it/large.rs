//! The one-million-payment dataset: startup time and resident memory.
//! Ignored by default (it takes a few seconds in release, longer in debug):
//! `cargo test --release -p helloasso-fake --test large -- --ignored --nocapture`.

use helloasso_fake::FakeConfig;
use std::time::Instant;

fn rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? / 1024)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore]
async fn one_million_payments() {
    let before = rss_mib();
    let t = Instant::now();
    let server = helloasso_fake::start(FakeConfig::default().payments(1_000_000))
        .await
        .unwrap();
    let startup = t.elapsed();
    let rss = rss_mib();
    println!(
        "1,000,000 payments: started in {startup:.2?}, RSS {rss:?} MiB (before: {before:?} MiB)"
    );
    assert_eq!(server.payment_count(), 1_000_000);
    assert!(rss.unwrap_or(0) < 500);

    let http = reqwest::Client::builder()
        .user_agent("helloasso-fake-tests")
        .build()
        .unwrap();
    let token = crate::common::client_credentials(&server, &http).await;
    let token = token["access_token"].as_str().unwrap();
    let url = format!(
        "{}/organizations/{}/payments",
        server.api_url(),
        server.organization_slug()
    );
    for query in [
        vec![("pageSize", "100")],
        vec![("pageSize", "100"), ("pageIndex", "5000")],
        vec![("pageSize", "100"), ("states", "Refunded")],
        vec![("pageSize", "100"), ("userSearchKey", "martin")],
        vec![
            ("pageSize", "100"),
            ("sortField", "UpdateDate"),
            ("from", "2025-01-01"),
        ],
    ] {
        let t = Instant::now();
        let resp = http
            .get(&url)
            .bearer_auth(token)
            .query(&query)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success());
        let body: serde_json::Value = resp.json().await.unwrap();
        println!(
            "{query:?}: {:.2?}, totalCount {}",
            t.elapsed(),
            body["pagination"]["totalCount"]
        );
    }
    let t = Instant::now();
    let mut csv = http
        .get(&url)
        .bearer_auth(token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    // Read chunk by chunk so that the RSS measures the server, not a buffered body.
    let (mut bytes, mut lines) = (0usize, 0usize);
    while let Some(chunk) = csv.chunk().await.unwrap() {
        bytes += chunk.len();
        lines += chunk.iter().filter(|&&b| b == b'\n').count();
    }
    println!(
        "CSV export: {lines} lines, {} MiB in {:.2?}, RSS after {:?} MiB",
        bytes / (1 << 20),
        t.elapsed(),
        rss_mib()
    );
    assert!(rss_mib().unwrap_or(0) < 500);
    server.shutdown().await;
}

//! Both paging styles and HelloAsso's end-of-list behaviour, over HTTP.

use crate::common::{assert_error, ids, small, start};
use helloasso_fake::FakeConfig;
use reqwest::StatusCode;
use std::collections::HashSet;

#[tokio::test]
async fn page_index_walk_and_past_the_end() {
    let f = small().await;
    let url = f.org_url("/payments");
    let (status, first) = f
        .get(&url, &[("pageSize", "50"), ("withCount", "true")])
        .await;
    assert_eq!(status, StatusCode::OK);
    let p = &first["pagination"];
    let total = p["totalCount"].as_i64().unwrap();
    let pages = p["totalPages"].as_i64().unwrap();
    assert!(
        total > 300,
        "most of the 500 payments are the main organization's"
    );
    assert_eq!(pages, (total + 49) / 50);
    assert_eq!(p["pageIndex"], 1);
    assert_eq!(p["pageSize"], 50);

    let mut all = Vec::new();
    for page in 1..=pages {
        let (status, body) = f
            .get(
                &url,
                &[("pageSize", "50"), ("pageIndex", &page.to_string())],
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["pagination"]["pageIndex"], page);
        // A token is present on every page, the last one included.
        assert!(body["pagination"]["continuationToken"].is_string());
        all.extend(body["data"].as_array().unwrap().clone());
    }
    assert_eq!(all.len() as i64, total);
    let unique: HashSet<i64> = ids(&all).into_iter().collect();
    assert_eq!(unique.len() as i64, total);

    // Past the last page: HelloAsso answers 500.
    let (status, body) = f
        .get(
            &url,
            &[("pageSize", "50"), ("pageIndex", &(pages + 1).to_string())],
        )
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_error(&body, "InternalError");
}

#[tokio::test]
async fn continuation_tokens_walk_to_an_empty_page() {
    let f = small().await;
    let url = f.org_url("/payments");
    let by_token = f.walk_tokens(&url, &[("pageSize", "37")]).await;
    let (_, first) = f
        .get(&url, &[("pageSize", "100"), ("withCount", "true")])
        .await;
    let total = first["pagination"]["totalCount"].as_i64().unwrap();
    assert_eq!(by_token.len() as i64, total);

    // Same order as the page-index walk (default: date descending).
    let mut by_index = Vec::new();
    let mut page = 1;
    loop {
        let (status, body) = f
            .get(
                &url,
                &[("pageSize", "37"), ("pageIndex", &page.to_string())],
            )
            .await;
        if status != StatusCode::OK {
            break;
        }
        by_index.extend(body["data"].as_array().unwrap().clone());
        page += 1;
    }
    assert_eq!(ids(&by_token), ids(&by_index));
    let dates: Vec<&str> = by_token
        .iter()
        .map(|p| p["date"].as_str().unwrap())
        .collect();
    let mut sorted = by_token.clone();
    sorted.sort_by_key(|p| std::cmp::Reverse(p["id"].as_i64().unwrap()));
    assert_eq!(ids(&sorted), ids(&by_token), "newest first");
    assert!(!dates.is_empty());
}

#[tokio::test]
async fn token_format_and_resume() {
    let f = small().await;
    let url = f.org_url("/payments");
    let (_, page1) = f
        .get(&url, &[("pageSize", "10"), ("sortOrder", "Asc")])
        .await;
    let token = page1["pagination"]["continuationToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let (digits, id) = token.split_once('_').unwrap();
    assert_eq!(digits.len(), 21);
    assert!(digits.bytes().all(|b| b.is_ascii_digit()));
    let last = page1["data"].as_array().unwrap().last().unwrap();
    assert_eq!(id, last["id"].as_i64().unwrap().to_string());

    // Resuming from a saved token continues right after the item it names.
    let (_, page2) = f
        .get(
            &url,
            &[
                ("pageSize", "10"),
                ("sortOrder", "Asc"),
                ("continuationToken", &token),
                // The page index of a resumed page is known when counted.
                ("withCount", "true"),
            ],
        )
        .await;
    let (_, both) = f
        .get(&url, &[("pageSize", "20"), ("sortOrder", "Asc")])
        .await;
    let expected: Vec<i64> = ids(both["data"].as_array().unwrap())[10..].to_vec();
    assert_eq!(ids(page2["data"].as_array().unwrap()), expected);
    assert_eq!(page2["pagination"]["pageIndex"], 2);

    // The short, id-less form HelloAsso also emits is accepted.
    let (status, body) = f
        .get(
            &url,
            &[
                ("pageSize", "5"),
                ("sortOrder", "Asc"),
                ("continuationToken", "20240101000000000"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for p in body["data"].as_array().unwrap() {
        assert!(p["date"].as_str().unwrap() >= "2024-01-01");
    }

    // Garbage is a 400.
    let (status, body) = f.get(&url, &[("continuationToken", "not-a-token")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "ArgumentInvalid");
}

#[tokio::test]
async fn page_size_limits() {
    let f = small().await;
    let url = f.org_url("/payments");
    for bad in ["500", "101", "0", "-3", "abc"] {
        let (status, body) = f.get(&url, &[("pageSize", bad)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "pageSize={bad}");
        assert_error(&body, "ArgumentInvalid");
    }
    let (status, body) = f.get(&url, &[("pageSize", "100")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"].as_array().unwrap().len(), 100);
    let (status, _) = f.get(&url, &[("pageIndex", "0")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Default page size.
    let (_, body) = f.get(&url, &[]).await;
    assert_eq!(body["pagination"]["pageSize"], 20);
    assert_eq!(body["data"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn unknown_counts() {
    let f = start(FakeConfig::default().payments(300).counts_unknown(true)).await;
    let url = f.org_url("/payments");
    let (_, body) = f.get(&url, &[("pageSize", "100")]).await;
    assert_eq!(body["pagination"]["totalCount"], -1);
    assert_eq!(body["pagination"]["totalPages"], -1);
    let items = f.walk_tokens(&url, &[("pageSize", "100")]).await;
    assert!(items.len() > 200);
    f.server.set_counts_unknown(false);
    let (_, body) = f.get(&url, &[]).await;
    assert_eq!(
        body["pagination"]["totalCount"], -1,
        "withCount defaults to false"
    );
    // `withCount=false` asks for no totals; `true` for them.
    let (_, body) = f.get(&url, &[("withCount", "false")]).await;
    assert_eq!(body["pagination"]["totalCount"], -1);
    assert_eq!(body["pagination"]["totalPages"], -1);
    let (_, body) = f.get(&url, &[("withCount", "true")]).await;
    assert_eq!(body["pagination"]["totalCount"], items.len());
    let (status, _) = f.get(&url, &[("withCount", "maybe")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn empty_result() {
    let f = small().await;
    let (status, body) = f
        .get(
            &f.org_url("/payments"),
            &[
                ("from", "2000-01-01"),
                ("to", "2000-02-01"),
                ("withCount", "true"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"].as_array().unwrap().len(), 0);
    assert_eq!(body["pagination"]["totalCount"], 0);
    assert_eq!(body["pagination"]["totalPages"], 0);
}

#[tokio::test]
async fn same_seed_same_bytes() {
    let a = start(FakeConfig::default().payments(400).seed(7)).await;
    let b = start(FakeConfig::default().payments(400).seed(7)).await;
    let c = start(FakeConfig::default().payments(400).seed(8)).await;
    let text = |f: &crate::common::Fake| {
        let req = f
            .authed_get(f.org_url("/payments"))
            .query(&[("pageSize", "100")]);
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    let (ta, tb, tc) = (text(&a).await, text(&b).await, text(&c).await);
    assert_eq!(ta, tb);
    assert_ne!(ta, tc);
}

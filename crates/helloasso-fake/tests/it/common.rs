//! Helpers shared by the integration tests: start a server, get a token,
//! call the API over real HTTP.
#![allow(dead_code)]

use helloasso_fake::{FakeConfig, FakeServer};
use reqwest::{Client, IntoUrl, RequestBuilder, StatusCode};
use serde_json::Value;

pub struct Fake {
    pub server: FakeServer,
    pub http: Client,
    pub token: String,
}

pub async fn start(config: FakeConfig) -> Fake {
    let server = helloasso_fake::start(config).await.expect("start");
    // HelloAsso's CDN refuses a request without a User-Agent; so does the fake.
    let http = Client::builder()
        .user_agent("helloasso-fake-tests")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let token = client_credentials(&server, &http).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    Fake {
        server,
        http,
        token,
    }
}

pub async fn small() -> Fake {
    start(FakeConfig::default().payments(500)).await
}

pub async fn client_credentials(server: &FakeServer, http: &Client) -> Value {
    let resp = http
        .post(format!("{}/oauth2/token", server.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", server.client_id()),
            ("client_secret", server.client_secret()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

impl Fake {
    pub fn url(&self, path: &str) -> String {
        format!("{}/v5{}", self.server.base_url(), path)
    }

    pub fn org_url(&self, rest: &str) -> String {
        self.url(&format!(
            "/organizations/{}{}",
            self.server.organization_slug(),
            rest
        ))
    }

    /// A GET carrying the bearer token, to send and inspect as it comes.
    pub fn authed_get(&self, url: impl IntoUrl) -> RequestBuilder {
        self.http.get(url).bearer_auth(&self.token)
    }

    /// A POST carrying the bearer token, to send and inspect as it comes.
    pub fn authed_post(&self, url: impl IntoUrl) -> RequestBuilder {
        self.http.post(url).bearer_auth(&self.token)
    }

    /// GET with the bearer token; returns status and JSON (Null when not JSON).
    pub async fn get(&self, url: &str, query: &[(&str, &str)]) -> (StatusCode, Value) {
        status_and_json(self.authed_get(url).query(query)).await
    }

    /// POST with the bearer token; returns status and JSON (Null when not JSON).
    pub async fn post(&self, url: &str, query: &[(&str, &str)]) -> (StatusCode, Value) {
        status_and_json(self.authed_post(url).query(query)).await
    }

    /// Lists every page with continuation tokens; returns the items.
    pub async fn walk_tokens(&self, url: &str, query: &[(&str, &str)]) -> Vec<Value> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..10_000 {
            let mut q: Vec<(&str, &str)> = query.to_vec();
            if let Some(t) = &token {
                q.push(("continuationToken", t));
            }
            let (status, body) = self.get(url, &q).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let data = body["data"].as_array().unwrap().clone();
            let next = body["pagination"]["continuationToken"]
                .as_str()
                .map(str::to_owned);
            if data.is_empty() {
                assert_eq!(next, token, "an empty page echoes the token");
                return items;
            }
            assert!(next.is_some(), "every non-empty page has a token");
            items.extend(data);
            token = next;
        }
        panic!("too many pages");
    }
}

/// Sends `request`; returns status and JSON (Null when not JSON).
async fn status_and_json(request: RequestBuilder) -> (StatusCode, Value) {
    let resp = request.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Asserts an HelloAsso-like errors body with this code.
pub fn assert_error(body: &Value, code: &str) {
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors array in {body}"));
    assert_eq!(errors[0]["code"], code, "{body}");
    assert!(
        errors[0]["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

pub fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|p| p["id"].as_i64().unwrap()).collect()
}

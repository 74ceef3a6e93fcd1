//! HelloAsso on httpmock: the token route and a client of it; each test
//! mocks the routes it reads.

use httpmock::prelude::*;
use serde_json::json;

/// A mocked HelloAsso that grants every token request.
pub async fn mock_helloasso() -> MockServer {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(200)
                .json_body(json!({"access_token": "a", "refresh_token": "r",
                "expires_in": 1800, "token_type": "bearer"}));
        })
        .await;
    server
}

/// A client of `server`.
pub fn mock_client(server: &MockServer) -> helloasso_sdk::Client {
    helloasso_sdk::Client::builder()
        .environment(helloasso_sdk::Environment::custom(&server.base_url()).unwrap())
        .credentials("id", "secret")
        .user_agent("helloasso-sync-tests")
        .build()
        .unwrap()
}

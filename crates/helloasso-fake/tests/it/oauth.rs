//! Tokens: grants, rotation, expiry, revocation, scopes and the 401 body.

use crate::common::{client_credentials, small, start};
use base64::Engine;
use helloasso_fake::FakeConfig;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::Digest;
use std::time::Duration;

async fn token_request(f: &crate::common::Fake, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let resp = f
        .http
        .post(format!("{}/oauth2/token", f.server.base_url()))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

async fn list_status(f: &crate::common::Fake, token: &str) -> StatusCode {
    f.http
        .get(f.org_url("/payments"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn client_credentials_shape_and_errors() {
    let f = small().await;
    let body = client_credentials(&f.server, &f.http).await;
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 1800);
    assert!(body["access_token"].as_str().unwrap().len() > 20);
    assert!(body["refresh_token"].is_string());

    let id = f.server.client_id().to_owned();
    let (status, body) = token_request(
        &f,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", "wrong"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unauthorized_client");
    assert!(body["error_description"].is_string());
    let (status, body) = token_request(
        &f,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "nobody"),
            ("client_secret", "x"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unauthorized_client");
    let (status, body) = token_request(&f, &[("grant_type", "password"), ("client_id", &id)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unsupported_grant_type");
    let (status, body) = token_request(&f, &[("client_id", &id)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
    let c = f.server.counters();
    assert_eq!(c.tokens.client_credentials, 2);
    assert_eq!(c.tokens.refused, 4);
}

#[tokio::test]
async fn refresh_tokens_rotate() {
    let f = small().await;
    let first = client_credentials(&f.server, &f.http).await;
    let id = f.server.client_id().to_owned();
    let r1 = first["refresh_token"].as_str().unwrap().to_owned();
    let (status, second) = token_request(
        &f,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &id),
            ("refresh_token", &r1),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let r2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    assert_eq!(
        list_status(&f, second["access_token"].as_str().unwrap()).await,
        StatusCode::OK
    );
    // The old refresh token is spent.
    let (status, body) = token_request(
        &f,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &id),
            ("refresh_token", &r1),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    // The new one works once.
    let (status, _) = token_request(
        &f,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &id),
            ("refresh_token", &r2),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(f.server.counters().tokens.refresh_token, 2);
}

#[tokio::test]
async fn access_tokens_expire() {
    let f = start(
        FakeConfig::default()
            .payments(20)
            .token_lifetime(Duration::from_secs(1)),
    )
    .await;
    assert_eq!(list_status(&f, &f.token).await, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let resp = f.authed_get(f.org_url("/payments")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.headers()["www-authenticate"], "Bearer");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["message"],
        "Authorization has been denied for this request."
    );

    // The library can expire tokens on demand too.
    let fresh = client_credentials(&f.server, &f.http).await;
    let t = fresh["access_token"].as_str().unwrap();
    assert_eq!(list_status(&f, t).await, StatusCode::OK);
    f.server.expire_access_tokens();
    assert_eq!(list_status(&f, t).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn missing_or_unknown_token() {
    let f = small().await;
    let resp = f.http.get(f.org_url("/payments")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(list_status(&f, "made-up").await, StatusCode::UNAUTHORIZED);
    let resp = f
        .http
        .get(f.org_url("/payments"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(f.server.counters().requests.unauthorized, 3);
}

#[tokio::test]
async fn disconnect_revokes() {
    let f = small().await;
    let pair = client_credentials(&f.server, &f.http).await;
    let resp = f
        .authed_get(format!("{}/oauth2/disconnect", f.server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(list_status(&f, &f.token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        list_status(&f, pair["access_token"].as_str().unwrap()).await,
        StatusCode::UNAUTHORIZED
    );
    let id = f.server.client_id().to_owned();
    let r = pair["refresh_token"].as_str().unwrap();
    let (status, body) = token_request(
        &f,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &id),
            ("refresh_token", r),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn authorization_code_with_pkce() {
    let f = small().await;
    let verifier = "a-long-enough-code-verifier-0123456789-abcdefghijkl";
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier));
    let other = f.server.organizations()[1].clone();
    let redirect = "http://127.0.0.1:9/callback";
    let resp = f
        .http
        .get(format!("{}/authorize", f.server.base_url()))
        .query(&[
            ("client_id", f.server.client_id()),
            ("redirect_uri", redirect),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("state", "xyz"),
            ("organization_slug", &other),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FOUND);
    let location = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(redirect));
    let q: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "xyz");
    let code = q["code"].clone();

    let id = f.server.client_id().to_owned();
    let secret = f.server.client_secret().to_owned();
    let base = [
        ("grant_type", "authorization_code"),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
        ("code", code.as_str()),
        ("redirect_uri", redirect),
    ];
    let mut wrong = base.to_vec();
    wrong.push(("code_verifier", "wrong-verifier"));
    let (status, body) = token_request(&f, &wrong).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");

    // A code is single-use, even after a failed attempt; get a new one.
    let code = f
        .server
        .authorization_code(&other, redirect, Some(&challenge))
        .unwrap();
    let mut good = base.to_vec();
    good[3] = ("code", code.as_str());
    good.push(("code_verifier", verifier));
    let (status, body) = token_request(&f, &good).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["organization_slug"], other.as_str());
    let token = body["access_token"].as_str().unwrap();
    // The token is bound to its organization.
    let resp = f
        .http
        .get(f.url(&format!("/organizations/{other}/payments")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(list_status(&f, token).await, StatusCode::FORBIDDEN);
    let (status, _) = token_request(&f, &good).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "codes are single-use");
    assert_eq!(f.server.counters().tokens.authorization_code, 1);
}

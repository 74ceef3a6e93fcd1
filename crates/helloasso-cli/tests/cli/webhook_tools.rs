//! `webhook forward` and `partner notifications check` against the fake,
//! with `webhook listen` as the local app they talk to.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use helloasso_fake::FakeConfig;

use crate::common::{Fake, free_port, listen_webhook, run, stop_listener};

/// `webhook listen` on `port` (memory store), waited for (bounded).
fn listen(fake: &Fake, port: u16, extra: &[&str]) -> Child {
    listen_webhook(fake, port, extra)
}

#[test]
fn forward_posts_signed_changes_that_a_listener_accepts() {
    let fake = Fake::with(FakeConfig::default().seed(6).payments(15));
    let key = "forward-test-key";
    let port = free_port();
    let app = listen(&fake, port, &["--key", key]);
    let url = format!("http://127.0.0.1:{port}/");
    let mut forward = fake
        .cli()
        .args([
            "webhook",
            "forward",
            &url,
            "--interval",
            "1",
            "--polls",
            "4",
        ])
        .args(["--replay", "1", "--sign-key", key])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The first look is done once it says it is forwarding.
    let mut stderr = BufReader::new(forward.stderr.take().unwrap());
    let mut line = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !line.starts_with("forwarding ") {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "forward ended early"
        );
        assert!(Instant::now() < deadline);
    }
    // A refund after the first look: the next look forwards it.
    let refunded = fake.payment_in(helloasso_fake::PaymentState::Authorized);
    run(fake
        .cli()
        .args(["payments", "refund", &refunded.to_string(), "--yes"]))
    .ok();
    let out = forward.wait_with_output().unwrap();
    let forwarded = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{forwarded}");
    let stored = stop_listener(app);

    // The replayed payment (with its order first), then the refunded one,
    // each answered 200 by a listener checking the signature.
    let lines: Vec<Vec<&str>> = forwarded.lines().map(|l| l.split('\t').collect()).collect();
    assert!(lines.len() >= 3, "{forwarded}");
    assert_eq!(lines[0][0], "Order", "{forwarded}");
    assert_eq!(lines[1][0], "Payment", "{forwarded}");
    assert!(lines.iter().all(|l| l[2] == "200"), "{forwarded}");
    let last = lines.last().unwrap();
    assert_eq!(
        (last[0], last[1]),
        ("Payment", refunded.to_string().as_str())
    );
    // Once each: the listener stored as many as were forwarded.
    assert_eq!(stored.lines().count(), lines.len(), "{stored}");
    assert!(
        stored
            .lines()
            .any(|l| l.contains(&format!("\tPayment\t{refunded}\t"))),
        "{stored}"
    );
}

#[test]
fn forward_with_the_wrong_key_is_refused_by_the_listener() {
    let fake = Fake::with(FakeConfig::default().seed(6).payments(15));
    let port = free_port();
    let app = listen(&fake, port, &["--key", "the-right-key"]);
    let out = run(fake.cli().args([
        "webhook",
        "forward",
        &format!("http://127.0.0.1:{port}/"),
        "--polls",
        "1",
        "--replay",
        "1",
        "--sign-key",
        "a-wrong-key",
    ]));
    out.ok();
    let stored = stop_listener(app);
    assert!(
        stored.is_empty(),
        "a wrongly signed one was stored: {stored}"
    );
    // Something was forwarded (an empty output would pass the check below)
    // and every one was refused.
    assert!(
        !out.stdout.trim().is_empty(),
        "nothing forwarded: {}",
        out.stderr
    );
    assert!(
        out.stdout.lines().all(|l| l.ends_with("\t401")),
        "{}",
        out.stdout
    );
}

#[test]
fn partner_check_says_which_url_answers() {
    let fake = Fake::with(FakeConfig::default().seed(6).payments(5));
    let org = fake.server.organization_slug().to_owned();
    let port = free_port();
    let app = listen(&fake, port, &[]);
    let live = format!("http://127.0.0.1:{port}/");
    let dead = format!("http://127.0.0.1:{}/", free_port());
    // Through the API: the CLI takes https URLs only, the fake plain ones.
    set_url(&fake, &live, None);
    set_url(&fake, &dead, Some("Payment"));

    let check = run(fake.cli().args([
        "partner",
        "notifications",
        "check",
        "--for-org",
        &org,
        "--timeout",
        "3",
        "--format",
        "jsonl",
    ]));
    assert_eq!(check.code, 1, "{}\n{}", check.stdout, check.stderr);
    let rows: Vec<serde_json::Value> = check
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{}", check.stdout);
    let row = |url: &str| rows.iter().find(|r| r["url"] == url).unwrap().clone();
    assert_eq!(row(&live)["ok"], true);
    assert!(
        row(&live)["answer"]
            .as_str()
            .unwrap()
            .starts_with("200 in ")
    );
    assert_eq!(row(&live)["type"], "all");
    assert_eq!(row(&dead)["ok"], false);
    assert_eq!(row(&dead)["answer"], "no answer (connection failed)");
    assert_eq!(row(&dead)["type"], "Payment");

    // The dead URL removed: every URL answers.
    run(fake
        .cli()
        .args(["partner", "notifications", "delete", "--type", "payment"]))
    .ok();
    let check = run(fake
        .cli()
        .args(["partner", "notifications", "check", "--for-org", &org]));
    check.ok();
    assert!(check.stdout.contains(&live), "{}", check.stdout);
    // The probe is an event no receiver acts on: nothing was stored.
    assert!(stop_listener(app).is_empty());
}

/// Sets the partner's notification URL (for one event type) on the fake.
fn set_url(fake: &Fake, url: &str, kind: Option<&str>) {
    let base = fake.server.base_url();
    let (id, secret) = (
        fake.server.client_id().to_owned(),
        fake.server.client_secret().to_owned(),
    );
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            // HelloAsso refuses a request without a User-Agent.
            let http = reqwest::Client::builder()
                .user_agent("helloasso-cli-tests")
                .build()
                .unwrap();
            let token: serde_json::Value = http
                .post(format!("{base}/oauth2/token"))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", id.as_str()),
                    ("client_secret", secret.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let mut body = serde_json::json!({ "url": url });
            if let Some(kind) = kind {
                body["notificationType"] = kind.into();
            }
            let status = http
                .put(format!("{base}/v5/partners/me/api-notifications"))
                .bearer_auth(token["access_token"].as_str().unwrap())
                .json(&body)
                .send()
                .await
                .unwrap()
                .status();
            assert!(status.is_success(), "{status}");
        });
}

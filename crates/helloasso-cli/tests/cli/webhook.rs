use crate::common::{bare, data, run};

#[test]
fn parse_a_payment_notification() {
    let home = tempfile::tempdir().unwrap();
    let r = run(bare(home.path())
        .arg("webhook")
        .arg("parse")
        .arg(data("payment_event.json")));
    r.ok();
    assert!(r.stdout.contains("event_type  Payment"), "{}", r.stdout);
    assert!(r.stdout.contains("10.00 EUR"), "{}", r.stdout);

    let json = run(bare(home.path())
        .args(["webhook", "parse", "--format", "json"])
        .arg(data("order_event.json")));
    json.ok();
    // JSON is HelloAsso's document itself, byte for byte the same value.
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let sent: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data("order_event.json")).unwrap()).unwrap();
    assert_eq!(v, sent);
}

#[test]
fn parse_as_json_keeps_the_checkout_metadata() {
    let home = tempfile::tempdir().unwrap();
    // Hand-written: an Order notification of a checkout carrying metadata.
    let body = r#"{"eventType":"Order","data":{"id":77,"amount":{"total":3000},"formSlug":"boutique","checkoutIntentId":12},"metadata":{"cart":42,"note":"été"}}"#;
    let file = home.path().join("order.json");
    std::fs::write(&file, body).unwrap();
    let r = run(bare(home.path())
        .args(["webhook", "parse", "--format", "json"])
        .arg(&file));
    r.ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["metadata"]["cart"], 42);
    assert_eq!(v["metadata"]["note"], "été");
    assert_eq!(v["data"]["amount"]["total"], 3000);
    assert!(!r.stdout.contains("EUR"), "{}", r.stdout);
}

#[test]
fn parse_reads_standard_input() {
    let home = tempfile::tempdir().unwrap();
    let mut child = bare(home.path())
        .args(["webhook", "parse", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"eventType":"Survey","data":{"a":1}}"#)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Survey"), "{text}");
}

#[test]
fn malformed_notification_is_one_line() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("bad.json");
    std::fs::write(&file, "not json at all").unwrap();
    run(bare(home.path()).args(["webhook", "parse"]).arg(&file))
        .fails(2, "not a HelloAsso notification");
    run(bare(home.path())
        .args(["webhook", "parse"])
        .arg(home.path().join("missing.json")))
    .fails(1, "cannot read");
}

#[test]
fn verify_accepts_the_right_key_and_refuses_a_flipped_bit() {
    let home = tempfile::tempdir().unwrap();
    let body = std::fs::read(data("payment_event.json")).unwrap();
    let key = "partner-signature-key";
    let signature = helloasso_fake::webhook_signature(key.as_bytes(), &body);

    let ok = run(bare(home.path())
        .args(["webhook", "verify", "--signature", &signature, "--key", key])
        .arg(data("payment_event.json")));
    ok.ok();
    assert!(ok.stdout.contains("signature valid"), "{}", ok.stdout);

    // The key may come from the environment, and is never printed.
    let env = run(bare(home.path())
        .env("HELLOASSO_WEBHOOK_KEY", key)
        .args(["webhook", "verify", "--signature", &signature])
        .arg(data("payment_event.json")));
    env.ok();
    assert!(!env.stdout.contains(key));

    let mut flipped = body.clone();
    flipped[10] ^= 1;
    let file = home.path().join("flipped.json");
    std::fs::write(&file, &flipped).unwrap();
    let bad = run(bare(home.path())
        .args(["webhook", "verify", "--signature", &signature, "--key", key])
        .arg(&file));
    bad.fails(9, "does not match");
    assert!(!bad.stderr.contains(key));

    run(bare(home.path())
        .args(["webhook", "verify", "--signature", "zz", "--key", key])
        .arg(data("payment_event.json")))
    .fails(9, "not a hex");

    run(bare(home.path())
        .args(["webhook", "verify", "--key", key])
        .arg(data("payment_event.json")))
    .fails(9, "no signature");
}

/// POSTs `body` to 127.0.0.1:`port` over a plain socket; the status line.
fn post_raw(port: u16, body: &[u8], signature: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\nx-ha-signature: {signature}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn listen_stores_a_signed_notification_once_and_refuses_a_forged_one() {
    let home = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let key = "listen-test-key";
    let mut child = bare(home.path())
        .args(["webhook", "listen", "--port", &port.to_string()])
        .args(["--key", key])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let body = std::fs::read(data("payment_event.json")).unwrap();
    // Wait (bounded) for the port to open.
    let mut up = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(up, "webhook listen never opened its port");
    let forged = helloasso_sdk::webhooks::sign(&body, b"not-the-key");
    assert!(post_raw(port, &body, &forged).contains(" 401 "));
    let good = helloasso_sdk::webhooks::sign(&body, key.as_bytes());
    assert!(post_raw(port, &body, &good).contains(" 200 "));
    // A replay of the stored body: 200, and no second line.
    assert!(post_raw(port, &body, &good).contains(" 200 "));
    // Time for a wrongly yielded replay to be printed, then stop it.
    std::thread::sleep(std::time::Duration::from_millis(500));
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("\tPayment\t"), "{stdout}");
}

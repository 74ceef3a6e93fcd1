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
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["event_type"], "Order");
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
    .fails(2, "cannot read");
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
}

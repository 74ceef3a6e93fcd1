//! Secrets given through a file or standard input, never the command line
//! (where `ps` shows them to every user of the machine).

use std::io::Write;
use std::process::Stdio;

use helloasso_fake::PaymentState;

use crate::common::{Fake, MFA_CODE, run, run_args};

#[test]
fn help_warns_that_command_line_secrets_show_in_ps() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_args(crate::common::bare(dir.path()), &["--help"]);
    r.ok();
    assert!(r.stdout.contains("show in `ps`"), "{}", r.stdout);
    assert!(r.stdout.contains("--client-secret-file"), "{}", r.stdout);
}

#[test]
fn client_secret_from_a_file() {
    let fake = Fake::start();
    let file = fake.path("secret");
    std::fs::write(&file, format!("{}\n", fake.server.client_secret())).unwrap();
    let r = run(fake
        .cli()
        .env_remove("HELLOASSO_CLIENT_SECRET")
        .args(["auth", "check", "--client-secret-file"])
        .arg(&file));
    r.ok();
    assert!(!r.stdout.contains(fake.server.client_secret()));

    // The file wins over a wrong value in the environment.
    run(fake
        .cli()
        .env("HELLOASSO_CLIENT_SECRET", "wrong")
        .args(["auth", "logout"]))
    .ok();
    run(fake
        .cli()
        .env("HELLOASSO_CLIENT_SECRET", "wrong")
        .args(["auth", "check", "--client-secret-file"])
        .arg(&file))
    .ok();
}

#[test]
fn client_secret_from_standard_input() {
    let fake = Fake::start();
    let mut child = fake
        .cli()
        .env_remove("HELLOASSO_CLIENT_SECRET")
        .args(["auth", "check", "--client-secret-file", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{}", fake.server.client_secret()).unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn an_empty_or_missing_secret_file_is_a_usage_error() {
    let fake = Fake::start();
    let empty = fake.path("empty");
    std::fs::write(&empty, "\n").unwrap();
    run(fake
        .cli()
        .args(["auth", "check", "--client-secret-file"])
        .arg(&empty))
    .fails(2, "holds no value");
    run(fake
        .cli()
        .args(["auth", "check", "--client-secret-file"])
        .arg(fake.path("absent")))
    .fails(2, "cannot open");
}

#[test]
fn mfa_code_from_a_file() {
    let fake = Fake::start();
    let id = fake.payment_in(PaymentState::Authorized);
    let file = fake.path("code");
    std::fs::write(&file, MFA_CODE).unwrap();
    let r = run(fake
        .cli()
        .args([
            "payments",
            "refund",
            &id.to_string(),
            "--yes",
            "--mfa-code-file",
        ])
        .arg(&file));
    r.ok();
    assert!(!r.stdout.contains(MFA_CODE) && !r.stderr.contains(MFA_CODE));
    assert_eq!(fake.server.counters().refunds_executed, 1);
}

#[test]
fn webhook_key_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let body = crate::common::data("payment_event.json");
    let key = dir.path().join("key");
    std::fs::write(&key, "the-key\n").unwrap();
    let signature = helloasso_fake::webhook_signature(b"the-key", &std::fs::read(&body).unwrap());
    let r = run(crate::common::bare(dir.path())
        .args(["webhook", "verify"])
        .arg(&body)
        .args(["--signature", &signature, "--key-file"])
        .arg(&key));
    r.ok();
    // Neither a key nor a key file: clap says what is missing.
    let r = run(crate::common::bare(dir.path())
        .args(["webhook", "verify"])
        .arg(&body)
        .args(["--signature", &signature]));
    assert_eq!(r.code, 2, "{}", r.stderr);
}

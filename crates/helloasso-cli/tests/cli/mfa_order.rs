//! A code sent by SMS exists only once HelloAsso has answered the refund
//! with its 409: `--mfa-code-file` is read and `--mfa-command` is run after
//! that answer, never before. A small HelloAsso of the test's own records
//! every step in one events file, which the MFA command appends to as
//! well, so that the file shows the order in which things happened. On the
//! 409 it "sends the SMS": it writes the code to a file, as a phone
//! gateway would, and nothing has the code before that.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::common::{bare, run};

const CODE: &str = "482913";
const SMS_HEADER: &str = "x-mfa-sms-access-authorization";

struct Phone {
    events: PathBuf,
    inbox: PathBuf,
}

impl Phone {
    fn note(&self, event: &str) {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.events)
            .unwrap();
        writeln!(file, "{event}").unwrap();
    }
}

async fn token() -> Response {
    axum::Json(json!({
        "access_token": "mfa-order-token",
        "refresh_token": "mfa-order-refresh",
        "token_type": "bearer",
        "expires_in": 1800,
    }))
    .into_response()
}

async fn payment() -> Response {
    axum::Json(json!({
        "id": 42, "amount": 1000, "state": "Authorized",
        "date": "2025-03-01T10:00:00+01:00", "refundOperations": [],
    }))
    .into_response()
}

async fn refund(State(phone): State<Arc<Phone>>, headers: HeaderMap) -> Response {
    match headers.get(SMS_HEADER).and_then(|v| v.to_str().ok()) {
        None => {
            phone.note("refund sent without a code");
            // HelloAsso texts the code now, and only now.
            std::fs::write(&phone.inbox, format!("{CODE}\n")).unwrap();
            phone.note("409: a code was sent by SMS");
            (
                StatusCode::CONFLICT,
                axum::Json(json!({ "errors": [{
                    "code": "AuthorizationErrors.MFA.AccessOtpSmsRequired",
                    "message": "An SMS code is required."
                }]})),
            )
                .into_response()
        }
        Some(CODE) => {
            phone.note("refund sent with the code");
            axum::Json(json!({
                "id": 9001, "amount": 1000, "state": "Processed", "paymentId": 42,
            }))
            .into_response()
        }
        Some(_) => {
            phone.note("refund sent with a wrong code");
            StatusCode::CONFLICT.into_response()
        }
    }
}

/// The test's HelloAsso, on loopback, until dropped.
struct Api {
    base_url: String,
    phone: Arc<Phone>,
    dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

impl Api {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let phone = Arc::new(Phone {
            events: dir.path().join("events"),
            inbox: dir.path().join("sms"),
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let app = Router::new()
            .route("/oauth2/token", post(token))
            .route("/v5/payments/{id}", get(payment))
            .route("/v5/payments/{id}/refund", post(refund))
            .with_state(phone.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await });
        Self {
            base_url,
            phone,
            dir,
            _runtime: runtime,
        }
    }

    fn refund(&self, mfa: &[&str]) -> std::process::Command {
        let mut cmd = bare(self.dir.path());
        cmd.env("HELLOASSO_ENVIRONMENT", &self.base_url)
            .env("HELLOASSO_CLIENT_ID", "mfa-order-client")
            .env("HELLOASSO_CLIENT_SECRET", "mfa-order-secret")
            .env("HELLOASSO_ORGANIZATION", "mfa-order-org")
            .env("HELLOASSO_TOKEN_FILE", self.dir.path().join("tokens.json"))
            .args(["-vv", "payments", "refund", "42", "--yes"])
            .args(mfa);
        cmd
    }

    fn events(&self) -> Vec<String> {
        std::fs::read_to_string(&self.phone.events)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn inbox(&self) -> &Path {
        &self.phone.inbox
    }
}

#[test]
fn the_mfa_command_runs_only_after_the_challenge() {
    let api = Api::start();
    // The command notes when it runs and prints the SMS received so far;
    // run too early, it finds no SMS and fails.
    let command = format!(
        "echo \"command ran ($HELLOASSO_MFA_PROOF, attempt $HELLOASSO_MFA_ATTEMPT)\" >> '{}'; cat '{}'",
        api.phone.events.display(),
        api.inbox().display()
    );
    let r = run(&mut api.refund(&["--mfa-command", &command]));
    r.ok();
    assert_eq!(
        api.events(),
        [
            "refund sent without a code",
            "409: a code was sent by SMS",
            "command ran (sms, attempt 1)",
            "refund sent with the code",
        ]
    );
    // The code is in no output, logs (-vv) included.
    assert!(!r.stdout.contains(CODE), "{}", r.stdout);
    assert!(!r.stderr.contains(CODE), "{}", r.stderr);
}

#[test]
fn the_mfa_code_file_is_read_only_after_the_challenge() {
    let api = Api::start();
    // The file does not exist yet: HelloAsso's SMS writes it.
    let r = run(api.refund(&["--mfa-code-file"]).arg(api.inbox()));
    r.ok();
    assert_eq!(
        api.events(),
        [
            "refund sent without a code",
            "409: a code was sent by SMS",
            "refund sent with the code",
        ]
    );
    assert!(!r.stderr.contains(CODE), "{}", r.stderr);
}

#[test]
fn a_failing_mfa_command_gives_up_and_says_so() {
    let api = Api::start();
    let r = run(&mut api.refund(&["--mfa-command", "echo 111111; exit 3"]));
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains("--mfa-command failed"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing was refunded"), "{}", r.stderr);
    assert!(!r.stderr.contains("111111"), "{}", r.stderr);
    assert_eq!(
        api.events(),
        ["refund sent without a code", "409: a code was sent by SMS"]
    );
}

//! A fake HelloAsso per test, and the `helloasso` binary pointed at it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use helloasso_fake::{FakeConfig, FakeServer, MfaMode};

pub const MFA_CODE: &str = "654321";
pub const BIN: &str = env!("CARGO_BIN_EXE_helloasso");

/// A running fake (on its own runtime, so that the test thread can block on
/// the CLI process) and a scratch directory for token files and exports.
pub struct Fake {
    pub server: FakeServer,
    pub dir: tempfile::TempDir,
    // Declared last: dropped after the server handle.
    _runtime: tokio::runtime::Runtime,
}

impl Fake {
    /// A small seeded dataset; refunds demand an SMS code ([`MFA_CODE`]).
    pub fn start() -> Self {
        Self::with(
            FakeConfig::default()
                .seed(7)
                .payments(300)
                .mfa(MfaMode::Sms, MFA_CODE),
        )
    }

    pub fn with(config: FakeConfig) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let server = runtime
            .block_on(helloasso_fake::start(config))
            .expect("fake starts");
        Self {
            server,
            dir: tempfile::tempdir().expect("temp dir"),
            _runtime: runtime,
        }
    }

    pub fn token_file(&self) -> PathBuf {
        self.dir.path().join("tokens.json")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `helloasso` configured for this fake through the environment, as a
    /// user would; nothing inherited from the caller's environment.
    pub fn cli(&self) -> Command {
        let mut cmd = bare(self.dir.path());
        cmd.env("HELLOASSO_ENVIRONMENT", self.server.base_url())
            .env("HELLOASSO_CLIENT_ID", self.server.client_id())
            .env("HELLOASSO_CLIENT_SECRET", self.server.client_secret())
            .env("HELLOASSO_ORGANIZATION", self.server.organization_slug())
            .env("HELLOASSO_TOKEN_FILE", self.token_file());
        cmd
    }

    /// The first (newest) payment id in `state`.
    pub fn payment_in(&self, state: helloasso_fake::PaymentState) -> i64 {
        *self
            .server
            .payment_ids(Some(state), 1)
            .first()
            .expect("a payment in that state")
    }
}

/// `helloasso` with a clean environment: no HELLOASSO_* variable, a config
/// directory inside `home` (never the user's).
pub fn bare(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("HELLOASSO_") {
            cmd.env_remove(key);
        }
    }
    // Never the keyring of the machine running the tests.
    cmd.env("HELLOASSO_KEYRING", "off")
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("HOME", home)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null());
    cmd
}

/// What a run printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn ok(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Failed with `code` and exactly one `error:` line on stderr.
    #[track_caller]
    pub fn fails(&self, code: i32, contains: &str) -> &Self {
        assert_eq!(
            self.code, code,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line expected, got:\n{}", self.stderr);
        assert!(lines[0].starts_with("error: "), "{}", self.stderr);
        assert!(
            self.stderr.contains(contains),
            "`{contains}` not in:\n{}",
            self.stderr
        );
        assert!(!self.stderr.contains("backtrace"), "{}", self.stderr);
        self
    }
}

pub fn run(cmd: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("the binary runs");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Runs `cmd` with `args`.
pub fn run_args(mut cmd: Command, args: &[&str]) -> Run {
    run(cmd.args(args))
}

pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// A test that cannot run here: skipped on a developer's machine, a failure
/// under `CI=true`, where a skip would pass silently.
pub fn cannot_run(why: &str) {
    let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    assert!(
        !ci,
        "{why}, and CI=true: a test that cannot run must not pass"
    );
    eprintln!("skipped: {why}");
}

/// A port free on loopback a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `webhook listen --port PORT EXTRA…`, waited for (bounded) until its
/// port answers.
pub fn listen_webhook<S: AsRef<std::ffi::OsStr>>(
    fake: &Fake,
    port: u16,
    extra: impl IntoIterator<Item = S>,
) -> std::process::Child {
    let mut child = fake
        .cli()
        .args(["webhook", "listen", "--port", &port.to_string()])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return child;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("webhook listen never opened its port");
}

/// Kills a listener; what it printed.
pub fn stop_listener(mut child: std::process::Child) -> String {
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A mocked HelloAsso that grants every token request (a fixed pair);
/// each test mocks the routes it reads.
pub fn mock_helloasso() -> httpmock::MockServer {
    let server = httpmock::MockServer::start();
    server.mock(|when, then| {
        when.method(httpmock::Method::POST).path("/oauth2/token");
        then.status(200).json_body(serde_json::json!({
            "access_token": "t", "refresh_token": "r", "token_type": "bearer", "expires_in": 1800,
        }));
    });
    server
}

/// Runs `cmd` in the background; once `sent` has been called (within 30 s),
/// `meanwhile` changes what the server answers; then the run's result.
pub fn run_while(mut cmd: Command, sent: &httpmock::Mock<'_>, meanwhile: impl FnOnce()) -> Run {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().expect("start helloasso");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while sent.calls() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the request never came"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    meanwhile();
    let out = child.wait_with_output().expect("helloasso ends");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

//! The client secret in a real OS keyring: a private session bus and
//! GNOME Keyring's Secret Service, started by the test as a Linux desktop
//! session starts them. Where they are missing the test is skipped, except
//! under CI=true, where it fails (`.ci/run` installs them).

#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::common::{Fake, bare, run};

/// A session bus and an unlocked keyring on it, for one test; both are
/// stopped when dropped.
struct SessionKeyring {
    address: String,
    bus: Child,
    keyring: Option<Child>,
}

impl Drop for SessionKeyring {
    fn drop(&mut self) {
        self.stop_keyring();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

impl SessionKeyring {
    /// An error saying why, where this machine has no session bus or no
    /// GNOME Keyring.
    fn start(home: &Path) -> Result<Self, String> {
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("dbus-daemon: {e}"))?;
        let address = first_line(bus.stdout.take().expect("piped"), "dbus-daemon")?;
        let mut this = Self {
            address,
            bus,
            keyring: None,
        };
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &this.address)
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_RUNTIME_DIR", home)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("gnome-keyring-daemon: {e}"))?;
        // --unlock reads the login keyring's password up to end of input:
        // the keyring is created and left unlocked, so nothing prompts.
        let mut stdin = keyring.stdin.take().expect("piped");
        this.keyring = Some(keyring);
        stdin
            .write_all(b"a test keyring's password")
            .map_err(|e| format!("gnome-keyring-daemon: {e}"))?;
        drop(stdin);
        this.wait_for_secret_service()?;
        Ok(this)
    }

    /// Polls the bus (ten seconds at most) until the Secret Service's name
    /// has an owner. Asking the name itself would start another keyring
    /// through the bus's activation files, one that is locked.
    fn wait_for_secret_service(&self) -> Result<(), String> {
        for _ in 0..100 {
            let asked = Command::new("dbus-send")
                .arg(format!("--bus={}", self.address))
                .args([
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .output()
                .map_err(|e| format!("dbus-send: {e}"))?;
            if String::from_utf8_lossy(&asked.stdout).contains("boolean true") {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err("gnome-keyring-daemon did not start within 10 s".to_owned())
    }

    fn stop_keyring(&mut self) {
        if let Some(mut keyring) = self.keyring.take() {
            let _ = keyring.kill();
            let _ = keyring.wait();
        }
    }

    /// `cmd`, talking to this session's keyring instead of none.
    fn reach<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        cmd.env_remove("HELLOASSO_KEYRING")
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
    }
}

/// The first line `from` prints, within ten seconds.
fn first_line(from: impl Read + Send + 'static, what: &str) -> Result<String, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(from);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = tx.send(line);
        // Keep draining so the child never blocks on a full pipe.
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(line) if !line.trim().is_empty() => Ok(line.trim().to_owned()),
        Ok(_) => Err(format!("{what} ended without starting")),
        Err(_) => Err(format!("{what} did not start within 10 s")),
    }
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

#[test]
fn login_files_the_secret_in_the_os_keyring_and_later_commands_read_it() {
    let fake = Fake::start();
    let home = fake.dir.path();
    let mut session = match SessionKeyring::start(home) {
        Ok(session) => session,
        Err(why) => {
            assert!(
                !ci(),
                "no Secret Service to test against ({why}), and CI=true: a test that cannot run must not pass"
            );
            eprintln!("skipped: no Secret Service to test against ({why})");
            return;
        }
    };
    let secret_file = fake.path("default.secret");
    std::fs::write(&secret_file, format!("{}\n", fake.server.client_secret())).unwrap();
    let mut login = bare(home);
    login
        .env("HELLOASSO_ENVIRONMENT", fake.server.base_url())
        .env("HELLOASSO_TOKEN_FILE", fake.token_file())
        .args(["--org", fake.server.organization_slug()])
        .args(["--client-id", fake.server.client_id()])
        .arg("--client-secret-file")
        .arg(&secret_file)
        .args(["auth", "login"]);
    let r = run(session.reach(&mut login));
    r.ok();
    assert!(
        r.stdout.contains("the client secret is in the OS keyring"),
        "{}",
        r.stdout
    );
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);

    // The profile file holds no secret, only where it went.
    let file = home.join("config/helloasso/profiles/default.json");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(fake.server.client_secret()), "{text}");
    let saved: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(saved["secretInKeyring"], true, "{saved}");

    // A later command with nothing but the profile takes the secret from
    // the keyring: a fresh token file forces a new client-credentials
    // grant, which the fake refuses without the right secret.
    std::fs::remove_file(fake.token_file()).ok();
    let mut check = bare(home);
    check.env("HELLOASSO_TOKEN_FILE", fake.path("fresh-tokens.json"));
    run(session.reach(check.args(["auth", "check"]))).ok();

    // With the keyring gone, the same command says where the secret is.
    session.stop_keyring();
    let mut check = bare(home);
    check.env("HELLOASSO_TOKEN_FILE", fake.path("other-tokens.json"));
    run(session.reach(check.args(["auth", "check"]))).fails(
        3,
        "keeps its client secret in the OS keyring, which cannot give it",
    );
}

#[test]
fn with_no_keyring_answering_login_keeps_the_file_and_warns() {
    let fake = Fake::start();
    let home = fake.dir.path();
    let secret_file = fake.path("default.secret");
    std::fs::write(&secret_file, format!("{}\n", fake.server.client_secret())).unwrap();
    // A build with keyring support, on a machine whose session bus is not
    // there: a server, a container, a CI runner.
    let mut login = bare(home);
    login
        .env_remove("HELLOASSO_KEYRING")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", home.join("no-bus").display()),
        )
        .env("HELLOASSO_ENVIRONMENT", fake.server.base_url())
        .env("HELLOASSO_TOKEN_FILE", fake.token_file())
        .args(["--org", fake.server.organization_slug()])
        .args(["--client-id", fake.server.client_id()])
        .arg("--client-secret-file")
        .arg(&secret_file)
        .args(["auth", "login"]);
    let r = run(&mut login);
    r.ok();
    assert!(
        r.stderr
            .contains("warning: the client secret is kept in the profile file")
            && r.stderr.contains("the OS keyring cannot be used"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains(fake.server.client_secret()),
        "{}",
        r.stderr
    );
    let file = home.join("config/helloasso/profiles/default.json");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["clientSecret"], fake.server.client_secret());
}

//! The binary on a real terminal: the refund's questions (confirmation,
//! then the MFA code read without echo), the login prompt, a progress bar
//! and a summary table. util-linux `script` gives the binary a
//! pseudo-terminal; the test answers each prompt once it appears (no sleeps).
//! Skipped where `script` is missing, except under `CI=true`, where a test
//! that cannot run fails (`.ci/run` installs `script`).

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use helloasso_fake::PaymentState;

use crate::common::{Fake, MFA_CODE};

fn script_available() -> bool {
    // Also proves a pseudo-terminal can be opened here (containers may lack /dev/pts).
    Command::new("script")
        .args(["-qec", "true", "/dev/null"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Under CI a skipped test would pass silently: there, it fails instead.
fn skip_is_failure() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// `helloasso ARGS` on a pseudo-terminal, its screen collected as it comes.
struct Terminal {
    child: Child,
    screen: Arc<Mutex<String>>,
}

impl Terminal {
    fn spawn(fake: &Fake, args: &str) -> Self {
        Self::spawn_as(&fake.cli(), args)
    }

    /// `args` run with the environment `prepared` holds.
    fn spawn_as(prepared: &Command, args: &str) -> Self {
        let command = format!("{} {args}", crate::common::BIN);
        let mut script = Command::new("script");
        script.args(["-qefc", &command, "/dev/null"]);
        // The environment the caller prepared, passed through `script`.
        for (key, value) in prepared.get_envs() {
            match value {
                Some(value) => script.env(key, value),
                None => script.env_remove(key),
            };
        }
        let mut child = script
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("script runs");
        let screen = Arc::new(Mutex::new(String::new()));
        let mut stdout = child.stdout.take().expect("stdout");
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                sink.lock().unwrap().push_str(&text);
            }
        });
        Self { child, screen }
    }

    fn screen(&self) -> String {
        self.screen.lock().unwrap().clone()
    }

    /// Waits (bounded) until `text` is on screen.
    #[track_caller]
    fn expect(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("`{text}` never appeared; screen:\n{}", self.screen());
    }

    fn type_line(&mut self, line: &str) {
        let stdin = self.child.stdin.as_mut().expect("stdin");
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    fn finish(mut self) -> (i32, String) {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("still running; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // Let the reader drain what is left.
        std::thread::sleep(Duration::from_millis(100));
        (status.code().unwrap_or(-1), self.screen())
    }
}

/// Whether a pseudo-terminal can be had; where not, the test is skipped
/// (or fails under CI).
fn terminal_available() -> bool {
    if !script_available() {
        let why = "util-linux `script` or a pseudo-terminal is not available";
        if skip_is_failure() {
            panic!("{why}, and CI=true: a test that cannot run must not pass");
        }
        eprintln!("skipped: {why}");
        return false;
    }
    true
}

/// A fake and `payments refund ID` on a terminal, at its confirmation
/// prompt; `None` (the test is skipped) where no terminal can be had.
fn refund_at_the_prompt() -> Option<(Fake, i64, Terminal)> {
    if !terminal_available() {
        return None;
    }
    let fake = Fake::start();
    let id = fake.payment_in(PaymentState::Authorized);
    let term = Terminal::spawn(&fake, &format!("payments refund {id}"));
    term.expect("[y/N]");
    Some((fake, id, term))
}

#[test]
fn refund_asks_for_confirmation_and_the_code_without_echo() {
    let Some((fake, id, mut term)) = refund_at_the_prompt() else {
        return;
    };
    term.type_line("y");
    term.expect("attempt 1 of 3");
    term.type_line("999999");
    term.expect("HelloAsso refused that code");
    term.type_line(MFA_CODE);
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains(&format!("of payment {id}")), "{screen}");
    assert!(!screen.contains(MFA_CODE), "the code was echoed:\n{screen}");
    assert!(!screen.contains("999999"), "the code was echoed:\n{screen}");
    assert_eq!(fake.server.counters().refunds_executed, 1);
}

#[test]
fn refund_declined_at_the_prompt_sends_nothing() {
    let Some((fake, _, mut term)) = refund_at_the_prompt() else {
        return;
    };
    term.type_line("n");
    let (code, screen) = term.finish();
    assert_eq!(code, 1, "{screen}");
    assert!(screen.contains("nothing was refunded"), "{screen}");
    assert_eq!(fake.server.counters().requests.refund_payment, 0);
}

/// A fake and `orders cancel ID` on a terminal, at its confirmation prompt,
/// for an order with instalments still to collect.
fn cancel_at_the_prompt() -> Option<(Fake, Terminal)> {
    if !terminal_available() {
        return None;
    }
    let fake = Fake::start();
    let listing =
        crate::common::run_args(fake.cli(), &["orders", "list", "--all", "--format", "json"]);
    let orders: Vec<serde_json::Value> = serde_json::from_str(&listing.stdout).unwrap();
    let id = orders
        .iter()
        .find(|o| {
            o["payments"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["state"] == "Pending"))
        })
        .and_then(|o| o["id"].as_i64())
        .expect("an order paid in instalments");
    let term = Terminal::spawn(&fake, &format!("orders cancel {id}"));
    term.expect("[y/N]");
    Some((fake, term))
}

#[test]
fn order_cancel_asks_then_sends_once() {
    let Some((fake, mut term)) = cancel_at_the_prompt() else {
        return;
    };
    term.type_line("y");
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("Nothing already paid is refunded"),
        "{screen}"
    );
    assert_eq!(fake.server.counters().requests.cancel_order, 1);
    assert_eq!(fake.server.counters().orders_canceled, 1);
}

#[test]
fn order_cancel_declined_at_the_prompt_sends_nothing() {
    let Some((fake, mut term)) = cancel_at_the_prompt() else {
        return;
    };
    term.type_line("n");
    let (code, screen) = term.finish();
    assert_eq!(code, 1, "{screen}");
    assert!(screen.contains("nothing was sent"), "{screen}");
    assert_eq!(fake.server.counters().requests.cancel_order, 0);
}

#[test]
fn login_asks_for_the_id_then_the_secret_without_echo() {
    if !terminal_available() {
        return;
    }
    let fake = Fake::start();
    let mut env = crate::common::bare(fake.dir.path());
    env.env("HELLOASSO_ENVIRONMENT", fake.server.base_url());
    let mut term = Terminal::spawn_as(&env, "auth login");
    term.expect("HelloAsso client id: ");
    term.type_line(fake.server.client_id());
    term.expect("Client secret (not shown): ");
    term.type_line(fake.server.client_secret());
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("logged in"), "{screen}");
    assert!(
        !screen.contains(fake.server.client_secret()),
        "the secret was echoed:\n{screen}"
    );
    let saved = fake
        .dir
        .path()
        .join("config/helloasso/profiles/default.json");
    let profile: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap();
    assert_eq!(profile["clientSecret"], fake.server.client_secret());
}

#[test]
fn a_long_listing_shows_a_progress_bar_then_a_table() {
    use helloasso_fake::{FakeConfig, FaultConfig};
    if !terminal_available() {
        return;
    }
    // Slow pages, so that the bar is drawn at least once.
    let fake = Fake::with(
        FakeConfig::default()
            .seed(7)
            .payments(300)
            .faults(FaultConfig::none().latency(150)),
    );
    let total = fake.server.payment_ids(None, usize::MAX).len();
    let term = Terminal::spawn(&fake, "payments list --all --page-size 20");
    term.expect(&format!("/{total}"));
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("payments ["), "{screen}");
    // On a terminal the default is the table.
    assert!(screen.contains("AMOUNT (EUR)  REFUNDED (EUR)"), "{screen}");
}

/// A workbook's compressed bytes hold no lines to count: its export shows
/// a spinner counting bytes, not records. The workbook comes slowly, in
/// chunks (a slow line), so that the spinner is drawn while bytes arrive:
/// a counter stuck at zero would still draw `0 B`, so some drawing must
/// show bytes written, never more than the file holds.
#[test]
fn a_workbook_export_counts_bytes() {
    if !terminal_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (base_url, server) = slow_workbook_server(WORKBOOK_CHUNKS, WORKBOOK_CHUNK);
    let mut cli = crate::common::bare(dir.path());
    cli.env("HELLOASSO_ENVIRONMENT", &base_url)
        .env("HELLOASSO_CLIENT_ID", "slow-client")
        .env("HELLOASSO_CLIENT_SECRET", "slow-secret")
        .env("HELLOASSO_ORGANIZATION", "slow-org")
        .env("HELLOASSO_TOKEN_FILE", dir.path().join("tokens.json"));
    let out = dir.path().join("payments.xlsx");
    let term = Terminal::spawn_as(&cli, &format!("payments export --out {}", out.display()));
    term.expect("exporting ");
    let (code, screen) = term.finish();
    server.join().unwrap();
    assert_eq!(code, 0, "{screen}");
    let size = std::fs::metadata(&out).unwrap().len();
    assert_eq!(size, (WORKBOOK_CHUNKS * WORKBOOK_CHUNK) as u64);
    let drawn: Vec<&str> = screen
        .split(['\r', '\n'])
        .filter_map(|l| l.split("exporting ").nth(1))
        .collect();
    assert!(
        !drawn.is_empty() && drawn.iter().all(|d| d.trim_end().ends_with('B')),
        "{screen}"
    );
    let counts: Vec<u64> = drawn.iter().filter_map(|d| bytes_drawn(d)).collect();
    assert!(
        counts.iter().any(|&n| n > 0) && counts.iter().all(|&n| n <= size + size / 100),
        "{counts:?} of {size} bytes\n{screen}"
    );
}

const WORKBOOK_CHUNKS: usize = 8;
const WORKBOOK_CHUNK: usize = 4096;

/// A HelloAsso on loopback for one export: a token, then a workbook of
/// `chunks` chunks sent 150 ms apart, each on a connection of its own. It
/// serves those two connections, or stops waiting after 30 seconds.
fn slow_workbook_server(chunks: usize, chunk: usize) -> (String, std::thread::JoinHandle<()>) {
    use std::io::BufRead;
    use std::net::TcpListener;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let thread = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut served = 0;
        while served < 2 && Instant::now() < deadline {
            let mut stream = match listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
                Err(e) => panic!("{e}"),
            };
            served += 1;
            stream.set_nonblocking(false).unwrap();
            let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            // The headers, then the body they announce: all read, so that
            // closing the connection does not reset it.
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap();
                }
            }
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body).unwrap();
            if request_line.starts_with("POST /oauth2/token") {
                let token = r#"{"access_token":"t","refresh_token":"r","token_type":"bearer","expires_in":1800}"#;
                write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{token}",
                    token.len()
                )
                .unwrap();
                continue;
            }
            assert!(
                request_line.starts_with("GET /v5/organizations/slow-org/payments"),
                "{request_line}"
            );
            write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                chunks * chunk
            )
            .unwrap();
            for _ in 0..chunks {
                stream.write_all(&vec![b'x'; chunk]).unwrap();
                stream.flush().unwrap();
                std::thread::sleep(Duration::from_millis(150));
            }
        }
    });
    (base_url, thread)
}

/// The byte count a spinner drew (`12.50 KiB`, `300 B`), roughly.
fn bytes_drawn(text: &str) -> Option<u64> {
    let mut words = text.split_whitespace();
    let number: f64 = words.next()?.parse().ok()?;
    let unit: String = words
        .next()?
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    let unit = match unit.as_str() {
        "B" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        _ => return None,
    };
    Some((number * unit) as u64)
}

#[test]
fn a_summary_on_a_terminal_is_an_aligned_table() {
    if !terminal_available() {
        return;
    }
    let fake = Fake::start();
    let term = Terminal::spawn(&fake, "payments summary --by state --no-progress");
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    let lines: Vec<&str> = screen.lines().map(|l| l.trim_end_matches('\r')).collect();
    let header = lines
        .iter()
        .find(|l| l.starts_with("GROUP"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        header.contains("GROSS (EUR)") && header.contains("NET (EUR)"),
        "{header}"
    );
    let total = lines
        .iter()
        .find(|l| l.starts_with("TOTAL"))
        .unwrap_or_else(|| panic!("{screen}"));
    // Right-aligned numbers: the totals row ends where the header ends.
    assert_eq!(total.len(), header.len(), "{header}\n{total}");
}

#[test]
fn no_color_keeps_logs_plain_on_a_terminal() {
    if !terminal_available() {
        return;
    }
    let fake = Fake::start();
    let id = fake.payment_in(PaymentState::Authorized);
    let mut plain = fake.cli();
    plain.env("NO_COLOR", "1");
    let (code, screen) = Terminal::spawn_as(&plain, &format!("-v payments get {id}")).finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("HelloAsso answered"), "{screen}");
    assert!(
        !screen.contains('\u{1b}'),
        "colours despite NO_COLOR:\n{screen:?}"
    );
    // The same run without NO_COLOR does colour its logs on a terminal.
    let (_, coloured) = Terminal::spawn(&fake, &format!("-v payments get {id}")).finish();
    assert!(coloured.contains('\u{1b}'), "{coloured:?}");
}

#[test]
fn auth_status_on_a_terminal_names_the_organizations() {
    if !terminal_available() {
        return;
    }
    let fake = Fake::start();
    let mut env = fake.cli();
    env.env_remove("HELLOASSO_ORGANIZATION");
    let term = Terminal::spawn_as(&env, "auth status");
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    for expected in [
        "environment",
        "fake…t-id",
        "token_expires_at",
        "demo-association (",
        "OrganizationAdmin",
        "(none given)",
    ] {
        assert!(screen.contains(expected), "`{expected}` not in:\n{screen}");
    }
    assert!(!screen.contains(fake.server.client_secret()), "{screen}");
}

#[test]
fn read_only_refund_on_a_terminal_asks_nothing() {
    if !terminal_available() {
        return;
    }
    let fake = Fake::start();
    let id = fake.payment_in(PaymentState::Authorized);
    let term = Terminal::spawn(&fake, &format!("--read-only payments refund {id}"));
    let (code, screen) = term.finish();
    assert_eq!(code, 2, "{screen}");
    assert!(!screen.contains("[y/N]"), "{screen}");
    assert!(screen.contains("read-only mode"), "{screen}");
    assert_eq!(fake.server.counters().requests.refund_payment, 0);
}

/// A payer's name quoted by the refund's question cannot rewrite it: its
/// escape sequences are shown, not run.
#[test]
fn a_payer_name_cannot_rewrite_the_refund_question() {
    if !terminal_available() {
        return;
    }
    let server = httpmock::MockServer::start();
    server.mock(|when, then| {
        when.method(httpmock::Method::POST).path("/oauth2/token");
        then.status(200).json_body(serde_json::json!({
            "access_token": "t", "refresh_token": "r", "token_type": "bearer", "expires_in": 1800,
        }));
    });
    server.mock(|when, then| {
        when.method(httpmock::Method::GET).path("/v5/payments/42");
        then.status(200).json_body(serde_json::json!({
            "id": 42, "amount": 1000, "state": "Authorized",
            "payer": { "firstName": "\u{1b}]0;HACKED\u{7}\u{1b}[2K\rRefund 0.01 EUR to", "lastName": "Zoé" },
        }));
    });
    let refund = server.mock(|when, then| {
        when.method(httpmock::Method::POST)
            .path("/v5/payments/42/refund");
        then.status(500);
    });
    let home = tempfile::tempdir().unwrap();
    let mut cmd = crate::common::bare(home.path());
    cmd.env("HELLOASSO_ENVIRONMENT", server.base_url())
        .env("HELLOASSO_CLIENT_ID", "c")
        .env("HELLOASSO_CLIENT_SECRET", "s")
        .env("HELLOASSO_ORGANIZATION", "mock-org")
        .env("HELLOASSO_TOKEN_FILE", home.path().join("tokens.json"));
    let mut term = Terminal::spawn_as(&cmd, "payments refund 42");
    term.expect("[y/N]");
    term.type_line("n");
    let (code, screen) = term.finish();
    assert_eq!(code, 1, "{screen}");
    assert!(!screen.contains("\u{1b}]0;HACKED"), "{screen:?}");
    assert!(!screen.contains("\u{1b}[2K"), "{screen:?}");
    assert!(screen.contains("\\u{1b}]0;HACKED"), "{screen:?}");
    assert_eq!(refund.calls(), 0);
}

#[test]
fn giving_up_at_the_code_prompt_says_so() {
    let Some((fake, _, mut term)) = refund_at_the_prompt() else {
        return;
    };
    term.type_line("y");
    term.expect("attempt 1 of 3");
    term.type_line("");
    let (code, screen) = term.finish();
    assert_eq!(code, 5, "{screen}");
    assert!(screen.contains("given up"), "{screen}");
    assert!(screen.contains("nothing was refunded"), "{screen}");
    // Not the advice meant for scripts: this one was on a terminal.
    assert!(!screen.contains("run on a terminal"), "{screen}");
    assert_eq!(fake.server.counters().refunds_executed, 0);
}

//! Plain http is allowed on loopback only, where nothing but this machine
//! sees it; a proxy named by HTTP_PROXY and the like would receive the
//! client secret in clear text. A listener posing as that proxy must
//! receive nothing.

use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{Fake, run};

/// A proxy that records what reaches it, then hangs up; until dropped.
struct Proxy {
    url: String,
    received: Arc<Mutex<Vec<u8>>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (sink, stopped) = (received.clone(), stop.clone());
        std::thread::spawn(move || {
            // Bounded: a minute at most, whatever the test does.
            let deadline = Instant::now() + Duration::from_secs(60);
            while !stopped.load(Ordering::SeqCst) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((mut conn, _)) => {
                        conn.set_nonblocking(false).unwrap();
                        conn.set_read_timeout(Some(Duration::from_millis(500)))
                            .unwrap();
                        let mut buf = [0u8; 4096];
                        let n = conn.read(&mut buf).unwrap_or(0);
                        let mut sink = sink.lock().unwrap();
                        sink.extend_from_slice(b"<connection>");
                        sink.extend_from_slice(&buf[..n]);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Self {
            url,
            received,
            stop,
        }
    }

    fn received(&self) -> String {
        String::from_utf8_lossy(&self.received.lock().unwrap()).into_owned()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

#[test]
fn a_plain_http_environment_never_goes_through_a_proxy() {
    let fake = Fake::start();
    let proxy = Proxy::start();
    let mut cmd = fake.cli();
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env(name, &proxy.url);
    }
    cmd.env_remove("NO_PROXY").env_remove("no_proxy");
    let r = run(cmd.args(["auth", "status"]));
    r.ok();
    assert_eq!(proxy.received(), "", "the proxy was used");
    // Where requests go is shown: straight to the fake.
    assert!(r.stdout.contains("none (direct)"), "{}", r.stdout);
}

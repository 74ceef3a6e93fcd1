//! A helloasso-fake process for one group of measurements.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// The unit of `/proc/<pid>/stat` times, fixed by the kernel ABI.
const USER_HZ: f64 = 100.0;

/// How many payments to seed so that the main organization's listing holds
/// at least `listing` of them: the fake spreads about 90% of its payments
/// over the main organization, the rest over a second one.
pub(crate) fn seeded(listing: usize) -> String {
    (listing * 10 / 9 + 200).to_string()
}

/// A running fake; killed on drop.
pub struct Fake {
    child: Child,
    pub url: String,
    pub client_id: String,
    pub client_secret: String,
    pub org: String,
}

impl Fake {
    /// Starts the fake with extra flags (an empty value: a switch) and
    /// waits for its banner.
    pub fn start(root: &Path, flags: &[(&str, String)]) -> Result<Self> {
        let mut command =
            Command::new(crate::target_dir::get(root)?.join("release/helloasso-fake"));
        command.args(["--port", "0", "--seed", "7"]);
        for (flag, value) in flags {
            command.arg(flag);
            if !value.is_empty() {
                command.arg(value);
            }
        }
        let mut child = command
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting helloasso-fake")?;
        let stdout = child.stdout.take().context("fake stdout")?;
        let mut fake = Self {
            child,
            url: String::new(),
            client_id: String::new(),
            client_secret: String::new(),
            org: String::new(),
        };
        // The banner ends with the admin line; reading stops there (bounded).
        for line in BufReader::new(stdout).lines().take(20) {
            let line = line?;
            let value = |prefix: &str| {
                line.trim()
                    .strip_prefix(prefix)
                    .map(|v| v.trim().to_string())
            };
            if let Some(url) = value("helloasso-fake listening on") {
                fake.url = url;
            } else if let Some(v) = value("client_id:") {
                fake.client_id = v;
            } else if let Some(v) = value("client_secret:") {
                fake.client_secret = v;
            } else if let Some(v) = value("organization:") {
                fake.org = v;
            } else if line.trim().starts_with("admin:") {
                break;
            }
        }
        if fake.url.is_empty() || fake.client_secret.is_empty() || fake.org.is_empty() {
            bail!("helloasso-fake did not print its banner");
        }
        Ok(fake)
    }

    /// Runs one bench-client scenario against this fake; returns its JSON line.
    pub fn client(&self, root: &Path, scenario: &str, extra: &[(&str, &str)]) -> Result<Value> {
        let mut command = Command::new(crate::target_dir::get(root)?.join("release/bench-client"));
        command.args([
            scenario,
            "--url",
            &self.url,
            "--client-id",
            &self.client_id,
            "--client-secret",
            &self.client_secret,
            "--org",
            &self.org,
        ]);
        for (flag, value) in extra {
            command.args([flag, value]);
        }
        let output = command.output().context("running bench-client")?;
        if !output.status.success() {
            bail!(
                "bench-client {scenario} failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let text = String::from_utf8(output.stdout)?;
        serde_json::from_str(text.trim()).with_context(|| format!("bench-client printed {text:?}"))
    }

    /// How many payments the main organization's listing holds.
    pub fn listing_size(&self) -> Result<u64> {
        let root = crate::codegen::root();
        let line = self.client(&root, "count", &[])?;
        line["total"]
            .as_u64()
            .with_context(|| format!("no total in {line}"))
    }

    /// The fake's counters, read by the bench client (no curl needed).
    pub fn counters(&self) -> Result<Value> {
        self.client(&crate::codegen::root(), "counters", &[])
    }

    /// JSON listing pages the fake has answered so far.
    pub fn listing_pages(&self) -> Result<u64> {
        let counters = self.counters()?;
        counters["requests"]["list_organization_payments"]
            .as_u64()
            .with_context(|| format!("no listing count in {counters}"))
    }

    /// The fake process's resident memory now, in MiB, from
    /// `/proc/<pid>/status`.
    pub fn rss_mib(&self) -> Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .context("reading the fake's /proc status")?;
        let kib = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
            .context("no VmRSS in the fake's /proc status")?;
        Ok(kib / 1024.0)
    }

    /// CPU seconds (user + system) the fake process has used so far, from
    /// `/proc/<pid>/stat`.
    pub fn cpu_seconds(&self) -> Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))
            .context("reading the fake's /proc stat")?;
        // The command name (field 2) may hold spaces; fields count from after it.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let field = |n: usize| -> Result<f64> {
            rest.split_whitespace()
                .nth(n)
                .and_then(|v| v.parse::<f64>().ok())
                .context("unexpected /proc stat line")
        };
        // utime and stime are fields 14 and 15, in USER_HZ (100 on Linux).
        Ok((field(11)? + field(12)?) / USER_HZ)
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

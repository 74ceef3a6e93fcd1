//! The peer row: HelloAsso's official Python SDK over the same listing.

use std::process::Command;

use anyhow::Result;

use super::fake::Fake;

pub enum Outcome {
    /// Seconds the Python SDK took.
    Ran(f64),
    /// Why the row was skipped.
    Skipped(String),
}

const INSTALL: &str = "not installed: `pip install helloasso-python==1.0.8` (or set HELLOASSO_BENCH_PYTHON to a python that has it)";

pub fn run(fake: &Fake, limit: u64) -> Result<Outcome> {
    let python = std::env::var("HELLOASSO_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = Command::new(&python)
        .args(["-c", "import helloasso_python"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return Ok(Outcome::Skipped(INSTALL.into()));
    }
    let script = crate::codegen::root().join("xtask/bench/peer.py");
    let output = Command::new(&python)
        .arg(script)
        .args([
            &fake.url,
            &fake.client_id,
            &fake.client_secret,
            &fake.org,
            &limit.to_string(),
        ])
        .output()?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        let last = err.lines().last().unwrap_or("no output");
        return Ok(Outcome::Skipped(format!("helloasso-python failed: {last}")));
    }
    let line: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    Ok(match line["seconds"].as_f64() {
        Some(s) => Outcome::Ran(s),
        None => Outcome::Skipped(format!("unexpected output {line}")),
    })
}

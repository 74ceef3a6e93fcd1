//! The peer rows: HelloAsso's official Python SDK over the same listing.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;

use super::fake::Fake;
use super::report::Run;

/// The version the peer rows were measured with.
pub const VERSION: &str = "1.0.8";

/// How the Python SDK reads each page.
#[derive(Clone, Copy)]
pub enum Mode {
    /// Into the SDK's own page model, as its users get it.
    Typed,
    /// The undecoded answer through `json.loads`.
    Raw,
}

impl Mode {
    fn arg(self) -> &'static str {
        match self {
            Mode::Typed => "typed",
            Mode::Raw => "raw",
        }
    }
}

/// A Python that can import the SDK, or why there is none.
pub fn python(root: &Path) -> Result<PathBuf, String> {
    let venv_dir = match crate::target_dir::get(root) {
        Ok(target) => target.join("bench/peer-venv"),
        Err(e) => return Err(format!("{e:#}")),
    };
    let venv = venv_dir.join("bin/python");
    let python = match std::env::var_os("HELLOASSO_BENCH_PYTHON") {
        Some(p) => PathBuf::from(p),
        None if venv.exists() => venv,
        None => PathBuf::from("python3"),
    };
    let probe = Command::new(&python)
        .args(["-c", "import helloasso_python"])
        .output();
    if probe.is_ok_and(|o| o.status.success()) {
        Ok(python)
    } else {
        Err(format!(
            "not installed: `python3 -m venv {venv} && {venv}/bin/pip install helloasso-python=={VERSION}` \
             (or set HELLOASSO_BENCH_PYTHON to a python that has it)",
            venv = venv_dir.display()
        ))
    }
}

/// Lists `limit` payments once; the run's wall and CPU time, or why it failed.
pub fn run(python: &Path, fake: &Fake, mode: Mode, limit: u64) -> Result<Result<Run, String>> {
    let script = crate::codegen::root().join("xtask/bench/peer.py");
    let output = Command::new(python)
        .arg(script)
        .args([
            mode.arg(),
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
        return Ok(Err(format!("helloasso-python failed: {last}")));
    }
    let line: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    Ok(Run::from_line(&line).ok_or_else(|| format!("unexpected output {line}")))
}

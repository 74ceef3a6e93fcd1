//! Where cargo writes its build output, asked of cargo itself: a
//! `CARGO_TARGET_DIR`, a `build.target-dir` in a config file or a shared
//! target folder all move it away from `<workspace>/target`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};

/// The workspace's target directory, from `cargo metadata` (asked once).
pub fn get(root: &Path) -> Result<&'static Path> {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    if let Some(dir) = DIR.get() {
        return Ok(dir);
    }
    let dir = ask_cargo(root)?;
    Ok(DIR.get_or_init(|| dir))
}

fn ask_cargo(root: &Path) -> Result<PathBuf> {
    read_target_dir(metadata_command(root))
}

fn metadata_command(root: &Path) -> Command {
    let mut command = Command::new(env!("CARGO"));
    command
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--no-deps"]);
    command
}

fn read_target_dir(mut command: Command) -> Result<PathBuf> {
    let output = command.output().context("running cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("reading cargo metadata's answer")?;
    metadata["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .context("cargo metadata gave no target_directory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_cargo_target_dir() {
        let scratch = tempfile::tempdir().unwrap();
        let mut command = metadata_command(&crate::codegen::root());
        command.env("CARGO_TARGET_DIR", scratch.path());
        assert_eq!(read_target_dir(command).unwrap(), scratch.path());
    }
}

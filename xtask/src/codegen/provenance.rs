//! Where the normalized spec comes from: upstream commit and sha256.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// One upstream file that went into the normalized spec.
#[derive(Debug, Serialize)]
pub struct Source {
    pub repository: &'static str,
    pub path: &'static str,
    /// Commit of the upstream repository, when known.
    pub commit: Option<String>,
    pub sha256: String,
}

/// `openapi/provenance.json`.
#[derive(Debug, Serialize)]
pub struct Provenance {
    pub generator: &'static str,
    /// sha256 of the normalized spec this run wrote, so that a hand edit is
    /// caught even where HelloAsso's file is not at hand.
    pub spec_sha256: String,
    pub upstream: Source,
    pub search_from: Source,
}

impl Provenance {
    pub fn new(spec_text: &str, upstream: Source, search_from: Source) -> Self {
        Self {
            generator: "cargo xtask codegen",
            spec_sha256: sha256(spec_text.as_bytes()),
            upstream,
            search_from,
        }
    }
}

/// Reads and parses an upstream file, hashing its exact bytes. The commit is
/// the one given, else the one the README beside the file records for it.
pub fn read_source(path: &Path, commit: Option<&str>) -> Result<(Value, Source)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let value: Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    let commit = commit
        .map(str::to_string)
        .or_else(|| commit_from_readme(path));
    let source = Source {
        repository: "HelloAsso/helloasso-open-api",
        path: "helloasso.json",
        commit,
        sha256: sha256(&bytes),
    };
    Ok((value, source))
}

/// The shared folder's README has a table row per file, naming the file in
/// backticks and its commit as a run of hex digits.
fn commit_from_readme(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let readme = std::fs::read_to_string(path.parent()?.join("README.md")).ok()?;
    let row = readme
        .lines()
        .find(|l| l.starts_with('|') && l.contains(&format!("`{name}`")))?;
    row.split(|c: char| !c.is_ascii_hexdigit())
        .find(|word| word.len() >= 10)
        .map(str::to_string)
}

/// Lowercase hex sha256.
pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

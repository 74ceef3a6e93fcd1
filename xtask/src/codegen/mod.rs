//! `cargo xtask codegen`: HelloAsso's spec in, `openapi/helloasso.json` out.

mod normalize;
mod provenance;

#[path = "../../../build/generate.rs"]
mod generate;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use provenance::Provenance;

/// Where the normalized spec and its companions live, relative to the root.
pub const SPEC: &str = "openapi/helloasso.json";
pub const OVERLAY: &str = "openapi/overlay.json";
pub const PROVENANCE: &str = "openapi/provenance.json";

/// Command-line options of `cargo xtask codegen`.
#[derive(Debug, Default)]
pub struct Options {
    pub check: bool,
    pub upstream: Option<PathBuf>,
    pub search_from: Option<PathBuf>,
    pub upstream_commit: Option<String>,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Self> {
        let mut options = Self::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| {
                args.next()
                    .cloned()
                    .with_context(|| format!("{flag} needs a value"))
            };
            match arg.as_str() {
                "--check" => options.check = true,
                "--upstream" => options.upstream = Some(value("--upstream")?.into()),
                "--search-from" => options.search_from = Some(value("--search-from")?.into()),
                "--upstream-commit" => options.upstream_commit = Some(value("--upstream-commit")?),
                other => bail!("codegen: unknown argument `{other}`"),
            }
        }
        Ok(options)
    }
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent")
        .to_path_buf()
}

fn default_upstream(root: &Path, file: &str) -> Option<PathBuf> {
    let candidate = root.join("../shared/helloasso-upstream").join(file);
    candidate.is_file().then_some(candidate)
}

pub fn run(options: &Options) -> Result<()> {
    run_in(&root(), options)
}

/// `run` against another workspace root (the tests use a scratch copy).
pub fn run_in(root: &Path, options: &Options) -> Result<()> {
    let root = root.to_path_buf();
    let upstream = options
        .upstream
        .clone()
        .or_else(|| default_upstream(&root, "helloasso.json"));
    let search_from = options
        .search_from
        .clone()
        .or_else(|| default_upstream(&root, "helloasso.2025-06-23.json"));

    let Some(upstream) = upstream else {
        if options.check {
            println!("no upstream spec at hand: checking what can be checked offline");
            return check_offline(&root);
        }
        bail!(
            "no upstream spec: pass --upstream PATH (HelloAsso/helloasso-open-api's helloasso.json)"
        );
    };
    let search_from = search_from.with_context(|| {
        "no spec with GET .../payments/search: pass --search-from PATH (helloasso.json of 2025-06-23)"
    })?;

    let (spec, provenance) = produce(
        &root,
        &upstream,
        &search_from,
        options.upstream_commit.as_deref(),
    )?;
    let spec_text = to_text(&spec)?;
    let provenance_text = to_text(&serde_json::to_value(&provenance)?)?;
    generate::generate(&spec_text).map_err(|e| anyhow::anyhow!("{e}"))?;

    if options.check {
        let mut stale = false;
        for (file, wanted) in [(SPEC, &spec_text), (PROVENANCE, &provenance_text)] {
            let current = std::fs::read_to_string(root.join(file)).unwrap_or_default();
            if &current != wanted {
                stale = true;
                eprintln!("{file} differs from what `cargo xtask codegen` produces:");
                eprintln!("{}", diff(&current, wanted, file));
            }
        }
        if stale {
            bail!("checked-in spec is stale or hand-edited: run `cargo xtask codegen`");
        }
        println!(
            "{SPEC} is up to date ({} operations)",
            operation_count(&spec)
        );
    } else {
        std::fs::write(root.join(SPEC), &spec_text)?;
        std::fs::write(root.join(PROVENANCE), &provenance_text)?;
        println!(
            "wrote {SPEC} ({} operations) and {PROVENANCE}",
            operation_count(&spec)
        );
    }
    Ok(())
}

fn produce(
    root: &Path,
    upstream: &Path,
    search_from: &Path,
    commit: Option<&str>,
) -> Result<(Value, Provenance)> {
    let (upstream_value, upstream_source) = provenance::read_source(upstream, commit)?;
    let (search_value, search_source) = provenance::read_source(search_from, None)?;
    let overlay = read_json(&root.join(OVERLAY))?;
    let spec = normalize::normalize(&normalize::Inputs {
        upstream: &upstream_value,
        search_from: &search_value,
        overlay: &overlay,
    })?;
    let text = to_text(&spec)?;
    Ok((spec, Provenance::new(&text, upstream_source, search_source)))
}

/// Without HelloAsso's file: the checked-in spec parses, is 3.0, carries the
/// overlay's operations and schemas, and progenitor generates a client from it.
fn check_offline(root: &Path) -> Result<()> {
    let text =
        std::fs::read_to_string(root.join(SPEC)).with_context(|| format!("reading {SPEC}"))?;
    let spec: Value =
        serde_json::from_str(&text).with_context(|| format!("{SPEC} is not valid JSON"))?;
    normalize::check_upstream(&spec, SPEC)?;
    if to_text(&spec)? != text {
        bail!(
            "{SPEC} is not in canonical form (sorted keys, 2-space indent): was it edited by hand?"
        );
    }
    let provenance = read_json(&root.join(PROVENANCE))?;
    let recorded = provenance["spec_sha256"].as_str().unwrap_or_default();
    if recorded != provenance::sha256(text.as_bytes()) {
        bail!(
            "{SPEC} does not match the sha256 recorded in {PROVENANCE}: it was edited by hand; run `cargo xtask codegen`"
        );
    }
    let overlay = read_json(&root.join(OVERLAY))?;
    for (key, doc) in overlay["operations"].as_object().into_iter().flatten() {
        let id = doc["operationId"].as_str().unwrap_or_default();
        let found = spec["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .flat_map(|(_, item)| item.as_object().into_iter().flatten())
            .any(|(_, op)| op["operationId"] == id);
        if !found {
            bail!("{SPEC} lacks operation {id} ({key}) from the overlay");
        }
    }
    for name in overlay["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
    {
        if spec
            .pointer(&format!("/components/schemas/{name}"))
            .is_none()
        {
            bail!("{SPEC} lacks the overlay's schema {name}");
        }
    }
    generate::generate(&text).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "{SPEC}: offline checks passed ({} operations; progenitor accepts it)",
        operation_count(&spec)
    );
    Ok(())
}

fn read_json(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}

/// Canonical text: sorted keys (serde_json's default map), 2-space indent,
/// trailing newline.
fn to_text(value: &Value) -> Result<String> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

fn operation_count(spec: &Value) -> usize {
    spec["paths"].as_object().map_or(0, |p| {
        p.values()
            .map(|i| i.as_object().map_or(0, |o| o.len()))
            .sum()
    })
}

fn diff(old: &str, new: &str, file: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{file} (checked in)"),
            &format!("{file} (generated)"),
        )
        .to_string()
}

#[cfg(test)]
mod tests;

//! The codegen pipeline on scratch copies of `openapi/`: stale specs are
//! caught with a diff, bad upstream files give messages, not panics.

use std::path::{Path, PathBuf};

use super::*;

fn upstream_dir() -> Option<PathBuf> {
    let dir = root().join("../shared/helloasso-upstream");
    dir.join("helloasso.json").is_file().then_some(dir)
}

/// A scratch workspace root holding a copy of `openapi/`.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("openapi")).unwrap();
    for file in [SPEC, OVERLAY, PROVENANCE] {
        std::fs::copy(root().join(file), dir.path().join(file)).unwrap();
    }
    dir
}

fn options(upstream: Option<&Path>, check: bool) -> Options {
    let up = upstream_dir();
    Options {
        check,
        upstream: upstream
            .map(Path::to_path_buf)
            .or_else(|| up.as_ref().map(|d| d.join("helloasso.json"))),
        search_from: up.map(|d| d.join("helloasso.2025-06-23.json")),
        upstream_commit: None,
    }
}

#[test]
fn checked_in_spec_passes_the_offline_check() {
    check_offline(&root()).unwrap();
}

#[test]
fn hand_edit_is_caught_offline() {
    let dir = scratch();
    let path = dir.path().join(SPEC);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("\"get_payment\"", "\"fetch_payment\"", 1),
    )
    .unwrap();
    let err = check_offline(dir.path()).unwrap_err().to_string();
    assert!(err.contains("edited by hand"), "{err}");
    // Any edit, even one that keeps the operations whole.
    std::fs::write(&path, text.replacen("\"int64\"", "\"int32\"", 1)).unwrap();
    let err = check_offline(dir.path()).unwrap_err().to_string();
    assert!(err.contains("edited by hand"), "{err}");
}

#[test]
fn hand_edit_fails_the_check_with_a_diff() {
    if upstream_dir().is_none() {
        eprintln!("skipped: no upstream spec beside the repository");
        return;
    }
    let dir = scratch();
    let path = dir.path().join(SPEC);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("\"int64\"", "\"int32\"", 1)).unwrap();
    let err = run_in(dir.path(), &options(None, true))
        .unwrap_err()
        .to_string();
    assert!(err.contains("stale or hand-edited"), "{err}");
    run_in(dir.path(), &options(None, false)).unwrap();
    run_in(dir.path(), &options(None, true)).unwrap();
}

#[test]
fn openapi_3_1_upstream_is_refused_with_a_message() {
    let dir = scratch();
    let bad = dir.path().join("upstream.json");
    std::fs::write(
        &bad,
        r#"{"openapi": "3.1.0", "info": {}, "paths": {}, "components": {"schemas": {}}}"#,
    )
    .unwrap();
    let err = format!(
        "{:#}",
        run_in(dir.path(), &options(Some(&bad), false)).unwrap_err()
    );
    assert!(err.contains("3.1.0") && err.contains("3.0.x"), "{err}");
}

#[test]
fn malformed_upstream_is_refused_with_a_message() {
    let dir = scratch();
    let bad = dir.path().join("upstream.json");
    std::fs::write(&bad, r#"{"openapi": "3.0.1", "paths": {"#).unwrap();
    let err = format!(
        "{:#}",
        run_in(dir.path(), &options(Some(&bad), false)).unwrap_err()
    );
    assert!(err.contains("not valid JSON"), "{err}");
    std::fs::write(&bad, r#"{"swagger": "2.0"}"#).unwrap();
    let err = format!(
        "{:#}",
        run_in(dir.path(), &options(Some(&bad), false)).unwrap_err()
    );
    assert!(err.contains("openapi"), "{err}");
}

#[test]
fn upstream_operation_without_overlay_entry_is_named() {
    let Some(up) = upstream_dir() else { return };
    let dir = scratch();
    let mut spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(up.join("helloasso.json")).unwrap()).unwrap();
    let op = spec["paths"]["/payments/{paymentId}"]["get"].clone();
    spec["paths"]["/payments/{paymentId}/receipt"] = serde_json::json!({ "get": op });
    let path = dir.path().join("upstream.json");
    std::fs::write(&path, spec.to_string()).unwrap();
    let err = format!(
        "{:#}",
        run_in(dir.path(), &options(Some(&path), false)).unwrap_err()
    );
    assert!(err.contains("GET /payments/{paymentId}/receipt"), "{err}");
}

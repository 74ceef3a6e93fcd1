//! The codegen pipeline on scratch copies of `openapi/`: stale specs are
//! caught with a diff, bad upstream files give messages, not panics.
//!
//! The pipeline runs on the hand-written inputs in `fixtures/` (a tiny
//! upstream file, an older file with the search operation, and an overlay for
//! them), so these tests need nothing outside the repository.

use std::path::{Path, PathBuf};

use super::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/codegen/fixtures")
        .join(name)
}

/// A scratch workspace root holding a copy of the checked-in `openapi/`.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("openapi")).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    for file in [SPEC, OVERLAY, PROVENANCE, CLIENT] {
        std::fs::copy(root().join(file), dir.path().join(file)).unwrap();
    }
    dir
}

/// A scratch workspace root whose overlay is the fixture overlay, with no
/// spec yet: `run_in` on it normalizes the fixture upstream files.
fn fixture_scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("openapi")).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::copy(fixture("overlay.json"), dir.path().join(OVERLAY)).unwrap();
    dir
}

/// Options that never fall back to a folder beside the repository.
fn options(upstream: Option<&Path>, check: bool) -> Options {
    Options {
        check,
        upstream: Some(
            upstream
                .map(Path::to_path_buf)
                .unwrap_or_else(|| fixture("upstream.json")),
        ),
        search_from: Some(fixture("search.json")),
        upstream_commit: Some("0000000000000000000000000000000000000000".into()),
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
fn hand_edited_client_is_caught_offline() {
    let dir = scratch();
    let path = dir.path().join(CLIENT);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("pub struct", "pub(crate) struct", 1)).unwrap();
    let err = check_offline(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("src/generated.rs is not what progenitor generates"),
        "{err}"
    );
}

#[test]
fn fixture_upstream_is_normalized_as_progenitor_needs() {
    let dir = fixture_scratch();
    run_in(dir.path(), &options(None, false)).unwrap();
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(SPEC)).unwrap()).unwrap();
    assert_eq!(spec["openapi"], "3.0.3");
    let get = &spec["paths"]["/v5/payments/{paymentId}"]["get"];
    assert_eq!(get["operationId"], "get_payment");
    assert_eq!(get["summary"], "Get one payment");
    // One JSON media type; every error status answers the permissive body.
    let ok = get["responses"]["200"]["content"].as_object().unwrap();
    assert_eq!(ok.keys().collect::<Vec<_>>(), ["application/json"]);
    assert_eq!(
        get["responses"]["4XX"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody"
    );
    assert!(get["responses"].get("409").is_none());
    // The older file's operation is kept; untagged ones are not.
    assert_eq!(
        spec["paths"]["/v5/organizations/{organizationSlug}/payments/search"]["get"]["operationId"],
        "search_payments"
    );
    assert!(spec["paths"].get("/v5/untagged").is_none());
    // Short names, our docs, widened ids, no closed objects, enums unioned.
    let payment = &spec["components"]["schemas"]["Payment"];
    assert_eq!(payment["description"], "A payment.");
    assert_eq!(payment["properties"]["id"]["format"], "int64");
    assert_ne!(payment["additionalProperties"], serde_json::json!(false));
    let states = &spec["components"]["schemas"]["PaymentState"]["enum"];
    assert_eq!(
        states,
        &serde_json::json!(["Pending", "Authorized", "Refunded", "Contested"])
    );
    let text = std::fs::read_to_string(dir.path().join(SPEC)).unwrap();
    assert!(!text.contains("fixture prose"), "upstream prose leaked");
    // Provenance records both inputs and the output.
    let provenance: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(PROVENANCE)).unwrap())
            .unwrap();
    assert_eq!(
        provenance["spec_sha256"],
        provenance::sha256(text.as_bytes())
    );
}

#[test]
fn file_exports_stream_and_missing_response_schemas_come_from_the_overlay() {
    let dir = fixture_scratch();
    run_in(dir.path(), &options(None, false)).unwrap();
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(SPEC)).unwrap()).unwrap();
    // The export answers a file: only the overlay's media types, as bytes.
    let export =
        &spec["paths"]["/v5/organizations/{organizationSlug}/cash-out/{cashOutId}/export"]["get"];
    assert_eq!(export["operationId"], "export_cash_out");
    assert_eq!(
        export["responses"]["200"]["content"],
        serde_json::json!({ "text/csv": { "schema": { "type": "string", "format": "binary" } } })
    );
    assert_eq!(export["parameters"][1]["schema"]["format"], "int64");
    // Upstream gives the items listing no schema; the overlay names one.
    let items = &spec["paths"]["/v5/organizations/{organizationSlug}/items"]["get"];
    assert_eq!(
        items["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ItemPage"
    );
    assert_eq!(
        spec["components"]["schemas"]["Item"]["description"],
        "An item."
    );
    assert_eq!(
        spec["components"]["schemas"]["Item"]["additionalProperties"],
        serde_json::json!({})
    );
    // A body-less success stays body-less.
    let cancel = &spec["paths"]["/v5/orders/{orderId}/cancel"]["post"];
    assert!(cancel["responses"]["200"].get("content").is_none());
    // Two upstream tags with one English name are listed once.
    let names: Vec<&str> = spec["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(
        names.iter().filter(|n| **n == "Orders").count(),
        1,
        "{names:?}"
    );
    assert_eq!(cancel["tags"], serde_json::json!(["Orders"]));
    // progenitor turns the export into a byte stream and the cancel into ().
    let code =
        generate::generate(&std::fs::read_to_string(dir.path().join(SPEC)).unwrap()).unwrap();
    assert!(
        code.contains("ResponseValue<ByteStream>"),
        "no streamed export"
    );
}

#[test]
fn hand_edit_fails_the_check_with_a_diff() {
    let dir = fixture_scratch();
    run_in(dir.path(), &options(None, false)).unwrap();
    run_in(dir.path(), &options(None, true)).unwrap();
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
    let dir = fixture_scratch();
    let mut spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("upstream.json")).unwrap()).unwrap();
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

#[test]
fn no_upstream_and_no_check_asks_for_the_flag() {
    let dir = fixture_scratch();
    let err = run_in(
        dir.path(),
        &Options {
            check: false,
            ..Options::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("--upstream"), "{err}");
}

//! Generates the raw client from `openapi/helloasso.json` with progenitor.
//!
//! The spec is the only input: cargo reruns this script when it (or the
//! generator module) changes, never for edits elsewhere in the workspace.

#[path = "build/generate.rs"]
mod generate;

fn main() {
    const SPEC: &str = "openapi/helloasso.json";
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build/generate.rs");
    println!("cargo:rerun-if-changed=build/lossless.rs");
    println!("cargo:rerun-if-changed=build/redact.rs");
    println!("cargo:rerun-if-changed=build/requests.rs");
    println!("cargo:rerun-if-changed=build.rs");

    let spec =
        std::fs::read_to_string(SPEC).unwrap_or_else(|e| fail(&format!("cannot read {SPEC}: {e}")));
    let code = generate::generate(&spec).unwrap_or_else(|e| fail(&format!("{SPEC}: {e}")));
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("codegen.rs");
    std::fs::write(&out, code)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", out.display())));
}

/// A build script reports through its exit status; a message beats a backtrace.
fn fail(message: &str) -> ! {
    eprintln!("error: {message}\nhint: run `cargo xtask codegen` to regenerate the spec");
    std::process::exit(1)
}

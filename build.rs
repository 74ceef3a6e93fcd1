//! With the `codegen` feature, generates the raw client from
//! `openapi/helloasso.json` with progenitor into `OUT_DIR`, for work on the
//! generator itself. Without it (what every dependent builds) it does
//! nothing: the crate includes the checked-in `src/generated.rs`, which
//! `cargo xtask codegen` writes and `cargo xtask codegen --check` verifies.

#[cfg(feature = "codegen")]
#[path = "build/generate.rs"]
mod generate;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "codegen")]
    regenerate();
}

#[cfg(feature = "codegen")]
fn regenerate() {
    const SPEC: &str = "openapi/helloasso.json";
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build/generate.rs");
    println!("cargo:rerun-if-changed=build/generated_module.rs");
    println!("cargo:rerun-if-changed=build/lossless.rs");
    println!("cargo:rerun-if-changed=build/redact.rs");
    println!("cargo:rerun-if-changed=build/requests.rs");

    let spec =
        std::fs::read_to_string(SPEC).unwrap_or_else(|e| fail(&format!("cannot read {SPEC}: {e}")));
    let code = generate::generate(&spec).unwrap_or_else(|e| fail(&format!("{SPEC}: {e}")));
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("codegen.rs");
    std::fs::write(&out, code)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", out.display())));
}

/// A build script reports through its exit status; a message beats a backtrace.
#[cfg(feature = "codegen")]
fn fail(message: &str) -> ! {
    eprintln!("error: {message}\nhint: run `cargo xtask codegen` to regenerate the spec");
    std::process::exit(1)
}

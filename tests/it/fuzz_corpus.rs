//! Replays the saved fuzz corpus (fuzz/corpus/<target>/) through the fuzz
//! targets on the stable toolchain: every input that ever mattered to the
//! fuzzer stays a regression test.

#[path = "../../fuzz/targets.rs"]
mod targets;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(outcome.is_ok(), "{target} panicked on {}", path.display());
        count += 1;
    }
    assert!(count > 0, "no corpus for {target} in {}", dir.display());
    println!("{target}: {count} inputs replayed");
}

#[test]
fn decode_responses_corpus() {
    replay("decode_responses", targets::decode_responses);
}

#[test]
fn webhooks_corpus() {
    replay("webhooks", targets::webhooks);
}

//! Replays the fuzz targets' kept inputs on the stable toolchain: the named
//! seeds (`fuzz/seeds/<target>/`), every input that once crashed a target
//! (`fuzz/regressions/<target>/`), and the real HelloAsso samples the seeds
//! start from (`tests/data/samples/`). The corpus a fuzzing run grows
//! (`fuzz/corpus/`) stays out of git: it is regenerated, not reviewed.

#[path = "../../fuzz/targets.rs"]
mod targets;

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs every file of `dir` through `run`; a missing folder counts as empty,
/// so `fuzz/regressions/<target>` need only exist once something crashed.
fn replay_dir(dir: &Path, run: fn(&[u8])) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut count = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        if !path.is_file() || path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(outcome.is_ok(), "panicked on {}", path.display());
        count += 1;
    }
    count
}

fn replay(target: &str, samples: &str, run: fn(&[u8])) {
    let seeds = replay_dir(&root().join("fuzz/seeds").join(target), run);
    let regressions = replay_dir(&root().join("fuzz/regressions").join(target), run);
    let real = replay_dir(&root().join("tests/data/samples").join(samples), run);
    // The seeds and the samples are committed: none of them missing is a
    // broken checkout, not an empty corpus.
    assert!(
        seeds >= 10,
        "{target}: only {seeds} seeds in fuzz/seeds/{target}"
    );
    assert!(
        real > 0,
        "{target}: no samples in tests/data/samples/{samples}"
    );
    println!("{target}: {seeds} seeds, {regressions} regressions, {real} samples replayed");
}

#[test]
fn decode_responses_inputs() {
    replay(
        "decode_responses",
        "api_responses",
        targets::decode_responses,
    );
}

#[test]
fn webhooks_inputs() {
    replay("webhooks", "webhooks", targets::webhooks);
}

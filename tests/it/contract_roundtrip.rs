//! `cargo xtask record --env fake` in-process: record the whole scenario
//! against helloasso-fake into a temporary directory, replay every new
//! cassette through the strict harness, and scan them for the run's secrets.

use crate::contract;

use std::collections::BTreeSet;

use helloasso_recorder::record::{Target, record};
use helloasso_recorder::scenario;
use helloasso_recorder::scrub::leaked;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recording_against_the_fake_replays_and_holds_no_secret() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let recording = match record(&Target::Fake, None, dir.path()).await {
        Ok(r) => r,
        Err(e) => panic!("recording failed: {e:#}"),
    };
    assert!(recording.skipped.is_empty(), "{recording:?}");
    assert_eq!(recording.files.len(), scenario::all().len());

    // The run's secrets: the fake's client secret, the MFA code, every token.
    assert!(recording.secrets.len() > 10, "{recording:?}");
    for file in &recording.files {
        let text = std::fs::read_to_string(file).expect("a written cassette");
        let found = leaked(&text, &recording.secrets);
        assert!(
            found.is_empty(),
            "{} holds {} secret(s)",
            file.display(),
            found.len()
        );
        assert!(
            text.contains("<ACCESS_TOKEN_1>") || text.contains("invalid_client"),
            "{}",
            file.display()
        );
    }

    for file in &recording.files {
        if let Err(e) = contract::replay_file(file).await {
            panic!("\n{e}\n");
        }
    }

    // The checked-in cassettes cover the same steps.
    let stems = |files: Vec<std::path::PathBuf>| -> BTreeSet<String> {
        files
            .iter()
            .filter_map(|f| f.file_stem()?.to_str().map(str::to_owned))
            .collect()
    };
    let checked_in: Vec<_> = std::fs::read_dir(contract::cassettes_dir())
        .expect("tests/cassettes")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    let recorded = stems(recording.files.clone());
    let checked_in = stems(checked_in);
    let missing: Vec<_> = recorded.difference(&checked_in).collect();
    assert!(
        missing.is_empty(),
        "steps without a checked-in cassette: {missing:?}"
    );
}

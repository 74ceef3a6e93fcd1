//! The contract of a resumable listing (`payments list --all`, `orders list
//! --all`), checked the same way for each command on httpmock.

use httpmock::prelude::*;
use serde_json::{Value, json};

use crate::common::{Run, run_args};

/// A listing at `path` whose first page (`first`, ending with `token`) is
/// served and whose next page is refused with a 400; then served (`rest`).
pub struct StopsThenResumes<'a> {
    pub server: &'a MockServer,
    pub path: &'a str,
    pub token: &'a str,
    pub first: Value,
    pub rest: Value,
}

impl StopsThenResumes<'_> {
    /// Runs `args` (a CSV listing) while the second page is refused: the
    /// command fails having printed the records of the first page (their
    /// ids `before`, in the first column), and names a checkpoint holding
    /// `token` with `--resume`; with `--out FILE` it leaves no file and
    /// names no checkpoint. Then the same command with `--resume` and that
    /// checkpoint while the page is served: it prints the ids `after`
    /// (without those of `rest` already printed: records straddling the
    /// join), asking for nothing before the token. Returns both runs.
    #[track_caller]
    pub fn check(
        self,
        cli: impl Fn() -> std::process::Command,
        args: &[&str],
        before: &[&str],
        after: &[&str],
    ) -> (Run, Run) {
        let first = self.server.mock(|when, then| {
            when.method(GET)
                .path(self.path)
                .query_param_missing("continuationToken");
            then.status(200).json_body(self.first.clone());
        });
        let mut refused = self.server.mock(|when, then| {
            when.method(GET)
                .path(self.path)
                .query_param("continuationToken", self.token);
            then.status(400)
                .json_body(json!({"errors": [{"code": "BadRequest", "message": "refused"}]}));
        });
        let stopped = run_args(cli(), args);
        // 7: HelloAsso refused the request (the 400).
        assert_eq!(stopped.code, 7, "{}", stopped.stderr);
        let count = format!("stopped after {} records", before.len());
        assert!(stopped.stderr.contains(&count), "{}", stopped.stderr);
        let checkpoint = resume_hint(&stopped.stderr);
        let parsed: helloasso_sdk::Checkpoint = checkpoint.parse().expect("a checkpoint");
        assert_eq!(parsed.token(), self.token);
        assert_eq!(first_column(&stopped.stdout), before);
        first.assert_calls(1);
        refused.assert_calls(1);

        // Into a file, a listing that stops leaves none, so it offers no
        // checkpoint: there is nothing to continue.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("listing.csv");
        let into_file = run_args(cli(), &[args, &["--out", file.to_str().unwrap()]].concat());
        assert_eq!(into_file.code, 7, "{}", into_file.stderr);
        assert!(
            !into_file.stderr.contains("--resume"),
            "{}",
            into_file.stderr
        );
        assert!(!file.exists(), "a half listing was written");
        first.assert_calls(2);

        refused.delete();
        let rest = self.server.mock(|when, then| {
            when.method(GET)
                .path(self.path)
                .query_param("continuationToken", self.token);
            then.status(200).json_body(self.rest.clone());
        });
        let resumed = run_args(cli(), &[args, &["--resume", &checkpoint]].concat());
        resumed.ok();
        assert_eq!(first_column(&resumed.stdout), after);
        // The resumed listing is whole: no invitation to use --all.
        assert!(
            !resumed.stderr.contains("use --all")
                && resumed
                    .stderr
                    .contains("after the checkpoint: the listing is complete"),
            "{}",
            resumed.stderr
        );
        rest.assert_calls(1);
        first.assert_calls(2);
        (stopped, resumed)
    }
}

/// The checkpoint a stopped listing names after `--resume`.
#[track_caller]
pub fn resume_hint(stderr: &str) -> String {
    let (_, after) = stderr.split_once("--resume ").expect("a --resume hint");
    after
        .split_whitespace()
        .next()
        .expect("a checkpoint")
        .to_owned()
}

/// The first column of each CSV line after the header.
fn first_column(csv: &str) -> Vec<&str> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or_default())
        .collect()
}

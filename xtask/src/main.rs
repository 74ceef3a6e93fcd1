//! Project automation: `cargo xtask <command>`.
//!
//! - `codegen [--check] [--upstream PATH] [--search-from PATH]`: derive
//!   `openapi/helloasso.json` from HelloAsso's published spec.
//! - `bench [--runs N] [--quick] | bench --markdown`: the benchmark table,
//!   and `docs/benchmarks.md` from the last run.
//! - `circles`: fails on files that import each other, even through others.
//! - `record --env sandbox|fake|URL [--out DIR]`: the contract tests' cassettes.

mod bench;
mod circles;
mod codegen;
mod record;
mod target_dir;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen::Options::parse(&args[1..]).and_then(|o| codegen::run(&o)),
        Some("bench") => bench::Options::parse(&args[1..]).and_then(|o| bench::run(&o)),
        Some("circles") => circles::run(&args[1..]),
        Some("record") => record::Options::parse(&args[1..]).and_then(|o| record::run(&o)),
        Some("-h" | "--help") | None => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(anyhow::anyhow!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the cause chain on one line: a message, never a backtrace.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen [--check] [--upstream PATH] [--search-from PATH] [--upstream-commit SHA]
      derive openapi/helloasso.json from HelloAsso's published spec;
      --check compares instead of writing, and fails with a diff
  bench [--runs N] [--quick]
      throughput, overlap, memory, token contention and faults, measured
      side by side against helloasso-fake in its own process
  bench --markdown
      write docs/benchmarks.md from the last run's results.json
  circles
      fail when files import each other through `use` lines, even through
      others (each library and binary of the workspace)
  record --env sandbox|fake|URL [--out DIR]
      run the contract scenario through the facade behind a recording proxy
      and write scrubbed cassettes (default tests/cassettes); sandbox and URL
      need HELLOASSO_CLIENT_ID, HELLOASSO_CLIENT_SECRET, HELLOASSO_ORGANIZATION";

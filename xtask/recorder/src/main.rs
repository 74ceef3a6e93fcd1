//! `helloasso-recorder --env fake|sandbox|URL [--out DIR]`, run by
//! `cargo xtask record`.

use std::path::PathBuf;
use std::process::ExitCode;

use helloasso_recorder::record::{Credentials, Target, record};

const USAGE: &str = "usage: helloasso-recorder --env fake|sandbox|URL [--out DIR]

Runs the contract scenario through the facade behind a recording proxy and
writes one scrubbed cassette per step into DIR (default tests/cassettes).
Against sandbox or a URL: HELLOASSO_CLIENT_ID, HELLOASSO_CLIENT_SECRET and
HELLOASSO_ORGANIZATION must be set. `fake` starts helloasso-fake in-process.";

fn parse(args: &[String]) -> Result<(Target, PathBuf), String> {
    let mut target = None;
    let mut out = PathBuf::from("tests/cassettes");
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--env" => target = args.next().map(|v| Target::parse(v)),
            "--out" => out = args.next().ok_or("--out needs a directory")?.into(),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok((target.ok_or("--env is required")?, out))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let (target, out) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let credentials = match target {
        Target::Fake => None,
        _ => match Credentials::from_env() {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("error: {e:#}");
                return ExitCode::FAILURE;
            }
        },
    };
    match record(&target, credentials, &out).await {
        Ok(recording) => {
            for file in &recording.files {
                println!("wrote {}", file.display());
            }
            for step in &recording.skipped {
                println!("skipped {step} (needs helloasso-fake's controls)");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

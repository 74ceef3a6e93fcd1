//! One benchmark scenario per process, against a helloasso-fake running in
//! another process. Prints one JSON line; `cargo xtask bench` runs it
//! repeatedly and compares.
//!
//! Listing scenarios report the wall time and the CPU time (user + system,
//! from `getrusage`) of their measured loop, so that a client is judged by
//! what it spends, not by how long it waited for the server.
//!
//! ```text
//! usage: bench-client <scenario> --url URL --client-id ID --client-secret S --org SLUG [--limit N]
//!                                [--page-size N] [--work-ms N] [--concurrency N]
//!                                [--runtime multi-thread|current-thread]
//!                                [--db PATH] [--max-rate N] [--changes N]
//! ```

mod args;
mod client;
mod mirror;
mod result_line;
mod scenarios;
mod usage;

fn main() {
    let outcome = args::parse().and_then(|args| {
        let runtime = args.runtime.build()?;
        runtime.block_on(scenarios::run(&args))
    });
    match outcome {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("bench-client: {e:#}");
            std::process::exit(1);
        }
    }
}

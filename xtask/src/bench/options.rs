//! The command line of `cargo xtask bench`.

use anyhow::{Context, Result, bail};

/// Options of `cargo xtask bench`.
pub struct Options {
    /// Repetitions of each timed measurement (the median is reported).
    pub runs: usize,
    /// Smaller sizes, for a smoke run of the whole bench.
    pub quick: bool,
    /// Write `docs/benchmarks.md` from the last run's `results.json`
    /// instead of running.
    pub markdown: bool,
    /// Only the mirror rows, printed and not written (a check while
    /// working on the sync).
    pub mirror_only: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Self> {
        let mut options = Self {
            runs: 5,
            quick: false,
            markdown: false,
            mirror_only: false,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--markdown" => options.markdown = true,
                "--mirror-only" => options.mirror_only = true,
                "--runs" => {
                    options.runs = args.next().context("--runs needs a value")?.parse()?;
                    if options.runs == 0 {
                        bail!("--runs must be at least 1");
                    }
                }
                other => bail!("bench: unknown argument `{other}`"),
            }
        }
        Ok(options)
    }
}

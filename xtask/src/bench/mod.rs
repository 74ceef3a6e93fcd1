//! `cargo xtask bench`: the speed, memory and robustness claims, measured
//! side by side in one run. helloasso-fake runs in its own process on
//! loopback; each measurement is a fresh `bench-client` process.

mod fake;
mod peer;
mod report;

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use fake::Fake;
use report::{Report, Row, median};

/// Options of `cargo xtask bench`.
pub struct Options {
    /// Repetitions of each timed measurement (the median is reported).
    pub runs: usize,
    /// Smaller sizes, for a smoke run of the whole bench.
    pub quick: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Self> {
        let mut options = Self {
            runs: 5,
            quick: false,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => options.quick = true,
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

pub fn run(options: &Options) -> Result<()> {
    let root = crate::codegen::root();
    build(&root)?;
    let scale = |full: usize, quick: usize| if options.quick { quick } else { full };
    let mut report = Report::default();

    // 1. Throughput: facade against the hand-written floor, same pages.
    {
        let fake = Fake::start(&root, &[("--payments", seeded(scale(100_000, 20_000)))])?;
        let n = fake.listing_size()?;
        let (mut facade, mut floor) = (Vec::new(), Vec::new());
        for _ in 0..options.runs {
            // Interleaved, so that drift on a shared machine hits both sides.
            floor.push(seconds(&fake.client(&root, "floor", &[])?)?);
            facade.push(seconds(&fake.client(&root, "facade", &[])?)?);
        }
        report.push(Row::ratio(
            &format!("throughput: list {n} payments, pages of 100 (s)"),
            "facade .items()",
            median(&facade),
            "reqwest+serde_json loop",
            median(&floor),
            1.10,
        ));

        // 2. The official Python SDK over the same listing, when installed.
        report.push(match peer::run(&fake, n)? {
            peer::Outcome::Ran(python) => Row::ratio(
                &format!("peer: list {n} payments (s)"),
                "facade .items()",
                median(&facade),
                "helloasso-python 1.0.8",
                python,
                f64::INFINITY,
            ),
            peer::Outcome::Skipped(why) => Row::skipped("peer: helloasso-python 1.0.8", &why),
        });
    }

    // 3. Overlap: one page ahead against strictly sequential.
    {
        let pages = scale(200, 50);
        let fake = Fake::start(
            &root,
            &[
                ("--payments", (pages * 100).to_string()),
                ("--latency-ms", "20".into()),
            ],
        )?;
        let (mut ahead, mut sequential) = (Vec::new(), Vec::new());
        for _ in 0..options.runs.min(3) {
            sequential.push(seconds(&fake.client(
                &root,
                "sequential",
                &[("--work-ms", "20")],
            )?)?);
            ahead.push(seconds(&fake.client(
                &root,
                "facade",
                &[("--work-ms", "20")],
            )?)?);
        }
        report.push(Row::ratio(
            &format!("overlap: {pages} pages, 20 ms latency + 20 ms work each (s)"),
            "one page ahead",
            median(&ahead),
            "sequential",
            median(&sequential),
            0.6,
        ));
    }

    // 4. Memory: streaming many payments costs no more than streaming few.
    {
        let (big, small) = (scale(1_000_000, 100_000), 10_000);
        // (payments streamed, peak RSS in MiB) of one client run.
        let rss = |payments: usize| -> Result<(u64, f64)> {
            let fake = Fake::start(&root, &[("--payments", seeded(payments))])?;
            let line = fake.client(&root, "facade", &[])?;
            let expected = fake.listing_size()?;
            let items = line["items"].as_u64().unwrap_or(0);
            if items != expected {
                bail!("memory run streamed {items} of {expected} payments");
            }
            Ok((items, line["peak_rss_kib"].as_f64().unwrap_or(0.0) / 1024.0))
        };
        let ((big_n, big_mib), (small_n, small_mib)) = (rss(big)?, rss(small)?);
        let mut row = Row::ratio(
            &format!("memory: peak RSS streaming {big_n} vs {small_n} payments (MiB)"),
            &format!("{big_n}"),
            big_mib,
            &format!("{small_n}"),
            small_mib,
            1.5,
        );
        if big_mib >= 64.0 {
            row.fail(&format!("{big_mib:.1} MiB is not under 64 MiB"));
        }
        report.push(row);
    }

    // 5. Token contention across an expiry.
    {
        let fake = Fake::start(
            &root,
            &[
                ("--payments", "1000".into()),
                ("--token-lifetime", "3".into()),
            ],
        )?;
        let line = fake.client(&root, "tokens", &[("--concurrency", "1000")])?;
        let requests = line["token_requests"].as_f64().unwrap_or(f64::NAN);
        let mut row = Row::value(
            "tokens: 1000 concurrent calls across an expiry (token requests)",
            requests,
            "1",
            &format!(
                "fresh burst {:.3} s, expired burst {:.3} s, added {:.3} s, {} failed",
                line["fresh_burst_seconds"].as_f64().unwrap_or(0.0),
                line["expired_burst_seconds"].as_f64().unwrap_or(0.0),
                line["added_seconds"].as_f64().unwrap_or(0.0),
                line["failed"]
            ),
        );
        if requests != 1.0 || line["failed"].as_u64() != Some(0) {
            row.fail("expected exactly one token request and no failure");
        }
        report.push(row);
    }

    // 6. Faults: every payment once, in order, under 10% 503, 5% 429,
    // 2% resets and 1% truncated bodies.
    {
        let fake = Fake::start(
            &root,
            &[
                ("--payments", seeded(scale(100_000, 20_000))),
                ("--server-error-rate", "0.10".into()),
                ("--rate-limit-rate", "0.05".into()),
                ("--reset-rate", "0.02".into()),
                ("--truncate-rate", "0.01".into()),
            ],
        )?;
        let line = fake.client(&root, "faults", &[])?;
        let counters = fake.counters()?;
        let n = fake.listing_size()?;
        let ok = line["items"].as_u64() == Some(n)
            && line["distinct"].as_u64() == Some(n)
            && line["duplicates"] == 0
            && line["out_of_order"] == 0;
        let mut row = Row::value(
            &format!("faults: stream {n} payments under injected faults (payments received)"),
            line["items"].as_f64().unwrap_or(0.0),
            &format!("{n}, each once, in order"),
            &format!(
                "{} distinct, {} duplicates, {} out of order, {:.1} s; faults injected: {}",
                line["distinct"],
                line["duplicates"],
                line["out_of_order"],
                line["seconds"].as_f64().unwrap_or(0.0),
                counters["faults"]
            ),
        );
        if !ok {
            row.fail("payments lost, duplicated or out of order");
        }
        report.push(row);
    }

    report.print();
    let out = root.join("target/bench");
    std::fs::create_dir_all(&out)?;
    let path = out.join("results.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(
            &json!({ "rows": report.json(), "runs": options.runs, "quick": options.quick }),
        )?,
    )?;
    println!("\nwritten to {}", path.display());
    if report.failed() {
        bail!("some targets were missed (see the table)");
    }
    Ok(())
}

/// How many payments to seed so that the main organization's listing holds
/// at least `listing` of them: the fake spreads about 90% of its payments
/// over the main organization, the rest over a second one.
fn seeded(listing: usize) -> String {
    (listing * 10 / 9 + 200).to_string()
}

fn build(root: &Path) -> Result<()> {
    println!("building helloasso-fake and bench-client (release)...");
    let status = Command::new(env!("CARGO"))
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "helloasso-fake",
            "-p",
            "bench-client",
        ])
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("release build failed");
    }
    Ok(())
}

fn seconds(line: &Value) -> Result<f64> {
    line["seconds"]
        .as_f64()
        .with_context(|| format!("no `seconds` in {line}"))
}

//! `cargo xtask bench`: the speed, memory and robustness claims, measured
//! side by side in one run. helloasso-fake runs in its own process on
//! loopback; each measurement is a fresh `bench-client` process.

mod fake;
mod machine;
mod markdown;
mod mirror;
mod options;
mod peer;
mod report;

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use fake::{Fake, seeded};
pub use options::Options;
use report::{PAGE_SIZE, Report, Row, Run, Target, median};

pub fn run(options: &Options) -> Result<()> {
    let root = crate::codegen::root();
    let results_path = crate::target_dir::get(&root)?.join("bench/results.json");
    if options.markdown {
        return write_markdown(&root, &results_path);
    }
    let started = machine::now_utc();
    let load_before = machine::load_average();
    build(&root)?;
    let scale = |full: usize, quick: usize| if options.quick { quick } else { full };
    let mut report = Report::default();
    if options.mirror_only {
        mirror::rows(&root, options, &mut report)?;
        report.print();
        if report.failed() {
            bail!("some targets were missed (see the table)");
        }
        return Ok(());
    }

    // 1. Listing: the facade, the hand-written floor, the limit and the
    // Python SDK over the same pages; 2. the CSV export against a byte copy.
    {
        // Payments serialized once and spliced into pages, so that the
        // fake's own rendering does not weigh on the clients' wall time.
        let fake = Fake::start(
            &root,
            &[
                ("--payments", seeded(scale(100_000, 20_000))),
                ("--preserialize-listings", String::new()),
            ],
        )?;
        let n = fake.listing_size()?;
        listing(&root, &fake, n, options, &mut report)?;
        export(&root, &fake, n, options, &mut report)?;
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
            Target::AtMost(0.6),
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
            Target::AtMost(1.5),
        );
        if big_mib >= 64.0 {
            row.fail(&format!("{big_mib:.1} MiB is not under 64 MiB"));
        }
        report.push(row);
    }

    // 4b. The fake itself holding a large dataset: the time to generate it
    // and its resident memory once serving (a million payments in a full
    // run). Its paging, filters and export at scale are tested in
    // helloasso-fake's `large` test, which runs in every test run.
    {
        let payments = scale(1_000_000, 100_000);
        let started = std::time::Instant::now();
        let fake = Fake::start(&root, &[("--payments", payments.to_string())])?;
        let startup = started.elapsed().as_secs_f64();
        let n = fake.listing_size()?;
        let rss = fake.rss_mib()?;
        let mut row = Row::value(
            &format!("fake: resident memory holding {payments} payments (MiB)"),
            (rss * 10.0).round() / 10.0,
            "at most 500",
            &format!("started in {startup:.2} s; its main organization lists {n}"),
        );
        if rss > 500.0 {
            row.fail(&format!("{rss:.1} MiB is over 500 MiB"));
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

    // 7. The mirror: a first run against the Python job, an incremental
    // run, and memory at two sizes.
    mirror::rows(&root, options, &mut report)?;

    report.print();
    let path = results_path;
    std::fs::create_dir_all(path.parent().context("results.json has a folder")?)?;
    let mut results = report.json();
    results["runs"] = json!(options.runs);
    results["quick"] = json!(options.quick);
    results["started"] = json!(started);
    results["load_before"] = json!(load_before);
    results["machine"] = json!(machine::describe());
    std::fs::write(&path, serde_json::to_string_pretty(&results)?)?;
    println!(
        "\nwritten to {} (`cargo xtask bench --markdown` renders it)",
        path.display()
    );
    if report.failed() {
        bail!("some targets were missed (see the table)");
    }
    Ok(())
}

/// The listing clients over the same pages, interleaved round by round so
/// that drift on a shared machine hits all of them, then the peer rows and
/// the ratios.
fn listing(root: &Path, fake: &Fake, n: u64, options: &Options, report: &mut Report) -> Result<()> {
    report.listing(&format!(
        "listing: {n} payments, pages of {PAGE_SIZE}, medians of {} runs; CPU is user + system time of \
         the client process over its listing loop",
        options.runs
    ));
    // An unmeasured pass serializes every payment in the fake once, so
    // that each measured run is served the same way.
    client_run(root, fake, "limit", MULTI_THREAD)?;
    // Each Rust client on the runtime `#[tokio::main]` builds (the headline,
    // what a program gets by default), then on a current-thread runtime:
    // on this machine a hand-over between threads costs as much as decoding
    // a few payments, and the second set shows how much of each row it is.
    const CLIENTS: [(&str, &str); 6] = [
        ("floor", MULTI_THREAD),
        ("limit", MULTI_THREAD),
        ("facade", MULTI_THREAD),
        ("floor", CURRENT_THREAD),
        ("limit", CURRENT_THREAD),
        ("facade", CURRENT_THREAD),
    ];
    let mut runs: [Vec<Run>; 6] = Default::default();
    // The fake's own CPU and pages over every Rust client run.
    let (mut fake_cpu, mut fake_pages) = (0.0, 0);
    for round in 0..options.runs {
        // Each round starts one client later, so that no client always runs
        // first or right after the same one while the machine drifts.
        for k in 0..CLIENTS.len() {
            let i = (round + k) % CLIENTS.len();
            let (scenario, runtime) = CLIENTS[i];
            let (cpu, pages) = (fake.cpu_seconds()?, fake.listing_pages()?);
            let run = client_run(root, fake, scenario, runtime)?;
            fake_cpu += fake.cpu_seconds()? - cpu;
            fake_pages += fake.listing_pages()? - pages;
            if run.items != n {
                bail!("{scenario} ({runtime}) read {} of {n} payments", run.items);
            }
            runs[i].push(run);
        }
    }
    let [floor, limit, facade, floor_1t, limit_1t, facade_1t] = runs.map(|r| Run::median_of(&r));
    report.client("facade `.items()`", facade);
    report.client("floor: reqwest + serde_json, same types", floor);
    report.client("limit: reqwest + `IgnoredAny`", limit);
    report.client("facade `.items()`, current-thread runtime", facade_1t);
    report.client("floor, current-thread runtime", floor_1t);
    report.client("limit, current-thread runtime", limit_1t);

    let python = peer::python(root);
    let mut peers = Vec::new();
    for (mode, label) in [
        (
            peer::Mode::Typed,
            "typed models (`ResultsWithPaginationModelPayment.from_json`)",
        ),
        (peer::Mode::Raw, "raw answer + `json.loads`"),
    ] {
        let label = format!("helloasso-python {}, {label}", peer::VERSION);
        let measured = match &python {
            Ok(python) => (0..options.runs.min(3))
                .map(|_| peer::run(python, fake, mode, n))
                .collect::<Result<Result<Vec<Run>, String>>>()?,
            Err(why) => Err(why.clone()),
        };
        match measured {
            Ok(runs) => {
                let run = Run::median_of(&runs);
                report.client(&label, run);
                peers.push(Ok(run));
            }
            Err(why) => peers.push(Err((label, why))),
        }
    }

    let per_page = fake_cpu / fake_pages.max(1) as f64;
    report.note(
        "fake",
        format!(
            "helloasso-fake (payments serialized once, spliced into pages): {:.0} pages per \
             second of its own CPU ({:.0} us per page of {PAGE_SIZE}); during a facade run it is \
             busy {:.0}% of the wall time",
            1.0 / per_page,
            per_page * 1e6,
            100.0 * per_page * facade.pages() / facade.wall
        ),
        json!({ "pages_per_cpu_second": 1.0 / per_page, "cpu_seconds": fake_cpu, "pages": fake_pages }),
    );

    report.push(Row::ratio(
        "facade / floor, CPU (s)",
        "facade",
        facade.cpu,
        "floor",
        floor.cpu,
        Target::AtMost(1.05),
    ));
    report.push(Row::ratio(
        "facade / floor, wall (s)",
        "facade",
        facade.wall,
        "floor",
        floor.wall,
        Target::AtMost(1.10),
    ));
    report.push(Row::ratio(
        "facade / limit, CPU (s)",
        "facade",
        facade.cpu,
        "limit",
        limit.cpu,
        Target::Aim(3.0),
    ));
    // Decoding alone, in one thread, best of several rounds: what the
    // facade's reader saves over progenitor's (the floor's) on the same
    // bodies, without the network or the fake.
    let decode = fake.client(root, "decode", &[])?;
    let per_1000 = |key: &str| -> Result<f64> {
        decode[key]
            .as_f64()
            .with_context(|| format!("no {key} in {decode}"))
    };
    report.push(Row::ratio(
        "decode alone, one thread: facade's reader / `serde_json::from_slice`, CPU per 1,000 \
         payments (ms)",
        "facade's reader",
        per_1000("raw_reader_ms_per_1000")?,
        "from_slice",
        per_1000("from_slice_ms_per_1000")?,
        Target::None,
    ));
    report.push(Row::ratio(
        "facade / floor, CPU, both on a current-thread runtime (s)",
        "facade",
        facade_1t.cpu,
        "floor",
        floor_1t.cpu,
        Target::None,
    ));
    for (peer, (kind, target)) in peers
        .into_iter()
        .zip([("typed", Target::AimAtLeast(6.0)), ("raw", Target::None)])
    {
        match peer {
            Ok(peer) => {
                for (what, p, f) in [
                    ("CPU", peer.cpu, facade.cpu),
                    ("wall", peer.wall, facade.wall),
                ] {
                    report.push(Row::ratio(
                        &format!("{kind} Python peer / facade, {what} (s)"),
                        "helloasso-python",
                        p,
                        "facade",
                        f,
                        target,
                    ));
                }
                if kind == "typed" {
                    // The peer is single-threaded and blocking: beside it, the
                    // facade on one thread too, reported rather than judged.
                    for (what, p, f) in [
                        ("CPU", peer.cpu, facade_1t.cpu),
                        ("wall", peer.wall, facade_1t.wall),
                    ] {
                        report.push(Row::ratio(
                            &format!(
                                "typed Python peer / facade on a current-thread runtime, {what} (s)"
                            ),
                            "helloasso-python",
                            p,
                            "facade",
                            f,
                            Target::None,
                        ));
                    }
                }
            }
            Err((label, why)) => report.push(Row::skipped(&format!("peer: {label}"), &why)),
        }
    }
    Ok(())
}

/// The facade's CSV export of the whole listing against copying the same
/// bytes with reqwest.
fn export(root: &Path, fake: &Fake, n: u64, options: &Options, report: &mut Report) -> Result<()> {
    let (mut export, mut copy) = (Vec::new(), Vec::new());
    // A run lasts a tenth of a second, so scheduling noise on a shared
    // machine weighs on it: three times as many pairs, each pair's order
    // alternating so that neither always follows the other.
    for i in 0..options.runs * 3 {
        let (copied, exported) = if i % 2 == 0 {
            let copied = fake.client(root, "copy", &[])?;
            (copied, fake.client(root, "export", &[])?)
        } else {
            let exported = fake.client(root, "export", &[])?;
            (fake.client(root, "copy", &[])?, exported)
        };
        if copied["bytes"] != exported["bytes"] || copied["bytes"].as_u64().unwrap_or(0) == 0 {
            bail!(
                "export wrote {} bytes, the copy {}",
                exported["bytes"],
                copied["bytes"]
            );
        }
        copy.push(seconds(&copied)?);
        export.push(seconds(&exported)?);
    }
    report.push(Row::ratio(
        &format!("export: CSV of {n} payments into a sink, wall (s)"),
        "facade export",
        median(&export),
        "reqwest byte copy",
        median(&copy),
        Target::AtMost(1.10),
    ));
    Ok(())
}

/// The runtimes a listing client runs on (bench-client's `--runtime`).
const MULTI_THREAD: &str = "multi-thread";
const CURRENT_THREAD: &str = "current-thread";

/// One run of a listing scenario on `runtime`.
fn client_run(root: &Path, fake: &Fake, scenario: &str, runtime: &str) -> Result<Run> {
    let page_size = PAGE_SIZE.to_string();
    let line = fake.client(
        root,
        scenario,
        &[("--runtime", runtime), ("--page-size", &page_size)],
    )?;
    Run::from_line(&line).with_context(|| format!("{scenario} printed {line}"))
}

/// Renders the last run's results into `docs/benchmarks.md`.
fn write_markdown(root: &Path, results: &Path) -> Result<()> {
    let text = std::fs::read_to_string(results).with_context(|| {
        format!(
            "reading {} (run `cargo xtask bench` first)",
            results.display()
        )
    })?;
    let value: Value =
        serde_json::from_str(&text).with_context(|| format!("reading {}", results.display()))?;
    let page = root.join("docs/benchmarks.md");
    std::fs::write(&page, markdown::render(&value))?;
    println!("written to {}", page.display());
    Ok(())
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

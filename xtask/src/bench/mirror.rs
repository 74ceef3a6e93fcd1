//! The mirror rows: a first `helloasso-sync` run against the same job
//! written with HelloAsso's official Python SDK (wall time and requests),
//! an incremental run after scattered changes (requests against the pages
//! that hold a change), and the first run's peak memory at two sizes.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::fake::{Fake, seeded};
use super::options::Options;
use super::peer;
use super::report::{Report, Row, Target};

/// Latency the fake adds to every page, as a distant HelloAsso would.
const LATENCY_MS: &str = "100";
/// The rate the fake enforces, and the one the sync is asked to keep under
/// it: above the sync's default (20 per second, docs/mirror.md), which
/// would hold the four walks back at this latency; the bench shows the
/// sync keeps to whatever rate it is given and is never answered 429.
const FAKE_RATE_LIMIT: &str = "50";
const SYNC_MAX_RATE: &str = "45";
/// Payments changed between the first and the incremental run.
const CHANGES: u64 = 100;
/// Page size of both mirrors.
const PAGE: u64 = 100;

pub fn rows(root: &Path, options: &Options, report: &mut Report) -> Result<()> {
    let scale = |full: usize, quick: usize| if options.quick { quick } else { full };
    let dir = crate::target_dir::get(root)?.join("bench");
    std::fs::create_dir_all(&dir)?;
    let (big, small) = (scale(100_000, 10_000), scale(10_000, 2_000));

    let fake = start(root, big)?;
    let n = fake.listing_size()?;
    // The sync first, then the Python job, each into a fresh file.
    let rust_db = fresh(&dir, "mirror-sync.sqlite")?;
    let (rust, rust_requests) = counted(&fake, || {
        fake.client(
            root,
            "mirror",
            &[("--db", path_str(&rust_db)?), ("--max-rate", SYNC_MAX_RATE)],
        )
    })?;
    let python = peer::python(root);
    let py = match &python {
        Ok(python) => {
            let db = fresh(&dir, "mirror-python.sqlite")?;
            Some(counted(&fake, || python_mirror(root, python, &fake, &db))?)
        }
        Err(_) => None,
    };
    let rate_limited = fake.counters()?["faults"]["rate_limited"]
        .as_u64()
        .unwrap_or(u64::MAX);
    let title = format!(
        "first mirror: {n} payments with their orders and items, {LATENCY_MS} ms per page, \
         pages of {PAGE}; sync at most {SYNC_MAX_RATE} requests/s, fake limit {FAKE_RATE_LIMIT}/s"
    );
    match (&py, &python) {
        (Some((py, py_requests)), _) => {
            let mut row = Row::ratio(
                &format!("{title}: wall, Python job / sync (s)"),
                "helloasso-python",
                seconds(py)?,
                "helloasso sync",
                seconds(&rust)?,
                Target::AtLeast(3.0),
            );
            if py["counts"]["payments"].as_u64() != rust_stored(&rust, "payments") {
                row.fail(&format!(
                    "the two mirrors hold different payments: {} / {}",
                    py["counts"], rust["report"]["resources"]
                ));
            }
            report.push(row);
            let mut row = Row::ratio(
                &format!("{title}: requests, sync / Python job"),
                "helloasso sync",
                rust_requests as f64,
                "helloasso-python",
                *py_requests as f64,
                Target::AtMost(1.0),
            );
            if rate_limited != 0 {
                row.fail(&format!("the fake answered 429 {rate_limited} times"));
            }
            report.push(row);
        }
        (None, Err(why)) => report.push(Row::skipped(&format!("peer: {title}"), why)),
        (None, Ok(_)) => unreachable!("a Python run or the reason there is none"),
    }
    if rust_stored(&rust, "payments") != Some(n) {
        bail!(
            "the first mirror stored {:?} of {n} payments",
            rust_stored(&rust, "payments")
        );
    }

    // Incremental: refunds on payments spread over the whole listing, then
    // a second run of the sync on its own file.
    fake.client(
        root,
        "scatter",
        &[
            ("--changes", &CHANGES.to_string()),
            ("--db", path_str(&rust_db)?),
        ],
    )?;
    let (again, requests) = counted(&fake, || {
        fake.client(
            root,
            "mirror",
            &[("--db", path_str(&rust_db)?), ("--max-rate", SYNC_MAX_RATE)],
        )
    })?;
    let counts = |r: &str| -> (u64, u64, u64) {
        let c = &again["report"]["resources"][r];
        let n = |k: &str| c[k].as_u64().unwrap_or(0);
        (n("new"), n("changed"), n("unchanged"))
    };
    let pages = |records: u64| records.div_ceil(PAGE);
    let (_, payments_changed, _) = counts("payments");
    let (_, items_changed, _) = counts("items");
    let (_, orders_changed, orders_same) = counts("orders");
    let forms = rust_stored(&rust, "forms").unwrap_or(1);
    let forms_pages = pages(forms).max(1);
    // Payments and items sorted by update date: the pages after the cursor
    // hold exactly the changes. Orders have no such sort: each one read
    // again is a page of one. Forms are read whole. One closing page per
    // listing.
    let bound = pages(payments_changed)
        + pages(items_changed)
        + orders_changed
        + orders_same
        + forms_pages
        + 4;
    let mut row = Row::value(
        &format!(
            "incremental sync after {CHANGES} refunds scattered over {n} payments (requests made)"
        ),
        requests as f64,
        &format!("<= {bound}"),
        &format!(
            "bound: {} payment pages + {} item pages + {} orders read by id + {forms_pages} \
             form pages + 4 closing pages; changed: {payments_changed} payments, \
             {items_changed} items, {orders_changed} orders; {:.1} s",
            pages(payments_changed),
            pages(items_changed),
            orders_changed + orders_same,
            seconds(&again)?
        ),
    );
    if requests > bound || payments_changed != CHANGES {
        row.fail(&format!(
            "{requests} requests for a bound of {bound}, {payments_changed} of {CHANGES} payments seen changed"
        ));
    }
    report.push(row);
    drop(fake);

    // Memory: the first mirror of few payments against many.
    let small_fake = start(root, small)?;
    let small_n = small_fake.listing_size()?;
    let small_db = fresh(&dir, "mirror-small.sqlite")?;
    let small_run = small_fake.client(
        root,
        "mirror",
        &[
            ("--db", path_str(&small_db)?),
            ("--max-rate", SYNC_MAX_RATE),
        ],
    )?;
    let mib = |v: &Value| v["peak_rss_kib"].as_f64().unwrap_or(f64::NAN) / 1024.0;
    let mut row = Row::ratio(
        &format!("memory: peak RSS of the first mirror, {n} vs {small_n} payments (MiB)"),
        &n.to_string(),
        mib(&rust),
        &small_n.to_string(),
        mib(&small_run),
        Target::AtMost(1.5),
    );
    if mib(&rust).is_nan() {
        row.fail("no peak RSS reported");
    }
    report.push(row);
    for file in [rust_db, small_db] {
        remove(&file);
    }
    Ok(())
}

fn start(root: &Path, payments: usize) -> Result<Fake> {
    Fake::start(
        root,
        &[
            ("--payments", seeded(payments)),
            ("--latency-ms", LATENCY_MS.into()),
            ("--rate-limit", FAKE_RATE_LIMIT.into()),
        ],
    )
}

/// Runs `job`; its output and the API requests the fake saw meanwhile
/// (answered or refused with 429; the token request left out).
fn counted(fake: &Fake, job: impl FnOnce() -> Result<Value>) -> Result<(Value, u64)> {
    let before = api_requests(&fake.counters()?);
    let out = job()?;
    let after = api_requests(&fake.counters()?);
    Ok((out, after - before))
}

fn api_requests(counters: &Value) -> u64 {
    // Each process asks for its one token; the bound counts API reads only.
    let answered: u64 = counters["requests"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(name, _)| name.as_str() != "token")
                .filter_map(|(_, n)| n.as_u64())
                .sum()
        })
        .unwrap_or(0);
    answered + counters["faults"]["rate_limited"].as_u64().unwrap_or(0)
}

/// Records of `resource` the sync's report says it stored as new.
fn rust_stored(line: &Value, resource: &str) -> Option<u64> {
    line["report"]["resources"][resource]["new"].as_u64()
}

/// The Python job (`xtask/bench/mirror.py`) into `db`.
fn python_mirror(root: &Path, python: &Path, fake: &Fake, db: &Path) -> Result<Value> {
    let output = Command::new(python)
        .arg(root.join("xtask/bench/mirror.py"))
        .args([&fake.url, &fake.client_id, &fake.client_secret, &fake.org])
        .arg(db)
        .output()
        .context("running the Python mirror")?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        bail!(
            "the Python mirror failed: {}",
            err.lines().last().unwrap_or("no output")
        );
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// A path for a new database: any earlier file (and its journal) removed.
fn fresh(dir: &Path, name: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    remove(&path);
    Ok(path)
}

fn remove(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

fn path_str(path: &Path) -> Result<&str> {
    path.to_str().context("a UTF-8 path")
}

fn seconds(line: &Value) -> Result<f64> {
    line["seconds"]
        .as_f64()
        .with_context(|| format!("no `seconds` in {line}"))
}

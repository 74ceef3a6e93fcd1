//! `payments export --out`: what it may create, replace or leave behind.

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use helloasso_fake::{FakeConfig, FaultConfig, FaultScope};

use crate::common::{Fake, run};

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A folder for exports only, so that leftovers are easy to see.
fn out_dir(fake: &Fake) -> std::path::PathBuf {
    let dir = fake.path("out");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn an_existing_file_is_kept_without_force_and_replaced_with_it() {
    let fake = Fake::start();
    let dir = out_dir(&fake);
    let out = dir.join("payments.csv");
    std::fs::write(&out, "keep me\n").unwrap();

    run(fake.cli().args(["payments", "export", "--out"]).arg(&out)).fails(2, "--force");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me\n");
    assert_eq!(names(&dir), ["payments.csv"]);

    run(fake
        .cli()
        .args(["payments", "export", "--force", "--out"])
        .arg(&out))
    .ok();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.lines().count() > 100, "{text}");
    assert_eq!(names(&dir), ["payments.csv"]);
}

#[test]
fn a_new_export_is_readable_by_its_owner_only() {
    let fake = Fake::start();
    let dir = out_dir(&fake);
    let out = dir.join("new.csv");
    run(fake.cli().args(["payments", "export", "--out"]).arg(&out)).ok();
    let mode = std::fs::metadata(&out).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "mode {mode:o}");
    assert_eq!(names(&dir), ["new.csv"]);
}

#[test]
fn a_directory_is_refused_and_nothing_is_created_beside_it() {
    let fake = Fake::start();
    let dir = out_dir(&fake);
    let target = dir.join("folder");
    std::fs::create_dir(&target).unwrap();
    run(fake
        .cli()
        .args(["payments", "export", "--force", "--out"])
        .arg(&target))
    .fails(2, "is a directory");
    assert_eq!(names(&dir), ["folder"]);
    assert!(names(&target).is_empty());
}

#[test]
fn a_symbolic_link_survives_and_its_file_is_written() {
    let fake = Fake::start();
    let dir = out_dir(&fake);
    let real = dir.join("real.csv");
    let link = dir.join("link.csv");
    std::fs::write(&real, "old\n").unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();

    run(fake.cli().args(["payments", "export", "--out"]).arg(&link)).fails(2, "--force");
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "old\n");

    run(fake
        .cli()
        .args(["payments", "export", "--force", "--out"])
        .arg(&link))
    .ok();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced"
    );
    let header = format!("{}{}", helloasso_fake::CSV_HEADER[0], ",");
    assert!(std::fs::read_to_string(&real).unwrap().starts_with(&header));
    assert_eq!(names(&dir), ["link.csv", "real.csv"]);
}

#[test]
fn a_pipe_is_written_through_and_never_replaced() {
    let fake = Fake::start();
    let dir = out_dir(&fake);
    let fifo = dir.join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        crate::common::cannot_run("mkfifo could not make a named pipe");
        return;
    }
    // The reader: opening blocks until the export opens the pipe.
    let reader_path = fifo.clone();
    let reader = std::thread::spawn(move || std::fs::read(reader_path).unwrap_or_default());
    let r = run(fake.cli().args(["payments", "export", "--out"]).arg(&fifo));
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the pipe was replaced by a file"
    );
    r.ok();
    let received = reader.join().unwrap();
    let expected = fake.server.payment_ids(None, usize::MAX).len();
    let mut csv = csv::Reader::from_reader(received.as_slice());
    assert_eq!(csv.records().count(), expected);
    assert_eq!(names(&dir), ["pipe"]);
}

#[test]
fn a_dash_is_standard_output() {
    let fake = Fake::start();
    let dir = out_dir(&fake);
    let r = run(fake
        .cli()
        .current_dir(&dir)
        .args(["payments", "export", "--out", "-"]));
    r.ok();
    assert!(
        r.stdout.starts_with(helloasso_fake::CSV_HEADER[0]),
        "{}",
        r.stdout
    );
    assert!(names(&dir).is_empty(), "{:?}", names(&dir));
}

#[test]
fn a_writer_that_fails_leaves_no_file() {
    let fake = Fake::start();
    let dir = out_dir(&fake);
    let out = dir.join("big.csv");
    // A file size limit of a few KiB: writes past it fail with EFBIG (the
    // signal that would kill the process instead is ignored).
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("trap '' XFSZ; ulimit -f 8 && exec \"$0\" \"$@\"")
        .arg(crate::common::BIN)
        .args(["payments", "export", "--out"])
        .arg(&out);
    for (key, value) in fake.cli().get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    cmd.stdin(Stdio::null());
    run(&mut cmd).fails(1, "could not write the export");
    assert!(names(&dir).is_empty(), "{:?}", names(&dir));
}

#[test]
fn a_body_cut_mid_export_leaves_no_file() {
    let fake = Fake::with(
        FakeConfig::default().seed(7).payments(300).faults(
            FaultConfig::none()
                .truncations(1.0)
                .scope(FaultScope::ApiGets),
        ),
    );
    let dir = out_dir(&fake);
    let out = dir.join("cut.csv");
    let r = run(fake.cli().args(["payments", "export", "--out"]).arg(&out));
    assert_eq!(r.code, 6, "stdout {} stderr {}", r.stdout, r.stderr);
    assert!(fake.server.counters().faults.truncated_body >= 1);
    assert!(names(&dir).is_empty(), "{:?}", names(&dir));
}

#[test]
fn ctrl_c_during_an_export_leaves_no_file() {
    let fake = Fake::with(
        FakeConfig::default().seed(7).payments(300).faults(
            FaultConfig::none()
                .latency(30_000)
                .scope(FaultScope::ApiGets),
        ),
    );
    let dir = out_dir(&fake);
    let out = dir.join("slow.csv");
    let child = fake
        .cli()
        .args(["payments", "export", "--out"])
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The temporary file appears once the export is under way.
    let deadline = Instant::now() + Duration::from_secs(20);
    while names(&dir).is_empty() {
        assert!(Instant::now() < deadline, "the export never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    let signalled = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(signalled.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(names(&dir).is_empty(), "{:?}", names(&dir));
}

/// `helloasso ARGS --out DIR/NAME` against a fake whose pages are slow,
/// interrupted with SIGINT once `pages` says a few pages were asked for
/// (the listing is under way, its temporary file written to): it exits 130
/// and leaves nothing in DIR.
fn interrupted_mid_listing(
    args: &[&str],
    name: &str,
    pages: fn(&helloasso_fake::RequestCounts) -> u64,
) {
    let fake = Fake::with(
        FakeConfig::default()
            .seed(7)
            .payments(300)
            .faults(FaultConfig::none().latency(300).scope(FaultScope::ApiGets)),
    );
    let dir = out_dir(&fake);
    let child = fake
        .cli()
        .args(args)
        .args(["--all", "--page-size", "10", "--out"])
        .arg(dir.join(name))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while names(&dir).is_empty() || pages(&fake.server.counters().requests) < 3 {
        assert!(
            Instant::now() < deadline,
            "the listing never got under way: {:?}",
            names(&dir)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    let signalled = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(signalled.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{args:?}: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(names(&dir).is_empty(), "{args:?}: {:?}", names(&dir));
}

#[test]
fn ctrl_c_during_a_payments_listing_to_csv_leaves_no_file() {
    interrupted_mid_listing(&["payments", "list"], "payments.csv", |r| {
        r.list_organization_payments
    });
}

#[test]
fn ctrl_c_during_a_payments_listing_to_a_workbook_leaves_no_file() {
    interrupted_mid_listing(&["payments", "list"], "payments.xlsx", |r| {
        r.list_organization_payments
    });
}

#[test]
fn ctrl_c_during_an_orders_listing_leaves_no_file() {
    interrupted_mid_listing(&["orders", "list"], "orders.csv", |r| {
        r.list_organization_orders
    });
}

use crate::common::{bare, run};

fn demo(home: &std::path::Path) -> crate::common::Run {
    run(bare(home).args(["demo", "--payments", "500"]))
}

#[test]
fn demo_runs_to_the_end_and_prints_the_same_twice() {
    let home = tempfile::tempdir().unwrap();
    let first = demo(home.path());
    first.ok();
    for heading in [
        "Step 1/8",
        "Step 2/8: authenticate",
        "Step 3/8: list",
        "Step 4/8: list the members of the membership form",
        "Step 5/8: export",
        "Step 6/8: refund",
        "Step 7/8: create a checkout intent",
        "Step 8/8: read the checkout intent back",
        "Demo finished",
    ] {
        assert!(
            first.stdout.contains(heading),
            "{heading}:\n{}",
            first.stdout
        );
    }
    assert!(
        first.stdout.contains("AccessOtpSmsRequired"),
        "{}",
        first.stdout
    );
    assert!(first.stdout.contains("is now Refunded"), "{}", first.stdout);
    assert!(first.stdout.contains("paid      yes"), "{}", first.stdout);
    assert!(
        first
            .stdout
            .contains("every payment of the listing is in the file"),
        "{}",
        first.stdout
    );
    // Nothing that changes between runs: ports, secrets, temporary paths.
    assert!(!first.stdout.contains("127.0.0.1"), "{}", first.stdout);
    assert!(
        !first.stdout.contains("fake-client-secret"),
        "{}",
        first.stdout
    );
    assert!(!first.stdout.contains("123456"), "{}", first.stdout);
    assert!(!first.stdout.contains("/tmp"), "{}", first.stdout);

    let second = demo(home.path());
    second.ok();
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn demo_keeps_the_export_with_out() {
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("demo.csv");
    let r = run(bare(home.path())
        .args(["demo", "--payments", "200", "--out"])
        .arg(&out));
    r.ok();
    let text = std::fs::read_to_string(&out).unwrap();
    let listed: usize = r
        .stdout
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("wrote ")?
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .expect("the demo says how many payments it wrote");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.records().count(), listed);
}

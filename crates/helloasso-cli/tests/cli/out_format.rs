//! A listing's --format and its --out name must agree, as `payments export`
//! already demands: no CSV inside a `.xlsx`, no spreadsheet in a `.csv`.

use crate::common::{Fake, run_args};

#[test]
fn a_format_that_contradicts_the_file_name_is_refused() {
    let fake = Fake::start();
    for (format, name) in [("csv", "x.xlsx"), ("json", "x.xlsx"), ("xlsx", "x.csv")] {
        let out = fake.path(name);
        run_args(
            fake.cli(),
            &[
                "payments",
                "list",
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
            ],
        )
        .fails(2, "contradicts --out");
        assert!(!out.exists(), "{name} was written");
    }
    // Agreeing, or a name that promises nothing, is fine.
    for (format, name) in [("csv", "y.csv"), ("xlsx", "y.xlsx"), ("csv", "y.txt")] {
        let out = fake.path(name);
        run_args(
            fake.cli(),
            &[
                "orders",
                "list",
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
            ],
        )
        .ok();
        assert!(out.is_file(), "{name}");
    }
}

#[test]
fn a_listing_writes_through_dev_stdout_as_the_export_does() {
    if !std::path::Path::new("/dev/stdout").exists() {
        return;
    }
    let fake = Fake::start();
    let list = run_args(
        fake.cli(),
        &[
            "payments",
            "list",
            "--limit",
            "3",
            "--format",
            "csv",
            "--out",
            "/dev/stdout",
        ],
    );
    list.ok();
    assert_eq!(list.stdout.lines().count(), 4, "{}", list.stdout);
    assert!(list.stdout.starts_with("id,date,"), "{}", list.stdout);
    let export = run_args(fake.cli(), &["payments", "export", "--out", "/dev/stdout"]);
    export.ok();
    assert!(export.stdout.lines().count() > 4);
    run_args(
        fake.cli(),
        &[
            "payments",
            "list",
            "--format",
            "xlsx",
            "--out",
            "/dev/stdout",
        ],
    )
    .fails(2, "a spreadsheet is written to a file");
}

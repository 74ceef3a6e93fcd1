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

//! `helloasso man`: a page per subcommand, as the main page's cross
//! references promise, and the exit codes one entry per code.

use crate::common::{bare, run_args};

#[test]
fn one_page_per_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_args(bare(dir.path()), &["man", "payments", "refund"]);
    r.ok();
    assert!(
        r.stdout.contains(".TH helloasso-payments-refund 1"),
        "{}",
        &r.stdout[..300.min(r.stdout.len())]
    );
    assert!(r.stdout.contains("mfa"), "the refund's own flags");

    let pages = dir.path().join("man1");
    run_args(bare(dir.path()), &["man", "--dir", pages.to_str().unwrap()]).ok();
    for name in [
        "helloasso.1",
        "helloasso-payments.1",
        "helloasso-payments-refund.1",
        "helloasso-orders-summary.1",
        "helloasso-auth-status.1",
    ] {
        assert!(pages.join(name).is_file(), "{name}");
    }
    run_args(bare(dir.path()), &["man", "payments", "nope"]).fails(2, "known commands here");
}

#[test]
fn exit_codes_are_one_entry_each() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_args(bare(dir.path()), &["man"]);
    r.ok();
    let section = &r.stdout[r.stdout.find(".SH \"EXIT STATUS\"").expect("a section")..];
    let entries: Vec<&str> = section.split(".TP\n").skip(1).collect();
    assert_eq!(entries.len(), 12, "{section}");
    let last = entries.last().unwrap();
    assert!(last.starts_with("\\fB130\\fR\ninterrupted"), "{last}");
    let ten = entries[entries.len() - 2];
    assert!(ten.starts_with("\\fB10\\fR\n"), "{ten}");
    assert!(!ten.contains("interrupted"), "{ten}");
}

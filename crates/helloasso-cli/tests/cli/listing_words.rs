//! What a listing says about its own size: `--limit 0` is refused as the
//! mistake it is rather than answered "no payments match".

use crate::common::{bare, run_args};

#[test]
fn a_limit_of_zero_is_refused_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    for command in [
        ["payments", "list"],
        ["payments", "search"],
        ["orders", "list"],
        ["items", "list"],
    ] {
        let r = run_args(
            bare(dir.path()),
            &[command[0], command[1], "--limit", "0", "--org", "x"],
        );
        assert_eq!(r.code, 2, "{command:?}: {}", r.stderr);
        assert!(r.stderr.contains("--limit"), "{}", r.stderr);
        assert!(!r.stderr.contains("no payments match"), "{}", r.stderr);
    }
}

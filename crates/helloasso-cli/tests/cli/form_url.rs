//! `--form` by the form's public URL or French type name, against the fake:
//! the same records as `TYPE/SLUG`, the organization taken from the URL.

use crate::common::{Fake, run_args};

const BY_TYPE: &str = "Membership/adhesion-2025-2026";
const BY_URL: &str =
    "https://www.helloasso.com/associations/demo-association/adhesions/adhesion-2025-2026";

#[test]
fn a_form_url_lists_the_same_items_as_type_and_slug() {
    let fake = Fake::start();
    assert_eq!(fake.server.organization_slug(), "demo-association");
    let listing = |form: &str, org: &str| {
        let mut cmd = fake.cli();
        cmd.env("HELLOASSO_ORGANIZATION", org);
        let r = run_args(
            cmd,
            &["items", "list", "--form", form, "--all", "--format", "csv"],
        );
        r.ok();
        r.stdout
    };
    let by_type = listing(BY_TYPE, "demo-association");
    assert!(by_type.lines().count() > 2, "{by_type}");
    // The URL names the organization: a wrong --org does not matter.
    assert_eq!(listing(BY_URL, "some-other-org"), by_type);
    assert_eq!(
        listing("adhesions/adhesion-2025-2026", "demo-association"),
        by_type
    );
}

#[test]
fn payments_and_orders_take_form_urls_too() {
    let fake = Fake::start();
    for command in [["payments", "list"], ["orders", "list"]] {
        let by_type = run_args(
            fake.cli(),
            &[command[0], command[1], "--form", BY_TYPE, "--format", "csv"],
        );
        by_type.ok();
        let mut cmd = fake.cli();
        cmd.env_remove("HELLOASSO_ORGANIZATION");
        let by_url = run_args(
            cmd,
            &[command[0], command[1], "--form", BY_URL, "--format", "csv"],
        );
        by_url.ok();
        assert_eq!(by_url.stdout, by_type.stdout, "{command:?}");
    }
}

#[test]
fn a_url_elsewhere_is_refused_before_sending() {
    let fake = Fake::start();
    run_args(
        fake.cli(),
        &[
            "items",
            "list",
            "--form",
            "https://example.org/associations/a/adhesions/b",
        ],
    )
    .fails(2, "malformed --form URL");
}

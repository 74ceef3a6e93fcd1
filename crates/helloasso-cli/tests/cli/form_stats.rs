//! `forms stats` against the fake: the tier's count equals the authorized
//! payments of the form, read through the payments listing (another route),
//! and the participants line says the same.

use serde_json::Value;

use crate::common::{Fake, run_args};

#[test]
fn form_stats_count_what_the_payments_listing_shows() {
    let fake = Fake::start();
    let form = "Membership/adhesion-2025-2026";
    let payments = run_args(
        fake.cli(),
        &[
            "payments", "list", "--all", "--form", form, "--format", "json",
        ],
    );
    payments.ok();
    let payments: Vec<Value> = serde_json::from_str(&payments.stdout).unwrap();
    let authorized = payments
        .iter()
        .filter(|p| p["state"] == "Authorized")
        .count();
    assert!(authorized > 0, "the form has authorized payments");

    let r = run_args(fake.cli(), &["forms", "stats", form, "--format", "json"]);
    r.ok();
    let lines: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    let tiers: Vec<&Value> = lines.iter().filter(|l| l["kind"] == "tier").collect();
    assert_eq!(tiers.len(), 1, "{}", r.stdout);
    assert_eq!(tiers[0]["entriesTaken"], authorized);
    assert!(
        r.stderr
            .contains(&format!("{form}: {authorized} participant(s)")),
        "{}",
        r.stderr
    );

    // Off a terminal: CSV, one line per tier and option.
    let csv = run_args(fake.cli(), &["forms", "stats", form]);
    csv.ok();
    let mut lines = csv.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("kind,label,entries_taken,max_entries,price_eur,enabled")
    );
    let tier = lines.next().unwrap_or_default();
    assert!(
        tier.starts_with("tier,") && tier.contains(&format!(",{authorized},")),
        "{}",
        csv.stdout
    );

    run_args(fake.cli(), &["forms", "stats", "Event/no-such-form"]).fails(4, "");
}

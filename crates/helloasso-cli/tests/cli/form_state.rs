//! `forms state` against the fake: the form's state changes, as `forms
//! list` then shows, and a form named by its URL works the same.

use serde_json::Value;

use crate::common::{Fake, run_args};

fn state_of(fake: &Fake, form: &str) -> String {
    let r = run_args(fake.cli(), &["forms", "list", "--format", "json"]);
    r.ok();
    let forms: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    let found = forms
        .iter()
        .find(|f| f["formSlug"] == form)
        .expect("the form is listed");
    found["state"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn a_form_is_hidden_then_published() {
    let fake = Fake::start();
    let r = run_args(
        fake.cli(),
        &["forms", "state", "adhesions/adhesion-2025-2026", "private"],
    );
    r.ok();
    assert_eq!(
        r.stdout,
        "form Membership/adhesion-2025-2026 is now Private\n"
    );
    assert_eq!(state_of(&fake, "adhesion-2025-2026"), "Private");
    run_args(
        fake.cli(),
        &[
            "forms",
            "state",
            "https://www.helloasso.com/associations/demo-association/adhesions/adhesion-2025-2026",
            "Public",
        ],
    )
    .ok();
    assert_eq!(state_of(&fake, "adhesion-2025-2026"), "Public");
    run_args(
        fake.cli(),
        &["forms", "state", "adhesions/adhesion-2025-2026", "Hidden"],
    )
    .fails(2, "unknown form state `Hidden`");
}

#[test]
fn an_event_is_created_then_listed() {
    let fake = Fake::start();
    let r = run_args(
        fake.cli(),
        &[
            "forms",
            "create-event",
            "--title",
            "Fête de fin d'année",
            "--start",
            "2026-12-19",
            "--end",
            "2026-12-20",
            "--format",
            "json",
        ],
    );
    r.ok();
    let created: Value = serde_json::from_str(&r.stdout).unwrap();
    let slug = created["formSlug"].as_str().expect("a slug").to_owned();
    assert!(!state_of(&fake, &slug).is_empty());
    run_args(
        fake.cli(),
        &[
            "forms",
            "create-event",
            "--title",
            "x",
            "--start",
            "2026-12-20",
            "--end",
            "2026-12-19",
        ],
    )
    .fails(2, "--start must be before --end");
}

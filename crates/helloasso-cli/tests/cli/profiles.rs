//! Profiles: `auth login` proves and keeps the credentials (owner-only),
//! later commands need no secret, the environment still wins, and `auth
//! logout` revokes the token at HelloAsso and forgets everything.

use std::process::Command;

use crate::common::{Fake, bare, run};

/// `helloasso` pointed at the fake by its URL only: no credentials.
fn no_credentials(fake: &Fake) -> Command {
    let mut cmd = bare(fake.dir.path());
    cmd.env("HELLOASSO_ENVIRONMENT", fake.server.base_url());
    cmd
}

fn login(fake: &Fake, profile: &str, secret: &str) -> crate::common::Run {
    let file = fake.path(&format!("{profile}.secret"));
    std::fs::write(&file, format!("{secret}\n")).unwrap();
    run(no_credentials(fake)
        .args([
            "--profile",
            profile,
            "--org",
            fake.server.organization_slug(),
            "--client-id",
            fake.server.client_id(),
            "--client-secret-file",
        ])
        .arg(&file)
        .args(["auth", "login", "--set-csv-dialect", "excel-fr"]))
}

#[test]
fn login_keeps_proven_credentials_for_later_commands() {
    let fake = Fake::start();
    let r = login(&fake, "default", fake.server.client_secret());
    r.ok();
    assert!(r.stdout.contains("logged in"), "{}", r.stdout);
    assert!(!r.stdout.contains(fake.server.client_secret()));
    assert!(!r.stderr.contains(fake.server.client_secret()));
    let folder = fake.dir.path().join("config/helloasso/profiles");
    let file = folder.join("default.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode();
        assert_eq!(mode(&file) & 0o077, 0, "{:o}", mode(&file));
        assert_eq!(mode(&folder) & 0o077, 0, "{:o}", mode(&folder));
    }

    // No secret, no org, no environment given: the profile has them, and
    // its CSV dialect.
    let mut cmd = bare(fake.dir.path());
    let list = run(cmd.args(["payments", "list", "--limit", "2", "--format", "csv"]));
    // The environment was kept too, but a fake's URL is local: the token
    // file is per environment, so nothing else is needed.
    list.ok();
    assert!(
        list.stdout.starts_with("\u{feff}id;date;"),
        "{}",
        list.stdout
    );

    // The environment wins over the profile.
    let wrong = run(bare(fake.dir.path())
        .env("HELLOASSO_CLIENT_SECRET", "not-the-secret")
        .args(["auth", "check"]));
    wrong.fails(3, "unauthorized_client");
}

#[test]
fn a_refused_login_saves_nothing() {
    let fake = Fake::start();
    login(&fake, "default", "wrong-secret-xyz").fails(3, "unauthorized_client");
    assert!(
        !fake
            .dir
            .path()
            .join("config/helloasso/profiles/default.json")
            .exists()
    );
}

#[test]
fn profiles_are_separate_and_logout_revokes_and_forgets() {
    let fake = Fake::start();
    login(&fake, "club", fake.server.client_secret()).ok();
    // The default profile is empty: no credentials.
    run(bare(fake.dir.path()).args(["payments", "list"])).fails(3, "auth login");
    let ok =
        run(bare(fake.dir.path()).args(["--profile", "club", "payments", "list", "--limit", "1"]));
    ok.ok();

    let out = run(bare(fake.dir.path()).args(["--profile", "club", "auth", "logout"]));
    out.ok();
    assert!(
        out.stdout.contains("HelloAsso revoked the token"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("forgot profile `club`"),
        "{}",
        out.stdout
    );
    assert_eq!(fake.server.counters().requests.disconnect, 1);
    assert!(
        !fake
            .dir
            .path()
            .join("config/helloasso/profiles/club.json")
            .exists()
    );
    run(bare(fake.dir.path()).args(["--profile", "club", "payments", "list"]))
        .fails(3, "auth login");
}

#[test]
fn check_checks_the_organization_it_is_given() {
    let fake = Fake::start();
    run(fake
        .cli()
        .env("HELLOASSO_ORGANIZATION", "no-such-association")
        .args(["auth", "check"]))
    .fails(4, "no-such-association");
}

#[test]
fn a_damaged_profile_is_one_line_that_quotes_nothing() {
    let fake = Fake::start();
    let folder = fake.dir.path().join("config/helloasso/profiles");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("default.json"),
        r#"{"clientId": "abc", "clientSecret": 12345678}"#,
    )
    .unwrap();
    let r = run(bare(fake.dir.path()).args(["payments", "list"]));
    r.fails(1, "damaged");
    assert!(!r.stderr.contains("12345678"), "{}", r.stderr);
    run(bare(fake.dir.path()).args(["--profile", "../etc", "payments", "list"]))
        .fails(2, "invalid --profile");
}

#[test]
fn a_script_changes_a_setting_without_giving_the_secret_again() {
    let fake = Fake::start();
    login(&fake, "default", fake.server.client_secret()).ok();
    // No terminal, no secret: the saved credentials are proven again and kept.
    let r = run(no_credentials(&fake).args(["auth", "login", "--set-tz", "America/Cayenne"]));
    r.ok();
    let file = fake
        .dir
        .path()
        .join("config/helloasso/profiles/default.json");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(saved["tz"], "America/Cayenne");
    assert_eq!(saved["csvDialect"], "excel-fr");
    assert_eq!(saved["clientSecret"], fake.server.client_secret());
    // A zone name that does not exist is refused before anything is saved.
    run(no_credentials(&fake).args(["auth", "login", "--set-tz", "Mars/Olympus"]))
        .fails(2, "unknown time zone");
}

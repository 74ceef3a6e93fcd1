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
    // Owner-only, as login leaves it: only the content is damaged.
    #[cfg(unix)]
    for (path, mode) in [
        (folder.join("default.json"), 0o600),
        (folder.clone(), 0o700),
        (folder.parent().unwrap().to_owned(), 0o700),
    ] {
        set_mode(&path, mode);
    }
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

#[test]
fn a_profile_secret_is_never_sent_to_another_environment() {
    let fake = Fake::start();
    login(&fake, "default", fake.server.client_secret()).ok();
    // Another local port, such as any user of the machine can bind: it
    // must receive nothing, the client secret least of all.
    let stranger = httpmock::MockServer::start();
    let anything = stranger.mock(|_, then| {
        then.status(200);
    });
    for how in ["env", "flag"] {
        let mut cmd = bare(fake.dir.path());
        match how {
            "env" => cmd.env("HELLOASSO_ENVIRONMENT", stranger.base_url()),
            _ => cmd.args(["--env", &stranger.base_url()]),
        };
        let r = run(cmd.args(["auth", "check"]));
        r.fails(3, "never sent elsewhere");
        assert!(r.stderr.contains("HELLOASSO_CLIENT_SECRET"), "{}", r.stderr);
    }
    assert_eq!(anything.calls(), 0, "the other environment was contacted");
    // Its own environment still gets it.
    run(bare(fake.dir.path()).args(["auth", "check"])).ok();
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn a_loose_profile_and_folders_are_repaired_with_a_warning() {
    let fake = Fake::start();
    login(&fake, "default", fake.server.client_secret()).ok();
    let cli_folder = fake.dir.path().join("config/helloasso");
    let folder = cli_folder.join("profiles");
    let file = folder.join("default.json");
    set_mode(&cli_folder, 0o755);
    set_mode(&folder, 0o777);
    set_mode(&file, 0o644);
    let r = run(bare(fake.dir.path()).args(["auth", "check"]));
    r.ok();
    assert_eq!(mode(&cli_folder), 0o700);
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(&file), 0o600);
    for (path, was) in [(&cli_folder, "0755"), (&folder, "0777"), (&file, "0644")] {
        let said = format!(
            "{} was open to other users (mode {was}): repaired",
            path.display()
        );
        assert!(r.stderr.contains(&said), "{said}\n{}", r.stderr);
    }
    assert!(r.stderr.contains("may have been read"), "{}", r.stderr);
    // Repaired once: the next run says nothing.
    let again = run(bare(fake.dir.path()).args(["auth", "check"]));
    again.ok();
    assert!(!again.stderr.contains("warning"), "{}", again.stderr);
}

#[cfg(unix)]
#[test]
fn login_into_a_folder_open_to_others_makes_it_owner_only() {
    let fake = Fake::start();
    let folder = fake.dir.path().join("config/helloasso/profiles");
    std::fs::create_dir_all(&folder).unwrap();
    set_mode(&folder, 0o777);
    let r = login(&fake, "default", fake.server.client_secret());
    r.ok();
    assert!(r.stdout.contains("readable by you only"), "{}", r.stdout);
    assert_eq!(mode(&folder), 0o700);
    assert!(r.stderr.contains("repaired"), "{}", r.stderr);
}

#[test]
fn without_a_keyring_the_secret_stays_in_the_owner_only_file_with_a_warning() {
    let fake = Fake::start();
    // Tests never reach the machine's keyring (HELLOASSO_KEYRING=off):
    // this is the fallback every machine without one takes.
    let r = login(&fake, "default", fake.server.client_secret());
    r.ok();
    let file = fake
        .dir
        .path()
        .join("config/helloasso/profiles/default.json");
    assert!(
        r.stderr.contains(&format!(
            "warning: the client secret is kept in the profile file {}, readable by you only, not in the OS keyring",
            file.display()
        )),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(fake.server.client_secret()));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["clientSecret"], fake.server.client_secret());
    assert!(saved.get("secretInKeyring").is_none(), "{saved}");
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);
}

#[test]
fn a_secret_the_keyring_cannot_give_is_a_clear_error() {
    let fake = Fake::start();
    login(&fake, "default", fake.server.client_secret()).ok();
    // As saved on a machine whose keyring took the secret.
    let file = fake
        .dir
        .path()
        .join("config/helloasso/profiles/default.json");
    let mut saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    saved.as_object_mut().unwrap().remove("clientSecret");
    saved["secretInKeyring"] = true.into();
    std::fs::write(&file, saved.to_string()).unwrap();
    run(bare(fake.dir.path()).args(["auth", "check"])).fails(
        3,
        "keeps its client secret in the OS keyring, which cannot give it",
    );
}

/// A profile folder another user owns could be read by that user whatever
/// its mode: refused, not repaired. Needs root to give a folder away; where
/// it cannot, the test is skipped, except under CI=true, where it fails.
#[cfg(unix)]
#[test]
fn a_profile_folder_of_another_user_is_refused() {
    let fake = Fake::start();
    login(&fake, "default", fake.server.client_secret()).ok();
    let folder = fake.dir.path().join("config/helloasso/profiles");
    // 65534: `nobody` on most systems.
    if let Err(e) = std::os::unix::fs::chown(&folder, Some(65534), Some(65534)) {
        let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
        assert!(
            !ci,
            "cannot give the folder away ({e}), and CI=true: a test that cannot run must not pass"
        );
        eprintln!("skipped: cannot give the folder away ({e})");
        return;
    }
    let r = run(bare(fake.dir.path()).args(["auth", "check"]));
    r.fails(1, "belongs to another user");
    assert!(!r.stdout.contains("ok:"), "{}", r.stdout);
}

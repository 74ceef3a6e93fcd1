//! Shell completions and the manual page, checked with the real tools.
//! Skipped where bash or man is missing, except under `CI=true`, where a
//! test that cannot run fails (`.ci/run` installs man-db).

use std::process::{Command, Stdio};

use crate::common::{bare, run_args};

fn tool_available(name: &str, probe: &[&str]) -> bool {
    let found = Command::new(name)
        .args(probe)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
        assert!(
            !ci,
            "`{name}` is missing and CI=true: a test that cannot run must not pass"
        );
        eprintln!("skipped: `{name}` is not installed");
    }
    found
}

#[test]
fn bash_completion_sources_cleanly_and_completes_subcommands() {
    if !tool_available("bash", &["--version"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let r = run_args(bare(dir.path()), &["completions", "bash"]);
    r.ok();
    let script = dir.path().join("helloasso.bash");
    std::fs::write(&script, &r.stdout).unwrap();
    // Source it, then ask it what follows `helloasso pay`.
    let probe = format!(
        "set -e; source {}; COMP_WORDS=(helloasso pay); COMP_CWORD=1; COMP_LINE='helloasso pay'; COMP_POINT=13; _helloasso helloasso pay helloasso; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display()
    );
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-c", &probe])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("payments"));

    for shell in ["zsh", "fish", "powershell"] {
        let r = run_args(bare(dir.path()), &["completions", shell]);
        r.ok();
        assert!(r.stdout.contains("helloasso"), "{shell}");
    }
}

#[test]
fn man_page_renders_with_man() {
    if !tool_available("man", &["--version"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let r = run_args(bare(dir.path()), &["man"]);
    r.ok();
    assert!(
        r.stdout.starts_with(".ie"),
        "{}",
        &r.stdout[..80.min(r.stdout.len())]
    );
    let page = dir.path().join("helloasso.1");
    std::fs::write(&page, &r.stdout).unwrap();
    let out = Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("helloasso"), "{text}");
    assert!(text.contains("payments"), "{text}");
    assert!(text.contains("--profile"), "{text}");
}

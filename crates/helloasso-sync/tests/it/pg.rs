//! A throwaway PostgreSQL cluster per test: `initdb` in a temporary folder,
//! started on a free loopback port (its socket in the same folder), stopped
//! and deleted on drop. As root (CI runs as root, and `initdb` refuses
//! root) the cluster belongs to `nobody`, through `runuser`.
//!
//! Without PostgreSQL the test is skipped with a note, except under
//! `CI=true`, where it fails.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Pg {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_root: bool,
}

fn find_bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("initdb"))
            .find(|p| p.is_file())
    });
    if let Some(initdb) = on_path {
        // A symlink (/usr/local/bin/initdb) leads to the folder with the rest.
        let real = std::fs::canonicalize(&initdb).unwrap_or(initdb);
        return real.parent().map(Path::to_path_buf);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|b| b.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl Pg {
    /// Starts a cluster, or `None` (skip) when PostgreSQL is not installed
    /// and CI is not set.
    pub fn start() -> Option<Pg> {
        let Some(bin) = find_bin_dir() else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("PostgreSQL (initdb) is not installed: under CI=true this test must run");
            }
            eprintln!("note: PostgreSQL (initdb) not found: test skipped (it fails under CI=true)");
            return None;
        };
        let dir = tempfile::tempdir().expect("a temporary folder");
        let as_root = is_root();
        let data = dir.path().join("data");
        let sock = dir.path().join("sock");
        for d in [&data, &sock] {
            std::fs::create_dir(d).expect("cluster folders");
        }
        if as_root {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
                .expect("a traversable temporary folder");
            for d in [&data, &sock] {
                let ok = Command::new("chown").arg("nobody").arg(d).status();
                assert!(
                    ok.is_ok_and(|s| s.success()),
                    "chown nobody {}",
                    d.display()
                );
            }
        }
        let pg = Pg {
            dir,
            bin,
            port: free_port(),
            as_root,
        };
        let out = pg
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
            .output()
            .expect("initdb runs");
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
            pg.port,
            sock.display()
        );
        let out = pg
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["-o", &opts, "-l"])
            .arg(sock.join("log"))
            .args(["-w", "start"])
            .output()
            .expect("pg_ctl runs");
        assert!(
            out.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&out.stdout),
            std::fs::read_to_string(sock.join("log")).unwrap_or_default()
        );
        Some(pg)
    }

    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// A new empty database's URL.
    pub async fn database(&self, name: &str) -> String {
        use sqlx::Connection;
        let admin = format!("postgres://postgres@127.0.0.1:{}/postgres", self.port);
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .expect("connect to the cluster");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create database");
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

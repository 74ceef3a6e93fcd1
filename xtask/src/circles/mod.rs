//! `cargo xtask circles`: files that import each other, even through others.
//! Every `use` line of every library and binary of the workspace, and every
//! path written in place (`crate::a::f()`, `super::T`, `child::f()` after
//! `mod child;`, `m::f()` after `use crate::m;`, in macro arguments too), is
//! resolved to the file defining what it names (re-exports followed), and
//! any group of files that reach each other is a failure.

mod graph;
mod modules;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// One crate target to check: its name and its root file.
struct Target {
    name: String,
    root: PathBuf,
}

pub fn run(args: &[String]) -> Result<()> {
    if let Some(arg) = args.first() {
        bail!("circles: unknown argument `{arg}`");
    }
    let root = crate::codegen::root();
    let mut total = 0;
    for target in targets(&root)? {
        let (found, edges) = check_with_edges(&target.root)?;
        let shown = target.root.strip_prefix(&root).unwrap_or(&target.root);
        if found.is_empty() {
            println!("{}: no circles ({})", target.name, shown.display());
            continue;
        }
        total += found.len();
        for circle in found {
            let files: Vec<String> = circle
                .iter()
                .map(|f| f.strip_prefix(&root).unwrap_or(f).display().to_string())
                .collect();
            println!(
                "{}: circle of {} files: {}",
                target.name,
                files.len(),
                files.join(" <-> ")
            );
            // The imports inside the circle, to show where to cut it.
            let shown = |f: &PathBuf| f.strip_prefix(&root).unwrap_or(f).display().to_string();
            for from in &circle {
                let inside: Vec<String> = edges
                    .get(from)
                    .into_iter()
                    .flatten()
                    .filter(|to| circle.contains(to))
                    .map(shown)
                    .collect();
                if !inside.is_empty() {
                    println!("  {} -> {}", shown(from), inside.join(", "));
                }
            }
        }
    }
    if total > 0 {
        bail!(
            "{total} import circle(s): a file must not import, even through others, a file that imports it"
        );
    }
    Ok(())
}

/// The circles of one crate target, from its root file.
#[cfg(test)]
fn check(root_file: &Path) -> Result<Vec<Vec<PathBuf>>> {
    Ok(check_with_edges(root_file)?.0)
}

/// The circles of one crate target, and every file's imports.
fn check_with_edges(root_file: &Path) -> Result<(Vec<Vec<PathBuf>>, Edges)> {
    let krate = modules::Crate::read(root_file)?;
    let edges = krate.edges();
    Ok((graph::circles(&edges), edges))
}

/// File -> the files it imports from.
type Edges = std::collections::BTreeMap<PathBuf, std::collections::BTreeSet<PathBuf>>;

/// Each library and binary target of the workspace's packages.
fn targets(root: &Path) -> Result<Vec<Target>> {
    let output = Command::new(env!("CARGO"))
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let mut targets = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        for target in package["targets"].as_array().into_iter().flatten() {
            let kinds: Vec<&str> = target["kind"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|k| k.as_str())
                .collect();
            if !kinds
                .iter()
                .any(|k| matches!(*k, "lib" | "bin" | "proc-macro"))
            {
                continue;
            }
            targets.push(Target {
                name: format!(
                    "{} ({})",
                    package["name"].as_str().unwrap_or("?"),
                    target["name"].as_str().unwrap_or("?")
                ),
                root: PathBuf::from(target["src_path"].as_str().unwrap_or_default()),
            });
        }
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    #[test]
    fn a_circle_through_a_third_file_is_found() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("lib.rs", "mod a;\nmod b;\nmod c;\npub use a::A;\n"),
                ("a.rs", "use crate::b::B;\npub struct A;\n"),
                ("b.rs", "use super::c::C;\npub struct B;\n"),
                (
                    "c.rs",
                    "use crate::A;\npub struct C;\n#[cfg(test)]\nmod tests { use super::*; }\n",
                ),
            ],
        );
        let found = check(&dir.path().join("lib.rs")).unwrap();
        let names: Vec<Vec<String>> = found
            .iter()
            .map(|c| {
                c.iter()
                    .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
                    .collect()
            })
            .collect();
        // `crate::A` is a re-export: it leads to a.rs, not to lib.rs.
        assert_eq!(names, vec![vec!["a.rs", "b.rs", "c.rs"]]);
    }

    #[test]
    fn imports_down_a_tree_and_re_exports_are_no_circle() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                (
                    "lib.rs",
                    "mod a;\nmod b;\npub use a::A;\npub use b::{B, inner::I};\n",
                ),
                ("a.rs", "use crate::b::B;\nuse std::fmt;\npub struct A;\n"),
                ("b.rs", "pub mod inner;\nuse inner::I;\npub struct B;\n"),
                ("b/inner.rs", "pub struct I;\n"),
            ],
        );
        assert!(check(&dir.path().join("lib.rs")).unwrap().is_empty());
    }

    #[test]
    fn a_name_from_a_glob_re_export_leads_to_its_module() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                (
                    "lib.rs",
                    "mod gen;\nmod req;\npub use gen::*;\npub use req::Req;\n",
                ),
                (
                    "gen.rs",
                    "pub mod types { pub use crate::enums::*; }\npub mod enums {}\npub struct Client;\n",
                ),
                ("req.rs", "use crate::{Client, types};\npub trait Req {}\n"),
            ],
        );
        assert!(check(&dir.path().join("lib.rs")).unwrap().is_empty());
    }

    #[test]
    fn a_child_using_what_its_parent_defines_is_a_circle() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                (
                    "main.rs",
                    "mod cmd;\nuse cmd::run;\npub struct Settings;\nfn main() { run() }\n",
                ),
                ("cmd/mod.rs", "use crate::Settings;\npub fn run() {}\n"),
            ],
        );
        assert_eq!(check(&dir.path().join("main.rs")).unwrap().len(), 1);
    }

    #[test]
    fn a_circle_made_only_by_paths_written_in_place_is_found() {
        // No `use` line closes it: a.rs calls into b.rs by `crate::` path,
        // b.rs names a.rs's type by `super::` path in a signature.
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("lib.rs", "mod a;\nmod b;\n"),
                (
                    "a.rs",
                    "pub struct A;\npub fn f() -> u32 { crate::b::g(&A) }\n",
                ),
                ("b.rs", "pub fn g(_: &super::a::A) -> u32 { 1 }\n"),
            ],
        );
        assert_eq!(check(&dir.path().join("lib.rs")).unwrap().len(), 1);
    }

    #[test]
    fn a_path_written_through_a_child_module_is_followed() {
        // main.rs reaches scenarios.rs only by `scenarios::run()`, a path
        // through the module it declares, with no `crate::` and no `use`.
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                (
                    "main.rs",
                    "mod scenarios;\npub struct Settings;\nfn main() { scenarios::run() }\n",
                ),
                ("scenarios.rs", "use crate::Settings;\npub fn run() {}\n"),
            ],
        );
        assert_eq!(check(&dir.path().join("main.rs")).unwrap().len(), 1);
    }

    #[test]
    fn a_path_written_through_a_module_bound_by_use_is_followed() {
        // a.rs imports the module b (an edge to b.rs only), then writes
        // `b::inner::g()`: that reaches b/inner.rs, which uses a.rs.
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("lib.rs", "mod a;\nmod b;\n"),
                (
                    "a.rs",
                    "use crate::b;\npub struct A;\npub fn f() { b::inner::g() }\n",
                ),
                ("b.rs", "pub mod inner;\n"),
                ("b/inner.rs", "pub fn g() { let _ = crate::a::A; }\n"),
            ],
        );
        assert_eq!(check(&dir.path().join("lib.rs")).unwrap().len(), 1);
    }

    #[test]
    fn a_use_line_inside_a_function_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("lib.rs", "mod a;\nmod b;\n"),
                (
                    "a.rs",
                    "pub struct A;\npub fn f() { use crate::b::g; g() }\n",
                ),
                ("b.rs", "pub fn g() { let _ = super::a::A; }\n"),
            ],
        );
        assert_eq!(check(&dir.path().join("lib.rs")).unwrap().len(), 1);
    }

    #[test]
    fn a_path_inside_a_macro_call_is_followed() {
        // a.rs reaches b.rs only inside `matches!(..)`.
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("lib.rs", "mod a;\nmod b;\n"),
                (
                    "a.rs",
                    "pub struct A;\npub fn f() -> bool { matches!(crate::b::g(), 1) }\n",
                ),
                ("b.rs", "pub fn g() -> u32 { let _ = super::a::A; 1 }\n"),
            ],
        );
        assert_eq!(check(&dir.path().join("lib.rs")).unwrap().len(), 1);
    }

    #[test]
    fn code_quoted_for_another_crate_is_no_import() {
        // `quote!(crate::a::A)` writes a path of the crate being generated,
        // not of this one.
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("lib.rs", "mod a;\nmod b;\n"),
                ("a.rs", "pub fn f() { crate::b::g() }\n"),
                (
                    "b.rs",
                    "pub fn g() { let _ = quote::quote!(crate::a::f()); }\n",
                ),
            ],
        );
        assert!(check(&dir.path().join("lib.rs")).unwrap().is_empty());
    }

    #[test]
    fn a_file_reached_by_a_path_attribute_is_named_without_dot_dot() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("src/main.rs", "mod gen;\n"),
                (
                    "src/gen/mod.rs",
                    "#[path = \"../../build/a.rs\"]\nmod a;\npub fn f() { a::g() }\n",
                ),
                ("build/a.rs", "pub fn g() { super::f() }\n"),
            ],
        );
        let found = check(&dir.path().join("src/main.rs")).unwrap();
        assert_eq!(found.len(), 1);
        assert!(
            found[0].contains(&dir.path().join("build/a.rs")),
            "{found:?}"
        );
    }

    #[test]
    fn this_workspace_reads() {
        // Every target of the workspace parses and resolves (circles or not).
        let root = crate::codegen::root();
        let targets = targets(&root).unwrap();
        assert!(targets.iter().any(|t| t.name.starts_with("helloasso-sdk")));
        for target in targets {
            check(&target.root).unwrap_or_else(|e| panic!("{}: {e:#}", target.name));
        }
    }
}

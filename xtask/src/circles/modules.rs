//! A crate's module tree read from its files, with what each file imports
//! through `use` lines and through paths written in place
//! (`crate::orders::seed(..)`), resolved to the file that defines the item.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// One crate target's modules: which file holds each module, and the
/// `use` paths written in each module.
#[derive(Default)]
pub struct Crate {
    /// Module path (`["commands", "payments"]`) -> the file holding it.
    files: BTreeMap<Vec<String>, PathBuf>,
    /// Module path -> the `use` paths written directly in it, absolute.
    uses: BTreeMap<Vec<String>, Vec<Vec<String>>>,
    /// Module path -> name -> absolute path, for every `use ... as name` or
    /// `use ...::name` in that module: what `crate::m::name` refers to when
    /// `m` only re-exports it.
    reexports: BTreeMap<Vec<String>, BTreeMap<String, Vec<String>>>,
    /// Module path -> the modules it glob-imports (`pub use generated::*`):
    /// a name not found in a module may come from one of them.
    globs: BTreeMap<Vec<String>, Vec<Vec<String>>>,
    /// Module path -> the names of the items defined in it.
    defined: BTreeMap<Vec<String>, BTreeSet<String>>,
}

impl Crate {
    /// Reads the module tree from a crate root (`src/lib.rs`, `src/main.rs`).
    pub fn read(root: &Path) -> Result<Self> {
        let mut krate = Crate::default();
        krate.read_file(root, Vec::new(), ChildDir::Beside)?;
        Ok(krate)
    }

    /// File -> the files it imports from (without itself).
    pub fn edges(&self) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
        let mut edges: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
        for (module, paths) in &self.uses {
            let from = self.file_of(module);
            let entry = edges.entry(from.clone()).or_default();
            for path in paths {
                if let Some(to) = self.resolve(path, 0)
                    && to != from
                {
                    entry.insert(to);
                }
            }
        }
        edges
    }

    /// The file holding a module: its own, or its nearest file-backed parent
    /// for an inline `mod name { ... }`.
    fn file_of(&self, module: &[String]) -> PathBuf {
        let mut m = module.to_vec();
        loop {
            if let Some(file) = self.files.get(&m) {
                return file.clone();
            }
            m.pop();
        }
    }

    fn is_module(&self, module: &[String]) -> bool {
        self.uses.contains_key(module) || self.files.contains_key(module)
    }

    /// The file defining what an absolute path names, following re-exports;
    /// `None` for what is outside the crate.
    fn resolve(&self, path: &[String], depth: usize) -> Option<PathBuf> {
        // The longest prefix that is a module of this crate.
        let mut split = path.len();
        while split > 0 && !self.is_module(&path[..split]) {
            split -= 1;
        }
        if split == 0 && !path.is_empty() && !self.is_module(&[]) {
            return None;
        }
        let module = &path[..split];
        if let Some(name) = path.get(split)
            && depth < 16
            && let Some(target) = self.reexports.get(module).and_then(|r| r.get(name))
        {
            let mut full = target.clone();
            full.extend(path[split + 1..].iter().cloned());
            if let Some(file) = self.resolve(&full, depth + 1) {
                return Some(file);
            }
        }
        if let Some(name) = path.get(split)
            && depth < 16
        {
            for glob in self.globs.get(module).into_iter().flatten() {
                let mut inner = glob.clone();
                inner.push(name.clone());
                let defines = self.is_module(&inner)
                    || self.defined.get(glob).is_some_and(|d| d.contains(name))
                    || self
                        .reexports
                        .get(glob)
                        .is_some_and(|r| r.contains_key(name));
                if defines {
                    let mut full = glob.clone();
                    full.extend(path[split..].iter().cloned());
                    return self.resolve(&full, depth + 1);
                }
            }
        }
        Some(self.file_of(module))
    }

    fn read_file(&mut self, file: &Path, module: Vec<String>, children: ChildDir) -> Result<()> {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let ast = syn::parse_file(&text).with_context(|| format!("parsing {}", file.display()))?;
        self.files.insert(module.clone(), file.to_path_buf());
        let dir = match children {
            ChildDir::Beside => file.parent().unwrap_or(Path::new(".")).to_path_buf(),
            ChildDir::Named => file.with_extension(""),
        };
        let here = file.parent().unwrap_or(Path::new(".")).to_path_buf();
        self.read_items(&ast.items, &module, &dir, Some(&here))
    }

    /// `here` is the folder of the file the items are written in, where a
    /// `#[path]` is relative to; inside an inline module it is `None`.
    fn read_items(
        &mut self,
        items: &[syn::Item],
        module: &[String],
        dir: &Path,
        here: Option<&Path>,
    ) -> Result<()> {
        self.uses.entry(module.to_vec()).or_default();
        let children: BTreeSet<String> = items
            .iter()
            .filter_map(|i| match i {
                syn::Item::Mod(m) => Some(m.ident.to_string()),
                _ => None,
            })
            .collect();
        for item in items {
            let name = match item {
                syn::Item::Struct(i) => Some(i.ident.to_string()),
                syn::Item::Enum(i) => Some(i.ident.to_string()),
                syn::Item::Fn(i) => Some(i.sig.ident.to_string()),
                syn::Item::Trait(i) => Some(i.ident.to_string()),
                syn::Item::Type(i) => Some(i.ident.to_string()),
                syn::Item::Const(i) => Some(i.ident.to_string()),
                syn::Item::Static(i) => Some(i.ident.to_string()),
                syn::Item::Union(i) => Some(i.ident.to_string()),
                _ => None,
            };
            if let Some(name) = name {
                self.defined
                    .entry(module.to_vec())
                    .or_default()
                    .insert(name);
            }
        }
        let mut pending = Vec::new();
        for item in items {
            match item {
                syn::Item::Use(u) => {
                    let mut flat = Vec::new();
                    flatten(&u.tree, Vec::new(), &mut flat);
                    for (path, name) in flat {
                        let Some(absolute) = absolute(&path, module, &children) else {
                            // A name bound from another crate is this
                            // module's to hand on (`pub use dep::Error`).
                            if let Some(name) = name {
                                self.defined
                                    .entry(module.to_vec())
                                    .or_default()
                                    .insert(name);
                            }
                            continue;
                        };
                        if name.is_none() {
                            self.globs
                                .entry(module.to_vec())
                                .or_default()
                                .push(absolute.clone());
                        }
                        if let Some(name) = name {
                            self.reexports
                                .entry(module.to_vec())
                                .or_default()
                                .insert(name, absolute.clone());
                        }
                        self.uses.entry(module.to_vec()).or_default().push(absolute);
                    }
                }
                syn::Item::Mod(m) => {
                    let mut child = module.to_vec();
                    child.push(m.ident.to_string());
                    if let Some((_, inline)) = &m.content {
                        // An inline module (`mod tests { use super::*; }`)
                        // lives in this file; its imports are this file's.
                        self.read_items(inline, &child, &dir.join(m.ident.to_string()), None)?;
                    } else if let Some(path) = path_attribute(&m.attrs) {
                        let base = here.unwrap_or(dir);
                        self.read_file(&without_dot_dot(&base.join(path)), child, ChildDir::Named)?;
                    } else {
                        let flat = dir.join(format!("{}.rs", m.ident));
                        if flat.is_file() {
                            self.read_file(&flat, child, ChildDir::Named)?;
                        } else {
                            let nested = dir.join(m.ident.to_string()).join("mod.rs");
                            self.read_file(&nested, child, ChildDir::Beside)?;
                        }
                    }
                }
                other => {
                    // A path written in place is an import too: a file
                    // calling `crate::a::f()` depends on `a` as much as one
                    // writing `use crate::a::f;`. Resolved once every `use`
                    // of the module is known.
                    let mut written = InPlace::default();
                    syn::visit::Visit::visit_item(&mut written, other);
                    pending.push(written);
                }
            }
        }
        for written in pending {
            let found = self.resolve_written(written, module, &children);
            self.uses.entry(module.to_vec()).or_default().extend(found);
        }
        Ok(())
    }

    /// The absolute paths of what an item writes in place: its own `use`
    /// lines (inside a function), and its paths that start at this crate
    /// (`crate::`, `super::`, `self::`), at a child module (`scenarios::run`
    /// after `mod scenarios;`) or at a name a `use` binds, the module's or
    /// the item's own (`b::inner::g` after `use crate::b;`).
    fn resolve_written(
        &self,
        written: InPlace,
        module: &[String],
        children: &BTreeSet<String>,
    ) -> Vec<Vec<String>> {
        let mut found = Vec::new();
        let mut local: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (path, name) in written.uses {
            if let Some(absolute) = absolute(&path, module, children) {
                if let Some(name) = name {
                    local.insert(name, absolute.clone());
                }
                found.push(absolute);
            }
        }
        let bound = self.reexports.get(module);
        for path in written.paths {
            let through_binding = || {
                let (first, rest) = path.split_first()?;
                let target = local
                    .get(first)
                    .or_else(|| bound.and_then(|b| b.get(first)))?;
                let mut full = target.clone();
                full.extend(rest.iter().cloned());
                Some(full)
            };
            if let Some(absolute) = absolute(&path, module, children).or_else(through_binding) {
                found.push(absolute);
            }
        }
        found
    }
}

/// What an item writes in place: its paths of more than one segment, in
/// its code or in a macro's arguments (which of them lead into this crate
/// is decided by [`Crate::resolve_written`]), and the `use` lines inside it
/// (in a function body), each leaf with the name it binds.
#[derive(Default)]
struct InPlace {
    paths: Vec<Vec<String>>,
    uses: Vec<(Vec<String>, Option<String>)>,
}

impl<'ast> syn::visit::Visit<'ast> for InPlace {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.len() > 1 {
            self.paths.push(segments);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        flatten(&item.tree, Vec::new(), &mut self.uses);
    }

    /// A macro's arguments, when they read as expressions (`format!`,
    /// `matches!`, `assert_eq!`, `vec!`): their paths are written in place
    /// too. Code quoted for another crate (`quote!`, `parse_quote!`) is not.
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = mac.path.segments.last().map(|s| s.ident.to_string());
        let quoted = matches!(
            name.as_deref(),
            Some("quote" | "quote_spanned" | "parse_quote" | "parse_quote_spanned")
        );
        if !quoted {
            let args = mac.parse_body_with(
                syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
            );
            if let Ok(args) = args {
                for arg in &args {
                    self.visit_expr(arg);
                }
            }
        }
        syn::visit::visit_macro(self, mac);
    }
}

/// Where a file's `mod child;` files are: beside it (`lib.rs`, `main.rs`,
/// `mod.rs`) or in a folder named after it (`a.rs` -> `a/child.rs`).
#[derive(Clone, Copy)]
enum ChildDir {
    Beside,
    Named,
}

/// `path` with each `..` folded into the folder before it
/// (`src/gen/../../build/a.rs` is `build/a.rs`), so that a file is named
/// as a reader would look for it.
fn without_dot_dot(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| {
        if !a.path().is_ident("path") {
            return None;
        }
        match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        }
    })
}

/// Each leaf of a use tree as its path, with the name it binds (none for a
/// glob).
fn flatten(tree: &syn::UseTree, prefix: Vec<String>, out: &mut Vec<(Vec<String>, Option<String>)>) {
    let with = |segment: String| {
        let mut p = prefix.clone();
        p.push(segment);
        p
    };
    match tree {
        syn::UseTree::Path(p) => flatten(&p.tree, with(p.ident.to_string()), out),
        syn::UseTree::Name(n) if n.ident == "self" => {
            let name = prefix.last().cloned();
            out.push((prefix, name));
        }
        syn::UseTree::Name(n) => out.push((with(n.ident.to_string()), Some(n.ident.to_string()))),
        syn::UseTree::Rename(r) => {
            out.push((with(r.ident.to_string()), Some(r.rename.to_string())))
        }
        syn::UseTree::Glob(_) => out.push((prefix, None)),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                flatten(t, prefix.clone(), out);
            }
        }
    }
}

/// A use path made absolute from the module it is written in; `None` when
/// it names another crate.
fn absolute(
    path: &[String],
    module: &[String],
    children: &BTreeSet<String>,
) -> Option<Vec<String>> {
    let first = path.first()?;
    let mut base: Vec<String>;
    let rest: &[String];
    match first.as_str() {
        "crate" => {
            base = Vec::new();
            rest = &path[1..];
        }
        "self" => {
            base = module.to_vec();
            rest = &path[1..];
        }
        "super" => {
            base = module.to_vec();
            let mut i = 0;
            while path.get(i).is_some_and(|s| s == "super") {
                base.pop();
                i += 1;
            }
            rest = &path[i..];
        }
        name if children.contains(name) => {
            base = module.to_vec();
            rest = path;
        }
        _ => return None,
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

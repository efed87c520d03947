//! The shape of the workspace (docs/ARCHITECTURE.md): each crate's top-level modules form no
//! pair that imports each other (`crate::a` in `b` and `crate::b` in `a`), and each layer
//! depends only on the layers below it. Read from the sources, so a change that breaks the
//! shape fails here rather than in review.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without its comments (line comments and doc comments).
fn code(text: &str) -> String {
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
    &s[..end]
}

/// The top-level modules each file's code names with `crate::` (also inside `crate::{..}`).
fn references(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            for part in inner.split(',') {
                out.insert(ident(part.trim()).to_owned());
            }
        } else {
            out.insert(ident(rest).to_owned());
        }
    }
    out
}

/// Module → the other top-level modules of the same crate it imports.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let rel = f.strip_prefix(src).unwrap();
        let top = rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_owned();
        if top == "lib" || top == "main" {
            continue;
        }
        let refs = references(&code(&std::fs::read_to_string(f).unwrap()));
        g.entry(top.clone()).or_default().extend(refs.into_iter().filter(|r| *r != top));
    }
    let names: BTreeSet<String> = g.keys().cloned().collect();
    for deps in g.values_mut() {
        deps.retain(|d| names.contains(d));
    }
    g
}

#[test]
fn no_two_modules_of_a_crate_import_each_other() {
    let mut found = Vec::new();
    for krate in ["motcua-domain", "motcua-edxml", "motcua-store", "motcua-app", "motcua-web", "motcua"] {
        let g = graph(&workspace().join("crates").join(krate).join("src"));
        assert!(g.len() > 2, "{krate}: no modules read");
        for (a, deps) in &g {
            for b in deps {
                if a < b && g.get(b).is_some_and(|d| d.contains(a)) {
                    found.push(format!("{krate}: {a} ⇄ {b}"));
                }
            }
        }
    }
    assert!(found.is_empty(), "modules importing each other:\n{}", found.join("\n"));
}

#[test]
fn the_reader_finds_imports_in_paths_and_groups() {
    let c = code("use crate::a::X;\nuse crate::{b, c::Y};\n// crate::d\nlet x = crate::e::f();");
    assert_eq!(references(&c), ["a", "b", "c", "e"].into_iter().map(String::from).collect());
}

/// The `[dependencies]` section of a crate's manifest.
fn dependencies(krate: &str) -> String {
    let toml = std::fs::read_to_string(workspace().join("crates").join(krate).join("Cargo.toml")).unwrap();
    let start = toml.find("[dependencies]").map_or(0, |i| i + "[dependencies]".len());
    let rest = &toml[start..];
    rest[..rest.find("\n[").unwrap_or(rest.len())].to_owned()
}

#[test]
fn each_layer_depends_only_on_the_layers_below() {
    let names = |krate: &str| -> BTreeSet<String> {
        dependencies(krate)
            .lines()
            .filter_map(|l| l.split(['=', '.']).next())
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty() && !n.starts_with('#'))
            .collect()
    };
    let domain = names("motcua-domain");
    for io in ["tokio", "sqlx", "axum", "hyper"] {
        assert!(!domain.contains(io), "the domain is pure: no {io}");
    }
    let store = names("motcua-store");
    assert!(!store.contains("motcua-app") && !store.contains("motcua-web") && !store.contains("axum"));
    let app = names("motcua-app");
    assert!(app.contains("motcua-store") && app.contains("motcua-domain"));
    for web in ["motcua-web", "axum", "askama", "tower", "tower-http"] {
        assert!(!app.contains(web), "the application layer knows no web framework: {web}");
    }
    let web = names("motcua-web");
    assert!(web.contains("motcua-app"), "the web adapters call the application layer");
}

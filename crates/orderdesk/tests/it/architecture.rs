//! Checks the architecture rules of ARCHITECTURE.md against the real workspace:
//! crate dependencies point inward only, and every source file says what it is for.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The allowed dependencies, from the `text` block after "Allowed dependencies" in ARCHITECTURE.md.
fn allowed() -> BTreeMap<String, BTreeSet<String>> {
    let doc = std::fs::read_to_string(workspace_root().join("ARCHITECTURE.md")).unwrap();
    let section = doc
        .split("Allowed dependencies")
        .nth(1)
        .expect("ARCHITECTURE.md has an 'Allowed dependencies' section");
    let block = section.split("```text").nth(1).unwrap().split("```").next().unwrap();
    block
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (name, deps) = l.split_once(':').expect("`crate: dep dep` lines");
            (
                name.trim().to_owned(),
                deps.split_whitespace().map(str::to_owned).collect(),
            )
        })
        .collect()
}

/// Each workspace crate's normal (non-dev) dependencies on other workspace crates.
fn actual() -> BTreeMap<String, BTreeSet<String>> {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1", "--offline"])
        .current_dir(workspace_root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    let members: BTreeSet<String> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null() && members.contains(d["name"].as_str().unwrap()))
                .map(|d| d["name"].as_str().unwrap().to_owned())
                .collect();
            (p["name"].as_str().unwrap().to_owned(), deps)
        })
        .collect()
}

#[test]
fn dependencies_point_inward_only() {
    let allowed = allowed();
    let actual = actual();
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        allowed.keys().collect::<Vec<_>>(),
        "every crate is listed in ARCHITECTURE.md and every listed crate exists"
    );
    for (name, deps) in &actual {
        let extra: Vec<_> = deps.difference(&allowed[name]).collect();
        assert!(
            extra.is_empty(),
            "{name} depends on {extra:?}, which ARCHITECTURE.md does not allow"
        );
    }
    assert!(allowed["domain"].is_empty(), "the domain depends on nothing");
}

#[test]
fn every_source_file_says_what_it_is_for() {
    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    for krate in std::fs::read_dir(workspace_root().join("crates")).unwrap() {
        let krate = krate.unwrap().path();
        for sub in ["src", "tests"] {
            if krate.join(sub).is_dir() {
                rust_files(&krate.join(sub), &mut files);
            }
        }
    }
    let missing: Vec<_> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().starts_with("//!"))
        .collect();
    assert!(missing.is_empty(), "files without a //! doc line: {missing:?}");
}

#[test]
fn the_domain_stays_pure() {
    let manifest = std::fs::read_to_string(workspace_root().join("crates/domain/Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("[dev-dependencies]")
        .next()
        .unwrap();
    for forbidden in ["sqlx", "tokio", "axum", "reqwest", "csv", "calamine"] {
        assert!(!deps.contains(forbidden), "domain must not depend on {forbidden}");
    }
    // serde only as the optional feature that names the contract's enums (ARCHITECTURE.md).
    for line in deps.lines().filter(|l| l.contains("serde")) {
        assert!(
            line.contains("optional = true"),
            "domain's serde must be optional: {line}"
        );
    }
    let default = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("default"))
        .unwrap_or_default();
    assert!(
        !default.contains("serde"),
        "serde must not be a default feature of domain"
    );
}

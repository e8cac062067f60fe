//! Golden files: every fixture under `crates/*/tests/fixtures` beside the
//! Document JSON it reads as and the extraction JSON it drafts to (against the
//! demo company as of a fixed day), kept in `crates/app/tests/golden/`. A change
//! to either fails here; when the change is meant,
//! `UPDATE_GOLDEN=1 cargo test -p app --test it golden` rewrites them and the
//! diff is reviewed.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// Files above this size are covered by their own tests, not by golden files.
const MAX_GOLDEN_INPUT: u64 = 1 << 20;

fn fixtures(workspace: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for krate in std::fs::read_dir(workspace.join("crates")).unwrap() {
        let root = krate.unwrap().path().join("tests/fixtures");
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for entry in entries {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                if path.is_dir() {
                    dirs.push(path);
                } else if !(name.starts_with("LICENSE") || name.starts_with("SOURCE") || name.ends_with(".json"))
                    && path.metadata().unwrap().len() <= MAX_GOLDEN_INPUT
                {
                    let crate_name = root.parent().unwrap().parent().unwrap().file_name().unwrap();
                    let relative = path.strip_prefix(&root).unwrap();
                    out.push((format!("{}/{}", crate_name.to_string_lossy(), relative.display()), path));
                }
            }
        }
    }
    out.sort();
    out
}

/// Compares `actual` with the golden file, or writes it under `UPDATE_GOLDEN=1`.
fn check_golden(golden: &Path, actual: &str) -> Result<(), String> {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(golden, actual).unwrap();
        return Ok(());
    }
    match std::fs::read_to_string(golden) {
        Ok(expected) if expected == actual => Ok(()),
        Ok(expected) => {
            let line = expected
                .lines()
                .zip(actual.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(expected.lines().count().min(actual.lines().count()));
            Err(format!(
                "{} differs from line {}: expected {:?}, got {:?}",
                golden.display(),
                line + 1,
                expected.lines().nth(line).unwrap_or(""),
                actual.lines().nth(line).unwrap_or("")
            ))
        }
        Err(_) => Err(format!("{} is missing", golden.display())),
    }
}

#[tokio::test]
async fn every_fixture_reads_and_drafts_as_its_golden_files() {
    let app_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = app_dir.parent().unwrap().parent().unwrap();
    // The demo company as of a fixed day, so prices, stock and dates do not move.
    let day = jiff::civil::date(2026, 11, 20);
    let t = tooling::testing::fresh_sqlite().await;
    tooling::demo::load(&t.store, tooling::demo::DEFAULT_SEED, day)
        .await
        .unwrap();
    let cache = app::draft::CatalogCache::default();
    let catalog = cache.get(&t.store, Duration::from_secs(3600)).await.unwrap();
    let catalog = catalog.read().unwrap();
    let settings = app::config::ExtractionSettings::default();

    let files = fixtures(workspace);
    assert!(files.len() >= 19, "{} fixtures", files.len());
    let mut problems = Vec::new();
    for (name, path) in &files {
        let bytes = std::fs::read(path).unwrap();
        let documents = document::parse_file(&bytes, path.file_name().and_then(|n| n.to_str()));
        let json = serde_json::to_string_pretty(&documents).unwrap() + "\n";
        let golden = app_dir.join("tests/golden").join(format!("{name}.document.json"));
        problems.extend(check_golden(&golden, &json).err());

        let drafts: Vec<app::draft::Draft> = match app::draft::order_groups(&documents) {
            None => vec![app::draft::make_draft(
                &documents,
                &extract::classify(&documents),
                &[],
                &catalog,
                &settings,
                day,
            )],
            Some(groups) => groups
                .iter()
                .map(|(_, docs)| app::draft::make_draft(docs, &extract::classify(docs), &[], &catalog, &settings, day))
                .collect(),
        };
        let json = serde_json::to_string_pretty(&drafts).unwrap() + "\n";
        let golden = app_dir.join("tests/golden").join(format!("{name}.extraction.json"));
        problems.extend(check_golden(&golden, &json).err());
    }
    assert!(
        problems.is_empty(),
        "{}\n(when the change is meant: UPDATE_GOLDEN=1 cargo test -p app --test it golden)",
        problems.join("\n")
    );
}

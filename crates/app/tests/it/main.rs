//! Use-case tests against real databases: SQLite always, PostgreSQL when the
//! test script has started one.

mod demo;
mod drafting;
mod export;
mod golden;
mod import;
mod intake;
mod mailbox;
mod review;
mod saved_catalog;

use std::path::{Path, PathBuf};

/// Writes `content` to `name` in `dir` and returns the path.
pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

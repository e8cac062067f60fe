//! Use-case tests against real databases: SQLite always, PostgreSQL when the
//! test script has started one.

mod confirmation;
mod demo;
mod drafting;
mod erp_outbox;
mod erp_tryton;
mod export;
mod golden;
mod import;
mod inquiry;
mod intake;
mod kpi;
mod mailbox;
mod outbound;
mod quotes;
mod review;
mod saved_catalog;
mod sla;

use std::path::{Path, PathBuf};

/// Imports `csv` as master data of kind `entity`, all or nothing, as a test actor.
pub async fn import(store: &store::Store, entity: masterdata::Entity, csv: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "import.csv", csv);
    app::import::import_file(
        store,
        entity,
        &path,
        &app::Config::default().import,
        None,
        domain::event::Actor::System("test".into()),
    )
    .await
    .unwrap();
}

/// Writes `content` to `name` in `dir` and returns the path.
pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

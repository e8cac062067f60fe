//! Fresh, empty stores for tests: SQLite in a temporary directory, and a new
//! database on the PostgreSQL server named by `ORDERDESK_TEST_POSTGRES_URL`
//! (the test script starts one). With `CI` set, a missing PostgreSQL is an
//! error rather than a skipped backend, so CI cannot pass on SQLite alone.

use std::sync::atomic::{AtomicU32, Ordering};

use store::{Backend, Store};

/// A store for one test; keeps its temporary directory alive.
pub struct TestStore {
    pub store: Store,
    pub backend: Backend,
    pub url: String,
    _dir: tempfile::TempDir,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The PostgreSQL server for tests, if any.
pub fn postgres_url() -> Option<String> {
    match std::env::var("ORDERDESK_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "ORDERDESK_TEST_POSTGRES_URL is not set: run the tests with scripts/test, which starts PostgreSQL"
            );
            eprintln!(
                "note: ORDERDESK_TEST_POSTGRES_URL is not set; PostgreSQL tests are skipped (scripts/test sets it)"
            );
            None
        }
    }
}

/// One fresh store per available backend: SQLite always, PostgreSQL when configured.
pub async fn fresh_stores() -> Vec<TestStore> {
    let mut stores = vec![fresh_sqlite().await];
    if let Some(url) = postgres_url() {
        stores.push(fresh_postgres(&url).await);
    }
    stores
}

pub async fn fresh_sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/orderdesk.db", dir.path().display());
    let store = Store::open(&url, Some(&dir.path().join("blobs")))
        .await
        .expect("open SQLite");
    TestStore {
        store,
        backend: Backend::Sqlite,
        url,
        _dir: dir,
    }
}

/// Creates a new database on the server and opens it.
pub async fn fresh_postgres(admin_url: &str) -> TestStore {
    use sqlx::Connection;
    let name = format!(
        "orderdesk_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        jiff::Timestamp::now().as_millisecond() % 1_000_000
    );
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to the test PostgreSQL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create test database");
    admin.close().await.ok();
    let (base, _) = admin_url.rsplit_once('/').expect("a PostgreSQL URL ends in /DATABASE");
    let url = format!("{base}/{name}");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&url, Some(&dir.path().join("blobs")))
        .await
        .expect("open PostgreSQL");
    TestStore {
        store,
        backend: Backend::Postgres,
        url,
        _dir: dir,
    }
}

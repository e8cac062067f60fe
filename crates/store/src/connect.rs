//! Opening the database, running migrations and transactions.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};

use crate::blobs::BlobStore;
use crate::error::StoreError;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }

    /// Null-safe "differs" operator.
    pub(crate) fn distinct(self) -> &'static str {
        match self {
            Backend::Sqlite => "IS NOT",
            Backend::Postgres => "IS DISTINCT FROM",
        }
    }

    /// Case-insensitive LIKE.
    pub(crate) fn ilike(self) -> &'static str {
        match self {
            Backend::Sqlite => "LIKE",
            Backend::Postgres => "ILIKE",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The URL with any password replaced, safe for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The database and the blob store of one Orderdesk installation.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    blobs: BlobStore,
}

/// A database transaction; dropped without [`StoreTx::commit`] it rolls back.
pub struct StoreTx {
    pub(crate) tx: Transaction<'static, Any>,
    pub(crate) backend: Backend,
}

impl StoreTx {
    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }
    pub async fn rollback(self) -> Result<(), StoreError> {
        Ok(self.tx.rollback().await?)
    }
}

/// Where SQLite keeps its file, for a `sqlite://PATH` URL (`None` for `:memory:`).
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

impl Store {
    /// Opens (creating if needed) the database at `url` and runs pending migrations.
    /// Blobs go to `blob_dir`, or beside the SQLite file, or `./data/blobs`.
    pub async fn open(url: &str, blob_dir: Option<&Path>) -> Result<Store, StoreError> {
        let store = Self::connect(url, blob_dir).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without migrating.
    pub async fn connect(url: &str, blob_dir: Option<&Path>) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let mut url = url.to_owned();
        let mut default_blobs = PathBuf::from("data/blobs");
        if backend == Backend::Sqlite
            && let Some(path) = sqlite_path(&url)
        {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                path: dir.to_owned(),
                source,
            })?;
            default_blobs = dir.join("blobs");
            if !url.contains("mode=") {
                url.push(if url.contains('?') { '&' } else { '?' });
                url.push_str("mode=rwc");
            }
        }
        let options = AnyConnectOptions::from_str(&url).map_err(|source| StoreError::Connect {
            url: redact(&url),
            source,
        })?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers go on while an import writes; NORMAL
                        // sync is durable across process crashes in WAL mode.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Connect {
                url: redact(&url),
                source,
            })?;
        let blobs = BlobStore::new(blob_dir.map(Path::to_owned).unwrap_or(default_blobs));
        Ok(Store { pool, backend, blobs })
    }

    /// Applies pending migrations of this backend's dialect.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`, waiting up to the busy timeout): a deferred
    /// transaction that reads first and writes later fails with "database is
    /// locked" when another writer came in between, and no wait helps then.
    pub async fn begin(&self) -> Result<StoreTx, StoreError> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(StoreTx {
            tx,
            backend: self.backend,
        })
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://od:secret@127.0.0.1:5432/od"),
            "postgres://od:***@127.0.0.1:5432/od"
        );
        assert_eq!(redact("sqlite://./data/orderdesk.db"), "sqlite://./data/orderdesk.db");
        assert!(matches!(
            Backend::from_url("mysql://x"),
            Err(StoreError::UnsupportedUrl(_))
        ));
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite://./data/o.db?mode=rwc"),
            Some(PathBuf::from("./data/o.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}

//! The store's error type.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("cannot open the database {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("migrating the database schema failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored {table} row {key} is invalid: {message}")]
    Corrupt {
        table: &'static str,
        key: String,
        message: String,
    },
    #[error("blob store {path}: {source}")]
    Blob { path: PathBuf, source: std::io::Error },
}

impl StoreError {
    /// The database is busy with another writer (SQLite's lock) or has no free
    /// connection: the same request may well succeed a moment later.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::PoolTimedOut) => true,
            StoreError::Database(sqlx::Error::Database(db)) => {
                matches!(db.code().as_deref(), Some("5" | "6" | "517" | "261" | "262"))
                    || db.message().contains("database is locked")
            }
            _ => false,
        }
    }
}

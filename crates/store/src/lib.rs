//! The store: the only crate that knows SQL.
//!
//! One [`Store`] serves both databases Orderdesk supports: SQLite (the
//! embedded default, a file under `./data` in WAL mode) and PostgreSQL (for
//! several instances sharing one database). Both go through sqlx's `Any`
//! driver with the same SQL; where the dialects differ (`IS NOT` vs
//! `IS DISTINCT FROM`, `LIKE` vs `ILIKE`) [`Backend`] says which to write.
//! Migrations are embedded, one directory per dialect.
//!
//! Raw files live in a content-addressed [`blobs::BlobStore`] beside the database.

pub mod blobs;
#[cfg(feature = "bulk")]
pub mod bulk;
mod columns;
mod connect;
pub mod drafts;
pub mod erp;
mod error;
pub mod events;
pub mod inbox;
pub mod intake;
pub mod kpi;
pub mod master;
pub mod orders;
pub mod outbound;
pub mod quotes;
pub mod settings;
pub mod users;

pub use connect::{Backend, Store, StoreTx, redact};
pub use error::StoreError;
pub use events::timestamp_text;

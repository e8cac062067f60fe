//! Master data files in the import formats of the data contract (docs/import-formats.md).
//!
//! Sans-IO in spirit: readers take any `Read` (or bytes for XLSX) and yield
//! raw rows; [`parse_row`] turns one row into a validated domain [`Record`] or
//! the list of everything wrong with it, each error naming line and column.
//! Checks that need the database (does this customer exist?) happen in `app`.
//! [`write_csv`] writes records back in the same format with a stable layout.

mod columns;
mod export;
mod reader;
mod row;

pub use columns::{Column, Entity};
pub use export::{CsvExporter, ExportError, write_csv};
pub use reader::{FileError, Header, RawRow, SheetReader};
pub use row::{Record, RowError, parse_row};

//! Reading typed values out of rows: names the program knows and timestamps.
//! A value the program cannot read is a corrupt row, named with its table and key.

use jiff::Timestamp;
use rust_decimal::Decimal;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::StoreError;

/// The row being read, for errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At {
    pub table: &'static str,
    pub id: i64,
}

impl At {
    pub fn corrupt(self, column: usize, raw: &str, what: &str) -> StoreError {
        StoreError::Corrupt {
            table: self.table,
            key: self.id.to_string(),
            message: format!("column {column}: '{raw}' is not {what}"),
        }
    }

    /// A stored name read back as its type.
    pub fn named<T>(self, row: &AnyRow, column: usize, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
        let raw: String = row.try_get(column)?;
        parse(&raw).ok_or_else(|| self.corrupt(column, &raw, "a known value"))
    }

    pub fn timestamp(self, row: &AnyRow, column: usize) -> Result<Timestamp, StoreError> {
        let raw: String = row.try_get(column)?;
        raw.parse().map_err(|_| self.corrupt(column, &raw, "a timestamp"))
    }

    pub fn optional_timestamp(self, row: &AnyRow, column: usize) -> Result<Option<Timestamp>, StoreError> {
        match row.try_get::<Option<String>, _>(column)? {
            None => Ok(None),
            Some(_) => self.timestamp(row, column).map(Some),
        }
    }

    pub fn optional_decimal(self, row: &AnyRow, column: usize) -> Result<Option<Decimal>, StoreError> {
        match row.try_get::<Option<String>, _>(column)? {
            None => Ok(None),
            Some(raw) => raw
                .parse()
                .map(Some)
                .map_err(|_| self.corrupt(column, &raw, "a decimal")),
        }
    }
}

//! Master data export: the store back to CSV in the import format.
//!
//! Rows come in natural-key order, so two exports of unchanged data are
//! byte-identical, and an export re-imports as "all unchanged".

use std::io::Write;

use masterdata::{CsvExporter, Entity, ExportError, Record};
use store::master::{self, MasterTable};
use store::{Store, StoreError};

use crate::import::table_of;

#[derive(Debug, thiserror::Error)]
pub enum ExportFailure {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] ExportError),
}

const PAGE: i64 = 5_000;

/// Writes every stored record of `entity` to `out`; returns how many.
pub async fn export<W: Write>(store: &Store, entity: Entity, out: W) -> Result<u64, ExportFailure> {
    let mut exporter = CsvExporter::new(entity, out)?;
    let mut failure: Option<ExportError> = None;
    let mut write_page = |records: Vec<Record>| {
        for r in &records {
            if let Err(e) = exporter.write(r) {
                failure.get_or_insert(e);
            }
        }
        Ok(())
    };
    let table = table_of(entity);
    match table {
        MasterTable::Products => {
            store
                .for_each_page(table, PAGE, master::decode_product, |p| {
                    write_page(p.into_iter().map(Record::Product).collect())
                })
                .await?
        }
        MasterTable::Customers => {
            store
                .for_each_page(table, PAGE, master::decode_customer, |p| {
                    write_page(p.into_iter().map(Record::Customer).collect())
                })
                .await?
        }
        MasterTable::Addresses => {
            store
                .for_each_page(table, PAGE, master::decode_address, |p| {
                    write_page(p.into_iter().map(Record::Address).collect())
                })
                .await?
        }
        MasterTable::Prices => {
            store
                .for_each_page(table, PAGE, master::decode_price, |p| {
                    write_page(p.into_iter().map(Record::Price).collect())
                })
                .await?
        }
        MasterTable::CustomerItems => {
            store
                .for_each_page(table, PAGE, master::decode_customer_item, |p| {
                    write_page(p.into_iter().map(Record::CustomerItem).collect())
                })
                .await?
        }
        MasterTable::Stock => {
            store
                .for_each_page(table, PAGE, master::decode_stock, |p| {
                    write_page(p.into_iter().map(Record::Stock).collect())
                })
                .await?
        }
    }
    if let Some(e) = failure {
        return Err(e.into());
    }
    Ok(exporter.finish()?)
}

//! Master data import: a file (or generated records) into the store, all or nothing.
//!
//! Reading and checking run on a blocking thread and hand batches of rows to
//! the database writer over a bounded channel, so parsing and writing overlap
//! on two cores and memory stays flat however large the file. Everything is
//! written in one transaction; the first bad row stops the writing, the
//! reading goes on to report every bad row, and the transaction is rolled back.
//! Rows are upserted by natural key; columns absent from the file keep their
//! stored values; rows that would not change are not touched, so importing the
//! same file twice changes nothing.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use domain::event::{Actor, Event, FieldChange};
use masterdata::{Entity, FileError, Record, RowError, SheetReader, parse_row};
use store::master::{self, MasterTable, SqlValue};
use store::{Store, StoreError};

use crate::config::ImportSettings;

/// At most this many row errors are kept for the report; the count goes on.
const MAX_REPORTED_ERRORS: usize = 10_000;

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} rows: {} created, {} updated, {} unchanged",
            self.rows, self.created, self.updated, self.unchanged
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: cannot read the file: {source}", path.display())]
    Open { path: PathBuf, source: std::io::Error },
    #[error("{}: the file is {size} bytes, more than the import limit of {limit} bytes (setting import.max_file_bytes); nothing was imported", path.display())]
    TooLarge { path: PathBuf, size: u64, limit: u64 },
    #[error("{}: {source}; nothing was imported", path.display())]
    File { path: PathBuf, source: FileError },
    #[error("{}: {count} bad row(s), nothing was imported", path.display())]
    Rejected {
        path: PathBuf,
        errors: Vec<RowError>,
        count: u64,
    },
    #[error("{}: {source}; nothing was imported", path.display())]
    Store { path: PathBuf, source: StoreError },
    #[error("{}: the import stopped unexpectedly ({message}); nothing was imported", path.display())]
    Internal { path: PathBuf, message: String },
}

/// Counts bytes read, for a progress bar.
pub type Progress = Arc<AtomicU64>;

struct CountingReader<R> {
    inner: R,
    progress: Progress,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

pub fn table_of(entity: Entity) -> MasterTable {
    match entity {
        Entity::Products => MasterTable::Products,
        Entity::Customers => MasterTable::Customers,
        Entity::Addresses => MasterTable::Addresses,
        Entity::Prices => MasterTable::Prices,
        Entity::CustomerItems => MasterTable::CustomerItems,
        Entity::Stock => MasterTable::Stock,
    }
}

fn values_of(record: &Record) -> Vec<SqlValue> {
    match record {
        Record::Product(p) => master::product_values(p),
        Record::Customer(c) => master::customer_values(c),
        Record::Address(a) => master::address_values(a),
        Record::Price(p) => master::price_values(p),
        Record::CustomerItem(i) => master::customer_item_values(i),
        Record::Stock(s) => master::stock_values(s),
    }
}

/// Whether the bytes look like a spreadsheet (ZIP: XLSX/ODS; OLE: XLS) rather than CSV.
fn is_spreadsheet(path: &Path, head: &[u8]) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
        || head.starts_with(b"PK\x03\x04")
        || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// One row as read: its line and the record or what is wrong with it.
type ParsedRow = (u64, Result<Record, Vec<RowError>>);

/// The rows an import reads, already parsed, with the columns they carry.
struct Source {
    present: Vec<&'static str>,
    rows: Box<dyn Iterator<Item = ParsedRow> + Send>,
}

fn file_source(entity: Entity, path: &Path, progress: Option<Progress>) -> Result<Source, ImportError> {
    let open_err = |source| ImportError::Open {
        path: path.to_owned(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(open_err)?;
    let mut head = [0u8; 8];
    let n = file.read(&mut head).map_err(open_err)?;
    let file_err = |source| ImportError::File {
        path: path.to_owned(),
        source,
    };
    let reader = if is_spreadsheet(path, &head[..n]) {
        let bytes = std::fs::read(path).map_err(open_err)?;
        if let Some(p) = &progress {
            p.store(bytes.len() as u64, Ordering::Relaxed);
        }
        SheetReader::spreadsheet(entity, bytes).map_err(file_err)?
    } else {
        let file = std::fs::File::open(path).map_err(open_err)?;
        let buffered = std::io::BufReader::with_capacity(1 << 20, file);
        let progress = progress.unwrap_or_default();
        SheetReader::csv(
            entity,
            CountingReader {
                inner: buffered,
                progress,
            },
        )
        .map_err(file_err)?
    };
    Ok(sheet_source(reader))
}

/// The rows of an open sheet, parsed, with the columns its header names.
fn sheet_source(reader: SheetReader) -> Source {
    let header = reader.header().clone();
    let present = header.present_columns();
    let rows = reader.map(move |row| match row {
        Ok(raw) => (raw.line, parse_row(&header, &raw)),
        Err(e) => (e.line, Err(vec![e])),
    });
    Source {
        present,
        rows: Box::new(rows),
    }
}

/// Stored keys the rows of an entity must refer to.
#[derive(Default)]
struct References {
    products: Option<HashSet<String>>,
    customers: Option<HashSet<String>>,
}

impl References {
    async fn load(store: &Store, entity: Entity) -> Result<References, StoreError> {
        let needs_products = matches!(entity, Entity::Prices | Entity::CustomerItems | Entity::Stock);
        let needs_customers = matches!(entity, Entity::Addresses | Entity::Prices | Entity::CustomerItems);
        Ok(References {
            products: if needs_products {
                Some(store.master_keys(MasterTable::Products).await?)
            } else {
                None
            },
            customers: if needs_customers {
                Some(store.master_keys(MasterTable::Customers).await?)
            } else {
                None
            },
        })
    }

    fn check(&self, line: u64, record: &Record) -> Vec<RowError> {
        let mut errors = Vec::new();
        let mut product = |sku: &str| {
            if self.products.as_ref().is_some_and(|known| !known.contains(sku)) {
                errors.push(RowError {
                    line,
                    column: Some("sku".into()),
                    message: format!("unknown product '{sku}': import it with `orderdesk import products` first"),
                });
            }
        };
        match record {
            Record::Price(p) => product(p.sku.as_str()),
            Record::CustomerItem(i) => {
                if let Some(sku) = &i.sku {
                    product(sku.as_str());
                }
            }
            Record::Stock(s) => product(s.sku.as_str()),
            _ => {}
        }
        let customer = match record {
            Record::Address(a) => Some(&a.customer_no),
            Record::Price(p) => p.customer_no.as_ref(),
            Record::CustomerItem(i) => Some(&i.customer_no),
            _ => None,
        };
        if let Some(no) = customer
            && self
                .customers
                .as_ref()
                .is_some_and(|known| !known.contains(no.as_str()))
        {
            errors.push(RowError {
                line,
                column: Some("customer_no".into()),
                message: format!("unknown customer '{no}': import it with `orderdesk import customers` first"),
            });
        }
        errors
    }
}

struct Batch {
    rows: Vec<Vec<SqlValue>>,
    created: u64,
}

#[derive(Default)]
struct ReadOutcome {
    rows: u64,
    errors: Vec<RowError>,
    error_count: u64,
}

impl ReadOutcome {
    fn fail(&mut self, errors: Vec<RowError>) {
        self.error_count += errors.len() as u64;
        let room = MAX_REPORTED_ERRORS.saturating_sub(self.errors.len());
        self.errors.extend(errors.into_iter().take(room));
    }
}

/// Reads, checks and batches rows; runs on a blocking thread.
fn read_rows(
    entity: Entity,
    source: Source,
    existing: HashSet<String>,
    references: References,
    sender: tokio::sync::mpsc::Sender<Batch>,
) -> ReadOutcome {
    let batch_size = table_of(entity).batch_rows();
    let mut outcome = ReadOutcome::default();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut batch = Batch {
        rows: Vec::with_capacity(batch_size),
        created: 0,
    };
    let mut writing = true;
    for (line, parsed) in source.rows {
        outcome.rows += 1;
        let record = match parsed {
            Ok(record) => record,
            Err(errors) => {
                outcome.fail(errors);
                continue;
            }
        };
        let key = record.key();
        let mut errors = references.check(line, &record);
        if let Some(first) = first_line.get(&key) {
            errors.push(RowError {
                line,
                column: None,
                message: format!("the key {} already appears on line {first}", record.describe_key()),
            });
        }
        if !errors.is_empty() {
            outcome.fail(errors);
            continue;
        }
        if outcome.error_count > 0 {
            // Nothing will be written; keep reading only to report every bad row.
            first_line.insert(key, line);
            continue;
        }
        if !existing.contains(&key) {
            batch.created += 1;
        }
        first_line.insert(key, line);
        batch.rows.push(values_of(&record));
        if batch.rows.len() >= batch_size && writing {
            let full = std::mem::replace(
                &mut batch,
                Batch {
                    rows: Vec::with_capacity(batch_size),
                    created: 0,
                },
            );
            writing = sender.blocking_send(full).is_ok();
        }
    }
    if outcome.error_count == 0 && writing && !batch.rows.is_empty() {
        let _ = sender.blocking_send(batch);
    }
    outcome
}

/// Imports a master data file (CSV, XLSX, XLS or ODS).
pub async fn import_file(
    store: &Store,
    entity: Entity,
    path: &Path,
    settings: &ImportSettings,
    progress: Option<Progress>,
    actor: Actor,
) -> Result<ImportSummary, ImportError> {
    let size = std::fs::metadata(path)
        .map_err(|source| ImportError::Open {
            path: path.to_owned(),
            source,
        })?
        .len();
    if size > settings.max_file_bytes {
        return Err(ImportError::TooLarge {
            path: path.to_owned(),
            size,
            limit: settings.max_file_bytes,
        });
    }
    let owned = path.to_owned();
    run(store, entity, path, actor, move || {
        file_source(entity, &owned, progress)
    })
    .await
}

/// Imports CSV made in memory (a pull from the ERP) through the same reader,
/// checks and writer as a file; only the columns in its header are written.
pub async fn import_csv_bytes(
    store: &Store,
    entity: Entity,
    label: &str,
    csv: Vec<u8>,
    actor: Actor,
) -> Result<ImportSummary, ImportError> {
    let path = PathBuf::from(label);
    run(store, entity, Path::new(label), actor, move || {
        let reader =
            SheetReader::csv(entity, std::io::Cursor::new(csv)).map_err(|source| ImportError::File { path, source })?;
        Ok(sheet_source(reader))
    })
    .await
}

/// Imports records made in code (the demo company) through the same checks and writer.
pub async fn import_records(
    store: &Store,
    entity: Entity,
    label: &str,
    records: Vec<Record>,
    actor: Actor,
) -> Result<ImportSummary, ImportError> {
    let present = entity.columns().iter().map(|c| c.name).collect();
    let rows = records.into_iter().enumerate().map(|(i, r)| (i as u64 + 2, Ok(r)));
    let source = Source {
        present,
        rows: Box::new(rows),
    };
    run(store, entity, Path::new(label), actor, move || Ok(source)).await
}

async fn run(
    store: &Store,
    entity: Entity,
    path: &Path,
    actor: Actor,
    open: impl FnOnce() -> Result<Source, ImportError> + Send + 'static,
) -> Result<ImportSummary, ImportError> {
    let store_err = |source| ImportError::Store {
        path: path.to_owned(),
        source,
    };
    let table = table_of(entity);
    let existing = store.master_keys(table).await.map_err(store_err)?;
    let references = References::load(store, entity).await.map_err(store_err)?;
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Batch>(4);
    let (present_tx, present_rx) = tokio::sync::oneshot::channel();
    let reader = tokio::task::spawn_blocking(move || {
        let source = open()?;
        let _ = present_tx.send(source.present.clone());
        Ok::<_, ImportError>(read_rows(entity, source, existing, references, sender))
    });

    let mut tx = store.begin().await.map_err(store_err)?;
    let mut created = 0;
    let mut updated = 0;
    let mut write_error = None;
    if let Ok(present) = present_rx.await {
        while let Some(batch) = receiver.recv().await {
            match tx.upsert_master(table, &present, &batch.rows).await {
                Ok(affected) => {
                    created += batch.created;
                    updated += affected.saturating_sub(batch.created);
                }
                Err(e) => {
                    write_error = Some(e);
                    break;
                }
            }
        }
    }
    drop(receiver);
    let outcome = reader.await.map_err(|e| ImportError::Internal {
        path: path.to_owned(),
        message: e.to_string(),
    })??;
    if let Some(e) = write_error {
        return Err(store_err(e));
    }
    if outcome.error_count > 0 {
        tx.rollback().await.map_err(store_err)?;
        return Err(ImportError::Rejected {
            path: path.to_owned(),
            errors: outcome.errors,
            count: outcome.error_count,
        });
    }
    let summary = ImportSummary {
        rows: outcome.rows,
        created,
        updated,
        unchanged: outcome.rows - created - updated,
    };
    let count = |field: &str, n: u64| FieldChange {
        field: field.into(),
        before: None,
        after: Some(n.to_string()),
    };
    tx.append_event(&Event {
        occurred_at: jiff::Timestamp::now(),
        actor,
        entity_type: "import".into(),
        entity_id: format!("{}:{}", entity.name(), path.display()),
        action: "imported".into(),
        changes: vec![
            count("rows", summary.rows),
            count("created", summary.created),
            count("updated", summary.updated),
            count("unchanged", summary.unchanged),
        ],
    })
    .await
    .map_err(store_err)?;
    tx.commit().await.map_err(store_err)?;
    tracing::info!(entity = entity.name(), file = %path.display(), %summary, "master data imported");
    Ok(summary)
}

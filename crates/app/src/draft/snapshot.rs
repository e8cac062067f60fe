//! The saved catalog: the product index and the master data tables written
//! beside the database, so that a process which drafts one document
//! (`orderdesk extract`, a worker's first draft) opens them in milliseconds
//! instead of reading every price and building the index again.
//!
//! A snapshot is a folder `catalog/<database id>-<generation>` under the data
//! folder (beside the blob store): `index/` (the product search index) and
//! `master.bin` (the master data, postcard). The database raises its master
//! data generation in the transaction of every master data write, so a
//! snapshot is current exactly while its name matches the database's
//! generation; any other is stale and rebuilt on the next load. A snapshot
//! is written into a temporary folder and renamed into place, so a reader
//! never sees half of one; a damaged or unreadable snapshot is rebuilt, never
//! trusted.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use domain::customer::{Customer, ShipToAddress};
use domain::customer_item::CustomerItem;
use domain::pricing::PriceEntry;
use domain::product::Product;
use domain::stock::StockLevel;
use matching::{Catalog, MasterData, RowsBySku, TextIndex};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::master::MasterGeneration;

/// Raised when what a snapshot holds or how it is written changes. A
/// snapshot also names the program build that wrote it ([`program`]): any
/// other build rebuilds it rather than risk misreading its tables.
const FORMAT: u32 = 1;

const DATA_FILE: &str = "master.bin";
const PRICES_FILE: &str = "prices.bin";
const STOCK_FILE: &str = "stock.bin";
const INDEX_DIR: &str = "index";

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("the saved catalog in {path} cannot be written or read: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the saved catalog in {path} is damaged: {reason}")]
    Damaged { path: PathBuf, reason: String },
    #[error("the saved catalog's product index in {path}: {source}")]
    Index {
        path: PathBuf,
        source: matching::MatchingError,
    },
}

/// The header and tables of `master.bin`; prices and stock are in files of
/// their own, encoded per SKU ([`Grouped`]).
#[derive(Serialize)]
struct SavedRef<'a> {
    format: u32,
    program: &'a str,
    database_id: &'a str,
    generation: i64,
    products: &'a [Product],
    customers: &'a [Customer],
    addresses: &'a [ShipToAddress],
    customer_items: &'a [CustomerItem],
    prices: Grouped,
    stock: Grouped,
}

#[derive(Deserialize)]
struct Saved {
    format: u32,
    program: String,
    database_id: String,
    generation: i64,
    products: Vec<Product>,
    customers: Vec<Customer>,
    addresses: Vec<ShipToAddress>,
    customer_items: Vec<CustomerItem>,
    prices: Grouped,
    stock: Grouped,
}

/// Where each SKU's rows are in a rows file, and the file's checksum.
#[derive(Serialize, Deserialize, Default)]
struct Grouped {
    skus: Vec<(String, u32, u32)>,
    crc32: u32,
}

/// Encodes rows per SKU: the bytes, and where each SKU's rows are in them.
fn group<T: Serialize>(rows: &[T], sku_of: fn(&T) -> &str) -> Result<(Vec<u8>, Grouped), postcard::Error> {
    let mut by_sku: BTreeMap<&str, Vec<&T>> = BTreeMap::new();
    for row in rows {
        by_sku.entry(sku_of(row)).or_default().push(row);
    }
    let mut bytes = Vec::new();
    let mut skus = Vec::with_capacity(by_sku.len());
    for (sku, rows) in by_sku {
        let start = bytes.len();
        bytes = postcard::to_extend(&rows, bytes)?;
        skus.push((sku.to_owned(), offset(start)?, offset(bytes.len())?));
    }
    let crc32 = crc32fast::hash(&bytes);
    Ok((bytes, Grouped { skus, crc32 }))
}

fn offset(n: usize) -> Result<u32, postcard::Error> {
    u32::try_from(n).map_err(|_| postcard::Error::SerializeBufferFull)
}

fn decode_rows<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<Vec<T>, String> {
    postcard::from_bytes(bytes).map_err(|e| e.to_string())
}

/// Where the snapshots of a database live.
#[derive(Debug, Clone)]
pub struct SnapshotDir {
    root: PathBuf,
}

impl SnapshotDir {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    /// `catalog` beside the blob store (the data folder).
    pub fn of(store: &store::Store) -> Self {
        let blobs = store.blobs().root();
        let data = blobs
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Self::new(data.join("catalog"))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `<database id>-<generation>-<build>`: two builds of the program (a
    /// release and a test build) keep a snapshot each.
    fn folder(&self, generation: &MasterGeneration) -> PathBuf {
        let build = hex::encode(&Sha256::digest(program().as_bytes())[..6]);
        self.root.join(format!(
            "{}-{}-{build}",
            safe_name(&generation.database_id),
            generation.generation
        ))
    }

    /// The catalog saved for exactly this generation, or `None` when there is
    /// none (or it was written by another version of the program).
    pub fn open(&self, generation: &MasterGeneration) -> Result<Option<Catalog>, SnapshotError> {
        let folder = self.folder(generation);
        let data_path = folder.join(DATA_FILE);
        let bytes = match std::fs::read(&data_path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(SnapshotError::Io {
                    path: data_path,
                    source,
                });
            }
        };
        let damaged = |reason: String| SnapshotError::Damaged {
            path: data_path.clone(),
            reason,
        };
        let saved: Saved = match postcard::from_bytes(&bytes) {
            Ok(saved) => saved,
            // Written by another format: not damaged, only not ours to read.
            Err(_) if !starts_with_format(&bytes) => return Ok(None),
            Err(e) => return Err(damaged(e.to_string())),
        };
        if saved.format != FORMAT || saved.program != program() {
            return Ok(None);
        }
        if saved.database_id != generation.database_id || saved.generation != generation.generation {
            return Err(damaged(format!(
                "it holds generation {} of database {}, its folder says {} of {}",
                saved.generation, saved.database_id, generation.generation, generation.database_id
            )));
        }
        let prices = rows_file(&folder.join(PRICES_FILE), saved.prices, decode_rows::<PriceEntry>)?;
        let stock = rows_file(&folder.join(STOCK_FILE), saved.stock, decode_rows::<StockLevel>)?;
        let index = open_index(&folder)?;
        let data = MasterData {
            products: saved.products,
            customers: saved.customers,
            addresses: saved.addresses,
            customer_items: saved.customer_items,
            prices: Vec::new(),
            stock: Vec::new(),
        };
        Ok(Some(Catalog::with_rows(data, index, prices, stock)))
    }

    /// Removes the snapshot of `generation` (found damaged), so that it can be saved anew.
    pub fn discard(&self, generation: &MasterGeneration) {
        let folder = self.folder(generation);
        if let Err(e) = std::fs::remove_dir_all(&folder)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %folder.display(), error = %e, "a damaged saved catalog could not be removed");
        }
    }

    /// Builds the catalog from `data`, saves it as the snapshot of
    /// `generation`, and returns it opened from there. Older snapshots of the
    /// same database are removed.
    /// On failure the data comes back with the error, so the caller can
    /// build the catalog in memory without reading it again.
    pub fn build(
        &self,
        data: MasterData,
        generation: &MasterGeneration,
    ) -> Result<Catalog, Box<(SnapshotError, MasterData)>> {
        match self.save(&data, generation) {
            Ok(index) => Ok(Catalog::with_index(data, index)),
            Err(e) => Err(Box::new((e, data))),
        }
    }

    /// Writes the snapshot of `data` and opens its index.
    fn save(&self, data: &MasterData, generation: &MasterGeneration) -> Result<TextIndex, SnapshotError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| SnapshotError::Io { path, source }
        };
        std::fs::create_dir_all(&self.root).map_err(io(&self.root))?;
        let folder = self.folder(generation);
        let tmp = self
            .root
            .join(format!(".building-{}-{}", std::process::id(), fastrand::u64(..)));
        std::fs::create_dir(&tmp).map_err(io(&tmp))?;
        let written = self.write(&tmp, data, generation);
        if let Err(e) = written {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        if let Err(e) = std::fs::rename(&tmp, &folder) {
            let _ = std::fs::remove_dir_all(&tmp);
            // Another process saved the same generation first: theirs is as good.
            if !folder.join(DATA_FILE).exists() {
                return Err(SnapshotError::Io {
                    path: folder,
                    source: e,
                });
            }
        }
        self.remove_older(generation);
        open_index(&folder)
    }

    fn write(&self, tmp: &Path, data: &MasterData, generation: &MasterGeneration) -> Result<(), SnapshotError> {
        let index_path = tmp.join(INDEX_DIR);
        std::fs::create_dir(&index_path).map_err(|source| SnapshotError::Io {
            path: index_path.clone(),
            source,
        })?;
        TextIndex::build_in(&index_path, &data.products).map_err(|source| SnapshotError::Index {
            path: index_path,
            source,
        })?;
        let encode = |path: &Path, e: postcard::Error| SnapshotError::Damaged {
            path: path.to_owned(),
            reason: e.to_string(),
        };
        let prices_path = tmp.join(PRICES_FILE);
        let (price_bytes, prices) = group(&data.prices, |p| p.sku.as_str()).map_err(|e| encode(&prices_path, e))?;
        write_file(&prices_path, &price_bytes)?;
        let stock_path = tmp.join(STOCK_FILE);
        let (stock_bytes, stock) = group(&data.stock, |s| s.sku.as_str()).map_err(|e| encode(&stock_path, e))?;
        write_file(&stock_path, &stock_bytes)?;
        let saved = SavedRef {
            format: FORMAT,
            program: &program(),
            database_id: &generation.database_id,
            generation: generation.generation,
            products: &data.products,
            customers: &data.customers,
            addresses: &data.addresses,
            customer_items: &data.customer_items,
            prices,
            stock,
        };
        let data_path = tmp.join(DATA_FILE);
        let bytes = postcard::to_stdvec(&saved).map_err(|e| encode(&data_path, e))?;
        write_file(&data_path, &bytes)
    }

    /// Removes this database's snapshots of older generations, and those of
    /// other builds of the program not written for a day. A process that
    /// still has one open keeps reading it (the files stay until it closes them).
    fn remove_older(&self, generation: &MasterGeneration) {
        let prefix = format!("{}-", safe_name(&generation.database_id));
        let current = self.folder(generation);
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if path != current
                && name
                    .strip_prefix(&prefix)
                    .and_then(|rest| rest.split_once('-'))
                    .and_then(|(g, _)| g.parse::<i64>().ok())
                    .is_some_and(|g| {
                        g < generation.generation || (g == generation.generation && unused_for_a_day(&path))
                    })
                && let Err(e) = std::fs::remove_dir_all(&path)
            {
                tracing::warn!(path = %path.display(), error = %e, "an older saved catalog could not be removed");
            }
        }
    }
}

/// The product index saved in a snapshot folder.
fn open_index(folder: &Path) -> Result<TextIndex, SnapshotError> {
    let path = folder.join(INDEX_DIR);
    TextIndex::open(&path).map_err(|source| SnapshotError::Index { path, source })
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), SnapshotError> {
    let io = |source| SnapshotError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = std::fs::File::create(path).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)
}

/// A rows file of a snapshot, checked against its checksum.
fn rows_file<T: Clone>(
    path: &Path,
    grouped: Grouped,
    decode: matching::DecodeRows<T>,
) -> Result<RowsBySku<T>, SnapshotError> {
    let bytes = std::fs::read(path).map_err(|source| SnapshotError::Io {
        path: path.to_owned(),
        source,
    })?;
    if crc32fast::hash(&bytes) != grouped.crc32 {
        return Err(SnapshotError::Damaged {
            path: path.to_owned(),
            reason: "its checksum does not match".into(),
        });
    }
    let mut by_sku = HashMap::with_capacity(grouped.skus.len());
    for (sku, start, end) in grouped.skus {
        let range = start as usize..end as usize;
        if range.start > range.end || range.end > bytes.len() {
            return Err(SnapshotError::Damaged {
                path: path.to_owned(),
                reason: format!("the rows of {sku} lie outside the file"),
            });
        }
        by_sku.insert(sku, range);
    }
    Ok(RowsBySku::encoded(bytes, by_sku, decode))
}

/// This build of the program: its version and the size and time of its
/// executable (a rebuild changes the layout postcard relies on).
fn program() -> String {
    let build = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let at = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}-{at}", m.len())
        })
        .unwrap_or_default();
    format!("{} {build}", env!("CARGO_PKG_VERSION"))
}

fn unused_for_a_day(path: &Path) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > std::time::Duration::from_secs(24 * 3600))
}

/// Whether `bytes` begin with this program's snapshot format (postcard
/// writes the first `u32` as a varint).
fn starts_with_format(bytes: &[u8]) -> bool {
    postcard::take_from_bytes::<u32>(bytes).is_ok_and(|(format, _)| format == FORMAT)
}

/// A database id as a folder name: letters, digits and `_` only.
fn safe_name(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

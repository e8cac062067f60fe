//! The master data drafting reads: loaded from the store into a [`Catalog`],
//! shared by the worker ([`CatalogCache`]) and refreshed on a schedule; the
//! layout hints learned for a sender; the settings as drafting applies them.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use domain::exception::{ExceptionCode, Severity};
use domain::validation::ValidationPolicy;
use extract::LayoutHint;
use matching::{Catalog, MasterData};
use store::master::{self, MasterTable};
use store::{Store, StoreError};

use crate::config::ExtractionSettings;
use crate::draft::snapshot::SnapshotDir;

/// Loads all master data the matcher needs from the store.
pub async fn load_master_data(store: &Store) -> Result<MasterData, StoreError> {
    Ok(MasterData {
        products: store.all_rows(MasterTable::Products, master::decode_product).await?,
        customers: store.all_rows(MasterTable::Customers, master::decode_customer).await?,
        addresses: store.all_rows(MasterTable::Addresses, master::decode_address).await?,
        prices: store.all_rows(MasterTable::Prices, master::decode_price).await?,
        customer_items: store
            .all_rows(MasterTable::CustomerItems, master::decode_customer_item)
            .await?,
        stock: store.all_rows(MasterTable::Stock, master::decode_stock).await?,
    })
}

/// The layout hints learned for a sender, as extraction takes them.
pub async fn hints_for(store: &Store, sender: Option<&str>) -> Result<Vec<LayoutHint>, StoreError> {
    let Some(sender) = sender else { return Ok(Vec::new()) };
    Ok(store
        .layout_hints(sender)
        .await?
        .into_iter()
        // A hint for a field this version no longer reads is left unused.
        .filter_map(|h| {
            Some(LayoutHint {
                field: extract::labels::HeaderField::parse(&h.field)?,
                label: h.label,
            })
        })
        .collect())
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Matching(#[from] matching::MatchingError),
    #[error("building the catalog failed unexpectedly: {0}")]
    Join(String),
}

/// The catalog of the current master data: opened from the saved catalog
/// when it is current, else loaded from the store, built and saved (see
/// [`crate::draft::snapshot`]). A snapshot that cannot be read or written
/// costs only time: the catalog is then built in memory.
pub async fn load_catalog(store: &Store) -> Result<Catalog, CatalogError> {
    let generation = store.master_generation().await?;
    let dir = SnapshotDir::of(store);
    let opened = {
        let (dir, generation) = (dir.clone(), generation.clone());
        tokio::task::spawn_blocking(move || dir.open(&generation))
            .await
            .map_err(|e| CatalogError::Join(e.to_string()))?
    };
    match opened {
        Ok(Some(catalog)) => return Ok(catalog),
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(error = %e, "the saved catalog is rebuilt");
            dir.discard(&generation);
        }
    }
    // Read after the generation: a write in between makes this snapshot
    // newer than its name, never older, and the next load rebuilds it.
    let data = load_master_data(store).await?;
    tokio::task::spawn_blocking(move || match dir.build(data, &generation) {
        Ok(catalog) => Ok(catalog),
        Err(failed) => {
            let (e, data) = *failed;
            tracing::warn!(error = %e, "the catalog is built in memory");
            Catalog::build(data).map_err(CatalogError::from)
        }
    })
    .await
    .map_err(|e| CatalogError::Join(e.to_string()))?
}

/// A shared catalog and when it was loaded.
type LoadedCatalog = (Arc<RwLock<Catalog>>, Instant);

/// The catalog a worker drafts with, rebuilt when older than the refresh
/// interval; what reviewers teach is applied to it in place.
#[derive(Clone, Default)]
pub struct CatalogCache {
    inner: Arc<tokio::sync::Mutex<Option<LoadedCatalog>>>,
}

impl std::fmt::Debug for CatalogCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CatalogCache")
    }
}

impl CatalogCache {
    pub async fn get(&self, store: &Store, refresh: Duration) -> Result<Arc<RwLock<Catalog>>, CatalogError> {
        let mut guard = self.inner.lock().await;
        if let Some((catalog, at)) = guard.as_ref()
            && at.elapsed() < refresh
        {
            return Ok(catalog.clone());
        }
        let started = Instant::now();
        let catalog = Arc::new(RwLock::new(load_catalog(store).await?));
        tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "catalog loaded");
        *guard = Some((catalog.clone(), Instant::now()));
        Ok(catalog)
    }

    /// Forgets the catalog: the next draft loads it anew (after an import).
    pub async fn invalidate(&self) {
        *self.inner.lock().await = None;
    }

    /// The catalog if one is loaded.
    pub async fn loaded(&self) -> Option<Arc<RwLock<Catalog>>> {
        self.inner.lock().await.as_ref().map(|(c, _)| c.clone())
    }
}

impl ExtractionSettings {
    pub fn policy(&self) -> ValidationPolicy {
        let mut policy = ValidationPolicy {
            price_tolerance_relative: self.price_tolerance_relative,
            price_tolerance_absolute: self.price_tolerance_absolute,
            severities: BTreeMap::new(),
        };
        for (code, severity) in &self.severities {
            if let (Some(code), Some(severity)) = (ExceptionCode::parse(code), Severity::parse(severity)) {
                policy.severities.insert(code, severity);
            }
        }
        policy
    }

    /// The confidence under which a value read for `field` (a header field's
    /// name, or `line`) sends the draft to review.
    pub fn threshold(&self, field: &str) -> f32 {
        self.thresholds.get(field).copied().unwrap_or(self.confidence_threshold)
    }
}

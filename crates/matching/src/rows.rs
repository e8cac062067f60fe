//! Rows looked up by SKU (prices, stock): held in memory, or kept encoded
//! per SKU and decoded only when a line asks for them — a saved catalog opens
//! without decoding tens of thousands of price rows a draft never reads.

use std::collections::HashMap;
use std::ops::Range;

/// Decodes the rows of one SKU from the bytes a saved catalog wrote for it.
pub type DecodeRows<T> = fn(&[u8]) -> Result<Vec<T>, String>;

pub struct RowsBySku<T> {
    inner: Rows<T>,
}

enum Rows<T> {
    Loaded {
        rows: Vec<T>,
        by_sku: HashMap<String, Vec<usize>>,
    },
    Encoded {
        bytes: Vec<u8>,
        by_sku: HashMap<String, Range<usize>>,
        decode: DecodeRows<T>,
    },
}

impl<T: Clone> RowsBySku<T> {
    /// Rows in memory, grouped by the SKU `sku_of` gives.
    pub fn loaded(rows: Vec<T>, sku_of: fn(&T) -> &str) -> Self {
        let mut by_sku: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            match by_sku.get_mut(sku_of(row)) {
                Some(list) => list.push(i),
                None => {
                    by_sku.insert(sku_of(row).to_owned(), vec![i]);
                }
            }
        }
        Self {
            inner: Rows::Loaded { rows, by_sku },
        }
    }

    /// Rows kept encoded: `by_sku` gives each SKU's range of `bytes`.
    pub fn encoded(bytes: Vec<u8>, by_sku: HashMap<String, Range<usize>>, decode: DecodeRows<T>) -> Self {
        Self {
            inner: Rows::Encoded { bytes, by_sku, decode },
        }
    }

    /// The rows of one SKU. (A saved catalog's bytes are checked by its
    /// checksum when it is opened, so decoding does not fail on damage; rows
    /// that still cannot be decoded count as none.)
    pub fn of(&self, sku: &str) -> Vec<T> {
        match &self.inner {
            Rows::Loaded { rows, by_sku } => by_sku
                .get(sku)
                .map(|ix| ix.iter().map(|&i| rows[i].clone()).collect())
                .unwrap_or_default(),
            Rows::Encoded { bytes, by_sku, decode } => by_sku
                .get(sku)
                .and_then(|range| bytes.get(range.clone()))
                .and_then(|slice| decode(slice).ok())
                .unwrap_or_default(),
        }
    }

    /// How many SKUs have rows.
    pub fn skus(&self) -> usize {
        match &self.inner {
            Rows::Loaded { by_sku, .. } => by_sku.len(),
            Rows::Encoded { by_sku, .. } => by_sku.len(),
        }
    }
}

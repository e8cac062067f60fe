//! A seeded generator of inbound orders and RFQs with their ground truth.
//!
//! From the master data (usually the demo company) [`generate`] plans cases
//! ([`plan`]: customer, kind, lines, dates, noise, deliberate problems) and
//! writes each in one of many formats and layouts ([`render`]): mails in
//! German and English (text tables, free-form lines, HTML tables), PDF
//! attachments in eight layouts (single and multi-page), XLSX and CSV
//! attachments, EDI X12 850 and EDIFACT ORDERS files, UBL Orders. Each case
//! comes with a [`Truth`]: what a careful clerk would enter, which is what
//! `orderdesk bench accuracy` compares the drafts against.
//!
//! The same seed and master data give the same files, byte for byte.

mod plan;
mod render;

use domain::customer::{Customer, ShipToAddress};
use domain::customer_item::CustomerItem;
use domain::pricing::PriceEntry;
use domain::product::Product;
use domain::stock::StockLevel;
use serde::{Deserialize, Serialize};

pub use plan::{Case, CaseLine, Format};

/// The master data cases are made from.
#[derive(Debug, Clone, Copy)]
pub struct Master<'a> {
    pub products: &'a [Product],
    pub customers: &'a [Customer],
    pub addresses: &'a [ShipToAddress],
    pub customer_items: &'a [CustomerItem],
    pub prices: &'a [PriceEntry],
    pub stock: &'a [StockLevel],
}

/// What a careful clerk would enter for one generated file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    pub file: String,
    pub format: String,
    pub layout: String,
    pub language: String,
    pub kind: String,
    pub customer_no: Option<String>,
    pub po_number: Option<String>,
    pub order_date: Option<String>,
    pub requested_delivery_date: Option<String>,
    pub currency: Option<String>,
    pub stated_total: Option<String>,
    pub ship_to_address_id: Option<String>,
    pub lines: Vec<TruthLine>,
    /// No deliberate problem: a correct system passes it straight through.
    pub clean: bool,
    /// The exception codes the deliberate problems must raise.
    pub expected_exceptions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthLine {
    pub sku: Option<String>,
    pub quantity: String,
    pub uom: String,
    pub unit_price: Option<String>,
}

/// One generated file and its truth.
#[derive(Debug, Clone)]
pub struct Generated {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub truth: Truth,
}

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("the master data has no {0}; load the demo company first (orderdesk demo --no-serve)")]
    Empty(&'static str),
    #[error("writing a {format} file failed: {message}")]
    Render { format: &'static str, message: String },
}

/// `count` cases from `seed`, each rendered to a file with its truth.
pub fn generate(master: Master<'_>, seed: u64, count: usize) -> Result<Vec<Generated>, CorpusError> {
    generate_families(master, seed, count, &[])
}

/// Like [`generate`], but only in the given formats (empty: the usual mix).
/// The described families ([`plan::Format::DESCRIBED`]) come only this way.
pub fn generate_families(
    master: Master<'_>,
    seed: u64,
    count: usize,
    formats: &[Format],
) -> Result<Vec<Generated>, CorpusError> {
    let planner = plan::Planner::new(master)?;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = Vec::with_capacity(count);
    for n in 0..count {
        let case = if formats.is_empty() {
            planner.case(&mut rng, n)
        } else {
            planner.case_of(&mut rng, n, formats)
        };
        out.push(render::render(&case, &mut rng)?);
    }
    Ok(out)
}

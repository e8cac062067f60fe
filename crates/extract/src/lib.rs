//! Extraction: from Documents to what the back office needs to know.
//!
//! - [`classify`]: the kind of a message (order, order change, cancellation,
//!   RFQ, status inquiry, other) with the reason, from the formats and
//!   message types it carries and from German and English wording.
//! - [`extract_order`]: header values and lines with their sources and
//!   confidences ([`order`]), using the label dictionaries in [`labels`] and
//!   the locale-aware readers in [`values`].

mod classify;
pub mod labels;
pub mod order;
pub mod values;

pub use classify::{Classification, KindReason, classify};
pub use order::{Address, Extracted, ExtractedLine, Field, LayoutHint, Source, extract_order, extract_order_with};

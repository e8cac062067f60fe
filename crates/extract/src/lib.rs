//! Extraction: from Documents to what the back office needs to know.
//!
//! - [`classify`]: the kind of a message (order, order change, cancellation,
//!   RFQ, status inquiry, other) with the reason, from the formats and
//!   message types it carries and from German and English wording.

mod classify;

pub use classify::{Classification, classify};

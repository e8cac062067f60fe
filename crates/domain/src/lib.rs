//! The domain core of Orderdesk: the words of a B2B sales back office as types.
//!
//! Everything here is plain data and pure functions. This crate knows nothing
//! of SQL, HTTP, files, clocks or async; adapters around it (`store`,
//! `masterdata`, `web`) convert to and from these types at their edges.
//!
//! - [`access`]: roles and what each may do.
//! - [`values`]: validated identifiers and amounts (`Sku`, `CustomerNo`,
//!   `CurrencyCode`, `UnitCode`, `Money`, `Quantity`).
//! - [`customer`], [`product`], [`pricing`], [`customer_item`], [`stock`]:
//!   master data and the arithmetic over it (expected price, available stock).
//! - [`order`]: sales orders, their lines and the status machine.
//! - [`exception`]: what a check found wrong with an order, with a stable code.
//! - [`event`]: the append-only record of every change.
//! - [`validation`]: the checks on a draft order (stable exception codes).
//! - [`quote`]: where a quote stands, its next step and when it needs approval.
//! - [`review`]: why a draft waits for a person, where it stands, and the
//!   straight-through decision.
//!
//! The feature `serde` derives the contract's JSON names for the enums that
//! the extraction JSON carries (kind, decision, exception code, severity,
//! review reason, draft status), and serde for the master data records a
//! saved catalog keeps (identifiers, units, countries and GTINs are checked by
//! their `parse` when read back); without it this crate has no serde at all.

pub mod access;
pub mod customer;
pub mod customer_item;
pub mod event;
pub mod exception;
pub mod kpi;
pub mod message;
pub mod order;
pub mod pricing;
pub mod product;
pub mod quote;
pub mod review;
pub mod sla;
pub mod stock;
pub mod validation;
pub mod values;

pub use values::{CurrencyCode, CustomerNo, Money, Quantity, Sku, UnitCode, ValueError};

/// Joins the parts of a composite natural key with a unit separator, which
/// cannot occur in identifiers (they reject control characters).
pub fn natural_key(parts: &[&str]) -> String {
    parts.join("\u{1f}")
}

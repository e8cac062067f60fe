//! What the team measures and shows Orderdesk with; none of it is part of
//! the back office's work, so `app` and `store` carry none of it.
//!
//! - [`demo`]: the demo distributor (products, customers, prices, stock),
//!   generated deterministically; [`demo_inbox`]: its users and an inbox of
//!   generated mails, processed; [`demo_quotes`]: pricing rules and RFQs
//!   worked into quotes in every state.
//! - [`mod@bench`]: the data benchmarks need (a million messages, big catalogs)
//!   and the figures they print.
//! - [`erp_bench`]: the ERP link's speed against a local Tryton.
//! - [`accuracy`]: the generated corpus on disk and how well drafts match its truth.
//! - [`testing`]: fresh, empty stores on SQLite and PostgreSQL for tests.

/// The corpus generator's view of master data as drafting loads it.
pub fn corpus_master(data: &matching::MasterData) -> corpus::Master<'_> {
    corpus::Master {
        products: &data.products,
        customers: &data.customers,
        addresses: &data.addresses,
        customer_items: &data.customer_items,
        prices: &data.prices,
        stock: &data.stock,
    }
}

pub mod accuracy;
pub mod bench;
pub mod demo;
pub mod demo_inbox;
pub mod demo_quotes;
pub mod erp_bench;
pub mod testing;

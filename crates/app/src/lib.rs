//! Use cases of the back office, between the edges (CLI, web) and the adapters.
//!
//! - [`config`]: the one typed configuration (defaults → `orderdesk.toml` → `ORDERDESK_*`).
//! - [`import`]: master data files into the store, all or nothing.
//! - [`export`]: master data back to CSV in the import format.
//! - [`intake`]: inbound messages stored raw, then parsed, classified and drafted.
//! - [`parsing`]: untrusted files read in a child process with limits, so none can take the server down.
//! - [`draft`]: the typed draft (its serde form is the extraction JSON) and
//!   how documents become one: extraction, matching, checks, the safety net
//!   of what the text says but the draft does not use, the decision; a
//!   reviewer's correction as a pure function (`Draft::apply`).
//! - [`learning`]: the shell of a correction: the draft, what it teaches and
//!   the events in one store transaction.
//! - [`review`]: the review desk's actions on drafts and orders.
//! - [`mailbox`]: IMAP mailboxes as an intake channel.
//! - [`outbound`]: mail to customers (acknowledgements) and the worker that sends the mail outbox.
//! - [`erp`]: the outbox worker that delivers confirmed orders to the ERP.
//! - [`erp_pull`]: master data and sale states back from the ERP.
//! - [`settings`]: drafting, mailbox and ERP settings saved by administrators.
//! - [`users`]: users, passwords, sessions and API tokens.
//!
//! The demo company, benchmarks and accuracy runs are in the `tooling` crate.

pub mod changes;
pub mod config;
pub mod confirmation;
pub mod draft;
pub mod erp;
pub mod erp_pull;
pub mod export;
pub mod import;
pub mod inquiry;
pub mod intake;
pub mod learning;
pub mod mailbox;
pub mod metrics;
pub mod order_response;
pub mod outbound;
pub mod pages;
pub mod parsing;
pub mod quote;
pub mod review;
pub mod settings;
pub mod sla;
pub mod users;

pub use config::Config;

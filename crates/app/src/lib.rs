//! Use cases of the back office, between the edges (CLI, web) and the adapters.
//!
//! - [`config`]: the one typed configuration (defaults → `orderdesk.toml` → `ORDERDESK_*`).
//! - [`import`]: master data files into the store, all or nothing.
//! - [`export`]: master data back to CSV in the import format.
//! - [`demo`]: the demo distributor, generated deterministically.
//! - [`intake`]: inbound messages stored raw, then parsed, classified and drafted.
//! - [`parsing`]: untrusted files read in a child process with limits, so none can take the server down.
//! - [`draft`]: documents to a draft order: extraction, matching, checks, decision.
//! - [`learning`]: reviewer corrections on drafts, and what they teach.
//! - [`accuracy`]: the generated test corpus on disk and how well drafts match its truth.

pub mod accuracy;
pub mod bench;
pub mod config;
pub mod demo;
pub mod demo_inbox;
pub mod draft;
pub mod export;
pub mod import;
pub mod intake;
pub mod learning;
pub mod mailbox;
pub mod parsing;
pub mod review;
pub mod settings;
pub mod users;

pub use config::Config;

//! Store integration tests. Every test runs against a fresh SQLite database and,
//! when the test script has started one, a fresh PostgreSQL database.

mod blobs;
mod events;
mod master;

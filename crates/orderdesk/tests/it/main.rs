//! End-to-end tests of the `orderdesk` binary: real processes, real databases, real HTTP.

mod architecture;
mod browser;
mod cli;
mod extraction;
mod hostile;
mod intake;
mod serve;

use std::path::Path;
use std::process::{Command, Output};

/// Runs `orderdesk ARGS` in `dir` against `database_url`.
pub fn orderdesk(dir: &Path, database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .current_dir(dir)
        .env("ORDERDESK_DATABASE_URL", database_url)
        .env_remove("ORDERDESK_LOG")
        .args(args)
        .output()
        .expect("run orderdesk")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

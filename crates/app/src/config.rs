//! The typed configuration: defaults, then `orderdesk.toml`, then `ORDERDESK_*` variables.
//!
//! Nested keys use a double underscore in the environment:
//! `ORDERDESK_IMPORT__MAX_FILE_BYTES=…` sets `[import] max_file_bytes`.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The default database: SQLite in `./data`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/orderdesk.db";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: String,
    /// Where raw files are kept; beside the SQLite file when unset.
    pub blob_dir: Option<PathBuf>,
    /// Address the web server listens on.
    pub listen: String,
    pub import: ImportSettings,
    pub intake: IntakeSettings,
    /// IMAP mailboxes `serve` takes mail in from (`[[mailboxes]]` in orderdesk.toml).
    pub mailboxes: Vec<mail::MailboxConfig>,
    /// Drafting: confidence thresholds, tolerances, exception severities.
    #[serde(default)]
    pub extraction: ExtractionSettings,
}

/// How drafts are checked and decided (`[extraction]` in orderdesk.toml).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExtractionSettings {
    /// Every value read must reach this confidence for straight-through (0–1).
    pub confidence_threshold: f32,
    /// Thresholds per field where they differ: `customer`, `po_number`,
    /// `order_date`, `requested_delivery_date`, `currency`, `stated_total`,
    /// `ship_to`, `line`.
    pub thresholds: std::collections::BTreeMap<String, f32>,
    /// A stated price may differ from ours by this share (`"0.005"` = 0.5 %) …
    pub price_tolerance_relative: rust_decimal::Decimal,
    /// … or by this amount, whichever is larger.
    pub price_tolerance_absolute: rust_decimal::Decimal,
    /// Severity per exception code (`info`, `warning`, `blocking`), e.g.
    /// `duplicate_po = "blocking"` to stop re-sent orders.
    pub severities: std::collections::BTreeMap<String, String>,
    /// Customer numbers whose orders always go to review.
    pub review_customers: Vec<String>,
    /// How often a running worker reloads master data (seconds).
    pub catalog_refresh_seconds: u64,
    /// Review SLA: an order draft is due this many minutes after it was received …
    pub review_sla_minutes: u64,
    /// … and a quote draft (RFQ) this many.
    pub quote_sla_minutes: u64,
}

impl Default for ExtractionSettings {
    fn default() -> Self {
        Self {
            confidence_threshold: 0.9,
            thresholds: std::collections::BTreeMap::new(),
            price_tolerance_relative: rust_decimal::Decimal::new(5, 3),
            price_tolerance_absolute: rust_decimal::Decimal::new(5, 3),
            severities: std::collections::BTreeMap::new(),
            review_customers: Vec::new(),
            catalog_refresh_seconds: 300,
            review_sla_minutes: 240,
            quote_sla_minutes: 1440,
        }
    }
}

impl ExtractionSettings {
    /// Names what in the settings is not a known code or severity.
    pub fn check(&self) -> Result<(), String> {
        for (code, severity) in &self.severities {
            if domain::exception::ExceptionCode::parse(code).is_none() {
                return Err(format!("[extraction.severities]: unknown exception code \"{code}\""));
            }
            if domain::exception::Severity::parse(severity).is_none() {
                return Err(format!(
                    "[extraction.severities] {code}: unknown severity \"{severity}\" (info, warning or blocking)"
                ));
            }
        }
        if !(0.0..=1.0).contains(&self.confidence_threshold) {
            return Err("[extraction] confidence_threshold must be between 0 and 1".into());
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntakeSettings {
    /// Messages larger than this are stored but not parsed (default 64 MiB).
    pub max_parse_bytes: u64,
    /// How long a worker holds a job before another may take it over (seconds).
    pub lease_seconds: u64,
    /// Attempts before a message is marked as an error.
    pub max_attempts: i64,
    /// Pause between looks at an empty queue (milliseconds).
    pub idle_poll_ms: u64,
    /// Folders `serve` watches for EDI/XML drops; taken-in files move to `processed/` inside.
    pub watch_dirs: Vec<std::path::PathBuf>,
}

impl Default for IntakeSettings {
    fn default() -> Self {
        Self {
            max_parse_bytes: 64 << 20,
            lease_seconds: 300,
            max_attempts: 3,
            idle_poll_ms: 500,
            watch_dirs: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportSettings {
    /// Larger files are refused before reading (default 1 GiB).
    pub max_file_bytes: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            blob_dir: None,
            listen: "127.0.0.1:8080".to_owned(),
            import: ImportSettings {
                max_file_bytes: 1 << 30,
            },
            intake: IntakeSettings::default(),
            mailboxes: Vec::new(),
            extraction: ExtractionSettings::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Read(#[from] Box<figment::Error>),
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads defaults, then `file` (if it exists), then the environment.
    pub fn load(file: &Path) -> Result<Config, ConfigError> {
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("ORDERDESK_").split("__"))
            .extract::<Config>()
            .map_err(|e| ConfigError::Read(Box::new(e)))
            .and_then(|c| c.extraction.check().map(|()| c).map_err(ConfigError::Invalid))
    }
}

#[cfg(test)]
// figment's Jail fixes the closure's error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "orderdesk.toml",
                "listen = \"0.0.0.0:9000\"\n[import]\nmax_file_bytes = 10\n",
            )?;
            let config = Config::load(Path::new("orderdesk.toml")).unwrap();
            assert_eq!(config.listen, "0.0.0.0:9000");
            assert_eq!(config.import.max_file_bytes, 10);
            assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
            jail.set_env("ORDERDESK_LISTEN", "127.0.0.1:1");
            jail.set_env("ORDERDESK_IMPORT__MAX_FILE_BYTES", "20");
            let config = Config::load(Path::new("orderdesk.toml")).unwrap();
            assert_eq!(
                (config.listen.as_str(), config.import.max_file_bytes),
                ("127.0.0.1:1", 20)
            );
            Ok(())
        });
    }

    #[test]
    fn a_missing_file_means_defaults() {
        figment::Jail::expect_with(|_| {
            assert_eq!(Config::load(Path::new("nope.toml")).unwrap(), Config::default());
            Ok(())
        });
    }
}

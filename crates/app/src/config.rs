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
    /// The order desk's time zone (IANA name): days and periods of the KPIs.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    pub import: ImportSettings,
    pub intake: IntakeSettings,
    /// IMAP mailboxes `serve` takes mail in from (`[[mailboxes]]` in orderdesk.toml).
    pub mailboxes: Vec<mail::MailboxConfig>,
    /// Drafting: confidence thresholds, tolerances, exception severities.
    #[serde(default)]
    pub extraction: ExtractionSettings,
    /// The SMTP server mail to customers goes through (`[smtp]`; none: nothing is sent or queued).
    #[serde(default)]
    pub smtp: mail::smtp::SmtpConfig,
    /// When acknowledgements go out (`[acknowledgements]`).
    #[serde(default)]
    pub acknowledgements: crate::outbound::AcknowledgementSettings,
    /// The company as letters show it: letterhead and legal footer (`[company]`).
    #[serde(default)]
    pub company: crate::confirmation::CompanySettings,
    /// When order confirmations go out (`[confirmations]`).
    #[serde(default)]
    pub confirmations: crate::confirmation::ConfirmationSettings,
    /// Business hours, holidays and who hears of overdue work (`[sla]`).
    #[serde(default)]
    pub sla: crate::sla::SlaSettings,
    /// Quotes: validity, numbers, pricing rules and approval limits (`[quotes]`).
    #[serde(default)]
    pub quotes: crate::quote::QuoteSettings,
    /// Where confirmed orders go (`[erp]` in orderdesk.toml).
    #[serde(default)]
    pub erp: ErpSettings,
    /// Reverse proxies in front of the server: only their `X-Forwarded-For`
    /// and `X-Forwarded-Proto` headers are believed.
    #[serde(default)]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The session cookie's `Secure` flag: `auto` (when a trusted proxy says
    /// the browser came over HTTPS), `always` or `never`.
    #[serde(default)]
    pub cookie_secure: CookieSecure,
}

/// When the session cookie is marked `Secure`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CookieSecure {
    #[default]
    Auto,
    Always,
    Never,
}

/// How drafts are checked and decided (`[extraction]` in orderdesk.toml).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExtractionSettings {
    /// The pricing rules orders are checked against: those of `[quotes]`
    /// (`quotes.pricing`), so that an order and a quote agree. Set where
    /// the settings are loaded, never saved with the drafting settings.
    #[serde(skip)]
    pub pricing: domain::pricing::PricingPolicy,
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
    /// Which mails may go straight through: from `any` sender, only from a
    /// `known_address` of the customer, or only from a known address that the
    /// receiving server `authenticated` (DKIM, SPF or DMARC pass in the
    /// `Authentication-Results` header). Files without a sender (uploads,
    /// watched folders) come through channels that are trusted already.
    pub stp_sender: SenderTrust,
    /// How many orders of a sender a person must have confirmed unchanged
    /// before that sender's orders may go straight through (0: no such rule).
    pub stp_after_reviewed: u32,
}

/// How far a mail's sender must be trusted before its order may go straight through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SenderTrust {
    Any,
    #[default]
    KnownAddress,
    Authenticated,
}

impl Default for ExtractionSettings {
    fn default() -> Self {
        Self {
            pricing: domain::pricing::PricingPolicy::default(),
            confidence_threshold: 0.9,
            thresholds: std::collections::BTreeMap::new(),
            price_tolerance_relative: rust_decimal::Decimal::new(5, 3),
            price_tolerance_absolute: rust_decimal::Decimal::new(5, 3),
            severities: std::collections::BTreeMap::new(),
            review_customers: Vec::new(),
            catalog_refresh_seconds: 300,
            review_sla_minutes: 240,
            quote_sla_minutes: 1440,
            stp_sender: SenderTrust::KnownAddress,
            stp_after_reviewed: 0,
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
        if self.stp_after_reviewed > 1000 {
            return Err("[extraction] stp_after_reviewed must be between 0 and 1000".into());
        }
        if !(0.0..=1.0).contains(&self.confidence_threshold) {
            return Err("[extraction] confidence_threshold must be between 0 and 1".into());
        }
        for (field, threshold) in &self.thresholds {
            if !(0.0..=1.0).contains(threshold) {
                return Err(format!("[extraction.thresholds] {field} must be between 0 and 1"));
            }
        }
        let hundred = rust_decimal::Decimal::ONE_HUNDRED;
        if !(rust_decimal::Decimal::ZERO..=rust_decimal::Decimal::ONE).contains(&self.price_tolerance_relative) {
            return Err("[extraction] price_tolerance_relative must be between 0 and 1 (0.005 = 0.5 %)".into());
        }
        if !(rust_decimal::Decimal::ZERO..=hundred * hundred * hundred).contains(&self.price_tolerance_absolute) {
            return Err("[extraction] price_tolerance_absolute must be between 0 and 1,000,000".into());
        }
        in_range(
            "[extraction] catalog_refresh_seconds",
            self.catalog_refresh_seconds,
            1,
            86_400,
        )?;
        in_range(
            "[extraction] review_sla_minutes",
            self.review_sla_minutes,
            1,
            MAX_SLA_MINUTES,
        )?;
        in_range(
            "[extraction] quote_sla_minutes",
            self.quote_sla_minutes,
            1,
            MAX_SLA_MINUTES,
        )?;
        Ok(())
    }
}

/// The longest review or quote SLA: one year, in minutes.
pub const MAX_SLA_MINUTES: u64 = 366 * 24 * 60;

/// `value` within `min..=max`, or a message naming the setting and its range.
pub fn in_range(name: &str, value: u64, min: u64, max: u64) -> Result<(), String> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(format!("{name} is {value}; it must be between {min} and {max}"))
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
    /// Memory a reading process may use (MiB); a file needing more is an error on its message.
    #[serde(default = "default_parse_memory_mb")]
    pub parse_memory_mb: u64,
    /// CPU time a reading process may use per message (seconds).
    #[serde(default = "default_parse_seconds")]
    pub parse_seconds: u64,
    /// Stack of the reading thread (MiB); deeper nesting is an error on its message.
    #[serde(default = "default_parse_stack_mb")]
    pub parse_stack_mb: u64,
}

fn default_parse_memory_mb() -> u64 {
    512
}
fn default_parse_seconds() -> u64 {
    20
}
fn default_parse_stack_mb() -> u64 {
    8
}

impl IntakeSettings {
    /// Names a setting outside its range.
    pub fn check(&self) -> Result<(), String> {
        in_range("[intake] max_parse_bytes", self.max_parse_bytes, 1, 1 << 30)?;
        in_range("[intake] lease_seconds", self.lease_seconds, 1, 86_400)?;
        in_range("[intake] max_attempts", self.max_attempts.max(0) as u64, 1, 100)?;
        in_range("[intake] idle_poll_ms", self.idle_poll_ms, 10, 60_000)?;
        in_range("[intake] parse_memory_mb", self.parse_memory_mb, 64, 65_536)?;
        in_range("[intake] parse_seconds", self.parse_seconds, 1, 3_600)?;
        in_range("[intake] parse_stack_mb", self.parse_stack_mb, 1, 1_024)?;
        Ok(())
    }

    /// The limits a reading process sets on itself.
    pub fn parse_limits(&self) -> crate::parsing::ParseLimits {
        crate::parsing::ParseLimits {
            memory_mb: self.parse_memory_mb,
            cpu_seconds: self.parse_seconds,
            stack_mb: self.parse_stack_mb,
        }
    }
}

impl Default for IntakeSettings {
    fn default() -> Self {
        Self {
            max_parse_bytes: 64 << 20,
            lease_seconds: 300,
            max_attempts: 3,
            idle_poll_ms: 500,
            watch_dirs: Vec::new(),
            parse_memory_mb: default_parse_memory_mb(),
            parse_seconds: default_parse_seconds(),
            parse_stack_mb: default_parse_stack_mb(),
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
            time_zone: default_time_zone(),
            import: ImportSettings {
                max_file_bytes: 1 << 30,
            },
            intake: IntakeSettings::default(),
            trusted_proxies: Vec::new(),
            cookie_secure: CookieSecure::Auto,
            mailboxes: Vec::new(),
            extraction: ExtractionSettings::default(),
            erp: ErpSettings::default(),
            smtp: mail::smtp::SmtpConfig::default(),
            acknowledgements: crate::outbound::AcknowledgementSettings::default(),
            company: crate::confirmation::CompanySettings::default(),
            confirmations: crate::confirmation::ConfirmationSettings::default(),
            sla: crate::sla::SlaSettings::default(),
            quotes: crate::quote::QuoteSettings::default(),
        }
    }
}

fn default_time_zone() -> String {
    "Europe/Berlin".to_owned()
}

impl Config {
    /// The order desk's time zone; UTC when the name is unknown here.
    pub fn zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
    }

    /// What the mail outbox sends with, as configured here.
    pub fn outbox(&self) -> crate::outbound::Outbox {
        crate::outbound::Outbox {
            smtp: self.smtp.clone(),
            letter: crate::confirmation::Letter {
                company: self.company.clone(),
                confirmations: self.confirmations.clone(),
                time_zone: Some(self.zone()),
            },
        }
    }
}

/// How far a sale pushed to Tryton goes.
pub use erp::SaleState;

/// The ERP connector (`[erp]`): `none` keeps confirmed orders queued in the
/// outbox; `file` writes one JSON file per order version into `dir`;
/// `webhook` POSTs it to `url`, signed with `secret` (`ORDERDESK_ERP__SECRET`);
/// `tryton` makes a sale in the Tryton at `url` (database, user, password
/// from `ORDERDESK_ERP__PASSWORD`) and pulls master data and sale states.
/// Administrators can replace these settings in the web UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErpSettings {
    pub connector: ErpConnectorKind,
    pub dir: Option<PathBuf>,
    pub url: Option<String>,
    pub secret: Option<String>,
    /// Tryton: the database on the server.
    pub database: Option<String>,
    /// Tryton: the user Orderdesk logs in as.
    pub user: Option<String>,
    pub password: Option<String>,
    /// Tryton: how far a pushed sale goes (draft, quotation, confirmed).
    pub sale_state: SaleState,
    /// How often `serve` pulls master data and sale states (0: never).
    pub pull_interval_seconds: u64,
    /// Attempts before a push waits for a person.
    pub max_attempts: u32,
    /// How often `serve` looks for due pushes.
    pub interval_seconds: u64,
    pub timeout_seconds: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ErpConnectorKind {
    #[default]
    None,
    File,
    Webhook,
    Tryton,
}

impl ErpConnectorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErpConnectorKind::None => "none",
            ErpConnectorKind::File => "file",
            ErpConnectorKind::Webhook => "webhook",
            ErpConnectorKind::Tryton => "tryton",
        }
    }

    pub fn parse(text: &str) -> Option<ErpConnectorKind> {
        [
            ErpConnectorKind::None,
            ErpConnectorKind::File,
            ErpConnectorKind::Webhook,
            ErpConnectorKind::Tryton,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

impl Default for ErpSettings {
    fn default() -> Self {
        Self {
            connector: ErpConnectorKind::None,
            dir: None,
            url: None,
            secret: None,
            database: None,
            user: None,
            password: None,
            sale_state: SaleState::Confirmed,
            pull_interval_seconds: 300,
            max_attempts: 10,
            interval_seconds: 10,
            timeout_seconds: 30,
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
            .and_then(|mut c| {
                c.extraction.pricing = c.quotes.pricing.clone();
                c.extraction
                    .check()
                    .and_then(|()| c.intake.check())
                    .and_then(|()| c.sla.check())
                    .and_then(|()| c.quotes.check())
                    .map(|()| c)
                    .map_err(ConfigError::Invalid)
            })
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

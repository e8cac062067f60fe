//! The ERP link: what an ERP receives for a confirmed order, and the
//! connectors that deliver it.
//!
//! - [`ErpOrder`]: the order as the ERP gets it (`orderdesk.erp-order/1`,
//!   docs/erp.md), with the idempotency key `orderdesk-order-<id>` an ERP
//!   uses to take an order once however often it is delivered.
//! - [`ErpConnector`], and [`Connector`]: where orders go. [`FileDrop`] writes one JSON file per
//!   order version into a folder, atomically (a temporary file renamed into
//!   place), and finds an order delivered before by its file; [`Webhook`]
//!   POSTs the JSON with an HMAC-SHA256 signature over timestamp and body;
//!   [`Tryton`] makes a `sale.sale` in a Tryton over JSON-RPC and pulls
//!   products, parties, stock and the state of our sales back (`tryton`).
//!
//! This crate knows no database: the outbox that makes a push happen once
//! is `app::erp` over the store.

pub mod server;
pub mod tryton;

pub use tryton::{SaleState, Tryton};

use std::path::PathBuf;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The schema name every pushed order carries.
pub const SCHEMA: &str = "orderdesk.erp-order/1";

/// A confirmed order as an ERP receives it. Decimals are strings, dates ISO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpOrder {
    pub schema: String,
    /// Our order id.
    pub order_id: i64,
    /// Raised by every amendment; the ERP keeps the highest.
    pub version: i64,
    /// The same for every version of the order: an ERP creates one sale per key.
    pub idempotency_key: String,
    /// `create` for the first push, `amend` for a changed order.
    pub action: PushAction,
    pub customer_no: Option<String>,
    pub customer_name: Option<String>,
    /// The customer's purchase order number (the sale's reference).
    pub po_number: Option<String>,
    pub order_date: Option<String>,
    pub requested_delivery_date: Option<String>,
    pub currency: Option<String>,
    pub ship_to: Option<ErpAddress>,
    pub lines: Vec<ErpLine>,
    pub total: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpAddress {
    pub address_id: Option<String>,
    pub name: Option<String>,
    pub street: Option<String>,
    pub zip: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpLine {
    pub line_no: u32,
    /// Our article number; `None` for a free-text line.
    pub sku: Option<String>,
    pub customer_part_no: Option<String>,
    pub description: Option<String>,
    pub quantity: Option<String>,
    /// UN/ECE Rec. 20 unit code.
    pub uom: Option<String>,
    pub unit_price: Option<String>,
    pub delivery_date: Option<String>,
    /// The quantity in the product's base unit (for a customer unit such as a box).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_quantity: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushAction {
    Create,
    Amend,
    /// The order was cancelled: the ERP's sale is to be cancelled too.
    Cancel,
}

impl PushAction {
    pub fn as_str(self) -> &'static str {
        match self {
            PushAction::Create => "create",
            PushAction::Amend => "amend",
            PushAction::Cancel => "cancel",
        }
    }

    pub fn parse(text: &str) -> Option<PushAction> {
        match text {
            "create" => Some(PushAction::Create),
            "amend" => Some(PushAction::Amend),
            "cancel" => Some(PushAction::Cancel),
            _ => None,
        }
    }
}

/// The idempotency key of an order: the same for all its versions.
pub fn idempotency_key(order_id: i64) -> String {
    format!("orderdesk-order-{order_id}")
}

/// What the ERP answered for a delivered order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The ERP's own reference (a sale number, a file name).
    pub reference: String,
    /// The order had been delivered before (found by its key, not created again).
    pub already_there: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ErpError {
    /// Worth trying again later: the network, a timeout, the ERP busy or down.
    #[error("the ERP could not be reached or was busy ({0}); trying again later")]
    Retry(String),
    /// Will fail the same way again: a person has to look.
    #[error("the ERP refused the order: {0}")]
    Refused(String),
    #[error("the order could not be written to {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

impl ErpError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, ErpError::Retry(_))
    }
}

/// What every connector does: deliver an order version under its
/// idempotency key (a second delivery is harmless), and say whether orders
/// could be delivered now. [`Connector`] is the one the settings name.
pub trait ErpConnector {
    fn push(&self, order: &ErpOrder) -> impl std::future::Future<Output = Result<Receipt, ErpError>> + Send;
    fn test(&self) -> impl std::future::Future<Output = Result<String, ErpError>> + Send;
    fn name(&self) -> &'static str;
}

impl ErpConnector for FileDrop {
    fn push(&self, order: &ErpOrder) -> impl std::future::Future<Output = Result<Receipt, ErpError>> + Send {
        self.deliver(order)
    }
    fn test(&self) -> impl std::future::Future<Output = Result<String, ErpError>> + Send {
        self.check()
    }
    fn name(&self) -> &'static str {
        "file"
    }
}

impl ErpConnector for Webhook {
    fn push(&self, order: &ErpOrder) -> impl std::future::Future<Output = Result<Receipt, ErpError>> + Send {
        self.deliver(order)
    }
    fn test(&self) -> impl std::future::Future<Output = Result<String, ErpError>> + Send {
        self.check()
    }
    fn name(&self) -> &'static str {
        "webhook"
    }
}

impl ErpConnector for Tryton {
    fn push(&self, order: &ErpOrder) -> impl std::future::Future<Output = Result<Receipt, ErpError>> + Send {
        Tryton::push(self, order)
    }
    fn test(&self) -> impl std::future::Future<Output = Result<String, ErpError>> + Send {
        Tryton::test(self)
    }
    fn name(&self) -> &'static str {
        "tryton"
    }
}

/// Where confirmed orders go: the connector the settings name.
#[derive(Debug, Clone)]
pub enum Connector {
    FileDrop(FileDrop),
    Webhook(Webhook),
    Tryton(Tryton),
}

impl Connector {
    /// Delivers one order version; delivering it again is harmless.
    pub async fn push(&self, order: &ErpOrder) -> Result<Receipt, ErpError> {
        match self {
            Connector::FileDrop(f) => ErpConnector::push(f, order).await,
            Connector::Webhook(w) => ErpConnector::push(w, order).await,
            Connector::Tryton(t) => ErpConnector::push(t, order).await,
        }
    }

    /// Checks that orders could be delivered now; says where to.
    pub async fn test(&self) -> Result<String, ErpError> {
        match self {
            Connector::FileDrop(f) => ErpConnector::test(f).await,
            Connector::Webhook(w) => ErpConnector::test(w).await,
            Connector::Tryton(t) => ErpConnector::test(t).await,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Connector::FileDrop(f) => f.name(),
            Connector::Webhook(w) => w.name(),
            Connector::Tryton(t) => ErpConnector::name(t),
        }
    }
}

/// One JSON file per order version in a folder an ERP imports from:
/// `orderdesk-order-<id>-v<version>.json`.
#[derive(Debug, Clone)]
pub struct FileDrop {
    pub dir: PathBuf,
}

impl FileDrop {
    fn file_name(order: &ErpOrder) -> String {
        format!("{}-v{}.json", order.idempotency_key, order.version)
    }

    async fn deliver(&self, order: &ErpOrder) -> Result<Receipt, ErpError> {
        let name = Self::file_name(order);
        let path = self.dir.join(&name);
        let io = |path: &PathBuf| {
            let path = path.clone();
            move |source| ErpError::Io { path, source }
        };
        if tokio::fs::try_exists(&path).await.map_err(io(&path))? {
            return Ok(Receipt {
                reference: name,
                already_there: true,
            });
        }
        tokio::fs::create_dir_all(&self.dir).await.map_err(io(&self.dir))?;
        let body = serde_json::to_vec_pretty(order).map_err(|e| ErpError::Refused(e.to_string()))?;
        // Written beside, synced, then renamed: an importing ERP never sees half a file,
        // and the dot keeps the temporary file out of `*.json` globs.
        let tmp = self.dir.join(format!(".{name}.{}.tmp", fastrand::u64(..)));
        let write = async {
            let mut file = tokio::fs::File::create(&tmp).await?;
            tokio::io::AsyncWriteExt::write_all(&mut file, &body).await?;
            file.sync_all().await?;
            tokio::fs::rename(&tmp, &path).await
        };
        if let Err(e) = write.await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(ErpError::Io { path, source: e });
        }
        Ok(Receipt {
            reference: name,
            already_there: false,
        })
    }

    async fn check(&self) -> Result<String, ErpError> {
        let io = |source| ErpError::Io {
            path: self.dir.clone(),
            source,
        };
        tokio::fs::create_dir_all(&self.dir).await.map_err(io)?;
        let probe = self.dir.join(format!(".orderdesk-test-{}", fastrand::u64(..)));
        tokio::fs::write(&probe, b"test").await.map_err(io)?;
        tokio::fs::remove_file(&probe).await.map_err(io)?;
        Ok(format!("orders are written to {}", self.dir.display()))
    }
}

/// A signed JSON POST per order version (docs/erp.md): headers
/// `X-Orderdesk-Timestamp` (Unix seconds), `X-Orderdesk-Signature`
/// (`sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>` under the
/// shared secret) and `Idempotency-Key`.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub url: String,
    pub secret: String,
    pub timeout: Duration,
}

/// The HMAC-SHA256 of `<timestamp>.<body>` under `secret`, not yet finished.
fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The signature header's value for `body` sent at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

/// Whether `header` is the signature of `body` at `timestamp` (constant time).
pub fn verify(secret: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let Some(hex_mac) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(given) = hex::decode(hex_mac) else { return false };
    mac(secret, timestamp, body).verify_slice(&given).is_ok()
}

impl Webhook {
    fn client(&self) -> Result<reqwest::Client, ErpError> {
        reqwest::Client::builder()
            .timeout(self.timeout)
            .build()
            .map_err(|e| ErpError::Refused(format!("the HTTP client cannot start: {e}")))
    }

    async fn deliver(&self, order: &ErpOrder) -> Result<Receipt, ErpError> {
        let body = serde_json::to_vec(order).map_err(|e| ErpError::Refused(e.to_string()))?;
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let response = self
            .client()?
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header("X-Orderdesk-Timestamp", timestamp.to_string())
            .header("X-Orderdesk-Signature", signature(&self.secret, timestamp, &body))
            .header("Idempotency-Key", &order.idempotency_key)
            .body(body)
            .send()
            .await
            .map_err(|e| ErpError::Retry(format!("{}: {e}", self.url)))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let answer: Option<WebhookAnswer> = serde_json::from_str(&text).ok();
        if status.is_success() {
            return Ok(Receipt {
                reference: answer
                    .as_ref()
                    .and_then(|a| a.reference.clone())
                    .unwrap_or_else(|| order.idempotency_key.clone()),
                already_there: answer.is_some_and(|a| a.duplicate),
            });
        }
        let said = text.chars().take(300).collect::<String>();
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.as_u16() == 408 {
            Err(ErpError::Retry(format!("{} answered {status}: {said}", self.url)))
        } else {
            Err(ErpError::Refused(format!("{} answered {status}: {said}", self.url)))
        }
    }

    async fn check(&self) -> Result<String, ErpError> {
        let response = self
            .client()?
            .head(&self.url)
            .send()
            .await
            .map_err(|e| ErpError::Retry(format!("{}: {e}", self.url)))?;
        Ok(format!("{} answers ({})", self.url, response.status()))
    }
}

/// What a webhook receiver may answer: its reference, and whether it had the order already.
#[derive(Debug, Deserialize)]
struct WebhookAnswer {
    reference: Option<String>,
    #[serde(default)]
    duplicate: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_secret_time_and_body() {
        let sig = signature("s3cret", 1_700_000_000, b"{\"a\":1}");
        assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64);
        assert!(verify("s3cret", 1_700_000_000, b"{\"a\":1}", &sig));
        assert!(!verify("other", 1_700_000_000, b"{\"a\":1}", &sig));
        assert!(!verify("s3cret", 1_700_000_001, b"{\"a\":1}", &sig));
        assert!(!verify("s3cret", 1_700_000_000, b"{\"a\":2}", &sig));
        assert!(!verify("s3cret", 1_700_000_000, b"{\"a\":1}", "sha256=zz"));
    }
}

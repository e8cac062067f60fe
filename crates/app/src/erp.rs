//! Confirmed orders to the ERP: the outbox worker. A push is queued in the
//! transaction that confirms or amends an order (`store::erp`); here the
//! due ones are delivered through the configured connector, and every
//! attempt is recorded with its event on the order's timeline.
//!
//! Exactly once: a connector delivers an order version under its
//! idempotency key, and a second delivery finds the first (the file is there;
//! the receiver answers `duplicate`). So a crash between delivery and record
//! delivers again, harmlessly, and records then.

use std::time::Duration;

use domain::event::Actor;
use erp::{Connector, ErpAddress, ErpLine, ErpOrder, FileDrop, PushAction, Tryton, Webhook};
use jiff::Timestamp;
use store::Store;
use store::erp::{ErpPush, PushKind, PushOutcome};
use store::orders::StoredOrder;

use crate::config::{ErpConnectorKind, ErpSettings};
use crate::draft::Draft;

#[derive(Debug, thiserror::Error)]
pub enum ErpLinkError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("order {0} does not exist")]
    NoOrder(i64),
    #[error("order {id}: its stored content cannot be read ({message})")]
    Content { id: i64, message: String },
    #[error("the ERP connector is not set up: {0}")]
    Setup(String),
}

/// The connector the settings name; `None` when no ERP is configured.
pub fn connector(settings: &ErpSettings) -> Result<Option<Connector>, ErpLinkError> {
    Ok(match settings.connector {
        ErpConnectorKind::None => None,
        ErpConnectorKind::File => {
            let dir = settings
                .dir
                .clone()
                .ok_or_else(|| ErpLinkError::Setup("[erp] connector = \"file\" needs dir".into()))?;
            Some(Connector::FileDrop(FileDrop { dir }))
        }
        ErpConnectorKind::Webhook => {
            let url = settings
                .url
                .clone()
                .ok_or_else(|| ErpLinkError::Setup("[erp] connector = \"webhook\" needs url".into()))?;
            let secret = settings.secret.clone().filter(|s| s.len() >= 16).ok_or_else(|| {
                ErpLinkError::Setup("[erp] connector = \"webhook\" needs a secret of at least 16 characters".into())
            })?;
            Some(Connector::Webhook(Webhook {
                url,
                secret,
                timeout: Duration::from_secs(settings.timeout_seconds.max(1)),
            }))
        }
        ErpConnectorKind::Tryton => Some(Connector::Tryton(tryton(settings)?)),
    })
}

/// The Tryton connection the settings name.
pub fn tryton(settings: &ErpSettings) -> Result<Tryton, ErpLinkError> {
    let need = |value: &Option<String>, what: &str| {
        value
            .clone()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| ErpLinkError::Setup(format!("[erp] connector = \"tryton\" needs {what}")))
    };
    Ok(Tryton::new(
        need(&settings.url, "url (the server, e.g. http://erp.example:8000)")?,
        need(&settings.database, "database")?,
        need(&settings.user, "user")?,
        need(&settings.password, "password")?,
        settings.sale_state,
        Duration::from_secs(settings.timeout_seconds.max(1)),
    ))
}

/// The order as the ERP receives it, from the stored confirmed order.
pub fn erp_order(order: &StoredOrder, kind: PushKind) -> Result<ErpOrder, ErpLinkError> {
    let draft = Draft::from_json(&order.content).map_err(|e| ErpLinkError::Content {
        id: order.id,
        message: e.to_string(),
    })?;
    let text = |d: Option<rust_decimal::Decimal>| d.map(|d| d.normalize().to_string());
    Ok(ErpOrder {
        schema: erp::SCHEMA.into(),
        order_id: order.id,
        version: order.version,
        idempotency_key: erp::idempotency_key(order.id),
        action: match kind {
            PushKind::Create => PushAction::Create,
            PushKind::Amend => PushAction::Amend,
            PushKind::Cancel => PushAction::Cancel,
        },
        customer_no: draft.customer.as_ref().map(|c| c.customer_no.clone()),
        customer_name: draft.customer.as_ref().and_then(|c| c.name.clone()),
        po_number: draft.po_number.clone(),
        order_date: draft.order_date.map(|d| d.to_string()),
        requested_delivery_date: draft.requested_delivery_date.map(|d| d.to_string()),
        currency: draft.currency.map(|c| c.to_string()),
        ship_to: draft.ship_to.as_ref().map(|a| ErpAddress {
            address_id: a.address_id.clone(),
            name: a.name.clone(),
            street: a.street.clone(),
            zip: a.zip.clone(),
            city: a.city.clone(),
            country: a.country.clone(),
        }),
        lines: draft
            .lines
            .iter()
            .map(|l| ErpLine {
                line_no: l.line_no,
                sku: l.sku.clone(),
                customer_part_no: l.customer_part_no.clone(),
                description: l.description.clone(),
                quantity: text(l.quantity),
                uom: l.uom.clone(),
                // The price the line is sold at: the customer's, else ours.
                unit_price: text(l.effective_price()),
                delivery_date: l.delivery_date.map(|d| d.to_string()),
                base_quantity: text(l.base_quantity),
            })
            .collect(),
        total: text(order.total),
    })
}

/// The wait before attempt `attempts + 1`: 30 s doubled per attempt, at most 6 h.
pub fn backoff(attempts: i64) -> Duration {
    let seconds = 30u64.saturating_mul(1u64 << attempts.clamp(0, 20));
    Duration::from_secs(seconds.min(6 * 3600))
}

/// What one round of pushing did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PushReport {
    pub sent: usize,
    pub already_there: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Delivers the pushes due at `now` (at most `limit`).
pub async fn push_due(
    store: &Store,
    connector: &Connector,
    settings: &ErpSettings,
    now: Timestamp,
    limit: i64,
) -> Result<PushReport, ErpLinkError> {
    let mut report = PushReport::default();
    for push in store.due_erp_pushes(now, limit).await? {
        push_one(store, connector, settings, &push, now, &mut report).await?;
    }
    Ok(report)
}

/// Delivers one order's pending pushes now, whenever they were due.
pub async fn push_order(
    store: &Store,
    connector: &Connector,
    settings: &ErpSettings,
    order_id: i64,
    now: Timestamp,
) -> Result<PushReport, ErpLinkError> {
    store.order(order_id).await?.ok_or(ErpLinkError::NoOrder(order_id))?;
    let mut report = PushReport::default();
    for push in store.erp_pushes_of(order_id).await? {
        if push.status == store::erp::PushStatus::Pending {
            push_one(store, connector, settings, &push, now, &mut report).await?;
        }
    }
    Ok(report)
}

async fn push_one(
    store: &Store,
    connector: &Connector,
    settings: &ErpSettings,
    push: &ErpPush,
    now: Timestamp,
    report: &mut PushReport,
) -> Result<(), ErpLinkError> {
    let order = store
        .order(push.order_id)
        .await?
        .ok_or(ErpLinkError::NoOrder(push.order_id))?;
    let actor = Actor::System(format!("erp-{}", connector.name()));
    let outcome = match erp_order(&order, push.kind) {
        // The order as it stands now: a push queued for an older version
        // delivers the newer content, and the later push finds it there.
        Ok(message) => match connector.push(&message).await {
            Ok(receipt) => {
                if receipt.already_there {
                    report.already_there += 1;
                } else {
                    report.sent += 1;
                }
                PushOutcome::Sent {
                    reference: receipt.reference,
                }
            }
            Err(e) if e.is_retryable() && push.attempts + 1 < i64::from(settings.max_attempts) => {
                report.retrying += 1;
                PushOutcome::Retry {
                    error: e.to_string(),
                    next_attempt_at: now + backoff(push.attempts),
                }
            }
            Err(e) => {
                report.failed += 1;
                PushOutcome::Failed { error: e.to_string() }
            }
        },
        Err(e) => {
            report.failed += 1;
            PushOutcome::Failed { error: e.to_string() }
        }
    };
    store.record_erp_attempt(push, &outcome, &actor, now).await?;
    Ok(())
}

/// The ERP link while `serve` runs: every `interval_seconds` the settings in
/// force are read (an administrator may have changed them in the web UI), due
/// pushes are delivered, and with Tryton master data and sale states are
/// pulled every `pull_interval_seconds`.
pub async fn run_link(store: Store, configured: ErpSettings) {
    let mut current: Option<(ErpSettings, Connector)> = None;
    let mut last_pull: Option<std::time::Instant> = None;
    loop {
        let settings = match crate::settings::erp(&store, &configured).await {
            Ok((settings, _)) => settings,
            Err(e) => {
                tracing::error!(error = %e, "reading the ERP settings failed");
                configured.clone()
            }
        };
        if current.as_ref().is_none_or(|(s, _)| *s != settings) {
            // A connector per settings, kept while they stay: Tryton keeps its session.
            current = match connector(&settings) {
                Ok(Some(c)) => Some((settings.clone(), c)),
                Ok(None) => None,
                Err(e) => {
                    tracing::error!(error = %e, "the ERP connector is not set up");
                    None
                }
            };
            last_pull = None;
        }
        if let Some((settings, connector)) = &current {
            match push_due(&store, connector, settings, Timestamp::now(), 100).await {
                Ok(r) if r.sent + r.already_there + r.retrying + r.failed > 0 => {
                    tracing::info!(
                        sent = r.sent,
                        retrying = r.retrying,
                        failed = r.failed,
                        "orders pushed to the ERP"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "pushing orders to the ERP failed"),
            }
            if let Connector::Tryton(tryton) = connector
                && settings.pull_interval_seconds > 0
                && last_pull.is_none_or(|t| t.elapsed() >= Duration::from_secs(settings.pull_interval_seconds))
            {
                last_pull = Some(std::time::Instant::now());
                match crate::erp_pull::pull(&store, tryton, Timestamp::now()).await {
                    Ok(r) => tracing::info!(
                        products = r.products,
                        customers = r.customers,
                        stock = r.stock,
                        orders = r.orders,
                        "pulled from the ERP"
                    ),
                    Err(e) => tracing::error!(error = %e, "pulling from the ERP failed"),
                }
            }
        }
        let interval = current
            .as_ref()
            .map_or(configured.interval_seconds, |(s, _)| s.interval_seconds);
        tokio::time::sleep(Duration::from_secs(interval.max(1))).await;
    }
}

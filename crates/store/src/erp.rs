//! The ERP outbox: orders on their way to the ERP. A row is written in the
//! transaction that confirms or amends an order ([`StoreTx::queue_erp_push`]);
//! the worker takes the rows that are due, and records each attempt with its
//! event on the order's timeline in one transaction.

use domain::event::{Actor, Event, FieldChange};
use domain::order::{ErpSaleStatus, OrderStatus, next_status};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::columns::At;
use crate::events::timestamp_text;
use crate::{Store, StoreError, StoreTx};

/// Where a push stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushStatus {
    /// Waiting for its (next) attempt.
    Pending,
    /// The ERP has it.
    Sent,
    /// Given up: refused by the ERP, or too many attempts; a person looks.
    Failed,
}

impl PushStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PushStatus::Pending => "pending",
            PushStatus::Sent => "sent",
            PushStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<PushStatus> {
        match text {
            "pending" => Some(PushStatus::Pending),
            "sent" => Some(PushStatus::Sent),
            "failed" => Some(PushStatus::Failed),
            _ => None,
        }
    }
}

/// What is pushed: the first version of an order, an amendment, or its cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushKind {
    Create,
    Amend,
    Cancel,
}

impl PushKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PushKind::Create => "create",
            PushKind::Amend => "amend",
            PushKind::Cancel => "cancel",
        }
    }

    pub fn parse(text: &str) -> Option<PushKind> {
        match text {
            "create" => Some(PushKind::Create),
            "amend" => Some(PushKind::Amend),
            "cancel" => Some(PushKind::Cancel),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErpPush {
    pub id: i64,
    pub order_id: i64,
    pub order_version: i64,
    pub kind: PushKind,
    pub status: PushStatus,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub erp_reference: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const COLUMNS: &str = "id, order_id, order_version, action, status, attempts, next_attempt_at, last_error, \
     erp_reference, created_at, updated_at";

fn decode(row: &AnyRow) -> Result<ErpPush, StoreError> {
    let id: i64 = row.try_get(0)?;
    let at = At {
        table: "erp_outbox",
        id,
    };
    Ok(ErpPush {
        id,
        order_id: row.try_get(1)?,
        order_version: row.try_get(2)?,
        kind: at.named(row, 3, PushKind::parse)?,
        status: at.named(row, 4, PushStatus::parse)?,
        attempts: row.try_get(5)?,
        next_attempt_at: at.timestamp(row, 6)?,
        last_error: row.try_get(7)?,
        erp_reference: row.try_get(8)?,
        created_at: at.timestamp(row, 9)?,
        updated_at: at.timestamp(row, 10)?,
    })
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum PushOutcome {
    /// The ERP has the order under this reference.
    Sent { reference: String },
    /// Not this time; the next attempt at `next_attempt_at`.
    Retry { error: String, next_attempt_at: Timestamp },
    /// Given up: a person looks.
    Failed { error: String },
}

impl StoreTx {
    /// Queues the push of an order version (in the caller's transaction).
    pub async fn queue_erp_push(
        &mut self,
        order_id: i64,
        order_version: i64,
        kind: PushKind,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let now = timestamp_text(now);
        sqlx::query(
            "INSERT INTO erp_outbox (order_id, order_version, action, status, attempts, next_attempt_at, \
             created_at, updated_at) VALUES ($1, $2, $3, 'pending', 0, $4, $5, $6) \
             ON CONFLICT (order_id, order_version, action) DO NOTHING",
        )
        .bind(order_id)
        .bind(order_version)
        .bind(kind.as_str())
        .bind(now.clone())
        .bind(now.clone())
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}

impl Store {
    /// Pending pushes whose attempt is due at `now`, oldest first.
    pub async fn due_erp_pushes(&self, now: Timestamp, limit: i64) -> Result<Vec<ErpPush>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM erp_outbox WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2"
        )))
        .bind(timestamp_text(now))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }

    /// The pushes of one order, oldest first.
    pub async fn erp_pushes_of(&self, order_id: i64) -> Result<Vec<ErpPush>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM erp_outbox WHERE order_id = $1 ORDER BY id"
        )))
        .bind(order_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }

    /// The newest pushes, optionally of one status.
    pub async fn erp_pushes(&self, status: Option<PushStatus>, limit: i64) -> Result<Vec<ErpPush>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM erp_outbox WHERE ($1 = '' OR status = $1) ORDER BY id DESC LIMIT $2"
        )))
        .bind(status.map_or("", PushStatus::as_str).to_owned())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }

    /// How many pushes stand in each status.
    pub async fn erp_push_counts(&self) -> Result<Vec<(PushStatus, i64)>, StoreError> {
        let rows = sqlx::query("SELECT status, COUNT(*) FROM erp_outbox GROUP BY status ORDER BY status")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let at = At {
                    table: "erp_outbox",
                    id: 0,
                };
                Ok((at.named(r, 0, PushStatus::parse)?, r.try_get(1)?))
            })
            .collect()
    }

    /// Makes a failed or waiting push due now again (a person's "retry").
    pub async fn retry_erp_push(&self, id: i64, actor: &Actor, now: Timestamp) -> Result<bool, StoreError> {
        let Some(push) = self.erp_push(id).await? else {
            return Ok(false);
        };
        if push.status == PushStatus::Sent {
            return Ok(false);
        }
        let update = sqlx::query(
            "UPDATE erp_outbox SET status = 'pending', next_attempt_at = $1, updated_at = $2 \
             WHERE id = $3 AND status <> 'sent'",
        )
        .bind(timestamp_text(now))
        .bind(timestamp_text(now))
        .bind(id);
        let event = order_event(
            push.order_id,
            actor,
            now,
            "erp_push_retried",
            vec![change("erp_push", push.status.as_str(), "pending")],
        );
        self.update_with_event(update, &event).await
    }

    pub async fn erp_push(&self, id: i64) -> Result<Option<ErpPush>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM erp_outbox WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode).transpose()
    }

    /// Records an attempt: the outbox row, the order's status when it was
    /// sent, and the event on the order's timeline, in one transaction.
    /// `false` when the push was no longer pending (another worker had it).
    pub async fn record_erp_attempt(
        &self,
        push: &ErpPush,
        outcome: &PushOutcome,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let now_text = timestamp_text(now);
        let (status, next, error, reference, action) = match outcome {
            PushOutcome::Sent { reference } => (
                PushStatus::Sent,
                push.next_attempt_at,
                None,
                Some(reference.clone()),
                "erp_pushed",
            ),
            PushOutcome::Retry { error, next_attempt_at } => (
                PushStatus::Pending,
                *next_attempt_at,
                Some(error.clone()),
                None,
                "erp_push_retry",
            ),
            PushOutcome::Failed { error } => (
                PushStatus::Failed,
                push.next_attempt_at,
                Some(error.clone()),
                None,
                "erp_push_failed",
            ),
        };
        let mut tx = self.begin().await?;
        let updated = sqlx::query(
            "UPDATE erp_outbox SET status = $1, attempts = attempts + 1, next_attempt_at = $2, last_error = $3, \
             erp_reference = COALESCE($4, erp_reference), updated_at = $5 WHERE id = $6 AND status = 'pending'",
        )
        .bind(status.as_str())
        .bind(timestamp_text(next))
        .bind(error.clone())
        .bind(reference.clone())
        .bind(now_text.clone())
        .bind(push.id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if updated == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        if status == PushStatus::Sent {
            sqlx::query(
                "UPDATE orders SET status = 'sent_to_erp', updated_at = $1 WHERE id = $2 AND status = 'confirmed'",
            )
            .bind(now_text)
            .bind(push.order_id)
            .execute(&mut *tx.tx)
            .await?;
        }
        let mut changes = vec![
            change("erp_push", push.kind.as_str(), status.as_str()),
            FieldChange {
                field: "attempt".into(),
                before: None,
                after: Some((push.attempts + 1).to_string()),
            },
        ];
        if let Some(reference) = reference {
            changes.push(FieldChange {
                field: "erp_reference".into(),
                before: None,
                after: Some(reference),
            });
        }
        if let Some(error) = error {
            changes.push(FieldChange {
                field: "error".into(),
                before: None,
                after: Some(error),
            });
        }
        tx.append_event(&order_event(push.order_id, actor, now, action, changes))
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}

fn change(field: &str, before: &str, after: &str) -> FieldChange {
    FieldChange {
        field: field.into(),
        before: Some(before.into()),
        after: Some(after.into()),
    }
}

fn order_event(order_id: i64, actor: &Actor, now: Timestamp, action: &str, changes: Vec<FieldChange>) -> Event {
    Event {
        occurred_at: now,
        actor: actor.clone(),
        entity_type: "order".into(),
        entity_id: order_id.to_string(),
        action: action.into(),
        changes,
    }
}

/// How a pull of master data and sale states ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErpPull {
    pub id: i64,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    /// `true` when everything was pulled; otherwise `note` says what failed.
    pub ok: bool,
    /// Rows created or changed, per kind.
    pub products: i64,
    pub customers: i64,
    pub addresses: i64,
    pub stock: i64,
    /// Orders whose ERP status changed.
    pub orders: i64,
    /// Records left out because Orderdesk cannot take them (see `note`).
    pub skipped: i64,
    pub note: Option<String>,
    /// Where the next pull starts (the connector's own format).
    pub cursor: Option<String>,
}

const PULL_COLUMNS: &str =
    "id, started_at, finished_at, status, products, customers, addresses, stock, orders, skipped, note, cursor";

fn decode_pull(row: &AnyRow) -> Result<ErpPull, StoreError> {
    let id: i64 = row.try_get(0)?;
    let at = At { table: "erp_pulls", id };
    Ok(ErpPull {
        id,
        started_at: at.timestamp(row, 1)?,
        finished_at: at.timestamp(row, 2)?,
        ok: at.named(row, 3, |s| match s {
            "ok" => Some(true),
            "failed" => Some(false),
            _ => None,
        })?,
        products: row.try_get(4)?,
        customers: row.try_get(5)?,
        addresses: row.try_get(6)?,
        stock: row.try_get(7)?,
        orders: row.try_get(8)?,
        skipped: row.try_get(9)?,
        note: row.try_get(10)?,
        cursor: row.try_get(11)?,
    })
}

impl Store {
    /// Records a pull (its `id` is ignored).
    pub async fn record_erp_pull(&self, pull: &ErpPull) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO erp_pulls (started_at, finished_at, status, products, customers, addresses, stock, \
             orders, skipped, note, cursor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(timestamp_text(pull.started_at))
        .bind(timestamp_text(pull.finished_at))
        .bind(if pull.ok { "ok" } else { "failed" })
        .bind(pull.products)
        .bind(pull.customers)
        .bind(pull.addresses)
        .bind(pull.stock)
        .bind(pull.orders)
        .bind(pull.skipped)
        .bind(pull.note.clone())
        .bind(pull.cursor.clone())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest pulls, newest first.
    pub async fn erp_pulls(&self, limit: i64) -> Result<Vec<ErpPull>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PULL_COLUMNS} FROM erp_pulls ORDER BY id DESC LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_pull).collect()
    }

    /// The cursor of the newest pull that left one.
    pub async fn erp_pull_cursor(&self) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT cursor FROM erp_pulls WHERE cursor IS NOT NULL ORDER BY id DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    /// Takes the ERP's status of an order's sale: the order's `erp_status`,
    /// its own status when the sale shipped or was cancelled there, and the
    /// event on its timeline, in one transaction. `false` when nothing changed
    /// (or the order does not exist).
    pub async fn apply_erp_status(
        &self,
        order_id: i64,
        status: ErpSaleStatus,
        sale: Option<&str>,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT status, erp_status, erp_sale FROM orders WHERE id = $1")
            .bind(order_id)
            .fetch_optional(&mut *tx.tx)
            .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(false);
        };
        let at = At {
            table: "orders",
            id: order_id,
        };
        let order_status = at.named(&row, 0, OrderStatus::parse)?;
        let old_erp: Option<String> = row.try_get(1)?;
        let old_sale: Option<String> = row.try_get(2)?;
        let new_sale = sale.map(str::to_owned).or(old_sale.clone());
        if old_erp.as_deref() == Some(status.as_str()) && old_sale == new_sale {
            tx.rollback().await?;
            return Ok(false);
        }
        let new_order_status = status
            .order_action()
            .and_then(|action| next_status(order_status, action).ok())
            .unwrap_or(order_status);
        sqlx::query("UPDATE orders SET erp_status = $1, erp_sale = $2, status = $3, updated_at = $4 WHERE id = $5")
            .bind(status.as_str())
            .bind(new_sale.clone())
            .bind(new_order_status.as_str())
            .bind(timestamp_text(now))
            .bind(order_id)
            .execute(&mut *tx.tx)
            .await?;
        let mut changes = vec![FieldChange {
            field: "erp_status".into(),
            before: old_erp,
            after: Some(status.as_str().into()),
        }];
        if old_sale != new_sale {
            changes.push(FieldChange {
                field: "erp_sale".into(),
                before: old_sale,
                after: new_sale,
            });
        }
        if new_order_status != order_status {
            changes.push(change("status", order_status.as_str(), new_order_status.as_str()));
        }
        tx.append_event(&order_event(order_id, actor, now, "erp_status_changed", changes))
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}

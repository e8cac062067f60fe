//! Draft orders and quotes (the stored extraction JSON) and the layout hints learned from reviewers.

use sqlx::Row;
use sqlx::any::AnyRow;

use domain::event::{Actor, Event, FieldChange};

use crate::events::timestamp_text;
use crate::{Store, StoreError, StoreTx};

/// A draft as the pipeline makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDraft {
    pub kind: String,
    pub customer_no: Option<String>,
    pub po_number: Option<String>,
    /// `straight_through` or `review`.
    pub decision: String,
    /// The extraction JSON (contracts §2).
    pub extraction: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDraft {
    pub id: i64,
    pub message_id: i64,
    pub kind: String,
    pub customer_no: Option<String>,
    pub po_number: Option<String>,
    pub decision: String,
    /// `straight_through`, `review` now; later `confirmed`, `rejected`.
    pub status: String,
    pub extraction: String,
    /// Raised by every change; a writer must name the version it read.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

const DRAFT_COLUMNS: &str =
    "id, message_id, kind, customer_no, po_number, decision, status, extraction, version, created_at, updated_at";

fn decode_draft(row: &AnyRow) -> Result<StoredDraft, StoreError> {
    Ok(StoredDraft {
        id: row.try_get(0)?,
        message_id: row.try_get(1)?,
        kind: row.try_get(2)?,
        customer_no: row.try_get(3)?,
        po_number: row.try_get(4)?,
        decision: row.try_get(5)?,
        status: row.try_get(6)?,
        extraction: row.try_get(7)?,
        version: row.try_get(8)?,
        created_at: row.try_get(9)?,
        updated_at: row.try_get(10)?,
    })
}

/// A label a sender prints before a header field (`Vorgang` before the PO number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutHint {
    pub sender: String,
    pub field: String,
    pub label: String,
}

impl StoreTx {
    /// Stores the draft of a message (one per message) and its `drafted` event.
    pub async fn insert_draft(
        &mut self,
        message_id: i64,
        draft: &NewDraft,
        now: jiff::Timestamp,
    ) -> Result<i64, StoreError> {
        let now_text = timestamp_text(now);
        let row = sqlx::query(
            "INSERT INTO drafts (message_id, kind, customer_no, po_number, decision, status, extraction, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9) RETURNING id",
        )
        .bind(message_id)
        .bind(draft.kind.clone())
        .bind(draft.customer_no.clone())
        .bind(draft.po_number.clone())
        .bind(draft.decision.clone())
        .bind(draft.decision.clone())
        .bind(draft.extraction.clone())
        .bind(now_text.clone())
        .bind(now_text)
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        let change = |field: &str, value: Option<String>| FieldChange {
            field: field.into(),
            before: None,
            after: value,
        };
        self.append_event(&Event {
            occurred_at: now,
            actor: Actor::System("pipeline".into()),
            entity_type: "draft".into(),
            entity_id: id.to_string(),
            action: "drafted".into(),
            changes: vec![
                change("message_id", Some(message_id.to_string())),
                change("kind", Some(draft.kind.clone())),
                change("customer_no", draft.customer_no.clone()),
                change("po_number", draft.po_number.clone()),
                change("decision", Some(draft.decision.clone())),
            ],
        })
        .await?;
        Ok(id)
    }
}

impl Store {
    pub async fn draft(&self, id: i64) -> Result<Option<StoredDraft>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode_draft).transpose()
    }

    pub async fn draft_of_message(&self, message_id: i64) -> Result<Option<StoredDraft>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts WHERE message_id = $1"
        )))
        .bind(message_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode_draft).transpose()
    }

    /// Drafts newest first, optionally of one status, before the id `before` (keyset paging).
    pub async fn drafts(
        &self,
        status: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StoredDraft>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts WHERE id < $1 AND ($2 = '' OR status = $2) ORDER BY id DESC LIMIT $3"
        )))
        .bind(before.unwrap_or(i64::MAX))
        .bind(status.unwrap_or("").to_owned())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_draft).collect()
    }

    /// Whether another order draft of this customer carries this PO number.
    pub async fn po_number_taken(
        &self,
        customer_no: &str,
        po_number: &str,
        except_message: i64,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM drafts WHERE customer_no = $1 AND po_number = $2 AND message_id <> $3 AND kind = 'order'",
        )
        .bind(customer_no.to_owned())
        .bind(po_number.to_owned())
        .bind(except_message)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>(0)? > 0)
    }

    /// Replaces a draft's content if it still has `version`; `false` when
    /// someone else changed it meanwhile. Appends `event` in the same transaction.
    pub async fn update_draft(
        &self,
        id: i64,
        version: i64,
        extraction: &str,
        decision: &str,
        status: &str,
        event: &Event,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE drafts SET extraction = $1, decision = $2, status = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND version = $6",
        )
        .bind(extraction.to_owned())
        .bind(decision.to_owned())
        .bind(status.to_owned())
        .bind(timestamp_text(event.occurred_at))
        .bind(id)
        .bind(version)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if changed == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.append_event(event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// What was learned about one sender's layout.
    pub async fn layout_hints(&self, sender: &str) -> Result<Vec<LayoutHint>, StoreError> {
        let rows = sqlx::query("SELECT sender, field, label FROM layout_hints WHERE sender = $1 ORDER BY field")
            .bind(sender.to_lowercase())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(LayoutHint {
                    sender: r.try_get(0)?,
                    field: r.try_get(1)?,
                    label: r.try_get(2)?,
                })
            })
            .collect()
    }

    pub async fn save_layout_hint(&self, hint: &LayoutHint, event: &Event) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM layout_hints WHERE sender = $1 AND field = $2")
            .bind(hint.sender.to_lowercase())
            .bind(hint.field.clone())
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query("INSERT INTO layout_hints (sender, field, label, updated_at) VALUES ($1, $2, $3, $4)")
            .bind(hint.sender.to_lowercase())
            .bind(hint.field.clone())
            .bind(hint.label.clone())
            .bind(timestamp_text(event.occurred_at))
            .execute(&mut *tx.tx)
            .await?;
        tx.append_event(event).await?;
        tx.commit().await?;
        Ok(())
    }
}

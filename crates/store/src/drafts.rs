//! Draft orders and quotes (the stored extraction JSON) and the layout hints learned from reviewers.

use sqlx::Row;
use sqlx::any::AnyRow;

use domain::event::{Actor, Event, FieldChange};

use crate::events::timestamp_text;
use crate::{Store, StoreError, StoreTx};

/// A draft as the pipeline makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDraft {
    /// The document part it reads when a message carries several orders; `""` otherwise.
    pub part: String,
    pub kind: String,
    pub customer_no: Option<String>,
    pub po_number: Option<String>,
    /// `straight_through` or `review`.
    pub decision: String,
    /// The extraction JSON (contracts §2).
    pub extraction: String,
    /// What lists show of it (small JSON made by `app::draft::summary`).
    pub summary: String,
    /// When a person should have dealt with it (received + the review SLA).
    pub due_at: jiff::Timestamp,
    /// Set for a straight-through draft: the order the system confirms at once.
    pub order: Option<crate::orders::NewOrder>,
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
    /// The reviewer who took it, if any.
    pub assigned_to: Option<String>,
    pub due_at: Option<String>,
    pub escalated: bool,
    /// Why it was rejected, forwarded or escalated.
    pub status_reason: Option<String>,
    /// The document part it reads when its message carries several orders.
    pub part: String,
}

/// A draft's content as a reviewer's change leaves it.
#[derive(Debug, Clone, Copy)]
pub struct DraftContent<'a> {
    /// The extraction JSON.
    pub extraction: &'a str,
    /// What lists show of it.
    pub summary: &'a str,
    /// `straight_through` or `review`.
    pub decision: &'a str,
}

/// A draft as lists show it: its state and summary, not its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedDraft {
    pub id: i64,
    pub message_id: i64,
    pub kind: String,
    pub customer_no: Option<String>,
    pub po_number: Option<String>,
    pub decision: String,
    pub status: String,
    pub version: i64,
    pub assigned_to: Option<String>,
    pub due_at: Option<String>,
    pub escalated: bool,
    pub status_reason: Option<String>,
    /// `None` for drafts stored before summaries were kept.
    pub summary: Option<String>,
}

const DRAFT_COLUMNS: &str = "id, message_id, kind, customer_no, po_number, decision, status, extraction, version, \
     created_at, updated_at, assigned_to, due_at, escalated, status_reason, part";

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
        assigned_to: row.try_get(11)?,
        due_at: row.try_get(12)?,
        escalated: row.try_get::<i64, _>(13)? != 0,
        status_reason: row.try_get(14)?,
        part: row.try_get(15)?,
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
            "INSERT INTO drafts (message_id, kind, customer_no, po_number, decision, status, extraction, version, created_at, updated_at, due_at, part, summary) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $11, $12) RETURNING id",
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
        .bind(timestamp_text(draft.due_at))
        .bind(draft.part.clone())
        .bind(draft.summary.clone())
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
        if let Some(order) = &draft.order {
            self.insert_order(id, message_id, order, &Actor::System("straight-through".into()), now)
                .await?;
        }
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

    /// The (first) draft of a message.
    pub async fn draft_of_message(&self, message_id: i64) -> Result<Option<StoredDraft>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts WHERE message_id = $1 ORDER BY id LIMIT 1"
        )))
        .bind(message_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode_draft).transpose()
    }

    /// Every draft of a message: one per order it carries.
    pub async fn drafts_of_message(&self, message_id: i64) -> Result<Vec<StoredDraft>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts WHERE message_id = $1 ORDER BY id"
        )))
        .bind(message_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_draft).collect()
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

    /// The review queue: drafts waiting for a person, soonest due first,
    /// after the keyset `(due_at, id)`; only those assigned to `assignee` when
    /// given. Summaries only: a page never reads the drafts' whole content.
    pub async fn review_queue(
        &self,
        after: Option<(&str, i64)>,
        assignee: Option<&str>,
        limit: i64,
    ) -> Result<Vec<QueuedDraft>, StoreError> {
        let (due, id) = after.unwrap_or(("", 0));
        let rows = sqlx::query(
            "SELECT id, message_id, kind, customer_no, po_number, decision, status, version, assigned_to, due_at, \
             escalated, status_reason, summary FROM drafts WHERE status = 'review' AND (due_at > $1 OR (due_at = $1 AND id > $2)) \
             AND ($3 = '' OR assigned_to = $3) ORDER BY due_at, id LIMIT $4",
        )
        .bind(due.to_owned())
        .bind(id)
        .bind(assignee.unwrap_or("").to_owned())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(QueuedDraft {
                    id: row.try_get(0)?,
                    message_id: row.try_get(1)?,
                    kind: row.try_get(2)?,
                    customer_no: row.try_get(3)?,
                    po_number: row.try_get(4)?,
                    decision: row.try_get(5)?,
                    status: row.try_get(6)?,
                    version: row.try_get(7)?,
                    assigned_to: row.try_get(8)?,
                    due_at: row.try_get(9)?,
                    escalated: row.try_get::<i64, _>(10)? != 0,
                    status_reason: row.try_get(11)?,
                    summary: row.try_get(12)?,
                })
            })
            .collect()
    }

    /// How many drafts wait for review, how many of them are overdue at `now`.
    pub async fn queue_counts(&self, now: jiff::Timestamp) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_at < $1 THEN 1 ELSE 0 END), 0) FROM drafts WHERE status = 'review'",
        )
        .bind(timestamp_text(now))
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    /// The drafts of several messages at once (for a page of the inbox).
    pub async fn drafts_of_messages(&self, message_ids: &[i64]) -> Result<Vec<StoredDraft>, StoreError> {
        if message_ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = message_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts WHERE message_id IN ({list})"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_draft).collect()
    }

    /// Assigns a draft (or releases it with `None`) if it still has `version`.
    pub async fn assign_draft(
        &self,
        id: i64,
        version: i64,
        assignee: Option<&str>,
        event: &Event,
    ) -> Result<bool, StoreError> {
        let update = sqlx::query(
            "UPDATE drafts SET assigned_to = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(assignee.map(str::to_owned))
        .bind(timestamp_text(event.occurred_at))
        .bind(id)
        .bind(version);
        self.update_with_event(update, event).await
    }

    /// Moves a draft to `status` (`review`, `rejected`, `forwarded`) with a reason,
    /// escalated or not, if it still has `version`.
    pub async fn set_draft_status(
        &self,
        id: i64,
        version: i64,
        status: &str,
        escalated: bool,
        reason: Option<&str>,
        event: &Event,
    ) -> Result<bool, StoreError> {
        let update = sqlx::query(
            "UPDATE drafts SET status = $1, escalated = $2, status_reason = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND version = $6",
        )
        .bind(status.to_owned())
        .bind(i64::from(escalated))
        .bind(reason.map(str::to_owned))
        .bind(timestamp_text(event.occurred_at))
        .bind(id)
        .bind(version);
        self.update_with_event(update, event).await
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
        content: DraftContent<'_>,
        status: &str,
        event: &Event,
    ) -> Result<bool, StoreError> {
        let DraftContent {
            extraction,
            summary,
            decision,
        } = content;
        let update = sqlx::query(
            "UPDATE drafts SET extraction = $1, decision = $2, status = $3, version = version + 1, updated_at = $4, \
             summary = $7 WHERE id = $5 AND version = $6",
        )
        .bind(extraction.to_owned())
        .bind(decision.to_owned())
        .bind(status.to_owned())
        .bind(timestamp_text(event.occurred_at))
        .bind(id)
        .bind(version)
        .bind(summary.to_owned());
        self.update_with_event(update, event).await
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

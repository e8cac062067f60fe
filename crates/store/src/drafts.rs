//! Draft orders and quotes (the stored extraction JSON) and the layout hints learned from reviewers.

use sqlx::Row;
use sqlx::any::AnyRow;

use domain::customer_item::CustomerItem;
use domain::event::{Actor, Event, FieldChange};
use domain::message::MessageKind;
use domain::review::DraftStatus;
use domain::validation::Decision;
use jiff::Timestamp;

use crate::columns::At;
use crate::events::timestamp_text;
use crate::{Store, StoreError, StoreTx};

/// A draft as the pipeline makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDraft {
    /// The document part it reads when a message carries several orders; `""` otherwise.
    pub part: String,
    pub kind: MessageKind,
    pub customer_no: Option<String>,
    pub po_number: Option<String>,
    pub decision: Decision,
    /// The extraction JSON (contracts §2).
    pub extraction: String,
    /// What lists show of it (small JSON made by `app::draft::summary`).
    pub summary: String,
    /// When a person should have dealt with it (received + the review SLA).
    pub due_at: jiff::Timestamp,
    /// Set for a straight-through draft: the order the system confirms at once.
    pub order: Option<crate::orders::NewOrder>,
    /// Set when the message was answered at once (a status inquiry): the
    /// draft is done with this note instead of waiting for a person.
    pub answered: Option<String>,
    /// Set for an RFQ whose customer is known: the quote drafted from it at
    /// once. The draft is then done; the quote is where the work goes on.
    pub quote: Option<crate::quotes::NewQuote>,
}

/// Which part of the review queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueScope<'a> {
    All,
    AssignedTo(&'a str),
    Unassigned,
    Escalated,
    /// Past their due time at this instant.
    Overdue(Timestamp),
}

/// Drafts in review by whom they are assigned to (`None`: no one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    pub assignee: Option<String>,
    pub waiting: i64,
    pub overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDraft {
    pub id: i64,
    pub message_id: i64,
    pub kind: MessageKind,
    pub customer_no: Option<String>,
    pub po_number: Option<String>,
    pub decision: Decision,
    pub status: DraftStatus,
    pub extraction: String,
    /// Raised by every change; a writer must name the version it read.
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The reviewer who took it, if any.
    pub assigned_to: Option<String>,
    pub due_at: Option<Timestamp>,
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
    pub decision: Decision,
}

/// A draft as lists show it: its state and summary, not its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedDraft {
    pub id: i64,
    pub message_id: i64,
    pub kind: MessageKind,
    pub customer_no: Option<String>,
    pub po_number: Option<String>,
    pub decision: Decision,
    pub status: DraftStatus,
    pub version: i64,
    pub assigned_to: Option<String>,
    pub due_at: Option<Timestamp>,
    pub escalated: bool,
    pub status_reason: Option<String>,
    /// `None` for drafts stored before summaries were kept.
    pub summary: Option<String>,
}

const DRAFT_COLUMNS: &str = "id, message_id, kind, customer_no, po_number, decision, status, extraction, version, \
     created_at, updated_at, assigned_to, due_at, escalated, status_reason, part";

fn decode_draft(row: &AnyRow) -> Result<StoredDraft, StoreError> {
    let id: i64 = row.try_get(0)?;
    let at = At { table: "drafts", id };
    Ok(StoredDraft {
        id,
        message_id: row.try_get(1)?,
        kind: at.named(row, 2, MessageKind::parse)?,
        customer_no: row.try_get(3)?,
        po_number: row.try_get(4)?,
        decision: at.named(row, 5, Decision::parse)?,
        status: at.named(row, 6, DraftStatus::parse)?,
        extraction: row.try_get(7)?,
        version: row.try_get(8)?,
        created_at: at.timestamp(row, 9)?,
        updated_at: at.timestamp(row, 10)?,
        assigned_to: row.try_get(11)?,
        due_at: at.optional_timestamp(row, 12)?,
        escalated: row.try_get::<i64, _>(13)? != 0,
        status_reason: row.try_get(14)?,
        part: row.try_get(15)?,
    })
}

/// A draft closed by the same user action that changes an order (a
/// change or cancellation message applied to the order it names).
#[derive(Debug, Clone, Copy)]
pub struct ClosesDraft<'a> {
    pub id: i64,
    pub version: i64,
    pub state: &'a DraftState<'a>,
    pub event: &'a Event,
}

/// A draft's state as a reviewer's action leaves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DraftState<'a> {
    pub status: DraftStatus,
    pub escalated: bool,
    /// Why it was rejected, forwarded, escalated or marked done.
    pub status_reason: Option<&'a str>,
    pub assigned_to: Option<&'a str>,
}

impl StoredDraft {
    /// Its state as it is now.
    pub fn state(&self) -> DraftState<'_> {
        DraftState {
            status: self.status,
            escalated: self.escalated,
            status_reason: self.status_reason.as_deref(),
            assigned_to: self.assigned_to.as_deref(),
        }
    }
}

/// What a correction changed, kept so it can be undone: the draft as it was
/// before, the field and its values before and after.
#[derive(Debug, Clone, Copy)]
pub struct UndoPoint<'a> {
    pub before: DraftContent<'a>,
    pub by: &'a str,
    pub field: &'a str,
    pub before_value: Option<&'a str>,
    pub after_value: Option<&'a str>,
}

/// The last correction of a draft not undone yet, as the review screen offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undoable {
    pub field: String,
    pub before_value: Option<String>,
    pub after_value: Option<String>,
    pub made_by: String,
    pub made_at: Timestamp,
}

/// What undoing the last correction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoOutcome {
    /// Undone; `unlearned` is true when a customer part number it taught was taken back.
    Undone { undone: Undoable, unlearned: bool },
    /// Nothing of this draft is left to undo.
    Nothing,
    /// The draft changed since the page showed it (or is not in review).
    Conflict,
}

/// What a correction taught, as stored with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredLesson {
    pub customer_item: Option<CustomerItem>,
    pub layout_hint: Option<LayoutHint>,
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
            "INSERT INTO drafts (message_id, kind, customer_no, po_number, decision, status, extraction, version, created_at, updated_at, due_at, part, summary, status_reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(message_id)
        .bind(draft.kind.as_str())
        .bind(draft.customer_no.clone())
        .bind(draft.po_number.clone())
        .bind(draft.decision.as_str())
        .bind(if draft.answered.is_some() || draft.quote.is_some() {
            DraftStatus::Done.as_str()
        } else {
            DraftStatus::of(draft.decision).as_str()
        })
        .bind(draft.extraction.clone())
        .bind(now_text.clone())
        .bind(now_text)
        .bind(timestamp_text(draft.due_at))
        .bind(draft.part.clone())
        .bind(draft.summary.clone())
        .bind(draft.answered.clone())
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
                change("kind", Some(draft.kind.as_str().to_owned())),
                change("customer_no", draft.customer_no.clone()),
                change("po_number", draft.po_number.clone()),
                change("decision", Some(draft.decision.as_str().to_owned())),
            ],
        })
        .await?;
        if let Some(note) = &draft.answered {
            self.append_event(&Event {
                occurred_at: now,
                actor: Actor::System("pipeline".into()),
                entity_type: "draft".into(),
                entity_id: id.to_string(),
                action: "answered".into(),
                changes: vec![
                    change("status", Some(DraftStatus::Done.as_str().to_owned())),
                    change("note", Some(note.clone())),
                ],
            })
            .await?;
        }
        if let Some(order) = &draft.order {
            self.insert_order(id, message_id, order, &Actor::System("straight-through".into()), now)
                .await?;
        }
        if let Some(quote) = &draft.quote {
            self.insert_quote(message_id, id, quote, &Actor::System("pipeline".into()), now)
                .await?;
        }
        Ok(id)
    }
}

impl Store {
    /// The review queue by assignee: how many wait and how many are overdue at `now`.
    pub async fn queue_workload(&self, now: Timestamp) -> Result<Vec<Workload>, StoreError> {
        let rows = sqlx::query(
            "SELECT assigned_to, COUNT(*), SUM(CASE WHEN due_at < $1 THEN 1 ELSE 0 END) FROM drafts \
             WHERE status = 'review' GROUP BY assigned_to ORDER BY assigned_to",
        )
        .bind(timestamp_text(now))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Workload {
                    assignee: row.try_get(0)?,
                    waiting: row.try_get(1)?,
                    overdue: row.try_get::<Option<i64>, _>(2)?.unwrap_or(0),
                })
            })
            .collect()
    }

    /// A customer's drafts waiting for a person, oldest first (at most `limit`).
    pub async fn open_drafts_of_customer(&self, customer_no: &str, limit: i64) -> Result<Vec<StoredDraft>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts WHERE customer_no = $1 AND status = 'review' ORDER BY id LIMIT $2"
        )))
        .bind(customer_no.to_owned())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_draft).collect()
    }

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

    /// The changes and cancellations a customer sent about their order with PO `po_number`.
    pub async fn changes_of_order(&self, customer_no: &str, po_number: &str) -> Result<Vec<StoredDraft>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts WHERE customer_no = $1 AND po_number = $2 \
             AND kind IN ('order_change', 'cancellation') ORDER BY id"
        )))
        .bind(customer_no.to_owned())
        .bind(po_number.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_draft).collect()
    }

    /// Drafts newest first, optionally of one status, before the id `before` (keyset paging).
    pub async fn drafts(
        &self,
        status: Option<DraftStatus>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StoredDraft>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts WHERE id < $1 AND ($2 = '' OR status = $2) ORDER BY id DESC LIMIT $3"
        )))
        .bind(before.unwrap_or(i64::MAX))
        .bind(status.map_or("", DraftStatus::as_str))
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
        after: Option<(Timestamp, i64)>,
        assignee: Option<&str>,
        limit: i64,
    ) -> Result<Vec<QueuedDraft>, StoreError> {
        let scope = assignee.map_or(QueueScope::All, QueueScope::AssignedTo);
        self.review_queue_of(after, scope, limit).await
    }

    /// The queue, or the part of it a manager looks at: someone's,
    /// unassigned, escalated or overdue drafts.
    pub async fn review_queue_of(
        &self,
        after: Option<(Timestamp, i64)>,
        scope: QueueScope<'_>,
        limit: i64,
    ) -> Result<Vec<QueuedDraft>, StoreError> {
        let (due, id) = after.map_or((String::new(), 0), |(t, id)| (timestamp_text(t), id));
        let (condition, value) = match scope {
            QueueScope::All => ("$3 = ''", String::new()),
            QueueScope::AssignedTo(user) => ("assigned_to = $3", user.to_owned()),
            QueueScope::Unassigned => ("assigned_to IS NULL AND $3 = ''", String::new()),
            QueueScope::Escalated => ("escalated = 1 AND $3 = ''", String::new()),
            QueueScope::Overdue(now) => ("due_at < $3", timestamp_text(now)),
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, message_id, kind, customer_no, po_number, decision, status, version, assigned_to, due_at, \
             escalated, status_reason, summary FROM drafts WHERE status = 'review' AND (due_at > $1 OR (due_at = $1 AND id > $2)) \
             AND {condition} ORDER BY due_at, id LIMIT $4"
        )))
        .bind(due)
        .bind(id)
        .bind(value)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get(0)?;
                let at = At { table: "drafts", id };
                Ok(QueuedDraft {
                    id,
                    message_id: row.try_get(1)?,
                    kind: at.named(row, 2, MessageKind::parse)?,
                    customer_no: row.try_get(3)?,
                    po_number: row.try_get(4)?,
                    decision: at.named(row, 5, Decision::parse)?,
                    status: at.named(row, 6, DraftStatus::parse)?,
                    version: row.try_get(7)?,
                    assigned_to: row.try_get(8)?,
                    due_at: at.optional_timestamp(row, 9)?,
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

    /// Moves a draft to a new state (status, escalation, reason, assignee) if
    /// it still has `version`, with its event, in one write; `false` when
    /// someone else changed it meanwhile.
    pub async fn change_draft_state(
        &self,
        id: i64,
        version: i64,
        state: &DraftState<'_>,
        event: &Event,
    ) -> Result<bool, StoreError> {
        let update = sqlx::query(
            "UPDATE drafts SET status = $1, escalated = $2, status_reason = $3, assigned_to = $4, \
             version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7",
        )
        .bind(state.status.as_str())
        .bind(i64::from(state.escalated))
        .bind(state.status_reason.map(str::to_owned))
        .bind(state.assigned_to.map(str::to_owned))
        .bind(timestamp_text(event.occurred_at))
        .bind(id)
        .bind(version);
        self.update_with_event(update, event).await
    }

    /// Drafts waiting for a person whose due time has passed and that are not escalated yet.
    pub async fn overdue_drafts(&self, now: Timestamp, limit: i64) -> Result<Vec<StoredDraft>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts WHERE status = 'review' AND escalated = 0 AND due_at < $1 \
             ORDER BY due_at, id LIMIT $2"
        )))
        .bind(timestamp_text(now))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_draft).collect()
    }

    /// Escalates a draft that is still waiting and not escalated, with its
    /// event and the managers' mails, in one transaction; `false` when
    /// someone acted on it meanwhile.
    pub async fn escalate_draft(
        &self,
        draft: &StoredDraft,
        reason: &str,
        event: &Event,
        mails: &[crate::outbound::NewMail],
    ) -> Result<bool, StoreError> {
        let update = sqlx::query(
            "UPDATE drafts SET escalated = 1, status_reason = COALESCE(status_reason, $1), version = version + 1, \
             updated_at = $2 WHERE id = $3 AND version = $4 AND status = 'review' AND escalated = 0",
        )
        .bind(reason.to_owned())
        .bind(timestamp_text(event.occurred_at))
        .bind(draft.id)
        .bind(draft.version);
        self.update_with_event_and_mails(update, event, mails).await
    }

    /// Marks a draft done as answered, if it still has `version`, and queues
    /// the answer, in one transaction; `false` when it changed meanwhile.
    pub async fn answer_draft(
        &self,
        id: i64,
        version: i64,
        note: &str,
        mail: &crate::outbound::NewMail,
        event: &Event,
    ) -> Result<bool, StoreError> {
        let update = sqlx::query(
            "UPDATE drafts SET status = 'done', status_reason = $1, version = version + 1, updated_at = $2 \
             WHERE id = $3 AND version = $4 AND status = 'review'",
        )
        .bind(note.to_owned())
        .bind(timestamp_text(event.occurred_at))
        .bind(id)
        .bind(version);
        self.update_with_event_and_mails(update, event, std::slice::from_ref(mail))
            .await
    }

    /// How many of the sender's orders a person confirmed without correcting anything.
    pub async fn reviewed_unchanged(&self, sender: &str) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM drafts d JOIN messages m ON m.id = d.message_id \
             WHERE lower(m.sender) = $1 AND d.status = 'confirmed' AND d.decision = 'review' \
             AND NOT EXISTS (SELECT 1 FROM events e WHERE e.entity_type = 'draft' \
             AND e.entity_id = CAST(d.id AS TEXT) AND e.action = 'corrected')",
        )
        .bind(sender.trim().to_lowercase())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get(0)?)
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

    /// Replaces a draft's content if it still has `version`, and stores what
    /// the change taught, with their events, in one transaction; `false` (and
    /// nothing written) when someone else changed the draft meanwhile.
    pub async fn correct_draft(
        &self,
        id: i64,
        version: i64,
        content: DraftContent<'_>,
        lesson: &StoredLesson,
        undo: &UndoPoint<'_>,
        events: &[Event],
    ) -> Result<bool, StoreError> {
        let DraftContent {
            extraction,
            summary,
            decision,
        } = content;
        let at = events.first().map_or_else(Timestamp::now, |e| e.occurred_at);
        let mut tx = self.begin().await?;
        let updated = sqlx::query(
            "UPDATE drafts SET extraction = $1, decision = $2, version = version + 1, updated_at = $3, \
             summary = $4 WHERE id = $5 AND version = $6",
        )
        .bind(extraction.to_owned())
        .bind(decision.as_str())
        .bind(timestamp_text(at))
        .bind(summary.to_owned())
        .bind(id)
        .bind(version)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if updated == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        if let Some(hint) = &lesson.layout_hint {
            tx.save_layout_hint(hint, at).await?;
        }
        // The mapping a learned part number replaces, for undoing it.
        let replaced: Option<Option<String>> = match &lesson.customer_item {
            Some(item) => {
                sqlx::query("SELECT sku FROM customer_items WHERE customer_no = $1 AND customer_part_no = $2")
                    .bind(item.customer_no.as_str().to_owned())
                    .bind(item.customer_part_no.as_str().to_owned())
                    .fetch_optional(&mut *tx.tx)
                    .await?
                    .map(|r| r.try_get::<Option<String>, _>(0))
                    .transpose()?
            }
            None => None,
        };
        let item = lesson.customer_item.as_ref();
        sqlx::query(
            "INSERT INTO draft_undo (draft_id, made_at, made_by, field, before_value, after_value, extraction, summary, \
             decision, item_customer_no, item_part_no, item_sku, item_replaced_sku, item_existed) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(id)
        .bind(timestamp_text(at))
        .bind(undo.by.to_owned())
        .bind(undo.field.to_owned())
        .bind(undo.before_value.map(str::to_owned))
        .bind(undo.after_value.map(str::to_owned))
        .bind(undo.before.extraction.to_owned())
        .bind(undo.before.summary.to_owned())
        .bind(undo.before.decision.as_str())
        .bind(item.map(|i| i.customer_no.as_str().to_owned()))
        .bind(item.map(|i| i.customer_part_no.as_str().to_owned()))
        .bind(item.and_then(|i| i.sku.as_ref()).map(|s| s.as_str().to_owned()))
        .bind(replaced.clone().flatten())
        .bind(i64::from(replaced.is_some()))
        .execute(&mut *tx.tx)
        .await?;
        if let Some(item) = &lesson.customer_item {
            // Only what a correction knows: the customer's code and our product; a unit and factor stay.
            tx.upsert_master(
                crate::master::MasterTable::CustomerItems,
                &["customer_no", "customer_part_no", "sku"],
                &[crate::master::customer_item_values(item)],
            )
            .await?;
        }
        for event in events {
            tx.append_event(event).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The last correction of a draft that can still be undone.
    pub async fn undoable(&self, id: i64) -> Result<Option<Undoable>, StoreError> {
        let row = sqlx::query(
            "SELECT field, before_value, after_value, made_by, made_at FROM draft_undo \
             WHERE draft_id = $1 AND undone_at IS NULL ORDER BY id DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let at = At {
            table: "draft_undo",
            id,
        };
        row.map(|r| {
            Ok(Undoable {
                field: r.try_get(0)?,
                before_value: r.try_get(1)?,
                after_value: r.try_get(2)?,
                made_by: r.try_get(3)?,
                made_at: at.timestamp(&r, 4)?,
            })
        })
        .transpose()
    }

    /// Undoes the last correction of a draft in review, seen at `version`:
    /// the draft as it was before it, a customer part number it taught taken
    /// back (when nothing changed it since), and `event` recorded; the
    /// correction stays on record, marked undone.
    pub async fn undo_correction(
        &self,
        id: i64,
        version: i64,
        by: &str,
        event: impl FnOnce(&Undoable) -> Event,
    ) -> Result<UndoOutcome, StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT u.id, u.field, u.before_value, u.after_value, u.made_by, u.made_at, u.extraction, u.summary, \
             u.decision, u.item_customer_no, u.item_part_no, u.item_sku, u.item_replaced_sku, u.item_existed \
             FROM draft_undo u JOIN drafts d ON d.id = u.draft_id \
             WHERE u.draft_id = $1 AND u.undone_at IS NULL AND d.version = $2 AND d.status = 'review' \
             ORDER BY u.id DESC LIMIT 1",
        )
        .bind(id)
        .bind(version)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(r) = row else {
            let current = sqlx::query("SELECT version, status FROM drafts WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx.tx)
                .await?;
            tx.rollback().await?;
            let in_review_at = current
                .map(|c| Ok::<_, StoreError>((c.try_get::<i64, _>(0)?, c.try_get::<String, _>(1)?)))
                .transpose()?;
            return Ok(match in_review_at {
                Some((v, status)) if v == version && status == "review" => UndoOutcome::Nothing,
                _ => UndoOutcome::Conflict,
            });
        };
        let undo_id: i64 = r.try_get(0)?;
        let at = At {
            table: "draft_undo",
            id: undo_id,
        };
        let undone = Undoable {
            field: r.try_get(1)?,
            before_value: r.try_get(2)?,
            after_value: r.try_get(3)?,
            made_by: r.try_get(4)?,
            made_at: at.timestamp(&r, 5)?,
        };
        let event = event(&undone);
        let now = timestamp_text(event.occurred_at);
        sqlx::query(
            "UPDATE drafts SET extraction = $1, summary = $2, decision = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND version = $6",
        )
        .bind(r.try_get::<String, _>(6)?)
        .bind(r.try_get::<String, _>(7)?)
        .bind(r.try_get::<String, _>(8)?)
        .bind(now.clone())
        .bind(id)
        .bind(version)
        .execute(&mut *tx.tx)
        .await?;
        sqlx::query("UPDATE draft_undo SET undone_at = $1, undone_by = $2 WHERE id = $3")
            .bind(now)
            .bind(by.to_owned())
            .bind(undo_id)
            .execute(&mut *tx.tx)
            .await?;
        let item: (Option<String>, Option<String>, Option<String>) = (r.try_get(9)?, r.try_get(10)?, r.try_get(11)?);
        let replaced: Option<String> = r.try_get(12)?;
        let existed = r.try_get::<i64, _>(13)? != 0;
        let mut unlearned = false;
        if let (Some(customer_no), Some(part_no), Some(sku)) = item {
            // Only while the part number still names what this correction taught.
            let query = if existed {
                sqlx::query(
                    "UPDATE customer_items SET sku = $1 WHERE customer_no = $2 AND customer_part_no = $3 AND sku = $4",
                )
                .bind(replaced)
                .bind(customer_no)
                .bind(part_no)
                .bind(sku)
            } else {
                sqlx::query("DELETE FROM customer_items WHERE customer_no = $1 AND customer_part_no = $2 AND sku = $3")
                    .bind(customer_no)
                    .bind(part_no)
                    .bind(sku)
            };
            unlearned = query.execute(&mut *tx.tx).await?.rows_affected() > 0;
        }
        tx.append_event(&event).await?;
        tx.commit().await?;
        Ok(UndoOutcome::Undone { undone, unlearned })
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
}

impl StoreTx {
    /// Moves a draft to `close.state` if it still has its version; `false` when it moved on.
    pub(crate) async fn close_draft(&mut self, close: &ClosesDraft<'_>) -> Result<bool, StoreError> {
        let state = close.state;
        let updated = sqlx::query(
            "UPDATE drafts SET status = $1, escalated = $2, status_reason = $3, assigned_to = $4, \
             version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7 AND status = 'review'",
        )
        .bind(state.status.as_str())
        .bind(i64::from(state.escalated))
        .bind(state.status_reason.map(str::to_owned))
        .bind(state.assigned_to.map(str::to_owned))
        .bind(timestamp_text(close.event.occurred_at))
        .bind(close.id)
        .bind(close.version)
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(false);
        }
        self.append_event(close.event).await?;
        Ok(true)
    }

    /// Commits, closing the draft `closes` names first; rolled back (`false`)
    /// when that draft moved on meanwhile.
    pub(crate) async fn commit_closing(mut self, closes: Option<&ClosesDraft<'_>>) -> Result<bool, StoreError> {
        if let Some(close) = closes
            && !self.close_draft(close).await?
        {
            self.rollback().await?;
            return Ok(false);
        }
        self.commit().await?;
        Ok(true)
    }

    /// Replaces the label learned for one sender and field.
    async fn save_layout_hint(&mut self, hint: &LayoutHint, at: Timestamp) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM layout_hints WHERE sender = $1 AND field = $2")
            .bind(hint.sender.to_lowercase())
            .bind(hint.field.clone())
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("INSERT INTO layout_hints (sender, field, label, updated_at) VALUES ($1, $2, $3, $4)")
            .bind(hint.sender.to_lowercase())
            .bind(hint.field.clone())
            .bind(hint.label.clone())
            .bind(timestamp_text(at))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

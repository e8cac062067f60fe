//! Inbound messages and the durable job queue.
//!
//! Receiving stores the message row, and for an original also its processing
//! job, in one transaction, after the raw bytes are in the blob store. A job is
//! claimed with a lease; a worker that dies leaves the lease to run out and the
//! job is claimed again. Completing checks that the lease is still the
//! worker's, so a job yields exactly one result however often it was started.

use sqlx::Row;

use domain::message::{MessageKind, MessageStatus};
use jiff::Timestamp;

use crate::columns::At;
use crate::connect::{Backend, Store};
use crate::error::StoreError;
use crate::events::timestamp_text;
use domain::event::{Actor, Event, FieldChange};

/// A message as it arrives.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub received_at: jiff::Timestamp,
    /// `upload`, `folder`, `api`, `imap:MAILBOX` …
    pub channel: String,
    pub source_name: Option<String>,
    pub sha256: String,
    pub size_bytes: u64,
    /// The Message-ID header without angle brackets, for mails.
    pub message_id_header: Option<String>,
    pub sender: Option<String>,
    pub subject: Option<String>,
}

/// What receiving did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub id: i64,
    /// Set when the message repeats an earlier one (same bytes or Message-ID).
    pub duplicate_of: Option<i64>,
}

/// A stored message.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMessage {
    pub id: i64,
    pub received_at: Timestamp,
    pub channel: String,
    pub source_name: Option<String>,
    pub sha256: String,
    pub size_bytes: i64,
    pub message_id_header: Option<String>,
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub status: MessageStatus,
    pub kind: Option<MessageKind>,
    pub kind_reason: Option<String>,
    pub error: Option<String>,
    pub duplicate_of: Option<i64>,
    pub documents_json: Option<String>,
    pub processed_at: Option<Timestamp>,
    /// The kind a person gave the message (it is drafted as this kind).
    pub kind_set: Option<MessageKind>,
    pub kind_set_by: Option<String>,
}

/// A claimed job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub message_id: i64,
    /// How often it was claimed, this time included.
    pub attempts: i64,
}

/// The result of processing a message.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessedMessage {
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub kind: MessageKind,
    pub kind_reason: String,
    pub documents_json: String,
    /// Problems worth showing on the message (errors of its parts).
    pub error: Option<String>,
    /// The draft orders or quotes made from it (one per order it carries), stored in the same transaction.
    pub drafts: Vec<crate::drafts::NewDraft>,
    /// Mail to the sender it causes (an acknowledgement), queued in the same transaction.
    pub mails: Vec<crate::outbound::NewMail>,
    /// The mail thread it belongs to (its root Message-ID), when it is a mail.
    pub thread_root: Option<String>,
    /// The format of its order document (`pdf`, `x12` …; the mail's own when it has no other part).
    pub format: Option<String>,
}

const MESSAGE_COLUMNS: &str = "id, received_at, channel, source_name, sha256, size_bytes, message_id_header, sender, \
     subject, status, kind, kind_reason, error, duplicate_of, documents_json, processed_at, kind_set, kind_set_by";

fn decode_message(row: &sqlx::any::AnyRow) -> Result<StoredMessage, StoreError> {
    let id: i64 = row.try_get(0)?;
    let at = At { table: "messages", id };
    let kind = match row.try_get::<Option<String>, _>(10)? {
        None => None,
        Some(_) => Some(at.named(row, 10, MessageKind::parse)?),
    };
    Ok(StoredMessage {
        id,
        received_at: at.timestamp(row, 1)?,
        channel: row.try_get("channel")?,
        source_name: row.try_get("source_name")?,
        sha256: row.try_get("sha256")?,
        size_bytes: row.try_get("size_bytes")?,
        message_id_header: row.try_get("message_id_header")?,
        sender: row.try_get("sender")?,
        subject: row.try_get("subject")?,
        status: at.named(row, 9, MessageStatus::parse)?,
        kind,
        kind_reason: row.try_get("kind_reason")?,
        error: row.try_get("error")?,
        duplicate_of: row.try_get("duplicate_of")?,
        documents_json: row.try_get("documents_json")?,
        processed_at: at.optional_timestamp(row, 15)?,
        kind_set: match row.try_get::<Option<String>, _>(16)? {
            None => None,
            Some(_) => Some(at.named(row, 16, MessageKind::parse)?),
        },
        kind_set_by: row.try_get(17)?,
    })
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Why a message cannot be drafted again as another kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redraft {
    /// Set and queued.
    Queued,
    NoMessage,
    /// A draft of it was already confirmed, quoted or closed: (draft id, status).
    Settled(i64, String),
}

impl Store {
    /// Gives a message the kind a person says it is and reads it again: its
    /// drafts still in review are removed (their events stay on record) and
    /// a `process` job is queued, in one transaction with the `reclassified` event.
    pub async fn redraft_as(
        &self,
        message_id: i64,
        kind: MessageKind,
        actor: &domain::event::Actor,
        now: Timestamp,
    ) -> Result<Redraft, StoreError> {
        let mut tx = self.begin().await?;
        let Some(row) = sqlx::query("SELECT kind FROM messages WHERE id = $1")
            .bind(message_id)
            .fetch_optional(&mut *tx.tx)
            .await?
        else {
            return Ok(Redraft::NoMessage);
        };
        let before: Option<String> = row.try_get(0)?;
        let drafts = sqlx::query("SELECT id, status FROM drafts WHERE message_id = $1 ORDER BY id")
            .bind(message_id)
            .fetch_all(&mut *tx.tx)
            .await?;
        for d in &drafts {
            let status: String = d.try_get(1)?;
            if status != "review" {
                return Ok(Redraft::Settled(d.try_get(0)?, status));
            }
        }
        sqlx::query("DELETE FROM drafts WHERE message_id = $1 AND status = 'review'")
            .bind(message_id)
            .execute(&mut *tx.tx)
            .await?;
        let now_text = timestamp_text(now);
        sqlx::query("UPDATE messages SET kind_set = $1, kind_set_by = $2, status = 'received' WHERE id = $3")
            .bind(kind.as_str())
            .bind(actor.to_storage())
            .bind(message_id)
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query("INSERT INTO jobs (message_id, kind, status, created_at) VALUES ($1, 'process', 'queued', $2)")
            .bind(message_id)
            .bind(now_text)
            .execute(&mut *tx.tx)
            .await?;
        tx.append_event(&domain::event::Event {
            occurred_at: now,
            actor: actor.clone(),
            entity_type: "message".into(),
            entity_id: message_id.to_string(),
            action: "reclassified".into(),
            changes: vec![domain::event::FieldChange {
                field: "kind".into(),
                before,
                after: Some(kind.as_str().to_owned()),
            }],
        })
        .await?;
        tx.commit().await?;
        Ok(Redraft::Queued)
    }

    /// Records a message whose bytes are already in the blob store, with its job.
    pub async fn receive_message(&self, new: &NewMessage) -> Result<Received, StoreError> {
        // Two receivers of the same message race on the unique indexes; the loser
        // records a duplicate on its second pass.
        for _ in 0..3 {
            match self.try_receive(new).await {
                Err(StoreError::Database(e)) if is_unique_violation(&e) => continue,
                other => return other,
            }
        }
        self.try_receive(new).await
    }

    async fn try_receive(&self, new: &NewMessage) -> Result<Received, StoreError> {
        let mut tx = self.begin().await?;
        let original: Option<i64> = sqlx::query(
            "SELECT id FROM messages WHERE duplicate_of IS NULL AND (sha256 = $1 OR message_id_header = $2) ORDER BY id LIMIT 1",
        )
        .bind(new.sha256.clone())
        .bind(new.message_id_header.clone())
        .fetch_optional(&mut *tx.tx)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
        let now = timestamp_text(new.received_at);
        let status = if original.is_some() { "duplicate" } else { "received" };
        let id: i64 = sqlx::query(
            "INSERT INTO messages (received_at, channel, source_name, sha256, size_bytes, message_id_header, sender, subject, status, duplicate_of) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(now.clone())
        .bind(new.channel.clone())
        .bind(new.source_name.clone())
        .bind(new.sha256.clone())
        .bind(new.size_bytes as i64)
        .bind(new.message_id_header.clone())
        .bind(new.sender.clone())
        .bind(new.subject.clone())
        .bind(status)
        .bind(original)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get(0)?;
        if original.is_none() {
            sqlx::query("INSERT INTO jobs (message_id, kind, status, created_at) VALUES ($1, 'process', 'queued', $2)")
                .bind(id)
                .bind(now)
                .execute(&mut *tx.tx)
                .await?;
        }
        let change = |field: &str, value: Option<String>| FieldChange {
            field: field.into(),
            before: None,
            after: value,
        };
        tx.append_event(&Event {
            occurred_at: new.received_at,
            actor: Actor::System(new.channel.clone()),
            entity_type: "message".into(),
            entity_id: id.to_string(),
            action: if original.is_some() {
                "received again"
            } else {
                "received"
            }
            .into(),
            changes: vec![
                change("sha256", Some(new.sha256.clone())),
                change("source", new.source_name.clone()),
                change("duplicate_of", original.map(|o| o.to_string())),
            ],
        })
        .await?;
        tx.commit().await?;
        Ok(Received {
            id,
            duplicate_of: original,
        })
    }

    /// Claims the oldest waiting job (or one whose lease ran out) until `lease_until`.
    pub async fn claim_job(
        &self,
        now: jiff::Timestamp,
        lease_until: jiff::Timestamp,
    ) -> Result<Option<Job>, StoreError> {
        let lock = match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE jobs SET status = 'running', locked_until = $1, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM jobs WHERE status = 'queued' OR (status = 'running' AND locked_until < $2) \
             ORDER BY id LIMIT 1{lock}) RETURNING id, message_id, attempts"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(timestamp_text(lease_until))
            .bind(timestamp_text(now))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(Job {
                id: r.try_get(0)?,
                message_id: r.try_get(1)?,
                attempts: r.try_get(2)?,
            })
        })
        .transpose()
    }

    /// Fails every job whose lease ran out after its last allowed attempt: a
    /// message whose processing ended the process each time (or never
    /// finished) gets an error instead of being taken up again forever.
    /// Returns the messages stopped.
    pub async fn stop_abandoned_jobs(&self, now: jiff::Timestamp, max_attempts: i64) -> Result<Vec<i64>, StoreError> {
        let now_text = timestamp_text(now);
        // The worker asks before every claim, idle or not: a read, and a write only when there is something to stop.
        let rows = sqlx::query(
            "SELECT id, message_id, attempts FROM jobs WHERE status = 'running' AND locked_until < $1 AND attempts >= $2 ORDER BY id",
        )
        .bind(now_text.clone())
        .bind(max_attempts)
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin().await?;
        let mut stopped = Vec::new();
        for row in rows {
            let (id, message_id, attempts): (i64, i64, i64) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
            let error = format!(
                "stopped after {attempts} attempts: none finished (the last one ended the process or ran out of time); \
                 the message is kept as received"
            );
            let affected = sqlx::query(
                "UPDATE jobs SET status = 'failed', last_error = $1, locked_until = NULL, finished_at = $2 \
                 WHERE id = $3 AND status = 'running' AND attempts = $4",
            )
            .bind(error.clone())
            .bind(now_text.clone())
            .bind(id)
            .bind(attempts)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
            if affected == 0 {
                continue;
            }
            tx.mark_message_failed(message_id, &error, now).await?;
            stopped.push(message_id);
        }
        tx.commit().await?;
        Ok(stopped)
    }

    /// Whether any message refers to the blob `sha256`.
    pub async fn blob_in_use(&self, sha256: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM messages WHERE sha256 = $1")
            .bind(sha256.to_owned())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>(0)? > 0)
    }

    /// Jobs waiting or running, and when the oldest waiting one was queued
    /// (the received time of its message), for monitoring.
    pub async fn queue_state(&self) -> Result<(i64, Option<jiff::Timestamp>), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*), MIN(m.received_at) FROM jobs j JOIN messages m ON m.id = j.message_id \
             WHERE j.status IN ('queued', 'running')",
        )
        .fetch_one(&self.pool)
        .await?;
        let oldest: Option<String> = row.try_get(1)?;
        Ok((row.try_get(0)?, oldest.and_then(|t| t.parse().ok())))
    }

    /// Stores the result of a job, if the job is still this worker's. Returns
    /// whether it was stored; `false` means another worker took the job over.
    pub async fn complete_job(
        &self,
        job: Job,
        result: &ProcessedMessage,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let now_text = timestamp_text(now);
        let done = sqlx::query(
            "UPDATE jobs SET status = 'done', finished_at = $1, last_error = NULL WHERE id = $2 AND status = 'running' AND attempts = $3",
        )
        .bind(now_text.clone())
        .bind(job.id)
        .bind(job.attempts)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if done == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        let status = if result.error.is_some() {
            MessageStatus::Error
        } else {
            MessageStatus::Processed
        };
        sqlx::query(
            "UPDATE messages SET status = $1, kind = $2, kind_reason = $3, error = $4, documents_json = $5, \
             sender = COALESCE($6, sender), subject = COALESCE($7, subject), processed_at = $8, \
             thread_root = COALESCE($10, thread_root), format = COALESCE($11, format) WHERE id = $9",
        )
        .bind(status.as_str())
        .bind(result.kind.as_str())
        .bind(result.kind_reason.clone())
        .bind(result.error.clone())
        .bind(result.documents_json.clone())
        .bind(result.sender.clone())
        .bind(result.subject.clone())
        .bind(now_text)
        .bind(job.message_id)
        .bind(result.thread_root.clone())
        .bind(result.format.clone())
        .execute(&mut *tx.tx)
        .await?;
        let change = |field: &str, value: Option<String>| FieldChange {
            field: field.into(),
            before: None,
            after: value,
        };
        tx.append_event(&Event {
            occurred_at: now,
            actor: Actor::System("worker".into()),
            entity_type: "message".into(),
            entity_id: job.message_id.to_string(),
            action: "processed".into(),
            changes: vec![
                change("status", Some(status.as_str().into())),
                change("kind", Some(result.kind.as_str().into())),
                change("error", result.error.clone()),
            ],
        })
        .await?;
        for draft in &result.drafts {
            tx.insert_draft(job.message_id, draft, now).await?;
        }
        for mail in &result.mails {
            tx.queue_mail(mail, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Records a failed attempt: the job waits again, or after `max_attempts` the
    /// message is marked as an error with `error`.
    pub async fn fail_job(
        &self,
        job: Job,
        error: &str,
        max_attempts: i64,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let give_up = job.attempts >= max_attempts;
        let affected = sqlx::query(
            "UPDATE jobs SET status = $1, last_error = $2, locked_until = NULL, finished_at = $3 WHERE id = $4 AND attempts = $5",
        )
        .bind(if give_up { "failed" } else { "queued" })
        .bind(error.to_owned())
        .bind(give_up.then(|| timestamp_text(now)))
        .bind(job.id)
        .bind(job.attempts)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if affected == 1 && give_up {
            tx.mark_message_failed(job.message_id, error, now).await?;
        }
        tx.commit().await
    }

    pub async fn message(&self, id: i64) -> Result<Option<StoredMessage>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode_message).transpose()
    }

    /// Messages newest first, before the id `before` (keyset paging).
    pub async fn messages(&self, before: Option<i64>, limit: i64) -> Result<Vec<StoredMessage>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id < $1 ORDER BY id DESC LIMIT $2"
        )))
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_message).collect()
    }

    /// How many jobs wait or run.
    pub async fn open_jobs(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }
}

impl crate::StoreTx {
    /// Marks a message as failed for good, with its error and a `failed` event.
    async fn mark_message_failed(
        &mut self,
        message_id: i64,
        error: &str,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE messages SET status = 'error', error = $1, processed_at = $2 WHERE id = $3")
            .bind(error.to_owned())
            .bind(timestamp_text(now))
            .bind(message_id)
            .execute(&mut *self.tx)
            .await?;
        self.append_event(&Event {
            occurred_at: now,
            actor: Actor::System("worker".into()),
            entity_type: "message".into(),
            entity_id: message_id.to_string(),
            action: "failed".into(),
            changes: vec![FieldChange {
                field: "error".into(),
                before: None,
                after: Some(error.to_owned()),
            }],
        })
        .await
    }
}

impl Store {
    /// The stored reading position of a mailbox: `(uid_validity, last_uid)`.
    pub async fn mailbox_state(&self, name: &str) -> Result<Option<(i64, i64)>, StoreError> {
        let row = sqlx::query("SELECT uid_validity, last_uid FROM mailbox_state WHERE name = $1")
            .bind(name.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }

    pub async fn set_mailbox_state(&self, name: &str, uid_validity: i64, last_uid: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO mailbox_state (name, uid_validity, last_uid, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at",
        )
        .bind(name.to_owned())
        .bind(uid_validity)
        .bind(last_uid)
        .bind(timestamp_text(jiff::Timestamp::now()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

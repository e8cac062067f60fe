//! The mail outbox: mail to customers on its way. A row is written in the
//! transaction of what caused it ([`StoreTx::queue_mail`]); the worker
//! claims a due row (`pending` → `sending`, committed before the SMTP
//! conversation), sends it, and records how it went with its event on the
//! message's (or order's) timeline.
//!
//! A process that dies mid-send leaves the row `sending`; the next start
//! makes it `pending` again ([`Store::release_sending`]). The SMTP server
//! takes a mail only with its answer to the end of the data, so a mail cut
//! off mid-send was not taken and goes again once; only a death in the
//! instant between that answer and our commit could send it twice.

use domain::event::{Actor, Event, FieldChange};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::columns::At;
use crate::events::timestamp_text;
use crate::{Store, StoreError, StoreTx};

/// What a mail is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailKind {
    /// "We have your order": seconds after an order, change, cancellation or RFQ arrives.
    Acknowledgement,
    /// The order as we confirmed it, with the confirmation PDF (made when
    /// the mail is first sent, so it carries our order number).
    Confirmation,
    /// The order response (EDIFACT ORDRSP, X12 855, UBL OrderResponse) to a
    /// partner who ordered by EDI or UBL: by mail, or written to their folder.
    OrderResponse,
    /// The answer to a status inquiry ("where is our order?").
    StatusAnswer,
    /// To a manager: a draft is overdue.
    Escalation,
    /// A quote with its PDF, in the RFQ's thread.
    Quote,
    /// To the sales team: a sent quote ends soon without an answer.
    QuoteFollowUp,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Acknowledgement => "acknowledgement",
            MailKind::Confirmation => "confirmation",
            MailKind::OrderResponse => "order_response",
            MailKind::StatusAnswer => "status_answer",
            MailKind::Escalation => "escalation",
            MailKind::Quote => "quote",
            MailKind::QuoteFollowUp => "quote_follow_up",
        }
    }

    pub fn parse(text: &str) -> Option<MailKind> {
        match text {
            "acknowledgement" => Some(MailKind::Acknowledgement),
            "confirmation" => Some(MailKind::Confirmation),
            "order_response" => Some(MailKind::OrderResponse),
            "status_answer" => Some(MailKind::StatusAnswer),
            "escalation" => Some(MailKind::Escalation),
            "quote" => Some(MailKind::Quote),
            "quote_follow_up" => Some(MailKind::QuoteFollowUp),
            _ => None,
        }
    }
}

/// Where a mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailStatus {
    Pending,
    /// Claimed by the worker; the SMTP conversation runs.
    Sending,
    Sent,
    /// Given up: refused by the server or too many attempts.
    Failed,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Pending => "pending",
            MailStatus::Sending => "sending",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<MailStatus> {
        [
            MailStatus::Pending,
            MailStatus::Sending,
            MailStatus::Sent,
            MailStatus::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// A mail to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub kind: MailKind,
    /// The inbound message it answers.
    pub message_id: Option<i64>,
    pub order_id: Option<i64>,
    /// A second mail with the same key is not queued.
    pub dedupe_key: String,
    pub language: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// Our Message-ID, with angle brackets.
    pub mail_message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// The file it carries, once made.
    pub attachment: Option<MailAttachment>,
}

/// A file a mail carries, kept in the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAttachment {
    pub name: String,
    /// MIME type (`application/pdf`).
    pub content_type: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMail {
    pub id: i64,
    pub mail: NewMail,
    pub status: MailStatus,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, kind, message_id, order_id, dedupe_key, language, to_address, subject, body, \
     mail_message_id, in_reply_to, refs, status, attempts, next_attempt_at, last_error, created_at, sent_at, \
     attachment_name, attachment_type, attachment_sha256";

fn decode(row: &AnyRow) -> Result<StoredMail, StoreError> {
    let id: i64 = row.try_get(0)?;
    let at = At {
        table: "mail_outbox",
        id,
    };
    let refs: String = row.try_get(11)?;
    Ok(StoredMail {
        id,
        mail: NewMail {
            kind: at.named(row, 1, MailKind::parse)?,
            message_id: row.try_get(2)?,
            order_id: row.try_get(3)?,
            dedupe_key: row.try_get(4)?,
            language: row.try_get(5)?,
            to: row.try_get(6)?,
            subject: row.try_get(7)?,
            body: row.try_get(8)?,
            mail_message_id: row.try_get(9)?,
            in_reply_to: row.try_get(10)?,
            references: refs.split_whitespace().map(str::to_owned).collect(),
            attachment: match (row.try_get(18)?, row.try_get(19)?, row.try_get(20)?) {
                (Some(name), Some(content_type), Some(sha256)) => Some(MailAttachment {
                    name,
                    content_type,
                    sha256,
                }),
                _ => None,
            },
        },
        status: at.named(row, 12, MailStatus::parse)?,
        attempts: row.try_get(13)?,
        next_attempt_at: at.timestamp(row, 14)?,
        last_error: row.try_get(15)?,
        created_at: at.timestamp(row, 16)?,
        sent_at: at.optional_timestamp(row, 17)?,
    })
}

/// How a sending attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailOutcome {
    Sent,
    Retry { error: String, next_attempt_at: Timestamp },
    Failed { error: String },
}

/// The event of a mail, on the order's timeline (else the message's).
fn mail_event(mail: &NewMail, actor: &Actor, now: Timestamp, action: &str, changes: Vec<FieldChange>) -> Event {
    let (entity_type, entity_id) = match (mail.order_id, mail.message_id) {
        (Some(o), _) => ("order", o),
        (None, Some(m)) => ("message", m),
        (None, None) => ("mail", 0),
    };
    Event {
        occurred_at: now,
        actor: actor.clone(),
        entity_type: entity_type.into(),
        entity_id: entity_id.to_string(),
        action: action.into(),
        changes,
    }
}

fn after(field: &str, value: impl Into<String>) -> FieldChange {
    FieldChange {
        field: field.into(),
        before: None,
        after: Some(value.into()),
    }
}

impl StoreTx {
    /// Queues the confirmation (and order response) of an order's `version`
    /// after an amendment, to whom and in the thread the first ones went;
    /// nothing when the order had none. Returns how many were queued.
    pub async fn queue_amended_confirmation(
        &mut self,
        order_id: i64,
        version: i64,
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM mail_outbox WHERE order_id = $1 AND kind IN ('confirmation', 'order_response') \
             ORDER BY id"
        )))
        .bind(order_id)
        .fetch_all(&mut *self.tx)
        .await?;
        let mails = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        let mut queued = 0;
        for kind in [MailKind::Confirmation, MailKind::OrderResponse] {
            let of_kind: Vec<&StoredMail> = mails.iter().filter(|m| m.mail.kind == kind).collect();
            let (Some(first), Some(last)) = (of_kind.first(), of_kind.last()) else {
                continue;
            };
            let domain = last
                .mail
                .mail_message_id
                .rsplit('@')
                .next()
                .unwrap_or("orderdesk.invalid>")
                .trim_end_matches('>');
            let mut references = last.mail.references.clone();
            references.push(last.mail.mail_message_id.clone());
            let mail = NewMail {
                kind,
                message_id: first.mail.message_id,
                order_id: Some(order_id),
                dedupe_key: format!("{}:{order_id}:v{version}", kind.as_str()),
                language: first.mail.language.clone(),
                to: first.mail.to.clone(),
                subject: String::new(),
                body: String::new(),
                mail_message_id: format!(
                    "<{}-{order_id}-v{version}-{:x}@{domain}>",
                    kind.as_str(),
                    now.as_nanosecond()
                ),
                in_reply_to: Some(last.mail.mail_message_id.clone()),
                references,
                attachment: None,
            };
            if self.queue_mail(&mail, now).await? {
                queued += 1;
            }
        }
        Ok(queued)
    }

    /// Queues a mail in the caller's transaction; `false` when one with its dedupe key exists.
    pub async fn queue_mail(&mut self, mail: &NewMail, now: Timestamp) -> Result<bool, StoreError> {
        let now_text = timestamp_text(now);
        let inserted = sqlx::query(
            "INSERT INTO mail_outbox (kind, message_id, order_id, dedupe_key, language, to_address, subject, body, \
             mail_message_id, in_reply_to, refs, status, attempts, next_attempt_at, created_at, \
             attachment_name, attachment_type, attachment_sha256) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', 0, $12, $13, $14, $15, $16) \
             ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(mail.kind.as_str())
        .bind(mail.message_id)
        .bind(mail.order_id)
        .bind(mail.dedupe_key.clone())
        .bind(mail.language.clone())
        .bind(mail.to.clone())
        .bind(mail.subject.clone())
        .bind(mail.body.clone())
        .bind(mail.mail_message_id.clone())
        .bind(mail.in_reply_to.clone())
        .bind(mail.references.join(" "))
        .bind(now_text.clone())
        .bind(now_text)
        .bind(mail.attachment.as_ref().map(|a| a.name.clone()))
        .bind(mail.attachment.as_ref().map(|a| a.content_type.clone()))
        .bind(mail.attachment.as_ref().map(|a| a.sha256.clone()))
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            let event = mail_event(
                mail,
                &Actor::System("outbox".into()),
                now,
                "mail_queued",
                vec![
                    after("kind", mail.kind.as_str()),
                    after("to", mail.to.clone()),
                    after("language", mail.language.clone()),
                ],
            );
            self.append_event(&event).await?;
        }
        Ok(inserted == 1)
    }
}

impl Store {
    /// Mails whose attempt is due at `now`, oldest first.
    pub async fn due_mails(&self, now: Timestamp, limit: i64) -> Result<Vec<StoredMail>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2"
        )))
        .bind(timestamp_text(now))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }

    /// Takes a pending mail for sending; `false` when another worker has it.
    pub async fn claim_mail(&self, id: i64) -> Result<bool, StoreError> {
        let claimed = sqlx::query("UPDATE mail_outbox SET status = 'sending' WHERE id = $1 AND status = 'pending'")
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(claimed == 1)
    }

    /// After a start: mails left `sending` by a process that died go again.
    pub async fn release_sending(&self) -> Result<u64, StoreError> {
        Ok(
            sqlx::query("UPDATE mail_outbox SET status = 'pending' WHERE status = 'sending'")
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }

    /// Records an attempt on a claimed mail with its event, in one transaction.
    pub async fn record_mail_attempt(
        &self,
        mail: &StoredMail,
        outcome: &MailOutcome,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let (status, next, error, action) = match outcome {
            MailOutcome::Sent => (MailStatus::Sent, mail.next_attempt_at, None, "mail_sent"),
            MailOutcome::Retry { error, next_attempt_at } => {
                (MailStatus::Pending, *next_attempt_at, Some(error.clone()), "mail_retry")
            }
            MailOutcome::Failed { error } => (
                MailStatus::Failed,
                mail.next_attempt_at,
                Some(error.clone()),
                "mail_failed",
            ),
        };
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE mail_outbox SET status = $1, attempts = attempts + 1, next_attempt_at = $2, last_error = $3, \
             sent_at = $4 WHERE id = $5",
        )
        .bind(status.as_str())
        .bind(timestamp_text(next))
        .bind(error.clone())
        .bind((status == MailStatus::Sent).then(|| timestamp_text(now)))
        .bind(mail.id)
        .execute(&mut *tx.tx)
        .await?;
        let mut changes = vec![
            after("kind", mail.mail.kind.as_str()),
            after("to", mail.mail.to.clone()),
            after("attempt", (mail.attempts + 1).to_string()),
        ];
        if status == MailStatus::Sent {
            changes.push(after("message_id", mail.mail.mail_message_id.clone()));
        }
        if let Some(error) = error {
            changes.push(after("error", error));
        }
        tx.append_event(&mail_event(&mail.mail, actor, now, action, changes))
            .await?;
        tx.commit().await
    }

    /// Fills in a claimed mail that is made when first sent (a confirmation
    /// with its PDF); `false` when it is no longer claimed.
    pub async fn prepare_mail(
        &self,
        id: i64,
        subject: &str,
        body: &str,
        attachment: &MailAttachment,
    ) -> Result<bool, StoreError> {
        let updated = sqlx::query(
            "UPDATE mail_outbox SET subject = $1, body = $2, attachment_name = $3, attachment_type = $4, \
             attachment_sha256 = $5 WHERE id = $6 AND status = 'sending'",
        )
        .bind(subject.to_owned())
        .bind(body.to_owned())
        .bind(attachment.name.clone())
        .bind(attachment.content_type.clone())
        .bind(attachment.sha256.clone())
        .bind(id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(updated == 1)
    }

    pub async fn mail(&self, id: i64) -> Result<Option<StoredMail>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM mail_outbox WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode).transpose()
    }

    /// The mails about one order, oldest first.
    pub async fn mails_of_order(&self, order_id: i64) -> Result<Vec<StoredMail>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM mail_outbox WHERE order_id = $1 ORDER BY id"
        )))
        .bind(order_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }

    /// The mails answering one message, oldest first.
    pub async fn mails_of_message(&self, message_id: i64) -> Result<Vec<StoredMail>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM mail_outbox WHERE message_id = $1 ORDER BY id"
        )))
        .bind(message_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }

    /// The newest mails.
    pub async fn mails(&self, limit: i64) -> Result<Vec<StoredMail>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM mail_outbox ORDER BY id DESC LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }
}

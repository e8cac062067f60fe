//! Quotes: inserted with the RFQ's draft (or from it by a clerk), changed
//! by one call per action ([`Store::change_quote`]) that checks the state it
//! was read in, keeps every revision, and queues the mail or inserts the
//! order of that action in the same transaction.

use domain::CurrencyCode;
use domain::event::{Actor, Event, FieldChange};
use domain::quote::{LostReason, QuoteState, QuoteStatus};
use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::columns::At;
use crate::events::timestamp_text;
use crate::{Store, StoreError, StoreTx};

/// A quote as it is first drafted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuote {
    pub customer_no: String,
    /// The customer's RFQ number.
    pub rfq_number: Option<String>,
    pub currency: CurrencyCode,
    pub valid_until: Date,
    pub total: Decimal,
    /// The quote JSON (`app::quote::Quote`).
    pub content: String,
    pub rfq_received_at: Timestamp,
    /// When it should be sent (received + the quote SLA).
    pub due_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredQuote {
    pub id: i64,
    /// The RFQ.
    pub message_id: i64,
    pub draft_id: i64,
    pub customer_no: String,
    pub rfq_number: Option<String>,
    pub currency: CurrencyCode,
    pub state: QuoteState,
    pub total: Decimal,
    pub valid_until: Date,
    pub content: String,
    pub rfq_received_at: Timestamp,
    pub due_at: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// When it first went to the customer.
    pub sent_at: Option<Timestamp>,
    /// When it was accepted, rejected or expired.
    pub decided_at: Option<Timestamp>,
    pub lost_reason: Option<LostReason>,
    /// The reason given with an approval, a refusal or a rejection.
    pub status_note: Option<String>,
    pub order_id: Option<i64>,
    /// A reply in the quote's thread that reads as an acceptance.
    pub acceptance_message_id: Option<i64>,
    pub reminded_at: Option<Timestamp>,
    /// When it was escalated for not being sent by its due time.
    pub escalated_at: Option<Timestamp>,
}

/// A revision as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteRevision {
    pub revision: u32,
    pub content: String,
    pub total: Decimal,
    pub created_by: String,
    pub created_at: Timestamp,
}

const COLUMNS: &str = "id, message_id, draft_id, customer_no, rfq_number, currency, status, revision, approved_revision, \
     total, valid_until, content, rfq_received_at, due_at, created_at, updated_at, sent_at, decided_at, lost_reason, \
     status_note, order_id, acceptance_message_id, reminded_at, escalated_at";

fn revision_of(at: At, row: &AnyRow, column: usize) -> Result<u32, StoreError> {
    let raw: i64 = row.try_get(column)?;
    u32::try_from(raw).map_err(|_| at.corrupt(column, &raw.to_string(), "a revision"))
}

fn decode(row: &AnyRow) -> Result<StoredQuote, StoreError> {
    let id: i64 = row.try_get(0)?;
    let at = At { table: "quotes", id };
    let date_of = |column: usize| -> Result<Date, StoreError> {
        let raw: String = row.try_get(column)?;
        raw.parse().map_err(|_| at.corrupt(column, &raw, "a date"))
    };
    Ok(StoredQuote {
        id,
        message_id: row.try_get(1)?,
        draft_id: row.try_get(2)?,
        customer_no: row.try_get(3)?,
        rfq_number: row.try_get(4)?,
        currency: at.named(row, 5, |c| CurrencyCode::parse(c).ok())?,
        state: QuoteState {
            status: at.named(row, 6, QuoteStatus::parse)?,
            revision: revision_of(at, row, 7)?,
            approved_revision: match row.try_get::<Option<i64>, _>(8)? {
                None => None,
                Some(_) => Some(revision_of(at, row, 8)?),
            },
        },
        total: at
            .optional_decimal(row, 9)?
            .ok_or_else(|| at.corrupt(9, "", "a decimal"))?,
        valid_until: date_of(10)?,
        content: row.try_get(11)?,
        rfq_received_at: at.timestamp(row, 12)?,
        due_at: at.timestamp(row, 13)?,
        created_at: at.timestamp(row, 14)?,
        updated_at: at.timestamp(row, 15)?,
        sent_at: at.optional_timestamp(row, 16)?,
        decided_at: at.optional_timestamp(row, 17)?,
        lost_reason: match row.try_get::<Option<String>, _>(18)? {
            None => None,
            Some(_) => Some(at.named(row, 18, LostReason::parse)?),
        },
        status_note: row.try_get(19)?,
        order_id: row.try_get(20)?,
        acceptance_message_id: row.try_get(21)?,
        reminded_at: at.optional_timestamp(row, 22)?,
        escalated_at: at.optional_timestamp(row, 23)?,
    })
}

fn change(field: &str, before: Option<String>, after: Option<String>) -> FieldChange {
    FieldChange {
        field: field.into(),
        before,
        after,
    }
}

fn quote_event(id: i64, actor: &Actor, now: Timestamp, action: &str, changes: Vec<FieldChange>) -> Event {
    Event {
        occurred_at: now,
        actor: actor.clone(),
        entity_type: "quote".into(),
        entity_id: id.to_string(),
        action: action.into(),
        changes,
    }
}

/// One action on a quote, as [`Store::change_quote`] applies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteChange {
    /// The state the action was decided on; the change is refused if the
    /// quote moved on since.
    pub read: QuoteState,
    pub state: QuoteState,
    /// `revised`, `approved`, `sent`, …
    pub action: &'static str,
    /// A new revision's content and total (with `state.revision`).
    pub content: Option<(String, Decimal)>,
    pub valid_until: Option<Date>,
    pub note: Option<String>,
    pub lost_reason: Option<LostReason>,
    /// The quote mail, queued with the change.
    pub mail: Option<crate::outbound::NewMail>,
    /// The order an accepted quote becomes.
    pub order: Option<crate::orders::NewOrder>,
    /// The acceptance proposal is settled (taken or dismissed).
    pub clear_acceptance: bool,
}

impl QuoteChange {
    pub fn new(read: QuoteState, state: QuoteState, action: &'static str) -> QuoteChange {
        QuoteChange {
            read,
            state,
            action,
            content: None,
            valid_until: None,
            note: None,
            lost_reason: None,
            mail: None,
            order: None,
            clear_acceptance: false,
        }
    }
}

/// What the clock marks on a quote once.
#[derive(Debug, Clone, Copy)]
enum QuoteMark {
    /// A sent quote ends soon without an answer.
    FollowUp,
    /// A quote still ours is past its due time.
    Overdue,
}

/// Which quotes a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuoteFilter {
    /// Any of these; all when empty.
    pub statuses: Vec<QuoteStatus>,
    pub customer_no: Option<String>,
    /// Sent quotes valid until this day or earlier (expiring).
    pub valid_until_by: Option<Date>,
    pub limit: i64,
}

impl StoreTx {
    /// Inserts a quote drafted from the RFQ's draft, its first revision and its `drafted` event.
    pub async fn insert_quote(
        &mut self,
        message_id: i64,
        draft_id: i64,
        quote: &NewQuote,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let now_text = timestamp_text(now);
        let total = quote.total.normalize().to_string();
        let id: i64 = sqlx::query(
            "INSERT INTO quotes (message_id, draft_id, customer_no, rfq_number, currency, status, revision, total, \
             valid_until, content, rfq_received_at, due_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'draft', 1, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(message_id)
        .bind(draft_id)
        .bind(quote.customer_no.clone())
        .bind(quote.rfq_number.clone())
        .bind(quote.currency.to_string())
        .bind(total.clone())
        .bind(quote.valid_until.to_string())
        .bind(quote.content.clone())
        .bind(timestamp_text(quote.rfq_received_at))
        .bind(timestamp_text(quote.due_at))
        .bind(now_text.clone())
        .bind(now_text.clone())
        .fetch_one(&mut *self.tx)
        .await?
        .try_get(0)?;
        self.insert_revision(id, 1, &quote.content, &total, actor, &now_text)
            .await?;
        self.append_event(&quote_event(
            id,
            actor,
            now,
            "drafted",
            vec![
                change("message_id", None, Some(message_id.to_string())),
                change("draft_id", None, Some(draft_id.to_string())),
                change("customer_no", None, Some(quote.customer_no.clone())),
                change("total", None, Some(total)),
            ],
        ))
        .await?;
        self.append_event(&Event {
            occurred_at: now,
            actor: actor.clone(),
            entity_type: "draft".into(),
            entity_id: draft_id.to_string(),
            action: "quoted".into(),
            changes: vec![change("quote_id", None, Some(id.to_string()))],
        })
        .await?;
        Ok(id)
    }

    async fn insert_revision(
        &mut self,
        quote_id: i64,
        revision: u32,
        content: &str,
        total: &str,
        actor: &Actor,
        now_text: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO quote_revisions (quote_id, revision, content, total, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(quote_id)
        .bind(i64::from(revision))
        .bind(content.to_owned())
        .bind(total.to_owned())
        .bind(actor.to_storage())
        .bind(now_text.to_owned())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}

impl Store {
    pub async fn quote(&self, id: i64) -> Result<Option<StoredQuote>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM quotes WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode).transpose()
    }

    /// The quotes made from a message's RFQ, oldest first.
    pub async fn quotes_of_message(&self, message_id: i64) -> Result<Vec<StoredQuote>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM quotes WHERE message_id = $1 ORDER BY id"
        )))
        .bind(message_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }

    /// Quotes by the filter, the newest first.
    pub async fn quotes(&self, filter: &QuoteFilter) -> Result<Vec<StoredQuote>, StoreError> {
        let mut sql = format!("SELECT {COLUMNS} FROM quotes WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        if !filter.statuses.is_empty() {
            let marks: Vec<String> = filter
                .statuses
                .iter()
                .map(|s| {
                    binds.push(s.as_str().to_owned());
                    format!("${}", binds.len())
                })
                .collect();
            sql.push_str(&format!(" AND status IN ({})", marks.join(", ")));
        }
        if let Some(c) = &filter.customer_no {
            binds.push(c.clone());
            sql.push_str(&format!(" AND customer_no = ${}", binds.len()));
        }
        if let Some(d) = filter.valid_until_by {
            binds.push(d.to_string());
            sql.push_str(&format!(" AND valid_until <= ${}", binds.len()));
        }
        sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", filter.limit.clamp(1, 1000)));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in binds {
            query = query.bind(b);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(decode).collect()
    }

    /// Every revision of a quote, the first first.
    pub async fn quote_revisions(&self, quote_id: i64) -> Result<Vec<QuoteRevision>, StoreError> {
        let rows = sqlx::query(
            "SELECT revision, content, total, created_by, created_at FROM quote_revisions \
             WHERE quote_id = $1 ORDER BY revision",
        )
        .bind(quote_id)
        .fetch_all(&self.pool)
        .await?;
        let at = At {
            table: "quote_revisions",
            id: quote_id,
        };
        rows.iter()
            .map(|row| {
                Ok(QuoteRevision {
                    revision: revision_of(at, row, 0)?,
                    content: row.try_get(1)?,
                    total: at
                        .optional_decimal(row, 2)?
                        .ok_or_else(|| at.corrupt(2, "", "a decimal"))?,
                    created_by: row.try_get(3)?,
                    created_at: at.timestamp(row, 4)?,
                })
            })
            .collect()
    }

    /// Applies one action to a quote in one transaction: the row (only if it
    /// is still in the state the action was decided on), a new revision, the
    /// mail, the order, and the event. `Ok(None)` when it moved on (a
    /// conflict); else the order's id when one was made.
    pub async fn change_quote(
        &self,
        id: i64,
        c: &QuoteChange,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<Option<Option<i64>>, StoreError> {
        let mut tx = self.begin().await?;
        let now_text = timestamp_text(now);
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM quotes WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?
        else {
            return Ok(None);
        };
        let before = decode(&row)?;
        if before.state != c.read {
            return Ok(None);
        }
        let mut changes = vec![change(
            "status",
            Some(before.state.status.as_str().to_owned()),
            Some(c.state.status.as_str().to_owned()),
        )];
        if let Some((content, total)) = &c.content {
            let total_text = total.normalize().to_string();
            tx.insert_revision(id, c.state.revision, content, &total_text, actor, &now_text)
                .await?;
            changes.push(change(
                "revision",
                Some(before.state.revision.to_string()),
                Some(c.state.revision.to_string()),
            ));
            changes.push(change(
                "total",
                Some(before.total.normalize().to_string()),
                Some(total_text),
            ));
        }
        if let Some(note) = &c.note {
            changes.push(change("note", None, Some(note.clone())));
        }
        if let Some(reason) = c.lost_reason {
            changes.push(change("lost_reason", None, Some(reason.as_str().to_owned())));
        }
        let order_id = match &c.order {
            Some(order) => Some(
                tx.insert_order(before.draft_id, before.message_id, order, actor, now)
                    .await?,
            ),
            None => None,
        };
        if let Some(o) = order_id {
            changes.push(change("order_id", None, Some(o.to_string())));
        }
        let sent_now = c.state.status == QuoteStatus::Sent && before.state.status != QuoteStatus::Sent;
        let decided_now = matches!(
            c.state.status,
            QuoteStatus::Accepted | QuoteStatus::Rejected | QuoteStatus::Expired
        );
        let (content, total) = match &c.content {
            Some((content, total)) => (content.clone(), total.normalize().to_string()),
            None => (before.content.clone(), before.total.normalize().to_string()),
        };
        let updated = sqlx::query(
            "UPDATE quotes SET status = $1, revision = $2, approved_revision = $3, content = $4, total = $5, \
             valid_until = $6, updated_at = $7, sent_at = COALESCE(sent_at, $8), decided_at = COALESCE($9, decided_at), \
             lost_reason = COALESCE($10, lost_reason), status_note = COALESCE($11, status_note), \
             order_id = COALESCE($12, order_id), \
             acceptance_message_id = CASE WHEN $13 = 1 THEN NULL ELSE acceptance_message_id END \
             WHERE id = $14 AND status = $15 AND revision = $16",
        )
        .bind(c.state.status.as_str())
        .bind(i64::from(c.state.revision))
        .bind(c.state.approved_revision.map(i64::from))
        .bind(content)
        .bind(total)
        .bind(c.valid_until.unwrap_or(before.valid_until).to_string())
        .bind(now_text.clone())
        .bind(sent_now.then(|| now_text.clone()))
        .bind(decided_now.then(|| now_text.clone()))
        .bind(c.lost_reason.map(|r| r.as_str().to_owned()))
        .bind(c.note.clone())
        .bind(order_id)
        .bind(i64::from(c.clear_acceptance))
        .bind(id)
        .bind(before.state.status.as_str())
        .bind(i64::from(before.state.revision))
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if updated != 1 {
            return Ok(None);
        }
        if let Some(mail) = &c.mail {
            tx.queue_mail(mail, now).await?;
        }
        tx.append_event(&quote_event(id, actor, now, c.action, changes)).await?;
        tx.commit().await?;
        Ok(Some(order_id))
    }

    /// A quote made by a person from an RFQ draft in review (its customer
    /// found by hand): the draft is done and the quote inserted, in one
    /// transaction; `None` when the draft moved on since `version`.
    pub async fn quote_from_draft(
        &self,
        draft_id: i64,
        version: i64,
        quote: &NewQuote,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT message_id FROM drafts WHERE id = $1 AND version = $2 AND status = 'review'")
            .bind(draft_id)
            .bind(version)
            .fetch_optional(&mut *tx.tx)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let message_id: i64 = row.try_get(0)?;
        sqlx::query(
            "UPDATE drafts SET status = 'done', status_reason = 'quoted', version = version + 1, updated_at = $1              WHERE id = $2 AND version = $3",
        )
        .bind(timestamp_text(now))
        .bind(draft_id)
        .bind(version)
        .execute(&mut *tx.tx)
        .await?;
        let id = tx.insert_quote(message_id, draft_id, quote, actor, now).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// A new quote copied from quote `from` (same RFQ, new content): a draft
    /// in its first revision, with no approval, whatever the original had.
    pub async fn copy_quote(
        &self,
        from: &StoredQuote,
        quote: &NewQuote,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id = tx
            .insert_quote(from.message_id, from.draft_id, quote, actor, now)
            .await?;
        tx.append_event(&quote_event(
            id,
            actor,
            now,
            "copied",
            vec![change("from_quote", None, Some(from.id.to_string()))],
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Sent quotes whose validity ended before `today`: expired, each with its event.
    pub async fn expire_quotes(&self, today: Date, now: Timestamp) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.begin().await?;
        let rows = sqlx::query("SELECT id FROM quotes WHERE status = 'sent' AND valid_until < $1 ORDER BY id")
            .bind(today.to_string())
            .fetch_all(&mut *tx.tx)
            .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
        let now_text = timestamp_text(now);
        for id in &ids {
            sqlx::query("UPDATE quotes SET status = 'expired', decided_at = $1, updated_at = $1 WHERE id = $2")
                .bind(now_text.clone())
                .bind(*id)
                .execute(&mut *tx.tx)
                .await?;
            tx.append_event(&quote_event(
                *id,
                &Actor::System("quotes".into()),
                now,
                "expired",
                vec![change("status", Some("sent".into()), Some("expired".into()))],
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Sent quotes that end by `by` and were not yet followed up: each
    /// marked reminded with the mail to the sales team, in one transaction.
    pub async fn remind_expiring_quotes(
        &self,
        by: Date,
        mail_of: &(dyn Fn(&StoredQuote) -> Option<crate::outbound::NewMail> + Sync),
        now: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        self.mark_quotes(QuoteMark::FollowUp, by.to_string(), mail_of, now)
            .await
    }

    /// Quotes still ours (draft, awaiting approval, approved) past their due
    /// time and not yet escalated: each marked with the mail to the
    /// managers, in one transaction.
    pub async fn escalate_overdue_quotes(
        &self,
        mail_of: &(dyn Fn(&StoredQuote) -> Option<crate::outbound::NewMail> + Sync),
        now: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        self.mark_quotes(QuoteMark::Overdue, timestamp_text(now), mail_of, now)
            .await
    }

    async fn mark_quotes(
        &self,
        mark: QuoteMark,
        bound: String,
        mail_of: &(dyn Fn(&StoredQuote) -> Option<crate::outbound::NewMail> + Sync),
        now: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        let (which, column, action) = match mark {
            QuoteMark::FollowUp => (
                "status = 'sent' AND reminded_at IS NULL AND valid_until <= $1",
                "reminded_at",
                "follow_up_due",
            ),
            QuoteMark::Overdue => (
                "status IN ('draft', 'awaiting_approval', 'approved') AND escalated_at IS NULL AND due_at <= $1",
                "escalated_at",
                "escalated",
            ),
        };
        let mut tx = self.begin().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM quotes WHERE {which} ORDER BY id LIMIT 500"
        )))
        .bind(bound)
        .fetch_all(&mut *tx.tx)
        .await?;
        let quotes = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        let now_text = timestamp_text(now);
        for q in &quotes {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE quotes SET {column} = $1 WHERE id = $2"
            )))
            .bind(now_text.clone())
            .bind(q.id)
            .execute(&mut *tx.tx)
            .await?;
            if let Some(mail) = mail_of(q) {
                tx.queue_mail(&mail, now).await?;
            }
            let why = match mark {
                QuoteMark::FollowUp => change("valid_until", None, Some(q.valid_until.to_string())),
                QuoteMark::Overdue => change("due_at", None, Some(timestamp_text(q.due_at))),
            };
            tx.append_event(&quote_event(
                q.id,
                &Actor::System("quotes".into()),
                now,
                action,
                vec![why],
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(quotes.iter().map(|q| q.id).collect())
    }

    /// The quote whose mail an inbound message replies to: one of `references`
    /// (Message-IDs with brackets) is the Message-ID of a quote mail.
    pub async fn quote_answered_by(&self, references: &[String]) -> Result<Option<StoredQuote>, StoreError> {
        if references.is_empty() {
            return Ok(None);
        }
        let marks: Vec<String> = (1..=references.len().min(50)).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT m.dedupe_key FROM mail_outbox m WHERE m.kind = 'quote' AND m.mail_message_id IN ({}) \
             ORDER BY m.id DESC LIMIT 1",
            marks.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in references.iter().take(50) {
            query = query.bind(r.clone());
        }
        let Some(row) = query.fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let key: String = row.try_get(0)?;
        // `quote:<id>:r<revision>`
        let Some(id) = key.split(':').nth(1).and_then(|s| s.parse::<i64>().ok()) else {
            return Ok(None);
        };
        self.quote(id).await
    }

    /// Records that a message reads as the customer accepting a quote.
    pub async fn propose_acceptance(&self, quote_id: i64, message_id: i64, now: Timestamp) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let updated = sqlx::query(
            "UPDATE quotes SET acceptance_message_id = $1, updated_at = $2 WHERE id = $3 AND status = 'sent'",
        )
        .bind(message_id)
        .bind(timestamp_text(now))
        .bind(quote_id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if updated == 1 {
            tx.append_event(&quote_event(
                quote_id,
                &Actor::System("pipeline".into()),
                now,
                "acceptance_proposed",
                vec![change("message_id", None, Some(message_id.to_string()))],
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(updated == 1)
    }
}

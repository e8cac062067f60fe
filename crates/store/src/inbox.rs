//! The shared inbox: every inbound message with what became of it, filtered
//! and paged by id (newest first) so a page costs the same with a million messages.

use domain::message::{MessageKind, MessageStatus};
use domain::review::DraftStatus;
use jiff::Timestamp;
use sqlx::Row;

use crate::columns::At;
use crate::master::like_pattern;
use crate::{Store, StoreError};

/// Where a message stands, as the back office says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxStatus {
    /// Received, not read yet.
    New,
    /// Its draft waits for a person.
    InReview,
    /// Its order went straight through.
    StraightThrough,
    /// Confirmed, answered, rejected or needing nothing.
    Done,
    /// It could not be read; the error is on the message.
    Error,
    /// A repeat of an earlier message.
    Duplicate,
}

impl InboxStatus {
    pub const ALL: [InboxStatus; 6] = [
        InboxStatus::New,
        InboxStatus::InReview,
        InboxStatus::StraightThrough,
        InboxStatus::Done,
        InboxStatus::Error,
        InboxStatus::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InboxStatus::New => "new",
            InboxStatus::InReview => "in_review",
            InboxStatus::StraightThrough => "straight_through",
            InboxStatus::Done => "done",
            InboxStatus::Error => "error",
            InboxStatus::Duplicate => "duplicate",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InboxStatus::New => "new",
            InboxStatus::InReview => "in review",
            InboxStatus::StraightThrough => "straight-through",
            InboxStatus::Done => "done",
            InboxStatus::Error => "error",
            InboxStatus::Duplicate => "duplicate",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// From the message's processing status and its draft's status.
    pub fn of(message_status: MessageStatus, draft_status: Option<DraftStatus>) -> InboxStatus {
        match (message_status, draft_status) {
            (MessageStatus::Received, _) => InboxStatus::New,
            (MessageStatus::Error, _) => InboxStatus::Error,
            (MessageStatus::Duplicate, _) => InboxStatus::Duplicate,
            (_, Some(DraftStatus::Review)) => InboxStatus::InReview,
            (_, Some(DraftStatus::StraightThrough)) => InboxStatus::StraightThrough,
            _ => InboxStatus::Done,
        }
    }

    fn condition(self) -> &'static str {
        match self {
            InboxStatus::New => "m.status = 'received'",
            InboxStatus::Error => "m.status = 'error'",
            InboxStatus::Duplicate => "m.status = 'duplicate'",
            InboxStatus::InReview => "d.status = 'review'",
            InboxStatus::StraightThrough => "d.status = 'straight_through'",
            InboxStatus::Done => {
                "m.status = 'processed' AND (d.id IS NULL OR d.status NOT IN ('review', 'straight_through'))"
            }
        }
    }
}

/// What the inbox list may be narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxFilter {
    pub status: Option<InboxStatus>,
    pub kind: Option<MessageKind>,
    /// Exact channel, or a prefix ending in `:` (`imap:`).
    pub channel: Option<String>,
    /// Words in the sender, subject or file name.
    pub q: Option<String>,
}

/// One line of the inbox.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxRow {
    pub id: i64,
    pub received_at: Timestamp,
    pub channel: String,
    pub source_name: Option<String>,
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub kind: Option<MessageKind>,
    pub error: Option<String>,
    pub size_bytes: i64,
    pub status: InboxStatus,
    pub draft_id: Option<i64>,
    pub assigned_to: Option<String>,
}

impl Store {
    /// A page of the inbox, newest first, older than `before`.
    pub async fn inbox(
        &self,
        filter: &InboxFilter,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<InboxRow>, StoreError> {
        let like = self.backend.ilike();
        let status = filter.status.map_or("1 = 1", InboxStatus::condition);
        let channel = filter.channel.clone().unwrap_or_default();
        // Narrowed to a draft status, the drafts lead (index on status and
        // message id); otherwise the messages do, newest first.
        let (from, key) = match filter.status {
            Some(InboxStatus::InReview | InboxStatus::StraightThrough) => {
                ("drafts d JOIN messages m ON m.id = d.message_id", "d.message_id")
            }
            // A message with several orders shows once, with its first draft.
            _ => (
                "messages m LEFT JOIN drafts d ON d.id = (SELECT MIN(x.id) FROM drafts x WHERE x.message_id = m.id)",
                "m.id",
            ),
        };
        let sql = format!(
            "SELECT m.id, m.received_at, m.channel, m.source_name, m.sender, m.subject, m.kind, m.error, m.size_bytes, \
             m.status, d.id, d.status, d.assigned_to \
             FROM {from} \
             WHERE {key} < $1 AND {status} AND ($2 = '' OR m.kind = $2) \
             AND ($3 = '' OR m.channel = $3 OR ($4 <> '' AND m.channel LIKE $4)) \
             AND ($5 = '%%' OR m.sender {like} $5 ESCAPE '\\' OR m.subject {like} $5 ESCAPE '\\' \
                  OR m.source_name {like} $5 ESCAPE '\\') \
             ORDER BY {key} DESC LIMIT $6"
        );
        let prefix = if channel.ends_with(':') {
            format!("{}%", channel.replace('%', "").replace('_', "\\_"))
        } else {
            String::new()
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(before.unwrap_or(i64::MAX))
            .bind(filter.kind.map_or("", MessageKind::as_str))
            .bind(channel)
            .bind(prefix)
            .bind(like_pattern(filter.q.as_deref().unwrap_or("")))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                let at = At { table: "messages", id };
                let message_status = at.named(r, 9, MessageStatus::parse)?;
                let draft_status = match r.try_get::<Option<String>, _>(11)? {
                    None => None,
                    Some(_) => Some(at.named(r, 11, DraftStatus::parse)?),
                };
                let kind = match r.try_get::<Option<String>, _>(6)? {
                    None => None,
                    Some(_) => Some(at.named(r, 6, MessageKind::parse)?),
                };
                Ok(InboxRow {
                    id,
                    received_at: at.timestamp(r, 1)?,
                    channel: r.try_get(2)?,
                    source_name: r.try_get(3)?,
                    sender: r.try_get(4)?,
                    subject: r.try_get(5)?,
                    kind,
                    error: r.try_get(7)?,
                    size_bytes: r.try_get(8)?,
                    status: InboxStatus::of(message_status, draft_status),
                    draft_id: r.try_get(10)?,
                    assigned_to: r.try_get(12)?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_message_then_draft() {
        use DraftStatus as D;
        use MessageStatus as M;
        assert_eq!(InboxStatus::of(M::Received, None), InboxStatus::New);
        assert_eq!(InboxStatus::of(M::Processed, Some(D::Review)), InboxStatus::InReview);
        assert_eq!(InboxStatus::of(M::Processed, Some(D::Confirmed)), InboxStatus::Done);
        assert_eq!(InboxStatus::of(M::Processed, None), InboxStatus::Done);
        assert_eq!(InboxStatus::of(M::Error, Some(D::Review)), InboxStatus::Error);
        for s in InboxStatus::ALL {
            assert_eq!(InboxStatus::parse(s.as_str()), Some(s));
        }
    }
}

//! The shared inbox: every inbound message with what became of it, filtered
//! and paged by id (newest first) so a page costs the same with a million messages.

use sqlx::Row;

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
    pub fn of(message_status: &str, draft_status: Option<&str>) -> InboxStatus {
        match (message_status, draft_status) {
            ("received", _) => InboxStatus::New,
            ("error", _) => InboxStatus::Error,
            ("duplicate", _) => InboxStatus::Duplicate,
            (_, Some("review")) => InboxStatus::InReview,
            (_, Some("straight_through")) => InboxStatus::StraightThrough,
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
    /// Message kind: `order`, `rfq`, …
    pub kind: Option<String>,
    /// Exact channel, or a prefix ending in `:` (`imap:`).
    pub channel: Option<String>,
    /// Words in the sender, subject or file name.
    pub q: Option<String>,
}

/// One line of the inbox.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxRow {
    pub id: i64,
    pub received_at: String,
    pub channel: String,
    pub source_name: Option<String>,
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub kind: Option<String>,
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
            .bind(filter.kind.clone().unwrap_or_default())
            .bind(channel)
            .bind(prefix)
            .bind(like_pattern(filter.q.as_deref().unwrap_or("")))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let message_status: String = r.try_get(9)?;
                let draft_status: Option<String> = r.try_get(11)?;
                Ok(InboxRow {
                    id: r.try_get(0)?,
                    received_at: r.try_get(1)?,
                    channel: r.try_get(2)?,
                    source_name: r.try_get(3)?,
                    sender: r.try_get(4)?,
                    subject: r.try_get(5)?,
                    kind: r.try_get(6)?,
                    error: r.try_get(7)?,
                    size_bytes: r.try_get(8)?,
                    status: InboxStatus::of(&message_status, draft_status.as_deref()),
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
        assert_eq!(InboxStatus::of("received", None), InboxStatus::New);
        assert_eq!(InboxStatus::of("processed", Some("review")), InboxStatus::InReview);
        assert_eq!(InboxStatus::of("processed", Some("confirmed")), InboxStatus::Done);
        assert_eq!(InboxStatus::of("processed", None), InboxStatus::Done);
        assert_eq!(InboxStatus::of("error", Some("review")), InboxStatus::Error);
        for s in InboxStatus::ALL {
            assert_eq!(InboxStatus::parse(s.as_str()), Some(s));
        }
    }
}

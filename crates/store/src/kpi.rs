//! The facts the KPIs are computed from (`domain::kpi`), read from orders,
//! messages, the event log and the mail outbox for a period.

use domain::kpi::{OrderFact, ResponseFact};
use jiff::Timestamp;
use sqlx::Row;

use crate::columns::At;
use crate::events::timestamp_text;
use crate::{Store, StoreError};

/// The amendment's reason as the event log writes it (the same serialiser),
/// so that a note that merely mentions "entry_error" does not count.
fn entry_error_pattern() -> String {
    let reason = crate::events::changes_json(&[domain::event::FieldChange {
        field: "reason".into(),
        before: None,
        after: Some(domain::order::AmendmentReason::EntryError.as_str().into()),
    }]);
    format!("%{}%", reason.trim_start_matches('[').trim_end_matches(']'))
}

/// The format of a message's order document: the first part that is not
/// the mail around it (`"format":"pdf"` in the stored documents), else the mail's.
fn main_format(documents_json: &str) -> String {
    let formats: Vec<&str> = documents_json
        .split("\"format\":\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    formats
        .iter()
        .find(|f| !f.starts_with("email"))
        .or(formats.first())
        .map_or_else(|| "unknown".to_owned(), |f| (*f).to_owned())
}

impl Store {
    /// The orders confirmed in `[from, to)`: when their message arrived, when
    /// they were confirmed, whether a person touched them, and whether they
    /// were amended later as our entry error.
    pub async fn kpi_orders(&self, from: Timestamp, to: Timestamp) -> Result<Vec<OrderFact>, StoreError> {
        let rows = sqlx::query(
            "SELECT o.id, m.received_at, o.confirmed_at, o.confirmed_by, \
             (SELECT COUNT(*) FROM events e WHERE e.entity_type = 'order' AND e.entity_id = CAST(o.id AS TEXT) \
              AND e.action = 'amended' AND e.changes LIKE $3), \
             o.customer_no, m.channel, COALESCE(m.documents_json, '') \
             FROM orders o JOIN messages m ON m.id = o.message_id \
             WHERE o.confirmed_at >= $1 AND o.confirmed_at < $2 ORDER BY o.id",
        )
        .bind(timestamp_text(from))
        .bind(timestamp_text(to))
        .bind(entry_error_pattern())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let at = At {
                    table: "orders",
                    id: row.try_get(0)?,
                };
                let confirmed_by: String = row.try_get(3)?;
                let amended: i64 = row.try_get(4)?;
                let channel: String = row.try_get(6)?;
                let documents: String = row.try_get(7)?;
                let clerk = confirmed_by.strip_prefix("user:").map(str::to_owned);
                Ok(OrderFact {
                    received_at: at.timestamp(row, 1)?,
                    confirmed_at: at.timestamp(row, 2)?,
                    straight_through: confirmed_by.starts_with("system:"),
                    entry_error: amended > 0,
                    customer_no: row.try_get(5)?,
                    // `upload:anna` is the upload channel, whoever used it.
                    channel: channel.split(':').next().unwrap_or("").to_owned(),
                    clerk,
                    format: main_format(&documents),
                })
            })
            .collect()
    }

    /// Orders, changes, cancellations, RFQs and inquiries received in `[from, to)` and
    /// when the first mail answering each went out.
    pub async fn kpi_responses(&self, from: Timestamp, to: Timestamp) -> Result<Vec<ResponseFact>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.id, m.received_at, (SELECT MIN(x.sent_at) FROM mail_outbox x WHERE x.message_id = m.id), m.kind \
             FROM messages m WHERE m.received_at >= $1 AND m.received_at < $2 \
             AND m.kind IN ('order', 'order_change', 'cancellation', 'rfq', 'inquiry') ORDER BY m.id",
        )
        .bind(timestamp_text(from))
        .bind(timestamp_text(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let at = At {
                    table: "messages",
                    id: row.try_get(0)?,
                };
                Ok(ResponseFact {
                    received_at: at.timestamp(row, 1)?,
                    first_answer_at: at.optional_timestamp(row, 2)?,
                    kind: row.try_get(3)?,
                })
            })
            .collect()
    }
}

impl Store {
    /// One person's day: their drafts waiting (and how many overdue), and
    /// what they did since `since` by action (`confirmed`, `corrected` …).
    pub async fn my_work(
        &self,
        username: &str,
        since: Timestamp,
        now: Timestamp,
    ) -> Result<((i64, i64), Vec<(String, i64)>), StoreError> {
        let queue = sqlx::query(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_at < $1 THEN 1 ELSE 0 END), 0) FROM drafts \
             WHERE status = 'review' AND assigned_to = $2",
        )
        .bind(timestamp_text(now))
        .bind(username.to_owned())
        .fetch_one(&self.pool)
        .await?;
        let actor = domain::event::Actor::User(username.to_owned()).to_storage();
        let rows = sqlx::query(
            "SELECT action, COUNT(*) FROM events WHERE actor = $1 AND occurred_at >= $2 GROUP BY action ORDER BY action",
        )
        .bind(actor)
        .bind(timestamp_text(since))
        .fetch_all(&self.pool)
        .await?;
        let done = rows
            .iter()
            .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(((queue.try_get(0)?, queue.try_get(1)?), done))
    }

    /// The customer threads begun in `[from, to)` (by an order, change,
    /// cancellation, RFQ or inquiry): our mails sent on each, and the
    /// customer's later messages.
    pub async fn kpi_threads(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<domain::kpi::ThreadFact>, StoreError> {
        let begun = "SELECT thread_root FROM messages WHERE thread_root IS NOT NULL AND duplicate_of IS NULL \
             GROUP BY thread_root HAVING MIN(received_at) >= $1 AND MIN(received_at) < $2";
        let inbound = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT m.id, m.thread_root, m.received_at, m.kind FROM messages m \
             WHERE m.duplicate_of IS NULL AND m.thread_root IN ({begun}) ORDER BY m.thread_root, m.received_at, m.id"
        )))
        .bind(timestamp_text(from))
        .bind(timestamp_text(to))
        .fetch_all(&self.pool)
        .await?;
        let sent = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT x.id, m.thread_root, x.sent_at FROM mail_outbox x JOIN messages m ON m.id = x.message_id \
             WHERE x.status = 'sent' AND m.thread_root IN ({begun})"
        )))
        .bind(timestamp_text(from))
        .bind(timestamp_text(to))
        .fetch_all(&self.pool)
        .await?;
        let mut threads: std::collections::BTreeMap<String, (domain::kpi::ThreadFact, bool)> =
            std::collections::BTreeMap::new();
        for row in &inbound {
            let at = At {
                table: "messages",
                id: row.try_get(0)?,
            };
            let root: String = row.try_get(1)?;
            let received = at.timestamp(row, 2)?;
            let kind: Option<String> = row.try_get(3)?;
            match threads.get_mut(&root) {
                Some((t, _)) => t.later_inbound.push(received),
                None => {
                    let customer_thread = matches!(
                        kind.as_deref(),
                        Some("order" | "order_change" | "cancellation" | "rfq" | "inquiry")
                    );
                    threads.insert(
                        root,
                        (
                            domain::kpi::ThreadFact {
                                started_at: received,
                                answers: Vec::new(),
                                later_inbound: Vec::new(),
                            },
                            customer_thread,
                        ),
                    );
                }
            }
        }
        for row in &sent {
            let at = At {
                table: "mail_outbox",
                id: row.try_get(0)?,
            };
            let root: String = row.try_get(1)?;
            if let (Some((t, _)), Some(sent_at)) = (threads.get_mut(&root), at.optional_timestamp(row, 2)?) {
                t.answers.push(sent_at);
            }
        }
        Ok(threads
            .into_values()
            .filter(|(_, customer)| *customer)
            .map(|(t, _)| t)
            .collect())
    }

    /// Every draft waiting for a person: since its message arrived, and its due time.
    pub async fn kpi_waiting(&self) -> Result<Vec<domain::kpi::Waiting>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.id, m.received_at, d.due_at FROM drafts d JOIN messages m ON m.id = d.message_id \
             WHERE d.status = 'review' ORDER BY d.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let at = At {
                    table: "drafts",
                    id: row.try_get(0)?,
                };
                Ok(domain::kpi::Waiting {
                    since: at.timestamp(row, 1)?,
                    due_at: at.optional_timestamp(row, 2)?,
                })
            })
            .collect()
    }
}

/// What the pipeline holds now, for `/metrics`: (what, its status, how many).
pub type PipelineCount = (&'static str, String, i64);

impl Store {
    /// Messages, drafts, orders, ERP pushes and mails by status, and the
    /// orders confirmed straight through.
    pub async fn pipeline_counts(&self) -> Result<Vec<PipelineCount>, StoreError> {
        let mut out = Vec::new();
        for (what, table) in [
            ("messages", "messages"),
            ("drafts", "drafts"),
            ("orders", "orders"),
            ("erp_pushes", "erp_outbox"),
            ("mails", "mail_outbox"),
        ] {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT status, COUNT(*) FROM {table} GROUP BY status ORDER BY status"
            )))
            .fetch_all(&self.pool)
            .await?;
            for row in rows {
                out.push((what, row.try_get::<String, _>(0)?, row.try_get::<i64, _>(1)?));
            }
        }
        let row = sqlx::query("SELECT COUNT(*) FROM orders WHERE confirmed_by LIKE 'system:%'")
            .fetch_one(&self.pool)
            .await?;
        out.push(("orders_straight_through", "all".to_owned(), row.try_get(0)?));
        // Confirmations, order responses, answers and acknowledgements, each by status.
        let rows =
            sqlx::query("SELECT kind, status, COUNT(*) FROM mail_outbox GROUP BY kind, status ORDER BY kind, status")
                .fetch_all(&self.pool)
                .await?;
        for row in rows {
            let kind: String = row.try_get(0)?;
            let what = match kind.as_str() {
                "acknowledgement" => "acknowledgements",
                "confirmation" => "confirmations",
                "order_response" => "order_responses",
                "status_answer" => "status_answers",
                _ => continue,
            };
            out.push((what, row.try_get::<String, _>(1)?, row.try_get::<i64, _>(2)?));
        }
        Ok(out)
    }
}

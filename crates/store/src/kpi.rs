//! The facts the KPIs are computed from (`domain::kpi`), read from orders,
//! messages, the event log and the mail outbox for a period.

use domain::kpi::{OrderFact, ResponseFact};
use domain::message::MessageKind;
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

impl Store {
    /// Quotes sent in `[from, to)` or whose RFQ arrived in it.
    pub async fn kpi_quotes(&self, from: Timestamp, to: Timestamp) -> Result<Vec<domain::kpi::QuoteFact>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, rfq_received_at, sent_at, status, lost_reason FROM quotes              WHERE (sent_at >= $1 AND sent_at < $2) OR (rfq_received_at >= $1 AND rfq_received_at < $2)",
        )
        .bind(timestamp_text(from))
        .bind(timestamp_text(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let at = At {
                    table: "quotes",
                    id: row.try_get(0)?,
                };
                Ok(domain::kpi::QuoteFact {
                    rfq_received_at: at.timestamp(row, 1)?,
                    sent_at: at.optional_timestamp(row, 2)?,
                    status: at.named(row, 3, domain::quote::QuoteStatus::parse)?,
                    lost_reason: match row.try_get::<Option<String>, _>(4)? {
                        None => None,
                        Some(_) => Some(at.named(row, 4, domain::quote::LostReason::parse)?),
                    },
                })
            })
            .collect()
    }

    /// The orders confirmed in `[from, to)`: when their message arrived, when
    /// they were confirmed, whether a person touched them, and whether they
    /// were amended later as our entry error.
    pub async fn kpi_orders(&self, from: Timestamp, to: Timestamp) -> Result<Vec<OrderFact>, StoreError> {
        // Amendments come after the confirmation: those since `from` are all
        // that can touch the period's orders (read by action and time, not per order).
        let amended: std::collections::HashSet<String> = sqlx::query(
            "SELECT entity_id FROM events WHERE action = 'amended' AND occurred_at >= $1 \
             AND entity_type = 'order' AND changes LIKE $2",
        )
        .bind(timestamp_text(from))
        .bind(entry_error_pattern())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| row.try_get::<String, _>(0))
        .collect::<Result<_, _>>()?;
        let rows = sqlx::query(
            "SELECT o.id, m.received_at, o.confirmed_at, o.confirmed_by, o.customer_no, m.channel, \
             COALESCE(m.format, 'unknown') \
             FROM orders o JOIN messages m ON m.id = o.message_id \
             WHERE o.confirmed_at >= $1 AND o.confirmed_at < $2 ORDER BY o.confirmed_at, o.id",
        )
        .bind(timestamp_text(from))
        .bind(timestamp_text(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get(0)?;
                let at = At { table: "orders", id };
                let confirmed_by: String = row.try_get(3)?;
                let channel: String = row.try_get(5)?;
                let format: String = row.try_get(6)?;
                let clerk = confirmed_by.strip_prefix("user:").map(str::to_owned);
                Ok(OrderFact {
                    received_at: at.timestamp(row, 1)?,
                    confirmed_at: at.timestamp(row, 2)?,
                    straight_through: confirmed_by.starts_with("system:"),
                    entry_error: amended.contains(&id.to_string()),
                    customer_no: row.try_get(4)?,
                    // `upload:anna` is the upload channel, whoever used it.
                    channel: channel.split(':').next().unwrap_or("").to_owned(),
                    clerk,
                    format,
                })
            })
            .collect()
    }

    /// Orders, changes, cancellations, RFQs and inquiries received in `[from, to)` and
    /// when the first mail answering each went out.
    pub async fn kpi_responses(&self, from: Timestamp, to: Timestamp) -> Result<Vec<ResponseFact>, StoreError> {
        // The kinds are filtered here, not in SQL: a condition on the kind
        // would lead SQLite to its kind index and through every message.
        let rows = sqlx::query(
            "SELECT m.id, m.received_at, (SELECT MIN(x.sent_at) FROM mail_outbox x WHERE x.message_id = m.id), \
             COALESCE(m.kind, '') FROM messages m WHERE m.received_at >= $1 AND m.received_at < $2 \
             ORDER BY m.received_at, m.id",
        )
        .bind(timestamp_text(from))
        .bind(timestamp_text(to))
        .fetch_all(&self.pool)
        .await?;
        let mut facts = Vec::with_capacity(rows.len());
        for row in &rows {
            let kind: String = row.try_get(3)?;
            let Some(kind) = MessageKind::parse(&kind).filter(|k| {
                matches!(
                    k,
                    MessageKind::Order
                        | MessageKind::OrderChange
                        | MessageKind::Cancellation
                        | MessageKind::Rfq
                        | MessageKind::Inquiry
                )
            }) else {
                continue;
            };
            let at = At {
                table: "messages",
                id: row.try_get(0)?,
            };
            facts.push(ResponseFact {
                received_at: at.timestamp(row, 1)?,
                first_answer_at: at.optional_timestamp(row, 2)?,
                kind,
            });
        }
        Ok(facts)
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
        // A thread begins in the period when its first message arrives in it.
        let begun = "WITH begun AS (SELECT DISTINCT m.thread_root AS root FROM messages m \
             WHERE m.received_at >= $1 AND m.received_at < $2 AND m.thread_root IS NOT NULL AND m.duplicate_of IS NULL \
             AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.thread_root = m.thread_root \
             AND p.received_at < m.received_at AND p.duplicate_of IS NULL))";
        let inbound = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{begun} SELECT m.id, m.thread_root, m.received_at, m.kind FROM messages m \
             JOIN begun b ON m.thread_root = b.root WHERE m.duplicate_of IS NULL \
             ORDER BY m.thread_root, m.received_at, m.id"
        )))
        .bind(timestamp_text(from))
        .bind(timestamp_text(to))
        .fetch_all(&self.pool)
        .await?;
        let sent = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{begun} SELECT x.id, m.thread_root, x.sent_at FROM begun b \
             JOIN messages m ON m.thread_root = b.root CROSS JOIN mail_outbox x \
             WHERE x.message_id = m.id AND x.status = 'sent'"
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

    /// Every draft waiting for a person, and every quote not yet sent:
    /// since its message arrived, and its due time.
    pub async fn kpi_waiting(&self) -> Result<Vec<domain::kpi::Waiting>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.id, m.received_at, d.due_at FROM drafts d JOIN messages m ON m.id = d.message_id \
             WHERE d.status = 'review' \
             UNION ALL SELECT q.id, q.rfq_received_at, q.due_at FROM quotes q \
             WHERE q.status IN ('draft', 'awaiting_approval', 'approved')",
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

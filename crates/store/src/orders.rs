//! Confirmed sales orders: made from a draft by a reviewer's confirmation or
//! by straight-through processing, amended later with a reason.

use sqlx::Row;
use sqlx::any::AnyRow;

use domain::CurrencyCode;
use domain::event::{Actor, Event, FieldChange};
use domain::order::{ErpSaleStatus, OrderStatus};
use jiff::Timestamp;
use rust_decimal::Decimal;

use crate::columns::At;
use crate::events::timestamp_text;
use crate::{Store, StoreError, StoreTx};

/// An order as it is confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub customer_no: Option<String>,
    pub po_number: Option<String>,
    pub currency: Option<CurrencyCode>,
    /// Sum of the lines' quantity × unit price.
    pub total: Option<Decimal>,
    pub line_count: i64,
    /// The confirmed draft (contracts §2 shape).
    pub content: String,
    /// The confirmation to the customer (and the order response to an EDI
    /// or UBL partner), queued with the order: their addressing; order,
    /// dedupe key, subject, body and file are filled in with the order's number.
    pub mails: Vec<crate::outbound::NewMail>,
}

/// What a clerk searches orders by; every part given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    /// A customer number, part of a PO number, part of the customer's name,
    /// or (with `order_id`) our order number.
    pub words: Option<String>,
    /// Our order number read from the words (`AB-1042` → 1042).
    pub order_id: Option<i64>,
    pub customer_no: Option<String>,
    pub status: Option<OrderStatus>,
    /// Confirmed in `[from, to)`.
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub min_total: Option<Decimal>,
    pub max_total: Option<Decimal>,
    /// Keyset paging: ids below this.
    pub before: Option<i64>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOrder {
    pub id: i64,
    pub draft_id: i64,
    pub message_id: i64,
    pub customer_no: Option<String>,
    pub po_number: Option<String>,
    pub status: OrderStatus,
    pub currency: Option<CurrencyCode>,
    pub total: Option<Decimal>,
    pub line_count: i64,
    pub content: String,
    pub version: i64,
    pub confirmed_by: String,
    pub confirmed_at: Timestamp,
    pub updated_at: Timestamp,
    /// Where the ERP's sale stands, as last pulled.
    pub erp_status: Option<ErpSaleStatus>,
    /// The ERP's number of the sale.
    pub erp_sale: Option<String>,
}

const ORDER_COLUMNS: &str = "id, draft_id, message_id, customer_no, po_number, status, currency, total, line_count, \
     content, version, confirmed_by, confirmed_at, updated_at, erp_status, erp_sale";

fn decode_order(row: &AnyRow) -> Result<StoredOrder, StoreError> {
    let id: i64 = row.try_get(0)?;
    let at = At { table: "orders", id };
    Ok(StoredOrder {
        id,
        draft_id: row.try_get(1)?,
        message_id: row.try_get(2)?,
        customer_no: row.try_get(3)?,
        po_number: row.try_get(4)?,
        status: at.named(row, 5, OrderStatus::parse)?,
        currency: match row.try_get::<Option<String>, _>(6)? {
            None => None,
            Some(_) => Some(at.named(row, 6, |c| CurrencyCode::parse(c).ok())?),
        },
        total: at.optional_decimal(row, 7)?,
        line_count: row.try_get(8)?,
        content: row.try_get(9)?,
        version: row.try_get(10)?,
        confirmed_by: row.try_get(11)?,
        confirmed_at: at.timestamp(row, 12)?,
        updated_at: at.timestamp(row, 13)?,
        erp_status: match row.try_get::<Option<String>, _>(14)? {
            None => None,
            Some(_) => Some(at.named(row, 14, ErpSaleStatus::parse)?),
        },
        erp_sale: row.try_get(15)?,
    })
}

fn change(field: &str, after: Option<String>) -> FieldChange {
    FieldChange {
        field: field.into(),
        before: None,
        after,
    }
}

impl StoreTx {
    /// Inserts the confirmed order of a draft and its `confirmed` event.
    pub async fn insert_order(
        &mut self,
        draft_id: i64,
        message_id: i64,
        order: &NewOrder,
        actor: &Actor,
        now: jiff::Timestamp,
    ) -> Result<i64, StoreError> {
        let now_text = timestamp_text(now);
        let id: i64 = sqlx::query(
            "INSERT INTO orders (draft_id, message_id, customer_no, po_number, status, currency, total, line_count, \
             content, version, confirmed_by, confirmed_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'confirmed', $5, $6, $7, $8, 1, $9, $10, $11) RETURNING id",
        )
        .bind(draft_id)
        .bind(message_id)
        .bind(order.customer_no.clone())
        .bind(order.po_number.clone())
        .bind(order.currency.map(|c| c.to_string()))
        .bind(order.total.map(|t| t.normalize().to_string()))
        .bind(order.line_count)
        .bind(order.content.clone())
        .bind(actor.to_storage())
        .bind(now_text.clone())
        .bind(now_text)
        .fetch_one(&mut *self.tx)
        .await?
        .try_get(0)?;
        // On its way to the ERP in the same transaction: confirmed means queued.
        self.queue_erp_push(id, 1, crate::erp::PushKind::Create, now).await?;
        for mail in &order.mails {
            let mail = crate::outbound::NewMail {
                order_id: Some(id),
                dedupe_key: format!("{}:{id}:v1", mail.kind.as_str()),
                ..mail.clone()
            };
            self.queue_mail(&mail, now).await?;
        }
        self.append_event(&Event {
            occurred_at: now,
            actor: actor.clone(),
            entity_type: "order".into(),
            entity_id: id.to_string(),
            action: "confirmed".into(),
            changes: vec![
                change("draft_id", Some(draft_id.to_string())),
                change("message_id", Some(message_id.to_string())),
                change("customer_no", order.customer_no.clone()),
                change("po_number", order.po_number.clone()),
                change("total", order.total.map(|t| t.normalize().to_string())),
                change("currency", order.currency.map(|c| c.to_string())),
                change("lines", Some(order.line_count.to_string())),
            ],
        })
        .await?;
        Ok(id)
    }
}

impl Store {
    /// Confirms a draft under review that still has `version`: the draft
    /// becomes `confirmed` and its order is stored, in one transaction.
    /// `Ok(None)` when the draft changed meanwhile or is not under review.
    pub async fn confirm_draft(
        &self,
        draft_id: i64,
        version: i64,
        order: &NewOrder,
        actor: &Actor,
        now: jiff::Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "UPDATE drafts SET status = 'confirmed', extraction = $1, version = version + 1, updated_at = $2 \
             WHERE id = $3 AND version = $4 AND status = 'review' RETURNING message_id",
        )
        .bind(order.content.clone())
        .bind(timestamp_text(now))
        .bind(draft_id)
        .bind(version)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(None);
        };
        let message_id: i64 = row.try_get(0)?;
        tx.append_event(&Event {
            occurred_at: now,
            actor: actor.clone(),
            entity_type: "draft".into(),
            entity_id: draft_id.to_string(),
            action: "confirmed".into(),
            changes: vec![FieldChange {
                field: "status".into(),
                before: Some("review".into()),
                after: Some("confirmed".into()),
            }],
        })
        .await?;
        let id = tx.insert_order(draft_id, message_id, order, actor, now).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    pub async fn order(&self, id: i64) -> Result<Option<StoredOrder>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode_order).transpose()
    }

    pub async fn order_of_draft(&self, draft_id: i64) -> Result<Option<StoredOrder>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE draft_id = $1"
        )))
        .bind(draft_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode_order).transpose()
    }

    /// Orders newest first, optionally of one customer, before the id `before` (keyset paging).
    pub async fn orders(
        &self,
        customer_no: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StoredOrder>, StoreError> {
        self.find_orders(&OrderFilter {
            customer_no: customer_no.map(str::to_owned),
            before,
            limit,
            ..OrderFilter::default()
        })
        .await
    }

    /// Orders found by what a clerk knows of them, newest first, keyset-paged by id.
    pub async fn find_orders(&self, f: &OrderFilter) -> Result<Vec<StoredOrder>, StoreError> {
        let columns = ORDER_COLUMNS
            .split(", ")
            .map(|c| format!("o.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut sql = format!("SELECT {columns} FROM orders o WHERE o.id < $1");
        let mut texts: Vec<String> = Vec::new();
        let mark = |texts: &mut Vec<String>, value: String| {
            texts.push(value);
            format!("${}", texts.len() + 1)
        };
        if let Some(c) = &f.customer_no {
            let m = mark(&mut texts, c.clone());
            sql.push_str(&format!(" AND o.customer_no = {m}"));
        }
        if let Some(words) = f.words.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
            let exact = mark(&mut texts, words.to_owned());
            let like = mark(&mut texts, crate::master::like_pattern(words));
            let ilike = self.backend.ilike();
            let by_id = f.order_id.map(|id| format!(" OR o.id = {id}")).unwrap_or_default();
            sql.push_str(&format!(
                " AND (o.customer_no = {exact} OR o.po_number {ilike} {like} ESCAPE '\\' \
                 OR o.customer_no IN (SELECT customer_no FROM customers WHERE name {ilike} {like} ESCAPE '\\'){by_id})"
            ));
        }
        if let Some(status) = f.status {
            let m = mark(&mut texts, status.as_str().to_owned());
            sql.push_str(&format!(" AND o.status = {m}"));
        }
        if let Some(from) = f.from {
            let m = mark(&mut texts, timestamp_text(from));
            sql.push_str(&format!(" AND o.confirmed_at >= {m}"));
        }
        if let Some(to) = f.to {
            let m = mark(&mut texts, timestamp_text(to));
            sql.push_str(&format!(" AND o.confirmed_at < {m}"));
        }
        // Totals are decimal text: compared as numbers.
        if let Some(min) = f.min_total {
            sql.push_str(&format!(
                " AND CAST(o.total AS DOUBLE PRECISION) >= {}",
                min.normalize()
            ));
        }
        if let Some(max) = f.max_total {
            sql.push_str(&format!(
                " AND CAST(o.total AS DOUBLE PRECISION) <= {}",
                max.normalize()
            ));
        }
        sql.push_str(&format!(" ORDER BY o.id DESC LIMIT {}", f.limit.clamp(1, 1000)));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(f.before.unwrap_or(i64::MAX));
        for t in texts {
            query = query.bind(t);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(decode_order).collect()
    }

    /// Cancels an order that still has `version` and is not fulfilled or
    /// cancelled already; the cancellation goes to the ERP and `event` (a
    /// `cancelled` event with the reason) with it, in one transaction.
    pub async fn cancel_order(
        &self,
        id: i64,
        version: i64,
        event: &Event,
        closes: Option<&crate::drafts::ClosesDraft<'_>>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let updated = sqlx::query(
            "UPDATE orders SET status = 'cancelled', version = version + 1, updated_at = $1 \
             WHERE id = $2 AND version = $3 AND status IN ('confirmed', 'sent_to_erp')",
        )
        .bind(timestamp_text(event.occurred_at))
        .bind(id)
        .bind(version)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if updated == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.queue_erp_push(id, version + 1, crate::erp::PushKind::Cancel, event.occurred_at)
            .await?;
        tx.append_event(event).await?;
        tx.commit_closing(closes).await
    }

    /// The newest order of a customer with a PO number, for a change or a
    /// cancellation that names it.
    pub async fn order_by_po(&self, customer_no: &str, po_number: &str) -> Result<Option<StoredOrder>, StoreError> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM orders WHERE customer_no = $1 AND po_number = $2 ORDER BY id DESC LIMIT 1",
        )
        .bind(customer_no.to_owned())
        .bind(po_number.trim().to_owned())
        .fetch_optional(&self.pool)
        .await?;
        match id {
            Some(id) => self.order(id).await,
            None => Ok(None),
        }
    }

    /// Replaces a confirmed order's content if it still has `version`;
    /// `event` (an `amended` event with the reason and the changes) goes with it.
    pub async fn amend_order(
        &self,
        id: i64,
        version: i64,
        order: &NewOrder,
        event: &Event,
        closes: Option<&crate::drafts::ClosesDraft<'_>>,
    ) -> Result<bool, StoreError> {
        let update = sqlx::query(
            "UPDATE orders SET content = $1, total = $2, line_count = $3, po_number = $4, currency = $5, \
             status = 'confirmed', version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8 \
             AND status IN ('confirmed', 'sent_to_erp')",
        )
        .bind(order.content.clone())
        .bind(order.total.map(|t| t.normalize().to_string()))
        .bind(order.line_count)
        .bind(order.po_number.clone())
        .bind(order.currency.map(|c| c.to_string()))
        .bind(timestamp_text(event.occurred_at))
        .bind(id)
        .bind(version);
        let mut tx = self.begin().await?;
        if update.execute(&mut *tx.tx).await?.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        // The amendment goes to the ERP too, in the same transaction, and the
        // customer gets the changed confirmation where the first one went.
        tx.queue_erp_push(id, version + 1, crate::erp::PushKind::Amend, event.occurred_at)
            .await?;
        tx.queue_amended_confirmation(id, version + 1, event.occurred_at)
            .await?;
        tx.append_event(event).await?;
        tx.commit_closing(closes).await
    }
}

//! The append-only event log. Nothing here updates or deletes an event.

use domain::event::{Actor, Event, FieldChange};
use sqlx::Row;

use crate::connect::{Store, StoreTx};
use crate::error::StoreError;

const INSERT: &str = "INSERT INTO events (occurred_at, actor, entity_type, entity_id, action, changes) \
                      VALUES ($1, $2, $3, $4, $5, $6)";

pub fn changes_json(changes: &[FieldChange]) -> String {
    let list: Vec<serde_json::Value> = changes
        .iter()
        .map(|c| serde_json::json!({ "field": c.field, "before": c.before, "after": c.after }))
        .collect();
    serde_json::Value::Array(list).to_string()
}

fn parse_changes(raw: &str) -> Vec<FieldChange> {
    let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    serde_json::from_str::<Vec<serde_json::Value>>(raw)
        .unwrap_or_default()
        .iter()
        .map(|c| FieldChange {
            field: text(&c["field"]).unwrap_or_default(),
            before: text(&c["before"]),
            after: text(&c["after"]),
        })
        .collect()
}

/// A timestamp as the store keeps it and the API shows it: fixed width, UTC.
pub fn timestamp_text(t: jiff::Timestamp) -> String {
    // Fixed width (microseconds, Z) so that text order is time order.
    format!("{}", t.strftime("%Y-%m-%dT%H:%M:%S%.6fZ"))
}

impl StoreTx {
    /// Appends an event inside this transaction: it exists exactly when the change does.
    pub async fn append_event(&mut self, event: &Event) -> Result<(), StoreError> {
        sqlx::query(INSERT)
            .bind(timestamp_text(event.occurred_at))
            .bind(event.actor.to_storage())
            .bind(event.entity_type.clone())
            .bind(event.entity_id.clone())
            .bind(event.action.clone())
            .bind(changes_json(&event.changes))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

impl Store {
    /// Runs a change guarded by the version the writer saw (`… WHERE id = $n
    /// AND version = $m`) and appends `event` in the same transaction.
    /// `Ok(false)`, with nothing written, when no row matched: someone else
    /// changed it meanwhile.
    pub(crate) async fn update_with_event(
        &self,
        update: sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
        event: &Event,
    ) -> Result<bool, StoreError> {
        self.update_with_event_and_mails(update, event, &[]).await
    }

    /// Runs `update`; when it touched a row, appends `event` and queues
    /// `mails`, all in one transaction. `false` (nothing written) when the
    /// update found nothing to change.
    pub(crate) async fn update_with_event_and_mails(
        &self,
        update: sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
        event: &Event,
        mails: &[crate::outbound::NewMail],
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        if update.execute(&mut *tx.tx).await?.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.append_event(event).await?;
        for mail in mails {
            tx.queue_mail(mail, event.occurred_at).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Appends one event on its own.
    pub async fn append_event(&self, event: &Event) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        tx.append_event(event).await?;
        tx.commit().await
    }

    /// The events of one entity, oldest first.
    pub async fn events_for(&self, entity_type: &str, entity_id: &str) -> Result<Vec<Event>, StoreError> {
        let rows = sqlx::query(
            "SELECT occurred_at, actor, entity_type, entity_id, action, changes FROM events \
             WHERE entity_type = $1 AND entity_id = $2 ORDER BY id",
        )
        .bind(entity_type.to_owned())
        .bind(entity_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// The newest events of one kind of entity (`user`, `settings`), newest first.
    pub async fn events_of_type(&self, entity_type: &str, limit: i64) -> Result<Vec<Event>, StoreError> {
        let rows = sqlx::query(
            "SELECT occurred_at, actor, entity_type, entity_id, action, changes FROM events \
             WHERE entity_type = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(entity_type.to_owned())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// The newest events of any entity, newest first.
    pub async fn recent_events(&self, limit: i64) -> Result<Vec<Event>, StoreError> {
        let rows = sqlx::query(
            "SELECT occurred_at, actor, entity_type, entity_id, action, changes FROM events ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_from_row).collect()
    }
}

fn event_from_row(row: &sqlx::any::AnyRow) -> Result<Event, StoreError> {
    let corrupt = |message: String| StoreError::Corrupt {
        table: "events",
        key: String::new(),
        message,
    };
    let occurred_at: String = row.try_get("occurred_at")?;
    let actor: String = row.try_get("actor")?;
    Ok(Event {
        occurred_at: occurred_at
            .parse()
            .map_err(|e| corrupt(format!("time '{occurred_at}': {e}")))?,
        actor: Actor::from_storage(&actor).ok_or_else(|| corrupt(format!("actor '{actor}'")))?,
        entity_type: row.try_get("entity_type")?,
        entity_id: row.try_get("entity_id")?,
        action: row.try_get("action")?,
        changes: parse_changes(&row.try_get::<String, _>("changes")?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_sort_as_text() {
        let a: jiff::Timestamp = "2026-11-22T09:05:00Z".parse().unwrap();
        let b: jiff::Timestamp = "2026-11-22T10:00:00.5Z".parse().unwrap();
        assert!(timestamp_text(a) < timestamp_text(b));
        assert_eq!(timestamp_text(a), "2026-11-22T09:05:00.000000Z");
    }

    #[test]
    fn changes_round_trip() {
        let changes = vec![FieldChange {
            field: "qty".into(),
            before: Some("5".into()),
            after: None,
        }];
        assert_eq!(parse_changes(&changes_json(&changes)), changes);
    }
}

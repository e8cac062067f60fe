//! Settings administrators change in the web UI, as JSON per key.

use sqlx::Row;

use domain::event::Event;

use crate::events::timestamp_text;
use crate::{Store, StoreError};

impl Store {
    /// The stored value of a setting, if an administrator set one.
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.try_get(0)).transpose().map_err(StoreError::from)
    }

    /// Stores a setting with its event (before and after per field) in one transaction.
    pub async fn save_setting(
        &self,
        key: &str,
        value: &str,
        updated_by: &str,
        event: &Event,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM settings WHERE key = $1")
            .bind(key.to_owned())
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query("INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4)")
            .bind(key.to_owned())
            .bind(value.to_owned())
            .bind(updated_by.to_owned())
            .bind(timestamp_text(event.occurred_at))
            .execute(&mut *tx.tx)
            .await?;
        tx.append_event(event).await?;
        tx.commit().await
    }
}

//! Many rows at once, for benchmarks that need a store the size of years of
//! work (a million messages) in seconds. Not used by the back office's own flows.

use crate::{Backend, Store, StoreError};

/// One value of a bulk row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkValue {
    Int(i64),
    Text(Option<String>),
}

/// Rows per statement: well below SQLite's and PostgreSQL's parameter limits.
const PARAMETERS_PER_STATEMENT: usize = 30_000;

impl Store {
    /// Inserts `rows` into `table` in one transaction. Ids given explicitly are
    /// kept; on PostgreSQL the table's id sequence is moved past them afterwards.
    pub async fn bulk_insert(
        &self,
        table: &'static str,
        columns: &[&'static str],
        rows: &[Vec<BulkValue>],
    ) -> Result<(), StoreError> {
        let width = columns.len();
        let per_statement = (PARAMETERS_PER_STATEMENT / width).max(1);
        let mut tx = self.begin().await?;
        for chunk in rows.chunks(per_statement) {
            let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
            for (r, _) in chunk.iter().enumerate() {
                if r > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for c in 0..width {
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    // Anonymous parameters bind in constant time on SQLite (see master.rs).
                    match self.backend {
                        Backend::Sqlite => sql.push('?'),
                        Backend::Postgres => sql.push_str(&format!("${}", r * width + c + 1)),
                    }
                }
                sql.push(')');
            }
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for row in chunk {
                for value in row {
                    query = match value {
                        BulkValue::Int(i) => query.bind(*i),
                        BulkValue::Text(t) => query.bind(t.clone()),
                    };
                }
            }
            query.execute(&mut *tx.tx).await?;
        }
        if self.backend == Backend::Postgres && columns.contains(&"id") {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )))
            .execute(&mut *tx.tx)
            .await?;
        }
        tx.commit().await
    }

    /// The highest id in `table` (0 when empty).
    pub async fn max_id(&self, table: &'static str) -> Result<i64, StoreError> {
        use sqlx::Row;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COALESCE(MAX(id), 0) FROM {table}")))
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }
}

impl Store {
    /// Sets a message's documents JSON (the seeded 50-line draft's original).
    pub async fn set_documents_for_benchmark(&self, message_id: i64, documents_json: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE messages SET documents_json = $1 WHERE id = $2")
            .bind(documents_json.to_owned())
            .bind(message_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

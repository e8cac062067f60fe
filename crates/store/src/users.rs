//! People, their sessions and API tokens.
//!
//! Passwords arrive here already hashed, and session and API tokens only as
//! hashes: the store never sees a secret it could leak.

use sqlx::Row;
use sqlx::any::AnyRow;

use domain::access::Role;
use domain::event::{Actor, Event, FieldChange};
use jiff::Timestamp;

use crate::columns::At;
use crate::events::timestamp_text;
use crate::{Store, StoreError};

/// A person who can log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: Timestamp,
    /// The language the user chose for the screens (`de`, `en`); `None` follows the browser.
    pub language: Option<String>,
}

/// An API token as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub username: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

const USER_COLUMNS: &str = "u.username, u.display_name, u.role, u.active, u.created_at, u.language";

fn decode_user(row: &AnyRow) -> Result<User, StoreError> {
    let username: String = row.try_get(0)?;
    // Users are keyed by name; the row's number is not at hand here.
    let at = At { table: "users", id: 0 };
    Ok(User {
        display_name: row.try_get(1)?,
        role: at.named(row, 2, Role::parse).map_err(|e| corrupt_user(&username, e))?,
        active: row.try_get::<i64, _>(3)? != 0,
        created_at: at.timestamp(row, 4).map_err(|e| corrupt_user(&username, e))?,
        language: row.try_get(5)?,
        username,
    })
}

/// Names the user in a corrupt-row error.
fn corrupt_user(username: &str, e: StoreError) -> StoreError {
    match e {
        StoreError::Corrupt { table, message, .. } => StoreError::Corrupt {
            table,
            key: username.to_owned(),
            message,
        },
        other => other,
    }
}

fn user_event(actor: &Actor, username: &str, action: &str, changes: Vec<FieldChange>, now: jiff::Timestamp) -> Event {
    Event {
        occurred_at: now,
        actor: actor.clone(),
        entity_type: "user".into(),
        entity_id: username.to_owned(),
        action: action.into(),
        changes,
    }
}

fn set(field: &str, after: &str) -> FieldChange {
    FieldChange {
        field: field.into(),
        before: None,
        after: Some(after.to_owned()),
    }
}

impl Store {
    /// Creates a user; `Ok(false)` when the username is taken.
    pub async fn insert_user(
        &self,
        user: &User,
        password_hash: &str,
        actor: &Actor,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let taken = sqlx::query("SELECT COUNT(*) FROM users WHERE username = $1")
            .bind(user.username.clone())
            .fetch_one(&mut *tx.tx)
            .await?
            .try_get::<i64, _>(0)?
            > 0;
        if taken {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO users (username, display_name, role, password_hash, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(user.username.clone())
        .bind(user.display_name.clone())
        .bind(user.role.as_str())
        .bind(password_hash.to_owned())
        .bind(i64::from(user.active))
        .bind(timestamp_text(now))
        .execute(&mut *tx.tx)
        .await?;
        tx.append_event(&user_event(
            actor,
            &user.username,
            "created",
            vec![set("display_name", &user.display_name), set("role", user.role.as_str())],
            now,
        ))
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The user and their password hash, for logging in.
    pub async fn user_for_login(&self, username: &str) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.username = $1"
        )))
        .bind(username.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((decode_user(&r)?, r.try_get(6)?))).transpose()
    }

    pub async fn user(&self, username: &str) -> Result<Option<User>, StoreError> {
        Ok(self.user_for_login(username).await?.map(|(u, _)| u))
    }

    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u ORDER BY u.username"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_user).collect()
    }

    /// Changes role, activity or password; ends the user's sessions when they are disabled or get a new password.
    pub async fn update_user(
        &self,
        username: &str,
        role: Option<Role>,
        active: Option<bool>,
        password_hash: Option<&str>,
        actor: &Actor,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        let Some(before) = self.user(username).await? else {
            return Ok(false);
        };
        let mut tx = self.begin().await?;
        let mut changes = Vec::new();
        if let Some(role) = role.filter(|r| *r != before.role) {
            sqlx::query("UPDATE users SET role = $1 WHERE username = $2")
                .bind(role.as_str())
                .bind(username.to_owned())
                .execute(&mut *tx.tx)
                .await?;
            changes.push(FieldChange {
                field: "role".into(),
                before: Some(before.role.as_str().to_owned()),
                after: Some(role.as_str().to_owned()),
            });
        }
        if let Some(active) = active.filter(|a| *a != before.active) {
            sqlx::query("UPDATE users SET active = $1 WHERE username = $2")
                .bind(i64::from(active))
                .bind(username.to_owned())
                .execute(&mut *tx.tx)
                .await?;
            changes.push(FieldChange {
                field: "active".into(),
                before: Some(before.active.to_string()),
                after: Some(active.to_string()),
            });
        }
        if let Some(hash) = password_hash {
            sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
                .bind(hash.to_owned())
                .bind(username.to_owned())
                .execute(&mut *tx.tx)
                .await?;
            changes.push(set("password", "changed"));
        }
        if active == Some(false) || password_hash.is_some() {
            sqlx::query("DELETE FROM sessions WHERE username = $1")
                .bind(username.to_owned())
                .execute(&mut *tx.tx)
                .await?;
            let revoked =
                sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE username = $2 AND revoked_at IS NULL")
                    .bind(timestamp_text(now))
                    .bind(username.to_owned())
                    .execute(&mut *tx.tx)
                    .await?
                    .rows_affected();
            if revoked > 0 {
                changes.push(set("api_tokens", &format!("{revoked} revoked")));
            }
        }
        if !changes.is_empty() {
            tx.append_event(&user_event(actor, username, "updated", changes, now))
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub async fn insert_session(
        &self,
        token_hash: &str,
        username: &str,
        csrf_token: &str,
        now: jiff::Timestamp,
        expires_at: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, username, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash.to_owned())
        .bind(username.to_owned())
        .bind(csrf_token.to_owned())
        .bind(timestamp_text(now))
        .bind(timestamp_text(expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Sets the language a user's screens are shown in; `None` follows the browser.
    pub async fn set_user_language(&self, username: &str, language: Option<&str>) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE users SET language = $1 WHERE username = $2")
            .bind(language.map(str::to_owned))
            .bind(username.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The active user of an unexpired session, with the session's CSRF token.
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, s.csrf_token FROM sessions s JOIN users u ON u.username = s.username \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1"
        )))
        .bind(token_hash.to_owned())
        .bind(timestamp_text(now))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((decode_user(&r)?, r.try_get(6)?))).transpose()
    }

    /// Ends a session, and any expired ones on the way.
    pub async fn delete_session(&self, token_hash: &str, now: jiff::Timestamp) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1 OR expires_at <= $2")
            .bind(token_hash.to_owned())
            .bind(timestamp_text(now))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_api_token(
        &self,
        name: &str,
        username: &str,
        token_hash: &str,
        expires_at: Option<jiff::Timestamp>,
        actor: &Actor,
        now: jiff::Timestamp,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO api_tokens (name, username, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name.to_owned())
        .bind(username.to_owned())
        .bind(token_hash.to_owned())
        .bind(timestamp_text(now))
        .bind(expires_at.map(timestamp_text))
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get(0)?;
        tx.append_event(&user_event(
            actor,
            username,
            "api_token_created",
            vec![set("token", name)],
            now,
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The active user an unrevoked, unexpired API token acts for; notes when it
    /// was used (at most once a minute, so reading scripts do not write on every call).
    pub async fn api_token_user(&self, token_hash: &str, now: jiff::Timestamp) -> Result<Option<User>, StoreError> {
        let now_text = timestamp_text(now);
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, t.id, t.last_used_at FROM api_tokens t JOIN users u ON u.username = t.username \
             WHERE t.token_hash = $1 AND u.active = 1 AND t.revoked_at IS NULL \
             AND (t.expires_at IS NULL OR t.expires_at > $2)"
        )))
        .bind(token_hash.to_owned())
        .bind(now_text.clone())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.try_get(6)?;
        let last_used: Option<String> = row.try_get(7)?;
        let a_minute_ago = timestamp_text(now - jiff::SignedDuration::from_secs(60));
        if last_used.is_none_or(|t| t < a_minute_ago) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now_text)
                .bind(id)
                .execute(&self.pool)
                .await?;
        }
        decode_user(&row).map(Some)
    }

    pub async fn api_tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, username, created_at, last_used_at, expires_at, revoked_at FROM api_tokens ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                let at = At {
                    table: "api_tokens",
                    id,
                };
                Ok(ApiToken {
                    id,
                    name: r.try_get(1)?,
                    username: r.try_get(2)?,
                    created_at: at.timestamp(r, 3)?,
                    last_used_at: at.optional_timestamp(r, 4)?,
                    expires_at: at.optional_timestamp(r, 5)?,
                    revoked_at: at.optional_timestamp(r, 6)?,
                })
            })
            .collect()
    }

    /// Revokes a token; `false` when there is no such token or it was revoked already.
    pub async fn revoke_api_token(&self, id: i64, actor: &Actor, now: jiff::Timestamp) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING username, name",
        )
        .bind(timestamp_text(now))
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(false);
        };
        let (username, name): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        tx.append_event(&user_event(
            actor,
            &username,
            "api_token_revoked",
            vec![set("token", &name)],
            now,
        ))
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

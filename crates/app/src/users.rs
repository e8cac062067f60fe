//! People and their access: accounts with argon2 password hashes, sessions
//! for the browser, API tokens for integrations.
//!
//! Secrets (session and API tokens) are 256 random bits shown once; the store
//! keeps only their SHA-256, which is enough for values that cannot be guessed.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use domain::access::Role;
use domain::event::Actor;
use sha2::{Digest, Sha256};
use store::Store;
use store::users::User;

/// How long a browser session lasts without logging in again.
pub const SESSION_HOURS: i64 = 12;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("user name '{0}' is not allowed: use 2–64 letters, digits, '.', '-' or '_'")]
    BadUsername(String),
    #[error("role '{0}' does not exist: use clerk, sales_admin, manager or admin")]
    BadRole(String),
    #[error("the password is too short: use at least {MIN_PASSWORD_CHARS} characters")]
    WeakPassword,
    #[error("user '{0}' exists already")]
    Exists(String),
    #[error("user '{0}' does not exist")]
    NoUser(String),
    #[error("a token is valid for 1 to {MAX_TOKEN_DAYS} days, not {0}")]
    BadValidity(u32),
    #[error("you cannot disable yourself or take away your own administrator role")]
    SelfLockout,
    #[error("hashing the password failed: {0}")]
    Hash(String),
    #[error("the system's random number source failed: {0}")]
    Random(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// A logged-in browser session: the cookie value and the form token that goes with it.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
}

/// `n` random bytes as hex.
pub fn random_hex(n: usize) -> Result<String, UserError> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| UserError::Random(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// A password for generated accounts (demo users): 16 characters without look-alikes.
pub fn generate_password() -> Result<String, UserError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| UserError::Random(e.to_string()))?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String, UserError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| UserError::Hash(e.to_string()))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

fn valid_username(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Creates an account.
pub async fn add_user(
    store: &Store,
    username: &str,
    display_name: &str,
    role: &str,
    password: &str,
    actor: &Actor,
) -> Result<User, UserError> {
    if !valid_username(username) {
        return Err(UserError::BadUsername(username.to_owned()));
    }
    let role = Role::parse(role).ok_or_else(|| UserError::BadRole(role.to_owned()))?;
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(UserError::WeakPassword);
    }
    let user = User {
        username: username.to_owned(),
        display_name: if display_name.trim().is_empty() {
            username.to_owned()
        } else {
            display_name.trim().to_owned()
        },
        role,
        active: true,
        language: None,
        created_at: jiff::Timestamp::now(),
    };
    let hash = hash_password(password)?;
    if !store.insert_user(&user, &hash, actor, jiff::Timestamp::now()).await? {
        return Err(UserError::Exists(username.to_owned()));
    }
    Ok(store.user(username).await?.unwrap_or(user))
}

/// What an administrator changes about a user; `None` leaves it as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserChange<'a> {
    pub role: Option<&'a str>,
    pub active: Option<bool>,
    /// A new password; ends the user's sessions.
    pub password: Option<&'a str>,
}

/// Changes a user's role, activity or password. An administrator cannot
/// lock themselves out (disable themselves or drop their own admin role).
pub async fn change_user(
    store: &Store,
    username: &str,
    change: UserChange<'_>,
    actor: &Actor,
) -> Result<User, UserError> {
    let role = change
        .role
        .map(|raw| Role::parse(raw).ok_or_else(|| UserError::BadRole(raw.to_owned())))
        .transpose()?;
    if matches!(actor, Actor::User(me) if me == username)
        && (change.active == Some(false) || role.is_some_and(|r| r != Role::Admin))
    {
        return Err(UserError::SelfLockout);
    }
    let hash = match change.password {
        Some(p) if p.chars().count() < MIN_PASSWORD_CHARS => return Err(UserError::WeakPassword),
        Some(p) => Some(hash_password(p)?),
        None => None,
    };
    let found = store
        .update_user(
            username,
            role,
            change.active,
            hash.as_deref(),
            actor,
            jiff::Timestamp::now(),
        )
        .await?;
    if !found {
        return Err(UserError::NoUser(username.to_owned()));
    }
    store
        .user(username)
        .await?
        .ok_or_else(|| UserError::NoUser(username.to_owned()))
}

/// Checks a password and opens a session; `None` for a wrong name or password
/// or a disabled account (the caller cannot and should not tell which).
pub async fn login(store: &Store, username: &str, password: &str) -> Result<Option<Session>, UserError> {
    let found = store.user_for_login(username.trim()).await?;
    let Some((user, hash)) = found else {
        // Spend the same time as for a real user, so timing does not reveal names.
        let _ = verify_password(password, DUMMY_HASH);
        return Ok(None);
    };
    if !verify_password(password, &hash) || !user.active {
        return Ok(None);
    }
    let token = random_hex(32)?;
    let csrf_token = random_hex(32)?;
    let now = jiff::Timestamp::now();
    let expires = now + jiff::SignedDuration::from_hours(SESSION_HOURS);
    store
        .insert_session(&token_hash(&token), &user.username, &csrf_token, now, expires)
        .await?;
    Ok(Some(Session {
        token,
        csrf_token,
        user,
    }))
}

/// The user and CSRF token of a session cookie's value.
pub async fn session(store: &Store, token: &str) -> Result<Option<(User, String)>, UserError> {
    Ok(store.session_user(&token_hash(token), jiff::Timestamp::now()).await?)
}

pub async fn logout(store: &Store, token: &str) -> Result<(), UserError> {
    Ok(store.delete_session(&token_hash(token), jiff::Timestamp::now()).await?)
}

/// The longest an API token may be valid for, in days.
pub const MAX_TOKEN_DAYS: u32 = 3660;

/// Creates an API token acting as `username`, valid for `valid_days` (or until
/// revoked); the token is returned once and never stored. A password change or
/// disabling the user revokes it.
pub async fn create_api_token(
    store: &Store,
    username: &str,
    name: &str,
    valid_days: Option<u32>,
    actor: &Actor,
) -> Result<String, UserError> {
    if store.user(username).await?.is_none() {
        return Err(UserError::NoUser(username.to_owned()));
    }
    if let Some(days) = valid_days
        && !(1..=MAX_TOKEN_DAYS).contains(&days)
    {
        return Err(UserError::BadValidity(days));
    }
    let now = jiff::Timestamp::now();
    let expires = valid_days.map(|d| now + jiff::SignedDuration::from_hours(24 * i64::from(d)));
    let token = format!("od_{}", random_hex(32)?);
    store
        .insert_api_token(name, username, &token_hash(&token), expires, actor, now)
        .await?;
    Ok(token)
}

/// Revokes an API token at once; `false` when there is none with that id (or it was revoked already).
pub async fn revoke_api_token(store: &Store, id: i64, actor: &Actor) -> Result<bool, UserError> {
    Ok(store.revoke_api_token(id, actor, jiff::Timestamp::now()).await?)
}

pub async fn api_token_user(store: &Store, token: &str) -> Result<Option<User>, UserError> {
    Ok(store.api_token_user(&token_hash(token), jiff::Timestamp::now()).await?)
}

/// An argon2id hash of a random password, used to keep the login time equal for unknown names.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Zx3m4p0QyqW4m7Jb5m0qKkQ5kq4bXb2xK8Ewz9w8x2E";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_against_their_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("anything", "not a hash"));
        // The dummy hash parses, so unknown users cost a real verification.
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn generated_secrets_differ_and_have_the_promised_size() {
        let a = random_hex(32).unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_hex(32).unwrap());
        let p = generate_password().unwrap();
        assert_eq!(p.chars().count(), 16);
        assert!(p.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn usernames_are_plain() {
        assert!(valid_username("anna.k"));
        assert!(!valid_username("a"));
        assert!(!valid_username("<script>"));
        assert!(!valid_username("anna k"));
    }
}

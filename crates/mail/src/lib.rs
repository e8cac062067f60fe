//! Mailboxes over IMAP: fetch what arrived since the last look, then wait with IDLE.
//!
//! The caller keeps a [`MailboxState`] (UIDVALIDITY and the highest UID taken
//! in) and stores it only after the fetched messages are stored, so a crash in
//! between means fetching them again, never losing them; the intake recognises
//! the repeats as duplicates. When the server's UIDVALIDITY changes, UIDs mean
//! something else and the whole folder is read again, for the same reason safely.
//!
//! [`smtp`] sends what the mail outbox holds.

pub mod smtp;

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// How to reach one mailbox. Passwords never appear in logs or errors.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxConfig {
    /// A short name for the channel (`orders`), used as `imap:NAME`.
    pub name: String,
    pub host: String,
    #[serde(default = "default_port")]
    pub port: u16,
    /// TLS from the first byte (IMAPS, port 993); off only for tests on loopback.
    #[serde(default = "default_tls")]
    pub tls: bool,
    pub username: String,
    pub password: String,
    #[serde(default = "default_folder")]
    pub folder: String,
    /// Move taken-in mail to this folder (created if missing); leave it when unset.
    #[serde(default)]
    pub move_to: Option<String>,
}

fn default_port() -> u16 {
    993
}
fn default_tls() -> bool {
    true
}
fn default_folder() -> String {
    "INBOX".into()
}

impl std::fmt::Debug for MailboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxConfig")
            .field("name", &self.name)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("folder", &self.folder)
            .field("move_to", &self.move_to)
            .finish_non_exhaustive()
    }
}

/// Where reading stopped last time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailboxState {
    pub uid_validity: u32,
    pub last_uid: u32,
}

/// One fetched message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedMail {
    pub uid: u32,
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mailbox {name}: cannot connect to {host}:{port}: {source}")]
    Connect {
        name: String,
        host: String,
        port: u16,
        source: std::io::Error,
    },
    #[error("mailbox {name}: TLS with {host} failed: {source}")]
    Tls {
        name: String,
        host: String,
        source: std::io::Error,
    },
    #[error("mailbox {name}: login as {username} refused: {message}")]
    Login {
        name: String,
        username: String,
        message: String,
    },
    #[error("mailbox {name}: {action} failed: {message}")]
    Imap {
        name: String,
        action: &'static str,
        message: String,
    },
}

/// A TCP or TLS connection to the server.
#[derive(Debug)]
pub enum Connection {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Connection {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Connection::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Connection {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Connection::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_flush(cx),
            Connection::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Connection::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

pub type Session = async_imap::Session<Connection>;

fn imap_err<'a>(
    config: &'a MailboxConfig,
    action: &'static str,
) -> impl Fn(async_imap::error::Error) -> MailError + 'a {
    move |e| MailError::Imap {
        name: config.name.clone(),
        action,
        message: e.to_string(),
    }
}

/// Connects, logs in and selects the folder.
pub async fn open(config: &MailboxConfig) -> Result<(Session, u32), MailError> {
    let tcp = tokio::time::timeout(
        Duration::from_secs(30),
        TcpStream::connect((config.host.as_str(), config.port)),
    )
    .await
    .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer within 30 s"))
    .and_then(|r| r)
    .map_err(|source| MailError::Connect {
        name: config.name.clone(),
        host: config.host.clone(),
        port: config.port,
        source,
    })?;
    let connection = if config.tls {
        let mut roots = tokio_rustls::rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let tls_config = tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| MailError::Tls {
            name: config.name.clone(),
            host: config.host.clone(),
            source: std::io::Error::other(e),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let server_name =
            tokio_rustls::rustls::pki_types::ServerName::try_from(config.host.clone()).map_err(|e| MailError::Tls {
                name: config.name.clone(),
                host: config.host.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, e),
            })?;
        let stream = tokio_rustls::TlsConnector::from(Arc::new(tls_config))
            .connect(server_name, tcp)
            .await
            .map_err(|source| MailError::Tls {
                name: config.name.clone(),
                host: config.host.clone(),
                source,
            })?;
        Connection::Tls(Box::new(stream))
    } else {
        Connection::Plain(tcp)
    };
    let mut client = async_imap::Client::new(connection);
    client.read_response().await.map_err(|e| MailError::Imap {
        name: config.name.clone(),
        action: "reading the greeting",
        message: e.to_string(),
    })?;
    let mut session = client
        .login(&config.username, &config.password)
        .await
        .map_err(|(e, _)| MailError::Login {
            name: config.name.clone(),
            username: config.username.clone(),
            message: e.to_string(),
        })?;
    let mailbox = session
        .select(&config.folder)
        .await
        .map_err(imap_err(config, "selecting the folder"))?;
    Ok((session, mailbox.uid_validity.unwrap_or(0)))
}

/// The messages after `state` (all of them when there is no state or UIDVALIDITY changed).
pub async fn fetch_new(
    session: &mut Session,
    config: &MailboxConfig,
    uid_validity: u32,
    state: Option<MailboxState>,
) -> Result<Vec<FetchedMail>, MailError> {
    let from = match state {
        Some(s) if s.uid_validity == uid_validity => s.last_uid + 1,
        _ => 1,
    };
    let fetches: Vec<_> = session
        .uid_fetch(format!("{from}:*"), "(UID BODY.PEEK[])")
        .await
        .map_err(imap_err(config, "fetching"))?
        .try_collect()
        .await
        .map_err(imap_err(config, "fetching"))?;
    let mut mails: Vec<FetchedMail> = fetches
        .iter()
        .filter_map(|f| {
            Some(FetchedMail {
                uid: f.uid?,
                bytes: f.body()?.to_vec(),
            })
        })
        // `N:*` always returns the newest message, even when its UID is below N.
        .filter(|m| m.uid >= from)
        .collect();
    mails.sort_by_key(|m| m.uid);
    Ok(mails)
}

/// Moves taken-in messages to `folder`, creating it when needed.
pub async fn move_to(
    session: &mut Session,
    config: &MailboxConfig,
    uids: &[u32],
    folder: &str,
) -> Result<(), MailError> {
    if uids.is_empty() {
        return Ok(());
    }
    let _ = session.create(folder).await; // exists already: fine
    let set = uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    session
        .uid_mv(&set, folder)
        .await
        .map_err(imap_err(config, "moving taken-in mail"))
}

/// Waits until the server reports a change (new mail) or `timeout` passes.
/// Returns the session and whether the server reported something.
pub async fn idle(session: Session, config: &MailboxConfig, timeout: Duration) -> Result<(Session, bool), MailError> {
    let mut handle = session.idle();
    handle.init().await.map_err(imap_err(config, "starting IDLE"))?;
    let (wait, _stop) = handle.wait_with_timeout(timeout);
    let response = wait.await.map_err(imap_err(config, "waiting in IDLE"))?;
    let woke = matches!(response, async_imap::extensions::idle::IdleResponse::NewData(_));
    let session = handle.done().await.map_err(imap_err(config, "ending IDLE"))?;
    Ok((session, woke))
}

pub async fn logout(mut session: Session) {
    let _ = session.logout().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_stay_out_of_debug_output() {
        let config = MailboxConfig {
            name: "orders".into(),
            host: "imap.example.com".into(),
            port: 993,
            tls: true,
            username: "orders@example.com".into(),
            password: "hunter2".into(),
            folder: "INBOX".into(),
            move_to: None,
        };
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}

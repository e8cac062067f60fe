//! Sending mail over SMTP (lettre, rustls): one message as the outbox made
//! it, with our own Message-ID and the thread's In-Reply-To and References.
//!
//! Failures are told apart: a server away, busy or answering 4xx is worth
//! another attempt; a 5xx answer (an address refused) is not.

use std::time::Duration;

use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// STARTTLS required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on loopback (tests).
    None,
}

/// The SMTP server outgoing mail goes through (`[smtp]`). Its password never
/// appears in logs, errors or events.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender: `Auftragsannahme <auftrag@example.com>`.
    pub from: String,
    pub timeout_seconds: u64,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: String::new(),
            port: 587,
            security: Security::Starttls,
            username: None,
            password: None,
            from: String::new(),
            timeout_seconds: 30,
        }
    }
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// One mail as the outbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// Our Message-ID, with angle brackets: stored before sending, so the thread can go on.
    pub message_id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub in_reply_to: Option<String>,
    /// The whole chain, oldest first.
    pub references: Vec<String>,
    /// Sent by the system, not a person (RFC 3834): `Auto-Submitted: auto-replied`.
    pub auto_reply: bool,
    /// A file beside the text (the confirmation PDF).
    pub attachment: Option<FileAttachment>,
}

/// A file a mail carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAttachment {
    pub name: String,
    /// MIME type (`application/pdf`).
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the mail server could not take the mail now ({0}); trying again later")]
    Retry(String),
    #[error("the mail cannot be sent: {0}")]
    Refused(String),
}

impl SendError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, SendError::Retry(_))
    }
}

/// Whether `text` is a mail address, with or without a name (`Name <a@b.example>`).
pub fn is_address(text: &str) -> bool {
    text.parse::<Mailbox>().is_ok()
}

/// The message as it goes on the wire (for a preview and for sending).
pub fn build(config: &SmtpConfig, mail: &OutgoingMail) -> Result<Message, SendError> {
    let from: Mailbox = config
        .from
        .parse()
        .map_err(|e| SendError::Refused(format!("the sender '{}' is not an address: {e}", config.from)))?;
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|e| SendError::Refused(format!("the recipient '{}' is not an address: {e}", mail.to)))?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(mail.message_id.clone()));
    if let Some(parent) = &mail.in_reply_to {
        builder = builder.in_reply_to(parent.clone());
    }
    if !mail.references.is_empty() {
        // One call with the whole chain: each call replaces the header.
        builder = builder.references(mail.references.join(" "));
    }
    if mail.auto_reply {
        builder = builder.header(AutoSubmitted);
    }
    let built = match &mail.attachment {
        None => builder.header(ContentType::TEXT_PLAIN).body(mail.text.clone()),
        Some(file) => {
            let content_type = ContentType::parse(&file.content_type).map_err(|e| {
                SendError::Refused(format!(
                    "the attachment's type '{}' is not valid: {e}",
                    file.content_type
                ))
            })?;
            builder.multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(mail.text.clone()))
                    .singlepart(Attachment::new(file.name.clone()).body(file.bytes.clone(), content_type)),
            )
        }
    };
    built.map_err(|e| SendError::Refused(format!("the mail cannot be built: {e}")))
}

/// `Auto-Submitted: auto-replied` (RFC 3834), so that other systems do not answer it.
#[derive(Clone)]
struct AutoSubmitted;

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "auto-replied".into())
    }
}

/// A connection (pool) to the SMTP server, kept for many mails.
#[derive(Clone)]
pub struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    config: SmtpConfig,
}

impl Sender {
    pub fn new(config: &SmtpConfig) -> Result<Sender, SendError> {
        Ok(Sender {
            transport: transport(config)?,
            config: config.clone(),
        })
    }

    /// Sends one mail; the server took it when this returns `Ok`.
    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), SendError> {
        let message = build(&self.config, mail)?;
        let where_ = format!("{}:{}", self.config.host, self.config.port);
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Refused(format!("{where_}: {e}"))),
            Err(e) => Err(SendError::Retry(format!("{where_}: {e}"))),
        }
    }
}

fn transport(config: &SmtpConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, SendError> {
    if config.host.trim().is_empty() {
        return Err(SendError::Refused("no SMTP server is set ([smtp] host)".into()));
    }
    let tls = |host: &str| {
        TlsParameters::new(host.to_owned()).map_err(|e| SendError::Refused(format!("TLS for {host}: {e}")))
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
        .port(config.port)
        .timeout(Some(Duration::from_secs(config.timeout_seconds.max(1))));
    builder = match config.security {
        Security::Starttls => builder.tls(Tls::Required(tls(&config.host)?)),
        Security::Tls => builder.tls(Tls::Wrapper(tls(&config.host)?)),
        Security::None => builder.tls(Tls::None),
    };
    if let (Some(user), Some(password)) = (&config.username, &config.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

/// Sends one mail over a connection of its own.
pub async fn send(config: &SmtpConfig, mail: &OutgoingMail) -> Result<(), SendError> {
    Sender::new(config)?.send(mail).await
}

/// Checks that the server answers and takes our login.
pub async fn test(config: &SmtpConfig) -> Result<String, SendError> {
    let ok = transport(config)?
        .test_connection()
        .await
        .map_err(|e| SendError::Retry(format!("{}:{}: {e}", config.host, config.port)))?;
    if ok {
        Ok(format!("{}:{} answers", config.host, config.port))
    } else {
        Err(SendError::Retry(format!(
            "{}:{} did not answer",
            config.host, config.port
        )))
    }
}

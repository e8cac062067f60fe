//! Mail to customers: what to send (an acknowledgement seconds after an
//! order, change, cancellation or RFQ arrives) and the worker that sends the
//! mail outbox over SMTP.
//!
//! An acknowledgement goes out only when it should: to a sender we know as
//! a customer (unless a setting allows unknown senders), not to a customer
//! who asked for none, never in answer to an auto-reply, a bounce or a
//! mailing list (RFC 3834), and at most one per thread and day. It is
//! written in the customer's language (German or English), threaded to the
//! customer's mail (In-Reply-To and the whole References chain), and queued
//! in the transaction that stores the drafted message.

use std::time::Duration;

use futures_util::StreamExt;

use domain::event::Actor;
use domain::message::MessageKind;
use jiff::Timestamp;
use mail::smtp::OutgoingMail;
pub use mail::smtp::{Security, SmtpConfig};
use serde::{Deserialize, Serialize};
use store::Store;
use store::outbound::{MailKind, MailOutcome, NewMail, StoredMail};

/// When acknowledgements go out (`[acknowledgements]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AcknowledgementSettings {
    pub enabled: bool,
    /// Also to senders that are no known customer.
    pub unknown_senders: bool,
    /// Customers (numbers) who want none.
    pub opt_out: Vec<String>,
    /// Signs the mail (`Ihr Auftragsteam`); the sender's name when empty.
    pub signature: String,
    /// The German text, with `{received}`, `{next}`, `{po}` and `{signature}`;
    /// [`DEFAULT_TEXT_DE`] when empty.
    pub text_de: String,
    /// The English text; [`DEFAULT_TEXT_EN`] when empty.
    pub text_en: String,
}

/// The German acknowledgement as shipped.
pub const DEFAULT_TEXT_DE: &str = "Guten Tag,\n\nvielen Dank. {received}. {next}\n\nDies ist eine automatische Eingangsbestätigung.\n\nMit freundlichen Grüßen\n{signature}\n";
/// The English acknowledgement as shipped.
pub const DEFAULT_TEXT_EN: &str = "Hello,\n\nthank you. {received}. {next}\n\nThis is an automatic acknowledgement of receipt.\n\nKind regards\n{signature}\n";

impl Default for AcknowledgementSettings {
    fn default() -> Self {
        AcknowledgementSettings {
            enabled: true,
            unknown_senders: false,
            opt_out: Vec::new(),
            signature: String::new(),
            text_de: String::new(),
            text_en: String::new(),
        }
    }
}

/// What a mail's headers say about answering it (read from the raw message).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Thread {
    pub message_id: Option<String>,
    pub references: Vec<String>,
    pub in_reply_to: Option<String>,
    /// Where an answer goes: Reply-To, else From.
    pub reply_to: Option<String>,
    /// An auto-reply, a bounce or list mail (RFC 3834): never answered automatically.
    pub automatic: Option<String>,
}

impl Thread {
    /// The thread's first Message-ID (its root), for one answer per thread.
    pub fn root(&self) -> Option<&str> {
        self.references
            .first()
            .map(String::as_str)
            .or(self.in_reply_to.as_deref())
            .or(self.message_id.as_deref())
    }
}

/// Reads the headers of a raw mail (at most its first 64 KB).
pub fn thread_of(raw: &[u8]) -> Thread {
    let head = &raw[..raw.len().min(64 * 1024)];
    let Some(message) = mail_parser::MessageParser::new().parse_headers(head) else {
        return Thread::default();
    };
    let bracket = |id: &str| format!("<{}>", id.trim_matches(|c| c == '<' || c == '>'));
    let ids = |v: &mail_parser::HeaderValue| -> Vec<String> {
        match v {
            mail_parser::HeaderValue::Text(t) => vec![bracket(t)],
            mail_parser::HeaderValue::TextList(l) => l.iter().map(|t| bracket(t)).collect(),
            _ => Vec::new(),
        }
    };
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
            .filter(|v| !v.is_empty())
    };
    let address =
        |a: Option<&mail_parser::Address>| a.and_then(|a| a.first()).and_then(|a| a.address()).map(str::to_owned);
    let from = address(message.from());
    let automatic = if let Some(v) = header("Auto-Submitted").filter(|v| v != "no") {
        Some(format!("Auto-Submitted: {v}"))
    } else if let Some(v) =
        header("Precedence").filter(|v| matches!(v.as_str(), "bulk" | "junk" | "list" | "auto_reply"))
    {
        Some(format!("Precedence: {v}"))
    } else if header("X-Autoreply").is_some() || header("X-Autorespond").is_some() {
        Some("an auto-reply (X-Autoreply)".to_owned())
    } else if header("List-Id").is_some() || header("List-Unsubscribe").is_some() {
        Some("mail from a list (List-Id)".to_owned())
    } else if header("Content-Type").is_some_and(|v| v.starts_with("multipart/report")) {
        Some("a delivery report".to_owned())
    } else if from.as_deref().is_none_or(|f| {
        let local = f.split('@').next().unwrap_or("").to_ascii_lowercase();
        matches!(
            local.as_str(),
            "mailer-daemon" | "postmaster" | "noreply" | "no-reply" | "donotreply"
        )
    }) {
        Some("a sender that takes no answers".to_owned())
    } else {
        None
    };
    Thread {
        message_id: message.message_id().map(bracket),
        references: ids(message.references()),
        in_reply_to: ids(message.in_reply_to()).into_iter().next(),
        reply_to: address(message.reply_to()).or(from),
        automatic,
    }
}

/// The customer as the draft knows them, for the acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressee {
    pub customer_no: Option<String>,
    /// `de` or `en`.
    pub language: Option<String>,
    pub po_number: Option<String>,
}

/// A message as it was taken in and classified.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    pub message_id: i64,
    pub kind: MessageKind,
    pub subject: Option<&'a str>,
    pub thread: &'a Thread,
}

/// Why no acknowledgement goes out, or the mail that does.
pub fn acknowledgement(
    settings: &AcknowledgementSettings,
    smtp: &SmtpConfig,
    received: Received<'_>,
    addressee: &Addressee,
    today: jiff::civil::Date,
) -> Result<NewMail, &'static str> {
    let Received {
        message_id,
        kind,
        subject,
        thread,
    } = received;
    if !settings.enabled || smtp.host.trim().is_empty() {
        return Err("acknowledgements are off or no SMTP server is set");
    }
    if !matches!(
        kind,
        MessageKind::Order | MessageKind::OrderChange | MessageKind::Cancellation | MessageKind::Rfq
    ) {
        return Err("only orders, changes, cancellations and RFQs are acknowledged");
    }
    if thread.automatic.is_some() {
        return Err("an automatic mail is never answered automatically");
    }
    let Some(to) = thread.reply_to.clone() else {
        return Err("the mail names no sender");
    };
    match &addressee.customer_no {
        None if !settings.unknown_senders => return Err("the sender is no known customer"),
        Some(c) if settings.opt_out.iter().any(|o| o == c) => return Err("the customer wants no acknowledgements"),
        _ => {}
    }
    let german = language_for(addressee.language.as_deref(), &to) == "de";
    let root = thread
        .root()
        .map(str::to_owned)
        .unwrap_or_else(|| format!("message-{message_id}"));
    let domain = sender_domain(smtp);
    let mut references = thread.references.clone();
    if let Some(id) = &thread.message_id
        && !references.contains(id)
    {
        references.push(id.clone());
    }
    let subject = subject.unwrap_or("").trim();
    let subject = if subject.is_empty() {
        if german { "Ihre Nachricht" } else { "Your message" }.to_owned()
    } else if subject.to_ascii_lowercase().starts_with("re:") || subject.to_ascii_lowercase().starts_with("aw:") {
        subject.to_owned()
    } else {
        format!("{} {subject}", if german { "AW:" } else { "Re:" })
    };
    let signature = signature(settings, smtp);
    Ok(NewMail {
        kind: MailKind::Acknowledgement,
        message_id: Some(message_id),
        order_id: None,
        dedupe_key: format!("acknowledgement:{root}:{today}"),
        language: if german { "de" } else { "en" }.into(),
        to,
        subject,
        body: acknowledgement_text(
            kind,
            addressee.po_number.as_deref(),
            german,
            &signature,
            if german { &settings.text_de } else { &settings.text_en },
        ),
        mail_message_id: format!("<ack-{message_id}-{:016x}@{domain}>", fastrand::u64(..)),
        in_reply_to: thread.message_id.clone(),
        references,
        attachment: None,
    })
}

/// `de` or `en` for a customer: their language, else the country of their
/// address's domain (German-speaking ones are `de`).
pub fn language_for(customer_language: Option<&str>, to: &str) -> &'static str {
    let german = match customer_language {
        Some(l) => l.trim().eq_ignore_ascii_case("de"),
        None => to
            .trim_end_matches('>')
            .rsplit('.')
            .next()
            .is_some_and(|tld| matches!(tld.to_ascii_lowercase().as_str(), "de" | "at" | "ch" | "li")),
    };
    if german { "de" } else { "en" }
}

/// The domain of our sender address, for our Message-IDs.
pub fn sender_domain(smtp: &SmtpConfig) -> &str {
    smtp.from
        .rsplit('@')
        .next()
        .map(|d| d.trim_end_matches('>').trim())
        .filter(|d| !d.is_empty())
        .unwrap_or("orderdesk.invalid")
}

/// The display name of our sender (`Auftragsannahme Muster`).
pub fn sender_name(smtp: &SmtpConfig) -> String {
    smtp.from
        .split('<')
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches('"')
        .to_owned()
}

/// How acknowledgements are signed: the setting, else the sender's display name.
pub fn signature(settings: &AcknowledgementSettings, smtp: &SmtpConfig) -> String {
    if settings.signature.trim().is_empty() {
        sender_name(smtp)
    } else {
        settings.signature.trim().to_owned()
    }
}

/// `template` with each `{key}` filled in one pass, so that a value holding
/// a key is not filled again; unknown braces stay as written.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 200);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        match values.iter().find(|(key, _)| after.starts_with(key)) {
            Some((key, value)) => {
                out.push_str(value);
                rest = &after[key.len()..];
            }
            None => {
                out.push('{');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The acknowledgement's text from `template` (the shipped one when empty).
pub fn acknowledgement_text(
    kind: MessageKind,
    po: Option<&str>,
    german: bool,
    signature: &str,
    template: &str,
) -> String {
    let po = po.map(str::trim).filter(|p| !p.is_empty());
    let what = match (german, kind, po) {
        (true, MessageKind::Order, Some(p)) => format!("Ihre Bestellung {p} ist bei uns eingegangen"),
        (true, MessageKind::Order, None) => "Ihre Bestellung ist bei uns eingegangen".to_owned(),
        (true, MessageKind::OrderChange, Some(p)) => {
            format!("Ihre Änderung zur Bestellung {p} ist bei uns eingegangen")
        }
        (true, MessageKind::OrderChange, None) => "Ihre Änderung ist bei uns eingegangen".to_owned(),
        (true, MessageKind::Cancellation, Some(p)) => {
            format!("Ihre Stornierung der Bestellung {p} ist bei uns eingegangen")
        }
        (true, MessageKind::Cancellation, None) => "Ihre Stornierung ist bei uns eingegangen".to_owned(),
        (true, _, Some(p)) => format!("Ihre Anfrage {p} ist bei uns eingegangen"),
        (true, _, None) => "Ihre Anfrage ist bei uns eingegangen".to_owned(),
        (false, MessageKind::Order, Some(p)) => format!("We have received your order {p}"),
        (false, MessageKind::Order, None) => "We have received your order".to_owned(),
        (false, MessageKind::OrderChange, Some(p)) => format!("We have received your change to order {p}"),
        (false, MessageKind::OrderChange, None) => "We have received your order change".to_owned(),
        (false, MessageKind::Cancellation, Some(p)) => format!("We have received your cancellation of order {p}"),
        (false, MessageKind::Cancellation, None) => "We have received your cancellation".to_owned(),
        (false, _, Some(p)) => format!("We have received your request for quotation {p}"),
        (false, _, None) => "We have received your request for quotation".to_owned(),
    };
    let next = match (german, kind) {
        (true, MessageKind::Rfq) => "Ihr Angebot erhalten Sie in Kürze.",
        (true, _) => "Wir bearbeiten sie und senden Ihnen in Kürze unsere Bestätigung.",
        (false, MessageKind::Rfq) => "You will receive our quotation shortly.",
        (false, _) => "We are processing it and will send you our confirmation shortly.",
    };
    let template = match template.trim() {
        "" if german => DEFAULT_TEXT_DE,
        "" => DEFAULT_TEXT_EN,
        _ => template,
    };
    fill(
        template,
        &[
            ("{received}", what.as_str()),
            ("{next}", next),
            ("{po}", po.unwrap_or("")),
            ("{signature}", signature),
        ],
    )
}

/// The wait before attempt `attempts + 1`: 30 s doubled per attempt, at most 1 h.
pub fn backoff(attempts: i64) -> Duration {
    Duration::from_secs(30u64.saturating_mul(1u64 << attempts.clamp(0, 20)).min(3600))
}

/// How many attempts before a mail waits for a person.
pub const MAX_ATTEMPTS: i64 = 8;

/// What one round of sending did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SendReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Mails sent at once: the SMTP server takes several connections.
const PARALLEL: usize = 8;

/// What the outbox sends with: the SMTP server, and what confirmations are made from.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    pub smtp: SmtpConfig,
    pub letter: crate::confirmation::Letter,
}

impl From<SmtpConfig> for Outbox {
    fn from(smtp: SmtpConfig) -> Outbox {
        Outbox {
            smtp,
            letter: crate::confirmation::Letter::default(),
        }
    }
}

/// Sends the mails due at `now`, several at a time over pooled connections.
pub async fn send_due(
    store: &Store,
    outbox: &Outbox,
    now: Timestamp,
    limit: i64,
) -> Result<SendReport, store::StoreError> {
    let mut report = SendReport::default();
    let due = store.due_mails(now, limit).await?;
    if due.is_empty() {
        return Ok(report);
    }
    let sender = mail::smtp::Sender::new(&outbox.smtp);
    let outcomes = futures_util::stream::iter(due)
        .map(|mail| {
            let sender = sender.as_ref().map_err(|e| e.to_string());
            async move {
                if !store.claim_mail(mail.id).await? {
                    return Ok::<_, store::StoreError>(None);
                }
                let sent = match sender {
                    Ok(sender) => send_one(store, sender, &mail, outbox).await,
                    Err(e) => Err(mail::smtp::SendError::Refused(e)),
                };
                let outcome = match sent {
                    Ok(()) => MailOutcome::Sent,
                    Err(e) if e.is_retryable() && mail.attempts + 1 < MAX_ATTEMPTS => MailOutcome::Retry {
                        error: e.to_string(),
                        next_attempt_at: now + backoff(mail.attempts),
                    },
                    Err(e) => MailOutcome::Failed { error: e.to_string() },
                };
                store
                    .record_mail_attempt(&mail, &outcome, &Actor::System("outbox".into()), Timestamp::now())
                    .await?;
                Ok(Some(outcome))
            }
        })
        .buffer_unordered(PARALLEL)
        .collect::<Vec<_>>()
        .await;
    for outcome in outcomes {
        match outcome? {
            Some(MailOutcome::Sent) => report.sent += 1,
            Some(MailOutcome::Retry { .. }) => report.retrying += 1,
            Some(MailOutcome::Failed { .. }) => report.failed += 1,
            None => {}
        }
    }
    Ok(report)
}

/// Makes what is made at sending (a confirmation's text and PDF), then sends.
async fn send_one(
    store: &Store,
    sender: &mail::smtp::Sender,
    mail: &StoredMail,
    outbox: &Outbox,
) -> Result<(), mail::smtp::SendError> {
    use crate::confirmation::ConfirmationError;
    use mail::smtp::SendError;
    let prepared;
    let made_when_sent = matches!(mail.mail.kind, MailKind::Confirmation | MailKind::OrderResponse);
    let mail = if made_when_sent && mail.mail.attachment.is_none() {
        prepared = crate::confirmation::prepare(store, mail, &outbox.letter, &outbox.smtp)
            .await
            .map_err(|e| match e {
                ConfirmationError::Store(_) | ConfirmationError::Blob(_) => SendError::Retry(e.to_string()),
                _ => SendError::Refused(e.to_string()),
            })?;
        &prepared
    } else {
        mail
    };
    let file = match &mail.mail.attachment {
        None => None,
        Some(a) => {
            let blobs = store.blobs().clone();
            let sha = a.sha256.clone();
            let bytes = tokio::task::spawn_blocking(move || blobs.get(&sha))
                .await
                .map_err(|e| SendError::Retry(e.to_string()))?
                .map_err(|e| SendError::Retry(format!("the attachment {} cannot be read: {e}", a.name)))?;
            Some(mail::smtp::FileAttachment {
                name: a.name.clone(),
                content_type: a.content_type.clone(),
                bytes,
            })
        }
    };
    if let crate::order_response::Channel::Folder(dir) = crate::order_response::Channel::of(&mail.mail.to) {
        // A partner who takes order responses from a folder gets the file there, not a mail.
        let file = file.ok_or_else(|| SendError::Refused("the order response has no file".into()))?;
        let written = tokio::task::spawn_blocking(move || {
            crate::order_response::write_to_folder(&dir, &file.name, &file.bytes)
                .map_err(|e| format!("writing {} into {}: {e}", file.name, dir.display()))
        })
        .await
        .map_err(|e| SendError::Retry(e.to_string()))?;
        return written.map(|_| ()).map_err(SendError::Retry);
    }
    let started = std::time::Instant::now();
    sender.send(&outgoing(mail, file)).await?;
    crate::metrics::latencies()
        .sending
        .observe(started.elapsed().as_secs_f64());
    observe_first_answer(store, mail).await;
    Ok(())
}

/// The first mail sent about a message: its time since receipt.
async fn observe_first_answer(store: &Store, mail: &StoredMail) {
    let Some(message_id) = mail.mail.message_id else { return };
    let earlier = match store.mails_of_message(message_id).await {
        Ok(mails) => mails
            .iter()
            .any(|m| m.id != mail.id && m.status == store::outbound::MailStatus::Sent),
        Err(_) => return,
    };
    if !earlier && let Ok(Some(message)) = store.message(message_id).await {
        crate::metrics::latencies()
            .first_answer
            .observe(crate::metrics::seconds_since(message.received_at));
    }
}

/// Checks that the SMTP server answers and takes the login.
pub async fn test_smtp(smtp: &SmtpConfig) -> Result<String, mail::smtp::SendError> {
    mail::smtp::test(smtp).await
}

/// The mail as SMTP sends it.
pub fn outgoing(mail: &StoredMail, attachment: Option<mail::smtp::FileAttachment>) -> OutgoingMail {
    OutgoingMail {
        message_id: mail.mail.mail_message_id.clone(),
        to: mail.mail.to.clone(),
        subject: mail.mail.subject.clone(),
        text: mail.mail.body.clone(),
        in_reply_to: mail.mail.in_reply_to.clone(),
        references: mail.mail.references.clone(),
        auto_reply: true,
        attachment,
    }
}

/// Sends the outbox every two seconds for as long as `serve` runs, through
/// the SMTP server and with the letterhead in force (set in orderdesk.toml
/// or the web UI); first takes back what a process that died left mid-send.
pub async fn run_outbox(store: Store, configured: Outbox) {
    match store.release_sending().await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(mails = n, "mails left mid-send by the last run go again"),
        Err(e) => tracing::error!(error = %e, "the mail outbox could not be read"),
    }
    loop {
        let outbox = match crate::settings::outbox(&store, &configured).await {
            Ok(outbox) => outbox,
            Err(e) => {
                tracing::error!(error = %e, "reading the mail settings failed");
                configured.clone()
            }
        };
        if outbox.smtp.host.trim().is_empty() {
            tokio::time::sleep(Duration::from_secs(2)).await;
            continue;
        }
        match send_due(&store, &outbox, Timestamp::now(), 50).await {
            Ok(r) if r.sent + r.retrying + r.failed > 0 => {
                tracing::info!(sent = r.sent, retrying = r.retrying, failed = r.failed, "mail sent");
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "sending mail failed"),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp() -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            from: "Auftragsannahme Muster <auftrag@lieferant.example>".into(),
            ..SmtpConfig::default()
        }
    }

    fn known(language: &str) -> Addressee {
        Addressee {
            customer_no: Some("10042".into()),
            language: Some(language.into()),
            po_number: Some("4500012345".into()),
        }
    }

    const MAIL: &[u8] = b"From: Einkauf <einkauf@kunde.example>\r\nMessage-ID: <m2@kunde.example>\r\nIn-Reply-To: <m1@kunde.example>\r\nReferences: <m0@kunde.example> <m1@kunde.example>\r\nSubject: Bestellung\r\n\r\nBody";

    #[test]
    fn an_acknowledgement_answers_in_the_thread_and_the_customers_language() {
        let thread = thread_of(MAIL);
        assert_eq!(thread.root(), Some("<m0@kunde.example>"));
        let today = jiff::civil::date(2026, 11, 30);
        let received = |kind, subject| Received {
            message_id: 7,
            kind,
            subject,
            thread: &thread,
        };
        let ack = acknowledgement(
            &AcknowledgementSettings::default(),
            &smtp(),
            received(MessageKind::Order, Some("Bestellung")),
            &known("de"),
            today,
        )
        .unwrap();
        assert_eq!(ack.to, "einkauf@kunde.example");
        assert_eq!(ack.subject, "AW: Bestellung");
        assert_eq!(ack.in_reply_to.as_deref(), Some("<m2@kunde.example>"));
        assert_eq!(
            ack.references,
            ["<m0@kunde.example>", "<m1@kunde.example>", "<m2@kunde.example>"]
        );
        assert!(
            ack.body.contains("Ihre Bestellung 4500012345 ist bei uns eingegangen"),
            "{}",
            ack.body
        );
        assert!(ack.body.ends_with("Auftragsannahme Muster\n"));
        assert_eq!(ack.dedupe_key, "acknowledgement:<m0@kunde.example>:2026-11-30");
        assert!(ack.mail_message_id.ends_with("@lieferant.example>"));
        let english = acknowledgement(
            &AcknowledgementSettings::default(),
            &smtp(),
            received(MessageKind::Rfq, None),
            &known("en"),
            today,
        )
        .unwrap();
        assert!(english.body.contains("request for quotation 4500012345") && english.subject == "Your message");
    }

    #[test]
    fn an_administrators_text_is_filled_once_and_the_shipped_one_stands_in_for_an_empty_one() {
        let custom = acknowledgement_text(
            MessageKind::Order,
            Some("{po}"),
            true,
            "Team Nord",
            "Hallo, {received} (Ref. {po}). {unknown} Gruß {signature}",
        );
        assert_eq!(
            custom,
            "Hallo, Ihre Bestellung {po} ist bei uns eingegangen (Ref. {po}). {unknown} Gruß Team Nord"
        );
        let shipped = acknowledgement_text(MessageKind::Cancellation, Some("88"), false, "Sales", "  ");
        assert!(
            shipped.starts_with("Hello,\n\nthank you. We have received your cancellation of order 88."),
            "{shipped}"
        );
    }

    #[test]
    fn hostile_headers_give_a_thread_never_a_panic() {
        // Only the first 64 KB are read, whatever follows.
        let mut huge = b"From: a@kunde.example\r\nReferences: ".to_vec();
        huge.extend(std::iter::repeat_n(b"<x@y> ".as_slice(), 2_000_000).flatten());
        let thread = thread_of(&huge);
        assert!(thread.references.len() < 12_000, "{}", thread.references.len());
        for raw in [
            b"".as_slice(),
            b"\xff\xfe\x00garbage\r\n\r\n",
            b"From: \r\nMessage-ID: <<<>>>\r\nIn-Reply-To:\r\n\r\n",
            b"Subject: =?utf-8?B?////?=\r\nFrom: =?x?Q?\xff?= <>\r\n\r\n",
        ] {
            // Nobody usable to answer: none of these has a sender address.
            assert_eq!(thread_of(raw).reply_to, None, "{raw:?}");
        }
        let mut seeded = fastrand::Rng::with_seed(7);
        for _ in 0..2_000 {
            let len = seeded.usize(0..512);
            let bytes: Vec<u8> = (0..len).map(|_| seeded.u8(..)).collect();
            let _ = thread_of(&bytes).root();
        }
        // Without a usable sender there is nobody to acknowledge.
        assert_eq!(thread_of(b"Subject: x\r\n\r\n").reply_to, None);
    }

    #[test]
    fn no_acknowledgement_for_automatic_mail_strangers_opt_outs_or_other_kinds() {
        let today = jiff::civil::date(2026, 11, 30);
        let settings = AcknowledgementSettings::default();
        let ack = |raw: &[u8], kind, who: &Addressee, s: &AcknowledgementSettings| {
            let thread = thread_of(raw);
            let received = Received {
                message_id: 1,
                kind,
                subject: None,
                thread: &thread,
            };
            acknowledgement(s, &smtp(), received, who, today)
        };
        let auto = b"From: a@kunde.example\r\nAuto-Submitted: auto-replied\r\n\r\nOut of office";
        assert!(ack(auto, MessageKind::Order, &known("de"), &settings).is_err());
        let bulk = b"From: a@kunde.example\r\nPrecedence: bulk\r\n\r\nx";
        assert!(ack(bulk, MessageKind::Order, &known("de"), &settings).is_err());
        let bounce = b"From: MAILER-DAEMON@kunde.example\r\n\r\nx";
        assert!(ack(bounce, MessageKind::Order, &known("de"), &settings).is_err());
        let plain = b"From: a@kunde.example\r\nAuto-Submitted: no\r\n\r\nx";
        assert!(ack(plain, MessageKind::Order, &known("de"), &settings).is_ok());
        assert!(ack(plain, MessageKind::Other, &known("de"), &settings).is_err());
        let stranger = Addressee {
            customer_no: None,
            language: None,
            po_number: None,
        };
        assert!(ack(plain, MessageKind::Order, &stranger, &settings).is_err());
        let open = AcknowledgementSettings {
            unknown_senders: true,
            ..settings.clone()
        };
        assert!(ack(plain, MessageKind::Order, &stranger, &open).is_ok());
        let opted_out = AcknowledgementSettings {
            opt_out: vec!["10042".into()],
            ..settings
        };
        assert!(ack(plain, MessageKind::Order, &known("de"), &opted_out).is_err());
    }
}

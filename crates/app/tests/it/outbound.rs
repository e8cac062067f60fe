//! Acknowledgements through the mail outbox and a real SMTP server (a
//! throwaway Postfix that scripts/test starts): queued with the drafted
//! message, sent once, threaded, in the customer's language; none for an
//! auto-reply or a second mail of the thread that day; a send cut off
//! mid-way goes again once.

use std::path::PathBuf;
use std::time::Duration;

use app::intake::{Pipeline, drain, receive};
use app::outbound::send_due;
use mail::smtp::{Security, SmtpConfig};
use store::outbound::MailStatus;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::drafting::master;

/// The test SMTP server and its Maildir, or `None` outside scripts/test (a failure under CI=true).
pub fn smtp_server() -> Option<(u16, PathBuf)> {
    match (
        std::env::var("ORDERDESK_TEST_SMTP_PORT"),
        std::env::var("ORDERDESK_TEST_SMTP_DIR"),
    ) {
        (Ok(port), Ok(dir)) => Some((port.parse().expect("a port"), PathBuf::from(dir).join("mail/Maildir"))),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "ORDERDESK_TEST_SMTP_PORT is not set: run the tests with scripts/test"
            );
            eprintln!("note: ORDERDESK_TEST_SMTP_PORT is not set; SMTP tests are skipped (scripts/test sets it)");
            None
        }
    }
}

pub fn smtp(port: u16) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        from: "Auftragsannahme Muster <auftrag@lieferant.example>".into(),
        ..SmtpConfig::default()
    }
}

/// Acknowledgements only: confirmations are off, so a straight-through
/// order is acknowledged like any other (confirmation.rs has them on).
fn pipeline(smtp: SmtpConfig) -> Pipeline {
    let mut outbox = app::outbound::Outbox::from(smtp);
    outbox.letter.confirmations.enabled = false;
    Pipeline {
        outbox,
        ..Pipeline::default()
    }
}

/// An order mail from the known customer, in a thread of its own (`tag` makes its ids unique).
fn order_mail(tag: &str, extra_headers: &str, references: &str) -> Vec<u8> {
    format!(
        "From: Einkauf <einkauf@muster.example>\r\nTo: auftrag@lieferant.example\r\nSubject: Bestellung {tag}\r\n\
         Date: Fri, 20 Nov 2026 09:30:00 +0100\r\nMessage-ID: <{tag}@muster.example>\r\n{references}{extra_headers}\
         Content-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag,\r\n\r\nBestellnummer: PO-{tag}\r\n\r\n\
         Pos  Artikel-Nr.  Bezeichnung              Menge  ME   Einzelpreis\r\n\
         1    A-100        Sechskantschraube M8x40  500    Stk  0,12\r\n\r\nMit freundlichen Gruessen\r\nMax Muster\r\n"
    )
    .into_bytes()
}

/// The delivered mails that answer `message_id`, waiting up to 10 s for the first.
pub async fn delivered_answering(maildir: &std::path::Path, message_id: &str, at_least: usize) -> Vec<String> {
    delivered_with(maildir, &format!("In-Reply-To: {message_id}"), at_least).await
}

/// The delivered mails holding `text` (a header line, say), waiting up to 10 s for `at_least`.
pub async fn delivered_with(maildir: &std::path::Path, text: &str, at_least: usize) -> Vec<String> {
    let mut found = Vec::new();
    for _ in 0..100 {
        found = std::fs::read_dir(maildir.join("new"))
            .map(|d| {
                d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                    .filter(|m| m.contains(text))
                    .collect()
            })
            .unwrap_or_default();
        if found.len() >= at_least {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    found
}

#[tokio::test]
async fn an_order_is_acknowledged_once_in_its_thread_and_in_german() {
    let Some((port, maildir)) = smtp_server() else { return };
    let t = tooling::testing::fresh_sqlite().await;
    let s = &t.store;
    master(s).await;
    let tag = format!("ack-{}", fastrand::u64(..));
    let references = "References: <earlier@muster.example>\r\nIn-Reply-To: <earlier@muster.example>\r\n";
    let received = receive(s, "upload", None, &order_mail(&tag, "", references))
        .await
        .unwrap();
    drain(s, &pipeline(smtp(port))).await.unwrap();
    let queued = s.mails_of_message(received.id).await.unwrap();
    assert_eq!(queued.len(), 1, "queued with the drafted message");
    assert_eq!(queued[0].status, MailStatus::Pending);

    let report = send_due(s, &app::outbound::Outbox::from(smtp(port)), jiff::Timestamp::now(), 10)
        .await
        .unwrap();
    assert_eq!((report.sent, report.failed), (1, 0));
    let inbound_id = format!("<{tag}@muster.example>");
    let delivered = delivered_answering(&maildir, &inbound_id, 1).await;
    assert_eq!(delivered.len(), 1, "one acknowledgement");
    let raw = delivered[0].as_bytes();
    let mail = mail_parser::MessageParser::new().parse(raw).unwrap();
    assert_eq!(
        mail.to().and_then(|a| a.first()).and_then(|a| a.address()),
        Some("einkauf@muster.example")
    );
    assert_eq!(mail.subject(), Some(format!("AW: Bestellung {tag}").as_str()));
    assert_eq!(mail.header_raw("Auto-Submitted").map(str::trim), Some("auto-replied"));
    let references: Vec<&str> = match mail.references() {
        mail_parser::HeaderValue::TextList(l) => l.iter().map(|r| r.as_ref()).collect(),
        mail_parser::HeaderValue::Text(t) => vec![t.as_ref()],
        _ => Vec::new(),
    };
    assert_eq!(
        references,
        ["earlier@muster.example", format!("{tag}@muster.example").as_str()]
    );
    let body = mail.body_text(0).unwrap();
    assert!(
        body.contains(&format!("Ihre Bestellung PO-{tag} ist bei uns eingegangen")) && body.contains("Grüßen"),
        "{body}"
    );
    let sent = &s.mails_of_message(received.id).await.unwrap()[0];
    assert_eq!(sent.status, MailStatus::Sent);
    assert_eq!(
        mail.message_id().map(|m| format!("<{m}>")).as_deref(),
        Some(sent.mail.mail_message_id.as_str()),
        "our Message-ID is stored for the thread"
    );
    let actions: Vec<String> = s
        .events_for("message", &received.id.to_string())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.ends_with(&["processed".into(), "mail_queued".into(), "mail_sent".into()]),
        "{actions:?}"
    );

    // A second mail of the same thread today, and an auto-reply: no acknowledgement.
    let again = format!("{tag}-2");
    let same_thread = format!("References: <earlier@muster.example>\r\nIn-Reply-To: <{tag}@muster.example>\r\n");
    let second = receive(s, "upload", None, &order_mail(&again, "", &same_thread))
        .await
        .unwrap();
    let auto = format!("{tag}-auto");
    let out_of_office = receive(
        s,
        "upload",
        None,
        &order_mail(&auto, "Auto-Submitted: auto-replied\r\n", ""),
    )
    .await
    .unwrap();
    drain(s, &pipeline(smtp(port))).await.unwrap();
    assert!(
        s.mails_of_message(second.id).await.unwrap().is_empty(),
        "one per thread and day"
    );
    assert!(
        s.mails_of_message(out_of_office.id).await.unwrap().is_empty(),
        "never to an auto-reply"
    );
    assert_eq!(
        send_due(s, &app::outbound::Outbox::from(smtp(port)), jiff::Timestamp::now(), 10)
            .await
            .unwrap()
            .sent,
        0
    );
}

/// A loopback proxy to the SMTP server that holds back the end of the
/// mail's data (so the server never takes it) and reports when it does.
async fn stalling_proxy(upstream: u16, stalled: tokio::sync::mpsc::UnboundedSender<()>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let stalled = stalled.clone();
            tokio::spawn(async move {
                let server = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await.unwrap();
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                });
                let mut seen = Vec::new();
                let mut buffer = [0u8; 4096];
                loop {
                    let Ok(n) = client_read.read(&mut buffer).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buffer[..n]);
                    if seen.windows(5).any(|w| w == b"\r\n.\r\n") {
                        // The end of the data: held back for good.
                        let _ = stalled.send(());
                        std::future::pending::<()>().await;
                    }
                    if server_write.write_all(&buffer[..n]).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

#[tokio::test]
async fn a_send_cut_off_mid_way_goes_again_once_after_a_restart() {
    let Some((port, maildir)) = smtp_server() else { return };
    let t = tooling::testing::fresh_sqlite().await;
    let s = &t.store;
    master(s).await;
    let tag = format!("cut-{}", fastrand::u64(..));
    let received = receive(s, "upload", None, &order_mail(&tag, "", "")).await.unwrap();
    drain(s, &pipeline(smtp(port))).await.unwrap();
    assert_eq!(s.mails_of_message(received.id).await.unwrap().len(), 1);

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let proxy = stalling_proxy(port, tx).await;
    let store = s.clone();
    let sending = tokio::spawn(async move {
        send_due(
            &store,
            &app::outbound::Outbox::from(smtp(proxy)),
            jiff::Timestamp::now(),
            10,
        )
        .await
    });
    rx.recv().await.unwrap();
    // The process dies with the mail's data all but sent.
    sending.abort();
    let _ = sending.await;
    assert_eq!(
        s.mails_of_message(received.id).await.unwrap()[0].status,
        MailStatus::Sending
    );
    let inbound_id = format!("<{tag}@muster.example>");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        delivered_answering(&maildir, &inbound_id, 0).await.is_empty(),
        "the server did not take it"
    );

    // The next start takes it back and sends it once.
    assert_eq!(s.release_sending().await.unwrap(), 1);
    assert_eq!(
        send_due(s, &app::outbound::Outbox::from(smtp(port)), jiff::Timestamp::now(), 10)
            .await
            .unwrap()
            .sent,
        1
    );
    assert_eq!(
        send_due(s, &app::outbound::Outbox::from(smtp(port)), jiff::Timestamp::now(), 10)
            .await
            .unwrap()
            .sent,
        0
    );
    let delivered = delivered_answering(&maildir, &inbound_id, 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        delivered_answering(&maildir, &inbound_id, 1).await.len(),
        1,
        "exactly one"
    );
    assert_eq!(delivered.len(), 1);
}

//! Status inquiries against a real SMTP server: a certain order is answered
//! at once in the customer's thread; an unknown one waits with the answer
//! drafted, and a clerk's edited reply goes out and closes it.

use app::intake::{Pipeline, drain, receive};
use app::outbound::{Outbox, send_due};
use domain::message::MessageKind;
use domain::review::DraftStatus;
use store::outbound::MailKind;

use crate::drafting::{master, order_mail};
use crate::outbound::{delivered_answering, smtp, smtp_server};

fn inquiry_mail(tag: &str, text: &str) -> Vec<u8> {
    format!(
        "From: Einkauf <einkauf@muster.example>\r\nTo: auftrag@lieferant.example\r\nSubject: Liefertermin?\r\n\
         Date: Mon, 30 Nov 2026 08:10:00 +0100\r\nMessage-ID: <{tag}@muster.example>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag,\r\n\r\n{text}\r\n\r\nMit freundlichen Gruessen\r\nMax Muster\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn an_inquiry_about_a_known_order_is_answered_at_once_and_an_unknown_one_by_a_clerk() {
    let Some((port, maildir)) = smtp_server() else { return };
    let t = tooling::testing::fresh_sqlite().await;
    let s = &t.store;
    master(s).await;
    let mut outbox = Outbox::from(smtp(port));
    // Only the answers are looked at here.
    outbox.letter.confirmations.enabled = false;
    outbox.letter.confirmations.signature = "Ihr Auftragsteam".into();
    let pipeline = Pipeline {
        outbox: outbox.clone(),
        ..Pipeline::default()
    };
    let po = format!("45{}", fastrand::u32(10_000_000..99_999_999));
    let lines = "1    A-100        Sechskantschraube M8x40  500    Stk  0,12\r\n";
    receive(
        s,
        "upload",
        None,
        &order_mail(&format!("o{po}"), "Bestellnummer", &po, lines),
    )
    .await
    .unwrap();
    drain(s, &pipeline).await.unwrap();
    let order = s.orders(Some("10042"), None, 10).await.unwrap().remove(0);
    assert_eq!(order.po_number.as_deref(), Some(po.as_str()));

    let tag = format!("q{po}");
    let asked = receive(
        s,
        "upload",
        None,
        &inquiry_mail(
            &tag,
            &format!("wo bleibt unsere Bestellung {po}? Wir warten dringend darauf."),
        ),
    )
    .await
    .unwrap();
    drain(s, &pipeline).await.unwrap();
    let d = s.draft_of_message(asked.id).await.unwrap().unwrap();
    assert_eq!(d.kind, MessageKind::Inquiry, "{}", d.extraction);
    assert_eq!(d.status, DraftStatus::Done, "{}", d.extraction);
    assert!(
        d.status_reason
            .as_deref()
            .unwrap_or("")
            .starts_with("answered automatically")
    );
    let queued = s.mails_of_message(asked.id).await.unwrap();
    assert_eq!(
        queued.iter().map(|m| m.mail.kind).collect::<Vec<_>>(),
        [MailKind::StatusAnswer]
    );
    assert_eq!(
        queued[0].mail.order_id,
        Some(order.id),
        "the answer is on the order's timeline too"
    );
    send_due(s, &outbox, jiff::Timestamp::now(), 10).await.unwrap();
    let answers = delivered_answering(&maildir, &format!("<{tag}@muster.example>"), 1).await;
    assert_eq!(answers.len(), 1);
    let mail = mail_parser::MessageParser::new().parse(answers[0].as_bytes()).unwrap();
    let body = mail.body_text(0).unwrap();
    assert!(
        body.contains(&format!(
            "Ihre Bestellung {po} (unser Auftrag AB-{}) ist bestätigt und in Bearbeitung",
            order.id
        )),
        "{body}"
    );
    assert!(
        body.contains("Offen sind:") && body.contains("500 Stk A-100") && body.contains("Ihr Auftragsteam"),
        "{body}"
    );

    // An order nobody here knows: drafted for a person, who edits and sends it.
    let tag = format!("u{po}");
    let unknown = receive(
        s,
        "upload",
        None,
        &inquiry_mail(&tag, "Wo bleibt unsere Bestellung 4599999999?"),
    )
    .await
    .unwrap();
    drain(s, &pipeline).await.unwrap();
    let d = s.draft_of_message(unknown.id).await.unwrap().unwrap();
    assert_eq!(d.status, DraftStatus::Review);
    let drafted = app::draft::Draft::from_json(&d.extraction).unwrap();
    let reply = drafted.reply.clone().unwrap_or_default();
    assert!(
        reply.contains("Zu Ihrer Bestellung 4599999999 finden wir keinen Auftrag"),
        "{reply}"
    );
    assert!(
        s.mails_of_message(unknown.id).await.unwrap().is_empty(),
        "nothing goes without a person"
    );
    let edited = reply.replace("Können Sie", "Könnten Sie");
    let stale = app::inquiry::send_reply(s, &outbox, d.id, d.version + 1, &edited, "clara").await;
    assert!(
        matches!(stale, Err(app::inquiry::ReplyError::Conflict(..))),
        "{stale:?}"
    );
    app::inquiry::send_reply(s, &outbox, d.id, d.version, &edited, "clara")
        .await
        .unwrap();
    let d = s.draft(d.id).await.unwrap().unwrap();
    assert_eq!(
        (d.status, d.status_reason.as_deref()),
        (DraftStatus::Done, Some("answered by clara"))
    );
    send_due(s, &outbox, jiff::Timestamp::now(), 10).await.unwrap();
    let answers = delivered_answering(&maildir, &format!("<{tag}@muster.example>"), 1).await;
    assert_eq!(answers.len(), 1);
    assert!(
        answers[0].contains("K=C3=B6nnten Sie") || answers[0].contains("Könnten Sie"),
        "{}",
        answers[0]
    );
    let actions: Vec<String> = s
        .events_for("draft", &d.id.to_string())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"answered".to_owned()), "{actions:?}");
}

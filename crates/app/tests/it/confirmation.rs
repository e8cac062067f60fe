//! Order confirmations through the outbox and a real SMTP server: queued
//! with the order (straight through or by a clerk), sent once with the PDF,
//! threaded to the customer's order mail; what a clerk corrected is marked
//! against what was ordered; an amendment sends an amended confirmation in
//! the same thread.

use app::draft::{Correction, LineField};
use app::intake::{Pipeline, drain, receive};
use app::outbound::{Outbox, send_due};
use domain::order::AmendmentReason;
use domain::review::DraftStatus;
use mail_parser::MimeHeaders;
use store::outbound::{MailKind, MailStatus};

use crate::drafting::{master, order_mail};
use crate::outbound::{delivered_answering, smtp, smtp_server};

fn outbox(port: u16) -> Outbox {
    let mut outbox = Outbox::from(smtp(port));
    outbox.letter.company = app::confirmation::CompanySettings {
        name: "Schrauben Müller GmbH".into(),
        street: "Industriestraße 7".into(),
        zip: "70565".into(),
        city: "Stuttgart".into(),
        country: "Deutschland".into(),
        iban: "DE02 6009 0100 0000 1234 56".into(),
        vat_id: "DE123456789".into(),
        ..Default::default()
    };
    outbox.letter.time_zone = Some(jiff::tz::TimeZone::get("Europe/Berlin").unwrap());
    outbox
}

/// An order mail of the test customer for `quantity` pieces of A-100, received.
async fn order_received(s: &store::Store, tag: &str, quantity: u32) -> store::intake::Received {
    let lines = format!("1    A-100        Sechskantschraube M8x40  {quantity}    Stk  0,12\r\n");
    receive(
        s,
        "upload",
        None,
        &order_mail(tag, "Bestellnummer", &format!("PO-{tag}"), &lines),
    )
    .await
    .unwrap()
}

/// The PDF a delivered mail carries, and its text.
fn attached_pdf(raw: &str) -> (String, String) {
    let mail = mail_parser::MessageParser::new().parse(raw.as_bytes()).unwrap();
    let part = mail.attachments().next().expect("a PDF attachment");
    let name = part.attachment_name().unwrap_or_default().to_owned();
    assert_eq!(
        part.content_type()
            .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or(""))),
        Some("application/pdf".into())
    );
    let doc = document::parse_file(part.contents(), Some(&name)).remove(0);
    let text = doc
        .text_blocks
        .iter()
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    (name, text)
}

#[tokio::test]
async fn a_straight_through_order_is_confirmed_with_its_pdf_in_the_customers_thread() {
    let Some((port, maildir)) = smtp_server() else { return };
    let t = tooling::testing::fresh_sqlite().await;
    let s = &t.store;
    master(s).await;
    let tag = format!("stp-{}", fastrand::u64(..));
    let received = order_received(s, &tag, 500).await;
    let pipeline = Pipeline {
        outbox: outbox(port),
        ..Pipeline::default()
    };
    drain(s, &pipeline).await.unwrap();
    let draft = s.draft_of_message(received.id).await.unwrap().unwrap();
    assert_eq!(draft.status, DraftStatus::StraightThrough, "{}", draft.extraction);
    let order = s.order_of_draft(draft.id).await.unwrap().unwrap();
    let queued = s.mails_of_message(received.id).await.unwrap();
    assert_eq!(queued.len(), 1, "the confirmation, and no acknowledgement before it");
    assert_eq!(queued[0].mail.kind, MailKind::Confirmation);
    assert_eq!(queued[0].mail.order_id, Some(order.id));

    let report = send_due(s, &outbox(port), jiff::Timestamp::now(), 10).await.unwrap();
    assert_eq!((report.sent, report.failed), (1, 0));
    let delivered = delivered_answering(&maildir, &format!("<{tag}@muster.example>"), 1).await;
    assert_eq!(delivered.len(), 1);
    let mail = mail_parser::MessageParser::new()
        .parse(delivered[0].as_bytes())
        .unwrap();
    assert_eq!(
        mail.to().and_then(|a| a.first()).and_then(|a| a.address()),
        Some("einkauf@muster.example")
    );
    let number = format!("AB-{}", order.id);
    assert_eq!(
        mail.subject(),
        Some(format!("Auftragsbestätigung {number} zu Ihrer Bestellung PO-{tag}").as_str())
    );
    let body = mail.body_text(0).unwrap();
    assert!(
        body.contains(&format!("Auftragsbestätigung {number} als PDF")),
        "{body}"
    );
    let (name, text) = attached_pdf(&delivered[0]);
    assert_eq!(name, format!("Auftragsbestätigung {number}.pdf"));
    for expected in [
        number.as_str(),
        &format!("PO-{tag}"),
        "Schrauben Müller GmbH",
        "A-100",
        "500",
        "0,12",
        "60,00",
        "DE123456789",
        "Seite 1 von 1",
    ] {
        assert!(text.contains(expected), "'{expected}' is missing from the PDF:\n{text}");
    }
    let sent = &s.mails_of_order(order.id).await.unwrap()[0];
    assert_eq!(sent.status, MailStatus::Sent);
    assert!(sent.mail.attachment.is_some(), "the PDF sent is kept");
    let actions: Vec<String> = s
        .events_for("order", &order.id.to_string())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"mail_queued".into()) && actions.contains(&"mail_sent".into()),
        "{actions:?}"
    );
    // Sent once: nothing is due any more.
    assert_eq!(
        send_due(s, &outbox(port), jiff::Timestamp::now(), 10)
            .await
            .unwrap()
            .sent,
        0
    );
}

#[tokio::test]
async fn a_clerks_correction_is_marked_and_an_amendment_is_confirmed_again_in_the_thread() {
    let Some((port, maildir)) = smtp_server() else { return };
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        let pipeline = Pipeline {
            outbox: outbox(port),
            ..Pipeline::default()
        };
        // 510 pieces break the pack size of 50: the draft waits for a clerk.
        let tag = format!("rev-{}", fastrand::u64(..));
        let received = order_received(s, &tag, 510).await;
        drain(s, &pipeline).await.unwrap();
        let d = s.draft_of_message(received.id).await.unwrap().unwrap();
        assert_eq!(d.status, DraftStatus::Review);
        let fix = Correction::LineValue {
            line_no: 1,
            field: LineField::Quantity,
            value: "500".into(),
        };
        app::learning::correct(
            s,
            &pipeline.catalog,
            &pipeline.extraction,
            d.id,
            d.version,
            &fix,
            "clara",
        )
        .await
        .unwrap();
        let order_id = app::review::confirm(s, &pipeline.outbox, d.id, d.version + 1, "clara")
            .await
            .unwrap();
        // The acknowledgement (queued when the order arrived) and the confirmation.
        assert_eq!(
            send_due(s, &outbox(port), jiff::Timestamp::now(), 10)
                .await
                .unwrap()
                .sent,
            2
        );
        let answers = delivered_answering(&maildir, &format!("<{tag}@muster.example>"), 2).await;
        let first: Vec<&String> = answers.iter().filter(|m| m.contains("application/pdf")).collect();
        assert_eq!((answers.len(), first.len()), (2, 1));
        let (_, text) = attached_pdf(first[0]);
        assert!(text.contains("bestellt 510 Stk"), "{text}");
        assert!(text.contains("Abweichung von Ihrer Bestellung"), "{text}");
        let body = mail_parser::MessageParser::new()
            .parse(first[0].as_bytes())
            .unwrap()
            .body_text(0)
            .unwrap()
            .into_owned();
        assert!(body.contains("weichen von Ihrer Bestellung ab"), "{body}");

        // The customer calls: 1,000 pieces. The amended confirmation answers the first one.
        let change = [app::review::LineAmendment {
            line_no: 1,
            field: LineField::Quantity,
            value: "1000".into(),
        }];
        app::review::amend(
            s,
            order_id,
            1,
            &change,
            AmendmentReason::CustomerChange,
            "Telefon",
            "clara",
        )
        .await
        .unwrap();
        assert_eq!(
            send_due(s, &outbox(port), jiff::Timestamp::now(), 10)
                .await
                .unwrap()
                .sent,
            1
        );
        let mails = s.mails_of_order(order_id).await.unwrap();
        assert_eq!(mails.len(), 2);
        let first_id = mails[0].mail.mail_message_id.clone();
        let second = delivered_answering(&maildir, &first_id, 1).await;
        assert_eq!(second.len(), 1, "threaded to the first confirmation");
        let mail = mail_parser::MessageParser::new().parse(second[0].as_bytes()).unwrap();
        assert!(
            mail.subject()
                .unwrap_or("")
                .starts_with("Geänderte Auftragsbestätigung"),
            "{:?}",
            mail.subject()
        );
        let (_, text) = attached_pdf(&second[0]);
        assert!(text.contains("1.000") && text.contains("120,00"), "{text}");
        assert!(text.contains("Geänderte Auftragsbestätigung"), "{text}");
    }
}

/// A mail from the known customer carrying an EDIFACT ORDERS.
fn edi_order_mail(tag: &str) -> Vec<u8> {
    let edi = format!(
        "UNA:+.? 'UNB+UNOC:3+4012345000009:14+4000001000005:14+261127:0930+77'\
         UNH+1+ORDERS:D:96A:UN:EAN008'BGM+220+PO-{tag}+9'DTM+137:20261127:102'\
         NAD+BY+4012345000009::9'CUX+2:EUR:9'LIN+1++A-100:SA'QTY+21:500:C62'PRI+AAA:0.12'\
         UNS+S'UNT+10+1'UNZ+1+77'"
    );
    format!(
        "From: Einkauf <einkauf@muster.example>\r\nTo: auftrag@lieferant.example\r\nSubject: ORDERS {tag}\r\n\
         Date: Fri, 27 Nov 2026 09:30:00 +0100\r\nMessage-ID: <{tag}@muster.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Anbei unsere Bestellung.\r\n--b1\r\nContent-Type: application/EDIFACT; name=\"order.edi\"\r\n\
         Content-Disposition: attachment; filename=\"order.edi\"\r\n\r\n{edi}\r\n--b1--\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn an_edi_partner_gets_an_ordrsp_by_mail_or_in_their_folder() {
    let Some((port, maildir)) = smtp_server() else { return };
    let t = tooling::testing::fresh_sqlite().await;
    let s = &t.store;
    master(s).await;

    // By mail, with the PDF beside it.
    let tag = format!("edi-{}", fastrand::u64(..));
    let received = receive(s, "upload", None, &edi_order_mail(&tag)).await.unwrap();
    let pipeline = Pipeline {
        outbox: outbox(port),
        ..Pipeline::default()
    };
    drain(s, &pipeline).await.unwrap();
    let draft = s.draft_of_message(received.id).await.unwrap().unwrap();
    assert_eq!(draft.status, DraftStatus::StraightThrough, "{}", draft.extraction);
    let kinds: Vec<MailKind> = s
        .mails_of_message(received.id)
        .await
        .unwrap()
        .iter()
        .map(|m| m.mail.kind)
        .collect();
    assert_eq!(kinds, [MailKind::OrderResponse, MailKind::Confirmation]);
    assert_eq!(
        send_due(s, &outbox(port), jiff::Timestamp::now(), 10)
            .await
            .unwrap()
            .sent,
        2
    );
    let answers = delivered_answering(&maildir, &format!("<{tag}@muster.example>"), 2).await;
    let ordrsp = answers
        .iter()
        .find(|m| m.contains("EDIFACT ORDRSP"))
        .expect("the ORDRSP mail");
    let mail = mail_parser::MessageParser::new().parse(ordrsp.as_bytes()).unwrap();
    let part = mail.attachments().next().unwrap();
    let order = s.order_of_draft(draft.id).await.unwrap().unwrap();
    assert_eq!(
        part.attachment_name(),
        Some(format!("ORDRSP_AB-{}.edi", order.id).as_str())
    );
    let text: String = part.contents().iter().map(|b| char::from(*b)).collect();
    assert!(
        text.contains(&format!("BGM+231+AB-{}+29'", order.id)) && text.contains(&format!("RFF+ON:PO-{tag}'")),
        "{text}"
    );
    assert!(
        text.contains("NAD+BY+4012345000009::9") && text.contains("LIN+1+5+A-100:SA'"),
        "{text}"
    );

    // Into the partner's folder, without a PDF.
    let folder = tempfile::tempdir().unwrap();
    let mut with_folder = outbox(port);
    with_folder.letter.confirmations.edi_pdf = false;
    with_folder.letter.confirmations.edi_folders = vec![app::confirmation::EdiFolder {
        customer_no: "10042".into(),
        folder: folder.path().to_owned(),
    }];
    let tag = format!("edi-{}", fastrand::u64(..));
    let received = receive(s, "upload", None, &edi_order_mail(&tag)).await.unwrap();
    let pipeline = Pipeline {
        outbox: with_folder.clone(),
        ..Pipeline::default()
    };
    drain(s, &pipeline).await.unwrap();
    let queued = s.mails_of_message(received.id).await.unwrap();
    assert_eq!(queued.len(), 1, "the order response only");
    assert_eq!(
        send_due(s, &with_folder, jiff::Timestamp::now(), 10)
            .await
            .unwrap()
            .sent,
        1
    );
    let files: Vec<_> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let order = s.order(queued[0].mail.order_id.unwrap()).await.unwrap().unwrap();
    assert_eq!(
        files,
        [format!("ORDRSP_AB-{}.edi", order.id)],
        "written whole, no partial file left"
    );
    let written = std::fs::read(folder.path().join(&files[0])).unwrap();
    assert!(written.starts_with(b"UNA:+.? 'UNB+UNOC:3+"));
    assert!(
        delivered_answering(&maildir, &format!("<{tag}@muster.example>"), 1)
            .await
            .is_empty(),
        "no mail to a partner with a folder"
    );
}

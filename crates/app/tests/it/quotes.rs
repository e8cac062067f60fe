//! Quotes end to end against a real SMTP server: an RFQ mail becomes a
//! priced draft quote, goes through approval when a rule asks for it, is
//! sent as PDF mail in the RFQ's thread, the customer's "Auftrag erteilt"
//! reply is recognised, and the accepted quote becomes an order at the
//! quoted prices with its confirmation.

use app::intake::{Pipeline, drain, receive};
use app::quote::{Command, Desk, Done, QuoteActionError, QuoteEdit, QuoteSettings};
use domain::quote::{LostReason, QuoteStatus};
use domain::review::DraftStatus;
use mail_parser::MimeHeaders;
use rust_decimal_macros::dec;
use store::outbound::MailKind;

use crate::drafting::master;
use crate::outbound::{delivered_with, smtp, smtp_server};

fn rfq_mail(tag: &str) -> Vec<u8> {
    format!(
        "From: Einkauf <einkauf@muster.example>\r\nTo: vertrieb@lieferant.example\r\nSubject: Anfrage ANF-{tag}\r\n\
         Date: Fri, 27 Nov 2026 09:30:00 +0100\r\nMessage-ID: <{tag}@muster.example>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Guten Tag,\r\n\r\nbitte senden Sie uns ein Angebot für folgende Positionen.\r\nAnfrage-Nr.: ANF-{tag}\r\n\r\n\
         Pos  Artikel-Nr.  Bezeichnung                          Menge  ME\r\n\
         1    A-100        Sechskantschraube M8x40              1000   Stk\r\n\
         2                 Sonderanfertigung laut Zeichnung 4711  5    Stk\r\n\r\n\
         Mit freundlichen Gruessen\r\nMax Muster\r\n"
    )
    .into_bytes()
}

fn reply_mail(tag: &str, in_reply_to: &str, words: &str) -> Vec<u8> {
    format!(
        "From: Einkauf <einkauf@muster.example>\r\nTo: vertrieb@lieferant.example\r\nSubject: Bestellung 4500099\r\n\
         Date: Mon, 30 Nov 2026 10:00:00 +0100\r\nMessage-ID: <reply-{tag}@muster.example>\r\n\
         In-Reply-To: {in_reply_to}\r\nReferences: <{tag}@muster.example> {in_reply_to}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{words}\r\n\r\nMax Muster\r\n"
    )
    .into_bytes()
}

fn settings() -> QuoteSettings {
    let mut s = QuoteSettings::default();
    // Any quote over 100 € needs a manager.
    s.approval.value_limit = Some(dec!(100));
    s
}

#[tokio::test]
async fn an_rfq_becomes_a_quote_is_approved_sent_accepted_and_ordered() {
    let Some((port, maildir)) = smtp_server() else { return };
    let t = tooling::testing::fresh_sqlite().await;
    let s = &t.store;
    master(s).await;
    let tag = format!("rfq-{}", fastrand::u64(..));
    let received = receive(s, "upload", None, &rfq_mail(&tag)).await.unwrap();
    let mut pipeline = Pipeline {
        outbox: app::outbound::Outbox::from(smtp(port)),
        ..Pipeline::default()
    };
    pipeline.quotes = settings();
    drain(s, &pipeline).await.unwrap();

    // Drafted at once with the RFQ's draft, which is done.
    let draft = s.draft_of_message(received.id).await.unwrap().unwrap();
    assert_eq!(draft.status, DraftStatus::Done, "{}", draft.extraction);
    let quotes = s.quotes_of_message(received.id).await.unwrap();
    assert_eq!(quotes.len(), 1);
    let q = &quotes[0];
    assert_eq!((q.state.status, q.state.revision), (QuoteStatus::Draft, 1));
    assert_eq!(q.rfq_number.as_deref(), Some(format!("ANF-{tag}").as_str()));
    let quote = app::quote::Quote::from_json(&q.content).unwrap();
    assert_eq!(quote.lines[0].sku.as_deref(), Some("A-100"));
    assert_eq!(quote.lines[0].unit_price, Some(dec!(0.12)));
    assert!(quote.lines[0].priced.as_ref().unwrap().replay() == Some(dec!(0.12)));
    assert_eq!(quote.lines[1].sku, None);

    let catalog = app::draft::CatalogCache::default();
    let qs = settings();
    let desk = Desk {
        store: s,
        catalog: &catalog,
        quotes: &qs,
        outbox: &pipeline.outbox,
        today: jiff::civil::date(2026, 11, 30),
    };
    // The special make has no product: it cannot go yet.
    let err = app::quote::act(&desk, q.id, Some(1), Command::Send, "anna")
        .await
        .unwrap_err();
    assert!(matches!(err, QuoteActionError::Open(_)), "{err}");
    assert!(err.to_string().contains("line 2 has no product"), "{err}");

    // Made a free-text line with its own price.
    let edits = vec![
        QuoteEdit::Remove { line_no: 2 },
        QuoteEdit::Add {
            sku: None,
            description: "Sonderanfertigung laut Zeichnung 4711".into(),
            quantity: dec!(5),
            unit: "C62".into(),
            price: Some(dec!(48.50)),
        },
    ];
    app::quote::act(&desk, q.id, Some(1), Command::Edit(edits), "anna")
        .await
        .unwrap();
    // A page showing revision 1 is refused now.
    let stale = app::quote::act(&desk, q.id, Some(1), Command::Send, "anna")
        .await
        .unwrap_err();
    assert!(matches!(stale, QuoteActionError::Conflict(2)), "{stale}");

    // 120 + 242.50 is over the 100 € limit: approval first.
    let err = app::quote::act(&desk, q.id, Some(2), Command::Send, "anna")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("needs a manager's approval before it is sent: the quote is worth 362.50, more than 100"),
        "{err}"
    );
    app::quote::act(&desk, q.id, Some(2), Command::RequestApproval, "anna")
        .await
        .unwrap();
    let refused = app::quote::act(&desk, q.id, Some(2), Command::Approve { note: " ".into() }, "mia").await;
    assert!(matches!(refused, Err(QuoteActionError::NoReason)));
    app::quote::act(
        &desk,
        q.id,
        Some(2),
        Command::Approve {
            note: "Neukunde, Einstiegspreis".into(),
        },
        "mia",
    )
    .await
    .unwrap();
    // A copy of the approved quote does not carry the approval.
    let copy = app::quote::copy(&desk, q.id, "anna").await.unwrap();
    let copied = s.quote(copy).await.unwrap().unwrap();
    assert_eq!(
        (
            copied.state.status,
            copied.state.revision,
            copied.state.approved_revision
        ),
        (QuoteStatus::Draft, 1, None)
    );
    assert_eq!(copied.total, dec!(362.50));
    let unapproved = app::quote::act(&desk, copy, None, Command::Send, "anna")
        .await
        .unwrap_err();
    assert!(
        unapproved.to_string().contains("needs a manager's approval"),
        "{unapproved}"
    );
    // Changed after approval: approval is gone with the old revision.
    let edit = vec![QuoteEdit::Quantity {
        line_no: 1,
        quantity: dec!(1200),
    }];
    app::quote::act(&desk, q.id, Some(2), Command::Edit(edit), "anna")
        .await
        .unwrap();
    let again = app::quote::act(&desk, q.id, Some(3), Command::Send, "anna")
        .await
        .unwrap_err();
    assert!(matches!(again, QuoteActionError::Transition(_)), "{again}");
    app::quote::act(&desk, q.id, Some(3), Command::RequestApproval, "anna")
        .await
        .unwrap();
    app::quote::act(&desk, q.id, Some(3), Command::Approve { note: "ok".into() }, "mia")
        .await
        .unwrap();
    app::quote::act(&desk, q.id, Some(3), Command::Send, "anna")
        .await
        .unwrap();

    let sent = s.quote(q.id).await.unwrap().unwrap();
    assert_eq!(sent.state.status, QuoteStatus::Sent);
    assert!(sent.sent_at.is_some());
    assert_eq!(s.quote_revisions(q.id).await.unwrap().len(), 3);
    let mails = s.mails_of_message(received.id).await.unwrap();
    let quote_mail = mails
        .iter()
        .find(|m| m.mail.kind == MailKind::Quote)
        .expect("the quote mail");
    app::outbound::send_due(s, &pipeline.outbox, jiff::Timestamp::now(), 10)
        .await
        .unwrap();
    let number = format!("AN-{}", q.id);
    let delivered = delivered_with(&maildir, &quote_mail.mail.mail_message_id, 1).await;
    assert_eq!(delivered.len(), 1, "the quote mail arrives once");
    let raw = &delivered[0];
    assert!(raw.contains(&format!("In-Reply-To: <{tag}@muster.example>")), "{raw}");
    let mail = mail_parser::MessageParser::new().parse(raw.as_bytes()).unwrap();
    assert_eq!(
        mail.subject(),
        Some(format!("Angebot {number} zu Ihrer Anfrage ANF-{tag}").as_str())
    );
    let pdf = mail.attachments().next().expect("the PDF");
    assert_eq!(
        pdf.attachment_name(),
        Some(format!("Angebot {number} (Version 3).pdf").as_str())
    );
    let doc = document::parse_file(pdf.contents(), Some("quote.pdf")).remove(0);
    let text: String = doc
        .text_blocks
        .iter()
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for expected in [
        number.as_str(),
        "Gültig bis",
        "Ihre Anfrage",
        // The description wraps in its column.
        "Sonderanfertigung",
        "Zeichnung 4711",
        "48,50",
        // 1200 × 0.12 + 5 × 48.50
        "386,50",
    ] {
        assert!(text.contains(expected), "'{expected}' missing from:\n{text}");
    }

    // The customer takes it in the thread.
    let reply = receive(
        s,
        "upload",
        None,
        &reply_mail(
            &tag,
            &quote_mail.mail.mail_message_id,
            // Written like a clean order, which alone would go straight through.
            "Guten Tag,\r\n\r\nhiermit Auftrag erteilt.\r\n\r\nBestellnummer: 4500099\r\n\r\n\
             Pos  Artikel-Nr.  Bezeichnung              Menge  ME   Einzelpreis\r\n\
             1    A-100        Sechskantschraube M8x40  1200   Stk  0,12\r\n",
        ),
    )
    .await
    .unwrap();
    drain(s, &pipeline).await.unwrap();
    let proposed = s.quote(q.id).await.unwrap().unwrap();
    assert_eq!(proposed.acceptance_message_id, Some(reply.id));
    let reply_draft = s.draft_of_message(reply.id).await.unwrap().unwrap();
    assert_eq!(reply_draft.status, DraftStatus::Done, "{}", reply_draft.extraction);
    assert!(
        s.orders(None, None, 50)
            .await
            .unwrap()
            .iter()
            .all(|o| o.message_id != reply.id),
        "the reply does not become a second order"
    );

    app::quote::act(&desk, q.id, None, Command::Accept { note: None }, "anna")
        .await
        .unwrap();
    let done = app::quote::act(
        &desk,
        q.id,
        None,
        Command::Order {
            po_number: Some("4500099".into()),
        },
        "anna",
    )
    .await
    .unwrap();
    let Done::Ordered(order_id) = done else {
        panic!("no order: {done:?}")
    };
    let order = s.order(order_id).await.unwrap().unwrap();
    assert_eq!(order.po_number.as_deref(), Some("4500099"));
    assert_eq!(order.total, Some(dec!(386.50)));
    let ordered = app::draft::Draft::from_json(&order.content).unwrap();
    assert_eq!(ordered.lines[0].unit_price, Some(dec!(0.12)));
    assert_eq!(ordered.lines[1].unit_price, Some(dec!(48.50)));
    let after = s.quote(q.id).await.unwrap().unwrap();
    assert_eq!(
        (after.state.status, after.order_id),
        (QuoteStatus::Ordered, Some(order_id))
    );
    assert_eq!(after.acceptance_message_id, None);
    assert!(
        s.mails_of_order(order_id)
            .await
            .unwrap()
            .iter()
            .any(|m| m.mail.kind == MailKind::Confirmation),
        "the order is confirmed to the customer"
    );
    // Nothing more can happen to an ordered quote.
    let late = app::quote::act(
        &desk,
        q.id,
        None,
        Command::Reject {
            reason: LostReason::Price,
            note: None,
        },
        "anna",
    )
    .await
    .unwrap_err();
    assert_eq!(late.to_string(), "a quote that is ordered cannot be rejected");

    // Quote turnaround and the funnel read it back: sent − RFQ received.
    let facts = s
        .kpi_quotes(
            after.rfq_received_at,
            jiff::Timestamp::now() + jiff::SignedDuration::from_secs(1),
        )
        .await
        .unwrap();
    assert_eq!(facts.len(), 2, "the quote and its copy");
    let turnaround = domain::kpi::quote_turnaround(&facts).unwrap();
    assert_eq!(turnaround.count, 1, "only the sent one");
    assert_eq!(
        turnaround.median,
        after.sent_at.unwrap().duration_since(after.rfq_received_at)
    );
    let funnel = domain::kpi::quote_funnel(&facts);
    assert_eq!(
        (funnel.quoted, funnel.sent, funnel.accepted, funnel.ordered),
        (2, 1, 1, 1)
    );
}

#[tokio::test]
async fn sent_quotes_expire_and_are_followed_up_once() {
    let Some((port, _maildir)) = smtp_server() else { return };
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        let tag = format!("exp-{}", fastrand::u64(..));
        let received = receive(s, "upload", None, &rfq_mail(&tag)).await.unwrap();
        let pipeline = Pipeline {
            outbox: app::outbound::Outbox::from(smtp(port)),
            ..Pipeline::default()
        };
        drain(s, &pipeline).await.unwrap();
        let q = s.quotes_of_message(received.id).await.unwrap().remove(0);
        let catalog = app::draft::CatalogCache::default();
        let qs = QuoteSettings::default();
        let today = jiff::civil::date(2026, 11, 30);
        let desk = Desk {
            store: s,
            catalog: &catalog,
            quotes: &qs,
            outbox: &pipeline.outbox,
            today,
        };
        let to = vec!["leitung@lieferant.example".to_owned()];
        let tended = |expired, reminded, escalated| app::quote::Tended {
            expired,
            reminded,
            escalated,
        };
        let now = jiff::Timestamp::now();
        // Not sent a day after the RFQ (its due time): the managers hear of it, once.
        let day_later = now + jiff::SignedDuration::from_hours(25);
        assert_eq!(
            app::quote::tend(s, &qs, &pipeline.outbox, &to, today, now)
                .await
                .unwrap(),
            tended(0, 0, 0)
        );
        assert_eq!(
            app::quote::tend(s, &qs, &pipeline.outbox, &to, today, day_later)
                .await
                .unwrap(),
            tended(0, 0, 1)
        );
        assert_eq!(
            app::quote::tend(s, &qs, &pipeline.outbox, &to, today, day_later)
                .await
                .unwrap(),
            tended(0, 0, 0)
        );
        let escalations: Vec<_> = s
            .mails_of_message(received.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.mail.kind == MailKind::Escalation)
            .collect();
        assert_eq!(escalations.len(), 1);
        assert!(
            escalations[0].mail.subject.contains("überfällig"),
            "{}",
            escalations[0].mail.subject
        );
        assert!(s.quote(q.id).await.unwrap().unwrap().escalated_at.is_some());
        let edits = vec![
            QuoteEdit::Product {
                line_no: 2,
                sku: "B-200".into(),
            },
            QuoteEdit::ValidUntil {
                date: jiff::civil::date(2026, 12, 2),
            },
        ];
        app::quote::act(&desk, q.id, None, Command::Edit(edits), "anna")
            .await
            .unwrap();
        app::quote::act(&desk, q.id, None, Command::Send, "anna").await.unwrap();
        // Two days before its end: the team is reminded, once.
        assert_eq!(
            app::quote::tend(s, &qs, &pipeline.outbox, &to, today, now)
                .await
                .unwrap(),
            tended(0, 1, 0)
        );
        assert_eq!(
            app::quote::tend(s, &qs, &pipeline.outbox, &to, today, now)
                .await
                .unwrap(),
            tended(0, 0, 0)
        );
        let reminders: Vec<_> = s
            .mails_of_message(received.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.mail.kind == MailKind::QuoteFollowUp)
            .collect();
        assert_eq!(reminders.len(), 1);
        assert_eq!(reminders[0].mail.to, "leitung@lieferant.example");
        // The day after its end it has expired.
        let later = jiff::civil::date(2026, 12, 3);
        assert_eq!(
            app::quote::tend(s, &qs, &pipeline.outbox, &to, later, now)
                .await
                .unwrap(),
            tended(1, 0, 0)
        );
        let expired = s.quote(q.id).await.unwrap().unwrap();
        assert_eq!(expired.state.status, QuoteStatus::Expired);
        assert!(expired.decided_at.is_some());
        // An expired quote can still be recorded as lost, with the reason.
        app::quote::act(
            &desk,
            q.id,
            None,
            Command::Reject {
                reason: LostReason::Competitor,
                note: Some("Wettbewerber billiger".into()),
            },
            "anna",
        )
        .await
        .unwrap();
        let lost = s.quote(q.id).await.unwrap().unwrap();
        assert_eq!(lost.lost_reason, Some(LostReason::Competitor));
    }
}

#[tokio::test]
async fn a_ubl_request_for_quotation_becomes_a_quote() {
    let t = tooling::testing::fresh_sqlite().await;
    let s = &t.store;
    master(s).await;
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<RequestForQuotation xmlns="urn:oasis:names:specification:ubl:schema:xsd:RequestForQuotation-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>RFQ-5511</cbc:ID>
  <cbc:IssueDate>2026-11-27</cbc:IssueDate>
  <cac:BuyerCustomerParty><cac:Party>
    <cac:PartyIdentification><cbc:ID>10042</cbc:ID></cac:PartyIdentification>
    <cac:PartyName><cbc:Name>Muster GmbH</cbc:Name></cac:PartyName>
  </cac:Party></cac:BuyerCustomerParty>
  <cac:RequestForQuotationLine><cac:LineItem>
    <cbc:ID>1</cbc:ID>
    <cbc:Quantity unitCode="C62">300</cbc:Quantity>
    <cac:Item><cbc:Name>Zylinderschraube M6x20 A4</cbc:Name>
      <cac:SellersItemIdentification><cbc:ID>B-200</cbc:ID></cac:SellersItemIdentification></cac:Item>
  </cac:LineItem></cac:RequestForQuotationLine>
</RequestForQuotation>"#;
    let received = receive(s, "upload", Some("rfq-5511.xml"), xml.as_bytes())
        .await
        .unwrap();
    drain(s, &Pipeline::default()).await.unwrap();
    let quotes = s.quotes_of_message(received.id).await.unwrap();
    assert_eq!(quotes.len(), 1, "{:?}", s.draft_of_message(received.id).await.unwrap());
    let q = &quotes[0];
    assert_eq!(
        (q.customer_no.as_str(), q.rfq_number.as_deref()),
        ("10042", Some("RFQ-5511"))
    );
    let quote = app::quote::Quote::from_json(&q.content).unwrap();
    assert_eq!(quote.lines[0].sku.as_deref(), Some("B-200"));
    // 300 × 0.30 from the STD price list.
    assert_eq!(quote.total(), dec!(90));
}

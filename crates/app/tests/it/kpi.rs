//! The KPI facts read from a real store: a straight-through order later
//! amended as our entry error, and a message with no answer yet.

use app::draft::LineField;
use app::intake::{Pipeline, drain, receive};
use domain::order::AmendmentReason;

use crate::drafting::{master, order_mail};

#[tokio::test]
async fn order_and_response_facts_come_from_orders_events_and_the_mail_outbox() {
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        let before = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(1);
        let mail = order_mail(
            "kpi1",
            "Bestellnummer",
            "4500088001",
            "1    A-100        Sechskantschraube M8x40  500    Stk  0,12",
        );
        let received = receive(s, "upload", None, &mail).await.unwrap();
        drain(s, &Pipeline::default()).await.unwrap();
        let draft = s.draft_of_message(received.id).await.unwrap().unwrap();
        let order = s.order_of_draft(draft.id).await.unwrap().expect("straight through");
        let after = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(1);

        let facts = s.kpi_orders(before, after).await.unwrap();
        assert_eq!(facts.len(), 1, "{:?}", t.backend);
        assert!(facts[0].straight_through && !facts[0].entry_error);
        assert_eq!(
            facts[0].received_at,
            s.message(received.id).await.unwrap().unwrap().received_at
        );
        assert!(facts[0].confirmed_at >= facts[0].received_at);

        let change = [app::review::LineAmendment {
            line_no: 1,
            field: LineField::Quantity,
            value: "550".into(),
        }];
        app::review::amend(
            s,
            order.id,
            1,
            &change,
            AmendmentReason::CustomerChange,
            "not an entry_error, the buyer called",
            "clara",
        )
        .await
        .unwrap();
        let facts = s.kpi_orders(before, after).await.unwrap();
        assert!(!facts[0].entry_error, "a customer's change, whatever its note says");
        app::review::amend(s, order.id, 2, &change, AmendmentReason::EntryError, "typo", "clara")
            .await
            .unwrap();
        let facts = s.kpi_orders(before, after).await.unwrap();
        assert!(facts[0].entry_error, "amended as our entry error");
        assert!(
            s.kpi_orders(after, after + jiff::SignedDuration::from_hours(1))
                .await
                .unwrap()
                .is_empty()
        );

        let responses = s.kpi_responses(before, after).await.unwrap();
        assert_eq!(responses.len(), 1);
        assert_eq!(responses[0].first_answer_at, None, "no SMTP server: no answer yet");
        let (spread, unanswered) = domain::kpi::response_time(&responses);
        assert_eq!((spread, unanswered), (None, 1));
    }
}

/// A mail in a thread: `refs` are the earlier Message-IDs.
fn threaded(id: &str, refs: &[&str], text: &str) -> Vec<u8> {
    let references = if refs.is_empty() {
        String::new()
    } else {
        format!(
            "References: {}\r\nIn-Reply-To: {}\r\n",
            refs.join(" "),
            refs.last().unwrap()
        )
    };
    format!(
        "From: Einkauf <einkauf@muster.example>\r\nSubject: Frage\r\nMessage-ID: {id}\r\n{references}\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn threads_are_kept_per_message_and_first_contact_resolution_counts_them() {
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        let before = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(1);
        let tag = fastrand::u64(..);
        let (a, b) = (format!("<a{tag}@muster.example>"), format!("<b{tag}@muster.example>"));
        // Thread A: an inquiry, then the customer writes again in it. Thread B: an inquiry alone.
        for mail in [
            threaded(&a, &[], "Wo bleibt unsere Bestellung 4511111111?"),
            threaded(
                &format!("<a2{tag}@muster.example>"),
                &[&a],
                "Und? Wo bleibt die Bestellung 4511111111?",
            ),
            threaded(&b, &[], "Wo bleibt unsere Bestellung 4522222222?"),
        ] {
            receive(s, "upload", None, &mail).await.unwrap();
        }
        drain(s, &Pipeline::default()).await.unwrap();
        let after = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(1);
        let threads = s.kpi_threads(before, after).await.unwrap();
        assert_eq!(threads.len(), 2, "{:?}: {threads:?}", t.backend);
        let mut later: Vec<usize> = threads.iter().map(|t| t.later_inbound.len()).collect();
        later.sort();
        assert_eq!(later, [0, 1], "the follow-up joined thread A");
        // Nothing was answered (no SMTP server): both decided as not resolved at first contact.
        let (rate, open) = domain::kpi::first_contact_resolution(&threads, after);
        assert_eq!((rate.part, rate.whole, open), (0, 2, 0));
        assert!(
            s.kpi_threads(after, after + jiff::SignedDuration::from_hours(1))
                .await
                .unwrap()
                .is_empty(),
            "a thread belongs to the period it began in"
        );
    }
}

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

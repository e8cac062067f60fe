//! The event log keeps order, actors and changes, and appends only with its transaction.

use domain::event::{Actor, Event, FieldChange};
use tooling::testing::fresh_stores;

fn event(id: &str, action: &str, at: &str) -> Event {
    Event {
        occurred_at: at.parse().unwrap(),
        actor: Actor::User("anna".into()),
        entity_type: "order".into(),
        entity_id: id.into(),
        action: action.into(),
        changes: vec![FieldChange {
            field: "quantity".into(),
            before: Some("5".into()),
            after: Some("50".into()),
        }],
    }
}

#[tokio::test]
async fn events_come_back_in_order_with_their_changes() {
    for t in fresh_stores().await {
        let s = &t.store;
        s.append_event(&event("O-1", "drafted", "2026-11-22T08:00:00Z"))
            .await
            .unwrap();
        s.append_event(&event("O-2", "drafted", "2026-11-22T08:01:00Z"))
            .await
            .unwrap();
        s.append_event(&event("O-1", "confirmed", "2026-11-22T08:05:30.25Z"))
            .await
            .unwrap();
        let events = s.events_for("order", "O-1").await.unwrap();
        assert_eq!(
            events,
            vec![
                event("O-1", "drafted", "2026-11-22T08:00:00Z"),
                event("O-1", "confirmed", "2026-11-22T08:05:30.25Z")
            ],
            "{:?}",
            t.backend
        );
        assert_eq!(s.recent_events(1).await.unwrap()[0].action, "confirmed");
    }
}

#[tokio::test]
async fn an_event_in_a_rolled_back_transaction_never_happened() {
    for t in fresh_stores().await {
        let mut tx = t.store.begin().await.unwrap();
        tx.append_event(&event("O-9", "confirmed", "2026-11-22T08:00:00Z"))
            .await
            .unwrap();
        drop(tx);
        assert!(
            t.store.events_for("order", "O-9").await.unwrap().is_empty(),
            "{:?}",
            t.backend
        );
    }
}

//! Confirmed orders reach the ERP through the outbox exactly once: queued
//! with the confirmation, delivered by the worker, retried with backoff,
//! given up to a person, every attempt on the order's timeline.

use std::time::Duration;

use app::config::{ErpConnectorKind, ErpSettings};
use app::erp::{push_due, push_order};
use app::intake::{Pipeline, drain, receive};
use erp::{Connector, FileDrop, Webhook};
use store::erp::{PushKind, PushStatus};

use crate::drafting::{master, order_mail};

/// A straight-through order in a store with the test master data; its id.
async fn confirmed_order(s: &store::Store, id: &str, po: &str) -> i64 {
    let mail = order_mail(
        id,
        "Bestellnummer",
        po,
        "1    A-100        Sechskantschraube M8x40  500    Stk  0,12",
    );
    let received = receive(s, "upload", None, &mail).await.unwrap();
    drain(s, &Pipeline::default()).await.unwrap();
    let draft = s.draft_of_message(received.id).await.unwrap().unwrap();
    s.order_of_draft(draft.id)
        .await
        .unwrap()
        .expect("a straight-through order")
        .id
}

/// The actions on an order's timeline, oldest first.
async fn order_timeline(s: &store::Store, order_id: i64) -> Vec<String> {
    let events = s.events_for("order", &order_id.to_string()).await.unwrap();
    events.into_iter().map(|e| e.action).collect()
}

fn settings(max_attempts: u32) -> ErpSettings {
    ErpSettings {
        connector: ErpConnectorKind::File,
        max_attempts,
        ..ErpSettings::default()
    }
}

#[tokio::test]
async fn a_confirmed_order_is_queued_with_its_confirmation_and_delivered_once() {
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        let order_id = confirmed_order(s, "o1", "4500012345").await;
        let pushes = s.erp_pushes_of(order_id).await.unwrap();
        assert_eq!(pushes.len(), 1, "{:?}", t.backend);
        assert_eq!(
            (pushes[0].kind, pushes[0].status),
            (PushKind::Create, PushStatus::Pending)
        );

        let dir = tempfile::tempdir().unwrap();
        let drop = Connector::FileDrop(FileDrop {
            dir: dir.path().to_owned(),
        });
        let now = jiff::Timestamp::now();
        let report = push_due(s, &drop, &settings(10), now, 100).await.unwrap();
        assert_eq!(report.sent, 1);
        let file = dir.path().join(format!("orderdesk-order-{order_id}-v1.json"));
        let sent: erp::ErpOrder = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(sent.po_number.as_deref(), Some("4500012345"));
        assert_eq!(sent.customer_no.as_deref(), Some("10042"));
        assert_eq!(sent.lines[0].sku.as_deref(), Some("A-100"));
        assert_eq!(sent.lines[0].quantity.as_deref(), Some("500"));
        assert_eq!(sent.lines[0].unit_price.as_deref(), Some("0.12"));
        // Nothing is due any more; the order is with the ERP.
        assert_eq!(push_due(s, &drop, &settings(10), now, 100).await.unwrap().sent, 0);
        let push = &s.erp_pushes_of(order_id).await.unwrap()[0];
        assert_eq!(push.status, PushStatus::Sent);
        assert_eq!(
            push.erp_reference.as_deref(),
            Some(file.file_name().unwrap().to_str().unwrap())
        );
        assert_eq!(
            s.order(order_id).await.unwrap().unwrap().status,
            domain::order::OrderStatus::SentToErp
        );
        let actions = order_timeline(s, order_id).await;
        assert_eq!(actions, ["confirmed", "erp_pushed"], "{:?}", t.backend);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

#[tokio::test]
async fn a_crash_between_delivery_and_record_delivers_again_harmlessly() {
    let t = tooling::testing::fresh_sqlite().await;
    let s = &t.store;
    master(s).await;
    let order_id = confirmed_order(s, "o2", "4500012399").await;
    let dir = tempfile::tempdir().unwrap();
    let drop = Connector::FileDrop(FileDrop {
        dir: dir.path().to_owned(),
    });
    // Delivered, then the process died before the outbox heard of it.
    let order = s.order(order_id).await.unwrap().unwrap();
    drop.push(&app::erp::erp_order(&order, PushKind::Create).unwrap())
        .await
        .unwrap();
    let report = push_order(s, &drop, &settings(10), order_id, jiff::Timestamp::now())
        .await
        .unwrap();
    assert_eq!((report.sent, report.already_there), (0, 1));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "one order in the ERP"
    );
    assert_eq!(s.erp_pushes_of(order_id).await.unwrap()[0].status, PushStatus::Sent);
}

#[tokio::test]
async fn an_erp_that_is_away_is_tried_again_later_and_then_left_to_a_person() {
    let t = tooling::testing::fresh_sqlite().await;
    let s = &t.store;
    master(s).await;
    let order_id = confirmed_order(s, "o3", "4500012377").await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/orders", listener.local_addr().unwrap());
    std::mem::drop(listener);
    let away = Connector::Webhook(Webhook {
        url,
        secret: "a-secret-of-some-length".into(),
        timeout: Duration::from_secs(2),
    });
    // Stored to the microsecond: a whole second compares exactly.
    let start = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() + 1).unwrap();
    let report = push_due(s, &away, &settings(2), start, 100).await.unwrap();
    assert_eq!(report.retrying, 1);
    let push = s.erp_pushes_of(order_id).await.unwrap()[0].clone();
    assert_eq!((push.status, push.attempts), (PushStatus::Pending, 1));
    assert!(push.last_error.as_deref().unwrap().contains("trying again later"));
    assert_eq!(push.next_attempt_at, start + app::erp::backoff(0));
    // Not due before its time.
    assert_eq!(
        push_due(s, &away, &settings(2), start, 100).await.unwrap(),
        Default::default()
    );
    // The second attempt is the last one allowed: a person looks.
    let later = start + app::erp::backoff(0);
    assert_eq!(push_due(s, &away, &settings(2), later, 100).await.unwrap().failed, 1);
    let push = s.erp_pushes_of(order_id).await.unwrap()[0].clone();
    assert_eq!((push.status, push.attempts), (PushStatus::Failed, 2));
    // Made due again by a person, it goes through once the ERP is back.
    assert!(
        s.retry_erp_push(push.id, &domain::event::Actor::User("anna".into()), later)
            .await
            .unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let back = Connector::FileDrop(FileDrop {
        dir: dir.path().to_owned(),
    });
    assert_eq!(push_due(s, &back, &settings(2), later, 100).await.unwrap().sent, 1);
    let actions = order_timeline(s, order_id).await;
    assert_eq!(
        actions,
        [
            "confirmed",
            "erp_push_retry",
            "erp_push_failed",
            "erp_push_retried",
            "erp_pushed"
        ]
    );
}

#[test]
fn backoff_doubles_from_half_a_minute_up_to_six_hours() {
    assert_eq!(app::erp::backoff(0), Duration::from_secs(30));
    assert_eq!(app::erp::backoff(1), Duration::from_secs(60));
    assert_eq!(app::erp::backoff(5), Duration::from_secs(960));
    assert_eq!(app::erp::backoff(40), Duration::from_secs(6 * 3600));
}

#[test]
fn a_connector_needs_what_it_delivers_with() {
    let mut s = ErpSettings::default();
    assert!(
        app::erp::connector(&s).unwrap().is_none(),
        "none: orders wait in the outbox"
    );
    s.connector = ErpConnectorKind::File;
    assert!(app::erp::connector(&s).unwrap_err().to_string().contains("dir"));
    s.connector = ErpConnectorKind::Webhook;
    s.url = Some("https://erp.example/orders".into());
    s.secret = Some("short".into());
    assert!(
        app::erp::connector(&s)
            .unwrap_err()
            .to_string()
            .contains("16 characters")
    );
}

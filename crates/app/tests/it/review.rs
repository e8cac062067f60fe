//! The review desk's actions against real databases: what may be confirmed,
//! re-checking after corrections, reject/escalate/forward/done, amendments,
//! the inbox status each leaves, and the audit trail.

use app::draft::{Correction, CorrectionError, LineField};
use app::intake::{Pipeline, drain, receive};
use app::learning::correct;
use app::review::{self, ReviewError};
use domain::event::Actor;
use domain::exception::ExceptionCode;
use domain::order::AmendmentReason;
use domain::review::{DraftStatus, ReviewReason};
use rust_decimal::Decimal;
use store::inbox::{InboxFilter, InboxStatus};

use crate::drafting::{master, order_mail};

async fn users(store: &store::Store) {
    for (name, role) in [("clara", "clerk"), ("otto", "clerk"), ("mia", "manager")] {
        app::users::add_user(
            store,
            name,
            "",
            role,
            "correct horse battery",
            &Actor::System("t".into()),
        )
        .await
        .unwrap();
    }
}

async fn in_review(store: &store::Store, pipeline: &Pipeline, id: &str, lines: &str) -> store::drafts::StoredDraft {
    let mail = order_mail(id, "Bestellnummer", &format!("PO-{id}"), lines);
    let r = receive(store, "upload", None, &mail).await.unwrap();
    drain(store, pipeline).await.unwrap();
    let d = store.draft_of_message(r.id).await.unwrap().unwrap();
    assert_eq!(d.status, DraftStatus::Review, "{}", d.extraction);
    d
}

fn parsed(d: &store::drafts::StoredDraft) -> app::draft::Draft {
    app::draft::Draft::from_json(&d.extraction).unwrap()
}

#[tokio::test]
async fn corrections_are_checked_again_and_only_a_clean_draft_is_confirmed() {
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        users(s).await;
        let pipeline = Pipeline::default();
        // Line 1 is fine; line 2 names a code nobody knows and 7 pieces.
        let d = in_review(
            s,
            &pipeline,
            "r1",
            "1    A-100        Sechskantschraube M8x40  100    Stk  0,12\r\n\
             2    ZZ-999       Sonderteil               7      Stk\r\n",
        )
        .await;
        let before = parsed(&d);
        assert!(review::open_points(&before).contains(&review::OpenPoint::NoProduct(2)));
        let refused = review::confirm(s, &app::outbound::Outbox::default(), d.id, d.version, "clara").await;
        assert!(matches!(refused, Err(ReviewError::NotReady { .. })), "{refused:?}");

        // The product A-100 comes in packs of 50: 7 pieces break the pack size,
        // which the re-check after the correction finds, with our price filled in.
        let settings = app::Config::default().extraction;
        let fix = Correction::LineProduct {
            line_no: 2,
            sku: "A-100".into(),
        };
        correct(s, &pipeline.catalog, &settings, d.id, d.version, &fix, "clara")
            .await
            .unwrap();
        let d = s.draft(d.id).await.unwrap().unwrap();
        let after = parsed(&d);
        assert_eq!(after.lines[1].expected_price, Some(Decimal::new(12, 2)));
        assert!(!after.exceptions.iter().any(|e| e.code == ExceptionCode::UnknownProduct));
        assert!(
            after
                .exceptions
                .iter()
                .any(|e| e.code == ExceptionCode::PackSize && e.line_no == Some(2)),
            "{:?}",
            after.exceptions
        );
        // Setting the quantity to a full pack clears it.
        let qty = Correction::LineValue {
            line_no: 2,
            field: LineField::Quantity,
            value: "50".into(),
        };
        correct(s, &pipeline.catalog, &settings, d.id, d.version, &qty, "clara")
            .await
            .unwrap();
        let bad = Correction::LineValue {
            line_no: 2,
            field: LineField::UnitPrice,
            value: "zwölf".into(),
        };
        let refused = correct(s, &pipeline.catalog, &settings, d.id, d.version + 1, &bad, "clara").await;
        assert!(
            matches!(
                refused,
                Err(app::learning::LearningError::Refused {
                    source: CorrectionError::InvalidValue { .. },
                    ..
                })
            ),
            "{refused:?}"
        );
        let d = s.draft(d.id).await.unwrap().unwrap();
        assert!(
            !parsed(&d).exceptions.iter().any(|e| e.code == ExceptionCode::PackSize),
            "{:?}",
            parsed(&d).exceptions
        );
        assert_eq!(review::open_points(&parsed(&d)), Vec::new());

        // Confirmed: one order with our price for the line that stated none.
        let order_id = review::confirm(s, &app::outbound::Outbox::default(), d.id, d.version, "clara")
            .await
            .unwrap();
        let order = s.order(order_id).await.unwrap().unwrap();
        assert_eq!(order.total, Some(Decimal::new(18, 0)), "100 × 0.12 + 50 × 0.12");
        assert_eq!(order.confirmed_by, "user:clara");
        let again = review::confirm(s, &app::outbound::Outbox::default(), d.id, d.version + 1, "otto").await;
        assert!(matches!(again, Err(ReviewError::NotInReview { .. })), "{again:?}");
        let page = s
            .inbox(
                &InboxFilter {
                    status: Some(InboxStatus::Done),
                    ..Default::default()
                },
                None,
                10,
            )
            .await
            .unwrap();
        assert!(page.iter().any(|m| m.id == d.message_id));

        // Amending records why and what, and refuses a stale version.
        let change = [review::LineAmendment {
            line_no: 1,
            field: LineField::Quantity,
            value: "150".into(),
        }];
        review::amend(
            s,
            order_id,
            1,
            &change,
            AmendmentReason::CustomerChange,
            "phone call",
            "clara",
        )
        .await
        .unwrap();
        let stale = review::amend(s, order_id, 1, &change, AmendmentReason::EntryError, "", "otto").await;
        assert!(matches!(stale, Err(ReviewError::Conflict { .. })), "{stale:?}");
        let amended = s.order(order_id).await.unwrap().unwrap();
        assert_eq!(amended.total, Some(Decimal::new(24, 0)));
        let events = s.events_for("order", &order_id.to_string()).await.unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["confirmed", "amended"]);
        assert!(
            events[1]
                .changes
                .iter()
                .any(|c| c.field == "total" && c.before.as_deref() == Some("18"))
        );
    }
}

#[tokio::test]
async fn reject_escalate_forward_assign_and_done_leave_a_trail() {
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        users(s).await;
        let pipeline = Pipeline::default();
        let lines = "1    ZZ-1         Sonderteil               7      Stk\r\n";
        let a = in_review(s, &pipeline, "a", lines).await;
        let b = in_review(s, &pipeline, "b", lines).await;

        // Without a reason nothing happens.
        assert!(matches!(
            review::reject(s, a.id, a.version, "  ", "clara").await,
            Err(ReviewError::NoReason)
        ));
        review::escalate(s, a.id, a.version, "price needs the head of sales", "clara")
            .await
            .unwrap();
        let a2 = s.draft(a.id).await.unwrap().unwrap();
        assert!(a2.escalated && a2.status == DraftStatus::Review);
        review::forward(s, a.id, a2.version, "mia", "please decide", "clara")
            .await
            .unwrap();
        let a3 = s.draft(a.id).await.unwrap().unwrap();
        assert_eq!(a3.assigned_to.as_deref(), Some("mia"));
        assert!(a3.escalated, "forwarding keeps the escalation");
        let mine = s.review_queue(None, Some("mia"), 10).await.unwrap();
        assert_eq!(mine.iter().map(|d| d.id).collect::<Vec<_>>(), [a.id]);
        assert!(matches!(
            review::assign(s, a.id, a3.version, Some("nobody"), "mia").await,
            Err(ReviewError::NoUser(_))
        ));
        review::reject(s, a.id, a3.version, "sent to the wrong supplier", "mia")
            .await
            .unwrap();
        assert_eq!(s.draft(a.id).await.unwrap().unwrap().status, DraftStatus::Rejected);
        let actions: Vec<String> = s
            .events_for("draft", &a.id.to_string())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, ["drafted", "escalated", "forwarded", "rejected"]);
        assert_eq!(a3.version, a2.version + 1, "forwarding is one change");

        review::mark_done(s, b.id, b.version, "answered by phone", "otto")
            .await
            .unwrap();
        let queue = s.review_queue(None, None, 10).await.unwrap();
        assert!(queue.is_empty(), "{queue:?}");
        let (waiting, _) = s.queue_counts(jiff::Timestamp::now()).await.unwrap();
        assert_eq!(waiting, 0);
        let in_review = s
            .inbox(
                &InboxFilter {
                    status: Some(InboxStatus::InReview),
                    ..Default::default()
                },
                None,
                10,
            )
            .await
            .unwrap();
        assert!(in_review.is_empty());
    }
}

#[tokio::test]
async fn the_queue_is_ordered_by_due_time_and_pages_by_keyset() {
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        let mut pipeline = Pipeline::default();
        pipeline.extraction.review_sla_minutes = 60;
        let lines = "1    ZZ-1         Sonderteil               7      Stk\r\n";
        let mut ids = Vec::new();
        for i in 0..5 {
            ids.push(in_review(s, &pipeline, &format!("q{i}"), lines).await.id);
        }
        let first = s.review_queue(None, None, 2).await.unwrap();
        assert_eq!(first.iter().map(|d| d.id).collect::<Vec<_>>(), ids[..2]);
        let last = first.last().unwrap();
        let next = s
            .review_queue(Some((last.due_at.unwrap(), last.id)), None, 10)
            .await
            .unwrap();
        assert_eq!(next.iter().map(|d| d.id).collect::<Vec<_>>(), ids[2..]);
        let due = first[0].due_at.unwrap();
        let received = s.message(first[0].message_id).await.unwrap().unwrap().received_at;
        assert_eq!((due.as_second() - received.as_second()) / 60, 60);
    }
}

#[tokio::test]
async fn settings_saved_by_an_administrator_apply_to_the_next_message() {
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        let pipeline = Pipeline::default();
        let clean = "1    A-100        Sechskantschraube M8x40  500    Stk  0,12\r\n";
        let first = receive(s, "upload", None, &order_mail("s1", "Bestellnummer", "PO-S1", clean))
            .await
            .unwrap();
        drain(s, &pipeline).await.unwrap();
        assert_eq!(
            s.draft_of_message(first.id).await.unwrap().unwrap().status,
            DraftStatus::StraightThrough
        );

        let before = app::settings::extraction(s, &pipeline.extraction).await.unwrap();
        let mut new = before.clone();
        new.review_customers = vec!["10042".into()];
        new.review_sla_minutes = 30;
        app::settings::save_extraction(s, &before, &new, "adam").await.unwrap();
        let mut broken = new.clone();
        broken.severities.insert("duplicate_po".into(), "urgent".into());
        assert!(matches!(
            app::settings::save_extraction(s, &new, &broken, "adam").await,
            Err(app::settings::SettingsError::Invalid(_))
        ));

        // The worker was not restarted: the next order of 10042 waits for review, due in 30 minutes.
        let second = receive(s, "upload", None, &order_mail("s2", "Bestellnummer", "PO-S2", clean))
            .await
            .unwrap();
        drain(s, &pipeline).await.unwrap();
        let d = s.draft_of_message(second.id).await.unwrap().unwrap();
        assert_eq!(d.status, DraftStatus::Review);
        assert!(
            parsed(&d)
                .review_reasons
                .contains(&ReviewReason::CustomerAlwaysReviewed)
        );
        let due = d.due_at.unwrap();
        let received = s.message(second.id).await.unwrap().unwrap().received_at;
        assert_eq!((due.as_second() - received.as_second()) / 60, 30);

        let events = s.events_for("settings", "extraction").await.unwrap();
        assert_eq!(events.len(), 1, "the refused change left no trace");
        let change = events[0]
            .changes
            .iter()
            .find(|c| c.field == "review_sla_minutes")
            .unwrap();
        assert_eq!(
            (change.before.as_deref(), change.after.as_deref()),
            (Some("240"), Some("30"))
        );
        assert_eq!(events[0].actor, Actor::User("adam".into()));
    }
}

#[tokio::test]
async fn a_correction_and_what_it_teaches_are_written_together_or_not_at_all() {
    use domain::customer_item::CustomerItem;
    use domain::values::{CustomerNo, CustomerPartNo, Sku};
    use store::drafts::{DraftContent, LayoutHint, StoredLesson};
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        let pipeline = Pipeline::default();
        let d = in_review(
            s,
            &pipeline,
            "tx",
            "1    K-9          Sonderteil               7      Stk\r\n",
        )
        .await;
        let lesson = StoredLesson {
            customer_item: Some(CustomerItem {
                customer_no: CustomerNo::parse("10042").unwrap(),
                customer_part_no: CustomerPartNo::parse("K-9").unwrap(),
                sku: Some(Sku::parse("A-100").unwrap()),
                customer_uom: None,
                factor: None,
            }),
            layout_hint: Some(LayoutHint {
                sender: "einkauf@muster.example".into(),
                field: "po_number".into(),
                label: "Vorgang".into(),
            }),
        };
        let event = domain::event::Event {
            occurred_at: jiff::Timestamp::now(),
            actor: Actor::User("clara".into()),
            entity_type: "draft".into(),
            entity_id: d.id.to_string(),
            action: "corrected".into(),
            changes: Vec::new(),
        };
        let content = DraftContent {
            extraction: &d.extraction,
            summary: "{}",
            decision: d.decision,
        };
        let undo = store::drafts::UndoPoint {
            before: DraftContent {
                extraction: &d.extraction,
                summary: "{\"before\":true}",
                decision: d.decision,
            },
            by: "clara",
            field: "lines[1].sku",
            before_value: None,
            after_value: Some("A-100"),
        };
        let events_before = s.events_for("draft", &d.id.to_string()).await.unwrap().len();
        // Someone else changed the draft meanwhile: nothing of it is written.
        let stale = s
            .correct_draft(
                d.id,
                d.version + 1,
                content,
                &lesson,
                &undo,
                std::slice::from_ref(&event),
            )
            .await
            .unwrap();
        assert!(!stale);
        let items = s.customer_items_of("10042").await.unwrap();
        assert!(
            !items.iter().any(|i| i.customer_part_no.as_str() == "K-9"),
            "{:?}",
            t.backend
        );
        assert!(s.layout_hints("einkauf@muster.example").await.unwrap().is_empty());
        let events = s.events_for("draft", &d.id.to_string()).await.unwrap();
        assert_eq!(events.len(), events_before);
        assert_eq!(s.draft(d.id).await.unwrap().unwrap().version, d.version);

        assert!(
            s.correct_draft(d.id, d.version, content, &lesson, &undo, std::slice::from_ref(&event))
                .await
                .unwrap()
        );
        let items = s.customer_items_of("10042").await.unwrap();
        assert!(items.iter().any(|i| i.customer_part_no.as_str() == "K-9"));
        assert_eq!(
            s.layout_hints("einkauf@muster.example").await.unwrap()[0].label,
            "Vorgang"
        );
        assert_eq!(s.draft(d.id).await.unwrap().unwrap().version, d.version + 1);

        // Undone: the draft as it was, the part number it taught taken back, the correction kept on record.
        assert_eq!(
            s.undoable(d.id).await.unwrap().map(|u| u.field),
            Some("lines[1].sku".to_owned())
        );
        let stale = s
            .undo_correction(d.id, d.version, "clara", |_| event.clone())
            .await
            .unwrap();
        assert_eq!(stale, store::drafts::UndoOutcome::Conflict, "{:?}", t.backend);
        let undone = s
            .undo_correction(d.id, d.version + 1, "clara", |_| event.clone())
            .await
            .unwrap();
        assert!(
            matches!(&undone, store::drafts::UndoOutcome::Undone { undone, unlearned: true } if undone.after_value.as_deref() == Some("A-100")),
            "{undone:?}"
        );
        let after = s.draft(d.id).await.unwrap().unwrap();
        assert_eq!(after.version, d.version + 2);
        assert_eq!(after.extraction, d.extraction);
        let items = s.customer_items_of("10042").await.unwrap();
        assert!(
            !items.iter().any(|i| i.customer_part_no.as_str() == "K-9"),
            "{:?}",
            t.backend
        );
        assert_eq!(s.undoable(d.id).await.unwrap(), None);
        assert_eq!(
            s.undo_correction(d.id, d.version + 2, "clara", |_| event.clone())
                .await
                .unwrap(),
            store::drafts::UndoOutcome::Nothing
        );
    }
}

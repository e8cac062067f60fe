//! Service levels: due times in business hours, and overdue work escalated
//! once — marked in the queue, on the draft's history, and told to the
//! managers by mail through a real SMTP server.

use app::intake::{Pipeline, drain, receive};
use app::outbound::{Outbox, send_due};
use app::sla::{SlaSettings, escalate_overdue};
use domain::review::DraftStatus;

use crate::drafting::{master, order_mail};
use crate::outbound::{delivered_with, smtp, smtp_server};

#[tokio::test]
async fn work_is_due_in_business_hours_and_escalated_once_when_overdue() {
    let Some((port, maildir)) = smtp_server() else { return };
    let t = tooling::testing::fresh_sqlite().await;
    let s = &t.store;
    master(s).await;
    let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let sla = SlaSettings {
        business_hours: "Mon-Fri 08:00-17:00".into(),
        holidays: vec!["2026-12-24".into()],
        escalate_to: vec![format!("leitung-{}@lieferant.example", fastrand::u32(..))],
    };
    let mut outbox = Outbox::from(smtp(port));
    outbox.letter.confirmations.enabled = false;
    outbox.letter.confirmations.signature = "Orderdesk".into();
    let pipeline = Pipeline {
        outbox: outbox.clone(),
        sla: sla.clone(),
        zone: Some(berlin.clone()),
        ..Pipeline::default()
    };
    // 510 pieces break the pack size: the draft waits for a person, 240 business minutes.
    let lines = "1    A-100        Sechskantschraube M8x40  510    Stk  0,12\r\n";
    let received = receive(
        s,
        "upload",
        None,
        &order_mail("sla1", "Bestellnummer", "PO-SLA1", lines),
    )
    .await
    .unwrap();
    drain(s, &pipeline).await.unwrap();
    let d = s.draft_of_message(received.id).await.unwrap().unwrap();
    assert_eq!(d.status, DraftStatus::Review);
    let arrived = s.message(received.id).await.unwrap().unwrap().received_at;
    let due = d.due_at.unwrap().to_zoned(berlin.clone());
    assert!(due.timestamp() >= arrived + jiff::SignedDuration::from_mins(240));
    assert!(
        due.weekday().to_monday_one_offset() <= 5 && (8..=17).contains(&due.hour()),
        "due within opening hours: {due}"
    );
    let hours = sla.hours().unwrap().unwrap();
    assert_eq!(
        hours.between(arrived, due.timestamp(), &berlin),
        jiff::SignedDuration::from_mins(240),
        "four business hours between receipt and due"
    );

    // Not yet due: nothing happens. Overdue: escalated once.
    assert_eq!(escalate_overdue(s, &outbox, &sla, &berlin, arrived).await.unwrap(), 0);
    let later = due.timestamp() + jiff::SignedDuration::from_mins(1);
    assert_eq!(escalate_overdue(s, &outbox, &sla, &berlin, later).await.unwrap(), 1);
    assert_eq!(
        escalate_overdue(s, &outbox, &sla, &berlin, later).await.unwrap(),
        0,
        "once"
    );
    let d = s.draft(d.id).await.unwrap().unwrap();
    assert!(d.escalated && d.status == DraftStatus::Review);
    assert!(d.status_reason.as_deref().unwrap_or("").starts_with("overdue since"));
    let events = s.events_for("draft", &d.id.to_string()).await.unwrap();
    assert_eq!(events.last().unwrap().action, "escalated");

    let report = send_due(s, &outbox, later, 10).await.unwrap();
    let mails = s.mails(10).await.unwrap();
    assert_eq!(report.failed, 0, "{mails:?}");
    let to = &sla.escalate_to[0];
    let found = delivered_with(&maildir, &format!("To: {to}"), 1).await;
    assert_eq!(found.len(), 1, "one mail to the manager");
    let mail = mail_parser::MessageParser::new().parse(found[0].as_bytes()).unwrap();
    assert!(mail.subject().unwrap().contains(&format!("Entwurf {}", d.id)));
    assert!(mail.body_text(0).unwrap().contains(&format!("/drafts/{}", d.id)));
}

#[test]
fn settings_name_their_mistakes() {
    let bad = SlaSettings {
        business_hours: "Mon-Fri 17:00-08:00".into(),
        ..SlaSettings::default()
    };
    assert!(bad.check().unwrap_err().contains("[sla]"));
    let bad_to = SlaSettings {
        escalate_to: vec!["leitung at example".into()],
        ..SlaSettings::default()
    };
    assert!(bad_to.check().unwrap_err().contains("escalate_to"));
    assert!(SlaSettings::default().check().is_ok());
}

//! Service levels: when a draft is due (the review or quote target from
//! `[extraction]`, counted in business hours when the site has them), and
//! the escalation of overdue work — once per draft, marked escalated in the
//! queue and told to the managers by mail.

use domain::event::{Actor, Event, FieldChange};
use domain::sla::BusinessHours;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::Store;
use store::outbound::{MailKind, NewMail};

use crate::outbound::Outbox;

/// Business hours, holidays and who hears of overdue work (`[sla]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SlaSettings {
    /// `Mon-Fri 08:00-17:00; Sat 09:00-12:00`; empty: targets run around the clock.
    pub business_hours: String,
    /// Days closed, as `YYYY-MM-DD`.
    pub holidays: Vec<String>,
    /// Addresses that get a mail when work becomes overdue (the head of inside sales).
    pub escalate_to: Vec<String>,
}

impl SlaSettings {
    /// The business hours, or `None` for around the clock; an error names what is wrong.
    pub fn hours(&self) -> Result<Option<BusinessHours>, String> {
        if self.business_hours.trim().is_empty() {
            return Ok(None);
        }
        BusinessHours::parse(&self.business_hours, &self.holidays)
            .map(Some)
            .map_err(|e| format!("[sla] {e}"))
    }

    pub fn check(&self) -> Result<(), String> {
        self.hours()?;
        for to in &self.escalate_to {
            if !mail::smtp::is_address(to) {
                return Err(format!("[sla] escalate_to: '{to}' is not a mail address"));
            }
        }
        Ok(())
    }

    /// When work received at `received` is due after `minutes`.
    pub fn due(&self, received: Timestamp, minutes: u64, zone: &jiff::tz::TimeZone) -> Timestamp {
        let minutes = i64::try_from(minutes).unwrap_or(i64::MAX / 120);
        match self.hours() {
            Ok(Some(hours)) => hours.due_after(received, minutes, zone),
            _ => received + jiff::SignedDuration::from_mins(minutes),
        }
    }
}

/// The mail that tells a manager a draft is overdue.
fn escalation_mail(
    outbox: &Outbox,
    to: &str,
    draft: &store::drafts::StoredDraft,
    due: Timestamp,
    zone: &jiff::tz::TimeZone,
) -> NewMail {
    let due_text = due.to_zoned(zone.clone()).strftime("%d.%m.%Y %H:%M").to_string();
    let what = format!(
        "{} {}{}",
        draft.kind.as_str().replace('_', " "),
        draft
            .customer_no
            .as_deref()
            .map(|c| format!("from customer {c}"))
            .unwrap_or_else(|| "from an unknown sender".into()),
        draft
            .po_number
            .as_deref()
            .map(|p| format!(", PO {p}"))
            .unwrap_or_default()
    );
    NewMail {
        kind: MailKind::Escalation,
        message_id: Some(draft.message_id),
        order_id: None,
        dedupe_key: format!("escalation:{}:{to}", draft.id),
        language: "de".into(),
        to: to.to_owned(),
        subject: format!("Überfällig / overdue: Entwurf {} ({what})", draft.id),
        body: format!(
            "Entwurf {id} ({what}) war fällig am {due_text} und wartet noch auf Bearbeitung.\n\
             Draft {id} ({what}) was due {due_text} and still waits for a person.\n\n\
             /drafts/{id}\n\nOrderdesk\n",
            id = draft.id
        ),
        mail_message_id: format!(
            "<escalation-{}-{:016x}@{}>",
            draft.id,
            fastrand::u64(..),
            crate::outbound::sender_domain(&outbox.smtp)
        ),
        in_reply_to: None,
        references: Vec::new(),
        attachment: None,
    }
}

/// Marks every overdue draft not yet escalated as escalated (once), with
/// its event, and queues the managers' mails, each draft in one transaction.
/// Returns how many were escalated.
pub async fn escalate_overdue(
    store: &Store,
    configured: &Outbox,
    sla: &SlaSettings,
    zone: &jiff::tz::TimeZone,
    now: Timestamp,
) -> Result<usize, store::StoreError> {
    let outbox = crate::settings::outbox(store, configured).await?;
    let mut escalated = 0;
    for draft in store.overdue_drafts(now, 500).await? {
        let Some(due) = draft.due_at else { continue };
        let reason = format!(
            "overdue since {}",
            due.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M")
        );
        let event = Event {
            occurred_at: now,
            actor: Actor::System("sla".into()),
            entity_type: "draft".into(),
            entity_id: draft.id.to_string(),
            action: "escalated".into(),
            changes: vec![FieldChange {
                field: "reason".into(),
                before: None,
                after: Some(reason.clone()),
            }],
        };
        let mails: Vec<NewMail> = if outbox.smtp.host.trim().is_empty() {
            Vec::new()
        } else {
            sla.escalate_to
                .iter()
                .map(|to| escalation_mail(&outbox, to, &draft, due, zone))
                .collect()
        };
        if store.escalate_draft(&draft, &reason, &event, &mails).await? {
            escalated += 1;
        }
    }
    Ok(escalated)
}

/// Escalates overdue work every minute for as long as `serve` runs.
pub async fn run(
    store: Store,
    outbox: Outbox,
    sla: SlaSettings,
    zone: jiff::tz::TimeZone,
    quotes: crate::quote::QuoteSettings,
) {
    loop {
        match escalate_overdue(&store, &outbox, &sla, &zone, Timestamp::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(drafts = n, "overdue drafts escalated"),
            Err(e) => tracing::error!(error = %e, "escalating overdue drafts failed"),
        }
        // Quotes past their validity expire; the team hears of those ending soon.
        let now = Timestamp::now();
        let today = now.to_zoned(zone.clone()).date();
        let tended = match crate::settings::quotes(&store, &quotes).await {
            Ok(settings) => crate::quote::tend(&store, &settings, &outbox, &sla.escalate_to, today, now).await,
            Err(e) => Err(e),
        };
        match tended {
            Ok(t) if t == crate::quote::Tended::default() => {}
            Ok(t) => tracing::info!(t.expired, t.reminded, t.escalated, "quotes tended"),
            Err(e) => tracing::error!(error = %e, "tending quotes failed"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    }
}

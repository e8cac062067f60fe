//! Drafting settings as administrators change them in the web UI: stored in
//! the database, they override `[extraction]` of the configuration file, and
//! the worker reads them for every message, so a change applies to the next one.

use domain::event::{Actor, Event, FieldChange};
use store::Store;

use crate::config::{ErpSettings, ExtractionSettings};

const EXTRACTION: &str = "extraction";

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A value the configuration's own check refuses, named by its key.
    #[error("the settings were not saved: {0}")]
    Invalid(String),
    #[error("mailbox name '{0}' is not allowed: use letters, digits, '-', '_' or '.'")]
    MailboxName(String),
    #[error("a mailbox needs a host and a user name")]
    MailboxIncomplete,
    #[error("the sender '{0}' is not an address (Name <address@example.com>)")]
    Sender(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// The drafting settings in force: the administrators' if they saved any,
/// else the configured ones; with the pricing rules of the quote settings
/// in force, which the order checks share with quotes.
pub async fn extraction(
    store: &Store,
    configured: &ExtractionSettings,
) -> Result<ExtractionSettings, store::StoreError> {
    let mut settings = match store.setting(EXTRACTION).await? {
        None => configured.clone(),
        Some(json) => match serde_json::from_str::<ExtractionSettings>(&json) {
            Ok(stored) if stored.check().is_ok() => stored,
            _ => {
                tracing::error!("the stored drafting settings cannot be read; the configured ones apply");
                configured.clone()
            }
        },
    };
    settings.pricing = store
        .setting(QUOTES)
        .await?
        .and_then(|json| serde_json::from_str::<crate::quote::QuoteSettings>(&json).ok())
        .filter(|s| s.check().is_ok())
        .map_or_else(|| configured.pricing.clone(), |q| q.pricing);
    Ok(settings)
}

/// Checks and saves new drafting settings; the event lists each changed value before and after.
pub async fn save_extraction(
    store: &Store,
    before: &ExtractionSettings,
    new: &ExtractionSettings,
    user: &str,
) -> Result<(), SettingsError> {
    new.check().map_err(SettingsError::Invalid)?;
    let flat = |s: &ExtractionSettings| -> Vec<(String, String)> {
        let value = serde_json::to_value(s).unwrap_or_default();
        let mut out = Vec::new();
        flatten("", &value, &mut out);
        out
    };
    let (old, fresh) = (flat(before), flat(new));
    let find = |list: &[(String, String)], k: &str| list.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let mut keys: Vec<String> = old.iter().chain(fresh.iter()).map(|(k, _)| k.clone()).collect();
    keys.sort();
    keys.dedup();
    let changes: Vec<FieldChange> = keys
        .iter()
        .filter_map(|k| {
            let (b, a) = (find(&old, k), find(&fresh, k));
            (b != a).then(|| FieldChange {
                field: k.clone(),
                before: b,
                after: a,
            })
        })
        .collect();
    if changes.is_empty() {
        return Ok(());
    }
    let event = Event {
        occurred_at: jiff::Timestamp::now(),
        actor: Actor::User(user.to_owned()),
        entity_type: "settings".into(),
        entity_id: EXTRACTION.into(),
        action: "changed".into(),
        changes,
    };
    let json = serde_json::to_string(new).unwrap_or_default();
    store.save_setting(EXTRACTION, &json, user, &event).await?;
    Ok(())
}

fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        serde_json::Value::Array(items) => out.push((
            prefix.to_owned(),
            items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(", "),
        )),
        serde_json::Value::String(s) => out.push((prefix.to_owned(), s.clone())),
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

/// A mailbox's settings, as the web UI and the configuration file give them.
pub use mail::MailboxConfig;

const MAILBOXES: &str = "mailboxes";

/// A mailbox in force and where it is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxInForce {
    pub config: mail::MailboxConfig,
    /// Added in the web UI (`true`) or in orderdesk.toml.
    pub from_settings: bool,
}

/// Mailboxes administrators added in the web UI.
pub async fn stored_mailboxes(store: &Store) -> Result<Vec<mail::MailboxConfig>, store::StoreError> {
    Ok(store
        .setting(MAILBOXES)
        .await?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

/// The mailboxes in force: those of orderdesk.toml, replaced or added to by
/// those saved in the web UI (same name: the saved one wins).
pub async fn mailboxes(
    store: &Store,
    configured: &[mail::MailboxConfig],
) -> Result<Vec<MailboxInForce>, store::StoreError> {
    let stored = stored_mailboxes(store).await?;
    let mut out: Vec<MailboxInForce> = configured
        .iter()
        .filter(|c| !stored.iter().any(|s| s.name == c.name))
        .map(|c| MailboxInForce {
            config: c.clone(),
            from_settings: false,
        })
        .collect();
    out.extend(stored.into_iter().map(|config| MailboxInForce {
        config,
        from_settings: true,
    }));
    out.sort_by(|a, b| a.config.name.cmp(&b.config.name));
    Ok(out)
}

fn mailbox_text(m: &mail::MailboxConfig) -> String {
    format!(
        "{}@{}:{} {} folder {}{}",
        m.username,
        m.host,
        m.port,
        if m.tls { "TLS" } else { "plain" },
        m.folder,
        m.move_to
            .as_deref()
            .map(|t| format!(", move to {t}"))
            .unwrap_or_default()
    )
}

/// Adds or replaces (by name) a mailbox; the password is never written to the event.
pub async fn save_mailbox(store: &Store, mailbox: mail::MailboxConfig, user: &str) -> Result<(), SettingsError> {
    let name = mailbox.name.trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(SettingsError::MailboxName(name.to_owned()));
    }
    if mailbox.host.trim().is_empty() || mailbox.username.trim().is_empty() {
        return Err(SettingsError::MailboxIncomplete);
    }
    let mut list = stored_mailboxes(store).await?;
    let before = list.iter().find(|m| m.name == mailbox.name).map(mailbox_text);
    let mut mailbox = mailbox;
    if mailbox.password.is_empty()
        && let Some(old) = list.iter().find(|m| m.name == mailbox.name)
    {
        // An empty password field keeps the stored password.
        mailbox.password = old.password.clone();
    }
    let after = Some(mailbox_text(&mailbox));
    let name = mailbox.name.clone();
    list.retain(|m| m.name != name);
    list.push(mailbox);
    save_mailbox_list(store, &list, &name, before, after, user).await
}

/// Removes a mailbox added in the web UI.
pub async fn remove_mailbox(store: &Store, name: &str, user: &str) -> Result<bool, SettingsError> {
    let mut list = stored_mailboxes(store).await?;
    let Some(old) = list.iter().find(|m| m.name == name).cloned() else {
        return Ok(false);
    };
    list.retain(|m| m.name != name);
    save_mailbox_list(store, &list, name, Some(mailbox_text(&old)), None, user).await?;
    Ok(true)
}

async fn save_mailbox_list(
    store: &Store,
    list: &[mail::MailboxConfig],
    name: &str,
    before: Option<String>,
    after: Option<String>,
    user: &str,
) -> Result<(), SettingsError> {
    let event = Event {
        occurred_at: jiff::Timestamp::now(),
        actor: Actor::User(user.to_owned()),
        entity_type: "settings".into(),
        entity_id: MAILBOXES.into(),
        action: if after.is_some() { "changed" } else { "removed" }.into(),
        changes: vec![FieldChange {
            field: format!("mailbox {name}"),
            before,
            after,
        }],
    };
    let json = serde_json::to_string(list).unwrap_or_else(|_| "[]".into());
    store.save_setting(MAILBOXES, &json, user, &event).await?;
    Ok(())
}

const ERP: &str = "erp";

/// The ERP link in force: the administrators' settings if they saved any,
/// else `[erp]` of orderdesk.toml; `true` when they come from the web UI.
pub async fn erp(store: &Store, configured: &ErpSettings) -> Result<(ErpSettings, bool), store::StoreError> {
    Ok(
        match store
            .setting(ERP)
            .await?
            .and_then(|json| serde_json::from_str::<ErpSettings>(&json).ok())
        {
            Some(stored) => (stored, true),
            None => (configured.clone(), false),
        },
    )
}

/// A secret as a trail shows it: whether one is set, never its value.
fn set_or_not(secret: &Option<String>) -> String {
    if secret.as_deref().is_some_and(|v| !v.is_empty()) {
        "set"
    } else {
        "not set"
    }
    .to_owned()
}

/// What changed between two trail views of a setting (`prefix field`), and a
/// changed password as `set → changed` (its value is never written).
fn trail_changes(
    prefix: &str,
    before: Vec<(&'static str, String)>,
    after: Vec<(&'static str, String)>,
    old_password: &Option<String>,
    new_password: &Option<String>,
) -> Vec<FieldChange> {
    let mut changes: Vec<FieldChange> = after
        .into_iter()
        .zip(before)
        .filter(|((_, a), (_, b))| a != b)
        .map(|((field, after), (_, before))| FieldChange {
            field: format!("{prefix} {field}"),
            before: Some(before),
            after: Some(after),
        })
        .collect();
    if new_password != old_password && old_password.is_some() && new_password.is_some() {
        changes.push(FieldChange {
            field: format!("{prefix} password"),
            before: Some("set".into()),
            after: Some("changed".into()),
        });
    }
    changes
}

/// The ERP settings as a trail shows them: never a password or secret, only whether one is set.
fn erp_fields(s: &ErpSettings) -> Vec<(&'static str, String)> {
    vec![
        ("connector", s.connector.as_str().to_owned()),
        ("url", s.url.clone().unwrap_or_default()),
        ("database", s.database.clone().unwrap_or_default()),
        ("user", s.user.clone().unwrap_or_default()),
        ("password", set_or_not(&s.password)),
        ("secret", set_or_not(&s.secret)),
        (
            "dir",
            s.dir.as_ref().map(|d| d.display().to_string()).unwrap_or_default(),
        ),
        ("sale_state", s.sale_state.as_str().to_owned()),
        ("pull_interval_seconds", s.pull_interval_seconds.to_string()),
    ]
}

/// Saves the ERP settings an administrator gave. An empty password or secret
/// keeps the one in force; the event names what changed, never a password.
pub async fn save_erp(
    store: &Store,
    configured: &ErpSettings,
    mut new: ErpSettings,
    user: &str,
) -> Result<(), SettingsError> {
    let (old, _) = erp(store, configured).await?;
    if new.password.as_deref().is_none_or(str::is_empty) {
        new.password = old.password.clone();
    }
    if new.secret.as_deref().is_none_or(str::is_empty) {
        new.secret = old.secret.clone();
    }
    crate::erp::connector(&new).map_err(|e| SettingsError::Invalid(e.to_string()))?;
    let changes = trail_changes("erp", erp_fields(&old), erp_fields(&new), &old.password, &new.password);
    let event = Event {
        occurred_at: jiff::Timestamp::now(),
        actor: Actor::User(user.to_owned()),
        entity_type: "settings".into(),
        entity_id: ERP.into(),
        action: "changed".into(),
        changes,
    };
    let json = serde_json::to_string(&new).map_err(|e| SettingsError::Invalid(e.to_string()))?;
    store.save_setting(ERP, &json, user, &event).await?;
    Ok(())
}

const SMTP: &str = "smtp";
const ACKNOWLEDGEMENTS: &str = "acknowledgements";
const COMPANY: &str = "company";
const CONFIRMATIONS: &str = "confirmations";
const QUOTES: &str = "quotes";

/// How quotes are made: the administrators' settings, else `[quotes]`.
pub async fn quotes(
    store: &Store,
    configured: &crate::quote::QuoteSettings,
) -> Result<crate::quote::QuoteSettings, store::StoreError> {
    Ok(store
        .setting(QUOTES)
        .await?
        .and_then(|json| serde_json::from_str::<crate::quote::QuoteSettings>(&json).ok())
        .filter(|s| s.check().is_ok())
        .unwrap_or_else(|| configured.clone()))
}

/// Checks and saves the quote settings (pricing rules, approval limits,
/// validity, texts); the event lists each changed value.
pub async fn save_quotes(
    store: &Store,
    configured: &crate::quote::QuoteSettings,
    new: crate::quote::QuoteSettings,
    user: &str,
) -> Result<(), SettingsError> {
    new.check().map_err(SettingsError::Invalid)?;
    let old = quotes(store, configured).await?;
    save_flat(store, QUOTES, &old, &new, user).await
}

/// The letterhead in force: the administrators', else `[company]`.
pub async fn company(
    store: &Store,
    configured: &crate::confirmation::CompanySettings,
) -> Result<crate::confirmation::CompanySettings, store::StoreError> {
    Ok(store
        .setting(COMPANY)
        .await?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_else(|| configured.clone()))
}

/// When confirmations go out: the administrators' settings, else `[confirmations]`.
pub async fn confirmations(
    store: &Store,
    configured: &crate::confirmation::ConfirmationSettings,
) -> Result<crate::confirmation::ConfirmationSettings, store::StoreError> {
    Ok(store
        .setting(CONFIRMATIONS)
        .await?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_else(|| configured.clone()))
}

/// What the outbox sends with now: SMTP server, letterhead and confirmation rules in force.
pub async fn outbox(
    store: &Store,
    configured: &crate::outbound::Outbox,
) -> Result<crate::outbound::Outbox, store::StoreError> {
    let (smtp, _) = smtp(store, &configured.smtp).await?;
    Ok(crate::outbound::Outbox {
        smtp,
        letter: crate::confirmation::Letter {
            company: company(store, &configured.letter.company).await?,
            confirmations: confirmations(store, &configured.letter.confirmations).await?,
            time_zone: configured.letter.time_zone.clone(),
        },
    })
}

/// Saves the letterhead and the confirmation rules an administrator gave;
/// the events list each changed value.
pub async fn save_letter(
    store: &Store,
    configured: &crate::outbound::Outbox,
    company_new: crate::confirmation::CompanySettings,
    confirmations_new: crate::confirmation::ConfirmationSettings,
    user: &str,
) -> Result<(), SettingsError> {
    let company_old = company(store, &configured.letter.company).await?;
    save_flat(store, COMPANY, &company_old, &company_new, user).await?;
    let confirmations_old = confirmations(store, &configured.letter.confirmations).await?;
    save_flat(store, CONFIRMATIONS, &confirmations_old, &confirmations_new, user).await
}

/// Whether a customer gets acknowledgements and confirmations: `(acknowledgements, confirmations)`.
pub async fn customer_mail(
    store: &Store,
    configured_acks: &crate::outbound::AcknowledgementSettings,
    configured: &crate::outbound::Outbox,
    customer_no: &str,
) -> Result<(bool, bool), store::StoreError> {
    let acks = acknowledgements(store, configured_acks).await?;
    let rules = confirmations(store, &configured.letter.confirmations).await?;
    let off = |list: &[String]| list.iter().any(|c| c.trim() == customer_no);
    Ok((!off(&acks.opt_out), !off(&rules.opt_out)))
}

/// Turns a customer's acknowledgements and confirmations on or off (their
/// opt-out lists), each change with its event.
pub async fn set_customer_mail(
    store: &Store,
    configured_acks: &crate::outbound::AcknowledgementSettings,
    configured: &crate::outbound::Outbox,
    customer_no: &str,
    (acknowledge, confirm): (bool, bool),
    user: &str,
) -> Result<(), SettingsError> {
    let toggle = |list: &mut Vec<String>, on: bool| {
        list.retain(|c| c.trim() != customer_no);
        if !on {
            list.push(customer_no.to_owned());
        }
    };
    let old_acks = acknowledgements(store, configured_acks).await?;
    let mut acks = old_acks.clone();
    toggle(&mut acks.opt_out, acknowledge);
    if acks != old_acks {
        save_flat(store, ACKNOWLEDGEMENTS, &old_acks, &acks, user).await?;
    }
    let old_rules = confirmations(store, &configured.letter.confirmations).await?;
    let mut rules = old_rules.clone();
    toggle(&mut rules.opt_out, confirm);
    if rules != old_rules {
        save_flat(store, CONFIRMATIONS, &old_rules, &rules, user).await?;
    }
    Ok(())
}

/// Saves one setting as JSON with an event of its changed values.
async fn save_flat<T: serde::Serialize>(
    store: &Store,
    key: &str,
    old: &T,
    new: &T,
    user: &str,
) -> Result<(), SettingsError> {
    let (mut before, mut after) = (Vec::new(), Vec::new());
    flatten("", &serde_json::to_value(old).unwrap_or_default(), &mut before);
    flatten("", &serde_json::to_value(new).unwrap_or_default(), &mut after);
    let changes: Vec<FieldChange> = after
        .iter()
        .filter_map(|(field, value)| {
            let was = before.iter().find(|(f, _)| f == field).map(|(_, v)| v.clone());
            (was.as_ref() != Some(value)).then(|| FieldChange {
                field: format!("{key} {field}"),
                before: was,
                after: Some(value.clone()),
            })
        })
        .collect();
    let event = Event {
        occurred_at: jiff::Timestamp::now(),
        actor: Actor::User(user.to_owned()),
        entity_type: "settings".into(),
        entity_id: key.into(),
        action: "changed".into(),
        changes,
    };
    let json = serde_json::to_string(new).map_err(|e| SettingsError::Invalid(e.to_string()))?;
    store.save_setting(key, &json, user, &event).await?;
    Ok(())
}

/// The SMTP server in force: the administrators' if they saved one, else
/// `[smtp]` of orderdesk.toml; `true` when it comes from the web UI.
pub async fn smtp(
    store: &Store,
    configured: &mail::smtp::SmtpConfig,
) -> Result<(mail::smtp::SmtpConfig, bool), store::StoreError> {
    Ok(
        match store
            .setting(SMTP)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok())
        {
            Some(stored) => (stored, true),
            None => (configured.clone(), false),
        },
    )
}

/// When acknowledgements go out: the administrators' settings, else `[acknowledgements]`.
pub async fn acknowledgements(
    store: &Store,
    configured: &crate::outbound::AcknowledgementSettings,
) -> Result<crate::outbound::AcknowledgementSettings, store::StoreError> {
    Ok(store
        .setting(ACKNOWLEDGEMENTS)
        .await?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_else(|| configured.clone()))
}

/// Saves the SMTP server and the acknowledgement rules an administrator gave,
/// in two settings; an empty password keeps the one in force; the events
/// never hold a password.
pub async fn save_mail(
    store: &Store,
    configured_smtp: &mail::smtp::SmtpConfig,
    configured_acks: &crate::outbound::AcknowledgementSettings,
    mut smtp_new: mail::smtp::SmtpConfig,
    acks_new: crate::outbound::AcknowledgementSettings,
    user: &str,
) -> Result<(), SettingsError> {
    let (old, _) = smtp(store, configured_smtp).await?;
    if smtp_new.password.as_deref().is_none_or(str::is_empty) {
        smtp_new.password = old.password.clone();
    }
    if !smtp_new.host.trim().is_empty() && !mail::smtp::is_address(&smtp_new.from) {
        return Err(SettingsError::Sender(smtp_new.from.clone()));
    }
    let text = |s: &mail::smtp::SmtpConfig| {
        vec![
            ("host", s.host.clone()),
            ("port", s.port.to_string()),
            ("security", format!("{:?}", s.security).to_lowercase()),
            ("username", s.username.clone().unwrap_or_default()),
            ("password", set_or_not(&s.password)),
            ("from", s.from.clone()),
        ]
    };
    let changes = trail_changes("smtp", text(&old), text(&smtp_new), &old.password, &smtp_new.password);
    let event = |entity: &str, changes: Vec<FieldChange>| Event {
        occurred_at: jiff::Timestamp::now(),
        actor: Actor::User(user.to_owned()),
        entity_type: "settings".into(),
        entity_id: entity.into(),
        action: "changed".into(),
        changes,
    };
    let json = serde_json::to_string(&smtp_new).map_err(|e| SettingsError::Invalid(e.to_string()))?;
    store.save_setting(SMTP, &json, user, &event(SMTP, changes)).await?;
    let old_acks = acknowledgements(store, configured_acks).await?;
    save_flat(store, ACKNOWLEDGEMENTS, &old_acks, &acks_new, user).await
}

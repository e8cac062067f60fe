//! Drafting settings as administrators change them in the web UI: stored in
//! the database, they override `[extraction]` of the configuration file, and
//! the worker reads them for every message, so a change applies to the next one.

use domain::event::{Actor, Event, FieldChange};
use store::Store;

use crate::config::ExtractionSettings;

const EXTRACTION: &str = "extraction";

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("the settings were not saved: {0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// The drafting settings in force: the administrators' if they saved any, else the configured ones.
pub async fn extraction(
    store: &Store,
    configured: &ExtractionSettings,
) -> Result<ExtractionSettings, store::StoreError> {
    let Some(json) = store.setting(EXTRACTION).await? else {
        return Ok(configured.clone());
    };
    match serde_json::from_str::<ExtractionSettings>(&json) {
        Ok(stored) if stored.check().is_ok() => Ok(stored),
        _ => {
            tracing::error!("the stored drafting settings cannot be read; the configured ones apply");
            Ok(configured.clone())
        }
    }
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

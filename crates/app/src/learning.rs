//! Learning from corrections: the async shell around [`Draft::apply`].
//!
//! [`correct`] reads the stored draft (with the version the reviewer saw, so
//! two reviewers cannot overwrite each other), applies the correction (pure,
//! [`crate::draft::correct`]), and writes the changed draft, what it taught
//! (a customer part number, a layout hint for the sender) and their events in
//! one store transaction: a refused or conflicting correction teaches nothing.

use domain::event::{Actor, Event, FieldChange};
use store::Store;
use store::drafts::{DraftContent, LayoutHint, StoredLesson};

use crate::draft::correct::Reading;
use crate::draft::{CatalogCache, Correction, CorrectionError, Draft, Lesson};

#[derive(Debug, thiserror::Error)]
pub enum LearningError {
    #[error("draft {0} does not exist")]
    NoDraft(i64),
    #[error("draft {id} was changed by someone else meanwhile (you saw version {seen}); reload it and correct again")]
    Conflict { id: i64, seen: i64 },
    #[error("draft {id}: {source}")]
    Refused { id: i64, source: CorrectionError },
    #[error("draft {id}: {source}")]
    Corrupt {
        id: i64,
        source: crate::draft::UnreadableDraft,
    },
    #[error("draft {0} has no correction left to undo")]
    NothingToUndo(i64),
    #[error("the catalog cannot be loaded to check the draft again: {0}")]
    Catalog(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// Applies `correction` to draft `id` as seen at `version`, by `user`, and learns from it.
pub async fn correct(
    store: &Store,
    catalog: &CatalogCache,
    settings: &crate::config::ExtractionSettings,
    id: i64,
    version: i64,
    correction: &Correction,
    user: &str,
) -> Result<Lesson, LearningError> {
    let stored = store.draft(id).await?.ok_or(LearningError::NoDraft(id))?;
    if stored.version != version {
        return Err(LearningError::Conflict { id, seen: version });
    }
    let mut draft = Draft::from_json(&stored.extraction).map_err(|source| LearningError::Corrupt { id, source })?;
    let before_summary = crate::draft::summary(&draft);
    let before_decision = draft.decision;
    let message = store.message(stored.message_id).await?;
    let loaded = catalog
        .get(store, std::time::Duration::from_secs(settings.catalog_refresh_seconds))
        .await
        .map_err(|e| LearningError::Catalog(e.to_string()))?;
    let (change, lesson) = {
        let catalog = loaded.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let reading = Reading {
            catalog: &catalog,
            settings,
            today: jiff::Zoned::now().date(),
            reviewer: user,
            documents_json: message.as_ref().and_then(|m| m.documents_json.as_deref()),
        };
        draft
            .apply(correction, &reading)
            .map_err(|source| LearningError::Refused { id, source })?
    };
    let now = jiff::Timestamp::now();
    let undo = store::drafts::UndoPoint {
        before: DraftContent {
            extraction: &stored.extraction,
            summary: &before_summary,
            decision: before_decision,
        },
        by: user,
        field: &change.field,
        before_value: change.before.as_deref(),
        after_value: change.after.as_deref(),
    };
    let mut events = vec![event(
        now,
        user,
        ("draft", &id.to_string(), "corrected"),
        FieldChange {
            field: change.field.clone(),
            before: change.before.clone(),
            after: change.after.clone(),
        },
    )];
    let sender = message.as_ref().and_then(|m| m.sender.clone());
    let layout_hint = lesson.layout_hint.as_ref().zip(sender).map(|((field, label), sender)| {
        events.push(event(
            now,
            user,
            ("sender", &sender, "layout_hint_learned"),
            FieldChange {
                field: field.as_str().into(),
                before: None,
                after: Some(label.clone()),
            },
        ));
        LayoutHint {
            sender,
            field: field.as_str().into(),
            label: label.clone(),
        }
    });
    if let Some(item) = &lesson.customer_item {
        events.push(event(
            now,
            user,
            (
                "customer_item",
                &domain::natural_key(&[item.customer_no.as_str(), item.customer_part_no.as_str()]),
                "learned",
            ),
            FieldChange {
                field: "sku".into(),
                before: None,
                after: item.sku.as_ref().map(|s| s.as_str().to_owned()),
            },
        ));
    }
    let stored_lesson = StoredLesson {
        customer_item: lesson.customer_item.clone(),
        layout_hint,
    };
    let json = draft.to_json();
    let summary = crate::draft::summary(&draft);
    let content = DraftContent {
        extraction: &json,
        summary: &summary,
        decision: draft.decision,
    };
    if !store
        .correct_draft(id, version, content, &stored_lesson, &undo, &events)
        .await?
    {
        return Err(LearningError::Conflict { id, seen: version });
    }
    if let Some(item) = &lesson.customer_item
        && let Some(catalog) = catalog.loaded().await
    {
        catalog
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .learn_customer_item(item.clone());
    }
    Ok(lesson)
}

/// Undoes the last correction of draft `id` still in review at `version`:
/// the draft as it was before it, and what it taught taken back. The
/// correction stays on record; an `undone` event says what came back.
pub async fn undo(
    store: &Store,
    catalog: &CatalogCache,
    id: i64,
    version: i64,
    user: &str,
) -> Result<store::drafts::Undoable, LearningError> {
    use store::drafts::UndoOutcome;
    let outcome = store
        .undo_correction(id, version, user, |undone| {
            event(
                jiff::Timestamp::now(),
                user,
                ("draft", &id.to_string(), "undone"),
                FieldChange {
                    field: undone.field.clone(),
                    before: undone.after_value.clone(),
                    after: undone.before_value.clone(),
                },
            )
        })
        .await?;
    match outcome {
        UndoOutcome::Undone { undone, unlearned } => {
            if unlearned {
                // The part number taught is gone from the store: the next draft must not use it.
                catalog.invalidate().await;
            }
            Ok(undone)
        }
        UndoOutcome::Nothing => Err(LearningError::NothingToUndo(id)),
        UndoOutcome::Conflict => {
            if store.draft(id).await?.is_none() {
                Err(LearningError::NoDraft(id))
            } else {
                Err(LearningError::Conflict { id, seen: version })
            }
        }
    }
}

fn event(
    at: jiff::Timestamp,
    user: &str,
    (entity_type, entity_id, action): (&str, &str, &str),
    change: FieldChange,
) -> Event {
    Event {
        occurred_at: at,
        actor: Actor::User(user.to_owned()),
        entity_type: entity_type.into(),
        entity_id: entity_id.into(),
        action: action.into(),
        changes: vec![change],
    }
}

/// The label printed before `value` on its line in the stored documents:
/// `Vorgang: 88-123` → `Vorgang`.
pub fn label_before(documents_json: &str, value: &str) -> Option<String> {
    let docs: Vec<document::Document> = serde_json::from_str(documents_json).ok()?;
    for block in docs.iter().flat_map(|d| d.text_blocks.iter()) {
        for cell in block.text.split('\t') {
            if let Some(at) = cell.find(value) {
                let label = cell[..at].trim().trim_end_matches([':', '#', '.', '-']).trim();
                if !label.is_empty() && label.chars().any(char::is_alphabetic) && label.len() <= 40 {
                    return Some(label.to_owned());
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_is_the_text_before_the_value() {
        let doc = |texts: &[&str]| {
            let mut d = document::Document::new("", None, document::Format::Text);
            d.text_blocks = texts
                .iter()
                .map(|t| document::TextBlock {
                    page: 1,
                    text: (*t).to_owned(),
                    char_start: 0,
                    bbox: None,
                })
                .collect();
            serde_json::to_string(&vec![d]).unwrap()
        };
        let json = doc(&["Sehr geehrte Damen", "Vorgang: 88-123\tDatum: 1.2.2026"]);
        assert_eq!(label_before(&json, "88-123").as_deref(), Some("Vorgang"));
        assert_eq!(label_before(&json, "99-999"), None);
        assert_eq!(label_before(&doc(&["88-123"]), "88-123"), None);
    }
}

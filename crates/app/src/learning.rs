//! Learning from corrections: what a reviewer changes on a draft teaches the next draft.
//!
//! [`correct`] applies one correction to a stored draft (with the version the
//! reviewer saw, so two reviewers cannot overwrite each other), records it as
//! a `corrected` event with before and after, and learns from it:
//! - a line's product: the code the customer printed becomes (or updates) a
//!   customer part number for that customer, so the next order with that code
//!   resolves exactly;
//! - a header field: the label printed before the corrected value in the
//!   original becomes a layout hint for the sender (`Vorgang:` → PO number),
//!   so the next document from that sender with the same layout is read right.

use domain::customer_item::CustomerItem;
use domain::event::{Actor, Event, FieldChange};
use domain::values::{CustomerNo, CustomerPartNo, Sku};
use masterdata::{Entity, Record};
use store::Store;
use store::drafts::LayoutHint;

use crate::draft::{CatalogCache, Draft};

/// One change a reviewer made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Correction {
    /// A header field (`po_number`, `order_date`, `requested_delivery_date`,
    /// `currency`, `stated_total`, `customer_no`) set to a new value.
    Header { field: String, value: String },
    /// The product of line `line_no` (1-based) set to `sku`.
    LineProduct { line_no: u32, sku: String },
    /// A value of line `line_no`: `quantity`, `unit_price`, `uom` or `delivery_date`.
    LineValue { line_no: u32, field: String, value: String },
    /// The customer set to `customer_no` (the reviewer knows who sent it).
    Customer { customer_no: String },
    /// Exception `index` (in the draft's list) accepted or cleared, with the reviewer's note.
    ResolveException { index: usize, note: String },
}

/// What a correction taught.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Learned {
    /// The customer part number created or updated: (customer, code, sku).
    pub customer_item: Option<(String, String, String)>,
    /// The layout hint stored for the sender: (field, label).
    pub layout_hint: Option<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum LearningError {
    #[error("draft {0} does not exist")]
    NoDraft(i64),
    #[error("draft {id} was changed by someone else meanwhile (you saw version {seen}); reload it and correct again")]
    Conflict { id: i64, seen: i64 },
    #[error("draft {id}: line {line_no} does not exist")]
    NoLine { id: i64, line_no: u32 },
    #[error("draft {id}: {field} is not a field that can be corrected")]
    UnknownField { id: i64, field: String },
    #[error("draft {id}: product {sku} does not exist")]
    UnknownProduct { id: i64, sku: String },
    #[error("draft {id}: customer {customer_no} does not exist")]
    UnknownCustomer { id: i64, customer_no: String },
    #[error("draft {id}: {field} '{value}' is not valid: {why}")]
    InvalidValue {
        id: i64,
        field: String,
        value: String,
        why: String,
    },
    #[error("draft {id}: exception {index} does not exist")]
    NoException { id: i64, index: usize },
    #[error("draft {id}: the stored draft cannot be read: {message}")]
    Corrupt { id: i64, message: String },
    #[error("the catalog cannot be loaded to check the draft again: {0}")]
    Catalog(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
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
) -> Result<Learned, LearningError> {
    let stored = store.draft(id).await?.ok_or(LearningError::NoDraft(id))?;
    if stored.version != version {
        return Err(LearningError::Conflict { id, seen: version });
    }
    let mut draft: Draft = serde_json::from_str(&stored.extraction).map_err(|e| LearningError::Corrupt {
        id,
        message: e.to_string(),
    })?;
    let message = store.message(stored.message_id).await?;
    let mut learned = Learned::default();
    let (field, before, after) = match correction {
        Correction::Header { field, value } => {
            let slot = match field.as_str() {
                "po_number" => &mut draft.po_number,
                "order_date" => &mut draft.order_date,
                "requested_delivery_date" => &mut draft.requested_delivery_date,
                "currency" => &mut draft.currency,
                "stated_total" => &mut draft.stated_total,
                _ => {
                    return Err(LearningError::UnknownField {
                        id,
                        field: field.clone(),
                    });
                }
            };
            let before = slot.replace(value.clone());
            if let Some(sender) = message.as_ref().and_then(|m| m.sender.clone())
                && let Some(label) = message
                    .as_ref()
                    .and_then(|m| m.documents_json.as_deref())
                    .and_then(|json| label_before(json, value))
            {
                let hint = LayoutHint {
                    sender: sender.clone(),
                    field: field.clone(),
                    label: label.clone(),
                };
                store
                    .save_layout_hint(
                        &hint,
                        &event(
                            user,
                            "sender",
                            &sender,
                            "layout_hint_learned",
                            field,
                            None,
                            Some(label.clone()),
                        ),
                    )
                    .await?;
                learned.layout_hint = Some((field.clone(), label));
            }
            (field.clone(), before, Some(value.clone()))
        }
        Correction::LineProduct { line_no, sku } => {
            let product = store
                .product(sku)
                .await?
                .ok_or_else(|| LearningError::UnknownProduct { id, sku: sku.clone() })?;
            let line = draft
                .lines
                .iter_mut()
                .find(|l| l.line_no == *line_no)
                .ok_or(LearningError::NoLine { id, line_no: *line_no })?;
            let before = line.sku.replace(sku.clone());
            line.matched_via = Some("reviewer".into());
            line.confidence = 1.0;
            line.alternatives.clear();
            let code = line.printed_code.clone().or_else(|| line.customer_part_no.clone());
            if let (Some(customer), Some(code)) = (draft.customer.as_ref(), code)
                && code != product.sku.as_str()
            {
                let item = CustomerItem {
                    customer_no: parse(&customer.customer_no, CustomerNo::parse, id)?,
                    customer_part_no: parse(&code, CustomerPartNo::parse, id)?,
                    sku: Some(parse(sku, Sku::parse, id)?),
                    customer_uom: None,
                    factor: None,
                };
                crate::import::import_records(
                    store,
                    Entity::CustomerItems,
                    "review correction",
                    vec![Record::CustomerItem(item.clone())],
                    Actor::User(user.to_owned()),
                )
                .await?;
                if let Some(catalog) = catalog.loaded().await {
                    catalog
                        .write()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .learn_customer_item(item);
                }
                line.customer_part_no = Some(code.clone());
                learned.customer_item = Some((customer.customer_no.clone(), code, sku.clone()));
            }
            (format!("lines[{line_no}].sku"), before, Some(sku.clone()))
        }
        Correction::LineValue { line_no, field, value } => {
            let value = normalized_line_value(id, field, value)?;
            let line = draft
                .lines
                .iter_mut()
                .find(|l| l.line_no == *line_no)
                .ok_or(LearningError::NoLine { id, line_no: *line_no })?;
            let before = set_line_value(line, field, value.clone());
            (format!("lines[{line_no}].{field}"), before, value)
        }
        Correction::Customer { customer_no } => {
            let customer = store
                .customer(customer_no)
                .await?
                .ok_or_else(|| LearningError::UnknownCustomer {
                    id,
                    customer_no: customer_no.clone(),
                })?;
            let before = draft.customer.as_ref().map(|c| c.customer_no.clone());
            draft.customer = Some(crate::draft::DraftCustomer {
                customer_no: customer.customer_no.to_string(),
                confidence: 1.0,
                name: Some(customer.name.clone()),
                matched_via: Some("reviewer".into()),
            });
            draft.exceptions.retain(|e| e.code != "unknown_customer");
            ("customer_no".to_owned(), before, Some(customer_no.clone()))
        }
        Correction::ResolveException { index, note } => {
            let exception = draft
                .exceptions
                .get_mut(*index)
                .ok_or(LearningError::NoException { id, index: *index })?;
            exception.resolved_by = Some(user.to_owned());
            exception.resolution = Some(note.trim().to_owned());
            (
                format!("exceptions[{index}]"),
                Some(exception.code.clone()),
                Some(format!("resolved: {}", note.trim())),
            )
        }
    };
    draft.exceptions.retain(|e| match correction {
        Correction::LineProduct { line_no, .. } => !(e.line_no == Some(*line_no) && e.code == "unknown_product"),
        _ => true,
    });
    if !matches!(correction, Correction::ResolveException { .. }) {
        let loaded = catalog
            .get(store, std::time::Duration::from_secs(settings.catalog_refresh_seconds))
            .await
            .map_err(|e| LearningError::Catalog(e.to_string()))?;
        let catalog = loaded.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        crate::draft::recheck(&mut draft, &catalog, settings, jiff::Zoned::now().date());
    }
    let json = serde_json::to_string(&draft).unwrap_or_default();
    let summary = crate::draft::summary(&draft);
    let changed = store
        .update_draft(
            id,
            version,
            store::drafts::DraftContent {
                extraction: &json,
                summary: &summary,
                decision: &draft.decision,
            },
            &stored.status,
            &event(user, "draft", &id.to_string(), "corrected", &field, before, after),
        )
        .await?;
    if !changed {
        return Err(LearningError::Conflict { id, seen: version });
    }
    Ok(learned)
}

/// Sets `field` (`quantity`, `unit_price`, `uom`, `delivery_date`) of a line
/// to a normalized value and returns the value before. A new quantity keeps
/// the line's customer-unit factor: the base quantity follows it.
pub(crate) fn set_line_value(line: &mut crate::draft::DraftLine, field: &str, value: Option<String>) -> Option<String> {
    let slot = match field {
        "quantity" => &mut line.quantity,
        "unit_price" => &mut line.unit_price,
        "uom" => &mut line.uom,
        _ => &mut line.delivery_date,
    };
    let before = std::mem::replace(slot, value.clone());
    if field == "quantity" {
        let number = |s: &Option<String>| s.as_deref().and_then(|v| v.parse::<rust_decimal::Decimal>().ok());
        let factor = match (number(&line.base_quantity), number(&before)) {
            (Some(b), Some(q)) if !q.is_zero() => b / q,
            _ => rust_decimal::Decimal::ONE,
        };
        line.base_quantity = number(&value).map(|q| (q * factor).normalize().to_string());
    }
    before
}

/// A line value as stored: decimals with a point, ISO dates, Rec. 20 unit codes.
pub(crate) fn normalized_line_value(id: i64, field: &str, raw: &str) -> Result<Option<String>, LearningError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let invalid = |why: &str| LearningError::InvalidValue {
        id,
        field: field.to_owned(),
        value: raw.to_owned(),
        why: why.to_owned(),
    };
    match field {
        "quantity" | "unit_price" => {
            let number = extract::values::parse_number(raw, extract::values::NumberStyle::detect(raw))
                .ok_or_else(|| invalid("not a number"))?;
            if number < rust_decimal::Decimal::ZERO || (field == "quantity" && number.is_zero()) {
                return Err(invalid("must be more than zero"));
            }
            Ok(Some(number.normalize().to_string()))
        }
        "uom" => extract::values::unit_code(raw)
            .map(|u| Some(u.to_owned()))
            .ok_or_else(|| invalid("not a known unit (use a UN/ECE Rec. 20 code such as C62, KGM, MTR)")),
        "delivery_date" => extract::values::parse_date(raw, extract::values::DateOrder::DayFirst)
            .map(|d| Some(d.to_string()))
            .ok_or_else(|| invalid("not a date (use 2026-11-22 or 22.11.2026)")),
        _ => Err(LearningError::UnknownField {
            id,
            field: field.to_owned(),
        }),
    }
}

fn parse<T, E: std::fmt::Display>(raw: &str, f: impl Fn(&str) -> Result<T, E>, id: i64) -> Result<T, LearningError> {
    f(raw).map_err(|e| LearningError::Corrupt {
        id,
        message: e.to_string(),
    })
}

fn event(
    user: &str,
    entity_type: &str,
    entity_id: &str,
    action: &str,
    field: &str,
    before: Option<String>,
    after: Option<String>,
) -> Event {
    Event {
        occurred_at: jiff::Timestamp::now(),
        actor: Actor::User(user.to_owned()),
        entity_type: entity_type.into(),
        entity_id: entity_id.into(),
        action: action.into(),
        changes: vec![FieldChange {
            field: field.into(),
            before,
            after,
        }],
    }
}

/// The label printed before `value` on its line in the stored documents:
/// `Vorgang: 88-123` → `Vorgang`.
pub fn label_before(documents_json: &str, value: &str) -> Option<String> {
    let docs: serde_json::Value = serde_json::from_str(documents_json).ok()?;
    let blocks = docs
        .as_array()?
        .iter()
        .flat_map(|d| d["text_blocks"].as_array().cloned().unwrap_or_default());
    for block in blocks {
        let text = block["text"].as_str()?;
        for cell in text.split('\t') {
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
        let json = r#"[{"text_blocks":[{"text":"Sehr geehrte Damen"},{"text":"Vorgang: 88-123\tDatum: 1.2.2026"}]}]"#;
        assert_eq!(label_before(json, "88-123").as_deref(), Some("Vorgang"));
        assert_eq!(label_before(json, "99-999"), None);
        assert_eq!(label_before(r#"[{"text_blocks":[{"text":"88-123"}]}]"#, "88-123"), None);
    }
}

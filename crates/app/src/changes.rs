//! A customer's change or cancellation of an order, applied to the order it
//! names, and an order cancelled with a reason.
//!
//! A change or cancellation message names its order by the customer's PO
//! number ([`referred_order`]). Applying it changes the order as an
//! amendment (the customer's change) or cancels it, and closes the
//! message's draft — in one transaction, so neither happens without the
//! other. A change sets quantities and delivery dates, adds lines of our
//! products and takes lines out; what it asks that cannot be done safely (a
//! new line without product, quantity or price; every line out) is said,
//! not guessed.

use domain::order::AmendmentReason;
use store::Store;
use store::drafts::ClosesDraft;
use store::orders::StoredOrder;

use crate::draft::{Draft, DraftLine, LineField};
use crate::review::{
    Amending, DraftTransition, LineAmendment, ReviewError, amend_closing, change, conflict, draft_in_review, event,
    open_order, read_draft,
};
use domain::message::MessageKind;

/// Cancels order `order_id` as seen at `version`, with the reason; the
/// ERP's sale is cancelled through the outbox.
pub async fn cancel_order(
    store: &Store,
    order_id: i64,
    version: i64,
    reason: &str,
    user: &str,
) -> Result<(), ReviewError> {
    cancel_closing(store, order_id, version, reason, user, None).await
}

async fn cancel_closing(
    store: &Store,
    order_id: i64,
    version: i64,
    reason: &str,
    user: &str,
    closes: Option<&ClosesDraft<'_>>,
) -> Result<(), ReviewError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ReviewError::NoReason);
    }
    let stored = open_order(store, order_id, version).await?;
    let e = event(
        user,
        "order",
        order_id,
        "cancelled",
        vec![
            change(
                "status",
                Some(stored.status.as_str().to_owned()),
                Some("cancelled".into()),
            ),
            change("reason", None, Some(reason.to_owned())),
        ],
    );
    if store.cancel_order(order_id, version, &e, closes).await? {
        Ok(())
    } else {
        Err(conflict(format!("order {order_id}"), version))
    }
}

/// The order a change or cancellation names: the customer's newest order
/// with the PO number the message gives.
pub async fn referred_order(store: &Store, draft: &Draft) -> Result<Option<StoredOrder>, store::StoreError> {
    match (&draft.customer, &draft.po_number) {
        (Some(c), Some(po)) if !po.trim().is_empty() => store.order_by_po(&c.customer_no, po).await,
        _ => Ok(None),
    }
}

/// What applying a change to an order would do: the amendments, the lines
/// added and taken out, and what a person must do by hand.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangePlan {
    pub amendments: Vec<LineAmendment>,
    /// New lines, numbered after the order's last.
    pub added: Vec<DraftLine>,
    /// The order's lines to take out, by number.
    pub removed: Vec<u32>,
    pub by_hand: Vec<ByHand>,
}

impl ChangePlan {
    /// Whether applying would change nothing.
    pub fn is_empty(&self) -> bool {
        self.amendments.is_empty() && self.added.is_empty() && self.removed.is_empty()
    }
}

/// A part of a customer's change that a person has to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ByHand {
    #[error("line {line_no} ({label}) is not on the order and has no product, quantity or price: add it by hand")]
    Unresolved { line_no: u32, label: String },
    #[error(
        "line {line_no} ({label}) names a line of the order but no quantity or date was read: set it, or 0 to take the line out"
    )]
    NothingRead { line_no: u32, label: String },
    #[error("the change takes out every line of the order: cancel the order instead")]
    EveryLineOut,
}

/// Why a change cannot be applied as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotApplied {
    #[error("the change asks nothing the order does not have already")]
    NothingNew,
    #[error("part of the change needs a person: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    NeedsPerson(Vec<ByHand>),
}

/// The amendments a change asks of an order, line by line: each line of the
/// change is the order's line with the same product (or the customer's part
/// number); a new quantity or delivery date is an amendment.
pub fn plan_change(order: &Draft, change: &Draft) -> ChangePlan {
    let mut plan = ChangePlan::default();
    for asked in &change.lines {
        let same = |l: &&crate::draft::DraftLine| {
            (asked.sku.is_some() && l.sku == asked.sku)
                || (asked.customer_part_no.is_some() && l.customer_part_no == asked.customer_part_no)
        };
        let Some(line) = order.lines.iter().find(same) else {
            let priced = asked.unit_price.or(asked.expected_price).is_some();
            let counted = asked.quantity.is_some_and(|q| q > rust_decimal::Decimal::ZERO);
            if asked.sku.is_some() && priced && counted {
                let last = order.lines.iter().map(|l| l.line_no).max().unwrap_or(0);
                let mut new = asked.clone();
                new.line_no = last + plan.added.len() as u32 + 1;
                plan.added.push(new);
            } else if asked.quantity.is_none_or(|q| !q.is_zero()) {
                plan.by_hand.push(ByHand::Unresolved {
                    line_no: asked.line_no,
                    label: asked.label(),
                });
            }
            continue;
        };
        match asked.quantity {
            None if asked.delivery_date.is_none() => plan.by_hand.push(ByHand::NothingRead {
                line_no: asked.line_no,
                label: asked.label(),
            }),
            Some(q) if q.is_zero() => plan.removed.push(line.line_no),
            Some(q) if Some(q) != line.quantity => plan.amendments.push(LineAmendment {
                line_no: line.line_no,
                field: LineField::Quantity,
                value: q.normalize().to_string(),
            }),
            _ => {}
        }
        if let Some(d) = asked.delivery_date.or(change.requested_delivery_date)
            && Some(d) != line.delivery_date
            && asked.delivery_date.is_some()
        {
            plan.amendments.push(LineAmendment {
                line_no: line.line_no,
                field: LineField::DeliveryDate,
                value: d.to_string(),
            });
        }
    }
    // A line named twice is taken out once, and not amended.
    plan.removed.sort_unstable();
    plan.removed.dedup();
    plan.amendments.retain(|a| !plan.removed.contains(&a.line_no));
    if !order.lines.is_empty() && plan.added.is_empty() && plan.removed.len() == order.lines.len() {
        plan.by_hand.push(ByHand::EveryLineOut);
    }
    plan
}

/// What applying a message did to its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Cancelled { order: i64 },
    Amended { order: i64, amendments: usize },
}

/// Applies change or cancellation draft `draft_id` (seen at `draft_version`)
/// to order `order_id` (seen at `order_version`): the order is amended as
/// the customer's change, or cancelled, and the draft is done — together.
pub async fn apply_message(
    store: &Store,
    draft_id: i64,
    draft_version: i64,
    order_id: i64,
    order_version: i64,
    user: &str,
) -> Result<Applied, ReviewError> {
    let stored = draft_in_review(store, draft_id, draft_version).await?;
    let draft = read_draft(&format!("draft {draft_id}"), &stored.extraction)?;
    let order = store.order(order_id).await?.ok_or(ReviewError::NoOrder(order_id))?;
    let note = match draft.kind {
        MessageKind::Cancellation => format!(
            "order {order_id} cancelled as the customer asked (message {})",
            stored.message_id
        ),
        MessageKind::OrderChange => format!("applied to order {order_id} (message {})", stored.message_id),
        _ => return Err(ReviewError::NotAChange(draft_id)),
    };
    let done = DraftTransition::Done(note);
    let (state, changes) = done.apply(&stored)?;
    let e = event(user, "draft", draft_id, "done", changes);
    let closes = ClosesDraft {
        id: draft_id,
        version: draft_version,
        state: &state,
        event: &e,
    };
    if draft.kind == MessageKind::Cancellation {
        let reason = format!("cancelled by the customer (message {})", stored.message_id);
        cancel_closing(store, order_id, order_version, &reason, user, Some(&closes)).await?;
        return Ok(Applied::Cancelled { order: order_id });
    }
    let ordered = read_draft(&format!("order {order_id}"), &order.content)?;
    let plan = plan_change(&ordered, &draft);
    let why = if !plan.by_hand.is_empty() {
        Some(NotApplied::NeedsPerson(plan.by_hand.clone()))
    } else if plan.is_empty() {
        Some(NotApplied::NothingNew)
    } else {
        None
    };
    if let Some(why) = why {
        return Err(ReviewError::CannotApply { draft: draft_id, why });
    }
    let note = format!("change message {}", stored.message_id);
    let amending = Amending {
        amendments: &plan.amendments,
        added: &plan.added,
        removed: &plan.removed,
        reason: AmendmentReason::CustomerChange,
        note: &note,
        user,
    };
    amend_closing(store, order_id, order_version, &amending, Some(&closes)).await?;
    Ok(Applied::Amended {
        order: order_id,
        amendments: plan.amendments.len() + plan.added.len() + plan.removed.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn line(n: u32, sku: &str, qty: i64) -> crate::draft::DraftLine {
        crate::draft::DraftLine {
            line_no: n,
            sku: Some(sku.into()),
            quantity: Some(Decimal::from(qty)),
            ..serde_json::from_str(r#"{"line_no":0,"confidence":1.0,"alternatives":[]}"#).unwrap()
        }
    }

    #[test]
    fn a_change_becomes_amendments_of_the_lines_it_names_and_says_what_it_cannot_do() {
        let mut order = Draft::new(MessageKind::Order);
        order.lines = vec![line(1, "A-100", 100), line(2, "B-200", 50)];
        let mut change = Draft::new(MessageKind::OrderChange);
        change.lines = vec![line(1, "B-200", 80), line(2, "A-100", 100)];
        let plan = plan_change(&order, &change);
        assert_eq!(
            plan.amendments,
            vec![LineAmendment {
                line_no: 2,
                field: LineField::Quantity,
                value: "80".into()
            }]
        );
        assert!(plan.by_hand.is_empty());
        // A new line of ours, priced, is added after the order's last; a line at 0 is taken out.
        let mut new = line(3, "C-300", 5);
        new.expected_price = Some(Decimal::new(125, 2));
        change.lines.push(new);
        change.lines.push(line(4, "A-100", 0));
        let plan = plan_change(&order, &change);
        assert!(plan.by_hand.is_empty(), "{:?}", plan.by_hand);
        assert_eq!(plan.added.len(), 1);
        assert_eq!(
            (plan.added[0].line_no, plan.added[0].sku.as_deref()),
            (3, Some("C-300"))
        );
        assert_eq!(plan.removed, [1]);
        // A new line without a price, or without a product, is left to a person.
        change.lines.push(line(5, "D-400", 2));
        let mut unknown = line(6, "X", 1);
        unknown.sku = None;
        unknown.description = Some("Sonderteil".into());
        change.lines.push(unknown);
        let plan = plan_change(&order, &change);
        assert_eq!(
            plan.by_hand,
            [
                ByHand::Unresolved {
                    line_no: 5,
                    label: "D-400".into()
                },
                ByHand::Unresolved {
                    line_no: 6,
                    label: "Sonderteil".into()
                }
            ]
        );
        // Every line out is a cancellation, not an amendment.
        let mut all_out = Draft::new(MessageKind::OrderChange);
        all_out.lines = vec![line(1, "A-100", 0), line(2, "B-200", 0)];
        assert_eq!(plan_change(&order, &all_out).by_hand, [ByHand::EveryLineOut]);
    }
}

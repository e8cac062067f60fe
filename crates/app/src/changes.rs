//! A customer's change or cancellation of an order, applied to the order it
//! names, and an order cancelled with a reason.
//!
//! A change or cancellation message names its order by the customer's PO
//! number ([`referred_order`]). Applying it changes the order as an
//! amendment (the customer's change) or cancels it, and closes the
//! message's draft — in one transaction, so neither happens without the
//! other. What a change asks that an amendment cannot do (a line the order
//! does not have, a line to take out) is said, not guessed.

use domain::order::AmendmentReason;
use store::Store;
use store::drafts::ClosesDraft;
use store::orders::StoredOrder;

use crate::draft::{Draft, LineField};
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

/// What applying a change to an order would do: the amendments, and what a
/// person must do by hand.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangePlan {
    pub amendments: Vec<LineAmendment>,
    pub by_hand: Vec<String>,
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
            plan.by_hand.push(format!(
                "line {} ({}) is not on the order: add it as a new order",
                asked.line_no,
                asked.label()
            ));
            continue;
        };
        match asked.quantity {
            Some(q) if q.is_zero() => plan.by_hand.push(format!(
                "line {} ({}) is to be taken out: amend the order by hand",
                line.line_no,
                line.label()
            )),
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
    if plan.amendments.is_empty() {
        let what = if plan.by_hand.is_empty() {
            "the change asks nothing the order does not have already".to_owned()
        } else {
            plan.by_hand.join("; ")
        };
        return Err(ReviewError::CannotApply { draft: draft_id, what });
    }
    if !plan.by_hand.is_empty() {
        return Err(ReviewError::CannotApply {
            draft: draft_id,
            what: format!("part of the change needs a person: {}", plan.by_hand.join("; ")),
        });
    }
    let note = format!("change message {}", stored.message_id);
    let amending = Amending {
        amendments: &plan.amendments,
        reason: AmendmentReason::CustomerChange,
        note: &note,
        user,
    };
    amend_closing(store, order_id, order_version, &amending, Some(&closes)).await?;
    Ok(Applied::Amended {
        order: order_id,
        amendments: plan.amendments.len(),
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
        change.lines.push(line(3, "C-300", 5));
        change.lines.push(line(4, "A-100", 0));
        let plan = plan_change(&order, &change);
        assert_eq!(plan.by_hand.len(), 2, "{:?}", plan.by_hand);
        assert!(plan.by_hand[0].contains("C-300"));
        assert!(plan.by_hand[1].contains("taken out"));
    }
}

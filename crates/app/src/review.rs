//! The review desk's actions on drafts and orders: take, assign, escalate,
//! reject or forward a draft; confirm it into an order; amend a confirmed order.
//!
//! Every action names the version the person saw; when someone else changed
//! the draft or order meanwhile it fails with [`ReviewError::Conflict`] and
//! nothing is written. Every action is an event with actor, before and after.

use domain::event::{Actor, Event, FieldChange};
use domain::order::AmendmentReason;
use rust_decimal::Decimal;
use store::Store;
use store::drafts::StoredDraft;
use store::orders::NewOrder;

use crate::draft::Draft;
use crate::learning::normalized_line_value;

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("draft {0} does not exist")]
    NoDraft(i64),
    #[error("order {0} does not exist")]
    NoOrder(i64),
    #[error("{what} was changed by someone else meanwhile (you saw version {seen}); reload it and try again")]
    Conflict { what: String, seen: i64 },
    #[error("draft {id} is {status}, not waiting for review")]
    NotInReview { id: i64, status: String },
    #[error("draft {id} cannot be confirmed yet: {}", reasons.join("; "))]
    NotReady { id: i64, reasons: Vec<String> },
    #[error("a reason is needed")]
    NoReason,
    #[error("user '{0}' does not exist or is disabled")]
    NoUser(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("'{0}' is not an action on a draft")]
    UnknownAction(String),
    #[error("{what}: the stored content cannot be read: {message}")]
    Corrupt { what: String, message: String },
    #[error(transparent)]
    Learning(#[from] crate::learning::LearningError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// What a reviewer can do with a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftAction {
    Confirm,
    Reject,
    Escalate,
    Done,
    Forward,
    Take,
    Release,
    Assign,
}

impl DraftAction {
    /// The action named in a route (`/drafts/7/take`).
    pub fn parse(name: &str) -> Option<DraftAction> {
        Some(match name {
            "confirm" => DraftAction::Confirm,
            "reject" => DraftAction::Reject,
            "escalate" => DraftAction::Escalate,
            "done" => DraftAction::Done,
            "forward" => DraftAction::Forward,
            "take" => DraftAction::Take,
            "release" => DraftAction::Release,
            "assign" => DraftAction::Assign,
            _ => return None,
        })
    }
}

/// Who acts: the user and whether their role may assign work to others.
#[derive(Debug, Clone, Copy)]
pub struct Reviewer<'a> {
    pub username: &'a str,
    pub may_assign: bool,
}

/// What came with the action: the version seen, a reason or note, and the person it goes to.
#[derive(Debug, Clone, Copy)]
pub struct ActionInput<'a> {
    pub version: i64,
    pub reason: &'a str,
    pub to: &'a str,
}

/// What an action did: confirmed into an order, or changed the draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionDone {
    Confirmed { order: i64 },
    Changed,
}

/// One action on a draft, with the permission rules for work that is someone
/// else's: taking over, giving back or escalating a draft assigned to another
/// reviewer, forwarding, and assigning to others need the assign permission.
/// The browser and the JSON API both act through here.
pub async fn act(
    store: &Store,
    id: i64,
    action: DraftAction,
    input: ActionInput<'_>,
    reviewer: Reviewer<'_>,
) -> Result<ActionDone, ReviewError> {
    let user = reviewer.username;
    let to = input.to.trim();
    let someone_elses = |stored: &StoredDraft| {
        stored
            .assigned_to
            .as_deref()
            .is_some_and(|a| !a.is_empty() && a != user)
    };
    let refuse = |what: &str| {
        Err(ReviewError::Forbidden(format!(
            "{what} needs a role that may assign work (manager or administrator)"
        )))
    };
    if matches!(action, DraftAction::Take | DraftAction::Release | DraftAction::Escalate) && !reviewer.may_assign {
        let stored = store.draft(id).await?.ok_or(ReviewError::NoDraft(id))?;
        // Acting on a page that is out of date is a conflict first: the reviewer reloads and sees who has it.
        if stored.version != input.version {
            return Err(conflict(format!("draft {id}"), input.version));
        }
        if someone_elses(&stored) {
            let who = stored.assigned_to.unwrap_or_default();
            return refuse(&format!("draft {id} is assigned to {who}; changing that"));
        }
    }
    match action {
        DraftAction::Forward if !reviewer.may_assign => return refuse("forwarding a draft to someone"),
        DraftAction::Assign if !reviewer.may_assign && to != user => {
            return refuse("assigning a draft to someone else");
        }
        _ => {}
    }
    let (version, reason) = (input.version, input.reason);
    match action {
        DraftAction::Confirm => {
            return Ok(ActionDone::Confirmed {
                order: confirm(store, id, version, user).await?,
            });
        }
        DraftAction::Reject => reject(store, id, version, reason, user).await?,
        DraftAction::Escalate => escalate(store, id, version, reason, user).await?,
        DraftAction::Done => mark_done(store, id, version, reason, user).await?,
        DraftAction::Forward => forward(store, id, version, to, reason, user).await?,
        DraftAction::Take => assign(store, id, version, Some(user), user).await?,
        DraftAction::Release => assign(store, id, version, None, user).await?,
        DraftAction::Assign => assign(store, id, version, Some(to).filter(|t| !t.is_empty()), user).await?,
    }
    Ok(ActionDone::Changed)
}

fn conflict(what: String, seen: i64) -> ReviewError {
    ReviewError::Conflict { what, seen }
}

fn read_draft(what: &str, json: &str) -> Result<Draft, ReviewError> {
    serde_json::from_str(json).map_err(|e| ReviewError::Corrupt {
        what: what.to_owned(),
        message: e.to_string(),
    })
}

fn event(user: &str, entity_type: &str, id: i64, action: &str, changes: Vec<FieldChange>) -> Event {
    Event {
        occurred_at: jiff::Timestamp::now(),
        actor: Actor::User(user.to_owned()),
        entity_type: entity_type.into(),
        entity_id: id.to_string(),
        action: action.into(),
        changes,
    }
}

fn change(field: &str, before: Option<String>, after: Option<String>) -> FieldChange {
    FieldChange {
        field: field.into(),
        before,
        after,
    }
}

/// Quantity × unit price of one line, when both are known.
pub fn line_total(quantity: Option<&str>, unit_price: Option<&str>) -> Option<Decimal> {
    let q: Decimal = quantity?.parse().ok()?;
    let p: Decimal = unit_price?.parse().ok()?;
    Some((q * p).round_dp(2))
}

/// The price a line is sold at: the one the customer stated, else ours.
pub fn effective_price(line: &crate::draft::DraftLine) -> Option<&str> {
    line.unit_price.as_deref().or(line.expected_price.as_deref())
}

/// The sum of the line totals; `None` when no line has both quantity and price.
pub fn order_total(draft: &Draft) -> Option<Decimal> {
    draft
        .lines
        .iter()
        .filter_map(|l| line_total(l.quantity.as_deref(), effective_price(l)))
        .reduce(|a, b| a + b)
}

/// The order a draft becomes when confirmed: lines without a stated price get ours.
pub fn new_order(draft: &Draft) -> NewOrder {
    let mut draft = draft.clone();
    for line in &mut draft.lines {
        if line.unit_price.is_none() {
            line.unit_price = line.expected_price.clone();
        }
    }
    let draft = &draft;
    NewOrder {
        customer_no: draft.customer.as_ref().map(|c| c.customer_no.clone()),
        po_number: draft.po_number.clone(),
        currency: draft.currency.clone(),
        total: order_total(draft).map(|t| t.normalize().to_string()),
        line_count: draft.lines.len() as i64,
        content: serde_json::to_string(draft).unwrap_or_default(),
    }
}

/// What still keeps a draft from being confirmed (empty when it can be).
pub fn open_points(draft: &Draft) -> Vec<String> {
    let mut out = Vec::new();
    if !matches!(draft.kind.as_str(), "order" | "order_change") {
        out.push(format!(
            "a message of kind {} does not become an order: mark it done or reject it",
            draft.kind
        ));
        return out;
    }
    if draft.customer.is_none() {
        out.push("the customer is not known".to_owned());
    }
    if draft.lines.is_empty() {
        out.push("the order has no lines".to_owned());
    }
    for line in &draft.lines {
        if line.sku.is_none() {
            out.push(format!("line {} has no product", line.line_no));
        }
        if line.quantity.is_none() {
            out.push(format!("line {} has no quantity", line.line_no));
        }
        if effective_price(line).is_none() {
            out.push(format!(
                "line {} has no price (none stated, none in our price lists)",
                line.line_no
            ));
        }
    }
    for e in &draft.exceptions {
        if e.severity == "blocking" && e.resolved_by.is_none() {
            out.push(format!("blocking exception {} is not resolved", e.code));
        }
    }
    out
}

async fn draft_in_review(store: &Store, id: i64, version: i64) -> Result<StoredDraft, ReviewError> {
    let stored = store.draft(id).await?.ok_or(ReviewError::NoDraft(id))?;
    if stored.version != version {
        return Err(conflict(format!("draft {id}"), version));
    }
    if stored.status != "review" {
        return Err(ReviewError::NotInReview {
            id,
            status: stored.status,
        });
    }
    Ok(stored)
}

/// Confirms a draft into an order; returns the order's id.
pub async fn confirm(store: &Store, id: i64, version: i64, user: &str) -> Result<i64, ReviewError> {
    let stored = draft_in_review(store, id, version).await?;
    let draft = read_draft(&format!("draft {id}"), &stored.extraction)?;
    let reasons = open_points(&draft);
    if !reasons.is_empty() {
        return Err(ReviewError::NotReady { id, reasons });
    }
    store
        .confirm_draft(
            id,
            version,
            &new_order(&draft),
            &Actor::User(user.to_owned()),
            jiff::Timestamp::now(),
        )
        .await?
        .ok_or_else(|| conflict(format!("draft {id}"), version))
}

/// Takes a draft (`Some(user)`) or gives it back to the queue (`None`).
pub async fn assign(
    store: &Store,
    id: i64,
    version: i64,
    assignee: Option<&str>,
    user: &str,
) -> Result<(), ReviewError> {
    let stored = draft_in_review(store, id, version).await?;
    if let Some(name) = assignee
        && !store.user(name).await?.is_some_and(|u| u.active)
    {
        return Err(ReviewError::NoUser(name.to_owned()));
    }
    let e = event(
        user,
        "draft",
        id,
        "assigned",
        vec![change(
            "assigned_to",
            stored.assigned_to.clone(),
            assignee.map(str::to_owned),
        )],
    );
    if store.assign_draft(id, version, assignee, &e).await? {
        Ok(())
    } else {
        Err(conflict(format!("draft {id}"), version))
    }
}

/// Marks a draft as escalated (to the head of inside sales) with a reason; it stays in the queue.
pub async fn escalate(store: &Store, id: i64, version: i64, reason: &str, user: &str) -> Result<(), ReviewError> {
    set_status(store, id, version, "review", true, reason, user, "escalated").await
}

/// Rejects a draft (not an order, spam, sent in error) with a reason.
pub async fn reject(store: &Store, id: i64, version: i64, reason: &str, user: &str) -> Result<(), ReviewError> {
    set_status(store, id, version, "rejected", false, reason, user, "rejected").await
}

/// Marks a draft that needs no order (a status question answered, an RFQ passed to quoting) as done.
pub async fn mark_done(store: &Store, id: i64, version: i64, note: &str, user: &str) -> Result<(), ReviewError> {
    set_status(store, id, version, "done", false, note, user, "done").await
}

/// Hands a draft to someone else with a note.
pub async fn forward(
    store: &Store,
    id: i64,
    version: i64,
    to: &str,
    reason: &str,
    user: &str,
) -> Result<(), ReviewError> {
    if reason.trim().is_empty() {
        return Err(ReviewError::NoReason);
    }
    assign(store, id, version, Some(to), user).await?;
    set_status(store, id, version + 1, "review", false, reason, user, "forwarded").await
}

#[allow(clippy::too_many_arguments)]
async fn set_status(
    store: &Store,
    id: i64,
    version: i64,
    status: &str,
    escalated: bool,
    reason: &str,
    user: &str,
    action: &str,
) -> Result<(), ReviewError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ReviewError::NoReason);
    }
    let stored = draft_in_review(store, id, version).await?;
    let e = event(
        user,
        "draft",
        id,
        action,
        vec![
            change("status", Some(stored.status.clone()), Some(status.to_owned())),
            change("reason", None, Some(reason.to_owned())),
        ],
    );
    if store
        .set_draft_status(id, version, status, escalated || stored.escalated, Some(reason), &e)
        .await?
    {
        Ok(())
    } else {
        Err(conflict(format!("draft {id}"), version))
    }
}

/// One change to a confirmed order's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineAmendment {
    pub line_no: u32,
    /// `quantity`, `unit_price`, `uom` or `delivery_date`.
    pub field: String,
    pub value: String,
}

/// Amends a confirmed order, marked as our entry error or the customer's change.
pub async fn amend(
    store: &Store,
    order_id: i64,
    version: i64,
    amendments: &[LineAmendment],
    reason: AmendmentReason,
    note: &str,
    user: &str,
) -> Result<(), ReviewError> {
    let stored = store.order(order_id).await?.ok_or(ReviewError::NoOrder(order_id))?;
    if stored.version != version {
        return Err(conflict(format!("order {order_id}"), version));
    }
    let mut draft = read_draft(&format!("order {order_id}"), &stored.content)?;
    let mut changes = vec![change("reason", None, Some(reason.as_str().to_owned()))];
    if !note.trim().is_empty() {
        changes.push(change("note", None, Some(note.trim().to_owned())));
    }
    for a in amendments {
        let value = normalized_line_value(stored.draft_id, &a.field, &a.value)?;
        let line =
            draft
                .lines
                .iter_mut()
                .find(|l| l.line_no == a.line_no)
                .ok_or(crate::learning::LearningError::NoLine {
                    id: stored.draft_id,
                    line_no: a.line_no,
                })?;
        let before = crate::learning::set_line_value(line, &a.field, value.clone());
        if before != value {
            changes.push(change(&format!("lines[{}].{}", a.line_no, a.field), before, value));
        }
    }
    let order = new_order(&draft);
    if order.total != stored.total {
        changes.push(change("total", stored.total.clone(), order.total.clone()));
    }
    let e = event(user, "order", order_id, "amended", changes);
    if store.amend_order(order_id, version, &order, &e).await? {
        Ok(())
    } else {
        Err(conflict(format!("order {order_id}"), version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_totals_use_decimals() {
        assert_eq!(line_total(Some("3"), Some("0.1")), Some(Decimal::new(30, 2)));
        assert_eq!(line_total(Some("2"), None), None);
        assert_eq!(line_total(Some("x"), Some("1")), None);
    }
}

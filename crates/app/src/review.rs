//! The review desk's actions on drafts and orders: take, assign, escalate,
//! reject or forward a draft; confirm it into an order; amend a confirmed order.
//!
//! Every action names the version the person saw; when someone else changed
//! the draft or order meanwhile it fails with [`ReviewError::Conflict`] and
//! nothing is written. Every action is an event with actor, before and after,
//! written with the change in one store call. [`act`] is the one dispatch the
//! browser and the JSON API both use; [`DraftTransition`] says, without IO,
//! what each action does to a draft's state.

use domain::event::{Actor, Event, FieldChange};
use domain::exception::{ExceptionCode, Severity};
use domain::order::{AmendmentReason, OrderStatus};
use domain::review::DraftStatus;
use rust_decimal::Decimal;
use store::Store;
use store::drafts::{DraftState, StoredDraft};
use store::orders::NewOrder;

use crate::draft::correct::LineValue;
use crate::draft::{CorrectionError, Draft, DraftLine, LineField};

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("draft {0} does not exist")]
    NoDraft(i64),
    #[error("order {0} does not exist")]
    NoOrder(i64),
    #[error("{what} was changed by someone else meanwhile (you saw version {seen}); reload it and try again")]
    Conflict { what: String, seen: i64 },
    #[error("draft {id} is {status}, not waiting for review")]
    NotInReview { id: i64, status: DraftStatus },
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
    #[error("{what}: {source}")]
    Corrupt {
        what: String,
        source: crate::draft::UnreadableDraft,
    },
    #[error("order {order}: {source}")]
    Amendment { order: i64, source: CorrectionError },
    #[error("order {order} is {status} and can no longer be changed")]
    OrderClosed { order: i64, status: OrderStatus },
    #[error("draft {0} is no change or cancellation of an order")]
    NotAChange(i64),
    #[error("draft {draft}: {why}")]
    CannotApply {
        draft: i64,
        why: crate::changes::NotApplied,
    },
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
    outbox: &crate::outbound::Outbox,
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
    if action == DraftAction::Confirm {
        return Ok(ActionDone::Confirmed {
            order: confirm(store, outbox, id, input.version, user).await?,
        });
    }
    let transition =
        DraftTransition::of(action, input, user).ok_or(ReviewError::UnknownAction(format!("{action:?}")))?;
    change_state(store, id, input.version, &transition, user).await?;
    Ok(ActionDone::Changed)
}

/// What an action does to a draft's state (every action but confirming, which makes an order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftTransition {
    /// Taken by someone (`Some`) or given back to the queue (`None`).
    Assign(Option<String>),
    /// Marked for the head of inside sales, with a reason; it stays in the queue.
    Escalate(String),
    /// Handed to someone else with a note.
    Forward { to: String, reason: String },
    /// Not an order (spam, sent in error), with a reason.
    Reject(String),
    /// Needs no order (a question answered, an RFQ passed to quoting), with a note.
    Done(String),
}

impl DraftTransition {
    /// The transition an action names; `None` for confirming.
    pub fn of(action: DraftAction, input: ActionInput<'_>, user: &str) -> Option<DraftTransition> {
        let to = input.to.trim();
        let reason = input.reason.trim().to_owned();
        Some(match action {
            DraftAction::Confirm => return None,
            DraftAction::Take => DraftTransition::Assign(Some(user.to_owned())),
            DraftAction::Release => DraftTransition::Assign(None),
            DraftAction::Assign => DraftTransition::Assign(Some(to.to_owned()).filter(|t| !t.is_empty())),
            DraftAction::Escalate => DraftTransition::Escalate(reason),
            DraftAction::Forward => DraftTransition::Forward {
                to: to.to_owned(),
                reason,
            },
            DraftAction::Reject => DraftTransition::Reject(reason),
            DraftAction::Done => DraftTransition::Done(reason),
        })
    }

    /// The person the draft goes to, when the transition names one.
    pub fn assignee(&self) -> Option<&str> {
        match self {
            DraftTransition::Assign(to) => to.as_deref(),
            DraftTransition::Forward { to, .. } => Some(to),
            _ => None,
        }
    }

    /// The event's action name.
    pub fn action(&self) -> &'static str {
        match self {
            DraftTransition::Assign(_) => "assigned",
            DraftTransition::Escalate(_) => "escalated",
            DraftTransition::Forward { .. } => "forwarded",
            DraftTransition::Reject(_) => "rejected",
            DraftTransition::Done(_) => "done",
        }
    }

    /// The state after the transition and the event's changes. Pure; a
    /// transition that needs a reason refuses an empty one.
    pub fn apply<'a>(&'a self, now: &'a StoredDraft) -> Result<(DraftState<'a>, Vec<FieldChange>), ReviewError> {
        let mut state = now.state();
        let text = |s: &str| Some(s.to_owned());
        let with_reason = |reason: &'a str| {
            if reason.trim().is_empty() {
                Err(ReviewError::NoReason)
            } else {
                Ok(reason.trim())
            }
        };
        let mut changes = Vec::new();
        let status_change = |status: DraftStatus, reason: &str| {
            [
                change("status", text(now.status.as_str()), text(status.as_str())),
                change("reason", None, text(reason)),
            ]
        };
        let (status, reason) = match self {
            DraftTransition::Assign(to) => {
                changes.push(change("assigned_to", now.assigned_to.clone(), to.clone()));
                state.assigned_to = to.as_deref();
                return Ok((state, changes));
            }
            DraftTransition::Escalate(reason) => {
                state.escalated = true;
                (DraftStatus::Review, with_reason(reason)?)
            }
            DraftTransition::Forward { to, reason } => {
                let reason = with_reason(reason)?;
                changes.push(change("assigned_to", now.assigned_to.clone(), text(to)));
                state.assigned_to = Some(to);
                (DraftStatus::Review, reason)
            }
            DraftTransition::Reject(reason) => (DraftStatus::Rejected, with_reason(reason)?),
            DraftTransition::Done(note) => (DraftStatus::Done, with_reason(note)?),
        };
        changes.extend(status_change(status, reason));
        state.status = status;
        state.status_reason = Some(reason);
        Ok((state, changes))
    }
}

/// Applies a transition to a draft under review, as seen at `version`, with its event.
async fn change_state(
    store: &Store,
    id: i64,
    version: i64,
    transition: &DraftTransition,
    user: &str,
) -> Result<(), ReviewError> {
    let stored = draft_in_review(store, id, version).await?;
    if let Some(name) = transition.assignee()
        && !store.user(name).await?.is_some_and(|u| u.active)
    {
        return Err(ReviewError::NoUser(name.to_owned()));
    }
    let (state, changes) = transition.apply(&stored)?;
    let e = event(user, "draft", id, transition.action(), changes);
    if store.change_draft_state(id, version, &state, &e).await? {
        Ok(())
    } else {
        Err(conflict(format!("draft {id}"), version))
    }
}

/// Order `order_id` as seen at `version`, while it can still change (not
/// cancelled or fulfilled).
pub(crate) async fn open_order(
    store: &Store,
    order_id: i64,
    version: i64,
) -> Result<store::orders::StoredOrder, ReviewError> {
    let stored = store.order(order_id).await?.ok_or(ReviewError::NoOrder(order_id))?;
    if stored.status.is_final() {
        return Err(ReviewError::OrderClosed {
            order: order_id,
            status: stored.status,
        });
    }
    if stored.version != version {
        return Err(conflict(format!("order {order_id}"), version));
    }
    Ok(stored)
}

pub(crate) fn conflict(what: String, seen: i64) -> ReviewError {
    ReviewError::Conflict { what, seen }
}

pub(crate) fn read_draft(what: &str, json: &str) -> Result<Draft, ReviewError> {
    Draft::from_json(json).map_err(|source| ReviewError::Corrupt {
        what: what.to_owned(),
        source,
    })
}

pub(crate) fn event(user: &str, entity_type: &str, id: i64, action: &str, changes: Vec<FieldChange>) -> Event {
    Event {
        occurred_at: jiff::Timestamp::now(),
        actor: Actor::User(user.to_owned()),
        entity_type: entity_type.into(),
        entity_id: id.to_string(),
        action: action.into(),
        changes,
    }
}

pub(crate) fn change(field: &str, before: Option<String>, after: Option<String>) -> FieldChange {
    FieldChange {
        field: field.into(),
        before,
        after,
    }
}

/// The order a draft becomes when confirmed: lines without a stated price get ours.
pub fn new_order(draft: &Draft) -> NewOrder {
    let mut draft = draft.clone();
    for line in &mut draft.lines {
        if line.unit_price.is_none() {
            line.unit_price = line.expected_price;
        }
    }
    NewOrder {
        customer_no: draft.customer.as_ref().map(|c| c.customer_no.clone()),
        po_number: draft.po_number.clone(),
        currency: draft.currency,
        total: draft.total().map(|t| t.normalize()),
        line_count: draft.lines.len() as i64,
        content: draft.to_json(),
        mails: Vec::new(),
    }
}

/// What still keeps a draft from being confirmed (empty when it can be).
pub fn open_points(draft: &Draft) -> Vec<OpenPoint> {
    let mut out = Vec::new();
    if !draft.is_order() {
        out.push(OpenPoint::NotAnOrder(draft.kind));
        return out;
    }
    if draft.customer.is_none() {
        out.push(OpenPoint::NoCustomer);
    }
    if draft.lines.is_empty() {
        out.push(OpenPoint::NoLines);
    }
    for line in &draft.lines {
        if line.sku.is_none() && !line.free_text {
            out.push(OpenPoint::NoProduct(line.line_no));
        }
        if line.quantity.is_none() {
            out.push(OpenPoint::NoQuantity(line.line_no));
        }
        if line.effective_price().is_none() {
            out.push(OpenPoint::NoPrice(line.line_no));
        }
    }
    for e in &draft.exceptions {
        // An unknown customer or product is already an open point of its own.
        let said = match (e.code, e.line_no) {
            (ExceptionCode::UnknownCustomer, _) => draft.customer.is_none(),
            (ExceptionCode::UnknownProduct, Some(n)) => out.contains(&OpenPoint::NoProduct(n)),
            _ => false,
        };
        if e.severity == Severity::Blocking && e.is_open() && !said {
            out.push(OpenPoint::Blocking(e.code, e.line_no));
        }
    }
    out
}

/// What keeps a draft from becoming an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenPoint {
    /// Only orders become orders; the rest are done or rejected.
    NotAnOrder(domain::message::MessageKind),
    NoCustomer,
    NoLines,
    NoProduct(u32),
    NoQuantity(u32),
    NoPrice(u32),
    /// A blocking exception (on a line, or the header) not resolved yet.
    Blocking(domain::exception::ExceptionCode, Option<u32>),
}

impl std::fmt::Display for OpenPoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenPoint::NotAnOrder(kind) => write!(
                f,
                "a message of kind {} does not become an order: mark it done or reject it",
                kind.as_str()
            ),
            OpenPoint::NoCustomer => f.write_str("the customer is not known"),
            OpenPoint::NoLines => f.write_str("the order has no lines"),
            OpenPoint::NoProduct(n) => write!(f, "line {n} has no product"),
            OpenPoint::NoQuantity(n) => write!(f, "line {n} has no quantity"),
            OpenPoint::NoPrice(n) => write!(f, "line {n} has no price (none stated, none in our price lists)"),
            OpenPoint::Blocking(code, _) => write!(f, "blocking exception {} is not resolved", code.as_str()),
        }
    }
}

pub(crate) async fn draft_in_review(store: &Store, id: i64, version: i64) -> Result<StoredDraft, ReviewError> {
    let stored = store.draft(id).await?.ok_or(ReviewError::NoDraft(id))?;
    if stored.version != version {
        return Err(conflict(format!("draft {id}"), version));
    }
    if stored.status != DraftStatus::Review {
        return Err(ReviewError::NotInReview {
            id,
            status: stored.status,
        });
    }
    Ok(stored)
}

/// Confirms a draft into an order, with its confirmation to the customer
/// queued in the same transaction; returns the order's id.
pub async fn confirm(
    store: &Store,
    outbox: &crate::outbound::Outbox,
    id: i64,
    version: i64,
    user: &str,
) -> Result<i64, ReviewError> {
    let stored = draft_in_review(store, id, version).await?;
    let draft = read_draft(&format!("draft {id}"), &stored.extraction)?;
    let mut reasons: Vec<String> = open_points(&draft).iter().map(ToString::to_string).collect();
    // A change of an order we have is applied to it, never made a second order.
    if draft.kind == domain::message::MessageKind::OrderChange
        && let Some(order) = crate::changes::referred_order(store, &draft).await?
    {
        reasons.push(format!("it changes order {}: apply it to that order", order.id));
    }
    if !reasons.is_empty() {
        return Err(ReviewError::NotReady { id, reasons });
    }
    let mut order = new_order(&draft);
    let ordered = crate::confirmation::Ordered {
        customer_no: order.customer_no.as_deref(),
        message_id: stored.message_id,
        part: &stored.part,
        thread: None,
        documents_json: None,
    };
    order.mails = crate::confirmation::confirmation_for(store, outbox, &ordered).await?;
    let confirmed = store
        .confirm_draft(
            id,
            version,
            &order,
            &Actor::User(user.to_owned()),
            jiff::Timestamp::now(),
        )
        .await?
        .ok_or_else(|| conflict(format!("draft {id}"), version))?;
    if let Some(message) = store.message(stored.message_id).await? {
        crate::metrics::latencies()
            .confirmation
            .observe(crate::metrics::seconds_since(message.received_at));
    }
    Ok(confirmed)
}

/// Takes a draft (`Some(user)`) or gives it back to the queue (`None`).
pub async fn assign(
    store: &Store,
    id: i64,
    version: i64,
    assignee: Option<&str>,
    user: &str,
) -> Result<(), ReviewError> {
    let t = DraftTransition::Assign(assignee.map(str::to_owned));
    change_state(store, id, version, &t, user).await
}

/// Marks a draft as escalated (to the head of inside sales) with a reason; it stays in the queue.
pub async fn escalate(store: &Store, id: i64, version: i64, reason: &str, user: &str) -> Result<(), ReviewError> {
    change_state(store, id, version, &DraftTransition::Escalate(reason.into()), user).await
}

/// Rejects a draft (not an order, spam, sent in error) with a reason.
pub async fn reject(store: &Store, id: i64, version: i64, reason: &str, user: &str) -> Result<(), ReviewError> {
    change_state(store, id, version, &DraftTransition::Reject(reason.into()), user).await
}

/// Marks a draft that needs no order (a status question answered, an RFQ passed to quoting) as done.
pub async fn mark_done(store: &Store, id: i64, version: i64, note: &str, user: &str) -> Result<(), ReviewError> {
    change_state(store, id, version, &DraftTransition::Done(note.into()), user).await
}

/// Hands a draft to someone else with a note, in one write.
pub async fn forward(
    store: &Store,
    id: i64,
    version: i64,
    to: &str,
    reason: &str,
    user: &str,
) -> Result<(), ReviewError> {
    let t = DraftTransition::Forward {
        to: to.trim().to_owned(),
        reason: reason.into(),
    };
    change_state(store, id, version, &t, user).await
}

/// One change to a confirmed order's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineAmendment {
    pub line_no: u32,
    pub field: LineField,
    /// As typed: read like a correction's value.
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
    let what = Amending {
        amendments,
        added: &[],
        removed: &[],
        reason,
        note,
        user,
    };
    amend_closing(store, order_id, version, &what, None).await
}

/// An amendment as a user asks it.
pub(crate) struct Amending<'a> {
    pub amendments: &'a [LineAmendment],
    /// Lines added, numbered already.
    pub added: &'a [DraftLine],
    /// Lines taken out, by number; the others keep theirs.
    pub removed: &'a [u32],
    pub reason: AmendmentReason,
    pub note: &'a str,
    pub user: &'a str,
}

/// Amends an order and, in the same transaction, closes the draft of the
/// message that asked for it (a customer's change applied to the order).
pub(crate) async fn amend_closing(
    store: &Store,
    order_id: i64,
    version: i64,
    what: &Amending<'_>,
    closes: Option<&store::drafts::ClosesDraft<'_>>,
) -> Result<(), ReviewError> {
    let Amending {
        amendments,
        added,
        removed,
        reason,
        note,
        user,
    } = *what;
    let stored = open_order(store, order_id, version).await?;
    let mut draft = read_draft(&format!("order {order_id}"), &stored.content)?;
    let mut changes = vec![change("reason", None, Some(reason.as_str().to_owned()))];
    if !note.trim().is_empty() {
        changes.push(change("note", None, Some(note.trim().to_owned())));
    }
    let refused = |source| ReviewError::Amendment {
        order: order_id,
        source,
    };
    for a in amendments {
        let value = LineValue::read(a.field, &a.value).map_err(refused)?;
        let line = draft
            .lines
            .iter_mut()
            .find(|l| l.line_no == a.line_no)
            .ok_or(CorrectionError::NoLine(a.line_no))
            .map_err(refused)?;
        let (before, after) = line.set(value);
        if before != after {
            changes.push(change(
                &format!("lines[{}].{}", a.line_no, a.field.as_str()),
                before,
                after,
            ));
        }
    }
    let said = |l: &DraftLine| {
        let quantity = l.quantity.map(|q| q.normalize().to_string()).unwrap_or_default();
        Some(format!("{} × {quantity}", l.label()))
    };
    for &line_no in removed {
        let at = draft
            .lines
            .iter()
            .position(|l| l.line_no == line_no)
            .ok_or(CorrectionError::NoLine(line_no))
            .map_err(refused)?;
        let line = draft.lines.remove(at);
        changes.push(change(&format!("lines[{line_no}]"), said(&line), None));
    }
    for line in added {
        changes.push(change(&format!("lines[{}]", line.line_no), None, said(line)));
        draft.lines.push(line.clone());
    }
    let order = new_order(&draft);
    if order.total != stored.total {
        let text = |t: Option<Decimal>| t.map(|t| t.normalize().to_string());
        changes.push(change("total", text(stored.total), text(order.total)));
    }
    let e = event(user, "order", order_id, "amended", changes);
    if store.amend_order(order_id, version, &order, &e, closes).await? {
        Ok(())
    } else {
        Err(conflict(format!("order {order_id}"), version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::message::MessageKind;
    use domain::validation::Decision;

    fn stored() -> StoredDraft {
        StoredDraft {
            id: 7,
            message_id: 3,
            kind: MessageKind::Order,
            customer_no: None,
            po_number: None,
            decision: Decision::Review,
            status: DraftStatus::Review,
            extraction: String::new(),
            version: 4,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
            assigned_to: Some("clara".into()),
            due_at: None,
            escalated: false,
            status_reason: None,
            part: String::new(),
        }
    }

    #[test]
    fn forwarding_assigns_and_notes_in_one_state() {
        let now = stored();
        let t = DraftTransition::Forward {
            to: "mia".into(),
            reason: " please decide ".into(),
        };
        let (state, changes) = t.apply(&now).unwrap();
        assert_eq!(state.assigned_to, Some("mia"));
        assert_eq!(state.status, DraftStatus::Review);
        assert_eq!(state.status_reason, Some("please decide"));
        assert_eq!(changes[0].before.as_deref(), Some("clara"));
        assert_eq!(t.action(), "forwarded");
    }

    #[test]
    fn reasons_are_needed_where_they_are_asked_for() {
        let now = stored();
        for t in [
            DraftTransition::Reject(" ".into()),
            DraftTransition::Escalate(String::new()),
            DraftTransition::Done("\t".into()),
            DraftTransition::Forward {
                to: "mia".into(),
                reason: String::new(),
            },
        ] {
            assert!(matches!(t.apply(&now), Err(ReviewError::NoReason)), "{t:?}");
        }
        let escalate = DraftTransition::Escalate("price".into());
        let (state, _) = escalate.apply(&now).unwrap();
        assert!(state.escalated && state.status == DraftStatus::Review);
        let reject = DraftTransition::Reject("spam".into());
        let (state, _) = reject.apply(&now).unwrap();
        assert_eq!(state.status, DraftStatus::Rejected);
        let (state, _) = DraftTransition::Assign(None).apply(&now).unwrap();
        assert_eq!(state.assigned_to, None);
    }
}

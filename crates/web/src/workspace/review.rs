//! The review screen: a draft beside its original; corrections and actions.

use super::*;
use crate::error::Missing;

struct FieldView {
    name: &'static str,
    label: &'static str,
    value: String,
    confidence: String,
    low: bool,
    part: String,
    page: u32,
    start: i64,
    /// Where in a table it was read (`table 1 row 7 column 3`); empty for text.
    origin: String,
}

/// The order a change or cancellation names, as the review screen offers to apply it.
struct Referred {
    id: i64,
    version: i64,
    status: &'static str,
    /// The message cancels the order (else it changes it).
    cancels: bool,
    /// Whether it can still be changed (not cancelled or fulfilled).
    open: bool,
    /// What applying does, and what it leaves to a person.
    amendments: Vec<String>,
    by_hand: Vec<String>,
}

struct ExceptionView {
    index: usize,
    code: String,
    /// What is wrong in plain words (the code is the tooltip).
    reason: String,
    severity: String,
    line: String,
    message: String,
    resolved: String,
}

#[derive(Template)]
#[template(path = "draft.html")]
struct DraftPage {
    tr: crate::i18n::Tr,
    nav: &'static str,
    user: Option<UserView>,
    csrf: String,
    d: store::drafts::StoredDraft,
    in_review: bool,
    can_assign_others: bool,
    me: String,
    customer: String,
    customer_no: String,
    fields: Vec<FieldView>,
    lines: Vec<LineView>,
    /// Set when a very large draft shows only its first lines.
    lines_note: String,
    exceptions: Vec<ExceptionView>,
    open_points: Vec<String>,
    review_reasons: Vec<String>,
    total: String,
    currency: String,
    stated_total: String,
    order_id: Option<i64>,
    parts: Vec<PartView>,
    events: Vec<EventRow>,
    users: Vec<(String, String)>,
    due: String,
    sender: String,
    subject: String,
    /// The answer drafted for a status inquiry, to edit and send.
    reply: Option<String>,
    /// The order the previous draft became, when this one opened after it.
    confirmed: Option<i64>,
    /// An RFQ: the quotes made from its message.
    is_rfq: bool,
    quotes: Vec<i64>,
    /// The last correction that can be undone, as the button says it; empty when none.
    undo: String,
    /// For a change or cancellation: the order it names, and what applying it does.
    referred: Option<Referred>,
    can_amend_orders: bool,
}

pub(super) fn confidence_text(c: f64) -> String {
    format!("{:.0} %", c * 100.0)
}

/// The draft a reviewer goes on with after one: the soonest due of theirs,
/// else the soonest due no one has taken.
async fn next_for(state: &AppState, me: &CurrentUser, done: i64) -> Option<i64> {
    use store::drafts::QueueScope;
    for scope in [QueueScope::AssignedTo(me.username.as_str()), QueueScope::Unassigned] {
        let next = state.store.review_queue_of(None, scope, 2).await.ok()?;
        if let Some(d) = next.iter().find(|d| d.id != done) {
            return Some(d.id);
        }
    }
    None
}

#[derive(Deserialize, Default)]
pub struct DraftQuery {
    /// The order the previous draft became (shown as a notice).
    pub confirmed: Option<i64>,
}

pub async fn draft(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Query(q): Query<DraftQuery>,
) -> Result<Response, WebError> {
    let d = state
        .store
        .draft(id)
        .await?
        .ok_or_else(|| WebError::NotFound(Missing::Draft(id)))?;
    let draft =
        app::draft::Draft::from_json(&d.extraction).map_err(|e| WebError::Corrupt(format!("draft {id}: {e}")))?;
    let message = state.store.message(d.message_id).await?;
    let order = state.store.order_of_draft(id).await?;
    let events = state.store.events_for("draft", &id.to_string()).await?;
    let settings = app::settings::extraction(&state.store, &state.config.extraction).await?;
    let threshold = f64::from(settings.confidence_threshold);
    let tr = &me.tr;
    let field = |read: ReadField, value: Option<String>| {
        let name = read.as_str();
        let label = tr.label(name);
        let info = draft.fields.get(&read);
        let confidence = info.map_or(if value.is_some() { 1.0 } else { 0.0 }, |i| i.confidence);
        FieldView {
            name,
            label,
            value: opt(&value),
            confidence: if value.is_some() {
                confidence_text(confidence)
            } else {
                String::new()
            },
            low: value.is_none() || confidence < threshold,
            part: info.map(|i| i.source.part.clone()).unwrap_or_default(),
            page: info.map_or(0, |i| i.source.page),
            start: info.and_then(|i| i.source.char_start).map_or(-1, |s| s as i64),
            origin: info.and_then(|i| i.source.origin.clone()).unwrap_or_default(),
        }
    };
    let fields = vec![
        field(ReadField::PoNumber, draft.po_number.clone()),
        field(ReadField::OrderDate, draft.order_date.map(|d| tr.input_date(d))),
        field(
            ReadField::RequestedDeliveryDate,
            draft.requested_delivery_date.map(|d| tr.input_date(d)),
        ),
        field(ReadField::Currency, draft.currency.map(|c| c.to_string())),
        field(ReadField::StatedTotal, draft.stated_total.map(|t| tr.input(t))),
    ];
    let mut names = std::collections::HashMap::new();
    for sku in draft.lines.iter().filter_map(|l| l.sku.as_deref()) {
        if !names.contains_key(sku)
            && let Some(p) = state.store.product(sku).await?
        {
            names.insert(sku.to_owned(), p.name);
        }
    }
    let product_name = |sku: &str| names.get(sku).cloned().unwrap_or_default();
    let lines_note = (draft.lines.len() > SHOWN_AT_MOST).then(|| {
        format!(
            "{} {} · {SHOWN_AT_MOST} · /api/drafts/{id}",
            draft.lines.len(),
            tr.t("lines; shown are the first")
        )
    });
    let lines = draft
        .lines
        .iter()
        .take(SHOWN_AT_MOST)
        .map(|l| LineView {
            product_name: l.sku.as_deref().map(&product_name).unwrap_or_default(),
            confidence: confidence_text(l.confidence),
            low: l.confidence < threshold || l.sku.is_none(),
            alternatives: l
                .alternatives
                .iter()
                .map(|a| {
                    (
                        a.sku.clone(),
                        a.name.clone().unwrap_or_default(),
                        confidence_text(a.score),
                    )
                })
                .collect(),
            part: l.source.as_ref().map(|s| s.part.clone()).unwrap_or_default(),
            page: l.source.as_ref().map_or(0, |s| s.page),
            start: l.source.as_ref().and_then(|s| s.char_start).map_or(-1, |s| s as i64),
            origin: l.source.as_ref().and_then(|s| s.origin.clone()).unwrap_or_default(),
            ..LineView::of(l, tr)
        })
        .collect();
    let exceptions = draft
        .exceptions
        .iter()
        .enumerate()
        .map(|(index, e)| ExceptionView {
            index,
            code: e.code.as_str().to_owned(),
            reason: me.tr.exception_reason(e.code, e.line_no, &draft),
            severity: e.severity.as_str().to_owned(),
            line: e.line_no.map(|n| n.to_string()).unwrap_or_default(),
            message: me.tr.exception_detail(e, &draft),
            resolved: match (&e.resolved_by, &e.resolution) {
                (Some(by), note) => format!("{} {by}: {}", me.tr.t("resolved by"), note.clone().unwrap_or_default()),
                _ => String::new(),
            },
        })
        .collect();
    let users = active_users(&state).await?;
    let now = jiff::Timestamp::now();
    let referred = referred(&state, &draft, tr).await?;
    let undo = match state.store.undoable(id).await? {
        Some(u) => format!(
            "{} ({} → {})",
            u.field,
            u.after_value.unwrap_or_else(|| "–".into()),
            u.before_value.unwrap_or_else(|| "–".into())
        ),
        None => String::new(),
    };
    let page = DraftPage {
        tr: me.tr.clone(),
        nav: "queue",
        csrf: me.csrf.clone(),
        in_review: d.status == DraftStatus::Review,
        can_assign_others: me.can(Permission::AssignWork),
        me: me.username.clone(),
        user: Some((&me).into()),
        customer: draft
            .customer
            .as_ref()
            .map(|c| {
                format!(
                    "{} {} ({} · {})",
                    c.customer_no,
                    c.name.clone().unwrap_or_default(),
                    confidence_text(c.confidence),
                    c.matched_via.map_or("", |v| tr.label(v.as_str()))
                )
            })
            .unwrap_or_else(|| tr.t("not recognised").into()),
        customer_no: draft
            .customer
            .as_ref()
            .map(|c| c.customer_no.clone())
            .unwrap_or_default(),
        fields,
        lines,
        lines_note: lines_note.unwrap_or_default(),
        exceptions,
        open_points: app::review::open_points(&draft)
            .iter()
            .map(|p| tr.open_point(p))
            .collect(),
        review_reasons: draft.review_reasons.iter().map(|r| tr.review_reason(r)).collect(),
        total: draft.total().map(|t| tr.amount(t)).unwrap_or_default(),
        currency: opt(&draft.currency),
        stated_total: draft.stated_total.map(|t| tr.amount(t)).unwrap_or_default(),
        order_id: order.map(|o| o.id).or(draft.order_id),
        reply: (draft.kind == domain::message::MessageKind::Inquiry).then(|| draft.reply.clone().unwrap_or_default()),
        parts: parts_of(
            message.as_ref().and_then(|m| m.documents_json.as_deref()),
            Some(d.message_id),
        ),
        events: events.iter().map(EventRow::from).collect(),
        users,
        due: d
            .due_at
            .map(|t| me.tr.due(t.as_second() - now.as_second()))
            .unwrap_or_default(),
        sender: message.as_ref().and_then(|m| m.sender.clone()).unwrap_or_default(),
        subject: message.as_ref().and_then(|m| m.subject.clone()).unwrap_or_default(),
        confirmed: q.confirmed,
        undo,
        referred,
        can_amend_orders: me.can(Permission::AmendOrders),
        is_rfq: d.kind == domain::message::MessageKind::Rfq,
        quotes: if d.kind == domain::message::MessageKind::Rfq {
            state
                .store
                .quotes_of_message(d.message_id)
                .await?
                .iter()
                .filter(|q| q.draft_id == d.id)
                .map(|q| q.id)
                .collect()
        } else {
            Vec::new()
        },
        d,
    };
    Ok(render(page)?.into_response())
}

#[derive(Deserialize)]
pub struct CorrectionForm {
    version: i64,
    /// `header`, `customer`, `line_product`, `line_value`, `resolve`
    what: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    line_no: u32,
    #[serde(default)]
    index: usize,
    #[serde(default)]
    value: String,
    /// For `add_line`: the new line's values.
    #[serde(flatten)]
    new_line: NewLineForm,
}

/// A line to add, as a form or the API sends it.
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct NewLineForm {
    /// Our product; empty for a free-text line
    #[serde(default)]
    pub sku: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub quantity: String,
    /// UN/ECE Rec. 20 code; empty: the product's unit, else C62
    #[serde(default)]
    pub uom: String,
    /// Required for free text; empty on a product line: our price
    #[serde(default)]
    pub unit_price: String,
}

impl NewLineForm {
    /// The line as typed; numbers read in the clerk's language when a page sent them
    /// (`None` for the API, whose numbers are read as written).
    pub(crate) fn read(&self, tr: Option<&crate::i18n::Tr>) -> app::draft::NewLine {
        let number = |typed: &str| {
            tr.and_then(|tr| tr.read_number(typed))
                .map_or_else(|| typed.to_owned(), |n| n.to_string())
        };
        app::draft::NewLine {
            sku: self.sku.clone(),
            description: self.description.clone(),
            quantity: number(&self.quantity),
            uom: self.uom.clone(),
            unit_price: number(&self.unit_price),
        }
    }
}

/// The order a change or cancellation draft names, with what applying it would do.
async fn referred(
    state: &AppState,
    draft: &app::draft::Draft,
    tr: &crate::i18n::Tr,
) -> Result<Option<Referred>, WebError> {
    use domain::message::MessageKind;
    if !matches!(draft.kind, MessageKind::OrderChange | MessageKind::Cancellation) {
        return Ok(None);
    }
    let Some(order) = app::changes::referred_order(&state.store, draft).await? else {
        return Ok(None);
    };
    let content = app::draft::Draft::from_json(&order.content)
        .map_err(|e| WebError::Corrupt(format!("order {}: {e}", order.id)))?;
    let cancels = draft.kind == MessageKind::Cancellation;
    let plan = if cancels {
        app::changes::ChangePlan::default()
    } else {
        app::changes::plan_change(&content, draft)
    };
    Ok(Some(Referred {
        id: order.id,
        version: order.version,
        status: order.status.as_str(),
        cancels,
        open: !order.status.is_final(),
        amendments: plan
            .amendments
            .iter()
            .map(|a| {
                format!(
                    "{} {}: {} → {}",
                    tr.t("line"),
                    a.line_no,
                    tr.label(a.field.as_str()),
                    a.value
                )
            })
            .chain(plan.added.iter().map(|l| {
                let quantity = l.quantity.map(|q| tr.quantity(q)).unwrap_or_default();
                tr.fill("New line {}: {} × {}", &[&l.line_no, &l.label(), &quantity])
            }))
            .chain(plan.removed.iter().map(|n| tr.f("Line {} taken out", n)))
            .collect(),
        by_hand: plan.by_hand.iter().map(|b| tr.by_hand(b)).collect(),
    }))
}

#[derive(Deserialize)]
pub struct ApplyForm {
    version: i64,
    order_id: i64,
    order_version: i64,
}

/// Applies a change or cancellation to the order it names and closes its draft, together.
pub async fn apply_to_order(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Form(form): Form<ApplyForm>,
) -> Response {
    match app::changes::apply_message(
        &state.store,
        id,
        form.version,
        form.order_id,
        form.order_version,
        &me.username,
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/orders/{}", form.order_id)).into_response(),
        Err(e) => review_failed(&me, &e),
    }
}

#[derive(Deserialize)]
pub struct VersionForm {
    version: i64,
}

/// Undoes the draft's last correction (and what it taught); the correction stays in the history.
pub async fn undo(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Form(form): Form<VersionForm>,
) -> Response {
    match app::learning::undo(&state.store, &state.catalog, id, form.version, &me.username).await {
        Ok(_) => Redirect::to(&format!("/drafts/{id}")).into_response(),
        Err(e) => {
            let e = app::review::ReviewError::from(e);
            review_failed(&me, &e)
        }
    }
}

/// A number or date as the clerk typed it in their language, written the
/// one way corrections read (`1234.56`, `2026-11-29`); anything else as typed,
/// for the correction to refuse with its own message.
fn canonical_value(tr: &crate::i18n::Tr, what: &str, field: &str, typed: &str) -> String {
    let is_number = matches!(
        (what, field),
        ("line_value", "quantity" | "unit_price") | ("header", "stated_total")
    );
    let is_date = matches!(
        (what, field),
        ("line_value", "delivery_date") | ("header", "order_date" | "requested_delivery_date")
    );
    if is_number && let Some(n) = tr.read_number(typed) {
        return n.to_string();
    }
    if is_date && let Some(d) = tr.read_date(typed) {
        return d.to_string();
    }
    typed.to_owned()
}

/// A correction as a form or the API names it; a correction or field that
/// does not exist is refused with the status to answer.
pub(crate) fn correction_of(
    what: &str,
    field: &str,
    line_no: u32,
    index: usize,
    value: &str,
    new_line: app::draft::NewLine,
) -> Result<app::draft::Correction, (StatusCode, String)> {
    use app::draft::CorrectionError as E;
    if what == "add_line" {
        return Ok(app::draft::Correction::AddLine(new_line));
    }
    app::draft::Correction::parse(what, field, line_no, index, value).map_err(|e| match e {
        E::UnknownCorrection(_) => (StatusCode::BAD_REQUEST, e.to_string()),
        _ => (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
    })
}

#[derive(Deserialize)]
pub struct ReplyForm {
    version: i64,
    text: String,
}

/// Sends a clerk's answer to a status inquiry and marks it done.
pub async fn reply(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Form(form): Form<ReplyForm>,
) -> Response {
    use app::inquiry::ReplyError as E;
    match app::inquiry::send_reply(
        &state.store,
        &state.config.outbox(),
        id,
        form.version,
        &form.text,
        &me.username,
    )
    .await
    {
        Ok(()) => Redirect::to(&format!("/drafts/{id}")).into_response(),
        Err(e) => {
            let status = match &e {
                E::NoDraft(_) => StatusCode::NOT_FOUND,
                E::Conflict(..) | E::NotInReview(_) => StatusCode::CONFLICT,
                E::Empty | E::CannotSend(_) => StatusCode::UNPROCESSABLE_ENTITY,
                E::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            };
            action_failed(&me, &e, status)
        }
    }
}

pub async fn correct(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Form(form): Form<CorrectionForm>,
) -> Response {
    let value = canonical_value(&me.tr, &form.what, &form.field, &form.value);
    let new_line = form.new_line.read(Some(&me.tr));
    let correction = match correction_of(&form.what, &form.field, form.line_no, form.index, &value, new_line) {
        Ok(c) => c,
        Err((status, message)) => return action_failed(&me, &message, status),
    };
    let settings = match app::settings::extraction(&state.store, &state.config.extraction).await {
        Ok(s) => s,
        Err(e) => return action_failed(&me, &e, StatusCode::INTERNAL_SERVER_ERROR),
    };
    match app::learning::correct(
        &state.store,
        &state.catalog,
        &settings,
        id,
        form.version,
        &correction,
        &me.username,
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/drafts/{id}")).into_response(),
        Err(e) => {
            let e = app::review::ReviewError::from(e);
            review_failed(&me, &e)
        }
    }
}

#[derive(Deserialize)]
pub struct ActionForm {
    version: i64,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    to: String,
}

/// Confirm, reject, escalate, forward, done, take, release.
pub async fn draft_action(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<ActionForm>,
) -> Response {
    use app::review::{self, ActionDone, ActionInput, DraftAction};
    let Some(kind) = DraftAction::parse(&action) else {
        return action_failed(
            &me,
            &format!("'{action}' is not an action on a draft"),
            StatusCode::NOT_FOUND,
        );
    };
    let input = ActionInput {
        version: form.version,
        reason: &form.reason,
        to: &form.to,
    };
    let reviewer = me.reviewer();
    match review::act(&state.store, &state.config.outbox(), id, kind, input, reviewer).await {
        // The next of my drafts (else the next no one has) opens, with word of the order just made.
        Ok(ActionDone::Confirmed { order }) => match next_for(&state, &me, id).await {
            Some(next) => Redirect::to(&format!("/drafts/{next}?confirmed={order}")).into_response(),
            None => Redirect::to(&format!("/orders/{order}")).into_response(),
        },
        Ok(ActionDone::Changed) if matches!(kind, DraftAction::Reject | DraftAction::Done | DraftAction::Forward) => {
            Redirect::to("/queue").into_response()
        }
        Ok(ActionDone::Changed) => Redirect::to(&format!("/drafts/{id}")).into_response(),
        Err(e) => review_failed(&me, &e),
    }
}

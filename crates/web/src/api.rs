//! The JSON API: everything the UI does, for integrations and scripts.
//!
//! Authentication is a session cookie (from `/api/login`, with the CSRF token
//! sent as `X-CSRF-Token` on changes) or an API token as
//! `Authorization: Bearer od_…`. The OpenAPI description at
//! `/api/openapi.json` is generated from the handlers below.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use domain::access::Permission;
use domain::event::Event;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::inbox::InboxStatus;
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::AppState;
use crate::auth::{CurrentUser, json_error};
use crate::workspace::{amendment_reason, correction_of, review_status};

const MAX_LIMIT: i64 = 500;

/// An error answer: `{"error": "…"}` with a status that says what kind.
pub struct ApiError(pub StatusCode, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.0 == StatusCode::SERVICE_UNAVAILABLE {
            return crate::error::busy_response(json_error(self.0, &self.1));
        }
        if self.0.is_server_error() {
            tracing::error!(error = self.1, "API request failed");
        }
        json_error(self.0, &self.1)
    }
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> Self {
        if e.is_busy() {
            return ApiError(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database is busy; try again in a moment".into(),
            );
        }
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

impl From<app::review::ReviewError> for ApiError {
    fn from(e: app::review::ReviewError) -> Self {
        ApiError(review_status(&e), e.to_string())
    }
}

impl From<app::users::UserError> for ApiError {
    fn from(e: app::users::UserError) -> Self {
        ApiError(crate::settings::user_error_status(&e), e.to_string())
    }
}

fn not_found(what: String) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, format!("{what} does not exist"))
}

pub(crate) type ApiResult<T> = Result<Json<T>, ApiError>;

fn limit(raw: Option<i64>) -> i64 {
    raw.unwrap_or(50).clamp(1, MAX_LIMIT)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/login",
            post(crate::login::api_login).layer(axum::extract::DefaultBodyLimit::max(crate::login::MAX_LOGIN_BODY)),
        )
        .route("/api/openapi.json", get(openapi))
        .route("/api/me", get(me))
        .route("/api/messages", get(messages).post(upload))
        .route("/api/messages/{id}", get(message))
        .route("/api/queue", get(queue))
        .route("/api/drafts/{id}", get(draft))
        .route("/api/drafts/{id}/corrections", post(correct))
        .route("/api/drafts/{id}/undo", post(undo))
        .route("/api/drafts/{id}/apply", post(apply_to_order))
        .route("/api/orders/{id}/cancel", post(cancel_order))
        .route("/api/drafts/{id}/quote", post(crate::quote_api::make))
        .route("/api/drafts/{id}/{action}", post(draft_action))
        .route("/api/quotes", get(crate::quote_api::quotes))
        .route("/api/quotes/{id}", get(crate::quote_api::quote))
        .route("/api/quotes/{id}/edits", post(crate::quote_api::edit))
        .route("/api/quotes/{id}/copy", post(crate::quote_api::copy))
        .route("/api/quotes/{id}/{action}", post(crate::quote_api::action))
        .route("/api/orders", get(orders))
        .route("/api/orders/{id}", get(order))
        .route("/api/orders/{id}/amend", post(amend))
        .route("/api/events", get(events))
        .route("/api/customers", get(customers))
        .route("/api/customers/{customer_no}", get(customer))
        .route("/api/products", get(products))
        .route("/api/product-picker", get(product_picker))
        .route("/api/products/{sku}", get(product))
        .route("/api/users", get(users).post(add_user))
        .route("/api/users/{username}", post(update_user))
        .route(
            "/api/settings/drafting",
            get(drafting_settings).post(save_drafting_settings),
        )
        .route("/api/tokens", post(add_token).get(tokens))
        .route("/api/tokens/{id}", axum::routing::delete(revoke_token))
}

// ------------------------------------------------------------------ me

#[derive(Serialize, ToSchema)]
pub struct MeJson {
    username: String,
    display_name: String,
    role: String,
    permissions: Vec<String>,
}

/// Who the session or token acts as, and what they may do.
#[utoipa::path(get, path = "/api/me", tag = "session", responses((status = 200, body = MeJson)))]
async fn me(Extension(me): Extension<CurrentUser>) -> Json<MeJson> {
    use Permission::*;
    let all = [
        (ViewWork, "view_work"),
        (UploadMessages, "upload_messages"),
        (ReviewDrafts, "review_drafts"),
        (AmendOrders, "amend_orders"),
        (AssignWork, "assign_work"),
        (ViewKpis, "view_kpis"),
        (ManageSettings, "manage_settings"),
        (ManageUsers, "manage_users"),
    ];
    Json(MeJson {
        permissions: all
            .iter()
            .filter(|(p, _)| me.can(*p))
            .map(|(_, n)| (*n).to_owned())
            .collect(),
        username: me.username,
        display_name: me.display_name,
        role: me.role.as_str().to_owned(),
    })
}

// ------------------------------------------------------------------ messages

#[derive(Serialize, ToSchema)]
pub struct MessageJson {
    id: i64,
    received_at: String,
    channel: String,
    source_name: Option<String>,
    sender: Option<String>,
    subject: Option<String>,
    kind: Option<String>,
    /// `new`, `in_review`, `straight_through`, `done`, `error`, `duplicate`
    status: String,
    error: Option<String>,
    size_bytes: i64,
    draft_id: Option<i64>,
    assigned_to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MessagePage {
    messages: Vec<MessageJson>,
    /// Pass as `before` for the next page; absent on the last page.
    next_before: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
pub struct MessagesQuery {
    /// `new`, `in_review`, `straight_through`, `done`, `error`, `duplicate`
    status: Option<String>,
    kind: Option<String>,
    /// A channel (`upload:anna`, `folder`) or a prefix ending in `:` (`imap:`)
    channel: Option<String>,
    /// Words in sender, subject or file name
    q: Option<String>,
    /// Only messages with a smaller id (keyset paging)
    before: Option<i64>,
    limit: Option<i64>,
}

/// The inbox, newest first.
#[utoipa::path(get, path = "/api/messages", tag = "messages", params(MessagesQuery),
    responses((status = 200, body = MessagePage)))]
async fn messages(State(state): State<AppState>, Query(q): Query<MessagesQuery>) -> ApiResult<MessagePage> {
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => Some(InboxStatus::parse(raw).ok_or_else(|| {
            ApiError(
                StatusCode::BAD_REQUEST,
                format!("status '{raw}' is not one of new, in_review, straight_through, done, error, duplicate"),
            )
        })?),
        None => None,
    };
    let kind = match q.kind.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => Some(domain::message::MessageKind::parse(raw).ok_or_else(|| {
            ApiError(
                StatusCode::BAD_REQUEST,
                format!("kind '{raw}' is not one of order, order_change, cancellation, rfq, inquiry, other"),
            )
        })?),
        None => None,
    };
    let filter = store::inbox::InboxFilter {
        status,
        kind,
        channel: q.channel.filter(|s| !s.is_empty()),
        q: q.q.filter(|s| !s.is_empty()),
    };
    let limit = limit(q.limit);
    let rows = state.store.inbox(&filter, q.before, limit).await?;
    let next_before = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    Ok(Json(MessagePage {
        messages: rows
            .into_iter()
            .map(|r| MessageJson {
                id: r.id,
                received_at: store::timestamp_text(r.received_at),
                channel: r.channel,
                source_name: r.source_name,
                sender: r.sender,
                subject: r.subject,
                kind: r.kind.map(|k| k.as_str().to_owned()),
                status: r.status.as_str().to_owned(),
                error: r.error,
                size_bytes: r.size_bytes,
                draft_id: r.draft_id,
                assigned_to: r.assigned_to,
            })
            .collect(),
        next_before,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct MessageDetail {
    id: i64,
    received_at: String,
    channel: String,
    source_name: Option<String>,
    sha256: String,
    size_bytes: i64,
    message_id_header: Option<String>,
    sender: Option<String>,
    subject: Option<String>,
    status: String,
    kind: Option<String>,
    kind_reason: Option<String>,
    error: Option<String>,
    duplicate_of: Option<i64>,
    processed_at: Option<String>,
    /// Its (first) draft
    draft_id: Option<i64>,
    /// Every draft: one per order the message carries
    draft_ids: Vec<i64>,
    /// The documents its parts became (docs/document-json.md)
    #[schema(value_type = Object)]
    documents: Value,
}

/// One message with its parts and what became of it.
#[utoipa::path(get, path = "/api/messages/{id}", tag = "messages", params(("id" = i64, Path)),
    responses((status = 200, body = MessageDetail), (status = 404)))]
async fn message(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult<MessageDetail> {
    let m = state
        .store
        .message(id)
        .await?
        .ok_or_else(|| not_found(format!("message {id}")))?;
    let drafts = state.store.drafts_of_message(id).await?;
    Ok(Json(MessageDetail {
        status: InboxStatus::of(m.status, drafts.first().map(|d| d.status))
            .as_str()
            .to_owned(),
        draft_id: drafts.first().map(|d| d.id),
        draft_ids: drafts.iter().map(|d| d.id).collect(),
        documents: m
            .documents_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or(Value::Array(Vec::new())),
        id: m.id,
        received_at: store::timestamp_text(m.received_at),
        channel: m.channel,
        source_name: m.source_name,
        sha256: m.sha256,
        size_bytes: m.size_bytes,
        message_id_header: m.message_id_header,
        sender: m.sender,
        subject: m.subject,
        kind: m.kind.map(|k| k.as_str().to_owned()),
        kind_reason: m.kind_reason,
        error: m.error,
        duplicate_of: m.duplicate_of,
        processed_at: m.processed_at.map(store::timestamp_text),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct UploadQuery {
    /// The file name (`order.pdf`, `mail.eml`); the format is recognised from the content as well
    name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Received {
    id: i64,
    /// Set when the same bytes or Message-ID arrived before.
    duplicate_of: Option<i64>,
}

/// Hands in one message (a mail as .eml, or a bare attachment) as the request body.
#[utoipa::path(post, path = "/api/messages", tag = "messages", params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Received), (status = 400, description = "Empty body")))]
async fn upload(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<Received>), ApiError> {
    if body.is_empty() {
        return Err(ApiError(
            StatusCode::BAD_REQUEST,
            "the request body (the message) is empty".into(),
        ));
    }
    let received = app::intake::receive(&state.store, &format!("api:{}", me.username), q.name.as_deref(), &body)
        .await
        .map_err(|e| match e {
            app::intake::IntakeError::Store(e) => ApiError::from(e),
            other => ApiError(StatusCode::INTERNAL_SERVER_ERROR, other.to_string()),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(Received {
            id: received.id,
            duplicate_of: received.duplicate_of,
        }),
    ))
}

// ------------------------------------------------------------------ drafts

#[derive(Serialize, ToSchema)]
pub struct DraftJson {
    id: i64,
    message_id: i64,
    kind: String,
    /// `review`, `straight_through`, `confirmed`, `rejected`, `done`
    status: String,
    decision: String,
    /// Name it in every change; a change to an older version is refused with 409.
    version: i64,
    assigned_to: Option<String>,
    due_at: Option<String>,
    escalated: bool,
    status_reason: Option<String>,
    /// What still keeps it from being confirmed.
    open_points: Vec<String>,
    /// The draft in the extraction JSON shape (contracts §2)
    #[schema(value_type = Object)]
    draft: Value,
}

fn draft_json(d: store::drafts::StoredDraft) -> DraftJson {
    let parsed = app::draft::Draft::from_json(&d.extraction).ok();
    DraftJson {
        open_points: parsed
            .as_ref()
            .map(|d| app::review::open_points(d).iter().map(ToString::to_string).collect())
            .unwrap_or_default(),
        draft: serde_json::from_str(&d.extraction).unwrap_or(Value::Null),
        id: d.id,
        message_id: d.message_id,
        kind: d.kind.as_str().to_owned(),
        status: d.status.as_str().to_owned(),
        decision: d.decision.as_str().to_owned(),
        version: d.version,
        assigned_to: d.assigned_to,
        due_at: d.due_at.map(store::timestamp_text),
        escalated: d.escalated,
        status_reason: d.status_reason,
    }
}

#[derive(Deserialize, IntoParams)]
pub struct QueueQuery {
    /// Only drafts assigned to the caller
    #[serde(default)]
    mine: bool,
    /// Keyset: the `due_at` and `id` of the last draft of the previous page
    after_due: Option<String>,
    after_id: Option<i64>,
    limit: Option<i64>,
}

/// A draft in the review queue: its state and summary; `/api/drafts/{id}` has its content.
#[derive(Serialize, ToSchema)]
pub struct QueuedDraftJson {
    id: i64,
    message_id: i64,
    kind: String,
    status: String,
    decision: String,
    version: i64,
    customer_no: Option<String>,
    /// Customer number and name
    customer: Option<String>,
    po_number: Option<String>,
    sender: Option<String>,
    subject: Option<String>,
    assigned_to: Option<String>,
    due_at: Option<String>,
    escalated: bool,
    /// Open exceptions and review reasons
    reasons: Vec<String>,
    lines: usize,
}

/// The review queue, soonest due first (summaries; at most `limit`, 50 by default, 500 at most).
#[utoipa::path(get, path = "/api/queue", tag = "drafts", params(QueueQuery),
    responses((status = 200, body = Vec<QueuedDraftJson>)))]
async fn queue(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<QueueQuery>,
) -> ApiResult<Vec<QueuedDraftJson>> {
    let after = match q.after_due.as_deref().filter(|d| !d.is_empty()) {
        Some(raw) => {
            let due: jiff::Timestamp = raw.parse().map_err(|_| {
                ApiError(
                    StatusCode::BAD_REQUEST,
                    format!("after_due '{raw}' is not a timestamp (the due_at of the last draft of the page)"),
                )
            })?;
            Some((due, q.after_id.unwrap_or(0)))
        }
        None => None,
    };
    let drafts = state
        .store
        .review_queue(after, q.mine.then_some(me.username.as_str()), limit(q.limit))
        .await?;
    let mut out = Vec::with_capacity(drafts.len());
    for d in drafts {
        let summary = crate::workspace::summary_of(&state, &d)
            .await
            .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        out.push(QueuedDraftJson {
            id: d.id,
            message_id: d.message_id,
            kind: d.kind.as_str().to_owned(),
            status: d.status.as_str().to_owned(),
            decision: d.decision.as_str().to_owned(),
            version: d.version,
            customer_no: d.customer_no,
            customer: summary.customer,
            po_number: d.po_number,
            sender: summary.sender,
            subject: summary.subject,
            assigned_to: d.assigned_to,
            due_at: d.due_at.map(store::timestamp_text),
            escalated: d.escalated,
            reasons: summary.reasons,
            lines: summary.lines,
        });
    }
    Ok(Json(out))
}

/// One draft with its version, review state and content.
#[utoipa::path(get, path = "/api/drafts/{id}", tag = "drafts", params(("id" = i64, Path)),
    responses((status = 200, body = DraftJson), (status = 404)))]
async fn draft(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult<DraftJson> {
    let d = state
        .store
        .draft(id)
        .await?
        .ok_or_else(|| not_found(format!("draft {id}")))?;
    Ok(Json(draft_json(d)))
}

#[derive(Deserialize, ToSchema)]
pub struct CorrectionJson {
    /// The version the change was made on
    version: i64,
    /// `header`, `customer`, `line_product`, `line_value`, `resolve`, `add_line`,
    /// `remove_line` (line_no), `move_line` (line_no, index: the new position)
    what: String,
    /// For `header`: po_number, order_date, requested_delivery_date, currency, stated_total;
    /// for `line_value`: quantity, unit_price, uom, delivery_date
    #[serde(default)]
    field: String,
    #[serde(default)]
    line_no: u32,
    /// For `resolve`: the exception's index in the draft's list
    #[serde(default)]
    index: usize,
    /// The new value (for `resolve`: the reviewer's note)
    #[serde(default)]
    value: String,
    /// For `add_line`: sku (empty for free text), description, quantity, uom, unit_price
    #[serde(flatten)]
    new_line: crate::workspace::NewLineForm,
}

#[derive(Serialize, ToSchema)]
pub struct Corrected {
    /// The draft's version after the change
    version: i64,
    /// The customer part number learned: [customer, code, sku]
    customer_item: Option<Vec<String>>,
    /// The layout hint learned: [field, label]
    layout_hint: Option<Vec<String>>,
}

/// Corrects one value of a draft; what it teaches applies to the next document.
#[utoipa::path(post, path = "/api/drafts/{id}/corrections", tag = "drafts", params(("id" = i64, Path)),
    request_body = CorrectionJson,
    responses((status = 200, body = Corrected), (status = 409, description = "Changed by someone else meanwhile"),
              (status = 422, description = "Invalid value")))]
async fn correct(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Json(body): Json<CorrectionJson>,
) -> ApiResult<Corrected> {
    let new_line = body.new_line.read(None);
    let correction = correction_of(&body.what, &body.field, body.line_no, body.index, &body.value, new_line)
        .map_err(|(status, message)| ApiError(status, message))?;
    let settings = app::settings::extraction(&state.store, &state.config.extraction).await?;
    let learned = app::learning::correct(
        &state.store,
        &state.catalog,
        &settings,
        id,
        body.version,
        &correction,
        &me.username,
    )
    .await
    .map_err(app::review::ReviewError::from)?;
    Ok(Json(Corrected {
        version: body.version + 1,
        customer_item: learned.customer_item.map(|i| {
            vec![
                i.customer_no.as_str().to_owned(),
                i.customer_part_no.as_str().to_owned(),
                i.sku.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            ]
        }),
        layout_hint: learned
            .layout_hint
            .map(|(field, label)| vec![field.as_str().to_owned(), label]),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct CancelJson {
    /// The order's version the cancellation was asked on
    version: i64,
    /// Why, as the customer said it
    reason: String,
}

/// Cancels an order with the reason; the ERP's sale is cancelled through the outbox.
#[utoipa::path(post, path = "/api/orders/{id}/cancel", tag = "orders", params(("id" = i64, Path)),
    request_body = CancelJson,
    responses((status = 204, description = "Cancelled"), (status = 409, description = "Changed meanwhile, or cancelled or fulfilled already")))]
async fn cancel_order(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Json(body): Json<CancelJson>,
) -> Result<StatusCode, ApiError> {
    app::changes::cancel_order(&state.store, id, body.version, &body.reason, &me.username).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ApplyJson {
    /// The draft's version
    version: i64,
    /// The order it names, and the order's version
    order_id: i64,
    order_version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AppliedJson {
    order_id: i64,
    /// `cancelled` or `amended`
    result: String,
    /// How many line values were amended
    amendments: usize,
}

/// Applies a change or cancellation draft to the order it names (amended as
/// the customer's change, or cancelled) and marks the draft done, together.
#[utoipa::path(post, path = "/api/drafts/{id}/apply", tag = "drafts", params(("id" = i64, Path)),
    request_body = ApplyJson,
    responses((status = 200, body = AppliedJson), (status = 409, description = "Changed meanwhile"),
              (status = 422, description = "Not a change, or a change that needs a person")))]
async fn apply_to_order(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Json(body): Json<ApplyJson>,
) -> ApiResult<AppliedJson> {
    let applied = app::changes::apply_message(
        &state.store,
        id,
        body.version,
        body.order_id,
        body.order_version,
        &me.username,
    )
    .await?;
    Ok(Json(match applied {
        app::changes::Applied::Cancelled { order } => AppliedJson {
            order_id: order,
            result: "cancelled".into(),
            amendments: 0,
        },
        app::changes::Applied::Amended { order, amendments } => AppliedJson {
            order_id: order,
            result: "amended".into(),
            amendments,
        },
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct UndoJson {
    /// The version the undo was asked on
    version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct UndoneJson {
    /// The draft's version after the undo
    version: i64,
    /// What came back: the field, and its value before and after the correction undone
    field: String,
    before: Option<String>,
    after: Option<String>,
}

/// Undoes the draft's last correction and what it taught; the correction stays in the history, marked undone.
#[utoipa::path(post, path = "/api/drafts/{id}/undo", tag = "drafts", params(("id" = i64, Path)),
    request_body = UndoJson,
    responses((status = 200, body = UndoneJson), (status = 409, description = "Changed by someone else meanwhile"),
              (status = 422, description = "Nothing left to undo")))]
async fn undo(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Json(body): Json<UndoJson>,
) -> ApiResult<UndoneJson> {
    let undone = app::learning::undo(&state.store, &state.catalog, id, body.version, &me.username)
        .await
        .map_err(app::review::ReviewError::from)?;
    Ok(Json(UndoneJson {
        version: body.version + 1,
        field: undone.field,
        before: undone.before_value,
        after: undone.after_value,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ActionJson {
    version: i64,
    /// Needed for reject, escalate, forward, done
    #[serde(default)]
    reason: String,
    /// For assign and forward: the user
    #[serde(default)]
    to: String,
}

#[derive(Serialize, ToSchema)]
pub struct ActionDone {
    /// The draft's status now
    status: String,
    version: i64,
    /// Set by confirm
    order_id: Option<i64>,
}

/// `confirm`, `reject`, `escalate`, `forward`, `done`, `take`, `release` or `assign` a draft.
#[utoipa::path(post, path = "/api/drafts/{id}/{action}", tag = "drafts",
    params(("id" = i64, Path), ("action" = String, Path)), request_body = ActionJson,
    responses((status = 200, body = ActionDone), (status = 409, description = "Changed meanwhile or not in review"),
              (status = 422, description = "Not ready to confirm, or a reason is missing")))]
async fn draft_action(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path((id, action)): Path<(i64, String)>,
    Json(body): Json<ActionJson>,
) -> ApiResult<ActionDone> {
    use app::review::{self, ActionInput, DraftAction};
    let store = &state.store;
    let kind = DraftAction::parse(&action)
        .ok_or_else(|| ApiError(StatusCode::NOT_FOUND, format!("'{action}' is not an action on a draft")))?;
    let input = ActionInput {
        version: body.version,
        reason: &body.reason,
        to: &body.to,
    };
    let reviewer = me.reviewer();
    let order_id = match review::act(store, &state.config.outbox(), id, kind, input, reviewer).await? {
        review::ActionDone::Confirmed { order } => Some(order),
        review::ActionDone::Changed => None,
    };
    let d = store.draft(id).await?.ok_or_else(|| not_found(format!("draft {id}")))?;
    Ok(Json(ActionDone {
        status: d.status.as_str().to_owned(),
        version: d.version,
        order_id,
    }))
}

// ------------------------------------------------------------------ orders

#[derive(Serialize, ToSchema)]
pub struct OrderJson {
    id: i64,
    draft_id: i64,
    message_id: i64,
    customer_no: Option<String>,
    po_number: Option<String>,
    status: String,
    currency: Option<String>,
    /// Decimal as text
    total: Option<String>,
    line_count: i64,
    version: i64,
    confirmed_by: String,
    confirmed_at: String,
    updated_at: String,
    /// The order's content in the extraction JSON shape
    #[schema(value_type = Object)]
    content: Value,
}

fn order_json(o: store::orders::StoredOrder, with_content: bool) -> OrderJson {
    OrderJson {
        content: if with_content {
            serde_json::from_str(&o.content).unwrap_or(Value::Null)
        } else {
            Value::Null
        },
        id: o.id,
        draft_id: o.draft_id,
        message_id: o.message_id,
        customer_no: o.customer_no,
        po_number: o.po_number,
        status: o.status.as_str().to_owned(),
        currency: o.currency.map(|c| c.to_string()),
        total: o.total.map(|t| t.normalize().to_string()),
        line_count: o.line_count,
        version: o.version,
        confirmed_by: o.confirmed_by,
        confirmed_at: store::timestamp_text(o.confirmed_at),
        updated_at: store::timestamp_text(o.updated_at),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct OrdersQuery {
    /// Customer name or number, part of a PO number, or our order number (`AB-1042`).
    q: Option<String>,
    customer: Option<String>,
    /// confirmed, sent_to_erp, in_erp, shipped, cancelled, …
    status: Option<String>,
    /// Confirmed from this day (YYYY-MM-DD, the desk's time zone) …
    from: Option<String>,
    /// … to this day, included.
    to: Option<String>,
    /// Total from / to.
    min: Option<String>,
    max: Option<String>,
    before: Option<i64>,
    limit: Option<i64>,
}

/// Confirmed orders, newest first (content left out; fetch one order for it).
#[utoipa::path(get, path = "/api/orders", tag = "orders", params(OrdersQuery),
    responses((status = 200, body = Vec<OrderJson>), (status = 422, description = "A date or amount is not readable")))]
async fn orders(State(state): State<AppState>, Query(q): Query<OrdersQuery>) -> ApiResult<Vec<OrderJson>> {
    let query = crate::workspace::OrdersQuery {
        q: q.q.unwrap_or_default(),
        customer: q.customer.unwrap_or_default(),
        status: q.status.unwrap_or_default(),
        from: q.from.unwrap_or_default(),
        to: q.to.unwrap_or_default(),
        min: q.min.unwrap_or_default(),
        max: q.max.unwrap_or_default(),
        before: q.before,
    };
    let outbox = app::settings::outbox(&state.store, &state.config.outbox()).await?;
    let mut filter =
        crate::workspace::order_filter(&query, &outbox.letter.confirmations.number_prefix, &api_words(&state))
            .map_err(|why| ApiError(StatusCode::UNPROCESSABLE_ENTITY, why))?;
    filter.limit = limit(q.limit);
    let found = state.store.find_orders(&filter).await?;
    Ok(Json(found.into_iter().map(|o| order_json(o, false)).collect()))
}

/// One order with its content.
#[utoipa::path(get, path = "/api/orders/{id}", tag = "orders", params(("id" = i64, Path)),
    responses((status = 200, body = OrderJson), (status = 404)))]
async fn order(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult<OrderJson> {
    let o = state
        .store
        .order(id)
        .await?
        .ok_or_else(|| not_found(format!("order {id}")))?;
    Ok(Json(order_json(o, true)))
}

#[derive(Deserialize, ToSchema)]
pub struct AmendmentJson {
    line_no: u32,
    /// quantity, unit_price, uom, delivery_date
    field: String,
    value: String,
}

#[derive(Deserialize, ToSchema)]
pub struct AmendJson {
    version: i64,
    /// `entry_error` (our mistake; counts in the error rate) or `customer_change`
    reason: String,
    #[serde(default)]
    note: String,
    amendments: Vec<AmendmentJson>,
}

/// Amends a confirmed order.
#[utoipa::path(post, path = "/api/orders/{id}/amend", tag = "orders", params(("id" = i64, Path)),
    request_body = AmendJson,
    responses((status = 200, body = OrderJson), (status = 409), (status = 422)))]
async fn amend(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Json(body): Json<AmendJson>,
) -> ApiResult<OrderJson> {
    let reason = amendment_reason(&body.reason).ok_or_else(|| {
        ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            "reason must be entry_error or customer_change".into(),
        )
    })?;
    let amendments = body
        .amendments
        .into_iter()
        .map(|a| {
            let field = app::draft::LineField::parse(&a.field).ok_or_else(|| {
                ApiError(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "'{}' is not a line field that can be amended (quantity, unit_price, uom, delivery_date)",
                        a.field
                    ),
                )
            })?;
            Ok(app::review::LineAmendment {
                line_no: a.line_no,
                field,
                value: a.value,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    app::review::amend(
        &state.store,
        id,
        body.version,
        &amendments,
        reason,
        &body.note,
        &me.username,
    )
    .await?;
    let o = state
        .store
        .order(id)
        .await?
        .ok_or_else(|| not_found(format!("order {id}")))?;
    Ok(Json(order_json(o, true)))
}

// ------------------------------------------------------------------ audit

#[derive(Serialize, ToSchema)]
pub struct EventJson {
    occurred_at: String,
    /// `user:NAME` or `system:PART`
    actor: String,
    entity_type: String,
    entity_id: String,
    action: String,
    #[schema(value_type = Vec<Object>)]
    changes: Value,
}

impl From<&Event> for EventJson {
    fn from(e: &Event) -> Self {
        EventJson {
            occurred_at: e.occurred_at.to_string(),
            actor: e.actor.to_storage(),
            entity_type: e.entity_type.clone(),
            entity_id: e.entity_id.clone(),
            action: e.action.clone(),
            changes: e
                .changes
                .iter()
                .map(|c| serde_json::json!({"field": c.field, "before": c.before, "after": c.after}))
                .collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct EventsQuery {
    /// `message`, `draft`, `order`, `customer`, `product`, `user`, …
    entity_type: String,
    entity_id: String,
}

/// The audit trail of one object: every change with actor, time, before and after.
#[utoipa::path(get, path = "/api/events", tag = "audit", params(EventsQuery),
    responses((status = 200, body = Vec<EventJson>)))]
async fn events(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<EventsQuery>,
) -> ApiResult<Vec<EventJson>> {
    // The trails of users, tokens and settings (mailbox hosts and accounts) are administrators' business.
    let needed = match q.entity_type.as_str() {
        "user" => Some(Permission::ManageUsers),
        "settings" => Some(Permission::ManageSettings),
        _ => None,
    };
    if let Some(permission) = needed
        && !me.can(permission)
    {
        return Err(ApiError(
            StatusCode::FORBIDDEN,
            format!(
                "the audit trail of {} is for administrators; your role is {}",
                q.entity_type,
                me.role.label()
            ),
        ));
    }
    let events = state.store.events_for(&q.entity_type, &q.entity_id).await?;
    Ok(Json(events.iter().map(EventJson::from).collect()))
}

// ------------------------------------------------------------------ master data

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    /// Keyset: the last key of the previous page
    after: Option<String>,
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct CustomerJson {
    customer_no: String,
    name: String,
    vat_id: Option<String>,
    city: Option<String>,
    country: Option<String>,
    language: Option<String>,
    currency: Option<String>,
    price_list: Option<String>,
    credit_limit: Option<String>,
    open_balance: Option<String>,
    email_domains: Vec<String>,
}

fn customer_json(c: &domain::customer::Customer) -> CustomerJson {
    CustomerJson {
        customer_no: c.customer_no.to_string(),
        name: c.name.clone(),
        vat_id: c.vat_id.as_ref().map(ToString::to_string),
        city: c.billing_address.city.clone(),
        country: c.billing_address.country.map(|x| x.as_str().to_owned()),
        language: c.language.as_ref().map(ToString::to_string),
        currency: c.currency.as_ref().map(ToString::to_string),
        price_list: c.price_list.as_ref().map(ToString::to_string),
        credit_limit: c.credit_limit.as_ref().map(ToString::to_string),
        open_balance: c.open_balance.as_ref().map(ToString::to_string),
        email_domains: c.email_domains.clone(),
    }
}

/// Customers by number, name, city or mail domain.
#[utoipa::path(get, path = "/api/customers", tag = "master data", params(SearchQuery),
    responses((status = 200, body = Vec<CustomerJson>)))]
async fn customers(State(state): State<AppState>, Query(q): Query<SearchQuery>) -> ApiResult<Vec<CustomerJson>> {
    let found = state
        .store
        .search_customers(&q.q, q.after.as_deref(), limit(q.limit))
        .await?;
    Ok(Json(found.iter().map(customer_json).collect()))
}

/// One customer.
#[utoipa::path(get, path = "/api/customers/{customer_no}", tag = "master data",
    params(("customer_no" = String, Path)), responses((status = 200, body = CustomerJson), (status = 404)))]
async fn customer(State(state): State<AppState>, Path(no): Path<String>) -> ApiResult<CustomerJson> {
    let c = state
        .store
        .customer(&no)
        .await?
        .ok_or_else(|| not_found(format!("customer {no}")))?;
    Ok(Json(customer_json(&c)))
}

#[derive(Serialize, ToSchema)]
pub struct ProductJson {
    sku: String,
    name: String,
    description: Option<String>,
    gtin: Option<String>,
    base_unit: String,
    pack_size: String,
    min_order_qty: String,
    list_price: Option<String>,
    currency: Option<String>,
    lead_time_days: Option<u32>,
    active: bool,
}

fn product_json(p: &domain::product::Product) -> ProductJson {
    ProductJson {
        sku: p.sku.to_string(),
        name: p.name.clone(),
        description: p.description.clone(),
        gtin: p.gtin.as_ref().map(|g| g.as_str().to_owned()),
        base_unit: p.base_unit.to_string(),
        pack_size: p.pack_size.normalize().to_string(),
        min_order_qty: p.min_order_qty.normalize().to_string(),
        list_price: p.list_price.map(|x| x.normalize().to_string()),
        currency: p.currency.as_ref().map(ToString::to_string),
        lead_time_days: p.lead_time_days,
        active: p.active,
    }
}

#[derive(Deserialize, IntoParams)]
pub struct PickerQuery {
    /// What the clerk has typed so far
    #[serde(default)]
    q: String,
    /// The customer whose part numbers and prices count
    #[serde(default)]
    customer: String,
    /// At most this many (default 10, at most 50)
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct OfferedJson {
    sku: String,
    name: String,
    customer_part_no: Option<String>,
    gtin: Option<String>,
    unit: String,
    pack_size: String,
    /// The customer's price for one unit today (the list price without a customer)
    price: Option<String>,
    currency: Option<String>,
    /// In stock today
    available: String,
    active: bool,
}

/// The product picker: products for what a clerk has typed so far — our SKU,
/// the customer's part number, a GTIN, or the start of words of the name —
/// with the customer's price, stock and pack size.
#[utoipa::path(get, path = "/api/product-picker", tag = "master data", params(PickerQuery),
    responses((status = 200, body = Vec<OfferedJson>)))]
async fn product_picker(State(state): State<AppState>, Query(q): Query<PickerQuery>) -> ApiResult<Vec<OfferedJson>> {
    let settings = app::settings::extraction(&state.store, &state.config.extraction).await?;
    let catalog = state
        .catalog
        .get(
            &state.store,
            std::time::Duration::from_secs(settings.catalog_refresh_seconds),
        )
        .await
        .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let today = jiff::Timestamp::now().to_zoned(state.config.zone()).date();
    let customer = Some(q.customer.trim()).filter(|c| !c.is_empty());
    let offered = {
        let catalog = catalog.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        app::draft::pick::offer(
            &catalog,
            customer,
            &q.q,
            q.limit.unwrap_or(10).clamp(1, 50),
            &settings.pricing,
            today,
        )
    };
    Ok(Json(
        offered
            .into_iter()
            .map(|o| OfferedJson {
                sku: o.sku,
                name: o.name,
                customer_part_no: o.customer_part_no,
                gtin: o.gtin,
                unit: o.unit,
                pack_size: o.pack_size.normalize().to_string(),
                price: o.price.map(|p| p.normalize().to_string()),
                currency: o.currency,
                available: o.available.normalize().to_string(),
                active: o.active,
            })
            .collect(),
    ))
}

/// Products by SKU, name or description.
#[utoipa::path(get, path = "/api/products", tag = "master data", params(SearchQuery),
    responses((status = 200, body = Vec<ProductJson>)))]
async fn products(State(state): State<AppState>, Query(q): Query<SearchQuery>) -> ApiResult<Vec<ProductJson>> {
    let found = state
        .store
        .search_products(&q.q, q.after.as_deref(), limit(q.limit))
        .await?;
    Ok(Json(found.iter().map(product_json).collect()))
}

/// One product.
#[utoipa::path(get, path = "/api/products/{sku}", tag = "master data", params(("sku" = String, Path)),
    responses((status = 200, body = ProductJson), (status = 404)))]
async fn product(State(state): State<AppState>, Path(sku): Path<String>) -> ApiResult<ProductJson> {
    let p = state
        .store
        .product(&sku)
        .await?
        .ok_or_else(|| not_found(format!("product {sku}")))?;
    Ok(Json(product_json(&p)))
}

// ------------------------------------------------------------------ users

#[derive(Serialize, ToSchema)]
pub struct UserJson {
    username: String,
    display_name: String,
    role: String,
    active: bool,
    created_at: String,
}

impl From<store::users::User> for UserJson {
    fn from(u: store::users::User) -> Self {
        UserJson {
            username: u.username,
            display_name: u.display_name,
            role: u.role.as_str().to_owned(),
            active: u.active,
            created_at: store::timestamp_text(u.created_at),
        }
    }
}

/// All users (administrators only).
#[utoipa::path(get, path = "/api/users", tag = "users", responses((status = 200, body = Vec<UserJson>)))]
async fn users(State(state): State<AppState>) -> ApiResult<Vec<UserJson>> {
    Ok(Json(
        state.store.users().await?.into_iter().map(UserJson::from).collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserJson {
    username: String,
    #[serde(default)]
    display_name: String,
    /// clerk, sales_admin, manager, admin
    role: String,
    password: String,
}

/// Creates a user (administrators only).
#[utoipa::path(post, path = "/api/users", tag = "users", request_body = NewUserJson,
    responses((status = 201, body = UserJson), (status = 409, description = "The user name is taken"),
              (status = 422, description = "Bad name, role or password")))]
async fn add_user(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Json(body): Json<NewUserJson>,
) -> Result<(StatusCode, Json<UserJson>), ApiError> {
    let u = app::users::add_user(
        &state.store,
        &body.username,
        &body.display_name,
        &body.role,
        &body.password,
        &domain::event::Actor::User(me.username),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(UserJson::from(u))))
}

#[derive(Deserialize, ToSchema)]
pub struct NewTokenJson {
    /// What uses the token (`erp-bridge`)
    name: String,
    /// The user it acts as; its role decides what it may do
    username: String,
    /// Valid for this many days (1–3660); absent: until revoked
    days: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenJson {
    /// Shown once; send it as `Authorization: Bearer …`
    token: String,
}

/// Creates an API token (administrators only).
#[utoipa::path(post, path = "/api/tokens", tag = "users", request_body = NewTokenJson,
    responses((status = 201, body = TokenJson), (status = 404, description = "No such user")))]
async fn add_token(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Json(body): Json<NewTokenJson>,
) -> Result<(StatusCode, Json<TokenJson>), ApiError> {
    if body.name.trim().is_empty() {
        return Err(ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the token needs a name".into(),
        ));
    }
    let token = app::users::create_api_token(
        &state.store,
        &body.username,
        body.name.trim(),
        body.days,
        &domain::event::Actor::User(me.username),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(TokenJson { token })))
}

/// An API token as listed (never its secret).
#[derive(Serialize, ToSchema)]
pub struct TokenListJson {
    id: i64,
    name: String,
    username: String,
    created_at: String,
    last_used_at: Option<String>,
    expires_at: Option<String>,
    revoked_at: Option<String>,
}

/// API tokens, valid and revoked (administrators only).
#[utoipa::path(get, path = "/api/tokens", tag = "users", responses((status = 200, body = Vec<TokenListJson>)))]
async fn tokens(State(state): State<AppState>) -> ApiResult<Vec<TokenListJson>> {
    let list = state.store.api_tokens().await?;
    Ok(Json(
        list.into_iter()
            .map(|t| TokenListJson {
                id: t.id,
                name: t.name,
                username: t.username,
                created_at: store::timestamp_text(t.created_at),
                last_used_at: t.last_used_at.map(store::timestamp_text),
                expires_at: t.expires_at.map(store::timestamp_text),
                revoked_at: t.revoked_at.map(store::timestamp_text),
            })
            .collect(),
    ))
}

/// Revokes an API token at once (administrators only).
#[utoipa::path(delete, path = "/api/tokens/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 204, description = "Revoked"), (status = 404, description = "No valid token with that id")))]
async fn revoke_token(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    if app::users::revoke_api_token(&state.store, id, &domain::event::Actor::User(me.username)).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(format!("a valid API token with id {id}")))
    }
}

#[derive(Deserialize, ToSchema)]
pub struct UserChangeJson {
    /// clerk, sales_admin, manager, admin
    role: Option<String>,
    active: Option<bool>,
    /// A new password (10 characters or more); ends the user's sessions
    password: Option<String>,
}

/// Changes a user's role, activity or password (administrators only).
#[utoipa::path(post, path = "/api/users/{username}", tag = "users", params(("username" = String, Path)),
    request_body = UserChangeJson,
    responses((status = 200, body = UserJson), (status = 404), (status = 422)))]
async fn update_user(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(username): Path<String>,
    Json(body): Json<UserChangeJson>,
) -> ApiResult<UserJson> {
    let change = app::users::UserChange {
        role: body.role.as_deref(),
        active: body.active,
        password: body.password.as_deref(),
    };
    let actor = domain::event::Actor::User(me.username.clone());
    let user = app::users::change_user(&state.store, &username, change, &actor).await?;
    Ok(Json(UserJson::from(user)))
}

// ------------------------------------------------------------------ settings

/// The drafting settings in force (`[extraction]`, or as administrators saved them).
#[utoipa::path(get, path = "/api/settings/drafting", tag = "settings",
    responses((status = 200, description = "The settings as in orderdesk.toml's [extraction]")))]
async fn drafting_settings(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let s = app::settings::extraction(&state.store, &state.config.extraction).await?;
    Ok(Json(serde_json::to_value(s).unwrap_or(Value::Null)))
}

/// Replaces the drafting settings; they apply to the next message (administrators only).
#[utoipa::path(post, path = "/api/settings/drafting", tag = "settings",
    request_body(content = Object, description = "The settings as in orderdesk.toml's [extraction]; missing keys keep their defaults"),
    responses((status = 200, description = "Saved"), (status = 422, description = "A value is not valid")))]
async fn save_drafting_settings(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, ApiError> {
    let before = app::settings::extraction(&state.store, &state.config.extraction).await?;
    let new: app::config::ExtractionSettings = serde_json::from_value(body).map_err(|e| {
        ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the settings cannot be read: {e}"),
        )
    })?;
    app::settings::save_extraction(&state.store, &before, &new, &me.username)
        .await
        .map_err(|e| match e {
            app::settings::SettingsError::Invalid(m) => ApiError(StatusCode::UNPROCESSABLE_ENTITY, m),
            other => ApiError(StatusCode::INTERNAL_SERVER_ERROR, other.to_string()),
        })?;
    Ok(Json(serde_json::to_value(new).unwrap_or(Value::Null)))
}

// ------------------------------------------------------------------ OpenAPI

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Orderdesk API", description = "The order desk's inbox, review queue, drafts, orders, master data and users. \
        Every route except /healthz and /api/login answers 401 without a session cookie or an API token."),
    modifiers(&Security),
    security(("token" = []), ("session" = [])),
    paths(crate::login::api_login, me, messages, upload, message, queue, draft, correct, draft_action,
          orders, order, amend, events, customers, customer, products, product, product_picker, users, add_user, update_user, undo, apply_to_order, cancel_order,
          add_token, tokens, revoke_token, drafting_settings, save_drafting_settings,
          crate::quote_api::quotes, crate::quote_api::quote, crate::quote_api::edit, crate::quote_api::action, crate::quote_api::make,
          crate::quote_api::copy),
)]
pub struct ApiDoc;

/// The OpenAPI description of this API.
async fn openapi() -> Response {
    match ApiDoc::openapi().to_pretty_json() {
        Ok(json) => ([(axum::http::header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// How the API reads typed values: English numbers, dates meant in the desk's time zone.
fn api_words(state: &AppState) -> crate::i18n::Tr {
    crate::i18n::Tr::new(printout::Language::English, state.config.zone())
}

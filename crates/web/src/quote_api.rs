//! Quotes in the JSON API: the list, one quote with its lines and each
//! price's explanation (costs and margins only for roles that see cost),
//! edits, and every action of the quote page, with the revision read.

use axum::Extension;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::access::Permission;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::{ApiError, ApiResult};
use crate::auth::CurrentUser;
use crate::workspace::{
    QuoteActionForm, command_of, desk, desk_parts, make_quote_status, quote_status, run_quote_action,
};

#[derive(Serialize, ToSchema)]
pub struct QuoteJson {
    id: i64,
    /// Our quote number (`AN-17`).
    number: String,
    /// draft, awaiting_approval, approved, sent, accepted, rejected, expired, ordered
    status: String,
    revision: u32,
    approved_revision: Option<u32>,
    customer_no: String,
    rfq_number: Option<String>,
    /// The RFQ message and its draft.
    message_id: i64,
    draft_id: i64,
    currency: String,
    /// Net, as decimal text.
    total: String,
    valid_until: String,
    rfq_received_at: String,
    sent_at: Option<String>,
    decided_at: Option<String>,
    lost_reason: Option<String>,
    status_note: Option<String>,
    order_id: Option<i64>,
    /// A reply that reads as the customer accepting it.
    acceptance_message_id: Option<i64>,
    /// Why it needs a manager's approval (empty: it may be sent as it is).
    approval_reasons: Vec<String>,
    /// What keeps it from being sent.
    open_points: Vec<String>,
    /// The quote: lines with `priced` (the price per base unit, its `steps`
    /// from base price through discounts and rounding, and warnings).
    #[schema(value_type = Object)]
    content: Option<serde_json::Value>,
}

/// Costs, floors and margins out of a quote's JSON, for roles that may not see them.
fn without_cost(value: &mut serde_json::Value) {
    let Some(lines) = value.get_mut("lines").and_then(|l| l.as_array_mut()) else {
        return;
    };
    for line in lines {
        if let Some(priced) = line.get_mut("priced").and_then(|p| p.as_object_mut()) {
            priced.remove("cost");
            priced.remove("floor");
            if let Some(warnings) = priced.get_mut("warnings").and_then(|w| w.as_array_mut()) {
                for w in warnings.iter_mut().filter_map(|w| w.as_object_mut()) {
                    w.remove("cost");
                    w.remove("floor");
                }
            }
        }
    }
}

async fn quote_json(
    state: &AppState,
    me: &CurrentUser,
    q: store::quotes::StoredQuote,
    with_content: bool,
) -> Result<QuoteJson, ApiError> {
    let settings = app::settings::quotes(&state.store, &state.config.quotes).await?;
    let quote = app::quote::Quote::from_json(&q.content).ok();
    let (approval_reasons, open_points) = match &quote {
        Some(quote) => (
            app::quote::approval(quote, &settings.approval)
                .iter()
                .map(domain::quote::ApprovalReason::text)
                .collect(),
            app::quote::open_points(quote).iter().map(ToString::to_string).collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let content = with_content
        .then(|| serde_json::from_str::<serde_json::Value>(&q.content).ok())
        .flatten()
        .map(|mut v| {
            if !me.can(Permission::ViewCost) {
                without_cost(&mut v);
            }
            v
        });
    Ok(QuoteJson {
        id: q.id,
        number: settings.number(q.id),
        status: q.state.status.as_str().to_owned(),
        revision: q.state.revision,
        approved_revision: q.state.approved_revision,
        customer_no: q.customer_no,
        rfq_number: q.rfq_number,
        message_id: q.message_id,
        draft_id: q.draft_id,
        currency: q.currency.to_string(),
        total: q.total.normalize().to_string(),
        valid_until: q.valid_until.to_string(),
        rfq_received_at: q.rfq_received_at.to_string(),
        sent_at: q.sent_at.map(|t| t.to_string()),
        decided_at: q.decided_at.map(|t| t.to_string()),
        lost_reason: q.lost_reason.map(|r| r.as_str().to_owned()),
        status_note: q.status_note,
        order_id: q.order_id,
        acceptance_message_id: q.acceptance_message_id,
        approval_reasons,
        open_points,
        content,
    })
}

#[derive(Deserialize, IntoParams)]
pub struct QuotesQuery {
    /// open (default), approval, sent, expiring, won, lost, all, or one status
    show: Option<String>,
    customer: Option<String>,
    limit: Option<i64>,
}

/// Quotes, newest first (content left out; fetch one quote for it).
#[utoipa::path(get, path = "/api/quotes", tag = "quotes", params(QuotesQuery),
    responses((status = 200, body = Vec<QuoteJson>)))]
pub async fn quotes(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<QuotesQuery>,
) -> ApiResult<Vec<QuoteJson>> {
    let show = q.show.unwrap_or_else(|| "open".into());
    let filter = store::quotes::QuoteFilter {
        statuses: if show == "all" {
            Vec::new()
        } else {
            app::quote::statuses_of(&show)
        },
        customer_no: q.customer.filter(|c| !c.trim().is_empty()),
        valid_until_by: None,
        limit: q.limit.unwrap_or(50).clamp(1, 500),
    };
    let mut out = Vec::new();
    for quote in state.store.quotes(&filter).await? {
        out.push(quote_json(&state, &me, quote, false).await?);
    }
    Ok(Json(out))
}

/// One quote with its lines and how each price was made.
#[utoipa::path(get, path = "/api/quotes/{id}", tag = "quotes", params(("id" = i64, Path)),
    responses((status = 200, body = QuoteJson), (status = 404)))]
pub async fn quote(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> ApiResult<QuoteJson> {
    let q = state
        .store
        .quote(id)
        .await?
        .ok_or_else(|| ApiError(StatusCode::NOT_FOUND, format!("quote {id} not found")))?;
    Ok(Json(quote_json(&state, &me, q, true).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct EditsJson {
    /// The revision the changes were made on.
    revision: u32,
    /// Each `{"edit": "quantity", "line_no": 1, "quantity": "500"}`; edits:
    /// quantity, price (`price`: decimal or null for the calculated one),
    /// product (`sku`), description (`text`), delivery_date (`date`),
    /// remove, add (`sku`, `description`, `quantity`, `unit`, `price`),
    /// valid_until (`date`), note (`text`).
    #[schema(value_type = Vec<Object>)]
    edits: Vec<serde_json::Value>,
}

/// Changes a quote: a new revision, priced again (an approval does not carry over).
#[utoipa::path(post, path = "/api/quotes/{id}/edits", tag = "quotes", params(("id" = i64, Path)),
    request_body = EditsJson,
    responses((status = 200, body = QuoteJson), (status = 409, description = "Changed meanwhile"),
              (status = 422, description = "An edit is not valid, or the quote cannot change now")))]
pub async fn edit(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Json(body): Json<EditsJson>,
) -> ApiResult<QuoteJson> {
    let edits = body
        .edits
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            serde_json::from_value::<app::quote::QuoteEdit>(e)
                .map_err(|err| ApiError(StatusCode::UNPROCESSABLE_ENTITY, format!("edit {}: {err}", i + 1)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    run_quote_action(
        &state,
        id,
        Some(body.revision),
        app::quote::Command::Edit(edits),
        &me.username,
    )
    .await
    .map_err(|e| ApiError(quote_status(&e), e.to_string()))?;
    quote(State(state), Extension(me), Path(id)).await
}

#[derive(Deserialize, ToSchema)]
pub struct QuoteActionJson {
    /// The revision the action was decided on.
    revision: Option<u32>,
    /// Why (approve and decline need it).
    #[serde(default)]
    note: String,
    /// For reject: price, delivery_time, competitor, no_need, not_quoted, other.
    #[serde(default)]
    reason: String,
    /// For order: the customer's PO number.
    #[serde(default)]
    po_number: String,
}

/// `reprice`, `request_approval`, `approve`, `decline`, `send`, `accept`,
/// `reject`, `order` or `dismiss_acceptance`.
#[utoipa::path(post, path = "/api/quotes/{id}/{action}", tag = "quotes",
    params(("id" = i64, Path), ("action" = String, Path)), request_body = QuoteActionJson,
    responses((status = 200, body = QuoteJson), (status = 403, description = "Approving needs a manager"),
              (status = 409, description = "Changed meanwhile"),
              (status = 422, description = "Not possible now: needs approval, has open points, a reason is missing")))]
pub async fn action(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path((id, action)): Path<(i64, String)>,
    Json(body): Json<QuoteActionJson>,
) -> ApiResult<QuoteJson> {
    let form = QuoteActionForm {
        revision: body.revision,
        note: body.note,
        reason: body.reason,
        po_number: body.po_number,
    };
    let command =
        command_of(&action, &form, &crate::i18n::Tr::default()).map_err(|why| ApiError(StatusCode::NOT_FOUND, why))?;
    run_quote_action(&state, id, form.revision, command, &me.username)
        .await
        .map_err(|e| ApiError(quote_status(&e), e.to_string()))?;
    quote(State(state), Extension(me), Path(id)).await
}

#[derive(Deserialize, ToSchema)]
pub struct MakeQuoteJson {
    /// The draft's version the quote is made from.
    version: i64,
}

/// A quote from an RFQ draft in review (its customer set by hand); the draft is done.
#[utoipa::path(post, path = "/api/drafts/{id}/quote", tag = "quotes", params(("id" = i64, Path)),
    request_body = MakeQuoteJson,
    responses((status = 200, body = QuoteJson), (status = 409, description = "Changed meanwhile"),
              (status = 422, description = "Not an RFQ, or no customer")))]
pub async fn make(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Json(body): Json<MakeQuoteJson>,
) -> ApiResult<QuoteJson> {
    let parts = desk_parts(&state).await?;
    let made = app::quote::make_from_draft(&desk(&state, &parts), id, body.version, &me.username).await;
    let quote_id = made.map_err(|e| ApiError(make_quote_status(&e), e.to_string()))?;
    quote(State(state), Extension(me), Path(quote_id)).await
}

/// A copy of the quote as a new draft in its first revision, priced again
/// today; an approval is never copied.
#[utoipa::path(post, path = "/api/quotes/{id}/copy", tag = "quotes", params(("id" = i64, Path)),
    responses((status = 200, body = QuoteJson, description = "The new quote"), (status = 404)))]
pub async fn copy(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> ApiResult<QuoteJson> {
    let parts = desk_parts(&state).await?;
    let new = app::quote::copy(&desk(&state, &parts), id, &me.username)
        .await
        .map_err(|e| ApiError(quote_status(&e), e.to_string()))?;
    quote(State(state), Extension(me), Path(new)).await
}

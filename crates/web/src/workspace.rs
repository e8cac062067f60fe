//! The clerk's screens: inbox, message, review queue, review screen, orders.
//!
//! Every change goes through `app::review` / `app::learning` with the version
//! the page showed, then redirects back (post/redirect/get), so a reload never
//! repeats an action and a second reviewer gets a clear conflict message.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use domain::access::Permission;
use domain::order::OrderStatus;
use domain::review::{DraftStatus, ReadField};
use serde::Deserialize;
use serde_json::Value;
use store::inbox::{InboxFilter, InboxStatus};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::pages::{ErrorPage, EventRow, UserView, render, render_status};

const PAGE_SIZE: i64 = 50;

fn short_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M").to_string()
}

/// "5 min", "3 h", "2 d" since `t`.
fn age(t: jiff::Timestamp, now: jiff::Timestamp) -> String {
    human_duration(now.as_second() - t.as_second())
}

fn human_duration(secs: i64) -> String {
    let abs = secs.abs();
    let text = if abs < 3600 {
        format!("{} min", abs / 60)
    } else if abs < 172_800 {
        format!("{} h", abs / 3600)
    } else {
        format!("{} d", abs / 86_400)
    };
    if secs < 0 { format!("in {text}") } else { text }
}

/// A value as a form or page shows it; empty when there is none.
fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn nonempty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A failed action as a page with a status that says what kind of failure it was.
fn action_failed(me: &CurrentUser, error: &dyn std::fmt::Display, status: StatusCode) -> Response {
    if status.is_server_error() {
        tracing::error!(error = %error, "action failed");
    }
    render_status(
        status,
        ErrorPage {
            nav: "queue",
            user: Some(me.into()),
            title: match status {
                StatusCode::CONFLICT => "Changed by someone else".into(),
                StatusCode::FORBIDDEN => "Not allowed".into(),
                _ => "That did not work".into(),
            },
            message: error.to_string(),
        },
    )
}

pub(crate) fn review_status(e: &app::review::ReviewError) -> StatusCode {
    use app::learning::LearningError as L;
    use app::review::ReviewError as R;
    match e {
        R::NoDraft(_) | R::NoOrder(_) | R::UnknownAction(_) | R::Learning(L::NoDraft(_)) => StatusCode::NOT_FOUND,
        R::Forbidden(_) => StatusCode::FORBIDDEN,
        R::Conflict { .. } | R::Learning(L::Conflict { .. }) | R::NotInReview { .. } => StatusCode::CONFLICT,
        R::Store(_) | R::Learning(L::Store(_) | L::Catalog(_) | L::Corrupt { .. }) | R::Corrupt { .. } => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

// ---------------------------------------------------------------- inbox

#[derive(Deserialize, Default)]
pub struct InboxQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub q: String,
    pub before: Option<i64>,
}

impl InboxQuery {
    pub fn filter(&self) -> InboxFilter {
        InboxFilter {
            status: InboxStatus::parse(&self.status),
            kind: domain::message::MessageKind::parse(self.kind.trim()),
            channel: nonempty(&self.channel),
            q: nonempty(&self.q),
        }
    }
}

struct InboxLine {
    id: i64,
    received: String,
    age: String,
    channel: String,
    sender: String,
    subject: String,
    kind: String,
    status: &'static str,
    status_class: &'static str,
    draft_id: Option<i64>,
    assigned_to: String,
    error: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    nav: &'static str,
    user: Option<UserView>,
    q: InboxQuery,
    statuses: Vec<(&'static str, &'static str)>,
    kinds: Vec<&'static str>,
    rows: Vec<InboxLine>,
    next: Option<String>,
    csrf: String,
    can_upload: bool,
}

pub async fn inbox(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<InboxQuery>,
) -> Result<Html<String>, WebError> {
    let rows = state.store.inbox(&q.filter(), q.before, PAGE_SIZE).await?;
    let now = jiff::Timestamp::now();
    let next = (rows.len() as i64 == PAGE_SIZE).then(|| {
        let last = rows.last().map_or(0, |r| r.id);
        serde_urlencoded::to_string([
            ("status", q.status.as_str()),
            ("kind", q.kind.as_str()),
            ("channel", q.channel.as_str()),
            ("q", q.q.as_str()),
            ("before", &last.to_string()),
        ])
        .unwrap_or_default()
    });
    let lines = rows
        .iter()
        .map(|r| InboxLine {
            id: r.id,
            received: short_time(r.received_at),
            age: age(r.received_at, now),
            channel: r.channel.clone(),
            sender: opt(&r.sender),
            subject: r.subject.clone().or_else(|| r.source_name.clone()).unwrap_or_default(),
            kind: opt(&r.kind),
            status: r.status.label(),
            status_class: r.status.as_str(),
            draft_id: r.draft_id,
            assigned_to: opt(&r.assigned_to),
            error: opt(&r.error),
        })
        .collect();
    render(InboxPage {
        nav: "inbox",
        csrf: me.csrf.clone(),
        can_upload: me.can(Permission::UploadMessages),
        user: Some((&me).into()),
        q,
        statuses: InboxStatus::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        kinds: domain::message::MessageKind::ALL.iter().map(|k| k.as_str()).collect(),
        rows: lines,
        next,
    })
}

/// Takes in files from the browser as messages of the `upload` channel.
pub async fn upload(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    mut multipart: Multipart,
) -> Response {
    let mut last = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return action_failed(
                    &me,
                    &format!("the upload could not be read: {e}"),
                    StatusCode::BAD_REQUEST,
                );
            }
        };
        let name = field.file_name().map(str::to_owned);
        let bytes: Bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => {
                return action_failed(
                    &me,
                    &format!("the upload could not be read: {e}"),
                    StatusCode::BAD_REQUEST,
                );
            }
        };
        if bytes.is_empty() && name.as_deref().unwrap_or("").is_empty() {
            continue;
        }
        match app::intake::receive(
            &state.store,
            &format!("upload:{}", me.username),
            name.as_deref(),
            &bytes,
        )
        .await
        {
            Ok(received) => last = Some(received.id),
            Err(e) if e.is_busy() => {
                return crate::error::busy_response(Html(
                    "<h1>Busy</h1><p>The database is busy. Please send the file again in a moment.</p>".to_owned(),
                ));
            }
            Err(e) => return action_failed(&me, &e, StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
    match last {
        Some(id) => Redirect::to(&format!("/messages/{id}")).into_response(),
        None => action_failed(&me, &"no file was chosen", StatusCode::BAD_REQUEST),
    }
}

// ---------------------------------------------------------------- message

struct PartView {
    part: String,
    name: String,
    format: String,
    message_type: String,
    pages: i64,
    diagnostics: Vec<String>,
    blocks: Vec<BlockView>,
    tables: Vec<Vec<Vec<String>>>,
    key_values: Vec<(String, String, String)>,
    /// What was left out of a very large part, and where to find all of it.
    note: String,
}

/// Text lines, table rows, labelled values and draft lines a page shows at most;
/// the rest is in the original (raw download) and the API.
const SHOWN_AT_MOST: usize = 500;

struct BlockView {
    page: i64,
    start: i64,
    end: i64,
    text: String,
}

fn parts_of(documents_json: Option<&str>) -> Vec<PartView> {
    let mut parts = all_parts_of(documents_json);
    for p in &mut parts {
        let blocks = p.blocks.len();
        let rows: usize = p.tables.iter().map(Vec::len).sum();
        let values = p.key_values.len();
        let mut cut = Vec::new();
        if blocks > SHOWN_AT_MOST {
            p.blocks.truncate(SHOWN_AT_MOST);
            cut.push(format!("{SHOWN_AT_MOST} of {blocks} text lines"));
        }
        if rows > SHOWN_AT_MOST {
            let mut left = SHOWN_AT_MOST;
            for t in &mut p.tables {
                t.truncate(left);
                left -= t.len();
            }
            p.tables.retain(|t| !t.is_empty());
            cut.push(format!("{SHOWN_AT_MOST} of {rows} table rows"));
        }
        if values > SHOWN_AT_MOST {
            p.key_values.truncate(SHOWN_AT_MOST);
            cut.push(format!("{SHOWN_AT_MOST} of {values} labelled values"));
        }
        if !cut.is_empty() {
            p.note = format!(
                "This part is large: shown are the first {}. Download the original for all of it.",
                cut.join(", ")
            );
        }
    }
    parts
}

fn all_parts_of(documents_json: Option<&str>) -> Vec<PartView> {
    let docs: Vec<Value> = documents_json
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
    docs.iter()
        .map(|d| PartView {
            part: text(&d["part"]),
            name: text(&d["name"]),
            format: text(&d["format"]),
            message_type: text(&d["message_type"]),
            pages: d["pages"].as_i64().unwrap_or(1),
            diagnostics: d["diagnostics"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|x| format!("{} {}: {}", text(&x["severity"]), text(&x["code"]), text(&x["message"])))
                        .collect()
                })
                .unwrap_or_default(),
            blocks: d["text_blocks"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|b| {
                            let t = text(&b["text"]);
                            let start = b["char_start"].as_i64().unwrap_or(0);
                            BlockView {
                                page: b["page"].as_i64().unwrap_or(1),
                                start,
                                end: start + t.chars().count() as i64,
                                text: t,
                            }
                        })
                        .collect()
                })
                .unwrap_or_default(),
            tables: d["tables"]
                .as_array()
                .map(|tables| {
                    tables
                        .iter()
                        .map(|t| {
                            t["rows"]
                                .as_array()
                                .map(|rows| {
                                    rows.iter()
                                        .map(|r| {
                                            r["cells"]
                                                .as_array()
                                                .map(|cells| cells.iter().map(|c| text(&c["text"])).collect())
                                                .unwrap_or_default()
                                        })
                                        .collect()
                                })
                                .unwrap_or_default()
                        })
                        .collect()
                })
                .unwrap_or_default(),
            key_values: d["key_values"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|kv| (text(&kv["key"]), text(&kv["value"]), text(&kv["source"])))
                        .collect()
                })
                .unwrap_or_default(),
            note: String::new(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    nav: &'static str,
    user: Option<UserView>,
    m: store::intake::StoredMessage,
    received: String,
    status: &'static str,
    /// (draft, its status, its PO number): one per order the message carries.
    drafts: Vec<(i64, domain::review::DraftStatus, String)>,
    parts: Vec<PartView>,
    events: Vec<EventRow>,
}

pub async fn message(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let m = state
        .store
        .message(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("Message {id}")))?;
    let drafts = state.store.drafts_of_message(id).await?;
    let events = state.store.events_for("message", &id.to_string()).await?;
    render(MessagePage {
        nav: "inbox",
        user: Some((&me).into()),
        status: InboxStatus::of(m.status, drafts.first().map(|d| d.status)).label(),
        received: short_time(m.received_at),
        drafts: drafts
            .into_iter()
            .map(|d| (d.id, d.status, d.po_number.unwrap_or_default()))
            .collect(),
        parts: parts_of(m.documents_json.as_deref()),
        events: events.iter().map(EventRow::from).collect(),
        m,
    })
}

/// The message as it arrived, for download.
pub async fn raw(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, WebError> {
    let m = state
        .store
        .message(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("Message {id}")))?;
    let bytes = state.store.blobs().get(&m.sha256)?;
    let name = m.source_name.clone().unwrap_or_else(|| format!("message-{id}.eml"));
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_DISPOSITION, content_disposition(&name)),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// `attachment` with the file's name as RFC 6266 wants it: a plain ASCII
/// fallback and the full name percent-encoded, so no name sent by anyone can
/// make the header invalid.
pub(crate) fn content_disposition(name: &str) -> String {
    let name: String = name.chars().filter(|c| !c.is_control()).take(255).collect();
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

// ---------------------------------------------------------------- queue

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    pub mine: bool,
    #[serde(default)]
    pub after_due: String,
    #[serde(default)]
    pub after_id: i64,
}

struct QueueLine {
    id: i64,
    kind: String,
    customer: String,
    po_number: String,
    sender: String,
    subject: String,
    due: String,
    overdue: bool,
    assigned_to: String,
    escalated: bool,
    why: Vec<String>,
    lines: usize,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    nav: &'static str,
    user: Option<UserView>,
    mine: bool,
    waiting: i64,
    overdue: i64,
    rows: Vec<QueueLine>,
    next: Option<String>,
}

/// Why a draft waits: unresolved exceptions first, then the review reasons.
/// The summary of a queued draft: stored with it, or made from its content
/// for drafts stored before summaries were kept.
pub(crate) async fn summary_of(
    state: &AppState,
    d: &store::drafts::QueuedDraft,
) -> Result<app::draft::DraftSummary, WebError> {
    if let Some(s) = d.summary.as_deref().and_then(|s| serde_json::from_str(s).ok()) {
        return Ok(s);
    }
    let full = state.store.draft(d.id).await?;
    Ok(full
        .and_then(|f| app::draft::Draft::from_json(&f.extraction).ok())
        .map(|draft| app::draft::DraftSummary::of(&draft))
        .unwrap_or_default())
}

pub async fn queue(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<QueueQuery>,
) -> Result<Html<String>, WebError> {
    let after = q.after_due.parse::<jiff::Timestamp>().ok().map(|due| (due, q.after_id));
    let assignee = q.mine.then_some(me.username.as_str());
    let drafts = state.store.review_queue(after, assignee, PAGE_SIZE).await?;
    let now = jiff::Timestamp::now();
    let (waiting, overdue) = state.store.queue_counts(now).await?;
    let next = (drafts.len() as i64 == PAGE_SIZE)
        .then(|| drafts.last())
        .flatten()
        .map(|d| {
            serde_urlencoded::to_string([
                ("mine", q.mine.to_string()),
                ("after_due", opt(&d.due_at.map(store::timestamp_text))),
                ("after_id", d.id.to_string()),
            ])
            .unwrap_or_default()
        });
    let mut rows = Vec::with_capacity(drafts.len());
    for d in &drafts {
        let summary = summary_of(&state, d).await?;
        let due_secs = d.due_at.map(|t| t.as_second() - now.as_second());
        rows.push(QueueLine {
            id: d.id,
            kind: d.kind.as_str().to_owned(),
            customer: summary.customer.clone().unwrap_or_else(|| "unknown".into()),
            po_number: opt(&d.po_number),
            sender: summary.sender.clone().unwrap_or_default(),
            subject: summary.subject.clone().unwrap_or_default(),
            due: due_secs.map(|s| human_duration(-s)).map_or(String::new(), |t| {
                if t.starts_with("in ") {
                    format!("due {t}")
                } else {
                    format!("{t} overdue")
                }
            }),
            overdue: due_secs.is_some_and(|s| s < 0),
            assigned_to: opt(&d.assigned_to),
            escalated: d.escalated,
            why: summary.reasons.clone(),
            lines: summary.lines,
        });
    }
    render(QueuePage {
        nav: "queue",
        user: Some((&me).into()),
        mine: q.mine,
        waiting,
        overdue,
        rows,
        next,
    })
}

// ---------------------------------------------------------------- review screen

struct FieldView {
    name: &'static str,
    label: &'static str,
    value: String,
    confidence: String,
    low: bool,
    part: String,
    page: u32,
    start: i64,
}

struct LineView {
    line_no: u32,
    customer_part_no: String,
    description: String,
    sku: String,
    product_name: String,
    quantity: String,
    uom: String,
    unit_price: String,
    expected_price: String,
    total: String,
    delivery_date: String,
    confidence: String,
    low: bool,
    alternatives: Vec<(String, String, String)>,
    part: String,
    page: u32,
    start: i64,
}

struct ExceptionView {
    index: usize,
    code: String,
    severity: String,
    line: String,
    message: String,
    resolved: String,
}

#[derive(Template)]
#[template(path = "draft.html")]
struct DraftPage {
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
}

fn confidence_text(c: f64) -> String {
    format!("{:.0} %", c * 100.0)
}

pub async fn draft(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let d = state
        .store
        .draft(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("Draft {id}")))?;
    let draft =
        app::draft::Draft::from_json(&d.extraction).map_err(|e| WebError::Corrupt(format!("draft {id}: {e}")))?;
    let message = state.store.message(d.message_id).await?;
    let order = state.store.order_of_draft(id).await?;
    let events = state.store.events_for("draft", &id.to_string()).await?;
    let settings = app::settings::extraction(&state.store, &state.config.extraction).await?;
    let threshold = f64::from(settings.confidence_threshold);
    let field = |read: ReadField, label: &'static str, value: Option<String>| {
        let name = read.as_str();
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
        }
    };
    let fields = vec![
        field(ReadField::PoNumber, "PO number", draft.po_number.clone()),
        field(
            ReadField::OrderDate,
            "Order date",
            draft.order_date.map(|d| d.to_string()),
        ),
        field(
            ReadField::RequestedDeliveryDate,
            "Requested delivery",
            draft.requested_delivery_date.map(|d| d.to_string()),
        ),
        field(ReadField::Currency, "Currency", draft.currency.clone()),
        field(
            ReadField::StatedTotal,
            "Stated total",
            draft.stated_total.map(|t| t.to_string()),
        ),
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
            "This draft has {} lines; shown are the first {SHOWN_AT_MOST}. The whole draft is in the API (/api/drafts/{id}).",
            draft.lines.len()
        )
    });
    let lines = draft
        .lines
        .iter()
        .take(SHOWN_AT_MOST)
        .map(|l| LineView {
            line_no: l.line_no,
            customer_part_no: l
                .customer_part_no
                .clone()
                .or_else(|| l.printed_code.clone())
                .unwrap_or_default(),
            description: opt(&l.description),
            product_name: l.sku.as_deref().map(&product_name).unwrap_or_default(),
            sku: opt(&l.sku),
            quantity: opt(&l.quantity),
            uom: opt(&l.uom),
            unit_price: opt(&l.unit_price),
            expected_price: opt(&l.expected_price),
            total: opt(&l.total()),
            delivery_date: opt(&l.delivery_date),
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
        })
        .collect();
    let exceptions = draft
        .exceptions
        .iter()
        .enumerate()
        .map(|(index, e)| ExceptionView {
            index,
            code: e.code.as_str().to_owned(),
            severity: e.severity.as_str().to_owned(),
            line: e.line_no.map(|n| n.to_string()).unwrap_or_default(),
            message: e.message.clone(),
            resolved: match (&e.resolved_by, &e.resolution) {
                (Some(by), note) => format!("resolved by {by}: {}", note.clone().unwrap_or_default()),
                _ => String::new(),
            },
        })
        .collect();
    let users = state
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| (u.username, u.display_name))
        .collect();
    let now = jiff::Timestamp::now();
    let page = DraftPage {
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
                    "{} {} ({} via {})",
                    c.customer_no,
                    c.name.clone().unwrap_or_default(),
                    confidence_text(c.confidence),
                    c.matched_via.clone().unwrap_or_default()
                )
            })
            .unwrap_or_else(|| "not recognised".into()),
        customer_no: draft
            .customer
            .as_ref()
            .map(|c| c.customer_no.clone())
            .unwrap_or_default(),
        fields,
        lines,
        lines_note: lines_note.unwrap_or_default(),
        exceptions,
        open_points: app::review::open_points(&draft),
        review_reasons: draft.review_reasons.iter().map(ToString::to_string).collect(),
        total: opt(&draft.total()),
        currency: opt(&draft.currency),
        stated_total: opt(&draft.stated_total),
        order_id: order.map(|o| o.id),
        parts: parts_of(message.as_ref().and_then(|m| m.documents_json.as_deref())),
        events: events.iter().map(EventRow::from).collect(),
        users,
        due: d.due_at.map(|t| age(t, now)).map_or(String::new(), |a| {
            if a.starts_with("in ") {
                format!("due {a}")
            } else {
                format!("{a} overdue")
            }
        }),
        sender: message.as_ref().and_then(|m| m.sender.clone()).unwrap_or_default(),
        subject: message.as_ref().and_then(|m| m.subject.clone()).unwrap_or_default(),
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
}

/// A correction as a form or the API names it; a correction or field that
/// does not exist is refused with the status to answer.
pub(crate) fn correction_of(
    what: &str,
    field: &str,
    line_no: u32,
    index: usize,
    value: &str,
) -> Result<app::draft::Correction, (StatusCode, String)> {
    use app::draft::CorrectionError as E;
    app::draft::Correction::parse(what, field, line_no, index, value).map_err(|e| match e {
        E::UnknownCorrection(_) => (StatusCode::BAD_REQUEST, e.to_string()),
        _ => (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
    })
}

pub async fn correct(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Form(form): Form<CorrectionForm>,
) -> Response {
    let correction = match correction_of(&form.what, &form.field, form.line_no, form.index, &form.value) {
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
            action_failed(&me, &e, review_status(&e))
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
    match review::act(&state.store, id, kind, input, reviewer).await {
        Ok(ActionDone::Confirmed { order }) => Redirect::to(&format!("/orders/{order}")).into_response(),
        Ok(ActionDone::Changed) if matches!(kind, DraftAction::Reject | DraftAction::Done | DraftAction::Forward) => {
            Redirect::to("/queue").into_response()
        }
        Ok(ActionDone::Changed) => Redirect::to(&format!("/drafts/{id}")).into_response(),
        Err(e) => action_failed(&me, &e.to_string(), review_status(&e)),
    }
}

// ---------------------------------------------------------------- orders

struct OrderLine {
    id: i64,
    customer: String,
    po_number: String,
    status: String,
    total: String,
    lines: i64,
    confirmed_by: String,
    confirmed_at: String,
}

#[derive(Template)]
#[template(path = "orders.html")]
struct OrdersPage {
    nav: &'static str,
    user: Option<UserView>,
    customer: String,
    rows: Vec<OrderLine>,
    next: Option<i64>,
}

#[derive(Deserialize, Default)]
pub struct OrdersQuery {
    #[serde(default)]
    pub customer: String,
    pub before: Option<i64>,
}

fn actor_text(raw: &str) -> String {
    match domain::event::Actor::from_storage(raw) {
        Some(domain::event::Actor::User(name)) => name,
        Some(domain::event::Actor::System(part)) => format!("Orderdesk ({part})"),
        None => raw.to_owned(),
    }
}

pub async fn orders(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<OrdersQuery>,
) -> Result<Html<String>, WebError> {
    let found = state
        .store
        .orders(nonempty(&q.customer).as_deref(), q.before, PAGE_SIZE)
        .await?;
    let next = (found.len() as i64 == PAGE_SIZE)
        .then(|| found.last().map(|o| o.id))
        .flatten();
    render(OrdersPage {
        nav: "orders",
        user: Some((&me).into()),
        customer: q.customer,
        rows: found
            .iter()
            .map(|o| OrderLine {
                id: o.id,
                customer: opt(&o.customer_no),
                po_number: opt(&o.po_number),
                status: o.status.as_str().replace('_', " "),
                total: o
                    .total
                    .as_ref()
                    .map(|t| format!("{t} {}", opt(&o.currency)))
                    .unwrap_or_default(),
                lines: o.line_count,
                confirmed_by: actor_text(&o.confirmed_by),
                confirmed_at: short_time(o.confirmed_at),
            })
            .collect(),
        next,
    })
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    nav: &'static str,
    user: Option<UserView>,
    csrf: String,
    o: store::orders::StoredOrder,
    confirmed_by: String,
    confirmed_at: String,
    lines: Vec<LineView>,
    total: String,
    events: Vec<EventRow>,
    can_amend: bool,
}

pub async fn order(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let o = state
        .store
        .order(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("Order {id}")))?;
    let draft = app::draft::Draft::from_json(&o.content).map_err(|e| WebError::Corrupt(format!("order {id}: {e}")))?;
    // The timeline: the message, its draft, then the order itself.
    let mut timeline = state.store.events_for("message", &o.message_id.to_string()).await?;
    timeline.extend(state.store.events_for("draft", &o.draft_id.to_string()).await?);
    timeline.extend(state.store.events_for("order", &id.to_string()).await?);
    timeline.sort_by_key(|e| e.occurred_at);
    let lines = draft
        .lines
        .iter()
        .map(|l| LineView {
            line_no: l.line_no,
            customer_part_no: opt(&l.customer_part_no),
            description: opt(&l.description),
            sku: opt(&l.sku),
            product_name: String::new(),
            quantity: opt(&l.quantity),
            uom: opt(&l.uom),
            unit_price: opt(&l.unit_price),
            expected_price: opt(&l.expected_price),
            total: opt(&l.total()),
            delivery_date: opt(&l.delivery_date),
            confidence: String::new(),
            low: false,
            alternatives: Vec::new(),
            part: String::new(),
            page: 0,
            start: -1,
        })
        .collect();
    render(OrderPage {
        nav: "orders",
        csrf: me.csrf.clone(),
        can_amend: me.can(Permission::AmendOrders)
            && matches!(o.status, OrderStatus::Confirmed | OrderStatus::SentToErp),
        user: Some((&me).into()),
        confirmed_by: actor_text(&o.confirmed_by),
        confirmed_at: short_time(o.confirmed_at),
        total: opt(&o.total),
        lines,
        events: timeline.iter().map(EventRow::from).collect(),
        o,
    })
}

#[derive(Deserialize)]
pub struct AmendForm {
    version: i64,
    reason: String,
    #[serde(default)]
    note: String,
    line_no: u32,
    field: String,
    value: String,
}

pub fn amendment_reason(raw: &str) -> Option<domain::order::AmendmentReason> {
    match raw {
        "entry_error" => Some(domain::order::AmendmentReason::EntryError),
        "customer_change" => Some(domain::order::AmendmentReason::CustomerChange),
        _ => None,
    }
}

pub async fn amend(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Form(form): Form<AmendForm>,
) -> Response {
    let Some(reason) = amendment_reason(&form.reason) else {
        return action_failed(
            &me,
            &"say whether the amendment corrects an entry error or records a customer change",
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let Some(field) = app::draft::LineField::parse(&form.field) else {
        return action_failed(
            &me,
            &format!("'{}' is not a line field that can be amended", form.field),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let amendment = app::review::LineAmendment {
        line_no: form.line_no,
        field,
        value: form.value,
    };
    match app::review::amend(
        &state.store,
        id,
        form.version,
        &[amendment],
        reason,
        &form.note,
        &me.username,
    )
    .await
    {
        Ok(()) => Redirect::to(&format!("/orders/{id}")).into_response(),
        Err(e) => action_failed(&me, &e, review_status(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_say_them() {
        assert_eq!(human_duration(59), "0 min");
        assert_eq!(human_duration(3 * 3600), "3 h");
        assert_eq!(human_duration(-600), "in 10 min");
        assert_eq!(human_duration(5 * 86_400), "5 d");
    }

    #[test]
    fn documents_become_parts_with_blocks_and_tables() {
        let json = r#"[{"part":"2","name":"po.pdf","format":"pdf","pages":2,
            "text_blocks":[{"page":1,"text":"PO 4711","char_start":10}],
            "tables":[{"rows":[{"cells":[{"text":"Qty"},{"text":"SKU"}]}]}],
            "key_values":[{"key":"po_number","value":"4711","source":"BEG03"}],
            "diagnostics":[{"severity":"warning","code":"pdf_no_text","message":"no text"}]}]"#;
        let parts = parts_of(Some(json));
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].blocks[0].start, 10);
        assert_eq!(parts[0].blocks[0].end, 17);
        assert_eq!(parts[0].tables[0][0], vec!["Qty", "SKU"]);
        assert_eq!(parts[0].diagnostics[0], "warning pdf_no_text: no text");
        assert!(parts_of(Some("not json")).is_empty());
    }
}

//! One message: its parts as read, its drafts, the original for download.

use super::*;
use crate::error::Missing;
#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    tr: crate::i18n::Tr,
    nav: &'static str,
    user: Option<UserView>,
    m: store::intake::StoredMessage,
    received: String,
    status: &'static str,
    /// (draft, its status, its PO number): one per order the message carries.
    drafts: Vec<(i64, domain::review::DraftStatus, String)>,
    parts: Vec<PartView>,
    events: Vec<EventRow>,
    csrf: String,
    /// The kinds a person may give it: (name, label, is its kind now).
    kinds: Vec<(&'static str, &'static str, bool)>,
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
        .ok_or_else(|| WebError::NotFound(Missing::Message(id)))?;
    let drafts = state.store.drafts_of_message(id).await?;
    let events = state.store.events_for("message", &id.to_string()).await?;
    render(MessagePage {
        tr: me.tr.clone(),
        nav: "inbox",
        user: Some((&me).into()),
        status: InboxStatus::of(m.status, drafts.first().map(|d| d.status)).label(),
        received: me.tr.time(&m.received_at),
        drafts: drafts
            .into_iter()
            .map(|d| (d.id, d.status, d.po_number.unwrap_or_default()))
            .collect(),
        parts: parts_of(m.documents_json.as_deref(), Some(m.id)),
        csrf: me.csrf.clone(),
        kinds: domain::message::MessageKind::ALL
            .iter()
            .map(|k| (k.as_str(), me.tr.label(k.as_str()), m.kind == Some(*k)))
            .collect(),
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
        .ok_or_else(|| WebError::NotFound(Missing::Message(id)))?;
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

#[derive(Deserialize)]
pub struct KindForm {
    pub kind: String,
}

/// A wrongly classified message given its kind by a person and drafted again.
pub async fn set_kind(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Form(form): Form<KindForm>,
) -> Response {
    let Some(kind) = domain::message::MessageKind::parse(form.kind.trim()) else {
        return action_failed(
            &me,
            &me.tr.f("“{}” is not a kind of message", form.kind.trim()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let actor = domain::event::Actor::User(me.username.clone());
    match state.store.redraft_as(id, kind, &actor, jiff::Timestamp::now()).await {
        Ok(store::intake::Redraft::Queued) => Redirect::to(&format!("/messages/{id}")).into_response(),
        Ok(store::intake::Redraft::NoMessage) => {
            action_failed(&me, &me.tr.f("Message {} does not exist", id), StatusCode::NOT_FOUND)
        }
        Ok(store::intake::Redraft::Settled(draft, status)) => action_failed(
            &me,
            &me.tr.fill(
                "Draft {} of this message is {} already; it cannot be drafted again",
                &[&draft, &me.tr.label(status.as_str())],
            ),
            StatusCode::CONFLICT,
        ),
        Err(e) => action_failed(&me, &e, StatusCode::INTERNAL_SERVER_ERROR),
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    pub part: String,
    #[serde(default = "first_page")]
    pub page: usize,
}

fn first_page() -> usize {
    1
}

/// A page of a PDF the message carries, as it looks (PNG, drawn once and kept).
pub async fn page_image(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    use app::pages::PageImageError as E;
    let limits = state.config.intake.parse_limits();
    match app::pages::page_image(&state.store, &state.pages, limits, id, &q.part, q.page).await {
        Ok(png) => Ok((
            [
                (header::CONTENT_TYPE, "image/png".to_owned()),
                // The page of a stored message never changes.
                (header::CACHE_CONTROL, "private, max-age=86400, immutable".to_owned()),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            ],
            png,
        )
            .into_response()),
        Err(E::Store(e)) => Err(e.into()),
        Err(E::NoMessage(_)) => Err(WebError::NotFound(Missing::Message(id))),
        Err(E::NoPart(_)) => Err(WebError::NotFound(Missing::Part {
            message: id,
            part: q.part.clone(),
        })),
        Err(e) => Ok((StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response()),
    }
}

/// What a mail's HTML may keep when shown: its text, tables and plain
/// formatting; no script, no form, no remote image, link or font (a
/// tracking pixel stays unloaded), no URL at all.
fn clean_mail_html(html: &str) -> String {
    ammonia::Builder::default()
        .url_schemes(std::collections::HashSet::new())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(None)
        .clean(html)
        .to_string()
}

/// The HTML body of a mail the message is (or carries, part `part`), as it
/// looks: cleaned, in a sandboxed frame that runs nothing and loads nothing.
pub async fn mail_html(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let message = state
        .store
        .message(id)
        .await?
        .ok_or_else(|| WebError::NotFound(Missing::Message(id)))?;
    let blobs = state.store.blobs().clone();
    let sha = message.sha256.clone();
    let part = q.part.clone();
    let html = tokio::task::spawn_blocking(move || -> Result<Option<String>, store::StoreError> {
        let raw = blobs.get(&sha)?;
        Ok(document::html_body(&raw, &part).map(|h| clean_mail_html(&h)))
    })
    .await
    .map_err(|e| WebError::Corrupt(format!("message {id}: {e}")))??
    .ok_or_else(|| {
        WebError::NotFound(Missing::Part {
            message: id,
            part: q.part.clone(),
        })
    })?;
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><style>body{{font:14px/1.45 system-ui,sans-serif;margin:8px;color:#1d2433}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #e3e6ee;padding:2px 6px}}</style></head><body>{html}</body></html>"
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // Nothing runs and nothing loads; only the review screen may frame it.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox",
            ),
            (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
            (header::CACHE_CONTROL, "private, max-age=86400"),
        ],
        page,
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

//! One message: its parts as read, its drafts, the original for download.

use super::*;
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

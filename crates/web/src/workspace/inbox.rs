//! The shared inbox: every message with what became of it, filtered and paged; uploads.

use super::*;

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
    status_class: &'static str,
    draft_id: Option<i64>,
    assigned_to: String,
    error: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    tr: crate::i18n::Tr,
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
            received: me.tr.time(&r.received_at),
            age: me.tr.age(r.received_at, now),
            channel: r.channel.clone(),
            sender: opt(&r.sender),
            subject: r.subject.clone().or_else(|| r.source_name.clone()).unwrap_or_default(),
            kind: opt(&r.kind),
            status_class: r.status.as_str(),
            draft_id: r.draft_id,
            assigned_to: opt(&r.assigned_to),
            error: opt(&r.error),
        })
        .collect();
    render(InboxPage {
        tr: me.tr.clone(),
        nav: "inbox",
        csrf: me.csrf.clone(),
        can_upload: me.can(Permission::UploadMessages),
        user: Some((&me).into()),
        q,
        statuses: InboxStatus::ALL
            .iter()
            .map(|s| (s.as_str(), me.tr.label(s.as_str())))
            .collect(),
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

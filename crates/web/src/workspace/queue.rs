//! The review queue: drafts waiting for a person, soonest due first.

use super::*;

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
    /// Due within the hour.
    near_due: bool,
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
            near_due: due_secs.is_some_and(|s| (0..=domain::kpi::NEAR_DUE_MINUTES * 60).contains(&s)),
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

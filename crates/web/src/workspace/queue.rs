//! The review queue: drafts waiting for a person, soonest due first.

use super::*;

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    pub mine: bool,
    /// all, mine, unassigned, escalated, overdue.
    #[serde(default)]
    pub show: String,
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
    value: String,
    version: i64,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    tr: crate::i18n::Tr,
    nav: &'static str,
    user: Option<UserView>,
    csrf: String,
    tabs: Vec<(&'static str, &'static str, bool)>,
    /// Managers: who has how much (name, waiting, overdue), and whom work can go to.
    may_assign: bool,
    workload: Vec<(String, i64, i64)>,
    users: Vec<(String, String)>,
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
    let now = jiff::Timestamp::now();
    let show = if q.mine { "mine" } else { q.show.as_str() };
    let (show, scope) = match show {
        "mine" => ("mine", store::drafts::QueueScope::AssignedTo(me.username.as_str())),
        "unassigned" => ("unassigned", store::drafts::QueueScope::Unassigned),
        "escalated" => ("escalated", store::drafts::QueueScope::Escalated),
        "overdue" => ("overdue", store::drafts::QueueScope::Overdue(now)),
        _ => ("all", store::drafts::QueueScope::All),
    };
    let drafts = state.store.review_queue_of(after, scope, PAGE_SIZE).await?;
    let (waiting, overdue) = state.store.queue_counts(now).await?;
    let next = (drafts.len() as i64 == PAGE_SIZE)
        .then(|| drafts.last())
        .flatten()
        .map(|d| {
            serde_urlencoded::to_string([
                ("show", show.to_owned()),
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
            customer: summary.customer.clone().unwrap_or_else(|| me.tr.t("unknown").into()),
            po_number: opt(&d.po_number),
            sender: summary.sender.clone().unwrap_or_default(),
            subject: summary.subject.clone().unwrap_or_default(),
            due: due_secs.map(|s| me.tr.due(s)).unwrap_or_default(),
            overdue: due_secs.is_some_and(|s| s < 0),
            near_due: due_secs.is_some_and(|s| (0..=domain::kpi::NEAR_DUE_MINUTES * 60).contains(&s)),
            assigned_to: opt(&d.assigned_to),
            escalated: d.escalated,
            why: summary.reasons.iter().map(|r| why_in_words(&me.tr, r)).collect(),
            lines: summary.lines,
            value: summary
                .value
                .as_deref()
                .and_then(|v| {
                    let (amount, currency) = v.split_once(' ').unwrap_or((v, ""));
                    amount.parse().ok().map(|a| me.tr.money(a, currency))
                })
                .unwrap_or_default(),
            version: d.version,
        });
    }
    let may_assign = me.can(Permission::AssignWork);
    let (workload, users) = if may_assign {
        let workload = state
            .store
            .queue_workload(now)
            .await?
            .into_iter()
            .map(|w| {
                (
                    w.assignee.unwrap_or_else(|| me.tr.t("(no one)").into()),
                    w.waiting,
                    w.overdue,
                )
            })
            .collect();
        (workload, active_users(&state).await?)
    } else {
        (Vec::new(), Vec::new())
    };
    let tabs = [
        ("all", me.tr.t("All")),
        ("mine", me.tr.t("Mine")),
        ("unassigned", me.tr.t("Unassigned")),
        ("overdue", me.tr.t("Overdue")),
        ("escalated", me.tr.t("Escalated")),
    ]
    .into_iter()
    .map(|(key, label)| (key, label, key == show))
    .collect();
    render(QueuePage {
        tr: me.tr.clone(),
        nav: "queue",
        user: Some((&me).into()),
        csrf: me.csrf.clone(),
        tabs,
        may_assign,
        workload,
        users,
        waiting,
        overdue,
        rows,
        next,
    })
}

/// A manager gives the checked drafts to someone, each as a change of its own:
/// a draft changed meanwhile is left as it is and named.
pub async fn bulk_assign(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    // The checked drafts come as repeated `draft=ID:VERSION` fields.
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    use app::review::{ActionInput, DraftAction};
    let drafts: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == "draft")
        .map(|(_, v)| v.as_str())
        .collect();
    let to = fields.iter().find(|(k, _)| k == "to").map_or("", |(_, v)| v.trim());
    if to.is_empty() || drafts.is_empty() {
        return action_failed(
            &me,
            &"choose drafts and whom to give them to",
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let mut refused = Vec::new();
    for item in drafts {
        let Some((id, version)) = item
            .split_once(':')
            .and_then(|(i, v)| Some((i.parse::<i64>().ok()?, v.parse::<i64>().ok()?)))
        else {
            refused.push(format!("'{item}' names no draft"));
            continue;
        };
        let input = ActionInput {
            version,
            reason: "",
            to,
        };
        if let Err(e) = app::review::act(
            &state.store,
            &state.config.outbox(),
            id,
            DraftAction::Assign,
            input,
            me.reviewer(),
        )
        .await
        {
            refused.push(format!("{id}: {}", me.tr.review_error(&e)));
        }
    }
    if refused.is_empty() {
        Redirect::to("/queue?show=all").into_response()
    } else {
        action_failed(
            &me,
            &me.tr.f("Not all were assigned: {}", refused.join("; ")),
            StatusCode::CONFLICT,
        )
    }
}

/// A reason of a draft's summary in plain words: an open exception
/// (`price_mismatch (line 2)`) or a review reason.
fn why_in_words(tr: &crate::i18n::Tr, stored: &str) -> String {
    let (code, line) = match stored.split_once(" (line ") {
        Some((code, rest)) => (code, rest.strip_suffix(')')),
        None => (stored, None),
    };
    match (domain::exception::ExceptionCode::parse(code), line) {
        (Some(c), Some(n)) => format!("{} ({} {n})", tr.label(c.as_str()), tr.t("line")),
        (Some(c), None) => tr.label(c.as_str()).to_owned(),
        (None, _) => tr.review_reason(&domain::review::ReviewReason::parse(stored)),
    }
}

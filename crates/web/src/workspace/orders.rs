//! Confirmed orders: the list, one order with its timeline, amendments.

use super::*;

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

pub(super) fn actor_text(raw: &str) -> String {
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
    /// Where the order stands with the ERP, in words.
    erp: String,
    /// The error of a push given up: a person has to act (settings page, ERP).
    erp_failed: Option<String>,
    /// Mail to the customer about this order (confirmations).
    mails: Vec<MailRow>,
    /// The quote it was made from: (id, number).
    quote: Option<(i64, String)>,
}

/// A mail in a list: what, to whom, where it stands, and its file.
pub(crate) struct MailRow {
    pub id: i64,
    pub kind: &'static str,
    pub to: String,
    pub status: &'static str,
    /// When it was sent, or its last error.
    pub detail: String,
    pub attachment: Option<String>,
}

impl MailRow {
    pub(crate) fn of(m: &store::outbound::StoredMail) -> MailRow {
        let detail = match (&m.sent_at, &m.last_error) {
            (Some(at), _) => short_time(*at),
            (None, Some(e)) => e.clone(),
            (None, None) => String::new(),
        };
        MailRow {
            id: m.id,
            kind: m.mail.kind.as_str(),
            to: m.mail.to.clone(),
            status: m.status.as_str(),
            detail,
            attachment: m.mail.attachment.as_ref().map(|a| a.name.clone()),
        }
    }
}

/// The file a mail carried (the confirmation PDF as the customer received it).
pub async fn mail_attachment(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, WebError> {
    let mail = state
        .store
        .mail(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("Mail {id}")))?;
    let file = mail
        .mail
        .attachment
        .ok_or_else(|| WebError::NotFound(format!("A file of mail {id}")))?;
    let bytes = state.store.blobs().get(&file.sha256)?;
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                super::message::content_disposition(&file.name).replacen("attachment", "inline", 1),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response())
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
    let lines = draft.lines.iter().map(LineView::of).collect();
    let pushes = state.store.erp_pushes_of(id).await?;
    let erp = match (&o.erp_sale, o.erp_status, pushes.last()) {
        (Some(sale), Some(status), _) => format!("sale {sale}, {}", status.as_str()),
        (None, Some(status), _) => status.as_str().to_owned(),
        (_, None, Some(p)) => match (p.status, &p.erp_reference) {
            (store::erp::PushStatus::Sent, Some(r)) => format!("delivered ({r})"),
            (store::erp::PushStatus::Sent, None) => "delivered".to_owned(),
            (store::erp::PushStatus::Pending, _) if p.attempts > 0 => {
                format!("waiting to be delivered (attempt {} failed)", p.attempts)
            }
            (store::erp::PushStatus::Pending, _) => "waiting to be delivered".to_owned(),
            (store::erp::PushStatus::Failed, _) => "not delivered".to_owned(),
        },
        (_, None, None) => "not sent".to_owned(),
    };
    let erp_failed = pushes
        .iter()
        .rev()
        .find(|p| p.status == store::erp::PushStatus::Failed)
        .map(|p| {
            format!(
                "Version {} was not taken by the ERP: {}",
                p.order_version,
                p.last_error.clone().unwrap_or_default()
            )
        });
    let mails = state.store.mails_of_order(id).await?.iter().map(MailRow::of).collect();
    let quote = match state
        .store
        .quotes_of_message(o.message_id)
        .await?
        .into_iter()
        .find(|q| q.order_id == Some(o.id))
    {
        Some(q) => {
            let settings = app::settings::quotes(&state.store, &state.config.quotes).await?;
            Some((q.id, settings.number(q.id)))
        }
        None => None,
    };
    render(OrderPage {
        erp,
        erp_failed,
        mails,
        quote,
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

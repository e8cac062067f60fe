//! Confirmed orders: the list, one order with its timeline, amendments.

use super::*;
use crate::error::Missing;

struct OrderLine {
    id: i64,
    number: String,
    customer: String,
    customer_name: String,
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
    tr: crate::i18n::Tr,
    nav: &'static str,
    user: Option<UserView>,
    q: OrdersQuery,
    statuses: Vec<(&'static str, bool)>,
    rows: Vec<OrderLine>,
    /// The query of the next page (without `before`).
    more: Option<String>,
}

#[derive(Deserialize, Default, Clone, serde::Serialize)]
#[serde(default)]
pub struct OrdersQuery {
    /// Customer name or number, PO number, or our order number.
    pub q: String,
    pub customer: String,
    pub status: String,
    /// Confirmed from this day on (YYYY-MM-DD) …
    pub from: String,
    /// … to this day, included.
    pub to: String,
    pub min: String,
    pub max: String,
    #[serde(skip_serializing)]
    pub before: Option<i64>,
}

/// The search a query asks for; an error says which field is not readable.
pub(crate) fn order_filter(q: &OrdersQuery, prefix: &str, tr: &Tr) -> Result<store::orders::OrderFilter, String> {
    let day = |raw: &str, what: &str, after: i64| -> Result<Option<jiff::Timestamp>, String> {
        match raw.trim() {
            "" => Ok(None),
            t => tr
                .read_date(t)
                .and_then(|d| d.checked_add(jiff::Span::new().days(after)).ok())
                .and_then(|d| d.to_zoned(tr.zone().clone()).ok())
                .map(|z| Some(z.timestamp()))
                .ok_or_else(|| tr.fill("{}: “{}” is not a date", &[&tr.t(what), &t])),
        }
    };
    let value = |raw: &str, what: &str| -> Result<Option<rust_decimal::Decimal>, String> {
        match raw.trim() {
            "" => Ok(None),
            t => tr
                .read_number(t)
                .map(Some)
                .ok_or_else(|| tr.fill("{}: “{}” is not an amount", &[&tr.t(what), &t])),
        }
    };
    let words = nonempty(&q.q);
    // `AB-1042` (our prefix) or `1042`: also our order number.
    let order_id = words.as_deref().and_then(|w| {
        let rest = if w.len() > prefix.len() && w[..prefix.len()].eq_ignore_ascii_case(prefix) {
            &w[prefix.len()..]
        } else {
            w
        };
        rest.trim().parse::<i64>().ok()
    });
    Ok(store::orders::OrderFilter {
        words,
        order_id,
        customer_no: nonempty(&q.customer),
        status: match q.status.trim() {
            "" => None,
            s => Some(OrderStatus::parse(s).ok_or_else(|| tr.f("“{}” is not an order status", s))?),
        },
        from: day(&q.from, mark("From"), 0)?,
        to: day(&q.to, mark("To"), 1)?,
        min_total: value(&q.min, mark("Value from"))?,
        max_total: value(&q.max, mark("Value to"))?,
        before: q.before,
        limit: PAGE_SIZE,
    })
}

pub async fn orders(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<OrdersQuery>,
) -> Result<Response, WebError> {
    let outbox = app::settings::outbox(&state.store, &state.config.outbox()).await?;
    let prefix = outbox.letter.confirmations.number_prefix.clone();
    let filter = match order_filter(&q, &prefix, &me.tr) {
        Ok(f) => f,
        Err(why) => return Ok(action_failed(&me, &why, StatusCode::UNPROCESSABLE_ENTITY)),
    };
    let found = state.store.find_orders(&filter).await?;
    let mut names = std::collections::HashMap::new();
    for no in found.iter().filter_map(|o| o.customer_no.clone()) {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(no) {
            let name = state
                .store
                .customer(slot.key())
                .await?
                .map(|c| c.name)
                .unwrap_or_default();
            slot.insert(name);
        }
    }
    let more = (found.len() as i64 == PAGE_SIZE)
        .then(|| found.last().map(|o| o.id))
        .flatten()
        .map(|last| format!("{}&before={last}", serde_urlencoded::to_string(&q).unwrap_or_default()));
    let statuses = OrderStatus::ALL
        .iter()
        .map(|s| (s.as_str(), q.status == s.as_str()))
        .collect();
    Ok(render(OrdersPage {
        tr: me.tr.clone(),
        nav: "orders",
        user: Some((&me).into()),
        statuses,
        rows: found
            .iter()
            .map(|o| OrderLine {
                id: o.id,
                number: format!("{prefix}{}", o.id),
                customer: opt(&o.customer_no),
                customer_name: o
                    .customer_no
                    .as_ref()
                    .and_then(|c| names.get(c).cloned())
                    .unwrap_or_default(),
                po_number: opt(&o.po_number),
                status: o.status.as_str().to_owned(),
                total: o.total.map(|t| me.tr.money(t, &opt(&o.currency))).unwrap_or_default(),
                lines: o.line_count,
                confirmed_by: me.tr.stored_actor(&o.confirmed_by),
                confirmed_at: me.tr.time(&o.confirmed_at),
            })
            .collect(),
        more,
        q,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    tr: crate::i18n::Tr,
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
    /// Changes and cancellations the customer sent about it: (draft, kind, status).
    changes: Vec<(i64, &'static str, &'static str)>,
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
    pub(crate) fn of(m: &store::outbound::StoredMail, tr: &crate::i18n::Tr) -> MailRow {
        let detail = match (&m.sent_at, &m.last_error) {
            (Some(at), _) => tr.time(at),
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
        .ok_or_else(|| WebError::NotFound(Missing::Mail(id)))?;
    let file = mail
        .mail
        .attachment
        .ok_or_else(|| WebError::NotFound(Missing::MailFile(id)))?;
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
        .ok_or_else(|| WebError::NotFound(Missing::Order(id)))?;
    let draft = app::draft::Draft::from_json(&o.content).map_err(|e| WebError::Corrupt(format!("order {id}: {e}")))?;
    // The timeline: the message, its draft, then the order itself.
    let mut timeline = state.store.events_for("message", &o.message_id.to_string()).await?;
    timeline.extend(state.store.events_for("draft", &o.draft_id.to_string()).await?);
    timeline.extend(state.store.events_for("order", &id.to_string()).await?);
    timeline.sort_by_key(|e| e.occurred_at);
    let lines = draft.lines.iter().map(|l| LineView::of(l, &me.tr)).collect();
    let pushes = state.store.erp_pushes_of(id).await?;
    let tr = &me.tr;
    let erp = match (&o.erp_sale, o.erp_status, pushes.last()) {
        (Some(sale), Some(status), _) => tr.fill("sale {}, {}", &[sale, &tr.label(status.as_str())]),
        (None, Some(status), _) => tr.label(status.as_str()).to_owned(),
        (_, None, Some(p)) => match (p.status, &p.erp_reference) {
            (store::erp::PushStatus::Sent, Some(r)) => tr.f("delivered ({})", r),
            (store::erp::PushStatus::Sent, None) => tr.t("delivered").to_owned(),
            (store::erp::PushStatus::Pending, _) if p.attempts > 0 => {
                tr.f("waiting to be delivered (attempt {} failed)", p.attempts)
            }
            (store::erp::PushStatus::Pending, _) => tr.t("waiting to be delivered").to_owned(),
            (store::erp::PushStatus::Failed, _) => tr.t("not delivered").to_owned(),
        },
        (_, None, None) => tr.t("not sent").to_owned(),
    };
    let erp_failed = pushes
        .iter()
        .rev()
        .find(|p| p.status == store::erp::PushStatus::Failed)
        .map(|p| {
            tr.fill(
                "Version {} was not taken by the ERP: {}",
                &[&p.order_version, &p.last_error.clone().unwrap_or_default()],
            )
        });
    let mails = state
        .store
        .mails_of_order(id)
        .await?
        .iter()
        .map(|m| MailRow::of(m, &me.tr))
        .collect();
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
    let changes = match (&o.customer_no, &o.po_number) {
        (Some(c), Some(po)) => state
            .store
            .changes_of_order(c, po)
            .await?
            .into_iter()
            .map(|d| (d.id, d.kind.as_str(), d.status.as_str()))
            .collect(),
        _ => Vec::new(),
    };
    render(OrderPage {
        tr: me.tr.clone(),
        erp,
        erp_failed,
        mails,
        quote,
        changes,
        nav: "orders",
        csrf: me.csrf.clone(),
        can_amend: me.can(Permission::AmendOrders)
            && matches!(o.status, OrderStatus::Confirmed | OrderStatus::SentToErp),
        user: Some((&me).into()),
        confirmed_by: me.tr.stored_actor(&o.confirmed_by),
        confirmed_at: me.tr.time(&o.confirmed_at),
        total: o.total.map(|t| me.tr.amount(t)).unwrap_or_default(),
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

#[derive(Deserialize)]
pub struct CancelForm {
    version: i64,
    #[serde(default)]
    reason: String,
}

/// Cancels an order with the reason; the ERP's sale follows through the outbox.
pub async fn cancel(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Form(form): Form<CancelForm>,
) -> Response {
    match app::changes::cancel_order(&state.store, id, form.version, &form.reason, &me.username).await {
        Ok(()) => Redirect::to(&format!("/orders/{id}")).into_response(),
        Err(e) => review_failed(&me, &e),
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
        Err(e) => review_failed(&me, &e),
    }
}

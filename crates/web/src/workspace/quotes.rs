//! Quotes: the list (open, awaiting approval, sent, expiring, won, lost),
//! one quote beside its RFQ with lines, prices and their explanations,
//! and every action through `app::quote::act` with the revision the page showed.

use crate::error::Missing;
use app::quote::{Command, Desk, Done, Quote, QuoteActionError, QuoteEdit};
use domain::pricing::{PriceStep, PriceWarning};
use domain::quote::{LostReason, QuoteStatus};
use rust_decimal::Decimal;

use super::*;

struct QuoteRow {
    id: i64,
    number: String,
    customer: String,
    customer_name: String,
    rfq: String,
    status: &'static str,
    status_label: &'static str,
    total: String,
    valid_until: String,
    age: String,
    flag: &'static str,
}

#[derive(Template)]
#[template(path = "quotes.html")]
struct QuotesPage {
    tr: crate::i18n::Tr,
    nav: &'static str,
    user: Option<UserView>,
    show: String,
    customer: String,
    tabs: Vec<(&'static str, &'static str, bool)>,
    rows: Vec<QuoteRow>,
}

#[derive(Deserialize, Default)]
pub struct QuotesQuery {
    #[serde(default)]
    pub show: String,
    #[serde(default)]
    pub customer: String,
}

fn today(state: &AppState) -> jiff::civil::Date {
    jiff::Timestamp::now().to_zoned(state.config.zone()).date()
}

pub async fn quotes(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<QuotesQuery>,
) -> Result<Html<String>, WebError> {
    let settings = app::settings::quotes(&state.store, &state.config.quotes).await?;
    let show = if q.show.is_empty() {
        "open".to_owned()
    } else {
        q.show.clone()
    };
    let today = today(&state);
    let filter = store::quotes::QuoteFilter {
        statuses: if show == "all" {
            Vec::new()
        } else {
            app::quote::statuses_of(&show)
        },
        customer_no: nonempty(&q.customer),
        valid_until_by: (show == "expiring").then(|| {
            today
                .checked_add(jiff::Span::new().days(i64::from(settings.follow_up_days.max(7))))
                .unwrap_or(today)
        }),
        limit: 200,
    };
    let found = state.store.quotes(&filter).await?;
    let now = jiff::Timestamp::now();
    let rows = found
        .iter()
        .map(|s| {
            let content = Quote::from_json(&s.content).ok();
            let flag = match s.state.status {
                QuoteStatus::Sent if s.acceptance_message_id.is_some() => "accept",
                QuoteStatus::Sent if s.valid_until <= today => "due",
                st if st.is_open() && s.due_at < now => "overdue",
                _ => "",
            };
            QuoteRow {
                id: s.id,
                number: settings.number(s.id),
                customer: s.customer_no.clone(),
                customer_name: content.and_then(|c| c.customer_name).unwrap_or_default(),
                rfq: opt(&s.rfq_number),
                status: s.state.status.as_str(),
                status_label: me.tr.label(s.state.status.as_str()),
                total: me.tr.money(s.total, &s.currency.to_string()),
                valid_until: me.tr.date(s.valid_until),
                age: me.tr.age(s.rfq_received_at, now),
                flag,
            }
        })
        .collect();
    let tabs = [
        ("open", me.tr.t("Open")),
        ("approval", me.tr.t("Awaiting approval")),
        ("sent", me.tr.t("Sent")),
        ("expiring", me.tr.t("Expiring")),
        ("won", me.tr.t("Won")),
        ("lost", me.tr.t("Lost")),
        ("all", me.tr.t("All")),
    ]
    .into_iter()
    .map(|(key, label)| (key, label, key == show))
    .collect();
    render(QuotesPage {
        tr: me.tr.clone(),
        nav: "quotes",
        user: Some((&me).into()),
        show,
        customer: q.customer,
        tabs,
        rows,
    })
}

struct QuoteLineView {
    line_no: u32,
    sku: String,
    customer_part_no: String,
    description: String,
    asked: String,
    quantity: String,
    unit: String,
    unit_price: String,
    engine_price: String,
    by_hand: bool,
    amount: String,
    delivery: String,
    requested: String,
    in_stock: bool,
    margin: String,
    explanation: Vec<String>,
    warnings: Vec<String>,
    problem: String,
    candidates: Vec<(String, String, String)>,
    free_text: bool,
}

#[derive(Template)]
#[template(path = "quote.html")]
struct QuotePage {
    tr: crate::i18n::Tr,
    nav: &'static str,
    user: Option<UserView>,
    csrf: String,
    id: i64,
    number: String,
    revision: u32,
    status: &'static str,
    status_label: &'static str,
    customer_no: String,
    customer_name: String,
    rfq_number: String,
    rfq_date: String,
    valid_until: String,
    /// For the date field, as the user types dates.
    valid_until_input: String,
    note: String,
    total_amount: String,
    currency: String,
    margin: String,
    can_change: bool,
    see_cost: bool,
    open_points: Vec<String>,
    approval: Vec<String>,
    status_note: String,
    lost_reason: String,
    acceptance_message: Option<i64>,
    order_id: Option<i64>,
    message_id: i64,
    draft_id: i64,
    lines: Vec<QuoteLineView>,
    parts: Vec<PartView>,
    events: Vec<EventRow>,
    revisions: Vec<(u32, String, String, String)>,
    mails: Vec<MailRow>,
    lost_reasons: Vec<(&'static str, &'static str)>,
    actions: Vec<&'static str>,
}

fn line_view(l: &app::quote::QuoteLine, currency: &str, see_cost: bool, tr: &crate::i18n::Tr) -> QuoteLineView {
    let engine = l.priced.as_ref().and_then(|p| {
        p.steps
            .iter()
            .rev()
            .find(|s| !matches!(s, PriceStep::Manual { .. }))
            .map(|s| (s.price() * l.factor).round_dp(4))
    });
    QuoteLineView {
        line_no: l.line_no,
        sku: opt(&l.sku),
        customer_part_no: opt(&l.customer_part_no),
        description: l.description.clone(),
        asked: opt(&l.asked),
        quantity: tr.input(l.quantity),
        unit: l.unit.clone(),
        unit_price: l.unit_price.map(|p| tr.input(p)).unwrap_or_default(),
        engine_price: engine.map(|p| tr.input(p)).unwrap_or_default(),
        by_hand: l.price_by_hand().is_some(),
        amount: l.amount().map(|a| tr.amount(a)).unwrap_or_default(),
        delivery: l.delivery_date.map(|d| tr.date(d)).unwrap_or_default(),
        requested: l.requested_date.map(|d| tr.date(d)).unwrap_or_default(),
        in_stock: l.in_stock,
        margin: if see_cost {
            l.margin_percent().map(|m| format!("{m} %")).unwrap_or_default()
        } else {
            String::new()
        },
        explanation: l
            .priced
            .as_ref()
            .map(|p| p.steps.iter().map(|s| tr.price_step(s, currency)).collect())
            .unwrap_or_default(),
        warnings: l
            .priced
            .as_ref()
            .map(|p| {
                p.warnings
                    .iter()
                    // A free-text line has no cost to know.
                    .filter(|w| !(l.free_text && **w == PriceWarning::NoCost))
                    .map(|w| tr.price_warning(w, see_cost))
                    .collect()
            })
            .unwrap_or_default(),
        problem: l
            .pricing_problem
            .as_ref()
            .map(|p| tr.pricing_problem(p))
            .unwrap_or_default(),
        candidates: l
            .candidates
            .iter()
            .map(|c| {
                (
                    c.sku.clone(),
                    c.name.clone().unwrap_or_default(),
                    format!("{:.0} %", c.score * 100.0),
                )
            })
            .collect(),
        free_text: l.free_text,
    }
}

pub async fn quote(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let Some(stored) = state.store.quote(id).await? else {
        return Err(WebError::NotFound(Missing::Quote(id)));
    };
    let settings = app::settings::quotes(&state.store, &state.config.quotes).await?;
    let quote = Quote::from_json(&stored.content).map_err(|e| WebError::Corrupt(e.to_string()))?;
    let see_cost = me.can(Permission::ViewCost);
    let currency = stored.currency.to_string();
    let message = state.store.message(stored.message_id).await?;
    let events = state.store.events_for("quote", &id.to_string()).await?;
    let revisions = state
        .store
        .quote_revisions(id)
        .await?
        .into_iter()
        .map(|r| {
            (
                r.revision,
                me.tr.money(r.total, &currency),
                me.tr.stored_actor(&r.created_by),
                me.tr.time(&r.created_at),
            )
        })
        .collect();
    let mails = state
        .store
        .mails_of_message(stored.message_id)
        .await?
        .iter()
        .filter(|m| {
            matches!(
                m.mail.kind,
                store::outbound::MailKind::Quote | store::outbound::MailKind::QuoteFollowUp
            ) && m.mail.dedupe_key.split(':').nth(1) == Some(id.to_string().as_str())
        })
        .map(|m| MailRow::of(m, &me.tr))
        .collect();
    let cost: Decimal = quote
        .lines
        .iter()
        .filter_map(|l| Some(l.priced.as_ref()?.cost? * l.quantity * l.factor))
        .sum();
    let total = quote.total();
    let all_costed = quote
        .lines
        .iter()
        .all(|l| l.priced.as_ref().and_then(|p| p.cost).is_some());
    let margin = if see_cost && all_costed && total > Decimal::ZERO {
        format!("{} %", ((total - cost) / total * Decimal::ONE_HUNDRED).round_dp(1))
    } else {
        String::new()
    };
    let reasons = app::quote::approval(&quote, &settings.approval);
    let status = stored.state.status;
    let can_approve = me.can(Permission::ApproveQuotes);
    let mut actions = Vec::new();
    match status {
        QuoteStatus::Draft if reasons.is_empty() => actions.push("send"),
        QuoteStatus::Draft => actions.push("request_approval"),
        QuoteStatus::AwaitingApproval if can_approve => actions.extend(["approve", "decline"]),
        QuoteStatus::Approved => actions.push("send"),
        QuoteStatus::Sent => actions.extend(["accept", "reject"]),
        QuoteStatus::Accepted => actions.push("order"),
        _ => {}
    }
    if status.is_open() {
        actions.push("reject");
    }
    if status == QuoteStatus::Expired {
        actions.push("reject");
    }
    render(QuotePage {
        tr: me.tr.clone(),
        nav: "quotes",
        user: Some((&me).into()),
        csrf: me.csrf.clone(),
        id,
        number: settings.number(id),
        revision: stored.state.revision,
        status: status.as_str(),
        status_label: me.tr.label(status.as_str()),
        customer_no: stored.customer_no.clone(),
        customer_name: quote.customer_name.clone().unwrap_or_default(),
        rfq_number: opt(&stored.rfq_number),
        rfq_date: quote.rfq_date.map(|d| me.tr.date(d)).unwrap_or_default(),
        valid_until: me.tr.date(quote.valid_until),
        valid_until_input: me.tr.input_date(quote.valid_until),
        note: opt(&quote.note),
        total_amount: me.tr.amount(total),
        currency: currency.clone(),
        margin,
        can_change: status.may_change(),
        see_cost,
        open_points: app::quote::open_points(&quote)
            .iter()
            .map(|p| me.tr.quote_point(p))
            .collect(),
        approval: reasons.iter().map(|r| me.tr.approval_reason(r)).collect(),
        status_note: opt(&stored.status_note),
        lost_reason: stored.lost_reason.map(|r| r.label().1.to_owned()).unwrap_or_default(),
        acceptance_message: stored.acceptance_message_id,
        order_id: stored.order_id,
        message_id: stored.message_id,
        draft_id: stored.draft_id,
        lines: quote
            .lines
            .iter()
            .map(|l| line_view(l, &currency, see_cost, &me.tr))
            .collect(),
        parts: parts_of(
            message.as_ref().and_then(|m| m.documents_json.as_deref()),
            Some(stored.message_id),
        ),
        events: events.iter().map(EventRow::from).collect(),
        revisions,
        mails,
        lost_reasons: LostReason::ALL.iter().map(|r| (r.as_str(), r.label().1)).collect(),
        actions,
    })
    .map(IntoResponse::into_response)
}

/// One change of the quote editor, as its form sends it.
#[derive(Deserialize, Default)]
pub struct EditForm {
    pub revision: u32,
    pub what: String,
    #[serde(default)]
    pub line_no: u32,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub sku: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub quantity: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub price: String,
}

fn edit_of(f: &EditForm, tr: &Tr) -> Result<QuoteEdit, String> {
    let number = |raw: &str, what: &str| tr.read_number(raw).ok_or_else(|| tr.f(what, raw.trim()));
    let date = |raw: &str| -> Result<Option<jiff::civil::Date>, String> {
        let t = raw.trim();
        if t.is_empty() {
            return Ok(None);
        }
        tr.read_date(t).map(Some).ok_or_else(|| tr.f("“{}” is not a date", t))
    };
    let line_no = f.line_no;
    Ok(match f.what.as_str() {
        "quantity" => QuoteEdit::Quantity {
            line_no,
            quantity: number(&f.value, mark("“{}” is not a quantity"))?,
        },
        "price" if f.value.trim().is_empty() => QuoteEdit::Price { line_no, price: None },
        "price" => QuoteEdit::Price {
            line_no,
            price: Some(number(&f.value, mark("“{}” is not a price"))?),
        },
        "product" => QuoteEdit::Product {
            line_no,
            sku: f.value.trim().to_owned(),
        },
        "description" => QuoteEdit::Description {
            line_no,
            text: f.value.clone(),
        },
        "delivery_date" => QuoteEdit::DeliveryDate {
            line_no,
            date: date(&f.value)?,
        },
        "remove" => QuoteEdit::Remove { line_no },
        "add" => QuoteEdit::Add {
            sku: nonempty(&f.sku),
            description: f.description.clone(),
            quantity: number(&f.quantity, mark("“{}” is not a quantity"))?,
            unit: f.unit.clone(),
            price: match f.price.trim() {
                "" => None,
                p => Some(number(p, mark("“{}” is not a price"))?),
            },
        },
        "valid_until" => QuoteEdit::ValidUntil {
            date: date(&f.value)?.ok_or_else(|| tr.t("A quote needs a validity date").to_owned())?,
        },
        "note" => QuoteEdit::Note { text: f.value.clone() },
        other => return Err(tr.f("“{}” is not a change of a quote", other)),
    })
}

pub(crate) fn quote_status(e: &QuoteActionError) -> StatusCode {
    match e {
        QuoteActionError::NotFound(_) => StatusCode::NOT_FOUND,
        QuoteActionError::Conflict(_) => StatusCode::CONFLICT,
        QuoteActionError::Store(_) | QuoteActionError::Catalog(_) | QuoteActionError::Unreadable(..) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The settings and outbox a quote action runs with, in force now.
pub(crate) async fn desk_parts(
    state: &AppState,
) -> Result<(app::quote::QuoteSettings, app::outbound::Outbox), store::StoreError> {
    Ok((
        app::settings::quotes(&state.store, &state.config.quotes).await?,
        state.config.outbox(),
    ))
}

pub(crate) fn desk<'a>(
    state: &'a AppState,
    (settings, outbox): &'a (app::quote::QuoteSettings, app::outbound::Outbox),
) -> Desk<'a> {
    Desk {
        store: &state.store,
        catalog: &state.catalog,
        quotes: settings,
        outbox,
        today: today(state),
    }
}

pub(crate) async fn run_quote_action(
    state: &AppState,
    id: i64,
    revision: Option<u32>,
    command: Command,
    user: &str,
) -> Result<Done, QuoteActionError> {
    let parts = desk_parts(state).await?;
    app::quote::act(&desk(state, &parts), id, revision, command, user).await
}

/// A copy of the quote as a new draft (never with the original's approval).
pub async fn quote_copy(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Response {
    let copied = async {
        let parts = desk_parts(&state).await?;
        app::quote::copy(&desk(&state, &parts), id, &me.username).await
    }
    .await;
    match copied {
        Ok(new) => Redirect::to(&format!("/quotes/{new}")).into_response(),
        Err(e) => action_failed(&me, &me.tr.quote_error(&e), quote_status(&e)),
    }
}

pub async fn quote_edit(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Form(form): Form<EditForm>,
) -> Response {
    let edit = match edit_of(&form, &me.tr) {
        Ok(e) => e,
        Err(why) => return action_failed(&me, &why, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let anchor = if form.line_no > 0 {
        format!("#line-{}", form.line_no)
    } else {
        "#lines".into()
    };
    match run_quote_action(&state, id, Some(form.revision), Command::Edit(vec![edit]), &me.username).await {
        Ok(_) => Redirect::to(&format!("/quotes/{id}{anchor}")).into_response(),
        Err(e) => action_failed(&me, &me.tr.quote_error(&e), quote_status(&e)),
    }
}

/// An action's form: the revision shown, and what the action asks for.
#[derive(Deserialize, Default)]
pub struct QuoteActionForm {
    pub revision: Option<u32>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub po_number: String,
}

/// The command an action name and its form ask for.
pub(crate) fn command_of(action: &str, form: &QuoteActionForm, tr: &Tr) -> Result<Command, String> {
    Ok(match action {
        "reprice" => Command::Reprice,
        "request_approval" => Command::RequestApproval,
        "approve" => Command::Approve {
            note: form.note.clone(),
        },
        "decline" => Command::Decline {
            note: form.note.clone(),
        },
        "send" => Command::Send,
        "accept" => Command::Accept {
            note: nonempty(&form.note),
        },
        "reject" => Command::Reject {
            reason: LostReason::parse(form.reason.trim())
                .ok_or_else(|| tr.f("“{}” is not a reason a quote is lost for", form.reason.trim()))?,
            note: nonempty(&form.note),
        },
        "order" => Command::Order {
            po_number: nonempty(&form.po_number),
        },
        "dismiss_acceptance" => Command::DismissAcceptance,
        other => return Err(tr.f("“{}” is not an action on a quote", other)),
    })
}

pub async fn quote_action(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<QuoteActionForm>,
) -> Response {
    let command = match command_of(&action, &form, &me.tr) {
        Ok(c) => c,
        Err(why) => return action_failed(&me, &why, StatusCode::NOT_FOUND),
    };
    match run_quote_action(&state, id, form.revision, command, &me.username).await {
        Ok(Done::Ordered(order)) => Redirect::to(&format!("/orders/{order}")).into_response(),
        Ok(Done::Changed) => Redirect::to(&format!("/quotes/{id}")).into_response(),
        Err(e) => action_failed(&me, &me.tr.quote_error(&e), quote_status(&e)),
    }
}

/// The quote's PDF as it would go out now (a preview; the sent one is on its mail).
pub async fn quote_pdf(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, WebError> {
    let stored = state
        .store
        .quote(id)
        .await?
        .ok_or_else(|| WebError::NotFound(Missing::Quote(id)))?;
    let settings = app::settings::quotes(&state.store, &state.config.quotes).await?;
    let quote = Quote::from_json(&stored.content).map_err(|e| WebError::Corrupt(e.to_string()))?;
    let outbox = app::settings::outbox(&state.store, &state.config.outbox()).await?;
    let number = settings.number(id);
    let (pdf, _, _) = app::quote::print(&state.store, &outbox, &settings, &stored, &quote, today(&state))
        .await
        .map_err(|e| WebError::Corrupt(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{number}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

pub(crate) fn make_quote_status(e: &app::quote::MakeQuoteError) -> StatusCode {
    use app::quote::MakeQuoteError as E;
    match e {
        E::NoDraft(_) => StatusCode::NOT_FOUND,
        E::Conflict => StatusCode::CONFLICT,
        E::Store(_) | E::Catalog(_) | E::Unreadable(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

#[derive(Deserialize)]
pub struct MakeQuoteForm {
    pub version: i64,
}

/// "Make quote" on an RFQ draft in review: the quote from the draft as corrected.
pub async fn make_quote(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Form(form): Form<MakeQuoteForm>,
) -> Response {
    let made = async {
        let parts = desk_parts(&state).await?;
        app::quote::make_from_draft(&desk(&state, &parts), id, form.version, &me.username).await
    }
    .await;
    match made {
        Ok(quote) => Redirect::to(&format!("/quotes/{quote}")).into_response(),
        Err(e) => action_failed(&me, &me.tr.make_quote_error(&e), make_quote_status(&e)),
    }
}

//! HTML pages: overview, customers, products. View models are plain strings
//! made here from domain types; templates escape everything by default.

use crate::error::Missing;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use domain::customer::Customer;
use domain::event::{Actor, Event};
use domain::product::Product;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use axum::Extension;

const PAGE_SIZE: i64 = 50;

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

pub(crate) fn render(template: impl Template) -> Result<Html<String>, WebError> {
    Ok(Html(template.render()?))
}

/// Renders a page with a status other than 200.
pub(crate) fn render_status(status: StatusCode, template: impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => WebError::from(e).into_response(),
    }
}

/// The logged-in person as the page header shows them.
pub struct UserView {
    pub name: String,
    pub username: String,
    pub role: String,
    pub csrf: String,
    pub admin: bool,
}

impl From<&CurrentUser> for UserView {
    fn from(u: &CurrentUser) -> Self {
        UserView {
            name: u.display_name.clone(),
            username: u.username.clone(),
            role: u.role.label().to_owned(),
            csrf: u.csrf.clone(),
            admin: u.can(domain::access::Permission::ManageSettings),
        }
    }
}

/// A page that only says what went wrong.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub tr: crate::i18n::Tr,
    pub nav: &'static str,
    pub user: Option<UserView>,
    pub title: String,
    pub message: String,
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    after: Option<String>,
}

/// Liveness for monitoring: the database answers, the worker turns, how old the oldest waiting message is.
/// 503 when the database is unreachable or the worker has stopped turning.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let database_ok = match state.store.ping().await {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            false
        }
    };
    let queue = if database_ok {
        state.store.queue_state().await.ok()
    } else {
        None
    };
    let now = jiff::Timestamp::now();
    let queue_json = queue.map(|(waiting, oldest)| {
        serde_json::json!({
            "waiting": waiting,
            "oldest_waiting_seconds": oldest.map(|t| (now - t).get_seconds().max(0)),
        })
    });
    // A worker busy on one message may not turn for a while; past its lease it is stalled.
    let stall_after = state.config.intake.lease_seconds as i64;
    let (worker_ok, worker_json) = match &state.worker {
        None => (true, serde_json::json!({"state": "not_in_this_process"})),
        Some(w) => {
            let report = w.report();
            let stalled = report.seconds_since_beat.is_some_and(|s| s > stall_after);
            (
                !stalled,
                serde_json::json!({
                    "state": if stalled { "stalled" } else { "running" },
                    "seconds_since_beat": report.seconds_since_beat,
                    "restarts": report.restarts,
                }),
            )
        }
    };
    let ok = database_ok && worker_ok;
    let body = serde_json::json!({
        "status": if ok { "ok" } else { "unavailable" },
        "database": if database_ok { "ok" } else { "unreachable" },
        "worker": worker_json,
        "queue": queue_json,
    });
    (
        if ok {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../templates/style.css"),
    )
        .into_response()
}

pub async fn not_found() -> Response {
    WebError::NotFound(Missing::Page).into_response()
}

pub(crate) struct EventRow {
    pub at: jiff::Timestamp,
    pub actor: Actor,
    /// What changed and what happened to it: (`order 12`, `confirmed`).
    pub entity: String,
    pub action: String,
    /// What changed, said by [`crate::i18n::Tr::changes`].
    pub changes: Vec<domain::event::FieldChange>,
}

impl From<&Event> for EventRow {
    fn from(e: &Event) -> Self {
        EventRow {
            at: e.occurred_at,
            actor: e.actor.clone(),
            entity: e.entity_id.clone(),
            action: e.action.clone(),
            changes: e.changes.clone(),
        }
    }
}

struct CustomerRow {
    customer_no: String,
    name: String,
    city: String,
    country: String,
    language: String,
    currency: String,
    price_list: String,
    credit_limit: String,
    open_balance: String,
}

impl From<&Customer> for CustomerRow {
    fn from(c: &Customer) -> Self {
        CustomerRow {
            customer_no: c.customer_no.to_string(),
            name: c.name.clone(),
            city: opt(&c.billing_address.city),
            country: c
                .billing_address
                .country
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            language: opt(&c.language),
            currency: opt(&c.currency),
            price_list: opt(&c.price_list),
            credit_limit: opt(&c.credit_limit),
            open_balance: opt(&c.open_balance),
        }
    }
}

#[derive(Template)]
#[template(path = "customers.html")]
struct CustomersPage {
    tr: crate::i18n::Tr,
    nav: &'static str,
    user: Option<UserView>,
    q: String,
    summary: String,
    customers: Vec<CustomerRow>,
    next: Option<String>,
}

fn summary(shown: usize, q: &str, more: bool) -> String {
    let more = if more { " (more on the next page)" } else { "" };
    if q.trim().is_empty() {
        format!("{shown} shown{more}.")
    } else {
        format!("{shown} matching “{}”{more}.", q.trim())
    }
}

pub async fn customers(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let found = state
        .store
        .search_customers(&query.q, query.after.as_deref(), PAGE_SIZE)
        .await?;
    let next = (found.len() as i64 == PAGE_SIZE)
        .then(|| found.last().map(|c| c.customer_no.to_string()))
        .flatten();
    render(CustomersPage {
        tr: me.tr.clone(),
        user: Some((&me).into()),
        nav: "customers",
        summary: summary(found.len(), &query.q, next.is_some()),
        q: query.q,
        customers: found.iter().map(CustomerRow::from).collect(),
        next,
    })
}

struct CustomerDetail {
    customer_no: String,
    name: String,
    vat_id: String,
    address: String,
    language: String,
    currency: String,
    price_list: String,
    credit_limit: String,
    open_balance: String,
    payment_terms: String,
    territory: String,
    sales_rep: String,
    email_domains: String,
    emails: String,
}

struct AddressRow {
    id: String,
    name: String,
    address: String,
    is_default: bool,
}

struct ItemRow {
    part_no: String,
    sku: String,
    unit: String,
    factor: String,
}

#[derive(Template)]
#[template(path = "customer.html")]
struct CustomerPage {
    tr: crate::i18n::Tr,
    nav: &'static str,
    user: Option<UserView>,
    csrf: String,
    /// Acknowledgements and confirmations on for this customer, and whether this user may change them.
    acknowledgements: bool,
    confirmations: bool,
    may_change_mail: bool,
    c: CustomerDetail,
    addresses: Vec<AddressRow>,
    items: Vec<ItemRow>,
    events: Vec<EventRow>,
    /// (id, number, PO, status, total, confirmed)
    orders: Vec<(i64, String, String, String, String, String)>,
    /// (id, kind, PO, due)
    drafts: Vec<(i64, String, String, String)>,
    /// (id, number, status, total, valid until)
    quotes: Vec<(i64, String, String, String, String)>,
}

#[derive(Deserialize)]
pub struct CustomerMailForm {
    /// Checkboxes: present when ticked.
    #[serde(default)]
    acknowledgements: Option<String>,
    #[serde(default)]
    confirmations: Option<String>,
}

/// Turns mail to one customer on or off (managers and administrators).
pub async fn customer_mail(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(customer_no): Path<String>,
    axum::Form(form): axum::Form<CustomerMailForm>,
) -> Result<Response, WebError> {
    if state.store.customer(&customer_no).await?.is_none() {
        return Err(WebError::NotFound(Missing::Customer(customer_no.to_string())));
    }
    app::settings::set_customer_mail(
        &state.store,
        &state.config.acknowledgements,
        &state.config.outbox(),
        &customer_no,
        (form.acknowledgements.is_some(), form.confirmations.is_some()),
        &me.username,
    )
    .await
    .map_err(|e| WebError::Corrupt(e.to_string()))?;
    Ok(axum::response::Redirect::to(&format!("/customers/{}", urlencode(&customer_no))).into_response())
}

/// A path segment percent-encoded.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn join_address(parts: &[&Option<String>], country: String) -> String {
    let mut out: Vec<String> = parts.iter().filter_map(|p| p.as_ref().cloned()).collect();
    if !country.is_empty() {
        out.push(country);
    }
    out.join(", ")
}

pub async fn customer(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(customer_no): Path<String>,
) -> Result<Html<String>, WebError> {
    let c = state
        .store
        .customer(&customer_no)
        .await?
        .ok_or_else(|| WebError::NotFound(Missing::Customer(customer_no.to_string())))?;
    let addresses = state.store.addresses_of(&customer_no).await?;
    let items = state.store.customer_items_of(&customer_no).await?;
    let events = state.store.events_for("customer", &customer_no).await?;
    let country = |c: Option<domain::customer::CountryCode>| c.map(|c| c.as_str().to_owned()).unwrap_or_default();
    let (acknowledgements, confirmations) = app::settings::customer_mail(
        &state.store,
        &state.config.acknowledgements,
        &state.config.outbox(),
        &customer_no,
    )
    .await?;
    let prefix = app::settings::outbox(&state.store, &state.config.outbox())
        .await?
        .letter
        .confirmations
        .number_prefix;
    let quote_settings = app::settings::quotes(&state.store, &state.config.quotes).await?;
    let orders = state
        .store
        .find_orders(&store::orders::OrderFilter {
            customer_no: Some(customer_no.clone()),
            limit: 20,
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|o| {
            (
                o.id,
                format!("{prefix}{}", o.id),
                opt(&o.po_number),
                o.status.as_str().to_owned(),
                o.total.map(|t| me.tr.money(t, &opt(&o.currency))).unwrap_or_default(),
                me.tr.day(&o.confirmed_at),
            )
        })
        .collect();
    let drafts = state
        .store
        .open_drafts_of_customer(&customer_no, 50)
        .await?
        .into_iter()
        .map(|d| {
            (
                d.id,
                d.kind.as_str().to_owned(),
                opt(&d.po_number),
                d.due_at.map(|t| me.tr.time(&t)).unwrap_or_default(),
            )
        })
        .collect();
    let quotes = state
        .store
        .quotes(&store::quotes::QuoteFilter {
            customer_no: Some(customer_no.clone()),
            limit: 20,
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|q| {
            (
                q.id,
                quote_settings.number(q.id),
                q.state.status.as_str().to_owned(),
                me.tr.money(q.total, &q.currency.to_string()),
                me.tr.date(q.valid_until),
            )
        })
        .collect();
    render(CustomerPage {
        tr: me.tr.clone(),
        orders,
        drafts,
        quotes,
        csrf: me.csrf.clone(),
        acknowledgements,
        confirmations,
        may_change_mail: me.can(domain::access::Permission::AssignWork),
        user: Some((&me).into()),
        nav: "customers",
        c: CustomerDetail {
            customer_no: c.customer_no.to_string(),
            name: c.name.clone(),
            vat_id: opt(&c.vat_id),
            address: join_address(
                &[
                    &c.billing_address.street,
                    &c.billing_address.zip,
                    &c.billing_address.city,
                ],
                country(c.billing_address.country),
            ),
            language: opt(&c.language),
            currency: opt(&c.currency),
            price_list: opt(&c.price_list),
            credit_limit: c.credit_limit.map(|v| me.tr.amount(v)).unwrap_or_default(),
            open_balance: c.open_balance.map(|v| me.tr.amount(v)).unwrap_or_default(),
            payment_terms: opt(&c.payment_terms),
            territory: opt(&c.territory),
            sales_rep: opt(&c.sales_rep),
            email_domains: c.email_domains.join(", "),
            emails: c.emails.join(", "),
        },
        addresses: addresses
            .iter()
            .map(|a| AddressRow {
                id: a.address_id.to_string(),
                name: opt(&a.name),
                address: join_address(&[&a.street, &a.zip, &a.city, &a.region], country(a.country)),
                is_default: a.is_default,
            })
            .collect(),
        items: items
            .iter()
            .map(|i| ItemRow {
                part_no: i.customer_part_no.to_string(),
                sku: opt(&i.sku),
                unit: opt(&i.customer_uom),
                factor: opt(&i.factor),
            })
            .collect(),
        events: events.iter().map(EventRow::from).collect(),
    })
}

struct ProductRow {
    sku: String,
    name: String,
    description: String,
    gtin: String,
    group: String,
    unit: String,
    pack_size: String,
    min_qty: String,
    list_price: String,
    cost: String,
    lead_time: String,
    attributes: String,
    active: bool,
}

fn money(amount: &Option<rust_decimal::Decimal>, currency: &Option<domain::CurrencyCode>) -> String {
    match amount {
        Some(a) => format!("{a} {}", opt(currency)),
        None => String::new(),
    }
}

impl From<&Product> for ProductRow {
    fn from(p: &Product) -> Self {
        ProductRow {
            sku: p.sku.to_string(),
            name: p.name.clone(),
            description: opt(&p.description),
            gtin: p.gtin.as_ref().map(|g| g.as_str().to_owned()).unwrap_or_default(),
            group: opt(&p.product_group),
            unit: format!("{} ({})", p.base_unit, p.base_unit.name()),
            pack_size: p.pack_size.normalize().to_string(),
            min_qty: p.min_order_qty.normalize().to_string(),
            list_price: money(&p.list_price, &p.currency),
            cost: money(&p.cost, &p.currency),
            lead_time: p.lead_time_days.map(|d| format!("{d} days")).unwrap_or_default(),
            attributes: p
                .attributes
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
            active: p.active,
        }
    }
}

#[derive(Template)]
#[template(path = "products.html")]
struct ProductsPage {
    tr: crate::i18n::Tr,
    nav: &'static str,
    user: Option<UserView>,
    q: String,
    summary: String,
    products: Vec<ProductRow>,
    next: Option<String>,
}

pub async fn products(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let found = state
        .store
        .search_products(&query.q, query.after.as_deref(), PAGE_SIZE)
        .await?;
    let next = (found.len() as i64 == PAGE_SIZE)
        .then(|| found.last().map(|p| p.sku.to_string()))
        .flatten();
    render(ProductsPage {
        tr: me.tr.clone(),
        user: Some((&me).into()),
        nav: "products",
        summary: summary(found.len(), &query.q, next.is_some()),
        q: query.q,
        products: found.iter().map(ProductRow::from).collect(),
        next,
    })
}

struct PriceRow {
    price_list: String,
    customer_no: String,
    min_qty: String,
    unit_price: String,
    valid: String,
}

struct StockRow {
    warehouse: String,
    on_hand: String,
    reserved: String,
    next_receipt: String,
}

#[derive(Template)]
#[template(path = "product.html")]
struct ProductPage {
    tr: crate::i18n::Tr,
    nav: &'static str,
    user: Option<UserView>,
    p: ProductRow,
    prices: Vec<PriceRow>,
    stock: Vec<StockRow>,
}

pub async fn product(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(sku): Path<String>,
) -> Result<Html<String>, WebError> {
    let p = state
        .store
        .product(&sku)
        .await?
        .ok_or_else(|| WebError::NotFound(Missing::Product(sku.to_string())))?;
    let prices = state.store.prices_of_sku(&sku).await?;
    let stock = state.store.stock_of(&sku).await?;
    render(ProductPage {
        tr: me.tr.clone(),
        user: Some((&me).into()),
        nav: "products",
        p: ProductRow::from(&p),
        prices: prices
            .iter()
            .map(|r| PriceRow {
                price_list: r.price_list.to_string(),
                customer_no: opt(&r.customer_no),
                min_qty: r.min_qty.to_string(),
                unit_price: money(&Some(r.unit_price), &r.currency),
                valid: match (r.valid_from, r.valid_to) {
                    (None, None) => "always".into(),
                    (from, to) => format!("{} – {}", opt(&from), opt(&to)),
                },
            })
            .collect(),
        stock: stock
            .iter()
            .map(|s| StockRow {
                warehouse: s.warehouse.to_string(),
                on_hand: s.on_hand.to_string(),
                reserved: s.reserved.to_string(),
                next_receipt: match (s.next_receipt_date, s.next_receipt_qty) {
                    (Some(d), Some(q)) => format!("{q} on {d}"),
                    _ => String::new(),
                },
            })
            .collect(),
    })
}

pub async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../templates/app.js"),
    )
        .into_response()
}

/// Headers every answer carries: no inline scripts, no framing, no sniffing.
pub async fn security_headers(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    // A mail shown as it looks brings its own, stricter policy (and may be framed by the review screen).
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(header::HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    h.entry(header::X_FRAME_OPTIONS)
        .or_insert(header::HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, header::HeaderValue::from_static("same-origin"));
    response
}

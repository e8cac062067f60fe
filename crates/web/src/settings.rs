//! Settings for administrators: the configuration in force, users and API tokens.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use domain::access::Role;
use domain::event::Actor;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::{ErrorPage, UserView, render, render_status};

struct UserLine {
    username: String,
    display_name: String,
    role: String,
    active: bool,
    created_at: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    tr: crate::i18n::Tr,
    nav: &'static str,
    user: Option<UserView>,
    csrf: String,
    settings: Vec<(String, String)>,
    drafting: DraftingView,
    severities: Vec<(String, String)>,
    /// (name, account, added in the web UI)
    mailboxes: Vec<(String, String, bool)>,
    users: Vec<UserLine>,
    roles: Vec<(&'static str, &'static str)>,
    tokens: Vec<store::users::ApiToken>,
    new_token: String,
    message: String,
    events: Vec<crate::pages::EventRow>,
    erp: ErpView,
    mail: MailView,
    letter: crate::letter::LetterView,
    quotes: crate::quote_settings::QuoteSettingsView,
}

/// Mail to customers on the settings page: the SMTP server, the
/// acknowledgement rules and the newest mails.
struct MailView {
    source: &'static str,
    host: String,
    port: u16,
    security: &'static str,
    username: String,
    password_set: bool,
    from: String,
    enabled: bool,
    unknown_senders: bool,
    opt_out: String,
    signature: String,
    text_de: String,
    text_en: String,
    /// The acknowledgement of a sample order as customers would read it.
    preview_de: String,
    preview_en: String,
    mails: Vec<crate::workspace::MailRow>,
}

async fn mail_view(state: &AppState, tr: &crate::i18n::Tr) -> Result<MailView, WebError> {
    let (smtp, from_settings) = app::settings::smtp(&state.store, &state.config.smtp).await?;
    let acks = app::settings::acknowledgements(&state.store, &state.config.acknowledgements).await?;
    let mails = state
        .store
        .mails(10)
        .await?
        .iter()
        .map(|m| crate::workspace::MailRow::of(m, tr))
        .collect();
    Ok(MailView {
        source: if from_settings {
            "settings page"
        } else {
            "orderdesk.toml"
        },
        host: smtp.host.clone(),
        port: smtp.port,
        security: match smtp.security {
            app::outbound::Security::Starttls => "starttls",
            app::outbound::Security::Tls => "tls",
            app::outbound::Security::None => "none",
        },
        username: smtp.username.clone().unwrap_or_default(),
        password_set: smtp.password.as_deref().is_some_and(|p| !p.is_empty()),
        from: smtp.from.clone(),
        enabled: acks.enabled,
        unknown_senders: acks.unknown_senders,
        opt_out: acks.opt_out.join(", "),
        signature: acks.signature.clone(),
        preview_de: preview(&smtp, &acks, true),
        preview_en: preview(&smtp, &acks, false),
        text_de: acks.text_de.clone(),
        text_en: acks.text_en.clone(),
        mails,
    })
}

/// An order's acknowledgement with the settings in force, for the preview.
fn preview(smtp: &app::outbound::SmtpConfig, acks: &app::outbound::AcknowledgementSettings, german: bool) -> String {
    let signature = app::outbound::signature(acks, smtp);
    app::outbound::acknowledgement_text(
        domain::message::MessageKind::Order,
        Some("4500012345"),
        german,
        &signature,
        if german { &acks.text_de } else { &acks.text_en },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct MailForm {
    #[serde(default)]
    host: String,
    #[serde(default)]
    port: String,
    #[serde(default)]
    security: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    from: String,
    /// Checkboxes: present when ticked.
    #[serde(default)]
    enabled: Option<String>,
    #[serde(default)]
    unknown_senders: Option<String>,
    #[serde(default)]
    opt_out: String,
    #[serde(default)]
    signature: String,
    #[serde(default)]
    text_de: String,
    #[serde(default)]
    text_en: String,
}

/// Saves the SMTP server and the acknowledgement rules.
pub async fn save_mail(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Form(form): Form<MailForm>,
) -> Response {
    let security = match form.security.trim() {
        "" | "starttls" => app::outbound::Security::Starttls,
        "tls" => app::outbound::Security::Tls,
        "none" => app::outbound::Security::None,
        other => {
            return failed(
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                me.tr.f("Security “{}” is not one of starttls, tls, none", other),
            );
        }
    };
    let port = match form.port.trim() {
        "" => match security {
            app::outbound::Security::Tls => 465,
            _ => 587,
        },
        raw => match raw.parse::<u16>() {
            Ok(p) if p > 0 => p,
            _ => {
                return failed(
                    &me,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    me.tr.f("Port “{}” is not a port number", raw),
                );
            }
        },
    };
    let text = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let smtp = app::outbound::SmtpConfig {
        host: form.host.trim().to_owned(),
        port,
        security,
        username: text(&form.username),
        password: text(&form.password),
        from: form.from.trim().to_owned(),
        timeout_seconds: state.config.smtp.timeout_seconds,
    };
    let acks = app::outbound::AcknowledgementSettings {
        enabled: form.enabled.is_some(),
        unknown_senders: form.unknown_senders.is_some(),
        opt_out: customer_list(&form.opt_out),
        signature: form.signature.trim().to_owned(),
        // The shipped text is kept as empty, so that a later release's wording applies.
        text_de: custom_text(&form.text_de, app::outbound::DEFAULT_TEXT_DE),
        text_en: custom_text(&form.text_en, app::outbound::DEFAULT_TEXT_EN),
    };
    match app::settings::save_mail(
        &state.store,
        &state.config.smtp,
        &state.config.acknowledgements,
        smtp,
        acks,
        &me.username,
    )
    .await
    {
        Ok(()) => Redirect::to("/settings#mail").into_response(),
        Err(e) => settings_failed(&me, &e),
    }
}

/// Customer numbers as typed, separated by commas, semicolons or spaces.
pub(crate) fn customer_list(typed: &str) -> Vec<String> {
    typed
        .split([',', ';', ' '])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A text as typed (line ends made `\n`), or empty when it is the shipped one.
pub(crate) fn custom_text(typed: &str, shipped: &str) -> String {
    let text = typed.replace("\r\n", "\n");
    if text.trim().is_empty() || text.trim() == shipped.trim() {
        String::new()
    } else {
        text
    }
}

/// Tries the SMTP server in force and shows what answered (or why not).
pub async fn test_mail(State(state): State<AppState>, Extension(me): Extension<CurrentUser>) -> Response {
    let said = match app::settings::smtp(&state.store, &state.config.smtp).await {
        Err(e) => me.tr.f("SMTP server: {}", e),
        Ok((smtp, _)) if smtp.host.trim().is_empty() => me.tr.t("SMTP server: none is set").to_owned(),
        Ok((smtp, _)) => match app::outbound::test_smtp(&smtp).await {
            Ok(said) => me.tr.f("SMTP server works: {}", said),
            Err(e) => me.tr.f("SMTP server failed: {}", e),
        },
    };
    with_notice(&state, &me, said).await
}

/// The ERP link on the settings page: the connection, the outbox and the last pull.
struct ErpView {
    connector: String,
    /// Where the settings in force come from (settings page or orderdesk.toml).
    source: &'static str,
    form: ErpForm,
    password_set: bool,
    secret_set: bool,
    sale_states: Vec<&'static str>,
    kinds: Vec<&'static str>,
    counts: String,
    pushes: Vec<PushRow>,
    /// The newest pull, in words; empty when there was none.
    last_pull: String,
    pull_failed: bool,
    is_tryton: bool,
}

struct PushRow {
    id: i64,
    order_id: i64,
    version: i64,
    kind: &'static str,
    status: &'static str,
    attempts: i64,
    next_attempt: String,
    reference: String,
    error: String,
    can_retry: bool,
}

/// The ERP connection as the form shows and returns it (never a password or secret).
#[derive(Debug, Default, Deserialize)]
pub struct ErpForm {
    #[serde(default)]
    connector: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    database: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    dir: String,
    #[serde(default)]
    sale_state: String,
    #[serde(default)]
    pull_interval_seconds: String,
}

fn describe_connector(e: &app::config::ErpSettings, tr: &Tr) -> String {
    use app::config::ErpConnectorKind as K;
    let unset = |v: &Option<String>| v.clone().unwrap_or_else(|| tr.t("(not set)").to_owned());
    match e.connector {
        K::None => tr.t("none: confirmed orders wait in the outbox").to_owned(),
        // Passwords and secrets are never shown.
        K::File => tr.f(
            "file drop into {}",
            e.dir
                .as_ref()
                .map_or(tr.t("(no folder set)").to_owned(), |d| d.display().to_string()),
        ),
        K::Webhook => tr.f("signed webhook to {}", e.url.as_deref().unwrap_or(tr.t("(no URL set)"))),
        K::Tryton => tr.fill(
            "Tryton at {}, database {}, as {}; sales are left {}",
            &[
                &unset(&e.url),
                &unset(&e.database),
                &unset(&e.user),
                &tr.label(e.sale_state.as_str()),
            ],
        ),
    }
}

async fn erp_view(state: &AppState, tr: &Tr) -> Result<ErpView, WebError> {
    let (e, from_settings) = app::settings::erp(&state.store, &state.config.erp).await?;
    let counts = state.store.erp_push_counts().await?;
    let counts = if counts.is_empty() {
        tr.t("empty").to_owned()
    } else {
        counts
            .iter()
            .map(|(s, n)| format!("{n} {}", tr.label(s.as_str())))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let pushes = state
        .store
        .erp_pushes(None, 20)
        .await?
        .into_iter()
        .map(|p| PushRow {
            id: p.id,
            order_id: p.order_id,
            version: p.order_version,
            kind: tr.label(p.kind.as_str()),
            status: tr.label(p.status.as_str()),
            attempts: p.attempts,
            next_attempt: tr.time(&p.next_attempt_at),
            reference: p.erp_reference.unwrap_or_default(),
            error: p.last_error.unwrap_or_default(),
            // Offered for a push given up or waiting after a failed attempt,
            // not for the many that are simply next in line.
            can_retry: p.status == store::erp::PushStatus::Failed
                || (p.status == store::erp::PushStatus::Pending && p.attempts > 0),
        })
        .collect();
    let pull = state.store.erp_pulls(1).await?.into_iter().next();
    let last_pull = pull.as_ref().map_or(String::new(), |p| {
        let when = tr.time(&p.finished_at);
        let note = p.note.clone().unwrap_or_default();
        if p.ok {
            let left_out = if p.skipped > 0 {
                tr.fill("; {} left out ({})", &[&p.skipped, &note])
            } else {
                String::new()
            };
            tr.fill(
                "{}: {} products, {} customers, {} addresses, {} stock rows changed, {} orders with a new ERP status{}",
                &[
                    &when,
                    &p.products,
                    &p.customers,
                    &p.addresses,
                    &p.stock,
                    &p.orders,
                    &left_out,
                ],
            )
        } else {
            tr.fill("{}: failed: {}", &[&when, &note])
        }
    });
    Ok(ErpView {
        connector: describe_connector(&e, tr),
        source: if from_settings {
            tr.t("settings page")
        } else {
            "orderdesk.toml"
        },
        password_set: e.password.as_deref().is_some_and(|p| !p.is_empty()),
        secret_set: e.secret.as_deref().is_some_and(|p| !p.is_empty()),
        is_tryton: e.connector == app::config::ErpConnectorKind::Tryton,
        form: ErpForm {
            connector: e.connector.as_str().to_owned(),
            url: e.url.clone().unwrap_or_default(),
            database: e.database.clone().unwrap_or_default(),
            user: e.user.clone().unwrap_or_default(),
            password: String::new(),
            secret: String::new(),
            dir: e.dir.as_ref().map(|d| d.display().to_string()).unwrap_or_default(),
            sale_state: e.sale_state.as_str().to_owned(),
            pull_interval_seconds: e.pull_interval_seconds.to_string(),
        },
        sale_states: vec!["draft", "quotation", "confirmed"],
        kinds: vec!["none", "tryton", "webhook", "file"],
        counts,
        pushes,
        pull_failed: pull.as_ref().is_some_and(|p| !p.ok),
        last_pull,
    })
}

/// The settings an administrator gave, on top of those in force.
fn erp_from_form(old: &app::config::ErpSettings, form: &ErpForm, tr: &Tr) -> Result<app::config::ErpSettings, String> {
    let text = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let mut new = old.clone();
    new.connector = app::config::ErpConnectorKind::parse(form.connector.trim()).ok_or_else(|| {
        tr.f(
            "Connector “{}” is not one of none, tryton, webhook, file",
            form.connector.trim(),
        )
    })?;
    new.url = text(&form.url);
    new.database = text(&form.database);
    new.user = text(&form.user);
    new.password = text(&form.password);
    new.secret = text(&form.secret);
    new.dir = text(&form.dir).map(Into::into);
    if let Some(state) = text(&form.sale_state) {
        new.sale_state = app::config::SaleState::parse(&state)
            .ok_or_else(|| tr.f("Sale state “{}” is not one of draft, quotation, confirmed", &state))?;
    }
    if let Some(interval) = text(&form.pull_interval_seconds) {
        new.pull_interval_seconds = interval
            .parse()
            .map_err(|_| tr.f("Pull interval “{}” is not a number of seconds", &interval))?;
    }
    Ok(new)
}

/// Saves the ERP connection (an empty password or secret keeps the one set).
pub async fn save_erp(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Form(form): Form<ErpForm>,
) -> Response {
    let old = match app::settings::erp(&state.store, &state.config.erp).await {
        Ok((old, _)) => old,
        Err(e) => return failed(&me, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let new = match erp_from_form(&old, &form, &me.tr) {
        Ok(new) => new,
        Err(m) => return failed(&me, StatusCode::UNPROCESSABLE_ENTITY, m),
    };
    match app::settings::save_erp(&state.store, &state.config.erp, new, &me.username).await {
        Ok(()) => Redirect::to("/settings#erp").into_response(),
        Err(e) => settings_failed(&me, &e),
    }
}

/// Tries the connection in force and shows what answered (or why not).
pub async fn test_erp(State(state): State<AppState>, Extension(me): Extension<CurrentUser>) -> Response {
    let said = match app::settings::erp(&state.store, &state.config.erp).await {
        Err(e) => me.tr.f("ERP connection: {}", e),
        Ok((settings, _)) => match app::erp::connector(&settings) {
            Ok(None) => me.tr.t("ERP connection: no connector is set").to_owned(),
            Err(e) => me.tr.f("ERP connection: {}", e),
            Ok(Some(c)) => match c.test().await {
                Ok(said) => me.tr.f("ERP connection works: {}", said),
                Err(e) => me.tr.f("ERP connection failed: {}", e),
            },
        },
    };
    with_notice(&state, &me, said).await
}

/// The settings page with a notice at its top (what a test of a connection said).
async fn with_notice(state: &AppState, me: &CurrentUser, notice: String) -> Response {
    match page(state, me, String::new(), notice).await {
        Ok(page) => match render(page) {
            Ok(html) => html.into_response(),
            Err(e) => e.into_response(),
        },
        Err(e) => e.into_response(),
    }
}

/// Pulls master data and sale states from Tryton now.
pub async fn pull_erp(State(state): State<AppState>, Extension(me): Extension<CurrentUser>) -> Response {
    let settings = match app::settings::erp(&state.store, &state.config.erp).await {
        Ok((s, _)) => s,
        Err(e) => return failed(&me, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let tryton = match app::erp::tryton(&settings) {
        Ok(t) if settings.connector == app::config::ErpConnectorKind::Tryton => t,
        Ok(_) => {
            return failed(
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                me.tr.t("Pulling needs the Tryton connector").into(),
            );
        }
        Err(e) => return failed(&me, StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
    };
    // The pull is recorded either way; the page shows how it went.
    let _ = app::erp_pull::pull(&state.store, &tryton, jiff::Timestamp::now()).await;
    Redirect::to("/settings#erp").into_response()
}

/// Makes a waiting or failed push due now.
pub async fn retry_erp_push(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Response {
    let actor = Actor::User(me.username.clone());
    match state.store.retry_erp_push(id, &actor, jiff::Timestamp::now()).await {
        Ok(true) => Redirect::to("/settings#erp").into_response(),
        Ok(false) => failed(
            &me,
            StatusCode::NOT_FOUND,
            me.tr.f("Push {} does not exist or the ERP has the order already", id),
        ),
        Err(e) => failed(&me, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// The fields a threshold can be set for besides the overall one.
const THRESHOLD_FIELDS: [&str; 8] = [
    "customer",
    "po_number",
    "order_date",
    "requested_delivery_date",
    "currency",
    "stated_total",
    "ship_to",
    "line",
];

struct DraftingView {
    confidence_threshold: String,
    thresholds: Vec<(&'static str, String)>,
    tolerance_relative: String,
    tolerance_absolute: String,
    review_customers: String,
    review_sla_minutes: u64,
    quote_sla_minutes: u64,
    catalog_refresh_seconds: u64,
    stp_sender: &'static str,
    stp_after_reviewed: u32,
}

async fn page(
    state: &AppState,
    me: &CurrentUser,
    new_token: String,
    message: String,
) -> Result<SettingsPage, WebError> {
    let c = &state.config;
    let x = &app::settings::extraction(&state.store, &c.extraction).await?;
    let drafting = DraftingView {
        confidence_threshold: x.confidence_threshold.to_string(),
        thresholds: THRESHOLD_FIELDS
            .iter()
            .map(|f| (*f, x.thresholds.get(*f).map(ToString::to_string).unwrap_or_default()))
            .collect(),
        tolerance_relative: x.price_tolerance_relative.to_string(),
        tolerance_absolute: x.price_tolerance_absolute.to_string(),
        review_customers: x.review_customers.join(", "),
        review_sla_minutes: x.review_sla_minutes,
        quote_sla_minutes: x.quote_sla_minutes,
        catalog_refresh_seconds: x.catalog_refresh_seconds,
        stp_sender: match x.stp_sender {
            app::config::SenderTrust::Any => "any",
            app::config::SenderTrust::KnownAddress => "known_address",
            app::config::SenderTrust::Authenticated => "authenticated",
        },
        stp_after_reviewed: x.stp_after_reviewed,
    };
    let settings = vec![
        ("Database".to_owned(), store::redact(&c.database_url)),
        ("Listening on".to_owned(), c.listen.clone()),
        (
            "Watched folders".to_owned(),
            c.intake
                .watch_dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ];
    let severities = domain::exception::ExceptionCode::ALL
        .iter()
        .map(|code| {
            let configured = x.severities.get(code.as_str()).cloned();
            (
                code.as_str().to_owned(),
                configured.unwrap_or_else(|| code.default_severity().as_str().to_owned()),
            )
        })
        .collect();
    Ok(SettingsPage {
        tr: me.tr.clone(),
        nav: "settings",
        user: Some(me.into()),
        csrf: me.csrf.clone(),
        settings,
        drafting,
        severities,
        mailboxes: app::settings::mailboxes(&state.store, &c.mailboxes)
            .await?
            .into_iter()
            .map(|m| {
                let b = &m.config;
                let moved = b
                    .move_to
                    .as_deref()
                    .map(|t| me.tr.f(", moved to {}", t))
                    .unwrap_or_default();
                let account = me.tr.fill(
                    "{}@{}:{} ({}), folder {}{}",
                    &[
                        &b.username,
                        &b.host,
                        &b.port,
                        &if b.tls { "TLS" } else { me.tr.t("no TLS") },
                        &b.folder,
                        &moved,
                    ],
                );
                (b.name.clone(), account, m.from_settings)
            })
            .collect(),
        users: state
            .store
            .users()
            .await?
            .into_iter()
            .map(|u| UserLine {
                role: u.role.as_str().to_owned(),
                username: u.username,
                display_name: u.display_name,
                active: u.active,
                created_at: u.created_at.strftime("%Y-%m-%d").to_string(),
            })
            .collect(),
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        tokens: state.store.api_tokens().await?,
        new_token,
        message,
        events: {
            let mut events = state.store.events_of_type("settings", 20).await?;
            events.extend(state.store.events_of_type("user", 30).await?);
            events.sort_by_key(|e| std::cmp::Reverse(e.occurred_at));
            events.iter().map(crate::pages::EventRow::from).collect()
        },
        erp: erp_view(state, &me.tr).await?,
        mail: mail_view(state, &me.tr).await?,
        letter: crate::letter::view(state).await?,
        quotes: crate::quote_settings::view(state, &me.tr).await?,
    })
}

pub async fn settings(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
) -> Result<Response, WebError> {
    Ok(render(page(&state, &me, String::new(), String::new()).await?)?.into_response())
}

pub(crate) fn failed(me: &CurrentUser, status: StatusCode, message: String) -> Response {
    render_status(
        status,
        ErrorPage {
            tr: me.tr.clone(),
            nav: "settings",
            user: Some(me.into()),
            title: me.tr.t("That did not work").into(),
            message,
        },
    )
}

/// Settings that were not saved, said in the user's language.
pub(crate) fn settings_failed(me: &CurrentUser, e: &app::settings::SettingsError) -> Response {
    let status = match e {
        app::settings::SettingsError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    failed(me, status, me.tr.settings_error(e))
}

pub(crate) fn user_error_status(e: &app::users::UserError) -> StatusCode {
    use app::users::UserError as U;
    match e {
        U::Exists(_) => StatusCode::CONFLICT,
        U::NoUser(_) => StatusCode::NOT_FOUND,
        U::Hash(_) | U::Random(_) | U::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    #[serde(default)]
    display_name: String,
    role: String,
    password: String,
}

pub async fn add_user(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Form(form): Form<NewUserForm>,
) -> Response {
    let actor = Actor::User(me.username.clone());
    match app::users::add_user(
        &state.store,
        &form.username,
        &form.display_name,
        &form.role,
        &form.password,
        &actor,
    )
    .await
    {
        Ok(_) => Redirect::to("/settings").into_response(),
        Err(e) => failed(&me, user_error_status(&e), me.tr.user_error(&e)),
    }
}

#[derive(Deserialize)]
pub struct UpdateUserForm {
    #[serde(default)]
    role: String,
    /// `"true"` / `"false"`; absent leaves it.
    #[serde(default)]
    active: String,
    #[serde(default)]
    password: String,
}

pub async fn update_user(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(username): Path<String>,
    Form(form): Form<UpdateUserForm>,
) -> Response {
    let change = app::users::UserChange {
        role: Some(form.role.as_str()).filter(|r| !r.is_empty()),
        active: match form.active.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        password: Some(form.password.as_str()).filter(|p| !p.is_empty()),
    };
    let actor = Actor::User(me.username.clone());
    match app::users::change_user(&state.store, &username, change, &actor).await {
        Ok(_) => Redirect::to("/settings").into_response(),
        Err(e) => failed(&me, user_error_status(&e), me.tr.user_error(&e)),
    }
}

#[derive(Deserialize)]
pub struct NewTokenForm {
    name: String,
    username: String,
    #[serde(default)]
    days: String,
}

pub async fn add_token(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Form(form): Form<NewTokenForm>,
) -> Response {
    if form.name.trim().is_empty() {
        return failed(
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            me.tr.t("Give the token a name (what uses it)").into(),
        );
    }
    let actor = Actor::User(me.username.clone());
    let days = match form.days.trim() {
        "" => None,
        raw => match raw.parse::<u32>() {
            Ok(d) => Some(d),
            Err(_) => {
                return failed(
                    &me,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    me.tr.f("“{}” is not a number of days", raw),
                );
            }
        },
    };
    match app::users::create_api_token(&state.store, form.username.trim(), form.name.trim(), days, &actor).await {
        Ok(token) => match page(
            &state,
            &me,
            token,
            me.tr.f(
                "Token “{}” created. Copy it now: it is not shown again.",
                form.name.trim(),
            ),
        )
        .await
        .and_then(render)
        {
            Ok(html) => html.into_response(),
            Err(e) => e.into_response(),
        },
        Err(e) => failed(&me, user_error_status(&e), me.tr.user_error(&e)),
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    id: i64,
}

/// Revokes an API token at once.
pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Form(form): Form<RevokeForm>,
) -> Response {
    let actor = Actor::User(me.username.clone());
    match app::users::revoke_api_token(&state.store, form.id, &actor).await {
        Ok(true) => Redirect::to("/settings#tokens").into_response(),
        Ok(false) => failed(
            &me,
            StatusCode::NOT_FOUND,
            me.tr.f("There is no valid API token with id {}", form.id),
        ),
        Err(e) => failed(&me, user_error_status(&e), me.tr.user_error(&e)),
    }
}

fn number<T: std::str::FromStr>(fields: &[(String, String)], name: &str, tr: &Tr) -> Result<Option<T>, String> {
    match fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()) {
        None | Some("") => Ok(None),
        Some(raw) => raw
            .replace(',', ".")
            .parse()
            .map(Some)
            .map_err(|_| tr.fill("{}: “{}” is not a number", &[&name, &raw])),
    }
}

/// The drafting settings from the form, on top of those in force.
fn drafting_from_form(
    before: &app::config::ExtractionSettings,
    fields: &[(String, String)],
    tr: &Tr,
) -> Result<app::config::ExtractionSettings, String> {
    let mut new = before.clone();
    if let Some(t) = number::<f32>(fields, "confidence_threshold", tr)? {
        new.confidence_threshold = t;
    }
    for f in THRESHOLD_FIELDS {
        match number::<f32>(fields, &format!("threshold_{f}"), tr)? {
            Some(t) if !(0.0..=1.0).contains(&t) => {
                return Err(tr.f("The threshold for {} must be between 0 and 1", tr.label(f)));
            }
            Some(t) => {
                new.thresholds.insert(f.to_owned(), t);
            }
            None => {
                new.thresholds.remove(f);
            }
        }
    }
    match fields.iter().find(|(k, _)| k == "stp_sender").map(|(_, v)| v.as_str()) {
        None | Some("") => {}
        Some("any") => new.stp_sender = app::config::SenderTrust::Any,
        Some("known_address") => new.stp_sender = app::config::SenderTrust::KnownAddress,
        Some("authenticated") => new.stp_sender = app::config::SenderTrust::Authenticated,
        Some(other) => {
            return Err(tr.f(
                "Straight through from: “{}” is not one of any, known_address, authenticated",
                other,
            ));
        }
    }
    if let Some(t) = number::<rust_decimal::Decimal>(fields, "price_tolerance_relative", tr)? {
        new.price_tolerance_relative = t;
    }
    if let Some(t) = number::<rust_decimal::Decimal>(fields, "price_tolerance_absolute", tr)? {
        new.price_tolerance_absolute = t;
    }
    if new.price_tolerance_relative.is_sign_negative() || new.price_tolerance_absolute.is_sign_negative() {
        return Err(tr.t("Price tolerances cannot be negative").into());
    }
    if let Some(n) = number::<u32>(fields, "stp_after_reviewed", tr)? {
        new.stp_after_reviewed = n;
    }
    if let Some(m) = number::<u64>(fields, "review_sla_minutes", tr)? {
        new.review_sla_minutes = m;
    }
    if let Some(m) = number::<u64>(fields, "quote_sla_minutes", tr)? {
        new.quote_sla_minutes = m;
    }
    if let Some(s) = number::<u64>(fields, "catalog_refresh_seconds", tr)? {
        new.catalog_refresh_seconds = s.max(10);
    }
    if let Some((_, list)) = fields.iter().find(|(k, _)| k == "review_customers") {
        new.review_customers = list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
    }
    for (k, v) in fields {
        if let Some(code) = k.strip_prefix("severity_") {
            let default = domain::exception::ExceptionCode::parse(code).map(|c| c.default_severity().as_str());
            if default == Some(v.as_str()) {
                new.severities.remove(code);
            } else {
                new.severities.insert(code.to_owned(), v.clone());
            }
        }
    }
    Ok(new)
}

pub async fn save_drafting(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let before = match app::settings::extraction(&state.store, &state.config.extraction).await {
        Ok(b) => b,
        Err(e) => return failed(&me, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let new = match drafting_from_form(&before, &fields, &me.tr) {
        Ok(n) => n,
        Err(message) => return failed(&me, StatusCode::UNPROCESSABLE_ENTITY, message),
    };
    match app::settings::save_extraction(&state.store, &before, &new, &me.username).await {
        Ok(()) => Redirect::to("/settings").into_response(),
        Err(e) => settings_failed(&me, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_form_changes_only_what_it_names() {
        let before = app::config::ExtractionSettings::default();
        let new = drafting_from_form(
            &before,
            &form(&[
                ("confidence_threshold", "0,95"),
                ("threshold_line", "0.8"),
                ("threshold_customer", ""),
                ("severity_duplicate_po", "blocking"),
                ("severity_price_mismatch", "blocking"),
                ("review_customers", "10042, 20001"),
            ]),
            &Tr::default(),
        )
        .unwrap();
        assert_eq!(new.confidence_threshold, 0.95);
        assert_eq!(new.thresholds.get("line"), Some(&0.8));
        assert!(!new.thresholds.contains_key("customer"));
        assert_eq!(new.severities.get("duplicate_po").map(String::as_str), Some("blocking"));
        assert!(
            !new.severities.contains_key("price_mismatch"),
            "a default is not stored as a change"
        );
        assert_eq!(new.review_customers, ["10042", "20001"]);
        assert_eq!(new.review_sla_minutes, before.review_sla_minutes);
        let english = Tr::default();
        assert!(drafting_from_form(&before, &form(&[("threshold_line", "2")]), &english).is_err());
        assert!(drafting_from_form(&before, &form(&[("review_sla_minutes", "soon")]), &english).is_err());
        let german = Tr::new(printout::Language::German, jiff::tz::TimeZone::UTC);
        assert_eq!(
            drafting_from_form(&before, &form(&[("threshold_line", "2")]), &german).unwrap_err(),
            "Die Schwelle für Position muss zwischen 0 und 1 liegen"
        );
        assert_eq!(
            drafting_from_form(&before, &form(&[("review_sla_minutes", "bald")]), &german).unwrap_err(),
            "review_sla_minutes: „bald“ ist keine Zahl"
        );
    }
}

#[derive(Deserialize)]
pub struct MailboxForm {
    name: String,
    host: String,
    #[serde(default)]
    port: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    tls: Option<String>,
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    folder: String,
    #[serde(default)]
    move_to: String,
}

pub async fn save_mailbox(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Form(form): Form<MailboxForm>,
) -> Response {
    let tls = form.tls.is_some();
    let port = match form.port.trim() {
        "" => {
            if tls {
                993
            } else {
                143
            }
        }
        raw => match raw.parse::<u16>() {
            Ok(p) if p > 0 => p,
            _ => {
                return failed(
                    &me,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    me.tr.f("Port “{}” is not a port number", raw),
                );
            }
        },
    };
    let folder = form.folder.trim();
    let mailbox = app::settings::MailboxConfig {
        name: form.name.trim().to_owned(),
        host: form.host.trim().to_owned(),
        port,
        tls,
        username: form.username.trim().to_owned(),
        password: form.password,
        folder: if folder.is_empty() {
            "INBOX".into()
        } else {
            folder.to_owned()
        },
        move_to: Some(form.move_to.trim().to_owned()).filter(|m| !m.is_empty()),
    };
    match app::settings::save_mailbox(&state.store, mailbox, &me.username).await {
        Ok(()) => Redirect::to("/settings").into_response(),
        Err(e) => settings_failed(&me, &e),
    }
}

pub async fn remove_mailbox(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(name): Path<String>,
) -> Response {
    match app::settings::remove_mailbox(&state.store, &name, &me.username).await {
        Ok(true) => Redirect::to("/settings").into_response(),
        Ok(false) => failed(
            &me,
            StatusCode::NOT_FOUND,
            format!("mailbox '{name}' was not added here (those of orderdesk.toml are changed there)"),
        ),
        Err(e) => failed(&me, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

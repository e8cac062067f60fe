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
    nav: &'static str,
    user: Option<UserView>,
    csrf: String,
    settings: Vec<(String, String)>,
    severities: Vec<(String, String)>,
    mailboxes: Vec<(String, String)>,
    users: Vec<UserLine>,
    roles: Vec<(&'static str, &'static str)>,
    tokens: Vec<store::users::ApiToken>,
    new_token: String,
    message: String,
}

async fn page(
    state: &AppState,
    me: &CurrentUser,
    new_token: String,
    message: String,
) -> Result<SettingsPage, WebError> {
    let c = &state.config;
    let x = &c.extraction;
    let mut settings = vec![
        ("Database".to_owned(), store::redact(&c.database_url)),
        ("Listening on".to_owned(), c.listen.clone()),
        ("Confidence threshold".to_owned(), x.confidence_threshold.to_string()),
        (
            "Price tolerance".to_owned(),
            format!(
                "{} relative or {} absolute",
                x.price_tolerance_relative, x.price_tolerance_absolute
            ),
        ),
        ("Review SLA, orders".to_owned(), format!("{} min", x.review_sla_minutes)),
        ("Review SLA, quotes".to_owned(), format!("{} min", x.quote_sla_minutes)),
        ("Customers always reviewed".to_owned(), x.review_customers.join(", ")),
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
    for (field, t) in &x.thresholds {
        settings.push((format!("Threshold {field}"), t.to_string()));
    }
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
        nav: "settings",
        user: Some(me.into()),
        csrf: me.csrf.clone(),
        settings,
        severities,
        mailboxes: c
            .mailboxes
            .iter()
            .map(|m| (m.name.clone(), format!("{}@{}:{}", m.username, m.host, m.port)))
            .collect(),
        users: state
            .store
            .users()
            .await?
            .into_iter()
            .map(|u| UserLine {
                role: Role::parse(&u.role).map_or(u.role.clone(), |r| r.as_str().to_owned()),
                username: u.username,
                display_name: u.display_name,
                active: u.active,
                created_at: u.created_at.get(..10).unwrap_or("").to_owned(),
            })
            .collect(),
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        tokens: state.store.api_tokens().await?,
        new_token,
        message,
    })
}

pub async fn settings(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
) -> Result<Response, WebError> {
    Ok(render(page(&state, &me, String::new(), String::new()).await?)?.into_response())
}

fn failed(me: &CurrentUser, status: StatusCode, message: String) -> Response {
    render_status(
        status,
        ErrorPage {
            nav: "settings",
            user: Some(me.into()),
            title: "That did not work".into(),
            message,
        },
    )
}

fn user_error_status(e: &app::users::UserError) -> StatusCode {
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
        Err(e) => failed(&me, user_error_status(&e), e.to_string()),
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
    let role = match form.role.as_str() {
        "" => None,
        raw => match Role::parse(raw) {
            Some(r) => Some(r.as_str()),
            None => {
                return failed(
                    &me,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("role '{raw}' does not exist"),
                );
            }
        },
    };
    let active = match form.active.as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    };
    if username == me.username && (active == Some(false) || role.is_some_and(|r| r != "admin")) {
        return failed(
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            "you cannot disable yourself or take away your own administrator role".into(),
        );
    }
    let hash = if form.password.is_empty() {
        None
    } else if form.password.chars().count() < app::users::MIN_PASSWORD_CHARS {
        return failed(
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            app::users::UserError::WeakPassword.to_string(),
        );
    } else {
        match app::users::hash_password(&form.password) {
            Ok(h) => Some(h),
            Err(e) => return failed(&me, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        }
    };
    let actor = Actor::User(me.username.clone());
    match state
        .store
        .update_user(&username, role, active, hash.as_deref(), &actor, jiff::Timestamp::now())
        .await
    {
        Ok(true) => Redirect::to("/settings").into_response(),
        Ok(false) => failed(&me, StatusCode::NOT_FOUND, format!("user '{username}' does not exist")),
        Err(e) => failed(&me, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

#[derive(Deserialize)]
pub struct NewTokenForm {
    name: String,
    username: String,
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
            "give the token a name (what uses it)".into(),
        );
    }
    let actor = Actor::User(me.username.clone());
    match app::users::create_api_token(&state.store, form.username.trim(), form.name.trim(), &actor).await {
        Ok(token) => match page(
            &state,
            &me,
            token,
            format!(
                "Token '{}' created. Copy it now: it is not shown again.",
                form.name.trim()
            ),
        )
        .await
        .and_then(render)
        {
            Ok(html) => html.into_response(),
            Err(e) => e.into_response(),
        },
        Err(e) => failed(&me, user_error_status(&e), e.to_string()),
    }
}

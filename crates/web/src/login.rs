//! Logging in and out, in the browser (`/login`) and for scripts (`/api/login`).

use std::net::SocketAddr;
use std::time::Instant;

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{CurrentUser, clear_cookie, json_error, session_cookie};
use crate::pages::render_status;

/// The client's address when the server knows it.
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()),
        ))
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: &'static str,
    user: Option<crate::pages::UserView>,
    next: String,
    username: String,
    message: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only paths on this server are followed after logging in.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}

pub async fn login_page(Query(q): Query<NextQuery>) -> Response {
    render_status(
        StatusCode::OK,
        LoginPage {
            nav: "",
            user: None,
            next: safe_next(&q.next).to_owned(),
            username: String::new(),
            message: String::new(),
        },
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

enum Outcome {
    In(app::users::Session),
    Wrong,
    Locked(u64),
    Failed,
}

async fn attempt(state: &AppState, addr: &ClientAddr, username: &str, password: &str) -> Outcome {
    let mut keys = vec![format!("user:{}", username.trim().to_lowercase())];
    if let Some(ip) = addr.0 {
        keys.push(format!("ip:{ip}"));
    }
    let now = Instant::now();
    if let Some(wait) = state.throttle.locked_for(&keys, now) {
        tracing::warn!(username, "login refused: too many failed attempts");
        return Outcome::Locked(wait.as_secs().max(1));
    }
    match app::users::login(&state.store, username, password).await {
        Ok(Some(session)) => {
            state.throttle.succeeded(&keys[..1]);
            tracing::info!(username, "logged in");
            Outcome::In(session)
        }
        Ok(None) => {
            state.throttle.failed(&keys, now);
            tracing::warn!(username, "login failed: wrong user name or password");
            Outcome::Wrong
        }
        Err(e) => {
            tracing::error!(error = %e, "login failed");
            Outcome::Failed
        }
    }
}

pub async fn login_submit(State(state): State<AppState>, addr: ClientAddr, Form(form): Form<LoginForm>) -> Response {
    let page = |status, message: String| {
        render_status(
            status,
            LoginPage {
                nav: "",
                user: None,
                next: safe_next(&form.next).to_owned(),
                username: form.username.clone(),
                message,
            },
        )
    };
    match attempt(&state, &addr, &form.username, &form.password).await {
        Outcome::In(session) => (
            [(header::SET_COOKIE, session_cookie(&session.token, state.secure_cookies))],
            Redirect::to(safe_next(&form.next)),
        )
            .into_response(),
        Outcome::Wrong => page(StatusCode::UNAUTHORIZED, "Wrong user name or password.".into()),
        Outcome::Locked(secs) => page(
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many failed logins. Try again in {secs} seconds."),
        ),
        Outcome::Failed => page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Logging in failed; the error was logged.".into(),
        ),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ApiLogin {
    username: String,
    password: String,
}

/// Logs in for a script: sets the session cookie and returns the CSRF token
/// the script must send as `X-CSRF-Token` with every change.
#[utoipa::path(post, path = "/api/login", tag = "session", request_body = ApiLogin,
    responses((status = 200, description = "Logged in; the session cookie is set"),
              (status = 401, description = "Wrong user name or password"),
              (status = 429, description = "Too many failed attempts")))]
pub async fn api_login(State(state): State<AppState>, addr: ClientAddr, Json(body): Json<ApiLogin>) -> Response {
    match attempt(&state, &addr, &body.username, &body.password).await {
        Outcome::In(session) => (
            [(header::SET_COOKIE, session_cookie(&session.token, state.secure_cookies))],
            Json(serde_json::json!({
                "username": session.user.username,
                "role": session.user.role,
                "csrf_token": session.csrf_token,
            })),
        )
            .into_response(),
        Outcome::Wrong => json_error(StatusCode::UNAUTHORIZED, "wrong user name or password"),
        Outcome::Locked(secs) => json_error(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("too many failed logins; try again in {secs} seconds"),
        ),
        Outcome::Failed => json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "logging in failed; the error was logged",
        ),
    }
}

pub async fn logout(State(state): State<AppState>, Extension(me): Extension<CurrentUser>) -> Response {
    if let Some(token) = &me.session_token
        && let Err(e) = app::users::logout(&state.store, token).await
    {
        tracing::error!(error = %e, "logging out failed");
    }
    tracing::info!(username = me.username, "logged out");
    ([(header::SET_COOKIE, clear_cookie())], Redirect::to("/login")).into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next("/queue?mine=1"), "/queue?mine=1");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
    }
}

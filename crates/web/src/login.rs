//! Logging in and out, in the browser (`/login`) and for scripts (`/api/login`).

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use serde::Deserialize;

use crate::AppState;
use app::config::CookieSecure;

use crate::auth::{CurrentUser, ThrottleKey, clear_cookie, cookie, json_error, session_cookie};
use crate::pages::render_status;

/// Who is on the other end: the client's address and whether the browser came over
/// HTTPS. Behind a reverse proxy listed in `trusted_proxies` these come from its
/// `X-Forwarded-For` and `X-Forwarded-Proto` headers; from anyone else they are ignored.
pub struct ClientAddr {
    pub ip: Option<IpAddr>,
    pub https: bool,
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(client_addr(peer, &parts.headers, &state.config.trusted_proxies))
    }
}

/// The client behind `peer`: the rightmost forwarded address that is not a trusted proxy.
pub fn client_addr(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> ClientAddr {
    let Some(peer) = peer.filter(|p| trusted.contains(p)) else {
        return ClientAddr { ip: peer, https: false };
    };
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    let ip = forwarded
        .iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .copied()
        .or(Some(peer));
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    ClientAddr { ip, https }
}

/// Whether the session cookie gets the `Secure` flag for this client.
pub fn secure_cookie(state: &AppState, client: &ClientAddr) -> bool {
    match state.config.cookie_secure {
        CookieSecure::Always => true,
        CookieSecure::Never => false,
        CookieSecure::Auto => client.https,
    }
}

/// The largest login request body read.
pub const MAX_LOGIN_BODY: usize = 4096;
/// User names and passwords longer than this are refused unread.
pub const MAX_CREDENTIAL_BYTES: usize = 256;
/// The cookie holding the login form's CSRF token (before there is a session).
const LOGIN_COOKIE: &str = "od_login";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    tr: crate::i18n::Tr,
    nav: &'static str,
    user: Option<crate::pages::UserView>,
    next: String,
    username: String,
    message: String,
    /// Also in the `od_login` cookie; a login posted from another site lacks it.
    login_token: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only paths on this server are followed after logging in: no scheme, no
/// `//host`, no backslashes or control characters (browsers drop a tab, so
/// `/\t/evil.example` would become `//evil.example`).
fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && next.len() <= 2048;
    if local { next } else { "/" }
}

pub async fn login_page(headers: HeaderMap, Query(q): Query<NextQuery>) -> Response {
    let token = login_token(&headers);
    (
        [(header::SET_COOKIE, login_cookie(&token))],
        render_status(
            StatusCode::OK,
            LoginPage {
                tr: crate::i18n::Tr::choose(None, &headers, jiff::tz::TimeZone::UTC),
                nav: "",
                user: None,
                next: safe_next(&q.next).to_owned(),
                username: String::new(),
                message: String::new(),
                login_token: token,
            },
        ),
    )
        .into_response()
}

/// The browser's login token: the one it holds already (several tabs, a reload,
/// a second request for the page must not invalidate an open form), else a new one.
fn login_token(headers: &HeaderMap) -> String {
    cookie(headers, LOGIN_COOKIE)
        .filter(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(|| app::users::random_hex(16).unwrap_or_default())
}

fn login_cookie(token: &str) -> String {
    format!("{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600")
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    login_token: String,
}

enum Outcome {
    In(app::users::Session),
    Wrong,
    Locked(u64),
    Failed,
}

async fn attempt(state: &AppState, addr: &ClientAddr, username: &str, password: &str) -> Outcome {
    let now = Instant::now();
    let name = username.trim().to_lowercase();
    let keys = ThrottleKey::for_login(&name, addr.ip);
    if let Some(wait) = state.throttle.locked_for(&keys, now) {
        tracing::warn!(ip = ?addr.ip, "login refused: too many failed attempts");
        return Outcome::Locked(wait.as_secs().max(1));
    }
    if username.len() > MAX_CREDENTIAL_BYTES || password.len() > MAX_CREDENTIAL_BYTES {
        state.throttle.failed(&keys, now);
        tracing::warn!(ip = ?addr.ip, "login failed: user name or password too long");
        return Outcome::Wrong;
    }
    match app::users::login(&state.store, username, password).await {
        Ok(Some(session)) => {
            state.throttle.succeeded(&keys);
            tracing::info!(username, "logged in");
            Outcome::In(session)
        }
        Ok(None) => {
            state.throttle.failed(&keys, now);
            tracing::warn!(username, ip = ?addr.ip, "login failed: wrong user name or password");
            Outcome::Wrong
        }
        Err(e) => {
            tracing::error!(error = %e, "login failed");
            Outcome::Failed
        }
    }
}

pub async fn login_submit(
    State(state): State<AppState>,
    addr: ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let token = login_token(&headers);
    let shown_name: String = form.username.chars().take(MAX_CREDENTIAL_BYTES).collect();
    let tr = crate::i18n::Tr::choose(None, &headers, jiff::tz::TimeZone::UTC);
    let page = |status, message: String| {
        (
            [(header::SET_COOKIE, login_cookie(&token))],
            render_status(
                status,
                LoginPage {
                    tr: tr.clone(),
                    nav: "",
                    user: None,
                    next: safe_next(&form.next).to_owned(),
                    username: shown_name.clone(),
                    message,
                    login_token: token.clone(),
                },
            ),
        )
            .into_response()
    };
    // Login CSRF: the form's token must match the cookie this server set with the form.
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !crate::auth::constant_time_eq(expected.as_bytes(), form.login_token.as_bytes()) {
        return page(
            StatusCode::FORBIDDEN,
            tr.t("The login form has expired. Please enter your user name and password again.")
                .into(),
        );
    }
    match attempt(&state, &addr, &form.username, &form.password).await {
        Outcome::In(session) => (
            [(
                header::SET_COOKIE,
                session_cookie(&session.token, secure_cookie(&state, &addr)),
            )],
            Redirect::to(safe_next(&form.next)),
        )
            .into_response(),
        Outcome::Wrong => page(StatusCode::UNAUTHORIZED, tr.t("Wrong user name or password.").into()),
        Outcome::Locked(secs) => page(
            StatusCode::TOO_MANY_REQUESTS,
            tr.f("Too many failed logins. Try again in {} seconds.", secs),
        ),
        Outcome::Failed => page(
            StatusCode::INTERNAL_SERVER_ERROR,
            tr.t("Logging in failed; the error was logged.").into(),
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
            [(
                header::SET_COOKIE,
                session_cookie(&session.token, secure_cookie(&state, &addr)),
            )],
            Json(serde_json::json!({
                "username": session.user.username,
                "role": session.user.role.as_str(),
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
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next("/queue?mine=1"), "/queue?mine=1");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next("/\t/evil.example"), "/");
        assert_eq!(safe_next("/queue\r\nSet-Cookie: x=1"), "/");
    }

    #[test]
    fn forwarded_addresses_only_from_trusted_proxies() {
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "203.0.113.9, 198.51.100.7".parse().unwrap());
        headers.insert("x-forwarded-proto", "https".parse().unwrap());
        let direct = client_addr(Some(proxy), &headers, &[]);
        assert_eq!((direct.ip, direct.https), (Some(proxy), false));
        let proxied = client_addr(Some(proxy), &headers, &[proxy]);
        assert_eq!(proxied.ip, Some("198.51.100.7".parse().unwrap()));
        assert!(proxied.https);
        let chained = client_addr(Some(proxy), &headers, &[proxy, "198.51.100.7".parse().unwrap()]);
        assert_eq!(chained.ip, Some("203.0.113.9".parse().unwrap()));
    }
}

#[derive(Deserialize)]
pub struct LanguageForm {
    /// `de` or `en`; empty follows the browser again.
    #[serde(default)]
    language: String,
}

/// The user's choice of language for their screens, kept with the user;
/// back to the page they were on.
pub async fn set_language(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Response {
    let chosen = crate::i18n::language_code(&form.language).map(printout::Language::code);
    if chosen.is_none() && !form.language.trim().is_empty() {
        return crate::settings::failed(
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{}: {}", me.tr.t("No such language"), form.language),
        );
    }
    if let Err(e) = state.store.set_user_language(&me.username, chosen).await {
        tracing::error!(error = %e, "keeping the language failed");
        return crate::settings::failed(&me, StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    }
    // Back where the switch was pressed, when that was a page of this site.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|r| r.find('/').map(|i| &r[i..]))
        .unwrap_or("/");
    Redirect::to(safe_next(back)).into_response()
}

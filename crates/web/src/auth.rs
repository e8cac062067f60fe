//! Who is asking, and may they: sessions, API tokens, CSRF, login throttling.
//!
//! [`access`] is the one table of what each route needs; the [`guard`]
//! middleware applies it to every request before any handler runs, so a
//! route cannot be forgotten. Browsers carry a session cookie and must send
//! the session's CSRF token with every change; integrations send
//! `Authorization: Bearer od_…` and need no CSRF token (a browser cannot
//! attach that header on another site's behalf).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::{Permission, Role};

use crate::AppState;

pub const SESSION_COOKIE: &str = "od_session";
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// The person (or integration) behind a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The session's CSRF token; empty for API tokens.
    pub csrf: String,
    /// The session cookie's value, for logging out.
    pub session_token: Option<String>,
    /// The language and time zone of this user's screens.
    pub tr: crate::i18n::Tr,
}

impl CurrentUser {
    pub fn can(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }

    /// This user acting on drafts.
    pub fn reviewer(&self) -> app::review::Reviewer<'_> {
        app::review::Reviewer {
            username: &self.username,
            may_assign: self.can(Permission::AssignWork),
        }
    }
}

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    Needs(Permission),
}

/// The access table: every route of the server by method and path.
pub fn access(method: &Method, path: &str) -> Access {
    use Permission::*;
    let read = *method == Method::GET || *method == Method::HEAD;
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (read, segments.as_slice()) {
        (true, ["healthz"]) | (_, ["login"]) | (false, ["api", "login"]) | (true, ["assets", ..]) => Access::Public,
        (_, ["settings", ..]) => Access::Needs(ManageSettings),
        (_, ["api", "users", ..]) | (_, ["api", "tokens", ..]) => Access::Needs(ManageUsers),
        (_, ["api", "settings", ..]) => Access::Needs(ManageSettings),
        (true, ["metrics"]) | (true, ["kpis.csv"]) => Access::Needs(ViewKpis),
        (false, ["messages", "upload"]) | (false, ["api", "messages"]) => Access::Needs(UploadMessages),
        (false, ["orders", ..]) | (false, ["api", "orders", ..]) => Access::Needs(AmendOrders),
        (false, ["drafts", _, "apply"]) | (false, ["api", "drafts", _, "apply"]) => Access::Needs(AmendOrders),
        (false, ["customers", _, "mail"]) | (false, ["queue", "assign"]) => Access::Needs(AssignWork),
        (false, ["quotes", _, "approve" | "decline"]) | (false, ["api", "quotes", _, "approve" | "decline"]) => {
            Access::Needs(ApproveQuotes)
        }
        (false, ["logout"]) | (false, ["language"]) => Access::Needs(ViewWork),
        (true, _) => Access::Needs(ViewWork),
        (false, _) => Access::Needs(ReviewDrafts),
    }
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

async fn identify(state: &AppState, headers: &HeaderMap) -> Result<Option<CurrentUser>, app::users::UserError> {
    let user = |u: store::users::User, csrf: String, session_token: Option<String>| {
        Some(CurrentUser {
            tr: crate::i18n::Tr::choose(u.language.as_deref(), headers, state.config.zone()),
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            csrf,
            session_token,
        })
    };
    if let Some(token) = bearer(headers) {
        return Ok(app::users::api_token_user(&state.store, &token)
            .await?
            .and_then(|u| user(u, String::new(), None)));
    }
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        return Ok(app::users::session(&state.store, &token)
            .await?
            .and_then(|(u, csrf)| user(u, csrf, Some(token))));
    }
    Ok(None)
}

pub fn json_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "error": message }).to_string(),
    )
        .into_response()
}

fn page_error(status: StatusCode, title: &str, message: &str) -> Response {
    let page = crate::pages::ErrorPage {
        tr: crate::i18n::Tr::default(),
        nav: "",
        user: None,
        title: title.to_owned(),
        message: message.to_owned(),
    };
    crate::pages::render_status(status, page)
}

fn refuse(path: &str, status: StatusCode, message: &str) -> Response {
    if is_api(path) {
        json_error(status, message)
    } else {
        let title = match status {
            StatusCode::UNAUTHORIZED => "Please log in",
            StatusCode::FORBIDDEN => "Not allowed",
            _ => "Request refused",
        };
        page_error(status, title, message)
    }
}

/// The middleware in front of every route.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let Access::Needs(permission) = access(&method, &path) else {
        return next.run(request).await;
    };
    let user = match identify(&state, request.headers()).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            if !is_api(&path) && (method == Method::GET || method == Method::HEAD) {
                let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
                let next_param: String = serde_urlencoded::to_string([("next", target)]).unwrap_or_default();
                return Redirect::to(&format!("/login?{next_param}")).into_response();
            }
            return refuse(
                &path,
                StatusCode::UNAUTHORIZED,
                "log in, or send an API token as 'Authorization: Bearer …'",
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "checking the session failed");
            return refuse(
                &path,
                StatusCode::INTERNAL_SERVER_ERROR,
                "checking the login failed; the error was logged",
            );
        }
    };
    if !user.can(permission) {
        tracing::warn!(user = user.username, role = %user.role, %method, path, "refused: missing permission");
        let allowed = |tr: &crate::i18n::Tr| {
            domain::access::Role::ALL
                .iter()
                .filter(|r| r.allows(permission))
                .map(|r| tr.t(r.label()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let said = |tr: &crate::i18n::Tr| {
            tr.fill(
                "Your role ({}) may not do this; it is for: {}",
                &[&tr.t(user.role.label()), &allowed(tr)],
            )
        };
        if is_api(&path) {
            return json_error(StatusCode::FORBIDDEN, &said(&crate::i18n::Tr::default()));
        }
        let message = said(&user.tr);
        // A logged-in user keeps the navigation and is shown where to go on.
        let page = crate::pages::ErrorPage {
            tr: user.tr.clone(),
            nav: "",
            user: Some((&user).into()),
            title: user.tr.t("Not allowed").into(),
            message,
        };
        return crate::pages::render_status(StatusCode::FORBIDDEN, page);
    }
    let mut request = request;
    if user.session_token.is_some() && method != Method::GET && method != Method::HEAD {
        match check_csrf(request, &user.csrf).await {
            Ok(r) => request = r,
            Err(response) => return response,
        }
    }
    request.extensions_mut().insert(user.clone());
    let response = next.run(request).await;
    match response.extensions().get::<crate::error::Failure>() {
        Some(failure) if !is_api(&path) => failure_page(&user, failure, response.status()),
        _ => response,
    }
}

/// A failed page drawn again around the user: in their language, with the navigation.
fn failure_page(user: &CurrentUser, failure: &crate::error::Failure, status: StatusCode) -> Response {
    use crate::error::Failure as F;
    let tr = &user.tr;
    let (title, message) = match failure {
        F::NotFound(what) => (tr.t("Not found"), tr.f("{} was not found.", tr.missing(what))),
        F::Busy => (
            tr.t("Busy"),
            tr.t("The database is busy. Please try again in a moment.").to_owned(),
        ),
        F::Failed => (tr.t("Something went wrong"), tr.t("The error was logged.").to_owned()),
    };
    let page = crate::pages::ErrorPage {
        tr: tr.clone(),
        nav: "",
        user: Some(user.into()),
        title: title.to_owned(),
        message,
    };
    let mut response = crate::pages::render_status(status, page);
    if matches!(failure, F::Busy) {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, axum::http::HeaderValue::from_static("2"));
    }
    response
}

/// Passes the request on when it carries the session's CSRF token in the
/// `X-CSRF-Token` header, a `csrf` query parameter or a `csrf` form field.
async fn check_csrf(request: Request, expected: &str) -> Result<Request, Response> {
    let path = request.uri().path().to_owned();
    let matches = |given: &str| !expected.is_empty() && constant_time_eq(given.as_bytes(), expected.as_bytes());
    let refused = || {
        tracing::warn!(path, "refused: missing or wrong CSRF token");
        refuse(
            &path,
            StatusCode::FORBIDDEN,
            "the form was stale or came from another site (CSRF token missing or wrong); reload the page and try again",
        )
    };
    if let Some(given) = request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if matches(given) { Ok(request) } else { Err(refused()) };
    }
    let query_token = request.uri().query().and_then(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v)
    });
    if let Some(given) = query_token {
        return if matches(&given) { Ok(request) } else { Err(refused()) };
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(refused());
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return Err(refuse(&path, StatusCode::PAYLOAD_TOO_LARGE, "the form is too large"));
    };
    let given = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|fields| fields.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
    match given {
        Some(given) if matches(&given) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(refused()),
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Failed logins, kept to slow down guessing without letting anyone lock out
/// the real user: a lock per user name *and* address (an attacker elsewhere
/// does not lock Anna out), a looser one per address, and a global rate.
/// Keys are hashes (a 50 MB user name costs 64 bytes) and their number is bounded.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Failures>>,
    global: Mutex<Option<(Instant, u32)>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

/// One thing failed logins are counted against, with the failures it is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleKey {
    key: String,
    free: u32,
}

impl ThrottleKey {
    /// The keys of a login attempt: this name from this address, and this address.
    pub fn for_login(name: &str, ip: Option<std::net::IpAddr>) -> Vec<ThrottleKey> {
        let address = ip.map_or_else(|| "-".to_owned(), |ip| ip.to_string());
        let mut keys = vec![ThrottleKey {
            key: app::users::token_hash(&format!("pair\u{0}{name}\u{0}{address}")),
            free: FREE_ATTEMPTS,
        }];
        if ip.is_some() {
            keys.push(ThrottleKey {
                key: app::users::token_hash(&format!("address\u{0}{address}")),
                free: FREE_ATTEMPTS_PER_ADDRESS,
            });
        }
        keys
    }
}

/// Failures allowed before the lock starts, per user name and address …
pub const FREE_ATTEMPTS: u32 = 5;
/// … per address (an office behind one address has many users) …
pub const FREE_ATTEMPTS_PER_ADDRESS: u32 = 30;
/// … and in all, per [`GLOBAL_WINDOW`].
pub const GLOBAL_FAILURES: u32 = 300;
const GLOBAL_WINDOW: Duration = Duration::from_secs(60);
const WINDOW: Duration = Duration::from_secs(15 * 60);
const MAX_LOCK: Duration = Duration::from_secs(15 * 60);
/// Keys remembered at most; the oldest go first.
pub const MAX_KEYS: usize = 10_000;

impl LoginThrottle {
    /// How long the keys are still locked, if any is (or all logins are, under a flood).
    pub fn locked_for(&self, keys: &[ThrottleKey], now: Instant) -> Option<Duration> {
        if let Some((start, count)) = *self.global.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
            && count >= GLOBAL_FAILURES
            && now.duration_since(start) < GLOBAL_WINDOW
        {
            return Some(GLOBAL_WINDOW - now.duration_since(start));
        }
        let map = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        keys.iter()
            .filter_map(|k| map.get(&k.key)?.locked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max()
    }

    pub fn failed(&self, keys: &[ThrottleKey], now: Instant) {
        {
            let mut global = self.global.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match global.as_mut() {
                Some((start, count)) if now.duration_since(*start) < GLOBAL_WINDOW => *count += 1,
                _ => *global = Some((now, 1)),
            }
        }
        let mut map = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for key in keys {
            if !map.contains_key(&key.key) && map.len() >= MAX_KEYS {
                map.retain(|_, f| now.duration_since(f.last) < WINDOW);
                if map.len() >= MAX_KEYS
                    && let Some(oldest) = map.iter().min_by_key(|(_, f)| f.last).map(|(k, _)| k.clone())
                {
                    map.remove(&oldest);
                }
            }
            let entry = map.entry(key.key.clone()).or_insert(Failures {
                count: 0,
                last: now,
                locked_until: None,
            });
            if now.duration_since(entry.last) > WINDOW {
                entry.count = 0;
            }
            entry.count += 1;
            entry.last = now;
            if entry.count >= key.free {
                // 30 s at the limit, doubling with each further failure.
                let exponent = (entry.count - key.free).min(10);
                let lock = Duration::from_secs(30 * 2u64.pow(exponent)).min(MAX_LOCK);
                entry.locked_until = Some(now + lock);
            }
        }
    }

    /// A successful login clears its name-and-address key (the address keeps its count).
    pub fn succeeded(&self, keys: &[ThrottleKey]) {
        let mut map = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(pair) = keys.first() {
            map.remove(&pair.key);
        }
    }

    /// How many keys are remembered.
    pub fn len(&self) -> usize {
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        app::users::SESSION_HOURS * 3600
    )
}

pub fn clear_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_keeps_admin_routes_for_admins() {
        assert_eq!(access(&Method::GET, "/healthz"), Access::Public);
        assert_eq!(access(&Method::POST, "/login"), Access::Public);
        assert_eq!(
            access(&Method::GET, "/settings"),
            Access::Needs(Permission::ManageSettings)
        );
        assert_eq!(
            access(&Method::POST, "/api/users"),
            Access::Needs(Permission::ManageUsers)
        );
        assert_eq!(
            access(&Method::GET, "/api/messages"),
            Access::Needs(Permission::ViewWork)
        );
        assert_eq!(
            access(&Method::POST, "/api/messages"),
            Access::Needs(Permission::UploadMessages)
        );
        assert_eq!(
            access(&Method::POST, "/drafts/3/confirm"),
            Access::Needs(Permission::ReviewDrafts)
        );
        assert_eq!(
            access(&Method::POST, "/quotes/3/approve"),
            Access::Needs(Permission::ApproveQuotes)
        );
        assert_eq!(
            access(&Method::POST, "/quotes/3/send"),
            Access::Needs(Permission::ReviewDrafts)
        );
        assert_eq!(
            access(&Method::DELETE, "/anything"),
            Access::Needs(Permission::ReviewDrafts)
        );
    }

    #[test]
    fn throttle_locks_after_five_failures_and_doubles() {
        let t = LoginThrottle::default();
        let anna_here = ThrottleKey::for_login("anna", Some("192.0.2.1".parse().unwrap()));
        let anna_there = ThrottleKey::for_login("anna", Some("192.0.2.2".parse().unwrap()));
        let now = Instant::now();
        for _ in 0..4 {
            t.failed(&anna_here, now);
        }
        assert_eq!(t.locked_for(&anna_here, now), None);
        t.failed(&anna_here, now);
        assert_eq!(t.locked_for(&anna_here, now), Some(Duration::from_secs(30)));
        t.failed(&anna_here, now);
        assert_eq!(t.locked_for(&anna_here, now), Some(Duration::from_secs(60)));
        // Guessing from one address does not lock Anna out at her own.
        assert_eq!(t.locked_for(&anna_there, now), None);
        assert_eq!(t.locked_for(&anna_here, now + Duration::from_secs(61)), None);
        t.succeeded(&anna_here);
        assert_eq!(t.locked_for(&anna_here, now), None);
    }

    #[test]
    fn throttle_keys_are_bounded_and_hashed() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        let long_name = "x".repeat(1 << 20);
        for i in 0..(MAX_KEYS + 50) {
            let ip = std::net::IpAddr::from([10, (i >> 16) as u8, (i >> 8) as u8, i as u8]);
            t.failed(&ThrottleKey::for_login(&long_name, Some(ip)), now);
        }
        assert!(t.len() <= MAX_KEYS, "{} keys", t.len());
        let keys = ThrottleKey::for_login(&long_name, None);
        assert_eq!(keys[0].key.len(), 64);
    }

    #[test]
    fn a_flood_of_failures_slows_every_login() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..GLOBAL_FAILURES {
            let ip = std::net::IpAddr::from([10, 0, (i >> 8) as u8, i as u8]);
            t.failed(&ThrottleKey::for_login(&format!("u{i}"), Some(ip)), now);
        }
        let fresh = ThrottleKey::for_login("anna", Some("192.0.2.1".parse().unwrap()));
        assert!(t.locked_for(&fresh, now).is_some());
        assert_eq!(t.locked_for(&fresh, now + GLOBAL_WINDOW), None);
    }

    #[test]
    fn cookies_and_bearer_tokens_are_read() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; od_session=abc; b=2".parse().unwrap());
        h.insert(header::AUTHORIZATION, "Bearer od_123".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(bearer(&h).as_deref(), Some("od_123"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
    }
}

//! The web server driven through its router, against real stores.

mod access;
mod erp;
mod letter;
mod mail;
mod orders;
mod pages;
mod quotes;
mod review;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::event::Actor;
use http_body_util::BodyExt;
use masterdata::Entity;
use store::Store;
use tower::ServiceExt;

/// An anonymous GET.
pub async fn get(state: &web::AppState, uri: &str) -> (StatusCode, String, String) {
    send(state, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub async fn send(state: &web::AppState, request: Request<Body>) -> (StatusCode, String, String) {
    let response = web::router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned());
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let body = String::from_utf8(body.to_vec()).unwrap();
    // A redirect's target is what a test wants to see of it.
    (status, location.map_or(content_type, |l| format!("location:{l}")), body)
}

/// A logged-in browser: session cookie and CSRF token.
pub struct Client {
    pub state: web::AppState,
    pub cookie: String,
    pub csrf: String,
    pub username: String,
}

impl Client {
    /// Creates a user with `role` and logs them in.
    pub async fn new(state: &web::AppState, username: &str, role: &str) -> Client {
        let actor = Actor::System("test".into());
        app::users::add_user(&state.store, username, "", role, "correct horse battery", &actor)
            .await
            .unwrap();
        let session = app::users::login(&state.store, username, "correct horse battery")
            .await
            .unwrap()
            .unwrap();
        Client {
            state: state.clone(),
            cookie: format!("{}={}", web::auth::SESSION_COOKIE, session.token),
            csrf: session.csrf_token,
            username: username.to_owned(),
        }
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, String, String) {
        let request = Request::get(uri)
            .header(header::COOKIE, &self.cookie)
            .body(Body::empty())
            .unwrap();
        send(&self.state, request).await
    }

    /// A form post with the session's CSRF token added.
    pub async fn post_form(&self, uri: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw_form(uri, &all).await
    }

    /// A form post exactly as given (no CSRF token added).
    pub async fn post_raw_form(&self, uri: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let request = Request::post(uri)
            .header(header::COOKIE, &self.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        send(&self.state, request).await
    }

    pub async fn post_json(&self, uri: &str, json: serde_json::Value) -> (StatusCode, String, String) {
        let request = Request::post(uri)
            .header(header::COOKIE, &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json.to_string()))
            .unwrap();
        send(&self.state, request).await
    }
}

pub async fn with_customers(store: &Store, csv: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.csv");
    std::fs::write(&path, csv).unwrap();
    app::import::import_file(
        store,
        Entity::Customers,
        &path,
        &app::Config::default().import,
        None,
        Actor::User("t".into()),
    )
    .await
    .unwrap();
}

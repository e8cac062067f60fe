//! The HTTP server: the clerk's web UI, the JSON API, health and metrics.
//!
//! [`router`] builds the whole app for an [`AppState`] and can be driven with
//! `tower::ServiceExt::oneshot` in tests; [`serve`] runs it on a listener
//! until Ctrl-C or SIGTERM. Every request passes [`auth::guard`] first, which
//! applies the one access table ([`auth::access`]).

pub mod api;
pub mod auth;
mod chart;
mod dashboard;
mod error;
pub mod i18n;
mod letter;
mod login;
mod metrics;
mod pages;
mod quote_api;
mod quote_settings;
mod settings;
mod workspace;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use store::Store;

pub use error::WebError;

/// Keeps the dashboard's closed days fresh for as long as `serve` runs: read
/// at start, then every four minutes.
pub async fn refresh_dashboard(state: AppState) {
    loop {
        if let Err(e) = dashboard::refresh(&state).await {
            tracing::error!(error = %e, "reading the dashboard's days failed");
        }
        tokio::time::sleep(std::time::Duration::from_secs(240)).await;
    }
}

/// Reads the dashboard's closed days once (what [`refresh_dashboard`] repeats).
pub async fn refresh_dashboard_once(state: &AppState) -> Result<(), WebError> {
    dashboard::refresh(state).await
}

/// The home page (the dashboard) as `user` gets it, without HTTP: for
/// measuring its server time (`orderdesk bench dashboard`).
pub async fn dashboard_page(
    state: &AppState,
    user: &auth::CurrentUser,
    from: &str,
    to: &str,
) -> Result<String, WebError> {
    dashboard::page(state, user, from, to).await
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    metrics: Arc<metrics::Metrics>,
    /// The worker's catalog, so what reviewers teach applies to the next draft at once.
    pub catalog: app::draft::CatalogCache,
    pub throttle: Arc<auth::LoginThrottle>,
    pub config: Arc<app::config::Config>,
    /// The worker of this process, when it runs one (reported by `/healthz`).
    pub worker: Option<app::intake::WorkerHealth>,
    /// The dashboard's facts of closed days.
    kpi_days: Arc<dashboard::KpiDays>,
    /// Where PDF pages are drawn for the review screen.
    pub pages: app::pages::PageRenderer,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            metrics: Arc::new(metrics::Metrics::new()),
            catalog: app::draft::CatalogCache::default(),
            throttle: Arc::new(auth::LoginThrottle::default()),
            config: Arc::new(app::config::Config::default()),
            worker: None,
            kpi_days: Arc::default(),
            pages: app::pages::PageRenderer::default(),
        }
    }

    pub fn with_page_renderer(mut self, pages: app::pages::PageRenderer) -> Self {
        self.pages = pages;
        self
    }

    pub fn with_config(mut self, config: app::config::Config) -> Self {
        self.config = Arc::new(config);
        self
    }

    pub fn with_catalog(mut self, catalog: app::draft::CatalogCache) -> Self {
        self.catalog = catalog;
        self
    }

    pub fn with_worker(mut self, worker: app::intake::WorkerHealth) -> Self {
        self.worker = Some(worker);
        self
    }
}

/// Largest upload accepted through the browser or the API.
const MAX_UPLOAD_BYTES: usize = 100 * 1024 * 1024;

/// All routes of the server.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(dashboard::home))
        .route("/kpis.csv", get(dashboard::csv))
        .route("/healthz", get(pages::healthz))
        .route("/metrics", get(metrics::metrics))
        .route(
            "/login",
            get(login::login_page)
                .post(login::login_submit)
                .layer(DefaultBodyLimit::max(login::MAX_LOGIN_BODY)),
        )
        .route("/logout", post(login::logout))
        .route("/language", post(login::set_language))
        .route("/inbox", get(workspace::inbox))
        .route("/messages/upload", post(workspace::upload))
        .route("/messages/{id}", get(workspace::message))
        .route("/messages/{id}/raw", get(workspace::raw))
        .route("/messages/{id}/page", get(workspace::page_image))
        .route("/messages/{id}/html", get(workspace::mail_html))
        .route("/messages/{id}/kind", post(workspace::set_kind))
        .route("/queue", get(workspace::queue))
        .route("/queue/assign", post(workspace::bulk_assign))
        .route("/drafts/{id}", get(workspace::draft))
        .route("/drafts/{id}/correct", post(workspace::correct))
        .route("/drafts/{id}/undo", post(workspace::undo))
        .route("/drafts/{id}/apply", post(workspace::apply_to_order))
        .route("/orders/{id}/cancel", post(workspace::cancel))
        .route("/drafts/{id}/reply", post(workspace::reply))
        .route("/drafts/{id}/quote", post(workspace::make_quote))
        .route("/drafts/{id}/{action}", post(workspace::draft_action))
        .route("/orders", get(workspace::orders))
        .route("/orders/{id}", get(workspace::order))
        .route("/orders/{id}/amend", post(workspace::amend))
        .route("/mails/{id}/attachment", get(workspace::mail_attachment))
        .route("/quotes", get(workspace::quotes))
        .route("/quotes/{id}", get(workspace::quote))
        .route("/quotes/{id}/pdf", get(workspace::quote_pdf))
        .route("/quotes/{id}/lines", post(workspace::quote_edit))
        .route("/quotes/{id}/copy", post(workspace::quote_copy))
        .route("/quotes/{id}/{action}", post(workspace::quote_action))
        .route("/customers", get(pages::customers))
        .route("/customers/{customer_no}", get(pages::customer))
        .route("/customers/{customer_no}/mail", post(pages::customer_mail))
        .route("/products", get(pages::products))
        .route("/products/{sku}", get(pages::product))
        .route("/settings", get(settings::settings))
        .route("/settings/users", post(settings::add_user))
        .route("/settings/users/{username}", post(settings::update_user))
        .route("/settings/tokens", post(settings::add_token))
        .route("/settings/tokens/revoke", post(settings::revoke_token))
        .route("/settings/drafting", post(settings::save_drafting))
        .route("/settings/mailboxes", post(settings::save_mailbox))
        .route("/settings/mailboxes/{name}/remove", post(settings::remove_mailbox))
        .route("/settings/erp/pushes/{id}/retry", post(settings::retry_erp_push))
        .route("/settings/erp", post(settings::save_erp))
        .route("/settings/mail", post(settings::save_mail))
        .route("/settings/mail/test", post(settings::test_mail))
        .route("/settings/letter", post(letter::save))
        .route("/settings/quotes", post(quote_settings::save))
        .route("/settings/letter/logo", post(letter::logo))
        .route("/settings/letter/sample.pdf", get(letter::preview))
        .route("/settings/erp/test", post(settings::test_erp))
        .route("/settings/erp/pull", post(settings::pull_erp))
        .route("/assets/style.css", get(pages::stylesheet))
        .route("/assets/app.js", get(pages::script))
        .merge(api::routes())
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::guard))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count_requests,
        ))
        .layer(axum::middleware::from_fn(pages::security_headers))
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM, then finishes open requests.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

//! The HTTP server: health, metrics, and the web UI.
//!
//! [`router`] builds the whole app for a [`Store`] and can be driven with
//! `tower::ServiceExt::oneshot` in tests; [`serve`] runs it on a listener
//! until Ctrl-C or SIGTERM.

mod error;
mod metrics;
mod pages;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use store::Store;

pub use error::WebError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    metrics: Arc<metrics::Metrics>,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            metrics: Arc::new(metrics::Metrics::new()),
        }
    }
}

/// All routes of the server.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/healthz", get(pages::healthz))
        .route("/metrics", get(metrics::metrics))
        .route("/customers", get(pages::customers))
        .route("/customers/{customer_no}", get(pages::customer))
        .route("/products", get(pages::products))
        .route("/products/{sku}", get(pages::product))
        .route("/assets/style.css", get(pages::stylesheet))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count_requests,
        ))
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM, then finishes open requests.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state))
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

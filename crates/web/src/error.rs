//! The one error type of the web layer: logs internals, shows the user a plain message.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("{0} not found")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("page rendering failed: {0}")]
    Render(#[from] askama::Error),
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::NotFound(what) => (
                StatusCode::NOT_FOUND,
                Html(format!("<h1>Not found</h1><p>{} was not found.</p>", escape(&what))),
            )
                .into_response(),
            WebError::Store(e) if e.is_busy() => {
                tracing::warn!(error = %e, "database busy");
                busy_response(Html(
                    "<h1>Busy</h1><p>The database is busy. Please try again in a moment.</p>".to_owned(),
                ))
            }
            other => {
                tracing::error!(error = %other, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Html("<h1>Something went wrong</h1><p>The error was logged.</p>".to_owned()),
                )
                    .into_response()
            }
        }
    }
}

/// 503 with `Retry-After`: the request may be repeated as it is.
pub fn busy_response(body: impl IntoResponse) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(axum::http::header::RETRY_AFTER, "2")],
        body,
    )
        .into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

//! The one error type of the web layer: logs internals, shows the user a plain message.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("{0} not found")]
    NotFound(Missing),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("page rendering failed: {0}")]
    Render(#[from] askama::Error),
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
}

/// What a page or file asked for that is not there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Missing {
    #[error("Message {0}")]
    Message(i64),
    #[error("Draft {0}")]
    Draft(i64),
    #[error("Order {0}")]
    Order(i64),
    #[error("Quote {0}")]
    Quote(i64),
    #[error("Mail {0}")]
    Mail(i64),
    #[error("A file of mail {0}")]
    MailFile(i64),
    #[error("Customer {0}")]
    Customer(String),
    #[error("Product {0}")]
    Product(String),
    #[error("Part '{part}' of message {message}")]
    Part { message: i64, part: String },
    #[error("A KPI table '{0}' (kpis, trend, by-customer, by-channel, by-format, by-clerk, by-kind)")]
    KpiTable(String),
    #[error("This page")]
    Page,
}

/// How a request failed, kept on its response so that the page around it
/// can be drawn in the user's language once the user is known
/// ([`crate::auth::guard`]).
#[derive(Debug, Clone)]
pub enum Failure {
    NotFound(Missing),
    Busy,
    Failed,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (mut response, failure) = match self {
            WebError::NotFound(what) => (
                (
                    StatusCode::NOT_FOUND,
                    Html(format!(
                        "<h1>Not found</h1><p>{} was not found.</p>",
                        escape(&what.to_string())
                    )),
                )
                    .into_response(),
                Failure::NotFound(what),
            ),
            WebError::Store(e) if e.is_busy() => {
                tracing::warn!(error = %e, "database busy");
                (
                    busy_response(Html(
                        "<h1>Busy</h1><p>The database is busy. Please try again in a moment.</p>".to_owned(),
                    )),
                    Failure::Busy,
                )
            }
            other => {
                tracing::error!(error = %other, "request failed");
                (
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        Html("<h1>Something went wrong</h1><p>The error was logged.</p>".to_owned()),
                    )
                        .into_response(),
                    Failure::Failed,
                )
            }
        };
        response.extensions_mut().insert(failure);
        response
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

//! `/metrics` in the Prometheus text format, and the middleware that counts requests.

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use store::master::MasterTable;

use crate::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TableLabels {
    table: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PipelineLabels {
    what: String,
    status: String,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Histogram,
    master_rows: Family<TableLabels, Gauge>,
    pipeline: Family<PipelineLabels, Gauge>,
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("orderdesk");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests by route and status", requests.clone());
        let latency = Histogram::new([0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5]);
        registry.register(
            "http_request_duration_seconds",
            "Server time per HTTP request",
            latency.clone(),
        );
        let master_rows = Family::<TableLabels, Gauge>::default();
        registry.register(
            "master_data_rows",
            "Stored master data rows by table",
            master_rows.clone(),
        );
        app::metrics::register(&mut registry);
        let pipeline = Family::<PipelineLabels, Gauge>::default();
        registry.register(
            "pipeline",
            "Messages, drafts, orders (and those straight through), ERP pushes, mails, and confirmations, order responses, answers and acknowledgements, by status",
            pipeline.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            master_rows,
            pipeline,
        }
    }
}

pub async fn count_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().to_string();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    state.metrics.latency.observe(started.elapsed().as_secs_f64());
    state
        .metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    for table in MasterTable::ALL {
        if let Ok(n) = state.store.count(table).await {
            state
                .metrics
                .master_rows
                .get_or_create(&TableLabels {
                    table: table.table_name().to_owned(),
                })
                .set(n);
        }
    }
    match state.store.pipeline_counts().await {
        Ok(counts) => {
            for (what, status, n) in counts {
                state
                    .metrics
                    .pipeline
                    .get_or_create(&PipelineLabels {
                        what: what.to_owned(),
                        status,
                    })
                    .set(n);
            }
        }
        Err(e) => tracing::error!(error = %e, "counting the pipeline failed"),
    }
    let mut body = String::new();
    if let Err(e) = prometheus_client::encoding::text::encode(&mut body, &state.metrics.registry) {
        tracing::error!(error = %e, "encoding metrics failed");
    }
    (
        [(
            CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

//! How long the pipeline's steps take, as Prometheus histograms kept in the
//! process that does the work (`serve` runs worker and outbox beside the web
//! server, whose `/metrics` registers them): received → drafted,
//! received → confirmed, received → first mail out, and each SMTP send.

use std::sync::OnceLock;

use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The pipeline's latency histograms.
#[derive(Clone)]
pub struct Latencies {
    /// Received → drafted (read, extracted, matched, checked, stored).
    pub drafting: Histogram,
    /// Received → confirmed, straight through or by a clerk.
    pub confirmation: Histogram,
    /// Received → first mail to the customer sent.
    pub first_answer: Histogram,
    /// One SMTP conversation (or folder write) per mail.
    pub sending: Histogram,
}

/// Seconds from 50 ms to four days.
fn buckets() -> impl Iterator<Item = f64> {
    [
        0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 14_400.0, 86_400.0, 345_600.0,
    ]
    .into_iter()
}

/// The process's histograms.
pub fn latencies() -> &'static Latencies {
    static LATENCIES: OnceLock<Latencies> = OnceLock::new();
    LATENCIES.get_or_init(|| Latencies {
        drafting: Histogram::new(buckets()),
        confirmation: Histogram::new(buckets()),
        first_answer: Histogram::new(buckets()),
        sending: Histogram::new([0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0]),
    })
}

/// Seconds since `then` (never negative).
pub fn seconds_since(then: jiff::Timestamp) -> f64 {
    jiff::Timestamp::now().duration_since(then).as_secs_f64().max(0.0)
}

/// Adds the histograms to a registry (`orderdesk_…` under the web server's prefix).
pub fn register(registry: &mut Registry) {
    let l = latencies();
    registry.register(
        "drafting_seconds",
        "Time from receiving a message to its stored draft",
        l.drafting.clone(),
    );
    registry.register(
        "confirmation_seconds",
        "Time from receiving an order to its confirmation (straight through or by a clerk)",
        l.confirmation.clone(),
    );
    registry.register(
        "first_answer_seconds",
        "Time from receiving a message to the first mail sent to the customer about it",
        l.first_answer.clone(),
    );
    registry.register("mail_send_seconds", "Time to send one mail", l.sending.clone());
}

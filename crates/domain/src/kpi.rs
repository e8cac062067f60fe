//! The back office's KPIs (data contract §3), computed from facts read out
//! of the event log: pure functions, no clock, no IO.
//!
//! - **Order processing time**: confirmed − received, per order (median, p90).
//! - **Straight-through rate**: orders confirmed with no person ÷ orders confirmed.
//! - **Order entry error rate**: confirmed orders later amended as our entry
//!   error ÷ confirmed orders; beside it, the share of drafts a reviewer changed.
//! - **Response time**: first outgoing mail on a message (its acknowledgement
//!   or answer) − its receipt (median, p90).
//! - **Quote turnaround** and **first-contact resolution** need quotes and
//!   answered threads; until those exist they are reported as not measured.

use jiff::{SignedDuration, Timestamp};

/// One confirmed order as the KPIs see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFact {
    pub received_at: Timestamp,
    pub confirmed_at: Timestamp,
    /// Confirmed by the system, no person touched it.
    pub straight_through: bool,
    /// Amended afterwards because we entered it wrong.
    pub entry_error: bool,
}

/// One inbound message that deserves an answer, and when the first went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseFact {
    pub received_at: Timestamp,
    pub first_answer_at: Option<Timestamp>,
}

/// A duration's median and 90th percentile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spread {
    pub count: usize,
    pub median: SignedDuration,
    pub p90: SignedDuration,
}

/// A share with what it was counted from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub part: usize,
    pub whole: usize,
}

impl Rate {
    /// The share in percent; `None` when nothing was counted.
    pub fn percent(&self) -> Option<f64> {
        (self.whole > 0).then(|| self.part as f64 * 100.0 / self.whole as f64)
    }
}

/// The nearest-rank percentile (`p` in 0..=100) of sorted durations.
fn percentile(sorted: &[SignedDuration], p: usize) -> SignedDuration {
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

fn spread(mut durations: Vec<SignedDuration>) -> Option<Spread> {
    if durations.is_empty() {
        return None;
    }
    durations.sort();
    Some(Spread {
        count: durations.len(),
        median: percentile(&durations, 50),
        p90: percentile(&durations, 90),
    })
}

/// Order processing time over the orders confirmed in a period.
pub fn processing_time(orders: &[OrderFact]) -> Option<Spread> {
    spread(
        orders
            .iter()
            .map(|o| o.confirmed_at.duration_since(o.received_at))
            .collect(),
    )
}

pub fn straight_through_rate(orders: &[OrderFact]) -> Rate {
    Rate {
        part: orders.iter().filter(|o| o.straight_through).count(),
        whole: orders.len(),
    }
}

pub fn entry_error_rate(orders: &[OrderFact]) -> Rate {
    Rate {
        part: orders.iter().filter(|o| o.entry_error).count(),
        whole: orders.len(),
    }
}

/// Response time over the messages answered; the unanswered are counted apart.
pub fn response_time(messages: &[ResponseFact]) -> (Option<Spread>, usize) {
    let answered = messages
        .iter()
        .filter_map(|m| Some(m.first_answer_at?.duration_since(m.received_at)))
        .collect();
    let unanswered = messages.iter().filter(|m| m.first_answer_at.is_none()).count();
    (spread(answered), unanswered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + minutes * 60).unwrap()
    }

    fn order(received: i64, confirmed: i64, stp: bool, error: bool) -> OrderFact {
        OrderFact {
            received_at: at(received),
            confirmed_at: at(confirmed),
            straight_through: stp,
            entry_error: error,
        }
    }

    #[test]
    fn processing_time_median_and_p90_by_nearest_rank() {
        // 10 orders taking 1..=10 minutes.
        let orders: Vec<OrderFact> = (1..=10).map(|m| order(0, m, false, false)).collect();
        let s = processing_time(&orders).unwrap();
        assert_eq!(s.count, 10);
        assert_eq!(s.median, SignedDuration::from_mins(5));
        assert_eq!(s.p90, SignedDuration::from_mins(9));
        assert_eq!(processing_time(&[]), None);
        let one = processing_time(&[order(0, 42, true, false)]).unwrap();
        assert_eq!(
            (one.median, one.p90),
            (SignedDuration::from_mins(42), SignedDuration::from_mins(42))
        );
    }

    #[test]
    fn rates_count_their_part_of_the_whole() {
        let orders = [
            order(0, 1, true, false),
            order(0, 30, false, true),
            order(0, 2, true, false),
            order(0, 90, false, false),
        ];
        let stp = straight_through_rate(&orders);
        assert_eq!((stp.part, stp.whole), (2, 4));
        assert_eq!(stp.percent(), Some(50.0));
        assert_eq!(entry_error_rate(&orders).percent(), Some(25.0));
        assert_eq!(straight_through_rate(&[]).percent(), None);
    }

    #[test]
    fn response_time_leaves_the_unanswered_apart() {
        let messages = [
            ResponseFact {
                received_at: at(0),
                first_answer_at: Some(at(2)),
            },
            ResponseFact {
                received_at: at(10),
                first_answer_at: None,
            },
            ResponseFact {
                received_at: at(20),
                first_answer_at: Some(at(24)),
            },
        ];
        let (s, unanswered) = response_time(&messages);
        assert_eq!(unanswered, 1);
        let s = s.unwrap();
        assert_eq!(
            (s.count, s.median, s.p90),
            (2, SignedDuration::from_mins(2), SignedDuration::from_mins(4))
        );
    }
}

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
    /// Who ordered (`None`: confirmed without a known customer).
    pub customer_no: Option<String>,
    /// Where the order came in (`imap:orders`, `upload:anna`, `folder` …).
    pub channel: String,
    /// The clerk who confirmed it; `None` when it went straight through.
    pub clerk: Option<String>,
    /// The format of the order's document (`pdf`, `x12`, `email_text` …).
    pub format: String,
}

/// One customer thread: when it began, when we answered, when the customer wrote again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadFact {
    pub started_at: Timestamp,
    /// Our mails sent on the thread (acknowledgements, confirmations, answers).
    pub answers: Vec<Timestamp>,
    /// The customer's later messages on the thread.
    pub later_inbound: Vec<Timestamp>,
}

/// Days of quiet after the answer that close a thread.
pub const RESOLUTION_DAYS: i64 = 7;

/// First-contact resolution at `now`: threads closed with one answer and no
/// further inbound message within [`RESOLUTION_DAYS`] after it ÷ threads
/// decided. A thread whose answer is younger than that, with no message
/// since, is not decided yet and counted apart (the second value).
pub fn first_contact_resolution<'a>(
    threads: impl IntoIterator<Item = &'a ThreadFact>,
    now: Timestamp,
) -> (Rate, usize) {
    let window = SignedDuration::from_hours(24 * RESOLUTION_DAYS);
    let (mut resolved, mut decided, mut open) = (0, 0, 0);
    for t in threads {
        let Some(first) = t.answers.iter().min() else {
            // Not answered at all: not resolved at first contact.
            decided += 1;
            continue;
        };
        let came_back = t
            .later_inbound
            .iter()
            .any(|m| *m > *first && m.duration_since(*first) <= window);
        if t.answers.len() > 1 || came_back {
            decided += 1;
        } else if now.duration_since(*first) >= window {
            decided += 1;
            resolved += 1;
        } else {
            open += 1;
        }
    }
    (
        Rate {
            part: resolved,
            whole: decided,
        },
        open,
    )
}

/// One item waiting for a person: since when, and when it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    pub since: Timestamp,
    pub due_at: Option<Timestamp>,
}

/// How long items have waited, in bands.
pub const AGE_BANDS: [(&str, i64); 4] = [
    ("under 1 h", 60),
    ("1–4 h", 240),
    ("4–24 h", 1440),
    ("over 24 h", i64::MAX),
];

/// Items due within this many minutes are near due.
pub const NEAR_DUE_MINUTES: i64 = 60;

/// The service-level picture of the queue now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SlaPicture {
    /// Items per age band of [`AGE_BANDS`].
    pub by_age: [usize; 4],
    /// Due within [`NEAR_DUE_MINUTES`], not yet overdue.
    pub near_due: usize,
    pub overdue: usize,
    pub waiting: usize,
}

/// The queue's ages and due dates at `now`.
pub fn sla_picture(items: &[Waiting], now: Timestamp) -> SlaPicture {
    let mut p = SlaPicture {
        waiting: items.len(),
        ..SlaPicture::default()
    };
    for item in items {
        let age = now.duration_since(item.since).as_mins();
        let band = AGE_BANDS.iter().position(|(_, upto)| age < *upto).unwrap_or(3);
        p.by_age[band] += 1;
        if let Some(due) = item.due_at {
            let left = due.duration_since(now).as_mins();
            if due <= now {
                p.overdue += 1;
            } else if left <= NEAR_DUE_MINUTES {
                p.near_due += 1;
            }
        }
    }
    p
}

/// The KPIs of one group of orders in a breakdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub key: String,
    pub orders: usize,
    pub straight_through: Rate,
    pub entry_errors: Rate,
    pub processing: Option<Spread>,
}

/// The order KPIs per group (`key` of each order), largest groups first,
/// equal sizes by key.
pub fn breakdown<'a>(
    orders: impl IntoIterator<Item = &'a OrderFact>,
    key: impl Fn(&OrderFact) -> String,
) -> Vec<Group> {
    let mut groups: std::collections::BTreeMap<String, Vec<&OrderFact>> = std::collections::BTreeMap::new();
    for o in orders {
        groups.entry(key(o)).or_default().push(o);
    }
    let mut out: Vec<Group> = groups
        .into_iter()
        .map(|(key, of)| Group {
            key,
            orders: of.len(),
            straight_through: straight_through_rate(of.iter().copied()),
            entry_errors: entry_error_rate(of.iter().copied()),
            processing: processing_time(of.iter().copied()),
        })
        .collect();
    out.sort_by(|a, b| b.orders.cmp(&a.orders).then_with(|| a.key.cmp(&b.key)));
    out
}

/// One inbound message that deserves an answer, and when the first went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseFact {
    pub received_at: Timestamp,
    pub first_answer_at: Option<Timestamp>,
    /// What the message was.
    pub kind: crate::message::MessageKind,
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
pub fn processing_time<'a>(orders: impl IntoIterator<Item = &'a OrderFact>) -> Option<Spread> {
    spread(
        orders
            .into_iter()
            .map(|o| o.confirmed_at.duration_since(o.received_at))
            .collect(),
    )
}

/// Order processing time measured by `between` (business hours, say).
pub fn processing_time_by<'a>(
    orders: impl IntoIterator<Item = &'a OrderFact>,
    between: impl Fn(Timestamp, Timestamp) -> SignedDuration,
) -> Option<Spread> {
    spread(
        orders
            .into_iter()
            .map(|o| between(o.received_at, o.confirmed_at))
            .collect(),
    )
}

/// The share of orders for which `counts` holds.
fn share<'a>(orders: impl IntoIterator<Item = &'a OrderFact>, counts: impl Fn(&OrderFact) -> bool) -> Rate {
    let mut rate = Rate { part: 0, whole: 0 };
    for o in orders {
        rate.whole += 1;
        rate.part += usize::from(counts(o));
    }
    rate
}

pub fn straight_through_rate<'a>(orders: impl IntoIterator<Item = &'a OrderFact>) -> Rate {
    share(orders, |o| o.straight_through)
}

pub fn entry_error_rate<'a>(orders: impl IntoIterator<Item = &'a OrderFact>) -> Rate {
    share(orders, |o| o.entry_error)
}

/// One quote, as quote turnaround and the quote funnel count it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteFact {
    pub rfq_received_at: Timestamp,
    /// When it first went to the customer.
    pub sent_at: Option<Timestamp>,
    pub status: crate::quote::QuoteStatus,
    pub lost_reason: Option<crate::quote::LostReason>,
}

/// Quote turnaround: sent − RFQ received, per quote sent in the period.
pub fn quote_turnaround<'a>(quotes: impl IntoIterator<Item = &'a QuoteFact>) -> Option<Spread> {
    spread(
        quotes
            .into_iter()
            .filter_map(|q| Some(q.sent_at?.duration_since(q.rfq_received_at)))
            .collect(),
    )
}

/// From RFQs to orders, over the quotes whose RFQ arrived in a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuoteFunnel {
    pub quoted: usize,
    pub sent: usize,
    pub accepted: usize,
    pub ordered: usize,
    /// Lost (rejected or expired), by reason; expired without one is `None`.
    pub lost: Vec<(Option<crate::quote::LostReason>, usize)>,
}

pub fn quote_funnel<'a>(quotes: impl IntoIterator<Item = &'a QuoteFact>) -> QuoteFunnel {
    use crate::quote::QuoteStatus as S;
    let mut f = QuoteFunnel::default();
    let mut lost: Vec<(Option<crate::quote::LostReason>, usize)> = Vec::new();
    for q in quotes {
        f.quoted += 1;
        f.sent += usize::from(q.sent_at.is_some());
        f.accepted += usize::from(matches!(q.status, S::Accepted | S::Ordered));
        f.ordered += usize::from(q.status == S::Ordered);
        if matches!(q.status, S::Rejected | S::Expired) {
            match lost.iter_mut().find(|(r, _)| *r == q.lost_reason) {
                Some((_, n)) => *n += 1,
                None => lost.push((q.lost_reason, 1)),
            }
        }
    }
    lost.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    f.lost = lost;
    f
}

/// Response time over the messages answered; the unanswered are counted apart.
pub fn response_time<'a>(messages: impl IntoIterator<Item = &'a ResponseFact>) -> (Option<Spread>, usize) {
    let mut answered = Vec::new();
    let mut unanswered = 0;
    for m in messages {
        match m.first_answer_at {
            Some(at) => answered.push(at.duration_since(m.received_at)),
            None => unanswered += 1,
        }
    }
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
            customer_no: Some(if stp { "10042" } else { "20001" }.into()),
            channel: "imap:orders".into(),
            clerk: (!stp).then(|| "anna".into()),
            format: "pdf".into(),
        }
    }

    #[test]
    fn quote_turnaround_and_funnel() {
        use crate::quote::{LostReason, QuoteStatus};
        let q = |sent: Option<i64>, status, reason| QuoteFact {
            rfq_received_at: at(0),
            sent_at: sent.map(at),
            status,
            lost_reason: reason,
        };
        let quotes = [
            q(Some(60), QuoteStatus::Ordered, None),
            q(Some(120), QuoteStatus::Sent, None),
            q(Some(600), QuoteStatus::Rejected, Some(LostReason::Price)),
            q(Some(30), QuoteStatus::Expired, None),
            q(None, QuoteStatus::Draft, None),
        ];
        let t = quote_turnaround(&quotes).unwrap();
        assert_eq!(
            (t.count, t.median, t.p90),
            (4, SignedDuration::from_mins(60), SignedDuration::from_mins(600))
        );
        let f = quote_funnel(&quotes);
        assert_eq!((f.quoted, f.sent, f.accepted, f.ordered), (5, 4, 1, 1));
        assert_eq!(f.lost.len(), 2);
        assert!(f.lost.contains(&(Some(LostReason::Price), 1)) && f.lost.contains(&(None, 1)));
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
                kind: crate::message::MessageKind::Order,
            },
            ResponseFact {
                received_at: at(10),
                first_answer_at: None,
                kind: crate::message::MessageKind::Order,
            },
            ResponseFact {
                received_at: at(20),
                first_answer_at: Some(at(24)),
                kind: crate::message::MessageKind::Order,
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

    #[test]
    fn a_breakdown_groups_orders_largest_first() {
        let orders = vec![
            order(0, 10, true, false),
            order(0, 30, false, true),
            order(0, 50, false, false),
            order(0, 2, true, false),
            order(0, 4, true, false),
        ];
        let by_customer = breakdown(&orders, |o| o.customer_no.clone().unwrap_or_default());
        assert_eq!(by_customer.len(), 2);
        assert_eq!((by_customer[0].key.as_str(), by_customer[0].orders), ("10042", 3));
        assert_eq!(by_customer[0].straight_through.percent(), Some(100.0));
        assert_eq!(by_customer[0].processing.unwrap().median, SignedDuration::from_mins(4));
        assert_eq!(
            (by_customer[1].key.as_str(), by_customer[1].entry_errors.part),
            ("20001", 1)
        );
        let by_clerk = breakdown(&orders, |o| {
            o.clerk.clone().unwrap_or_else(|| "straight through".into())
        });
        assert_eq!(by_clerk[0].key, "straight through");
        assert_eq!(by_clerk[1].key, "anna");
    }

    #[test]
    fn the_sla_picture_bands_ages_and_counts_due_items() {
        let now = at(10_000);
        let waiting = |age: i64, due_in: Option<i64>| Waiting {
            since: at(10_000 - age),
            due_at: due_in.map(|d| at(10_000 + d)),
        };
        let p = sla_picture(
            &[
                waiting(5, Some(200)),
                waiting(59, Some(30)),
                waiting(60, Some(0)),
                waiting(300, Some(-120)),
                waiting(3000, None),
            ],
            now,
        );
        assert_eq!(p.by_age, [2, 1, 1, 1]);
        assert_eq!((p.near_due, p.overdue, p.waiting), (1, 2, 5));
    }

    #[test]
    fn a_thread_is_resolved_at_first_contact_by_one_answer_and_seven_quiet_days() {
        let day = 24 * 60;
        let now = at(30 * day);
        let thread = |answers: &[i64], later: &[i64]| ThreadFact {
            started_at: at(0),
            answers: answers.iter().map(|m| at(*m)).collect(),
            later_inbound: later.iter().map(|m| at(*m)).collect(),
        };
        let (rate, open) = first_contact_resolution(
            &[
                thread(&[10], &[]),             // resolved
                thread(&[10], &[10 + 8 * day]), // came back after the window: resolved
                thread(&[10], &[10 + day]),     // came back within it
                thread(&[10, 20], &[]),         // two answers
                thread(&[], &[]),               // never answered
                thread(&[29 * day], &[]),       // answered yesterday: not decided yet
            ],
            now,
        );
        assert_eq!((rate.part, rate.whole, open), (2, 5, 1));
    }
}

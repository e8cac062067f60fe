//! Quotes: where a quote stands, what may happen to it next, and when it
//! needs a manager's approval first.
//!
//! Approval belongs to one revision. Every change makes a new revision and
//! takes the quote back to draft, so a quote approved and then edited needs
//! approval again; a copy of a quote starts as a new draft without any.

use rust_decimal::Decimal;

use crate::pricing::{PriceWarning, Priced};

/// Where a quote stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuoteStatus {
    /// Being prepared; may be changed.
    Draft,
    /// A rule asks for a manager's approval before it may be sent.
    AwaitingApproval,
    /// Approved in its current revision; may be sent.
    Approved,
    /// With the customer, until its validity date.
    Sent,
    Accepted,
    /// Declined by the customer, or not quoted, with a reason.
    Rejected,
    /// Its validity date passed without an answer.
    Expired,
    /// Turned into an order.
    Ordered,
}

impl QuoteStatus {
    pub const ALL: [QuoteStatus; 8] = [
        QuoteStatus::Draft,
        QuoteStatus::AwaitingApproval,
        QuoteStatus::Approved,
        QuoteStatus::Sent,
        QuoteStatus::Accepted,
        QuoteStatus::Rejected,
        QuoteStatus::Expired,
        QuoteStatus::Ordered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuoteStatus::Draft => "draft",
            QuoteStatus::AwaitingApproval => "awaiting_approval",
            QuoteStatus::Approved => "approved",
            QuoteStatus::Sent => "sent",
            QuoteStatus::Accepted => "accepted",
            QuoteStatus::Rejected => "rejected",
            QuoteStatus::Expired => "expired",
            QuoteStatus::Ordered => "ordered",
        }
    }

    pub fn parse(text: &str) -> Option<QuoteStatus> {
        QuoteStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Still ours to work on (not yet with the customer).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            QuoteStatus::Draft | QuoteStatus::AwaitingApproval | QuoteStatus::Approved
        )
    }

    /// Whether its lines may be changed (which makes a new revision).
    pub fn may_change(self) -> bool {
        self.is_open() || self == QuoteStatus::Sent
    }
}

/// What is done to a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteAction {
    /// Lines, prices, validity or texts changed: a new revision.
    Revise,
    RequestApproval,
    Approve,
    /// The manager does not approve; back to draft with the reason.
    Decline,
    Send,
    Accept,
    Reject,
    Expire,
    Order,
}

impl QuoteAction {
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteAction::Revise => "revised",
            QuoteAction::RequestApproval => "approval_requested",
            QuoteAction::Approve => "approved",
            QuoteAction::Decline => "approval_declined",
            QuoteAction::Send => "sent",
            QuoteAction::Accept => "accepted",
            QuoteAction::Reject => "rejected",
            QuoteAction::Expire => "expired",
            QuoteAction::Order => "ordered",
        }
    }
}

/// A quote's status, revision and the revision a manager approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteState {
    pub status: QuoteStatus,
    pub revision: u32,
    pub approved_revision: Option<u32>,
}

impl QuoteState {
    pub fn new() -> QuoteState {
        QuoteState {
            status: QuoteStatus::Draft,
            revision: 1,
            approved_revision: None,
        }
    }

    /// Approved in exactly this revision.
    pub fn is_approved(&self) -> bool {
        self.approved_revision == Some(self.revision)
    }
}

impl Default for QuoteState {
    fn default() -> Self {
        QuoteState::new()
    }
}

/// Why an action cannot be done to a quote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("a quote that is {} cannot be {}", .from.as_str().replace('_', " "), .action.as_str().replace('_', " "))]
    NotNow { from: QuoteStatus, action: QuoteAction },
    #[error("this quote needs a manager's approval before it is sent: {0}")]
    NeedsApproval(String),
    #[error("no approval is needed for this quote: send it")]
    NoApprovalNeeded,
}

/// The state after `action`; `needs_approval` is whether the quote's
/// current revision asks for approval ([`approval_reasons`]).
pub fn next_state(
    state: QuoteState,
    action: QuoteAction,
    needs_approval: &[ApprovalReason],
) -> Result<QuoteState, QuoteError> {
    use QuoteAction as A;
    use QuoteStatus as S;
    let not_now = Err(QuoteError::NotNow {
        from: state.status,
        action,
    });
    let to = |status| Ok(QuoteState { status, ..state });
    match (state.status, action) {
        (s, A::Revise) if s.may_change() => Ok(QuoteState {
            status: S::Draft,
            revision: state.revision + 1,
            // An approval belongs to the revision it was given for.
            approved_revision: state.approved_revision,
        }),
        (S::Draft, A::RequestApproval) if needs_approval.is_empty() => Err(QuoteError::NoApprovalNeeded),
        (S::Draft, A::RequestApproval) => to(S::AwaitingApproval),
        (S::AwaitingApproval, A::Approve) => Ok(QuoteState {
            status: S::Approved,
            approved_revision: Some(state.revision),
            ..state
        }),
        (S::AwaitingApproval, A::Decline) => to(S::Draft),
        (S::Draft, A::Send) if needs_approval.is_empty() => to(S::Sent),
        (S::Draft | S::AwaitingApproval, A::Send) => Err(QuoteError::NeedsApproval(
            needs_approval
                .iter()
                .map(ApprovalReason::text)
                .collect::<Vec<_>>()
                .join("; "),
        )),
        (S::Approved, A::Send) if state.is_approved() => to(S::Sent),
        (S::Sent, A::Accept) => to(S::Accepted),
        (S::Draft | S::AwaitingApproval | S::Approved | S::Sent | S::Expired, A::Reject) => to(S::Rejected),
        (S::Sent, A::Expire) => to(S::Expired),
        (S::Accepted, A::Order) => to(S::Ordered),
        _ => not_now,
    }
}

/// When a quote needs a manager before it goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ApprovalPolicy {
    /// A line more than this many percent below its base price.
    #[cfg_attr(feature = "serde", serde(default))]
    pub max_discount_percent: Option<Decimal>,
    /// A quote worth more than this (net, in its currency).
    #[cfg_attr(feature = "serde", serde(default))]
    pub value_limit: Option<Decimal>,
    /// A line whose margin cannot be checked because no cost is known.
    #[cfg_attr(feature = "serde", serde(default))]
    pub unknown_cost: bool,
}

/// Why a quote needs approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalReason {
    BelowFloor {
        line_no: u32,
        floor: Decimal,
    },
    BelowCost {
        line_no: u32,
        cost: Decimal,
    },
    DiscountOver {
        line_no: u32,
        percent: Decimal,
        limit: Decimal,
    },
    ValueOver {
        value: Decimal,
        limit: Decimal,
    },
    UnknownCost {
        line_no: u32,
    },
    /// A line a person priced with no engine price to compare (a free-text line).
    PricedByHand {
        line_no: u32,
    },
}

impl ApprovalReason {
    pub fn code(&self) -> &'static str {
        match self {
            ApprovalReason::BelowFloor { .. } => "below_floor",
            ApprovalReason::BelowCost { .. } => "below_cost",
            ApprovalReason::DiscountOver { .. } => "discount_over",
            ApprovalReason::ValueOver { .. } => "value_over",
            ApprovalReason::UnknownCost { .. } => "unknown_cost",
            ApprovalReason::PricedByHand { .. } => "priced_by_hand",
        }
    }

    /// In the back office's words (English; the web page has German).
    pub fn text(&self) -> String {
        match self {
            ApprovalReason::BelowFloor { line_no, floor } => {
                format!("line {line_no} is below the margin floor price {floor}")
            }
            ApprovalReason::BelowCost { line_no, cost } => format!("line {line_no} is below our cost {cost}"),
            ApprovalReason::DiscountOver {
                line_no,
                percent,
                limit,
            } => {
                format!("line {line_no} is {percent} % below its list price (more than {limit} %)")
            }
            ApprovalReason::ValueOver { value, limit } => {
                format!("the quote is worth {value}, more than {limit}")
            }
            ApprovalReason::UnknownCost { line_no } => format!("line {line_no} has no known cost"),
            ApprovalReason::PricedByHand { line_no } => {
                format!("line {line_no} is priced by hand with no list price to compare")
            }
        }
    }
}

/// A quote line as approval sees it.
#[derive(Debug, Clone, Copy)]
pub struct LineToApprove<'a> {
    pub line_no: u32,
    /// The engine's price with any change by hand; `None` for a free-text line.
    pub priced: Option<&'a Priced>,
}

/// Every reason the quote needs approval; empty when it may be sent as it is.
pub fn approval_reasons(lines: &[LineToApprove<'_>], value: Decimal, policy: &ApprovalPolicy) -> Vec<ApprovalReason> {
    let mut reasons = Vec::new();
    for line in lines {
        let Some(priced) = line.priced else {
            continue;
        };
        if priced.base_price().is_none() {
            reasons.push(ApprovalReason::PricedByHand { line_no: line.line_no });
        }
        for warning in &priced.warnings {
            match warning {
                PriceWarning::BelowFloor { floor } => reasons.push(ApprovalReason::BelowFloor {
                    line_no: line.line_no,
                    floor: *floor,
                }),
                PriceWarning::BelowCost { cost } => reasons.push(ApprovalReason::BelowCost {
                    line_no: line.line_no,
                    cost: *cost,
                }),
                PriceWarning::NoCost if policy.unknown_cost => {
                    reasons.push(ApprovalReason::UnknownCost { line_no: line.line_no })
                }
                PriceWarning::NoCost => {}
            }
        }
        if let Some(limit) = policy.max_discount_percent {
            let percent = priced.discount_percent();
            if percent > limit {
                reasons.push(ApprovalReason::DiscountOver {
                    line_no: line.line_no,
                    percent,
                    limit,
                });
            }
        }
    }
    if let Some(limit) = policy.value_limit
        && value > limit
    {
        reasons.push(ApprovalReason::ValueOver { value, limit });
    }
    reasons
}

/// Why a customer did not take a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LostReason {
    Price,
    DeliveryTime,
    Competitor,
    NoNeed,
    /// We did not quote (not our product, not worth it).
    NotQuoted,
    Other,
}

impl LostReason {
    pub const ALL: [LostReason; 6] = [
        LostReason::Price,
        LostReason::DeliveryTime,
        LostReason::Competitor,
        LostReason::NoNeed,
        LostReason::NotQuoted,
        LostReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LostReason::Price => "price",
            LostReason::DeliveryTime => "delivery_time",
            LostReason::Competitor => "competitor",
            LostReason::NoNeed => "no_need",
            LostReason::NotQuoted => "not_quoted",
            LostReason::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<LostReason> {
        LostReason::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// (German, English) for pages and reports.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            LostReason::Price => ("Preis", "Price"),
            LostReason::DeliveryTime => ("Lieferzeit", "Delivery time"),
            LostReason::Competitor => ("Wettbewerber", "Competitor"),
            LostReason::NoNeed => ("Kein Bedarf mehr", "No longer needed"),
            LostReason::NotQuoted => ("Nicht angeboten", "Not quoted"),
            LostReason::Other => ("Sonstiges", "Other"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{BaseSource, PriceStep};
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn priced(base: Decimal, price: Decimal, warnings: Vec<PriceWarning>) -> Priced {
        Priced {
            unit_price: price,
            steps: vec![PriceStep::Base {
                from: BaseSource::ListPrice,
                price: base,
            }],
            cost: Some(dec!(1)),
            floor: None,
            warnings,
        }
    }

    #[test]
    fn a_clean_quote_is_sent_without_approval() {
        let s = next_state(QuoteState::new(), QuoteAction::Send, &[]).unwrap();
        assert_eq!(s.status, QuoteStatus::Sent);
        let s = next_state(s, QuoteAction::Accept, &[]).unwrap();
        let s = next_state(s, QuoteAction::Order, &[]).unwrap();
        assert_eq!(s.status, QuoteStatus::Ordered);
        let err = next_state(s, QuoteAction::Revise, &[]).unwrap_err();
        assert_eq!(err.to_string(), "a quote that is ordered cannot be revised");
    }

    #[test]
    fn approval_belongs_to_one_revision() {
        let reasons = vec![ApprovalReason::ValueOver {
            value: dec!(60000),
            limit: dec!(50000),
        }];
        let draft = QuoteState::new();
        let err = next_state(draft, QuoteAction::Send, &reasons).unwrap_err();
        assert_eq!(
            err.to_string(),
            "this quote needs a manager's approval before it is sent: the quote is worth 60000, more than 50000"
        );
        let asked = next_state(draft, QuoteAction::RequestApproval, &reasons).unwrap();
        let approved = next_state(asked, QuoteAction::Approve, &reasons).unwrap();
        assert!(approved.is_approved());
        // Changed after approval: a new revision, approval gone.
        let changed = next_state(approved, QuoteAction::Revise, &reasons).unwrap();
        assert_eq!((changed.status, changed.revision), (QuoteStatus::Draft, 2));
        assert!(!changed.is_approved());
        assert!(next_state(changed, QuoteAction::Send, &reasons).is_err());
        // Sent as approved.
        let sent = next_state(approved, QuoteAction::Send, &reasons).unwrap();
        assert_eq!(sent.status, QuoteStatus::Sent);
    }

    #[test]
    fn reasons_name_the_lines() {
        let cheap = priced(dec!(10), dec!(7), vec![PriceWarning::BelowFloor { floor: dec!(8) }]);
        let fine = priced(dec!(10), dec!(9.5), vec![PriceWarning::NoCost]);
        let policy = ApprovalPolicy {
            max_discount_percent: Some(dec!(20)),
            value_limit: None,
            unknown_cost: true,
        };
        let lines = [
            LineToApprove {
                line_no: 1,
                priced: Some(&cheap),
            },
            LineToApprove {
                line_no: 2,
                priced: Some(&fine),
            },
        ];
        let texts: Vec<String> = approval_reasons(&lines, dec!(100), &policy)
            .iter()
            .map(ApprovalReason::text)
            .collect();
        assert_eq!(
            texts,
            [
                "line 1 is below the margin floor price 8",
                "line 1 is 30.00 % below its list price (more than 20 %)",
                "line 2 has no known cost"
            ]
        );
    }

    fn action() -> impl Strategy<Value = QuoteAction> {
        prop::sample::select(vec![
            QuoteAction::Revise,
            QuoteAction::RequestApproval,
            QuoteAction::Approve,
            QuoteAction::Decline,
            QuoteAction::Send,
            QuoteAction::Accept,
            QuoteAction::Reject,
            QuoteAction::Expire,
            QuoteAction::Order,
        ])
    }

    proptest! {
        /// Whatever is done in whatever order, a quote that needs approval
        /// is sent only in a revision a manager approved.
        #[test]
        fn never_sent_unapproved(actions in prop::collection::vec(action(), 0..30)) {
            let reasons = vec![ApprovalReason::BelowCost { line_no: 1, cost: dec!(1) }];
            let mut state = QuoteState::new();
            for a in actions {
                if let Ok(next) = next_state(state, a, &reasons) {
                    if next.status == QuoteStatus::Sent && state.status != QuoteStatus::Sent {
                        prop_assert!(next.is_approved());
                    }
                    state = next;
                }
            }
        }
    }
}

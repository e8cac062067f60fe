//! Sales orders: header, lines, totals and the status machine.
//!
//! ```text
//! draft ──► in_review ──► confirmed ──► sent_to_erp ──► fulfilled
//!   │           │            ▲  │            │
//!   └───────────┴─► confirmed│  └─ amend ────┘ (back to confirmed, to be sent again)
//! any open status ──► cancelled
//! ```
//! `fulfilled` and `cancelled` are final. An amendment records why the
//! confirmed order changed: an entry error of ours or a change by the customer.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::values::{AddressId, CurrencyCode, CustomerNo, CustomerPartNo, Money, Quantity, Sku};

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    Draft,
    InReview,
    Confirmed,
    SentToErp,
    Fulfilled,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::Draft,
        OrderStatus::InReview,
        OrderStatus::Confirmed,
        OrderStatus::SentToErp,
        OrderStatus::Fulfilled,
        OrderStatus::Cancelled,
    ];

    /// The stable name used in storage, the API and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::InReview => "in_review",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::SentToErp => "sent_to_erp",
            OrderStatus::Fulfilled => "fulfilled",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn is_final(self) -> bool {
        matches!(self, OrderStatus::Fulfilled | OrderStatus::Cancelled)
    }
}

/// Why a confirmed order was changed. Entry errors feed the error-rate KPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AmendmentReason {
    EntryError,
    CustomerChange,
}

impl AmendmentReason {
    pub fn as_str(self) -> &'static str {
        match self {
            AmendmentReason::EntryError => "entry_error",
            AmendmentReason::CustomerChange => "customer_change",
        }
    }
}

/// What someone (or the pipeline) does to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    /// The draft needs a person.
    SendToReview,
    /// A person (or straight-through processing) confirms the order.
    Confirm,
    /// The ERP accepted the order.
    MarkSentToErp,
    /// The goods left the warehouse.
    MarkFulfilled,
    Cancel,
    /// A confirmed order is changed.
    Amend(AmendmentReason),
}

/// An action that is not allowed in the order's current status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an order that is {} cannot be {}", from.as_str().replace('_', " "), action_words(*action))]
pub struct TransitionError {
    pub from: OrderStatus,
    pub action: OrderAction,
}

fn action_words(action: OrderAction) -> &'static str {
    match action {
        OrderAction::SendToReview => "sent to review",
        OrderAction::Confirm => "confirmed",
        OrderAction::MarkSentToErp => "marked as sent to the ERP",
        OrderAction::MarkFulfilled => "marked as fulfilled",
        OrderAction::Cancel => "cancelled",
        OrderAction::Amend(_) => "amended",
    }
}

/// The status after `action`, or why the action is not allowed.
pub fn next_status(from: OrderStatus, action: OrderAction) -> Result<OrderStatus, TransitionError> {
    use OrderAction as A;
    use OrderStatus as S;
    let to = match (from, action) {
        (S::Draft, A::SendToReview) => S::InReview,
        (S::Draft | S::InReview, A::Confirm) => S::Confirmed,
        (S::Confirmed, A::MarkSentToErp) => S::SentToErp,
        (S::SentToErp, A::MarkFulfilled) => S::Fulfilled,
        (S::Confirmed | S::SentToErp, A::Amend(_)) => S::Confirmed,
        (s, A::Cancel) if !s.is_final() => S::Cancelled,
        _ => return Err(TransitionError { from, action }),
    };
    Ok(to)
}

/// Where the ERP's sale for an order stands, as the ERP reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErpSaleStatus {
    /// Entered, not yet quoted or confirmed there.
    Draft,
    Quotation,
    Confirmed,
    /// Being picked, shipped and invoiced.
    Processing,
    /// Every shipment has left.
    Shipped,
    /// Shipped and invoiced: finished in the ERP.
    Done,
    Cancelled,
}

impl ErpSaleStatus {
    pub const ALL: [ErpSaleStatus; 7] = [
        ErpSaleStatus::Draft,
        ErpSaleStatus::Quotation,
        ErpSaleStatus::Confirmed,
        ErpSaleStatus::Processing,
        ErpSaleStatus::Shipped,
        ErpSaleStatus::Done,
        ErpSaleStatus::Cancelled,
    ];

    /// The stable name used in storage, the API and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            ErpSaleStatus::Draft => "draft",
            ErpSaleStatus::Quotation => "quotation",
            ErpSaleStatus::Confirmed => "confirmed",
            ErpSaleStatus::Processing => "processing",
            ErpSaleStatus::Shipped => "shipped",
            ErpSaleStatus::Done => "done",
            ErpSaleStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// What the ERP's status means for our order: the goods left, or the sale was cancelled there.
    pub fn order_action(self) -> Option<OrderAction> {
        match self {
            ErpSaleStatus::Shipped | ErpSaleStatus::Done => Some(OrderAction::MarkFulfilled),
            ErpSaleStatus::Cancelled => Some(OrderAction::Cancel),
            _ => None,
        }
    }
}

/// One line of a sales order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    /// 1..n in document order.
    pub line_no: u32,
    pub sku: Option<Sku>,
    pub customer_part_no: Option<CustomerPartNo>,
    pub description: Option<String>,
    /// As ordered, in the ordered unit.
    pub quantity: Quantity,
    /// Per ordered unit.
    pub unit_price: Option<Decimal>,
    pub delivery_date: Option<Date>,
}

impl OrderLine {
    /// Quantity × unit price, unrounded; `None` without a price.
    pub fn net_amount(&self) -> Option<Decimal> {
        self.unit_price.map(|p| p * self.quantity.value())
    }
}

/// A sales order: header and lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesOrder {
    pub customer_no: Option<CustomerNo>,
    pub po_number: Option<String>,
    pub order_date: Option<Date>,
    pub requested_delivery_date: Option<Date>,
    pub currency: CurrencyCode,
    pub ship_to: Option<AddressId>,
    pub lines: Vec<OrderLine>,
    pub status: OrderStatus,
    pub amendments: Vec<AmendmentReason>,
}

impl SalesOrder {
    /// The sum of the priced lines, rounded to cents. Lines without a price count as zero.
    pub fn net_total(&self) -> Money {
        let sum: Decimal = self.lines.iter().filter_map(OrderLine::net_amount).sum();
        Money::new(sum, self.currency).rounded()
    }

    /// Applies an action, recording amendments.
    pub fn apply(&mut self, action: OrderAction) -> Result<OrderStatus, TransitionError> {
        let to = next_status(self.status, action)?;
        if let OrderAction::Amend(reason) = action {
            self.amendments.push(reason);
        }
        self.status = to;
        Ok(to)
    }
}

impl std::fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::UnitCode;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn erp_statuses_have_stable_names_and_only_shipping_or_cancelling_moves_the_order() {
        for status in ErpSaleStatus::ALL {
            assert_eq!(ErpSaleStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(ErpSaleStatus::Done.order_action(), Some(OrderAction::MarkFulfilled));
        assert_eq!(ErpSaleStatus::Cancelled.order_action(), Some(OrderAction::Cancel));
        assert_eq!(ErpSaleStatus::Processing.order_action(), None);
    }

    fn order(prices: &[(Decimal, Option<Decimal>)]) -> SalesOrder {
        SalesOrder {
            customer_no: None,
            po_number: Some("4500012345".into()),
            order_date: None,
            requested_delivery_date: None,
            currency: CurrencyCode::EUR,
            ship_to: None,
            lines: prices
                .iter()
                .enumerate()
                .map(|(i, (q, p))| OrderLine {
                    line_no: i as u32 + 1,
                    sku: None,
                    customer_part_no: None,
                    description: None,
                    quantity: Quantity::new(*q, UnitCode::PIECE),
                    unit_price: *p,
                    delivery_date: None,
                })
                .collect(),
            status: OrderStatus::Draft,
            amendments: vec![],
        }
    }

    #[test]
    fn totals_round_once_at_the_end() {
        let o = order(&[
            (dec!(500), Some(dec!(0.1234))),
            (dec!(3), Some(dec!(0.3333))),
            (dec!(2), None),
        ]);
        // 61.70 + 0.9999 = 62.6999 → 62.70
        assert_eq!(o.net_total().amount(), dec!(62.70));
    }

    #[test]
    fn the_happy_path_and_amendments() {
        let mut o = order(&[]);
        assert_eq!(o.apply(OrderAction::SendToReview), Ok(OrderStatus::InReview));
        assert_eq!(o.apply(OrderAction::Confirm), Ok(OrderStatus::Confirmed));
        assert_eq!(o.apply(OrderAction::MarkSentToErp), Ok(OrderStatus::SentToErp));
        assert_eq!(
            o.apply(OrderAction::Amend(AmendmentReason::EntryError)),
            Ok(OrderStatus::Confirmed)
        );
        assert_eq!(o.amendments, vec![AmendmentReason::EntryError]);
        assert_eq!(o.apply(OrderAction::MarkSentToErp), Ok(OrderStatus::SentToErp));
        assert_eq!(o.apply(OrderAction::MarkFulfilled), Ok(OrderStatus::Fulfilled));
        let err = o.apply(OrderAction::Cancel).unwrap_err();
        assert_eq!(err.to_string(), "an order that is fulfilled cannot be cancelled");
    }

    #[test]
    fn drafts_cannot_be_amended_or_sent() {
        assert!(next_status(OrderStatus::Draft, OrderAction::Amend(AmendmentReason::CustomerChange)).is_err());
        assert!(next_status(OrderStatus::Draft, OrderAction::MarkSentToErp).is_err());
        assert_eq!(
            next_status(OrderStatus::Draft, OrderAction::Confirm),
            Ok(OrderStatus::Confirmed)
        );
    }

    #[test]
    fn status_names_round_trip() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        }
    }

    fn any_action() -> impl Strategy<Value = OrderAction> {
        prop_oneof![
            Just(OrderAction::SendToReview),
            Just(OrderAction::Confirm),
            Just(OrderAction::MarkSentToErp),
            Just(OrderAction::MarkFulfilled),
            Just(OrderAction::Cancel),
            Just(OrderAction::Amend(AmendmentReason::EntryError)),
            Just(OrderAction::Amend(AmendmentReason::CustomerChange)),
        ]
    }

    proptest! {
        #[test]
        fn final_states_are_final_and_failures_change_nothing(actions in proptest::collection::vec(any_action(), 0..40)) {
            let mut o = order(&[]);
            let mut reached_final: Option<OrderStatus> = None;
            for a in actions {
                let before = o.clone();
                match o.apply(a) {
                    Ok(to) => {
                        prop_assert!(reached_final.is_none(), "left final state {:?}", reached_final);
                        if to.is_final() { reached_final = Some(to); }
                    }
                    Err(_) => prop_assert_eq!(&o, &before),
                }
            }
        }

        #[test]
        fn amendments_only_follow_confirmation(actions in proptest::collection::vec(any_action(), 0..40)) {
            let mut o = order(&[]);
            let mut ever_confirmed = false;
            for a in actions {
                if o.apply(a).is_ok() && o.status == OrderStatus::Confirmed { ever_confirmed = true; }
                prop_assert!(o.amendments.is_empty() || ever_confirmed);
            }
        }

        #[test]
        fn total_is_the_rounded_sum(lines in proptest::collection::vec((1i64..100_000, 0i64..1_000_000), 0..30)) {
            let priced: Vec<(Decimal, Option<Decimal>)> = lines.iter().map(|(q, p)| (Decimal::from(*q), Some(Decimal::new(*p, 4)))).collect();
            let o = order(&priced);
            let exact: Decimal = priced.iter().map(|(q, p)| q * p.unwrap()).sum();
            prop_assert!((o.net_total().amount() - exact).abs() <= dec!(0.005));
        }
    }
}

//! The checks a draft order must pass, each raising an exception with a stable code, and the decision.
//!
//! The rules work on plain facts ([`OrderFacts`], [`LineFacts`]) that the
//! pipeline gathered: what the customer wrote and what our master data says.
//! Severity comes from [`ValidationPolicy`] (a setting per code); the decision
//! ([`crate::review::decide`]) is straight through only for a clean order
//! with no reason for review.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::customer::Customer;
use crate::exception::{ExceptionCode, OrderException, Severity};
use crate::pricing::price_differs;
use crate::product::{Product, QuantityProblem};

/// Tolerances and severities: settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationPolicy {
    /// A stated price may differ from ours by this share (0.005 = 0.5 %) …
    pub price_tolerance_relative: Decimal,
    /// … or by this amount, whichever is larger, before it is a mismatch.
    pub price_tolerance_absolute: Decimal,
    /// Severity per code where it differs from [`ExceptionCode::default_severity`].
    pub severities: BTreeMap<ExceptionCode, Severity>,
}

impl Default for ValidationPolicy {
    fn default() -> Self {
        ValidationPolicy {
            price_tolerance_relative: Decimal::new(5, 3),
            price_tolerance_absolute: Decimal::new(5, 3),
            severities: BTreeMap::new(),
        }
    }
}

impl ValidationPolicy {
    pub fn severity(&self, code: ExceptionCode) -> Severity {
        self.severities
            .get(&code)
            .copied()
            .unwrap_or_else(|| code.default_severity())
    }

    fn raise(&self, code: ExceptionCode, line_no: Option<u32>, message: String) -> OrderException {
        OrderException {
            code,
            severity: self.severity(code),
            line_no,
            message,
        }
    }
}

/// One line as the checks see it.
#[derive(Debug, Clone, PartialEq)]
pub struct LineFacts<'a> {
    pub line_no: u32,
    /// What the customer wrote to identify the product, for messages.
    pub label: String,
    pub product: Option<&'a Product>,
    pub quantity: Decimal,
    /// The quantity in the product's base unit.
    pub base_quantity: Decimal,
    /// The customer's price per ordered unit.
    pub stated_price: Option<Decimal>,
    /// Our price per ordered unit.
    pub expected_price: Option<Decimal>,
    /// Stock available by the requested date (Σ on hand − reserved + receipts due).
    pub available: Decimal,
    /// The line's requested date, else the header's, else the order date.
    pub requested_date: Date,
    /// A line of its own words and price (a special make, a service, freight):
    /// it names no product, so no product check applies.
    pub free_text: bool,
}

/// The order as the checks see it.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderFacts<'a> {
    /// `None`: the customer could not be identified.
    pub customer: Option<&'a Customer>,
    pub stated_currency: Option<&'a str>,
    pub order_date: Date,
    /// A printed delivery address matched none of the customer's.
    pub unknown_ship_to: bool,
    /// An order with the same customer and PO number is already stored.
    pub duplicate_po: bool,
    pub stated_total: Option<Decimal>,
    pub lines: Vec<LineFacts<'a>>,
}

/// Every exception the order raises, header first, then by line.
pub fn validate(order: &OrderFacts<'_>, policy: &ValidationPolicy) -> Vec<OrderException> {
    let mut found = Vec::new();
    let Some(customer) = order.customer else {
        found.push(policy.raise(
            ExceptionCode::UnknownCustomer,
            None,
            "the sender is not a known customer: no customer number, VAT id, mail address or domain matched".into(),
        ));
        found.extend(
            order
                .lines
                .iter()
                .flat_map(|l| line_exceptions(l, order, policy, false)),
        );
        return found;
    };
    let currency_differs = match (order.stated_currency, &customer.currency) {
        (Some(stated), Some(ours)) => !stated.eq_ignore_ascii_case(ours.as_str()),
        _ => false,
    };
    if currency_differs {
        found.push(policy.raise(
            ExceptionCode::CurrencyMismatch,
            None,
            format!(
                "the order is in {}, the customer's currency is {}; prices were not compared",
                order.stated_currency.unwrap_or_default(),
                customer.currency.as_ref().map_or("", |c| c.as_str())
            ),
        ));
    }
    let value: Decimal = order
        .lines
        .iter()
        .filter_map(|l| l.expected_price.map(|p| p * l.quantity))
        .sum();
    if customer.exceeds_credit_limit(value) {
        found.push(policy.raise(
            ExceptionCode::CreditLimit,
            None,
            format!(
                "open balance {} + this order {} exceeds the credit limit {}",
                customer.open_balance.unwrap_or_default(),
                value.round_dp(2),
                customer.credit_limit.unwrap_or_default()
            ),
        ));
    }
    if order.unknown_ship_to {
        found.push(policy.raise(
            ExceptionCode::UnknownShipTo,
            None,
            "the printed delivery address is none of the customer's addresses".into(),
        ));
    }
    if order.duplicate_po {
        found.push(policy.raise(
            ExceptionCode::DuplicatePo,
            None,
            "an order with this PO number from this customer is already stored".into(),
        ));
    }
    for line in &order.lines {
        found.extend(line_exceptions(line, order, policy, !currency_differs));
    }
    if let Some(stated) = order.stated_total {
        let sum: Option<Decimal> = order
            .lines
            .iter()
            .map(|l| l.stated_price.or(l.expected_price).map(|p| p * l.quantity))
            .sum();
        if let Some(sum) = sum
            && (sum - stated).abs() > Decimal::new(1, 2).max(stated.abs() * Decimal::new(1, 3))
        {
            found.push(policy.raise(
                ExceptionCode::TotalMismatch,
                None,
                format!(
                    "the stated total {stated} differs from the sum of the lines {}",
                    sum.round_dp(2)
                ),
            ));
        }
    }
    found
}

fn line_exceptions(
    line: &LineFacts<'_>,
    order: &OrderFacts<'_>,
    policy: &ValidationPolicy,
    compare_prices: bool,
) -> Vec<OrderException> {
    let n = Some(line.line_no);
    let mut found = Vec::new();
    let Some(product) = line.product else {
        if line.free_text {
            return found;
        }
        found.push(policy.raise(
            ExceptionCode::UnknownProduct,
            n,
            format!("line {}: \"{}\" matches no product", line.line_no, line.label),
        ));
        return found;
    };
    let sku = product.sku.as_str();
    if !product.active {
        found.push(policy.raise(
            ExceptionCode::InactiveProduct,
            n,
            format!("line {}: {sku} is inactive and cannot be ordered", line.line_no),
        ));
    }
    for problem in product.check_quantity(line.base_quantity) {
        let (code, message) = match problem {
            QuantityProblem::PackSize { pack_size } => (
                ExceptionCode::PackSize,
                format!(
                    "line {}: {} {} of {sku} is not a multiple of the pack size {pack_size}",
                    line.line_no,
                    line.base_quantity.normalize(),
                    product.base_unit.as_str()
                ),
            ),
            QuantityProblem::BelowMinimum { minimum } => (
                ExceptionCode::BelowMinQty,
                format!(
                    "line {}: {} {} of {sku} is below the minimum order quantity {minimum}",
                    line.line_no,
                    line.base_quantity.normalize(),
                    product.base_unit.as_str()
                ),
            ),
        };
        found.push(policy.raise(code, n, message));
    }
    let lead = i64::from(product.lead_time_days.unwrap_or(0));
    let earliest = order
        .order_date
        .checked_add(jiff::Span::new().days(lead))
        .unwrap_or(order.order_date);
    if line.base_quantity > line.available && line.requested_date < earliest {
        found.push(policy.raise(
            ExceptionCode::InsufficientStock,
            n,
            format!(
                "line {}: {} {} of {sku} wanted by {}, {} available; the lead time of {lead} days allows {earliest}",
                line.line_no,
                line.base_quantity.normalize(),
                product.base_unit.as_str(),
                line.requested_date,
                line.available.normalize()
            ),
        ));
    }
    if compare_prices
        && let (Some(stated), Some(expected)) = (line.stated_price, line.expected_price)
        && price_differs(
            stated,
            expected,
            policy.price_tolerance_relative,
            policy.price_tolerance_absolute,
        )
    {
        found.push(policy.raise(
            ExceptionCode::PriceMismatch,
            n,
            format!(
                "line {}: stated price {} for {sku}, our price is {}",
                line.line_no,
                stated.normalize(),
                expected.round_dp(4).normalize()
            ),
        ));
    }
    found
}

/// Straight through or review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Decision {
    StraightThrough,
    Review,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::StraightThrough => "straight_through",
            Decision::Review => "review",
        }
    }

    pub fn parse(raw: &str) -> Option<Decision> {
        [Decision::StraightThrough, Decision::Review]
            .into_iter()
            .find(|d| d.as_str() == raw)
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::PostalAddress;
    use crate::message::MessageKind;
    use crate::review::{ReviewReason, decide};
    use crate::values::{CurrencyCode, CustomerNo, Sku, UnitCode};
    use rust_decimal_macros::dec;

    fn customer() -> Customer {
        Customer {
            customer_no: CustomerNo::parse("10001").unwrap(),
            name: "Muster GmbH".into(),
            vat_id: None,
            email_domains: vec![],
            emails: vec![],
            language: None,
            currency: Some(CurrencyCode::parse("EUR").unwrap()),
            price_list: None,
            credit_limit: Some(dec!(1000)),
            open_balance: Some(dec!(900)),
            payment_terms: None,
            territory: None,
            sales_rep: None,
            billing_address: PostalAddress::default(),
        }
    }

    fn product() -> Product {
        Product {
            sku: Sku::parse("A-1").unwrap(),
            name: "Schraube".into(),
            description: None,
            gtin: None,
            base_unit: UnitCode::parse("C62").unwrap(),
            pack_size: dec!(50),
            min_order_qty: dec!(100),
            list_price: None,
            currency: None,
            cost: None,
            lead_time_days: Some(10),
            product_group: None,
            active: true,
            attributes: vec![],
        }
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn line(p: &Product) -> LineFacts<'_> {
        LineFacts {
            line_no: 1,
            label: "A-1".into(),
            product: Some(p),
            quantity: dec!(100),
            base_quantity: dec!(100),
            stated_price: Some(dec!(0.12)),
            expected_price: Some(dec!(0.12)),
            available: dec!(1000),
            requested_date: date("2026-12-01"),
            free_text: false,
        }
    }

    fn order<'a>(c: &'a Customer, lines: Vec<LineFacts<'a>>) -> OrderFacts<'a> {
        OrderFacts {
            customer: Some(c),
            stated_currency: Some("EUR"),
            order_date: date("2026-11-20"),
            unknown_ship_to: false,
            duplicate_po: false,
            stated_total: None,
            lines,
        }
    }

    fn codes(found: &[OrderException]) -> Vec<&'static str> {
        found.iter().map(|e| e.code.as_str()).collect()
    }

    #[test]
    fn a_clean_order_raises_nothing_and_goes_straight_through() {
        let (c, p) = (customer(), product());
        let found = validate(&order(&c, vec![line(&p)]), &ValidationPolicy::default());
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(decide(MessageKind::Order, &[], &found), Decision::StraightThrough);
        assert_eq!(decide(MessageKind::Rfq, &[], &found), Decision::Review);
        assert_eq!(
            decide(MessageKind::Order, &[ReviewReason::CustomerAlwaysReviewed], &found),
            Decision::Review
        );
    }

    #[test]
    fn each_rule_raises_its_code() {
        let (c, p) = (customer(), product());
        let mut l = line(&p);
        l.base_quantity = dec!(75);
        l.quantity = dec!(75);
        l.stated_price = Some(dec!(0.2));
        l.available = dec!(10);
        l.requested_date = date("2026-11-25");
        let mut o = order(&c, vec![l]);
        o.unknown_ship_to = true;
        o.duplicate_po = true;
        o.stated_total = Some(dec!(99));
        let found = validate(&o, &ValidationPolicy::default());
        assert_eq!(
            codes(&found),
            [
                "unknown_ship_to",
                "duplicate_po",
                "pack_size",
                "below_min_qty",
                "insufficient_stock",
                "price_mismatch",
                "total_mismatch"
            ]
        );
        assert_eq!(found[1].severity, Severity::Warning);
    }

    #[test]
    fn stock_only_matters_when_the_lead_time_does_not_allow_the_date() {
        let (c, p) = (customer(), product());
        let mut l = line(&p);
        l.available = dec!(0);
        l.requested_date = date("2026-11-29");
        assert_eq!(
            codes(&validate(&order(&c, vec![l.clone()]), &ValidationPolicy::default())),
            ["insufficient_stock"]
        );
        l.requested_date = date("2026-11-30");
        assert!(validate(&order(&c, vec![l]), &ValidationPolicy::default()).is_empty());
    }

    #[test]
    fn credit_currency_unknowns_and_severity_settings() {
        let (c, p) = (customer(), product());
        let mut l = line(&p);
        l.quantity = dec!(1000);
        l.base_quantity = dec!(1000);
        l.stated_price = Some(dec!(0.5));
        let mut o = order(&c, vec![l]);
        o.stated_currency = Some("USD");
        // 900 open + 1000 × 0.12 > 1000; prices not compared in another currency.
        assert_eq!(
            codes(&validate(&o, &ValidationPolicy::default())),
            ["currency_mismatch", "credit_limit"]
        );
        let mut unknown = line(&p);
        unknown.product = None;
        let mut o = order(&c, vec![unknown]);
        o.customer = None;
        let mut policy = ValidationPolicy::default();
        policy
            .severities
            .insert(ExceptionCode::UnknownProduct, Severity::Warning);
        let found = validate(&o, &policy);
        assert_eq!(codes(&found), ["unknown_customer", "unknown_product"]);
        assert_eq!(found[1].severity, Severity::Warning);
    }

    #[test]
    fn inactive_products_are_refused() {
        let c = customer();
        let mut p = product();
        p.active = false;
        assert_eq!(
            codes(&validate(&order(&c, vec![line(&p)]), &ValidationPolicy::default())),
            ["inactive_product"]
        );
    }
}

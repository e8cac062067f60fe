//! Price lists, quantity breaks, customer-specific prices and the expected price of a line.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::values::{CurrencyCode, CustomerNo, PriceListId, Sku};

mod engine;
pub use engine::{
    BaseSource, DiscountRule, PriceRequest, PriceStep, PriceWarning, Priced, PricingError, PricingPolicy, Rounding,
    RuleScope, price,
};

/// One row of a price list: a price per base unit from a minimum quantity on,
/// for everyone on the list or (with `customer_no`) for one customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PriceEntry {
    pub price_list: PriceListId,
    pub sku: Sku,
    /// Quantity break in the product's base unit.
    pub min_qty: Decimal,
    /// Set for a customer-specific price.
    pub customer_no: Option<CustomerNo>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    /// Price per base unit.
    pub unit_price: Decimal,
    pub currency: Option<CurrencyCode>,
}

impl PriceEntry {
    /// The natural key: price list, SKU, quantity break (normalised, so `1` and
    /// `1.0` are one break), customer number and valid-from date (empty when unset).
    pub fn natural_key(&self) -> String {
        crate::natural_key(&[
            self.price_list.as_str(),
            self.sku.as_str(),
            &self.min_qty.normalize().to_string(),
            self.customer_no.as_ref().map_or("", |c| c.as_str()),
            &self.valid_from.map(|d| d.to_string()).unwrap_or_default(),
        ])
    }

    pub fn is_valid_on(&self, date: Date) -> bool {
        self.valid_from.is_none_or(|from| from <= date) && self.valid_to.is_none_or(|to| date <= to)
    }
}

/// Where an expected price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceSource {
    CustomerPrice,
    PriceList,
}

/// The price we expect for a line, per base unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedPrice<'a> {
    pub entry: &'a PriceEntry,
    pub source: PriceSource,
}

/// The expected price per base unit of `sku` for a customer on `order_date`:
/// the customer-specific price valid that day with the highest `min_qty` at or
/// below `base_quantity`; failing that, the same from the customer's price list.
///
/// `entries` may hold rows for any SKU and customer; the others are ignored.
pub fn expected_price<'a>(
    entries: &'a [PriceEntry],
    customer_no: &CustomerNo,
    price_list: Option<&PriceListId>,
    sku: &Sku,
    base_quantity: Decimal,
    order_date: Date,
) -> Option<ExpectedPrice<'a>> {
    let best = |wanted: &dyn Fn(&PriceEntry) -> bool| {
        entries
            .iter()
            .filter(|e| &e.sku == sku && e.min_qty <= base_quantity && e.is_valid_on(order_date))
            .filter(|e| wanted(e))
            .max_by(|a, b| a.min_qty.cmp(&b.min_qty).then_with(|| a.valid_from.cmp(&b.valid_from)))
    };
    if let Some(entry) = best(&|e| e.customer_no.as_ref() == Some(customer_no)) {
        return Some(ExpectedPrice {
            entry,
            source: PriceSource::CustomerPrice,
        });
    }
    let list = price_list?;
    best(&|e| e.customer_no.is_none() && &e.price_list == list).map(|entry| ExpectedPrice {
        entry,
        source: PriceSource::PriceList,
    })
}

/// Whether a stated price differs from the expected one beyond both tolerances:
/// the relative (e.g. 0.5 % as `0.005`) and the absolute (e.g. `0.005`).
pub fn price_differs(stated: Decimal, expected: Decimal, relative: Decimal, absolute: Decimal) -> bool {
    let diff = (stated - expected).abs();
    let relative_limit = expected.abs() * relative;
    diff > relative_limit && diff > absolute
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn entry(list: &str, min: Decimal, customer: Option<&str>, price: Decimal) -> PriceEntry {
        PriceEntry {
            price_list: PriceListId::parse(list).unwrap(),
            sku: Sku::parse("A-1").unwrap(),
            min_qty: min,
            customer_no: customer.map(|c| CustomerNo::parse(c).unwrap()),
            valid_from: None,
            valid_to: None,
            unit_price: price,
            currency: Some(CurrencyCode::EUR),
        }
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn quantity_breaks_pick_the_highest_reached() {
        let entries = vec![
            entry("STD", dec!(1), None, dec!(1.00)),
            entry("STD", dec!(100), None, dec!(0.90)),
            entry("STD", dec!(1000), None, dec!(0.80)),
        ];
        let c = CustomerNo::parse("1").unwrap();
        let sku = Sku::parse("A-1").unwrap();
        let list = PriceListId::parse("STD").unwrap();
        let price =
            |q| expected_price(&entries, &c, Some(&list), &sku, q, date("2026-11-22")).map(|p| p.entry.unit_price);
        assert_eq!(price(dec!(1)), Some(dec!(1.00)));
        assert_eq!(price(dec!(99)), Some(dec!(1.00)));
        assert_eq!(price(dec!(100)), Some(dec!(0.90)));
        assert_eq!(price(dec!(5000)), Some(dec!(0.80)));
        assert_eq!(price(dec!(0.5)), None);
    }

    #[test]
    fn customer_prices_win_over_the_list_and_respect_validity() {
        let mut special = entry("STD", dec!(1), Some("7"), dec!(0.70));
        special.valid_from = Some(date("2026-01-01"));
        special.valid_to = Some(date("2026-06-30"));
        let entries = vec![entry("STD", dec!(1), None, dec!(1.00)), special];
        let c = CustomerNo::parse("7").unwrap();
        let sku = Sku::parse("A-1").unwrap();
        let list = PriceListId::parse("STD").unwrap();
        let in_range = expected_price(&entries, &c, Some(&list), &sku, dec!(10), date("2026-03-01")).unwrap();
        assert_eq!(
            (in_range.entry.unit_price, in_range.source),
            (dec!(0.70), PriceSource::CustomerPrice)
        );
        let after = expected_price(&entries, &c, Some(&list), &sku, dec!(10), date("2026-07-01")).unwrap();
        assert_eq!(
            (after.entry.unit_price, after.source),
            (dec!(1.00), PriceSource::PriceList)
        );
        let other_list = PriceListId::parse("EXPORT").unwrap();
        assert!(expected_price(&entries, &c, Some(&other_list), &sku, dec!(10), date("2026-07-01")).is_none());
    }

    #[test]
    fn tolerances_need_both_limits_exceeded() {
        assert!(!price_differs(dec!(0.12), dec!(0.12), dec!(0.005), dec!(0.005)));
        // 0.004 off on 0.12 is over 0.5 % but under the absolute 0.005.
        assert!(!price_differs(dec!(0.124), dec!(0.12), dec!(0.005), dec!(0.005)));
        assert!(price_differs(dec!(0.13), dec!(0.12), dec!(0.005), dec!(0.005)));
        // 0.40 off on 100 is 0.4 %: within.
        assert!(!price_differs(dec!(100.40), dec!(100), dec!(0.005), dec!(0.005)));
        assert!(price_differs(dec!(100.60), dec!(100), dec!(0.005), dec!(0.005)));
    }

    proptest! {
        #[test]
        fn more_quantity_never_costs_more_per_unit(q1 in 1u32..5000, q2 in 1u32..5000) {
            let entries = vec![entry("STD", dec!(1), None, dec!(1.00)), entry("STD", dec!(100), None, dec!(0.90)), entry("STD", dec!(1000), None, dec!(0.80))];
            let c = CustomerNo::parse("1").unwrap();
            let sku = Sku::parse("A-1").unwrap();
            let list = PriceListId::parse("STD").unwrap();
            let (lo, hi) = (q1.min(q2), q1.max(q2));
            let p = |q: u32| expected_price(&entries, &c, Some(&list), &sku, Decimal::from(q), date("2026-11-22")).unwrap().entry.unit_price;
            prop_assert!(p(hi) <= p(lo));
        }
    }
}

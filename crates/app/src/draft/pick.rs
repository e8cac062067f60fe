//! The product picker of the review screen: what a clerk looking for a
//! product as they type sees, with what decides the choice — the customer's
//! price, what is in stock, the pack size.

use domain::pricing::PricingPolicy;
use jiff::civil::Date;
use matching::Catalog;
use rust_decimal::Decimal;

/// One product offered to a clerk.
#[derive(Debug, Clone, PartialEq)]
pub struct Offered {
    pub sku: String,
    pub name: String,
    /// The customer's own number for it, when they have one.
    pub customer_part_no: Option<String>,
    pub gtin: Option<String>,
    /// The unit it is sold in (UN/ECE Rec. 20).
    pub unit: String,
    pub pack_size: Decimal,
    /// The customer's price for one unit today; the list price without a customer.
    pub price: Option<Decimal>,
    pub currency: Option<String>,
    /// In stock today (on hand − reserved).
    pub available: Decimal,
    pub active: bool,
}

/// The products `typed` names for `customer_no`, best first (see [`Catalog::pick`]).
pub fn offer(
    catalog: &Catalog,
    customer_no: Option<&str>,
    typed: &str,
    limit: usize,
    pricing: &PricingPolicy,
    today: Date,
) -> Vec<Offered> {
    let customer = customer_no.and_then(|c| catalog.customer(c));
    catalog
        .pick(customer.map(|c| c.customer_no.as_str()), typed, limit)
        .into_iter()
        .map(|(p, part_no)| {
            let price = match customer {
                Some(c) => super::lines::our_price(catalog, c, p, Decimal::ONE, Decimal::ONE, today, pricing),
                None => p.list_price,
            };
            Offered {
                sku: p.sku.as_str().to_owned(),
                name: p.name.clone(),
                customer_part_no: part_no.map(str::to_owned),
                gtin: p.gtin.as_ref().map(|g| g.as_str().to_owned()),
                unit: p.base_unit.as_str().to_owned(),
                pack_size: p.pack_size,
                price,
                currency: customer.and_then(|c| c.currency).or(p.currency).map(|c| c.to_string()),
                available: domain::stock::available_by(&catalog.stock_of(p.sku.as_str()), today),
                active: p.active,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_product_is_offered_with_the_customers_price() {
        let catalog = crate::quote::tests::catalog();
        let today = jiff::civil::date(2026, 11, 30);
        let policy = PricingPolicy::default();
        let offered = offer(&catalog, Some("10042"), "sechskant", 5, &policy, today);
        assert_eq!(offered.len(), 1, "{offered:?}");
        assert_eq!(offered[0].sku, "A-100");
        assert_eq!(
            offered[0].price,
            Some(dec!(0.12)),
            "the customer's price list, not the list price"
        );
        assert_eq!(offered[0].currency.as_deref(), Some("EUR"));
        let anonymous = offer(&catalog, None, "A-10", 5, &policy, today);
        assert_eq!(
            anonymous[0].price,
            Some(dec!(0.20)),
            "without a customer: the list price"
        );
        assert!(offer(&catalog, Some("10042"), "zylinder m6", 5, &policy, today)[0].sku == "B-200");
    }
}

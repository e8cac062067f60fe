//! Customer part numbers: the customer's own code (and unit) for one of our products.

use rust_decimal::Decimal;

use crate::values::{CustomerNo, CustomerPartNo, Sku, UnitCode};

/// A cross-reference from a customer's part number to our SKU.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CustomerItem {
    pub customer_no: CustomerNo,
    pub customer_part_no: CustomerPartNo,
    pub sku: Option<Sku>,
    /// The unit the customer orders this item in.
    pub customer_uom: Option<UnitCode>,
    /// Base units per customer unit.
    pub factor: Option<Decimal>,
}

impl CustomerItem {
    /// The natural key: customer number and customer part number.
    pub fn natural_key(&self) -> String {
        crate::natural_key(&[self.customer_no.as_str(), self.customer_part_no.as_str()])
    }

    /// The quantity in our base unit for a quantity the customer ordered in `unit`:
    /// multiplied by the factor when `unit` is this item's customer unit, else unchanged.
    pub fn base_quantity(&self, quantity: Decimal, unit: UnitCode) -> Decimal {
        match (self.customer_uom, self.factor) {
            (Some(customer_unit), Some(factor)) if customer_unit == unit => quantity * factor,
            _ => quantity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn converts_only_the_customer_unit() {
        let item = CustomerItem {
            customer_no: CustomerNo::parse("1").unwrap(),
            customer_part_no: CustomerPartNo::parse("77-1034").unwrap(),
            sku: Some(Sku::parse("HB-M8-40-A2").unwrap()),
            customer_uom: Some(UnitCode::parse("BX").unwrap()),
            factor: Some(dec!(100)),
        };
        assert_eq!(item.base_quantity(dec!(5), UnitCode::parse("BX").unwrap()), dec!(500));
        assert_eq!(item.base_quantity(dec!(5), UnitCode::PIECE), dec!(5));
    }
}

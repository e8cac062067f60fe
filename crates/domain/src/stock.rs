//! Stock per warehouse and what is available by a date.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::values::{Sku, WarehouseId};

/// Stock of one product in one warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StockLevel {
    pub sku: Sku,
    pub warehouse: WarehouseId,
    pub on_hand: Decimal,
    pub reserved: Decimal,
    pub next_receipt_date: Option<Date>,
    pub next_receipt_qty: Option<Decimal>,
}

impl StockLevel {
    /// The natural key: SKU and warehouse.
    pub fn natural_key(&self) -> String {
        crate::natural_key(&[self.sku.as_str(), self.warehouse.as_str()])
    }
}

/// Σ (on hand − reserved) over all warehouses, plus receipts due on or before `by`.
pub fn available_by(levels: &[StockLevel], by: Date) -> Decimal {
    levels
        .iter()
        .map(|l| {
            let receipt = match (l.next_receipt_date, l.next_receipt_qty) {
                (Some(date), Some(qty)) if date <= by => qty,
                _ => Decimal::ZERO,
            };
            l.on_hand - l.reserved + receipt
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn receipts_count_only_when_due() {
        let level = |wh: &str, on_hand, reserved, receipt: Option<(&str, Decimal)>| StockLevel {
            sku: Sku::parse("A").unwrap(),
            warehouse: WarehouseId::parse(wh).unwrap(),
            on_hand,
            reserved,
            next_receipt_date: receipt.map(|(d, _)| d.parse().unwrap()),
            next_receipt_qty: receipt.map(|(_, q)| q),
        };
        let levels = vec![
            level("MAIN", dec!(100), dec!(30), Some(("2026-12-01", dec!(50)))),
            level("SOUTH", dec!(10), dec!(0), None),
        ];
        assert_eq!(available_by(&levels, "2026-11-30".parse().unwrap()), dec!(80));
        assert_eq!(available_by(&levels, "2026-12-01".parse().unwrap()), dec!(130));
    }
}

//! Products of our catalog and the quantity rules they carry.

use rust_decimal::Decimal;

use crate::values::{CurrencyCode, Sku, UnitCode, ValueError};

/// A GTIN (EAN-8, UPC-A, EAN-13 or GTIN-14) with a correct check digit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "String", into = "String"))]
pub struct Gtin(String);

impl Gtin {
    pub fn parse(raw: &str) -> Result<Self, GtinError> {
        if !matches!(raw.len(), 8 | 12 | 13 | 14) || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(GtinError::Shape(raw.to_owned()));
        }
        let digits: Vec<u32> = raw.bytes().map(|b| u32::from(b - b'0')).collect();
        let (body, check) = digits.split_at(digits.len() - 1);
        // Weights 3,1,3,… from the rightmost body digit.
        let sum: u32 = body
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
            .sum();
        let expected = (10 - sum % 10) % 10;
        if expected != check[0] {
            return Err(GtinError::CheckDigit {
                value: raw.to_owned(),
                expected,
            });
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GtinError {
    #[error("'{0}' is not a GTIN (8, 12, 13 or 14 digits)")]
    Shape(String),
    #[error("GTIN '{value}' has a wrong check digit (expected {expected})")]
    CheckDigit { value: String, expected: u32 },
}

#[cfg(feature = "serde")]
impl TryFrom<String> for Gtin {
    type Error = GtinError;
    fn try_from(raw: String) -> Result<Self, GtinError> {
        Gtin::parse(&raw)
    }
}

#[cfg(feature = "serde")]
impl From<Gtin> for String {
    fn from(gtin: Gtin) -> String {
        gtin.0
    }
}

impl From<GtinError> for ValueError {
    fn from(e: GtinError) -> Self {
        match e {
            GtinError::Shape(v) | GtinError::CheckDigit { value: v, .. } => {
                ValueError::BadCharacters { what: "GTIN", value: v }
            }
        }
    }
}

/// One product of our catalog.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Product {
    pub sku: Sku,
    pub name: String,
    pub description: Option<String>,
    pub gtin: Option<Gtin>,
    pub base_unit: UnitCode,
    /// Order quantities (in the base unit) must be a multiple of this.
    pub pack_size: Decimal,
    pub min_order_qty: Decimal,
    /// Price per base unit in `currency`.
    pub list_price: Option<Decimal>,
    pub currency: Option<CurrencyCode>,
    pub cost: Option<Decimal>,
    /// Days from order to ship when not in stock.
    pub lead_time_days: Option<u32>,
    pub product_group: Option<String>,
    /// Inactive products cannot be ordered.
    pub active: bool,
    /// `key=value` attributes in file order (thread=M8, length_mm=40 …).
    pub attributes: Vec<(String, String)>,
}

/// What is wrong with an ordered quantity of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantityProblem {
    /// Not a multiple of the pack size.
    PackSize { pack_size: Decimal },
    /// Below the minimum order quantity.
    BelowMinimum { minimum: Decimal },
}

impl Product {
    /// The natural key of the import format: the SKU.
    pub fn natural_key(&self) -> String {
        self.sku.to_string()
    }

    /// Checks a quantity in the base unit against pack size and minimum.
    pub fn check_quantity(&self, base_quantity: Decimal) -> Vec<QuantityProblem> {
        let mut problems = Vec::new();
        if self.pack_size > Decimal::ZERO && !(base_quantity % self.pack_size).is_zero() {
            problems.push(QuantityProblem::PackSize {
                pack_size: self.pack_size,
            });
        }
        if base_quantity < self.min_order_qty {
            problems.push(QuantityProblem::BelowMinimum {
                minimum: self.min_order_qty,
            });
        }
        problems
    }

    /// The attribute value for `key`, if the product has it.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn product(pack: Decimal, min: Decimal) -> Product {
        Product {
            sku: Sku::parse("HB-M8-40-A2").unwrap(),
            name: "Sechskantschraube M8x40 A2".into(),
            description: None,
            gtin: None,
            base_unit: UnitCode::PIECE,
            pack_size: pack,
            min_order_qty: min,
            list_price: Some(dec!(0.12)),
            currency: Some(CurrencyCode::EUR),
            cost: None,
            lead_time_days: Some(10),
            product_group: None,
            active: true,
            attributes: vec![("thread".into(), "M8".into())],
        }
    }

    #[test]
    fn gtin_check_digit() {
        assert!(Gtin::parse("4006381333931").is_ok());
        assert!(Gtin::parse("4006381333932").is_err());
        assert!(Gtin::parse("96385074").is_ok());
        assert!(Gtin::parse("036000291452").is_ok());
        assert!(Gtin::parse("12345").is_err());
    }

    #[test]
    fn pack_size_and_minimum() {
        let p = product(dec!(100), dec!(200));
        assert!(p.check_quantity(dec!(500)).is_empty());
        assert_eq!(
            p.check_quantity(dec!(550)),
            vec![QuantityProblem::PackSize { pack_size: dec!(100) }]
        );
        assert_eq!(
            p.check_quantity(dec!(100)),
            vec![QuantityProblem::BelowMinimum { minimum: dec!(200) }]
        );
        assert_eq!(p.attribute("thread"), Some("M8"));
    }

    proptest! {
        #[test]
        fn multiples_of_the_pack_size_always_pass(packs in 1u32..10_000, pack in 1u32..1000) {
            let p = product(Decimal::from(pack), Decimal::ONE);
            prop_assert!(p.check_quantity(Decimal::from(packs) * Decimal::from(pack)).is_empty());
        }

        #[test]
        fn off_by_one_unit_fails_the_pack_size(packs in 1u32..10_000, pack in 2u32..1000) {
            let p = product(Decimal::from(pack), Decimal::ONE);
            let q = Decimal::from(packs) * Decimal::from(pack) + Decimal::ONE;
            let expected = QuantityProblem::PackSize { pack_size: Decimal::from(pack) };
            prop_assert!(p.check_quantity(q).contains(&expected));
        }
    }
}

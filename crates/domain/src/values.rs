//! Validated value types: identifiers, currency and unit codes, money and quantities.
//!
//! Each type has a `parse` constructor and private fields, so an invalid value
//! cannot be built ("parse, don't validate"). Money and quantities are
//! `rust_decimal::Decimal`, never floats.

use std::fmt;

use rust_decimal::Decimal;
use std::str::FromStr;

/// Why a value could not be parsed. The message names the value and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("{what} is empty")]
    Empty { what: &'static str },
    #[error("{what} '{value}' is too long (at most {max} characters)")]
    TooLong {
        what: &'static str,
        value: String,
        max: usize,
    },
    #[error("{what} '{value}' contains a control character or leading/trailing space")]
    BadCharacters { what: &'static str, value: String },
    #[error("'{0}' is not an ISO 4217 currency code (three capital letters, e.g. EUR)")]
    Currency(String),
    #[error("'{0}' is not a known UN/ECE Rec. 20 unit code (e.g. C62 piece, KGM, MTR, LTR, BX, PK, SET)")]
    Unit(String),
    #[error("'{0}' is not a decimal number (use a dot as decimal separator, e.g. 12.50)")]
    Decimal(String),
    #[error("'{value}' must not be negative ({what})")]
    Negative { what: &'static str, value: String },
    #[error("'{0}' is not an ISO date (YYYY-MM-DD)")]
    Date(String),
    #[error("'{0}' is not true or false")]
    Bool(String),
}

fn check_identifier(what: &'static str, raw: &str, max: usize) -> Result<String, ValueError> {
    if raw.is_empty() {
        return Err(ValueError::Empty { what });
    }
    if raw.chars().count() > max {
        return Err(ValueError::TooLong {
            what,
            value: raw.to_owned(),
            max,
        });
    }
    if raw.trim() != raw || raw.chars().any(char::is_control) {
        return Err(ValueError::BadCharacters {
            what,
            value: raw.to_owned(),
        });
    }
    Ok(raw.to_owned())
}

macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "serde", serde(try_from = "String", into = "String"))]
        pub struct $name(String);

        #[cfg(feature = "serde")]
        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(raw: String) -> Result<Self, ValueError> {
                check_identifier($what, &raw, $max)?;
                Ok(Self(raw))
            }
        }

        #[cfg(feature = "serde")]
        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, ValueError> {
                check_identifier($what, raw, $max).map(Self)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

identifier!(
    /// Our article number.
    Sku, "SKU", 64
);
identifier!(
    /// Our customer number.
    CustomerNo, "customer number", 64
);
identifier!(
    /// The customer's own article number for one of our products.
    CustomerPartNo, "customer part number", 64
);
identifier!(
    /// A price list's id.
    PriceListId, "price list", 64
);
identifier!(
    /// A ship-to address id, unique per customer.
    AddressId, "address id", 64
);
identifier!(
    /// A warehouse id.
    WarehouseId, "warehouse", 64
);

/// An ISO 4217 currency code such as `EUR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CurrencyCode([u8; 3]);

impl CurrencyCode {
    pub const EUR: CurrencyCode = CurrencyCode(*b"EUR");

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let bytes = raw.as_bytes();
        if bytes.len() == 3 && bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Self([bytes[0], bytes[1], bytes[2]]))
        } else {
            Err(ValueError::Currency(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        // Constructed only from ASCII capitals.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for CurrencyCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for CurrencyCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        CurrencyCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The UN/ECE Recommendation 20 codes Orderdesk accepts, with an English name.
///
/// The commonly traded units of a distributor; package codes that Rec. 21
/// folds into Rec. 20 (BX, PK, CT …) are included because customers order in them.
pub const UNIT_CODES: &[(&str, &str)] = &[
    ("C62", "piece"),
    ("H87", "piece"),
    ("EA", "each"),
    ("PR", "pair"),
    ("SET", "set"),
    ("DZN", "dozen"),
    ("GRO", "gross"),
    ("HUN", "hundred"),
    ("MIL", "thousand"),
    ("BX", "box"),
    ("PK", "pack"),
    ("CT", "carton"),
    ("CS", "case"),
    ("BG", "bag"),
    ("BO", "bottle"),
    ("CA", "can"),
    ("DR", "drum"),
    ("PA", "packet"),
    ("PL", "pail"),
    ("PF", "pallet (lift)"),
    ("PX", "pallet"),
    ("RL", "reel"),
    ("RO", "roll"),
    ("TU", "tube"),
    ("CR", "crate"),
    ("CL", "coil"),
    ("SA", "sack"),
    ("KT", "kit"),
    ("BE", "bundle"),
    ("KGM", "kilogram"),
    ("GRM", "gram"),
    ("MGM", "milligram"),
    ("TNE", "tonne"),
    ("LBR", "pound"),
    ("ONZ", "ounce"),
    ("MTR", "metre"),
    ("CMT", "centimetre"),
    ("MMT", "millimetre"),
    ("KMT", "kilometre"),
    ("INH", "inch"),
    ("FOT", "foot"),
    ("YRD", "yard"),
    ("MTK", "square metre"),
    ("FTK", "square foot"),
    ("MTQ", "cubic metre"),
    ("LTR", "litre"),
    ("MLT", "millilitre"),
    ("CLT", "centilitre"),
    ("HLT", "hectolitre"),
    ("GLL", "gallon (US)"),
    ("HUR", "hour"),
    ("MIN", "minute"),
    ("DAY", "day"),
    ("WEE", "week"),
    ("MON", "month"),
    ("ANN", "year"),
    ("KWH", "kilowatt hour"),
    ("E48", "service unit"),
    ("LS", "lump sum"),
];

/// A UN/ECE Rec. 20 unit code such as `C62` (piece) or `KGM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitCode(&'static str);

impl UnitCode {
    pub const PIECE: UnitCode = UnitCode("C62");

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        UNIT_CODES
            .iter()
            .find(|(code, _)| *code == raw)
            .map(|(code, _)| Self(code))
            .ok_or_else(|| ValueError::Unit(raw.to_owned()))
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }

    pub fn name(&self) -> &'static str {
        UNIT_CODES
            .iter()
            .find(|(code, _)| *code == self.0)
            .map(|(_, name)| *name)
            .unwrap_or("")
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for UnitCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for UnitCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        UnitCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Parses a decimal written with a dot, as the import formats require.
///
/// Rejects thousands separators, commas, exponents and surrounding space, so
/// that `1,5` is never read as 15 or 1.5 by accident.
pub fn parse_decimal(raw: &str) -> Result<Decimal, ValueError> {
    let valid_shape = {
        let digits = raw.strip_prefix('-').unwrap_or(raw);
        let mut parts = digits.splitn(2, '.');
        let int = parts.next().unwrap_or("");
        let frac = parts.next();
        !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
    };
    if !valid_shape {
        return Err(ValueError::Decimal(raw.to_owned()));
    }
    Decimal::from_str(raw).map_err(|_| ValueError::Decimal(raw.to_owned()))
}

/// Parses a decimal that must be zero or more.
pub fn parse_non_negative(what: &'static str, raw: &str) -> Result<Decimal, ValueError> {
    let value = parse_decimal(raw)?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(ValueError::Negative {
            what,
            value: raw.to_owned(),
        });
    }
    Ok(value)
}

/// Parses an ISO date `YYYY-MM-DD`.
pub fn parse_date(raw: &str) -> Result<jiff::civil::Date, ValueError> {
    if raw.len() != 10 {
        return Err(ValueError::Date(raw.to_owned()));
    }
    raw.parse::<jiff::civil::Date>()
        .map_err(|_| ValueError::Date(raw.to_owned()))
}

/// Parses `true`/`false` (any case; also `1`/`0`, `yes`/`no`).
pub fn parse_bool(raw: &str) -> Result<bool, ValueError> {
    match raw.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(ValueError::Bool(raw.to_owned())),
    }
}

/// An amount of money in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    currency: CurrencyCode,
}

/// Money in two currencies cannot be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot combine {left} with {right}")]
pub struct CurrencyMismatch {
    pub left: CurrencyCode,
    pub right: CurrencyCode,
}

impl Money {
    pub fn new(amount: Decimal, currency: CurrencyCode) -> Self {
        Self { amount, currency }
    }
    pub fn zero(currency: CurrencyCode) -> Self {
        Self::new(Decimal::ZERO, currency)
    }
    pub fn amount(&self) -> Decimal {
        self.amount
    }
    pub fn currency(&self) -> CurrencyCode {
        self.currency
    }
    pub fn checked_add(self, other: Money) -> Result<Money, CurrencyMismatch> {
        if self.currency != other.currency {
            return Err(CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            });
        }
        Ok(Money::new(self.amount + other.amount, self.currency))
    }
    /// Rounded to two places, half away from zero, as invoices show it.
    pub fn rounded(self) -> Money {
        Money::new(
            self.amount
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
            self.currency,
        )
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// A quantity in a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quantity {
    value: Decimal,
    unit: UnitCode,
}

impl Quantity {
    pub fn new(value: Decimal, unit: UnitCode) -> Self {
        Self { value, unit }
    }
    pub fn value(&self) -> Decimal {
        self.value
    }
    pub fn unit(&self) -> UnitCode {
        self.unit
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value.normalize(), self.unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn decimals_need_a_dot_and_digits() {
        assert_eq!(parse_decimal("12.50").unwrap(), dec!(12.50));
        assert_eq!(parse_decimal("-3").unwrap(), dec!(-3));
        for bad in ["1,5", "1.234,56", " 1", "1e3", "", ".5", "5.", "abc", "1.2.3", "+1"] {
            assert!(parse_decimal(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn non_negative_rejects_negative_values() {
        assert!(parse_non_negative("price", "-0.01").is_err());
        assert_eq!(parse_non_negative("price", "0").unwrap(), Decimal::ZERO);
    }

    #[test]
    fn unit_codes_are_rec20() {
        assert_eq!(UnitCode::parse("KGM").unwrap().name(), "kilogram");
        assert!(UnitCode::parse("kg").is_err());
        assert!(UnitCode::parse("XYZ").is_err());
    }

    #[test]
    fn currency_codes_are_three_capitals() {
        assert_eq!(CurrencyCode::parse("CHF").unwrap().as_str(), "CHF");
        for bad in ["eur", "EURO", "E1R", ""] {
            assert!(CurrencyCode::parse(bad).is_err());
        }
    }

    #[test]
    fn identifiers_reject_padding_and_control_characters() {
        assert!(Sku::parse("HB-M8-40-A2").is_ok());
        assert!(Sku::parse(" HB").is_err());
        assert!(Sku::parse("A\tB").is_err());
        assert!(Sku::parse("").is_err());
        assert!(Sku::parse(&"x".repeat(65)).is_err());
    }

    #[test]
    fn dates_are_iso() {
        assert_eq!(parse_date("2026-11-22").unwrap().day(), 22);
        for bad in ["22.11.2026", "2026-2-1", "2026-13-01", "2026-02-30"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn money_refuses_mixed_currencies() {
        let eur = Money::new(dec!(1), CurrencyCode::EUR);
        let usd = Money::new(dec!(1), CurrencyCode::parse("USD").unwrap());
        assert!(eur.checked_add(usd).is_err());
        assert_eq!(eur.checked_add(eur).unwrap().amount(), dec!(2));
    }

    proptest! {
        #[test]
        fn decimal_text_round_trips(mantissa in -10_000_000_000i64..10_000_000_000i64, scale in 0u32..6) {
            let value = Decimal::new(mantissa, scale);
            let text = value.to_string();
            prop_assert_eq!(parse_decimal(&text).unwrap(), value);
        }

        #[test]
        fn money_addition_is_exact_and_commutative(a in -1_000_000_000i64..1_000_000_000, b in -1_000_000_000i64..1_000_000_000) {
            let x = Money::new(Decimal::new(a, 2), CurrencyCode::EUR);
            let y = Money::new(Decimal::new(b, 3), CurrencyCode::EUR);
            let sum = x.checked_add(y).unwrap();
            prop_assert_eq!(sum, y.checked_add(x).unwrap());
            prop_assert_eq!(sum.amount() - y.amount(), x.amount());
        }

        #[test]
        fn rounding_moves_at_most_half_a_cent(a in -1_000_000_000i64..1_000_000_000) {
            let m = Money::new(Decimal::new(a, 4), CurrencyCode::EUR);
            let diff = (m.rounded().amount() - m.amount()).abs();
            prop_assert!(diff <= dec!(0.005));
        }
    }
}

//! Customers and their ship-to addresses.

use rust_decimal::Decimal;

use crate::values::{AddressId, CurrencyCode, CustomerNo, PriceListId};

/// A postal address. Country is ISO 3166 alpha-2 when known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PostalAddress {
    pub street: Option<String>,
    pub zip: Option<String>,
    pub city: Option<String>,
    pub country: Option<CountryCode>,
}

/// An ISO 3166-1 alpha-2 country code such as `DE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "String", into = "String"))]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    pub fn parse(raw: &str) -> Result<Self, crate::ValueError> {
        let b = raw.as_bytes();
        if b.len() == 2 && b.iter().all(u8::is_ascii_uppercase) {
            Ok(Self([b[0], b[1]]))
        } else {
            Err(crate::ValueError::BadCharacters {
                what: "country (ISO 3166 alpha-2, e.g. DE)",
                value: raw.to_owned(),
            })
        }
    }
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

#[cfg(feature = "serde")]
impl TryFrom<String> for CountryCode {
    type Error = crate::ValueError;
    fn try_from(raw: String) -> Result<Self, crate::ValueError> {
        CountryCode::parse(&raw)
    }
}

#[cfg(feature = "serde")]
impl From<CountryCode> for String {
    fn from(code: CountryCode) -> String {
        code.as_str().to_owned()
    }
}

/// A customer of ours, as the back office knows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Customer {
    pub customer_no: CustomerNo,
    pub name: String,
    pub vat_id: Option<String>,
    /// Sender domains that belong to this customer (lower case, no `@`).
    pub email_domains: Vec<String>,
    /// Known sender addresses (lower case).
    pub emails: Vec<String>,
    /// Language for documents and mails to the customer (`de`, `en`, …).
    pub language: Option<String>,
    pub currency: Option<CurrencyCode>,
    pub price_list: Option<PriceListId>,
    pub credit_limit: Option<Decimal>,
    pub open_balance: Option<Decimal>,
    pub payment_terms: Option<String>,
    pub territory: Option<String>,
    pub sales_rep: Option<String>,
    pub billing_address: PostalAddress,
}

impl Customer {
    /// The natural key of the import format: the customer number.
    pub fn natural_key(&self) -> String {
        self.customer_no.to_string()
    }

    /// The credit still available, or `None` when no limit is set.
    pub fn credit_available(&self) -> Option<Decimal> {
        self.credit_limit
            .map(|limit| limit - self.open_balance.unwrap_or(Decimal::ZERO))
    }

    /// Whether an order of `order_value` would take the customer over the limit.
    pub fn exceeds_credit_limit(&self, order_value: Decimal) -> bool {
        self.credit_available().is_some_and(|available| order_value > available)
    }

    /// Whether a sender address belongs to this customer, by address or by domain.
    pub fn knows_sender(&self, sender: &str) -> bool {
        let sender = sender.trim().to_ascii_lowercase();
        if self.emails.contains(&sender) {
            return true;
        }
        sender
            .rsplit_once('@')
            .is_some_and(|(_, domain)| self.email_domains.iter().any(|d| d == domain))
    }
}

/// A delivery address of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ShipToAddress {
    pub customer_no: CustomerNo,
    pub address_id: AddressId,
    pub name: Option<String>,
    pub street: Option<String>,
    pub zip: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: Option<CountryCode>,
    /// The customer's default delivery address.
    pub is_default: bool,
}

impl ShipToAddress {
    /// The natural key: customer number and address id.
    pub fn natural_key(&self) -> String {
        crate::natural_key(&[self.customer_no.as_str(), self.address_id.as_str()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn customer() -> Customer {
        Customer {
            customer_no: CustomerNo::parse("10042").unwrap(),
            name: "Muster GmbH".into(),
            vat_id: None,
            email_domains: vec!["muster.de".into()],
            emails: vec!["einkauf@muster-gruppe.com".into()],
            language: Some("de".into()),
            currency: Some(CurrencyCode::EUR),
            price_list: None,
            credit_limit: Some(dec!(10000)),
            open_balance: Some(dec!(9500)),
            payment_terms: None,
            territory: None,
            sales_rep: None,
            billing_address: PostalAddress::default(),
        }
    }

    #[test]
    fn credit_limit_counts_the_open_balance() {
        let c = customer();
        assert_eq!(c.credit_available(), Some(dec!(500)));
        assert!(!c.exceeds_credit_limit(dec!(500)));
        assert!(c.exceeds_credit_limit(dec!(500.01)));
        let unlimited = Customer {
            credit_limit: None,
            ..customer()
        };
        assert!(!unlimited.exceeds_credit_limit(dec!(1000000)));
    }

    #[test]
    fn senders_are_known_by_address_or_domain() {
        let c = customer();
        assert!(c.knows_sender("Anna.Schmidt@MUSTER.de"));
        assert!(c.knows_sender("einkauf@muster-gruppe.com"));
        assert!(!c.knows_sender("other@muster-gruppe.com"));
        assert!(!c.knows_sender("x@notmuster.de"));
    }

    #[test]
    fn country_codes_are_two_capitals() {
        assert!(CountryCode::parse("DE").is_ok());
        assert!(CountryCode::parse("de").is_err());
        assert!(CountryCode::parse("DEU").is_err());
    }
}

//! The draft: what Orderdesk read from a message and made of it, as typed data.
//!
//! One [`Draft`] per order (or other message) is the working model of the
//! review desk, and its serde form is the extraction JSON of the contract
//! (`orderdesk.extraction/1`): kinds, decisions, exception codes and
//! severities by their contract names, decimals as normalized text (`"12.5"`),
//! dates as ISO dates. [`Draft::to_json`] and [`Draft::from_json`] are the one
//! place where a draft becomes text and back.

use std::collections::BTreeMap;

use domain::CurrencyCode;
use domain::exception::{ExceptionCode, OrderException, Severity};
use domain::message::MessageKind;
use domain::review::{ReadField, ReviewReason};
use domain::validation::Decision;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "orderdesk.extraction/1";

/// The customer a draft is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftCustomer {
    pub customer_no: String,
    pub confidence: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What identified the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched_via: Option<CustomerFoundBy>,
}

/// What identified a draft's customer (the contract's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerFoundBy {
    CustomerNo,
    BuyerId,
    VatId,
    SenderEmail,
    SenderDomain,
    QuotedEmail,
    Name,
    NameAndAddress,
    /// A reviewer set it.
    Reviewer,
}

impl From<matching::CustomerVia> for CustomerFoundBy {
    fn from(via: matching::CustomerVia) -> CustomerFoundBy {
        use matching::CustomerVia as V;
        match via {
            V::CustomerNo => CustomerFoundBy::CustomerNo,
            V::BuyerId => CustomerFoundBy::BuyerId,
            V::VatId => CustomerFoundBy::VatId,
            V::SenderEmail => CustomerFoundBy::SenderEmail,
            V::SenderDomain => CustomerFoundBy::SenderDomain,
            V::QuotedEmail => CustomerFoundBy::QuotedEmail,
            V::Name => CustomerFoundBy::Name,
            V::NameAndAddress => CustomerFoundBy::NameAndAddress,
        }
    }
}

/// How a line's product was found (the contract's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductFoundBy {
    CustomerPartNo,
    Sku,
    Gtin,
    Description,
    /// A reviewer set it.
    Reviewer,
}

impl From<matching::MatchedVia> for ProductFoundBy {
    fn from(via: matching::MatchedVia) -> ProductFoundBy {
        use matching::MatchedVia as V;
        match via {
            V::CustomerPartNo => ProductFoundBy::CustomerPartNo,
            V::Sku => ProductFoundBy::Sku,
            V::Gtin => ProductFoundBy::Gtin,
            V::Description => ProductFoundBy::Description,
        }
    }
}

impl CustomerFoundBy {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerFoundBy::CustomerNo => "customer_no",
            CustomerFoundBy::BuyerId => "buyer_id",
            CustomerFoundBy::VatId => "vat_id",
            CustomerFoundBy::SenderEmail => "sender_email",
            CustomerFoundBy::SenderDomain => "sender_domain",
            CustomerFoundBy::QuotedEmail => "quoted_email",
            CustomerFoundBy::Name => "name",
            CustomerFoundBy::NameAndAddress => "name_and_address",
            CustomerFoundBy::Reviewer => "reviewer",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DraftShipTo {
    pub address_id: Option<String>,
    pub name: Option<String>,
    pub street: Option<String>,
    pub zip: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
}

/// Another product a line might mean, with the matcher's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alternative {
    pub sku: String,
    pub score: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftLine {
    pub line_no: u32,
    pub sku: Option<String>,
    pub customer_part_no: Option<String>,
    pub description: Option<String>,
    #[serde(default, with = "decimal_text")]
    pub quantity: Option<Decimal>,
    /// The unit as a UN/ECE Rec. 20 code, or as printed when it is not one.
    pub uom: Option<String>,
    #[serde(default, with = "decimal_text")]
    pub unit_price: Option<Decimal>,
    pub delivery_date: Option<Date>,
    pub confidence: f64,
    pub alternatives: Vec<Alternative>,
    /// The customer's own line number (10, 20 …) as printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_line_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gtin: Option<String>,
    /// The quantity in the product's base unit.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "decimal_text")]
    pub base_quantity: Option<Decimal>,
    /// Our price per ordered unit.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "decimal_text")]
    pub expected_price: Option<Decimal>,
    /// How the product was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched_via: Option<ProductFoundBy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_type: Option<String>,
    /// The product code as the customer printed it (their part number, our SKU or a code of unknown owner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub printed_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<extract::Source>,
    /// A line a person wrote in their own words with its own price (a
    /// special make, a service, freight): it names no product and is
    /// confirmed as it stands.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub free_text: bool,
}

impl DraftLine {
    /// The price the line is sold at: the one the customer stated, else ours.
    pub fn effective_price(&self) -> Option<Decimal> {
        self.unit_price.or(self.expected_price)
    }

    /// Quantity × price, rounded to cents, when both are known.
    pub fn total(&self) -> Option<Decimal> {
        Some((self.quantity? * self.effective_price()?).round_dp(2))
    }

    /// How the line is named to a clerk: the customer's code, ours, or the description.
    pub fn label(&self) -> String {
        self.customer_part_no
            .clone()
            .or_else(|| self.printed_code.clone())
            .or_else(|| self.sku.clone())
            .or_else(|| self.description.clone())
            .unwrap_or_else(|| "(no code or description)".into())
    }
}

/// One finding of the checks on a draft, and how a reviewer dealt with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftException {
    pub code: ExceptionCode,
    pub severity: Severity,
    pub line_no: Option<u32>,
    pub message: String,
    /// Who accepted or cleared it in review, and why (an exception stays on record once resolved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
}

impl DraftException {
    pub fn is_open(&self) -> bool {
        self.resolved_by.is_none()
    }
}

impl From<&OrderException> for DraftException {
    fn from(e: &OrderException) -> DraftException {
        DraftException {
            code: e.code,
            severity: e.severity,
            line_no: e.line_no,
            message: e.message.clone(),
            resolved_by: None,
            resolution: None,
        }
    }
}

/// Confidence and source of one header value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldInfo {
    pub confidence: f64,
    pub source: extract::Source,
}

/// The draft: the extraction JSON of the contract, plus optional extras.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub schema: String,
    pub kind: MessageKind,
    pub customer: Option<DraftCustomer>,
    pub po_number: Option<String>,
    pub order_date: Option<Date>,
    pub requested_delivery_date: Option<Date>,
    pub currency: Option<CurrencyCode>,
    #[serde(default, with = "decimal_text")]
    pub stated_total: Option<Decimal>,
    pub ship_to: Option<DraftShipTo>,
    pub lines: Vec<DraftLine>,
    pub exceptions: Vec<DraftException>,
    pub decision: Decision,
    #[serde(default)]
    pub kind_reason: String,
    /// Why the draft waits for a person (besides blocking exceptions).
    #[serde(default)]
    pub review_reasons: Vec<ReviewReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
    /// The date of a document that is no order (an invoice, a delivery note).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incoterms: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_terms: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Confidence and source of each header value read.
    #[serde(default)]
    pub fields: BTreeMap<ReadField, FieldInfo>,
    /// The answer drafted for a person to edit and send (a status inquiry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    /// The order the message is about, when one was found (a status inquiry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<i64>,
}

/// A stored draft that cannot be read back.
#[derive(Debug, thiserror::Error)]
#[error("the stored draft cannot be read: {0}")]
pub struct UnreadableDraft(#[from] serde_json::Error);

impl Draft {
    /// An empty draft of a kind, waiting for review: nothing read yet.
    pub fn new(kind: MessageKind) -> Draft {
        Draft {
            schema: SCHEMA.into(),
            kind,
            customer: None,
            po_number: None,
            order_date: None,
            requested_delivery_date: None,
            currency: None,
            stated_total: None,
            ship_to: None,
            lines: Vec::new(),
            exceptions: Vec::new(),
            decision: Decision::Review,
            kind_reason: String::new(),
            review_reasons: Vec::new(),
            sender: None,
            subject: None,
            document_number: None,
            document_date: None,
            incoterms: None,
            payment_terms: None,
            contact: None,
            notes: None,
            fields: BTreeMap::new(),
            reply: None,
            order_id: None,
        }
    }

    /// The extraction JSON.
    pub fn to_json(&self) -> String {
        // A draft is plain data with string keys: serialising it cannot fail.
        serde_json::to_string(self).expect("a draft serialises")
    }

    /// The extraction JSON, indented (what `orderdesk extract` prints).
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a draft serialises")
    }

    pub fn from_json(json: &str) -> Result<Draft, UnreadableDraft> {
        Ok(serde_json::from_str(json)?)
    }

    /// Whether it can become an order (orders and order changes can).
    pub fn is_order(&self) -> bool {
        matches!(self.kind, MessageKind::Order | MessageKind::OrderChange)
    }

    pub fn has_exception(&self, code: ExceptionCode) -> bool {
        self.exceptions.iter().any(|e| e.code == code)
    }

    /// Decides again from the reasons and exceptions it now has.
    pub fn decide(&mut self) {
        let open: Vec<OrderException> = self
            .exceptions
            .iter()
            .filter(|e| e.is_open())
            .map(|e| OrderException {
                code: e.code,
                severity: e.severity,
                line_no: e.line_no,
                message: String::new(),
            })
            .collect();
        self.decision = domain::review::decide(self.kind, &self.review_reasons, &open);
    }

    /// The sum of the line totals; `None` when no line has both quantity and price.
    pub fn total(&self) -> Option<Decimal> {
        self.lines.iter().filter_map(DraftLine::total).reduce(|a, b| a + b)
    }
}

/// Optional decimals as normalized text (`"12.5"`, never `"12.50"`), the contract's form.
pub(crate) mod decimal_text {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => s.collect_str(&d.normalize()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        match Option::<std::borrow::Cow<'de, str>>::deserialize(d)? {
            None => Ok(None),
            Some(text) => text
                .parse::<Decimal>()
                .map(Some)
                .map_err(|e| serde::de::Error::custom(format!("'{text}' is not a decimal: {e}"))),
        }
    }
}

/// Three decimals, as confidences are shown.
pub(crate) fn round3(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_and_dates_are_text_and_read_back() {
        let json = r#"{"line_no":1,"sku":"A","customer_part_no":null,"description":null,"quantity":"12.50",
            "uom":"C62","unit_price":null,"delivery_date":"2026-12-01","confidence":0.9,"alternatives":[],
            "base_quantity":"25"}"#;
        let line: DraftLine = serde_json::from_str(json).unwrap();
        assert_eq!(line.quantity, Some(Decimal::new(125, 1)));
        assert_eq!(line.delivery_date, Some(jiff::civil::date(2026, 12, 1)));
        let back = serde_json::to_string(&line).unwrap();
        assert!(back.contains(r#""quantity":"12.5""#), "{back}");
        assert!(back.contains(r#""unit_price":null"#), "{back}");
        assert!(!back.contains("expected_price"), "{back}");
        let bad = json.replace("\"12.50\"", "\"twelve\"");
        let e = serde_json::from_str::<DraftLine>(&bad).unwrap_err().to_string();
        assert!(e.contains("'twelve' is not a decimal"), "{e}");
    }

    #[test]
    fn the_decision_follows_reasons_and_open_blockers() {
        let mut d = Draft::new(MessageKind::Order);
        d.decision = Decision::StraightThrough;
        d.exceptions.push(DraftException {
            code: ExceptionCode::UnknownProduct,
            severity: Severity::Blocking,
            line_no: Some(1),
            message: "x".into(),
            resolved_by: None,
            resolution: None,
        });
        d.decide();
        assert_eq!(d.decision, Decision::Review);
        d.exceptions[0].resolved_by = Some("anna".into());
        d.decide();
        assert_eq!(d.decision, Decision::StraightThrough);
        d.review_reasons.push(ReviewReason::NoPoNumber);
        d.decide();
        assert_eq!(d.decision, Decision::Review);
        let json = d.to_json();
        assert!(json.contains(r#""decision":"review""#) && json.contains(r#""kind":"order""#));
        assert!(json.contains(r#""review_reasons":["no PO number found"]"#), "{json}");
        assert!(
            json.contains(r#""code":"unknown_product","severity":"blocking""#),
            "{json}"
        );
        assert_eq!(Draft::from_json(&json).unwrap(), d);
    }
}

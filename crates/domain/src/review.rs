//! Why a draft waits for a person, where a draft stands, and the decision.
//!
//! A draft goes straight through only when it is an order, nothing blocks it
//! and there is no [`ReviewReason`]. The reasons are plain data; their text
//! ([`ReviewReason`]'s `Display`) is what clerks read and what the extraction
//! JSON carries, and [`ReviewReason::parse`] reads that text back.

use std::fmt;

use crate::exception::{OrderException, any_blocking};
use crate::message::MessageKind;
use crate::validation::Decision;

/// A header value read from the document, as the draft names it.
///
/// Declared in the alphabetical order of the names: maps keyed by it list
/// them as maps keyed by the names did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ReadField {
    Currency,
    /// The customer as matched (by sender, number, VAT id …).
    Customer,
    /// The customer number printed on the document.
    CustomerNo,
    OrderDate,
    PoNumber,
    RequestedDeliveryDate,
    ShipTo,
    StatedTotal,
}

impl ReadField {
    pub const ALL: [ReadField; 8] = [
        ReadField::Currency,
        ReadField::Customer,
        ReadField::CustomerNo,
        ReadField::OrderDate,
        ReadField::PoNumber,
        ReadField::RequestedDeliveryDate,
        ReadField::ShipTo,
        ReadField::StatedTotal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReadField::Currency => "currency",
            ReadField::Customer => "customer",
            ReadField::CustomerNo => "customer_no",
            ReadField::OrderDate => "order_date",
            ReadField::PoNumber => "po_number",
            ReadField::RequestedDeliveryDate => "requested_delivery_date",
            ReadField::ShipTo => "ship_to",
            ReadField::StatedTotal => "stated_total",
        }
    }

    pub fn parse(raw: &str) -> Option<ReadField> {
        Self::ALL.into_iter().find(|f| f.as_str() == raw)
    }
}

/// Why a draft waits for a person, besides blocking exceptions.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewReason {
    /// A header value read or matched less surely than its threshold.
    UnsureField {
        field: ReadField,
        confidence: f32,
    },
    /// A line read or matched less surely than the line threshold.
    UnsureLine {
        line_no: u32,
        confidence: f32,
    },
    /// The printed delivery address fits several of the customer's addresses.
    AmbiguousShipTo,
    NoPoNumber,
    NoLines,
    /// The customer is on the setting's list of customers always reviewed.
    CustomerAlwaysReviewed,
    /// The sender is not a known address of the customer (setting `stp_sender`).
    UnknownSender {
        sender: String,
        customer_no: String,
    },
    /// No DKIM, SPF or DMARC pass for the sender's domain (setting `stp_sender`).
    SenderNotAuthenticated {
        domain: String,
    },
    /// The document's total is zero.
    ZeroTotal,
    /// The lines do not add up to the total the document states.
    TotalDisagrees,
    /// A delivery date stands under its label in a form no reading understands.
    UnreadDeliveryDate(String),
    /// A line is ordered in a unit the product is not sold in, with no factor known.
    UnitWithoutFactor {
        line_no: u32,
        ordered: String,
        sold: String,
    },
    /// No line states a price and there is no total.
    NothingPriced,
    /// Only orders go straight through.
    NotAnOrder(MessageKind),
    /// A date printed in the document after the order date that the draft
    /// uses nowhere: a delivery date may have been missed.
    UnusedDate(jiff::civil::Date),
    /// A code printed in the document names one of our products exactly, but
    /// no line of the draft has it: a line may have been missed.
    UnusedProductCode(String),
    /// A person has confirmed fewer of the sender's orders unchanged than the
    /// setting `stp_after_reviewed` asks before its orders go straight through.
    NewSender {
        reviewed: u32,
        needed: u32,
    },
    /// Parts of the message could not be read (the readers' own words).
    ReadErrors(String),
}

const UNSURE_LINE: (&str, &str) = ("line ", " read or matched with confidence ");
const UNSURE_FIELD: &str = " read with confidence ";
const UNKNOWN_SENDER: (&str, &str, &str) = (
    "the sender ",
    " is not a known address of customer ",
    " (setting stp_sender)",
);
const NOT_AUTHENTICATED: (&str, &str) = (
    "the receiving mail server did not confirm that the mail comes from ",
    " (no DKIM, SPF or DMARC pass; setting stp_sender)",
);
const NOT_AN_ORDER: (&str, &str) = ("a ", " message is for a person to handle");
const NEW_SENDER: (&str, &str, &str) = (
    "a person has confirmed ",
    " of the sender's orders unchanged; ",
    " are needed before straight-through (setting stp_after_reviewed)",
);
const UNREAD_DELIVERY: (&str, &str) = ("the delivery date \"", "\" could not be read as a date");
const UNIT_WITHOUT_FACTOR: (&str, &str, &str, &str) = (
    "line ",
    " is ordered in ",
    ", the product is sold in ",
    " and no factor between them is known",
);
const UNUSED_DATE: (&str, &str) = ("the date ", " printed in the document is not used in the draft");
const UNUSED_CODE: (&str, &str) = (
    "the product code ",
    " printed in the document is on no line of the draft",
);
const FIXED: [(ReviewReason, &str); 7] = [
    (
        ReviewReason::AmbiguousShipTo,
        "the delivery address fits several of the customer's addresses",
    ),
    (ReviewReason::NoPoNumber, "no PO number found"),
    (ReviewReason::NoLines, "no order lines found"),
    (
        ReviewReason::CustomerAlwaysReviewed,
        "this customer's orders always go to review (setting)",
    ),
    (ReviewReason::ZeroTotal, "the document's total is zero"),
    (
        ReviewReason::TotalDisagrees,
        "the lines do not add up to the total the document states",
    ),
    (
        ReviewReason::NothingPriced,
        "no line of the document states a price, and it states no total",
    ),
];

impl fmt::Display for ReviewReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((_, text)) = FIXED.iter().find(|(r, _)| r == self) {
            return f.write_str(text);
        }
        match self {
            ReviewReason::UnsureField { field, confidence } => {
                write!(f, "{}{UNSURE_FIELD}{confidence:.2}", field.as_str())
            }
            ReviewReason::UnsureLine { line_no, confidence } => {
                write!(f, "{}{line_no}{}{confidence:.2}", UNSURE_LINE.0, UNSURE_LINE.1)
            }
            ReviewReason::UnknownSender { sender, customer_no } => {
                let (a, b, c) = UNKNOWN_SENDER;
                write!(f, "{a}{sender}{b}{customer_no}{c}")
            }
            ReviewReason::SenderNotAuthenticated { domain } => {
                write!(f, "{}{domain}{}", NOT_AUTHENTICATED.0, NOT_AUTHENTICATED.1)
            }
            ReviewReason::NotAnOrder(kind) => write!(f, "{}{}{}", NOT_AN_ORDER.0, kind.as_str(), NOT_AN_ORDER.1),
            ReviewReason::UnreadDeliveryDate(text) => {
                write!(f, "{}{text}{}", UNREAD_DELIVERY.0, UNREAD_DELIVERY.1)
            }
            ReviewReason::NewSender { reviewed, needed } => {
                let (a, b, c) = NEW_SENDER;
                write!(f, "{a}{reviewed}{b}{needed}{c}")
            }
            ReviewReason::UnitWithoutFactor { line_no, ordered, sold } => {
                let (a, b, c, d) = UNIT_WITHOUT_FACTOR;
                write!(f, "{a}{line_no}{b}{ordered}{c}{sold}{d}")
            }
            ReviewReason::UnusedDate(date) => write!(f, "{}{date}{}", UNUSED_DATE.0, UNUSED_DATE.1),
            ReviewReason::UnusedProductCode(code) => write!(f, "{}{code}{}", UNUSED_CODE.0, UNUSED_CODE.1),
            ReviewReason::ReadErrors(text) => f.write_str(text),
            _ => Ok(()),
        }
    }
}

impl ReviewReason {
    /// Reads a reason back from its text. Every text [`Display`](fmt::Display)
    /// writes comes back as the same reason; any other text is taken as the
    /// readers' errors, which is the one reason written in their own words.
    pub fn parse(text: &str) -> ReviewReason {
        if let Some((r, _)) = FIXED.iter().find(|(_, t)| *t == text) {
            return r.clone();
        }
        parse_patterned(text).unwrap_or_else(|| ReviewReason::ReadErrors(text.to_owned()))
    }

    /// Whether a setting (not what was read) sends the draft to review.
    pub fn from_setting(&self) -> bool {
        matches!(
            self,
            ReviewReason::CustomerAlwaysReviewed
                | ReviewReason::NewSender { .. }
                | ReviewReason::UnknownSender { .. }
                | ReviewReason::SenderNotAuthenticated { .. }
        )
    }
}

fn parse_patterned(text: &str) -> Option<ReviewReason> {
    let confidence = |s: &str| s.parse::<f32>().ok().filter(|c| c.is_finite());
    if let Some(rest) = text.strip_prefix(UNSURE_LINE.0)
        && let Some((n, c)) = rest.split_once(UNSURE_LINE.1)
    {
        return Some(ReviewReason::UnsureLine {
            line_no: n.parse().ok()?,
            confidence: confidence(c)?,
        });
    }
    if let Some((name, c)) = text.split_once(UNSURE_FIELD)
        && let Some(field) = ReadField::parse(name)
    {
        return Some(ReviewReason::UnsureField {
            field,
            confidence: confidence(c)?,
        });
    }
    let (a, b, c) = UNKNOWN_SENDER;
    if let Some(rest) = text.strip_prefix(a).and_then(|r| r.strip_suffix(c))
        && let Some((sender, customer_no)) = rest.split_once(b)
    {
        return Some(ReviewReason::UnknownSender {
            sender: sender.to_owned(),
            customer_no: customer_no.to_owned(),
        });
    }
    if let Some(domain) = text
        .strip_prefix(NOT_AUTHENTICATED.0)
        .and_then(|r| r.strip_suffix(NOT_AUTHENTICATED.1))
    {
        return Some(ReviewReason::SenderNotAuthenticated {
            domain: domain.to_owned(),
        });
    }
    if let Some(text) = text
        .strip_prefix(UNREAD_DELIVERY.0)
        .and_then(|r| r.strip_suffix(UNREAD_DELIVERY.1))
    {
        return Some(ReviewReason::UnreadDeliveryDate(text.to_owned()));
    }
    let (a, b, c, d) = UNIT_WITHOUT_FACTOR;
    if let Some(rest) = text.strip_prefix(a).and_then(|r| r.strip_suffix(d))
        && let Some((line_no, rest)) = rest.split_once(b)
        && let Some((ordered, sold)) = rest.split_once(c)
        && let Ok(line_no) = line_no.parse()
    {
        return Some(ReviewReason::UnitWithoutFactor {
            line_no,
            ordered: ordered.to_owned(),
            sold: sold.to_owned(),
        });
    }
    let (a, b, c) = NEW_SENDER;
    if let Some(rest) = text.strip_prefix(a).and_then(|r| r.strip_suffix(c))
        && let Some((reviewed, needed)) = rest.split_once(b)
    {
        return Some(ReviewReason::NewSender {
            reviewed: reviewed.parse().ok()?,
            needed: needed.parse().ok()?,
        });
    }
    if let Some(date) = text
        .strip_prefix(UNUSED_DATE.0)
        .and_then(|r| r.strip_suffix(UNUSED_DATE.1))
        .and_then(|d| d.parse().ok())
    {
        return Some(ReviewReason::UnusedDate(date));
    }
    if let Some(code) = text
        .strip_prefix(UNUSED_CODE.0)
        .and_then(|r| r.strip_suffix(UNUSED_CODE.1))
    {
        return Some(ReviewReason::UnusedProductCode(code.to_owned()));
    }
    if let Some(kind) = text
        .strip_prefix(NOT_AN_ORDER.0)
        .and_then(|r| r.strip_suffix(NOT_AN_ORDER.1))
        .and_then(MessageKind::parse)
    {
        return Some(ReviewReason::NotAnOrder(kind));
    }
    None
}

#[cfg(feature = "serde")]
impl serde::Serialize for ReviewReason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for ReviewReason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(ReviewReason::parse(&text))
    }
}

/// Straight through only for an order with no reason for review and nothing blocking.
pub fn decide(kind: MessageKind, reasons: &[ReviewReason], exceptions: &[OrderException]) -> Decision {
    if kind == MessageKind::Order && reasons.is_empty() && !any_blocking(exceptions) {
        Decision::StraightThrough
    } else {
        Decision::Review
    }
}

/// Where a draft stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum DraftStatus {
    /// Waiting for a person.
    Review,
    /// Confirmed without one.
    StraightThrough,
    /// Confirmed by a person into an order.
    Confirmed,
    /// Not an order (spam, sent in error), with a reason.
    Rejected,
    /// Needs no order (a question answered, an RFQ passed to quoting).
    Done,
}

impl DraftStatus {
    pub const ALL: [DraftStatus; 5] = [
        DraftStatus::Review,
        DraftStatus::StraightThrough,
        DraftStatus::Confirmed,
        DraftStatus::Rejected,
        DraftStatus::Done,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DraftStatus::Review => "review",
            DraftStatus::StraightThrough => "straight_through",
            DraftStatus::Confirmed => "confirmed",
            DraftStatus::Rejected => "rejected",
            DraftStatus::Done => "done",
        }
    }

    pub fn parse(raw: &str) -> Option<DraftStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The status a new draft starts in.
    pub fn of(decision: Decision) -> DraftStatus {
        match decision {
            Decision::StraightThrough => DraftStatus::StraightThrough,
            Decision::Review => DraftStatus::Review,
        }
    }
}

impl fmt::Display for DraftStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exception::{ExceptionCode, Severity};

    fn every_reason() -> Vec<ReviewReason> {
        let mut all: Vec<ReviewReason> = FIXED.iter().map(|(r, _)| r.clone()).collect();
        all.extend(ReadField::ALL.map(|field| ReviewReason::UnsureField {
            field,
            confidence: 0.73,
        }));
        all.extend(MessageKind::ALL.map(ReviewReason::NotAnOrder));
        all.push(ReviewReason::UnsureLine {
            line_no: 12,
            confidence: 0.5,
        });
        all.push(ReviewReason::UnknownSender {
            sender: "a@b.example".into(),
            customer_no: "10001".into(),
        });
        all.push(ReviewReason::SenderNotAuthenticated {
            domain: "b.example".into(),
        });
        all.push(ReviewReason::ReadErrors(
            "part 2 (x.pdf): cut at 64 levels (pdf_nesting)".into(),
        ));
        all.push(ReviewReason::UnusedDate(jiff::civil::date(2026, 12, 11)));
        all.push(ReviewReason::UnusedProductCode("DIN933-M8x40".into()));
        all.push(ReviewReason::TotalDisagrees);
        all.push(ReviewReason::NewSender { reviewed: 1, needed: 3 });
        all.push(ReviewReason::UnreadDeliveryDate("Mitte Dezember".into()));
        all.push(ReviewReason::UnitWithoutFactor {
            line_no: 2,
            ordered: "BX".into(),
            sold: "C62".into(),
        });
        all
    }

    #[test]
    fn every_reason_reads_back_from_its_text() {
        for reason in every_reason() {
            let text = reason.to_string();
            assert!(!text.is_empty(), "{reason:?}");
            assert_eq!(ReviewReason::parse(&text), reason, "{text}");
        }
    }

    #[test]
    fn texts_are_the_ones_clerks_know() {
        let r = ReviewReason::UnsureField {
            field: ReadField::PoNumber,
            confidence: 0.5,
        };
        assert_eq!(r.to_string(), "po_number read with confidence 0.50");
        assert_eq!(
            ReviewReason::NotAnOrder(MessageKind::OrderChange).to_string(),
            "a order_change message is for a person to handle"
        );
    }

    #[test]
    fn only_settings_reasons_are_from_settings() {
        let from_settings: Vec<_> = every_reason().into_iter().filter(ReviewReason::from_setting).collect();
        assert_eq!(from_settings.len(), 4);
    }

    #[test]
    fn an_order_goes_straight_through_only_without_reasons_or_blockers() {
        let warning = OrderException {
            code: ExceptionCode::TotalMismatch,
            severity: Severity::Warning,
            line_no: None,
            message: String::new(),
        };
        let blocking = OrderException {
            severity: Severity::Blocking,
            ..warning.clone()
        };
        assert_eq!(
            decide(MessageKind::Order, &[], std::slice::from_ref(&warning)),
            Decision::StraightThrough
        );
        assert_eq!(decide(MessageKind::Order, &[], &[blocking]), Decision::Review);
        assert_eq!(decide(MessageKind::Rfq, &[], &[]), Decision::Review);
        assert_eq!(
            decide(MessageKind::Order, &[ReviewReason::NoLines], &[]),
            Decision::Review
        );
    }

    #[test]
    fn statuses_round_trip() {
        for s in DraftStatus::ALL {
            assert_eq!(DraftStatus::parse(s.as_str()), Some(s));
        }
    }
}

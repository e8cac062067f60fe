//! Classifying a message by its structured types first, its words second.
//!
//! Structured formats say what they are (X12 850/860, EDIFACT ORDERS/ORDCHG,
//! UBL Order/OrderChange/OrderCancellation/RequestForQuotation, openTRANS
//! ORDER/ORDERCHANGE/RFQ). Mails and free documents are scored on keywords in
//! German and English; the subject counts three times. An attachment with a
//! line table and order words makes an order; without clear words, a message
//! is `other` and goes to a person.

use document::{Document, Format};
use domain::message::MessageKind;

/// A kind and the reason for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub kind: MessageKind,
    pub reason: KindReason,
}

/// Why a message is of its kind. Its English words (`Display`) are what the
/// message and its draft keep as `kind_reason`; [`KindReason::read`] reads
/// them back, so that a screen can say them in another language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindReason {
    /// A structured message that says what it is (`EDIFACT ORDERS`).
    Structured(String),
    /// Structured messages of these types, none an order, change, RFQ or inquiry.
    OtherStructured(Vec<String>),
    Invoice(Vec<String>),
    /// A letter about the business relation (new bank details, a new address).
    Relation(Vec<String>),
    DeliveryQuestion,
    /// The words that decided it.
    Wording(Vec<String>),
    ItemTable,
    NoWording,
    /// The message was too large to read.
    NotRead,
    /// A person gave the message its kind.
    SetBy(String),
}

fn quoted(words: &[String]) -> String {
    words.iter().map(|w| format!("“{w}”")).collect::<Vec<_>>().join(", ")
}

fn unquoted(text: &str) -> Vec<String> {
    text.split(", ")
        .map(|w| w.trim_start_matches('“').trim_end_matches('”').to_owned())
        .collect()
}

impl std::fmt::Display for KindReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KindReason::Structured(what) => write!(f, "{what} message"),
            KindReason::OtherStructured(types) => write!(
                f,
                "structured message of type {} (not an order, change, RFQ or inquiry)",
                types.join(", ")
            ),
            KindReason::Invoice(words) => write!(f, "an invoice or credit note (wording: {})", quoted(words)),
            KindReason::Relation(words) => write!(
                f,
                "a letter about the business relation, not an order (wording: {})",
                quoted(words)
            ),
            KindReason::DeliveryQuestion => {
                f.write_str("a question about the delivery of an order, with no items in it")
            }
            KindReason::Wording(words) => write!(f, "wording: {}", quoted(words)),
            KindReason::ItemTable => f.write_str("a table of items without other wording"),
            KindReason::NoWording => f.write_str("no order, change, cancellation, RFQ or inquiry wording found"),
            KindReason::NotRead => f.write_str("not read"),
            KindReason::SetBy(who) => write!(f, "set by {who}"),
        }
    }
}

impl KindReason {
    /// The reason its words say; `None` for words no reason writes.
    pub fn read(words: &str) -> Option<KindReason> {
        let fixed = [
            KindReason::DeliveryQuestion,
            KindReason::ItemTable,
            KindReason::NoWording,
            KindReason::NotRead,
        ];
        if let Some(reason) = fixed.into_iter().find(|r| r.to_string() == words) {
            return Some(reason);
        }
        if let Some(types) = words
            .strip_prefix("structured message of type ")
            .and_then(|t| t.strip_suffix(" (not an order, change, RFQ or inquiry)"))
        {
            return Some(KindReason::OtherStructured(
                types.split(", ").map(str::to_owned).collect(),
            ));
        }
        if let Some(w) = words
            .strip_prefix("an invoice or credit note (wording: ")
            .and_then(|t| t.strip_suffix(')'))
        {
            return Some(KindReason::Invoice(unquoted(w)));
        }
        if let Some(w) = words
            .strip_prefix("a letter about the business relation, not an order (wording: ")
            .and_then(|t| t.strip_suffix(')'))
        {
            return Some(KindReason::Relation(unquoted(w)));
        }
        if let Some(w) = words.strip_prefix("wording: ") {
            return Some(KindReason::Wording(unquoted(w)));
        }
        if let Some(who) = words.strip_prefix("set by ") {
            return Some(KindReason::SetBy(who.to_owned()));
        }
        words
            .strip_suffix(" message")
            .map(|what| KindReason::Structured(what.to_owned()))
    }
}

/// Keywords per kind (lower case; matched as whole words or word starts where marked with `*`).
const WORDS: &[(MessageKind, &[&str])] = &[
    (
        MessageKind::Cancellation,
        &[
            "storno",
            "stornierung",
            "stornieren",
            "stornieren sie",
            "cancel*",
            "cancellation",
            "annullierung",
            "widerruf der bestellung",
            "zurückziehen",
        ],
    ),
    (
        MessageKind::OrderChange,
        &[
            "änderung*",
            "bestelländerung",
            "auftragsänderung",
            "ändern",
            "geänderte",
            "change order",
            "order change",
            "amend*",
            "revised order",
            "revised po",
            "po change",
            "abänderung",
        ],
    ),
    (
        MessageKind::Rfq,
        &[
            "anfrage",
            "preisanfrage",
            "angebotsanfrage",
            "angebot*",
            "bitte um angebot",
            "request for quotation",
            "rfq",
            "quote",
            "quotation",
            "pricing request",
            "price request",
            "please quote",
        ],
    ),
    (
        MessageKind::Inquiry,
        &[
            "lieferstatus",
            "liefertermin?",
            "wann wird",
            "wann kommt",
            "sendungsverfolgung",
            "tracking",
            "status",
            "where is",
            "when will",
            "delivery status",
            "order status",
            "auftragsstatus",
            "nachfrage",
            "rückfrage",
            "noch nicht erhalten",
            "not received",
        ],
    ),
    (
        MessageKind::Order,
        &[
            "bestellung",
            "bestellen",
            "auftrag",
            "bestell-nr",
            "bestellnummer",
            "purchase order",
            "order",
            "po number",
            "po#",
            "po-nr",
            "bitte liefern",
            "please supply",
            "please deliver",
            "we order",
            "wir bestellen",
            "order no",
        ],
    ),
];

fn structured_kind(doc: &Document) -> Option<(MessageKind, String)> {
    let t = doc.message_type.as_deref()?;
    let kind = match (doc.format, t) {
        (Format::X12, "850") => MessageKind::Order,
        (Format::X12, "860") => MessageKind::OrderChange,
        (Format::X12, "840") => MessageKind::Rfq,
        (Format::X12, "869") => MessageKind::Inquiry,
        (Format::Edifact, "ORDERS") => match doc.value(document::keys::MESSAGE_FUNCTION) {
            Some("1") => MessageKind::Cancellation,
            Some("4") | Some("5") => MessageKind::OrderChange,
            _ => MessageKind::Order,
        },
        (Format::Edifact, "ORDCHG") => match doc.value(document::keys::MESSAGE_FUNCTION) {
            Some("1") => MessageKind::Cancellation,
            _ => MessageKind::OrderChange,
        },
        (Format::Edifact, "REQOTE") => MessageKind::Rfq,
        (Format::Edifact, "OSTENQ") => MessageKind::Inquiry,
        (Format::Ubl, "Order") => MessageKind::Order,
        (Format::Ubl, "OrderChange") => MessageKind::OrderChange,
        (Format::Ubl, "OrderCancellation") => MessageKind::Cancellation,
        (Format::Ubl, "RequestForQuotation") => MessageKind::Rfq,
        (Format::Opentrans, "ORDER") => MessageKind::Order,
        (Format::Opentrans, "ORDERCHANGE") => MessageKind::OrderChange,
        (Format::Opentrans, "RFQ") => MessageKind::Rfq,
        _ => return None,
    };
    let format = match doc.format {
        Format::X12 => "X12",
        Format::Edifact => "EDIFACT",
        Format::Ubl => "UBL",
        Format::Opentrans => "openTRANS",
        _ => "structured",
    };
    Some((kind, format!("{format} {t}")))
}

/// Wording of letters about the business relation, not about an order: new
/// bank details, a new address. Matched in the subject, or as these phrases in the body.
const RELATION_WORDS: &[&str] = &[
    "bankverbindung",
    "bankdaten",
    "bank details",
    "bank account details",
    "change of bank",
    "adressänderung",
    "anschriftenänderung",
    "change of address",
    "new address",
    "umfirmierung",
];

/// Body phrases that say a letter is about such a change.
const RELATION_PHRASES: &[&str] = &[
    "neue bankverbindung",
    "unsere bankverbindung",
    "bankverbindung ändert",
    "bankverbindung hat sich geändert",
    "new bank details",
    "our bank details have changed",
    "change of bank details",
    "neue anschrift",
    "unsere neue adresse",
    "our new address",
];

/// Words of a question about an order's delivery (`wann wird … geliefert?`).
const DELIVERY_QUESTION: &[&str] = &[
    "wann",
    "when",
    "status",
    "geliefert",
    "delivered",
    "shipped",
    "versandt",
    "versendet",
    "liefertermin",
    "lieferdatum",
    "delivery date",
    "tracking",
    "where is",
    "wo bleibt",
];

/// Whether the body asks a question about delivery: a sentence ending in `?`
/// that holds one of [`DELIVERY_QUESTION`].
fn asks_about_delivery(body: &str) -> bool {
    let mut rest = body;
    while let Some(q) = rest.find('?') {
        let sentence = &rest[..q];
        let start = sentence.rfind(['.', '!', '\n']).map_or(0, |i| i + 1);
        if DELIVERY_QUESTION.iter().any(|w| matches_word(&sentence[start..], w)) {
            return true;
        }
        rest = &rest[q + 1..];
    }
    false
}

/// Whether the text names quantities of items (`500 Stk`, `3 x`, `20 pcs`).
fn names_quantities(body: &str) -> bool {
    let words: Vec<&str> = body.split_whitespace().collect();
    words.windows(2).any(|w| {
        w[0].chars().next().is_some_and(|c| c.is_ascii_digit())
            && w[0].chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
            && (crate::values::unit_code(w[1]).is_some() || matches!(w[1], "x" | "×"))
    })
}

/// Wording only invoices and credit notes carry (an order may ask for an
/// invoice, but it does not number or date one).
const INVOICE_WORDS: &[&str] = &[
    "invoice no",
    "invoice number",
    "invoice date",
    "tax invoice",
    "credit note",
    "rechnungsnummer",
    "rechnungsdatum",
    "rechnung nr",
    "gutschrift nr",
    "factuurnummer",
    "factuurdatum",
    "numéro de facture",
    "date de facture",
    "faktura vat",
    "numer faktury",
];

fn matches_word(text: &str, word: &str) -> bool {
    let (word, prefix) = match word.strip_suffix('*') {
        Some(w) => (w, true),
        None => (word, false),
    };
    let mut start = 0;
    while let Some(i) = text[start..].find(word) {
        let at = start + i;
        let before_ok = text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = &text[at + word.len()..];
        let after_ok = prefix || after.chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            return true;
        }
        start = at + word.len().max(1);
        if start >= text.len() {
            break;
        }
    }
    false
}

/// Classifies the Documents of one message.
pub fn classify(documents: &[Document]) -> Classification {
    // Structured documents decide; several give the strongest by this order.
    let structured: Vec<(MessageKind, String)> = documents.iter().filter_map(structured_kind).collect();
    for kind in [
        MessageKind::Cancellation,
        MessageKind::OrderChange,
        MessageKind::Order,
        MessageKind::Rfq,
        MessageKind::Inquiry,
    ] {
        if let Some((_, reason)) = structured.iter().find(|(k, _)| *k == kind) {
            return Classification {
                kind,
                reason: KindReason::Structured(reason.clone()),
            };
        }
    }
    // A file of structured messages that are none of these (an order response,
    // an invoice, a despatch advice) is not read for wording.
    let machine = |d: &Document| d.format.is_structured();
    if !documents.is_empty() && documents.iter().all(machine) {
        let types: Vec<&str> = documents.iter().filter_map(|d| d.message_type.as_deref()).collect();
        return Classification {
            kind: MessageKind::Other,
            reason: KindReason::OtherStructured(types.iter().map(|t| (*t).to_owned()).collect()),
        };
    }

    let subject = documents
        .iter()
        .find_map(|d| d.value(document::keys::SUBJECT))
        .unwrap_or("")
        .to_lowercase();
    let mut body = String::new();
    for d in documents {
        body.push_str(&d.full_text().to_lowercase());
        body.push('\n');
        for table in d.tables.iter().filter(|t| t.header_rows > 0) {
            body.push_str(&table.row(0).join(" ").to_lowercase());
            body.push('\n');
        }
    }
    let mut best: Option<(MessageKind, u32, Vec<&str>)> = None;
    for (kind, words) in WORDS {
        let mut score = 0;
        let mut hits = Vec::new();
        for w in *words {
            let in_subject = matches_word(&subject, w);
            let in_body = matches_word(&body, w);
            if in_subject || in_body {
                score += if in_subject { 3 } else { 0 } + u32::from(in_body);
                hits.push(w.trim_end_matches('*'));
            }
        }
        // Changes, cancellations and inquiries mention orders too; they win on equal terms.
        if score > 0 && best.as_ref().is_none_or(|(_, s, _)| score > *s) {
            best = Some((*kind, score, hits));
        }
    }
    // Sheets and HTML tables are item tables; a PDF's table regions are only aligned text.
    let has_line_table = documents.iter().filter(|d| d.format != Format::Pdf).any(|d| {
        d.tables
            .iter()
            .any(|t| t.rows.len() > t.header_rows && t.header_rows > 0)
    });
    let invoice: Vec<&str> = INVOICE_WORDS
        .iter()
        .copied()
        .filter(|w| matches_word(&subject, w) || matches_word(&body, w))
        .collect();
    // An invoice mentions the order it bills ("Order ID", "Order Date"); unless
    // the subject says otherwise it is an invoice, not an order.
    let subject_says = best
        .as_ref()
        .is_some_and(|(_, _, hits)| hits.iter().any(|w| matches_word(&subject, w)));
    if !invoice.is_empty() && !subject_says && best.as_ref().is_none_or(|(k, _, _)| *k == MessageKind::Order) {
        return Classification {
            kind: MessageKind::Other,
            reason: KindReason::Invoice(invoice.iter().map(|w| (*w).to_owned()).collect()),
        };
    }
    // A letter about the relation (new bank details, a new address) is not an order or a change.
    let relation: Vec<&str> = RELATION_WORDS
        .iter()
        .copied()
        .filter(|w| matches_word(&subject, w))
        .chain(RELATION_PHRASES.iter().copied().filter(|w| body.contains(w)))
        .collect();
    if !relation.is_empty() && !has_line_table && !names_quantities(&body) {
        return Classification {
            kind: MessageKind::Other,
            reason: KindReason::Relation(relation.iter().map(|w| (*w).to_owned()).collect()),
        };
    }
    // A question about when an order comes, with no items in it, asks for its status.
    if best.as_ref().is_some_and(|(k, _, _)| *k == MessageKind::Order)
        && !has_line_table
        && !names_quantities(&body)
        && asks_about_delivery(&body)
    {
        return Classification {
            kind: MessageKind::Inquiry,
            reason: KindReason::DeliveryQuestion,
        };
    }
    match best {
        Some((kind, _, hits)) => Classification {
            kind,
            reason: KindReason::Wording(hits.iter().map(|w| (*w).to_owned()).collect()),
        },
        None if has_line_table => Classification {
            kind: MessageKind::Order,
            reason: KindReason::ItemTable,
        },
        None => Classification {
            kind: MessageKind::Other,
            reason: KindReason::NoWording,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_about_bank_details_and_questions_about_delivery_are_not_orders() {
        let bank = classify(&mail(
            "Änderung unserer Bankverbindung",
            "bitte beachten Sie unsere neue Bankverbindung für Zahlungen zu Ihren Bestellungen.",
        ));
        assert_eq!(bank.kind, MessageKind::Other, "{}", bank.reason);
        let question = classify(&mail(
            "Re: Bestellung 88123/26",
            "wann wird unsere Bestellung 88123/26 geliefert? Können Sie mir den Termin nennen?",
        ));
        assert_eq!(question.kind, MessageKind::Inquiry, "{}", question.reason);
        // An order that asks a question keeps being an order.
        let order = classify(&mail(
            "Bestellung 4711",
            "wir bestellen 500 Stk DIN933-M8x40-A2. Können Sie bis Freitag liefern?",
        ));
        assert_eq!(order.kind, MessageKind::Order, "{}", order.reason);
        // A letterhead's bank details do not make an order a letter.
        let footer = classify(&mail(
            "Bestellung 4712",
            "wir bestellen 20 Stk B-200.\nBankverbindung: Sparkasse, IBAN DE89 3704 0044 0532 0130 00",
        ));
        assert_eq!(footer.kind, MessageKind::Order, "{}", footer.reason);
    }
    use document::parse_file;

    #[test]
    fn a_reason_is_read_back_from_its_words() {
        let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        for reason in [
            KindReason::Structured("EDIFACT ORDERS".into()),
            KindReason::OtherStructured(words(&["ORDRSP", "INVOIC"])),
            KindReason::Invoice(words(&["rechnung", "invoice no"])),
            KindReason::Relation(words(&["bankverbindung"])),
            KindReason::DeliveryQuestion,
            KindReason::Wording(words(&["bestellung", "po number"])),
            KindReason::ItemTable,
            KindReason::NoWording,
            KindReason::NotRead,
            KindReason::SetBy("anna".into()),
        ] {
            assert_eq!(KindReason::read(&reason.to_string()), Some(reason.clone()), "{reason}");
        }
        assert_eq!(KindReason::read("because"), None);
    }

    fn mail(subject: &str, body: &str) -> Vec<Document> {
        parse_file(
            format!("From: a@muster.de\r\nSubject: {subject}\r\nMessage-ID: <1@x>\r\n\r\n{body}").as_bytes(),
            None,
        )
    }

    fn kind(subject: &str, body: &str) -> MessageKind {
        classify(&mail(subject, body)).kind
    }

    #[test]
    fn invoices_that_name_their_order_are_not_orders() {
        let c = classify(&mail(
            "Your invoice",
            "Invoice No: 4711\nOrder ID: OD3041\nOrder Date: 15-10-2015",
        ));
        assert_eq!(c.kind, MessageKind::Other, "{}", c.reason);
        assert!(c.reason.to_string().contains("invoice no"));
        // An order that asks for an invoice is still an order.
        assert_eq!(
            kind(
                "Bestellung 4711",
                "Bitte liefern Sie 500 Stk. Die Rechnung bitte an buchhaltung@muster.de"
            ),
            MessageKind::Order
        );
        // The subject says order: an order, even with an invoice number quoted.
        assert_eq!(
            kind("Purchase order 88", "Please supply 5 pcs, as on invoice number 123"),
            MessageKind::Order
        );
    }

    #[test]
    fn german_and_english_wording() {
        assert_eq!(
            kind("Bestellung 4500012345", "Bitte liefern Sie 500 Stk HB-M8-40-A2"),
            MessageKind::Order
        );
        assert_eq!(
            kind("Purchase Order 7781", "Please supply the following"),
            MessageKind::Order
        );
        assert_eq!(
            kind("Anfrage Sechskantschrauben", "Bitte um Angebot für 5000 Stk M8x40"),
            MessageKind::Rfq
        );
        assert_eq!(kind("RFQ 2026-11", "Please quote your best price"), MessageKind::Rfq);
        assert_eq!(
            kind(
                "Stornierung Bestellung 4500012345",
                "bitte stornieren Sie unsere Bestellung"
            ),
            MessageKind::Cancellation
        );
        assert_eq!(
            kind("Cancel PO 7781", "Please cancel our order 7781."),
            MessageKind::Cancellation
        );
        assert_eq!(
            kind(
                "Änderung zu Bestellung 4500012345",
                "Bitte ändern Sie die Menge in Pos. 2 auf 800 Stk."
            ),
            MessageKind::OrderChange
        );
        assert_eq!(
            kind("Lieferstatus Bestellung 4500012345", "Wann wird die Ware geliefert?"),
            MessageKind::Inquiry
        );
        assert_eq!(
            kind(
                "Where is my order?",
                "Order 7781 has not arrived, what is the delivery status?"
            ),
            MessageKind::Inquiry
        );
        assert_eq!(
            kind("Newsletter", "Unsere neuen Produkte im Herbst"),
            MessageKind::Other
        );
    }

    #[test]
    fn structured_types_decide() {
        let x12 = "ISA*00*          *00*          *ZZ*S              *ZZ*R              *200101*1200*U*00501*000000001*0*P*>~ST*860*0001~BCH*01*NE*PO123*0*1*20200101~SE*2*0001~IEA*1*1~";
        let c = classify(&parse_file(x12.as_bytes(), None));
        assert_eq!(
            (c.kind, c.reason.to_string().as_str()),
            (MessageKind::OrderChange, "X12 860 message")
        );
        let ubl = "<OrderCancellation xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:OrderCancellation-2\"><ID>1</ID></OrderCancellation>";
        assert_eq!(
            classify(&parse_file(ubl.as_bytes(), None)).kind,
            MessageKind::Cancellation
        );
    }

    #[test]
    fn order_responses_and_invoices_are_other() {
        let mut d = Document::new("", None, Format::Edifact);
        d.message_type = Some("ORDRSP".into());
        d.text_blocks = document::model::text_blocks("Order response for order 4711", 1);
        let c = classify(&[d]);
        assert_eq!(c.kind, MessageKind::Other, "{c:?}");
        assert!(c.reason.to_string().contains("ORDRSP"));
    }

    #[test]
    fn words_are_whole_words() {
        assert!(matches_word("unsere bestellung 123", "bestellung"));
        assert!(!matches_word("reorder point", "order"));
        assert!(matches_word("cancelled", "cancel*"));
        assert!(!matches_word("statusbericht", "status"));
    }
}

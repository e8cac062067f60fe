//! From Documents to a draft order: extraction, matching, validation and the decision.
//!
//! [`make_draft`] is the pure core (no IO): it reads the header and lines
//! ([`extract::extract_order`]), resolves the customer, the ship-to and every
//! line against the [`Catalog`], converts units, looks up expected prices and
//! stock, runs the domain's checks and decides straight-through or review. The
//! result is the [`Draft`], serialised as the extraction JSON of the contract
//! (`orderdesk.extraction/1`); the same object is printed by `orderdesk
//! extract` and stored for every inbound message.
//!
//! The checks that need the store (a PO number already used) are applied
//! afterwards with [`Draft::mark_duplicate_po`].

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use document::Document;
use domain::customer::Customer;
use domain::exception::{ExceptionCode, OrderException, Severity};
use domain::message::MessageKind;
use domain::validation::{LineFacts, OrderFacts, ValidationPolicy, decide, validate};
use extract::{Classification, Extracted, ExtractedLine, LayoutHint};
use jiff::civil::Date;
use matching::{Catalog, CustomerCues, LineCues, MasterData, MatchedVia, PrintedAddress, ShipToMatch};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use store::master::{self, MasterTable};
use store::{Store, StoreError};

use crate::config::ExtractionSettings;

pub const SCHEMA: &str = "orderdesk.extraction/1";

/// The customer a draft is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftCustomer {
    pub customer_no: String,
    pub confidence: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What identified the customer (`sender_email`, `customer_no`, `vat_id` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched_via: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftShipTo {
    pub address_id: Option<String>,
    pub name: Option<String>,
    pub street: Option<String>,
    pub zip: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
}

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
    pub quantity: Option<String>,
    pub uom: Option<String>,
    pub unit_price: Option<String>,
    pub delivery_date: Option<String>,
    pub confidence: f64,
    pub alternatives: Vec<Alternative>,
    /// The customer's own line number (10, 20 …) as printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_line_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gtin: Option<String>,
    /// The quantity in the product's base unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_quantity: Option<String>,
    /// Our price per ordered unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_price: Option<String>,
    /// How the product was found: `customer_part_no`, `sku`, `gtin`, `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched_via: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_type: Option<String>,
    /// The product code as the customer printed it (their part number, our SKU or a code of unknown owner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub printed_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<extract::Source>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftException {
    pub code: String,
    pub severity: String,
    pub line_no: Option<u32>,
    pub message: String,
    /// Who accepted or cleared it in review, and why (an exception stays on record once resolved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
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
    pub kind: String,
    pub customer: Option<DraftCustomer>,
    pub po_number: Option<String>,
    pub order_date: Option<String>,
    pub requested_delivery_date: Option<String>,
    pub currency: Option<String>,
    pub stated_total: Option<String>,
    pub ship_to: Option<DraftShipTo>,
    pub lines: Vec<DraftLine>,
    pub exceptions: Vec<DraftException>,
    pub decision: String,
    #[serde(default)]
    pub kind_reason: String,
    /// Why the draft waits for a person (besides blocking exceptions).
    #[serde(default)]
    pub review_reasons: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
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
    pub fields: BTreeMap<String, FieldInfo>,
}

fn round3(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}

fn dec_text(d: Decimal) -> String {
    d.normalize().to_string()
}

fn severity_text(s: Severity) -> String {
    s.as_str().to_owned()
}

impl Draft {
    /// Adds `duplicate_po` (the store found the PO number already used) and decides again.
    pub fn mark_duplicate_po(&mut self, settings: &ExtractionSettings) {
        let policy = settings.policy();
        let code = ExceptionCode::DuplicatePo;
        if self.exceptions.iter().any(|e| e.code == code.as_str()) {
            return;
        }
        let e = OrderException {
            code,
            severity: policy.severity(code),
            line_no: None,
            message: format!(
                "an order with PO number {} from this customer is already stored",
                self.po_number.as_deref().unwrap_or_default()
            ),
        };
        self.exceptions.insert(0, exception_json(&e));
        if e.severity == Severity::Blocking {
            self.decision = domain::validation::Decision::Review.as_str().into();
        }
    }
}

fn exception_json(e: &OrderException) -> DraftException {
    DraftException {
        code: e.code.as_str().into(),
        severity: severity_text(e.severity),
        line_no: e.line_no,
        message: e.message.clone(),
        resolved_by: None,
        resolution: None,
    }
}

/// When a message carries several structured orders (an EDI interchange with
/// two purchase orders, a mail with two UBL orders attached), the documents
/// each of their drafts reads: that order and the message's other,
/// non-order documents (the mail that says who sent it), keyed by a part name
/// unique in the message. `None` for a message with one order or none.
pub fn order_groups(documents: &[Document]) -> Option<Vec<(String, Vec<Document>)>> {
    let is_order = |d: &Document| {
        d.format.is_structured() && extract::classify(std::slice::from_ref(d)).kind != MessageKind::Other
    };
    let orders: Vec<usize> = (0..documents.len()).filter(|&i| is_order(&documents[i])).collect();
    if orders.len() < 2 {
        return None;
    }
    let others: Vec<&Document> = documents
        .iter()
        .enumerate()
        .filter(|(i, d)| !orders.contains(i) && !d.format.is_structured())
        .map(|(_, d)| d)
        .collect();
    Some(
        orders
            .iter()
            .map(|&i| {
                let mut group: Vec<Document> = others.iter().map(|d| (*d).clone()).collect();
                group.push(documents[i].clone());
                (format!("{}#{}", documents[i].part, i + 1), group)
            })
            .collect(),
    )
}

/// What lists of drafts show, stored beside the draft so that the review queue
/// never reads every draft's whole content.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DraftSummary {
    /// `10001 Muster GmbH`, or `None` when the customer is not known.
    pub customer: Option<String>,
    pub sender: Option<String>,
    pub subject: Option<String>,
    /// Open exceptions (not info) and review reasons.
    pub reasons: Vec<String>,
    pub lines: usize,
}

impl DraftSummary {
    pub fn of(draft: &Draft) -> DraftSummary {
        let mut reasons: Vec<String> = draft
            .exceptions
            .iter()
            .filter(|e| e.resolved_by.is_none() && e.severity != "info")
            .map(|e| match e.line_no {
                Some(n) => format!("{} (line {n})", e.code),
                None => e.code.clone(),
            })
            .collect();
        reasons.extend(draft.review_reasons.iter().cloned());
        reasons.dedup();
        let clip = |s: &Option<String>| s.as_ref().map(|s| s.chars().take(200).collect::<String>());
        DraftSummary {
            customer: draft.customer.as_ref().map(|c| {
                format!("{} {}", c.customer_no, c.name.clone().unwrap_or_default())
                    .trim()
                    .to_owned()
            }),
            sender: clip(&draft.sender),
            subject: clip(&draft.subject),
            reasons: reasons.into_iter().take(20).collect(),
            lines: draft.lines.len(),
        }
    }
}

/// The stored summary of a draft (JSON).
pub fn summary(draft: &Draft) -> String {
    serde_json::to_string(&DraftSummary::of(draft)).unwrap_or_default()
}

/// Why a mail's sender is not trusted enough for straight-through, under the setting `stp_sender`.
fn sender_distrust(
    documents: &[Document],
    sender: Option<&str>,
    customer: &Customer,
    settings: &ExtractionSettings,
) -> Option<String> {
    let sender = sender?.trim().to_lowercase();
    if settings.stp_sender == crate::config::SenderTrust::Any {
        return None;
    }
    let domain = sender.rsplit_once('@').map(|(_, d)| d.to_owned()).unwrap_or_default();
    let known = customer.emails.iter().any(|e| e.trim().eq_ignore_ascii_case(&sender))
        || customer
            .email_domains
            .iter()
            .any(|d| d.trim().trim_start_matches('@').eq_ignore_ascii_case(&domain));
    if !known {
        return Some(format!(
            "the sender {sender} is not a known address of customer {} (setting stp_sender)",
            customer.customer_no.as_str()
        ));
    }
    if settings.stp_sender == crate::config::SenderTrust::Authenticated {
        let results = documents.iter().find_map(|d| d.value("authentication_results"));
        if !results.is_some_and(|r| authenticated(r, &domain)) {
            return Some(format!(
                "the receiving mail server did not confirm that the mail comes from {domain} (no DKIM, SPF or DMARC pass; setting stp_sender)"
            ));
        }
    }
    None
}

/// Whether an `Authentication-Results` header vouches for `domain`: DMARC pass
/// for it, or DKIM or SPF pass for it or a subdomain of it.
pub fn authenticated(results: &str, domain: &str) -> bool {
    let fits = |d: &str| {
        let d = d.trim_end_matches(';').trim_start_matches('@').to_lowercase();
        let d = d.rsplit_once('@').map_or(d.clone(), |(_, x)| x.to_owned());
        !domain.is_empty() && (d == domain || d.ends_with(&format!(".{domain}")))
    };
    results.split(';').any(|clause| {
        let words: Vec<&str> = clause.split_whitespace().collect();
        let verdict = |method: &str| words.iter().any(|w| w.eq_ignore_ascii_case(&format!("{method}=pass")));
        let property = |names: &[&str]| {
            words.iter().any(|w| {
                w.split_once('=')
                    .is_some_and(|(k, v)| names.iter().any(|n| k.eq_ignore_ascii_case(n)) && fits(v))
            })
        };
        (verdict("dmarc") && property(&["header.from"]))
            || (verdict("dkim") && property(&["header.d", "header.i"]))
            || (verdict("spf") && property(&["smtp.mailfrom", "smtp.helo"]))
    })
}

/// An order with nothing priced: a stated total of zero, or no price on any line.
/// Our prices would fill it, but an order that names no money is for a person to see.
fn nothing_priced(x: &extract::Extracted) -> Option<String> {
    if x.stated_total.as_ref().is_some_and(|t| t.value.is_zero()) {
        return Some("the document's total is zero".into());
    }
    if !x.lines.is_empty()
        && x.stated_total.is_none()
        && x.lines.iter().all(|l| l.unit_price.is_none() && l.line_total.is_none())
    {
        return Some("no line of the document states a price, and it states no total".into());
    }
    None
}

/// Reads, resolves, checks and decides one message's documents.
pub fn make_draft(
    documents: &[Document],
    classification: &Classification,
    hints: &[LayoutHint],
    catalog: &Catalog,
    settings: &ExtractionSettings,
    today: Date,
) -> Draft {
    let mut x = extract::extract_order(documents, hints);
    let kind = classification.kind;
    // Slashed dates that read both ways: the customer's country decides.
    let unsure_date = |f: &Option<extract::Field<Date>>| f.as_ref().is_some_and(|f| f.confidence <= 0.6);
    if unsure_date(&x.order_date) || unsure_date(&x.requested_delivery_date) {
        let cues = customer_cues(&x);
        if let Some(m) = catalog.resolve_customer(&cues).filter(|m| m.confidence >= 0.9) {
            let country = catalog.customers()[m.index]
                .billing_address
                .country
                .as_ref()
                .map(|c| c.as_str().to_owned());
            let order = if country.as_deref() == Some("US") {
                extract::values::DateOrder::MonthFirst
            } else {
                extract::values::DateOrder::DayFirst
            };
            x = extract::extract_order_with(documents, hints, Some(order));
        }
    }
    let mut review_reasons = Vec::new();
    let mut fields = BTreeMap::new();
    let mut note_field = |name: &str, f: Option<(f32, &extract::Source)>| {
        if let Some((c, s)) = f {
            fields.insert(
                name.to_owned(),
                FieldInfo {
                    confidence: round3(c),
                    source: s.clone(),
                },
            );
        }
    };
    note_field("po_number", x.po_number.as_ref().map(|f| (f.confidence, &f.source)));
    note_field("order_date", x.order_date.as_ref().map(|f| (f.confidence, &f.source)));
    note_field(
        "requested_delivery_date",
        x.requested_delivery_date.as_ref().map(|f| (f.confidence, &f.source)),
    );
    note_field("currency", x.currency.as_ref().map(|f| (f.confidence, &f.source)));
    note_field(
        "stated_total",
        x.stated_total.as_ref().map(|f| (f.confidence, &f.source)),
    );
    note_field("ship_to", x.ship_to.as_ref().map(|f| (f.confidence, &f.source)));
    note_field("customer_no", x.customer_no.as_ref().map(|f| (f.confidence, &f.source)));

    // The customer.
    let matched = catalog.resolve_customer(&customer_cues(&x));
    let customer: Option<&Customer> = matched.as_ref().map(|m| &catalog.customers()[m.index]);
    let customer_no = customer.map(|c| c.customer_no.as_str().to_owned());

    // Header values the draft holds.
    let order_date = x.order_date.as_ref().map(|f| f.value).or(x.mail_date);
    let line_dates: Vec<Date> = x
        .lines
        .iter()
        .filter_map(|l| l.delivery_date.as_ref().map(|f| f.value))
        .collect();
    let requested = x.requested_delivery_date.as_ref().map(|f| f.value).or_else(|| {
        (line_dates.len() == x.lines.len() && !line_dates.is_empty() && line_dates.iter().all(|d| *d == line_dates[0]))
            .then(|| line_dates[0])
    });
    let stated_currency = x.currency.as_ref().map(|f| f.value.clone());
    let currency = stated_currency
        .clone()
        .or_else(|| customer.and_then(|c| c.currency.as_ref().map(|c| c.as_str().to_owned())));

    let (ship_to, unknown_ship_to, ambiguous_ship_to) = ship_to(&x, customer, catalog);

    // Lines.
    let check_date = order_date.unwrap_or(today);
    let resolved: Vec<ResolvedLine<'_>> = x
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| resolve_line(i as u32 + 1, line, customer, catalog, check_date, requested))
        .collect();

    // Checks.
    let policy = settings.policy();
    let facts = OrderFacts {
        customer,
        stated_currency: stated_currency.as_deref(),
        order_date: check_date,
        unknown_ship_to,
        duplicate_po: false,
        stated_total: x.stated_total.as_ref().map(|f| f.value),
        lines: resolved.iter().map(|r| r.facts.clone()).collect(),
    };
    let mut exceptions = match kind {
        MessageKind::Order | MessageKind::OrderChange => validate(&facts, &policy),
        MessageKind::Rfq => validate(&facts, &policy)
            .into_iter()
            .filter(|e| {
                matches!(
                    e.code,
                    ExceptionCode::UnknownCustomer | ExceptionCode::UnknownProduct | ExceptionCode::InactiveProduct
                )
            })
            .collect(),
        _ if customer.is_none() && kind != MessageKind::Other => validate(
            &OrderFacts {
                lines: Vec::new(),
                ..facts.clone()
            },
            &policy,
        ),
        _ => Vec::new(),
    };
    exceptions.sort_by_key(|e| e.line_no.map_or(0, |n| n + 1));

    // The decision.
    let threshold = |field: &str| settings.threshold(field);
    let mut unsure = |name: &str, confidence: Option<f32>| {
        if let Some(c) = confidence
            && c < threshold(name)
        {
            review_reasons.push(format!("{name} read with confidence {:.2}", c));
        }
    };
    unsure("customer", matched.as_ref().map(|m| m.confidence));
    unsure("po_number", x.po_number.as_ref().map(|f| f.confidence));
    unsure("order_date", x.order_date.as_ref().map(|f| f.confidence));
    unsure(
        "requested_delivery_date",
        x.requested_delivery_date.as_ref().map(|f| f.confidence),
    );
    unsure("currency", x.currency.as_ref().map(|f| f.confidence));
    unsure("stated_total", x.stated_total.as_ref().map(|f| f.confidence));
    unsure("ship_to", x.ship_to.as_ref().map(|f| f.confidence));
    for r in &resolved {
        if r.confidence < threshold("line") {
            review_reasons.push(format!(
                "line {} read or matched with confidence {:.2}",
                r.facts.line_no, r.confidence
            ));
        }
    }
    if ambiguous_ship_to {
        review_reasons.push("the delivery address fits several of the customer's addresses".into());
    }
    if kind == MessageKind::Order {
        if x.po_number.is_none() {
            review_reasons.push("no PO number found".into());
        }
        if x.lines.is_empty() {
            review_reasons.push("no order lines found".into());
        }
        if customer_no
            .as_ref()
            .is_some_and(|c| settings.review_customers.iter().any(|r| r == c))
        {
            review_reasons.push("this customer's orders always go to review (setting)".into());
        }
        if let Some(reason) = customer.and_then(|c| sender_distrust(documents, x.sender.as_deref(), c, settings)) {
            review_reasons.push(reason);
        }
        if let Some(reason) = nothing_priced(&x) {
            review_reasons.push(reason);
        }
    } else {
        review_reasons.push(format!("a {} message is for a person to handle", kind.as_str()));
    }
    let decision = decide(
        kind,
        !review_reasons.iter().any(|r| r.contains("setting")),
        review_reasons.is_empty(),
        !x.lines.is_empty(),
        &exceptions,
    );

    Draft {
        schema: SCHEMA.into(),
        kind: kind.as_str().into(),
        customer: matched.as_ref().zip(customer).map(|(m, c)| DraftCustomer {
            customer_no: c.customer_no.as_str().to_owned(),
            confidence: round3(m.confidence),
            name: Some(c.name.clone()),
            matched_via: Some(m.via.to_owned()),
        }),
        po_number: x.po_number.as_ref().map(|f| f.value.clone()),
        order_date: order_date.map(|d| d.to_string()),
        requested_delivery_date: requested.map(|d| d.to_string()),
        currency,
        stated_total: x.stated_total.as_ref().map(|f| dec_text(f.value)),
        ship_to,
        lines: resolved.into_iter().map(|r| r.json).collect(),
        exceptions: exceptions.iter().map(exception_json).collect(),
        decision: decision.as_str().into(),
        kind_reason: classification.reason.clone(),
        review_reasons,
        sender: x.sender.clone(),
        subject: x.subject.clone(),
        document_number: x.document_number.as_ref().map(|f| f.value.clone()),
        incoterms: x.incoterms.as_ref().map(|f| f.value.clone()),
        payment_terms: x.payment_terms.as_ref().map(|f| f.value.clone()),
        contact: x.contact.as_ref().map(|f| f.value.clone()),
        notes: x.notes.as_ref().map(|f| f.value.clone()),
        fields,
    }
}

/// Checks a draft again after a reviewer changed it: our price, stock and
/// the rules for each line's (possibly new) product and quantity. Exceptions
/// that still apply keep their resolution; those that no longer apply go.
/// The duplicate-PO and ship-to findings are kept as they were (they depend
/// on the store and the printed address, which a line change does not touch).
pub fn recheck(draft: &mut Draft, catalog: &Catalog, settings: &ExtractionSettings, today: Date) {
    if !matches!(draft.kind.as_str(), "order" | "order_change") {
        return;
    }
    let customer = draft.customer.as_ref().and_then(|c| catalog.customer(&c.customer_no));
    let date = |s: &Option<String>| s.as_deref().and_then(|d| d.parse::<Date>().ok());
    let order_date = date(&draft.order_date).unwrap_or(today);
    let header_requested = date(&draft.requested_delivery_date);
    let number = |s: &Option<String>| s.as_deref().and_then(|v| v.parse::<Decimal>().ok());
    let mut facts_lines = Vec::new();
    for line in &mut draft.lines {
        let product = line.sku.as_deref().and_then(|s| catalog.product(s));
        let quantity = number(&line.quantity).unwrap_or_default();
        // The customer-unit factor the line was drafted with stays with it.
        let factor = match (number(&line.base_quantity), number(&line.quantity)) {
            (Some(b), Some(q)) if !q.is_zero() => b / q,
            _ => Decimal::ONE,
        };
        let base_quantity = quantity * factor;
        if number(&line.quantity).is_some() {
            line.base_quantity = Some(dec_text(base_quantity));
        }
        let requested = date(&line.delivery_date).or(header_requested).unwrap_or(order_date);
        let expected = match (product, customer) {
            (Some(p), Some(c)) => {
                let entries = catalog.prices_of(p.sku.as_str());
                domain::pricing::expected_price(
                    &entries,
                    &c.customer_no,
                    c.price_list.as_ref(),
                    &p.sku,
                    base_quantity,
                    order_date,
                )
                .map(|e| e.entry.unit_price * factor)
            }
            _ => None,
        };
        line.expected_price = expected.map(dec_text);
        let available = product
            .map(|p| domain::stock::available_by(&catalog.stock_of(p.sku.as_str()), requested))
            .unwrap_or_default();
        facts_lines.push(LineFacts {
            line_no: line.line_no,
            label: line
                .customer_part_no
                .clone()
                .or_else(|| line.printed_code.clone())
                .or_else(|| line.sku.clone())
                .or_else(|| line.description.clone())
                .unwrap_or_else(|| "(no code or description)".into()),
            product,
            quantity,
            base_quantity,
            stated_price: number(&line.unit_price),
            expected_price: expected,
            available,
            requested_date: requested,
        });
    }
    let had = |code: &str| draft.exceptions.iter().any(|e| e.code == code);
    let stated_currency = draft
        .fields
        .contains_key("currency")
        .then(|| draft.currency.clone())
        .flatten();
    let facts = OrderFacts {
        customer,
        stated_currency: stated_currency.as_deref(),
        order_date,
        unknown_ship_to: had("unknown_ship_to"),
        duplicate_po: had("duplicate_po"),
        stated_total: number(&draft.stated_total),
        lines: facts_lines,
    };
    let mut fresh: Vec<DraftException> = validate(&facts, &settings.policy())
        .iter()
        .map(exception_json)
        .collect();
    fresh.sort_by_key(|e| e.line_no.map_or(0, |n| n + 1));
    for e in &mut fresh {
        if let Some(old) = draft
            .exceptions
            .iter()
            .find(|o| o.code == e.code && o.line_no == e.line_no && o.resolved_by.is_some())
        {
            e.resolved_by = old.resolved_by.clone();
            e.resolution = old.resolution.clone();
        }
    }
    draft.exceptions = fresh;
}

/// What the extracted message says about its sender.
fn customer_cues(x: &Extracted) -> CustomerCues<'_> {
    CustomerCues {
        sender: x.sender.as_deref(),
        customer_no: x.customer_no.as_ref().map(|f| f.value.as_str()),
        buyer_ids: x.buyer_ids.iter().map(String::as_str).collect(),
        vat_id: x.vat_id.as_ref().map(|f| f.value.as_str()),
        quoted_emails: x
            .quoted_emails
            .iter()
            .map(String::as_str)
            .filter(|e| Some(*e) != x.sender.as_deref())
            .collect(),
        name: x.buyer_name.as_deref(),
    }
}

/// The draft's delivery address, whether it is unknown, and whether it is ambiguous.
fn ship_to(x: &Extracted, customer: Option<&Customer>, catalog: &Catalog) -> (Option<DraftShipTo>, bool, bool) {
    let printed = x.ship_to.as_ref().map(|f| PrintedAddress {
        id: f.value.id.clone(),
        name: f.value.name.clone(),
        street: f.value.street.clone(),
        zip: f.value.zip.clone(),
        city: f.value.city.clone(),
        country: f.value.country.clone(),
    });
    let Some(customer) = customer else {
        return (
            printed.map(|p| DraftShipTo {
                address_id: None,
                name: p.name,
                street: p.street,
                zip: p.zip,
                city: p.city,
                country: p.country,
            }),
            false,
            false,
        );
    };
    let addresses = catalog.addresses_of(customer.customer_no.as_str());
    let from_address = |i: usize| {
        let a = addresses[i];
        DraftShipTo {
            address_id: Some(a.address_id.as_str().to_owned()),
            name: a.name.clone(),
            street: a.street.clone(),
            zip: a.zip.clone(),
            city: a.city.clone(),
            country: a.country.as_ref().map(|c| c.as_str().to_owned()),
        }
    };
    let resolved = catalog.resolve_ship_to(customer.customer_no.as_str(), printed.as_ref());
    let ambiguous = resolved == ShipToMatch::Ambiguous;
    match resolved {
        ShipToMatch::Matched(i) | ShipToMatch::Default(Some(i)) => (Some(from_address(i)), false, false),
        ShipToMatch::Default(None) => (None, false, false),
        ShipToMatch::Ambiguous | ShipToMatch::Unknown => {
            let p = printed.unwrap_or_default();
            (
                Some(DraftShipTo {
                    address_id: None,
                    name: p.name,
                    street: p.street,
                    zip: p.zip,
                    city: p.city,
                    country: p.country,
                }),
                !ambiguous,
                ambiguous,
            )
        }
    }
}

struct ResolvedLine<'a> {
    facts: LineFacts<'a>,
    json: DraftLine,
    confidence: f32,
}

fn resolve_line<'a>(
    line_no: u32,
    line: &ExtractedLine,
    customer: Option<&Customer>,
    catalog: &'a Catalog,
    order_date: Date,
    header_requested: Option<Date>,
) -> ResolvedLine<'a> {
    let value = |f: &Option<extract::Field<String>>| f.as_ref().map(|f| f.value.clone());
    let customer_no = customer.map(|c| c.customer_no.as_str());
    let cues = LineCues {
        customer_part_no: line.customer_part_no.as_ref().map(|f| f.value.as_str()),
        sku: line.sku.as_ref().map(|f| f.value.as_str()),
        item_code: line.item_code.as_ref().map(|f| f.value.as_str()),
        gtin: line.gtin.as_ref().map(|f| f.value.as_str()),
        description: line.description.as_ref().map(|f| f.value.as_str()),
    };
    let m = catalog.resolve_line(customer_no, &cues);
    let product = m.product.map(|i| &catalog.products()[i]);
    let printed_unit = line.unit.as_ref().map(|f| f.value.clone());
    let item = m
        .customer_item
        .map(|i| &catalog.customer_items()[i])
        .or_else(|| {
            let c = customer_no?;
            let code = cues.customer_part_no.or(cues.item_code)?;
            catalog
                .customer_item(c, code)
                .filter(|it| product.is_some_and(|p| it.sku.as_ref() == Some(&p.sku)))
        })
        .or_else(|| {
            // No code printed, but the unit is this customer's own unit for the
            // product (`3 Karton`): its factor applies.
            let (c, p, unit) = (customer_no?, product?, printed_unit.as_deref()?);
            let items = catalog.customer_items_for_sku(c, p.sku.as_str());
            let mut fitting = items
                .into_iter()
                .filter(|it| it.factor.is_some() && it.customer_uom.as_ref().is_some_and(|u| u.as_str() == unit));
            let first = fitting.next()?;
            fitting.next().is_none().then_some(first)
        });
    let quantity = line.quantity.as_ref().map(|f| f.value);
    let customer_unit = item.and_then(|it| it.factor.and(it.customer_uom.as_ref()));
    let uom = printed_unit.clone().or_else(|| {
        customer_unit
            .map(|u| u.as_str().to_owned())
            .or_else(|| product.map(|p| p.base_unit.as_str().to_owned()))
    });
    let in_customer_unit = customer_unit.is_some_and(|u| uom.as_deref() == Some(u.as_str()));
    let factor = if in_customer_unit {
        item.and_then(|it| it.factor).unwrap_or(Decimal::ONE)
    } else {
        Decimal::ONE
    };
    let base_quantity = quantity.map(|q| q * factor);
    let requested = line
        .delivery_date
        .as_ref()
        .map(|f| f.value)
        .or(header_requested)
        .unwrap_or(order_date);
    let expected = match (product, customer, base_quantity) {
        (Some(p), Some(c), Some(bq)) => {
            let entries = catalog.prices_of(p.sku.as_str());
            domain::pricing::expected_price(&entries, &c.customer_no, c.price_list.as_ref(), &p.sku, bq, order_date)
                .map(|e| e.entry.unit_price * factor)
        }
        _ => None,
    };
    let available = product
        .map(|p| domain::stock::available_by(&catalog.stock_of(p.sku.as_str()), requested))
        .unwrap_or_default();
    let label = cues
        .customer_part_no
        .or(cues.sku)
        .or(cues.item_code)
        .or(cues.gtin)
        .or(cues.description)
        .unwrap_or("(no code or description)")
        .to_owned();
    // A quantity the unit of which cannot be read is not trusted.
    let unit_ok = printed_unit
        .as_deref()
        .is_none_or(|u| extract::values::unit_code(u).is_some());
    let mut confidence = line.confidence().min(if product.is_some() { m.score } else { 0.0 });
    if !unit_ok {
        confidence = confidence.min(0.5);
    }
    let customer_part_no = item
        .map(|it| it.customer_part_no.as_str().to_owned())
        .or_else(|| value(&line.customer_part_no));
    let json = DraftLine {
        line_no,
        sku: product.map(|p| p.sku.as_str().to_owned()),
        customer_part_no,
        description: value(&line.description).or_else(|| product.map(|p| p.name.clone())),
        quantity: quantity.map(dec_text),
        uom,
        unit_price: line.unit_price.as_ref().map(|f| dec_text(f.value)),
        delivery_date: line.delivery_date.as_ref().map(|f| f.value.to_string()),
        confidence: round3(confidence),
        alternatives: m
            .alternatives
            .iter()
            .map(|(i, s)| Alternative {
                sku: catalog.products()[*i].sku.as_str().to_owned(),
                score: round3(*s),
                name: Some(catalog.products()[*i].name.clone()),
            })
            .collect(),
        customer_line_no: line.customer_line_no.clone(),
        gtin: value(&line.gtin),
        base_quantity: base_quantity.map(dec_text),
        expected_price: expected.map(|p| dec_text(p.round_dp(6))),
        matched_via: m.via.map(|v: MatchedVia| v.as_str().to_owned()),
        change_type: line.change_type.clone(),
        printed_code: cues.customer_part_no.or(cues.sku).or(cues.item_code).map(str::to_owned),
        source: Some(line.source.clone()),
    };
    ResolvedLine {
        facts: LineFacts {
            line_no,
            label,
            product,
            quantity: quantity.unwrap_or_default(),
            base_quantity: base_quantity.unwrap_or_default(),
            stated_price: line.unit_price.as_ref().map(|f| f.value),
            expected_price: expected,
            available,
            requested_date: requested,
        },
        json,
        confidence,
    }
}

/// The draft for one file's bytes against the current master data, without
/// storing anything: what `orderdesk extract` prints. `sender` stands in for
/// the `From:` of files that are not mails.
pub async fn extract_bytes(
    store: &Store,
    catalog: &Catalog,
    bytes: &[u8],
    name: Option<&str>,
    sender: Option<&str>,
    config: &crate::Config,
) -> Result<Draft, StoreError> {
    let understood = crate::intake::understand(bytes, name, &config.intake);
    let mut documents = understood.documents;
    if let (Some(sender), Some(first)) = (sender, documents.first_mut())
        && first.value("from").is_none()
    {
        first.key_value("from", sender, "--sender");
    }
    let from = documents.iter().find_map(|d| d.value("from")).map(str::to_owned);
    let hints = hints_for(store, from.as_deref()).await?;
    let today = jiff::Zoned::now().date();
    let mut draft = make_draft(
        &documents,
        &understood.classification,
        &hints,
        catalog,
        &config.extraction,
        today,
    );
    check_duplicate_po(store, &mut draft, -1, &config.extraction).await?;
    if let Some(error) = understood.processed.error {
        draft.review_reasons.push(error);
        draft.decision = domain::validation::Decision::Review.as_str().into();
    }
    Ok(draft)
}

/// Loads all master data the matcher needs from the store.
pub async fn load_master_data(store: &Store) -> Result<MasterData, StoreError> {
    Ok(MasterData {
        products: store.all_rows(MasterTable::Products, master::decode_product).await?,
        customers: store.all_rows(MasterTable::Customers, master::decode_customer).await?,
        addresses: store.all_rows(MasterTable::Addresses, master::decode_address).await?,
        prices: store.all_rows(MasterTable::Prices, master::decode_price).await?,
        customer_items: store
            .all_rows(MasterTable::CustomerItems, master::decode_customer_item)
            .await?,
        stock: store.all_rows(MasterTable::Stock, master::decode_stock).await?,
    })
}

/// The layout hints learned for a sender, as extraction takes them.
pub async fn hints_for(store: &Store, sender: Option<&str>) -> Result<Vec<LayoutHint>, StoreError> {
    let Some(sender) = sender else { return Ok(Vec::new()) };
    Ok(store
        .layout_hints(sender)
        .await?
        .into_iter()
        .map(|h| LayoutHint {
            field: h.field,
            label: h.label,
        })
        .collect())
}

/// Adds `duplicate_po` when another stored order of the customer has the PO number.
pub async fn check_duplicate_po(
    store: &Store,
    draft: &mut Draft,
    message_id: i64,
    settings: &ExtractionSettings,
) -> Result<(), StoreError> {
    if let (Some(c), Some(po)) = (&draft.customer, &draft.po_number)
        && draft.kind == "order"
        && store.po_number_taken(&c.customer_no, po, message_id).await?
    {
        draft.mark_duplicate_po(settings);
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Matching(#[from] matching::MatchingError),
    #[error("building the catalog failed unexpectedly: {0}")]
    Join(String),
}

/// Loads the master data and builds the catalog (the index build runs on a blocking thread).
pub async fn load_catalog(store: &Store) -> Result<Catalog, CatalogError> {
    let data = load_master_data(store).await?;
    tokio::task::spawn_blocking(move || Catalog::build(data))
        .await
        .map_err(|e| CatalogError::Join(e.to_string()))?
        .map_err(CatalogError::from)
}

/// A shared catalog and when it was loaded.
type LoadedCatalog = (Arc<RwLock<Catalog>>, Instant);

/// The catalog a worker drafts with, rebuilt when older than the refresh
/// interval; what reviewers teach is applied to it in place.
#[derive(Clone, Default)]
pub struct CatalogCache {
    inner: Arc<tokio::sync::Mutex<Option<LoadedCatalog>>>,
}

impl std::fmt::Debug for CatalogCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CatalogCache")
    }
}

impl CatalogCache {
    pub async fn get(&self, store: &Store, refresh: Duration) -> Result<Arc<RwLock<Catalog>>, CatalogError> {
        let mut guard = self.inner.lock().await;
        if let Some((catalog, at)) = guard.as_ref()
            && at.elapsed() < refresh
        {
            return Ok(catalog.clone());
        }
        let started = Instant::now();
        let catalog = Arc::new(RwLock::new(load_catalog(store).await?));
        tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "catalog loaded");
        *guard = Some((catalog.clone(), Instant::now()));
        Ok(catalog)
    }

    /// Forgets the catalog: the next draft loads it anew (after an import).
    pub async fn invalidate(&self) {
        *self.inner.lock().await = None;
    }

    /// The catalog if one is loaded.
    pub async fn loaded(&self) -> Option<Arc<RwLock<Catalog>>> {
        self.inner.lock().await.as_ref().map(|(c, _)| c.clone())
    }
}

impl ExtractionSettings {
    pub fn policy(&self) -> ValidationPolicy {
        let mut policy = ValidationPolicy {
            price_tolerance_relative: self.price_tolerance_relative,
            price_tolerance_absolute: self.price_tolerance_absolute,
            severities: BTreeMap::new(),
        };
        for (code, severity) in &self.severities {
            if let (Some(code), Some(severity)) = (ExceptionCode::parse(code), Severity::parse(severity)) {
                policy.severities.insert(code, severity);
            }
        }
        policy
    }

    pub fn threshold(&self, field: &str) -> f32 {
        self.thresholds.get(field).copied().unwrap_or(self.confidence_threshold)
    }
}

#[cfg(test)]
mod trust_tests {
    use super::authenticated;

    #[test]
    fn authentication_results_vouch_only_for_their_domain() {
        let r = "mx.example.com; dkim=pass header.d=muster.example header.s=s1; spf=fail smtp.mailfrom=x@other.example";
        assert!(authenticated(r, "muster.example"));
        assert!(!authenticated(r, "other.example"));
        assert!(authenticated(
            "mx; dmarc=pass header.from=muster.example",
            "muster.example"
        ));
        assert!(authenticated(
            "mx; spf=pass smtp.mailfrom=a@mail.muster.example",
            "muster.example"
        ));
        assert!(!authenticated(
            "mx; dkim=fail header.d=muster.example",
            "muster.example"
        ));
        assert!(!authenticated(
            "mx; dkim=pass header.d=evilmuster.example",
            "muster.example"
        ));
        assert!(!authenticated("mx; dkim=pass header.d=muster.example", ""));
    }
}

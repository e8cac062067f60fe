//! Making a draft from a message's Documents: read, resolve, check, decide.
//!
//! [`make_draft`] is pure (no IO): it reads the header and lines
//! ([`extract::extract_order`]), resolves the customer and the ship-to against
//! the [`Catalog`], resolves every line ([`super::lines`]), runs the domain's
//! checks and decides straight-through or review. The checks that need the
//! store (a PO number already used) are applied afterwards with
//! [`Draft::mark_duplicate_po`].

use std::collections::BTreeMap;

use document::Document;
use domain::CurrencyCode;
use domain::customer::Customer;
use domain::exception::{ExceptionCode, OrderException};
use domain::message::MessageKind;
use domain::review::{ReadField, ReviewReason};
use domain::validation::{OrderFacts, validate};
use extract::{Classification, Extracted, LayoutHint};
use jiff::civil::Date;
use matching::{Catalog, CustomerCues, PrintedAddress, ShipToMatch};

use super::evidence;
use super::lines::{ResolvedLine, resolve_line};
use super::model::{Draft, DraftCustomer, DraftException, DraftShipTo, FieldInfo, SCHEMA, round3};
use super::trust::sender_distrust;
use crate::config::ExtractionSettings;

impl Draft {
    /// Adds `duplicate_po` (the store found the PO number already used) and decides again.
    pub fn mark_duplicate_po(&mut self, settings: &ExtractionSettings) {
        let policy = settings.policy();
        let code = ExceptionCode::DuplicatePo;
        if self.has_exception(code) {
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
        self.exceptions.insert(0, DraftException::from(&e));
        self.decide();
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

/// An order with nothing priced: a stated total of zero, or no price on any line.
/// Our prices would fill it, but an order that names no money is for a person to see.
fn nothing_priced(x: &Extracted) -> Option<ReviewReason> {
    if x.stated_total.as_ref().is_some_and(|t| t.value.is_zero()) {
        return Some(ReviewReason::ZeroTotal);
    }
    if !x.lines.is_empty()
        && x.stated_total.is_none()
        && x.lines.iter().all(|l| l.unit_price.is_none() && l.line_total.is_none())
    {
        return Some(ReviewReason::NothingPriced);
    }
    None
}

/// The extracted header values with their confidence and source.
fn field_infos(x: &Extracted) -> BTreeMap<ReadField, FieldInfo> {
    let info = |c: f32, s: &extract::Source| FieldInfo {
        confidence: round3(c),
        source: s.clone(),
    };
    let found = [
        (
            ReadField::PoNumber,
            x.po_number.as_ref().map(|f| info(f.confidence, &f.source)),
        ),
        (
            ReadField::OrderDate,
            x.order_date.as_ref().map(|f| info(f.confidence, &f.source)),
        ),
        (
            ReadField::RequestedDeliveryDate,
            x.requested_delivery_date
                .as_ref()
                .map(|f| info(f.confidence, &f.source)),
        ),
        (
            ReadField::Currency,
            x.currency.as_ref().map(|f| info(f.confidence, &f.source)),
        ),
        (
            ReadField::StatedTotal,
            x.stated_total.as_ref().map(|f| info(f.confidence, &f.source)),
        ),
        (
            ReadField::ShipTo,
            x.ship_to.as_ref().map(|f| info(f.confidence, &f.source)),
        ),
        (
            ReadField::CustomerNo,
            x.customer_no.as_ref().map(|f| info(f.confidence, &f.source)),
        ),
    ];
    found.into_iter().filter_map(|(k, v)| Some((k, v?))).collect()
}

/// Reads the message's header and lines, trying the customer's date order
/// when a slashed date reads both ways.
fn read_order(documents: &[Document], hints: &[LayoutHint], catalog: &Catalog) -> Extracted {
    let x = extract::extract_order(documents, hints);
    let unsure_date = |f: &Option<extract::Field<Date>>| f.as_ref().is_some_and(|f| f.confidence <= 0.6);
    if !(unsure_date(&x.order_date) || unsure_date(&x.requested_delivery_date)) {
        return x;
    }
    let Some(m) = catalog
        .resolve_customer(&customer_cues(&x))
        .filter(|m| m.confidence >= 0.9)
    else {
        return x;
    };
    let american = catalog.customers()[m.index]
        .billing_address
        .country
        .as_ref()
        .is_some_and(|c| c.as_str() == "US");
    let order = if american {
        extract::values::DateOrder::MonthFirst
    } else {
        extract::values::DateOrder::DayFirst
    };
    extract::extract_order_with(documents, hints, Some(order))
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
    let x = read_order(documents, hints, catalog);
    let kind = classification.kind;
    let fields = field_infos(&x);
    // Where names and addresses are looked for; made once for the customer and the ship-to.
    let text = plain_text(documents);

    // The customer: by what the message says about its sender, else by a
    // customer's name together with one of its addresses in the text.
    let matched = catalog.resolve_customer(&customer_cues(&x));
    let matched = match matched {
        Some(m) if m.confidence >= 0.9 => Some(m),
        weak => catalog
            .customer_in_text(&text)
            .filter(|found| weak.as_ref().is_none_or(|w| w.index == found.index))
            .or(weak),
    };
    let customer: Option<&Customer> = matched.as_ref().map(|m| &catalog.customers()[m.index]);

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
    let currency = match &stated_currency {
        Some(code) => CurrencyCode::parse(code).ok(),
        None => customer.and_then(|c| c.currency),
    };

    let found_ship_to = ship_to(&text, &x, customer, catalog);
    let (unknown_ship_to, ambiguous_ship_to) = (found_ship_to.unknown, found_ship_to.ambiguous);

    // Lines.
    let check_date = order_date.unwrap_or(today);
    let resolved: Vec<ResolvedLine<'_>> = x
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            resolve_line(
                i as u32 + 1,
                line,
                customer,
                catalog,
                check_date,
                requested,
                &settings.pricing,
            )
        })
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

    // Why a person should look.
    let mut review_reasons = Vec::new();
    let mut unsure = |field: ReadField, confidence: Option<f32>| {
        if let Some(c) = confidence
            && c < settings.threshold(field.as_str())
        {
            review_reasons.push(ReviewReason::UnsureField { field, confidence: c });
        }
    };
    unsure(ReadField::Customer, matched.as_ref().map(|m| m.confidence));
    unsure(ReadField::PoNumber, x.po_number.as_ref().map(|f| f.confidence));
    unsure(ReadField::OrderDate, x.order_date.as_ref().map(|f| f.confidence));
    unsure(
        ReadField::RequestedDeliveryDate,
        x.requested_delivery_date.as_ref().map(|f| f.confidence),
    );
    unsure(ReadField::Currency, x.currency.as_ref().map(|f| f.confidence));
    unsure(ReadField::StatedTotal, x.stated_total.as_ref().map(|f| f.confidence));
    unsure(ReadField::ShipTo, x.ship_to.as_ref().map(|f| f.confidence));
    for r in &resolved {
        if r.confidence < settings.threshold("line") {
            review_reasons.push(ReviewReason::UnsureLine {
                line_no: r.facts.line_no,
                confidence: r.confidence,
            });
        }
    }
    if ambiguous_ship_to {
        review_reasons.push(ReviewReason::AmbiguousShipTo);
    }
    for r in &resolved {
        if let Some((ordered, sold)) = &r.unit_without_factor {
            review_reasons.push(ReviewReason::UnitWithoutFactor {
                line_no: r.facts.line_no,
                ordered: ordered.clone(),
                sold: sold.clone(),
            });
        }
    }
    if found_ship_to.from_text {
        review_reasons.push(ReviewReason::UnsureField {
            field: ReadField::ShipTo,
            confidence: 0.8,
        });
    }
    if kind == MessageKind::Order {
        if x.po_number.is_none() {
            review_reasons.push(ReviewReason::NoPoNumber);
        }
        if x.lines.is_empty() {
            review_reasons.push(ReviewReason::NoLines);
        }
        if customer.is_some_and(|c| settings.review_customers.iter().any(|r| r == c.customer_no.as_str())) {
            review_reasons.push(ReviewReason::CustomerAlwaysReviewed);
        }
        if let Some(reason) = customer.and_then(|c| sender_distrust(documents, x.sender.as_deref(), c, settings)) {
            review_reasons.push(reason);
        }
        if let Some(reason) = nothing_priced(&x) {
            review_reasons.push(reason);
        }
        if let Some(text) = x.unread_delivery_date.as_ref().filter(|_| requested.is_none()) {
            review_reasons.push(ReviewReason::UnreadDeliveryDate(text.clone()));
        }
        // A total that the lines do not add up to means a line or a number was misread.
        if exceptions.iter().any(|e| e.code == ExceptionCode::TotalMismatch) {
            review_reasons.push(ReviewReason::TotalDisagrees);
        }
        // What the document says that the draft does not use.
        let mut used: Vec<Date> = resolved.iter().filter_map(|r| r.line.delivery_date).collect();
        used.extend(order_date);
        used.extend(requested);
        used.extend(x.mail_date);
        if let Some(reason) = evidence::unused_date(&x, &used, check_date) {
            review_reasons.push(reason);
        }
        let customer_no = customer.map(|c| c.customer_no.as_str());
        let lines = resolved.iter().map(|r| &r.line);
        if let Some(reason) = evidence::unused_product_code(documents, catalog, customer_no, lines) {
            review_reasons.push(reason);
        }
    } else {
        review_reasons.push(ReviewReason::NotAnOrder(kind));
    }
    let decision = domain::review::decide(kind, &review_reasons, &exceptions);

    Draft {
        schema: SCHEMA.into(),
        kind,
        customer: matched.as_ref().zip(customer).map(|(m, c)| DraftCustomer {
            customer_no: c.customer_no.as_str().to_owned(),
            confidence: round3(m.confidence),
            name: Some(c.name.clone()),
            matched_via: Some(m.via.into()),
        }),
        po_number: x.po_number.as_ref().map(|f| f.value.clone()),
        order_date,
        requested_delivery_date: requested,
        currency,
        stated_total: x.stated_total.as_ref().map(|f| f.value),
        ship_to: found_ship_to.address,
        lines: resolved.into_iter().map(|r| r.line).collect(),
        exceptions: exceptions.iter().map(DraftException::from).collect(),
        decision,
        kind_reason: classification.reason.to_string(),
        review_reasons,
        sender: x.sender.clone(),
        subject: x.subject.clone(),
        document_number: x.document_number.as_ref().map(|f| f.value.clone()),
        document_date: x.document_date.as_ref().map(|f| f.value).or_else(|| {
            (kind == MessageKind::Other)
                .then(|| x.order_date.as_ref().map(|f| f.value))
                .flatten()
        }),
        incoterms: x.incoterms.as_ref().map(|f| f.value.clone()),
        payment_terms: x.payment_terms.as_ref().map(|f| f.value.clone()),
        contact: x.contact.as_ref().map(|f| f.value.clone()),
        notes: x.notes.as_ref().map(|f| f.value.clone()),
        fields,
        reply: None,
        order_id: None,
    }
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

impl From<PrintedAddress> for DraftShipTo {
    fn from(p: PrintedAddress) -> DraftShipTo {
        DraftShipTo {
            address_id: None,
            name: p.name,
            street: p.street,
            zip: p.zip,
            city: p.city,
            country: p.country,
        }
    }
}

/// The draft's delivery address and how sure it is.
struct ShipTo {
    address: Option<DraftShipTo>,
    /// Printed, but none of the customer's addresses.
    unknown: bool,
    /// Printed, and several of the customer's addresses fit.
    ambiguous: bool,
    /// Not printed as a delivery address, but one of the customer's other
    /// addresses stands in the text: taken, for a person to confirm.
    from_text: bool,
}

/// How much of a message's text is searched for names and addresses: the
/// first pages, where letterheads and delivery addresses stand.
const ADDRESS_TEXT: usize = 64 * 1024;

/// The text of the documents that are not structured, for finding addresses in it.
pub(super) fn plain_text(documents: &[Document]) -> String {
    let mut text = String::new();
    for d in documents.iter().filter(|d| !d.format.is_structured()) {
        if text.len() >= ADDRESS_TEXT {
            break;
        }
        for b in &d.text_blocks {
            text.push_str(&b.text);
            text.push('\n');
        }
        for row in d.tables.iter().flat_map(|t| &t.rows) {
            for c in &row.cells {
                text.push_str(&c.text);
                text.push(' ');
            }
            text.push('\n');
        }
    }
    if text.len() > ADDRESS_TEXT {
        let mut end = ADDRESS_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

fn ship_to(text: &str, x: &Extracted, customer: Option<&Customer>, catalog: &Catalog) -> ShipTo {
    let found = |address, unknown, ambiguous, from_text| ShipTo {
        address,
        unknown,
        ambiguous,
        from_text,
    };
    let printed = x.ship_to.as_ref().map(|f| PrintedAddress {
        id: f.value.id.clone(),
        name: f.value.name.clone(),
        street: f.value.street.clone(),
        zip: f.value.zip.clone(),
        city: f.value.city.clone(),
        country: f.value.country.clone(),
    });
    let Some(customer) = customer else {
        return found(printed.map(DraftShipTo::from), false, false, false);
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
        ShipToMatch::Default(default) => {
            // Nothing printed under a delivery label: another of the
            // customer's addresses written in the text is where it goes.
            let in_text = catalog.addresses_in_text(customer.customer_no.as_str(), text);
            let others: Vec<usize> = in_text.into_iter().filter(|&i| !addresses[i].is_default).collect();
            match others.as_slice() {
                [one] => found(Some(from_address(*one)), false, false, true),
                [] => found(default.map(from_address), false, false, false),
                _ => found(default.map(from_address), false, true, false),
            }
        }
        ShipToMatch::Matched(i) => found(Some(from_address(i)), false, false, false),
        ShipToMatch::Ambiguous | ShipToMatch::Unknown => found(
            Some(DraftShipTo::from(printed.unwrap_or_default())),
            !ambiguous,
            ambiguous,
            false,
        ),
    }
}

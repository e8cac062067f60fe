//! Structured documents (EDI, UBL, openTRANS): labelled values and a line
//! table that map directly.

use super::*;
use document::keys::{self, BILL_TO, BUYER, SHIP_TO, party};

/// EDI, UBL and openTRANS: labelled values and the line table map directly.
pub(super) fn read_structured(doc: &Document, out: &mut Extracted) {
    let src = |key: &str| -> Source {
        Source {
            part: doc.part.clone(),
            page: 1,
            origin: doc
                .key_values
                .iter()
                .find(|kv| kv.key == key)
                .and_then(|kv| kv.source.clone()),
            ..Default::default()
        }
    };
    let text = |key: &str| doc.value(key).map(|v| Field::new(v.to_owned(), 0.99, src(key)));
    let date = |key: &str| {
        doc.value(key)
            .and_then(|v| parse_date(v, DateOrder::DayFirst))
            .map(|d| Field::new(d, 0.99, src(key)))
    };
    out.po_number = text(keys::ORIGINAL_PO_NUMBER).or_else(|| text(keys::PO_NUMBER));
    out.document_number = text(keys::DOCUMENT_NUMBER);
    out.order_date = date(keys::ORDER_DATE);
    out.requested_delivery_date = date(keys::REQUESTED_DELIVERY_DATE);
    out.currency = text(keys::CURRENCY);
    out.stated_total = doc
        .value(keys::STATED_TOTAL)
        .and_then(|v| parse_number(v, NumberStyle::DecimalPoint))
        .map(|v| Field::new(v, 0.99, src(keys::STATED_TOTAL)));
    out.notes = text(keys::NOTE);
    out.payment_terms = text(keys::PAYMENT_TERMS);
    out.incoterms = text(keys::INCOTERMS);
    out.contact = text(keys::CONTACT_NAME);
    let value = |role: &str, field: &str| doc.value(&party(role, field)).map(str::to_owned);
    out.buyer_ids = [
        value(BUYER, "id"),
        value(BILL_TO, "id"),
        doc.value(keys::CUSTOMER_REFERENCE).map(str::to_owned),
        value(BUYER, "customer_no"),
    ]
    .into_iter()
    .flatten()
    .collect();
    out.buyer_name = value(BUYER, "name");
    out.vat_id = text(&party(BUYER, "vat_id"));
    out.quoted_emails = value(BUYER, "email").into_iter().collect();
    let ship_to = Address {
        id: value(SHIP_TO, "id"),
        name: value(SHIP_TO, "name"),
        street: value(SHIP_TO, "street"),
        zip: value(SHIP_TO, "zip"),
        city: value(SHIP_TO, "city"),
        country: value(SHIP_TO, "country"),
    };
    if !ship_to.is_empty() {
        out.ship_to = Some(Field::new(ship_to, 0.99, src(&party(SHIP_TO, "city"))));
    }
    let Some(table) = doc.tables.first() else { return };
    let header = table.row(0);
    let col = |name: &str| header.iter().position(|h| *h == name);
    out.lines_part = Some(doc.part.clone());
    for (r, row) in table.rows.iter().enumerate().skip(table.header_rows) {
        let source = Source {
            part: doc.part.clone(),
            page: table.page,
            origin: Some(format!("line table row {}", r + 1)),
            ..Default::default()
        };
        let cell = |name: &str| {
            col(name)
                .and_then(|i| row.cells.get(i))
                .map(|c| c.text.trim())
                .filter(|t| !t.is_empty())
        };
        let f = |name: &str| cell(name).map(|t| Field::new(t.to_owned(), 0.99, source.clone()));
        let number = |name: &str| {
            cell(name).and_then(|t| {
                parse_number(t, NumberStyle::DecimalPoint).or_else(|| parse_number(t, NumberStyle::DecimalComma))
            })
        };
        let line = ExtractedLine {
            customer_line_no: cell("line_no").map(str::to_owned),
            customer_part_no: f("buyer_part_no"),
            sku: f("vendor_part_no"),
            gtin: f("gtin").or_else(|| f("upc")),
            description: f("description"),
            quantity: number("quantity").map(|q| Field::new(q, 0.99, source.clone())),
            // Units by the standard's own code list; one it does not know stays as sent, less sure.
            unit: cell("unit").map(|u| match standard_unit_code(u, doc.format == Format::X12) {
                Some(code) => Field::new(code.to_owned(), 0.99, source.clone()),
                None => Field::new(u.to_owned(), 0.5, source.clone()),
            }),
            unit_price: number("unit_price").map(|p| Field::new(p, 0.99, source.clone())),
            delivery_date: cell("delivery_date")
                .and_then(|d| parse_date(d, DateOrder::DayFirst))
                .map(|d| Field::new(d, 0.99, source.clone())),
            change_type: cell("change_type").map(str::to_owned),
            source: source.clone(),
            ..Default::default()
        };
        if line.quantity.is_none() && line.customer_part_no.is_none() && line.sku.is_none() && line.gtin.is_none() {
            continue;
        }
        out.lines.push(line);
    }
}

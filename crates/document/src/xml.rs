//! XML orders: UBL 2.x (Order, OrderChange, OrderCancellation, RequestForQuotation;
//! Peppol BIS Ordering) and openTRANS 2.1 (ORDER, ORDERCHANGE).
//!
//! The file is read once into leaves (element path, attributes, text), tagged
//! with the line item and party they sit in; the mapping below reads them by path.

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::model::{Document, Format, Severity};

struct Leaf {
    /// Local names from the root, joined by `/`.
    path: String,
    unit_code: Option<String>,
    text: String,
    line: Option<usize>,
    party: Option<usize>,
}

impl Leaf {
    fn ends_with(&self, suffix: &str) -> bool {
        self.path.ends_with(suffix)
            && (self.path.len() == suffix.len() || self.path.as_bytes()[self.path.len() - suffix.len() - 1] == b'/')
    }
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_owned()
}

/// Reads leaves; `line_tags`/`party_tags` start a new line item or party.
fn leaves(bytes: &[u8], line_tags: &[&str], party_tags: &[&str]) -> Result<(String, Vec<Leaf>), String> {
    let mut reader = Reader::from_reader(bytes);
    let mut stack: Vec<String> = Vec::new();
    let mut attrs_stack: Vec<Vec<(String, String)>> = Vec::new();
    let mut out = Vec::new();
    let mut root = String::new();
    let (mut lines, mut parties) = (0usize, 0usize);
    let (mut line, mut party): (Option<usize>, Option<usize>) = (None, None);
    let mut text = String::new();
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(e) => {
                if stack.len() >= crate::limits::MAX_XML_DEPTH {
                    return Err(format!(
                        "elements nested more than {} levels deep at byte {}; not read (a damaged or hostile file)",
                        crate::limits::MAX_XML_DEPTH,
                        reader.buffer_position()
                    ));
                }
                let name = local(e.name().as_ref());
                if root.is_empty() {
                    root = name.clone();
                }
                if line_tags.contains(&name.as_str()) {
                    lines += 1;
                    line = Some(lines);
                }
                if party_tags.contains(&name.as_str()) {
                    parties += 1;
                    party = Some(parties);
                }
                let attrs = e
                    .attributes()
                    .flatten()
                    .map(|a| {
                        (
                            local(a.key.as_ref()),
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .map(|v| v.into_owned())
                                .unwrap_or_default(),
                        )
                    })
                    .collect();
                stack.push(name);
                attrs_stack.push(attrs);
                text.clear();
            }
            Event::Text(t) => {
                text.push_str(&t.xml10_content());
            }
            Event::CData(t) => text.push_str(t.as_ref()),
            Event::GeneralRef(r) => {
                let name: &str = r.as_ref();
                let resolved = match name {
                    "amp" => "&".to_owned(),
                    "lt" => "<".to_owned(),
                    "gt" => ">".to_owned(),
                    "quot" => "\"".to_owned(),
                    "apos" => "'".to_owned(),
                    other => other
                        .strip_prefix("#x")
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .or_else(|| other.strip_prefix('#').and_then(|d| d.parse().ok()))
                        .and_then(char::from_u32)
                        .map(String::from)
                        .unwrap_or_default(),
                };
                text.push_str(&resolved);
            }
            Event::End(_) => {
                let name = stack.last().cloned().unwrap_or_default();
                let attrs = attrs_stack.pop().unwrap_or_default();
                if !text.trim().is_empty() {
                    if out.len() >= crate::limits::MAX_XML_LEAVES {
                        return Err(format!(
                            "more than {} values; not read (larger than any order)",
                            crate::limits::MAX_XML_LEAVES
                        ));
                    }
                    out.push(Leaf {
                        path: stack.join("/"),
                        unit_code: attrs.iter().find(|(k, _)| k == "unitCode").map(|(_, v)| v.clone()),
                        text: text.trim().to_owned(),
                        line,
                        party,
                    });
                }
                text.clear();
                stack.pop();
                if line_tags.contains(&name.as_str()) {
                    line = None;
                }
                if party_tags.contains(&name.as_str()) {
                    party = None;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if let Some(open) = stack.last() {
        return Err(format!(
            "the document ends inside <{open}> ({} levels open)",
            stack.len()
        ));
    }
    if root.is_empty() {
        return Err("no root element".into());
    }
    Ok((root, out))
}

/// The local name of the root element, if the bytes are XML.
pub fn root_element(bytes: &[u8]) -> Option<String> {
    let mut reader = Reader::from_reader(bytes);
    let mut buf = Vec::new();
    for _ in 0..64 {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) => return Some(local(e.name().as_ref())),
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
    None
}

fn add_line(lines: &mut Vec<Vec<String>>, index: usize) -> &mut Vec<String> {
    while lines.len() < index {
        lines.push(crate::model::empty_line());
    }
    &mut lines[index - 1]
}

fn finish(mut doc: Document, lines: Vec<Vec<String>>) -> Document {
    doc.tables.extend(crate::model::line_table(lines, &[]));
    doc
}

fn set(slot: &mut String, value: &str) {
    if slot.is_empty() {
        *slot = value.to_owned();
    }
}

/// Parses UBL or openTRANS; other XML gives a Document with a diagnostic.
pub fn parse(bytes: &[u8], part: &str, name: Option<String>) -> Document {
    let root = root_element(bytes).unwrap_or_default();
    match root.as_str() {
        "Order" | "OrderChange" | "OrderCancellation" | "RequestForQuotation" | "OrderResponse" => {
            ubl(bytes, part, name)
        }
        "ORDER" | "ORDERCHANGE" | "RFQ" | "ORDERRESPONSE" => opentrans(bytes, part, name),
        _ => {
            let mut doc = Document::new(part, name, Format::Xml);
            match leaves(bytes, &[], &[]) {
                Ok((root, leaves)) => {
                    doc.message_type = Some(root.clone());
                    doc.diagnose(Severity::Warning, "xml_unknown", format!("<{root}> is not an order format Orderdesk reads (UBL Order, openTRANS ORDER); its text is kept"));
                    for leaf in leaves.iter().take(10_000) {
                        doc.key_value(leaf.path.clone(), leaf.text.clone(), "xml");
                    }
                }
                Err(e) => doc.diagnose(
                    Severity::Error,
                    "xml_invalid",
                    format!("the XML is not well-formed: {e}"),
                ),
            }
            doc
        }
    }
}

fn ubl(bytes: &[u8], part: &str, name: Option<String>) -> Document {
    let mut doc = Document::new(part, name, Format::Ubl);
    let (root, leaves) = match leaves(bytes, &["OrderLine", "RequestForQuotationLine"], &[]) {
        Ok(v) => v,
        Err(e) => {
            doc.diagnose(
                Severity::Error,
                "xml_invalid",
                format!("the UBL document is not well-formed XML: {e}"),
            );
            return doc;
        }
    };
    doc.message_type = Some(root.clone());
    doc.key_value(crate::keys::MESSAGE_TYPE, root.clone(), "root");
    let mut lines: Vec<Vec<String>> = Vec::new();
    let header_party = |leaf: &Leaf| -> Option<&'static str> {
        let p = &leaf.path;
        if p.contains("/BuyerCustomerParty/") || p.contains("/OriginatorCustomerParty/") {
            Some("buyer")
        } else if p.contains("/SellerSupplierParty/") {
            Some("supplier")
        } else if p.contains("/AccountingCustomerParty/") {
            Some("bill_to")
        } else if p.contains("/Delivery/") {
            Some("ship_to")
        } else {
            None
        }
    };
    for leaf in &leaves {
        let src = leaf.path.clone();
        if let Some(index) = leaf.line {
            let line = add_line(&mut lines, index);
            let p = &leaf.path;
            if leaf.ends_with("LineItem/ID") || (p.ends_with("Line/ID") && !p.contains("LineItem")) {
                set(&mut line[0], &leaf.text);
            } else if leaf.ends_with("LineItem/Quantity") || leaf.ends_with("RequestForQuotationLine/LineItem/Quantity")
            {
                set(&mut line[1], &leaf.text);
                set(&mut line[2], leaf.unit_code.as_deref().unwrap_or(""));
            } else if leaf.ends_with("Price/PriceAmount") {
                set(&mut line[3], &leaf.text);
            } else if leaf.ends_with("BuyersItemIdentification/ID") {
                set(&mut line[4], &leaf.text);
            } else if leaf.ends_with("SellersItemIdentification/ID") {
                set(&mut line[5], &leaf.text);
            } else if leaf.ends_with("StandardItemIdentification/ID") {
                set(&mut line[6], &leaf.text);
            } else if leaf.ends_with("Item/Name") {
                line[8] = if line[8].is_empty() {
                    leaf.text.clone()
                } else {
                    format!("{} {}", leaf.text, line[8])
                };
            } else if leaf.ends_with("Item/Description") && line[8].is_empty() {
                line[8] = leaf.text.clone();
            } else if leaf.path.contains("RequestedDeliveryPeriod/")
                && (leaf.ends_with("StartDate") || leaf.ends_with("EndDate"))
            {
                set(&mut line[9], &leaf.text);
            }
            continue;
        }
        let top = leaf.path.split('/').nth(1).unwrap_or("");
        match top {
            "ID" if root != "OrderChange" && root != "OrderCancellation" => {
                doc.key_value(crate::keys::PO_NUMBER, leaf.text.clone(), src)
            }
            "ID" => doc.key_value(crate::keys::DOCUMENT_NUMBER, leaf.text.clone(), src),
            "IssueDate" => doc.key_value(crate::keys::ORDER_DATE, leaf.text.clone(), src),
            "DocumentCurrencyCode" => doc.key_value(crate::keys::CURRENCY, leaf.text.clone(), src),
            "Note" => doc.key_value(crate::keys::NOTE, leaf.text.clone(), src),
            "CustomerReference" => doc.key_value(crate::keys::CUSTOMER_REFERENCE, leaf.text.clone(), src),
            "OrderReference" if leaf.ends_with("OrderReference/ID") => {
                doc.key_value(crate::keys::PO_NUMBER, leaf.text.clone(), src)
            }
            "QuotationDocumentReference" if leaf.ends_with("ID") => {
                doc.key_value(crate::keys::QUOTATION_REFERENCE, leaf.text.clone(), src)
            }
            "AnticipatedMonetaryTotal" | "LegalMonetaryTotal" => {
                if leaf.ends_with("LineExtensionAmount") {
                    doc.key_value(crate::keys::STATED_TOTAL, leaf.text.clone(), src);
                } else if leaf.ends_with("PayableAmount") {
                    doc.key_value(crate::keys::STATED_TOTAL_GROSS, leaf.text.clone(), src);
                }
            }
            _ => {
                if leaf.path.contains("RequestedDeliveryPeriod/") && leaf.ends_with("StartDate") {
                    doc.key_value(crate::keys::REQUESTED_DELIVERY_DATE, leaf.text.clone(), src);
                } else if leaf.path.contains("RequestedDeliveryPeriod/") && leaf.ends_with("EndDate") {
                    doc.key_value(crate::keys::REQUESTED_DELIVERY_DATE_END, leaf.text.clone(), src);
                } else if let Some(role) = header_party(leaf) {
                    let field = if leaf.ends_with("PartyName/Name") || leaf.ends_with("DeliveryLocation/Name") {
                        Some("name")
                    } else if leaf.ends_with("PartyIdentification/ID")
                        || leaf.ends_with("EndpointID")
                        || leaf.ends_with("DeliveryLocation/ID")
                    {
                        Some("id")
                    } else if leaf.ends_with("StreetName") {
                        Some("street")
                    } else if leaf.ends_with("AdditionalStreetName") {
                        Some("street2")
                    } else if leaf.ends_with("CityName") {
                        Some("city")
                    } else if leaf.ends_with("PostalZone") {
                        Some("zip")
                    } else if leaf.ends_with("Country/IdentificationCode") {
                        Some("country")
                    } else if leaf.ends_with("PartyTaxScheme/CompanyID") {
                        Some("vat_id")
                    } else if leaf.ends_with("Contact/Name") {
                        Some("contact")
                    } else if leaf.ends_with("Contact/ElectronicMail") {
                        Some("email")
                    } else {
                        None
                    };
                    if let Some(field) = field
                        && doc.value(&crate::keys::party(role, field)).is_none()
                    {
                        doc.key_value(crate::keys::party(role, field), leaf.text.clone(), src);
                    }
                }
            }
        }
    }
    finish(doc, lines)
}

fn opentrans(bytes: &[u8], part: &str, name: Option<String>) -> Document {
    let mut doc = Document::new(part, name, Format::Opentrans);
    let (root, leaves) = match leaves(bytes, &["ORDER_ITEM"], &["PARTY"]) {
        Ok(v) => v,
        Err(e) => {
            doc.diagnose(
                Severity::Error,
                "xml_invalid",
                format!("the openTRANS document is not well-formed XML: {e}"),
            );
            return doc;
        }
    };
    doc.message_type = Some(root.clone());
    doc.key_value(crate::keys::MESSAGE_TYPE, root, "root");
    // Party roles are known only when PARTY_ROLE is read; collect first.
    let mut party_role: std::collections::HashMap<usize, String> = std::collections::HashMap::new();
    for leaf in &leaves {
        if let Some(p) = leaf.party
            && leaf.ends_with("PARTY_ROLE")
        {
            let role = match leaf.text.as_str() {
                "buyer" => "buyer",
                "supplier" => "supplier",
                "delivery" => "ship_to",
                "invoice_recipient" => "bill_to",
                other => other,
            };
            party_role.insert(p, role.to_owned());
        }
    }
    let mut lines: Vec<Vec<String>> = Vec::new();
    for leaf in &leaves {
        let src = leaf.path.clone();
        if let Some(index) = leaf.line {
            let line = add_line(&mut lines, index);
            if leaf.ends_with("LINE_ITEM_ID") {
                set(&mut line[0], &leaf.text);
            } else if leaf.ends_with("QUANTITY") {
                set(&mut line[1], &leaf.text);
            } else if leaf.ends_with("ORDER_UNIT") {
                set(&mut line[2], &leaf.text);
            } else if leaf.ends_with("PRICE_AMOUNT") {
                set(&mut line[3], &leaf.text);
            } else if leaf.ends_with("BUYER_PID") {
                set(&mut line[4], &leaf.text);
            } else if leaf.ends_with("SUPPLIER_PID") {
                set(&mut line[5], &leaf.text);
            } else if leaf.ends_with("INTERNATIONAL_PID") {
                set(&mut line[6], &leaf.text);
            } else if leaf.ends_with("DESCRIPTION_SHORT") {
                set(&mut line[8], &leaf.text);
            } else if leaf.ends_with("DELIVERY_START_DATE") || leaf.ends_with("DELIVERY_END_DATE") {
                set(&mut line[9], leaf.text.get(..10).unwrap_or(&leaf.text));
            }
            continue;
        }
        if let Some(p) = leaf.party {
            let role = party_role.get(&p).cloned().unwrap_or_else(|| format!("party{p}"));
            let field = if leaf.ends_with("PARTY_ID") {
                Some("id")
            } else if leaf.ends_with("ADDRESS/NAME") {
                Some("name")
            } else if leaf.ends_with("ADDRESS/NAME2") {
                Some("name2")
            } else if leaf.ends_with("STREET") {
                Some("street")
            } else if leaf.ends_with("ZIP") {
                Some("zip")
            } else if leaf.ends_with("CITY") {
                Some("city")
            } else if leaf.ends_with("COUNTRY_CODED") {
                Some("country")
            } else if leaf.ends_with("EMAIL") {
                Some("email")
            } else if leaf.ends_with("VAT_ID") {
                Some("vat_id")
            } else {
                None
            };
            if let Some(field) = field
                && doc.value(&crate::keys::party(&role, field)).is_none()
            {
                doc.key_value(crate::keys::party(&role, field), leaf.text.clone(), src);
            }
            continue;
        }
        let date = leaf.text.get(..10).unwrap_or(&leaf.text).to_owned();
        if leaf.ends_with("ORDER_INFO/ORDER_ID") || leaf.ends_with("ORDERCHANGE_INFO/ORDER_ID") {
            doc.key_value(crate::keys::PO_NUMBER, leaf.text.clone(), src);
        } else if leaf.ends_with("ORDER_DATE") || leaf.ends_with("ORDERCHANGE_DATE") {
            if doc.value(crate::keys::ORDER_DATE).is_none() {
                doc.key_value(crate::keys::ORDER_DATE, date, src);
            }
        } else if leaf.ends_with("DELIVERY_START_DATE") {
            doc.key_value(crate::keys::REQUESTED_DELIVERY_DATE, date, src);
        } else if leaf.ends_with("CURRENCY") {
            doc.key_value(crate::keys::CURRENCY, leaf.text.clone(), src);
        } else if leaf.ends_with("ORDER_SUMMARY/TOTAL_AMOUNT") {
            doc.key_value(crate::keys::STATED_TOTAL, leaf.text.clone(), src);
        } else if leaf.ends_with("REMARKS") {
            doc.key_value(crate::keys::NOTE, leaf.text.clone(), src);
        } else if leaf.ends_with("CUSTOMER_ORDER_REFERENCE/ORDER_ID") {
            doc.key_value(crate::keys::CUSTOMER_REFERENCE, leaf.text.clone(), src);
        }
    }
    finish(doc, lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UBL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>PO-4711</cbc:ID><cbc:IssueDate>2026-11-20</cbc:IssueDate>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:BuyerCustomerParty><cac:Party><cbc:EndpointID schemeID="0088">4000001000005</cbc:EndpointID>
    <cac:PartyName><cbc:Name>Muster &amp; Söhne GmbH</cbc:Name></cac:PartyName></cac:Party></cac:BuyerCustomerParty>
  <cac:Delivery><cac:DeliveryLocation><cac:Address><cbc:StreetName>Werkstr. 5</cbc:StreetName><cbc:CityName>Stuttgart</cbc:CityName>
    <cbc:PostalZone>70565</cbc:PostalZone><cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country></cac:Address></cac:DeliveryLocation>
    <cac:RequestedDeliveryPeriod><cbc:StartDate>2026-12-01</cbc:StartDate></cac:RequestedDeliveryPeriod></cac:Delivery>
  <cac:AnticipatedMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">60.00</cbc:LineExtensionAmount></cac:AnticipatedMonetaryTotal>
  <cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID><cbc:Quantity unitCode="C62">500</cbc:Quantity>
    <cac:Price><cbc:PriceAmount currencyID="EUR">0.12</cbc:PriceAmount></cac:Price>
    <cac:Item><cbc:Name>Sechskantschraube M8x40 A2</cbc:Name><cac:BuyersItemIdentification><cbc:ID>77-1034</cbc:ID></cac:BuyersItemIdentification>
    <cac:SellersItemIdentification><cbc:ID>HB-M8-40-A2</cbc:ID></cac:SellersItemIdentification></cac:Item></cac:LineItem></cac:OrderLine>
</Order>"#;

    #[test]
    fn a_ubl_order() {
        let d = parse(UBL.as_bytes(), "", None);
        assert_eq!(d.format, Format::Ubl);
        assert_eq!(d.value("po_number"), Some("PO-4711"));
        assert_eq!(d.value("currency"), Some("EUR"));
        assert_eq!(d.value("party.buyer.name"), Some("Muster & Söhne GmbH"));
        assert_eq!(d.value("party.ship_to.city"), Some("Stuttgart"));
        assert_eq!(d.value("requested_delivery_date"), Some("2026-12-01"));
        assert_eq!(d.value("stated_total"), Some("60.00"));
        assert_eq!(
            d.tables[0].row(1),
            vec![
                "1",
                "500",
                "C62",
                "0.12",
                "77-1034",
                "HB-M8-40-A2",
                "",
                "",
                "Sechskantschraube M8x40 A2",
                ""
            ]
        );
    }

    #[test]
    fn an_opentrans_order() {
        let xml = r#"<ORDER xmlns="http://www.opentrans.org/XMLSchema/2.1" xmlns:bmecat="http://www.bmecat.org/bmecat/2005" type="standard">
<ORDER_HEADER><ORDER_INFO><ORDER_ID>B-2026-17</ORDER_ID><ORDER_DATE>2026-11-20T09:30:00</ORDER_DATE>
<DELIVERY_DATE><DELIVERY_START_DATE>2026-12-03</DELIVERY_START_DATE><DELIVERY_END_DATE>2026-12-03</DELIVERY_END_DATE></DELIVERY_DATE>
<PARTIES><PARTY><bmecat:PARTY_ID type="buyer_specific">10042</bmecat:PARTY_ID><PARTY_ROLE>buyer</PARTY_ROLE>
<ADDRESS><bmecat:NAME>Muster GmbH</bmecat:NAME><bmecat:CITY>Stuttgart</bmecat:CITY></ADDRESS></PARTY>
<PARTY><PARTY_ROLE>delivery</PARTY_ROLE><ADDRESS><bmecat:NAME>Muster Werk 2</bmecat:NAME><bmecat:STREET>Werkstr. 5</bmecat:STREET></ADDRESS></PARTY></PARTIES>
<bmecat:CURRENCY>EUR</bmecat:CURRENCY></ORDER_INFO></ORDER_HEADER>
<ORDER_ITEM_LIST><ORDER_ITEM><LINE_ITEM_ID>1</LINE_ITEM_ID><PRODUCT_ID><bmecat:SUPPLIER_PID>HB-M8-40-A2</bmecat:SUPPLIER_PID>
<bmecat:BUYER_PID>77-1034</bmecat:BUYER_PID><bmecat:DESCRIPTION_SHORT>Schraube M8x40</bmecat:DESCRIPTION_SHORT></PRODUCT_ID>
<QUANTITY>5</QUANTITY><bmecat:ORDER_UNIT>BX</bmecat:ORDER_UNIT><PRODUCT_PRICE_FIX><bmecat:PRICE_AMOUNT>12.00</bmecat:PRICE_AMOUNT></PRODUCT_PRICE_FIX></ORDER_ITEM></ORDER_ITEM_LIST>
<ORDER_SUMMARY><TOTAL_ITEM_NUM>1</TOTAL_ITEM_NUM><TOTAL_AMOUNT>60.00</TOTAL_AMOUNT></ORDER_SUMMARY></ORDER>"#;
        let d = parse(xml.as_bytes(), "", None);
        assert_eq!(d.format, Format::Opentrans);
        assert_eq!(d.value("po_number"), Some("B-2026-17"));
        assert_eq!(d.value("order_date"), Some("2026-11-20"));
        assert_eq!(d.value("requested_delivery_date"), Some("2026-12-03"));
        assert_eq!(d.value("party.buyer.id"), Some("10042"));
        assert_eq!(d.value("party.ship_to.street"), Some("Werkstr. 5"));
        assert_eq!(d.value("currency"), Some("EUR"));
        assert_eq!(d.value("stated_total"), Some("60.00"));
        assert_eq!(
            d.tables[0].row(1),
            vec![
                "1",
                "5",
                "BX",
                "12.00",
                "77-1034",
                "HB-M8-40-A2",
                "",
                "",
                "Schraube M8x40",
                ""
            ]
        );
    }

    #[test]
    fn broken_xml_is_a_diagnostic() {
        for xml in [
            "<Order><cbc:ID>1</Order>",
            "<Order>",
            "not xml at all",
            "<ORDER><A>&bogus;</A>",
        ] {
            let d = parse(xml.as_bytes(), "", None);
            let _ = d;
        }
        let d = parse(b"<Order><ID>1</Order>", "", None);
        assert_eq!(d.diagnostics[0].code, "xml_invalid", "{:?}", d.diagnostics);
    }
}

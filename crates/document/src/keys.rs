//! The names of a Document's key–values: what the readers write and what
//! extraction and the pipeline read, in one place (docs/document-json.md).
//!
//! Header values have fixed names; the parties of structured messages are
//! `party.ROLE.FIELD` ([`party`]); EDI references the standard does not name
//! are `reference.QUALIFIER`.

/// Mail headers.
pub const FROM: &str = "from";
pub const FROM_NAME: &str = "from_name";
pub const TO: &str = "to";
pub const REPLY_TO: &str = "reply_to";
pub const SUBJECT: &str = "subject";
pub const DATE: &str = "date";
pub const MESSAGE_ID: &str = "message_id";
pub const AUTHENTICATION_RESULTS: &str = "authentication_results";

/// Structured messages: what kind of message and what it does.
pub const MESSAGE_TYPE: &str = "message_type";
pub const MESSAGE_FUNCTION: &str = "message_function";
pub const MESSAGE_ASSOCIATION: &str = "message_association";
pub const ORDER_TYPE: &str = "order_type";
pub const PURPOSE: &str = "purpose";
pub const DOCUMENT_CODE: &str = "document_code";
pub const CHANGE_SEQUENCE: &str = "change_sequence";
pub const RELEASE_NUMBER: &str = "release_number";

/// Order header values.
pub const PO_NUMBER: &str = "po_number";
/// The PO number an order change refers to.
pub const ORIGINAL_PO_NUMBER: &str = "original_po_number";
pub const DOCUMENT_NUMBER: &str = "document_number";
pub const ORDER_DATE: &str = "order_date";
pub const REQUESTED_DELIVERY_DATE: &str = "requested_delivery_date";
pub const REQUESTED_DELIVERY_DATE_END: &str = "requested_delivery_date_end";
pub const CURRENCY: &str = "currency";
pub const STATED_TOTAL: &str = "stated_total";
pub const STATED_TOTAL_GROSS: &str = "stated_total_gross";
pub const CUSTOMER_REFERENCE: &str = "customer_reference";
pub const QUOTATION_REFERENCE: &str = "quotation_reference";
pub const NOTE: &str = "note";
pub const PAYMENT_TERMS: &str = "payment_terms";
pub const INCOTERMS: &str = "incoterms";
pub const CONTACT_NAME: &str = "contact.name";
pub const LINE_COUNT: &str = "line_count";
/// `,` when the document writes decimals with a comma.
pub const DECIMAL_SEPARATOR: &str = "decimal_separator";

/// Party roles.
pub const BUYER: &str = "buyer";
pub const SUPPLIER: &str = "supplier";
pub const SHIP_TO: &str = "ship_to";
pub const BILL_TO: &str = "bill_to";
pub const ORDERED_BY: &str = "ordered_by";
pub const SHIP_FROM: &str = "ship_from";

/// The key of one field of a party: `party.buyer.id`, `party.ship_to.city`.
pub fn party(role: &str, field: &str) -> String {
    format!("party.{role}.{field}")
}

/// The key of an EDI reference the standard does not name: `reference.VN`.
pub fn reference(qualifier: &str) -> String {
    format!("reference.{qualifier}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn composed_keys_read_as_documented() {
        assert_eq!(super::party(super::SHIP_TO, "city"), "party.ship_to.city");
        assert_eq!(super::reference("VN"), "reference.VN");
    }
}

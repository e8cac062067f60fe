//! Header and lines of an order, read from its Documents, each value with its source and confidence.
//!
//! Structured documents (EDI, UBL, openTRANS) already carry labelled values
//! and a line table: they map directly. Everything else (PDF text, mail
//! bodies, sheets, HTML tables) is read as rows of cells: text lines are cut
//! into cells at tabs and wide gaps, tables give theirs. In those rows, header
//! values are found after their labels ([`crate::labels`]); the line table
//! starts at a row of column labels, and each row after it is mapped to the
//! columns, by position when the cell count fits and by value shapes when a
//! cell is missing. Mail bodies without a table are read line by line for
//! "500 Stk DIN933-M8x40-A2"-like item lines.
//!
//! Nothing here knows the catalog: codes are reported as printed and
//! matching decides what they mean.
//!
//! Here: the extracted types and the reading of a message's documents. The
//! parts: `rows` (documents as rows of cells, the scan), `lines` (the line
//! table), `header` (labelled header values, settled across documents),
//! `address` (printed addresses), `free_form` (item lines in sentences),
//! `structured` (EDI, UBL, openTRANS).

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use document::{BoundingBox, Document, Format, Table};

use crate::labels::{Column, HeaderField, column_role, header_label, is_exact_column_label};
mod address;
mod free_form;
mod header;
mod lines;
mod prose;
mod rows;
mod structured;

pub use address::parse_address;
use address::*;
use free_form::*;
use header::*;
use lines::*;
use rows::*;
use structured::*;

use crate::values::{
    DateOrder, NumberStyle, currency_code, find_date, parse_date, parse_number, standard_unit_code,
    tokens_with_offsets, unit_code,
};

/// Where a value was read: the part, the page, and a char range, a box or a
/// structured source (`BEG03`, `table 1 row 4 column 2`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub part: String,
    pub page: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub char_start: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub char_end: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bbox: Option<BoundingBox>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// A value with where it came from and how sure the reading is, in 0 to 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field<T> {
    pub value: T,
    pub confidence: f32,
    pub source: Source,
}

impl<T> Field<T> {
    fn new(value: T, confidence: f32, source: Source) -> Self {
        Field {
            value,
            confidence,
            source,
        }
    }
}

/// An address as printed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Address {
    pub id: Option<String>,
    pub name: Option<String>,
    pub street: Option<String>,
    pub zip: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
}

impl Address {
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.street.is_none() && self.zip.is_none() && self.city.is_none()
    }
}

/// One order line as printed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExtractedLine {
    /// The customer's own line number (10, 20, …), kept as printed.
    pub customer_line_no: Option<String>,
    pub customer_part_no: Option<Field<String>>,
    pub sku: Option<Field<String>>,
    /// A code whose owner the document does not say.
    pub item_code: Option<Field<String>>,
    pub gtin: Option<Field<String>>,
    pub description: Option<Field<String>>,
    pub quantity: Option<Field<Decimal>>,
    /// The unit as UN/ECE Rec. 20 code when it could be mapped, else as printed.
    pub unit: Option<Field<String>>,
    /// Per ordered unit (a printed price per 100 is divided).
    pub unit_price: Option<Field<Decimal>>,
    pub line_total: Option<Decimal>,
    pub delivery_date: Option<Field<Date>>,
    /// `change_type` of an EDI change line (add, delete, change quantity …).
    pub change_type: Option<String>,
    pub source: Source,
}

impl ExtractedLine {
    /// The lowest confidence of the values this line has.
    pub fn confidence(&self) -> f32 {
        [
            self.quantity.as_ref().map(|f| f.confidence),
            self.unit.as_ref().map(|f| f.confidence),
            self.unit_price.as_ref().map(|f| f.confidence),
            self.customer_part_no.as_ref().map(|f| f.confidence),
            self.sku.as_ref().map(|f| f.confidence),
            self.item_code.as_ref().map(|f| f.confidence),
        ]
        .into_iter()
        .flatten()
        .fold(if self.quantity.is_some() { 1.0 } else { 0.0 }, f32::min)
    }
}

/// Everything read from a message about an order, before matching.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Extracted {
    pub sender: Option<String>,
    pub sender_name: Option<String>,
    pub subject: Option<String>,
    /// The local date of the mail's `Date:` header.
    pub mail_date: Option<Date>,
    pub customer_no: Option<Field<String>>,
    pub buyer_ids: Vec<String>,
    pub buyer_name: Option<String>,
    pub vat_id: Option<Field<String>>,
    /// Mail addresses quoted in the documents (forwarded mails, signatures).
    pub quoted_emails: Vec<String>,
    /// Every date printed in the text of the documents (not those of
    /// invoices, payment or offers), to see which the draft left unused.
    pub printed_dates: Vec<Field<Date>>,
    pub po_number: Option<Field<String>>,
    pub order_date: Option<Field<Date>>,
    pub requested_delivery_date: Option<Field<Date>>,
    /// What stands under a delivery-date label when no date could be read from it.
    pub unread_delivery_date: Option<String>,
    pub currency: Option<Field<String>>,
    pub stated_total: Option<Field<Decimal>>,
    pub incoterms: Option<Field<String>>,
    pub payment_terms: Option<Field<String>>,
    pub contact: Option<Field<String>>,
    pub notes: Option<Field<String>>,
    pub ship_to: Option<Field<Address>>,
    pub document_number: Option<Field<String>>,
    /// The date of a document that is no order (an invoice's, a delivery note's).
    pub document_date: Option<Field<Date>>,
    pub lines: Vec<ExtractedLine>,
    /// The part the lines were read from.
    pub lines_part: Option<String>,
}

/// What was learned about a sender's layout: the label it prints before a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutHint {
    pub field: HeaderField,
    pub label: String,
}

/// Reads the header and lines of the order the documents of one message carry.
pub fn extract_order(documents: &[Document], hints: &[LayoutHint]) -> Extracted {
    extract_order_with(documents, hints, None)
}

/// As [`extract_order`], with the order of day and month to assume where the
/// documents leave slashed dates ambiguous (from the customer's country).
pub fn extract_order_with(documents: &[Document], hints: &[LayoutHint], dates: Option<DateOrder>) -> Extracted {
    let mut out = Extracted::default();
    if let Some(mail) = documents
        .iter()
        .find(|d| d.value(document::keys::FROM).is_some() || d.value(document::keys::SUBJECT).is_some())
    {
        out.sender = mail.value(document::keys::FROM).map(str::to_owned);
        out.sender_name = mail.value(document::keys::FROM_NAME).map(str::to_owned);
        out.subject = mail.value(document::keys::SUBJECT).map(str::to_owned);
        // A forwarded order is dated when the customer first sent it; a reply
        // quotes older mails, which date nothing.
        let forwarded = out.subject.as_deref().is_some_and(|s| {
            let s = s.trim_start().to_lowercase();
            ["fw:", "fwd:", "wg:", "tr:", "fw :", "wg :"]
                .iter()
                .any(|p| s.starts_with(p))
        });
        out.mail_date = forwarded.then(|| prose::forwarded_date(mail)).flatten().or_else(|| {
            mail.value(document::keys::DATE)
                .and_then(|d| d.get(..10))
                .and_then(|d| d.parse::<Date>().ok())
        });
    }
    let structured = documents
        .iter()
        .find(|d| d.format.is_structured() && (d.value(document::keys::PO_NUMBER).is_some() || !d.tables.is_empty()));
    if let Some(doc) = structured {
        read_structured(doc, &mut out);
        return out;
    }

    let mut readings: Vec<(usize, Reading)> = documents
        .iter()
        .enumerate()
        .filter(|(_, d)| !d.format.is_structured())
        .map(|(i, d)| (i, read_document(d, hints, dates, out.mail_date)))
        .collect();
    // The lines come from the document with the most of them; attachments win ties.
    let chosen = readings
        .iter()
        .enumerate()
        .max_by_key(|(k, (i, r))| (r.lines.len(), !documents[*i].part.is_empty(), usize::MAX - k))
        .map(|(k, _)| k);
    if let Some(k) = chosen {
        let (i, reading) = readings.remove(k);
        if !reading.lines.is_empty() {
            out.lines_part = Some(documents[i].part.clone());
        }
        readings.insert(0, (i, reading));
    }
    let mut all = Reading::default();
    for (k, (_, r)) in readings.into_iter().enumerate() {
        if k == 0 {
            all.lines = r.lines.clone();
        }
        for (field, mut candidates) in r.header {
            all.header.entry(field).or_default().append(&mut candidates);
        }
        all.ship_to = all.ship_to.or(r.ship_to);
        all.currency_seen.extend(r.currency_seen);
        all.emails.extend(r.emails);
        all.dates.extend(r.dates);
    }
    if let Some(subject) = &out.subject {
        read_subject(subject, &mut all);
    }
    settle_header(all, &mut out);
    out
}

/// What one document yields before the documents of a message are merged.
#[derive(Debug, Default)]
struct Reading {
    header: std::collections::BTreeMap<HeaderField, Vec<Candidate>>,
    ship_to: Option<Field<Address>>,
    lines: Vec<ExtractedLine>,
    currency_seen: Vec<&'static str>,
    emails: Vec<String>,
    /// Every date printed in the text.
    dates: Vec<Field<Date>>,
}

#[derive(Debug, Clone)]
struct Candidate {
    text: String,
    confidence: f32,
    source: Source,
    style: NumberStyle,
    order: DateOrder,
}

/// A row of cells with where it stands.
#[derive(Debug, Clone)]
struct Row {
    cells: Vec<(String, usize)>,
    page: u32,
    char_start: Option<usize>,
    bbox: Option<BoundingBox>,
    origin: Option<String>,
}

impl Row {
    fn source(&self, part: &str, cell: Option<usize>) -> Source {
        let (start, end, origin) = match (cell, self.char_start) {
            (Some(c), Some(line_start)) => {
                let (text, at) = &self.cells[c];
                (
                    Some(line_start + at),
                    Some(line_start + at + text.chars().count()),
                    self.origin.clone(),
                )
            }
            (Some(c), None) => (
                None,
                None,
                self.origin.as_ref().map(|o| format!("{o} column {}", c + 1)),
            ),
            (None, s) => (s, None, self.origin.clone()),
        };
        Source {
            part: part.to_owned(),
            page: self.page,
            char_start: start,
            char_end: end,
            bbox: self.bbox,
            origin,
        }
    }

    fn texts(&self) -> Vec<&str> {
        self.cells.iter().map(|(t, _)| t.as_str()).collect()
    }
}

fn read_document(doc: &Document, hints: &[LayoutHint], dates: Option<DateOrder>, mail_date: Option<Date>) -> Reading {
    let text = doc.full_text();
    let mut all_text = text.clone();
    for t in &doc.tables {
        for r in &t.rows {
            for c in &r.cells {
                all_text.push(' ');
                all_text.push_str(&c.text);
            }
            all_text.push('\n');
        }
    }
    let style = if doc.value(document::keys::DECIMAL_SEPARATOR) == Some(",") {
        NumberStyle::DecimalComma
    } else if matches!(doc.format, Format::Xlsx | Format::Xls | Format::Ods) {
        // Numeric cells come out of spreadsheets as `0.096`, whatever the locale.
        NumberStyle::DecimalPoint
    } else {
        NumberStyle::detect(&all_text)
    };
    let known = crate::values::date_order_known(&all_text);
    let order = match dates {
        Some(preferred) if !known => preferred,
        _ => DateOrder::detect(&all_text),
    };
    let mut reading = Reading::default();
    let ctx = Ctx {
        part: &doc.part,
        style,
        order,
        order_known: known || dates.is_some(),
        hints,
    };
    // Tables from sheets and HTML keep their cells; table rows keep column positions.
    // A PDF's tables are regions of its own text lines, which are read below with their boxes.
    for (t, table) in doc.tables.iter().enumerate().filter(|_| doc.format != Format::Pdf) {
        let rows = rows_of_table(t, table);
        let mut r = scan_rows(&rows, &ctx, true);
        if r.lines.len() > reading.lines.len() {
            reading.lines = std::mem::take(&mut r.lines);
        }
        merge(&mut reading, r);
    }
    let rows = rows_of_text(doc);
    let mut r = scan_rows(&rows, &ctx, false);
    if reading.lines.is_empty() {
        reading.lines = std::mem::take(&mut r.lines);
    }
    if reading.lines.is_empty() && matches!(doc.format, Format::EmailText | Format::EmailHtml | Format::Text) {
        // Items as blocks of labelled values, else as sentences.
        reading.lines = labelled_item_blocks(&rows, &ctx);
        if reading.lines.is_empty() {
            reading.lines = free_form_lines(&rows, &ctx);
        }
    }
    if reading.lines.is_empty() {
        reading.lines = detail_lines(&rows, &ctx);
    }
    merge(&mut reading, r);
    reading.dates = prose::printed_dates(doc, &ctx);
    let said = prose::delivery_dates(doc, &ctx, mail_date.or_else(|| prose::dated(&all_text, order)));
    if !said.is_empty() {
        reading
            .header
            .entry(HeaderField::RequestedDeliveryDate)
            .or_default()
            .extend(said);
    }
    for token in all_text.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | ',' | ';')) {
        if let Some(code) = currency_code(token.trim_end_matches(['.', ':']))
            && !matches!(token, "Fr." | "fr.")
        {
            reading.currency_seen.push(code);
        } else if let Some(sign) = token.chars().next().filter(|c| matches!(c, '$' | '€' | '£'))
            && token[sign.len_utf8()..].starts_with(|c: char| c.is_ascii_digit())
            && let Some(code) = currency_code(&sign.to_string())
        {
            // `$4.11`: the sign stuck to the amount.
            reading.currency_seen.push(code);
        }
        if token.contains('@') && token.contains('.') {
            reading
                .emails
                .push(token.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase());
        }
    }
    reading
}

fn merge(into: &mut Reading, from: Reading) {
    for (field, mut candidates) in from.header {
        into.header.entry(field).or_default().append(&mut candidates);
    }
    into.ship_to = into.ship_to.take().or(from.ship_to);
}

struct Ctx<'a> {
    part: &'a str,
    style: NumberStyle,
    order: DateOrder,
    order_known: bool,
    hints: &'a [LayoutHint],
}

impl Ctx<'_> {
    fn candidate(&self, text: &str, confidence: f32, source: Source) -> Candidate {
        let ambiguous = !self.order_known && crate::values::ambiguous_slash_date(text);
        Candidate {
            text: text.to_owned(),
            confidence: if ambiguous { confidence.min(0.6) } else { confidence },
            source,
            style: self.style,
            order: self.order,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use document::model::text_blocks;

    fn text_doc(text: &str) -> Document {
        let mut d = Document::new("", None, Format::EmailText);
        d.text_blocks = text_blocks(text, 1);
        d
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn items_in_blocks_of_labelled_values_give_a_line_each() {
        let doc = text_doc(
            "Guten Morgen,\n\nArtikelnummer: DIN933-M3x6-A2\nMenge: 500 Stück\nPreis: 0,0228 EUR\n\n\
             Artikelnummer: DIN933-M3x6-88Z\nMenge: 200 Stück\n\nBestellnummer 5511\n",
        );
        let x = extract_order(&[doc], &[]);
        let lines: Vec<(String, String, bool)> = x
            .lines
            .iter()
            .map(|l| {
                (
                    l.item_code.as_ref().map(|f| f.value.clone()).unwrap_or_default(),
                    l.quantity.as_ref().map(|f| f.value.to_string()).unwrap_or_default(),
                    l.unit_price.is_some(),
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                ("DIN933-M3x6-A2".to_owned(), "500".to_owned(), true),
                ("DIN933-M3x6-88Z".to_owned(), "200".to_owned(), false),
            ]
        );
    }

    #[test]
    fn a_sentence_with_several_items_gives_a_line_for_each() {
        let doc = text_doc(
            "Hallo,\n\nbitte 300 Stk. DIN933-M3x6-A4 und 2 Pck. DIN933-M3x6-109 (à 100 Stk.), Liefertermin KW 51.\n\nGruß",
        );
        let x = extract_order(&[doc], &[]);
        let lines: Vec<(String, String, Option<Decimal>)> = x
            .lines
            .iter()
            .map(|l| {
                (
                    l.item_code.as_ref().map(|f| f.value.clone()).unwrap_or_default(),
                    l.quantity.as_ref().map(|f| f.value.to_string()).unwrap_or_default(),
                    l.unit_price.as_ref().map(|f| f.value),
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                ("DIN933-M3x6-A4".to_owned(), "300".to_owned(), None),
                ("DIN933-M3x6-109".to_owned(), "2".to_owned(), None),
            ]
        );
    }

    #[test]
    fn a_minus_before_a_quantity_is_its_sign_not_a_bullet() {
        assert_eq!(strip_bullets("- 500 Stk A-100"), "500 Stk A-100");
        assert_eq!(strip_bullets("* - 2 x 77-1034"), "2 x 77-1034");
        assert_eq!(strip_bullets("-400 Stk DIN933-M8x40-A2"), "-400 Stk DIN933-M8x40-A2");
        assert_eq!(strip_bullets("- -400 Stk DIN933-M8x40-A2"), "-400 Stk DIN933-M8x40-A2");
        let doc = text_doc("Bitte streichen Sie:\n-400 Stk DIN933-M8x40-A2 Sechskantschraube\n");
        let x = extract_order(&[doc], &[]);
        assert_eq!(x.lines[0].quantity.as_ref().unwrap().value, dec("-400"));
    }

    #[test]
    fn cells_split_at_tabs_and_wide_gaps() {
        let cells = split_cells("1\tDIN933-M8x40-A2   Sechskantschraube M8x40  500 Stk");
        let texts: Vec<&str> = cells.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["1", "DIN933-M8x40-A2", "Sechskantschraube M8x40", "500 Stk"]);
        assert_eq!(cells[1].1, 2);
    }

    #[test]
    fn a_german_text_table_with_labels_above() {
        let doc = text_doc(
            "Bestellung\n\
             Bestellnummer: 4500012345     Datum: 20.11.2026\n\
             Kundennummer: 10042\n\
             Liefertermin: 01.12.2026\n\
             \n\
             Pos  Artikel-Nr.       Bezeichnung                    Menge   ME    Einzelpreis   Gesamt\n\
             1    DIN933-M8x40-A2   Sechskantschraube M8x40 A2     500     Stk   0,12          60,00\n\
             2    77-1034           Zylinderschraube               1.000   Stk   0,30          300,00\n\
             Summe netto: 360,00 EUR\n",
        );
        let x = extract_order(&[doc], &[]);
        assert_eq!(x.po_number.as_ref().unwrap().value, "4500012345");
        assert_eq!(x.customer_no.as_ref().unwrap().value, "10042");
        assert_eq!(x.order_date.as_ref().unwrap().value, Date::new(2026, 11, 20).unwrap());
        assert_eq!(
            x.requested_delivery_date.as_ref().unwrap().value,
            Date::new(2026, 12, 1).unwrap()
        );
        assert_eq!(x.stated_total.as_ref().unwrap().value, dec("360"));
        assert_eq!(x.currency.as_ref().unwrap().value, "EUR");
        assert_eq!(x.lines.len(), 2);
        let l = &x.lines[1];
        assert_eq!(l.item_code.as_ref().unwrap().value, "77-1034");
        assert_eq!(l.quantity.as_ref().unwrap().value, dec("1000"));
        assert_eq!(l.unit.as_ref().unwrap().value, "C62");
        assert_eq!(l.unit_price.as_ref().unwrap().value, dec("0.3"));
        assert!(l.quantity.as_ref().unwrap().confidence >= 0.97);
        // The source points at the printed quantity.
        let src = &l.quantity.as_ref().unwrap().source;
        let full = x.lines[1].source.char_start.unwrap();
        assert!(src.char_start.unwrap() > full);
    }

    #[test]
    fn dutch_invoice_table_with_tax_column_and_a_line_without_price() {
        let doc = text_doc(
            "Artikel\tAantal\tPrijs per stuk\tBTW Prijs incl. BTW\n\
             Apple iPad Air Wifi 16 GB Zilver\t1\t€ 399,00\t21%\t€ 399,00\n\
             Thuiskopie extra\t1\t21%\t€ 4,24\n",
        );
        let x = extract_order(&[doc], &[]);
        assert_eq!(x.lines.len(), 2, "{:?}", x.lines);
        assert_eq!(x.lines[0].unit_price.as_ref().unwrap().value, dec("399"));
        assert_eq!(x.lines[1].unit_price, None);
        assert_eq!(x.lines[1].line_total, Some(dec("4.24")), "{:?}", x.lines[1]);
    }

    #[test]
    fn a_missing_cell_is_placed_by_shape() {
        let doc = text_doc(
            "Item no.\tDescription\tQty\tUnit\tUnit price\n\
             DIN933-M8x40-A2\tHex screw M8x40\t500\tpcs\t0.12\n\
             AW-RW-R820\t2\tea\t120.00\n",
        );
        let x = extract_order(&[doc], &[]);
        assert_eq!(x.lines.len(), 2);
        assert_eq!(x.lines[1].item_code.as_ref().unwrap().value, "AW-RW-R820");
        assert_eq!(x.lines[1].description, None);
        assert_eq!(x.lines[1].quantity.as_ref().unwrap().value, dec("2"));
        assert_eq!(x.lines[1].unit_price.as_ref().unwrap().value, dec("120"));
        assert!(x.lines[1].confidence() < 0.95);
    }

    #[test]
    fn columns_joined_by_one_space_are_split_and_nothing_is_dropped() {
        let doc = text_doc(
            "Pos  Artikel-Nr.  Bezeichnung      Menge   ME    Einzelpreis\n\
             1    10-1000      Zylinderschraube  2       Karton 12,00\n\
             2    ???          unlesbar 7 Zeichen  ?  ?  ?\n",
        );
        let x = extract_order(&[doc], &[]);
        assert_eq!(x.lines.len(), 2, "{:#?}", x.lines);
        assert_eq!(x.lines[0].unit.as_ref().unwrap().value, "BX");
        assert_eq!(x.lines[0].unit_price.as_ref().unwrap().value, dec("12"));
        assert_eq!(x.lines[1].quantity, None);
        assert_eq!(x.lines[1].confidence(), 0.0);
    }

    #[test]
    fn totals_take_the_amount_that_looks_like_money() {
        let doc = text_doc("TOTAL AMOUNT DUE ON August 3 , 2014\t$4.11\nArt.-Nr.\tMenge\nA-1\t1\n");
        let x = extract_order(&[doc], &[]);
        assert_eq!(x.stated_total.unwrap().value, dec("4.11"));
        assert_eq!(x.currency.unwrap().value, "USD");
        let doc = text_doc("Exclusief BTW\t€ 593,36\tSubtotaal\t€ 717,97\nTotaal\t€ 717,97\n");
        assert_eq!(extract_order(&[doc], &[]).stated_total.unwrap().value, dec("593.36"));
    }

    #[test]
    fn a_wrapped_description_continues_its_line() {
        let doc = text_doc(
            "Pos  Bezeichnung                      Menge  ME\n\
             1    Zylinderschraube DIN 912         100    Stk\n\
             \x20    Innensechskant M6x25 A4\n\
             \x20    8.8 verzinkt\n\
             2    Sechskantmutter M8 A2            50     Stk\n\
             Mit freundlichen Grüßen\n",
        );
        let x = extract_order(&[doc], &[]);
        assert_eq!(x.lines.len(), 2);
        assert_eq!(
            x.lines[0].description.as_ref().unwrap().value,
            "Zylinderschraube DIN 912 Innensechskant M6x25 A4 8.8 verzinkt"
        );
        assert_eq!(x.lines[1].description.as_ref().unwrap().value, "Sechskantmutter M8 A2");
    }

    #[test]
    fn a_wrong_line_total_makes_the_line_uncertain() {
        let doc = text_doc("Art.-Nr.\tMenge\tPreis\tGesamt\nA-100\t10\t2,00\t25,00\nA-200\t10\t2,00\t20,00\n");
        let x = extract_order(&[doc], &[]);
        assert!(x.lines[0].confidence() <= 0.6);
        assert!(x.lines[1].confidence() >= 0.97);
    }

    #[test]
    fn free_form_mail_lines() {
        let doc = text_doc(
            "Hallo Frau Berger,\n\nbitte liefern Sie uns:\n\n\
             - 500 Stk DIN933-M8x40-A2 Sechskantschraube\n\
             - 2 x 77-1034 à 12,50 EUR\n\
             - 3 Karton Kabelbinder schwarz 200mm\n\n\
             Vielen Dank und freundliche Grüße\nMax Muster\n",
        );
        let x = extract_order(&[doc], &[]);
        assert_eq!(x.lines.len(), 3, "{:#?}", x.lines);
        assert_eq!(x.lines[0].item_code.as_ref().unwrap().value, "DIN933-M8x40-A2");
        assert_eq!(x.lines[1].unit_price.as_ref().unwrap().value, dec("12.5"));
        assert_eq!(x.lines[1].item_code.as_ref().unwrap().value, "77-1034");
        assert_eq!(x.lines[2].unit.as_ref().unwrap().value, "BX");
        assert_eq!(x.lines[2].item_code.as_ref().map(|f| f.value.as_str()), Some("200mm"));
    }

    #[test]
    fn po_number_from_the_subject_when_the_body_has_none() {
        let mut doc = text_doc("Bitte liefern: 5 Stk A-100\n");
        doc.key_value("subject", "Bestellung Nr. 4711-B", "Subject");
        doc.key_value("from", "einkauf@kunde.de", "From");
        doc.key_value("date", "2026-11-20T09:30:00+01:00", "Date");
        let x = extract_order(&[doc], &[]);
        assert_eq!(x.po_number.as_ref().unwrap().value, "4711-B");
        assert_eq!(x.mail_date, Date::new(2026, 11, 20).ok());
        assert_eq!(x.sender.as_deref(), Some("einkauf@kunde.de"));
    }

    #[test]
    fn labels_in_a_row_with_values_in_the_row_below() {
        let doc = text_doc("Order No.\tOrder Date\tCustomer No.\nPO-7781\t11/20/2026\t10007\n");
        let x = extract_order(&[doc], &[]);
        assert_eq!(x.po_number.as_ref().unwrap().value, "PO-7781");
        assert_eq!(x.order_date.as_ref().unwrap().value, Date::new(2026, 11, 20).unwrap());
        assert_eq!(x.customer_no.as_ref().unwrap().value, "10007");
    }

    #[test]
    fn an_ambiguous_slashed_date_is_unsure_until_the_order_is_known() {
        let doc = text_doc("Order date: 03/10/2026\n");
        let x = extract_order(std::slice::from_ref(&doc), &[]);
        assert!(x.order_date.as_ref().unwrap().confidence <= 0.6);
        let us = extract_order_with(std::slice::from_ref(&doc), &[], Some(DateOrder::MonthFirst));
        let date = us.order_date.unwrap();
        assert_eq!(date.value, Date::new(2026, 3, 10).unwrap());
        assert!(date.confidence >= 0.9);
        // A date that settles the order wins over the preference.
        let settled = text_doc("Order date: 03/10/2026\nDelivery date: 25/10/2026\n");
        let x = extract_order_with(&[settled], &[], Some(DateOrder::MonthFirst));
        assert_eq!(x.order_date.unwrap().value, Date::new(2026, 10, 3).unwrap());
    }

    #[test]
    fn ship_to_block_under_its_label() {
        let doc = text_doc("Lieferanschrift:\nMuster GmbH\nHafenweg 3\n20457 Hamburg\nDeutschland\n\nMenge\n");
        let x = extract_order(&[doc], &[]);
        let a = x.ship_to.unwrap().value;
        assert_eq!(a.street.as_deref(), Some("Hafenweg 3"));
        assert_eq!(a.zip.as_deref(), Some("20457"));
        assert_eq!(a.city.as_deref(), Some("Hamburg"));
        assert_eq!(a.country.as_deref(), Some("DE"));
    }

    fn csv_doc(rows: &[&str]) -> Document {
        let mut d = Document::new("", None, Format::Csv);
        let rows: Vec<Vec<String>> = rows.iter().map(|r| r.split(';').map(str::to_owned).collect()).collect();
        d.tables.push(Table::from_rows(1, None, 1, rows));
        d
    }

    #[test]
    fn a_purchasing_system_export_with_many_columns_gives_its_lines_and_delivery_address() {
        let head = "Einkaufsbeleg;Belegdatum;Kreditor;Position;Material;Lieferantenmaterialnummer;Kurztext;\
                    Bestellmenge;BME;Nettopreis;PE;Nettowert;Währung;Lieferdatum;Werk;Einkäufergruppe;\
                    Lief.-Name;Lief.-Straße;Lief.-PLZ;Lief.-Ort";
        let row = |pos: &str, ours: &str, qty: &str, price: &str, pe: &str, value: &str| {
            format!(
                "4500012345;17.10.2026;300035;{pos};7000655;{ours};Sechskantschraube;{qty};ST;{price};{pe};{value};EUR;\
                 29.11.2026;1000;E07;Muster GmbH Werk 2;Hafenweg 3;20457;Hamburg"
            )
        };
        let a = row("10", "DIN933-M8x40-A2", "100", "11,87", "100", "11,87");
        let b = row("20", "DIN934-M8-A2", "6", "2,50", "1", "15,00");
        let x = extract_order(&[csv_doc(&[head, &a, &b])], &[]);
        assert_eq!(x.po_number.unwrap().value, "4500012345");
        assert_eq!(x.lines.len(), 2);
        let first = &x.lines[0];
        assert_eq!(first.sku.as_ref().unwrap().value, "DIN933-M8x40-A2");
        assert_eq!(first.customer_part_no.as_ref().unwrap().value, "7000655");
        // 11,87 per 100 pieces.
        assert_eq!(first.unit_price.as_ref().unwrap().value, dec("0.1187"));
        assert_eq!(first.unit.as_ref().unwrap().value, "C62");
        assert_eq!(x.lines[1].unit_price.as_ref().unwrap().value, dec("2.5"));
        let ship_to = x.ship_to.unwrap().value;
        assert_eq!(ship_to.name.as_deref(), Some("Muster GmbH Werk 2"));
        assert_eq!(ship_to.street.as_deref(), Some("Hafenweg 3"));
        assert_eq!(ship_to.zip.as_deref(), Some("20457"));
        assert_eq!(ship_to.city.as_deref(), Some("Hamburg"));
    }

    #[test]
    fn a_wide_row_of_unknown_labels_is_no_line_header() {
        // Four known labels among twelve cells, but no quantity: not a line table.
        let head = "Kreditor;Werk;Lagerort;Einkäufergruppe;Material;Kurztext;Nettopreis;Währung;Konto;Kostenstelle;Projekt;Status";
        let row = "300035;1000;0001;E07;7000655;Schraube;11,87;EUR;4711;100;P-1;offen";
        assert!(extract_order(&[csv_doc(&[head, row])], &[]).lines.is_empty());
    }

    #[test]
    fn an_erp_print_out_gives_positions_codes_prices_per_unit_and_dates_under_each_item() {
        let doc = text_doc(
            "Bestellnummer/Datum\t4500012345 / 30.11.2026\n\
             Item\tMaterial\tDescription\tOrder qty\tUnit Price per unit\tNet value\n\
             00010 7000123\tHexagon head screw M8x40\t300\tPC\t4.08 / 100 PC\t12.24\n\
             Your material number: DIN933-M8x40-A2\n\
             Delivery date: day 20/12/2026\n\
             00020 KD-4711 Lock nut DIN 985 M8\t2\tBOX 17.16 / 1 BOX\t34.32\n\
             Liefertermin 21.12.2026\n",
        );
        let x = extract_order(&[doc], &[]);
        assert_eq!(x.po_number.unwrap().value, "4500012345");
        assert_eq!(x.order_date.unwrap().value, jiff::civil::date(2026, 11, 30));
        assert_eq!(x.lines.len(), 2);
        let (a, b) = (&x.lines[0], &x.lines[1]);
        assert_eq!(a.customer_line_no.as_deref(), Some("00010"));
        assert_eq!(a.customer_part_no.as_ref().unwrap().value, "7000123");
        assert_eq!(a.sku.as_ref().unwrap().value, "DIN933-M8x40-A2");
        assert_eq!(a.quantity.as_ref().unwrap().value, dec("300"));
        assert_eq!(a.unit_price.as_ref().unwrap().value, dec("0.0408"));
        assert_eq!(a.delivery_date.as_ref().unwrap().value, jiff::civil::date(2026, 12, 20));
        assert_eq!(a.description.as_ref().unwrap().value, "Hexagon head screw M8x40");
        assert_eq!(b.customer_part_no.as_ref().unwrap().value, "KD-4711");
        assert_eq!(b.description.as_ref().unwrap().value, "Lock nut DIN 985 M8");
        assert_eq!(b.quantity.as_ref().unwrap().value, dec("2"));
        assert_eq!(b.unit.as_ref().unwrap().value, "BX");
        assert_eq!(b.unit_price.as_ref().unwrap().value, dec("17.16"));
        assert_eq!(b.delivery_date.as_ref().unwrap().value, jiff::civil::date(2026, 12, 21));
    }

    #[test]
    fn an_order_change_with_old_and_new_quantity_takes_the_new_one() {
        let doc = text_doc(
            "Änderung zu Bestellung 4500012345\n\
             Pos\tArtikel-Nr.\tBezeichnung\tMenge alt\tMenge neu\tME\n\
             1\tDIN933-M8x40-A2\tSechskantschraube M8x40\t100\t150\tStk\n\
             2\tDIN934-M8-A2\tMutter M8\t200\t0\tStk\n",
        );
        let x = extract_order(&[doc], &[]);
        assert_eq!(x.lines.len(), 2);
        assert_eq!(x.lines[0].quantity.as_ref().unwrap().value, dec("150"));
        assert_eq!(x.lines[0].unit.as_ref().unwrap().value, "C62");
        // A line set to nothing is kept for a person, not read as an order of 0.
        assert!(x.lines[1].quantity.is_none());
        assert!(x.lines[1].description.as_ref().unwrap().value.contains("DIN934-M8-A2"));
    }

    #[test]
    fn prices_per_units_as_erp_systems_print_them() {
        use crate::values::NumberStyle::{DecimalComma, DecimalPoint};
        assert_eq!(
            lines::price_per("4,08 / 100 ST", DecimalComma),
            Some((dec("4.08"), dec("100")))
        );
        assert_eq!(
            lines::price_per("12.50 EUR per 100", DecimalPoint),
            Some((dec("12.50"), dec("100")))
        );
        assert_eq!(
            lines::price_per("0,95 €/10 Stk", DecimalComma),
            Some((dec("0.95"), dec("10")))
        );
        assert_eq!(
            lines::price_per("55,62 je 100", DecimalComma),
            Some((dec("55.62"), dec("100")))
        );
        // A date, a size and a price with words after the count are none.
        assert_eq!(lines::price_per("11/12/2026", DecimalPoint), None);
        assert_eq!(lines::price_per("M8/40", DecimalPoint), None);
        assert_eq!(lines::price_per("4,08 / 100 ST netto", DecimalComma), None);
    }

    #[test]
    fn a_layout_hint_teaches_an_unknown_label() {
        let doc = text_doc("Vorgang: 88-123\nArt.-Nr.\tMenge\nA-100\t5\n");
        assert_eq!(extract_order(std::slice::from_ref(&doc), &[]).po_number, None);
        let hint = LayoutHint {
            field: HeaderField::PoNumber,
            label: "Vorgang".into(),
        };
        let x = extract_order(&[doc], &[hint]);
        assert_eq!(x.po_number.unwrap().value, "88-123");
    }
}

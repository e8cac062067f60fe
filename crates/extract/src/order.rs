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

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use document::{BoundingBox, Document, Format, Table};

use crate::labels::{Column, HeaderField, column_role, header_label};
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

/// A value with where it came from and how sure the reading is, in [0,1].
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
    pub po_number: Option<Field<String>>,
    pub order_date: Option<Field<Date>>,
    pub requested_delivery_date: Option<Field<Date>>,
    pub currency: Option<Field<String>>,
    pub stated_total: Option<Field<Decimal>>,
    pub incoterms: Option<Field<String>>,
    pub payment_terms: Option<Field<String>>,
    pub contact: Option<Field<String>>,
    pub notes: Option<Field<String>>,
    pub ship_to: Option<Field<Address>>,
    pub document_number: Option<Field<String>>,
    pub lines: Vec<ExtractedLine>,
    /// The part the lines were read from.
    pub lines_part: Option<String>,
}

/// What was learned about a sender's layout: the label it prints before a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutHint {
    pub field: String,
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
        .find(|d| d.value("from").is_some() || d.value("subject").is_some())
    {
        out.sender = mail.value("from").map(str::to_owned);
        out.sender_name = mail.value("from_name").map(str::to_owned);
        out.subject = mail.value("subject").map(str::to_owned);
        out.mail_date = mail
            .value("date")
            .and_then(|d| d.get(..10))
            .and_then(|d| d.parse::<Date>().ok());
    }
    let structured = documents
        .iter()
        .find(|d| d.format.is_structured() && (d.value("po_number").is_some() || !d.tables.is_empty()));
    if let Some(doc) = structured {
        read_structured(doc, &mut out);
        return out;
    }

    let mut readings: Vec<(usize, Reading)> = documents
        .iter()
        .enumerate()
        .filter(|(_, d)| !d.format.is_structured())
        .map(|(i, d)| (i, read_document(d, hints, dates)))
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

/// Cuts a printed line into cells at tabs, runs of two or more spaces, and `|`.
fn split_cells(line: &str) -> Vec<(String, usize)> {
    let chars: Vec<char> = line.chars().collect();
    let semicolons = chars.iter().filter(|c| **c == ';').count();
    let mut cells = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i <= chars.len() {
        let at_end = i == chars.len();
        let gap = if at_end {
            0
        } else if chars[i] == '\t' || chars[i] == '|' || (semicolons >= 2 && chars[i] == ';') {
            1
        } else if chars[i] == ' ' && chars.get(i + 1) == Some(&' ') {
            chars[i..].iter().take_while(|c| **c == ' ').count()
        } else {
            0
        };
        if at_end || gap > 0 {
            let text: String = chars[start..i].iter().collect();
            let trimmed = text.trim();
            if !trimmed.is_empty() {
                let lead = text.chars().take_while(|c| c.is_whitespace()).count();
                cells.push((trimmed.to_owned(), start + lead));
            }
            i += gap.max(1);
            start = i;
        } else {
            i += 1;
        }
    }
    cells
}

fn rows_of_text(doc: &Document) -> Vec<Row> {
    doc.text_blocks
        .iter()
        .map(|b| Row {
            cells: split_cells(&b.text),
            page: b.page,
            char_start: Some(b.char_start),
            bbox: b.bbox,
            origin: None,
        })
        .filter(|r| !r.cells.is_empty())
        .collect()
}

fn rows_of_table(t: usize, table: &Table) -> Vec<Row> {
    table
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| Row {
            cells: row
                .cells
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.text.trim().is_empty())
                .map(|(i, c)| (c.text.trim().to_owned(), i))
                .collect(),
            page: table.page,
            char_start: None,
            bbox: None,
            origin: Some(format!("table {} row {}", t + 1, r + 1)),
        })
        .filter(|r| !r.cells.is_empty())
        .collect()
}

fn read_document(doc: &Document, hints: &[LayoutHint], dates: Option<DateOrder>) -> Reading {
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
    let style = if doc.value("decimal_separator") == Some(",") {
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
        reading.lines = free_form_lines(&rows, &ctx);
    }
    if reading.lines.is_empty() {
        reading.lines = detail_lines(&rows, &ctx);
    }
    merge(&mut reading, r);
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

/// The label a layout hint teaches, at the start of `cell`.
fn hinted_label<'c>(cell: &'c str, hints: &[LayoutHint]) -> Option<(HeaderField, &'c str)> {
    hints.iter().find_map(|h| {
        let field = HeaderField::parse(&h.field)?;
        let lower = cell.to_lowercase();
        let label = h.label.to_lowercase();
        if !lower.starts_with(&label) || label.is_empty() {
            return None;
        }
        let rest = cell.get(h.label.len()..)?;
        Some((field, rest.trim_start_matches([' ', ':', '#', '\t']).trim()))
    })
}

/// Finds labelled header values and the line table in rows of cells.
fn scan_rows(rows: &[Row], ctx: &Ctx<'_>, from_table: bool) -> Reading {
    let mut reading = Reading::default();
    let mut columns: Option<Vec<Option<Column>>> = None;
    let mut table_done = false;
    let mut misses = 0;
    let mut i = 0;
    while i < rows.len() {
        let row = &rows[i];
        let texts = row.texts();
        if let Some(roles) = line_header(&texts) {
            columns = Some(roles);
            table_done = false;
            misses = 0;
            i += 1;
            continue;
        }
        let labelled: Vec<Option<(HeaderField, &str)>> = texts
            .iter()
            .map(|t| hinted_label(t, ctx.hints).or_else(|| header_label(t)))
            .collect();
        let ends_table = labelled
            .first()
            .is_some_and(|l| l.is_some_and(|(f, _)| matches!(f, HeaderField::StatedTotal | HeaderField::NetTotal)));
        if ends_table
            && !table_done
            && let Some(roles) = columns.as_ref()
            && !reading.lines.is_empty()
            && rows[i + 1..rows.len().min(i + 4)]
                .iter()
                .any(|r| r.cells.len() >= 3 && parse_row(r, roles, ctx, from_table).is_some())
        {
            // A subtotal between groups of lines ("Subtotal $ 112.00", then "--- Food ---"):
            // the table goes on, and the subtotal is not the document's total.
            i += 1;
            continue;
        }
        if let Some(roles) = columns.as_ref().filter(|_| !table_done && !ends_table) {
            let in_table =
                from_table || (row.cells.len() >= 3 && row.cells.len() * 2 >= roles.iter().flatten().count());
            if let Some(line) = parse_row(row, roles, ctx, from_table).filter(|_| in_table).or_else(|| {
                let refined = refine(row, ctx);
                let n = refined.cells.len();
                (!from_table && n > row.cells.len() && n >= 3 && n * 2 >= roles.iter().flatten().count())
                    .then(|| parse_row(&refined, roles, ctx, false))
                    .flatten()
            }) {
                reading.lines.push(line);
                misses = 0;
                i += 1;
                continue;
            }
            if in_table && unreadable_item_row(row, &labelled) {
                // Never drop what looks like an item: keep it for a person to read.
                reading.lines.push(ExtractedLine {
                    description: Some(Field::new(texts.join(" "), 0.0, row.source(ctx.part, None))),
                    source: row.source(ctx.part, None),
                    ..Default::default()
                });
                i += 1;
                continue;
            }
            // A single indented cell right after a row continues its description.
            if misses == 0
                && let Some(last) = reading.lines.last_mut()
                && is_continuation(row, rows.get(i.wrapping_sub(1)), &labelled)
                && let Some(description) = last.description.as_mut()
            {
                description.value.push(' ');
                description.value.push_str(&row.cells[0].0);
                i += 1;
                continue;
            }
            // Two lines in a row after the rows that are no rows end the table
            // (one may be a wrapped description); a repeated column header on
            // the next page opens it again.
            if !reading.lines.is_empty() {
                misses += 1;
                table_done = misses >= 2;
            }
        }
        if ends_table && !texts[0].to_lowercase().contains("übertrag") {
            table_done = columns.is_some();
        }
        read_labels(rows, i, &labelled, ctx, &mut reading);
        i += 1;
    }
    reading
}

/// A wrapped description: one cell, no label, no page footer, indented
/// further than the row above starts (by its box on a page, by its position in text).
fn is_continuation(row: &Row, above: Option<&Row>, labelled: &[Option<(HeaderField, &str)>]) -> bool {
    let Some(above) = above else { return false };
    let text = row.cells.first().map_or("", |(t, _)| t.as_str()).to_lowercase();
    let footer = ["seite ", "page ", "übertrag", "carried forward"]
        .iter()
        .any(|w| text.starts_with(w));
    let indented = match (row.bbox, above.bbox) {
        (Some(b), Some(a)) => b.x > a.x + 20.0 && b.y - a.y < 3.0 * a.height.max(8.0),
        _ => row.cells.first().is_some_and(|(_, at)| *at > 0),
    };
    row.cells.len() == 1 && labelled.iter().all(Option::is_none) && !footer && indented
}

/// A row inside a line table that could not be read but looks like an item:
/// several cells, with letters and digits, and no header label.
fn unreadable_item_row(row: &Row, labelled: &[Option<(HeaderField, &str)>]) -> bool {
    let text: String = row.texts().join(" ");
    row.cells.len() >= 3
        && labelled.iter().all(Option::is_none)
        && text.chars().any(|c| c.is_ascii_digit())
        && text.chars().any(char::is_alphabetic)
}

/// Splits numbers and units off the edges of multi-word cells, for rows
/// where a single space joined two columns (`Karton 12,00`).
fn refine(row: &Row, ctx: &Ctx<'_>) -> Row {
    let mut cells = Vec::new();
    for (text, at) in &row.cells {
        let tokens = tokens_with_offsets(text);
        let edge = |t: &str| {
            parse_number(t, ctx.style).is_some() || unit_code(t).is_some() || parse_date(t, ctx.order).is_some()
        };
        let mut first = 0;
        while first < tokens.len() && edge(tokens[first].0) {
            first += 1;
        }
        let mut last = tokens.len();
        while last > first && edge(tokens[last - 1].0) {
            last -= 1;
        }
        for &(t, start, _) in &tokens[..first] {
            cells.push((t.to_owned(), at + start));
        }
        if first < last {
            let (start, end) = (tokens[first].1, tokens[last - 1].2);
            let middle: String = text.chars().skip(start).take(end - start).collect();
            cells.push((middle, at + start));
        }
        for &(t, start, _) in &tokens[last.max(first)..] {
            cells.push((t.to_owned(), at + start));
        }
    }
    Row { cells, ..row.clone() }
}

/// The column roles when `cells` is the label row of a line table. A cell
/// that is no label may be two labels printed close together (`# SKU`).
fn line_header(cells: &[&str]) -> Option<Vec<Option<Column>>> {
    let mut roles: Vec<Option<Column>> = Vec::new();
    for c in cells {
        match column_role(c) {
            Some(r) => roles.push(Some(r)),
            None => {
                let parts: Vec<Option<Column>> = c.split_whitespace().map(column_role).collect();
                if parts.len() > 1 && parts.iter().all(Option::is_some) {
                    roles.extend(parts);
                } else if let Some((a, b)) = two_labels(c) {
                    // Two labels one space apart: "BTW Prijs incl. BTW", "Disc.% Taxes".
                    roles.push(Some(a));
                    roles.push(Some(b));
                } else {
                    roles.push(None);
                }
            }
        }
    }
    let known = roles.iter().flatten().count();
    let has = |c: Column| roles.contains(&Some(c));
    let identifies =
        has(Column::ItemCode) || has(Column::Sku) || has(Column::CustomerPartNo) || has(Column::Description);
    (has(Column::Quantity) && identifies && known >= 2 && known * 3 >= roles.len() * 2).then_some(roles)
}

/// A cell holding two column labels, split at the one word boundary where both halves are labels.
fn two_labels(cell: &str) -> Option<(Column, Column)> {
    let words: Vec<&str> = cell.split_whitespace().collect();
    (1..words.len()).find_map(|k| {
        let a = column_role(&words[..k].join(" "))?;
        let b = column_role(&words[k..].join(" "))?;
        Some((a, b))
    })
}

fn read_labels(rows: &[Row], i: usize, labelled: &[Option<(HeaderField, &str)>], ctx: &Ctx<'_>, reading: &mut Reading) {
    let row = &rows[i];
    let all_labels = labelled.iter().all(Option::is_some) && labelled.iter().flatten().all(|(_, v)| v.is_empty());
    for (c, label) in labelled.iter().enumerate() {
        let Some((field, rest)) = label else { continue };
        if *field == HeaderField::ShipTo {
            let rest = if rest.is_empty() {
                row.cells.get(c + 1).map_or("", |(t, _)| t.as_str())
            } else {
                rest
            };
            reading.ship_to = reading.ship_to.take().or_else(|| address_block(rows, i, c, rest, ctx));
            continue;
        }
        let total = matches!(field, HeaderField::StatedTotal | HeaderField::NetTotal);
        let (value, source) = if !rest.is_empty() && total {
            // `Total for this invoice | $4.11`: the amount may stand in the next cells.
            let end = (c + 1..row.cells.len())
                .find(|&k| labelled.get(k).is_some_and(Option::is_some))
                .unwrap_or(row.cells.len());
            let mut value = rest.to_string();
            for (t, _) in &row.cells[c + 1..end] {
                value.push(' ');
                value.push_str(t);
            }
            (value, row.source(ctx.part, Some(c)))
        } else if !rest.is_empty() {
            let text = &row.cells[c].0;
            let mut source = row.source(ctx.part, Some(c));
            if let Some(start) = source.char_start {
                source.char_start = Some(start + text.chars().count() - rest.chars().count());
            }
            (rest.to_string(), source)
        } else if row.cells.get(c + 1).is_some() && labelled.get(c + 1).is_some_and(Option::is_none) {
            // The value stands in the next cells (up to the next label): `Summe | EUR | 151.20`.
            let end = (c + 1..row.cells.len())
                .find(|&k| labelled.get(k).is_some_and(Option::is_some))
                .unwrap_or(row.cells.len());
            let value: Vec<&str> = row.cells[c + 1..end].iter().map(|(t, _)| t.as_str()).collect();
            (value.join(" "), row.source(ctx.part, Some(c + 1)))
        } else if all_labels
            && let Some(below) = rows.get(i + 1)
            && below.cells.len() == row.cells.len()
        {
            (below.cells[c].0.clone(), below.source(ctx.part, Some(c)))
        } else {
            continue;
        };
        let confidence = if ctx.hints.iter().any(|h| h.field == field.as_str()) {
            0.97
        } else {
            0.95
        };
        reading
            .header
            .entry(*field)
            .or_default()
            .push(ctx.candidate(&value, confidence, source));
    }
}

/// The address printed under (or after) a ship-to label: up to four lines.
fn address_block(rows: &[Row], i: usize, column: usize, rest: &str, ctx: &Ctx<'_>) -> Option<Field<Address>> {
    let mut lines: Vec<String> = Vec::new();
    if !rest.is_empty() {
        lines.extend(rest.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()));
    }
    let width = rows[i].cells.len();
    let inline = lines.len() >= 2;
    for row in rows.iter().skip(i + 1).take(if inline { 0 } else { 5 }) {
        if lines.len() >= 4 {
            break;
        }
        let cell = if width > 1 && row.cells.len() == width {
            row.cells.get(column).map(|(t, _)| t.as_str())
        } else if width > 1 {
            // A column of its own: take the cell that starts nearest the label's.
            let at = rows[i].cells[column].1;
            row.cells
                .iter()
                .min_by_key(|(_, x)| x.abs_diff(at))
                .filter(|(_, x)| x.abs_diff(at) <= 4)
                .map(|(t, _)| t.as_str())
        } else {
            row.cells.first().map(|(t, _)| t.as_str())
        };
        let Some(cell) = cell else { break };
        if header_label(cell).is_some() || line_header(&row.texts()).is_some() {
            break;
        }
        lines.push(cell.to_owned());
    }
    let address = parse_address(&lines);
    (!address.is_empty()).then(|| Field::new(address, 0.93, rows[i].source(ctx.part, Some(column))))
}

/// Name, street, `zip city` and country from the lines of a printed address:
/// the street is the line before `zip city`, the name the first line above it.
pub fn parse_address(lines: &[String]) -> Address {
    let mut address = Address::default();
    let lines: Vec<&str> = lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect();
    // The last `zip city` line: `2743 Bering St.` above `99508 Anchorage` is the street.
    let zip_at = lines.iter().rposition(|l| zip_city(l).is_some());
    match zip_at {
        Some(z) => {
            if let Some((zip, city)) = zip_city(lines[z]) {
                address.zip = Some(zip);
                address.city = Some(city);
            }
            if z >= 1 {
                address.street = Some(lines[z - 1].to_owned());
            }
            if z >= 2 {
                address.name = Some(lines[0].to_owned());
            }
            if let Some(country) = lines.get(z + 1).and_then(|l| country_code(l)) {
                address.country = Some(country);
            }
        }
        None => {
            address.name = lines.first().map(|l| (*l).to_owned());
            address.street = lines.get(1).map(|l| (*l).to_owned());
        }
    }
    address
}

fn zip_city(line: &str) -> Option<(String, String)> {
    let (first, rest) = line.split_once(' ')?;
    let zip = first
        .trim_start_matches("D-")
        .trim_start_matches("A-")
        .trim_start_matches("CH-");
    let digits = zip.bytes().filter(u8::is_ascii_digit).count();
    if (4..=9).contains(&zip.len())
        && digits >= 4
        && zip.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        && !rest.trim().is_empty()
    {
        return Some((zip.to_owned(), rest.trim().to_owned()));
    }
    // British postcodes: `S1 2HH Sheffield` or `Sheffield S1 2HH`.
    let words: Vec<&str> = line.split_whitespace().collect();
    let outward = |w: &str| {
        (2..=4).contains(&w.len())
            && w.starts_with(|c: char| c.is_ascii_uppercase())
            && w.chars().any(|c| c.is_ascii_digit())
            && w.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    let inward = |w: &str| {
        w.len() == 3 && w.starts_with(|c: char| c.is_ascii_digit()) && w[1..].chars().all(|c| c.is_ascii_uppercase())
    };
    if words.len() >= 3 && outward(words[0]) && inward(words[1]) {
        return Some((format!("{} {}", words[0], words[1]), words[2..].join(" ")));
    }
    if words.len() >= 3 && outward(words[words.len() - 2]) && inward(words[words.len() - 1]) {
        let n = words.len();
        return Some((
            format!("{} {}", words[n - 2], words[n - 1]),
            words[..n - 2].join(" ").trim_end_matches(',').to_owned(),
        ));
    }
    // `Springfield, IL 62704` and `London SW1A 1AA` style: the zip at the end.
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.len() >= 3
        && let Some(last) = words.last()
        && last.len() == 5
        && last.bytes().all(|b| b.is_ascii_digit())
    {
        let city = words[..words.len() - 2].join(" ").trim_end_matches(',').to_owned();
        return Some(((*last).to_owned(), city));
    }
    None
}

fn country_code(name: &str) -> Option<String> {
    let n = name.trim().to_lowercase();
    let code = match n.as_str() {
        "deutschland" | "germany" | "de" => "DE",
        "österreich" | "austria" | "at" => "AT",
        "schweiz" | "switzerland" | "ch" => "CH",
        "frankreich" | "france" | "fr" => "FR",
        "niederlande" | "netherlands" | "nl" => "NL",
        "usa" | "united states" | "us" => "US",
        "united kingdom" | "uk" | "großbritannien" | "gb" => "GB",
        "italien" | "italy" | "it" => "IT",
        "spanien" | "spain" | "es" => "ES",
        "polen" | "poland" | "pl" => "PL",
        _ => return None,
    };
    Some(code.to_owned())
}

/// How well a cell fits a column, or `None` when it cannot be that column.
fn fit(cell: &str, role: Option<Column>, ctx: &Ctx<'_>) -> Option<i32> {
    let number = number_in_cell(cell, ctx.style).is_some();
    let words = cell.split_whitespace().count();
    let has_digit = cell.chars().any(|c| c.is_ascii_digit());
    let has_alpha = cell.chars().any(char::is_alphabetic);
    Some(match role? {
        Column::LineNo => {
            if cell.len() <= 5 && cell.trim_end_matches('.').bytes().all(|b| b.is_ascii_digit()) {
                2
            } else {
                return None;
            }
        }
        Column::Quantity => {
            // Above prices: a line has a quantity more surely than a price, so
            // a bare number with a column free on either side is the quantity.
            if number {
                3
            } else if quantity_with_unit(cell, ctx.style).is_some() {
                4
            } else {
                return None;
            }
        }
        Column::TaxOrDiscount => {
            let rate = |t: &str| number_in_cell(t.trim_end_matches('%'), ctx.style).is_some();
            if !cell.trim().is_empty() && cell.split_whitespace().all(rate) {
                1
            } else {
                return None;
            }
        }
        Column::UnitPrice | Column::LineTotal | Column::PriceUnit => {
            if number {
                2
            } else {
                return None;
            }
        }
        Column::Unit => {
            if unit_code(cell).is_some() {
                3
            } else {
                return None;
            }
        }
        Column::Gtin => {
            if matches!(cell.len(), 8 | 12 | 13 | 14) && cell.bytes().all(|b| b.is_ascii_digit()) {
                3
            } else {
                return None;
            }
        }
        Column::DeliveryDate => {
            if parse_date(cell, ctx.order).is_some() {
                3
            } else {
                return None;
            }
        }
        Column::ItemCode | Column::Sku | Column::CustomerPartNo => {
            if words <= 3 && has_digit && !number && parse_date(cell, ctx.order).is_none() {
                2
            } else {
                return None;
            }
        }
        Column::Description => {
            if has_alpha && (words >= 2 || !has_digit) {
                2
            } else if has_alpha {
                1
            } else {
                return None;
            }
        }
    })
}

/// A number in a table cell: in the document's style, else in the other one
/// (a sheet's string cell `0,12` among numeric cells).
fn number_in_cell(text: &str, style: NumberStyle) -> Option<Decimal> {
    let other = match style {
        NumberStyle::DecimalComma => NumberStyle::DecimalPoint,
        NumberStyle::DecimalPoint => NumberStyle::DecimalComma,
    };
    parse_number(text, style).or_else(|| parse_number(text, other))
}

/// `500 Stk` → (500, `C62`).
fn quantity_with_unit(cell: &str, style: NumberStyle) -> Option<(Decimal, &'static str)> {
    let (n, u) = cell.trim().split_once(char::is_whitespace)?;
    Some((parse_number(n, style)?, unit_code(u.trim())?))
}

/// Assigns cells to columns in order: by position when the counts fit and
/// every cell fits its column, else the best order-keeping assignment by shape.
fn assign(cells: &[&str], roles: &[Option<Column>], ctx: &Ctx<'_>) -> Option<(Vec<Option<usize>>, bool)> {
    if cells.len() == roles.len()
        && cells
            .iter()
            .zip(roles)
            .all(|(c, r)| r.is_none() || fit(c, *r, ctx).is_some())
    {
        return Some(((0..cells.len()).map(Some).collect(), true));
    }
    let (n, m) = (cells.len(), roles.len());
    if n > m {
        return None;
    }
    // best[i][j]: best score placing the first i cells into the first j columns.
    const NONE: i32 = i32::MIN / 2;
    let mut best = vec![vec![NONE; m + 1]; n + 1];
    let mut took = vec![vec![false; m + 1]; n + 1];
    best[0] = vec![0; m + 1];
    for i in 1..=n {
        for j in 1..=m {
            let skip = best[i][j - 1];
            let place = fit(cells[i - 1], roles[j - 1], ctx)
                .or(roles[j - 1].is_none().then_some(0))
                .map_or(NONE, |s| best[i - 1][j - 1].saturating_add(s));
            if place >= skip && place > NONE {
                best[i][j] = place;
                took[i][j] = true;
            } else {
                best[i][j] = skip;
            }
        }
    }
    if best[n][m] <= NONE {
        return None;
    }
    let mut assignment = vec![None; m];
    let (mut i, mut j) = (n, m);
    while i > 0 && j > 0 {
        if took[i][j] {
            assignment[j - 1] = Some(i - 1);
            i -= 1;
        } else {
            // no cell for this column
        }
        j -= 1;
    }
    (i == 0).then_some((assignment, false))
}

fn parse_row(row: &Row, roles: &[Option<Column>], ctx: &Ctx<'_>, from_table: bool) -> Option<ExtractedLine> {
    // Table cells keep their column index; text cells are in order only.
    let (assignment, exact) = if from_table {
        let width = roles.len();
        let mut assignment = vec![None; width];
        for (k, (_, col)) in row.cells.iter().enumerate() {
            if *col < width {
                assignment[*col] = Some(k);
            }
        }
        (assignment, true)
    } else {
        assign(&row.texts(), roles, ctx)?
    };
    let cell = |role: Column| -> Option<(usize, &str)> {
        let j = roles.iter().position(|r| *r == Some(role))?;
        let k = assignment[j]?;
        Some((k, row.cells[k].0.as_str()))
    };
    let confidence = if exact { 0.97 } else { 0.9 };
    let field = |role: Column| -> Option<Field<String>> {
        let (k, text) = cell(role)?;
        Some(Field::new(text.to_owned(), confidence, row.source(ctx.part, Some(k))))
    };
    let mut line = ExtractedLine {
        source: row.source(ctx.part, None),
        ..Default::default()
    };
    let (qk, qtext) = cell(Column::Quantity)?;
    let (quantity, unit_in_cell) = match number_in_cell(qtext, ctx.style) {
        Some(q) => (q, None),
        None => {
            let (q, u) = quantity_with_unit(qtext, ctx.style)?;
            (q, Some(u))
        }
    };
    // A negative quantity is read with its sign (the checks then block it); zero is no line.
    if quantity.is_zero() {
        return None;
    }
    line.quantity = Some(Field::new(quantity, confidence, row.source(ctx.part, Some(qk))));
    line.customer_line_no = cell(Column::LineNo).map(|(_, t)| t.trim_end_matches('.').to_owned());
    line.item_code = field(Column::ItemCode).filter(|f| fit(&f.value, Some(Column::ItemCode), ctx).is_some());
    line.sku = field(Column::Sku);
    line.customer_part_no = field(Column::CustomerPartNo);
    line.gtin = field(Column::Gtin);
    line.description = field(Column::Description);
    if line.item_code.is_none()
        && line.sku.is_none()
        && let Some(d) = line.description.as_mut()
        && let Some((code, rest)) = leading_code(&d.value)
    {
        // "[17589684] Beeswax XL", "*987123* Olive Oil": the code printed before the name.
        line.item_code = Some(Field::new(code.to_owned(), d.confidence, d.source.clone()));
        d.value = rest.to_owned();
    }
    if line.item_code.is_none() && line.sku.is_none() && line.customer_part_no.is_none() && line.gtin.is_none() {
        line.description.as_ref()?;
    }
    line.unit = match (cell(Column::Unit), unit_in_cell) {
        (Some((k, u)), _) => Some(Field::new(
            unit_code(u).map_or_else(|| u.to_owned(), str::to_owned),
            if unit_code(u).is_some() { confidence } else { 0.5 },
            row.source(ctx.part, Some(k)),
        )),
        (None, Some(u)) => Some(Field::new(u.to_owned(), confidence, row.source(ctx.part, Some(qk)))),
        (None, None) => None,
    };
    let per = cell(Column::PriceUnit)
        .and_then(|(_, t)| parse_number(t, ctx.style))
        .filter(|p| *p > Decimal::ZERO)
        .unwrap_or(Decimal::ONE);
    if let Some((k, t)) = cell(Column::UnitPrice)
        && let Some(price) = number_in_cell(t, ctx.style)
    {
        line.unit_price = Some(Field::new(
            (price / per).normalize(),
            confidence,
            row.source(ctx.part, Some(k)),
        ));
    }
    line.line_total = cell(Column::LineTotal).and_then(|(_, t)| number_in_cell(t, ctx.style));
    if let Some((k, t)) = cell(Column::DeliveryDate)
        && let Some(date) = parse_date(t, ctx.order)
    {
        line.delivery_date = Some(Field::new(date, confidence, row.source(ctx.part, Some(k))));
    }
    cross_check(&mut line);
    Some(line)
}

/// A code in brackets or asterisks before a description: `[FURN_7777] Office Chair`.
fn leading_code(text: &str) -> Option<(&str, &str)> {
    let t = text.trim_start();
    let (open, close) = match t.chars().next()? {
        '[' => ('[', ']'),
        '*' => ('*', '*'),
        _ => return None,
    };
    let inner = &t[open.len_utf8()..];
    let end = inner.find(close)?;
    let code = inner[..end].trim();
    let rest = inner[end + close.len_utf8()..].trim();
    let plain = !code.is_empty() && code.len() <= 30 && !code.contains(char::is_whitespace);
    (plain && !rest.is_empty()).then_some((code, rest))
}

/// Quantity × price against the printed line total: agreeing raises the
/// confidence of both, disagreeing drops it so a person looks.
fn cross_check(line: &mut ExtractedLine) {
    let (Some(q), Some(p), Some(total)) = (&mut line.quantity, &mut line.unit_price, line.line_total) else {
        return;
    };
    let computed = q.value * p.value;
    let tolerance = Decimal::new(1, 2).max(total.abs() * Decimal::new(5, 3));
    if (computed - total).abs() <= tolerance {
        q.confidence = q.confidence.max(0.98);
        p.confidence = p.confidence.max(0.98);
    } else {
        q.confidence = q.confidence.min(0.6);
        p.confidence = p.confidence.min(0.6);
    }
}

/// Items listed under a "Detail" heading as a name and an amount, without a
/// column header (`AWS Data Transfer   $0.01`): each becomes a line with that
/// price and no quantity, uncertain, so a person looks. Total, tax and charge
/// rows in between are passed over; the first row of another shape ends the list.
fn detail_lines(rows: &[Row], ctx: &Ctx<'_>) -> Vec<ExtractedLine> {
    const HEADINGS: [&str; 8] = [
        "detail",
        "details",
        "einzelheiten",
        "positionen",
        "leistungen",
        "specificatie",
        "détail",
        "itemized charges",
    ];
    const PASSED_OVER: [&str; 12] = [
        "charges", "credits", "vat", "tax", "mwst", "ust", "btw", "tva", "gst", "discount", "rabatt", "subtotal",
    ];
    let Some(start) = rows.iter().position(|r| {
        r.cells.len() == 1 && HEADINGS.contains(&r.cells[0].0.trim().trim_end_matches(':').to_lowercase().as_str())
    }) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    for row in &rows[start + 1..] {
        let [(name, _), (amount, _)] = row.cells.as_slice() else {
            break;
        };
        let Some(price) = number_in_cell(amount, ctx.style) else {
            break;
        };
        let first_word = name
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("")
            .to_lowercase();
        if header_label(name).is_some()
            || PASSED_OVER.contains(&first_word.as_str())
            || !name.chars().any(char::is_alphabetic)
        {
            continue;
        }
        lines.push(ExtractedLine {
            description: Some(Field::new(name.trim().to_owned(), 0.5, row.source(ctx.part, Some(0)))),
            unit_price: Some(Field::new(price, 0.5, row.source(ctx.part, Some(1)))),
            source: row.source(ctx.part, None),
            ..Default::default()
        });
    }
    lines
}

/// Item lines written as sentences in a mail: `500 Stk DIN933-M8x40-A2`,
/// `- 2 x 77-1034 (Sechskantschraube) à 12,50 €`, `Art. 4711: 30 Stück`.
fn free_form_lines(rows: &[Row], ctx: &Ctx<'_>) -> Vec<ExtractedLine> {
    rows.iter().filter_map(|row| free_form_line(row, ctx)).collect()
}

/// The text after list bullets (`- `, `* `, `•`); a minus sign before a digit
/// is the number's sign (`-400 Stk` is a negative quantity), not a bullet.
fn strip_bullets(text: &str) -> &str {
    let mut rest = text.trim_start();
    while let Some(after) = rest.strip_prefix(['-', '*', '•', '·']) {
        if rest.starts_with('-') && after.starts_with(|c: char| c.is_ascii_digit()) {
            break;
        }
        rest = after.trim_start();
    }
    rest
}

fn free_form_line(row: &Row, ctx: &Ctx<'_>) -> Option<ExtractedLine> {
    let text: String = row.texts().join("  ");
    if text.starts_with('>') || header_label(&text).is_some() {
        return None;
    }
    let body = strip_bullets(&text);
    let tokens = tokens_with_offsets(body);
    let words: Vec<&str> = tokens
        .iter()
        .map(|(t, _, _)| t.trim_end_matches([',', ';', ':']))
        .collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let mut used = vec![false; words.len()];
    // The quantity: a number followed by a unit or `x`, or after Menge/Qty.
    let mut quantity: Option<(Decimal, Option<&'static str>)> = None;
    for k in 0..words.len() {
        let Some(n) = parse_number(words[k], ctx.style) else {
            continue;
        };
        let next = lower.get(k + 1).map(String::as_str);
        let prev = if k > 0 { lower[k - 1].as_str() } else { "" };
        if let Some(u) = next.and_then(unit_code) {
            quantity = Some((n, Some(u)));
            used[k] = true;
            used[k + 1] = true;
            break;
        }
        if matches!(next, Some("x" | "×" | "stück")) || matches!(prev, "menge" | "qty" | "quantity" | "anzahl") {
            quantity = Some((n, None));
            used[k] = true;
            if matches!(next, Some("x" | "×")) {
                used[k + 1] = true;
            }
            break;
        }
        if let Some(stripped) = words[k].strip_suffix(['x', '×'])
            && let Some(n) = parse_number(stripped, ctx.style)
        {
            quantity = Some((n, None));
            used[k] = true;
            break;
        }
    }
    let (quantity, unit) = quantity?;
    // A negative quantity is read with its sign (the checks then block it); zero is no line.
    if quantity.is_zero() {
        return None;
    }
    // The price: after à/@/je/zu/at, or a number with a currency.
    let mut price = None;
    for k in 0..words.len() {
        if used[k] {
            continue;
        }
        let before = matches!(
            lower[k].as_str(),
            "à" | "á" | "@" | "je" | "zu" | "at" | "a" | "preis" | "price"
        );
        if before && let Some(p) = words.get(k + 1).and_then(|w| number_in_cell(w, ctx.style)) {
            price = Some(p);
            used[k] = true;
            used[k + 1] = true;
            if lower
                .get(k + 2)
                .is_some_and(|w| currency_code(w).is_some() || w.starts_with("eur"))
            {
                used[k + 2] = true;
            }
            break;
        }
    }
    for k in 0..words.len() {
        if !used[k] && (currency_code(&lower[k]).is_some() || lower[k] == "/stk" || lower[k] == "each") {
            used[k] = true;
        }
    }
    // The code: after Art./Artikel/Item/#, else the first token mixing letters or dashes with digits.
    let filler = [
        "art.",
        "art.-nr.",
        "artikel",
        "artikelnr.",
        "artikel-nr.",
        "item",
        "part",
        "#",
        "nr.",
        "no.",
    ];
    let mut code = None;
    for k in 0..words.len() {
        if used[k] {
            continue;
        }
        let w = words[k].trim_matches(['(', ')', '"']);
        let codeish = w.chars().any(|c| c.is_ascii_digit())
            && w.len() >= 3
            && parse_number(w, ctx.style).is_none()
            && parse_date(w, ctx.order).is_none();
        let after_label = k > 0 && filler.contains(&lower[k - 1].as_str());
        if codeish || (after_label && w.chars().any(|c| c.is_ascii_digit())) {
            code = Some(w.to_owned());
            used[k] = true;
            break;
        }
    }
    for k in 0..words.len() {
        if filler.contains(&lower[k].as_str()) || matches!(lower[k].as_str(), "-" | "–" | "x" | "=") {
            used[k] = true;
        }
    }
    let description: Vec<&str> = words
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(w, _)| w.trim_matches(['(', ')', '"', ',']))
        .filter(|w| !w.is_empty())
        .collect();
    let description = description.join(" ");
    let letters = description.chars().filter(|c| c.is_alphabetic()).count();
    if code.is_none() && letters < 4 {
        // `* 100 pcs` with nothing else is still an item line: kept for a person.
        let bullet = text.trim_start().starts_with(['-', '*', '•', '·']);
        return (bullet && unit.is_some()).then(|| ExtractedLine {
            quantity: Some(Field::new(quantity, 0.0, row.source(ctx.part, None))),
            unit: unit.map(|u| Field::new(u.to_owned(), 0.0, row.source(ctx.part, None))),
            source: row.source(ctx.part, None),
            ..Default::default()
        });
    }
    // A sentence with a number in it is not an item line: too many words.
    if description.split_whitespace().count() > 14 {
        return None;
    }
    let confidence = if code.is_some() && unit.is_some() { 0.93 } else { 0.85 };
    let source = row.source(ctx.part, None);
    Some(ExtractedLine {
        quantity: Some(Field::new(quantity, confidence, source.clone())),
        unit: unit.map(|u| Field::new(u.to_owned(), confidence, source.clone())),
        unit_price: price.map(|p| Field::new(p, confidence, source.clone())),
        item_code: code.map(|c| Field::new(c, confidence, source.clone())),
        description: (letters >= 3).then(|| Field::new(description, confidence, source.clone())),
        source,
        ..Default::default()
    })
}

/// `Bestellung 4500012345`, `PO #77-12`, `Anfrage Nr. 33` in a mail subject.
fn read_subject(subject: &str, reading: &mut Reading) {
    let words: Vec<&str> = subject.split_whitespace().collect();
    let keys = [
        "bestellung",
        "order",
        "po",
        "auftrag",
        "anfrage",
        "rfq",
        "bestellnummer",
        "bestellnr.",
        "p.o.",
        "inquiry",
        "enquiry",
    ];
    for k in 0..words.len() {
        let w = words[k].trim_end_matches(':').to_lowercase();
        if !keys.contains(&w.as_str()) {
            continue;
        }
        let mut j = k + 1;
        while j < words.len()
            && matches!(
                words[j].to_lowercase().trim_end_matches(':'),
                "nr." | "nr" | "no." | "no" | "#" | "number" | "nummer"
            )
        {
            j += 1;
        }
        if let Some(value) = words
            .get(j)
            .map(|v| v.trim_matches(|c: char| !c.is_alphanumeric()))
            .filter(|v| v.chars().any(|c| c.is_ascii_digit()))
        {
            reading
                .header
                .entry(HeaderField::PoNumber)
                .or_default()
                .push(Candidate {
                    text: value.to_owned(),
                    confidence: 0.9,
                    source: Source {
                        part: String::new(),
                        page: 1,
                        origin: Some("Subject".into()),
                        ..Default::default()
                    },
                    style: NumberStyle::DecimalPoint,
                    order: DateOrder::DayFirst,
                });
            return;
        }
    }
}

/// A reference number: the first token with a digit, as printed.
fn reference(text: &str) -> Option<String> {
    text.split_whitespace()
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .find(|t| t.chars().any(|c| c.is_ascii_digit()) && t.chars().all(|c| c.is_alphanumeric() || "-/._".contains(c)))
        .map(str::to_owned)
}

fn settle_header(mut all: Reading, out: &mut Extracted) {
    let mut take = |field: HeaderField| all.header.remove(&field).unwrap_or_default();
    out.po_number = settle(take(HeaderField::PoNumber), |c| reference(&c.text));
    out.customer_no = settle(take(HeaderField::CustomerNo), |c| reference(&c.text));
    out.document_number = settle(take(HeaderField::DocumentNumber), |c| reference(&c.text));
    out.order_date = settle(take(HeaderField::OrderDate), |c| {
        find_date(&c.text, c.order).map(|d| d.0)
    });
    out.requested_delivery_date = settle(take(HeaderField::RequestedDeliveryDate), |c| {
        find_date(&c.text, c.order).map(|d| d.0)
    });
    out.vat_id = settle(take(HeaderField::VatId), |c| {
        c.text
            .split_whitespace()
            .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
            .find(|t| t.len() >= 8 && t[..2].chars().all(|c| c.is_ascii_uppercase()))
            .map(str::to_owned)
    });
    // The amount after a total label: the first that looks like money (two
    // decimals or a currency sign), else the last number; `Total due on
    // August 3, 2014 $4.11` is 4.11, not 2014.
    let amount = |c: &Candidate| -> Option<Decimal> {
        let tokens: Vec<&str> = c.text.split_whitespace().collect();
        let money = |t: &str| {
            let bare = t.trim_start_matches(['$', '€', '£']);
            let decimals = bare.rsplit_once([',', '.']).map_or(0, |(_, d)| d.len());
            (decimals == 2 || bare.len() < t.len())
                .then(|| parse_number(t, c.style))
                .flatten()
        };
        tokens
            .iter()
            .find_map(|t| money(t))
            .or_else(|| tokens.iter().rev().find_map(|t| parse_number(t, c.style)))
            .or_else(|| parse_number(&c.text, c.style))
    };
    // The last printed total is the final one (earlier ones carry over pages).
    let mut net = take(HeaderField::NetTotal);
    net.reverse();
    let mut plain = take(HeaderField::StatedTotal);
    plain.reverse();
    out.stated_total = settle_first(&net, amount).or_else(|| settle_first(&plain, amount));
    let total_currency = net
        .iter()
        .chain(&plain)
        .find_map(|c| c.text.split_whitespace().find_map(currency_code));
    out.currency = settle(take(HeaderField::Currency), |c| {
        c.text.split_whitespace().find_map(currency_code).map(str::to_owned)
    });
    if out.currency.is_none() {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for c in total_currency.iter().chain(all.currency_seen.iter()) {
            match counts.iter_mut().find(|(k, _)| k == c) {
                Some((_, n)) => *n += 1,
                None => counts.push((c, 1)),
            }
        }
        if let Some((code, _)) = counts.iter().max_by_key(|(_, n)| *n) {
            let unanimous = counts.len() == 1;
            out.currency = Some(Field::new(
                (*code).to_owned(),
                if unanimous { 0.95 } else { 0.7 },
                Source::default(),
            ));
        }
    }
    let text = |c: &Candidate| Some(c.text.clone()).filter(|t| !t.is_empty());
    out.incoterms = settle(take(HeaderField::Incoterms), text);
    out.payment_terms = settle(take(HeaderField::PaymentTerms), text);
    out.contact = settle(take(HeaderField::Contact), text);
    out.notes = settle(take(HeaderField::Notes), text);
    out.ship_to = all.ship_to.take();
    out.quoted_emails = all.emails;
    out.quoted_emails.dedup();
    out.lines = all.lines;
}

/// The first readable candidate; a different reading of another labelled
/// candidate makes it uncertain.
fn settle<T: PartialEq + Clone>(
    candidates: Vec<Candidate>,
    read: impl Fn(&Candidate) -> Option<T>,
) -> Option<Field<T>> {
    let readings: Vec<(T, &Candidate)> = candidates.iter().filter_map(|c| read(c).map(|v| (v, c))).collect();
    let (value, first) = readings.first()?;
    let disagree = readings
        .iter()
        .any(|(v, c)| v != value && c.source.origin.as_deref() != Some("Subject"));
    let confidence = if disagree { 0.6 } else { first.confidence };
    Some(Field::new(value.clone(), confidence, first.source.clone()))
}

fn settle_first<T: Clone>(candidates: &[Candidate], read: impl Fn(&Candidate) -> Option<T>) -> Option<Field<T>> {
    candidates
        .iter()
        .find_map(|c| read(c).map(|v| Field::new(v, c.confidence, c.source.clone())))
}

/// EDI, UBL and openTRANS: labelled values and the line table map directly.
fn read_structured(doc: &Document, out: &mut Extracted) {
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
    out.po_number = text("original_po_number").or_else(|| text("po_number"));
    out.document_number = text("document_number");
    out.order_date = date("order_date");
    out.requested_delivery_date = date("requested_delivery_date");
    out.currency = text("currency");
    out.stated_total = doc
        .value("stated_total")
        .and_then(|v| parse_number(v, NumberStyle::DecimalPoint))
        .map(|v| Field::new(v, 0.99, src("stated_total")));
    out.notes = text("note");
    out.payment_terms = text("payment_terms");
    out.incoterms = text("incoterms");
    out.contact = text("contact.name");
    out.buyer_ids = [
        "party.buyer.id",
        "party.bill_to.id",
        "customer_reference",
        "party.buyer.customer_no",
    ]
    .iter()
    .filter_map(|k| doc.value(k).map(str::to_owned))
    .collect();
    out.buyer_name = doc.value("party.buyer.name").map(str::to_owned);
    out.vat_id = text("party.buyer.vat_id");
    out.quoted_emails = doc.value("party.buyer.email").map(str::to_owned).into_iter().collect();
    let ship_to = Address {
        id: doc.value("party.ship_to.id").map(str::to_owned),
        name: doc.value("party.ship_to.name").map(str::to_owned),
        street: doc.value("party.ship_to.street").map(str::to_owned),
        zip: doc.value("party.ship_to.zip").map(str::to_owned),
        city: doc.value("party.ship_to.city").map(str::to_owned),
        country: doc.value("party.ship_to.country").map(str::to_owned),
    };
    if !ship_to.is_empty() {
        out.ship_to = Some(Field::new(ship_to, 0.99, src("party.ship_to.city")));
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

    #[test]
    fn a_layout_hint_teaches_an_unknown_label() {
        let doc = text_doc("Vorgang: 88-123\nArt.-Nr.\tMenge\nA-100\t5\n");
        assert_eq!(extract_order(std::slice::from_ref(&doc), &[]).po_number, None);
        let hint = LayoutHint {
            field: "po_number".into(),
            label: "Vorgang".into(),
        };
        let x = extract_order(&[doc], &[hint]);
        assert_eq!(x.po_number.unwrap().value, "88-123");
    }
}

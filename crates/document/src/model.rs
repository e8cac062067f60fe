//! The Document: what one part of an inbound message says, with where it says it.
//!
//! This is also the JSON of `orderdesk parse FILE --json` (docs/document-json.md).

use serde::{Deserialize, Serialize};

/// The format a document was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    EmailText,
    EmailHtml,
    Text,
    Csv,
    Xlsx,
    Xls,
    Ods,
    Pdf,
    X12,
    Edifact,
    Ubl,
    Opentrans,
    Xml,
    Unknown,
}

impl Format {
    /// The name the JSON gives it (`email_text`, `pdf`, `x12` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::EmailText => "email_text",
            Format::EmailHtml => "email_html",
            Format::Text => "text",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Pdf => "pdf",
            Format::X12 => "x12",
            Format::Edifact => "edifact",
            Format::Ubl => "ubl",
            Format::Opentrans => "opentrans",
            Format::Xml => "xml",
            Format::Unknown => "unknown",
        }
    }

    /// Structured business messages (EDI, UBL, openTRANS): their fields are
    /// named by the standard, not found in a layout.
    pub fn is_structured(self) -> bool {
        matches!(self, Format::X12 | Format::Edifact | Format::Ubl | Format::Opentrans)
    }
}

/// One part of a message, parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Where in the message: `""` for a file on its own, `"1"`, `"2.1"` … for MIME parts.
    pub part: String,
    /// The attachment's file name, if it has one.
    pub name: Option<String>,
    pub format: Format,
    /// The structured message type where the format has one (`850`, `ORDERS`, `Order` …).
    pub message_type: Option<String>,
    pub pages: u32,
    pub text_blocks: Vec<TextBlock>,
    pub tables: Vec<Table>,
    pub key_values: Vec<KeyValue>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Document {
    pub fn new(part: impl Into<String>, name: Option<String>, format: Format) -> Self {
        Self {
            part: part.into(),
            name,
            format,
            message_type: None,
            pages: 1,
            text_blocks: Vec::new(),
            tables: Vec::new(),
            key_values: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    pub fn key_value(&mut self, key: impl Into<String>, value: impl AsRef<str>, source: impl Into<String>) {
        let value = value.as_ref().trim();
        if !value.is_empty() {
            self.key_values.push(KeyValue {
                key: key.into(),
                value: value.to_owned(),
                source: Some(source.into()),
            });
        }
    }

    /// The first value stored under `key`.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.key_values
            .iter()
            .find(|kv| kv.key == key)
            .map(|kv| kv.value.as_str())
    }

    pub fn diagnose(&mut self, severity: Severity, code: &'static str, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            severity,
            code: code.into(),
            message: message.into(),
        });
    }

    /// All text of the document in reading order, blocks separated by newlines.
    pub fn full_text(&self) -> String {
        let mut out = String::new();
        for block in &self.text_blocks {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&block.text);
        }
        out
    }
}

/// A run of text with its page and, for laid-out formats, its box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextBlock {
    pub page: u32,
    pub text: String,
    /// Offset of the block's first character in the document's text (in chars).
    pub char_start: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bbox: Option<BoundingBox>,
}

/// A box on a page, in points from the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoundingBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// A table: rows of cells; the first `header_rows` rows are headers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub page: u32,
    /// The sheet name, for spreadsheets.
    pub name: Option<String>,
    pub header_rows: usize,
    pub rows: Vec<TableRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRow {
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub text: String,
}

impl Table {
    pub fn from_rows(page: u32, name: Option<String>, header_rows: usize, rows: Vec<Vec<String>>) -> Table {
        Table {
            page,
            name,
            header_rows,
            rows: rows
                .into_iter()
                .map(|cells| TableRow {
                    cells: cells.into_iter().map(|text| Cell { text }).collect(),
                })
                .collect(),
        }
    }

    /// The cell texts of row `i`.
    pub fn row(&self, i: usize) -> Vec<&str> {
        self.rows
            .get(i)
            .map(|r| r.cells.iter().map(|c| c.text.as_str()).collect())
            .unwrap_or_default()
    }
}

/// A labelled value (`po_number` → `4500012345`) and where it came from (`BEG03`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    /// The name the JSON gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Every code a [`Diagnostic`] can have: a public interface, so that the
/// screens can say each in the user's language (a test holds the readers'
/// sources to this list).
pub const DIAGNOSTIC_CODES: [&str; 28] = [
    "archive_too_large",
    "attachment_empty",
    "attachment_without_data",
    "csv_encoding",
    "csv_malformed",
    "document_truncated",
    "edi_envelope",
    "edi_repeated_header",
    "edi_unterminated",
    "format_unknown",
    "mail_too_deep",
    "mail_unreadable",
    "message_unreadable",
    "msg_no_body",
    "msg_unreadable",
    "nested_too_deep",
    "part_not_read",
    "pdf_encrypted",
    "pdf_no_text",
    "pdf_not_read",
    "pdf_too_deep",
    "pdf_unreadable",
    "sheet_unreadable",
    "spreadsheet_unreadable",
    "text_encoding",
    "too_many_parts",
    "xml_invalid",
    "xml_unknown",
];

/// Something the parser noticed: a stable code and a message for the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: std::borrow::Cow<'static, str>,
    pub message: String,
}

/// The columns of the line table that structured orders (EDI, XML) produce.
/// A public interface (docs/document-json.md): only ever extended.
pub const LINE_COLUMNS: [&str; 10] = [
    "line_no",
    "quantity",
    "unit",
    "unit_price",
    "buyer_part_no",
    "vendor_part_no",
    "gtin",
    "upc",
    "description",
    "delivery_date",
];

/// An empty line of [`LINE_COLUMNS`] width.
pub fn empty_line() -> Vec<String> {
    vec![String::new(); LINE_COLUMNS.len()]
}

/// The line table for `lines` (each at least [`LINE_COLUMNS`] wide), with
/// `extra` columns after the standard ones; `None` when there are no lines.
pub fn line_table(lines: Vec<Vec<String>>, extra: &[&str]) -> Option<Table> {
    let lines: Vec<Vec<String>> = lines.into_iter().filter(|l| l.iter().any(|c| !c.is_empty())).collect();
    if lines.is_empty() {
        return None;
    }
    let header: Vec<String> = LINE_COLUMNS.iter().chain(extra).map(|c| (*c).to_owned()).collect();
    let width = header.len();
    let mut rows = vec![header];
    rows.extend(lines.into_iter().map(|mut l| {
        l.resize(width, String::new());
        l
    }));
    Some(Table::from_rows(1, None, 1, rows))
}

/// Splits text into one block per non-empty line, with char offsets.
pub fn text_blocks(text: &str, page: u32) -> Vec<TextBlock> {
    let mut blocks = Vec::new();
    let mut offset = 0;
    for line in text.split('\n') {
        let trimmed = line.trim_end_matches('\r');
        if !trimmed.trim().is_empty() {
            blocks.push(TextBlock {
                page,
                text: trimmed.to_owned(),
                char_start: offset,
                bbox: None,
            });
        }
        offset += line.chars().count() + 1;
    }
    blocks
}

#[cfg(test)]
mod names {
    use super::*;

    /// Every code the readers give (a literal after the severity, or handed
    /// to a helper that diagnoses with it) is in [`DIAGNOSTIC_CODES`].
    #[test]
    fn every_code_the_readers_give_is_listed() {
        fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("tests.rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    // Tests name codes to check them, not to give them.
                    out.push(text.split("#[cfg(test)]").next().unwrap_or_default().to_owned());
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        sources(&root.join("src"), &mut texts);
        let code_like =
            |t: &str| t.contains('_') && t.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') && !t.starts_with('_');
        let mut found = std::collections::BTreeSet::new();
        for text in &texts {
            for (at, _) in text.match_indices('"') {
                let rest = &text[at + 1..];
                let Some(end) = rest.find('"') else { continue };
                let literal = &rest[..end];
                let mut from = at.saturating_sub(160);
                while !text.is_char_boundary(from) {
                    from += 1;
                }
                let before = &text[from..at];
                let gives = ["diagnose(", "finish(", "attach_problems(", "let code", "Diagnostic {"]
                    .iter()
                    .any(|m| before.contains(m));
                if code_like(literal) && gives {
                    found.insert(literal.to_owned());
                }
            }
        }
        assert!(found.len() > 20, "the scan is broken: {found:?}");
        let unlisted: Vec<&String> = found
            .iter()
            .filter(|c| !DIAGNOSTIC_CODES.contains(&c.as_str()))
            .collect();
        assert!(unlisted.is_empty(), "codes not in DIAGNOSTIC_CODES: {unlisted:?}");
    }

    #[test]
    fn names_are_the_json_names() {
        use Format::*;
        for f in [
            EmailText, EmailHtml, Text, Csv, Xlsx, Xls, Ods, Pdf, X12, Edifact, Ubl, Opentrans, Xml, Unknown,
        ] {
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
        }
        for s in [Severity::Info, Severity::Warning, Severity::Error] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}

//! Explicit limits on what one inbound file may make the readers build.
//!
//! An inbox is open to anyone, so every reader is bounded: structures nested
//! too deep and grids too large are refused before they are built, and every
//! Document is cut to sizes no real order reaches, with an error diagnostic
//! saying what was left out (the file itself is always kept whole).

use crate::model::{Document, Severity};

/// Arrays and dictionaries nested deeper than this in a PDF are refused.
pub const MAX_PDF_NESTING: usize = 64;
/// XML elements nested deeper than this are refused (UBL orders reach about 8).
pub const MAX_XML_DEPTH: usize = 64;
/// XML leaves (elements with text) read from one file.
pub const MAX_XML_LEAVES: usize = 100_000;
/// Columns read per row of a sheet or CSV file.
pub const MAX_COLUMNS: usize = 256;
/// Table rows kept per Document (all tables together); the largest real
/// order seen here has about 17,000 lines.
pub const MAX_ROWS: usize = 25_000;
/// Table cells kept per Document (all tables together).
pub const MAX_CELLS: usize = 1_000_000;
/// Cells of a spreadsheet read per sheet before the grid is built.
pub const MAX_SHEET_CELLS: usize = 1_000_000;
/// Characters kept per cell.
pub const MAX_CELL_CHARS: usize = 4_096;
/// Text blocks (lines) kept per Document.
pub const MAX_TEXT_BLOCKS: usize = 50_000;
/// Characters kept per text block.
pub const MAX_BLOCK_CHARS: usize = 8_192;
/// Bytes of text kept per Document (text lines and cells together).
pub const MAX_DOCUMENT_TEXT: usize = 16 << 20;
/// Labelled values kept per Document.
pub const MAX_KEY_VALUES: usize = 20_000;
/// Documents read from one inbound file (parts, EDI messages).
pub const MAX_DOCUMENTS: usize = 500;
/// Segments read from one EDI interchange.
pub const MAX_SEGMENTS: usize = 100_000;

/// Cuts `doc` to the limits above; what was left out is an error diagnostic.
pub fn bound(doc: &mut Document) {
    let mut cut = Vec::new();
    if doc.text_blocks.len() > MAX_TEXT_BLOCKS {
        cut.push(format!(
            "{} of {} text lines",
            MAX_TEXT_BLOCKS.to_formatted(),
            doc.text_blocks.len().to_formatted()
        ));
        doc.text_blocks.truncate(MAX_TEXT_BLOCKS);
    }
    let mut long_blocks = 0;
    for block in &mut doc.text_blocks {
        long_blocks += usize::from(truncate_chars(&mut block.text, MAX_BLOCK_CHARS));
    }
    if long_blocks > 0 {
        cut.push(format!(
            "the first {} characters of {long_blocks} very long text line(s)",
            MAX_BLOCK_CHARS.to_formatted()
        ));
    }
    let total_rows: usize = doc.tables.iter().map(|t| t.rows.len()).sum();
    if total_rows > MAX_ROWS {
        let mut left = MAX_ROWS;
        for table in &mut doc.tables {
            table.rows.truncate(left);
            left -= table.rows.len();
        }
        doc.tables.retain(|t| !t.rows.is_empty());
        cut.push(format!(
            "{} of {} table rows",
            MAX_ROWS.to_formatted(),
            total_rows.to_formatted()
        ));
    }
    let total_cells: usize = doc
        .tables
        .iter()
        .flat_map(|t| &t.rows)
        .map(|r| r.cells.len().min(MAX_COLUMNS))
        .sum();
    if total_cells > MAX_CELLS {
        let mut left = MAX_CELLS;
        for table in &mut doc.tables {
            let keep = table
                .rows
                .iter()
                .take_while(|r| {
                    let cells = r.cells.len().min(MAX_COLUMNS);
                    let fits = cells <= left;
                    left = left.saturating_sub(cells);
                    fits
                })
                .count();
            table.rows.truncate(keep);
        }
        doc.tables.retain(|t| !t.rows.is_empty());
        cut.push(format!(
            "{} of {} table cells",
            MAX_CELLS.to_formatted(),
            total_cells.to_formatted()
        ));
    }
    let (mut wide_rows, mut long_cells) = (0, 0);
    for row in doc.tables.iter_mut().flat_map(|t| t.rows.iter_mut()) {
        if row.cells.len() > MAX_COLUMNS {
            row.cells.truncate(MAX_COLUMNS);
            wide_rows += 1;
        }
        for cell in &mut row.cells {
            long_cells += usize::from(truncate_chars(&mut cell.text, MAX_CELL_CHARS));
        }
    }
    if wide_rows > 0 {
        cut.push(format!("the first {MAX_COLUMNS} columns of {wide_rows} row(s)"));
    }
    if long_cells > 0 {
        cut.push(format!(
            "the first {} characters of {long_cells} cell(s)",
            MAX_CELL_CHARS.to_formatted()
        ));
    }
    if cut_to_text_budget(doc) {
        cut.push(format!("the first {} MiB of text", MAX_DOCUMENT_TEXT >> 20));
    }
    if doc.key_values.len() > MAX_KEY_VALUES {
        cut.push(format!(
            "{} of {} labelled values",
            MAX_KEY_VALUES.to_formatted(),
            doc.key_values.len().to_formatted()
        ));
        doc.key_values.truncate(MAX_KEY_VALUES);
    }
    for kv in &mut doc.key_values {
        truncate_chars(&mut kv.key, MAX_CELL_CHARS);
        truncate_chars(&mut kv.value, MAX_CELL_CHARS);
    }
    if !cut.is_empty() {
        doc.diagnose(
            Severity::Error,
            "document_truncated",
            format!(
                "the document is larger than an order can be; only {} are read (the file is kept whole)",
                cut.join(", ")
            ),
        );
    }
}

/// Keeps text lines, then table rows, while their text fits [`MAX_DOCUMENT_TEXT`];
/// whether anything was cut.
fn cut_to_text_budget(doc: &mut Document) -> bool {
    let mut budget = MAX_DOCUMENT_TEXT;
    let mut fits = |len: usize| {
        let ok = len <= budget;
        budget = budget.saturating_sub(len);
        ok
    };
    let blocks = doc.text_blocks.iter().take_while(|b| fits(b.text.len())).count();
    let mut cut = blocks < doc.text_blocks.len();
    doc.text_blocks.truncate(blocks);
    for table in &mut doc.tables {
        let rows = table
            .rows
            .iter()
            .take_while(|r| fits(r.cells.iter().map(|c| c.text.len()).sum()))
            .count();
        cut |= rows < table.rows.len();
        table.rows.truncate(rows);
    }
    doc.tables.retain(|t| !t.rows.is_empty());
    cut
}

/// Keeps the first `max` characters; whether anything was cut.
fn truncate_chars(text: &mut String, max: usize) -> bool {
    if text.len() <= max {
        return false;
    }
    match text.char_indices().nth(max) {
        Some((at, _)) => {
            text.truncate(at);
            true
        }
        None => false,
    }
}

/// Whole numbers with thousands separators, for messages people read.
trait Formatted {
    fn to_formatted(&self) -> String;
}

impl Formatted for usize {
    fn to_formatted(&self) -> String {
        let digits = self.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }
}

/// How deeply arrays (`[`) and dictionaries (`<<`) nest in a PDF's uncompressed
/// objects, stopping as soon as `limit` is passed. Strings, comments and
/// stream contents are skipped.
pub fn pdf_nesting(bytes: &[u8], limit: usize) -> usize {
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => i = skip_literal_string(bytes, i),
            b'[' => depth += 1,
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 1;
            }
            b'<' => {
                // A hex string.
                while i < bytes.len() && bytes[i] != b'>' {
                    i += 1;
                }
            }
            b']' => depth = depth.saturating_sub(1),
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b's' if bytes[i..].starts_with(b"stream") && (i == 0 || !bytes[i - 1].is_ascii_alphabetic()) => {
                i = match find(&bytes[i..], b"endstream") {
                    Some(end) => i + end + b"endstream".len() - 1,
                    None => bytes.len(),
                };
            }
            _ => {}
        }
        deepest = deepest.max(depth);
        if deepest > limit {
            return deepest;
        }
        i += 1;
    }
    deepest
}

fn skip_literal_string(bytes: &[u8], start: usize) -> usize {
    let (mut level, mut i) = (0usize, start);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'(' => level += 1,
            b')' => {
                level -= 1;
                if level == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, Table};

    #[test]
    fn pdf_nesting_counts_arrays_and_dictionaries_outside_strings_and_streams() {
        assert_eq!(pdf_nesting(b"1 0 obj << /A [ [ 1 ] ] >> endobj", 100), 3);
        assert_eq!(pdf_nesting(b"(a [[[ \\) (b [[) c) [ ]", 100), 1);
        assert_eq!(pdf_nesting(b"stream\n[[[[[[[[\nendstream [", 100), 1);
        assert_eq!(pdf_nesting(b"<48656c6c6f> << >>", 100), 1);
        let deep = [b"[".repeat(100_000), b"]".repeat(100_000)].concat();
        assert_eq!(pdf_nesting(&deep, MAX_PDF_NESTING), MAX_PDF_NESTING + 1);
    }

    #[test]
    fn oversized_documents_are_cut_with_an_error() {
        let mut doc = Document::new("", None, Format::Csv);
        let mut rows: Vec<Vec<String>> = (0..MAX_ROWS + 5).map(|i| vec![i.to_string(), "x".into()]).collect();
        rows[0][1] = "x".repeat(MAX_CELL_CHARS + 1);
        doc.tables.push(Table::from_rows(1, None, 0, rows));
        bound(&mut doc);
        assert_eq!(doc.tables[0].rows.len(), MAX_ROWS);
        assert_eq!(doc.tables[0].rows[0].cells[1].text.len(), MAX_CELL_CHARS);
        assert_eq!(doc.tables[0].rows[1].cells[1].text, "x");
        let d = &doc.diagnostics[0];
        assert_eq!(d.code, "document_truncated");
        assert!(d.message.contains("25,000 of 25,005 table rows"), "{}", d.message);
    }

    #[test]
    fn wide_tables_are_cut_by_cells() {
        let mut doc = Document::new("", None, Format::Csv);
        let rows = (0..5_000).map(|_| vec![String::new(); MAX_COLUMNS]).collect();
        doc.tables.push(Table::from_rows(1, None, 0, rows));
        bound(&mut doc);
        let cells: usize = doc.tables[0].rows.iter().map(|r| r.cells.len()).sum();
        assert!(cells <= MAX_CELLS, "{cells}");
        assert_eq!(doc.tables[0].rows.len(), MAX_CELLS / MAX_COLUMNS);
        assert!(doc.diagnostics[0].message.contains("table cells"));
    }

    #[test]
    fn text_is_bounded_in_all() {
        let mut doc = Document::new("", None, Format::Csv);
        let wide = "x".repeat(MAX_CELL_CHARS);
        let rows = (0..8_000).map(|_| vec![wide.clone(); 1]).collect();
        doc.tables.push(Table::from_rows(1, None, 0, rows));
        bound(&mut doc);
        let text: usize = doc.tables[0].rows.iter().map(|r| r.cells[0].text.len()).sum();
        assert!(
            text <= MAX_DOCUMENT_TEXT && text > MAX_DOCUMENT_TEXT - MAX_CELL_CHARS,
            "{text}"
        );
        assert!(doc.diagnostics[0].message.contains("MiB of text"));
    }

    #[test]
    fn small_documents_are_left_alone() {
        let mut doc = Document::new("", None, Format::Text);
        doc.text_blocks = crate::model::text_blocks("one\ntwo", 1);
        let before = doc.clone();
        bound(&mut doc);
        assert_eq!(doc, before);
    }
}

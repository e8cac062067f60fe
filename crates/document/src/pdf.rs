//! PDF: the text layer with positions, one text block per line.
//!
//! pdf_oxide extracts text spans with their boxes; spans are grouped into lines
//! by their vertical position and sorted left to right, so a line of an order
//! table comes out as one block whose box spans its columns. Boxes are in
//! points from the page's top-left corner. A PDF without a text layer (a scan)
//! is flagged; encrypted and damaged files are diagnostics, never panics.
//! Runs of lines with aligned columns (cells apart by wide gaps) are also
//! given as tables ([`table_regions`]), for people and tools reading the Document.

use crate::model::{BoundingBox, Document, Format, Severity, Table, TextBlock};

struct Span {
    text: String,
    x: f32,
    top: f32,
    width: f32,
    height: f32,
}

pub fn parse(bytes: &[u8], part: &str, name: Option<String>) -> Document {
    let mut doc = Document::new(part, name, Format::Pdf);
    // The PDF reader recurses into nested objects; refuse what would exhaust its stack.
    let nesting = crate::limits::pdf_nesting(bytes, crate::limits::MAX_PDF_NESTING);
    if nesting > crate::limits::MAX_PDF_NESTING {
        doc.diagnose(
            Severity::Error,
            "pdf_too_deep",
            format!(
                "the PDF could not be read: arrays or dictionaries nested more than {} levels deep (a damaged or hostile file)",
                crate::limits::MAX_PDF_NESTING
            ),
        );
        return doc;
    }
    // pdf_oxide is young; a panic inside it must not take the worker down.
    let parsed = std::panic::catch_unwind(|| read(bytes));
    match parsed {
        Ok(Ok((pages, blocks, encrypted))) => {
            doc.pages = pages;
            doc.tables = table_regions(&blocks);
            doc.text_blocks = blocks;
            if encrypted && doc.text_blocks.is_empty() {
                doc.diagnose(
                    Severity::Error,
                    "pdf_encrypted",
                    "the PDF is encrypted; ask the sender for an unprotected copy",
                );
            } else if doc.text_blocks.is_empty() {
                doc.diagnose(
                    Severity::Error,
                    "pdf_no_text",
                    "the PDF has no text layer (a scan?); it needs a person or OCR",
                );
            }
        }
        Ok(Err(message)) => {
            let code = if bytes.windows(8).any(|w| w == b"/Encrypt") {
                "pdf_encrypted"
            } else {
                "pdf_unreadable"
            };
            doc.diagnose(Severity::Error, code, format!("the PDF cannot be read: {message}"));
        }
        Err(_) => doc.diagnose(
            Severity::Error,
            "pdf_unreadable",
            "the PDF cannot be read: the PDF reader failed on it",
        ),
    }
    doc
}

fn read(bytes: &[u8]) -> Result<(u32, Vec<TextBlock>, bool), String> {
    let pdf = pdf_oxide::PdfDocument::from_bytes(bytes.to_vec()).map_err(|e| e.to_string())?;
    let encrypted = pdf.is_encrypted();
    let pages = pdf.page_count().map_err(|e| e.to_string())?;
    let mut blocks = Vec::new();
    let mut offset = 0;
    for page in 0..pages {
        let (_, _, _, page_height) = pdf.get_page_media_box(page).unwrap_or((0.0, 0.0, 595.0, 842.0));
        let spans = match pdf.extract_spans(page) {
            Ok(s) => s,
            Err(_) => continue,
        };
        let mut spans: Vec<Span> = spans
            .into_iter()
            .filter(|s| !s.text.trim().is_empty())
            .map(|s| Span {
                text: s.text.trim().to_owned(),
                x: s.bbox.x,
                top: page_height - s.bbox.y - s.bbox.height,
                width: s.bbox.width,
                height: s.bbox.height.max(1.0),
            })
            .collect();
        spans.sort_by(|a, b| a.top.total_cmp(&b.top).then(a.x.total_cmp(&b.x)));
        for line in lines(spans) {
            let text = join_line(&line);
            let x = line.iter().map(|s| s.x).fold(f32::MAX, f32::min);
            let top = line.iter().map(|s| s.top).fold(f32::MAX, f32::min);
            let right = line.iter().map(|s| s.x + s.width).fold(f32::MIN, f32::max);
            let bottom = line.iter().map(|s| s.top + s.height).fold(f32::MIN, f32::max);
            let chars = text.chars().count();
            blocks.push(TextBlock {
                page: page as u32 + 1,
                text,
                char_start: offset,
                bbox: Some(BoundingBox {
                    x,
                    y: top,
                    width: right - x,
                    height: bottom - top,
                }),
            });
            offset += chars + 1;
        }
    }
    Ok((pages as u32, blocks, encrypted))
}

/// Groups spans (sorted by top, then x) into lines: a span joins the current
/// line when its vertical middle lies within the line's first span.
fn lines(spans: Vec<Span>) -> Vec<Vec<Span>> {
    let mut out: Vec<Vec<Span>> = Vec::new();
    for span in spans {
        let middle = span.top + span.height / 2.0;
        match out.last_mut() {
            Some(line) if middle >= line[0].top && middle <= line[0].top + line[0].height => line.push(span),
            _ => out.push(vec![span]),
        }
    }
    for line in &mut out {
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    out
}

/// Joins a line's spans; a wide gap (a column break) becomes a tab.
fn join_line(line: &[Span]) -> String {
    let mut text = String::new();
    let mut previous_end: Option<f32> = None;
    for span in line {
        if let Some(end) = previous_end {
            let gap = span.x - end;
            let char_width = span.width / span.text.chars().count().max(1) as f32;
            text.push(if gap > 2.5 * char_width.max(2.0) { '\t' } else { ' ' });
        }
        text.push_str(&span.text);
        previous_end = Some(span.x + span.width);
    }
    text
}

/// Table regions: runs of at least two lines on one page with three or more
/// cells apart by column gaps (tabs), with the single-cell lines between them
/// (wrapped descriptions) kept as rows. A first row without numbers is the header.
pub fn table_regions(blocks: &[TextBlock]) -> Vec<Table> {
    let cells = |b: &TextBlock| b.text.split('\t').map(|c| c.trim().to_owned()).collect::<Vec<_>>();
    let tabular = |b: &TextBlock| b.text.split('\t').filter(|c| !c.trim().is_empty()).count() >= 3;
    let mut tables = Vec::new();
    let mut i = 0;
    while i < blocks.len() {
        if !tabular(&blocks[i]) {
            i += 1;
            continue;
        }
        let page = blocks[i].page;
        let mut rows = vec![cells(&blocks[i])];
        let mut tabular_rows = 1;
        let mut j = i + 1;
        while j < blocks.len() && blocks[j].page == page {
            // A row of labels after rows of values starts the next table.
            let starts_another = !has_number(&cells(&blocks[j])) && rows.last().is_some_and(|r| has_number(r));
            if tabular(&blocks[j]) && starts_another {
                break;
            }
            if tabular(&blocks[j]) {
                rows.push(cells(&blocks[j]));
                tabular_rows += 1;
                j += 1;
            } else if blocks.get(j + 1).is_some_and(|n| n.page == page && tabular(n)) {
                rows.push(cells(&blocks[j]));
                j += 1;
            } else {
                break;
            }
        }
        if tabular_rows >= 2 {
            let header_rows = usize::from(!has_number(&rows[0]));
            tables.push(Table::from_rows(page, None, header_rows, rows));
        }
        i = j;
    }
    tables
}

/// Whether any cell holds a number, an amount or a date (a row of values, not of labels).
fn has_number(cells: &[String]) -> bool {
    cells.iter().any(|c| {
        let t = c.trim_start_matches(['$', '€', '£']).trim();
        t.chars().any(|ch| ch.is_ascii_digit())
            && t.chars()
                .all(|ch| ch.is_ascii_digit() || matches!(ch, '.' | ',' | '%' | '-' | '/' | ' '))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(page: u32, text: &str) -> TextBlock {
        TextBlock {
            page,
            text: text.to_owned(),
            char_start: 0,
            bbox: None,
        }
    }

    #[test]
    fn aligned_lines_make_a_table_with_wrapped_rows_inside() {
        let blocks = [
            block(1, "Invoice INV/2023/03/0008"),
            block(1, "Invoice Date:\tDue Date:\tReference:"),
            block(1, "03/20/2023\t04/04/2023\tCUSTREF123"),
            block(1, "Description\tQuantity\tUnit Price\tAmount"),
            block(1, "[17589684] Beeswax XL\t1.00 kg\t42.00\t$ 42.00"),
            block(1, "Acme beeswax"),
            block(1, "[FURN_7777] Office Chair\t1.00 Units\t70.00\t$ 70.00"),
            block(1, "Subtotal $ 112.00"),
            block(1, "Thank you"),
            block(2, "a\tb\tc"),
        ];
        let tables = table_regions(&blocks);
        assert_eq!(tables.len(), 2, "a lone aligned line is no table: {tables:?}");
        assert_eq!(tables[0].rows.len(), 2, "labels after values start the next table");
        let t = &tables[1];
        assert_eq!(t.header_rows, 1);
        assert_eq!(t.rows.len(), 4);
        assert_eq!(t.rows[1].cells[0].text, "[17589684] Beeswax XL");
        assert_eq!(t.rows[2].cells[0].text, "Acme beeswax");
        assert_eq!(t.rows[3].cells[3].text, "$ 70.00");
    }
}

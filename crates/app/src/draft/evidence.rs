//! What the documents say that the draft does not use: the safety net for
//! what reading got wrong. A later date the draft ignores may be the
//! delivery date it missed; a code of one of our products that is on no line
//! may be a line it missed. Either keeps an order from going straight through.

use document::Document;
use domain::review::ReviewReason;
use extract::Extracted;
use jiff::civil::Date;
use matching::{Catalog, normalize_code};

use super::model::DraftLine;

/// How many words of a message are looked at for product codes.
const MOST_WORDS: usize = 50_000;

/// The first date printed after `after` that is none of `used`.
pub(crate) fn unused_date(x: &Extracted, used: &[Date], after: Date) -> Option<ReviewReason> {
    x.printed_dates
        .iter()
        .map(|f| f.value)
        .find(|d| *d > after && !used.contains(d))
        .map(ReviewReason::UnusedDate)
}

/// The words of a document's text and table cells that could be codes.
fn words(doc: &Document) -> impl Iterator<Item = &str> {
    let text = doc.text_blocks.iter().map(|b| b.text.as_str());
    let cells = doc
        .tables
        .iter()
        .flat_map(|t| t.rows.iter().flat_map(|r| r.cells.iter().map(|c| c.text.as_str())));
    text.chain(cells)
        .flat_map(|t| t.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '|' | '"')))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.len() >= 4 && w.chars().any(|c| c.is_ascii_digit()) && w.chars().any(char::is_alphabetic))
}

/// The first code in the (not structured) documents that names one of our
/// products exactly while no line of the draft has that product or code.
pub(crate) fn unused_product_code<'a>(
    documents: &[Document],
    catalog: &Catalog,
    customer_no: Option<&str>,
    lines: impl Iterator<Item = &'a DraftLine>,
) -> Option<ReviewReason> {
    let on_lines: Vec<String> = lines
        .flat_map(|l| [&l.sku, &l.printed_code, &l.customer_part_no])
        .flatten()
        .map(|c| normalize_code(c))
        .collect();
    documents
        .iter()
        .filter(|d| !d.format.is_structured())
        .flat_map(words)
        // The words of the first pages are enough; a hostile file cannot make it cost more.
        .take(MOST_WORDS)
        .find(|w| {
            catalog.product_by_code(customer_no, w).is_some_and(|p| {
                !on_lines.contains(&normalize_code(p.sku.as_str())) && !on_lines.contains(&normalize_code(w))
            })
        })
        .map(|w| ReviewReason::UnusedProductCode(w.to_owned()))
}

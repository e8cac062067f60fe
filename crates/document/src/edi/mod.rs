//! EDI: ANSI X12 and UN/EDIFACT, tokenised into segments, then mapped to Documents.
//!
//! Separators come from the envelope (X12's fixed-width ISA, EDIFACT's UNA or
//! the defaults). Several interchanges per file, a byte-order mark, and line
//! breaks or indentation between segments are all accepted. Tokenising never
//! fails: what cannot be read becomes a diagnostic.

pub mod edifact;
pub mod x12;

use std::borrow::Cow;

/// One segment: its tag and its elements, each a list of components.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment<'a> {
    pub tag: &'a str,
    pub elements: Vec<Vec<Cow<'a, str>>>,
}

impl Segment<'_> {
    /// Element `i` (1-based, as EDI guides count), first component; `""` when absent.
    pub fn el(&self, i: usize) -> &str {
        self.component(i, 1)
    }

    /// Component `c` (1-based) of element `i` (1-based); `""` when absent.
    pub fn component(&self, i: usize, c: usize) -> &str {
        self.elements
            .get(i.wrapping_sub(1))
            .and_then(|e| e.get(c.wrapping_sub(1)))
            .map(|s| s.as_ref())
            .unwrap_or("")
    }
}

/// Strips a UTF-8 byte-order mark and leading white space.
pub(crate) fn strip_start(text: &str) -> &str {
    text.trim_start_matches('\u{feff}').trim_start()
}

/// Whether the text starts like an X12 interchange.
pub fn looks_like_x12(text: &str) -> bool {
    strip_start(text).starts_with("ISA")
}

/// Whether the text starts like an EDIFACT interchange.
pub fn looks_like_edifact(text: &str) -> bool {
    let t = strip_start(text);
    t.starts_with("UNA") || t.starts_with("UNB+") || t.starts_with("UNH+")
}

/// `20261122` (CCYYMMDD), `261122` (YYMMDD), `202611221030` (CCYYMMDDHHMM) → `2026-11-22`.
pub(crate) fn iso_date(raw: &str) -> Option<String> {
    let digits = raw.trim();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (y, rest) = match digits.len() {
        8 | 12 | 14 => (digits[..4].to_owned(), &digits[4..]),
        6 => (format!("20{}", &digits[..2]), &digits[2..]),
        _ => return None,
    };
    let (m, d) = (&rest[..2], &rest[2..4]);
    let month: u32 = m.parse().ok()?;
    let day: u32 = d.parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then(|| format!("{y}-{m}-{d}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edi_dates() {
        assert_eq!(iso_date("20261122").as_deref(), Some("2026-11-22"));
        assert_eq!(iso_date("201508030000").as_deref(), Some("2015-08-03"));
        assert_eq!(iso_date("970214").as_deref(), Some("2097-02-14"));
        assert_eq!(iso_date("20261322"), None);
        assert_eq!(iso_date("2026-11-22"), None);
    }
}

//! Spreadsheets (XLSX, XLS, ODS) and CSV into tables.
//!
//! CSV is sniffed: encoding (UTF-8, else Windows-1252), delimiter (`,` `;`
//! tab `|`), and whether numbers use a decimal comma (reported as a key–value,
//! the cells keep their text). The first row counts as a header when it is
//! mostly text and the rows below are not.

use calamine::{Data, Reader};

use crate::limits::{MAX_COLUMNS, MAX_ROWS, MAX_SHEET_CELLS};

use crate::model::{Document, Format, Severity, Table};

/// Uncompressed size above which a workbook is refused (zip bombs).
const MAX_UNCOMPRESSED: u64 = 256 << 20;

/// Decodes text: UTF-8 (BOM stripped) or, failing that, Windows-1252.
pub fn decode_text(bytes: &[u8]) -> (String, Option<&'static str>) {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), None),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (text.into_owned(), Some("windows-1252"))
        }
    }
}

fn sniff_delimiter(text: &str) -> u8 {
    let sample: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let mut best = (b',', 0usize);
    for d in [b';', b'\t', b'|', b','] {
        let counts: Vec<usize> = sample.iter().map(|l| l.bytes().filter(|b| *b == d).count()).collect();
        let first = counts.first().copied().unwrap_or(0);
        if first == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|c| **c == first).count();
        let score = consistent * 100 + first;
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

fn looks_numeric(cell: &str) -> bool {
    let t = cell
        .trim()
        .trim_start_matches(['-', '+'])
        .trim_end_matches(['€', '%'])
        .trim();
    !t.is_empty()
        && t.bytes().any(|b| b.is_ascii_digit())
        && t.bytes().all(|b| b.is_ascii_digit() || b".,' ".contains(&b))
}

/// 1 when the first row reads as column labels, else 0.
pub fn header_rows(rows: &[Vec<String>]) -> usize {
    let Some(first) = rows.first() else { return 0 };
    let filled: Vec<&String> = first.iter().filter(|c| !c.trim().is_empty()).collect();
    if filled.is_empty() {
        return 0;
    }
    let textual = filled.iter().filter(|c| !looks_numeric(c)).count();
    let below_numeric = rows
        .iter()
        .skip(1)
        .take(10)
        .flatten()
        .filter(|c| looks_numeric(c))
        .count();
    usize::from(textual * 2 > filled.len() && (rows.len() == 1 || below_numeric > 0 || textual == filled.len()))
}

/// Whether numbers in the table are written with a decimal comma (`1.234,56`, `0,12`).
fn decimal_comma(rows: &[Vec<String>]) -> Option<bool> {
    let (mut comma, mut dot) = (0, 0);
    for cell in rows.iter().flatten() {
        let c = cell.trim();
        if !looks_numeric(c) {
            continue;
        }
        match (c.rfind(','), c.rfind('.')) {
            (Some(i), Some(j)) if i > j => comma += 1,
            (Some(_), Some(_)) => dot += 1,
            (Some(i), None) if c.len() - i - 1 != 3 => comma += 1,
            (None, Some(j)) if c.len() - j - 1 != 3 => dot += 1,
            _ => {}
        }
    }
    (comma + dot > 0).then_some(comma > dot)
}

pub fn parse_csv(bytes: &[u8], part: &str, name: Option<String>) -> Document {
    let mut doc = Document::new(part, name, Format::Csv);
    let (text, encoding) = decode_text(bytes);
    if let Some(enc) = encoding {
        doc.diagnose(
            Severity::Info,
            "csv_encoding",
            format!("the file is not UTF-8; read as {enc}"),
        );
    }
    let delimiter = sniff_delimiter(&text);
    doc.key_value("csv.delimiter", (delimiter as char).to_string(), "sniffed");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut wide_rows = 0usize;
    for record in reader.records() {
        if rows.len() == MAX_ROWS {
            doc.diagnose(
                Severity::Error,
                "document_truncated",
                format!("the file has more than {MAX_ROWS} rows; only the first {MAX_ROWS} are read (the file is kept whole)"),
            );
            break;
        }
        match record {
            Ok(r) => {
                wide_rows += usize::from(r.len() > MAX_COLUMNS);
                rows.push(r.iter().take(MAX_COLUMNS).map(str::to_owned).collect::<Vec<_>>())
            }
            Err(e) => {
                doc.diagnose(
                    Severity::Warning,
                    "csv_malformed",
                    format!("stopped reading at a malformed record: {e}"),
                );
                break;
            }
        }
    }
    if wide_rows > 0 {
        doc.diagnose(
            Severity::Error,
            "document_truncated",
            format!("{wide_rows} row(s) have more than {MAX_COLUMNS} columns; only the first {MAX_COLUMNS} are read (the file is kept whole)"),
        );
    }
    if let Some(comma) = decimal_comma(&rows) {
        doc.key_value(crate::keys::DECIMAL_SEPARATOR, if comma { "," } else { "." }, "sniffed");
    }
    let header = header_rows(&rows);
    doc.text_blocks = crate::model::text_blocks(&text, 1);
    doc.tables.push(Table::from_rows(1, None, header, rows));
    doc
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => format!("{f}"),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let days = dt.as_f64().floor() as i64;
            // Excel's 1900 date system: day 25569 is 1970-01-01.
            civil_from_days(days - 25569)
        }
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Days since 1970-01-01 → `YYYY-MM-DD` (Howard Hinnant's civil_from_days).
fn civil_from_days(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    format!("{:04}-{:02}-{:02}", if m <= 2 { y + 1 } else { y }, m, d)
}

/// The declared uncompressed size of a ZIP container (XLSX, ODS), if it is one.
fn zip_uncompressed_size(bytes: &[u8]) -> Option<u128> {
    zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .ok()?
        .decompressed_size()
}

pub fn parse_spreadsheet(bytes: &[u8], format: Format, part: &str, name: Option<String>) -> Document {
    let mut doc = Document::new(part, name, format);
    if let Some(size) = zip_uncompressed_size(bytes)
        && size > u128::from(MAX_UNCOMPRESSED)
    {
        doc.diagnose(
            Severity::Error,
            "archive_too_large",
            format!("the workbook unpacks to {size} bytes, more than {MAX_UNCOMPRESSED}; not read (a zip bomb?)"),
        );
        return doc;
    }
    if format == Format::Xls && !plausible_xls(bytes) {
        doc.diagnose(
            Severity::Error,
            "spreadsheet_unreadable",
            "the spreadsheet cannot be read: the .xls file's structure is damaged",
        );
        return doc;
    }
    // The spreadsheet reader asserts on some damaged files; a panic must not take the worker down.
    match std::panic::catch_unwind(|| read_workbook(bytes, doc.clone())) {
        Ok(read) => read,
        Err(_) => {
            doc.diagnose(
                Severity::Error,
                "spreadsheet_unreadable",
                "the spreadsheet cannot be read: the spreadsheet reader failed on it",
            );
            doc
        }
    }
}

/// An .xls is a compound file holding a `Workbook` (or, before Excel 97, `Book`) stream.
fn plausible_xls(bytes: &[u8]) -> bool {
    cfb::CompoundFile::open(std::io::Cursor::new(bytes)).is_ok_and(|c| c.is_stream("/Workbook") || c.is_stream("/Book"))
}

fn read_workbook(bytes: &[u8], mut doc: Document) -> Document {
    let mut workbook = match calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)) {
        Ok(w) => w,
        Err(e) => {
            doc.diagnose(
                Severity::Error,
                "spreadsheet_unreadable",
                format!("the spreadsheet cannot be read: {e}"),
            );
            return doc;
        }
    };
    let names = workbook.sheet_names();
    doc.pages = names.len().max(1) as u32;
    for (i, sheet) in names.iter().enumerate() {
        let read = match &mut workbook {
            // XLSX cells are streamed into a grid of the used rows only: a file
            // naming a far-away cell (XFD1048576) must not make the reader build
            // a grid of every cell in between.
            calamine::Sheets::Xlsx(xlsx) => sparse_rows(xlsx, sheet),
            other => other
                .worksheet_range(sheet)
                .map(|range| {
                    let rows = range
                        .rows()
                        .map(|r| r.iter().take(MAX_COLUMNS).map(cell_text).collect::<Vec<_>>())
                        .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
                        .collect();
                    (rows, None)
                })
                .map_err(|e| e.to_string()),
        };
        match read {
            Ok((rows, cut)) => {
                if let Some(cut) = cut {
                    doc.diagnose(
                        Severity::Error,
                        "document_truncated",
                        format!("sheet '{sheet}': {cut} (the file is kept whole)"),
                    );
                }
                if rows.is_empty() {
                    continue;
                }
                let header = header_rows(&rows);
                doc.tables
                    .push(Table::from_rows(i as u32 + 1, Some(sheet.clone()), header, rows));
            }
            Err(e) => doc.diagnose(
                Severity::Warning,
                "sheet_unreadable",
                format!("sheet '{sheet}' cannot be read: {e}"),
            ),
        }
    }
    doc
}

/// The non-empty rows of an XLSX sheet, read cell by cell within the limits,
/// and what was left out, if anything.
type SheetRows = (Vec<Vec<String>>, Option<String>);

fn sparse_rows<RS: std::io::Read + std::io::Seek>(
    xlsx: &mut calamine::Xlsx<RS>,
    sheet: &str,
) -> Result<SheetRows, String> {
    let mut reader = xlsx.worksheet_cells_reader(sheet).map_err(|e| e.to_string())?;
    let mut by_row: std::collections::BTreeMap<u32, Vec<(u32, String)>> = std::collections::BTreeMap::new();
    let (mut cells, mut wide, mut min_col) = (0usize, 0usize, u32::MAX);
    let mut cut = None;
    while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
        let (row, col) = cell.get_position();
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.trim().is_empty() {
            continue;
        }
        cells += 1;
        if cells > MAX_SHEET_CELLS {
            cut = Some(format!(
                "more than {MAX_SHEET_CELLS} cells; only the first {MAX_SHEET_CELLS} are read"
            ));
            break;
        }
        if !by_row.contains_key(&row) && by_row.len() == MAX_ROWS {
            cut = Some(format!("more than {MAX_ROWS} rows; only the first {MAX_ROWS} are read"));
            break;
        }
        min_col = min_col.min(col);
        by_row.entry(row).or_default().push((col, text));
    }
    // Columns count from the leftmost used one, as a range of the used cells does.
    let mut rows = Vec::with_capacity(by_row.len());
    for (_, row_cells) in by_row {
        let width = row_cells
            .iter()
            .map(|(c, _)| (c - min_col) as usize + 1)
            .max()
            .unwrap_or(0);
        let mut row = vec![String::new(); width.min(MAX_COLUMNS)];
        for (col, text) in row_cells {
            match row.get_mut((col - min_col) as usize) {
                Some(slot) => *slot = text,
                None => wide += 1,
            }
        }
        rows.push(row);
    }
    if wide > 0 && cut.is_none() {
        cut = Some(format!(
            "{wide} cell(s) lie beyond the first {MAX_COLUMNS} columns and are not read"
        ));
    }
    // Every row as wide as the widest, as the range reader gives them.
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    for row in &mut rows {
        row.resize(width, String::new());
    }
    Ok((rows, cut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_csv_with_semicolons_and_decimal_commas() {
        let csv = "Pos;Artikel-Nr.;Bezeichnung;Menge;Einzelpreis\n1;HB-M8-40-A2;Sechskantschraube;500;0,12\n2;HB-M8-45-A2;Schraube;1.000;1,50\n";
        let d = parse_csv(csv.as_bytes(), "", None);
        assert_eq!(d.value("csv.delimiter"), Some(";"));
        assert_eq!(d.value("decimal_separator"), Some(","));
        assert_eq!(d.tables[0].header_rows, 1);
        assert_eq!(
            d.tables[0].row(2),
            vec!["2", "HB-M8-45-A2", "Schraube", "1.000", "1,50"]
        );
    }

    #[test]
    fn latin1_csv_is_read() {
        let d = parse_csv(b"Stra\xdfe,Menge\nA,1\n", "", None);
        assert_eq!(d.tables[0].row(0), vec!["Straße", "Menge"]);
        assert_eq!(d.diagnostics[0].code, "csv_encoding");
    }

    #[test]
    fn headerless_rows_are_not_headers() {
        assert_eq!(
            header_rows(&[
                vec!["1".into(), "HB-1".into(), "5".into()],
                vec!["2".into(), "HB-2".into(), "7".into()]
            ]),
            0
        );
    }

    #[test]
    fn excel_dates() {
        assert_eq!(civil_from_days(46347 - 25569), "2026-11-21");
        assert_eq!(civil_from_days(0), "1970-01-01");
    }

    #[test]
    fn broken_spreadsheets_are_diagnostics() {
        let d = parse_spreadsheet(b"PK\x03\x04garbage", Format::Xlsx, "", None);
        assert_eq!(d.diagnostics[0].code, "spreadsheet_unreadable");
    }
}

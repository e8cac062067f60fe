//! Reading the header and raw rows of a CSV or spreadsheet file.

use std::collections::HashMap;
use std::io::Read;

use calamine::{Data, Reader as _};

use crate::columns::Entity;
use crate::row::RowError;

/// Why a whole file cannot be read. Row-level problems are [`RowError`]s instead.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("the file is empty: the first line must be the header ({expected})")]
    Empty { expected: String },
    #[error("unknown column(s) {}: the {entity} format has {expected}", columns.join(", "))]
    UnknownColumns {
        entity: &'static str,
        columns: Vec<String>,
        expected: String,
    },
    #[error("missing key column(s) {}: every {entity} file needs them", columns.join(", "))]
    MissingKeyColumns { entity: &'static str, columns: Vec<String> },
    #[error("column '{0}' appears twice in the header")]
    DuplicateColumn(String),
    #[error("the header (line 1) is not valid UTF-8 at byte {offset}: save the file as UTF-8")]
    HeaderNotUtf8 { offset: usize },
    #[error("the header could not be read: {0}")]
    Csv(String),
    #[error("the spreadsheet could not be read: {0}")]
    Spreadsheet(String),
    #[error("the spreadsheet has no sheet")]
    NoSheet,
}

/// The header of a file: which file column holds which format column.
#[derive(Debug, Clone)]
pub struct Header {
    entity: Entity,
    /// Format column name → position in the file's rows.
    positions: HashMap<&'static str, usize>,
}

impl Header {
    /// Checks header cells against the entity's columns.
    pub fn parse(entity: Entity, cells: &[String]) -> Result<Header, FileError> {
        let expected = || entity.columns().iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
        if cells.iter().all(|c| c.trim().is_empty()) {
            return Err(FileError::Empty { expected: expected() });
        }
        let mut positions = HashMap::new();
        let mut unknown = Vec::new();
        for (i, raw) in cells.iter().enumerate() {
            let name = raw.trim_start_matches('\u{feff}').trim().to_ascii_lowercase();
            if name.is_empty() {
                continue;
            }
            match entity.column(&name) {
                Some(col) => {
                    if positions.insert(col.name, i).is_some() {
                        return Err(FileError::DuplicateColumn(name));
                    }
                }
                None => unknown.push(name),
            }
        }
        if !unknown.is_empty() {
            return Err(FileError::UnknownColumns {
                entity: entity.name(),
                columns: unknown,
                expected: expected(),
            });
        }
        let missing: Vec<String> = entity
            .columns()
            .iter()
            .filter(|c| c.key && !entity.optional_key(c.name) && !positions.contains_key(c.name))
            .map(|c| c.name.to_owned())
            .collect();
        if !missing.is_empty() {
            return Err(FileError::MissingKeyColumns {
                entity: entity.name(),
                columns: missing,
            });
        }
        Ok(Header { entity, positions })
    }

    pub fn entity(&self) -> Entity {
        self.entity
    }

    /// Whether the file has this column at all. Absent columns leave stored values alone.
    pub fn has(&self, column: &str) -> bool {
        self.positions.contains_key(column)
    }

    /// The cell of `column` in `row`, trimmed; `None` when absent or empty.
    pub fn cell<'r>(&self, row: &'r RawRow, column: &str) -> Option<&'r str> {
        let i = *self.positions.get(column)?;
        let v = row.cells.get(i)?.trim();
        (!v.is_empty()).then_some(v)
    }

    /// The names of the format columns present in the file, in contract order.
    pub fn present_columns(&self) -> Vec<&'static str> {
        self.entity
            .columns()
            .iter()
            .filter(|c| self.has(c.name))
            .map(|c| c.name)
            .collect()
    }
}

/// One data row as text, with its line number in the file (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    pub line: u64,
    pub cells: Vec<String>,
}

/// A master data file opened for reading: its header and an iterator over rows.
pub struct SheetReader {
    header: Header,
    rows: Box<dyn Iterator<Item = Result<RawRow, RowError>> + Send>,
}

impl SheetReader {
    /// Opens CSV (UTF-8, a BOM accepted, comma-separated). Rows stream from `input`.
    pub fn csv<R: Read + Send + 'static>(entity: Entity, input: R) -> Result<SheetReader, FileError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut first = csv::ByteRecord::new();
        match reader.read_byte_record(&mut first) {
            Ok(true) => {}
            Ok(false) => {
                return Err(FileError::Empty {
                    expected: entity.columns().iter().map(|c| c.name).collect::<Vec<_>>().join(", "),
                });
            }
            Err(e) => return Err(FileError::Csv(e.to_string())),
        }
        let cells = first
            .iter()
            .map(|field| {
                std::str::from_utf8(field)
                    .map(str::to_owned)
                    .map_err(|e| FileError::HeaderNotUtf8 {
                        offset: e.valid_up_to(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let header = Header::parse(entity, &cells)?;
        let width = cells.len();
        let rows = CsvRows {
            reader,
            header: header.clone(),
            width,
            done: false,
        };
        Ok(SheetReader {
            header,
            rows: Box::new(rows),
        })
    }

    /// Opens the first sheet of an XLSX, XLS or ODS workbook.
    pub fn spreadsheet(entity: Entity, bytes: Vec<u8>) -> Result<SheetReader, FileError> {
        let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
            .map_err(|e| FileError::Spreadsheet(e.to_string()))?;
        let range = workbook
            .worksheet_range_at(0)
            .ok_or(FileError::NoSheet)?
            .map_err(|e| FileError::Spreadsheet(e.to_string()))?;
        // Sheet rows may start below row 1; line numbers follow the sheet.
        let first_row = u64::from(range.start().map_or(0, |(r, _)| r)) + 1;
        let mut rows = range.rows();
        let Some(header_cells) = rows.next() else {
            return Err(FileError::Empty {
                expected: entity.columns().iter().map(|c| c.name).collect::<Vec<_>>().join(", "),
            });
        };
        let header_cells: Vec<String> = header_cells.iter().map(cell_text).collect();
        let header = Header::parse(entity, &header_cells)?;
        let data: Vec<Result<RawRow, RowError>> = rows
            .enumerate()
            .map(|(i, cells)| RawRow {
                line: first_row + 1 + i as u64,
                cells: cells.iter().map(cell_text).collect(),
            })
            .filter(|row| row.cells.iter().any(|c| !c.trim().is_empty()))
            .map(Ok)
            .collect();
        Ok(SheetReader {
            header,
            rows: Box::new(data.into_iter()),
        })
    }

    pub fn header(&self) -> &Header {
        &self.header
    }
}

impl Iterator for SheetReader {
    type Item = Result<RawRow, RowError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

struct CsvRows<R> {
    reader: csv::Reader<R>,
    header: Header,
    width: usize,
    done: bool,
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = Result<RawRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut record = csv::ByteRecord::new();
        match self.reader.read_byte_record(&mut record) {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                Some(self.decode(line, &record))
            }
            Err(e) => {
                // A broken quote or a read error: nothing after it can be trusted.
                self.done = true;
                let line = e.position().map_or(0, |p| p.line());
                Some(Err(RowError {
                    line,
                    column: None,
                    message: format!("the file cannot be read further: {e}"),
                }))
            }
        }
    }
}

impl<R> CsvRows<R> {
    fn decode(&self, line: u64, record: &csv::ByteRecord) -> Result<RawRow, RowError> {
        if record.len() != self.width {
            return Err(RowError {
                line,
                column: None,
                message: format!("has {} fields, the header has {}", record.len(), self.width),
            });
        }
        let mut cells = Vec::with_capacity(record.len());
        for (i, field) in record.iter().enumerate() {
            match std::str::from_utf8(field) {
                Ok(text) => cells.push(text.to_owned()),
                Err(e) => {
                    let column = self.column_name(i);
                    return Err(RowError {
                        line,
                        column,
                        message: format!(
                            "is not valid UTF-8 (byte 0x{:02X} at position {} of the cell): save the file as UTF-8",
                            field[e.valid_up_to()],
                            e.valid_up_to() + 1
                        ),
                    });
                }
            }
        }
        Ok(RawRow { line, cells })
    }

    fn column_name(&self, position: usize) -> Option<String> {
        self.header
            .entity()
            .columns()
            .iter()
            .find(|c| self.header.positions.get(c.name) == Some(&position))
            .map(|c| c.name.to_owned())
    }
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Shortest text that reads back as the same float: 0.12 stays "0.12".
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                format!("{f}")
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_serial_date(dt.as_f64()),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#ERROR {e:?}"),
    }
}

/// An Excel serial date (days since 1899-12-30, in the 1900 system) as ISO text.
fn excel_serial_date(serial: f64) -> String {
    let epoch = jiff::civil::date(1899, 12, 30);
    match epoch.checked_add(jiff::Span::new().days(serial.floor() as i64)) {
        Ok(date) => date.to_string(),
        Err(_) => serial.to_string(),
    }
}

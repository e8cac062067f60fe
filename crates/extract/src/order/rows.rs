//! Documents as rows of cells: text lines cut at tabs and wide gaps, tables
//! as they are; the scan that finds header labels and the line table in them.

use super::*;

/// Cuts a printed line into cells at tabs, runs of two or more spaces, and `|`.
pub(super) fn split_cells(line: &str) -> Vec<(String, usize)> {
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

pub(super) fn rows_of_text(doc: &Document) -> Vec<Row> {
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

pub(super) fn rows_of_table(t: usize, table: &Table) -> Vec<Row> {
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

/// Joins a number cell and the unit cell after it (`500` `Stk` → `500 Stk`).
fn units_with_numbers(row: Row, ctx: &Ctx<'_>) -> Row {
    let mut cells: Vec<(String, usize)> = Vec::with_capacity(row.cells.len());
    for (text, at) in row.cells.iter().cloned() {
        let joins = unit_code(&text).is_some()
            && cells
                .last()
                .is_some_and(|(prev, _)| parse_number(prev, ctx.style).is_some());
        match cells.last_mut() {
            Some((prev, _)) if joins => {
                prev.push(' ');
                prev.push_str(&text);
            }
            _ => cells.push((text, at)),
        }
    }
    Row { cells, ..row }
}

/// Finds labelled header values and the line table in rows of cells.
pub(super) fn scan_rows(rows: &[Row], ctx: &Ctx<'_>, from_table: bool) -> Reading {
    let mut reading = Reading::default();
    let mut columns: Option<Vec<Option<Column>>> = None;
    let mut header_columns: Vec<(usize, HeaderField)> = Vec::new();
    let mut address_columns: Vec<(usize, AddressPart)> = Vec::new();
    let mut addresses: Vec<(Address, Source)> = Vec::new();
    let mut repeated: Vec<(HeaderField, String, Source)> = Vec::new();
    let mut table_done = false;
    let mut misses = 0;
    let mut i = 0;
    while i < rows.len() {
        let row = &rows[i];
        let texts = row.texts();
        if let Some(roles) = line_header(&texts) {
            if from_table {
                header_columns = row
                    .cells
                    .iter()
                    .filter_map(|(text, column)| header_column(text).map(|f| (*column, f)))
                    .collect();
                address_columns = row
                    .cells
                    .iter()
                    .filter_map(|(text, column)| ship_to_column(text).map(|p| (*column, p)))
                    .collect();
            }
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
            let glued = position_glued(row, roles, ctx);
            let row = glued.as_ref().unwrap_or(row);
            let in_table =
                from_table || (row.cells.len() >= 3 && row.cells.len() * 2 >= roles.iter().flatten().count());
            if let Some(line) = parse_row(row, roles, ctx, from_table).filter(|_| in_table).or_else(|| {
                let refined = refine(row, ctx);
                // With no unit column, `500 Stk` is the quantity's cell, not two.
                let refined = if roles.contains(&Some(Column::Unit)) {
                    refined
                } else {
                    units_with_numbers(refined, ctx)
                };
                let n = refined.cells.len();
                (!from_table && n > row.cells.len() && n >= 3 && n * 2 >= roles.iter().flatten().count())
                    .then(|| parse_row(&refined, roles, ctx, false))
                    .flatten()
            }) {
                reading.lines.push(line);
                // A flat export: the header values stand in their columns on every row.
                for (column, field) in &header_columns {
                    if let Some((k, (text, _))) = row.cells.iter().enumerate().find(|(_, (_, c))| c == column) {
                        repeated.push((*field, text.clone(), row.source(ctx.part, Some(k))));
                    }
                }
                if let Some(address) = address_in_columns(row, &address_columns, ctx) {
                    addresses.push(address);
                }
                misses = 0;
                i += 1;
                continue;
            }
            // "Ihre Materialnummer: 4711", "Liefertermin: Tag 05.12.2026" under an item.
            if misses == 0
                && let Some(last) = reading.lines.last_mut()
                && sub_line(row, last, ctx)
            {
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
    // A delivery address in columns: sure when every line names the same.
    if let Some((first, source)) = addresses.first() {
        let same = addresses.iter().all(|(a, _)| a == first);
        reading.ship_to = reading
            .ship_to
            .take()
            .or_else(|| Some(Field::new(first.clone(), if same { 0.9 } else { 0.5 }, source.clone())));
    }
    // Header values repeated on every line: sure when every line says the same.
    for field in HeaderField::ALL {
        let values: Vec<&(HeaderField, String, Source)> = repeated.iter().filter(|(f, _, _)| *f == field).collect();
        if let Some((_, first, source)) = values.first() {
            let same = values.iter().all(|(_, v, _)| v == first);
            let candidate = ctx.candidate(first, if same { 0.95 } else { 0.6 }, source.clone());
            reading.header.entry(field).or_default().push(candidate);
        }
    }
    reading
}

/// A wrapped description: one cell, no label, no page footer, indented
/// further than the row above starts (by its box on a page, by its position in text).
pub(super) fn is_continuation(row: &Row, above: Option<&Row>, labelled: &[Option<(HeaderField, &str)>]) -> bool {
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
pub(super) fn unreadable_item_row(row: &Row, labelled: &[Option<(HeaderField, &str)>]) -> bool {
    let text: String = row.texts().join(" ");
    row.cells.len() >= 3
        && labelled.iter().all(Option::is_none)
        && text.chars().any(|c| c.is_ascii_digit())
        && text.chars().any(char::is_alphabetic)
}

/// The delivery address a row of a flat export holds in its address columns.
fn address_in_columns(row: &Row, columns: &[(usize, AddressPart)], ctx: &Ctx<'_>) -> Option<(Address, Source)> {
    let mut address = Address::default();
    let mut first = None;
    for (column, part) in columns {
        let Some((k, (text, _))) = row.cells.iter().enumerate().find(|(_, (_, c))| c == column) else {
            continue;
        };
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        first.get_or_insert(k);
        let slot = match part {
            AddressPart::Name => &mut address.name,
            AddressPart::Street => &mut address.street,
            AddressPart::Zip => &mut address.zip,
            AddressPart::City => &mut address.city,
            AddressPart::Country => &mut address.country,
        };
        *slot = Some(text.to_owned());
    }
    (!address.is_empty()).then(|| (address, row.source(ctx.part, first)))
}

/// A row of an ERP print-out whose first columns ran into each other when
/// the row has fewer cells than the table has columns: the position number
/// (`00010 7000123 | Schraube …`) when the table starts with a position
/// column, and then a code glued to the description
/// (`KD-4711 Linsenschraube DIN 7985`) when a code column comes before the
/// description. Each becomes a cell of its own.
fn position_glued(row: &Row, roles: &[Option<Column>], ctx: &Ctx<'_>) -> Option<Row> {
    if row.cells.len() >= roles.len() {
        return None;
    }
    let mut cells = row.cells.clone();
    let mut k = 0;
    if roles.first() == Some(&Some(Column::LineNo)) {
        let (first, at) = cells.first()?.clone();
        if let Some((number, rest)) = first.trim().split_once(' ')
            && number.len() <= 6
            && number.bytes().all(|b| b.is_ascii_digit())
            && !rest.trim().is_empty()
            && fit(&first, Some(Column::LineNo), ctx).is_none()
        {
            cells.splice(
                0..1,
                [
                    (number.to_owned(), at),
                    (rest.trim().to_owned(), at + number.chars().count() + 1),
                ],
            );
        }
        k = 1;
    }
    let code_then_description = matches!(
        roles.get(k),
        Some(Some(Column::ItemCode | Column::Sku | Column::CustomerPartNo))
    ) && roles.get(k + 1) == Some(&Some(Column::Description));
    if code_then_description
        && cells.len() < roles.len()
        && let Some((text, at)) = cells.get(k).cloned()
        && let Some((code, rest)) = text.trim().split_once(' ')
        && rest.split_whitespace().count() >= 2
        && code.len() >= 4
        && code.chars().any(|c| c.is_ascii_digit())
        && code.chars().any(|c| c.is_alphabetic() || c == '-')
        && fit(&text, roles[k], ctx).is_none()
    {
        cells.splice(
            k..k + 1,
            [
                (code.to_owned(), at),
                (rest.trim().to_owned(), at + code.chars().count() + 1),
            ],
        );
    }
    (cells.len() != row.cells.len()).then(|| Row { cells, ..row.clone() })
}

/// A labelled line under an item that names one of its fields ("Ihre
/// Materialnummer: 4711", "Your material number: DIN933-M8x40",
/// "Liefertermin: Tag 05.12.2026", "EAN: 4006…"): sets it on the item when
/// the item has none. Whether the row was taken.
fn sub_line(row: &Row, line: &mut ExtractedLine, ctx: &Ctx<'_>) -> bool {
    if row.cells.len() > 2 {
        return false;
    }
    let text = row.texts().join(" ");
    // "Label: value", or a delivery date label and a date ("Liefertermin 11.12.2026").
    let unlabelled = || {
        let words: Vec<&str> = text.split_whitespace().collect();
        (1..words.len().min(4)).find_map(|k| {
            let label = words[..k].join(" ");
            let value = words[k..].join(" ");
            (column_role(&label) == Some(Column::DeliveryDate) && is_exact_column_label(&label))
                .then_some((label, value))
        })
    };
    let Some((label, value)) = text
        .split_once(':')
        .map(|(l, v)| (l.to_owned(), v.to_owned()))
        .or_else(unlabelled)
    else {
        return false;
    };
    let (label, value) = (label.as_str(), value.trim());
    if value.is_empty() || label.split_whitespace().count() > 4 {
        return false;
    }
    let source = row.source(ctx.part, Some(0));
    let code = value.split_whitespace().next().unwrap_or("");
    let code = (code.chars().any(|c| c.is_ascii_digit()) && code.len() <= 40)
        .then(|| Field::new(code.to_owned(), 0.9, source.clone()));
    let role = column_role(label);
    let slot = match role {
        Some(Column::Sku) => &mut line.sku,
        Some(Column::CustomerPartNo) => &mut line.customer_part_no,
        Some(Column::ItemCode) => &mut line.item_code,
        Some(Column::Gtin) => &mut line.gtin,
        _ => &mut None,
    };
    match role {
        Some(Column::Sku | Column::CustomerPartNo | Column::ItemCode | Column::Gtin) => {
            let Some(code) = code else { return false };
            if slot.is_none() {
                *slot = Some(code);
            }
        }
        Some(Column::DeliveryDate) => {
            // SAP prints the kind of date first: "T" (day), "Tag", "day".
            let date = value
                .split_once(' ')
                .filter(|(kind, _)| matches!(kind.to_lowercase().as_str(), "t" | "tag" | "day"))
                .map_or(value, |(_, d)| d.trim());
            let Some(d) = parse_date(date, ctx.order) else {
                return false;
            };
            if line.delivery_date.is_none() {
                line.delivery_date = Some(Field::new(d, 0.9, source));
            }
        }
        _ => return false,
    }
    true
}

//! The line table: a row of column labels, then each row mapped to the
//! columns, by position when the cell count fits and by value shapes when a
//! cell is missing; totals cross-checked; detail lines under an item.

use super::*;

/// Splits numbers and units off the edges of multi-word cells, for rows
/// where a single space joined two columns (`Karton 12,00`).
pub(super) fn refine(row: &Row, ctx: &Ctx<'_>) -> Row {
    let mut cells = Vec::new();
    for (text, at) in &row.cells {
        // `4,08 / 100 ST` is one price, not four cells.
        if price_per(text, ctx.style).is_some() {
            cells.push((text.clone(), *at));
            continue;
        }
        let mut tokens = tokens_with_offsets(text);
        // A price per units at the end of a cell (`BOX 17,16 / 1 BOX`, two
        // columns printed close together): a cell of its own.
        let mut tail = None;
        if tokens.len() <= 12 {
            for k in 1..tokens.len() {
                let suffix: String = text.chars().skip(tokens[k].1).collect();
                if price_per(&suffix, ctx.style).is_some() {
                    tail = Some((suffix, at + tokens[k].1));
                    tokens.truncate(k);
                    break;
                }
            }
        }
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
        cells.extend(tail);
    }
    Row { cells, ..row.clone() }
}

/// The column roles when `cells` is the label row of a line table. A cell
/// that is no label may be two labels printed close together (`# SKU`).
pub(super) fn line_header(cells: &[&str]) -> Option<Vec<Option<Column>>> {
    let mut roles: Vec<Option<Column>> = Vec::new();
    // Shop and ERP exports write labels in snake case: `product_name`, `qty`.
    let spaced: Vec<String> = cells.iter().map(|c| c.replace('_', " ")).collect();
    let cells: Vec<&str> = spaced.iter().map(String::as_str).collect();
    let cells = cells.as_slice();
    for c in cells {
        // A column label is a few words; a sentence is no header cell (and
        // trying every split of it is what would make long lines costly).
        if c.split_whitespace().nth(8).is_some() || c.len() > 120 {
            roles.push(None);
            continue;
        }
        match column_role(c) {
            // Two labels printed close together, the first one whole: "Unit
            // Price per unit", "ME Preis pro PE" (but "Unit price" is one).
            Some(_)
                if !is_exact_column_label(c)
                    && let Some((a, b)) = two_labels(c)
                    && c.split_whitespace().next().is_some_and(is_exact_column_label) =>
            {
                roles.push(Some(a));
                roles.push(Some(b));
            }
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
    // "Item" beside another code column is the position ("Item | Material |
    // Description" on an ERP print-out), not a code.
    let codes = roles
        .iter()
        .filter(|r| matches!(r, Some(Column::ItemCode | Column::Sku | Column::CustomerPartNo)))
        .count();
    if codes >= 2
        && !roles.contains(&Some(Column::LineNo))
        && roles.first() == Some(&Some(Column::ItemCode))
        && cells
            .first()
            .is_some_and(|c| matches!(c.trim().to_lowercase().as_str(), "item" | "item #"))
    {
        roles[0] = Some(Column::LineNo);
    }
    // Columns of header values (a flat export repeating the order on every
    // row) and of the delivery address count as known.
    let header = if roles.len() == cells.len() {
        (0..cells.len())
            .filter(|&k| {
                roles[k].is_none() && (header_column(cells[k]).is_some() || ship_to_column(cells[k]).is_some())
            })
            .count()
    } else {
        0
    };
    let known = roles.iter().flatten().count() + header;
    let has = |c: Column| roles.contains(&Some(c));
    let identifies =
        has(Column::ItemCode) || has(Column::Sku) || has(Column::CustomerPartNo) || has(Column::Description);
    // Two thirds of the cells are known labels; or, in the wide export of a
    // purchasing system (plant, vendor number, buyer group … beside the item
    // columns), at least four known labels and a third of the cells.
    let enough = known * 3 >= roles.len() * 2 || (known >= 4 && known * 3 >= roles.len());
    (has(Column::Quantity) && identifies && known >= 2 && enough).then_some(roles)
}

/// A part of the delivery address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AddressPart {
    Name,
    Street,
    Zip,
    City,
    Country,
}

/// A column of a flat export that holds one part of the delivery address on
/// every row: "Lief.-PLZ", "Ship-to City", "Lieferadresse Straße", `shipping_zipcode`.
pub(super) fn ship_to_column(cell: &str) -> Option<AddressPart> {
    const PREFIXES: [&str; 14] = [
        "lieferanschrift",
        "lieferadresse",
        "warenempfänger",
        "lief.-",
        "lief. ",
        "we-",
        "ship-to",
        "ship to",
        "shipto",
        "shipping",
        "delivery address",
        "deliver to",
        "delivery",
        "versand",
    ];
    let label = cell.replace('_', " ").trim().trim_end_matches(':').to_lowercase();
    let rest = PREFIXES.iter().find_map(|p| label.strip_prefix(p))?;
    let rest = rest.trim_matches(|c: char| c == ' ' || c == '-' || c == '.' || c == ':');
    Some(match rest {
        "name" | "name 1" | "firma" | "company" | "empfänger" | "name1" => AddressPart::Name,
        "straße"
        | "strasse"
        | "str."
        | "street"
        | "address"
        | "address 1"
        | "address line 1"
        | "adresse"
        | "anschrift"
        | "straße und hausnummer"
        | "street address" => AddressPart::Street,
        "plz" | "postleitzahl" | "zip" | "zip code" | "zipcode" | "postal code" | "postcode" | "post code" => {
            AddressPart::Zip
        }
        "ort" | "stadt" | "city" | "town" => AddressPart::City,
        "land" | "country" | "country code" | "länderschlüssel" => AddressPart::Country,
        _ => return None,
    })
}

/// A column of a line table that holds a header value on every row (flat
/// exports: `Bestellnummer`, `Kundennummer`, `order_date`, `currency`): the
/// whole cell is the label of one of these fields.
pub(super) fn header_column(cell: &str) -> Option<HeaderField> {
    let spaced = cell.replace('_', " ");
    let (field, rest) = header_label(&spaced)?;
    let wanted = matches!(
        field,
        HeaderField::PoNumber
            | HeaderField::CustomerNo
            | HeaderField::OrderDate
            | HeaderField::RequestedDeliveryDate
            | HeaderField::Currency
            | HeaderField::DocumentNumber
    );
    (wanted && rest.trim_matches(|c: char| !c.is_alphanumeric()).is_empty()).then_some(field)
}

/// A cell holding two column labels, split at the one word boundary where both halves are labels.
pub(super) fn two_labels(cell: &str) -> Option<(Column, Column)> {
    let words: Vec<&str> = cell.split_whitespace().collect();
    (1..words.len()).find_map(|k| {
        let a = column_role(&words[..k].join(" "))?;
        let b = column_role(&words[k..].join(" "))?;
        Some((a, b))
    })
}

/// How well a cell fits a column, or `None` when it cannot be that column.
pub(super) fn fit(cell: &str, role: Option<Column>, ctx: &Ctx<'_>) -> Option<i32> {
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
        Column::PreviousQuantity => {
            if number {
                1
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
        Column::UnitPrice => {
            if number || price_per(cell, ctx.style).is_some() {
                2
            } else {
                return None;
            }
        }
        Column::LineTotal | Column::PriceUnit => {
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
            // A buyer's material number is often digits only (`7000123`):
            // it fits, less well than a code with letters.
            let numeric_code = cell.len() >= 5 && cell.bytes().all(|b| b.is_ascii_digit());
            if words <= 3 && has_digit && !number && parse_date(cell, ctx.order).is_none() {
                2
            } else if numeric_code {
                1
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
pub(super) fn number_in_cell(text: &str, style: NumberStyle) -> Option<Decimal> {
    let other = match style {
        NumberStyle::DecimalComma => NumberStyle::DecimalPoint,
        NumberStyle::DecimalPoint => NumberStyle::DecimalComma,
    };
    parse_number(text, style).or_else(|| parse_number(text, other))
}

/// A price per a number of units, as ERP print-outs and exports write it:
/// `4,08 / 100 ST`, `12.50 EUR per 100`, `0,95 €/10 Stk`, `55.62 je 100` →
/// (price, units it is for).
pub(super) fn price_per(cell: &str, style: NumberStyle) -> Option<(Decimal, Decimal)> {
    let lower = cell.trim().to_lowercase();
    let (left, right) = [" per ", " pro ", " je ", "/"]
        .iter()
        .find_map(|sep| lower.split_once(sep))?;
    let left = left
        .trim()
        .trim_end_matches(['€', '$', '£'])
        .trim_end_matches(" eur")
        .trim_end_matches(" usd")
        .trim_end_matches(" gbp")
        .trim_end_matches(" chf")
        .trim();
    let price = number_in_cell(left, style)?;
    let mut words = right.split_whitespace();
    let per = parse_number(words.next()?, style).filter(|p| *p > Decimal::ZERO)?;
    // After the count only a unit may follow (`100 ST`, `100 Stück`).
    let rest: Vec<&str> = words.collect();
    (rest.len() <= 1 && rest.iter().all(|u| unit_code(u).is_some())).then_some((price, per))
}

/// `500 Stk` → (500, `C62`).
pub(super) fn quantity_with_unit(cell: &str, style: NumberStyle) -> Option<(Decimal, &'static str)> {
    let (n, u) = cell.trim().split_once(char::is_whitespace)?;
    Some((parse_number(n, style)?, unit_code(u.trim())?))
}

/// Assigns cells to columns in order: by position when the counts fit and
/// every cell fits its column, else the best order-keeping assignment by shape.
pub(super) fn assign(cells: &[&str], roles: &[Option<Column>], ctx: &Ctx<'_>) -> Option<(Vec<Option<usize>>, bool)> {
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

pub(super) fn parse_row(row: &Row, roles: &[Option<Column>], ctx: &Ctx<'_>, from_table: bool) -> Option<ExtractedLine> {
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
    // Two description columns (`Artikel` and `Bezeichnung`): the one that
    // holds a code is the item code, the other the description.
    if line.item_code.is_none() && line.sku.is_none() && line.customer_part_no.is_none() {
        let descriptions: Vec<(usize, &str)> = roles
            .iter()
            .enumerate()
            .filter(|(_, r)| **r == Some(Column::Description))
            .filter_map(|(j, _)| assignment[j].map(|k| (k, row.cells[k].0.as_str())))
            .collect();
        let code = descriptions
            .iter()
            .find(|(_, t)| !t.trim().contains(' ') && fit(t, Some(Column::ItemCode), ctx).is_some());
        if descriptions.len() >= 2
            && let Some(&(k, code)) = code
        {
            line.item_code = Some(Field::new(
                code.trim().to_owned(),
                confidence,
                row.source(ctx.part, Some(k)),
            ));
            line.description = descriptions
                .iter()
                .find(|(other, _)| *other != k)
                .map(|&(other, text)| Field::new(text.to_owned(), confidence, row.source(ctx.part, Some(other))));
        }
    }
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
        && let Some((price, per)) = price_per(t, ctx.style).or_else(|| number_in_cell(t, ctx.style).map(|p| (p, per)))
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
pub(super) fn leading_code(text: &str) -> Option<(&str, &str)> {
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
pub(super) fn cross_check(line: &mut ExtractedLine) {
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
pub(super) fn detail_lines(rows: &[Row], ctx: &Ctx<'_>) -> Vec<ExtractedLine> {
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
#[cfg(test)]
mod tests {
    #[test]
    fn an_export_with_header_columns_on_every_row_is_a_line_table() {
        let cells = [
            "order_id",
            "order_date",
            "customer_email",
            "sku",
            "product_name",
            "qty",
            "price",
            "currency",
        ];
        let roles = super::line_header(&cells).expect("a line table");
        assert_eq!(roles[5], Some(crate::labels::Column::Quantity));
        assert_eq!(
            super::header_column("Bestellnummer"),
            Some(super::HeaderField::PoNumber)
        );
        assert_eq!(super::header_column("order_date"), Some(super::HeaderField::OrderDate));
        assert_eq!(super::header_column("Bestellnummer 4711"), None);
    }
}

//! Order lines written as sentences in a mail ("500 Stk DIN933-M8x40-A2").

use super::*;

/// Item lines written as sentences in a mail: `500 Stk DIN933-M8x40-A2`,
/// `- 2 x 77-1034 (Sechskantschraube) à 12,50 €`, `Art. 4711: 30 Stück`.
pub(super) fn free_form_lines(rows: &[Row], ctx: &Ctx<'_>) -> Vec<ExtractedLine> {
    let mut out = Vec::new();
    for row in rows {
        // `300 Stk. DIN933-M3x6-A4 und 2 Pck. DIN933-M3x6-109`: one item per part.
        let items: Vec<ExtractedLine> = item_parts(row).iter().filter_map(|r| free_form_line(r, ctx)).collect();
        if items.len() >= 2 {
            out.extend(items);
        } else if let Some(line) = free_form_line(row, ctx) {
            out.push(line);
        }
    }
    out
}

/// A one-cell row cut where a sentence joins items: at `und`, `and`,
/// `sowie`, `plus`, `;`, or a comma before a number.
fn item_parts(row: &Row) -> Vec<Row> {
    let [(text, at)] = row.cells.as_slice() else {
        return Vec::new();
    };
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = chars.iter().map(|c| c.to_lowercase().next().unwrap_or(*c)).collect();
    let mut cuts = vec![0usize];
    let mut i = 0;
    while i < lower.len() {
        let rest: String = lower[i..].iter().take(8).collect();
        let joiner = [" und ", " and ", " sowie ", " plus ", "; "]
            .iter()
            .find(|j| rest.starts_with(**j))
            .map(|j| j.chars().count())
            .or_else(|| (rest.starts_with(", ") && lower.get(i + 2).is_some_and(|c| c.is_ascii_digit())).then_some(2));
        if let Some(len) = joiner {
            cuts.push(i + len);
            i += len;
        } else {
            i += 1;
        }
    }
    cuts.push(chars.len());
    cuts.windows(2)
        .map(|w| Row {
            cells: vec![(chars[w[0]..w[1]].iter().collect::<String>(), at + w[0])],
            ..row.clone()
        })
        .collect()
}

/// The text after list bullets (`- `, `* `, `•`); a minus sign before a digit
/// is the number's sign (`-400 Stk` is a negative quantity), not a bullet.
pub(super) fn strip_bullets(text: &str) -> &str {
    let mut rest = text.trim_start();
    while let Some(after) = rest.strip_prefix(['-', '*', '•', '·']) {
        if rest.starts_with('-') && after.starts_with(|c: char| c.is_ascii_digit()) {
            break;
        }
        rest = after.trim_start();
    }
    rest
}

pub(super) fn free_form_line(row: &Row, ctx: &Ctx<'_>) -> Option<ExtractedLine> {
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
        if matches!(next, Some("x" | "×" | "stück"))
            || matches!(prev, "menge" | "qty" | "quantity" | "anzahl" | "x" | "×")
        {
            quantity = Some((n, None));
            used[k] = true;
            if matches!(next, Some("x" | "×")) {
                used[k + 1] = true;
            }
            if matches!(prev, "x" | "×") {
                used[k - 1] = true;
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
        // `(à 100 Stk.)` is what a pack holds, not a price.
        let pack = lower.get(k + 2).is_some_and(|w| unit_code(w).is_some());
        // `unit price EUR 0.0228`: the currency may stand between word and amount.
        let skip = usize::from(lower.get(k + 1).is_some_and(|w| currency_code(w).is_some()));
        if before
            && !pack
            && let Some(p) = words.get(k + 1 + skip).and_then(|w| number_in_cell(w, ctx.style))
        {
            price = Some(p);
            used[k] = true;
            used[k + 1] = true;
            used[k + 1 + skip] = true;
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

/// Items written as blocks of labelled values, one value a line:
/// `Artikelnummer: DIN933-M3x6-A2` / `Menge: 500 Stück` / `Preis: 0,0228 EUR`.
/// A label that comes again starts the next item; lines without a quantity
/// and something that names the product are not items.
pub(super) fn labelled_item_blocks(rows: &[Row], ctx: &Ctx<'_>) -> Vec<ExtractedLine> {
    let mut out = Vec::new();
    let mut line = ExtractedLine::default();
    let mut seen: Vec<Column> = Vec::new();
    let mut finish = |line: &mut ExtractedLine, seen: &mut Vec<Column>| {
        let named = line.item_code.is_some()
            || line.sku.is_some()
            || line.customer_part_no.is_some()
            || line.gtin.is_some()
            || line.description.is_some();
        let done = std::mem::take(line);
        if done.quantity.is_some() && named {
            out.push(done);
        }
        seen.clear();
    };
    for row in rows {
        let text = row.texts().join(" ");
        let labelled = text
            .split_once(':')
            .and_then(|(label, value)| Some((column_role(label.trim())?, value.trim())))
            .filter(|(_, value)| !value.is_empty());
        let Some((role, value)) = labelled else {
            if !seen.is_empty() {
                finish(&mut line, &mut seen);
            }
            continue;
        };
        if seen.contains(&role) {
            finish(&mut line, &mut seen);
        }
        if seen.is_empty() {
            line.source = row.source(ctx.part, None);
        }
        seen.push(role);
        let source = row.source(ctx.part, Some(0));
        let text_field = |v: &str| Some(Field::new(v.to_owned(), 0.9, source.clone()));
        match role {
            Column::ItemCode => line.item_code = text_field(value),
            Column::Sku => line.sku = text_field(value),
            Column::CustomerPartNo => line.customer_part_no = text_field(value),
            Column::Gtin => line.gtin = text_field(value),
            Column::Description => line.description = text_field(value),
            Column::Quantity => {
                let read = number_in_cell(value, ctx.style)
                    .map(|q| (q, None))
                    .or_else(|| quantity_with_unit(value, ctx.style).map(|(q, u)| (q, Some(u))));
                if let Some((q, unit)) = read.filter(|(q, _)| !q.is_zero()) {
                    line.quantity = Some(Field::new(q, 0.9, source.clone()));
                    if let Some(u) = unit {
                        line.unit = Some(Field::new(u.to_owned(), 0.9, source.clone()));
                    }
                }
            }
            Column::Unit => {
                line.unit = unit_code(value).map(|u| Field::new(u.to_owned(), 0.9, source.clone()));
            }
            Column::UnitPrice => {
                line.unit_price = number_in_cell(value, ctx.style).map(|p| Field::new(p, 0.9, source.clone()));
            }
            Column::DeliveryDate => {
                line.delivery_date = find_date(value, ctx.order).map(|(d, _, _)| Field::new(d, 0.9, source.clone()));
            }
            _ => {}
        }
    }
    finish(&mut line, &mut seen);
    out
}

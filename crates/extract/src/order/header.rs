//! Header values: found after their labels (and the labels learned per
//! sender), in the subject, and settled when several documents offer one.

use super::*;

/// The label a layout hint teaches, at the start of `cell`.
pub(super) fn hinted_label<'c>(cell: &'c str, hints: &[LayoutHint]) -> Option<(HeaderField, &'c str)> {
    hints.iter().find_map(|h| {
        let field = h.field;
        let lower = cell.to_lowercase();
        let label = h.label.to_lowercase();
        if !lower.starts_with(&label) || label.is_empty() {
            return None;
        }
        let rest = cell.get(h.label.len()..)?;
        Some((field, rest.trim_start_matches([' ', ':', '#', '\t']).trim()))
    })
}

pub(super) fn read_labels(
    rows: &[Row],
    i: usize,
    labelled: &[Option<(HeaderField, &str)>],
    ctx: &Ctx<'_>,
    reading: &mut Reading,
) {
    let row = &rows[i];
    let all_labels = labelled.iter().all(Option::is_some) && labelled.iter().flatten().all(|(_, v)| v.is_empty());
    for (c, label) in labelled.iter().enumerate() {
        let Some((field, rest)) = label else { continue };
        if *field == HeaderField::ShipTo {
            let rest = if rest.is_empty() {
                row.cells.get(c + 1).map_or("", |(t, _)| t.as_str())
            } else {
                rest
            };
            reading.ship_to = reading.ship_to.take().or_else(|| address_block(rows, i, c, rest, ctx));
            continue;
        }
        // "Bestellnummer/Datum | 4500012345 / 30.11.2026": two fields under one label.
        if *field == HeaderField::PoNumber
            && matches!(
                rest.to_lowercase().as_str(),
                "datum" | "date" | "bestelldatum" | "order date" | "po date"
            )
            && let Some((value, _)) = row.cells.get(c + 1)
            && let Some((number, date)) = value.split_once(" / ")
        {
            let source = row.source(ctx.part, Some(c + 1));
            for (field, text) in [(HeaderField::PoNumber, number), (HeaderField::OrderDate, date)] {
                reading
                    .header
                    .entry(field)
                    .or_default()
                    .push(ctx.candidate(text.trim(), 0.9, source.clone()));
            }
            continue;
        }
        let total = matches!(field, HeaderField::StatedTotal | HeaderField::NetTotal);
        let (value, source) = if !rest.is_empty() && total {
            // `Total for this invoice | $4.11`: the amount may stand in the next cells.
            let end = (c + 1..row.cells.len())
                .find(|&k| labelled.get(k).is_some_and(Option::is_some))
                .unwrap_or(row.cells.len());
            let mut value = rest.to_string();
            for (t, _) in &row.cells[c + 1..end] {
                value.push(' ');
                value.push_str(t);
            }
            (value, row.source(ctx.part, Some(c)))
        } else if !rest.is_empty() {
            let text = &row.cells[c].0;
            let mut source = row.source(ctx.part, Some(c));
            if let Some(start) = source.char_start {
                source.char_start = Some(start + text.chars().count() - rest.chars().count());
            }
            (rest.to_string(), source)
        } else if row.cells.get(c + 1).is_some() && labelled.get(c + 1).is_some_and(Option::is_none) {
            // The value stands in the next cells (up to the next label): `Summe | EUR | 151.20`.
            let end = (c + 1..row.cells.len())
                .find(|&k| labelled.get(k).is_some_and(Option::is_some))
                .unwrap_or(row.cells.len());
            let value: Vec<&str> = row.cells[c + 1..end].iter().map(|(t, _)| t.as_str()).collect();
            (value.join(" "), row.source(ctx.part, Some(c + 1)))
        } else if all_labels
            && let Some(below) = rows.get(i + 1)
            && below.cells.len() == row.cells.len()
        {
            (below.cells[c].0.clone(), below.source(ctx.part, Some(c)))
        } else {
            continue;
        };
        let confidence = if ctx.hints.iter().any(|h| h.field == *field) {
            0.97
        } else {
            0.95
        };
        reading
            .header
            .entry(*field)
            .or_default()
            .push(ctx.candidate(&value, confidence, source));
    }
}

/// `Bestellung 4500012345`, `PO #77-12`, `Anfrage Nr. 33` in a mail subject.
pub(super) fn read_subject(subject: &str, reading: &mut Reading) {
    let words: Vec<&str> = subject.split_whitespace().collect();
    let keys = [
        "bestellung",
        "order",
        "po",
        "auftrag",
        "anfrage",
        "rfq",
        "bestellnummer",
        "bestellnr.",
        "p.o.",
        "inquiry",
        "enquiry",
    ];
    for k in 0..words.len() {
        let w = words[k].trim_end_matches(':').to_lowercase();
        if !keys.contains(&w.as_str()) {
            continue;
        }
        let mut j = k + 1;
        while j < words.len()
            && matches!(
                words[j].to_lowercase().trim_end_matches(':'),
                "nr." | "nr" | "no." | "no" | "#" | "number" | "nummer"
            )
        {
            j += 1;
        }
        if let Some(value) = words
            .get(j)
            .map(|v| v.trim_matches(|c: char| !c.is_alphanumeric()))
            .filter(|v| v.chars().any(|c| c.is_ascii_digit()))
        {
            reading
                .header
                .entry(HeaderField::PoNumber)
                .or_default()
                .push(Candidate {
                    text: value.to_owned(),
                    confidence: 0.9,
                    source: Source {
                        part: String::new(),
                        page: 1,
                        origin: Some("Subject".into()),
                        ..Default::default()
                    },
                    style: NumberStyle::DecimalPoint,
                    order: DateOrder::DayFirst,
                });
            return;
        }
    }
}

/// Words that stand between a label and its number (`Nr.`, `#`, `No.`).
const FILLER: [&str; 10] = ["nr", "no", "number", "nummer", "num", "n°", "vom", "of", "", "nº"];

/// A reference number: a token with a digit among the first two words after
/// the label (past `Nr.`, `#`), as printed. A number further into the text
/// belongs to something else: `Alfreds Futterkiste, Obere Str. 57` under a
/// `Bestellung` heading names no order.
pub(super) fn reference(text: &str) -> Option<String> {
    text.split_whitespace()
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|t| !FILLER.contains(&t.to_lowercase().as_str()))
        .take(2)
        .find(|t| t.chars().any(|c| c.is_ascii_digit()) && t.chars().all(|c| c.is_alphanumeric() || "-/._".contains(c)))
        .map(str::to_owned)
}

/// How much a read PO number looks like one: house numbers, floors and
/// fractions (`57`, `2/8`) are short; a real PO number rarely is.
fn po_shape(value: &str) -> f32 {
    let significant = value.chars().filter(|c| c.is_alphanumeric()).count();
    if significant < 4 { 0.5 } else { 1.0 }
}

pub(super) fn settle_header(mut all: Reading, out: &mut Extracted) {
    let mut take = |field: HeaderField| all.header.remove(&field).unwrap_or_default();
    out.po_number = settle(take(HeaderField::PoNumber), |c| reference(&c.text)).map(|mut f| {
        f.confidence = f.confidence.min(po_shape(&f.value));
        f
    });
    out.customer_no = settle(take(HeaderField::CustomerNo), |c| reference(&c.text));
    out.document_number = settle(take(HeaderField::DocumentNumber), |c| reference(&c.text));
    out.order_date = settle(take(HeaderField::OrderDate), |c| {
        find_date(&c.text, c.order).map(|d| d.0)
    });
    let delivery = take(HeaderField::RequestedDeliveryDate);
    out.requested_delivery_date = settle(delivery.clone(), |c| find_date(&c.text, c.order).map(|d| d.0));
    if out.requested_delivery_date.is_none() {
        // A delivery date under its label that no reading understands
        // (`Mitte Dezember`); "as soon as possible" needs no date.
        let asap = [
            "sofort",
            "asap",
            "umgehend",
            "schnellstmöglich",
            "immediately",
            "as soon as possible",
            "prompt",
        ];
        out.unread_delivery_date = delivery
            .iter()
            .map(|c| c.text.trim())
            .find(|t| !t.is_empty() && !asap.iter().any(|w| t.to_lowercase().contains(w)))
            .map(|t| t.chars().take(60).collect());
    }
    out.document_date = settle(take(HeaderField::DocumentDate), |c| {
        find_date(&c.text, c.order).map(|d| d.0)
    });
    out.vat_id = settle(take(HeaderField::VatId), |c| {
        c.text
            .split_whitespace()
            .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
            .find(|t| t.len() >= 8 && t[..2].chars().all(|c| c.is_ascii_uppercase()))
            .map(str::to_owned)
    });
    // The amount after a total label: the first that looks like money (two
    // decimals or a currency sign), else the last number; `Total due on
    // August 3, 2014 $4.11` is 4.11, not 2014.
    let amount = |c: &Candidate| -> Option<Decimal> {
        let tokens: Vec<&str> = c.text.split_whitespace().collect();
        let money = |t: &str| {
            let bare = t.trim_start_matches(['$', '€', '£']);
            let decimals = bare.rsplit_once([',', '.']).map_or(0, |(_, d)| d.len());
            (decimals == 2 || bare.len() < t.len())
                .then(|| parse_number(t, c.style))
                .flatten()
        };
        tokens
            .iter()
            .find_map(|t| money(t))
            .or_else(|| tokens.iter().rev().find_map(|t| parse_number(t, c.style)))
            .or_else(|| parse_number(&c.text, c.style))
    };
    // The last printed total is the final one (earlier ones carry over pages).
    let mut net = take(HeaderField::NetTotal);
    net.reverse();
    let mut plain = take(HeaderField::StatedTotal);
    plain.reverse();
    out.stated_total = settle_first(&net, amount).or_else(|| settle_first(&plain, amount));
    let total_currency = net
        .iter()
        .chain(&plain)
        .find_map(|c| c.text.split_whitespace().find_map(currency_code));
    out.currency = settle(take(HeaderField::Currency), |c| {
        c.text.split_whitespace().find_map(currency_code).map(str::to_owned)
    });
    if out.currency.is_none() {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for c in total_currency.iter().chain(all.currency_seen.iter()) {
            match counts.iter_mut().find(|(k, _)| k == c) {
                Some((_, n)) => *n += 1,
                None => counts.push((c, 1)),
            }
        }
        if let Some((code, _)) = counts.iter().max_by_key(|(_, n)| *n) {
            let unanimous = counts.len() == 1;
            out.currency = Some(Field::new(
                (*code).to_owned(),
                if unanimous { 0.95 } else { 0.7 },
                Source::default(),
            ));
        }
    }
    let text = |c: &Candidate| Some(c.text.clone()).filter(|t| !t.is_empty());
    out.incoterms = settle(take(HeaderField::Incoterms), text);
    out.payment_terms = settle(take(HeaderField::PaymentTerms), text);
    out.contact = settle(take(HeaderField::Contact), text);
    out.notes = settle(take(HeaderField::Notes), text);
    out.ship_to = all.ship_to.take();
    out.quoted_emails = all.emails;
    out.printed_dates = std::mem::take(&mut all.dates);
    out.quoted_emails.dedup();
    out.lines = all.lines;
}

/// The first readable candidate; a different reading of another labelled
/// candidate makes it uncertain.
pub(super) fn settle<T: PartialEq + Clone>(
    candidates: Vec<Candidate>,
    read: impl Fn(&Candidate) -> Option<T>,
) -> Option<Field<T>> {
    let readings: Vec<(T, &Candidate)> = candidates.iter().filter_map(|c| read(c).map(|v| (v, c))).collect();
    let (value, first) = readings.first()?;
    let disagree = readings
        .iter()
        .any(|(v, c)| v != value && c.source.origin.as_deref() != Some("Subject"));
    let confidence = if disagree { 0.6 } else { first.confidence };
    Some(Field::new(value.clone(), confidence, first.source.clone()))
}

pub(super) fn settle_first<T: Clone>(
    candidates: &[Candidate],
    read: impl Fn(&Candidate) -> Option<T>,
) -> Option<Field<T>> {
    candidates
        .iter()
        .find_map(|c| read(c).map(|v| Field::new(v, c.confidence, c.source.clone())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_stands_right_after_its_label() {
        assert_eq!(reference("Nr. 4711 vom 20.11.2026").as_deref(), Some("4711"));
        assert_eq!(reference("# PO-77-12").as_deref(), Some("PO-77-12"));
        assert_eq!(reference("Bestellung 4711").as_deref(), Some("4711"));
        assert_eq!(reference("Alfreds Futterkiste, Obere Str. 57, 12209 Berlin"), None);
        assert_eq!(po_shape("57"), 0.5);
        assert_eq!(po_shape("2/8"), 0.5);
        assert_eq!(po_shape("4500123"), 1.0);
    }
}

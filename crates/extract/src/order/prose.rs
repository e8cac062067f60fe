//! What people say in sentences rather than under a label: the delivery date
//! ("bitte liefern Sie bis spätestens 11.12.2026", "Liefertermin KW 49",
//! "please deliver by 3 December 2026").
//!
//! A date counts when it follows a word about delivery in the same line,
//! with nothing about invoices, payment or offers in between. A calendar week
//! is its Monday and never sure enough to pass without a person.

use super::*;

/// Words that say the line is about when goods should arrive.
const DELIVERY: [&str; 16] = [
    "liefer",
    "anliefer",
    "zustell",
    "deliver",
    "ship by",
    "ship on",
    "ship date",
    "delivery date",
    "needed by",
    "required by",
    "need them by",
    "benötigen",
    "brauchen",
    "eintreffen",
    "wunschtermin",
    "arrive",
];

/// Words that tie the date to the delivery as its deadline or day.
const DEADLINE: [&str; 12] = [
    "bis",
    "spätestens",
    "am ",
    "zum",
    "by",
    "before",
    "until",
    "latest",
    "no later than",
    "on ",
    "termin",
    ":",
];

/// Words that say the date is not a deadline but a start.
const EARLIEST: [&str; 4] = ["frühestens", "nicht vor", "not before", "earliest"];

/// Words that say the date belongs to something else.
const OTHER: [&str; 14] = [
    "rechnung",
    "zahlung",
    "zahlbar",
    "angebot",
    "skonto",
    "gültig",
    "bestellung vom",
    "invoice",
    "payment",
    "quote",
    "offer",
    "valid",
    "order of",
    "dated",
];

/// Lines longer than this are no sentence a person wrote about a delivery;
/// they are not scanned (what a hostile file can make scanning cost is bounded).
const LONGEST_LINE: usize = 1_000;

/// At most this many printed dates are kept per document.
const MOST_DATES: usize = 500;

/// Lowercase with one char per char, so offsets stay those of the original.
fn lower(text: &str) -> Vec<char> {
    text.chars().map(|c| c.to_lowercase().next().unwrap_or(c)).collect()
}

fn find(haystack: &[char], needle: &str, from: usize) -> Option<usize> {
    let needle: Vec<char> = needle.chars().collect();
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    (from..=haystack.len() - needle.len()).find(|&i| haystack[i..i + needle.len()] == needle[..])
}

fn contains(text: &[char], words: &[&str]) -> bool {
    words.iter().any(|w| find(text, w, 0).is_some())
}

/// The Monday of ISO week `week` of `year`.
fn monday_of_week(year: i16, week: i8) -> Option<Date> {
    jiff::civil::ISOWeekDate::new(year, week, jiff::civil::Weekday::Monday)
        .ok()
        .map(|w| w.date())
}

/// `KW 49`, `KW49`, `Kalenderwoche 49`, `CW 49`, `week 49` in `text` from `from` on: the week and where it is.
fn calendar_week(text: &[char], from: usize) -> Option<(i8, usize, usize)> {
    let rest: String = text[from..].iter().collect();
    let tokens = tokens_with_offsets(&rest);
    for (i, (token, start, end)) in tokens.iter().enumerate() {
        let t = token.trim_end_matches([',', '.', ';', ')']);
        let is_week_word = |w: &str| matches!(w.trim_end_matches(['.', ',', ';', ')']), "kw" | "cw" | "woche" | "week");
        let (number, end) = if let Some(n) = t.strip_prefix("kw").filter(|n| !n.is_empty()) {
            (n.to_owned(), *end)
        } else if token.ends_with('.')
            && t.parse::<i8>().is_ok()
            && let Some((_, _, e)) = tokens.get(i + 1).filter(|(w, _, _)| is_week_word(w))
        {
            // `49. KW`: the week's number before the word.
            (t.to_owned(), *e)
        } else if matches!(t, "kw" | "kalenderwoche" | "cw" | "week" | "woche" | "kw." | "wk")
            && let Some((next, _, e)) = tokens.get(i + 1)
        {
            (next.trim_end_matches([',', '.', ';', ')']).to_owned(), *e)
        } else {
            continue;
        };
        let number = number.split('/').next().unwrap_or_default();
        if let Ok(week) = number.parse::<i8>()
            && (1..=53).contains(&week)
        {
            return Some((week, from + start, from + end));
        }
    }
    None
}

/// The delivery dates said in the lines of one document, as header candidates.
pub(super) fn delivery_dates(doc: &Document, ctx: &Ctx<'_>, dated: Option<Date>) -> Vec<Candidate> {
    let mut out = Vec::new();
    for block in doc.text_blocks.iter().filter(|b| b.text.len() <= LONGEST_LINE) {
        let text = lower(&block.text);
        let Some(cue) = DELIVERY.iter().filter_map(|w| find(&text, w, 0)).min() else {
            continue;
        };
        let source = |start: usize, end: usize| Source {
            part: ctx.part.to_owned(),
            page: block.page,
            char_start: Some(block.char_start + start),
            char_end: Some(block.char_start + end),
            bbox: block.bbox,
            origin: None,
        };
        let after: String = block.text.chars().skip(cue).collect();
        if let Some((date, start, end)) = find_date(&after, ctx.order) {
            let between = &text[cue..cue + start];
            if start <= 80 && !contains(between, &OTHER) {
                let confidence = if contains(between, &EARLIEST) {
                    0.8
                } else if contains(between, &DEADLINE) {
                    0.9
                } else {
                    0.8
                };
                let mut c = ctx.candidate(&date.to_string(), confidence, source(cue + start, cue + end));
                // A slashed date that reads both ways stays as unsure as the label reading would be.
                let printed: String = after.chars().skip(start).take(end - start).collect();
                if !ctx.order_known && crate::values::ambiguous_slash_date(&printed) {
                    c.confidence = c.confidence.min(0.6);
                }
                out.push(c);
                continue;
            }
        }
        if let Some((week, start, end)) = calendar_week(&text, cue)
            && start - cue <= 80
            && !contains(&text[cue..start], &OTHER)
            && let Some(monday) = dated.and_then(|d| week_after(d, week))
        {
            out.push(ctx.candidate(&monday.to_string(), 0.75, source(start, end)));
            continue;
        }
        // The date may stand before the word (`bis Ende KW 50 liefern`,
        // `am 15.12.2026 anliefern`): the line's own, never sure alone.
        if contains(&text, &OTHER) {
            continue;
        }
        let before: String = block.text.chars().take(cue).collect();
        if let Some((date, start, end)) = find_date(&before, ctx.order) {
            out.push(ctx.candidate(&date.to_string(), 0.8, source(start, end)));
        } else if let Some((week, start, end)) = calendar_week(&text[..cue], 0)
            && let Some(monday) = dated.and_then(|d| week_after(d, week))
        {
            out.push(ctx.candidate(&monday.to_string(), 0.75, source(start, end)));
        }
    }
    out
}

/// Every date printed in the lines of one document, except in lines about
/// invoices, payment or offers: what a draft that ignores one of them may have missed.
pub(super) fn printed_dates(doc: &Document, ctx: &Ctx<'_>) -> Vec<Field<Date>> {
    let mut out = Vec::new();
    for block in doc.text_blocks.iter().filter(|b| b.text.len() <= LONGEST_LINE) {
        if out.len() >= MOST_DATES {
            break;
        }
        if contains(&lower(&block.text), &OTHER) {
            continue;
        }
        let mut from = 0;
        let chars: Vec<char> = block.text.chars().collect();
        while from < chars.len() {
            let rest: String = chars[from..].iter().collect();
            let Some((date, start, end)) = find_date(&rest, ctx.order) else {
                break;
            };
            out.push(Field::new(
                date,
                0.9,
                Source {
                    part: ctx.part.to_owned(),
                    page: block.page,
                    char_start: Some(block.char_start + from + start),
                    char_end: Some(block.char_start + from + end),
                    bbox: block.bbox,
                    origin: None,
                },
            ));
            from += end.max(1);
        }
    }
    out
}

/// Lines that open a forwarded or quoted mail in a body.
const FORWARDED: [&str; 6] = [
    "original message",
    "ursprüngliche nachricht",
    "forwarded message",
    "weitergeleitete nachricht",
    "original-nachricht",
    "message d'origine",
];

/// The date a forwarded mail was first sent (`Sent:`, `Gesendet:`, `Date:`
/// under `-----Original Message-----`): the date of the order it carries.
pub(super) fn forwarded_date(mail: &Document) -> Option<Date> {
    let blocks = &mail.text_blocks;
    let start = blocks.iter().position(|b| {
        let text = lower(&b.text);
        b.text.len() <= LONGEST_LINE && contains(&text, &FORWARDED)
    })?;
    blocks[start + 1..].iter().take(8).find_map(|b| {
        let text = b.text.trim();
        let lower_text = text.to_lowercase();
        let value = ["sent:", "gesendet:", "date:", "datum:", "envoyé :", "envoyé:"]
            .iter()
            .find_map(|label| lower_text.starts_with(label).then(|| &text[label.len()..]))?;
        let order = if value.contains('/') {
            DateOrder::detect(value)
        } else {
            DateOrder::DayFirst
        };
        find_date(value, order).map(|(d, _, _)| d)
    })
}

/// The date a calendar week is read against: the document's first date.
pub(super) fn dated(all_text: &str, order: DateOrder) -> Option<Date> {
    find_date(all_text, order).map(|(d, _, _)| d)
}

/// The Monday of week `week` in the year of `dated`, or of the next year
/// when that is more than half a year earlier (`KW 2` in a December order).
fn week_after(dated: Date, week: i8) -> Option<Date> {
    let monday = monday_of_week(dated.year(), week)?;
    if (dated - monday).get_days() > 183 {
        monday_of_week(dated.year() + 1, week)
    } else {
        Some(monday)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use document::model::text_blocks;

    fn dates(text: &str) -> Vec<(String, f32)> {
        let mut doc = Document::new("", None, Format::EmailText);
        doc.text_blocks = text_blocks(text, 1);
        let ctx = Ctx {
            part: "",
            style: NumberStyle::DecimalComma,
            order: DateOrder::DayFirst,
            order_known: true,
            hints: &[],
        };
        delivery_dates(&doc, &ctx, Some(jiff::civil::date(2026, 11, 23)))
            .into_iter()
            .map(|c| (c.text, c.confidence))
            .collect()
    }

    #[test]
    fn delivery_dates_in_sentences() {
        assert_eq!(
            dates("Bitte liefern Sie bis spätestens 11.12.2026 an unser Werk."),
            [("2026-12-11".to_owned(), 0.9)]
        );
        assert_eq!(
            dates("Please deliver the goods by 3 December 2026."),
            [("2026-12-03".to_owned(), 0.9)]
        );
        assert_eq!(
            dates("bitte liefern Sie bis 11.11.2026."),
            [("2026-11-11".to_owned(), 0.9)]
        );
        assert_eq!(
            dates("wir bestellen wie folgt, Lieferung bitte bis 15.12.2026:"),
            [("2026-12-15".to_owned(), 0.9)]
        );
        assert_eq!(dates("Anlieferung (15.12.2026)"), [("2026-12-15".to_owned(), 0.8)]);
        assert_eq!(
            dates("Bitte bis Ende KW 50 liefern."),
            [("2026-12-07".to_owned(), 0.75)]
        );
        assert_eq!(
            dates("Wir benötigen die Ware bis zum 15. Dezember 2026."),
            [("2026-12-15".to_owned(), 0.9)]
        );
        assert_eq!(dates("Liefertermin: 49. KW"), [("2026-11-30".to_owned(), 0.75)]);
        assert_eq!(dates("Liefertermin: KW 49"), [("2026-11-30".to_owned(), 0.75)]);
        assert_eq!(
            dates("Anlieferung frühestens 01.12.2026"),
            [("2026-12-01".to_owned(), 0.8)]
        );
        assert_eq!(
            dates("Lieferung KW51/2026 wie besprochen"),
            [("2026-12-14".to_owned(), 0.75)]
        );
        assert_eq!(dates("Liefertermin KW 2"), [("2027-01-11".to_owned(), 0.75)]);
    }

    #[test]
    fn every_printed_date_is_found_but_those_of_payment_and_offers() {
        let mut doc = Document::new("", None, Format::EmailText);
        doc.text_blocks = text_blocks(
            "Datum 23.11.2026, Liefertermin 11.12.2026.\nZahlbar bis 30.12.2026\nAngebot vom 02.11.2026",
            1,
        );
        let ctx = Ctx {
            part: "",
            style: NumberStyle::DecimalComma,
            order: DateOrder::DayFirst,
            order_known: true,
            hints: &[],
        };
        let found: Vec<String> = printed_dates(&doc, &ctx).iter().map(|f| f.value.to_string()).collect();
        assert_eq!(found, ["2026-11-23", "2026-12-11"]);
    }

    #[test]
    fn a_forwarded_order_is_dated_when_it_was_first_sent() {
        let mut mail = Document::new("", None, Format::EmailText);
        mail.text_blocks = text_blocks(
            "See below, please book.\n\n-----Original Message-----\nFrom: Max <m@x.example>\n\
             Sent: Friday, November 20, 2026 4:02 PM\nSubject: order\n",
            1,
        );
        assert_eq!(forwarded_date(&mail), Some(jiff::civil::date(2026, 11, 20)));
        mail.text_blocks = text_blocks("Von: Max\nGesendet: Freitag, 20. November 2026 16:02\n", 1);
        assert_eq!(forwarded_date(&mail), None, "no forwarded mail, no date from it");
    }

    #[test]
    fn what_one_document_can_make_the_scans_keep_is_bounded() {
        let ctx = Ctx {
            part: "",
            style: NumberStyle::DecimalComma,
            order: DateOrder::DayFirst,
            order_known: true,
            hints: &[],
        };
        let mut doc = Document::new("", None, Format::EmailText);
        let many: Vec<String> = (0..2_000)
            .map(|i| format!("Liefern bis {:02}.12.2026", i % 28 + 1))
            .collect();
        doc.text_blocks = text_blocks(&many.join("\n"), 1);
        assert_eq!(printed_dates(&doc, &ctx).len(), MOST_DATES);
        // One line longer than any sentence about a delivery is not scanned at all.
        doc.text_blocks = text_blocks(&"liefern bis 01.12.2026 ".repeat(100), 1);
        assert!(doc.text_blocks[0].text.len() > LONGEST_LINE);
        assert!(printed_dates(&doc, &ctx).is_empty());
        assert!(delivery_dates(&doc, &ctx, None).is_empty());
    }

    #[test]
    fn dates_of_other_things_are_not_delivery_dates() {
        assert!(dates("Gemäß Ihrem Angebot vom 02.11.2026 bestellen wir").is_empty());
        assert!(dates("Lieferung und Rechnung bis 30.12.2026 zahlbar").is_empty());
        assert!(dates("Wir danken für die schnelle Lieferung.").is_empty());
        assert!(dates("Datum: 23.11.2026").is_empty());
    }
}

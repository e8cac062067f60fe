//! UN/EDIFACT: UNA (or default) separators with the release character;
//! ORDERS, ORDCHG and similar messages map to a Document per message.

use std::borrow::Cow;

use super::{Segment, iso_date, strip_start};
use crate::model::{Document, Format, Severity};

/// The service characters of an interchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Separators {
    pub component: char,
    pub element: char,
    pub decimal: char,
    pub release: char,
    pub segment: char,
}

impl Default for Separators {
    fn default() -> Self {
        Self {
            component: ':',
            element: '+',
            decimal: '.',
            release: '?',
            segment: '\'',
        }
    }
}

/// Reads UNA if present; returns the separators and the text after UNA.
pub fn separators(text: &str) -> (Separators, &str) {
    let text = strip_start(text);
    if let Some(rest) = text.strip_prefix("UNA") {
        let chars: Vec<char> = rest.chars().take(6).collect();
        if chars.len() == 6 {
            let una_len: usize = chars.iter().map(|c| c.len_utf8()).sum();
            let sep = Separators {
                component: chars[0],
                element: chars[1],
                decimal: chars[2],
                release: chars[3],
                segment: chars[5],
            };
            return (sep, &rest[una_len..]);
        }
    }
    (Separators::default(), text)
}

/// Splits the interchange into segments, honouring the release character.
pub fn tokenize(text: &str) -> (Vec<Segment<'_>>, Separators) {
    let (sep, body) = separators(text);
    let mut segments = Vec::new();
    let bytes_simple =
        sep.component.is_ascii() && sep.element.is_ascii() && sep.release.is_ascii() && sep.segment.is_ascii();
    let mut start = 0;
    let mut escaped = false;
    let mut has_release = false;
    if bytes_simple {
        let (seg_b, rel_b) = (sep.segment as u8, sep.release as u8);
        let bytes = body.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if escaped {
                escaped = false;
            } else if b == rel_b {
                escaped = true;
                has_release = true;
            } else if b == seg_b {
                push_segment(&mut segments, &body[start..i], sep, has_release);
                start = i + 1;
                has_release = false;
            }
        }
    } else {
        for (i, c) in body.char_indices() {
            if escaped {
                escaped = false;
            } else if c == sep.release {
                escaped = true;
                has_release = true;
            } else if c == sep.segment {
                push_segment(&mut segments, &body[start..i], sep, has_release);
                start = i + c.len_utf8();
                has_release = false;
            }
        }
    }
    push_segment(&mut segments, &body[start..], sep, has_release);
    (segments, sep)
}

fn push_segment<'a>(segments: &mut Vec<Segment<'a>>, raw: &'a str, sep: Separators, has_release: bool) {
    let raw = raw.trim_matches(['\r', '\n', ' ', '\t']);
    if !raw.is_empty() {
        segments.push(split_segment(raw, sep, has_release));
    }
}

fn split_segment(raw: &str, sep: Separators, has_release: bool) -> Segment<'_> {
    if !has_release {
        let mut elements = raw.split(sep.element);
        let tag = elements.next().unwrap_or("");
        return Segment {
            tag,
            elements: elements
                .map(|e| e.split(sep.component).map(Cow::Borrowed).collect())
                .collect(),
        };
    }
    // Rare path: released separators inside values.
    let mut elements: Vec<Vec<Cow<'_, str>>> = Vec::new();
    let mut tag_end = raw.len();
    let mut component = String::new();
    let mut element: Vec<Cow<'_, str>> = Vec::new();
    let mut in_tag = true;
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if in_tag {
            if c == sep.element {
                tag_end = i;
                in_tag = false;
            }
            continue;
        }
        if c == sep.release {
            if let Some((_, next)) = chars.next() {
                component.push(next);
            }
        } else if c == sep.component {
            element.push(Cow::Owned(std::mem::take(&mut component)));
        } else if c == sep.element {
            element.push(Cow::Owned(std::mem::take(&mut component)));
            elements.push(std::mem::take(&mut element));
        } else {
            component.push(c);
        }
    }
    if !in_tag {
        element.push(Cow::Owned(component));
        elements.push(element);
    }
    Segment {
        tag: &raw[..tag_end],
        elements,
    }
}

fn party_role(code: &str) -> &str {
    match code {
        "BY" => "buyer",
        "SU" | "SE" => "supplier",
        "DP" | "ST" => "ship_to",
        "IV" | "BT" => "bill_to",
        "OB" => "ordered_by",
        other => other,
    }
}

/// EDIFACT decimals may use a comma as decimal mark; the Document holds dots.
fn number(raw: &str, sep: Separators) -> String {
    if sep.decimal == ',' || raw.contains(',') {
        raw.replace(',', ".")
    } else {
        raw.to_owned()
    }
}

/// One Document per message (UNH … UNT).
pub fn to_documents(segments: &[Segment<'_>], sep: Separators, part: &str, name: Option<String>) -> Vec<Document> {
    let mut docs = Vec::new();
    let mut interchange: Vec<(&str, String)> = Vec::new();
    let mut current: Option<(Document, Vec<Vec<String>>)> = None;
    let mut in_line = false;
    let mut parties_seen: Vec<String> = Vec::new();
    for seg in segments {
        // A three-byte array matches as one integer comparison per arm.
        let tag: [u8; 3] = seg.tag.as_bytes().try_into().unwrap_or([0; 3]);
        match &tag {
            b"UNB" => {
                interchange = vec![
                    ("interchange.sender", seg.el(2).to_owned()),
                    ("interchange.receiver", seg.el(3).to_owned()),
                    ("interchange.control_no", seg.el(5).to_owned()),
                ];
            }
            b"UNH" => {
                if let Some((doc, lines)) = current.take() {
                    docs.push(finish(doc, lines, "edi_unterminated"));
                }
                let mut doc = Document::new(part, name.clone(), Format::Edifact);
                doc.message_type = Some(seg.component(2, 1).to_owned());
                for (k, v) in &interchange {
                    doc.key_value(*k, v.clone(), "UNB");
                }
                doc.key_value(crate::keys::MESSAGE_TYPE, seg.component(2, 1), "UNH");
                doc.key_value(
                    "message_version",
                    [seg.component(2, 2), seg.component(2, 3)].concat(),
                    "UNH",
                );
                doc.key_value(crate::keys::MESSAGE_ASSOCIATION, seg.component(2, 5), "UNH");
                current = Some((doc, Vec::new()));
                in_line = false;
                parties_seen.clear();
            }
            b"UNT" => {
                if let Some((doc, lines)) = current.take() {
                    docs.push(finish(doc, lines, ""));
                }
            }
            _ => {}
        }
        let Some((doc, lines)) = current.as_mut() else { continue };
        match &tag {
            b"BGM" => {
                if doc.value(crate::keys::PO_NUMBER).is_none() {
                    doc.key_value(crate::keys::DOCUMENT_CODE, seg.component(1, 1), "BGM+1");
                    doc.key_value(crate::keys::PO_NUMBER, seg.component(2, 1), "BGM+2");
                    doc.key_value(crate::keys::MESSAGE_FUNCTION, seg.el(3), "BGM+3");
                } else if !doc.diagnostics.iter().any(|d| d.code == "edi_repeated_header") {
                    doc.diagnose(
                        Severity::Warning,
                        "edi_repeated_header",
                        "the message repeats its BGM segment; the first one counts",
                    );
                }
            }
            b"DTM" => {
                let (qualifier, value) = (seg.component(1, 1), seg.component(1, 2));
                let key: Cow<'static, str> = match qualifier {
                    "137" | "4" => "order_date".into(),
                    "2" | "10" | "63" | "64" | "69" => "requested_delivery_date".into(),
                    q => format!("date.{q}").into(),
                };
                if in_line && key == "requested_delivery_date" {
                    if let (Some(line), Some(d)) = (lines.last_mut(), iso_date(value)) {
                        line[9] = d;
                    }
                } else if doc.value(&key).is_none()
                    && let Some(d) = iso_date(value)
                {
                    doc.key_value(key, d, format!("DTM+{qualifier}"));
                }
            }
            b"RFF" if !in_line => {
                let (qualifier, value) = (seg.component(1, 1), seg.component(1, 2));
                let key: Cow<'static, str> = match qualifier {
                    "ON" => "original_po_number".into(),
                    q => crate::keys::reference(q).into(),
                };
                if doc.value(&key).is_none() {
                    doc.key_value(key, value, format!("RFF+{qualifier}"));
                }
            }
            b"CUX" => doc.key_value(crate::keys::CURRENCY, seg.component(1, 2), "CUX"),
            b"NAD" => {
                in_line = false;
                let party = party_role(seg.el(1));
                if parties_seen.iter().any(|p: &String| p == party) {
                    continue;
                }
                parties_seen.push(party.to_owned());
                let src = format!("NAD+{}", seg.el(1));
                doc.key_value(crate::keys::party(party, "id"), seg.component(2, 1), src.clone());
                let name = if seg.el(4).is_empty() {
                    seg.component(3, 1)
                } else {
                    seg.component(4, 1)
                };
                doc.key_value(crate::keys::party(party, "name"), name, src.clone());
                doc.key_value(crate::keys::party(party, "street"), seg.component(5, 1), src.clone());
                doc.key_value(crate::keys::party(party, "city"), seg.el(6), src.clone());
                doc.key_value(crate::keys::party(party, "zip"), seg.el(8), src.clone());
                doc.key_value(crate::keys::party(party, "country"), seg.el(9), src);
            }
            b"CTA" => doc.key_value("contact.name", seg.component(2, 2), "CTA"),
            b"LIN" => {
                in_line = true;
                let mut line = crate::model::empty_line();
                line[0] = if seg.el(1).is_empty() {
                    (lines.len() + 1).to_string()
                } else {
                    seg.el(1).to_owned()
                };
                item_id(&mut line, seg.component(3, 1), seg.component(3, 2));
                lines.push(line);
            }
            b"PIA" => {
                if let Some(line) = lines.last_mut() {
                    for e in 2..=seg.elements.len() {
                        item_id(line, seg.component(e, 1), seg.component(e, 2));
                    }
                }
            }
            b"IMD" => {
                if let Some(line) = lines.last_mut().filter(|_| in_line) {
                    let text = [seg.component(3, 4), seg.component(3, 5)].join(" ");
                    let text = text.trim();
                    if !text.is_empty() {
                        line[8] = if line[8].is_empty() {
                            text.to_owned()
                        } else {
                            format!("{} {text}", line[8])
                        };
                    }
                }
            }
            b"QTY" => {
                if let Some(line) = lines.last_mut().filter(|_| in_line)
                    && matches!(seg.component(1, 1), "21" | "1" | "113")
                {
                    line[1] = number(seg.component(1, 2), sep);
                    line[2] = seg.component(1, 3).to_owned();
                }
            }
            b"PRI" => {
                if let Some(line) = lines.last_mut().filter(|_| in_line)
                    && (line[3].is_empty() || seg.component(1, 1) == "AAA")
                {
                    line[3] = number(seg.component(1, 2), sep);
                }
            }
            b"MOA" if !in_line || seg.component(1, 1) == "79" || seg.component(1, 1) == "86" => {
                if matches!(seg.component(1, 1), "79" | "86" | "128") {
                    doc.key_value(
                        crate::keys::STATED_TOTAL,
                        number(seg.component(1, 2), sep),
                        format!("MOA+{}", seg.component(1, 1)),
                    );
                }
            }
            b"UNS" => in_line = false,
            b"CNT" => doc.key_value(crate::keys::LINE_COUNT, seg.component(1, 2), "CNT"),
            _ => {}
        }
    }
    if let Some((doc, lines)) = current.take() {
        docs.push(finish(doc, lines, "edi_unterminated"));
    }
    docs
}

/// Files an item number by its type code: EN/UP GTINs, SA supplier's, IN/BP buyer's.
fn item_id(line: &mut [String], id: &str, kind: &str) {
    if id.is_empty() {
        return;
    }
    let slot = match kind {
        "EN" | "SRV" => 6,
        "UP" => 7,
        "SA" | "VN" | "MF" => 5,
        "IN" | "BP" => 4,
        _ if id.len() >= 8 && id.bytes().all(|b| b.is_ascii_digit()) => 6,
        _ => 5,
    };
    if line[slot].is_empty() {
        line[slot] = id.to_owned();
    }
}

fn finish(mut doc: Document, lines: Vec<Vec<String>>, problem: &'static str) -> Document {
    if !problem.is_empty() {
        doc.diagnose(
            Severity::Warning,
            problem,
            "the message has no UNT segment; read what was there",
        );
    }
    doc.tables.extend(crate::model::line_table(lines, &[]));
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDER: &str = "UNA:+,? 'UNB+UNOA:4+12345678:8+WBDZDD:ZZ+081012:0255+807'UNH+1+ORDERS:D:96A:UN:EAN008'\
BGM+220::9+801715918011+9+NA'DTM+137:201508030000:203'DTM+2:201508060000:203'NAD+BY+8711576000012::9'\
LIN+1++5020436373085:EN'IMD+F++:::Schraube M8?+Mutter'QTY+21:8:PCE'PRI+AAA:1,25'UNS+S'UNT+10+1'UNZ+1+807'";

    #[test]
    fn una_separators_and_release_characters() {
        let (segments, sep) = tokenize(ORDER);
        assert_eq!(sep.decimal, ',');
        let imd = segments.iter().find(|s| s.tag == "IMD").unwrap();
        assert_eq!(imd.component(3, 4), "Schraube M8+Mutter");
    }

    #[test]
    fn an_orders_message_becomes_header_and_lines() {
        let (segments, sep) = tokenize(ORDER);
        let docs = to_documents(&segments, sep, "", None);
        assert_eq!(docs.len(), 1);
        let d = &docs[0];
        assert_eq!(d.message_type.as_deref(), Some("ORDERS"));
        assert_eq!(d.value("po_number"), Some("801715918011"));
        assert_eq!(d.value("order_date"), Some("2015-08-03"));
        assert_eq!(d.value("requested_delivery_date"), Some("2015-08-06"));
        assert_eq!(d.value("party.buyer.id"), Some("8711576000012"));
        assert_eq!(
            d.tables[0].row(1),
            vec![
                "1",
                "8",
                "PCE",
                "1.25",
                "",
                "",
                "5020436373085",
                "",
                "Schraube M8+Mutter",
                ""
            ]
        );
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
    }

    #[test]
    fn line_breaks_between_segments_and_no_una() {
        let text = "UNB+UNOC:3+S+R+250322:1200+1'\r\n  UNH+1+ORDERS:D:96A:UN'\r\n  BGM+220+PO1+9'\r\n  UNT+3+1'\r\n";
        let (segments, sep) = tokenize(text);
        assert_eq!(
            segments.iter().map(|s| s.tag).collect::<Vec<_>>(),
            vec!["UNB", "UNH", "BGM", "UNT"]
        );
        assert_eq!(
            to_documents(&segments, sep, "", None)[0].value("po_number"),
            Some("PO1")
        );
    }

    #[test]
    fn broken_input_never_panics() {
        for text in [
            "",
            "UNA",
            "UNA:+",
            "UNH+1+ORDERS'LIN",
            "?",
            "UNA:+.? 'BGM+??'",
            "UNH+1+ORDERS'QTY+21:5'PRI'",
        ] {
            let (segments, sep) = tokenize(text);
            let _ = to_documents(&segments, sep, "", None);
        }
    }
}

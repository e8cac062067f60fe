//! ANSI X12: the ISA envelope gives the separators; 850 orders and 860 changes
//! map to a Document with header key–values and a line table.

use std::borrow::Cow;

use super::{Segment, iso_date, strip_start};
use crate::model::{Document, Format, Severity};

/// The separators of one interchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Separators {
    pub element: char,
    pub component: char,
    pub segment: char,
}

/// Reads the separators from an ISA segment at the start of `text`.
///
/// The ISA is fixed-width by the standard, but real files pad it wrongly, so
/// the separators are found by counting: the character after `ISA` separates
/// elements, the one after the sixteenth separator (ISA16) separates
/// components, and the next one ends segments.
pub fn separators(text: &str) -> Option<Separators> {
    let rest = text.strip_prefix("ISA")?;
    let mut chars = rest.chars();
    let element = chars.next()?;
    if element.is_alphanumeric() || element.is_whitespace() {
        return None;
    }
    let mut seen = 1;
    for c in chars.by_ref().take(200) {
        if c == element {
            seen += 1;
            if seen == 16 {
                break;
            }
        }
    }
    if seen != 16 {
        return None;
    }
    let component = chars.next()?;
    let segment = chars.next()?;
    Some(Separators {
        element,
        component,
        segment,
    })
}

/// Splits a file into interchanges' segments. Errors become `(message)` entries.
pub fn tokenize(text: &str) -> (Vec<Segment<'_>>, Vec<String>) {
    let mut segments = Vec::new();
    let mut problems = Vec::new();
    let mut rest = strip_start(text);
    while !rest.is_empty() {
        let Some(sep) = separators(rest) else {
            problems.push(format!(
                "expected an ISA envelope with 16 elements at '{}'",
                rest.chars().take(20).collect::<String>()
            ));
            break;
        };
        loop {
            let (raw, tail) = match rest.find(sep.segment) {
                Some(i) => (&rest[..i], &rest[i + sep.segment.len_utf8()..]),
                None => (rest, ""),
            };
            rest = tail.trim_start_matches(['\r', '\n', ' ', '\t']);
            let raw = raw.trim_matches(['\r', '\n', ' ', '\t']);
            if raw.is_empty() {
                if rest.is_empty() {
                    break;
                }
                continue;
            }
            let mut parts = raw.split(sep.element);
            let tag = parts.next().unwrap_or("");
            let elements = parts
                .map(|e| e.split(sep.component).map(Cow::Borrowed).collect())
                .collect();
            let done = tag == "IEA";
            if segments.len() == crate::limits::MAX_SEGMENTS {
                problems.push(format!(
                    "more than {} segments; only the first {} are read (the file is kept whole)",
                    crate::limits::MAX_SEGMENTS,
                    crate::limits::MAX_SEGMENTS
                ));
                return (segments, problems);
            }
            segments.push(Segment { tag, elements });
            if done || rest.is_empty() {
                break;
            }
        }
        if !rest.is_empty() && !rest.starts_with("ISA") {
            problems.push(format!(
                "text after the interchange end (IEA): '{}'",
                rest.chars().take(20).collect::<String>()
            ));
            break;
        }
    }
    (segments, problems)
}

fn party_role(code: &str) -> &str {
    match code {
        "BY" => "buyer",
        "BT" => "bill_to",
        "ST" => "ship_to",
        "SE" | "VN" | "SU" => "supplier",
        "SF" => "ship_from",
        other => other,
    }
}

/// One Document per transaction set (ST … SE).
pub fn to_documents(segments: &[Segment<'_>], part: &str, name: Option<String>) -> Vec<Document> {
    let mut docs = Vec::new();
    let mut interchange: Vec<(String, String)> = Vec::new();
    let mut current: Option<(Document, Vec<Vec<String>>)> = None;
    let mut party = String::new();
    let mut in_line = false;
    for seg in segments {
        let src = |e: usize| format!("{}{:02}", seg.tag, e);
        match seg.tag {
            "ISA" => {
                interchange = vec![
                    ("interchange.sender".into(), seg.el(6).trim().to_owned()),
                    ("interchange.receiver".into(), seg.el(8).trim().to_owned()),
                    ("interchange.control_no".into(), seg.el(13).to_owned()),
                ];
            }
            "ST" => {
                let mut doc = Document::new(part, name.clone(), Format::X12);
                doc.message_type = Some(seg.el(1).to_owned());
                for (k, v) in &interchange {
                    doc.key_value(k.clone(), v.clone(), "ISA");
                }
                doc.key_value(crate::keys::MESSAGE_TYPE, seg.el(1), "ST01");
                current = Some((doc, Vec::new()));
            }
            "SE" => {
                if let Some((doc, lines)) = current.take() {
                    docs.push(finish(doc, lines));
                }
            }
            _ => {}
        }
        let Some((doc, lines)) = current.as_mut() else { continue };
        match seg.tag {
            "PO1" | "POC" => in_line = true,
            "N1" | "BEG" | "BCH" | "CTT" => in_line = false,
            _ => {}
        }
        match seg.tag {
            // BEG (order) and BCH (change) share their first four elements; BCH
            // adds the change sequence before the date.
            "BEG" | "BCH" => {
                doc.key_value(crate::keys::PURPOSE, seg.el(1), src(1));
                doc.key_value(crate::keys::ORDER_TYPE, seg.el(2), src(2));
                doc.key_value(crate::keys::PO_NUMBER, seg.el(3), src(3));
                doc.key_value(crate::keys::RELEASE_NUMBER, seg.el(4), src(4));
                let date_at = if seg.tag == "BCH" {
                    doc.key_value(crate::keys::CHANGE_SEQUENCE, seg.el(5), src(5));
                    6
                } else {
                    5
                };
                if let Some(d) = iso_date(seg.el(date_at)) {
                    doc.key_value(crate::keys::ORDER_DATE, d, src(date_at));
                }
            }
            "CUR" => doc.key_value(crate::keys::CURRENCY, seg.el(2), src(2)),
            "REF" => doc.key_value(crate::keys::reference(seg.el(1)), seg.el(2), src(2)),
            "DTM" => {
                if let Some(d) = iso_date(seg.el(2)) {
                    let key = match seg.el(1) {
                        "002" | "010" | "074" => "requested_delivery_date".to_owned(),
                        "004" => "order_date".to_owned(),
                        q => format!("date.{q}"),
                    };
                    match lines.last_mut().filter(|_| key == "requested_delivery_date" && in_line) {
                        Some(line) => line[9] = d,
                        None => doc.key_value(key, d, src(2)),
                    }
                }
            }
            "N1" => {
                party = party_role(seg.el(1)).to_owned();
                doc.key_value(crate::keys::party(&party, "name"), seg.el(2), src(2));
                doc.key_value(crate::keys::party(&party, "id"), seg.el(4), src(4));
            }
            "N2" => doc.key_value(crate::keys::party(&party, "name2"), seg.el(1), src(1)),
            "N3" => doc.key_value(
                crate::keys::party(&party, "street"),
                [seg.el(1), seg.el(2)].join(" ").trim(),
                src(1),
            ),
            "N4" => {
                doc.key_value(crate::keys::party(&party, "city"), seg.el(1), src(1));
                doc.key_value(crate::keys::party(&party, "region"), seg.el(2), src(2));
                doc.key_value(crate::keys::party(&party, "zip"), seg.el(3), src(3));
                doc.key_value(crate::keys::party(&party, "country"), seg.el(4), src(4));
            }
            "PER" => doc.key_value("contact.name", seg.el(2), src(2)),
            "PO1" => lines.push(item_line(seg, 1, 2, 3, 4, 6, lines.len())),
            // POC: line, change type, quantity ordered, quantity left to receive, unit, price.
            "POC" => {
                let mut line = item_line(seg, 1, 3, 5, 6, 8, lines.len());
                line.push(seg.el(2).to_owned());
                lines.push(line);
            }
            "PID" => {
                if let Some(line) = lines.last_mut() {
                    let text = seg.el(5);
                    if !text.is_empty() {
                        line[8] = if line[8].is_empty() {
                            text.to_owned()
                        } else {
                            format!("{} {text}", line[8])
                        };
                    }
                }
            }
            "AMT" if seg.el(1) == "TT" => doc.key_value(crate::keys::STATED_TOTAL, seg.el(2), src(2)),
            "CTT" => doc.key_value(crate::keys::LINE_COUNT, seg.el(1), src(1)),
            _ => {}
        }
    }
    if let Some((mut doc, lines)) = current.take() {
        doc.diagnose(
            Severity::Warning,
            "edi_unterminated",
            "the transaction set has no SE segment; read what was there",
        );
        docs.push(finish(doc, lines));
    }
    docs
}

/// A line from PO1/POC-like elements: product ids come in qualifier/value pairs from `ids`.
fn item_line(
    seg: &Segment<'_>,
    no: usize,
    qty: usize,
    unit: usize,
    price: usize,
    ids: usize,
    index: usize,
) -> Vec<String> {
    let mut line = crate::model::empty_line();
    line[0] = if seg.el(no).is_empty() {
        (index + 1).to_string()
    } else {
        seg.el(no).to_owned()
    };
    line[1] = seg.el(qty).to_owned();
    line[2] = seg.el(unit).to_owned();
    line[3] = seg.el(price).to_owned();
    let mut i = ids;
    while i < seg.elements.len() + 1 {
        let (qualifier, value) = (seg.el(i), seg.el(i + 1));
        let slot = match qualifier {
            "BP" | "IN" | "CB" => Some(4),
            "VP" | "VN" | "VA" | "SK" => Some(5),
            "EN" | "EO" => Some(6),
            "UP" | "UA" | "UK" | "UI" => Some(7),
            // Other qualifiers (ST style, MG manufacturer's part …) are seller-side numbers.
            "" => None,
            _ => Some(5),
        };
        if let Some(slot) = slot
            && line[slot].is_empty()
        {
            line[slot] = value.to_owned();
        }
        i += 2;
    }
    line
}

fn finish(mut doc: Document, lines: Vec<Vec<String>>) -> Document {
    let changes = lines.iter().any(|l| l.len() > crate::model::LINE_COLUMNS.len());
    doc.tables.extend(crate::model::line_table(
        lines,
        if changes { &["change_type"] } else { &[] },
    ));
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDER: &str = "ISA*00*          *00*          *ZZ*SENDERISA      *14*0073268795005  *020226*1534*U*00401*000000001*0*T*>~\n\
GS*PO*SENDERGS*007326879*20020226*1534*1*X*004010~\nST*850*000000001~\nBEG*00*SA*A99999-01**19970214~\n\
DTM*002*19971219~\nN1*ST*BUYSNACKS PORT*9*1223334445~\nN3*1000 N. SAMPLE HIGHWAY~\nN4*ATHENS*GA*30603~\n\
PO1**16*CA*12.34**CB*000111111*UA*002840022222~\nPID*F****CRUNCHY CHIPS LSS~\nCTT*1~\nSE*10*000000001~\nGE*1*1~\nIEA*1*000000001~\n";

    #[test]
    fn separators_come_from_the_isa() {
        let sep = separators(ORDER).unwrap();
        assert_eq!((sep.element, sep.component, sep.segment), ('*', '>', '~'));
    }

    #[test]
    fn an_850_becomes_header_and_lines() {
        let (segments, problems) = tokenize(ORDER);
        assert!(problems.is_empty(), "{problems:?}");
        let docs = to_documents(&segments, "", None);
        assert_eq!(docs.len(), 1);
        let d = &docs[0];
        assert_eq!(d.value("po_number"), Some("A99999-01"));
        assert_eq!(d.value("order_date"), Some("1997-02-14"));
        assert_eq!(d.value("requested_delivery_date"), Some("1997-12-19"));
        assert_eq!(d.value("party.ship_to.city"), Some("ATHENS"));
        assert_eq!(
            d.tables[0].row(1),
            vec![
                "1",
                "16",
                "CA",
                "12.34",
                "000111111",
                "",
                "",
                "002840022222",
                "CRUNCHY CHIPS LSS",
                ""
            ]
        );
    }

    #[test]
    fn other_separators_and_two_interchanges() {
        let one = ORDER.replace('*', "|").replace('~', "\n");
        let two = format!("\u{feff}{one}{one}");
        let (segments, problems) = tokenize(&two);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(to_documents(&segments, "", None).len(), 2);
    }

    #[test]
    fn garbage_is_a_problem_not_a_panic() {
        for text in [
            "ISA*short~",
            "",
            "ISA",
            "IEA*1~",
            "ISA*00*          *00*          *ZZ*SENDERISA      *14*0073268795005  *020226*1534*U*00401*000000001*0*T*>~garbage",
        ] {
            let (segments, _problems) = tokenize(text);
            let _ = to_documents(&segments, "", None);
        }
        let (_, problems) = tokenize("ISA*short~");
        assert_eq!(problems.len(), 1);
    }
}

//! MIME messages: headers, text and HTML bodies, attachments (parsed by their
//! own format), forwarded messages (recursively). Charsets, quoted-printable,
//! base64 and RFC 2047 headers are decoded by mail-parser, which is lenient.

use mail_parser::{MessageParser, MimeHeaders, PartType};

use crate::model::{Document, Format, Severity, text_blocks};

/// Forwarded messages nested deeper than this are not opened.
const MAX_DEPTH: usize = 8;

/// The headers that identify a mail, read without parsing its parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailHeaders {
    pub message_id: Option<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
}

/// Reads Message-ID, From and Subject, if `bytes` is a mail.
pub fn headers(bytes: &[u8]) -> Option<MailHeaders> {
    let message = MessageParser::new().parse_headers(bytes)?;
    Some(MailHeaders {
        message_id: message.message_id().map(str::to_owned),
        from: message
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(str::to_owned),
        subject: message.subject().map(str::to_owned),
    })
}

pub fn parse(bytes: &[u8], part: &str, depth: usize, out: &mut Vec<Document>) {
    let Some(message) = MessageParser::default().parse(bytes) else {
        let mut doc = Document::new(part, None, Format::EmailText);
        doc.diagnose(
            Severity::Error,
            "mail_unreadable",
            "the message has no readable MIME structure",
        );
        out.push(doc);
        return;
    };
    let mut headers = Document::new(part, None, Format::EmailText);
    let address = |a: Option<&mail_parser::Address<'_>>| {
        a.and_then(|a| a.first())
            .map(|a| a.address().unwrap_or_default().to_owned())
            .unwrap_or_default()
    };
    let names = |a: Option<&mail_parser::Address<'_>>| {
        a.and_then(|a| a.first())
            .and_then(|a| a.name())
            .unwrap_or_default()
            .to_owned()
    };
    headers.key_value(crate::keys::FROM, address(message.from()), "From");
    headers.key_value(crate::keys::FROM_NAME, names(message.from()), "From");
    headers.key_value(crate::keys::TO, address(message.to()), "To");
    headers.key_value(crate::keys::REPLY_TO, address(message.reply_to()), "Reply-To");
    headers.key_value(crate::keys::SUBJECT, message.subject().unwrap_or_default(), "Subject");
    if let Some(date) = message.date() {
        headers.key_value(crate::keys::DATE, date.to_rfc3339(), "Date");
    }
    headers.key_value(
        crate::keys::MESSAGE_ID,
        message.message_id().unwrap_or_default(),
        "Message-ID",
    );
    // The topmost Authentication-Results is the receiving server's verdict (SPF, DKIM, DMARC).
    if let Some(raw) = message.header_raw("Authentication-Results") {
        let folded: Vec<&str> = raw.split_whitespace().collect();
        headers.key_value(
            crate::keys::AUTHENTICATION_RESULTS,
            folded.join(" "),
            "Authentication-Results",
        );
    }
    headers.key_value(
        "in_reply_to",
        message.in_reply_to().as_text().unwrap_or_default(),
        "In-Reply-To",
    );

    // The body: the text part, or HTML converted to text (tables become tab-separated rows).
    let body_text = message.body_text(0).map(|t| t.into_owned());
    let body_html = message.body_html(0).map(|t| t.into_owned());
    let mut body = headers;
    // A plain-text-only mail has its one part in both lists; mail-parser then
    // offers an HTML rendering of it that would lose the spacing of text tables.
    let first_is_html = message
        .html_body
        .first()
        .and_then(|&i| message.parts.get(i as usize))
        .is_some_and(|p| matches!(p.body, mail_parser::PartType::Html(_)));
    // Of two alternatives, the HTML one when only it has a table: platforms and
    // shops send the items as an HTML table and a plain list without prices.
    let html_rendering = body_html.as_deref().filter(|_| first_is_html).map(crate::html::to_text);
    let html_table = html_rendering
        .as_ref()
        .is_some_and(|(_, tables)| tables.iter().any(|t| t.rows.len() >= 2 && t.rows[0].cells.len() >= 3));
    let text_table = body_text.as_deref().is_some_and(has_text_table);
    match (&body_text, html_rendering) {
        (_, Some((text, tables)))
            if message.text_body.first() == message.html_body.first()
                || body_text.is_none()
                || (html_table && !text_table) =>
        {
            body.format = Format::EmailHtml;
            body.text_blocks = text_blocks(&text, 1);
            body.tables = tables;
        }
        (Some(text), _) => body.text_blocks = text_blocks(text, 1),
        _ => {}
    }
    out.push(body);

    let mut n = 0;
    for attachment in message.attachments() {
        n += 1;
        let sub = if part.is_empty() {
            n.to_string()
        } else {
            format!("{part}.{n}")
        };
        let name = attachment.attachment_name().map(str::to_owned);
        match &attachment.body {
            PartType::Message(inner) => {
                if depth >= MAX_DEPTH {
                    let mut doc = Document::new(sub, name, Format::EmailText);
                    doc.diagnose(
                        Severity::Warning,
                        "mail_too_deep",
                        format!("forwarded messages nested deeper than {MAX_DEPTH} are not opened"),
                    );
                    out.push(doc);
                } else {
                    parse(inner.raw_message(), &sub, depth + 1, out);
                }
            }
            _ => {
                let bytes = attachment.contents();
                let content_type = attachment
                    .content_type()
                    .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()).to_ascii_lowercase());
                if bytes.is_empty() {
                    let mut doc = Document::new(sub, name, Format::Unknown);
                    doc.diagnose(Severity::Warning, "attachment_empty", "the attachment is empty");
                    out.push(doc);
                    continue;
                }
                out.extend(crate::parse_part(
                    bytes,
                    name.as_deref(),
                    content_type.as_deref(),
                    &sub,
                    depth + 1,
                ));
            }
        }
    }
}

/// The bytes of the attachment a Document's `part` names (`"2"`, `"1.2"` in a
/// forwarded mail), numbered as [`parse`] numbers them; `None` when the mail
/// has no such part or the part is a mail itself.
pub fn part_bytes(bytes: &[u8], part: &str) -> Option<Vec<u8>> {
    let mut steps = part.split('.').map(|n| n.parse::<usize>().ok());
    let mut raw = bytes.to_vec();
    let mut depth = 0;
    loop {
        let n = steps.next()??;
        let message = MessageParser::default().parse(&raw)?;
        let attachment = message.attachments().nth(n.checked_sub(1)?)?;
        depth += 1;
        match &attachment.body {
            PartType::Message(inner) if depth < MAX_DEPTH => raw = inner.raw_message().to_vec(),
            PartType::Message(_) => return None,
            _ => {
                // The last step names a file; a step after it names nothing.
                return steps.next().is_none().then(|| attachment.contents().to_vec());
            }
        }
    }
}

/// The HTML body of the mail that part `part` is (`""`: the message itself;
/// `"2"`: a mail forwarded as its second attachment), as its sender wrote it.
pub fn html_body(bytes: &[u8], part: &str) -> Option<String> {
    let mut raw = bytes.to_vec();
    if !part.is_empty() {
        for (depth, step) in part.split('.').enumerate() {
            let n: usize = step.parse().ok()?;
            let message = MessageParser::default().parse(&raw)?;
            let attachment = message.attachments().nth(n.checked_sub(1)?)?;
            match &attachment.body {
                PartType::Message(inner) if depth + 1 < MAX_DEPTH => raw = inner.raw_message().to_vec(),
                _ => return None,
            }
        }
    }
    let message = MessageParser::default().parse(&raw)?;
    message.body_html(0).map(|h| h.into_owned())
}

/// Whether a plain-text body has a table: lines cut into three or more cells
/// by tabs or runs of spaces.
fn has_text_table(text: &str) -> bool {
    text.lines()
        .filter(|l| {
            let cells = l
                .split(['\t', '|'])
                .flat_map(|c| c.split("  "))
                .filter(|c| !c.trim().is_empty())
                .count();
            cells >= 3
        })
        .nth(1)
        .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_bodies_and_attachments() {
        let eml = "From: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <einkauf@muster.de>\r\n\
To: orders@orderdesk.example\r\nSubject: =?UTF-8?B?QmVzdGVsbHVuZyA0NTAwMDEyMzQ1?=\r\nMessage-ID: <abc@muster.de>\r\n\
Date: Fri, 20 Nov 2026 09:30:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
--b1\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
Sehr geehrte Damen und Herren,=0D=0Abitte liefern Sie 500 St=FCck HB-M8-40-A2.\r\n\
--b1\r\nContent-Type: text/csv; name=\"order.csv\"\r\nContent-Disposition: attachment; filename=\"order.csv\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nUG9zO0FydGlrZWw7TWVuZ2UKMTtIQi1NOC00MC1BMjs1MDAK\r\n--b1--\r\n";
        let mut docs = Vec::new();
        parse(eml.as_bytes(), "", 0, &mut docs);
        assert_eq!(docs.len(), 2, "{docs:?}");
        let body = &docs[0];
        assert_eq!(body.value("from"), Some("einkauf@muster.de"));
        assert_eq!(body.value("from_name"), Some("Jürgen Müller"));
        assert_eq!(body.value("subject"), Some("Bestellung 4500012345"));
        assert_eq!(body.value("message_id"), Some("abc@muster.de"));
        assert!(
            body.full_text().contains("500 Stück HB-M8-40-A2"),
            "{}",
            body.full_text()
        );
        let csv = &docs[1];
        assert_eq!(
            (csv.part.as_str(), csv.name.as_deref(), csv.format),
            ("1", Some("order.csv"), Format::Csv)
        );
        assert_eq!(csv.tables[0].row(1), vec!["1", "HB-M8-40-A2", "500"]);
    }

    fn alternative(text: &str, html: &str) -> String {
        format!(
            "From: noreply@platform.example\r\nSubject: Neue Bestellung\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=\"a\"\r\n\r\n--a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
{text}\r\n--a\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--a--\r\n"
        )
    }

    const ITEMS_HTML: &str = "<table><tr><th>Menge</th><th>Art.-Nr.</th><th>Einzelpreis</th></tr>\
<tr><td>10</td><td>HB-M8-40</td><td>0,12 EUR</td></tr></table>";

    #[test]
    fn the_html_alternative_is_read_when_only_it_has_the_item_table() {
        let mut docs = Vec::new();
        parse(
            alternative("1. 10 Stk HB-M8-40", ITEMS_HTML).as_bytes(),
            "",
            0,
            &mut docs,
        );
        assert_eq!(docs[0].format, Format::EmailHtml);
        assert_eq!(docs[0].tables[0].row(1), vec!["10", "HB-M8-40", "0,12 EUR"]);

        // A plain part with its own table is kept: its spacing is the layout.
        let text = "Menge  Art.-Nr.   Einzelpreis\r\n10     HB-M8-40   0,12\r\n20     HB-M8-50   0,14";
        let mut docs = Vec::new();
        parse(alternative(text, ITEMS_HTML).as_bytes(), "", 0, &mut docs);
        assert_eq!(docs[0].format, Format::EmailText);
        assert!(docs[0].tables.is_empty());
    }

    #[test]
    fn forwarded_mails_are_opened_with_their_attachments() {
        let inner = "From: einkauf@muster.de\r\nSubject: Bestellung 77\r\nMessage-ID: <inner@muster.de>\r\n\
Content-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\nContent-Type: text/plain\r\n\r\nSiehe Anhang.\r\n\
--i\r\nContent-Type: text/csv; name=po.csv\r\nContent-Disposition: attachment; filename=po.csv\r\n\r\nArtikel;Menge\r\nHB-1;5\r\n--i--\r\n";
        let outer = format!(
            "From: vertrieb@example.com\r\nSubject: Fwd: Bestellung 77\r\nMessage-ID: <outer@example.com>\r\n\
Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\nBitte erfassen.\r\n\
--o\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=fwd.eml\r\n\r\n{inner}--o--\r\n"
        );
        let mut docs = Vec::new();
        parse(outer.as_bytes(), "", 0, &mut docs);
        let parts: Vec<(&str, Option<&str>)> = docs.iter().map(|d| (d.part.as_str(), d.value("subject"))).collect();
        assert_eq!(
            parts,
            vec![
                ("", Some("Fwd: Bestellung 77")),
                ("1", Some("Bestellung 77")),
                ("1.1", None)
            ],
            "{docs:#?}"
        );
        assert_eq!(docs[1].value("from"), Some("einkauf@muster.de"));
        assert_eq!(docs[2].tables[0].row(1), vec!["HB-1", "5"]);
    }
}

#[cfg(test)]
mod part_tests {
    use super::*;

    fn mail_with(attachment: &[u8], name: &str) -> Vec<u8> {
        use std::fmt::Write;
        let encoded: String = attachment.iter().fold(String::new(), |mut out, b| {
            let _ = write!(out, "={b:02X}");
            out
        });
        format!(
            "From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n\
             --b\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n{encoded}\r\n--b--\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn a_part_is_found_by_its_number_also_in_a_forwarded_mail() {
        let file = b"%PDF-1.4 the order".to_vec();
        let mail = mail_with(&file, "order.pdf");
        assert_eq!(part_bytes(&mail, "1"), Some(file.clone()));
        assert_eq!(part_bytes(&mail, "2"), None);
        assert_eq!(part_bytes(&mail, "x"), None);
        let forwarded = format!(
            "From: b@example.com\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"o\"\r\n\r\n\
             --o\r\nContent-Type: text/plain\r\n\r\nFYI\r\n\
             --o\r\nContent-Type: message/rfc822\r\n\r\n{}\r\n--o--\r\n",
            String::from_utf8(mail).unwrap()
        );
        assert_eq!(part_bytes(forwarded.as_bytes(), "1.1"), Some(file));
        assert_eq!(part_bytes(forwarded.as_bytes(), "1"), None, "a mail is no file");
    }
}

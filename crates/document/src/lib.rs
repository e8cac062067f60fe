//! Inbound files into [`Document`]s: sans-IO, lenient, never panicking.
//!
//! [`parse_file`] takes the bytes of one inbound file (a mail, an attachment,
//! an EDI drop) and returns one Document per part: a mail gives its body and
//! then each attachment, parsed by its own format; an EDI interchange gives one
//! Document per message. What cannot be read becomes a [`Diagnostic`] on the
//! Document it concerns; the rest is still read.
//!
//! Formats: MIME mail (`email`, with `html` bodies), CSV and spreadsheets
//! (`sheet`), EDI X12 and EDIFACT (`edi`), UBL and openTRANS (`xml`), plain
//! text, PDF text layers with positions (`pdf`, one block per line with its box).

pub mod edi;
mod email;
pub mod keys;
pub use email::{MailHeaders, html_body, part_bytes};

/// Message-ID, sender and subject of a mail (MIME or Outlook .msg); `None` for other files.
pub fn mail_headers(bytes: &[u8]) -> Option<MailHeaders> {
    if msg::is_msg(bytes) {
        return msg::headers(bytes);
    }
    email::headers(bytes)
}
mod html;
pub mod limits;
pub mod model;
pub mod msg;
#[cfg(feature = "pdf")]
mod pdf;
pub mod sheet;
pub mod xml;

pub use model::{BoundingBox, Cell, Diagnostic, Document, Format, KeyValue, Severity, Table, TableRow, TextBlock};

/// Parts nested deeper than this (mails in mails in …) are not opened.
const MAX_DEPTH: usize = 8;

/// What a file's bytes are, from its content first and its name second.
pub fn detect(bytes: &[u8], name: Option<&str>, content_type: Option<&str>) -> Format {
    let ext = name
        .and_then(|n| n.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()))
        .unwrap_or_default();
    let head = &bytes[..bytes.len().min(4096)];
    let text_head = String::from_utf8_lossy(head);
    let trimmed = text_head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with(b"%PDF") || (ext == "pdf" && head.windows(4).any(|w| w == b"%PDF")) {
        return Format::Pdf;
    }
    if head.starts_with(b"PK\x03\x04") {
        return if ext == "ods"
            || head
                .windows(39)
                .any(|w| w == b"application/vnd.oasis.opendocument.spre")
        {
            Format::Ods
        } else {
            Format::Xlsx
        };
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Format::Xls;
    }
    if edi::looks_like_x12(trimmed) {
        return Format::X12;
    }
    if edi::looks_like_edifact(trimmed) {
        return Format::Edifact;
    }
    if trimmed.starts_with('<') {
        if let Some(root) = xml::root_element(bytes) {
            let lower = root.to_ascii_lowercase();
            if lower == "html" {
                return Format::EmailHtml;
            }
            return match root.as_str() {
                "Order" | "OrderChange" | "OrderCancellation" | "RequestForQuotation" | "OrderResponse" => Format::Ubl,
                "ORDER" | "ORDERCHANGE" | "RFQ" | "ORDERRESPONSE" => Format::Opentrans,
                _ => Format::Xml,
            };
        }
        if trimmed.to_ascii_lowercase().starts_with("<!doctype html")
            || trimmed.to_ascii_lowercase().starts_with("<html")
        {
            return Format::EmailHtml;
        }
    }
    if ext == "eml" || content_type == Some("message/rfc822") || looks_like_mail(trimmed) {
        return Format::EmailText;
    }
    match (ext.as_str(), content_type) {
        ("csv" | "tsv", _) | (_, Some("text/csv")) => Format::Csv,
        ("htm" | "html", _) | (_, Some("text/html")) => Format::EmailHtml,
        ("xlsx" | "xlsm", _) => Format::Xlsx,
        ("xls", _) => Format::Xls,
        ("ods", _) => Format::Ods,
        _ if std::str::from_utf8(head).is_ok() || !head.contains(&0) => Format::Text,
        _ => Format::Unknown,
    }
}

/// RFC 5322 headers at the start: `Name: value` lines including From or Received.
fn looks_like_mail(text: &str) -> bool {
    let mut headers = 0;
    let mut known = false;
    for line in text.lines().take(40) {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        match line.split_once(':') {
            Some((name, _)) if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') => {
                headers += 1;
                known |= matches!(
                    name.to_ascii_lowercase().as_str(),
                    "from" | "received" | "message-id" | "mime-version" | "return-path" | "delivered-to"
                );
            }
            _ => return false,
        }
    }
    headers >= 2 && known
}

/// Parses one inbound file into its Documents.
pub fn parse_file(bytes: &[u8], name: Option<&str>) -> Vec<Document> {
    let mut docs = parse_part(bytes, name, None, "", 0);
    if docs.len() > limits::MAX_DOCUMENTS {
        let total = docs.len();
        docs.truncate(limits::MAX_DOCUMENTS);
        docs[0].diagnose(
            Severity::Error,
            "too_many_parts",
            format!(
                "the file holds {total} parts or messages; only the first {} are read (the file is kept whole)",
                limits::MAX_DOCUMENTS
            ),
        );
    }
    docs
}

/// What the caller decides before each part is read: `None` to read it, or
/// the reason it is not read (it then becomes a Document with that error).
pub type PartHook = Box<dyn Fn(&str, Format) -> Option<String>>;

thread_local! {
    static PART_HOOK: std::cell::RefCell<Option<PartHook>> = const { std::cell::RefCell::new(None) };
}

/// [`parse_file`] with `hook` asked before each part (the file itself is part
/// `""`) is read. A process that reads untrusted files in isolation uses it to
/// report how far it got and to leave out a part that ended an earlier attempt.
pub fn parse_file_with_hook(bytes: &[u8], name: Option<&str>, hook: PartHook) -> Vec<Document> {
    PART_HOOK.with(|h| *h.borrow_mut() = Some(hook));
    let docs = parse_file(bytes, name);
    PART_HOOK.with(|h| *h.borrow_mut() = None);
    docs
}

fn ask_hook(part: &str, format: Format) -> Option<String> {
    PART_HOOK.with(|h| h.borrow().as_ref().and_then(|hook| hook(part, format)))
}

pub(crate) fn parse_part(
    bytes: &[u8],
    name: Option<&str>,
    content_type: Option<&str>,
    part: &str,
    depth: usize,
) -> Vec<Document> {
    let is_msg = msg::is_msg(bytes);
    let format = if is_msg {
        Format::EmailText
    } else {
        detect(bytes, name, content_type)
    };
    if let Some(reason) = ask_hook(part, format) {
        let mut doc = Document::new(part, name.map(str::to_owned), format);
        doc.diagnose(Severity::Error, "part_not_read", reason);
        return vec![doc];
    }
    let mut docs = read_part(bytes, name, part, depth, format, is_msg);
    for doc in &mut docs {
        limits::bound(doc);
    }
    docs
}

fn read_part(
    bytes: &[u8],
    name: Option<&str>,
    part: &str,
    depth: usize,
    format: Format,
    is_msg: bool,
) -> Vec<Document> {
    let owned_name = name.map(str::to_owned);
    if is_msg {
        let mut out = Vec::new();
        msg::parse(bytes, part, depth, &mut out);
        return out;
    }
    if depth > MAX_DEPTH {
        let mut doc = Document::new(part, owned_name, format);
        doc.diagnose(
            Severity::Warning,
            "nested_too_deep",
            format!("parts nested deeper than {MAX_DEPTH} are not opened"),
        );
        return vec![doc];
    }
    match format {
        Format::EmailText => {
            let mut out = Vec::new();
            email::parse(bytes, part, depth, &mut out);
            if let Some(first) = out.first_mut()
                && first.name.is_none()
            {
                first.name = owned_name;
            }
            out
        }
        Format::EmailHtml => {
            let (text, _) = sheet::decode_text(bytes);
            let mut doc = Document::new(part, owned_name, Format::EmailHtml);
            let (plain, tables) = html::to_text(&text);
            doc.text_blocks = model::text_blocks(&plain, 1);
            doc.tables = tables;
            vec![doc]
        }
        Format::Csv => vec![sheet::parse_csv(bytes, part, owned_name)],
        Format::Xlsx | Format::Xls | Format::Ods => vec![sheet::parse_spreadsheet(bytes, format, part, owned_name)],
        Format::X12 => {
            let (text, _) = sheet::decode_text(bytes);
            let (segments, problems) = edi::x12::tokenize(&text);
            let mut docs = edi::x12::to_documents(&segments, part, owned_name.clone());
            attach_problems(&mut docs, problems, part, owned_name, Format::X12, "edi_envelope");
            docs
        }
        Format::Edifact => {
            let (text, _) = sheet::decode_text(bytes);
            let (segments, sep) = edi::edifact::tokenize(&text);
            let mut docs = edi::edifact::to_documents(&segments, sep, part, owned_name.clone());
            if docs.is_empty() {
                attach_problems(
                    &mut docs,
                    vec!["no message (UNH … UNT) in the interchange".into()],
                    part,
                    owned_name,
                    Format::Edifact,
                    "edi_envelope",
                );
            }
            docs
        }
        Format::Ubl | Format::Opentrans | Format::Xml => vec![xml::parse(bytes, part, owned_name)],
        #[cfg(feature = "pdf")]
        Format::Pdf => vec![pdf::parse(bytes, part, owned_name)],
        #[cfg(not(feature = "pdf"))]
        Format::Pdf => {
            let mut doc = Document::new(part, owned_name, Format::Pdf);
            doc.diagnose(
                Severity::Error,
                "pdf_not_read",
                "this build reads no PDFs; the file is kept for review",
            );
            vec![doc]
        }
        Format::Text => {
            let (text, encoding) = sheet::decode_text(bytes);
            let mut doc = Document::new(part, owned_name, Format::Text);
            if let Some(enc) = encoding {
                doc.diagnose(
                    Severity::Info,
                    "text_encoding",
                    format!("the text is not UTF-8; read as {enc}"),
                );
            }
            doc.text_blocks = model::text_blocks(&text, 1);
            vec![doc]
        }
        Format::Unknown => {
            let mut doc = Document::new(part, owned_name, Format::Unknown);
            doc.diagnose(
                Severity::Warning,
                "format_unknown",
                format!("{} bytes of a format Orderdesk does not read; kept as is", bytes.len()),
            );
            vec![doc]
        }
    }
}

fn attach_problems(
    docs: &mut Vec<Document>,
    problems: Vec<String>,
    part: &str,
    name: Option<String>,
    format: Format,
    code: &'static str,
) {
    if problems.is_empty() {
        return;
    }
    if docs.is_empty() {
        docs.push(Document::new(part, name, format));
    }
    for p in problems {
        docs[0].diagnose(Severity::Error, code, p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_by_content_first() {
        assert_eq!(detect(b"%PDF-1.7", Some("order.txt"), None), Format::Pdf);
        assert_eq!(detect(b"\xef\xbb\xbfUNA:+.? 'UNB+", None, None), Format::Edifact);
        assert_eq!(detect(b"  ISA*00*", Some("x.txt"), None), Format::X12);
        assert_eq!(
            detect(b"<?xml version=\"1.0\"?><Order xmlns=\"x\"/>", None, None),
            Format::Ubl
        );
        assert_eq!(
            detect(b"From: a@b.de\r\nSubject: x\r\n\r\nbody", None, None),
            Format::EmailText
        );
        assert_eq!(detect(b"a;b\n1;2\n", Some("ORDER.CSV"), None), Format::Csv);
        assert_eq!(detect(b"Bitte liefern Sie 5 Stk", None, None), Format::Text);
        assert_eq!(detect(b"\x00\x01\x02\xff", None, None), Format::Unknown);
    }
}

//! Outlook messages (.msg): an OLE compound file with one stream per MAPI
//! property. The body (plain text, else HTML), sender, subject and
//! Message-ID become the same Document a MIME mail gives; attachments are
//! parsed by their own format, embedded messages recursively.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use crate::email::MailHeaders;
use crate::model::{Document, Format, Severity, text_blocks};

type Compound<'a> = cfb::CompoundFile<Cursor<&'a [u8]>>;

/// Embedded messages nested deeper than this are not opened.
const MAX_DEPTH: usize = 8;
/// The largest property stream read (bodies and attachments included).
const MAX_STREAM_BYTES: u64 = 256 * 1024 * 1024;

const SUBJECT: u16 = 0x0037;
const SENDER_NAME: u16 = 0x0C1A;
const SENDER_EMAIL: u16 = 0x0C1F;
const SENDER_SMTP: u16 = 0x5D01;
const SENT_REPRESENTING_SMTP: u16 = 0x5D02;
const DISPLAY_TO: u16 = 0x0E04;
const BODY: u16 = 0x1000;
const HTML: u16 = 0x1013;
const INTERNET_MESSAGE_ID: u16 = 0x1035;
const TRANSPORT_HEADERS: u16 = 0x007D;
const ATTACH_DATA: u16 = 0x3701;
const ATTACH_FILENAME: u16 = 0x3704;
const ATTACH_LONG_FILENAME: u16 = 0x3707;
const ATTACH_MIME_TAG: u16 = 0x370E;

/// Whether `bytes` is an Outlook message (and not, say, an .xls, which is a compound file too).
pub fn is_msg(bytes: &[u8]) -> bool {
    if !bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return false;
    }
    let Ok(comp) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
        return false;
    };
    comp.exists("/__properties_version1.0")
        && ["0037001F", "0037001E", "1000001F", "1000001E", "10130102"]
            .iter()
            .any(|p| comp.exists(format!("/__substg1.0_{p}")))
}

fn stream(comp: &mut Compound<'_>, path: &Path) -> Option<Vec<u8>> {
    let mut s = comp.open_stream(path).ok()?;
    let mut out = Vec::new();
    (&mut s).take(MAX_STREAM_BYTES).read_to_end(&mut out).ok()?;
    Some(out)
}

fn property_path(storage: &Path, tag: u16, kind: &str) -> PathBuf {
    storage.join(format!("__substg1.0_{tag:04X}{kind}"))
}

/// A string property: UTF-16LE (`001F`), else 8-bit in Windows-1252 (`001E`).
fn text(comp: &mut Compound<'_>, storage: &Path, tag: u16) -> Option<String> {
    if let Some(raw) = stream(comp, &property_path(storage, tag, "001F")) {
        let units: Vec<u16> = raw.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        let s = String::from_utf16_lossy(&units);
        return Some(s.trim_end_matches('\0').to_owned()).filter(|s| !s.is_empty());
    }
    let raw = stream(comp, &property_path(storage, tag, "001E"))?;
    let (s, _, _) = encoding_rs::WINDOWS_1252.decode(&raw);
    Some(s.trim_end_matches('\0').to_owned()).filter(|s| !s.is_empty())
}

fn binary(comp: &mut Compound<'_>, storage: &Path, tag: u16) -> Option<Vec<u8>> {
    stream(comp, &property_path(storage, tag, "0102"))
}

/// Message-ID, sender and subject of an Outlook message.
pub fn headers(bytes: &[u8]) -> Option<MailHeaders> {
    let mut comp = cfb::CompoundFile::open(Cursor::new(bytes)).ok()?;
    let root = PathBuf::from("/");
    let transport = text(&mut comp, &root, TRANSPORT_HEADERS).and_then(|h| crate::email::headers(h.as_bytes()));
    Some(MailHeaders {
        message_id: text(&mut comp, &root, INTERNET_MESSAGE_ID)
            .map(|id| id.trim_matches(['<', '>']).to_owned())
            .or_else(|| transport.as_ref().and_then(|t| t.message_id.clone())),
        from: sender(&mut comp, &root).or_else(|| transport.as_ref().and_then(|t| t.from.clone())),
        subject: text(&mut comp, &root, SUBJECT).or_else(|| transport.and_then(|t| t.subject)),
    })
}

fn sender(comp: &mut Compound<'_>, storage: &Path) -> Option<String> {
    [SENDER_SMTP, SENT_REPRESENTING_SMTP, SENDER_EMAIL]
        .into_iter()
        .filter_map(|tag| text(comp, storage, tag))
        .find(|a| a.contains('@'))
}

/// Parses an Outlook message into Documents: its body first, then each attachment.
pub fn parse(bytes: &[u8], part: &str, depth: usize, out: &mut Vec<Document>) {
    match cfb::CompoundFile::open(Cursor::new(bytes)) {
        Ok(mut comp) => read_message(&mut comp, Path::new("/"), part, depth, out),
        Err(e) => {
            let mut doc = Document::new(part, None, Format::EmailText);
            doc.diagnose(
                Severity::Error,
                "msg_unreadable",
                format!("the Outlook message cannot be read: {e}"),
            );
            out.push(doc);
        }
    }
}

fn read_message(comp: &mut Compound<'_>, storage: &Path, part: &str, depth: usize, out: &mut Vec<Document>) {
    let mut doc = Document::new(part, None, Format::EmailText);
    let transport = text(comp, storage, TRANSPORT_HEADERS);
    let sender_address = sender(comp, storage);
    doc.key_value(
        crate::keys::FROM,
        sender_address.unwrap_or_default(),
        "PR_SENDER_SMTP_ADDRESS",
    );
    doc.key_value(
        crate::keys::FROM_NAME,
        text(comp, storage, SENDER_NAME).unwrap_or_default(),
        "PR_SENDER_NAME",
    );
    doc.key_value(
        crate::keys::TO,
        text(comp, storage, DISPLAY_TO).unwrap_or_default(),
        "PR_DISPLAY_TO",
    );
    doc.key_value(
        crate::keys::SUBJECT,
        text(comp, storage, SUBJECT).unwrap_or_default(),
        "PR_SUBJECT",
    );
    if let Some(message) = transport
        .as_deref()
        .and_then(|h| mail_parser::MessageParser::new().parse_headers(h.as_bytes()))
        && let Some(date) = message.date()
    {
        doc.key_value(crate::keys::DATE, date.to_rfc3339(), "Date");
    }
    doc.key_value(
        crate::keys::MESSAGE_ID,
        text(comp, storage, INTERNET_MESSAGE_ID)
            .map(|id| id.trim_matches(['<', '>']).to_owned())
            .unwrap_or_default(),
        "PR_INTERNET_MESSAGE_ID",
    );
    let html = binary(comp, storage, HTML)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .or_else(|| text(comp, storage, HTML));
    match (text(comp, storage, BODY), html) {
        (Some(body), _) => doc.text_blocks = text_blocks(&body, 1),
        (None, Some(html)) => {
            doc.format = Format::EmailHtml;
            let (text, tables) = crate::html::to_text(&html);
            doc.text_blocks = text_blocks(&text, 1);
            doc.tables = tables;
        }
        (None, None) => doc.diagnose(
            Severity::Warning,
            "msg_no_body",
            "the Outlook message has no text or HTML body",
        ),
    }
    out.push(doc);

    let attachments: Vec<PathBuf> = match comp.read_storage(storage) {
        Ok(entries) => {
            let mut found: Vec<PathBuf> = entries
                .filter(|e| e.is_storage() && e.name().starts_with("__attach_version1.0_"))
                .map(|e| e.path().to_path_buf())
                .collect();
            found.sort();
            found
        }
        Err(_) => Vec::new(),
    };
    for (n, attachment) in attachments.iter().enumerate() {
        let sub = if part.is_empty() {
            (n + 1).to_string()
        } else {
            format!("{part}.{}", n + 1)
        };
        let name = text(comp, attachment, ATTACH_LONG_FILENAME).or_else(|| text(comp, attachment, ATTACH_FILENAME));
        let embedded = attachment.join("__substg1.0_3701000D");
        if comp.is_storage(&embedded) {
            if depth >= MAX_DEPTH {
                let mut doc = Document::new(sub, name, Format::EmailText);
                doc.diagnose(
                    Severity::Warning,
                    "mail_too_deep",
                    format!("forwarded messages nested deeper than {MAX_DEPTH} are not opened"),
                );
                out.push(doc);
            } else {
                read_message(comp, &embedded, &sub, depth + 1, out);
            }
            continue;
        }
        let mime = text(comp, attachment, ATTACH_MIME_TAG);
        match binary(comp, attachment, ATTACH_DATA) {
            Some(data) => out.extend(crate::parse_part(
                &data,
                name.as_deref(),
                mime.as_deref(),
                &sub,
                depth + 1,
            )),
            None => {
                let mut doc = Document::new(sub, name, Format::Unknown);
                doc.diagnose(
                    Severity::Warning,
                    "attachment_without_data",
                    "the attachment holds no data (a link or an OLE object); it was not read",
                );
                out.push(doc);
            }
        }
    }
}

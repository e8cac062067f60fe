//! Outlook .msg files, written here as Outlook lays them out (a compound
//! file with one stream per MAPI property), read back as Documents.

use std::io::{Cursor, Write};

use document::{Format, parse_file};

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn put(comp: &mut cfb::CompoundFile<Cursor<Vec<u8>>>, path: &str, bytes: &[u8]) {
    comp.create_stream(path).unwrap().write_all(bytes).unwrap();
}

fn message_streams(comp: &mut cfb::CompoundFile<Cursor<Vec<u8>>>, at: &str, subject: &str, body: &str, from: &str) {
    put(comp, &format!("{at}/__properties_version1.0"), &[0u8; 32]);
    put(comp, &format!("{at}/__substg1.0_0037001F"), &utf16(subject));
    put(comp, &format!("{at}/__substg1.0_1000001F"), &utf16(body));
    put(comp, &format!("{at}/__substg1.0_5D01001F"), &utf16(from));
    put(
        comp,
        &format!("{at}/__substg1.0_0C1A001F"),
        &utf16("Einkauf Muster GmbH"),
    );
}

/// An order mail saved from Outlook: body table, a CSV attachment, a forwarded message inside.
fn outlook_order() -> Vec<u8> {
    let mut comp = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    message_streams(
        &mut comp,
        "",
        "Bestellung 4500012345",
        "Guten Tag,\r\n\r\nPos\tArtikel-Nr.\tMenge\r\n1\tDIN933-M8x40-A2\t500\r\n",
        "einkauf@muster.example",
    );
    put(&mut comp, "/__substg1.0_1035001F", &utf16("<abc-123@muster.example>"));
    comp.create_storage("/__attach_version1.0_#00000000").unwrap();
    put(
        &mut comp,
        "/__attach_version1.0_#00000000/__substg1.0_3707001F",
        &utf16("positionen.csv"),
    );
    put(
        &mut comp,
        "/__attach_version1.0_#00000000/__substg1.0_37010102",
        b"sku;menge\nDIN933-M8x40-A2;500\n",
    );
    comp.create_storage("/__attach_version1.0_#00000001").unwrap();
    comp.create_storage("/__attach_version1.0_#00000001/__substg1.0_3701000D")
        .unwrap();
    message_streams(
        &mut comp,
        "/__attach_version1.0_#00000001/__substg1.0_3701000D",
        "WG: Anfrage",
        "Können Sie 20 Stück liefern?",
        "kollege@muster.example",
    );
    comp.flush().unwrap();
    comp.into_inner().into_inner()
}

#[test]
fn an_outlook_message_reads_like_a_mail() {
    let bytes = outlook_order();
    assert!(document::msg::is_msg(&bytes));
    let headers = document::mail_headers(&bytes).unwrap();
    assert_eq!(headers.subject.as_deref(), Some("Bestellung 4500012345"));
    assert_eq!(headers.from.as_deref(), Some("einkauf@muster.example"));
    assert_eq!(headers.message_id.as_deref(), Some("abc-123@muster.example"));

    let docs = parse_file(&bytes, Some("order.msg"));
    assert_eq!(docs.len(), 3, "{docs:#?}");
    let body = &docs[0];
    assert_eq!(body.format, Format::EmailText);
    assert_eq!(body.value("subject"), Some("Bestellung 4500012345"));
    assert_eq!(body.value("from"), Some("einkauf@muster.example"));
    assert!(
        body.full_text().contains("DIN933-M8x40-A2\t500"),
        "{}",
        body.full_text()
    );
    let csv = &docs[1];
    assert_eq!((csv.part.as_str(), csv.format), ("1", Format::Csv));
    assert_eq!(csv.name.as_deref(), Some("positionen.csv"));
    assert_eq!(csv.tables[0].rows[1].cells[0].text, "DIN933-M8x40-A2");
    let forwarded = &docs[2];
    assert_eq!(forwarded.part, "2");
    assert_eq!(forwarded.value("subject"), Some("WG: Anfrage"));
    assert!(forwarded.full_text().contains("20 Stück"));
}

#[test]
fn a_spreadsheet_is_not_taken_for_an_outlook_message() {
    let mut comp = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    put(&mut comp, "/Workbook", &[0u8; 64]);
    comp.flush().unwrap();
    let bytes = comp.into_inner().into_inner();
    assert!(!document::msg::is_msg(&bytes));
    let headers = document::mail_headers(&bytes);
    assert!(headers.is_none_or(|h| h.from.is_none() && h.message_id.is_none()));
    // A damaged compound file is neither: no panic, a diagnostic.
    let mut broken = outlook_order();
    broken.truncate(1000);
    let docs = parse_file(&broken, Some("order.msg"));
    assert!(!docs.is_empty());
    assert!(docs.iter().any(|d| !d.diagnostics.is_empty()), "{docs:#?}");
}

/// A compound file the fuzzer damaged (it once made the spreadsheet reader
/// assert): a diagnostic, no panic.
#[test]
fn a_damaged_compound_file_is_a_diagnostic() {
    let bytes = std::fs::read(format!(
        "{}/../../fuzz/corpus/parse_file/damaged-compound-file.xls",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let docs = parse_file(&bytes, Some("x.xls"));
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].diagnostics[0].code, "spreadsheet_unreadable");
}

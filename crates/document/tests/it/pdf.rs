//! PDFs from outside the project (invoice2data's real invoices): the text layer
//! comes out line by line with boxes, and what a person reads is in it.

use document::{Format, Severity, parse_file};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/invoice2data/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn text_of(name: &str) -> String {
    let docs = parse_file(&fixture(name), Some(name));
    assert_eq!(docs.len(), 1);
    let d = &docs[0];
    assert_eq!(d.format, Format::Pdf);
    assert!(
        d.diagnostics.iter().all(|x| x.severity < Severity::Error),
        "{name}: {:?}",
        d.diagnostics
    );
    assert!(
        d.text_blocks.iter().all(|b| b.bbox.is_some() && b.page >= 1),
        "{name}: every line has a box"
    );
    d.full_text()
}

#[test]
fn every_sample_pdf_reads_with_the_values_its_json_lists() {
    let expected: &[(&str, &[&str])] = &[
        (
            "AmazonWebServices.pdf",
            &[
                "Amazon Web Services Invoice",
                "42183017",
                "4.11",
                "AWS Data Transfer",
                "Amazon Glacier",
            ],
        ),
        (
            "AzureInterior.pdf",
            &["INV/2023/03/0008", "279.84", "4557 De Silva St", "Fremont"],
        ),
        ("FlipkartInvoice.pdf", &["OD304175096047380001", "20-10-2015", "319"]),
        ("coolblue1.pdf", &["993548900", "12572103", "717,97"]),
        ("free_fiber.pdf", &["562044387", "29.99", "FO10479674"]),
    ];
    for (name, values) in expected {
        let text = text_of(name);
        for v in *values {
            assert!(text.contains(v), "{name}: '{v}' not found in:\n{text}");
        }
    }
}

#[test]
fn lines_are_in_reading_order_with_top_left_boxes() {
    let docs = parse_file(&fixture("AzureInterior.pdf"), None);
    let blocks = &docs[0].text_blocks;
    let first = &blocks[0];
    assert!(
        first.bbox.unwrap().y < 100.0,
        "the first line is near the top: {first:?}"
    );
    let tops: Vec<f32> = blocks.iter().map(|b| b.bbox.unwrap().y).collect();
    assert!(tops.windows(2).all(|w| w[0] <= w[1] + 0.5), "top to bottom: {tops:?}");
    // The invoice's due-date line holds both labels, left to right, one block.
    let line = blocks.iter().find(|b| b.text.contains("Invoice Date:")).unwrap();
    assert!(
        line.text.find("Invoice Date:") < line.text.find("Due Date:"),
        "{}",
        line.text
    );
}

#[test]
fn damaged_pdfs_are_diagnostics() {
    for (bytes, code) in [
        (b"%PDF-1.4\n1 0 obj\n<<".to_vec(), "pdf_unreadable"),
        (b"%PDF-1.6\ntrailer << /Encrypt 5 0 R >>".to_vec(), "pdf_encrypted"),
        (fixture("free_fiber.pdf")[..2000].to_vec(), "pdf_unreadable"),
    ] {
        let d = &parse_file(&bytes, Some("x.pdf"))[0];
        assert!(
            d.diagnostics.iter().any(|x| x.code == code || x.code == "pdf_no_text"),
            "{:?}",
            d.diagnostics
        );
    }
}

/// A page turned by its /Rotate entry (as "rotate page" tools and scanners
/// save it) reads like an upright one: its lines whole, in order.
/// (tests/fixtures/pdf/rotated.pdf: reportlab, page 1 turned with pypdf.)
#[test]
fn a_page_turned_by_its_rotate_entry_reads_in_order() {
    let bytes = std::fs::read(format!("{}/tests/fixtures/pdf/rotated.pdf", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let docs = parse_file(&bytes, Some("rotated.pdf"));
    let page1: Vec<&str> = docs[0]
        .text_blocks
        .iter()
        .filter(|b| b.page == 1)
        .map(|b| b.text.as_str())
        .collect();
    assert_eq!(
        page1,
        [
            "Bestellung 4500012345",
            "Pos   Artikel-Nr.   Menge",
            "1   DIN933-M8x40-A2   500"
        ]
    );
    // Text drawn at 90° on page 2 is read, though its two lines come out as
    // one block (the PDF reader reports their boxes unturned).
    let page2: String = docs[0]
        .text_blocks
        .iter()
        .filter(|b| b.page == 2)
        .map(|b| b.text.as_str())
        .collect();
    assert!(
        page2.contains("DIN934-M8-A2") && page2.contains("ISO7380-M4x10"),
        "{page2}"
    );
}

#[test]
fn an_invoice_table_is_given_as_a_table_region() {
    let docs = parse_file(&fixture("AzureInterior.pdf"), None);
    let table = docs[0]
        .tables
        .iter()
        .find(|t| {
            t.rows
                .iter()
                .any(|r| r.cells.iter().any(|c| c.text.contains("Beeswax XL")))
        })
        .expect("the line table");
    assert_eq!(table.header_rows, 1);
    assert_eq!(table.rows[0].cells[0].text, "Description");
    assert!(table.rows.iter().any(|r| r.cells[0].text.contains("Office Chair")));
}

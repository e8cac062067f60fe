//! The confirmation read back as a customer's system reads it: its text, its
//! pages, its numbers.

use jiff::civil::date;
use printout::{Confirmation, ConfirmedLine, Language, Letterhead, LineChange, Purpose, render_confirmation};
use rust_decimal_macros::dec;

fn letterhead() -> Letterhead {
    Letterhead {
        name: "Schrauben Müller GmbH".into(),
        address: vec![
            "Industriestraße 7".into(),
            "70565 Stuttgart".into(),
            "Deutschland".into(),
        ],
        phone: Some("+49 711 123450".into()),
        email: Some("auftrag@mueller-schrauben.example".into()),
        web: Some("www.mueller-schrauben.example".into()),
        vat_id: Some("DE123456789".into()),
        register: Some("Amtsgericht Stuttgart HRB 12345".into()),
        managing_directors: Some("Jörg Müller".into()),
        bank: Some("Volksbank Stuttgart".into()),
        iban: Some("DE02 6009 0100 0000 1234 56".into()),
        bic: Some("VOBADESS".into()),
        logo: None,
    }
}

fn confirmation(language: Language, lines: usize) -> Confirmation {
    Confirmation {
        purpose: Purpose::Confirmation,
        language,
        number: "AB-1042".into(),
        date: date(2026, 11, 30),
        revision: 1,
        customer_no: Some("10042".into()),
        customer_po: Some("4500012345".into()),
        po_date: Some(date(2026, 11, 27)),
        requested_delivery: Some(date(2026, 12, 4)),
        contact: Some("Anna Schäfer".into()),
        bill_to: vec![
            "Łódź Maszyny Sp. z o.o.".into(),
            "ul. Piotrkowska 12".into(),
            "90-001 Łódź".into(),
            "Polen".into(),
        ],
        ship_to: Some(vec![
            "Werk 2, Tor 3".into(),
            "Hafenstraße 1".into(),
            "28217 Bremen".into(),
        ]),
        currency: "EUR".into(),
        lines: (1..=lines as u32)
            .map(|n| ConfirmedLine {
                line_no: n,
                sku: Some(format!("HB-M8-{n}-A2")),
                customer_part_no: Some(format!("77-{n:04}")),
                description: format!("Sechskantschraube DIN 933 M8x{n} A2-70, blank, Größe {n}"),
                quantity: dec!(500),
                unit: "C62".into(),
                unit_price: dec!(0.1234),
                delivery_date: Some(date(2026, 12, 4)),
                changes: if n == 2 {
                    vec![
                        LineChange::Quantity {
                            ordered: dec!(480),
                            unit: "C62".into(),
                        },
                        LineChange::DeliveryDate {
                            requested: date(2026, 12, 1),
                        },
                    ]
                } else {
                    Vec::new()
                },
            })
            .collect(),
        payment_terms: Some("30 Tage netto, 14 Tage 2 % Skonto".into()),
        incoterms: Some("DAP Bremen".into()),
        signature: "Ihr Auftragsteam".into(),
    }
}

fn text_of(pdf: &[u8]) -> (u32, String) {
    let doc = document::parse_file(pdf, Some("confirmation.pdf"))
        .into_iter()
        .next()
        .expect("one document");
    assert!(
        doc.diagnostics.iter().all(|d| d.severity != document::Severity::Error),
        "{:?}",
        doc.diagnostics
    );
    let text = doc
        .text_blocks
        .iter()
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    (doc.pages, text)
}

#[test]
fn a_german_confirmation_reads_back_with_every_fact_and_its_changes_marked() {
    let c = confirmation(Language::German, 3);
    let pdf = render_confirmation(&c, &letterhead()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let (pages, text) = text_of(&pdf);
    assert_eq!(pages, 1);
    for expected in [
        "Auftragsbestätigung AB-1042",
        "Schrauben Müller GmbH",
        "Łódź Maszyny Sp. z o.o.",
        "4500012345",
        "27.11.2026",
        "10042",
        "Hafenstraße 1",
        "HB-M8-2-A2",
        "77-0002",
        "0,1234",
        "61,70",
        // 3 × 500 × 0,1234
        "185,10",
        "bestellt 480 Stk",
        "gewünscht 01.12.2026",
        "30 Tage netto, 14 Tage 2 % Skonto",
        "DAP Bremen",
        "DE02 6009 0100 0000 1234 56",
        "DE123456789",
        "Seite 1 von 1",
    ] {
        assert!(text.contains(expected), "'{expected}' is missing from:\n{text}");
    }
}

#[test]
fn a_long_english_confirmation_breaks_pages_and_numbers_them() {
    let c = confirmation(Language::English, 90);
    let pdf = render_confirmation(&c, &letterhead()).unwrap();
    let (pages, text) = text_of(&pdf);
    assert!(pages >= 3, "{pages} pages");
    assert!(text.contains(&format!("Page {pages} of {pages}")), "{text}");
    assert!(text.contains("Order confirmation AB-1042"));
    // The table header repeats on every page.
    assert_eq!(text.matches("Description").count() as u32, pages, "{text}");
    assert!(text.contains("ordered 480 pcs") && text.contains("requested 1 Dec 2026"));
    // 90 × 61,70
    assert!(text.contains("5,553.00"), "{text}");
    assert!(text.contains("HB-M8-90-A2"));
}

#[test]
fn an_amended_confirmation_says_so_and_a_bad_logo_is_a_specific_error() {
    let mut c = confirmation(Language::German, 1);
    c.revision = 2;
    let (_, text) = text_of(&render_confirmation(&c, &letterhead()).unwrap());
    assert!(text.contains("Geänderte Auftragsbestätigung AB-1042"), "{text}");
    let mut head = letterhead();
    head.logo = Some(b"not an image".to_vec());
    let err = render_confirmation(&c, &head).unwrap_err();
    assert!(matches!(err, printout::PrintError::Logo(_)), "{err}");
}

/// The first page of a German and the second of a long English
/// confirmation as PNG for the screenshot set (pdftoppm from poppler-utils,
/// which scripts/test installs).
#[test]
fn pages_are_rendered_for_the_screenshot_set() {
    let Some(pdftoppm) = which("pdftoppm") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "pdftoppm is missing: run the tests with scripts/test"
        );
        eprintln!("note: pdftoppm is missing; the confirmation screenshots are not made (scripts/test installs it)");
        return;
    };
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut with_logo = letterhead();
    with_logo.logo = Some(LOGO.to_vec());
    for (name, language, lines, page) in [
        ("confirmation", Language::German, 4, 1),
        ("confirmation-page2", Language::English, 40, 2),
    ] {
        let pdf = dir.path().join(format!("{name}.pdf"));
        std::fs::write(
            &pdf,
            render_confirmation(&confirmation(language, lines), &with_logo).unwrap(),
        )
        .unwrap();
        let out = std::process::Command::new(&pdftoppm)
            .args([
                "-png",
                "-r",
                "110",
                "-singlefile",
                "-f",
                &page.to_string(),
                "-l",
                &page.to_string(),
            ])
            .arg(&pdf)
            .arg(shots.join(name))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let png = std::fs::read(shots.join(format!("{name}.png"))).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 20_000,
            "{name}.png is {} bytes",
            png.len()
        );
    }
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| std::path::Path::new(dir).join(program))
        .find(|p| p.is_file())
}

/// A small logo: a 2:1 PNG.
static LOGO: &[u8] = include_bytes!("logo.png");

#[test]
fn a_quote_says_quote_its_validity_and_the_enquiry() {
    for (language, expected) in [
        (
            Language::German,
            [
                "Angebot AN-17",
                "Angebot Nr.",
                "Gültig bis",
                "Ihre Anfrage",
                "Dieses Angebot gilt bis zum 31.12.2026",
            ],
        ),
        (
            Language::English,
            [
                "Quotation AN-17",
                "Quotation no.",
                "Valid until",
                "Your enquiry",
                "This quotation is valid until",
            ],
        ),
    ] {
        let mut c = confirmation(language, 2);
        c.purpose = Purpose::Quote {
            valid_until: date(2026, 12, 31),
        };
        c.number = "AN-17".into();
        for line in &mut c.lines {
            line.changes.clear();
        }
        let (_, text) = text_of(&render_confirmation(&c, &letterhead()).unwrap());
        for e in expected {
            assert!(text.contains(e), "'{e}' is missing from:\n{text}");
        }
        assert!(!text.contains("AB-") && !text.contains("Auftragsbest"), "{text}");
    }
}

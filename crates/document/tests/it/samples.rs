//! Every shared EDI sample parses, and what a person reads in it comes out.

use document::{Document, Format, Severity, parse_file};

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn parse(path: &str) -> Vec<Document> {
    let docs = parse_file(&fixture(path), Some(path));
    for d in &docs {
        assert!(
            d.diagnostics.iter().all(|x| x.severity < Severity::Error),
            "{path}: {:?}",
            d.diagnostics
        );
    }
    docs
}

fn lines(d: &Document) -> Vec<Vec<&str>> {
    let t = &d.tables[0];
    (t.header_rows..t.rows.len()).map(|i| t.row(i)).collect()
}

#[test]
fn x12_004010_850() {
    let docs = parse("edi/x12/004010_850.edi");
    assert_eq!(docs.len(), 1);
    let d = &docs[0];
    assert_eq!((d.format, d.message_type.as_deref()), (Format::X12, Some("850")));
    assert_eq!(d.value("po_number"), Some("A99999-01"));
    assert_eq!(d.value("order_date"), Some("1997-02-14"));
    assert_eq!(d.value("requested_delivery_date"), Some("1997-12-19"));
    assert_eq!(d.value("party.bill_to.name"), Some("BUYSNACKS INC."));
    assert_eq!(d.value("party.ship_to.name"), Some("BUYSNACKS PORT"));
    assert_eq!(d.value("party.ship_to.zip"), Some("30603"));
    let l = lines(d);
    assert_eq!(l.len(), 7);
    assert_eq!(l[0][..4], ["1", "16", "CA", "12.34"]);
    assert_eq!(l[0][8], "CRUNCHY CHIPS LSS");
    assert_eq!(l[1][8], "NACHO CHIPS LSS");
}

#[test]
fn x12_850_with_bom_and_indentation() {
    let d = &parse("edi/x12/x12.850a.edi")[0];
    assert_eq!(d.value("po_number"), Some("4600000406"));
    assert_eq!(d.value("currency"), Some("USD"));
    assert_eq!(d.value("party.ship_to.name"), Some("Transplace Laredo"));
    assert_eq!(d.value("party.supplier.name"), Some("Supplier Name"));
    let l = lines(d);
    assert_eq!(l.len(), 3);
    assert_eq!(
        l[0][..6],
        [
            "000100001",
            "2500",
            "YD",
            "2.53",
            "A_QU001-BLK",
            "SINGLE LINE DIAMOND PATTERN"
        ]
    );
    assert_eq!(l[0][8], "4.4oz 3\" Diamond Quilt");

    let d = &parse("edi/x12/x12.850.edi")[0];
    assert_eq!(d.value("po_number"), Some("1000012"));
    assert_eq!(d.value("order_date"), Some("2009-08-27"));
    assert_eq!(d.value("party.ship_to.city"), Some("Hauppauge"));
    assert_eq!(
        lines(d),
        vec![vec!["1", "1", "EA", "19.95", "", "0054321", "", "", "", ""]]
    );
}

#[test]
fn x12_newline_terminated_segments() {
    // ISA16 is '~' and the segment terminator a line break: '~' ends up as a component separator.
    let docs = parse("edi/x12/x12.850.issue135.edi");
    assert_eq!(docs.len(), 2, "two transaction sets");
    assert_eq!(lines(&docs[0]).len() + lines(&docs[1]).len(), 21);
    let d = &docs[0];
    assert_eq!(d.value("po_number"), Some("740150"));
    let l = lines(d);
    assert_eq!(l[0][..2], ["10", "13200"]);
    assert_eq!(l[0][5], "F07EXPLBA1818");
    assert_eq!(l[0][8], "EXPLORERBARCELONA18X18");
    assert_eq!(l[0][9], "2019-03-09", "line delivery date from DTM*002");
}

#[test]
fn x12_860_change_and_other_transactions() {
    let d = &parse("edi/x12/005010_860.edi")[0];
    assert_eq!(d.message_type.as_deref(), Some("860"));
    assert_eq!(d.value("po_number"), Some("PO123"));
    assert_eq!(d.value("order_date"), Some("2020-01-01"));
    assert_eq!(d.tables[0].row(0).last(), Some(&"change_type"));
    assert_eq!(
        lines(d),
        vec![vec!["1", "5", "EA", "2.50", "", "ABC", "", "", "", "", "CA"]]
    );
    assert_eq!(parse("edi/x12/005010_810.edi")[0].message_type.as_deref(), Some("810"));
    assert_eq!(parse("edi/x12/005010_856.edi")[0].message_type.as_deref(), Some("856"));
}

#[test]
fn edifact_orders_d96a_eancom() {
    let docs = parse("edi/edifact/pydifact-order.edi");
    assert_eq!(docs.len(), 1);
    let d = &docs[0];
    assert_eq!((d.format, d.message_type.as_deref()), (Format::Edifact, Some("ORDERS")));
    assert_eq!(d.value("message_association"), Some("EAN008"));
    assert_eq!(d.value("po_number"), Some("801715918011"));
    assert_eq!(d.value("order_date"), Some("2015-08-03"));
    assert_eq!(d.value("requested_delivery_date"), Some("2015-08-06"));
    assert_eq!(d.value("party.buyer.id"), Some("8711576000012"));
    assert_eq!(d.value("party.supplier.id"), Some("5020436000004"));
    assert_eq!(d.value("party.ship_to.id"), Some("8711576100019"));
    let l = lines(d);
    assert_eq!(l.len(), 2);
    assert_eq!((l[0][0], l[0][1], l[0][6]), ("1", "8", "5020436373085"));
    assert_eq!((l[1][0], l[1][1], l[1][6]), ("2", "8", "5020436373108"));
}

#[test]
fn edifact_orders_without_una() {
    let d = &parse("edi/edifact/pydifact-order2.edi")[0];
    assert_eq!(d.value("po_number"), Some("PO123456"));
    assert_eq!(d.value("order_date"), Some("2025-03-22"));
    assert_eq!(d.value("party.buyer.id"), Some("123456789"));
    assert_eq!(
        lines(d),
        vec![vec!["1", "10", "", "25.00", "ABC123", "", "", "", "", ""]]
    );
}

#[test]
fn edifact_multi_message_ordrsp_and_the_big_file() {
    let docs = parse("edi/edifact/edifact.01.multi-message.edi");
    assert_eq!(docs.len(), 2);
    assert!(docs.iter().all(|d| d.message_type.as_deref() == Some("QUOTES")));
    for path in [
        "edi/edifact/edifact.ORDRSP.edi",
        "edi/edifact/edifact.ORDRSP-formatted.edi",
    ] {
        let docs = parse(path);
        assert_eq!(docs[0].message_type.as_deref(), Some("ORDRSP"), "{path}");
    }
    let big = parse("edi/edifact/pydifact-huge_file2.edi");
    assert_eq!(big.len(), 1);
    assert_eq!(lines(&big[0]).len(), 16864);
    assert_eq!(big[0].value("po_number"), Some("801715918011"));
}

#[test]
fn every_sample_parses_to_json() {
    for dir in ["edi/x12", "edi/edifact"] {
        let full = format!("{}/tests/fixtures/{dir}", env!("CARGO_MANIFEST_DIR"));
        for entry in std::fs::read_dir(full).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap().to_string_lossy().starts_with("LICENSE") {
                continue;
            }
            let docs = parse_file(
                &std::fs::read(&path).unwrap(),
                path.file_name().and_then(|n| n.to_str()),
            );
            assert!(!docs.is_empty(), "{}", path.display());
            let json = serde_json::to_value(&docs).unwrap();
            assert!(
                json[0]["key_values"].as_array().is_some_and(|kv| !kv.is_empty()),
                "{}",
                path.display()
            );
        }
    }
}

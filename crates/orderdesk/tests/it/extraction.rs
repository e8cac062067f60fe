//! `orderdesk corpus generate`, `orderdesk extract` and `orderdesk bench accuracy`, end to end.

use crate::{orderdesk, text};

const SHARED_850: &str = "../document/tests/fixtures/edi/x12/004010_850.edi";

#[test]
fn generated_orders_extract_to_the_contract_json_and_match_their_truth() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/od.db", dir.path().display());
    let out = orderdesk(dir.path(), &url, &["demo", "--no-serve"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = orderdesk(
        dir.path(),
        &url,
        &["corpus", "generate", "--seed", "3", "--count", "40", "corpus"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("40 file(s)"));

    let mut checked = 0;
    for entry in std::fs::read_dir(dir.path().join("corpus")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".truth.json") {
            continue;
        }
        let truth: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.path().join("corpus").join(format!("{name}.truth.json"))).unwrap(),
        )
        .unwrap();
        let out = orderdesk(dir.path(), &url, &["extract", path.to_str().unwrap()]);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let draft: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        // The contract's fields, always present.
        for field in [
            "schema",
            "kind",
            "customer",
            "po_number",
            "order_date",
            "requested_delivery_date",
            "currency",
            "stated_total",
            "ship_to",
            "lines",
            "exceptions",
            "decision",
        ] {
            assert!(draft.get(field).is_some(), "{name}: {field} missing");
        }
        assert_eq!(draft["schema"], "orderdesk.extraction/1");
        assert!(["straight_through", "review"].contains(&draft["decision"].as_str().unwrap()));
        assert_eq!(draft["kind"], truth["kind"], "{name}");
        assert_eq!(draft["po_number"], truth["po_number"], "{name}");
        assert_eq!(
            draft["lines"].as_array().unwrap().len(),
            truth["lines"].as_array().unwrap().len(),
            "{name}"
        );
        for line in draft["lines"].as_array().unwrap() {
            // Decimals are strings, never JSON numbers.
            assert!(line["quantity"].is_string() || line["quantity"].is_null(), "{name}");
            let c = line["confidence"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&c));
        }
        if truth["clean"] == false && draft["decision"] == "straight_through" {
            panic!("{name}: a document with a deliberate problem went straight through: {draft}");
        }
        checked += 1;
    }
    assert_eq!(checked, 40);

    let out = orderdesk(dir.path(), &url, &["bench", "accuracy", "corpus"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("documents: 40"), "{report}");
    assert!(report.contains("false-accept rate"), "{report}");
    let accuracy: f64 = report
        .lines()
        .find_map(|l| l.strip_prefix("field-level accuracy: "))
        .and_then(|v| v.trim_end_matches('%').parse().ok())
        .expect("a field-level figure");
    assert!(accuracy > 95.0, "{report}");

    // A real EDI purchase order from outside the project.
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SHARED_850);
    {
        let out = orderdesk(dir.path(), &url, &["extract", sample.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let draft: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(draft["po_number"], "A99999-01");
        assert_eq!(draft["order_date"], "1997-02-14");
        assert_eq!(draft["lines"].as_array().unwrap().len(), 7);
        assert_eq!(
            draft["customer"],
            serde_json::Value::Null,
            "an unknown buyer is not guessed"
        );
        assert_eq!(draft["exceptions"][0]["code"], "unknown_customer");
        assert_eq!(draft["decision"], "review");
    }
}

#[test]
fn the_families_written_from_descriptions_are_generated_on_request_and_read() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/od.db", dir.path().display());
    let out = orderdesk(dir.path(), &url, &["demo", "--no-serve"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let families = "procurement-csv,forwarded,erp-print,marketplace";
    let out = orderdesk(
        dir.path(),
        &url,
        &[
            "corpus",
            "generate",
            "--seed",
            "5",
            "--count",
            "32",
            "--families",
            families,
            "described",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = orderdesk(dir.path(), &url, &["bench", "accuracy", "described"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    for family in families.split(',') {
        assert!(report.contains(&format!("  {family} ")), "{family} missing: {report}");
    }
    let figure = |name: &str| -> f64 {
        report
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split('%').next())
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in {report}"))
    };
    assert!(figure("field-level accuracy: ") >= 97.0, "{report}");
    assert_eq!(figure("false-accept rate: "), 0.0, "{report}");

    // A family that does not exist is refused with the names that do.
    let out = orderdesk(
        dir.path(),
        &url,
        &["corpus", "generate", "--count", "1", "--families", "fax", "x"],
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("procurement-csv"), "{}", text(&out.stderr));
}

#[test]
fn real_invoices_give_their_currency_and_net_total() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/od.db", dir.path().display());
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../document/tests/fixtures/invoice2data");
    // invoice2data's expected `currency` and `amount_untaxed` for each.
    for (file, currency, net) in [
        ("AmazonWebServices.pdf", "USD", "4.11"),
        ("AzureInterior.pdf", "USD", "262.9"),
        ("coolblue1.pdf", "EUR", "593.36"),
        ("free_fiber.pdf", "EUR", "24.99"),
        // Net 257.59 and gross 316.83 are printed; the draft holds the net.
        ("Orlen.txt", "PLN", "257.59"),
        ("FlipkartInvoice.pdf", "INR", "319"),
    ] {
        let out = orderdesk(dir.path(), &url, &["extract", fixtures.join(file).to_str().unwrap()]);
        assert!(out.status.success(), "{file}: {}", text(&out.stderr));
        let draft: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(draft["currency"], currency, "{file}");
        assert_eq!(draft["stated_total"], net, "{file}");
        assert_ne!(
            draft["decision"], "straight_through",
            "{file}: an invoice is not an order"
        );
        assert_eq!(draft["kind"], "other", "{file}: {}", draft["kind_reason"]);
    }
}

/// The lines invoice2data's JSON lists for a real invoice are read: each
/// name's first line is in a line's description, with its unit price where
/// one is printed and its quantity where one is given.
#[test]
fn real_invoices_give_the_lines_their_json_lists() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/od.db", dir.path().display());
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../document/tests/fixtures/invoice2data");
    let mut checked = 0;
    for file in ["AzureInterior.pdf", "coolblue1.pdf", "AmazonWebServices.pdf"] {
        let truth_path = fixtures.join(file.replace(".pdf", ".json"));
        let truth: serde_json::Value = serde_json::from_slice(&std::fs::read(truth_path).unwrap()).unwrap();
        let out = orderdesk(dir.path(), &url, &["extract", fixtures.join(file).to_str().unwrap()]);
        assert!(out.status.success(), "{file}: {}", text(&out.stderr));
        let draft: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let lines = draft["lines"].as_array().unwrap();
        for expected in truth[0]["lines"].as_array().unwrap() {
            let Some(name) = expected["name"].as_str() else {
                continue;
            };
            let first = name.lines().next().unwrap();
            let line = lines
                .iter()
                .find(|l| l["description"].as_str().is_some_and(|d| d.contains(first)))
                .unwrap_or_else(|| panic!("{file}: no line for {first:?} in {lines:#?}"));
            let number = |v: &serde_json::Value| -> Option<rust_decimal::Decimal> {
                match v {
                    serde_json::Value::String(s) => s.parse().ok(),
                    serde_json::Value::Number(n) => n.to_string().parse().ok(),
                    _ => None,
                }
            };
            if let Some(price) = number(&expected["price_unit"]) {
                assert_eq!(number(&line["unit_price"]), Some(price.normalize()), "{file}: {first}");
            }
            if let Some(qty) = number(&expected["qty"]) {
                assert_eq!(number(&line["quantity"]), Some(qty.normalize()), "{file}: {first}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 14, "{checked} lines checked");
}

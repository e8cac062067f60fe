//! The pipeline drafts what it receives; corrections teach it.

use app::draft::{Correction, HeaderField};
use app::intake::{Pipeline, drain, receive};
use app::learning::correct;
use domain::message::MessageKind;
use domain::review::DraftStatus;
use domain::validation::Decision;

const PRODUCTS: &str = "sku,name,description,uom,pack_size,min_order_qty,list_price,currency,lead_time_days,active\n\
A-100,Sechskantschraube M8x40 A2,Hexagon head screw M8x40,C62,50,50,0.12,EUR,0,true\n\
B-200,Zylinderschraube M6x20 A4,Socket head cap screw M6x20,C62,1,1,0.30,EUR,0,true\n";
const CUSTOMERS: &str = "customer_no,name,emails,email_domains,language,currency,price_list\n\
10042,Muster GmbH,einkauf@muster.example,muster.example,de,EUR,STD\n";
const PRICES: &str = "price_list,sku,min_qty,customer_no,valid_from,unit_price,currency\n\
STD,A-100,1,,,0.12,EUR\nSTD,B-200,1,,,0.30,EUR\n";

pub async fn master(store: &store::Store) {
    for (entity, content) in [
        (masterdata::Entity::Products, PRODUCTS),
        (masterdata::Entity::Customers, CUSTOMERS),
        (masterdata::Entity::Prices, PRICES),
    ] {
        crate::import(store, entity, content).await;
    }
}

pub fn order_mail(id: &str, po_label: &str, po: &str, lines: &str) -> Vec<u8> {
    format!(
        "From: Einkauf <einkauf@muster.example>\r\nTo: auftrag@example.com\r\nSubject: Auftrag\r\n\
         Date: Fri, 20 Nov 2026 09:30:00 +0100\r\nMessage-ID: <{id}@muster.example>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Guten Tag,\r\n\r\n{po_label}: {po}\r\n\r\n\
         Pos  Artikel-Nr.  Bezeichnung              Menge  ME   Einzelpreis\r\n{lines}\r\n\
         Mit freundlichen Gruessen\r\nMax Muster\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn every_message_gets_a_draft_and_clean_orders_go_straight_through() {
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        let pipeline = Pipeline::default();
        let clean = order_mail(
            "m1",
            "Bestellnummer",
            "4500012345",
            "1    A-100        Sechskantschraube M8x40  500    Stk  0,12\r\n2    B-200        Zylinderschraube         3      Stk  0,30",
        );
        let problem = order_mail(
            "m2",
            "Bestellnummer",
            "4500012346",
            "1    A-100        Sechskantschraube M8x40  510    Stk  0,15",
        );
        let r1 = receive(s, "upload", None, &clean).await.unwrap();
        let r2 = receive(s, "upload", None, &problem).await.unwrap();
        assert_eq!(drain(s, &pipeline).await.unwrap(), 2);

        let d1 = s
            .draft_of_message(r1.id)
            .await
            .unwrap()
            .expect("a draft for the first mail");
        assert_eq!(d1.decision, Decision::StraightThrough, "{}", d1.extraction);
        assert_eq!(d1.customer_no.as_deref(), Some("10042"));
        assert_eq!(d1.po_number.as_deref(), Some("4500012345"));
        let json: serde_json::Value = serde_json::from_str(&d1.extraction).unwrap();
        assert_eq!(json["schema"], "orderdesk.extraction/1");
        assert_eq!(json["lines"][0]["sku"], "A-100");
        assert_eq!(json["lines"][0]["quantity"], "500");
        assert_eq!(json["lines"][0]["unit_price"], "0.12");
        assert_eq!(json["order_date"], "2026-11-20");

        let d2 = s.draft_of_message(r2.id).await.unwrap().unwrap();
        assert_eq!(d2.decision, Decision::Review);
        let json: serde_json::Value = serde_json::from_str(&d2.extraction).unwrap();
        let codes: Vec<&str> = json["exceptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["pack_size", "price_mismatch"], "{:?}", t.backend);

        // The same PO again is a duplicate (a warning by default).
        let again = order_mail(
            "m3",
            "Bestellnummer",
            "4500012345",
            "1    B-200        Zylinderschraube  1  Stk  0,30",
        );
        let r3 = receive(s, "upload", None, &again).await.unwrap();
        drain(s, &pipeline).await.unwrap();
        let d3 = s.draft_of_message(r3.id).await.unwrap().unwrap();
        let json: serde_json::Value = serde_json::from_str(&d3.extraction).unwrap();
        assert_eq!(json["exceptions"][0]["code"], "duplicate_po");
        assert_eq!(json["exceptions"][0]["severity"], "warning");
        assert_eq!(d3.decision, Decision::StraightThrough);
        let events = s.events_for("draft", &d1.id.to_string()).await.unwrap();
        assert_eq!(events[0].action, "drafted");
    }
}

#[tokio::test]
async fn after_one_correction_the_same_senders_next_order_passes() {
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        let pipeline = Pipeline::default();
        // An unknown label for the PO number and the customer's own code for B-200.
        let first = order_mail(
            "k1",
            "Vorgang",
            "VG-7001",
            "1    K-77         Schraube nach Muster     3      Stk  0,30",
        );
        let r1 = receive(s, "upload", None, &first).await.unwrap();
        drain(s, &pipeline).await.unwrap();
        let d1 = s.draft_of_message(r1.id).await.unwrap().unwrap();
        assert_eq!(d1.decision, Decision::Review);
        assert_eq!(d1.po_number, None);
        let json: serde_json::Value = serde_json::from_str(&d1.extraction).unwrap();
        assert_eq!(json["lines"][0]["sku"], serde_json::Value::Null);

        let learned = correct(
            s,
            &pipeline.catalog,
            &pipeline.extraction,
            d1.id,
            d1.version,
            &Correction::Header {
                field: HeaderField::PoNumber,
                value: "VG-7001".into(),
            },
            "clerk",
        )
        .await
        .unwrap();
        assert_eq!(learned.layout_hint, Some((HeaderField::PoNumber, "Vorgang".into())));
        // A second reviewer still holding version 1 is refused.
        let stale = correct(
            s,
            &pipeline.catalog,
            &pipeline.extraction,
            d1.id,
            d1.version,
            &Correction::LineProduct {
                line_no: 1,
                sku: "B-200".into(),
            },
            "other",
        )
        .await;
        assert!(
            matches!(stale, Err(app::learning::LearningError::Conflict { .. })),
            "{stale:?}"
        );
        let learned = correct(
            s,
            &pipeline.catalog,
            &pipeline.extraction,
            d1.id,
            d1.version + 1,
            &Correction::LineProduct {
                line_no: 1,
                sku: "B-200".into(),
            },
            "clerk",
        )
        .await
        .unwrap();
        let item = learned.customer_item.expect("a customer part number learned");
        assert_eq!(
            (item.customer_no.as_str(), item.customer_part_no.as_str()),
            ("10042", "K-77")
        );
        assert_eq!(item.sku.as_ref().map(|s| s.as_str()), Some("B-200"));
        let events = s.events_for("draft", &d1.id.to_string()).await.unwrap();
        assert!(events.iter().filter(|e| e.action == "corrected").count() == 2);

        let next = order_mail(
            "k2",
            "Vorgang",
            "VG-7002",
            "1    K-77         Schraube nach Muster     5      Stk  0,30",
        );
        let r2 = receive(s, "upload", None, &next).await.unwrap();
        drain(s, &pipeline).await.unwrap();
        let d2 = s.draft_of_message(r2.id).await.unwrap().unwrap();
        let json: serde_json::Value = serde_json::from_str(&d2.extraction).unwrap();
        assert_eq!(d2.po_number.as_deref(), Some("VG-7002"));
        assert_eq!(json["lines"][0]["sku"], "B-200");
        assert_eq!(json["lines"][0]["customer_part_no"], "K-77");
        assert_eq!(d2.decision, Decision::StraightThrough, "{}", d2.extraction);
    }
}

#[tokio::test]
async fn an_interchange_with_two_purchase_orders_gives_a_draft_for_each() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../document/tests/fixtures/edi/x12/x12.850.issue135.edi");
    let bytes = std::fs::read(&fixture).unwrap();
    let po1_segments = String::from_utf8_lossy(&bytes).matches("PO1*").count();
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        let r = receive(s, "folder", Some("x12.850.issue135.edi"), &bytes)
            .await
            .unwrap();
        drain(s, &Pipeline::default()).await.unwrap();
        let drafts = s.drafts_of_message(r.id).await.unwrap();
        let pos: Vec<_> = drafts.iter().map(|d| d.po_number.clone().unwrap_or_default()).collect();
        assert_eq!(pos, ["740150", "740151"], "{:?}", t.backend);
        let lines: usize = drafts
            .iter()
            .map(|d| app::draft::Draft::from_json(&d.extraction).unwrap().lines.len())
            .sum();
        assert_eq!(lines, po1_segments, "every line of both orders is drafted");
        assert!(
            drafts
                .iter()
                .all(|d| d.kind == MessageKind::Order && d.status == DraftStatus::Review)
        );
        assert_ne!(drafts[0].part, drafts[1].part);
        // The inbox shows the message once.
        let page = s.inbox(&Default::default(), None, 10).await.unwrap();
        assert_eq!(page.iter().filter(|m| m.id == r.id).count(), 1);
        assert_eq!(page[0].draft_id, Some(drafts[0].id));
    }
}

fn mail_from(from: &str, id: &str, extra_headers: &str, lines: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: auftrag@example.com\r\nSubject: Auftrag\r\n{extra_headers}\
         Date: Fri, 20 Nov 2026 09:30:00 +0100\r\nMessage-ID: <{id}@x.example>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Guten Tag,\r\n\r\nBestellnummer: PO-{id}\r\nKundennummer: 10042\r\n\r\n\
         Pos  Artikel-Nr.  Bezeichnung              Menge  ME   Einzelpreis\r\n{lines}\r\n\
         Mit freundlichen Gruessen\r\nMax Muster\r\n"
    )
    .into_bytes()
}

async fn decide(s: &store::Store, pipeline: &Pipeline, mail: &[u8]) -> (Decision, serde_json::Value) {
    let r = receive(s, "upload", None, mail).await.unwrap();
    drain(s, pipeline).await.unwrap();
    let d = s.draft_of_message(r.id).await.unwrap().unwrap();
    (d.decision, serde_json::from_str(&d.extraction).unwrap())
}

#[tokio::test]
async fn straight_through_needs_a_trusted_sender_a_price_and_positive_quantities() {
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        let good = "1    A-100        Sechskantschraube M8x40  500    Stk  0,12";
        let mut pipeline = Pipeline::default();

        // The customer's own address: straight through.
        let (decision, json) = decide(s, &pipeline, &mail_from("einkauf@muster.example", "t1", "", good)).await;
        assert_eq!(decision, Decision::StraightThrough, "{json}");

        // Someone else naming the customer's number: a person looks first.
        let (decision, json) = decide(s, &pipeline, &mail_from("orders@spoof.example", "t2", "", good)).await;
        assert_eq!(decision, Decision::Review);
        let reasons = json["review_reasons"].to_string();
        assert!(reasons.contains("not a known address of customer 10042"), "{reasons}");

        // With `authenticated`, the receiving server must vouch for the sender's domain.
        pipeline.extraction.stp_sender = app::config::SenderTrust::Authenticated;
        let (decision, json) = decide(s, &pipeline, &mail_from("einkauf@muster.example", "t3", "", good)).await;
        assert_eq!(decision, Decision::Review, "{json}");
        assert!(json["review_reasons"].to_string().contains("did not confirm"));
        let vouched = "Authentication-Results: mx.example.com; dkim=pass header.d=muster.example; spf=pass smtp.mailfrom=einkauf@muster.example\r\n";
        let (decision, json) = decide(s, &pipeline, &mail_from("einkauf@muster.example", "t4", vouched, good)).await;
        assert_eq!(decision, Decision::StraightThrough, "{json}");
        pipeline.extraction.stp_sender = app::config::SenderTrust::KnownAddress;

        // Nothing priced: no line price and no total.
        let unpriced = "1    A-100        Sechskantschraube M8x40  500    Stk";
        let (decision, json) = decide(s, &pipeline, &mail_from("einkauf@muster.example", "t5", "", unpriced)).await;
        assert_eq!(decision, Decision::Review);
        assert!(json["review_reasons"].to_string().contains("states a price"), "{json}");

        // A negative quantity keeps its sign and blocks.
        let negative = "1    A-100        Sechskantschraube M8x40  -500   Stk  0,12";
        let (decision, json) = decide(s, &pipeline, &mail_from("einkauf@muster.example", "t6", "", negative)).await;
        assert_eq!(decision, Decision::Review);
        let line = &json["lines"][0];
        assert_eq!(line["quantity"], "-500", "{json}");
        assert!(
            json["exceptions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["code"] == "below_min_qty" && e["severity"] == "blocking"),
            "{json}"
        );
    }
}

fn free_mail(id: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Einkauf <einkauf@muster.example>\r\nTo: auftrag@example.com\r\nSubject: Bestellung PO-{id}\r\n\
         Date: Fri, 20 Nov 2026 09:30:00 +0100\r\nMessage-ID: <{id}@muster.example>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Guten Tag,\r\n\r\nBestellnummer: PO-{id}\r\n\r\n\
         Pos  Artikel-Nr.  Bezeichnung              Menge  ME   Einzelpreis\r\n\
         1    A-100        Sechskantschraube M8x40  500    Stk  0,12\r\n\r\n{body}\r\n\
         Mit freundlichen Gruessen\r\nMax Muster\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn what_the_text_says_is_read_or_keeps_the_order_for_a_person() {
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        let pipeline = Pipeline::default();

        // A delivery date said in a sentence is read, and the order may pass.
        let (decision, json) = decide(
            s,
            &pipeline,
            &free_mail("p1", "Bitte liefern Sie bis spaetestens 11.12.2026."),
        )
        .await;
        assert_eq!(json["requested_delivery_date"], "2026-12-11", "{json}");
        assert_eq!(decision, Decision::StraightThrough, "{json}");

        // A calendar week is read as its Monday, but a person confirms it.
        let (decision, json) = decide(s, &pipeline, &free_mail("p2", "Liefertermin KW 50")).await;
        assert_eq!(json["requested_delivery_date"], "2026-12-07", "{json}");
        assert_eq!(decision, Decision::Review);

        // A later date the draft does not use: a person looks.
        let (decision, json) = decide(
            s,
            &pipeline,
            &free_mail("p3", "Achtung: Warenannahme geschlossen am 18.12.2026"),
        )
        .await;
        assert_eq!(decision, Decision::Review, "{json}");
        assert!(
            json["review_reasons"]
                .to_string()
                .contains("2026-12-18 printed in the document"),
            "{json}"
        );

        // One of our products named in the text but on no line: a person looks.
        let (decision, json) = decide(
            s,
            &pipeline,
            &free_mail("p4", "Dazu bitte noch 20 B-200 wie letztes Mal."),
        )
        .await;
        assert_eq!(decision, Decision::Review, "{json}");
        assert!(json["review_reasons"].to_string().contains("B-200"), "{json}");

        // Ordered in boxes of a product sold by the piece, with no factor known: a person looks.
        let boxes = "1    A-100        Sechskantschraube M8x40  3      Karton  6,00";
        let (decision, json) = decide(s, &pipeline, &mail_from("einkauf@muster.example", "p7", "", boxes)).await;
        assert_eq!(decision, Decision::Review, "{json}");
        assert!(json["review_reasons"].to_string().contains("no factor"), "{json}");

        // A total the lines do not add up to (500 × 0.12 is 60): a person looks.
        let (decision, json) = decide(s, &pipeline, &free_mail("p5", "Gesamtsumme netto: 99,00 EUR")).await;
        assert_eq!(decision, Decision::Review, "{json}");
        assert!(json["review_reasons"].to_string().contains("do not add up"), "{json}");
        let (decision, json) = decide(s, &pipeline, &free_mail("p6", "Gesamtsumme netto: 60,00 EUR")).await;
        assert_eq!(decision, Decision::StraightThrough, "{json}");
    }
}

#[tokio::test]
async fn another_address_of_the_customer_written_in_the_text_is_taken_for_a_person_to_confirm() {
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        crate::import(
            s,
            masterdata::Entity::Addresses,
            "customer_no,address_id,name,street,zip,city,region,country,default\n\
             10042,HQ,Muster GmbH,Hauptstraße 1,70173,Stuttgart,,DE,true\n\
             10042,W2,Muster GmbH Werk 2,Werkstraße 7,70565,Stuttgart,,DE,false\n",
        )
        .await;
        let pipeline = Pipeline::default();
        let (decision, json) = decide(
            s,
            &pipeline,
            &free_mail("w1", "Bitte an unser Werk 2 liefern: Werkstr. 7, 70565 Stuttgart."),
        )
        .await;
        assert_eq!(json["ship_to"]["address_id"], "W2", "{json}");
        assert_eq!(decision, Decision::Review);
        // Only the default address in the signature: it is the default, and the order may pass.
        let (decision, json) = decide(
            s,
            &pipeline,
            &free_mail("w2", "Muster GmbH, Hauptstr. 1, 70173 Stuttgart"),
        )
        .await;
        assert_eq!(json["ship_to"]["address_id"], "HQ", "{json}");
        assert_eq!(decision, Decision::StraightThrough, "{json}");

        // A bare file with no sender: the customer is known by its name and address together …
        let file = "Muster GmbH\nHauptstr. 1\n70173 Stuttgart\n\nBestellnummer: PO-F1\n\n\
                    Pos  Artikel-Nr.  Bezeichnung              Menge  ME   Einzelpreis\n\
                    1    A-100        Sechskantschraube M8x40  500    Stk  0,12\n";
        let r = receive(s, "upload", Some("bestellung.txt"), file.as_bytes())
            .await
            .unwrap();
        drain(s, &pipeline).await.unwrap();
        let d = s.draft_of_message(r.id).await.unwrap().unwrap();
        let json: serde_json::Value = serde_json::from_str(&d.extraction).unwrap();
        assert_eq!(json["customer"]["customer_no"], "10042", "{json}");
        assert_eq!(json["customer"]["matched_via"], "name_and_address", "{json}");
        // … never by its name alone.
        let file = file.replace("Hauptstr. 1\n70173 Stuttgart", "Irgendwo 5\n99999 Nirgendwo");
        let r = receive(s, "upload", Some("bestellung2.txt"), file.as_bytes())
            .await
            .unwrap();
        drain(s, &pipeline).await.unwrap();
        let d = s.draft_of_message(r.id).await.unwrap().unwrap();
        let json: serde_json::Value = serde_json::from_str(&d.extraction).unwrap();
        assert_ne!(json["customer"]["matched_via"], "name_and_address", "{json}");
        assert_eq!(d.decision, Decision::Review, "{json}");
    }
}

#[tokio::test]
async fn a_new_sender_needs_reviewed_orders_before_straight_through_when_the_setting_asks() {
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        let mut pipeline = Pipeline::default();
        pipeline.extraction.stp_after_reviewed = 1;
        let (decision, json) = decide(s, &pipeline, &free_mail("n1", "")).await;
        assert_eq!(decision, Decision::Review, "{json}");
        assert!(
            json["review_reasons"]
                .to_string()
                .contains("setting stp_after_reviewed"),
            "{json}"
        );
        // A person confirms it unchanged: the sender's next order may pass.
        let d = s.drafts(Some(DraftStatus::Review), None, 10).await.unwrap().remove(0);
        app::review::confirm(s, &app::outbound::Outbox::default(), d.id, d.version, "clara")
            .await
            .unwrap();
        assert_eq!(s.reviewed_unchanged("einkauf@muster.example").await.unwrap(), 1);
        let (decision, json) = decide(s, &pipeline, &free_mail("n2", "")).await;
        assert_eq!(decision, Decision::StraightThrough, "{json}");
    }
}

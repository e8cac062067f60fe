//! Quotes through the router: the list, the quote beside its RFQ with each
//! price explained, editing lines (a special make as a free-text line),
//! approval only for managers, cost only for roles that see it, lost with a reason.

use axum::http::StatusCode;
use domain::customer::Customer;
use domain::product::Product;
use masterdata::Record;

use crate::Client;

/// The demo company, a German customer with a mail address, and a priced product with a cost.
async fn company(store: &store::Store) -> (Customer, Product) {
    let today = jiff::Zoned::now().date();
    tooling::demo::load(store, tooling::demo::DEFAULT_SEED, today)
        .await
        .unwrap();
    let built = tooling::demo::build(tooling::demo::DEFAULT_SEED, today);
    let customer = built
        .customers
        .iter()
        .find_map(|r| match r {
            Record::Customer(c) if !c.emails.is_empty() && c.language.as_deref() == Some("de") => Some(c.clone()),
            _ => None,
        })
        .unwrap();
    let product = built
        .products
        .iter()
        .find_map(|r| match r {
            Record::Product(p) if p.active && p.list_price.is_some() && p.cost.is_some() => Some(p.clone()),
            _ => None,
        })
        .unwrap();
    (customer, product)
}

/// An RFQ mail of the customer for 200 of the product, read and quoted at once; the quote's id.
async fn quoted_rfq(state: &web::AppState, customer: &Customer, product: &Product, number: &str) -> i64 {
    let mail = format!(
        "From: {}\r\nSubject: Anfrage {number}\r\nMessage-ID: <rfq-{number}@example.de>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag,\r\n\r\nbitte bieten Sie uns an:\r\n\r\n\
         Pos  Artikel-Nr.   Bezeichnung   Menge\r\n\
         1    {}   {}   200\r\n\r\nMit freundlichen Grüßen\r\n",
        customer.emails[0], product.sku, product.name,
    );
    let received = app::intake::receive(&state.store, "upload", Some("rfq.eml"), mail.as_bytes())
        .await
        .unwrap();
    app::intake::drain(&state.store, &app::intake::Pipeline::new(&app::Config::default()))
        .await
        .unwrap();
    let quotes = state.store.quotes_of_message(received.id).await.unwrap();
    assert_eq!(quotes.len(), 1, "an RFQ of a known customer is quoted at once");
    quotes[0].id
}

#[tokio::test]
async fn a_quote_is_edited_beside_its_rfq_and_only_managers_approve_or_see_cost() {
    for t in tooling::testing::fresh_stores().await {
        let state = web::AppState::new(t.store.clone());
        let (customer, product) = company(&t.store).await;
        let id = quoted_rfq(&state, &customer, &product, "7781").await;

        let clerk = Client::new(&state, "anna", "clerk").await;
        let (status, _, list) = clerk.get("/quotes").await;
        assert_eq!(status, StatusCode::OK);
        assert!(list.contains(&format!("AN-{id}")), "{list}");
        let (status, _, page) = clerk.get(&format!("/quotes/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(product.sku.as_str()), "{page}");
        assert!(page.contains("bitte bieten Sie uns an"), "the RFQ is beside the quote");
        // How the price came about, without the cost for a clerk.
        assert!(page.contains("list price") || page.contains("price list"), "{page}");
        assert!(!page.contains("Margin"), "a clerk sees no margin");

        // A special make as a free-text line with its own price.
        let (status, location, _) = clerk
            .post_form(
                &format!("/quotes/{id}/lines"),
                &[
                    ("revision", "1"),
                    ("what", "add"),
                    ("sku", ""),
                    ("description", "Sonderanfertigung laut Zeichnung 4711"),
                    ("quantity", "5"),
                    ("unit", "C62"),
                    ("price", "1.234,50"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        let (_, _, page) = clerk.get(&format!("/quotes/{id}")).await;
        assert!(page.contains("Sonderanfertigung laut Zeichnung 4711"));
        assert!(
            page.contains("6,172.50"),
            "5 × 1234.50 as the line's amount, grouped as English writes it: {page}"
        );
        // The old revision is refused.
        let (status, _, body) = clerk
            .post_form(
                &format!("/quotes/{id}/lines"),
                &[("revision", "1"), ("what", "remove"), ("line_no", "1")],
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        // A clerk cannot approve.
        let (status, _, _) = clerk
            .post_form(&format!("/quotes/{id}/approve"), &[("revision", "2"), ("note", "ok")])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // The API: costs are left out for a clerk, shown to a manager.
        let (status, _, body) = clerk.get(&format!("/api/quotes/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["revision"], 2);
        let priced = &json["content"]["lines"][0]["priced"];
        assert!(priced["steps"].as_array().is_some_and(|s| !s.is_empty()), "{json}");
        assert!(priced.get("cost").is_none(), "{priced}");
        let manager = Client::new(&state, "mia", "manager").await;
        let (_, _, body) = manager.get(&format!("/api/quotes/{id}")).await;
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(json["content"]["lines"][0]["priced"].get("cost").is_some(), "{json}");
        let (_, _, page) = manager.get(&format!("/quotes/{id}")).await;
        assert!(page.contains("Margin"), "a manager sees the margin");

        // An API edit: the special make's price set again, decimal text.
        let (status, _, body) = clerk
            .post_json(
                &format!("/api/quotes/{id}/edits"),
                serde_json::json!({"revision": 2, "edits": [{"edit": "price", "line_no": 2, "price": "1100.00"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["revision"], 3);
        // No SMTP server here: sending says so and changes nothing.
        let (status, _, body) = clerk
            .post_json(&format!("/api/quotes/{id}/send"), serde_json::json!({"revision": 3}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("no SMTP server is set"), "{body}");
        // Lost, with its reason.
        let (status, _, body) = clerk
            .post_form(
                &format!("/quotes/{id}/reject"),
                &[
                    ("revision", "3"),
                    ("reason", "delivery_time"),
                    ("note", "braucht es in einer Woche"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let lost = state.store.quote(id).await.unwrap().unwrap();
        assert_eq!(lost.state.status, domain::quote::QuoteStatus::Rejected);
        let (_, _, list) = clerk.get("/quotes?show=lost").await;
        assert!(list.contains(&format!("AN-{id}")), "{list}");
    }
}

#[tokio::test]
async fn pricing_rules_are_checked_when_saved_and_shared_with_the_order_checks() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let admin = Client::new(&state, "adam", "admin").await;
    let form = |rules: &'static str| {
        vec![
            ("auto_draft", "on"),
            ("number_prefix", "ANG-"),
            ("validity_days", "21"),
            ("follow_up_days", "2"),
            ("follow_up_to", "vertrieb@example.de"),
            ("discounts", rules),
            ("rounding", "0,05"),
            ("margin_floor", "12"),
            ("max_discount", "20"),
            ("value_limit", "25000"),
            ("text_de", ""),
            ("text_en", ""),
        ]
    };
    let (status, _, body) = admin
        .post_form(
            "/settings/quotes",
            &form("Aktion | 5 | group=Schrauben\nSonder | 7 | group=Schrauben"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains(
            "discount rules &#39;Aktion&#39; and &#39;Sonder&#39; have the same conditions but different percents"
        ),
        "{body}"
    );
    let (status, _, body) = admin.post_form("/settings/quotes", &form("Aktion | 5 | percent")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("line 1"), "{body}");
    let (status, location, _) = admin
        .post_form(
            "/settings/quotes",
            &form("Aktion | 5 | group=Schrauben | from_qty=1000"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let saved = app::settings::quotes(&t.store, &app::quote::QuoteSettings::default())
        .await
        .unwrap();
    assert_eq!(saved.number_prefix, "ANG-");
    assert_eq!(saved.pricing.discounts.len(), 1);
    assert_eq!(saved.pricing.rounding.step, rust_decimal::Decimal::new(5, 2));
    // The order checks price with the same rules.
    let drafting = app::settings::extraction(&t.store, &app::config::ExtractionSettings::default())
        .await
        .unwrap();
    assert_eq!(drafting.pricing, saved.pricing);
    let (_, _, page) = admin.get("/settings").await;
    assert!(
        page.contains("Aktion | 5 | group=Schrauben | from_qty=1000"),
        "the rules are shown as saved"
    );
}

#[tokio::test]
async fn rfq_mails_with_a_pdf_attached_become_priced_quotes() {
    let t = tooling::testing::fresh_sqlite().await;
    company(&t.store).await;
    let data = app::draft::load_master_data(&t.store).await.unwrap();
    let mut formats: Vec<corpus::Format> = (0..8).map(corpus::Format::MailPdf).collect();
    // And the families written from descriptions of real documents, which the readers were not tuned on.
    formats.extend([corpus::Format::ErpPrint, corpus::Format::Forwarded]);
    let generated = corpus::generate_families(tooling::corpus_master(&data), 11, 300, &formats).unwrap();
    let rfqs: Vec<_> = generated.into_iter().filter(|g| g.truth.kind == "rfq").collect();
    assert!(rfqs.len() >= 8, "{} RFQs", rfqs.len());
    let pipeline = app::intake::Pipeline::new(&app::Config::default());
    let (mut lines, mut right, mut priced, mut quoted) = (0, 0, 0, 0);
    for g in &rfqs {
        let received = app::intake::receive(&t.store, "upload", Some(&g.file_name), &g.bytes)
            .await
            .unwrap();
        app::intake::drain(&t.store, &pipeline).await.unwrap();
        let quotes = t.store.quotes_of_message(received.id).await.unwrap();
        let Some(q) = quotes.first() else {
            continue;
        };
        quoted += 1;
        assert_eq!(Some(&q.customer_no), g.truth.customer_no.as_ref(), "{}", g.file_name);
        let quote = app::quote::Quote::from_json(&q.content).unwrap();
        for (line, truth) in quote.lines.iter().zip(&g.truth.lines) {
            lines += 1;
            right += usize::from(line.sku == truth.sku);
            if let Some(p) = &line.priced {
                priced += 1;
                assert_eq!(p.replay(), Some(p.unit_price), "{}: {:?}", g.file_name, p.steps);
            }
        }
    }
    eprintln!(
        "{quoted} of {} RFQ mails (PDF attached) quoted; {right} of {lines} lines with the right product, {priced} priced",
        rfqs.len()
    );
    // Every RFQ is by a known customer: each becomes a quote, its lines
    // matched and priced with their explanation.
    assert_eq!(quoted, rfqs.len());
    assert!(
        right * 100 >= lines * 95,
        "{right} of {lines} lines matched the right product"
    );
    assert!(priced * 100 >= lines * 95, "{priced} of {lines} lines priced");
}

#[tokio::test]
async fn an_rfq_by_specification_is_matched_on_the_products_attributes() {
    let t = tooling::testing::fresh_sqlite().await;
    let (customer, _) = company(&t.store).await;
    let mail = format!(
        "From: {}\r\nSubject: Anfrage Projekt Nordhafen\r\nMessage-ID: <rfq-spec@example.de>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag,\r\n\r\nbitte senden Sie uns ein Angebot über:\r\n\r\n\
         - 500 Stk Sechskantschraube M8x40 A2\r\n\
         - 200 Stk Sechskantschraube M10x30, Festigkeit 10.9 blank\r\n\
         - 20 Stk Sonderanfertigung laut Zeichnung 4711\r\n\r\nMit freundlichen Grüßen\r\n",
        customer.emails[0]
    );
    let received = app::intake::receive(&t.store, "upload", Some("rfq.eml"), mail.as_bytes())
        .await
        .unwrap();
    app::intake::drain(&t.store, &app::intake::Pipeline::new(&app::Config::default()))
        .await
        .unwrap();
    let q = t.store.quotes_of_message(received.id).await.unwrap().remove(0);
    let quote = app::quote::Quote::from_json(&q.content).unwrap();
    let skus: Vec<Option<&str>> = quote.lines.iter().map(|l| l.sku.as_deref()).collect();
    assert_eq!(
        skus,
        [Some("DIN933-M8x40-A2"), Some("DIN933-M10x30-109"), None],
        "{:#?}",
        quote.lines
    );
    assert_eq!(quote.lines[0].quantity, rust_decimal::Decimal::from(500));
    assert!(quote.lines[0].unit_price.is_some() && quote.lines[1].unit_price.is_some());
    // The special make stays open, to be priced by hand.
    assert_eq!(app::quote::open_points(&quote), [app::quote::QuotePoint::NoProduct(3)]);
}

#[tokio::test]
async fn a_german_clerk_works_a_quote_in_german_and_is_told_in_german_what_is_refused() {
    for t in tooling::testing::fresh_stores().await {
        let state = web::AppState::new(t.store.clone());
        let (customer, product) = company(&t.store).await;
        let id = quoted_rfq(&state, &customer, &product, "7790").await;
        let clerk = Client::new(&state, "clara", "clerk").await;
        let (status, _, _) = clerk.post_form("/language", &[("language", "de")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // The quote in German: how its price was made, its dates as German writes them.
        let (_, _, page) = clerk.get(&format!("/quotes/{id}")).await;
        assert!(page.contains("Listenpreis") || page.contains("Preisliste"), "{page}");
        for english in ["list price", "price list", "customer price"] {
            assert!(!page.contains(english), "“{english}” on the German quote page");
        }
        // A date typed as German writes it.
        let edit = |what: &'static str, value: &'static str, revision: &'static str| {
            [
                ("revision", revision),
                ("what", what),
                ("value", value),
                ("line_no", "1"),
            ]
        };
        let (status, _, body) = clerk
            .post_form(&format!("/quotes/{id}/lines"), &edit("valid_until", "31.12.2030", "1"))
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let quote = state.store.quote(id).await.unwrap().unwrap();
        assert_eq!(quote.valid_until, jiff::civil::date(2030, 12, 31));
        let (_, _, page) = clerk.get(&format!("/quotes/{id}")).await;
        assert!(
            page.contains("value=\"31.12.2030\""),
            "the date field shows what was typed"
        );
        // What is refused is said in German.
        let (status, _, body) = clerk
            .post_form(&format!("/quotes/{id}/lines"), &edit("quantity", "zwölf", "2"))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("„zwölf“ ist keine Menge"), "{body}");
        let (status, _, body) = clerk
            .post_form(&format!("/quotes/{id}/lines"), &edit("quantity", "-3", "2"))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("die Menge muss größer als 0 sein (war -3)"), "{body}");
        let (status, _, body) = clerk
            .post_form(&format!("/quotes/{id}/send"), &[("revision", "2")])
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("kein SMTP-Server eingestellt"), "{body}");
        let (status, _, body) = clerk
            .post_form(&format!("/quotes/{id}/lines"), &edit("quantity", "5", "1"))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("inzwischen geändert (jetzt Version 2)"), "{body}");
        // The API keeps speaking English, whatever the clerk chose.
        let (_, _, body) = clerk
            .post_json(&format!("/api/quotes/{id}/send"), serde_json::json!({"revision": 2}))
            .await;
        assert!(body.contains("no SMTP server is set"), "{body}");
    }
}

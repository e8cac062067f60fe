//! A clerk's day through the router: queue, review screen, correction,
//! conflict, confirmation, order timeline, amendment; hostile mail shown as text.

use axum::http::StatusCode;
use domain::customer::Customer;
use domain::product::Product;
use masterdata::Record;

use crate::Client;

struct Company {
    customer: Customer,
    products: Vec<Product>,
}

/// Loads the demo company and picks a German customer with a mail address and two priced products.
async fn company(store: &store::Store) -> Company {
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
    let products = built
        .products
        .iter()
        .filter_map(|r| match r {
            Record::Product(p) if p.active && p.list_price.is_some() && p.sku.as_str().starts_with("DIN933-M8") => {
                Some(p.clone())
            }
            _ => None,
        })
        .take(3)
        .collect();
    Company { customer, products }
}

async fn receive_and_draft(state: &web::AppState, name: &str, mail: String) -> store::drafts::StoredDraft {
    let received = app::intake::receive(&state.store, "upload", Some(name), mail.as_bytes())
        .await
        .unwrap();
    app::intake::drain(&state.store, &app::intake::Pipeline::new(&app::Config::default()))
        .await
        .unwrap();
    state.store.draft_of_message(received.id).await.unwrap().unwrap()
}

fn field<'a>(page: &'a str, after: &str, attr: &str) -> &'a str {
    let rest = &page[page.find(after).unwrap()..];
    let start = rest.find(&format!("{attr}=\"")).unwrap() + attr.len() + 2;
    let end = rest[start..].find('"').unwrap();
    &rest[start..start + end]
}

#[tokio::test]
async fn a_clerk_fixes_a_line_confirms_and_amends() {
    for t in tooling::testing::fresh_stores().await {
        let state = web::AppState::new(t.store.clone());
        let c = company(&t.store).await;
        let (a, b) = (&c.products[0], &c.products[1]);
        let mail = format!(
            "From: {}\r\nSubject: Bestellung 4500099001\r\nMessage-ID: <po-4500099001@example.de>\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag,\r\n\r\nwir bestellen:\r\n\r\n\
             Pos  Artikel-Nr.   Bezeichnung   Menge\r\n\
             1    {}   {}   200\r\n\
             2    QX-77731   Sechskantschraube Sonderteil   50\r\n\r\nMit freundlichen Grüßen\r\n",
            c.customer.emails[0], a.sku, a.name,
        );
        let draft = receive_and_draft(&state, "po.eml", mail).await;
        assert_eq!(
            draft.status,
            domain::review::DraftStatus::Review,
            "{:?}: {}",
            t.backend,
            draft.extraction
        );
        let clerk = Client::new(&state, "clara", "clerk").await;
        let second = Client::new(&state, "otto", "clerk").await;

        // The queue lists it with why it is there.
        let (status, _, queue) = clerk.get("/queue").await;
        assert_eq!(status, StatusCode::OK);
        assert!(queue.contains(&format!("/drafts/{}", draft.id)), "{queue}");
        assert!(queue.contains("Product not recognised (line 2)"), "{queue}");

        // The review screen: the original beside the draft, the open points on top.
        let (status, _, page) = clerk.get(&format!("/drafts/{}", draft.id)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("Sechskantschraube Sonderteil") && page.contains("class=\"tb\""),
            "the original is shown"
        );
        assert!(page.contains("line 2 has no product"), "{page}");
        assert!(page.contains("id=\"confirm\" title=\"Confirm (Ctrl+Enter)\" disabled"));
        let version = field(
            &page[page.find("id=\"confirm-form\"").unwrap()..],
            "name=\"version\"",
            "value",
        );
        assert_eq!(version, draft.version.to_string());

        // Both reviewers open version 1; the first sets the product of line 2 …
        let uri = format!("/drafts/{}/correct", draft.id);
        let fix = [
            ("version", version),
            ("what", "line_product"),
            ("line_no", "2"),
            ("value", b.sku.as_str()),
        ];
        let (status, location, body) = clerk.post_form(&uri, &fix).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(location, format!("location:/drafts/{}", draft.id));
        // … the second gets a clear conflict and changes nothing.
        let other = [
            ("version", version),
            ("what", "line_value"),
            ("line_no", "1"),
            ("field", "quantity"),
            ("value", "999"),
        ];
        let (status, _, body) = second.post_form(&uri, &other).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("changed by someone else"), "{body}");
        let stored = t.store.draft(draft.id).await.unwrap().unwrap();
        assert!(!stored.extraction.contains("\"999\""));

        // The correction taught the customer's code.
        let items = t
            .store
            .customer_items_of(c.customer.customer_no.as_str())
            .await
            .unwrap();
        assert!(
            items
                .iter()
                .any(|i| i.customer_part_no.as_str() == "QX-77731" && i.sku.as_ref() == Some(&b.sku)),
            "QX-77731 → {} learned",
            b.sku
        );

        // A line no price list prices gets the price agreed with the customer.
        let mut stored = stored;
        let parsed: app::draft::Draft = serde_json::from_str(&stored.extraction).unwrap();
        for line in &parsed.lines {
            if line.unit_price.is_none() && line.expected_price.is_none() {
                let no = line.line_no.to_string();
                let v = stored.version.to_string();
                let set = [
                    ("version", v.as_str()),
                    ("what", "line_value"),
                    ("line_no", no.as_str()),
                    ("field", "unit_price"),
                    ("value", "0,75"),
                ];
                let (status, _, body) = clerk.post_form(&uri, &set).await;
                assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
                stored = t.store.draft(draft.id).await.unwrap().unwrap();
            }
        }
        // Whatever else blocks is resolved with a note, then the order is confirmed.
        let parsed: app::draft::Draft = serde_json::from_str(&stored.extraction).unwrap();
        for (index, e) in parsed.exceptions.iter().enumerate() {
            if e.severity == domain::exception::Severity::Blocking && e.resolved_by.is_none() {
                let (status, _, body) = clerk
                    .post_form(
                        &uri,
                        &[
                            ("version", &stored.version.to_string()),
                            ("what", "resolve"),
                            ("index", &index.to_string()),
                            ("value", "checked with the customer"),
                        ],
                    )
                    .await;
                assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
                stored = t.store.draft(draft.id).await.unwrap().unwrap();
            }
        }
        let (status, location, body) = clerk
            .post_form(
                &format!("/drafts/{}/confirm", draft.id),
                &[("version", &stored.version.to_string())],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let order_uri = location.strip_prefix("location:").unwrap().to_owned();
        assert!(order_uri.starts_with("/orders/"));
        let order_id: i64 = order_uri.rsplit('/').next().unwrap().parse().unwrap();
        let order = t.store.order(order_id).await.unwrap().unwrap();
        assert_eq!(order.customer_no.as_deref(), Some(c.customer.customer_no.as_str()));
        assert_eq!(order.po_number.as_deref(), Some("4500099001"));
        assert_eq!(order.line_count, 2);
        assert_eq!(order.confirmed_by, "user:clara");

        // The order page: lines and the timeline from receipt to confirmation.
        let (status, _, page) = clerk.get(&order_uri).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(b.sku.as_str()));
        for step in ["received", "drafted", "corrected", "confirmed"] {
            assert!(page.contains(&format!(" {step}</td>")), "timeline lacks {step}: {page}");
        }
        assert!(page.contains("id=\"order-erp\">waiting to be delivered<"), "{page}");
        // A confirmed draft cannot be confirmed again.
        let (status, _, _) = second
            .post_form(
                &format!("/drafts/{}/confirm", draft.id),
                &[("version", &(stored.version + 1).to_string())],
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);

        // Amending needs a reason; with one it is recorded with before and after.
        let amend = format!("{order_uri}/amend");
        let v = order.version.to_string();
        let base = [
            ("version", v.as_str()),
            ("line_no", "1"),
            ("field", "quantity"),
            ("value", "250"),
        ];
        let (status, _, _) = clerk.post_form(&amend, &[&base[..], &[("reason", "")]].concat()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _, body) = clerk
            .post_form(
                &amend,
                &[&base[..], &[("reason", "entry_error"), ("note", "typo")]].concat(),
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let amended = t.store.order(order_id).await.unwrap().unwrap();
        assert_eq!(amended.version, 2);
        let events = t.store.events_for("order", &order_id.to_string()).await.unwrap();
        let last = events.last().unwrap();
        assert_eq!(last.action, "amended");
        assert!(
            last.changes
                .iter()
                .any(|c| c.field == "reason" && c.after.as_deref() == Some("entry_error"))
        );
        assert!(last.changes.iter().any(|c| c.field == "lines[1].quantity"
            && c.before.as_deref() == Some("200")
            && c.after.as_deref() == Some("250")));

        // The home page counts it: confirmed by a person, amended as our entry error.
        let (_, _, home) = clerk.get("/").await;
        let row = |name: &str| {
            home.split(name)
                .nth(1)
                .and_then(|rest| rest.split("</tr>").next())
                .unwrap_or_default()
                .to_owned()
        };
        assert!(row("Straight-through rate").contains("0.0 % (0 of 1)"), "{home}");
        // The clerk's own day: what they did today, from the event log.
        let (_, _, own) = clerk.get("/").await;
        let my_day = own.split("id=\"my-day\"").nth(1).unwrap_or_default();
        assert!(
            my_day.contains("1 confirmed") && my_day.contains("corrected"),
            "{my_day}"
        );
        assert!(row("Order entry error rate").contains("100.0 % (1 of 1)"), "{home}");
        // Confirmation and amendment are each queued for the ERP in their transactions.
        let pushes = t.store.erp_pushes_of(order_id).await.unwrap();
        let queued: Vec<(i64, &str)> = pushes.iter().map(|p| (p.order_version, p.kind.as_str())).collect();
        assert_eq!(queued, [(1, "create"), (2, "amend")], "{:?}", t.backend);
        let admin = Client::new(&state, "ada", "admin").await;
        let (_, _, settings) = admin.get("/settings").await;
        assert!(
            settings.contains("none: confirmed orders wait in the outbox"),
            "{settings}"
        );
        assert!(settings.contains("id=\"erp-counts\">2 pending<"), "{settings}");
        let (_, _, metrics) = admin.get("/metrics").await;
        assert!(
            metrics.contains(r#"orderdesk_pipeline{what="erp_pushes",status="pending"} 2"#),
            "{metrics}"
        );
        // The pipeline's latencies: this process drafted and a clerk confirmed.
        let count = |name: &str| -> u64 {
            metrics
                .lines()
                .find_map(|l| l.strip_prefix(&format!("orderdesk_{name}_count ")))
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(0)
        };
        assert!(count("drafting_seconds") >= 1, "{metrics}");
        assert!(count("confirmation_seconds") >= 1, "{metrics}");
        assert!(
            metrics.contains("orderdesk_first_answer_seconds_bucket{le=\"60.0\"}"),
            "{metrics}"
        );
        // Only who manages settings makes a push due now; it is on the order's timeline.
        let retry = format!("/settings/erp/pushes/{}/retry", pushes[0].id);
        assert_eq!(clerk.post_form(&retry, &[]).await.0, StatusCode::FORBIDDEN);
        assert_eq!(admin.post_form(&retry, &[]).await.0, StatusCode::SEE_OTHER);
        let events = t.store.events_for("order", &order_id.to_string()).await.unwrap();
        assert_eq!(events.last().unwrap().action, "erp_push_retried");
        assert_eq!(
            admin.post_form("/settings/erp/pushes/999999/retry", &[]).await.0,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn hostile_mail_is_shown_as_text_everywhere() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let mail = "From: \"<img src=x onerror=alert(1)>\" <evil@example.net>\r\n\
                Subject: <script>alert('subject')</script> order\r\n\r\n\
                Bitte liefern <script>alert('body')</script> 10 Stk <b onmouseover=alert(3)>X</b>\r\n"
        .to_owned();
    let draft = receive_and_draft(&state, "<svg onload=alert(4)>.eml", mail).await;
    let clerk = Client::new(&state, "clara", "clerk").await;
    for uri in [
        "/inbox".to_owned(),
        format!("/messages/{}", draft.message_id),
        format!("/drafts/{}", draft.id),
        "/queue".to_owned(),
    ] {
        let (status, _, page) = clerk.get(&uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        for raw in ["<script>alert", "<img src=x", "<b onmouseover", "<svg onload"] {
            assert!(!page.contains(raw), "{uri} shows {raw} unescaped");
        }
        assert!(
            page.contains("&lt;script&gt;alert") || page.contains("&#60;script&#62;alert"),
            "{uri}: {page}"
        );
    }
}

#[tokio::test]
async fn work_assigned_to_someone_else_needs_the_assign_permission() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let c = company(&t.store).await;
    let mail = format!(
        "From: {}\r\nSubject: Bestellung 4500099002\r\nMessage-ID: <po-4500099002@example.de>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nwir bestellen:\r\n\r\n\
         Pos  Artikel-Nr.   Bezeichnung   Menge\r\n1    QX-77731   Sonderteil nach Zeichnung   50\r\n",
        c.customer.emails[0],
    );
    let draft = receive_and_draft(&state, "po.eml", mail).await;
    assert_eq!(draft.status, domain::review::DraftStatus::Review);
    let clara = Client::new(&state, "clara", "clerk").await;
    let otto = Client::new(&state, "otto", "clerk").await;
    let mia = Client::new(&state, "mia", "manager").await;
    let url = |action: &str| format!("/api/drafts/{}/{action}", draft.id);
    let version = |v: i64| serde_json::json!({"version": v, "reason": "customer called", "to": "otto"});

    // Clara takes it; Otto may not take it over, give it back or escalate it.
    let (status, _, body) = clara.post_json(&url("take"), version(draft.version)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for action in ["take", "release", "escalate"] {
        let (status, _, body) = otto.post_json(&url(action), version(draft.version + 1)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{action}: {body}");
        assert!(body.contains("assigned to clara"), "{body}");
    }
    // Forwarding hands work to someone: a clerk may not, in the browser nor through the API.
    let (status, _, body) = clara.post_json(&url("forward"), version(draft.version + 1)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _, _) = clara
        .post_form(
            &format!("/drafts/{}/forward", draft.id),
            &[
                ("version", &(draft.version + 1).to_string()),
                ("to", "otto"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A manager may.
    let (status, _, body) = mia.post_json(&url("take"), version(draft.version + 1)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = mia.post_json(&url("forward"), version(draft.version + 2)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let stored = t.store.draft(draft.id).await.unwrap().unwrap();
    assert_eq!(stored.assigned_to.as_deref(), Some("otto"));

    // Administrators' audit trails are theirs alone.
    let (status, _, _) = clara.get("/api/events?entity_type=user&entity_id=mia").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = clara.get("/api/events?entity_type=settings&entity_id=drafting").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = clara
        .get(&format!("/api/events?entity_type=draft&entity_id={}", draft.id))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn an_inquiry_shows_its_drafted_answer_and_cannot_be_sent_without_an_smtp_server() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let c = company(&t.store).await;
    let mail = format!(
        "From: {}\r\nSubject: Liefertermin?\r\nMessage-ID: <q-4599999999@example.de>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag,\r\n\r\nwo bleibt unsere Bestellung 4599999999?\r\n",
        c.customer.emails[0]
    );
    let draft = receive_and_draft(&state, "q.eml", mail).await;
    assert_eq!(draft.status, domain::review::DraftStatus::Review);
    let clerk = Client::new(&state, "clara", "clerk").await;
    let (_, _, page) = clerk.get(&format!("/drafts/{}", draft.id)).await;
    assert!(page.contains("id=\"reply-form\""), "{page}");
    assert!(
        page.contains("Zu Ihrer Bestellung 4599999999 finden wir keinen Auftrag"),
        "{page}"
    );
    let version = draft.version.to_string();
    let (status, _, page) = clerk
        .post_form(
            &format!("/drafts/{}/reply", draft.id),
            &[("version", version.as_str()), ("text", "Guten Tag, wir prüfen das.")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("no SMTP server is set"), "{page}");
    let still = t.store.draft(draft.id).await.unwrap().unwrap();
    assert_eq!(still.status, domain::review::DraftStatus::Review, "nothing changed");
}

#[tokio::test]
async fn a_pdf_order_is_shown_as_its_pages_with_each_value_placed_on_them() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    company(&t.store).await;
    let data = app::draft::load_master_data(&t.store).await.unwrap();
    let generated =
        corpus::generate_families(tooling::corpus_master(&data), 3, 6, &[corpus::Format::MailPdf(0)]).unwrap();
    let g = &generated[0];
    let draft = receive_and_draft(&state, &g.file_name, String::from_utf8_lossy(&g.bytes).into_owned()).await;
    let clerk = Client::new(&state, "clara", "clerk").await;
    let (status, _, page) = clerk.get(&format!("/drafts/{}", draft.id)).await;
    assert_eq!(status, StatusCode::OK);
    let url = format!("/messages/{}/page?part=1", draft.message_id);
    assert!(
        page.contains(&format!("src=\"{}&amp;page=1\"", url)),
        "the first page is shown as an image"
    );
    assert!(
        page.contains("data-bbox=\""),
        "text blocks know where they stand on the page"
    );
    let (status, kind, png) = bytes(&clerk, &format!("{url}&page=1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "image/png");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 1000);
    let (_, _, again) = bytes(&clerk, &format!("{url}&page=1")).await;
    assert_eq!(again, png);
    // Drawn once: the second look reads the kept image.
    let kept = std::fs::read_dir(t.store.blobs().root().join("page-images"))
        .unwrap()
        .count();
    assert_eq!(kept, 1);
    let (status, _, _) = bytes(&clerk, &format!("{url}&page=9")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a page the PDF does not have");
    let (status, _, _) = clerk.get(&format!("/messages/{}/page?part=7", draft.message_id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = clerk
        .get(&format!("/messages/{}/page?part=../x", draft.message_id))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A GET whose answer is bytes (an image), with its status and type.
async fn bytes(client: &Client, uri: &str) -> (StatusCode, String, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request = axum::http::Request::get(uri)
        .header(axum::http::header::COOKIE, &client.cookie)
        .body(axum::body::Body::empty())
        .unwrap();
    let response = web::router(client.state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, kind, body)
}

#[tokio::test]
async fn a_manager_sees_the_workload_and_gives_drafts_to_a_clerk_at_once() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let c = company(&t.store).await;
    let mut drafts = Vec::new();
    for n in 0..3 {
        let mail = format!(
            "From: {}\r\nSubject: Bestellung 45000990{n}\r\nMessage-ID: <bulk-{n}@example.de>\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nBestellnummer: 45000990{n}\r\n\r\n\
             Pos  Artikel-Nr.   Bezeichnung   Menge\r\n1    QX-9999{n}   Unbekanntes Teil   5\r\n",
            c.customer.emails[0]
        );
        drafts.push(receive_and_draft(&state, &format!("bulk-{n}.eml"), mail).await);
    }
    let manager = Client::new(&state, "mia", "manager").await;
    let clerk = Client::new(&state, "clara", "clerk").await;
    let (_, _, page) = manager.get("/queue?show=unassigned").await;
    for d in &drafts {
        assert!(
            page.contains(&format!("value=\"{}:{}\"", d.id, d.version)),
            "draft {} can be chosen",
            d.id
        );
    }
    assert!(page.contains("id=\"workload\""), "the manager sees the workload");
    let (_, _, clerk_page) = clerk.get("/queue").await;
    assert!(
        !clerk_page.contains("id=\"assign-chosen\""),
        "a clerk gets no bulk assignment"
    );
    let (status, _, _) = clerk
        .post_form(
            "/queue/assign",
            &[
                ("draft", &format!("{}:{}", drafts[0].id, drafts[0].version)),
                ("to", "clara"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let first = format!("{}:{}", drafts[0].id, drafts[0].version);
    let second = format!("{}:{}", drafts[1].id, drafts[1].version);
    let (status, location, body) = manager
        .post_form(
            "/queue/assign",
            &[("draft", &first), ("draft", &second), ("to", "clara")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.contains("/queue"), "{location}");
    let (_, _, mine) = clerk.get("/queue?show=mine").await;
    assert!(
        mine.contains(&format!("href=\"/drafts/{}\"", drafts[0].id))
            && mine.contains(&format!("href=\"/drafts/{}\"", drafts[1].id))
    );
    assert!(!mine.contains(&format!("href=\"/drafts/{}\"", drafts[2].id)));
    // A version the page showed before the assignment is refused, and named.
    let (status, _, body) = manager
        .post_form("/queue/assign", &[("draft", &first), ("to", "mia")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains(&format!("draft {}", drafts[0].id)), "{body}");
    let (_, _, unassigned) = manager.get("/queue?show=unassigned").await;
    assert!(!unassigned.contains(&format!("href=\"/drafts/{}\"", drafts[0].id)));
    assert!(unassigned.contains(&format!("href=\"/drafts/{}\"", drafts[2].id)));
}

#[tokio::test]
async fn a_wrongly_classified_message_is_given_its_kind_and_drafted_again() {
    for t in tooling::testing::fresh_stores().await {
        let state = web::AppState::new(t.store.clone());
        let c = company(&t.store).await;
        let a = &c.products[0];
        // Words that read as a status question, though the lines are an order.
        let mail = format!(
            "From: {}\r\nSubject: Wo bleibt unsere Bestellung?\r\nMessage-ID: <kind-1@example.de>\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nWo bleibt unsere Bestellung? Bitte liefern Sie ausserdem:\r\n\r\n\
             Pos  Artikel-Nr.   Bezeichnung   Menge\r\n1    {}   {}   200\r\n",
            c.customer.emails[0], a.sku, a.name
        );
        let before = receive_and_draft(&state, "kind.eml", mail).await;
        assert_ne!(
            before.kind,
            domain::message::MessageKind::Order,
            "read as something else first"
        );
        let clerk = Client::new(&state, "clara", "clerk").await;
        let (status, location, body) = clerk
            .post_form(&format!("/messages/{}/kind", before.message_id), &[("kind", "order")])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert!(location.contains(&format!("/messages/{}", before.message_id)));
        app::intake::drain(&state.store, &app::intake::Pipeline::new(&app::Config::default()))
            .await
            .unwrap();
        let after = state.store.draft_of_message(before.message_id).await.unwrap().unwrap();
        assert_eq!(after.kind, domain::message::MessageKind::Order);
        let draft = app::draft::Draft::from_json(&after.extraction).unwrap();
        assert_eq!(draft.lines[0].sku.as_deref(), Some(a.sku.as_str()));
        let message = state.store.message(before.message_id).await.unwrap().unwrap();
        assert_eq!(message.kind_reason.as_deref(), Some("set by clara"));
        let events = state
            .store
            .events_for("message", &before.message_id.to_string())
            .await
            .unwrap();
        assert!(events.iter().any(|e| e.action == "reclassified"));
        // Once a draft of it is confirmed or done, it is not drafted again.
        if after.status == domain::review::DraftStatus::Review {
            let (status, _, _) = clerk
                .post_form(
                    &format!("/drafts/{}/done", after.id),
                    &[("version", &after.version.to_string()), ("reason", "handled by phone")],
                )
                .await;
            assert_eq!(status, StatusCode::SEE_OTHER);
        }
        let (status, _, body) = clerk
            .post_form(&format!("/messages/{}/kind", before.message_id), &[("kind", "inquiry")])
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let (status, _, _) = clerk
            .post_form(&format!("/messages/{}/kind", before.message_id), &[("kind", "invoice")])
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

/// The draft of `id` as stored.
async fn stored_draft(state: &web::AppState, id: i64) -> (i64, app::draft::Draft) {
    let d = state.store.draft(id).await.unwrap().unwrap();
    (d.version, serde_json::from_str(&d.extraction).unwrap())
}

#[tokio::test]
async fn a_german_clerk_replaces_a_line_by_a_special_make_undoes_a_wrong_pick_and_confirms() {
    for t in tooling::testing::fresh_stores().await {
        let state = web::AppState::new(t.store.clone());
        let c = company(&t.store).await;
        let (a, b) = (&c.products[0], &c.products[1]);
        let mail = format!(
            "From: {}\r\nSubject: Bestellung 4500099777\r\nMessage-ID: <po-4500099777@example.de>\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag,\r\n\r\n\
             Pos  Artikel-Nr.   Bezeichnung   Menge\r\n\
             1    {}   {}   200\r\n\
             2    ZG-4711   Sonderanfertigung laut Zeichnung   5\r\n\r\nMit freundlichen Grüßen\r\n",
            c.customer.emails[0], a.sku, a.name,
        );
        let draft = receive_and_draft(&state, "po.eml", mail).await;
        let id = draft.id;
        let clerk = Client::new(&state, "clara", "clerk").await;

        // The clerk chooses German: every label, reason and number of the review screen follows.
        let (status, _, _) = clerk.post_form("/language", &[("language", "de")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, _, page) = clerk.get(&format!("/drafts/{id}")).await;
        assert!(page.contains("<html lang=\"de\">"), "{:?}", t.backend);
        for german in [
            "Positionen",
            "Auftrag bestätigen",
            "Position 2 hat keinen Artikel",
            "Artikel nicht erkannt",
        ] {
            assert!(page.contains(german), "no “{german}” on the German review screen");
        }
        assert!(
            page.contains("title=\"unknown_product\""),
            "the code stays as a tooltip"
        );
        for english in [
            "Confirm order",
            "Before confirming",
            "has no product",
            "Their code / description",
        ] {
            assert!(
                !page.contains(english),
                "English “{english}” on the German review screen"
            );
        }

        // The unknown line goes; the special make comes back as a free-text line at its own price, typed the German way.
        let uri = format!("/drafts/{id}/correct");
        let (version, _) = stored_draft(&state, id).await;
        let (status, _, body) = clerk
            .post_form(
                &uri,
                &[
                    ("version", &version.to_string()),
                    ("what", "remove_line"),
                    ("line_no", "2"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (version, d) = stored_draft(&state, id).await;
        assert_eq!(d.lines.len(), 1);
        let special = [
            ("version", version.to_string()),
            ("what", "add_line".into()),
            ("description", "Sonderanfertigung laut Zeichnung 4711".into()),
            ("quantity", "5".into()),
            ("unit_price", "1.148,50".into()),
        ];
        let special: Vec<(&str, &str)> = special.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, _, body) = clerk.post_form(&uri, &special).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (version, d) = stored_draft(&state, id).await;
        let line = &d.lines[1];
        assert!(line.free_text && line.sku.is_none());
        assert_eq!(line.unit_price, Some(rust_decimal::Decimal::new(114850, 2)));

        // A wrong product picked on line 1 teaches a wrong part number; undo takes both back.
        let (status, _, body) = clerk
            .post_form(
                &uri,
                &[
                    ("version", &version.to_string()),
                    ("what", "line_product"),
                    ("line_no", "1"),
                    ("value", b.sku.as_str()),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let learned = |items: &[domain::customer_item::CustomerItem]| {
            items
                .iter()
                .any(|i| i.customer_part_no.as_str() == a.sku.as_str() && i.sku.as_ref() == Some(&b.sku))
        };
        let customer_no = c.customer.customer_no.as_str();
        assert!(learned(&t.store.customer_items_of(customer_no).await.unwrap()));
        let (version, _) = stored_draft(&state, id).await;
        let (_, _, page) = clerk.get(&format!("/drafts/{id}")).await;
        assert!(page.contains("id=\"undo\""), "the review screen offers to undo");
        let (status, _, body) = clerk
            .post_form(&format!("/drafts/{id}/undo"), &[("version", &version.to_string())])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (version, d) = stored_draft(&state, id).await;
        assert_eq!(
            d.lines[0].sku.as_deref(),
            Some(a.sku.as_str()),
            "line 1 has its product back"
        );
        assert_eq!(d.lines.len(), 2, "only the last change was undone");
        assert!(!learned(&t.store.customer_items_of(customer_no).await.unwrap()));
        let events = t.store.events_for("draft", &id.to_string()).await.unwrap();
        assert!(events.iter().any(|e| e.action == "undone"));
        assert_eq!(
            events.iter().filter(|e| e.action == "corrected").count(),
            3,
            "the correction undone stays on record"
        );

        // A product line added, then moved to the top.
        let (status, _, body) = clerk
            .post_form(
                &uri,
                &[
                    ("version", &version.to_string()),
                    ("what", "add_line"),
                    ("sku", b.sku.as_str()),
                    ("quantity", "10"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (version, _) = stored_draft(&state, id).await;
        let (status, _, body) = clerk
            .post_form(
                &uri,
                &[
                    ("version", &version.to_string()),
                    ("what", "move_line"),
                    ("line_no", "3"),
                    ("index", "1"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (mut version, d) = stored_draft(&state, id).await;
        assert_eq!(
            d.lines.iter().map(|l| l.sku.as_deref()).collect::<Vec<_>>(),
            vec![Some(b.sku.as_str()), Some(a.sku.as_str()), None]
        );

        // What still blocks is resolved; the order keeps the special make as written.
        for (index, e) in d.exceptions.iter().enumerate() {
            if e.severity == domain::exception::Severity::Blocking && e.resolved_by.is_none() {
                let (status, _, body) = clerk
                    .post_form(
                        &uri,
                        &[
                            ("version", &version.to_string()),
                            ("what", "resolve"),
                            ("index", &index.to_string()),
                            ("value", "ok"),
                        ],
                    )
                    .await;
                assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
                version = stored_draft(&state, id).await.0;
            }
        }
        let (status, location, body) = clerk
            .post_form(&format!("/drafts/{id}/confirm"), &[("version", &version.to_string())])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let order_id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
        let order = t.store.order(order_id).await.unwrap().unwrap();
        assert_eq!(order.line_count, 3);
        let content: app::draft::Draft = serde_json::from_str(&order.content).unwrap();
        let special = &content.lines[2];
        assert_eq!(
            special.description.as_deref(),
            Some("Sonderanfertigung laut Zeichnung 4711")
        );
        assert!(special.free_text && special.sku.is_none());

        // The picker finds a product by the start of its words, with the customer's price and stock.
        let start: String = a.name.split_whitespace().next().unwrap().chars().take(6).collect();
        let size = a.name.split_whitespace().find(|w| w.contains('x')).unwrap();
        let word = format!("{} {}", start.to_lowercase(), size.to_lowercase());
        let (status, _, body) = clerk
            .get(&format!(
                "/api/product-picker?q={}&customer={customer_no}",
                word.replace(' ', "%20")
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let offered: serde_json::Value = serde_json::from_str(&body).unwrap();
        let hit = offered
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["sku"] == a.sku.as_str())
            .unwrap_or_else(|| panic!("{} not offered for “{word}”: {body}", a.sku));
        assert!(hit["price"].is_string() && hit["available"].is_string(), "{hit}");
    }
}

/// Applies change or cancellation draft `d` to `order`, as the review screen's button does.
async fn apply(
    clerk: &Client,
    d: &store::drafts::StoredDraft,
    order: &store::orders::StoredOrder,
) -> (StatusCode, String, String) {
    let fields = [
        ("version", d.version.to_string()),
        ("order_id", order.id.to_string()),
        ("order_version", order.version.to_string()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    clerk.post_form(&format!("/drafts/{}/apply", d.id), &fields).await
}

#[tokio::test]
async fn a_change_and_a_cancellation_are_applied_to_the_order_they_name() {
    for t in tooling::testing::fresh_stores().await {
        let state = web::AppState::new(t.store.clone());
        let c = company(&t.store).await;
        let (a, b) = (&c.products[0], &c.products[1]);
        let from = &c.customer.emails[0];
        let order_mail = |po: &str| {
            format!(
                "From: {from}\r\nSubject: Bestellung {po}\r\nMessage-ID: <po-{po}@example.de>\r\n\
                 Content-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag,\r\n\r\nBestellnummer: {po}\r\n\r\n\
                 Pos  Artikel-Nr.   Bezeichnung   Menge\r\n\
                 1    {}   {}   200\r\n\
                 2    {}   {}   100\r\n\r\nMit freundlichen Grüßen\r\n",
                a.sku, a.name, b.sku, b.name,
            )
        };
        let clerk = Client::new(&state, "clara", "sales_admin").await;
        // Two confirmed orders of the customer.
        let mut orders = Vec::new();
        for po in ["4500091001", "4500091002"] {
            let d = receive_and_draft(&state, &format!("{po}.eml"), order_mail(po)).await;
            let order = match t.store.order_of_draft(d.id).await.unwrap() {
                Some(o) => o,
                None => {
                    let mut version = d.version;
                    let parsed: app::draft::Draft = serde_json::from_str(&d.extraction).unwrap();
                    for (index, e) in parsed.exceptions.iter().enumerate() {
                        if e.severity == domain::exception::Severity::Blocking {
                            app::learning::correct(
                                &t.store,
                                &state.catalog,
                                &app::config::ExtractionSettings::default(),
                                d.id,
                                version,
                                &app::draft::Correction::ResolveException {
                                    index,
                                    note: "ok".into(),
                                },
                                "clara",
                            )
                            .await
                            .unwrap();
                            version += 1;
                        }
                    }
                    let id = app::review::confirm(&t.store, &app::outbound::Outbox::default(), d.id, version, "clara")
                        .await
                        .unwrap();
                    t.store.order(id).await.unwrap().unwrap()
                }
            };
            orders.push(order);
        }

        // The customer changes line 2 of the first order: the draft names the order and what applying does.
        let change = format!(
            "From: {from}\r\nSubject: Änderung zu Bestellung 4500091001\r\nMessage-ID: <chg-4500091001@example.de>\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag,\r\n\r\nbitte ändern Sie unsere Bestellung 4500091001:\r\n\r\n\
             Pos  Artikel-Nr.   Bezeichnung   Menge\r\n\
             2    {}   {}   150\r\n\r\nMit freundlichen Grüßen\r\n",
            b.sku, b.name,
        );
        let d = receive_and_draft(&state, "change.eml", change).await;
        assert_eq!(
            d.kind,
            domain::message::MessageKind::OrderChange,
            "{:?}: {}",
            t.backend,
            d.extraction
        );
        let (_, _, page) = clerk.get(&format!("/drafts/{}", d.id)).await;
        assert!(
            page.contains(&format!("href=\"/orders/{}\"", orders[0].id)),
            "the change names its order"
        );
        assert!(
            page.contains("→ 150"),
            "the draft says what applying does: {}",
            &page[page.find("referred-order").unwrap_or(0)..][..400.min(page.len())]
        );
        // Confirmed as an order it would be a second order: refused.
        let (status, _, body) = clerk
            .post_form(
                &format!("/drafts/{}/confirm", d.id),
                &[("version", &d.version.to_string())],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains(&format!("changes order {}", orders[0].id)), "{body}");
        let (status, location, body) = apply(&clerk, &d, &orders[0]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(location, format!("location:/orders/{}", orders[0].id));
        let amended = t.store.order(orders[0].id).await.unwrap().unwrap();
        assert_eq!(amended.version, orders[0].version + 1);
        let content: app::draft::Draft = serde_json::from_str(&amended.content).unwrap();
        assert_eq!(content.lines[1].quantity, Some(rust_decimal::Decimal::from(150)));
        assert_eq!(
            content.lines[0].quantity,
            Some(rust_decimal::Decimal::from(200)),
            "line 1 as it was"
        );
        assert_eq!(
            t.store.draft(d.id).await.unwrap().unwrap().status,
            domain::review::DraftStatus::Done
        );
        let (_, _, order_page) = clerk.get(&format!("/orders/{}", orders[0].id)).await;
        assert!(
            order_page.contains(&format!("/drafts/{}", d.id)),
            "the order lists the change"
        );

        // A second change, read by a German clerk: a new line of ours, and line 1 taken out.
        let new_product = &c.products[2];
        let change = format!(
            "From: {from}\r\nSubject: Änderung zu Bestellung 4500091001\r\nMessage-ID: <chg2-4500091001@example.de>\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag,\r\n\r\nbitte ändern Sie unsere Bestellung 4500091001:\r\n\r\n\
             Pos  Artikel-Nr.   Bezeichnung   Menge\r\n\
             1    {}   {}   0\r\n\
             3    {}   {}   30\r\n\r\nMit freundlichen Grüßen\r\n",
            a.sku, a.name, new_product.sku, new_product.name,
        );
        let d = receive_and_draft(&state, "change2.eml", change).await;
        let (status, _, _) = clerk.post_form("/language", &[("language", "de")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        // The 0 of line 1 is no quantity to the reader: left to a person, who sets it.
        let (_, _, page) = clerk.get(&format!("/drafts/{}", d.id)).await;
        assert!(
            page.contains("weder Menge noch Termin wurden gelesen") && !page.contains("id=\"apply-to-order\""),
            "{:?}: {}",
            t.backend,
            &page[page.find("referred-order").unwrap_or(0)..][..600.min(page.len())]
        );
        let line_of_a = serde_json::from_str::<app::draft::Draft>(&d.extraction)
            .unwrap()
            .lines
            .iter()
            .find(|l| l.sku.as_deref() == Some(a.sku.as_str()))
            .map(|l| l.line_no)
            .unwrap();
        let (status, _, body) = clerk
            .post_form(
                &format!("/drafts/{}/correct", d.id),
                &[
                    ("version", d.version.to_string().as_str()),
                    ("what", "line_value"),
                    ("field", "quantity"),
                    ("line_no", line_of_a.to_string().as_str()),
                    ("value", "0"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let d = t.store.draft(d.id).await.unwrap().unwrap();
        let (_, _, page) = clerk.get(&format!("/drafts/{}", d.id)).await;
        let referred = &page[page.find("referred-order").unwrap_or(0)..];
        let referred = &referred[..referred.find("</div>").unwrap_or(referred.len())];
        assert!(
            referred.contains(&format!("Neue Position 3: {} × 30", new_product.sku))
                && referred.contains("Position 1 herausgenommen")
                && referred.contains("id=\"apply-to-order\""),
            "{:?}: {referred}",
            t.backend
        );
        let (status, _, _) = clerk.post_form("/language", &[("language", "en")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, body) = apply(&clerk, &d, &amended).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let amended = t.store.order(orders[0].id).await.unwrap().unwrap();
        let content: app::draft::Draft = serde_json::from_str(&amended.content).unwrap();
        let lines: Vec<(u32, Option<&str>, Option<rust_decimal::Decimal>)> = content
            .lines
            .iter()
            .map(|l| (l.line_no, l.sku.as_deref(), l.quantity))
            .collect();
        assert_eq!(
            lines,
            [
                (2, Some(b.sku.as_str()), Some(rust_decimal::Decimal::from(150))),
                (3, Some(new_product.sku.as_str()), Some(rust_decimal::Decimal::from(30))),
            ],
            "line 1 out, line 2 keeps its number, the new line after it"
        );
        assert!(content.lines[1].unit_price.is_some(), "the new line has our price");
        let pushes = t.store.erp_pushes_of(orders[0].id).await.unwrap();
        assert_eq!(pushes.last().unwrap().kind, store::erp::PushKind::Amend);
        let events = t.store.events_for("order", &orders[0].id.to_string()).await.unwrap();
        let last = events.iter().rev().find(|e| e.action == "amended").unwrap();
        assert!(
            last.changes.iter().any(|c| c.field == "lines[1]" && c.after.is_none())
                && last.changes.iter().any(|c| c.field == "lines[3]" && c.before.is_none()),
            "{:?}",
            last.changes
        );

        // The customer cancels the second order: cancelled with the reason, the ERP told, the draft done.
        let cancel = format!(
            "From: {from}\r\nSubject: Stornierung Bestellung 4500091002\r\nMessage-ID: <cxl-4500091002@example.de>\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag,\r\n\r\nhiermit stornieren wir unsere Bestellung 4500091002.\r\n\r\nMit freundlichen Grüßen\r\n",
        );
        let d = receive_and_draft(&state, "cancel.eml", cancel).await;
        assert_eq!(
            d.kind,
            domain::message::MessageKind::Cancellation,
            "{:?}: {}",
            t.backend,
            d.extraction
        );
        let (_, _, page) = clerk.get(&format!("/drafts/{}", d.id)).await;
        assert!(
            page.contains("id=\"apply-to-order\""),
            "the cancellation can be applied"
        );
        let (status, _, body) = apply(&clerk, &d, &orders[1]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let cancelled = t.store.order(orders[1].id).await.unwrap().unwrap();
        assert_eq!(cancelled.status, domain::order::OrderStatus::Cancelled);
        let pushes = t.store.erp_pushes_of(orders[1].id).await.unwrap();
        assert_eq!(pushes.last().unwrap().kind, store::erp::PushKind::Cancel);
        let events = t.store.events_for("order", &orders[1].id.to_string()).await.unwrap();
        assert!(events.iter().any(|e| e.action == "cancelled"));

        // A cancelled order is changed no more; the first is cancelled by hand with a reason.
        let (status, _, _) = clerk
            .post_form(
                &format!("/orders/{}/cancel", orders[1].id),
                &[("version", &cancelled.version.to_string()), ("reason", "twice")],
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, _, body) = clerk
            .post_form(
                &format!("/orders/{}/cancel", orders[0].id),
                &[("version", &amended.version.to_string()), ("reason", "")],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a reason is needed: {body}");
        let (status, _, body) = clerk
            .post_form(
                &format!("/orders/{}/cancel", orders[0].id),
                &[
                    ("version", &amended.version.to_string()),
                    ("reason", "Kunde hat telefonisch storniert"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(
            t.store.order(orders[0].id).await.unwrap().unwrap().status,
            domain::order::OrderStatus::Cancelled
        );
    }
}

#[tokio::test]
async fn a_mail_written_in_html_is_shown_as_it_looks_and_runs_and_loads_nothing() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let c = company(&t.store).await;
    let a = &c.products[0];
    let mail = format!(
        "From: {}\r\nSubject: Bestellung 4500093001\r\nMessage-ID: <html-4500093001@example.de>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <html><body><p style=\"color:red\">Guten Tag, wir bestellen:</p>\
         <img src=\"http://tracker.example/pixel.gif\"><script>alert(1)</script>\
         <table><tr><th>Artikel</th><th>Bezeichnung</th><th>Menge</th></tr>\
         <tr><td>{}</td><td>{}</td><td>120</td></tr></table>\
         <a href=\"http://phish.example/\">Angebot</a><form action=\"http://x.example\"><input name=q></form></body></html>\r\n",
        c.customer.emails[0], a.sku, a.name,
    );
    let draft = receive_and_draft(&state, "html.eml", mail).await;
    let clerk = Client::new(&state, "clara", "clerk").await;
    let (_, _, page) = clerk.get(&format!("/drafts/{}", draft.id)).await;
    let src = format!("/messages/{}/html?part=", draft.message_id);
    assert!(
        page.contains(&format!("<iframe class=\"mail-html\" src=\"{src}\" sandbox")),
        "the mail is framed as it looks"
    );

    let response = response_of(&state, &clerk, &src).await;
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response.headers()[axum::http::header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("sandbox") && csp.contains("frame-ancestors 'self'"),
        "{csp}"
    );
    assert_eq!(response.headers()[axum::http::header::X_FRAME_OPTIONS], "SAMEORIGIN");
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let html = String::from_utf8_lossy(&body);
    assert!(
        html.contains("<table>") && html.contains(a.sku.as_str()) && html.contains("120"),
        "{html}"
    );
    for gone in [
        "<script",
        "alert(1)",
        "tracker.example",
        "phish.example",
        "<form",
        "<input",
    ] {
        assert!(!html.contains(gone), "“{gone}” left in the mail as shown: {html}");
    }
    // Every other page may not be framed.
    let response = response_of(&state, &clerk, "/queue").await;
    assert_eq!(response.headers()[axum::http::header::X_FRAME_OPTIONS], "DENY");
}

/// The whole response to a GET of `path` by `user`, headers and all.
async fn response_of(state: &web::AppState, user: &Client, path: &str) -> axum::response::Response {
    let request = axum::http::Request::get(path)
        .header(axum::http::header::COOKIE, &user.cookie)
        .body(axum::body::Body::empty())
        .unwrap();
    tower::ServiceExt::oneshot(web::router(state.clone()), request)
        .await
        .unwrap()
}

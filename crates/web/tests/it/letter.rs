//! The letterhead and confirmations on the settings page: saved with their
//! trail, a logo checked by printing it, a sample PDF with what is in force,
//! and a mail's file served as the customer received it.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::Client;

/// A GET whose body is bytes: (status, content type, disposition, body).
async fn get_bytes(client: &Client, uri: &str) -> (StatusCode, String, String, Vec<u8>) {
    let request = Request::get(uri)
        .header(header::COOKIE, &client.cookie)
        .body(Body::empty())
        .unwrap();
    let response = web::router(client.state.clone()).oneshot(request).await.unwrap();
    let head = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &header::HeaderValue| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (status, kind, disposition) = (
        response.status(),
        head(header::CONTENT_TYPE),
        head(header::CONTENT_DISPOSITION),
    );
    let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, kind, disposition, body)
}

async fn upload_logo(client: &Client, bytes: &[u8]) -> (StatusCode, String) {
    let boundary = "orderdesk-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = Request::post(format!("/settings/letter/logo?csrf={}", client.csrf))
        .header(header::COOKIE, &client.cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let (status, _, page) = crate::send(&client.state, request).await;
    (status, page)
}

fn pdf_text(pdf: &[u8]) -> String {
    let doc = document::parse_file(pdf, Some("x.pdf")).remove(0);
    doc.text_blocks
        .iter()
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn an_administrator_sets_the_letterhead_and_sees_it_on_a_sample_confirmation() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let admin = Client::new(&state, "ada", "admin").await;
    let clerk = Client::new(&state, "clara", "clerk").await;
    let form = [
        ("name", "Schrauben Müller GmbH"),
        ("street", "Industriestraße 7"),
        ("zip", "70565"),
        ("city", "Stuttgart"),
        ("iban", "DE02 6009 0100 0000 1234 56"),
        ("vat_id", "DE123456789"),
        ("enabled", "on"),
        ("number_prefix", "AB-"),
        ("opt_out", "20001; 20002"),
        ("signature", "Ihr Auftragsteam"),
        ("edi_folders", "20001 = /srv/edi/out/20001\r\n"),
    ];
    assert_eq!(
        clerk.post_form("/settings/letter", &form).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _, body) = admin.post_form("/settings/letter", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = admin.get("/settings").await;
    assert!(
        page.contains("value=\"Schrauben Müller GmbH\"") && page.contains("value=\"20001, 20002\""),
        "{page}"
    );
    let rules = app::settings::confirmations(&t.store, &Default::default())
        .await
        .unwrap();
    assert_eq!(rules.opt_out, ["20001", "20002"]);
    let trail = t.store.events_for("settings", "company").await.unwrap();
    assert!(
        trail[0]
            .changes
            .iter()
            .any(|c| c.field == "company vat_id" && c.after.as_deref() == Some("DE123456789")),
        "{trail:?}"
    );
    assert_eq!(
        rules.edi_folders[0].folder,
        std::path::PathBuf::from("/srv/edi/out/20001")
    );
    assert!(!rules.edi_pdf, "unticked: no PDF beside the order response");
    let relative = [("edi_folders", "20001 = edi/out")];
    let (status, _, page) = admin.post_form("/settings/letter", &relative).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("is not &#x27;customer number = /absolute/folder&#x27;")
            || page.contains("customer number = /absolute/folder"),
        "{page}"
    );
    let long_prefix = [("number_prefix", "AUFTRAGSBESTAETIGUNG-")];
    assert_eq!(
        admin.post_form("/settings/letter", &long_prefix).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // A logo is checked by printing it: garbage is refused with the reason.
    let (status, page) = upload_logo(&admin, b"GIF89a not really").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("logo cannot be read"), "{page}");
    let (status, page) = upload_logo(&admin, include_bytes!("../../../printout/tests/logo.png")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let company = app::settings::company(&t.store, &Default::default()).await.unwrap();
    assert!(company.logo_sha256.is_some());
    assert_eq!(company.name, "Schrauben Müller GmbH", "the logo keeps the rest");

    let (status, kind, _, pdf) = get_bytes(&admin, "/settings/letter/sample.pdf").await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"));
    let text = pdf_text(&pdf);
    for expected in [
        "Schrauben Müller GmbH",
        "AB-1042",
        "DE123456789",
        "Ihr Auftragsteam",
        "bestellt 950 Stk",
    ] {
        assert!(text.contains(expected), "'{expected}' is missing:\n{text}");
    }
    assert_eq!(
        get_bytes(&clerk, "/settings/letter/sample.pdf").await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_mails_file_is_served_as_the_customer_received_it() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let clerk = Client::new(&state, "clara", "clerk").await;
    let pdf = b"%PDF-1.7 a confirmation".to_vec();
    let sha256 = t.store.blobs().put(&pdf).unwrap();
    let mut tx = t.store.begin().await.unwrap();
    tx.queue_mail(
        &store::outbound::NewMail {
            kind: store::outbound::MailKind::Confirmation,
            message_id: None,
            order_id: None,
            dedupe_key: "confirmation:test".into(),
            language: "de".into(),
            to: "einkauf@kunde.example".into(),
            subject: "Auftragsbestätigung AB-7".into(),
            body: "Anbei".into(),
            mail_message_id: "<c7@lieferant.example>".into(),
            in_reply_to: None,
            references: Vec::new(),
            attachment: Some(store::outbound::MailAttachment {
                name: "Auftragsbestätigung AB-7.pdf".into(),
                content_type: "application/pdf".into(),
                sha256,
            }),
        },
        jiff::Timestamp::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let id = t.store.mails(1).await.unwrap()[0].id;
    let (status, kind, disposition, body) = get_bytes(&clerk, &format!("/mails/{id}/attachment")).await;
    assert_eq!((status, kind.as_str(), body), (StatusCode::OK, "application/pdf", pdf));
    assert!(
        disposition.starts_with("inline;") && disposition.contains("Auftragsbest%C3%A4tigung%20AB-7.pdf"),
        "{disposition}"
    );
    assert_eq!(
        get_bytes(&clerk, &format!("/mails/{}/attachment", id + 1)).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_manager_turns_one_customers_mail_off_on_the_customer_page() {
    let t = tooling::testing::fresh_sqlite().await;
    crate::with_customers(
        &t.store,
        "customer_no,name,emails,language,currency\n10042,Muster GmbH,einkauf@muster.example,de,EUR\n",
    )
    .await;
    let state = web::AppState::new(t.store.clone());
    let manager = Client::new(&state, "mia", "manager").await;
    let clerk = Client::new(&state, "clara", "clerk").await;
    let (_, _, page) = manager.get("/customers/10042").await;
    assert!(page.contains("name=\"confirmations\" value=\"on\" checked"), "{page}");
    // Acknowledgements stay on, confirmations go off.
    let form = [("acknowledgements", "on")];
    assert_eq!(
        clerk.post_form("/customers/10042/mail", &form).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _, body) = manager.post_form("/customers/10042/mail", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let rules = app::settings::confirmations(&t.store, &Default::default())
        .await
        .unwrap();
    assert_eq!(rules.opt_out, ["10042"]);
    let acks = app::settings::acknowledgements(&t.store, &Default::default())
        .await
        .unwrap();
    assert!(acks.opt_out.is_empty());
    let (_, _, page) = clerk.get("/customers/10042").await;
    assert!(page.contains("Acknowledgements on · confirmations off"), "{page}");
    // And back on: the list no longer names the customer.
    let both = [("acknowledgements", "on"), ("confirmations", "on")];
    assert_eq!(
        manager.post_form("/customers/10042/mail", &both).await.0,
        StatusCode::SEE_OTHER
    );
    let rules = app::settings::confirmations(&t.store, &Default::default())
        .await
        .unwrap();
    assert!(rules.opt_out.is_empty());
    assert_eq!(
        manager.post_form("/customers/99999/mail", &both).await.0,
        StatusCode::NOT_FOUND
    );
}

//! The SMTP server and the acknowledgement rules on the settings page,
//! tested against the throwaway Postfix scripts/test starts.

use axum::http::StatusCode;

use crate::Client;

fn smtp_port() -> Option<String> {
    match std::env::var("ORDERDESK_TEST_SMTP_PORT") {
        Ok(port) => Some(port),
        Err(_) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "ORDERDESK_TEST_SMTP_PORT is not set: run the tests with scripts/test"
            );
            eprintln!("note: ORDERDESK_TEST_SMTP_PORT is not set; the SMTP settings test is skipped");
            None
        }
    }
}

#[tokio::test]
async fn an_administrator_sets_and_tests_the_smtp_server_and_the_acknowledgement_rules() {
    let Some(port) = smtp_port() else { return };
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let admin = Client::new(&state, "ada", "admin").await;
    let clerk = Client::new(&state, "clara", "clerk").await;
    let form = [
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
        ("security", "none"),
        ("username", ""),
        ("password", "smtp-secret-1"),
        ("from", "Auftragsannahme <auftrag@lieferant.example>"),
        ("enabled", "on"),
        ("opt_out", "10042, 20001"),
        ("signature", "Ihr Auftragsteam"),
    ];
    assert_eq!(clerk.post_form("/settings/mail", &form).await.0, StatusCode::FORBIDDEN);
    let (status, _, body) = admin.post_form("/settings/mail", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = admin.get("/settings").await;
    assert!(page.contains("value=\"Ihr Auftragsteam\""), "{page}");
    assert!(page.contains("value=\"10042, 20001\""));
    assert!(!page.contains("smtp-secret-1"), "the password is never shown");
    assert!(page.contains("set (empty keeps it)"));
    assert!(
        page.contains("Ihre Bestellung 4500012345 ist bei uns eingegangen") && page.contains("Ihr Auftragsteam"),
        "the preview shows the shipped text signed as set: {page}"
    );
    // An administrator's own German text, previewed as a customer reads it.
    let own: Vec<(&str, &str)> = form
        .iter()
        .copied()
        .chain([("text_de", "Moin,\r\n{received}. Gruß {signature}")])
        .collect();
    assert_eq!(admin.post_form("/settings/mail", &own).await.0, StatusCode::SEE_OTHER);
    let (_, _, page) = admin.get("/settings").await;
    assert!(
        page.contains("Moin,\nIhre Bestellung 4500012345 ist bei uns eingegangen. Gruß Ihr Auftragsteam"),
        "{page}"
    );
    assert!(
        page.contains("We have received your order 4500012345"),
        "English stays shipped"
    );
    let acks = app::settings::acknowledgements(&t.store, &Default::default())
        .await
        .unwrap();
    assert_eq!(acks.text_de, "Moin,\n{received}. Gruß {signature}");
    assert!(acks.text_en.is_empty());
    let (status, _, page) = admin.post_form("/settings/mail/test", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("SMTP server works: 127.0.0.1:{port} answers")),
        "{page}"
    );

    let (smtp, from_settings) = app::settings::smtp(&t.store, &Default::default()).await.unwrap();
    assert!(from_settings);
    assert_eq!(smtp.password.as_deref(), Some("smtp-secret-1"));
    let acks = app::settings::acknowledgements(&t.store, &Default::default())
        .await
        .unwrap();
    assert_eq!(acks.opt_out, ["10042", "20001"]);
    assert!(acks.enabled && !acks.unknown_senders);

    // An empty password keeps the one set; a sender that is no address is refused.
    let keep: Vec<(&str, &str)> = form.iter().filter(|(k, _)| *k != "password").copied().collect();
    assert_eq!(admin.post_form("/settings/mail", &keep).await.0, StatusCode::SEE_OTHER);
    let (smtp, _) = app::settings::smtp(&t.store, &Default::default()).await.unwrap();
    assert_eq!(smtp.password.as_deref(), Some("smtp-secret-1"));
    let bad: Vec<(&str, &str)> = keep
        .iter()
        .map(|&(k, v)| if k == "from" { (k, "not an address") } else { (k, v) })
        .collect();
    assert_eq!(
        admin.post_form("/settings/mail", &bad).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let events = t.store.events_of_type("settings", 20).await.unwrap();
    assert!(events.iter().any(|e| e.entity_id == "smtp"));
    for e in &events {
        for c in &e.changes {
            for v in [&c.before, &c.after].into_iter().flatten() {
                assert!(!v.contains("smtp-secret-1"), "{c:?}");
            }
        }
    }
}

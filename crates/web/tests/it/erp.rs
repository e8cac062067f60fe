//! The ERP connection on the settings page against a real Tryton: saved
//! (the password never shown), tested, and pulled from.

use axum::http::StatusCode;
use erp::server::TrytonServer;
use serde_json::json;

use crate::Client;

fn server() -> Option<TrytonServer> {
    erp::server::for_test()
}

#[tokio::test]
async fn an_administrator_sets_tests_and_pulls_the_tryton_connection() {
    let Some(server) = server() else { return };
    let tryton = server.connector(erp::SaleState::Confirmed);
    tryton
        .rpc(
            "model.product.template.create",
            vec![
                json!([{"name": "Winkel 90", "code": "WK-90", "type": "goods", "default_uom": 1,
                "sale_uom": 1, "salable": true, "list_price": {"__class__": "Decimal", "decimal": "3.10"},
                "products": [["create", [{}]]]}]),
            ],
        )
        .await
        .unwrap();
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let admin = Client::new(&state, "ada", "admin").await;
    let clerk = Client::new(&state, "clara", "clerk").await;
    let url = server.url();
    let form = [
        ("connector", "tryton"),
        ("url", url.as_str()),
        ("database", "erp"),
        ("user", "admin"),
        ("password", server.password()),
        ("sale_state", "quotation"),
        ("pull_interval_seconds", "600"),
    ];
    assert_eq!(clerk.post_form("/settings/erp", &form).await.0, StatusCode::FORBIDDEN);
    let (status, _, body) = admin.post_form("/settings/erp", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = admin.get("/settings").await;
    assert!(
        page.contains(&format!(
            "Tryton at {url}, database erp, as admin; sales are left quotation"
        )),
        "{page}"
    );
    assert!(page.contains("(settings page)"));
    assert!(!page.contains(server.password()), "the password is never shown");
    assert!(page.contains("id=\"erp-last-pull\">none yet<"), "{page}");

    let (status, _, page) = admin.post_form("/settings/erp/test", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("ERP connection works: Tryton 8.2"), "{page}");

    assert_eq!(
        admin.post_form("/settings/erp/pull", &[]).await.0,
        StatusCode::SEE_OTHER
    );
    let (_, _, page) = admin.get("/settings").await;
    assert!(page.contains("1 products, 0 customers"), "{page}");
    assert_eq!(t.store.product("WK-90").await.unwrap().unwrap().name, "Winkel 90");

    // An empty password keeps the one set; a wrong one shows why the test fails.
    let keep: Vec<(&str, &str)> = form.iter().filter(|(k, _)| *k != "password").copied().collect();
    assert_eq!(admin.post_form("/settings/erp", &keep).await.0, StatusCode::SEE_OTHER);
    let (_, _, page) = admin.post_form("/settings/erp/test", &[]).await;
    assert!(page.contains("ERP connection works"), "{page}");
    let wrong: Vec<(&str, &str)> = keep.iter().copied().chain([("password", "not-the-password")]).collect();
    assert_eq!(admin.post_form("/settings/erp", &wrong).await.0, StatusCode::SEE_OTHER);
    let (_, _, page) = admin.post_form("/settings/erp/test", &[]).await;
    assert!(page.contains("could not log in"), "{page}");
    let (status, _, _) = admin
        .post_form("/settings/erp", &[("connector", "tryton"), ("url", url.as_str())])
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a Tryton connection needs its database and user"
    );

    // The trail says what changed, never a password.
    let events = t.store.events_of_type("settings", 10).await.unwrap();
    let erp_events: Vec<_> = events.iter().filter(|e| e.entity_id == "erp").collect();
    assert_eq!(erp_events.len(), 3);
    for e in &erp_events {
        for c in &e.changes {
            for v in [&c.before, &c.after].into_iter().flatten() {
                assert!(
                    !v.contains(server.password()) && !v.contains("not-the-password"),
                    "{c:?}"
                );
            }
        }
    }
}

//! The master data pages, health and metrics.

use axum::http::StatusCode;
use domain::event::Actor;
use masterdata::Entity;

use crate::{Client, get, with_customers};

#[tokio::test]
async fn health_and_metrics() {
    for t in tooling::testing::fresh_stores().await {
        let state = web::AppState::new(t.store.clone());
        let admin = Client::new(&state, "ada", "admin").await;
        let (status, content_type, body) = get(&state, "/healthz").await;
        assert_eq!((status, content_type.as_str()), (StatusCode::OK, "application/json"));
        assert!(body.contains(r#""database":"ok""#));

        admin.get("/customers").await;
        let (status, _, metrics) = admin.get("/metrics").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            metrics.contains(r#"orderdesk_http_requests_total{method="GET",route="/customers",status="200"} 1"#),
            "{metrics}"
        );
        assert!(
            metrics.contains(r#"orderdesk_master_data_rows{table="customers"} 0"#),
            "{metrics}"
        );
        assert!(metrics.contains("orderdesk_http_request_duration_seconds_bucket"));
        assert!(
            metrics.contains(r#"orderdesk_pipeline{what="orders_straight_through",status="all"} 0"#),
            "{metrics}"
        );
    }
}

#[tokio::test]
async fn health_reports_a_dead_database() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    t.store.close().await;
    let (status, _, body) = get(&state, "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("unreachable"));
}

#[tokio::test]
async fn customer_search_and_detail() {
    for t in tooling::testing::fresh_stores().await {
        let state = web::AppState::new(t.store.clone());
        let user = Client::new(&state, "clara", "clerk").await;
        with_customers(
            &t.store,
            "customer_no,name,city,email_domains\n10042,Muster GmbH,Stuttgart,muster.de\n20001,Acme Ltd,Leeds,acme.co.uk\n",
        )
        .await;
        let (status, _, page) = user.get("/customers?q=stutt").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("Muster GmbH") && !page.contains("Acme Ltd"),
            "{:?}",
            t.backend
        );
        assert!(page.contains("1 matching “stutt”"));
        let (status, _, detail) = user.get("/customers/10042").await;
        assert_eq!(status, StatusCode::OK);
        assert!(detail.contains("muster.de"));
        let (status, _, _) = user.get("/customers/nope").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn hostile_content_is_shown_as_text() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let user = Client::new(&state, "clara", "clerk").await;
    with_customers(
        &t.store,
        "customer_no,name,city\nX1,<script>alert(1)</script>,\"<img src=x onerror=alert(2)>\"\n",
    )
    .await;
    for uri in ["/customers", "/customers/X1", "/customers?q=%3Cscript"] {
        let (_, _, page) = user.get(uri).await;
        assert!(!page.contains("<script>alert"), "{uri}: {page}");
        assert!(!page.contains("<img src=x"), "{uri}");
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || page.contains("&#60;script&#62;"),
            "{uri}: {page}"
        );
    }
    let (status, _, page) = user.get("/products/%3Cb%3Ebold").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains("<b>bold"), "{page}");
}

#[tokio::test]
async fn products_page_and_paging() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let user = Client::new(&state, "clara", "clerk").await;
    let company = tooling::demo::build(1, jiff::civil::date(2026, 11, 22));
    let products: Vec<_> = company.products.into_iter().take(120).collect();
    app::import::import_records(&t.store, Entity::Products, "test", products, Actor::System("t".into()))
        .await
        .unwrap();
    let (_, _, first) = user.get("/products").await;
    assert!(first.contains("50 shown (more on the next page)"), "{first}");
    let next = first
        .split("after=")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let (_, _, second) = user.get(&format!("/products?q=&after={next}")).await;
    assert!(second.contains("50 shown"));
    let (status, _, detail) = user.get("/products/DIN933-M3x6-88Z").await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert!(detail.contains("thread=M3"));
    let (_, _, home) = user.get("/").await;
    assert!(
        home.contains("<span class=\"num\">120</span><span>Products</span>"),
        "{home}"
    );
    assert!(home.contains("Recent activity"));
}

#[tokio::test]
async fn a_manager_exports_every_kpi_table_as_csv_and_a_clerk_may_not() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let manager = Client::new(&state, "mia", "manager").await;
    let clerk = Client::new(&state, "clara", "clerk").await;
    let (status, kind, body) = manager.get("/kpis.csv?table=kpis").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(kind.starts_with("text/csv"), "{kind}");
    let mut lines = body.lines();
    assert_eq!(lines.next(), Some("kpi,Today,This week,This month"));
    let names: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(
        names,
        [
            "Order processing time",
            "Straight-through rate",
            "Order entry error rate",
            "Response time",
            "Quote turnaround",
            "Quote funnel",
            "First-contact resolution"
        ]
    );
    let (_, _, ranged) = manager.get("/kpis.csv?table=kpis&from=2026-11-01&to=2026-11-15").await;
    assert!(
        ranged.starts_with("kpi,Today,This week,This month,2026-11-01 – 2026-11-15\n"),
        "{ranged}"
    );
    let (_, _, trend) = manager.get("/kpis.csv?table=trend").await;
    assert_eq!(trend.lines().count(), 31, "a header and 30 days");
    let (_, _, clerks) = manager.get("/kpis.csv?table=by-clerk").await;
    assert!(clerks.starts_with("group,orders,straight_through,entry_errors,processing_median"));
    assert_eq!(manager.get("/kpis.csv?table=secrets").await.0, StatusCode::NOT_FOUND);
    assert_eq!(clerk.get("/kpis.csv?table=kpis").await.0, StatusCode::FORBIDDEN);
    let (_, _, home) = manager.get("/").await;
    assert!(home.contains("href=\"/kpis.csv?table=by-customer\""), "{home}");
}

/// The part of a page from `id="…"` to the end of its table.
fn table<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page.find(&format!("id=\"{id}\"")).unwrap_or(0);
    let end = page[start..].find("</table>").map_or(page.len(), |e| start + e);
    &page[start..end]
}

#[tokio::test]
async fn the_dashboard_from_days_read_ahead_says_what_a_fresh_read_says() {
    let t = tooling::testing::fresh_sqlite().await;
    tooling::bench::seed_history(&t.store, 300, 20).await.unwrap();
    let me = web::auth::CurrentUser {
        username: "mia".into(),
        display_name: "Mia".into(),
        role: domain::access::Role::Manager,
        csrf: String::new(),
        session_token: None,
        tr: web::i18n::Tr::default(),
    };
    let page = |state: web::AppState| {
        let me = me.clone();
        async move { web::dashboard_page(&state, &me, "", "").await.unwrap() }
    };
    let kept = web::AppState::new(t.store.clone());
    let first = page(kept.clone()).await;
    let fresh = page(web::AppState::new(t.store.clone())).await;
    for id in ["kpis", "kpi-trend", "by-customer", "by-kind"] {
        assert_eq!(table(&first, id), table(&fresh, id), "{id}");
    }
    // 300 orders received over 20 days, each confirmed up to 4 h later:
    // all but those whose confirmation still lies ahead are on their days,
    // however the days fall at the hour the test runs.
    let trend = table(&first, "kpi-trend");
    let confirmed: i64 = trend
        .split("<tr><td class=\"nowrap\">")
        .skip(1)
        .filter_map(|row| {
            let cell = row.split("<td class=\"num\">").nth(1)?;
            cell.split('<').next()?.parse::<i64>().ok()
        })
        .sum();
    assert!((290..=300).contains(&confirmed), "{confirmed} of 300: {trend}");
    // More history arrives for past days: the kept days are behind until they are read again.
    tooling::bench::seed_history(&t.store, 300, 20).await.unwrap();
    let fresh = page(web::AppState::new(t.store.clone())).await;
    assert_ne!(
        table(&page(kept.clone()).await, "kpi-trend"),
        table(&fresh, "kpi-trend")
    );
    web::refresh_dashboard_once(&kept).await.unwrap();
    let again = page(kept.clone()).await;
    for id in ["kpis", "kpi-trend", "by-customer", "by-kind"] {
        assert_eq!(
            table(&again, id),
            table(&fresh, id),
            "{id} after reading the days again"
        );
    }
}

#[tokio::test]
async fn what_is_not_there_or_not_allowed_is_said_in_the_users_language_with_the_navigation() {
    for t in tooling::testing::fresh_stores().await {
        let state = web::AppState::new(t.store.clone());
        let clerk = Client::new(&state, "clara", "clerk").await;
        let (status, _, page) = clerk.get("/messages/999999").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(page.contains("Message 999999 was not found."), "{page}");
        assert!(page.contains("href=\"/queue\""), "the page keeps the way on: {page}");

        let (status, _, _) = clerk.post_form("/language", &[("language", "de")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, page) = clerk.get("/customers/nope").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(page.contains("Kunde nope wurde nicht gefunden."), "{page}");
        assert!(
            page.contains("<html lang=\"de\">") && page.contains("Posteingang"),
            "{page}"
        );
        let (status, _, page) = clerk.get("/settings").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(page.contains("Ihre Rolle (Sachbearbeitung) darf das nicht"), "{page}");
        // The API answers in English, as JSON, whatever the clerk chose.
        let (status, _, body) = clerk.get("/api/messages/999999").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!body.contains("wurde nicht gefunden"), "{body}");
    }
}

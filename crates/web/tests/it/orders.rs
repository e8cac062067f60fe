//! Finding orders: by customer name or number, part of the PO number, our
//! order number, status, confirmation date and value — on the page and in the API.

use axum::http::StatusCode;

use crate::Client;

#[tokio::test]
async fn orders_are_found_by_what_a_clerk_knows_of_them() {
    for t in tooling::testing::fresh_stores().await {
        let today = jiff::Zoned::now().date();
        tooling::demo::load(&t.store, tooling::demo::DEFAULT_SEED, today)
            .await
            .unwrap();
        let data = app::draft::load_master_data(&t.store).await.unwrap();
        let generated = corpus::generate(tooling::corpus_master(&data), 5, 40).unwrap();
        let pipeline = app::intake::Pipeline::new(&app::Config::default());
        for g in generated.iter().filter(|g| g.truth.clean && g.truth.kind == "order") {
            app::intake::receive(&t.store, "upload", Some(&g.file_name), &g.bytes)
                .await
                .unwrap();
        }
        app::intake::drain(&t.store, &pipeline).await.unwrap();
        let all = t.store.orders(None, None, 500).await.unwrap();
        assert!(all.len() >= 5, "{} orders", all.len());
        let order = all
            .iter()
            .find(|o| o.po_number.as_deref().is_some_and(|p| p.len() >= 6))
            .unwrap();
        let customer = t
            .store
            .customer(order.customer_no.as_deref().unwrap())
            .await
            .unwrap()
            .unwrap();
        let state = web::AppState::new(t.store.clone());
        let clerk = Client::new(&state, "anna", "clerk").await;
        let link = format!("href=\"/orders/{}\"", order.id);
        let found = |page: &str| page.contains(&link);
        let po = order.po_number.clone().unwrap();
        // A word of the customer's name, any case.
        let word = customer
            .name
            .split_whitespace()
            .max_by_key(|w| w.len())
            .unwrap()
            .to_lowercase();
        let total = order.total.unwrap();
        for query in [
            format!("q={}", urlencode(&word)),
            format!("q={}", urlencode(&po[po.len() - 5..])),
            format!("q={}", urlencode(customer.customer_no.as_str())),
            format!("q=AB-{}", order.id),
            format!("q=ab-{}&status=confirmed", order.id),
            format!(
                "min={}&max={}",
                total - rust_decimal::Decimal::ONE,
                total + rust_decimal::Decimal::ONE
            ),
            format!("from={today}&to={today}"),
        ] {
            let (status, _, page) = clerk.get(&format!("/orders?{query}")).await;
            assert_eq!(status, StatusCode::OK, "{query}");
            assert!(found(&page), "{query} does not find order {}", order.id);
        }
        for query in [
            "q=nobody-by-this-name".to_owned(),
            format!("min={}", total + rust_decimal::Decimal::ONE),
            "status=cancelled".to_owned(),
            "to=2001-01-01".to_owned(),
        ] {
            let (_, _, page) = clerk.get(&format!("/orders?{query}")).await;
            assert!(!found(&page), "{query} finds order {}", order.id);
        }
        let (status, _, _) = clerk.get("/orders?from=yesterday").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // The customer's page lists their orders.
        let (_, _, page) = clerk
            .get(&format!("/customers/{}", urlencode(customer.customer_no.as_str())))
            .await;
        assert!(page.contains("id=\"customer-orders\"") && found(&page), "{page}");
        // The same search in the API.
        let (status, _, body) = clerk.get(&format!("/api/orders?q={}", urlencode(&word))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(json.as_array().unwrap().iter().any(|o| o["id"] == order.id), "{body}");
    }
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_owned()
}

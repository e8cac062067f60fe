//! The ERP link end to end against a real Tryton: master data pulled into
//! Orderdesk, a straight-through order pushed through the outbox into one
//! sale, and the sale's state back on the order's timeline.

use std::time::Duration;

use app::config::{ErpConnectorKind, ErpSettings, SaleState};
use app::erp::{push_due, push_order};
use app::intake::{Pipeline, drain, receive};
use erp::Connector;
use erp::server::TrytonServer;
use serde_json::{Value, json};
use store::erp::PushStatus;
use store::master::MasterTable;

use app::draft::LineField;
use domain::order::AmendmentReason;

use crate::drafting::{master, order_mail};

fn server() -> Option<TrytonServer> {
    erp::server::for_test()
}

async fn rpc(t: &erp::Tryton, method: &str, params: Value) -> Value {
    let Value::Array(params) = params else {
        panic!("params are a list")
    };
    t.rpc(method, params).await.unwrap_or_else(|e| panic!("{method}: {e}"))
}

/// Tryton holds the customer 10042, the two screws and 1,000 A-100 in stock.
async fn seed(t: &erp::Tryton) {
    let category = rpc(
        t,
        "model.product.category.search",
        json!([[["name", "=", "Goods"]], 0, 1, null]),
    )
    .await[0]
        .clone();
    rpc(
        t,
        "model.party.party.create",
        json!([[{"name": "Muster GmbH", "code": "10042",
            "addresses": [["create", [{"street_unstructured": "Hafenweg 3", "postal_code": "20457",
                "city": "Hamburg", "invoice": true, "delivery": true}]]],
            "contact_mechanisms": [["create", [{"type": "email", "value": "einkauf@muster.example"}]]]}]]),
    )
    .await;
    for (code, name, price) in [
        ("A-100", "Sechskantschraube M8x40 A2", "0.12"),
        ("B-200", "Zylinderschraube M6x20 A4", "0.30"),
    ] {
        rpc(
            t,
            "model.product.template.create",
            json!([[{"name": name, "code": code, "type": "goods", "default_uom": 1, "sale_uom": 1,
                "salable": true, "list_price": {"__class__": "Decimal", "decimal": price},
                "account_category": category, "products": [["create", [{}]]]}]]),
        )
        .await;
    }
    let storage = rpc(
        t,
        "model.stock.location.search",
        json!([[["code", "=", "STO"]], 0, 1, null]),
    )
    .await[0]
        .clone();
    let product = rpc(
        t,
        "model.product.product.search",
        json!([[["code", "=", "A-100"]], 0, 1, null]),
    )
    .await[0]
        .clone();
    let inventory = rpc(
        t,
        "model.stock.inventory.create",
        json!([[{"location": storage, "lines": [["create", [{"product": product, "quantity": 1000.0}]]]}]]),
    )
    .await[0]
        .clone();
    rpc(t, "model.stock.inventory.confirm", json!([[inventory]])).await;
}

fn settings(server: &TrytonServer, sale_state: SaleState) -> ErpSettings {
    ErpSettings {
        connector: ErpConnectorKind::Tryton,
        url: Some(server.url()),
        database: Some("erp".into()),
        user: Some("admin".into()),
        password: Some(server.password().to_owned()),
        sale_state,
        timeout_seconds: 30,
        ..ErpSettings::default()
    }
}

#[tokio::test]
async fn pulling_brings_master_data_once_and_a_second_pull_changes_nothing() {
    let Some(server) = server() else { return };
    let tryton = app::erp::tryton(&settings(&server, SaleState::Confirmed)).unwrap();
    seed(&tryton).await;
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        let first = app::erp_pull::pull(s, &tryton, jiff::Timestamp::now()).await.unwrap();
        assert_eq!(first.skipped, 0, "{:?}", first.notes);
        assert_eq!(first.products, 2, "names and units from Tryton: {first:?}");
        assert_eq!(first.addresses, 1, "{first:?}");
        assert_eq!(first.stock, 2, "{first:?}");
        let customer = s.customer("10042").await.unwrap().expect("the customer");
        assert_eq!(customer.name, "Muster GmbH");
        assert_eq!(customer.emails, ["einkauf@muster.example"]);
        assert!(
            s.customer("1").await.unwrap().is_none(),
            "the company's own party is not a customer"
        );
        let product = s.product("A-100").await.unwrap().expect("the product");
        assert_eq!(product.pack_size.to_string(), "50", "what only Orderdesk keeps stays");
        let stock = s.stock_of("A-100").await.unwrap();
        assert_eq!(stock.len(), 1);
        assert_eq!(
            (stock[0].warehouse.as_str(), stock[0].on_hand.to_string()),
            ("WH", "1000".into())
        );

        let generation = s.master_generation().await.unwrap();
        let again = app::erp_pull::pull(s, &tryton, jiff::Timestamp::now()).await.unwrap();
        assert_eq!(
            (
                again.products,
                again.customers,
                again.addresses,
                again.stock,
                again.orders
            ),
            (0, 0, 0, 0, 0),
            "{:?}",
            t.backend
        );
        assert_eq!(s.master_generation().await.unwrap(), generation, "nothing was written");
        let pulls = s.erp_pulls(10).await.unwrap();
        assert_eq!(pulls.len(), 2);
        assert!(pulls.iter().all(|p| p.ok && p.cursor.is_some()));
        assert!(s.master_keys(MasterTable::Addresses).await.unwrap().len() == 1);
    }
}

#[tokio::test]
async fn a_straight_through_order_becomes_one_sale_and_its_state_comes_back_to_the_timeline() {
    let Some(server) = server() else { return };
    let settings = settings(&server, SaleState::Quotation);
    let tryton = app::erp::tryton(&settings).unwrap();
    seed(&tryton).await;
    let t = tooling::testing::fresh_sqlite().await;
    let s = &t.store;
    master(s).await;
    let mail = order_mail(
        "t1",
        "Bestellnummer",
        "4500077001",
        "1    A-100        Sechskantschraube M8x40  500    Stk  0,12\r\n2    B-200        Zylinderschraube         3      Stk  0,30",
    );
    let received = receive(s, "upload", None, &mail).await.unwrap();
    drain(s, &Pipeline::default()).await.unwrap();
    let draft = s.draft_of_message(received.id).await.unwrap().unwrap();
    let order_id = s.order_of_draft(draft.id).await.unwrap().expect("straight through").id;

    let connector = app::erp::connector(&settings).unwrap().expect("the Tryton connector");
    let report = push_due(s, &connector, &settings, jiff::Timestamp::now(), 100)
        .await
        .unwrap();
    assert_eq!((report.sent, report.failed, report.retrying), (1, 0, 0));
    let push = &s.erp_pushes_of(order_id).await.unwrap()[0];
    assert_eq!(push.status, PushStatus::Sent);
    assert!(push.erp_reference.as_deref().unwrap().starts_with("sale "));
    // Pushing again (as after a crash before the outbox heard of it) makes no second sale.
    let order = s.order(order_id).await.unwrap().unwrap();
    let again = connector
        .push(&app::erp::erp_order(&order, store::erp::PushKind::Create).unwrap())
        .await
        .unwrap();
    assert!(again.already_there);
    assert_eq!(
        push_order(s, &connector, &settings, order_id, jiff::Timestamp::now())
            .await
            .unwrap()
            .sent,
        0
    );
    let sales = rpc(
        &tryton,
        "model.sale.sale.search_read",
        json!([
            [],
            0,
            null,
            null,
            ["reference", "state", "lines.quantity", "lines.product.code"]
        ]),
    )
    .await;
    let sales = sales.as_array().unwrap();
    assert_eq!(sales.len(), 1, "{sales:?}");
    assert_eq!(sales[0]["reference"], "4500077001");
    assert_eq!(sales[0]["state"], "quotation", "left where the settings say");
    assert_eq!(sales[0]["lines."][0]["quantity"], 500.0);

    // Someone confirms the sale in Tryton; the next pull shows it on the order.
    let Connector::Tryton(_) = &connector else {
        unreachable!()
    };
    app::erp_pull::pull(s, &tryton, jiff::Timestamp::now()).await.unwrap();
    assert_eq!(
        s.order(order_id).await.unwrap().unwrap().erp_status,
        Some(domain::order::ErpSaleStatus::Quotation)
    );
    let sale_id = sales[0]["id"].clone();
    rpc(&tryton, "model.sale.sale.confirm", json!([[sale_id]])).await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    let report = app::erp_pull::pull(s, &tryton, jiff::Timestamp::now()).await.unwrap();
    assert_eq!(report.orders, 1);
    let order = s.order(order_id).await.unwrap().unwrap();
    assert_eq!(order.erp_status, Some(domain::order::ErpSaleStatus::Processing));
    assert!(order.erp_sale.is_some());
    let actions: Vec<String> = s
        .events_for("order", &order_id.to_string())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        ["confirmed", "erp_pushed", "erp_status_changed", "erp_status_changed"]
    );

    // An amendment once the sale is processing in Tryton is for a person.
    let quantity = |value: &str| {
        [app::review::LineAmendment {
            line_no: 1,
            field: LineField::Quantity,
            value: value.into(),
        }]
    };
    app::review::amend(
        s,
        order_id,
        1,
        &quantity("600"),
        AmendmentReason::CustomerChange,
        "",
        "clara",
    )
    .await
    .unwrap();
    let report = push_due(s, &connector, &settings, jiff::Timestamp::now(), 100)
        .await
        .unwrap();
    assert_eq!((report.sent, report.failed), (0, 1));
    let failed = s.erp_pushes_of(order_id).await.unwrap().pop().unwrap();
    assert_eq!(failed.status, PushStatus::Failed);
    assert!(
        failed.last_error.as_deref().unwrap().contains("is processing"),
        "{failed:?}"
    );

    // Cancelled in Tryton (back to draft is not possible once processing: a second order shows it).
    let mail = order_mail(
        "t2",
        "Bestellnummer",
        "4500077002",
        "1    A-100        Sechskantschraube M8x40  50    Stk  0,12",
    );
    let received = receive(s, "upload", None, &mail).await.unwrap();
    drain(s, &Pipeline::default()).await.unwrap();
    let draft = s.draft_of_message(received.id).await.unwrap().unwrap();
    let second = s.order_of_draft(draft.id).await.unwrap().unwrap().id;
    push_due(s, &connector, &settings, jiff::Timestamp::now(), 100)
        .await
        .unwrap();
    let sale = rpc(
        &tryton,
        "model.sale.sale.search",
        json!([[["reference", "=", "4500077002"]], 0, 1, null]),
    )
    .await[0]
        .clone();
    rpc(&tryton, "model.sale.sale.cancel", json!([[sale]])).await;
    app::erp_pull::pull(s, &tryton, jiff::Timestamp::now()).await.unwrap();
    let order = s.order(second).await.unwrap().unwrap();
    assert_eq!(order.erp_status, Some(domain::order::ErpSaleStatus::Cancelled));
    assert_eq!(
        order.status,
        domain::order::OrderStatus::Cancelled,
        "cancelled there, cancelled here"
    );
}

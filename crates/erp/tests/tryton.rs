//! The Tryton connector against a real Tryton server (started per test on a
//! copy of the database `scripts/test` prepares).

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use erp::server::TrytonServer;
use erp::tryton::PullCursor;
use erp::{Connector, ErpAddress, ErpError, ErpLine, ErpOrder, PushAction, SaleState, Tryton, idempotency_key};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server, or `None` (skipped) outside `scripts/test`; under `CI=true` a missing server fails.
fn server() -> Option<TrytonServer> {
    erp::server::for_test()
}

fn dec(text: &str) -> Value {
    json!({"__class__": "Decimal", "decimal": text})
}

async fn rpc(t: &Tryton, method: &str, params: Value) -> Value {
    let Value::Array(params) = params else {
        panic!("params are a list")
    };
    t.rpc(method, params).await.unwrap_or_else(|e| panic!("{method}: {e}"))
}

/// The customer 10042 with an invoice and delivery address, and two products.
async fn seed(t: &Tryton) {
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
    for (code, name, price, uom) in [("W-100", "Widget", "12.50", 1), ("CAB-2", "Cable", "2.40", 11)] {
        rpc(
            t,
            "model.product.template.create",
            json!([[{"name": name, "code": code, "type": "goods", "default_uom": uom, "sale_uom": uom,
                "salable": true, "list_price": dec(price), "account_category": category,
                "products": [["create", [{}]]]}]]),
        )
        .await;
    }
}

fn order(id: i64, version: i64, quantity: &str) -> ErpOrder {
    ErpOrder {
        schema: erp::SCHEMA.into(),
        order_id: id,
        version,
        idempotency_key: idempotency_key(id),
        action: if version == 1 {
            PushAction::Create
        } else {
            PushAction::Amend
        },
        customer_no: Some("10042".into()),
        customer_name: Some("Muster GmbH".into()),
        po_number: Some(format!("PO-{id}")),
        order_date: Some("2026-11-30".into()),
        requested_delivery_date: Some("2026-12-11".into()),
        currency: Some("EUR".into()),
        ship_to: Some(ErpAddress {
            address_id: Some("10042-2".into()),
            name: Some("Muster GmbH Lager Nord".into()),
            street: Some("Nordkai 7".into()),
            zip: Some("20459".into()),
            city: Some("Hamburg".into()),
            country: Some("DE".into()),
        }),
        lines: vec![
            ErpLine {
                line_no: 1,
                sku: Some("W-100".into()),
                customer_part_no: Some("4711".into()),
                description: Some("Widget".into()),
                quantity: Some(quantity.into()),
                uom: Some("C62".into()),
                unit_price: Some("12.5".into()),
                delivery_date: None,
                base_quantity: Some(quantity.into()),
            },
            ErpLine {
                line_no: 2,
                sku: Some("CAB-2".into()),
                customer_part_no: None,
                description: None,
                quantity: Some("2".into()),
                // A box of 50 m: Tryton has no box, so 100 m at the price per metre.
                uom: Some("BX".into()),
                unit_price: Some("110".into()),
                delivery_date: None,
                base_quantity: Some("100".into()),
            },
            ErpLine {
                line_no: 3,
                sku: None,
                customer_part_no: None,
                description: Some("Prüfzeugnis 3.1".into()),
                quantity: Some("1".into()),
                uom: Some("C62".into()),
                unit_price: Some("25".into()),
                delivery_date: None,
                base_quantity: None,
            },
        ],
        total: Some("307.5".into()),
    }
}

/// Our sales in the ERP, with their lines.
async fn sales(t: &Tryton) -> Vec<Value> {
    rpc(
        t,
        "model.sale.sale.search_read",
        json!([
            [],
            0,
            null,
            [["id", "ASC"]],
            [
                "reference",
                "state",
                "comment",
                "number",
                "shipment_address.street",
                "shipping_date",
                "lines.product.code",
                "lines.quantity",
                "lines.unit.symbol",
                "lines.unit_price",
                "lines.description"
            ]
        ]),
    )
    .await
    .as_array()
    .cloned()
    .unwrap()
}

fn decimal_of(v: &Value) -> String {
    v["decimal"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| v.to_string())
}

#[tokio::test]
async fn a_pushed_order_becomes_one_confirmed_sale_with_its_lines() {
    let Some(server) = server() else { return };
    let t = server.connector(SaleState::Confirmed);
    seed(&t).await;
    let said = Connector::Tryton(t.clone()).test().await.unwrap();
    assert!(said.contains("database erp") && said.contains("EUR"), "{said}");

    let receipt = t.push(&order(41, 1, "3")).await.unwrap();
    assert!(!receipt.already_there);
    assert!(receipt.reference.starts_with("sale "), "{}", receipt.reference);
    let again = t.push(&order(41, 1, "3")).await.unwrap();
    assert!(again.already_there, "the second push finds the first sale");
    assert_eq!(again.reference, receipt.reference);

    let all = sales(&t).await;
    assert_eq!(all.len(), 1, "one sale for one order: {all:?}");
    let sale = &all[0];
    assert_eq!(sale["reference"], "PO-41");
    assert_eq!(sale["state"], "processing", "confirmed and processed");
    assert!(sale["comment"].as_str().unwrap().contains("[orderdesk-order-41]"));
    assert_eq!(
        sale["shipment_address."]["street"], "Nordkai 7",
        "a new delivery address for the ship-to"
    );
    assert_eq!(sale["shipping_date"]["day"], 11);
    let lines = sale["lines."].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["product."]["code"], "W-100");
    assert_eq!(lines[0]["quantity"], 3.0);
    assert_eq!(lines[0]["unit."]["symbol"], "u");
    assert_eq!(decimal_of(&lines[0]["unit_price"]), "12.5");
    assert_eq!(lines[1]["product."]["code"], "CAB-2");
    assert_eq!(lines[1]["quantity"], 100.0, "boxes as metres");
    assert_eq!(lines[1]["unit."]["symbol"], "m");
    assert_eq!(decimal_of(&lines[1]["unit_price"]), "2.2");
    assert!(lines[2]["product."].is_null());
    assert_eq!(lines[2]["description"], "Prüfzeugnis 3.1");
}

#[tokio::test]
async fn an_amendment_changes_a_draft_sale_and_is_refused_once_the_sale_is_confirmed() {
    let Some(server) = server() else { return };
    let draft = server.connector(SaleState::Draft);
    seed(&draft).await;
    draft.push(&order(5, 1, "3")).await.unwrap();
    let receipt = draft.push(&order(5, 2, "8")).await.unwrap();
    assert!(!receipt.already_there);
    let all = sales(&draft).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["state"], "draft");
    assert!(all[0]["comment"].as_str().unwrap().contains("version 2"));
    let lines = all[0]["lines."].as_array().unwrap();
    assert_eq!(lines.len(), 3, "the old lines are replaced, not added to");
    assert_eq!(lines[0]["quantity"], 8.0);
    assert!(draft.push(&order(5, 2, "8")).await.unwrap().already_there);

    let confirmed = server.connector(SaleState::Confirmed);
    confirmed.push(&order(5, 2, "8")).await.unwrap();
    let err = confirmed.push(&order(5, 3, "9")).await.unwrap_err();
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("processing"), "{err}");
    assert_eq!(sales(&draft).await[0]["lines."][0]["quantity"], 8.0, "nothing changed");
}

#[tokio::test]
async fn a_cancelled_order_cancels_its_draft_sale_and_a_processing_one_is_refused() {
    let Some(server) = server() else { return };
    let draft = server.connector(SaleState::Quotation);
    seed(&draft).await;
    draft.push(&order(7, 1, "3")).await.unwrap();
    let cancel = |id: i64, version: i64| ErpOrder {
        action: PushAction::Cancel,
        ..order(id, version, "3")
    };
    let receipt = draft.push(&cancel(7, 2)).await.unwrap();
    assert!(!receipt.already_there, "{receipt:?}");
    let all = sales(&draft).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["state"], "cancelled");
    // Again (a retry): nothing more happens.
    assert!(draft.push(&cancel(7, 2)).await.unwrap().already_there);
    // An order whose sale never reached the ERP has nothing to cancel.
    assert!(draft.push(&cancel(8, 2)).await.unwrap().already_there);
    assert_eq!(sales(&draft).await.len(), 1);

    let confirmed = server.connector(SaleState::Confirmed);
    confirmed.push(&order(9, 1, "3")).await.unwrap();
    let err = confirmed.push(&cancel(9, 2)).await.unwrap_err();
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("processing"), "{err}");
    let states: Vec<Value> = sales(&draft).await.iter().map(|s| s["state"].clone()).collect();
    assert_eq!(
        states,
        vec![json!("cancelled"), json!("processing")],
        "the processing sale is left as it was"
    );
}

#[tokio::test]
async fn what_tryton_cannot_take_is_refused_with_the_reason() {
    let Some(server) = server() else { return };
    let t = server.connector(SaleState::Confirmed);
    seed(&t).await;
    let mut unknown = order(9, 1, "1");
    unknown.customer_no = Some("99999".into());
    let err = t.push(&unknown).await.unwrap_err();
    assert!(matches!(err, ErpError::Refused(_)), "{err}");
    assert!(err.to_string().contains("99999"), "{err}");
    let mut no_product = order(10, 1, "1");
    no_product.lines[0].sku = Some("NOPE-1".into());
    let err = t.push(&no_product).await.unwrap_err();
    assert!(
        err.to_string().contains("NOPE-1") && err.to_string().contains("line 1"),
        "{err}"
    );
    assert!(sales(&t).await.is_empty(), "nothing half made");

    let wrong = Tryton::new(
        server.url(),
        "erp",
        "admin",
        "wrong-password",
        SaleState::Draft,
        std::time::Duration::from_secs(5),
    );
    let err = wrong.test().await.unwrap_err();
    assert!(err.to_string().contains("could not log in"), "{err}");
}

/// What the proxy does with the sale's create request.
const PASS: u8 = 0;
/// Forwards it, waits for Tryton's answer, and drops the connection instead of answering.
const CUT_AFTER_ANSWER: u8 = 1;
/// Forwards it and drops the connection at once, without waiting.
const CUT_AT_ONCE: u8 = 2;

/// A loopback HTTP proxy in front of Tryton that can lose the answer to `sale.sale.create`.
async fn proxy(upstream: String, mode: Arc<AtomicU8>, forwarded: tokio::sync::mpsc::UnboundedSender<()>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let client = reqwest::Client::new();
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let (client, upstream, mode, forwarded) =
                (client.clone(), upstream.clone(), mode.clone(), forwarded.clone());
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                loop {
                    // One request: headers, then Content-Length bytes.
                    let head_end = loop {
                        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                        let mut chunk = [0u8; 8192];
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
                    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                    let length: usize = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().to_owned())
                        })
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    while buffer.len() < head_end + length {
                        let mut chunk = [0u8; 8192];
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let body = buffer[head_end..head_end + length].to_vec();
                    buffer.drain(..head_end + length);
                    let authorization = head
                        .lines()
                        .find_map(|l| {
                            l.strip_prefix("Authorization: ")
                                .or_else(|| l.strip_prefix("authorization: "))
                        })
                        .map(str::to_owned);
                    let creating = String::from_utf8_lossy(&body).contains("\"model.sale.sale.create\"");
                    let cut = if creating {
                        mode.swap(PASS, Ordering::SeqCst)
                    } else {
                        PASS
                    };
                    let mut request = client
                        .post(format!("{upstream}{path}"))
                        .header("Content-Type", "application/json")
                        .body(body);
                    if let Some(a) = authorization {
                        request = request.header("Authorization", a);
                    }
                    if cut == CUT_AT_ONCE {
                        let sent = tokio::spawn(request.send());
                        let _ = forwarded.send(());
                        let _ = sent.await;
                        return;
                    }
                    let Ok(response) = request.send().await else { return };
                    let status = response.status().as_u16();
                    let answer = response.bytes().await.unwrap_or_default();
                    if cut == CUT_AFTER_ANSWER {
                        let _ = forwarded.send(());
                        return; // the sale exists; its answer is lost
                    }
                    let reply = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                        answer.len()
                    );
                    if socket.write_all(reply.as_bytes()).await.is_err() || socket.write_all(&answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    address
}

#[tokio::test]
async fn a_connection_cut_after_the_create_leaves_exactly_one_sale_after_the_retry() {
    let Some(server) = server() else { return };
    let admin = server.connector(SaleState::Confirmed);
    seed(&admin).await;
    let mode = Arc::new(AtomicU8::new(CUT_AFTER_ANSWER));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let through = server.connector_at(&proxy(server.url(), mode.clone(), tx).await, SaleState::Confirmed);

    let err = through.push(&order(77, 1, "4")).await.unwrap_err();
    assert!(err.is_retryable(), "a lost answer is worth retrying: {err}");
    rx.recv().await.unwrap();
    let after_cut = sales(&admin).await;
    assert_eq!(after_cut.len(), 1, "Tryton made the sale before the answer was lost");
    assert_eq!(after_cut[0]["state"], "draft", "the workflow did not run");

    let retry = through.push(&order(77, 1, "4")).await.unwrap();
    assert!(retry.already_there, "the retry finds the sale by its key");
    let all = sales(&admin).await;
    assert_eq!(all.len(), 1, "exactly one sale: {all:?}");
    assert_eq!(all[0]["state"], "processing", "the retry finished the workflow");
}

#[tokio::test]
async fn the_server_killed_mid_push_then_restarted_leaves_exactly_one_sale_after_the_retry() {
    let Some(mut server) = server() else { return };
    let admin = server.connector(SaleState::Confirmed);
    seed(&admin).await;
    let mode = Arc::new(AtomicU8::new(CUT_AT_ONCE));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let through = server.connector_at(&proxy(server.url(), mode.clone(), tx).await, SaleState::Confirmed);

    let push = tokio::spawn({
        let through = through.clone();
        async move { through.push(&order(78, 1, "4")).await }
    });
    rx.recv().await.unwrap();
    // The create is on its way: the server dies with it (committed or not).
    server.kill();
    let err = push.await.unwrap().unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert!(
        through.push(&order(78, 1, "4")).await.unwrap_err().is_retryable(),
        "the server is down"
    );

    server.run().expect("Tryton starts again");
    through
        .push(&order(78, 1, "4"))
        .await
        .expect("the retry after the restart delivers");
    let all = sales(&admin).await;
    assert_eq!(all.len(), 1, "exactly one sale: {all:?}");
    assert_eq!(all[0]["state"], "processing");
    assert!(through.push(&order(78, 1, "4")).await.unwrap().already_there);
}

#[tokio::test]
async fn pulling_brings_products_parties_stock_and_sale_states_and_then_only_changes() {
    let Some(server) = server() else { return };
    let t = server.connector(SaleState::Confirmed);
    seed(&t).await;
    let storage = rpc(
        &t,
        "model.stock.location.search",
        json!([[["code", "=", "STO"]], 0, 1, null]),
    )
    .await[0]
        .clone();
    let widget = rpc(
        &t,
        "model.product.product.search",
        json!([[["code", "=", "W-100"]], 0, 1, null]),
    )
    .await[0]
        .clone();
    let inventory = rpc(
        &t,
        "model.stock.inventory.create",
        json!([[{"location": storage, "lines": [["create", [{"product": widget, "quantity": 40.0}]]]}]]),
    )
    .await[0]
        .clone();
    rpc(&t, "model.stock.inventory.confirm", json!([[inventory]])).await;
    t.push(&order(3, 1, "5")).await.unwrap();
    server
        .connector(SaleState::Draft)
        .push(&order(4, 1, "1"))
        .await
        .unwrap();

    let first = t.pull(&PullCursor::default()).await.unwrap();
    let codes: Vec<&str> = first.products.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["W-100", "CAB-2"]);
    assert_eq!(first.products[1].unit, "m");
    assert_eq!(first.products[0].list_price.as_deref(), Some("12.50"));
    assert_eq!(first.products[0].currency.as_deref(), Some("EUR"));
    let muster = first.parties.iter().find(|p| p.code == "10042").expect("the customer");
    assert_eq!(muster.emails, ["einkauf@muster.example"]);
    assert_eq!(
        muster.addresses.len(),
        2,
        "the invoice address and the pushed delivery address"
    );
    let widget_stock = first.stock.iter().find(|s| s.code == "W-100").unwrap();
    assert_eq!(
        (widget_stock.warehouse.as_str(), widget_stock.quantity.as_str()),
        ("WH", "40")
    );
    assert_eq!(widget_stock.forecast_quantity, "35", "5 promised to order 3");
    let states: Vec<(i64, &str)> = first.sales.iter().map(|s| (s.order_id, s.state.as_str())).collect();
    assert_eq!(states, [(3, "processing"), (4, "draft")]);
    assert!(first.cursor.products.is_some() && first.cursor.sales.is_some());

    let again = t.pull(&first.cursor).await.unwrap();
    assert!(
        again.cursor.products >= first.cursor.products,
        "the cursor never goes back"
    );
    assert!(again.stock.len() <= first.stock.len());

    // A price and a sale change in Tryton.
    let template = rpc(
        &t,
        "model.product.template.search",
        json!([[["code", "=", "CAB-2"]], 0, 1, null]),
    )
    .await[0]
        .clone();
    rpc(
        &t,
        "model.product.template.write",
        json!([[template], {"list_price": dec("2.60")}]),
    )
    .await;
    let sale = rpc(
        &t,
        "model.sale.sale.search",
        json!([[["reference", "=", "PO-4"]], 0, 1, null]),
    )
    .await[0]
        .clone();
    rpc(&t, "model.sale.sale.cancel", json!([[sale]])).await;
    let later = t.pull(&first.cursor).await.unwrap();
    let cable = later
        .products
        .iter()
        .find(|p| p.code == "CAB-2")
        .expect("the changed product comes back");
    assert_eq!(cable.list_price.as_deref(), Some("2.60"));
    let cancelled = later
        .sales
        .iter()
        .find(|s| s.order_id == 4)
        .expect("the changed sale comes back");
    assert_eq!(cancelled.state, "cancelled");
}

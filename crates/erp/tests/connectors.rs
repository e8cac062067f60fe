//! The connectors against a real folder and a real HTTP receiver.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use erp::{Connector, ErpLine, ErpOrder, FileDrop, PushAction, Webhook, idempotency_key, verify};

fn order(id: i64, version: i64) -> ErpOrder {
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
        po_number: Some("4500012345".into()),
        order_date: Some("2026-11-30".into()),
        requested_delivery_date: None,
        currency: Some("EUR".into()),
        ship_to: None,
        lines: vec![ErpLine {
            line_no: 1,
            sku: Some("DIN933-M8x40-A2".into()),
            customer_part_no: None,
            description: Some("Sechskantschraube M8x40".into()),
            quantity: Some("500".into()),
            uom: Some("C62".into()),
            unit_price: Some("0.12".into()),
            delivery_date: None,
            base_quantity: Some("500".into()),
        }],
        total: Some("60".into()),
    }
}

#[tokio::test]
async fn the_file_drop_writes_one_whole_file_per_order_version_once() {
    let dir = tempfile::tempdir().unwrap();
    let drop = Connector::FileDrop(FileDrop {
        dir: dir.path().join("erp-in"),
    });
    assert!(drop.test().await.unwrap().contains("erp-in"));
    let first = drop.push(&order(7, 1)).await.unwrap();
    assert_eq!(first.reference, "orderdesk-order-7-v1.json");
    assert!(!first.already_there);
    let again = drop.push(&order(7, 1)).await.unwrap();
    assert!(again.already_there, "a second delivery finds the first");
    drop.push(&order(7, 2)).await.unwrap();
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("erp-in"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["orderdesk-order-7-v1.json", "orderdesk-order-7-v2.json"],
        "no temporary file left"
    );
    let written: ErpOrder =
        serde_json::from_slice(&std::fs::read(dir.path().join("erp-in/orderdesk-order-7-v2.json")).unwrap()).unwrap();
    assert_eq!(written, order(7, 2));
}

#[tokio::test]
async fn a_folder_that_cannot_be_written_is_an_error_not_a_silent_drop() {
    let dir = tempfile::tempdir().unwrap();
    let blocked = dir.path().join("not-a-folder");
    std::fs::write(&blocked, b"x").unwrap();
    let drop = Connector::FileDrop(FileDrop { dir: blocked });
    let err = drop.push(&order(1, 1)).await.unwrap_err();
    assert!(err.to_string().contains("not-a-folder"), "{err}");
}

/// A receiver that checks the signature, answers from a script of statuses,
/// and keeps what it took.
async fn receiver(secret: &'static str, answers: Vec<StatusCode>) -> (String, Arc<Mutex<Vec<ErpOrder>>>) {
    let taken: Arc<Mutex<Vec<ErpOrder>>> = Arc::default();
    let script = Arc::new(Mutex::new(answers));
    let store = taken.clone();
    let app = axum::Router::new().route(
        "/orders",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let store = store.clone();
            let script = script.clone();
            async move {
                let timestamp: i64 = headers["x-orderdesk-timestamp"].to_str().unwrap().parse().unwrap();
                let signature = headers["x-orderdesk-signature"].to_str().unwrap();
                if !verify(secret, timestamp, &body, signature) {
                    return (StatusCode::UNAUTHORIZED, "bad signature".to_owned());
                }
                let status = {
                    let mut s = script.lock().unwrap();
                    if s.is_empty() { StatusCode::OK } else { s.remove(0) }
                };
                if status != StatusCode::OK {
                    return (status, "not now".to_owned());
                }
                let order: ErpOrder = serde_json::from_slice(&body).unwrap();
                let key = headers["idempotency-key"].to_str().unwrap().to_owned();
                assert_eq!(key, order.idempotency_key);
                let mut taken = store.lock().unwrap();
                let duplicate = taken
                    .iter()
                    .any(|o| o.idempotency_key == key && o.version == order.version);
                if !duplicate {
                    taken.push(order);
                }
                (
                    StatusCode::OK,
                    format!("{{\"reference\":\"SO-{}\",\"duplicate\":{duplicate}}}", taken.len()),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/orders", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, taken)
}

#[tokio::test]
async fn the_webhook_signs_each_order_and_says_what_to_try_again() {
    let (url, taken) = receiver("s3cret", vec![StatusCode::SERVICE_UNAVAILABLE]).await;
    let hook = |secret: &str| {
        Connector::Webhook(Webhook {
            url: url.clone(),
            secret: secret.into(),
            timeout: Duration::from_secs(5),
        })
    };
    // The receiver is busy first: worth trying again.
    let busy = hook("s3cret").push(&order(9, 1)).await.unwrap_err();
    assert!(busy.is_retryable(), "{busy}");
    let receipt = hook("s3cret").push(&order(9, 1)).await.unwrap();
    assert_eq!(receipt.reference, "SO-1");
    assert!(!receipt.already_there);
    // Delivered again (as after a crash before we noted it): taken once.
    let again = hook("s3cret").push(&order(9, 1)).await.unwrap();
    assert!(again.already_there);
    assert_eq!(taken.lock().unwrap().len(), 1);
    assert_eq!(taken.lock().unwrap()[0], order(9, 1));
    // A wrong secret is refused for good: no point in trying again.
    let refused = hook("wrong").push(&order(10, 1)).await.unwrap_err();
    assert!(!refused.is_retryable(), "{refused}");
    assert!(refused.to_string().contains("401"), "{refused}");
}

#[tokio::test]
async fn an_erp_that_is_not_there_is_tried_again_later() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/orders", listener.local_addr().unwrap());
    drop(listener);
    let hook = Connector::Webhook(Webhook {
        url,
        secret: "s".into(),
        timeout: Duration::from_secs(2),
    });
    assert!(hook.push(&order(1, 1)).await.unwrap_err().is_retryable());
}
